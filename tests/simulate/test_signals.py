"""The signals say what the truth says (measured here with plain scipy, independently)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, find_peaks, sosfiltfilt, welch

from somnomotor.simulate import simulate_night
from somnomotor.simulate.emg import motor_unit_signal

FS = 256.0


def _envelope(x: np.ndarray, fs: float, window_s: float = 0.1) -> np.ndarray:
    """Rectified 10-100 Hz EMG, moving mean over ``window_s`` (the WASM-style envelope)."""
    sos = butter(4, [10.0, 100.0], btype="bandpass", fs=fs, output="sos")
    r = np.abs(sosfiltfilt(sos, x.astype(np.float64)))
    w = int(window_s * fs)
    return np.convolve(r, np.ones(w) / w, mode="same")


@pytest.fixture(scope="module")
def plm_night():
    return simulate_night("polio_plms", hours=1.5, seed=2,
                          settings={"channels": "LAT,RAT,EMG MFD-l,EMG MFD-r,Deltoid L",
                                    "myoclonus.rate_per_h": 80.0, "damage.arm": 0.7})


def test_lm_truth_matches_wasm2016_onset_and_offset_in_the_signal(plm_night):
    """WASM 2016: an LM starts where EMG rises >= 8 µV above rest and ends where it
    returns to <= 2 µV above rest for >= 0.5 s; the truth's onsets and offsets are there."""
    lm = plm_night.truth[plm_night.truth["kind"] == "lm"]
    assert len(lm) >= 10
    for ch in ("LAT", "RAT"):
        env = _envelope(plm_night.recording.read(ch), FS)
        rest = float(np.median(env))
        for ev in lm[lm["channel"] == ch].itertuples():
            i0, i1 = int(ev.onset * FS), int((ev.onset + ev.duration) * FS)
            assert env[i0:i1].max() >= rest + 8.0
            after = env[i1 + int(0.1 * FS): i1 + int(0.6 * FS)]
            before = env[i0 - int(0.6 * FS): i0 - int(0.1 * FS)]
            assert np.median(after) <= rest + 2.0
            assert np.median(before) <= rest + 2.0
            # amplitude_uv is the envelope above rest (within 35 %)
            assert env[i0:i1].max() - rest == pytest.approx(ev.amplitude_uv, rel=0.35)


def test_no_leg_activity_outside_the_truth(plm_night):
    """Between truth events the leg channels stay at rest (no unannounced movements)."""
    lm = plm_night.truth[plm_night.truth["kind"] == "lm"]
    for ch in ("LAT", "RAT"):
        env = _envelope(plm_night.recording.read(ch), FS)
        rest = float(np.median(env))
        busy = np.zeros(env.size, dtype=bool)
        for ev in lm[lm["channel"] == ch].itertuples():
            busy[max(0, int((ev.onset - 0.5) * FS)):int((ev.onset + ev.duration + 0.5) * FS)] = True
        for p in plm_night.artifacts[plm_night.artifacts["channel"] == ch].itertuples():
            busy[int((p.onset - 1) * FS):int((p.onset + p.duration + 1) * FS)] = True
        # 0.5-s medians outside events never reach the 8-µV onset level
        w = int(0.5 * FS)
        n = env.size // w * w
        blocks = env[:n].reshape(-1, w)
        free = ~busy[:n].reshape(-1, w).any(axis=1)
        assert free.sum() > 0.5 * free.size
        assert np.median(blocks[free], axis=1).max() < rest + 8.0


def test_brief_jerks_stand_clearly_above_rest(plm_night):
    jerks = plm_night.truth[(plm_night.truth["kind"] == "myoclonus")
                            & plm_night.truth["channel"].isin(["EMG MFD-l", "EMG MFD-r"])]
    assert len(jerks) >= 10
    sos = butter(4, [10.0, 100.0], btype="bandpass", fs=FS, output="sos")
    for ch, g in jerks.groupby("channel"):
        x = np.abs(sosfiltfilt(sos, plm_night.recording.read(ch).astype(np.float64)))
        rest = float(np.median(x))
        for ev in g.itertuples():
            assert 0.02 <= ev.duration <= 0.25
            seg = x[int(ev.onset * FS): int((ev.onset + ev.duration) * FS) + 1]
            assert seg.max() >= 5 * rest


