"""pytest set-up shared by the suite."""

# Scripts that regenerate fixtures need their reference libraries; they are not tests.
collect_ignore_glob = ["fixtures/*.py"]
