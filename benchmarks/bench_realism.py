"""Realism of the simulated chin EMG against a real surface chin EMG recorded in sleep.

Real: ``../shared/data/real/rsleep-nox/subject1.edf`` — a Nox A1 recording (French
sleep lab, Noxturnal), channel ``1-2`` (bipolar surface chin EMG, 200 Hz, 0.1-µV
steps), the file's whole 120-s excerpt.  The excerpt is not scored (the two
Noxturnal scorings beside it belong to other nights: SOURCES.md); its EEG
(C4-M1: about two thirds of the 0.5-30 Hz power in delta, little alpha or beta,
printed below) says NREM sleep, so the simulator's chin is compared in NREM
(N2 and N3 epochs), with wake and REM beside it for contrast.

Simulated: a healthy 8-h night at 200 Hz (the same rate), chin channel only.

Both go through the same conditioning: the analyser's band-pass (10-90 Hz at
200 Hz, zero-phase Butterworth) and a 50-Hz notch (the recording is French).
Printed, real vs simulated with ratios: quantiles of the rectified signal (µV),
band power shares (10-20, 20-40, 40-60, 60-90 Hz), median and mean frequency,
and the cardiac artefact (peak-to-peak of the beat-locked average, R peaks from
each recording's ECG).

Contrast: PhysioNet's needle EMG (``physionet-emgdb``, tibialis anterior, 4 kHz,
mild contraction) has a median frequency several times higher — a needle sees
single motor units up close, a surface electrode sees them through tissue —
so it is printed only as a contrast, never used to tune the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
NOX = REAL / "rsleep-nox" / "subject1.edf"
NEEDLE = REAL / "physionet-emgdb" / "emg_healthy.txt"
FS = 200.0
MAINS_HZ = 50.0
BANDS = ((10.0, 20.0), (20.0, 40.0), (40.0, 60.0), (60.0, 90.0))
QUANTILES = (10, 25, 50, 75, 90, 99)
EDGE_S = 1.0  # filter edges left out


def condition(x: np.ndarray, fs: float) -> np.ndarray:
    """The analyser's EMG band-pass and mains notch (zero-phase), µV."""
    from somnomotor.signal.filters import bandpass_sos, filter_zero_phase, notch_sos

    sos, _ = bandpass_sos(fs, 10.0, 100.0)
    y = filter_zero_phase(np.asarray(x, dtype=np.float64), sos)
    high = min(100.0, 0.45 * fs)
    return filter_zero_phase(y, notch_sos(fs, MAINS_HZ, up_to=high))


def spectrum_figures(x: np.ndarray, fs: float, low: float = 10.0,
                     high: float | None = None) -> dict[str, Any]:
    """Band power shares, median and mean frequency of ``x`` within [low, high] Hz (Welch)."""
    from scipy import signal

    high = min(100.0, 0.45 * fs) if high is None else high
    f, p = signal.welch(x, fs, nperseg=int(2 * fs))
    band = (f >= low) & (f <= high)
    fb, pb = f[band], p[band]
    c = np.cumsum(pb)
    median_f = float(fb[np.searchsorted(c, c[-1] / 2.0)])
    mean_f = float(np.sum(fb * pb) / np.sum(pb))
    shares = [float(p[(f >= a) & (f < b)].sum() / pb.sum()) for a, b in BANDS]
    return {"median_hz": median_f, "mean_hz": mean_f, "shares": shares}


def figures(x: np.ndarray, fs: float, r_peaks: np.ndarray | None = None) -> dict[str, Any]:
    """Rectified quantiles (µV), spectrum figures and the beat-locked cardiac artefact."""
    out = {"quantiles": [float(v) for v in np.percentile(np.abs(x), QUANTILES)],
           "mean_rect": float(np.mean(np.abs(x))), **spectrum_figures(x, fs)}
    if r_peaks is not None and r_peaks.size > 10:
        half = int(0.1 * fs)
        idx = np.round(r_peaks * fs).astype(int)
        idx = idx[(idx > half) & (idx < x.size - half)]
        avg = np.mean([x[i - half:i + half] for i in idx], axis=0)
        out["ecg_ptp"] = float(np.ptp(avg))
    return out


def _read_nox(label: str) -> np.ndarray:
    """One Nox channel in µV: the project's reader if it opens the file, else edfio.

    The file's header has non-ASCII bytes (a degree sign, latin-1 letters); the
    strict reader refuses them (lenient headers: issue 14), so edfio reads it here.
    """
    from somnomotor.errors import SomnomotorError

    try:
        from somnomotor.io.edf import read_recording

        rec = read_recording(NOX)
        return np.asarray(rec.read(label), dtype=np.float64)
    except SomnomotorError:
        import edfio

        edf = edfio.read_edf(NOX)
        sig = next(s for s in edf.signals if s.label.strip() == label)
        scale = {"V": 1e6, "mV": 1e3, "uV": 1.0, "µV": 1.0}[sig.physical_dimension.strip()]
        return np.asarray(sig.data, dtype=np.float64) * scale


