"""Every muscle: accuracy against the simulator's truth, and the speed of the muscle analysis.

Accuracy (issue 5 acceptance): on ``polio_grm``, ``polio_sleep_starts``,
``rbd``, ``polio_mixed`` and ``healthy`` nights over several seeds, the burst
(``myoclonus``) F1 per body region, each pattern's episode F1
(``grm``, ``hypnic_jerk``, ``propriospinal_myoclonus``, ``morning_tonic``,
``rem_tonic``, ``rem_phasic``), and the REM figures: healthy should give no GRM,
no propriospinal myoclonus, RAI > 0.9 and SINBAR "any" ≤ 18 %; rbd RAI < 0.8 and
SINBAR above its cut-offs.  Targets: burst F1 ≥ 0.9, patterns ≥ 0.85.

Trunk ECG: an intercostal-like channel whose QRS is 5× its bursts, with and
without the ECG channel.

Speed: an 8-hour night with 12 EMG channels at 512 Hz written once as EDF (the
simulator's 11 EMG channels plus a 12th), then in a fresh process: the time to
read the 12 channels, and the whole :func:`score_muscles` (read, condition,
ECG removal, bursts, every classifier) from the same file; peak memory.
Target: < 6 s and < 1.5 GB on the 2-core machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

FOLDER = Path(tempfile.gettempdir()) / "somnomotor-bench"
HOURS_ACCURACY = 3.0  # long enough for two REM periods
SEEDS = (0, 1, 2)
SCENARIOS = ("polio_grm", "polio_sleep_starts", "rbd", "polio_mixed", "healthy")
PATTERNS = ("grm", "hypnic_jerk", "propriospinal_myoclonus", "morning_tonic", "rem_tonic",
            "rem_phasic")


def _fmt(v: float | None) -> str:
    return "   -" if v is None else f"{v:5.2f}"


def accuracy() -> None:
    from somnomotor.evaluate import evaluate
    from somnomotor.montage import MUSCLE_REGION
    from somnomotor.pipeline import score_recording_muscles as score_muscles
    from somnomotor.signal.ecg import detect_r_peaks
    from somnomotor.simulate import simulate_night

    print(f"accuracy on {HOURS_ACCURACY:g}-h simulated nights at 256 Hz, seeds {SEEDS}")
    regions_all = ("leg", "arm", "shoulder", "chest", "abdomen", "back", "neck")
    print(f"{'scenario':<19}{'seed':>4} | burst F1 per region: "
          + " ".join(f"{r[:5]:>5}" for r in regions_all) + " | "
          + " ".join(f"{k[:7]:>7}" for k in PATTERNS) + " |   RAI  SINBAR any/comb")
    worst_burst, worst_pattern = 1.0, 1.0
    for scenario in SCENARIOS:
        for seed in SEEDS:
            night = simulate_night(scenario, hours=HOURS_ACCURACY, seed=seed, fs=256.0)
            rec = night.recording
            peaks = detect_r_peaks(rec.read("ECG II"), 256.0)
            res = score_muscles(rec, night.hypnogram, scored_events=night.scored, r_peaks=peaks)
            truth, ev = night.truth, res.events
            cells = []
            for region in regions_all:
                muscles = [m for m, r in MUSCLE_REGION.items() if r == region]
                t = truth[(truth.kind == "myoclonus") & truth.muscle.isin(muscles)]
                e = ev[(ev.kind == "myoclonus") & ev.muscle.isin(muscles)]
                if len(t) < 3:
                    cells.append("    .")
                    continue
                f1 = evaluate(t, e, kinds=["myoclonus"])["kinds"]["myoclonus"]["f1"]
                worst_burst = min(worst_burst, f1)
                cells.append(f"{f1:5.2f}")
            pats = []
            res_k = evaluate(truth, ev, kinds=list(PATTERNS))["kinds"]
            for k in PATTERNS:
                r = res_k[k]
                if r["n_truth"] == 0 and r["n_detected"] == 0:
                    pats.append("      .")
                elif r["n_truth"] == 0:
                    pats.append(f"  FP={r['n_detected']:<2}")
                else:
                    worst_pattern = min(worst_pattern, r["f1"])
                    pats.append(f"{r['f1']:4.2f}/{r['n_truth']:<2}")
            s = res.summary
            print(f"{scenario:<19}{seed:>4} | {'':21}" + " ".join(cells) + " | "
                  + " ".join(pats) + f" | {_fmt(s['rem_atonia_index'])} "
                  f"{_fmt(s['sinbar_any_percent'])}/{_fmt(s['sinbar_combined_percent'])}"
                  + (f"  GRM={s['grm_episode_count']} PSM={s['propriospinal_myoclonus_count']}"
                     if scenario == "healthy" else ""))
    print(f"worst burst F1 per region {worst_burst:.3f} (target ≥ 0.9); "
          f"worst pattern F1 {worst_pattern:.3f} (target ≥ 0.85)")


def trunk_ecg() -> None:
    """A trunk channel whose QRS is 5× its bursts: burst F1 with and without the ECG channel."""
    from scipy import signal

    from somnomotor.detect.bursts import detect_bursts
    from somnomotor.signal.ecg import detect_r_peaks, find_r_peaks_in_emg, remove_ecg
    from somnomotor.signal.filters import bandpass

    fs, duration = 512.0, 1800.0
    rng = np.random.default_rng(5)
    n = int(duration * fs)
    beats = 0.8 + np.cumsum(0.9 * (1 + 0.05 * rng.standard_normal(2100)))
    beats = beats[beats < duration - 1]

    def cardiac(f: float, amp: float) -> np.ndarray:
        """QRS at the exact beat times, on any sampling grid (both channels see one heart)."""
        out = np.zeros(int(duration * f))
        ww = np.arange(int(-0.1 * f), int(0.3 * f))
        for b in beats:  # builder only
            i = int(b * f)
            t = (i + ww) / f - b
            out[i + ww] += amp * (np.exp(-0.5 * (t / 0.010) ** 2)
                                  - 0.25 * np.exp(-0.5 * ((t - 0.028) / 0.01) ** 2))
        return out

    sos = signal.butter(4, [30, 150], btype="bandpass", fs=fs, output="sos")
    onsets = np.sort(rng.uniform(2, duration - 3, 400))
    onsets = onsets[np.concatenate([[True], np.diff(onsets) > 0.5])]
    muscle = 2.0 * rng.standard_normal(n)
    for o in onsets:
        m = int(rng.uniform(0.05, 0.3) * fs)
        z = signal.sosfilt(sos, rng.standard_normal(m + 256))[256:]
        muscle[int(o * fs):int(o * fs) + m] += z / np.std(z) * 40 * signal.windows.tukey(m, 0.3)
    y, _ = bandpass(muscle + cardiac(fs, 500.0), fs)
    ym, _ = bandpass(muscle, fs)
    ratio = np.percentile(np.abs(y - ym), 99.9) / np.percentile(np.abs(ym), 99.9)
    ecg = cardiac(256.0, 1000.0) + 15 * rng.standard_normal(int(duration * 256))

    def f1(found: np.ndarray) -> float:
        d = np.abs(found[:, None] - onsets[None, :])
        tp = int((d.min(axis=0) < 0.05).sum()) if found.size else 0
        return 2 * tp / (found.size + onsets.size)

    none = f1(detect_bursts(y, fs).onset.to_numpy())
    with_ecg = f1(detect_bursts(remove_ecg(y, fs, detect_r_peaks(ecg, 256.0)), fs).onset.to_numpy())
    own, note = find_r_peaks_in_emg(y, fs)
    own_f1 = f1(detect_bursts(remove_ecg(y, fs, own), fs).onset.to_numpy()) if own is not None \
        else float("nan")
    print(f"trunk channel, QRS/burst peak ratio {ratio:.1f}: burst F1 without removal {none:.3f}, "
          f"with the ECG channel {with_ecg:.3f} (target ≥ 0.9), from its own beats {own_f1:.3f}")
    print(f"  note without an ECG channel: {note}")


_SPEED_CODE = r"""
import json, resource, time, sys
import numpy as np
import somnomotor
from somnomotor.hypnogram import Hypnogram
from somnomotor.pipeline import score_recording_muscles
from somnomotor.signal.ecg import detect_r_peaks
path, hyp_path = sys.argv[1], sys.argv[2]
rec = somnomotor.read(path)
emg = rec.emg_channels()
t0 = time.perf_counter()
for ch in emg:
    rec.read(ch.label)
