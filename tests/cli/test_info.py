"""`somnomotor info REC`: header, gaps, channel table; one-line errors, exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from somnomotor.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from _edfbuild import Sig, build_edf, ramp  # noqa: E402

sys.path.pop(0)


def _night(tmp_path: Path) -> Path:
    sigs = [Sig("LAT", ramp(4 * 256), 256), Sig("Chin1-Chin2", ramp(4 * 256), 256),
            Sig("C4-M1", ramp(4 * 128), 128), Sig("Abd", ramp(4 * 32), 32, unit="")]
    return build_edf(tmp_path / "night.edf", sigs, plus="D", record_onsets=[0, 1, 3, 4])


def test_info_prints_header_gaps_and_channel_table(tmp_path: Path, capsys) -> None:
    path = _night(tmp_path)
    assert main(["info", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "type         EDF+D" in out
    assert "start        2020-12-24 22:30:00" in out
    assert "duration     0:00:05 (5 s)" in out
    assert "gaps         1 (1 s without data): 2–3 s" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert rows["LAT"] == ["LAT", "emg", "tibialis_anterior", "left", "256", "uV"]
    assert rows["Chin1-Chin2"] == ["Chin1-Chin2", "emg", "mentalis", "midline", "256", "uV"]
    assert rows["C4-M1"][1:5] == ["eeg", "-", "-", "128"]
    assert rows["Abd"][1] == "resp" and "(?)" in rows["Abd"]
    assert "channel 'Abd' has no unit" in out


def test_info_applies_a_montage(tmp_path: Path, capsys) -> None:
    path = _night(tmp_path)
    toml = tmp_path / "m.toml"
    toml.write_text('[Abd]\nkind = "emg"\nmuscle = "rectus_abdominis"\nside = "midline"\n')
    assert main(["info", str(path), "--montage", str(toml)]) == 0
    rows = {ln.split()[0]: ln.split() for ln in capsys.readouterr().out.splitlines() if ln}
    assert rows["Abd"][1:4] == ["emg", "rectus_abdominis", "midline"]


@pytest.mark.parametrize("what", ["broken", "missing", "bad montage"])
def test_info_errors_are_one_stderr_line_and_exit_1(tmp_path: Path, capsys, what: str) -> None:
    path = _night(tmp_path)
    args = ["info", str(path)]
    if what == "broken":
        path.write_bytes(path.read_bytes()[:-7])
    elif what == "missing":
        args = ["info", str(tmp_path / "nope.edf")]
    else:
        (tmp_path / "m.toml").write_text('[RAT]\nkind = "emg"\n')
        args += ["--montage", str(tmp_path / "m.toml")]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("somnomotor: ")
    assert "Traceback" not in err


def test_info_help_and_bad_usage(capsys) -> None:
    with pytest.raises(SystemExit) as ok:
        main(["info", "--help"])
    assert ok.value.code == 0 and "--montage" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        main(["info"])
    assert bad.value.code == 2


@pytest.mark.realdata
def test_info_on_every_real_file(real_data: Path, capsys) -> None:
    """Every readable real file: exit 0; every broken one: one line, exit 1."""
    # SC4001EC-Hypnogram.edf holds annotations only: refused as a recording, in one line.
    broken = {"zero-data-records.edf", "invalid-date.edf", "test_1ch.gdf",
              "SC4001EC-Hypnogram.edf"}
    files = sorted(p for p in real_data.glob("*/*") if p.suffix.lower() in (".edf", ".bdf",
                                                                             ".gdf"))
    assert len(files) == 26  # with the Nox recording (non-ASCII header fields)
    for f in files:
        code = main(["info", str(f)])
        out, err = capsys.readouterr()
        if f.name in broken:
            assert code == 1 and err.count("\n") == 1 and str(f) in err, f
        else:
            assert code == 0 and err == "" and "type " in out, f
            lines = out.splitlines()
            n = int(next(ln for ln in lines if ln.startswith("channels")).split()[1])
            if n:  # the table lists every channel, one row each
                head = next(i for i, ln in enumerate(lines) if ln.startswith("channel "))
                table = lines[head + 1:]
                table = table[:table.index("")] if "" in table else table
                assert len(table) == n, f