def test_damaged_regions_have_fewer_larger_motor_units():
    """Reinnervated (post-polio) pools fire fewer, larger units: a spikier, heavier-tailed signal."""
    fs = 256.0
    a = np.zeros(int(60 * fs), dtype=np.float32)
    a[int(5 * fs):int(55 * fs)] = 20.0
    brief = np.zeros(a.size, dtype=bool)
    kurt = {}
    for d in (0.0, 0.8):
        x = motor_unit_signal(a, brief, fs, d, np.random.default_rng(1))
        seg = x[int(10 * fs):int(50 * fs)].astype(np.float64)
        kurt[d] = float(np.mean(seg ** 4) / np.mean(seg ** 2) ** 2)
        assert np.mean(np.abs(seg)) == pytest.approx(20.0, rel=0.15)
    assert kurt[0.8] > kurt[0.0]


@pytest.fixture(scope="module")
def full_night():
    return simulate_night("rbd", hours=2.5, seed=4, settings={"sleep.cycle_min": 50.0})


def test_ecg_channel_r_peaks_align_with_the_trunk_artefact(full_night):
    rec = full_night.recording
    ecg = rec.read("ECG II").astype(np.float64)
    peaks, _ = find_peaks(ecg, height=500.0, distance=int(0.4 * FS))
    hr = len(peaks) / (rec.duration / 60.0)
    assert 45 < hr < 90
    ic = np.abs(rec.read("Intercostal R").astype(np.float64))
    leg = np.abs(rec.read("LAT").astype(np.float64))
    assert np.median(ic[peaks]) > 8 * np.median(ic)  # trunk: strong bleed at the R peaks
    assert np.median(ic[peaks]) > 5 * np.median(leg[peaks])  # limbs: weak


def test_ecg_bleed_setting_scales_the_trunk_artefact():
    def qrs(bleed: float) -> float:
        n = simulate_night("healthy", hours=0.1, seed=1,
                           settings={"ecg_bleed": bleed, "channels": "Intercostal R,ECG II"})
        ecg = n.recording.read("ECG II")
        peaks, _ = find_peaks(ecg, height=500.0, distance=int(0.4 * FS))
        return float(np.median(np.abs(n.recording.read("Intercostal R")[peaks])))

    assert qrs(5.0) == pytest.approx(5 * qrs(1.0), rel=0.2)


