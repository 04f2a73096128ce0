"""Real-recording nuisances that are not contractions (issues 12 and 15).

On the simulator's hard level, brief clipping at the amplifier's rail (QRS
peaks riding on a large DC offset, the rail at 900 µV) made most of the
contraction layer's false rows: the clipped beats no longer fit the ECG
template.  A clipped stretch holds no usable EMG for the contraction layer.
"""

from __future__ import annotations

import numpy as np

from somnomotor.detect.bursts import bursts_in_channel
from somnomotor.detect.contractions import ContractionParams
from somnomotor.signal.condition import ConditionParams, condition_emg, mark_clipped

FS = 256.0


def _clipped_night(rail: float = 800.0) -> tuple[np.ndarray, np.ndarray]:
    """10 min of 3-µV resting EMG on a 500-µV offset, with 40 sharp 450-µV peaks clipped at 800 µV."""
    rng = np.random.default_rng(7)
    n = int(FS * 600)
    x = 500.0 + rng.normal(0.0, 3.0, n)
    at = np.sort(rng.uniform(20.0, 580.0, 40))
    tri = 450.0 * (1.0 - np.abs(np.linspace(-1.0, 1.0, 25)))  # a 0.1-s peak
    for t in at:
        i = int(t * FS)
        x[i:i + tri.size] += tri
    return np.clip(x, -rail, rail).astype(np.float32), at


def test_clipped_peaks_are_no_data_and_make_no_contraction():
    x, at = _clipped_night()
    clipped = mark_clipped(x)
    assert clipped is not None and clipped.sum() >= 3 * 40
    cond = condition_emg(x, FS, mains=None)
    assert any("clipped" in n for n in cond.notes)
    assert cond.clipped is not None
    for t in at:  # each clipped peak is marked; the filtered signal keeps it (the leg rules)
        i = int(t * cond.fs)
        assert cond.clipped[i: i + int(0.1 * cond.fs)].any()
        assert np.isfinite(cond.filtered[i: i + int(0.1 * cond.fs)]).all()
    _, fig, _ = bursts_in_channel(cond)
    assert len(fig["contractions"]) == 0
    # Without the rule, every clipped peak is a "contraction".
    off = condition_emg(x, FS, mains=None, params=ConditionParams(clip_min_runs=0))
    _, fig_off, _ = bursts_in_channel(off)
    assert len(fig_off["contractions"]) >= 30


def test_a_peak_that_does_not_clip_is_left_alone():
    x, _ = _clipped_night(rail=5000.0)  # the same peaks, nowhere near the rail
    assert mark_clipped(x) is None
    assert not any("clipped" in n for n in condition_emg(x, FS, mains=None).notes)


def test_a_single_flat_top_is_not_a_rail():
    # Fewer than clip_min_runs flat tops at the extreme: a maximum, not a rail.
    x = np.sin(np.arange(5000) / 10.0).astype(np.float32) * 50.0
    x[1000:1004] = 80.0
    x[3000:3004] = 80.0
    assert mark_clipped(x) is None
    assert mark_clipped(x, ConditionParams(clip_min_runs=2)) is not None


def _quantised_night(step: float) -> tuple[np.ndarray, float]:
    """10 min of 3-µV resting EMG under 60-µV sweat swings (0.05-0.5 Hz), recorded in
    ``step`` µV, with one strong 2-s contraction (50 µV) at 300 s."""
    from scipy.ndimage import gaussian_filter1d

    rng = np.random.default_rng(11)
    n = int(FS * 600)
    w = rng.standard_normal(6000 + 3)  # the sweat, made at 10 Hz
    band = gaussian_filter1d(w, 3.0) - gaussian_filter1d(w, 30.0)
    band *= 60.0 / band.std()
    x = 400.0 + np.interp(np.arange(n) / FS * 10.0, np.arange(band.size), band)
    x += rng.normal(0.0, 3.0, n)
    at = 300.0
    i = int(at * FS)
    x[i:i + int(2 * FS)] += rng.normal(0.0, 50.0, int(2 * FS))
    return (np.round(x / step) * step).astype(np.float32), at


def test_quantisation_toggling_is_not_a_contraction_but_a_real_one_is_kept():
    x, at = _quantised_night(31.0)
    cond = condition_emg(x, FS, mains=None)
    assert cond.quantum_uv == 31.0
    assert any("steps of 31 µV" in n for n in cond.notes)
    c = bursts_in_channel(cond)[1]["contractions"]
    assert len(c) == 1 and abs(float(c.onset.iloc[0]) - at) < 0.5
    # Without the rule, the sweat crossing the steps' edges makes "contractions" too.
    off = bursts_in_channel(cond, contraction_params=ContractionParams(quantum_ptp=0.0))[1]
    assert len(off["contractions"]) >= 4


def test_a_float_recording_has_no_quantum():
    rng = np.random.default_rng(0)
    cond = condition_emg(rng.normal(0.0, 3.0, int(FS * 60)).astype(np.float32), FS, mains=None)
    assert cond.quantum_uv < 1.0
    assert not any("steps of" in n for n in cond.notes)
