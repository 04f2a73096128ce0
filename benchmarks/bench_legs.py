"""Leg movements: accuracy on 8-hour simulated nights and the speed of the leg analysis.

Accuracy: for every leg scenario and a few seeds (200-512 Hz, 50/60 Hz mains,
with and without ECG bleed), LM event F1 against the simulator's truth and the
PLMS index next to the truth's (the truth LMs scored by the same WASM 2016
scorer); acceptance is F1 ≥ 0.95 and |error| ≤ max(1/h, 5 %).

Speed: an 8-hour night with both legs at 512 Hz (EDF written once into a
temporary folder), a given hypnogram: the wall time of the leg analysis from
the file to ``summary.json`` (read, condition, detect, score, write), with and
without ECG removal, and the whole ``somnomotor.analyze`` on the same file,
next to the time to just read the two leg channels; ratios.  Luna's WASM
``LM`` command needs about 110 s for the same work at 256 Hz.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import timed  # noqa: E402

FOLDER = Path(tempfile.gettempdir()) / "somnomotor-bench"
HOURS = 8.0
CASES = [
    # scenario, seed, fs, mains, extra settings
    ("polio_plms", 0, 512.0, 50.0, {}),
    ("polio_plms", 1, 200.0, 60.0, {"ecg_bleed": 4.0}),
    ("polio_mixed", 0, 256.0, 60.0, {}),
    ("polio_mixed", 1, 512.0, 50.0, {"channels": "LAT,RAT"}),  # no ECG channel
    ("polio_grm", 0, 200.0, 50.0, {}),
    ("polio_sleep_starts", 0, 256.0, 60.0, {}),
    ("healthy", 0, 256.0, 50.0, {}),
    ("rbd", 0, 512.0, 60.0, {}),
]
#: A hard night: 9-µV resting noise, many electrode pops, strong ECG bleed and mains hum;
#: scored with WASM's fixed margins and with the noise-adaptive option (Moore 2014).
NOISY = ("polio_plms", 2, 256.0, 50.0, {"noise.rest_uv": 9.0, "artifacts.pops_per_h": 30.0,
                                         "ecg_bleed": 3.0, "mains_uv": 40.0})


def _r_peaks(rec):  # type: ignore[no-untyped-def]
    from somnomotor.signal.condition import ecg_r_peaks

    return ecg_r_peaks(rec)[0]


def accuracy() -> None:
    from somnomotor.detect.legs import LegDetectParams, detect_leg_movements
    from somnomotor.evaluate import evaluate
    from somnomotor.score.legs import score_leg_movements
    from somnomotor.simulate.night import simulate_night

    print(f"accuracy on {HOURS:g}-h simulated nights (LM F1 vs truth; PLMS index /h)")
    print(f"{'scenario':<26}{'seed':>5}{'fs':>6}{'mains':>6}{'ECG':>5}{'LM':>6}{'found':>6}"
          f"{'F1':>7}{'PLMS truth':>12}{'PLMS found':>12}{'error':>8}  ok")
    runs = [(c, False) for c in CASES] + [(NOISY, False), (NOISY, True)]
    for (scenario, seed, fs, mains, extra), adaptive in runs:
        settings = {"channels": "LAT,RAT,ECG II", **extra}
        night = simulate_night(scenario, hours=HOURS, seed=seed, fs=fs, mains_hz=mains,
                               settings=settings)
        rec = night.recording
        peaks = _r_peaks(rec)
        lms, _ = detect_leg_movements(rec, LegDetectParams(noise_adaptive=adaptive),
                                      r_peaks=peaks)
        if extra is NOISY[4]:
            scenario = f"{scenario} noisy{' adapt' if adaptive else ''}"
        found = score_leg_movements(lms, hypnogram=night.hypnogram, scored_events=night.scored,
                                    recording_duration=rec.duration)
        truth_lm = night.truth[night.truth["kind"] == "lm"]
        truth = score_leg_movements(truth_lm, hypnogram=night.hypnogram,
                                    scored_events=night.scored, recording_duration=rec.duration)
        m = evaluate(night.truth, found.events, kinds=["lm"])["kinds"]["lm"]
        want, got = truth.summary["plms_index"], found.summary["plms_index"]
        err = got - want
        f1 = m["f1"]
        ok = (f1 is None or f1 >= 0.95) and abs(err) <= max(1.0, 0.05 * want)
        ecg = "yes" if peaks is not None else "no"
        f1s = "—" if f1 is None else f"{f1:.3f}"
        print(f"{scenario:<26}{seed:>5}{fs:>6.0f}{mains:>6.0f}{ecg:>5}{m['n_truth']:>6}"
              f"{m['n_detected']:>6}{f1s:>7}{want:>12.2f}{got:>12.2f}{err:>+8.2f}  "
              f"{'yes' if ok else 'NO'}", flush=True)


def _speed_file() -> tuple[Path, Path]:
    """An 8-h night (LAT, RAT, ECG II at 512 Hz) written once; and its hypnogram file."""
    from somnomotor.simulate.night import simulate_night
    from somnomotor.simulate.writer import write_night

    path = FOLDER / "legs_8h_512hz.edf"
    hyp_path = FOLDER / "legs_8h_512hz.hypnogram.txt"
    if not path.exists() or not hyp_path.exists():
        FOLDER.mkdir(parents=True, exist_ok=True)
        night = simulate_night("polio_plms", hours=HOURS, seed=7, fs=512.0, mains_hz=50.0,
                               settings={"channels": "LAT,RAT,ECG II"})
        write_night(night, path)
        hyp_path.write_text("\n".join(night.hypnogram.stages.tolist()) + "\n")
    return path, hyp_path


def speed() -> None:
    from somnomotor import read
    from somnomotor.detect.legs import LegDetectParams, detect_leg_movements
    from somnomotor.io import read_hypnogram
    from somnomotor.pipeline import AnalysisParams, analyze
    from somnomotor.score.legs import score_leg_movements

    path, hyp_path = _speed_file()
    out = FOLDER / "legs-summary.json"

    def read_two() -> None:
        rec = read(path)
        rec.read("LAT")
        rec.read("RAT")

    def legs(ecg: bool, threads: int = 2) -> dict:
        rec = read(path)
        hyp = read_hypnogram(hyp_path, rec)
        peaks = _r_peaks(rec) if ecg else None
        lms, _ = detect_leg_movements(rec, LegDetectParams(threads=threads), r_peaks=peaks)
        res = score_leg_movements(lms, hypnogram=hyp, scored_events=None,
                                  recording_duration=rec.duration)
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(res.summary, fh, allow_nan=False)
        return res.summary

    def whole() -> None:
        rec = read(path)
        analyze(rec, hypnogram=hyp_path, params=AnalysisParams.defaults(), staging="none")

    read_two()  # warm the page cache
    t_read, _ = timed(read_two, repeat=3)
    c0 = time.process_time()
    t_legs, summary = timed(lambda: legs(False), repeat=3)
    cpu_legs = (time.process_time() - c0) / 3
    t_legs1, _ = timed(lambda: legs(False, threads=1), repeat=2)
    t_ecg, _ = timed(lambda: legs(True), repeat=2)
    try:
        t_whole, _ = timed(whole, repeat=1)
    except Exception as exc:  # noqa: BLE001 - another part may be unfinished; report it
        t_whole = float("nan")
        print(f"(somnomotor.analyze failed: {type(exc).__name__}: {exc})")
    print(f"\nspeed: {HOURS:g}-h night, LAT+RAT at 512 Hz, hypnogram given "
          f"({summary['lm_count']} LM, PLMS index {summary['plms_index']:.1f}/h)")
    print(f"  read the two leg channels             {t_read:7.2f} s")
    print(f"  legs to summary.json (2 threads)      {t_legs:7.2f} s   ratio to read "
          f"{t_legs / t_read:5.1f}x   CPU {cpu_legs:.2f} s")
    print(f"  legs to summary.json (1 thread)       {t_legs1:7.2f} s   ratio to read "
          f"{t_legs1 / t_read:5.1f}x")
    print(f"  … with R peaks and ECG removal        {t_ecg:7.2f} s   ratio to read "
          f"{t_ecg / t_read:5.1f}x")
    print(f"  somnomotor.analyze (all scorers)      {t_whole:7.2f} s   ratio to read "
          f"{t_whole / t_read:5.1f}x")
    print(f"  target < 1.5 s for the leg analysis; Luna LM ≈ 110 s at 256 Hz "
          f"(≈ {110 / t_legs:.0f}x slower than this run)")


def main() -> None:
    speed()
    accuracy()


if __name__ == "__main__":
    main()
