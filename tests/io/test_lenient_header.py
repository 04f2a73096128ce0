"""Headers as vendors write them: non-ASCII text decoded with one warning, damage refused,
and coarse leg channels flagged against the WASM rules they feed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from somnomotor.cli import main
from somnomotor.errors import RecordingError
from somnomotor.io import read_recording
from somnomotor.resolution import resolution_findings

from ._edfbuild import Sig, build_edf, ramp

DATA = Path(__file__).parent.parent / "data" / "io"
#: A small synthetic EDF+C laid out like a Nox A1 recording: '°' (UTF-8) in a unit,
#: 'é' (Latin-1) in a label and the patient field, legs in volts at 31.25 µV per step.
NOX_LIKE = DATA / "nox_like_header.edf"


def test_degree_sign_and_e_acute_are_decoded_with_one_warning() -> None:
    rec = read_recording(NOX_LIKE)
    assert "PosAngle" in rec.labels and rec.channel("PosAngle").unit == "°"
    assert "Jambe droite Imp" in rec.labels[4]  # Latin-1 byte 0xE9 decoded, not refused
    notes = [w for w in rec.warnings if "non-ASCII" in w]
    assert len(notes) == 1
    assert "local patient identification [Latin-1]" in notes[0]
    assert "physical dimension of channel ('PosAngle': '°') [UTF-8]" in notes[0]
    assert rec.channel("PosAngle").resolution_uv != rec.channel("PosAngle").resolution_uv  # nan
    # numbers unaffected: the leg reads back in µV
    assert rec.read("Left Leg").max() == pytest.approx(300 * 2.047999 / 65534 * 1e6, rel=1e-4)


def test_leg_resolution_is_measured_from_the_header() -> None:
    rec = read_recording(NOX_LIKE)
    assert rec.channel("Left Leg").resolution_uv == pytest.approx(2.047999e6 / 65534, rel=1e-6)
    assert rec.channel("Chin1-Chin2").resolution_uv == pytest.approx(0.1, rel=1e-3)


def test_coarse_leg_channels_are_flagged_against_the_8_uv_onset_rule() -> None:
    """WASM 2016 (domain.md): LM onset 8 µV, offset 2 µV above resting; a 31-µV step cannot
    resolve either.  The 0.1-µV chin is not flagged."""
    found = resolution_findings(read_recording(NOX_LIKE))
    flagged = {r["channel"]: r for r in found.rows}
    assert set(flagged) == {"Left Leg", "Right Leg"}
    assert flagged["Left Leg"]["rule_uv"] == 8.0 and "onset" in flagged["Left Leg"]["rule"]
    assert found.summary["coarse_channels"] == "Left Leg, Right Leg"
    assert found.summary["resolution_uv"]["Chin1-Chin2"] == pytest.approx(0.1, rel=1e-3)
    assert any("31.3 µV per digital step" in w and "8-µV" in w for w in found.warnings)


def test_a_leg_between_the_two_rules_fails_only_the_offset_rule(tmp_path: Path) -> None:
    # 4 µV per step: finer than the 8-µV onset, coarser than the 2-µV offset.
    sig = Sig("LAT", ramp(200), 100, pmin=-32768 * 4, pmax=32767 * 4)
    found = resolution_findings(read_recording(build_edf(tmp_path / "a.edf", [sig])))
    assert [(r["channel"], r["rule_uv"]) for r in found.rows] == [("LAT", 2.0)]
    fine = Sig("LAT", ramp(200), 100, pmin=-3276.8, pmax=3276.7)
    assert not resolution_findings(read_recording(build_edf(tmp_path / "b.edf", [fine]))).rows


def test_non_ascii_in_a_number_is_still_refused(tmp_path: Path) -> None:
    bad = build_edf(tmp_path / "bad.edf", [Sig("LAT", ramp(100), 100,
                                                overrides={"dmax": "3276\xb2"})])
    with pytest.raises(RecordingError, match="'digital maximum' signal 1 holds non-ASCII"):
        read_recording(bad)


def test_info_and_analyze_read_the_nox_like_header(tmp_path: Path, capsys) -> None:
    """Acceptance: info and analyze open it, one warning about the header bytes, and the
    coarse legs land in the warnings, the summary's signal_quality and the quality table."""
    src = tmp_path / "nox.edf"
    shutil.copy(NOX_LIKE, src)
    before = src.read_bytes()
    assert main(["info", str(src)]) == 0
    out = capsys.readouterr().out
    assert out.count("non-ASCII") == 1 and "PosAngle" in out
    assert out.count("coarser than the 8-µV LM onset rule") == 2
    out_dir = tmp_path / "out"
    assert main(["analyze", str(src), "--no-staging", "--no-report", "--out", str(out_dir)]) == 0
    err = capsys.readouterr().err
    assert err.count("non-ASCII") == 1
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["signal_quality"]["coarse_channels"] == "Left Leg, Right Leg"
    assert sum("coarser than the 8-µV LM onset rule" in w for w in summary["warnings"]) == 2
    assert src.read_bytes() == before  # the input is never written


def test_real_nox_recording_opens(real_data: Path) -> None:
    rec = read_recording(real_data / "rsleep-nox" / "subject1.edf")
    assert sum("non-ASCII" in w for w in rec.warnings) == 1
    legs = [c for c in rec.channels if c.label in ("Left Leg", "Right Leg")]
    assert all(c.resolution_uv == pytest.approx(31.25, rel=1e-3) for c in legs)
    assert np.isfinite(rec.read("Left Leg")).all()


def test_the_quality_table_notes_the_coarse_legs() -> None:
    import somnomotor

    result = somnomotor.analyze(somnomotor.read(NOX_LIKE), staging="none")
    q = result.quality
    names = q["label"].where(q["label"].notna(), q["channel"]).astype(str)
    legs = q[names.isin(["Left Leg", "Right Leg"])]
    assert len(legs) and legs["notes"].str.contains("coarser than the 8-µV LM onset rule").all()
    assert legs["resolution_uv"].round(2).eq(31.25).all()
    chin = q[names == "Chin1-Chin2"]
    assert not chin["notes"].astype(str).str.contains("coarser").any()
