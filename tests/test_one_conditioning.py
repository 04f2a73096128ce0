"""One read, one conditioning (issue 11): every EMG channel is conditioned once per analysis,
the leg and burst detectors see the same conditioned signal, score/ reads nothing, and the
moved parameter keys still work."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import somnomotor.detect.bursts as bursts_mod
import somnomotor.detect.legs as legs_mod
import somnomotor.signal.condition as cond_mod
from somnomotor.errors import ParameterError
from somnomotor.pipeline import AnalysisParams, analyze, detect_channels
from somnomotor.recording import Recording
from somnomotor.simulate import simulate_night

SRC = Path(cond_mod.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def night():
    return simulate_night("polio_mixed", hours=0.25, seed=3, fs=512.0)


def test_each_channel_conditioned_once_and_both_detectors_get_the_same_array(night, monkeypatch):
    calls: list[int] = []
    seen_legs: dict[str, object] = {}
    seen_bursts: dict[str, object] = {}
    real_condition = cond_mod.condition_emg
    real_leg = legs_mod.detect_leg_channel
    real_bursts = bursts_mod.channel_bursts

    def counting_condition(x, fs, **kw):
        calls.append(len(x))
        return real_condition(x, fs, **kw)

    def spy_leg(info, cond, *a, **kw):
        seen_legs[info.label] = cond  # kept alive: its identity cannot be reused
        return real_leg(info, cond, *a, **kw)

    def spy_bursts(info, cond, *a, **kw):
        seen_bursts[info.label] = cond
        return real_bursts(info, cond, *a, **kw)

    monkeypatch.setattr(cond_mod, "condition_emg", counting_condition)
    monkeypatch.setattr(legs_mod, "detect_leg_channel", spy_leg)
    monkeypatch.setattr(bursts_mod, "channel_bursts", spy_bursts)
    rec = night.recording
    result = analyze(rec, hypnogram=night.hypnogram, staging="none")
    emg = [c.label for c in rec.emg_channels()]
    # Conditioned exactly once per EMG channel, in one analysis.
    assert len(calls) == len(emg)
    assert calls == [int(rec.duration * 512)] * len(emg)
    # The leg detector and the burst detector received the identical conditioned array.
    legs = [c.label for c in rec.channels if c.muscle == "tibialis_anterior"]
    assert set(seen_legs) == set(legs) and legs
    for label in legs:
        assert seen_legs[label] is seen_bursts[label]  # one ConditionedEMG, one array
    assert set(seen_bursts) == set(emg)
    assert result.summary["lm_count"] > 0


def _count_whole_reads(rec, monkeypatch) -> dict[str, int]:
    """Count, per channel, the reads of a whole channel from ``rec`` (filled as they happen)."""
    whole_reads: dict[str, int] = {}
    real_read = type(rec).read

    def counting_read(self, label, start=0.0, stop=None):
        if start == 0.0 and stop is None:
            whole_reads[label] = whole_reads.get(label, 0) + 1
        return real_read(self, label, start, stop)

    monkeypatch.setattr(type(rec), "read", counting_read)
    return whole_reads


def test_each_channel_read_once(night, monkeypatch):
    rec = night.recording
    whole_reads = _count_whole_reads(rec, monkeypatch)
    analyze(rec, hypnogram=night.hypnogram, staging="none")
    for c in rec.emg_channels():
        assert whole_reads.get(c.label) == 1, c.label


def test_without_ecg_the_trunk_channel_with_the_beats_is_read_once_too(monkeypatch):
    night = simulate_night("polio_mixed", hours=0.25, seed=3, fs=512.0,
                           settings={"channels": "LAT,RAT,Chin1-Chin2,Intercostal R,Deltoid L"})
    rec = night.recording
    assert not rec.channels_of_kind("ecg")
    whole_reads = _count_whole_reads(rec, monkeypatch)
    result = analyze(rec, hypnogram=night.hypnogram, staging="none")
    assert result.summary["provenance"]["conditioning"]["r_peaks_source"] == "self:Intercostal R"
    for c in rec.emg_channels():
        assert whole_reads.get(c.label) == 1, c.label


def test_preread_channels_are_used_as_read(night):
    rec = night.recording
    chans = [rec.channel("Intercostal R"), rec.channel("LAT"), rec.channel("Chin1-Chin2")]
    plain = cond_mod.condition_recording(rec, chans, threads=2, mains=50.0)
    pre = {"LAT": rec.read("LAT")}
    again = cond_mod.condition_recording(rec, chans, threads=2, mains=50.0, preread=pre)
    assert pre == {}  # taken out as used
    assert [c.fs for c in again] == [c.fs for c in plain]
    for a, b in zip(plain, again, strict=True):
        np.testing.assert_array_equal(a.filtered, b.filtered)


def _calls_in(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"import:{node.module}" for _ in [0])
    return names


def test_score_reads_no_file_and_conditions_no_signal():
    forbidden = {"open", "read_csv", "read_scorings", "read_recording", "condition_emg",
                 "filter_zero_phase", "bandpass", "sosfiltfilt", "sosfilt", "remove_ecg"}
    for path in sorted((SRC / "score").glob("*.py")):
        calls = _calls_in(path)
        assert not (calls & forbidden), (path.name, calls & forbidden)
        text = path.read_text(encoding="utf-8")
        assert ".read(" not in text, path.name
        for mod in ("..io", "..signal.filters", "..signal.ecg", "..signal.condition"):
            assert f"from {mod} import" not in text, (path.name, mod)


def test_moved_keys_still_accepted_and_land_in_one_place():
    p = AnalysisParams.from_mapping({
        "leg_detection": {"band_low_hz": 12.0, "same_leg_gap_s": 0.4, "onset_threshold_uv": 9.0},
        "muscles": {"notch_mains": False, "ecg_min_artefact_uv": 2.0, "ecg_removal": "auto"},
    })
    assert p["conditioning"].band_low_hz == 12.0
    assert p["leg_detection"].band_low_hz == 12.0  # the leg detector's inherited constants
    assert p["conditioning"].mains == "none"
    assert p["conditioning"].ecg_min_artefact_uv == 2.0
    assert p["conditioning"].ecg_removal is True
    assert p["legs"].same_leg_gap_s == 0.4
    assert p["leg_detection"].onset_threshold_uv == 9.0
    d = p.to_dict()
    assert d["conditioning"]["band_low_hz"] == 12.0 and "same_leg_gap_s" not in d["leg_detection"]
    never = AnalysisParams.from_mapping({"muscles": {"ecg_removal": "never"}})
    assert never["conditioning"].ecg_removal is False


def test_a_moved_key_given_twice_differently_is_refused():
    with pytest.raises(ParameterError, match="band_high_hz"):
        AnalysisParams.from_mapping({"conditioning": {"band_high_hz": 90.0},
                                     "muscles": {"band_high_hz": 100.0}})


def test_same_leg_gap_reaches_the_detector():
    """[legs] same_leg_gap_s is the detector's merging gap too (one source, WASM 2016)."""
    from somnomotor.recording import Recording

    sys.path.insert(0, str(Path(__file__).resolve().parent / "detect"))
    from test_legs_builders import leg_signal

    # Pairs of 0.6-s bursts 0.8 s apart (offset to onset), every 30 s.
    bursts = [(t + d, 0.6, 30.0) for t in range(30, 570, 30) for d in (0.0, 1.4)]
    rec = Recording.from_arrays({"LAT": leg_signal(600, 256.0, bursts)}, 256.0)
    a = analyze(rec, staging="none")
    b = analyze(rec, staging="none",
                params=AnalysisParams.from_mapping({"legs": {"same_leg_gap_s": 1.0}}))
    assert a.details["legs"]["lm_input_count"] == len(bursts)
    assert b.details["legs"]["lm_input_count"] == len(bursts) // 2