def test_rem_of_healthy_is_atonic_and_rbd_is_not_in_the_chin_signal(full_night):
    """AASM tonic RSWA: >= 50 % of a REM epoch with chin EMG above the minimum NREM amplitude."""
    healthy = simulate_night("healthy", hours=2.5, seed=4,
                             settings={"sleep.cycle_min": 50.0, "channels": "Chin1-Chin2"})

    def tonic_epochs(night) -> tuple[np.ndarray, np.ndarray]:
        env = _envelope(night.recording.read("Chin1-Chin2"), FS, 1.0)
        st = night.hypnogram.stages
        per_s = env[: int(len(st) * 30 * FS)].reshape(len(st), 30, int(FS)).mean(axis=2)
        nrem_min = np.min(np.median(per_s[np.isin(st, ["N2", "N3"])], axis=1))
        frac = (per_s > nrem_min).mean(axis=1)
        rem = np.flatnonzero(st == "R")
        return rem, frac[rem] >= 0.5

    rem_h, tonic_h = tonic_epochs(healthy)
    rem_r, tonic_r = tonic_epochs(full_night)
    assert rem_h.size >= 10 and rem_r.size >= 10
    assert tonic_h.mean() < 0.05
    assert tonic_r.mean() > 0.25
    # the epochs the truth calls tonic are tonic in the signal
    truth_tonic = full_night.truth[full_night.truth["kind"] == "rem_tonic"]
    flagged = set(rem_r[tonic_r])
    epochs = set((truth_tonic["onset"] // 30).astype(int))
    assert epochs and len(epochs & flagged) >= 0.9 * len(epochs)


def test_rem_phasic_epochs_hold_bursts_in_at_least_five_mini_epochs(full_night):
    """AASM phasic RSWA: >= 5 of 10 3-s mini-epochs with bursts 0.1-5 s at >= 4x background."""
    env = _envelope(full_night.recording.read("Chin1-Chin2"), FS, 0.1)
    phasic = full_night.truth[full_night.truth["kind"] == "rem_phasic"]
    assert len(phasic) >= 3
    for ev in phasic.itertuples():
        seg = env[int(ev.onset * FS): int((ev.onset + 30) * FS)].reshape(10, -1)
        background = np.percentile(seg, 20)
        assert (seg.max(axis=1) >= 4 * background).sum() >= 5


def test_eeg_spectrum_follows_the_stage(full_night):
    """Alpha in W, delta in N3, sigma (spindles) in N2 (AASM staging rules)."""
    x = full_night.recording.read("C4-M1").astype(np.float64)
    st = full_night.hypnogram.stages

    def band_power(stage: str, lo: float, hi: float) -> float:
        idx = np.flatnonzero(st == stage)
        seg = np.concatenate([x[int(e * 30 * FS): int((e + 1) * 30 * FS)] for e in idx])
        f, p = welch(seg, fs=FS, nperseg=int(4 * FS))
        return float(p[(f >= lo) & (f < hi)].sum() / p[(f >= 0.5) & (f < 30)].sum())

    assert band_power("W", 8, 12) > 2 * band_power("N3", 8, 12)
    assert band_power("N3", 0.5, 2) > band_power("N2", 0.5, 2) > band_power("W", 0.5, 2)
    # spindles: sigma (12-15 Hz) against alpha (8-10.5 Hz) is higher in N2 than in W
    assert (band_power("N2", 12, 15) / band_power("N2", 8, 10.5)
            > 2 * band_power("W", 12, 15) / band_power("W", 8, 10.5))


def test_rapid_eye_movements_in_rem_are_opposite_in_e1_and_e2(full_night):
    st = full_night.hypnogram.stages
    rem = np.flatnonzero(st == "R")
    e1 = np.concatenate([full_night.recording.read("E1-M2", e * 30, e * 30 + 30) for e in rem])
    e2 = np.concatenate([full_night.recording.read("E2-M2", e * 30, e * 30 + 30) for e in rem])
    assert np.corrcoef(e1, e2)[0, 1] < -0.3


def test_mains_hum_and_sampling_rate_follow_the_settings():
    n = simulate_night("healthy", hours=0.1, seed=0,
                       settings={"fs": 512, "mains_hz": 60, "channels": "LAT"})
    ch = n.recording.channel("LAT")
    assert ch.fs == 512.0
    f, p = welch(n.recording.read("LAT").astype(np.float64), fs=512.0, nperseg=4096)
    band = (f > 40) & (f < 80)
    assert abs(f[band][np.argmax(p[band])] - 60.0) < 0.5


def test_channel_subset_keeps_the_truth_of_recorded_channels_only():
    full = simulate_night("polio_mixed", hours=0.5, seed=9)
    sub = simulate_night("polio_mixed", hours=0.5, seed=9, settings={"channels": "LAT,RAT"})
    assert sub.recording.labels == ["LAT", "RAT"]
    assert set(sub.truth["channel"]) <= {"", "LAT", "RAT"}
    legs_full = full.truth[full.truth["channel"].isin(["LAT", "RAT"])].reset_index(drop=True)
    legs_sub = sub.truth[sub.truth["channel"].isin(["LAT", "RAT"])].reset_index(drop=True)
    assert legs_full.equals(legs_sub)
    np.testing.assert_array_equal(full.recording.read("LAT"), sub.recording.read("LAT"))


def test_asymmetry_makes_the_weaker_sides_motor_units_larger():
    from somnomotor.simulate.night import channel_damage
    from somnomotor.simulate.scenarios import resolve_settings

    s = resolve_settings("polio_plms", {"asymmetry.leg": 1.0})
    assert channel_damage("RAT", s) > channel_damage("LAT", s)
    assert channel_damage("RAT", s) <= 1.0


def test_a_channels_signal_does_not_depend_on_the_other_channels_written():
    s = {"artifacts.pops_per_h": 400.0}
    full = simulate_night("polio_plms", hours=0.1, seed=3, settings=s)
    sub = simulate_night("polio_plms", hours=0.1, seed=3, settings={**s, "channels": "RAT"})
    assert (full.artifacts["channel"] == "RAT").sum() > 0
    np.testing.assert_array_equal(full.recording.read("RAT"), sub.recording.read("RAT"))
    assert set(sub.artifacts["channel"]) == {"RAT"}


def test_chin_tone_changes_over_seconds_not_in_a_step_at_the_epoch_boundary():
    # Muscle tone follows the state gradually; the scorer's 30-s grid is laid on it after.
    # A step at the boundary made every wake epoch a 30-s "elevation" aligned to the grid.
    from somnomotor.simulate.night import _chin_tone

    s = {"chin.tone_wake_uv": 6.0, "chin.tone_nrem_uv": 0.7, "chin.tone_rem_uv": 0.1}
    fs = 64.0
    tone = _chin_tone(np.array(["N2", "W", "N2"]), s, int(90 * fs), fs)
    at = {t: float(tone[int(t * fs)]) for t in (26.0, 28.0, 30.0, 32.0, 34.0, 45.0)}
    assert abs(at[26.0] - 0.7) < 0.01 and abs(at[45.0] - 6.0) < 0.01
    assert 0.7 < at[28.0] < at[30.0] < at[32.0] < 6.0  # a ramp of several seconds
    assert abs(at[34.0] - 6.0) < 0.01
