"""score_muscles end to end: schema, promised summary keys, quality, ECG handling, parameters,
and agreement with the simulator's ground truth on short nights."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from somnomotor.errors import ParameterError
from somnomotor.evaluate import evaluate
from somnomotor.events import EVENT_COLUMNS
from somnomotor.hypnogram import Hypnogram
from somnomotor.montage import MUSCLE_REGION
from somnomotor.params import from_mapping
from somnomotor.pipeline import score_recording_muscles as score_muscles
from somnomotor.recording import Recording
from somnomotor.score.muscles import SUMMARY_KEYS, MuscleParams
from somnomotor.signal.ecg import detect_r_peaks

FS = 256.0


def _jerk(m: int, amp: float, rng: np.random.Generator) -> np.ndarray:
    sos = signal.butter(4, [30, 120], btype="bandpass", fs=FS, output="sos")
    z = signal.sosfilt(sos, rng.standard_normal(m + 256))[256:]
    return z / np.std(z) * amp / 2.5 * signal.windows.tukey(m, 0.3)


def _recording(labels, duration=600.0, jerks_per_channel=20, seed=0, ecg_uv=0.0,
               with_ecg=False) -> tuple[Recording, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    n = int(duration * FS)
    beats = np.arange(0.7, duration - 0.7, 0.92)
    qrs = np.zeros(n)
    w = np.arange(int(-0.1 * FS), int(0.1 * FS))
    for b in beats:  # builder only
        i = int(b * FS)
        qrs[i + w] += np.exp(-0.5 * (w / FS / 0.012) ** 2)
    signals, truth = {}, {}
    for lab in labels:
        x = 2.5 * rng.standard_normal(n) + ecg_uv * qrs
        on = np.sort(rng.uniform(5, duration - 5, jerks_per_channel))
        on = on[np.concatenate([[True], np.diff(on) > 1.0])]
        for o in on:
            m = int(0.12 * FS)
            x[int(o * FS):int(o * FS) + m] += _jerk(m, 60.0, rng)
        signals[lab] = x.astype(np.float32)
        truth[lab] = on
    if with_ecg:
        signals["ECG II"] = (1000.0 * qrs + 10 * rng.standard_normal(n)).astype(np.float32)
    return Recording.from_arrays(signals, FS), truth


HYP = Hypnogram.from_labels(["W"] * 2 + ["N1"] * 2 + ["N2"] * 10 + ["R"] * 6)


def test_summary_has_every_promised_key_and_is_json_valid():
    rec, _ = _recording(["EMG MFD-l", "Intercostal R", "Chin1-Chin2", "LAT"])
    res = score_muscles(rec, HYP)
    for key in SUMMARY_KEYS:
        assert key in res.summary
    json.dumps(res.summary, allow_nan=False)
    assert list(res.events.columns) == list(EVENT_COLUMNS)
    assert set(res.summary["myoclonus_index_by_muscle"]) == {"fds", "intercostal",
                                                             "tibialis_anterior"}
    assert {"resting_level_uv", "mains_hz", "residual_ecg", "flagged_s", "excluded_s",
            "notes"} <= set(res.quality.columns)
    assert len(res.quality) == 4


def test_every_jerk_becomes_a_myoclonus_row_with_muscle_side_and_stage():
    rec, truth = _recording(["EMG MFD-l", "Deltoid L"], seed=1)
    res = score_muscles(rec, HYP)
    myo = res.events[res.events["kind"] == "myoclonus"]
    for lab, on in truth.items():
        found = myo.loc[myo["channel"] == lab, "onset"].to_numpy()
        d = np.abs(found[:, None] - on[None, :])
        assert (d.min(axis=0) < 0.05).all() and (d.min(axis=1) < 0.05).all()
    assert set(myo["side"]) == {"left"} and set(myo["muscle"]) == {"fds", "deltoid"}
    np.testing.assert_array_equal(myo["stage"], HYP.stage_at(myo["onset"].to_numpy()))
    tst_h = 18 * 30 / 3600
    in_sleep = myo["stage"].isin(["N1", "N2", "N3", "R"]).sum()
    assert res.summary["myoclonus_index"] == pytest.approx(in_sleep / tst_h)


def test_without_chin_rem_figures_are_null_with_a_note():
    rec, _ = _recording(["EMG MFD-l"])
    res = score_muscles(rec, HYP)
    assert res.summary["rem_atonia_index"] is None and res.summary["sinbar_any_percent"] is None
    assert "no chin" in res.details["rem"]["note"]


def test_without_any_emg_every_key_is_present():
    rec = Recording.from_arrays({"C4-M1": np.zeros(int(60 * FS), np.float32)}, FS)
    res = score_muscles(rec, Hypnogram.from_labels(["N2", "N2"]))
    assert all(k in res.summary for k in SUMMARY_KEYS) and len(res.events) == 0
    assert res.summary["myoclonus_index"] == 0.0


def test_unstaged_night_uses_recording_hours():
    rec, _ = _recording(["EMG MFD-l"], duration=360.0, seed=2)
    res = score_muscles(rec, None)
    n = int((res.events["kind"] == "myoclonus").sum())
    assert res.summary["myoclonus_index"] == pytest.approx(n / 0.1)


def test_gap_is_excluded_and_reported():
    rec, _ = _recording(["EMG MFD-l"], seed=3)
    x = rec.read("EMG MFD-l").copy()
    x[int(100 * FS):int(160 * FS)] = np.nan
    rec2 = Recording.from_arrays({"EMG MFD-l": x}, FS)
    res = score_muscles(rec2, HYP)
    assert res.quality["excluded_s"].iloc[0] == pytest.approx(60.0)
    on = res.events["onset"]
    assert not ((on > 100.2) & (on < 159.8)).any()


def test_trunk_ecg_removed_with_ecg_channel_and_note_without():
    """Issue 5: QRS ≈ 5× the jerks in a trunk channel; with the ECG channel the jerks are found."""
    rec, truth = _recording(["Intercostal R"], ecg_uv=300.0, with_ecg=True, seed=4)
    peaks = detect_r_peaks(rec.read("ECG II"), FS)
    res = score_muscles(rec, HYP, r_peaks=peaks)
    q = res.quality.iloc[0]
    assert q["ecg_source"] == "ecg-channel" and q["residual_ecg"] < 0.1 * q["ecg_artefact_uv"]
    found = res.events.loc[res.events["kind"] == "myoclonus", "onset"].to_numpy()
    on = truth["Intercostal R"]
    d = np.abs(found[:, None] - on[None, :])
    tp = (d.min(axis=0) < 0.05).sum()
    f1 = 2 * tp / (found.size + on.size)
    assert f1 >= 0.9
    # Without the ECG channel: the trunk channel's own beats are used, and the notes say so.
    res2 = score_muscles(rec, HYP, r_peaks=None)
    assert res2.quality["ecg_source"].iloc[0] == "self:Intercostal R"
    assert "no ECG channel" in res2.quality["notes"].iloc[0]
    assert any("no ECG channel" in n for n in res2.details["notes"])
    found2 = res2.events.loc[res2.events["kind"] == "myoclonus", "onset"].to_numpy()
    d2 = np.abs(found2[:, None] - on[None, :])
    assert 2 * (d2.min(axis=0) < 0.05).sum() / (found2.size + on.size) >= 0.85


def test_no_ecg_channel_and_no_heartbeat_says_the_artefact_stays():
    rec, _ = _recording(["EMG MFD-l"], seed=5)
    res = score_muscles(rec, HYP, r_peaks=None)
    assert any("not removed" in n for n in res.details["notes"])
    assert res.quality["ecg_source"].iloc[0] == "none"


def test_muscle_params_nested_tables_and_unknown_keys():
    p = from_mapping(MuscleParams, {"bursts": {"onset_uv": 10}, "rem": {"tonic_fraction": 0.6}},
                     section="muscles")
    assert p.bursts.onset_uv == 10.0 and p.rem.tonic_fraction == 0.6
    with pytest.raises(ParameterError, match="muscles.bursts"):
        from_mapping(MuscleParams, {"bursts": {"no_such": 1}}, section="muscles")


# -- the simulator's ground truth -------------------------------------------------------

def _region_f1(truth: pd.DataFrame, events: pd.DataFrame) -> dict[str, float]:
    out = {}
    for region in sorted({MUSCLE_REGION[m] for m in truth.loc[truth.kind == "myoclonus", "muscle"]}):
        muscles = [m for m, r in MUSCLE_REGION.items() if r == region]
        t = truth[(truth.kind == "myoclonus") & truth.muscle.isin(muscles)]
        e = events[(events.kind == "myoclonus") & events.muscle.isin(muscles)]
        if len(t) >= 3:
            out[region] = evaluate(t, e, kinds=["myoclonus"])["kinds"]["myoclonus"]["f1"]
    return out


#: Make the short test nights hold the pattern for sure (the scenarios' rates are per night).
SETTINGS = {"polio_sleep_starts": {"propriospinal.prob": 1.0},
            "polio_grm": {"grm.episodes_per_h": 5.0}}


@pytest.fixture(scope="module")
def simulated():
    import somnomotor.simulate as sim
    cache = {}

    def run(scenario: str, hours: float, seed: int):
        key = (scenario, hours, seed)
        if key not in cache:
            night = sim.simulate_night(scenario, hours=hours, seed=seed, fs=FS,
                                       settings=SETTINGS.get(scenario))
            rec = night.recording
            peaks = detect_r_peaks(rec.read("ECG II"), FS)
            res = score_muscles(rec, night.hypnogram, scored_events=night.scored, r_peaks=peaks)
            cache[key] = (night, res)
        return cache[key]
    return run


@pytest.mark.parametrize("scenario,hours,seed", [("polio_grm", 1.5, 1),
                                                 ("polio_sleep_starts", 1.0, 4),
                                                 ("polio_mixed", 1.0, 2)])
def test_simulated_myoclonus_f1_per_region_at_least_0_9(simulated, scenario, hours, seed):
    night, res = simulated(scenario, hours, seed)
    f1 = _region_f1(night.truth, res.events)
    assert f1, "the night should hold jerks"
    assert all(v >= 0.9 for v in f1.values()), f1


@pytest.mark.parametrize("scenario,hours,seed,kinds", [
    ("polio_grm", 1.5, 1, ["grm"]),
    ("polio_sleep_starts", 1.0, 4, ["hypnic_jerk", "propriospinal_myoclonus"]),
    ("polio_mixed", 1.0, 2, ["morning_tonic"]),
])
def test_simulated_patterns_f1_at_least_0_85(simulated, scenario, hours, seed, kinds):
    night, res = simulated(scenario, hours, seed)
    ev = evaluate(night.truth, res.events, kinds=kinds)["kinds"]
    for k in kinds:
        assert ev[k]["n_truth"] > 0, f"{k}: the night should hold episodes"
        assert ev[k]["f1"] >= 0.85, (k, ev[k])


def test_simulated_healthy_night_no_grm_no_propriospinal_normal_rem_atonia(simulated):
    night, res = simulated("healthy", 2.0, 2)
    s = res.summary
    assert s["grm_episode_count"] == 0 and s["propriospinal_myoclonus_count"] == 0
    assert s["rem_epochs"] > 0 and s["rem_atonia_index"] > 0.9
    assert s["sinbar_any_percent"] <= 18.0 and not s["sinbar_any_abnormal"]


def test_simulated_rbd_night_loses_rem_atonia(simulated):
    night, res = simulated("rbd", 2.0, 2)
    s = res.summary
    assert s["rem_atonia_index"] < 0.8 and s["rem_atonia_class"] == "abnormal"
    assert s["sinbar_any_percent"] > 18.0 and s["sinbar_combined_percent"] > 32.0
    ev = evaluate(night.truth, res.events, kinds=["rem_tonic", "rem_phasic"])["kinds"]
    assert ev["rem_tonic"]["f1"] >= 0.85 and ev["rem_phasic"]["f1"] >= 0.85
