"""Bad input is refused, not guessed (issue 13): one line naming the file and the
problem, exit status 1, nothing written."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from somnomotor.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from _edfbuild import build_edf  # noqa: E402

EVENTS_NEED = "an events CSV needs the columns onset, duration, kind"


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> Path:
    import somnomotor.simulate as simulate

    path = tmp_path_factory.mktemp("night") / "night.edf"
    simulate.write_night(simulate.simulate_night("polio_mixed", hours=0.1, seed=1), path)
    return path


def _one_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_a_hypnogram_with_a_row_that_is_not_a_stage_is_refused(night, tmp_path, capsys):
    """Was accepted with two warnings, replaced the recording's stages, and gave TST 0.00 h."""
    hyp = tmp_path / "garbage.csv"
    hyp.write_text("1,W\n2,banana\nfoo,bar,baz\n")
    out = tmp_path / "out"
    assert main(["analyze", str(night), "--hypnogram", str(hyp), "--out", str(out)]) == 1
    line = _one_line(capsys)
    assert f"{hyp}: line 2: 'banana' is not a sleep stage" in line
    assert not out.exists()


def test_one_bad_row_among_good_stages_is_refused_too(night, tmp_path, capsys):
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("W\nN1\nN2\nN2\nN5\nN2\n")
    assert main(["analyze", str(night), "--hypnogram", str(hyp),
                 "--out", str(tmp_path / "out")]) == 1
    assert f"{hyp}: line 5: 'N5' is not a sleep stage" in _one_line(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", ["a,b,c\n1,2,3\n", "onset,kind\n10,arousal\n",
                                     "onset;duration\n10;3\n"])
@pytest.mark.parametrize("command", ["analyze", "score-events", "score-events-lms", "evaluate"])
def test_an_events_csv_without_its_columns_says_so_in_every_command(night, tmp_path, capsys,
                                                                    content, command):
    bad = tmp_path / "events.csv"
    bad.write_text(content)
    out = tmp_path / "out"
    truth = night.with_suffix(".truth.csv")
    argv = {"analyze": ["analyze", str(night), "--events", str(bad), "--out", str(out)],
            "score-events": ["score-events", str(truth), "--events", str(bad),
                             "--duration", "360", "--out", str(out)],
            "score-events-lms": ["score-events", str(bad), "--duration", "360",
                                 "--out", str(out)],
            "evaluate": ["evaluate", "--truth", str(truth), "--events", str(bad),
                         "--out", str(out / "e.json")]}[command]
    assert main(argv) == 1
    line = _one_line(capsys)
    assert f"{bad}: {EVENTS_NEED} (found: " in line
    assert not out.exists()


def test_an_annotation_only_edf_given_as_the_recording_points_to_hypnogram(tmp_path, capsys):
    hyp = build_edf(tmp_path / "stages.edf", [], n_records=4, record_duration=30, plus="C",
                    annotations=[(0, 30, "Sleep stage W"), (30, 30, "Sleep stage 1")])
    before = hyp.read_bytes()
    out = tmp_path / "out"
    assert main(["analyze", str(hyp), "--out", str(out)]) == 1
    assert _one_line(capsys) == (f"somnomotor: {hyp}: no signals here — is this a hypnogram? "
                                 "use --hypnogram")
    assert not out.exists() and hyp.read_bytes() == before


def _plain_edf(path: Path, minutes: float) -> Path:
    """Two leg EMG channels of noise, no annotations: no stages anywhere."""
    import numpy as np
    from _edfbuild import Sig

    rng = np.random.default_rng(0)
    n = int(minutes * 60)
    sigs = [Sig(label, rng.integers(-200, 200, n * 256), 256) for label in ("LAT", "RAT")]
    return build_edf(path, sigs)


def test_without_stages_the_terminal_says_tst_is_unknown_not_zero(tmp_path, capsys):
    """Issue 13: runs without stages printed 'TST 0.00 h'."""
    rec = _plain_edf(tmp_path / "plain.edf", 40)
    assert main(["analyze", str(rec), "--no-staging", "--no-report",
                 "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "TST unknown (no sleep stages)" in out and "TST 0.00" not in out
    assert re.search(r"PLMS index \d+\.\d/h of recording", out)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["tst_h"] is None and summary["indices_interpretable"] is True


def test_indices_over_too_little_time_are_marked_not_interpretable(tmp_path, capsys):
    """Issue 13: 1 min of sleep gave 'PLMS index 120.0/h' with no word of doubt."""
    rec = _plain_edf(tmp_path / "plain.edf", 10)
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("\n".join(["W"] * 18 + ["N2"] * 2) + "\n")  # 1 min of sleep in 10
    assert main(["analyze", str(rec), "--hypnogram", str(hyp), "--no-report",
                 "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert ("somnomotor: warning: only 1 min of sleep (fewer than 30 min): the indices per hour "
            "of sleep are not interpretable") in captured.err
    assert "indices not interpretable (under 30 min of sleep)" in captured.out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["indices_interpretable"] is False
    assert summary["min_sleep_for_indices_min"] == 30.0
    assert summary["tst_min"] == 1.0


def test_header_bytes_in_messages_are_text_not_python_byte_strings(tmp_path, capsys):
    """Issue 13: messages showed Python byte strings (b'\\x89PNG…')."""
    import numpy as np
    from _edfbuild import Sig

    png = tmp_path / "picture.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    assert main(["info", str(png)]) == 1
    line = _one_line(capsys)
    assert "the version field is '\\x89PNG\\r\\n\\x1a\\n'" in line and "b'" not in line
    bad = build_edf(tmp_path / "bad.edf", [Sig("LAT", np.zeros(256, int), 256)],
                    main_overrides={"n_records": b"1\xe9"})
    assert main(["info", str(bad)]) == 1
    line = _one_line(capsys)
    assert "non-ASCII bytes ('1\\xe9      ')" in line and "b'" not in line


def test_score_events_marks_indices_over_too_little_sleep_too(tmp_path, capsys):
    lms = tmp_path / "lms.csv"
    lms.write_text("onset,duration,side\n" + "".join(f"{30 + 20 * i},1,left\n" for i in range(6)))
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("\n".join(["W"] * 2 + ["N2"] * 10 + ["W"] * 8) + "\n")  # 5 min of sleep
    out = tmp_path / "out"
    assert main(["score-events", str(lms), "--hypnogram", str(hyp), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "only 5 min of sleep (fewer than 30 min)" in captured.err
    assert "— not interpretable (under 30 min)" in captured.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["indices_interpretable"] is False and summary["plms_index"] > 0
