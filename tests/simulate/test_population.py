"""Healthy sleepers as a population (Frauscher et al., Sleep 2014;37:763-773), the
generators it uses, and the chin's realism against a real surface chin EMG."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from somnomotor.errors import ParameterError
from somnomotor.signal.filters import bandpass
from somnomotor.simulate import healthy_population, healthy_sleeper, simulate_events, simulate_night
from somnomotor.simulate.population import FM_MEDIAN, FRAUSCHER_2014


def test_a_person_is_reproducible_and_fixing_age_or_sex_changes_only_that():
    a = healthy_sleeper(11)
    assert healthy_sleeper(11) == a
    man, woman = healthy_sleeper(11, sex="male", age=50), healthy_sleeper(11, sex="female", age=50)
    # Same person otherwise: the FM index differs by the paper's ratio of medians (men/women).
    ratio = man.targets["fm_index"] / woman.targets["fm_index"]
    assert ratio == pytest.approx(FM_MEDIAN["male"] / FM_MEDIAN["female"])
    assert man.targets["phasic_percent"] == woman.targets["phasic_percent"]
    older = healthy_sleeper(11, sex="male", age=75)
    assert older.targets["plms_index"] > man.targets["plms_index"]  # PLMS rise with age


@pytest.mark.parametrize("kwargs, words", [
    ({"seed": -1}, "seed"), ({"seed": 1, "sex": "m"}, "sex"), ({"seed": 1, "age": 10}, "age"),
])
def test_bad_person_arguments_are_refused(kwargs, words):
    with pytest.raises(ParameterError, match=words):
        healthy_sleeper(**kwargs)


def test_drawn_population_matches_frauscher_2014():
    """The person-level figures (before any night's noise) against the paper's 100 sleepers."""
    people = healthy_population(3000, seed=5)
    t = {k: np.array([p.targets[k] for p in people]) for k in people[0].targets}
    assert np.mean(t["plms_index"] > 5) == pytest.approx(FRAUSCHER_2014["plms_over_5_fraction"],
                                                         abs=0.05)
    assert np.mean(t["plms_index"] > 15) == pytest.approx(
        FRAUSCHER_2014["plms_over_15_fraction"], abs=0.05)
    assert np.percentile(t["plms_index"], 90) == pytest.approx(FRAUSCHER_2014["plms_p90"], rel=0.25)
    assert np.median(t["fm_index"]) == pytest.approx(FRAUSCHER_2014["fm_median"], rel=0.2)
    assert np.percentile(t["fm_index"], 90) == pytest.approx(FRAUSCHER_2014["fm_p90"], rel=0.25)
    assert np.mean(t["neck_index"] > 0) == pytest.approx(FRAUSCHER_2014["neck_any_fraction"],
                                                         abs=0.04)
    assert np.percentile(t["neck_index"], 90) == pytest.approx(FRAUSCHER_2014["neck_p90"],
                                                               rel=0.3)
    assert np.percentile(t["phasic_percent"], 90) == pytest.approx(FRAUSCHER_2014["phasic_p90"],
                                                                   rel=0.15)
    assert np.mean(t["phasic_percent"] > 11) == pytest.approx(
        FRAUSCHER_2014["phasic_over_11_fraction"], abs=0.05)
    assert np.percentile(t["tonic_percent"], 90) == pytest.approx(FRAUSCHER_2014["tonic_p90"],
                                                                  rel=0.3)
    assert t["tonic_percent"].max() < 9.6
    ages = np.array([p.age for p in people])
    assert 19 <= ages.min() and ages.max() <= 77
    assert np.mean([p.sex == "female" for p in people]) == pytest.approx(0.6, abs=0.03)


def test_default_healthy_night_has_none_of_the_population_events():
    _, truth, _ = simulate_events("healthy", hours=8.0, seed=2)
    assert not (truth["kind"] == "plm").any()
    assert len(truth[truth["kind"] == "myoclonus"]) < 40  # only the model's rare random jerks


def test_fm_background_runs_through_sleep_at_its_rate_in_the_named_regions():
    rate = 120.0
    hyp, truth, _ = simulate_events("healthy", hours=8.0, seed=3, settings={
        "fragmentary.background_per_h": rate, "myoclonus.rate_per_h": 0.0,
        "myoclonus.regions": "leg,arm"})
    fm = truth[truth["kind"] == "myoclonus"]
    sleep_h = float(hyp.is_sleep().sum()) * 30.0 / 3600.0
    assert len(fm) / sleep_h == pytest.approx(rate, rel=0.35)  # 5-min blocks vary the rate
    assert set(fm["stage"]) <= {"N1", "N2", "N3", "R"}  # per hour of sleep: none in wake
    assert set(fm["muscle"]) == {"tibialis_anterior", "fds"}
    assert fm["duration"].between(0.075, 0.15).all()  # Lins: 75-150 ms
    assert (fm["amplitude_uv"] >= 50.0).all()  # > 50 µV
    per_h = {s: (fm["stage"] == s).sum() / max((hyp.stages == s).sum() * 30 / 3600, 1e-9)
             for s in ("N2", "N3", "R")}
    assert per_h["R"] > per_h["N2"] > per_h["N3"]  # Frauscher's FM data: REM highest, N3 lowest


def test_neck_myoclonus_is_in_rem_in_the_neck_only():
    hyp, truth, _ = simulate_events("healthy", hours=8.0, seed=4, settings={
        "neck_myoclonus.rate_per_h_rem": 20.0, "myoclonus.rate_per_h": 0.0,
        "sleep_starts.prob": 0.0})
    nm = truth[(truth["kind"] == "myoclonus") & (truth["muscle"] == "scm")]
    rem_h = float((hyp.stages == "R").sum()) * 30.0 / 3600.0
    assert rem_h > 0.5
    assert set(nm["stage"]) == {"R"}
    assert len(nm) / rem_h == pytest.approx(20.0, rel=0.4)


def test_leg_drive_lets_a_healthy_sleeper_have_plms():
    """``drive.leg`` shifts the net drive: at 1 the leg's rate factor is near 1."""
    _, none, _ = simulate_events("healthy", hours=8.0, seed=6, settings={"plm.trains_per_h": 2})
    _, some, _ = simulate_events("healthy", hours=8.0, seed=6,
                                 settings={"plm.trains_per_h": 2, "drive.leg": 1.0})
    assert (none["kind"] == "plm").sum() == 0
    assert (some["kind"] == "plm").sum() >= 8


def test_simulated_chin_is_as_quiet_and_low_pitched_as_a_real_surface_chin():
    """Regression guard of the realism check (benchmarks/bench_realism.py).

    The real Nox chin (rsleep-nox subject1, channel 1-2, NREM) measures 0.80 µV mean
    rectified and a 22-Hz median frequency after a 10-90 Hz band-pass.
    """
    fs = 200.0
    night = simulate_night("healthy", hours=2.0, seed=2, fs=fs,
                           settings={"channels": "Chin1-Chin2", "ecg_bleed": 0.0,
                                     "mains_uv": 0.0})  # the real one is notched
    x, _ = bandpass(night.recording.read("Chin1-Chin2"), fs)
    st = night.hypnogram.stages
    per = int(30 * fs)

    def part(stages: tuple[str, ...]) -> np.ndarray:
        ep = np.flatnonzero(np.isin(st, stages))
        return np.concatenate([x[e * per:(e + 1) * per] for e in ep[1:-1]]).astype(float)

    nrem, rem = part(("N2", "N3")), part(("R",))
    assert 0.5 < float(np.mean(np.abs(nrem))) < 1.2
    f, p = signal.welch(nrem, fs, nperseg=int(2 * fs))
    band = (f >= 10) & (f <= 90)
    c = np.cumsum(p[band])
    median_hz = float(f[band][np.searchsorted(c, c[-1] / 2)])
    assert 18.0 < median_hz < 35.0  # white noise in this band would give about 50 Hz
    assert np.median(np.abs(rem)) < 0.6 * np.median(np.abs(nrem))  # REM atonia


def test_simulate_cli_draws_a_healthy_person(tmp_path, capsys):
    from somnomotor.cli import main
    from somnomotor.io.edf import read_recording

    out = tmp_path / "p.edf"
    assert main(["simulate", "--person", "7", "--age", "66", "--sex", "male", "--hours", "0.2",
                 "--set", "channels=LAT,RAT", "--out", str(out)]) == 0
    assert read_recording(out).labels == ["LAT", "RAT"]  # --set still applies on top
    for argv, words in ((["--person", "7", "--scenario", "rbd"], "--scenario healthy"),
                        (["--sex", "male"], "describe a --person")):
        capsys.readouterr()
        assert main(["simulate", *argv, "--out", str(tmp_path / "x.edf")]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0]


def test_a_small_cohort_is_stratified_so_it_represents_the_population():
    """Latin-hypercube draws: 20 people hold exactly 12 women and 7 with neck myoclonus."""
    people = healthy_population(20, seed=9)
    assert sum(p.sex == "female" for p in people) == 12
    assert sum(p.targets["neck_index"] > 0 for p in people) == 7
    assert sum(p.targets["tonic_percent"] == 0 for p in people) == 12
    assert len({p.seed for p in people}) == 20
    assert healthy_population(20, seed=9) == people  # reproducible


def test_high_frequency_leg_movements_are_drawn_as_frauscher_2014_counted_them():
    """33 % of healthy sleepers had HFLM, 90th percentile 4 sequences a night (Frauscher 2014):
    the drawn expectation with a night's Poisson scatter reproduces both."""
    people = healthy_population(3000, seed=5)
    lam = np.array([p.targets["hflm_per_night"] for p in people])
    nights = np.random.default_rng(0).poisson(lam)
    assert np.mean(nights > 0) == pytest.approx(FRAUSCHER_2014["hflm_any_fraction"], abs=0.03)
    assert np.percentile(nights, 90) == FRAUSCHER_2014["hflm_p90"]
    rates = np.array([p.settings["aasm.foot_tremor_per_h"] for p in people])
    assert np.array_equal(rates > 0, lam > 0)


def test_a_sleeper_with_hflm_gets_foot_tremor_trains_in_the_truth():
    people = healthy_population(40, seed=2014)
    p = max(people, key=lambda q: q.targets["hflm_per_night"])
    none = min(people, key=lambda q: q.targets["hflm_per_night"])
    _, truth, _ = simulate_events("healthy", hours=8.0, seed=p.seed, settings=p.settings)
    _, truth0, _ = simulate_events("healthy", hours=8.0, seed=none.seed, settings=none.settings)
    assert (truth["kind"] == "hypnagogic_foot_tremor").sum() >= 1
    assert (truth0["kind"] == "hypnagogic_foot_tremor").sum() == 0
