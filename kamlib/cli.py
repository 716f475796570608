"""The ``kam`` command: validate data, generate sample data, build the reports, the course.

Examples
--------
>>> main(["validate"])   # the bundled sample  # doctest: +SKIP
Validation: clean
0
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main"]


def _validate(args: argparse.Namespace) -> int:
    from rich.console import Console

    from kamlib.data.config import ConfigError
    from kamlib.data.dataset import validate

    console = Console(stderr=True)
    try:
        with console.status("validating") as status:
            report = validate(args.config, progress=lambda step: status.update(step))
    except ConfigError as err:
        print(f"kam: {err}", file=sys.stderr)
        return 2
    print(report)
    for line in _modules(report.tables, args.notebooks, report.ok):
        print(line)
    return 0 if report.ok else 1


def _modules(tables: dict[str, list[str]], folder: str | None, ok: bool = True) -> list[str]:
    """One line per report module: whether this data can build it, and if not, what it needs.

    Nothing is built while the data has errors: then "available" waits for the fixes.
    """
    from kamlib.data.needs import needs_sentence, unmet
    from kamlib.report.build import NOTEBOOKS
    from kamlib.report.notebooks import report_notebooks

    lines = []
    for nb in report_notebooks(folder or NOTEBOOKS):
        missing = unmet(nb.needs, tables)
        ready = "available" if ok else "available once the errors above are fixed"
        lines.append(f"MODULE {nb.title}: " + (
            f"not available. {needs_sentence(nb.title, missing)}" if missing else ready))
    return lines


def _sample(args: argparse.Namespace) -> int:
    from kamlib._written import OverwriteError
    from kamlib.data.sample import SAMPLE_TABLES, check_out, generate_sample, write_sample

    try:  # before the (slow) generation
        check_out(args.out, [f"{name}.csv" for name in SAMPLE_TABLES], args.force)
        paths = write_sample(generate_sample(n_accounts=args.accounts, years=args.years,
                                             seed=args.seed), Path(args.out), force=args.force)
    except (OverwriteError, OSError) as err:
        print(f"kam: {err}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


def _build(args: argparse.Namespace) -> int:
    from kamlib._written import OverwriteError
    from kamlib.data.config import ConfigError
    from kamlib.report import build_reports
    from kamlib.report.notebooks import NotebookError
    from kamlib.report.pdf import PrinterMissing
    from kamlib.report.staging import OutError

    only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    try:
        result = build_reports(args.config, out=Path(args.out), only=only,
                               audience=args.audience, timeout=args.timeout, force=args.force,
                               plans=args.plans, pdf=args.pdf,
                               **({"notebooks": args.notebooks} if args.notebooks else {}))
    except (ConfigError, NotebookError, OverwriteError, PrinterMissing, OutError) as err:
        print(f"kam: {err}", file=sys.stderr)
        return 2
    if result.published:
        print(result.index)
    for line in result.errors if result.published else ():  # failed plans, marked there
        print(f"kam: {line}", file=sys.stderr)
    return 0 if result.ok else 1


def _plans(args: argparse.Namespace) -> int:
    from kamlib._written import OverwriteError
    from kamlib.data.config import ConfigError
    from kamlib.report.notebooks import NotebookError
    from kamlib.report.pdf import PrinterMissing
    from kamlib.report.plans import build_plans

    ids = [a.strip() for a in args.accounts.split(",") if a.strip()] if args.accounts else None
    try:
        result = build_plans(args.config, out=Path(args.out), top=args.top, accounts=ids,
                             every_key_account=args.all,
                             template=args.template, timeout=args.timeout, force=args.force,
                             pdf=args.pdf)
    except (ConfigError, NotebookError, OverwriteError, PrinterMissing, ValueError,
            OSError) as err:
        print(f"kam: {err}", file=sys.stderr)
        return 2
    print(result.index)
    if result.failed:
        print(f"kam: {len(result.failed)} plan(s) failed (marked in the index): "
              f"{', '.join(result.failed)}", file=sys.stderr)
    return 0 if result.ok else 1


def _course(args: argparse.Namespace) -> int:
    from kamlib import course
    from kamlib.exercises import progress

    try:
        if args.action == "start":
            started = course.start(args.dir)
            for name in started.copied:
                print(f"copied  {started.workdir / name}")
            if started.kept:
                print(f"kept your copies of {len(started.kept)} notebook(s) in "
                      f"{started.workdir}")
            if args.no_lab:
                return 0
            print(f"opening JupyterLab in {started.workdir}")
            if course.running_as_root():
                print("running as root: JupyterLab is started with allow_root (it refuses "
                      "to start as root otherwise); prefer an ordinary user where you can")
            code = course.launch(started.workdir)
            if code:
                print(f"JupyterLab stopped with exit code {code}: its messages above say why. "
                      f"`kam course start --no-lab` prepares the folder without opening it.",
                      file=sys.stderr)
            return code
        if args.action == "reset":
            restored, kept = course.reset(args.name, args.dir)
            print(f"restored {restored}" + (f"; your version is kept as {kept.name}"
                                             if kept else ""))
            return 0
        print(progress(course._resolve_workdir(args.dir)))
        return 0
    except (ValueError, OSError) as err:
        print(f"kam: {err}", file=sys.stderr)
        return 2


def _at_least(minimum: int):
    """An argparse type: a whole number no smaller than ``minimum``."""
    def whole_number(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    return whole_number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kam", description="kamkit: Key Account Management "
                                     "course and reports from your own data.")
    sub = parser.add_subparsers(dest="command", required=True)
    pdf_help = ("also print every page to PDF beside it (A4; needs Debian's chromium and "
                "the pdf extra)")
    config_help = "kam.toml mapping your files and columns (default: the bundled sample)"

    p = sub.add_parser("validate", help="check every data file and report all problems at once")
    p.add_argument("--config", default=None, help=config_help)
    p.add_argument("--notebooks", default=None, help=argparse.SUPPRESS)  # tests: another folder
    p.set_defaults(func=_validate)

    p = sub.add_parser("sample", help="write a generated sample data set (deterministic)")
    p.add_argument("--out", required=True, help="folder to write the CSV files into")
    p.add_argument("--accounts", type=_at_least(10), default=1500, help="number of accounts")
    p.add_argument("--years", type=_at_least(1), default=3, help="years of history")
    p.add_argument("--seed", type=_at_least(0), default=42, help="random seed (0 or more)")
    p.add_argument("--force", action="store_true",
                   help="overwrite files in --out that kam sample did not write")
    p.set_defaults(func=_sample)

    p = sub.add_parser("build", help="run the report notebooks into HTML reports")
    p.add_argument("--config", default=None, help=config_help)
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--only", default=None, help="comma-separated notebook names to build")
    p.add_argument("--audience", choices=("leadership", "trainee"), default="leadership",
                   help="leadership: no code; trainee: code shown")
    p.add_argument("--timeout", type=_at_least(1), default=600, help="seconds per notebook")
    p.add_argument("--notebooks", default=None,
                   help="folder of report notebooks (default: the kit's notebooks/)")
    p.add_argument("--force", action="store_true",
                   help="overwrite files in --out that the build did not write")
    p.add_argument("--plans", action=argparse.BooleanOptionalAction, default=None,
                   help="write the key accounts' plans into OUT/plans (see kam plans); "
                   "default: yes, but not with --only")
    p.add_argument("--pdf", action="store_true", help=pdf_help)
    p.set_defaults(func=_build)

    p = sub.add_parser("plans", help="one account plan per key account, an index of the "
                       "plans and a contact calendar per manager")
    p.add_argument("--config", default=None, help=config_help)
    p.add_argument("--out", default="reports/plans", help="output folder (default: "
                   "reports/plans)")
    chosen = p.add_mutually_exclusive_group()
    chosen.add_argument("--top", type=_at_least(1), default=None,
                        help="the N largest accounts by value (default: the key accounts, "
                        "largest first, at most [plans] top in kam.toml, 100 if not set)")
    chosen.add_argument("--accounts", default=None, help="comma-separated account ids")
    chosen.add_argument("--all", action="store_true",
                        help="every key account, however many (no cap)")
    p.add_argument("--template", default=None,
                   help="also write the blank notes template (.xlsx or .csv) for these accounts")
    p.add_argument("--timeout", type=_at_least(1), default=300, help="seconds per plan")
    p.add_argument("--force", action="store_true",
                   help="overwrite files that kam plans did not write")
    p.add_argument("--pdf", action="store_true", help=pdf_help)
    p.set_defaults(func=_plans)

    p = sub.add_parser("course", help="the trainee's own copy of the course")
    actions = p.add_subparsers(dest="action", required=True)
    dir_help = "work folder (default: course/ beside the kit's notebooks/)"
    a = actions.add_parser("start", help="copy the course once into the work folder and "
                           "open JupyterLab there")
    a.add_argument("--dir", default=None, help=dir_help)
    a.add_argument("--no-lab", action="store_true", help="copy only; do not open JupyterLab")
    a = actions.add_parser("reset", help="restore one notebook as shipped (yours is kept)")
    a.add_argument("name", help="notebook name, e.g. 10_concentration (or 10)")
    a.add_argument("--dir", default=None, help=dir_help)
    a = actions.add_parser("progress", help="which exercises are done")
    a.add_argument("--dir", default=None, help=dir_help)
    p.set_defaults(func=_course)
    return parser


def _check_paths(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors for paths that cannot work, before anything runs (exit 2)."""
    def must_be(kind: str, option: str, value: str | None) -> None:
        if value is None:
            return
        path = Path(value)
        if kind == "folder" and path.exists() and not path.is_dir():
            parser.error(f"argument {option}: {value} is a file, not a folder")
        if kind == "folder to read" and not path.is_dir():
            parser.error(f"argument {option}: {value} is not a folder")
        if kind == "file" and not path.is_file():
            parser.error(f"argument {option}: {value} is not a file")

    must_be("file", "--config", getattr(args, "config", None))
    must_be("folder", "--out", getattr(args, "out", None))
    must_be("folder to read", "--notebooks", getattr(args, "notebooks", None))
    must_be("folder", "--dir", getattr(args, "dir", None))


def main(argv: list[str] | None = None) -> int:
    """Run ``kam`` with ``argv``; returns the exit code (0 ok, 1 data or build failed,
    2 a usage or config error: nothing ran)."""
    parser = _parser()
    args = parser.parse_args(argv)
    _check_paths(parser, args)
    from kamlib.report.watchdog import armed

    try:
        with armed():  # --timeout bounds every step of the run (kamlib.report.watchdog)
            code = args.func(args)
        sys.stdout.flush()  # here, not at exit: a closed pipe is caught below
        return code
    except BrokenPipeError:  # kam validate | head -1: the reader has gone; so do we, quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush at exit either
        return 141  # 128 + SIGPIPE, as a tool killed by the closed pipe would end


if __name__ == "__main__":
    sys.exit(main())