def test_conditioned_trace_is_the_detectors_signal(night):
    """A window drawn by conditioned_trace matches the whole-night conditioning inside it."""
    rec = night.recording
    label = "LAT"
    full = cond_mod.condition_emg(rec.read(label), 512.0, mains=50.0)
    trace = cond_mod.conditioned_trace(rec, label, 300.0, 330.0, mains=50.0)
    y, fs = trace.signal, trace.fs
    assert trace.t0 == pytest.approx(300.0)
    assert fs == full.fs == 256.0
    ref = full.filtered[int(300 * fs):int(330 * fs)]
    assert y.shape == ref.shape
    assert np.corrcoef(y, ref)[0, 1] > 0.999
    assert float(np.max(np.abs(y - ref))) < 0.05 * float(np.max(np.abs(ref)))


def test_conditioned_trace_outside_the_recording_is_one_clear_error(night):
    """A window past the end (or reversed) names the recording and the window, not a reshape."""
    from somnomotor.errors import InputError

    rec = night.recording
    with pytest.raises(InputError, match=r"window .* is not inside the recording"):
        cond_mod.conditioned_trace(rec, "LAT", rec.duration + 10.0, rec.duration + 40.0,
                                   mains=50.0)
    with pytest.raises(InputError, match="not inside"):
        cond_mod.conditioned_trace(rec, "LAT", 40.0, 10.0, mains=50.0)
    tail = cond_mod.conditioned_trace(rec, "LAT", rec.duration - 5.0, rec.duration + 20.0,
                                      mains=50.0)
    assert tail.signal.size == pytest.approx(5.0 * tail.fs, abs=2)


def _tables_equal(a, b) -> None:
    pd.testing.assert_frame_equal(a.legs, b.legs)
    pd.testing.assert_frame_equal(a.leg_quality, b.leg_quality)
    assert a.notes == b.notes and a.r_peaks_source == b.r_peaks_source
    assert [m.info.label for m in a.muscles] == [m.info.label for m in b.muscles]
    for x, y in zip(a.muscles, b.muscles, strict=True):
        pd.testing.assert_frame_equal(x.bursts, y.bursts)
        pd.testing.assert_frame_equal(x.contractions, y.contractions)
        assert x.quality == y.quality


