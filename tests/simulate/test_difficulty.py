"""Difficulty levels: boundary probes at every WASM 2016 limit, recording nuisances, and a
truth that is the rules applied to the inserted leg movements (issue 15; issue 13 item 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.cli import main
from somnomotor.errors import ParameterError
from somnomotor.simulate import resolve_settings, simulate_events, simulate_night
from somnomotor.simulate.model import INSERTED_COLUMNS, _leg_truth, run_model
from somnomotor.simulate.muscle_probes import MUSCLE_PROBE_CLASSES
from somnomotor.simulate.patterns import BOUNDARY_CLASSES
from somnomotor.simulate.scenarios import DIFFICULTY


@pytest.fixture(scope="module")
def hard_model():
    s = resolve_settings("polio_plms", difficulty="hard")
    return run_model("polio_plms", hours=8.0, seed=3, resolved=s)


def _window(df: pd.DataFrame, probe, pad: float = 0.05) -> pd.DataFrame:
    on = df["onset"].to_numpy()
    return df[(on >= probe.onset - pad) & (on <= probe.onset + probe.duration + pad)]


def test_easy_is_the_default_and_changes_nothing():
    assert resolve_settings("polio_plms") == resolve_settings("polio_plms", difficulty="easy")
    a = simulate_night("polio_plms", hours=0.2, seed=5, settings={"channels": "LAT,RAT"})
    b = simulate_night("polio_plms", hours=0.2, seed=5, settings={"channels": "LAT,RAT"},
                       difficulty="easy")
    assert np.array_equal(a.recording.read("LAT"), b.recording.read("LAT"))
    assert a.probes.empty and a.gaps == [] and a.dead == {}
    assert set(a.artifacts["kind"]) <= {"electrode_pop"}


def test_unknown_difficulty_and_bad_nuisance_settings_are_refused():
    with pytest.raises(ParameterError, match="difficulty"):
        resolve_settings("healthy", difficulty="brutal")
    with pytest.raises(ParameterError, match="dead_channels"):
        resolve_settings("healthy", {"artifacts.dead_channels": "C4-M1"})
    with pytest.raises(ParameterError, match="gaps.count"):
        resolve_settings("healthy", {"gaps.count": 1.5})


def test_presets_use_only_known_settings():
    for name, (_, overrides) in DIFFICULTY.items():
        s = resolve_settings("polio_mixed", difficulty=name)
        assert all(s[k] == (tuple(v) if isinstance(v, tuple) else v) for k, v in overrides.items())
        assert s["difficulty"] == name


def test_hard_night_probes_every_boundary_on_both_sides(hard_model):
    probes = hard_model.probes
    assert set(probes["boundary"]) == set(BOUNDARY_CLASSES) | set(MUSCLE_PROBE_CLASSES)
    probes = probes[probes["boundary"].isin(list(BOUNDARY_CLASSES))]
    ranges = {"same_leg_gap": (0.3, 0.7), "onset_amplitude": (6.0, 12.0),
              "min_duration": (0.4, 0.6), "max_duration": (9.5, 10.5), "imi_10s": (9.0, 11.0),
              "imi_90s": (88.0, 92.0), "bilateral_gap": (0.3, 0.7)}
    for cls, (lo, hi) in ranges.items():
        p = probes[probes["boundary"] == cls]
        assert p["value"].between(lo, hi).all(), cls
        assert p["inside"].any() and (~p["inside"]).any(), cls


def test_probes_insert_what_they_promise(hard_model):
    ins = hard_model.inserted
    assert list(ins.columns) == list(INSERTED_COLUMNS)
    probes = hard_model.probes
    probes = probes[probes["boundary"].isin(list(BOUNDARY_CLASSES))]
    assert probes["recorded"].mean() > 0.7
    for p in probes[probes["recorded"]].itertuples(index=False):
        mine = ins[ins["boundary"] == p.boundary]
        mine = _window(mine, p).sort_values("onset")
        if p.boundary in ("same_leg_gap", "bilateral_gap"):
            assert len(mine) == 2
            gap = mine["onset"].iloc[1] - (mine["onset"].iloc[0] + mine["duration"].iloc[0])
            assert gap == pytest.approx(p.value, abs=1e-9)
            same = mine["channel"].iloc[0] == mine["channel"].iloc[1]
            assert same == (p.boundary == "same_leg_gap")
        elif p.boundary == "onset_amplitude":
            assert mine["onset_excess_uv"].iloc[0] == pytest.approx(p.value, abs=0.3)
        elif p.boundary == "min_duration":
            assert mine["duration"].iloc[0] == pytest.approx(p.value)
        elif p.boundary == "max_duration":
            assert len(mine) == 4 and mine["duration"].max() == pytest.approx(p.value)
        else:
            imis = np.diff(mine["onset"].to_numpy())
            assert len(mine) == 4
            assert np.min(np.abs(imis - p.value)) < 1e-9


def test_truth_is_the_rules_applied_at_each_boundary(hard_model):
    """WASM 2016: merge < 0.5 s, onset 8 µV, LM >= 0.5 s, CLM <= 10 s, IMI 10-90 s,
    bilateral < 0.5 s — the truth says what the rules make of each probe."""
    truth = hard_model.truth
    probes = hard_model.probes
    probes = probes[probes["boundary"].isin(list(BOUNDARY_CLASSES))]
    for p in probes[probes["recorded"]].itertuples(index=False):
        lm = _window(truth[truth["kind"] == "lm"], p)
        plm = _window(truth[truth["kind"] == "plm"], p)
        clm = _window(truth[truth["kind"] == "clm"], p)
        if p.boundary == "same_leg_gap":
            assert len(lm) == (1 if p.inside else 2)
        elif p.boundary in ("onset_amplitude", "min_duration"):
            assert len(lm) == (1 if p.inside else 0)
        elif p.boundary == "bilateral_gap":
            assert len(lm) == 2
            assert (clm["side"] == "bilateral").any() == p.inside
        else:  # a 4-movement train is a PLM series only if every rule holds
            assert len(plm) == (4 if p.inside else 0), (p.boundary, p.value)


def test_truth_merges_lms_closer_than_half_a_second_wasm2016():
    """WASM 2016: same-leg LMs < 0.5 s apart are one LM — in the truth too."""
    from somnomotor.hypnogram import Hypnogram

    ins = pd.DataFrame({"onset": [100.0, 101.3], "duration": [1.0, 1.0],
                        "channel": ["LAT", "LAT"], "side": ["left", "left"],
                        "amplitude_uv": [30.0, 30.0], "onset_excess_uv": [28.0, 28.0],
                        "source": ["plm", "plm"], "intended_series": [1, 1],
                        "boundary": ["", ""]})
    hyp = Hypnogram.from_labels(["N2"] * 20)
    scored = pd.DataFrame({"onset": [], "duration": [], "kind": []})
    ev = _leg_truth(ins, hyp, scored, 600.0, [])
    lm = ev[ev["kind"] == "lm"]
    assert len(lm) == 1 and lm["duration"].iloc[0] == pytest.approx(2.3)


def test_an_intended_train_with_8_s_imis_is_not_a_plm_series_wasm2016():
    """WASM 2016: IMIs of 10-90 s; a train the model meant as periodic at 8 s is not."""
    from somnomotor.hypnogram import Hypnogram

    on = 100.0 + 8.0 * np.arange(6)
    ins = pd.DataFrame({"onset": on, "duration": 1.0, "channel": "LAT", "side": "left",
                        "amplitude_uv": 30.0, "onset_excess_uv": 28.0, "source": "plm",
                        "intended_series": 1, "boundary": ""})
    hyp = Hypnogram.from_labels(["N2"] * 20)
    ev = _leg_truth(ins, hyp, pd.DataFrame({"onset": [], "duration": [], "kind": []}), 600.0, [])
    assert (ev["kind"] == "lm").sum() == 6
    assert (ev["kind"] == "plm").sum() == 0
    # and an LM that never rises 8 µV above rest is not in the truth at all
    weak = ins.iloc[:1].assign(onset_excess_uv=7.0)
    assert _leg_truth(weak, hyp, pd.DataFrame({"onset": [], "duration": [], "kind": []}),
                      600.0, []).empty


def test_every_plm_of_the_truth_satisfies_the_series_rules():
    _, truth, _ = simulate_events("polio_plms", hours=8.0, seed=11)
    plm = truth[truth["kind"] == "plm"]
    for _, g in plm.groupby("series"):
        imis = np.diff(np.sort(g["onset"].to_numpy()))
        assert len(g) >= 4 and imis.min() >= 10.0 - 1e-6 and imis.max() <= 90.0 + 1e-6


@pytest.fixture(scope="module")
def hard_night():
    return simulate_night("polio_plms", hours=1.5, seed=2, difficulty="hard",
                          settings={"channels": "LAT,RAT,EMG MFD-l,ECG II"})


def test_hard_night_has_gaps_a_dying_channel_and_quantised_arms(hard_night):
    n = hard_night
    fs = 256.0
    assert len(n.gaps) == 2
    for g0, gd in n.gaps:
        for label in n.recording.labels:
            x = n.recording.read(label)[int(g0 * fs) + 1:int((g0 + gd) * fs) - 1]
            assert np.isnan(x).all()
    t_dead = n.dead["RAT"]
    rat = n.recording.read("RAT")[int(t_dead * fs):]
    assert np.all((rat == 0) | np.isnan(rat))
    lm = n.truth[(n.truth["kind"] == "lm") & (n.truth["channel"] == "RAT")]
    assert (lm["onset"] + lm["duration"] < t_dead).all()
    arm = n.recording.read("EMG MFD-l")
    arm = arm[np.isfinite(arm)]
    steps = np.unique(np.round(np.abs(np.diff(arm)) / 31.0, 6))
    assert np.allclose(steps, np.round(steps)) and steps.max() >= 1
    lat = n.recording.read("LAT")
    assert np.nanmax(np.abs(lat)) <= 900.0 + 1e-3  # saturation
    assert set(n.artifacts["kind"]) <= {"electrode_pop", "movement", "loose_electrode"}


def test_resting_level_follows_the_stage():
    n = simulate_night("healthy", hours=2.0, seed=4, settings={
        "channels": "LAT", "noise.rest_stage_gain": 1.0, "myoclonus.rate_per_h": 0.0,
        "sleep_starts.prob": 0.0, "mains_uv": 0.0, "ecg_bleed": 0.0, "artifacts.pops_per_h": 0.0,
        "artifacts.drift_uv": 0.0})
    x = np.abs(n.recording.read("LAT"))
    stages = n.hypnogram.stages
    per_epoch = np.median(x[: len(stages) * 7680].reshape(len(stages), 7680), axis=1)
    w, n2 = np.median(per_epoch[stages == "W"]), np.median(per_epoch[stages == "N2"])
    assert 1.3 < w / n2 < 1.9


def test_cli_hard_writes_edf_plus_d_with_probes_and_inserted(tmp_path, capsys):
    out = tmp_path / "n.edf"
    assert main(["simulate", "--scenario", "polio_plms", "--hours", "1", "--seed", "2",
                 "--difficulty", "hard", "--out", str(out)]) == 0
    assert out.read_bytes()[192:197] == b"EDF+D"
    import somnomotor

    rec = somnomotor.read(out)
    night = simulate_night("polio_plms", hours=1.0, seed=2, difficulty="hard")
    assert [(g.onset, g.duration) for g in rec.gaps] == night.gaps
    assert len(rec.annotations) == len(night.recording.annotations)
    probes = pd.read_csv(tmp_path / "n.probes.csv")
    assert set(probes["boundary"]) <= set(BOUNDARY_CLASSES) | set(MUSCLE_PROBE_CLASSES)
    assert len(probes) == len(night.probes)
    ins = pd.read_csv(tmp_path / "n.inserted.csv")
    assert list(ins.columns) == list(INSERTED_COLUMNS)


@pytest.mark.slow
def test_hard_and_realistic_leg_accuracy():
    """Issue 15: hard LM F1 >= 0.95, PLMS error <= 1/h; realistic LM F1 >= 0.98 (3-h nights)."""
    from somnomotor.detect.legs import detect_leg_movements
    from somnomotor.evaluate import evaluate
    from somnomotor.score.legs import score_leg_movements
    from somnomotor.signal.ecg import detect_r_peaks

    for level, target in (("realistic", 0.98), ("hard", 0.95)):
        n = simulate_night("polio_plms", hours=3.0, seed=7, difficulty=level,
                           settings={"channels": "LAT,RAT,ECG II"})
        rec = n.recording
        lms, _ = detect_leg_movements(rec, r_peaks=detect_r_peaks(rec.read("ECG II"), 256.0))
        found = score_leg_movements(lms, hypnogram=n.hypnogram, scored_events=n.scored,
                                    recording_duration=rec.duration)
        t_lm = n.truth[n.truth["kind"] == "lm"].copy()
        t_lm.attrs["unscorable"] = lms.attrs["unscorable"]
        truth = score_leg_movements(t_lm, hypnogram=n.hypnogram, scored_events=n.scored,
                                    recording_duration=rec.duration)
        f1 = evaluate(n.truth, found.events, kinds=["lm"])["kinds"]["lm"]["f1"]
        assert f1 >= target, level
        assert abs(found.summary["plms_index"] - truth.summary["plms_index"]) <= 1.0


def test_onset_excess_is_what_the_8_uv_onset_rule_reads():
    """WASM 2016: an LM starts where the EMG rises 8 µV above the resting level.  A burst
    whose modelled rise (``onset_excess_uv``) is 9.5 µV is found by the detector, one of
    6.5 µV is not — as the truth says (the model's peak gain and band-limited rest)."""
    from somnomotor.detect.legs import LegDetectParams, detect_lms_in_channel
    from somnomotor.signal.condition import condition_emg
    from somnomotor.simulate.emg import activation_envelope, motor_unit_signal
    from somnomotor.simulate.patterns import amplitude_for_excess, onset_excess_uv

    fs, rest = 256.0, 3.0
    found = {}
    for value in (6.5, 9.5):
        a_uv = amplitude_for_excess(value, rest, fs)
        assert float(onset_excess_uv(a_uv, rest, fs)) == pytest.approx(value)
        rng = np.random.default_rng(int(value * 10))
        n = int(620 * fs)
        on = np.arange(20.0, 600.0, 20.0)
        bursts = pd.DataFrame({"onset": on, "duration": 1.5, "amplitude": a_uv, "shape": "lm"})
        act, brief = activation_envelope(bursts, n, fs, rng)
        x = motor_unit_signal(act, brief, fs, 0.0, rng)
        x += (rest * np.sqrt(np.pi / 2) * rng.standard_normal(n)).astype(np.float32)
        lms, _ = detect_lms_in_channel(condition_emg(x, fs, params=LegDetectParams(),
                                                     mains=None))
        found[value] = np.mean([((lms["onset"] > t - 0.5) & (lms["onset"] < t + 1.5)).any()
                                for t in on])
    assert found[6.5] < 0.2
    assert found[9.5] > 0.9


def test_muscle_probes_sit_on_both_sides_of_each_aasm_limit_and_the_truth_follows_the_rule(
        hard_model):
    """AASM v2.6: ALMA 0.5-3.0 Hz and >= 4 alternating bursts; hypnagogic foot tremor
    0.3-4.0 Hz and >= 4 bursts; rhythmic movements 0.5-2.0 Hz and >= 4 movements.  A probe
    inside a limit is an episode of its kind in the truth, one outside is not (an
    alternating train too fast for ALMA is a foot tremor in each leg, as the rules say)."""
    from somnomotor.simulate.muscle_probes import MUSCLE_DEAD_BAND

    s = resolve_settings("polio_mixed", {"muscle_probes.per_h": 10.0}, difficulty="hard")
    m = run_model("polio_mixed", hours=8.0, seed=5, resolved=s)
    probes = m.probes[m.probes["boundary"].isin(list(MUSCLE_PROBE_CLASSES)) & m.probes["recorded"]]
    assert set(probes["boundary"]) == set(MUSCLE_PROBE_CLASSES)
    limits = {"hft_low_hz": 0.3, "hft_high_hz": 4.0, "alma_low_hz": 0.5, "alma_high_hz": 3.0,
              "rhythmic_low_hz": 0.5, "rhythmic_high_hz": 2.0}
    truth = m.truth
    for p in probes.itertuples(index=False):
        kind = MUSCLE_PROBE_CLASSES[p.boundary][0]
        if p.boundary in limits:
            lim = limits[p.boundary]
            assert abs(p.value - lim) >= MUSCLE_DEAD_BAND * lim - 1e-9
            assert p.inside == (p.value >= lim if "low" in p.boundary else p.value <= lim)
        else:
            assert p.value in (3.0, 4.0) and p.inside == (p.value == 4.0)
        w = truth[(truth["onset"] >= p.onset - 0.1) & (truth["onset"] <= p.onset + p.duration)]
        assert ((w["kind"] == kind).any()) == p.inside, (p.boundary, p.value)
        if p.boundary == "alma_high_hz" and not p.inside:
            hft = w[w["kind"] == "hypnagogic_foot_tremor"]
            assert set(hft["channel"]) <= {"LAT", "RAT"} and len(hft) >= 1
    assert hard_model.probes["boundary"].isin(list(MUSCLE_PROBE_CLASSES)).any()


def test_out_of_limit_probe_bursts_are_jerks_in_the_truth_and_train_bursts_are_not():
    """docs/definitions.md: a brief burst (<= 0.4 s) in any muscle that belongs to no train
    (rhythmic movement, ALMA, foot tremor: AASM v2.6) is myoclonus, leg jerks too short to
    be LMs included; a neck channel's jerk under 500 ms is neck myoclonus (Frauscher 2014);
    a jerk in >= 2 channels within 250 ms near a wake -> sleep transition is a hypnic jerk.
    So the bursts of a probe outside its limit are myoclonus rows of the truth, and those of
    a probe inside it (the train's) are not."""
    from somnomotor.simulate.architecture import wake_to_sleep_transitions
    from somnomotor.simulate.muscle_probes import probe_jerk_groups

    s = resolve_settings("polio_mixed", {"muscle_probes.per_h": 10.0}, difficulty="hard")
    m = run_model("polio_mixed", hours=8.0, seed=5, resolved=s)
    probes = m.probes[m.probes["boundary"].isin(list(MUSCLE_PROBE_CLASSES)) & m.probes["recorded"]]
    myo = m.truth[m.truth["kind"] == "myoclonus"]
    neck = m.truth[m.truth["kind"] == "neck_myoclonus"]
    keys = set(zip(myo["onset"].round(6), myo["channel"], strict=True))
    neck_keys = set(zip(neck["onset"].round(6), neck["channel"], strict=True))
    seen = {"out": 0, "in": 0, "neck": 0}
    for p in probes.itertuples(index=False):
        b = m.bursts[m.bursts["group"] == p.group]
        assert len(b) and (b["duration"] <= 0.4).all()
        bk = set(zip(b["onset"].round(6), b["channel"], strict=True))
        jerks = not p.inside and p.boundary != "alma_high_hz"
        if jerks:
            assert bk <= keys, p.boundary
            seen["out"] += 1
            nb = {k for k in bk if k[1] == "SCM L"}
            assert nb <= neck_keys
            seen["neck"] += len(nb)
        else:
            assert not (bk & keys), p.boundary
            seen["in"] += 1
    assert seen["out"] and seen["in"] and seen["neck"]
    # The sleep-start rule on the jerks of the rhythmic probes (trunk beats of 2-3 channels
    # within 0.03 s): a beat from 60 s before to 3 min after a wake -> sleep transition is a
    # hypnic jerk of the truth, unless the GRM rule (scored first) took it into an episode.
    groups = probe_jerk_groups(m.probes.to_dict("records"))
    trans = wake_to_sleep_transitions(m.hypnogram.stages).astype(float) * 30.0
    hyp = m.truth[m.truth["kind"] == "hypnic_jerk"]
    grm = m.truth[m.truth["kind"] == "grm"]
    n_beats = 0
    for g in groups:
        b = m.bursts[(m.bursts["group"] == g)
                     & m.bursts["channel"].isin(["Paraspinal", "SCM L", "Rectus Abd"])]
        for t in b.groupby((b["onset"].diff() > 0.25).cumsum())["onset"].min():
            if len(b[(b["onset"] - t).abs() < 0.25]) < 2 or \
                    not ((t >= trans - 60.0) & (t <= trans + 180.0)).any():
                continue
            n_beats += 1
            in_grm = ((grm["onset"] <= t) & (grm["onset"] + grm["duration"] >= t)).any()
            in_hyp = ((hyp["onset"] <= t + 1e-9) & (hyp["onset"] + hyp["duration"] >= t)).any()
            assert in_grm or in_hyp, t
    assert n_beats
