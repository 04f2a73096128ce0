"""Issue 12: episode F1 of GRM, sleep starts, propriospinal and neck myoclonus on simulated nights.

Two figures per kind, to tell the pattern logic from the burst detection:

* ``detected`` — the whole path: signals → conditioning → per-channel
  contractions (``detect/contractions.py``), cut into their jerks
  (``detect/bursts.contraction_parts``) → the classifiers of ``score/patterns.py``
  (neck myoclonus: the contraction rows whose ``pattern`` names it);
* ``truth bursts`` — the same classifiers run on the simulator's own bursts
  (the contractions it inserted, recorded channels only): what the classifiers
  get right when every contraction is found, slow ones included.

Nights: ``polio_grm_bruno`` (Bruno's GRM: single-muscle contractions wandering
over the body, slow grasps 1–3 s, arm flexions ~2 s, pectoral contractions
~5 s; neck myoclonus in REM), ``polio_grm`` (the older multi-muscle GRM),
``polio_sleep_starts`` (arm-only sleep starts, propriospinal myoclonus).
Seeds 100 and up (never looked at during development), ``easy`` level.

Run: ``PYTHONPATH=src python benchmarks/bench_patterns.py [hours] [n_seeds]``.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

import pandas as pd

SCENARIOS = ("polio_grm_bruno", "polio_grm", "polio_sleep_starts", "polio_mixed")
KINDS = ("grm", "hypnic_jerk", "propriospinal_myoclonus", "neck_myoclonus")


def _f1(tp: int, fp: int, fn: int) -> float | None:
    return 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else None


def truth_bursts(scenario: str, hours: float, seed: int) -> pd.DataFrame:
    """The simulator's inserted bursts (same seed, same streams) as a burst table."""
    from somnomotor.simulate.model import run_model
    from somnomotor.simulate.scenarios import EMG_CHANNELS

    b = run_model(scenario, hours=hours, seed=seed).bursts
    return pd.DataFrame({
        "onset": b["onset"].astype(float), "duration": b["duration"].astype(float),
        "amplitude_uv": b["amplitude"].astype(float), "rest_uv": 2.0,
        "tonic": b["shape"].eq("tonic").to_numpy(), "channel": b["channel"].astype(str),
        "muscle": [EMG_CHANNELS[c][0] for c in b["channel"]],
        "side": [EMG_CHANNELS[c][1] for c in b["channel"]],
        "region": [EMG_CHANNELS[c][2] for c in b["channel"]],
    }).reset_index(drop=True)


def classify(bursts: pd.DataFrame, hyp, duration: float):  # type: ignore[no-untyped-def]
    """The pattern classifiers of score_muscles on a burst table (no signals)."""
    from somnomotor.events import concat_events, make_events
    from somnomotor.score.patterns import (
        PatternParams,
        score_grm,
        score_hypnic_jerks,
        score_neck_myoclonus,
        score_propriospinal_myoclonus,
    )

    p = PatternParams()
    b = bursts.copy()
    b["stage"] = hyp.stage_at(b["onset"].to_numpy(float))
    pb = b[~b["region"].isin(p.exclude_regions)].reset_index(drop=True)
    prop, used_prop = score_propriospinal_myoclonus(pb, hyp, p)
    grm, used_grm = score_grm(pb, hyp, p, exclude=used_prop)
    hj, _ = score_hypnic_jerks(pb, hyp, p, exclude=used_prop | used_grm)
    neck, _ = score_neck_myoclonus(pb, hyp, p, neck_channels=int((b["region"] == "neck").any()))
    return concat_events([make_events(t) for t in (prop, grm, hj, neck) if len(t)])


def main() -> None:
    from somnomotor.evaluate import evaluate
    from somnomotor.pipeline import score_recording_muscles
    from somnomotor.signal.ecg import detect_r_peaks
    from somnomotor.simulate import simulate_night

    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    n_seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    seeds = tuple(range(100, 100 + n_seeds))
    print(f"PATTERNS: seeds {seeds} (held out) x {', '.join(SCENARIOS)}, {hours:g} h, easy")
    print(f"{'scenario':<20}{'kind':<26}{'n_truth':>8}{'F1 detected':>13}{'F1 truth bursts':>17}")
    grand: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for scenario in SCENARIOS:
        tot: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        n_truth: dict[str, int] = defaultdict(int)
        for seed in seeds:
            t0 = time.perf_counter()
            night = simulate_night(scenario, hours=hours, seed=seed)
            rec = night.recording
            peaks = detect_r_peaks(rec.read("ECG II"), 256.0)
            res = score_recording_muscles(rec, night.hypnogram, scored_events=night.scored,
                                          r_peaks=peaks)
            ideal = classify(truth_bursts(scenario, hours, seed), night.hypnogram, rec.duration)
            # Neck myoclonus is the ``pattern`` of contraction rows (no kind of its own);
            # evaluate compares such a pattern as a kind.
            for how, ev in (("detected", res.events), ("truth", ideal)):
                r = evaluate(night.truth, ev, kinds=list(KINDS))["kinds"]
                for k in KINDS:
                    for i, f in enumerate(("tp", "fp", "fn")):
                        tot[(k, how)][i] += r[k][f]
                        grand[(k, how)][i] += r[k][f]
                    if how == "truth":
                        n_truth[k] += r[k]["n_truth"]
            print(f"  ({scenario} seed {seed}: {time.perf_counter() - t0:.0f} s)", flush=True)
        for k in KINDS:
            if not n_truth[k] and not tot[(k, "detected")][1]:
                continue
            fd, ft = _f1(*tot[(k, "detected")]), _f1(*tot[(k, "truth")])
            print(f"{scenario:<20}{k:<26}{n_truth[k]:>8}"
                  f"{'—' if fd is None else f'{fd:.2f}':>13}{'—' if ft is None else f'{ft:.2f}':>17}"
                  f"   tp/fp/fn {tot[(k, 'detected')]} | {tot[(k, 'truth')]}", flush=True)
    print("all nights:")
    for k in KINDS:
        fd, ft = _f1(*grand[(k, "detected")]), _f1(*grand[(k, "truth")])
        print(f"  {k:<26}{'—' if fd is None else f'{fd:.2f}':>13}{'—' if ft is None else f'{ft:.2f}':>17}")


if __name__ == "__main__":
    main()