t_read = time.perf_counter() - t0
hyp = Hypnogram.from_labels(open(hyp_path).read().split())
t0 = time.perf_counter()
ecg = rec.channels_of_kind("ecg")[0]
peaks = detect_r_peaks(rec.read(ecg.label), ecg.fs)
res = score_recording_muscles(rec, hyp, r_peaks=peaks)
t_all = time.perf_counter() - t0
print(json.dumps({"channels": len(emg), "fs": emg[0].fs, "read_s": t_read, "muscles_s": t_all,
                  "events": int(len(res.events)),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _write_12_channel_night(path: Path, hyp_path: Path) -> None:
    import edfio

    from somnomotor.simulate import simulate_night

    night = simulate_night("polio_mixed", hours=8.0, seed=0, fs=512.0)
    rec = night.recording
    signals = []
    for ch in rec.channels:
        if ch.kind not in ("emg", "ecg"):
            continue
        signals.append(edfio.EdfSignal(rec.read(ch.label).astype(np.float64), ch.fs,
                                       label=ch.label, physical_dimension="uV"))
    extra = np.roll(rec.read("EMG MFD-r"), int(37 * 512)).astype(np.float64)
    signals.append(edfio.EdfSignal(extra, 512.0, label="Biceps R", physical_dimension="uV"))
    edfio.Edf(signals).write(path)
    hyp_path.write_text(" ".join(night.hypnogram.stages.tolist()))


def speed() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / "muscles-8h-512Hz-12emg.edf"
    hyp_path = FOLDER / "muscles-8h-512Hz-12emg.hyp.txt"
    if not path.exists() or not hyp_path.exists():
        t0 = time.perf_counter()
        _write_12_channel_night(path, hyp_path)
        print(f"(wrote {path.name} in {time.perf_counter() - t0:.0f} s)")
    out = subprocess.run([sys.executable, "-c", _SPEED_CODE, str(path), str(hyp_path)],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"8-h night, {r['channels']} EMG channels at {r['fs']:g} Hz: read {r['read_s']:.2f} s, "
          f"whole muscle analysis (read + R peaks + condition + ECG removal + bursts + "
          f"classifiers) {r['muscles_s']:.2f} s = {r['muscles_s'] / r['read_s']:.1f}× the read "
          f"(target < 6 s); peak RSS {r['peak_rss_mb']:.0f} MB (target < 1536 MB); "
          f"{r['events']} events")


def main() -> None:
    trunk_ecg()
    speed()
    accuracy()


if __name__ == "__main__":
    main()
