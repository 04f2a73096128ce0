"""Automatic staging on an 8-hour simulated night: agreement and time.

Prints Cohen's κ and accuracy of YASA's automatic stages against the
simulator's hypnogram (no threshold: the simulated EEG is not real EEG), the
confusion matrix, the time to stage the night, and next to it the time of the
movement analysis of the same night.  Uses ``somnomotor.simulate`` when it is
present, else the deterministic synthetic night of the staging tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import self_peak_rss_mb, timed  # noqa: E402

HOURS = 8.0
STAGES = ("W", "N1", "N2", "N3", "R")


def _night():  # type: ignore[no-untyped-def]
    """(recording, reference hypnogram, what) for an 8-hour night."""
    try:
        from somnomotor.simulate import simulate_night
    except ImportError:
        simulate_night = None
    if simulate_night is not None:
        night = simulate_night("polio_mixed", hours=HOURS, seed=1)
        return night.recording, night.hypnogram, "simulate_night('polio_mixed', hours=8, seed=1)"
    conftest = Path(__file__).resolve().parents[1] / "tests" / "staging" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_staging_builders", conftest)
    assert spec and spec.loader
    builders = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builders)
    from somnomotor.hypnogram import Hypnogram

    plan = builders.SYNTHETIC_PLAN * int(HOURS * 120 // len(builders.SYNTHETIC_PLAN))
    rec = builders.build_synthetic_night(plan=plan, fs=256.0)
    return rec, Hypnogram.from_labels(plan, source="synthetic"), \
        "tests/staging builder (somnomotor.simulate not available)"


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b, labels=list(STAGES)))


def _analysis_time(recording, hypnogram) -> tuple[float | None, str]:  # type: ignore[no-untyped-def]
    """Wall time (s) of the movement analysis with stages given (no staging inside)."""
    try:
        from somnomotor.pipeline import analyze

        seconds, _ = timed(lambda: analyze(recording, hypnogram=hypnogram, staging="none"))
        return seconds, "somnomotor.pipeline.analyze"
    except Exception as exc:  # noqa: BLE001 - a part still missing must not stop the benchmark
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        first = (f"{type(exc).__name__}: {exc}".splitlines()[0][:100]
                 + f" at {Path(where.filename).name}:{where.lineno}")
        try:
            from somnomotor.detect.legs import LegDetectParams, detect_leg_movements

            seconds, _ = timed(lambda: detect_leg_movements(recording, LegDetectParams()))
            return seconds, f"leg detector only (analyze failed: {first})"
        except Exception as exc2:  # noqa: BLE001
            return None, f"not measured (analyze: {first}; legs: {type(exc2).__name__})"


def main() -> None:
    from somnomotor.staging import stage_automatically, staging_confidence

    build_s, (rec, reference, what) = timed(_night)
    print(f"night: {what}; {rec.duration / 3600:.2f} h, built in {build_s:.1f} s")

    rss_before = self_peak_rss_mb()
    stage_s, staged = timed(lambda: stage_automatically(rec))
    rss_after = self_peak_rss_mb()
    n = min(len(staged), len(reference))
    auto, ref = staged.stages[:n], reference.stages[:n]
    both = (auto != "?") & (ref != "?")
    kappa = _kappa(ref[both], auto[both])
    accuracy = float((ref[both] == auto[both]).mean())
    print(f"epochs compared: {int(both.sum())} of {n}")
    print(f"Cohen's kappa vs reference hypnogram: {kappa:.3f}   accuracy: {accuracy:.3f}   "
          f"mean confidence: {staging_confidence(staged):.3f}")
    print("confusion (rows reference, columns automatic): " + " ".join(f"{s:>5}" for s in STAGES))
    for s in STAGES:
        row = [int(np.count_nonzero((ref[both] == s) & (auto[both] == t))) for t in STAGES]
        print(f"{'':49}{s:>3}  " + " ".join(f"{v:5d}" for v in row))

    analysis_s, how = _analysis_time(rec, reference)
    per_hour = stage_s / (rec.duration / 3600)
    print(f"time to stage the night: {stage_s:.1f} s ({per_hour:.2f} s per hour of recording; "
          "first call in this process, so it includes the one-time numba compilation and "
          "model loading)")
    if analysis_s is None:
        print(f"movement analysis: {how}")
    else:
        print(f"movement analysis ({how}): {analysis_s:.1f} s; "
              f"staging / analysis = {stage_s / analysis_s:.2f}")
    print(f"peak RSS: {rss_before:.0f} MiB before staging (night in memory), "
          f"{rss_after:.0f} MiB after (staging added {rss_after - rss_before:.0f} MiB)")


if __name__ == "__main__":
    main()