def real_chin() -> tuple[dict[str, Any], dict[str, float]]:
    """Figures of the real chin, and the EEG's band shares (the stage evidence)."""
    from scipy import signal

    from somnomotor.signal.ecg import detect_r_peaks

    chin = condition(_read_nox("1-2"), FS)
    ecg = _read_nox("ECG")
    eeg = _read_nox("C4-M1")
    peaks = detect_r_peaks(ecg, FS)
    edge = int(EDGE_S * FS)
    peaks = peaks[(peaks > EDGE_S) & (peaks < chin.size / FS - EDGE_S)] - EDGE_S
    real = figures(chin[edge:-edge], FS, peaks)
    real["heart_bpm"] = 60.0 / float(np.median(np.diff(peaks)))
    f, p = signal.welch(eeg - eeg.mean(), FS, nperseg=int(4 * FS))
    tot = p[(f >= 0.5) & (f < 30)].sum()
    eeg_shares = {name: float(p[(f >= a) & (f < b)].sum() / tot)
                  for name, (a, b) in {"delta": (0.5, 4), "theta": (4, 8), "alpha": (8, 12),
                                       "sigma": (12, 15), "beta": (15, 30)}.items()}
    return real, eeg_shares


def simulated_chin(seed: int = 1) -> dict[str, dict[str, Any]]:
    """Figures of the simulator's chin per stage group (W, NREM = N2+N3, R)."""
    from somnomotor.simulate import simulate_night

    night = simulate_night("healthy", hours=8.0, seed=seed, fs=FS,
                           settings={"channels": "Chin1-Chin2,ECG II"})
    chin = condition(night.recording.read("Chin1-Chin2"), FS)
    from somnomotor.signal.ecg import detect_r_peaks

    peaks = detect_r_peaks(night.recording.read("ECG II"), FS)
    stages = night.hypnogram.stages
    per_epoch = int(30 * FS)
    out = {}
    for name, group in (("W", ("W",)), ("NREM", ("N2", "N3")), ("R", ("R",))):
        epochs = np.flatnonzero(np.isin(stages, group))
        epochs = epochs[(epochs > 0) & (epochs < len(stages) - 1)]
        seg = np.concatenate([chin[e * per_epoch:(e + 1) * per_epoch] for e in epochs])
        # R peaks re-timed onto the concatenated segments.
        t = []
        for k, e in enumerate(epochs):
            sel = peaks[(peaks >= e * 30.0) & (peaks < (e + 1) * 30.0)]
            t.append(sel - e * 30.0 + k * 30.0)
        out[name] = figures(seg, FS, np.concatenate(t) if t else None)
    return out


def needle_contrast() -> dict[str, Any] | None:
    """Median frequency of PhysioNet's needle EMG (4 kHz, 10-1000 Hz), for contrast."""
    if not NEEDLE.is_file():
        return None
    values = []
    for line in NEEDLE.read_text(errors="replace").splitlines():
        parts = line.split()
        try:
            values.append(float(parts[1]))
        except (IndexError, ValueError):  # the file's corrupted rows, kept on purpose
            continue
    x = np.asarray(values) * 1000.0  # mV -> µV
    from somnomotor.signal.filters import bandpass

    fs = 4000.0
    y, _ = bandpass(x, fs, 10.0, 1000.0)
    return {"mean_rect": float(np.mean(np.abs(y))),
            **spectrum_figures(np.asarray(y, dtype=np.float64), fs, 10.0, 1000.0)}


def _row(name: str, real: float, sim: float, fmt: str = "{:7.2f}") -> str:
    ratio = sim / real if real else float("nan")
    return f"  {name:<28}{fmt.format(real):>9}{fmt.format(sim):>9}   × {ratio:5.2f}"


def main() -> None:
    if not NOX.is_file():
        print(f"real recording not found ({NOX}); skipped")
        return
    real, eeg = real_chin()
    sims = simulated_chin()
    print("real: Nox A1, channel 1-2 (surface chin EMG), 120 s, unscored; its EEG (C4-M1) "
          "power shares 0.5-30 Hz: " + ", ".join(f"{k} {100 * v:.0f} %" for k, v in eeg.items())
          + " -> NREM sleep")
    print(f"simulated: healthy night, 8 h at {FS:g} Hz, seed 1; both band-passed 10-90 Hz, "
          "notched at 50 Hz")
    sim = sims["NREM"]
    print(f"\n  {'figure (real vs simulated NREM)':<28}{'real':>9}{'sim':>9}   ratio sim/real")
    for q, a, b in zip(QUANTILES, real["quantiles"], sim["quantiles"], strict=True):
        print(_row(f"rectified {q}th pct (µV)", a, b))
    print(_row("mean rectified (µV)", real["mean_rect"], sim["mean_rect"]))
    for (lo, hi), a, b in zip(BANDS, real["shares"], sim["shares"], strict=True):
        print(_row(f"power share {lo:g}-{hi:g} Hz", a, b))
    print(_row("median frequency (Hz)", real["median_hz"], sim["median_hz"], "{:7.1f}"))
    print(_row("mean frequency (Hz)", real["mean_hz"], sim["mean_hz"], "{:7.1f}"))
    if "ecg_ptp" in real and "ecg_ptp" in sim:
        print(_row("cardiac artefact p-p (µV)", real["ecg_ptp"], sim["ecg_ptp"]))
    print(f"  (real heart rate {real['heart_bpm']:.0f} bpm)")
    print("\n  simulated by stage:   median rect µV   median Hz   mean Hz")
    for name, fig in sims.items():
        print(f"    {name:<6}{fig['quantiles'][2]:>18.2f}{fig['median_hz']:>12.1f}"
              f"{fig['mean_hz']:>10.1f}")
    needle = needle_contrast()
    if needle:
        print(f"\n  contrast, needle EMG (PhysioNet emgdb, healthy TA, 10-1000 Hz): median "
              f"frequency {needle['median_hz']:.0f} Hz, mean {needle['mean_hz']:.0f} Hz, "
              f"mean rectified {needle['mean_rect']:.0f} µV — not comparable with surface "
              "chin EMG, not used")


if __name__ == "__main__":
    main()