def test_beats_found_meanwhile_give_the_tables_of_beats_given(night):
    """analyze hands the channels a function that waits for the ECG's beats, so they are
    read and filtered while the beats are found (issue 11): the same tables."""
    from somnomotor.signal.condition import ecg_r_peaks

    rec = night.recording
    params = AnalysisParams.defaults()
    peaks, _ = ecg_r_peaks(rec)
    assert peaks is not None and len(peaks) > 100
    waited: list[bool] = []

    def later():
        waited.append(True)
        return peaks

    _tables_equal(detect_channels(rec, params, later), detect_channels(rec, params, peaks))
    assert len(waited) >= len(rec.emg_channels())  # asked once filtered, per channel


def test_an_ecg_without_beats_found_meanwhile_falls_back_to_the_trunk():
    """Fewer than 3 beats in the ECG, known only once the channels are under way: the work
    is done again with the trunk channel's beats, as when the beats are passed."""
    night = simulate_night("polio_mixed", hours=0.25, seed=3, fs=512.0,
                           settings={"channels": "LAT,RAT,Intercostal R,ECG II"})
    rec0 = night.recording
    signals = {c.label: rec0.read(c.label) for c in rec0.channels if c.kind != "annotation"}
    signals["ECG II"] = np.zeros_like(signals["ECG II"])  # present, no beats in it
    rec = Recording.from_arrays(signals, 512.0)
    params = AnalysisParams.defaults()
    got = detect_channels(rec, params, lambda: np.zeros(0))
    assert got.r_peaks_source == "self:Intercostal R"
    assert any("too few R peaks in the ECG channel 'ECG II' (0)" in n for n in got.notes)
    _tables_equal(got, detect_channels(rec, params, np.zeros(0)))


def test_one_group_of_raw_channels_at_most_is_held_while_conditioning(tmp_path, monkeypatch):
    """The next channels are read once the group before has let its raw signals go (brought
    to the analysis rate), so a night's raw channels are never all in memory (issue 11:
    memory bounded by channel, not by night × channels)."""
    import weakref

    import somnomotor
    from somnomotor.simulate.writer import write_night

    night = simulate_night("polio_mixed", hours=0.1, seed=5, fs=512.0)
    write_night(night, tmp_path / "night.edf")
    rec = somnomotor.read(tmp_path / "night.edf")
    chans = [c for c in rec.emg_channels() if c.fs > 0]
    assert len(chans) >= 6
    alive: list[weakref.ref] = []
    held_at_read: list[int] = []
    real = type(rec).read_many

    def counting_read_many(self, labels):
        held_at_read.append(sum(r() is not None for r in alive))
        got = real(self, labels)
        alive.extend(weakref.ref(x) for x in got)
        return got

    monkeypatch.setattr(type(rec), "read_many", counting_read_many)
    done = cond_mod.condition_recording(rec, chans, threads=2, mains=50.0,
                                        then=lambda info, c: c.fs)
    assert done == [256.0] * len(chans)
    assert len(held_at_read) == -(-len(chans) // 2)  # a group of two per pass over the file
    # No raw signal of an earlier group is alive when the next group is read: the group
    # before has brought its channels to the analysis rate (reading on as soon as the
    # group two before is done held up to 2 more).
    assert held_at_read == [0] * len(held_at_read), held_at_read


def test_the_room_s_line_found_meanwhile_is_the_line_given(night):
    """condition_recording looks for the room's mains line while the first channels are
    read and filtered (each waits for it once band-passed): the same conditioning."""
    rec = night.recording
    chans = [rec.channel("Intercostal R"), rec.channel("LAT"), rec.channel("Chin1-Chin2")]
    line = cond_mod.room_mains(rec, chans)
    assert line == 50.0
    given = cond_mod.condition_recording(rec, chans, threads=2, mains=line)
    meanwhile = cond_mod.condition_recording(rec, chans, threads=2)  # "room": found meanwhile
    asked: list[bool] = []
    later = cond_mod.room_mains_meanwhile(rec, chans)

    def waited():
        asked.append(True)
        return later()

    lazy = cond_mod.condition_recording(rec, chans, threads=2, mains=waited)
    assert len(asked) == len(chans)
    for a, b, c in zip(given, meanwhile, lazy, strict=True):
        assert a.mains_hz == b.mains_hz == c.mains_hz == 50.0
        np.testing.assert_array_equal(a.filtered, b.filtered)
        np.testing.assert_array_equal(a.filtered, c.filtered)


def test_a_leg_channel_s_residual_ecg_is_the_same_for_both_detectors(night):
    """One conditioning: the signal-quality table gives a leg channel's beat-locked ECG
    residual in the leg detector's row as in the burst detector's (the report drew "—"
    for the one beside 0.60 for the other)."""
    result = analyze(night.recording, hypnogram=night.hypnogram, staging="none")
    q = result.quality
    legs = q[q["label"].notna() & (q["label"].astype(str) != "")].set_index("label")
    bursts = q[q["channel"].notna() & (q["channel"].astype(str) != "")].set_index("channel")
    assert len(legs) == 2
    for label in legs.index:
        leg, burst = float(legs.at[label, "residual_ecg"]), float(bursts.at[label, "residual_ecg"])
        assert np.isfinite(leg) and leg == burst, label
