"""The replaceable RFM segment table: [[analysis.segments]] in kam.toml, checked at load."""

import pandas as pd
import pytest

from kamlib.data.config import ConfigError, load_config
from kamlib.segments import SEGMENTS, rfm_segments, segment_table


def write(tmp_path, text):
    path = tmp_path / "kam.toml"
    path.write_text('[source]\nfolder = "."\n' + text)
    return path


def rows(*segments):
    return "".join(f'[[analysis.segments]]\nsegment = "{s}"\nr_from = {a}\nr_to = {b}\n'
                   f'fm_from = {c}\nfm_to = {d}\naction = "{e}"\n'
                   for s, a, b, c, d, e in segments)


THREE = rows(("Best", 4, 5, 3, 5, "Visit"), ("Slipping", 1, 3, 3, 5, "Call"),
             ("Small", 1, 5, 1, 2, "Mail"))


def test_default_is_the_kit_table(tmp_path):
    assert load_config(None).analysis.segments is None
    assert load_config(write(tmp_path, "")).analysis.segments is None
    pd.testing.assert_frame_equal(segment_table(None), SEGMENTS)


def test_a_company_table_is_read_and_used(tmp_path):
    cfg = load_config(write(tmp_path, THREE))
    assert cfg.analysis.segments == (("Best", 4, 5, 3, 5, "Visit"),
                                     ("Slipping", 1, 3, 3, 5, "Call"),
                                     ("Small", 1, 5, 1, 2, "Mail"))
    table = segment_table(cfg.analysis.segments)
    scores = pd.DataFrame({"r": [5, 2, 3], "fm": [3, 5, 1]})
    assert rfm_segments(scores, table)["segment"].tolist() == ["Best", "Slipping", "Small"]
    assert rfm_segments(scores, table)["action"].tolist() == ["Visit", "Call", "Mail"]


@pytest.mark.parametrize("text, words", [
    (rows(("Best", 4, 5, 3, 5, "V"), ("Small", 1, 5, 1, 2, "M")),
     "no segment for [(1, 3), (1, 4), (1, 5)"),
    (THREE + rows(("Extra", 5, 5, 5, 5, "X")), "several segments for [(5, 5)]"),
    (rows(("Best", 4, 6, 1, 5, "V"), ("Rest", 1, 3, 1, 5, "M")),
     "'Best' has ranges outside 1..5 or from > to"),
    (rows(("Best", 5, 4, 1, 5, "V"), ("Rest", 1, 3, 1, 5, "M")), "'Best' has ranges"),
    (THREE.replace('r_from = 4', 'r_from = "4"'), "'Best': r_from, r_to, fm_from, fm_to are "
                                                  "whole scores from 1 to 5, not ['4', 5, 3, 5]"),
    (THREE.replace('action = "Visit"\n', ''), "'Best' (segment 1): missing ['action']"),
    (THREE.replace('action = "Visit"', 'actoin = "Visit"'),
     "'Best' (segment 1): unknown key(s) ['actoin']; missing ['action']"),
    (THREE.replace('"Slipping"', '"Best"'), "segment names must differ; ['Best']"),
    ("[analysis]\nsegments = 5\n", "must be a list of segments, one [[analysis.segments]]"),
    ("[analysis]\nsegments = []\n", "must be a list of segments"),
])
def test_a_bad_segment_table_is_a_config_error_naming_the_section(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path.resolve()) in message and "[analysis.segments]" in message
    assert words in message, message


def test_the_cli_says_it_in_one_line(tmp_path, capsys):
    from kamlib.cli import main

    (tmp_path / "transactions.csv").write_text("account_id,date,revenue\nA,2024-01-05,1\n")
    path = write(tmp_path, THREE + rows(("Extra", 5, 5, 5, 5, "X")))
    assert main(["validate", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "several segments for [(5, 5)]" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
