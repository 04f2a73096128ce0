"""Issue 12: episode F1 of GRM, sleep starts, propriospinal and neck myoclonus on simulated nights.

Two figures per kind, to tell detection from definition:

* ``detected`` — the whole path: signals → conditioning → per-channel
  contractions (``detect/contractions.py``), cut into their jerks
  (``detect/bursts.contraction_parts``) → the classifiers of ``score/patterns.py``
  (neck myoclonus: the contraction rows whose ``pattern`` names it), against the
  truth.  The truth of these patterns is the same rules applied to every true
  activation (``simulate/pattern_truth.py``), so this measures detection;
* ``rules vs meant`` — that truth against the episodes the generators meant
  (``ModelNight.intended``): how far our rule is from the generator's idea of
  the pattern (Bruno's GRM, arm-only sleep starts, Montagna's propriospinal
  jerks).  Neck myoclonus has no generator's episodes of its own ("—").
  (Before the truth was made by the rules, this column ran the classifiers on
  the simulator's bursts against the generators' episodes: the same question.)

Nights: ``polio_grm_bruno`` (Bruno's GRM: single-muscle contractions wandering
over the body, slow grasps 1–3 s, arm flexions ~2 s, pectoral contractions
~5 s; neck myoclonus in REM), ``polio_grm`` (the older multi-muscle GRM),
``polio_sleep_starts`` (arm-only sleep starts, propriospinal myoclonus).
Seeds 100 and up (never looked at during development), ``easy`` level, no
background contractions (bench_episodes has them: the acceptance settings).

Run: ``PYTHONPATH=src python benchmarks/bench_patterns.py [hours] [n_seeds]``.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

SCENARIOS = ("polio_grm_bruno", "polio_grm", "polio_sleep_starts", "polio_mixed")
KINDS = ("grm", "hypnic_jerk", "propriospinal_myoclonus", "neck_myoclonus")


def _f1(tp: int, fp: int, fn: int) -> float | None:
    return 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else None


def main() -> None:
    from somnomotor.evaluate import evaluate
    from somnomotor.pipeline import score_recording_muscles
    from somnomotor.signal.ecg import detect_r_peaks
    from somnomotor.simulate import simulate_night
    from somnomotor.simulate.pattern_truth import RULE_KINDS

    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    n_seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    seeds = tuple(range(100, 100 + n_seeds))
    print(f"PATTERNS: seeds {seeds} (held out) x {', '.join(SCENARIOS)}, {hours:g} h, easy")
    print(f"{'scenario':<20}{'kind':<26}{'n_truth':>8}{'F1 detected':>13}{'rules vs meant':>17}")
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
            meant = night.intended
            # Neck myoclonus is the ``pattern`` of contraction rows (no kind of its own);
            # evaluate compares such a pattern as a kind.
            for how, ref, ev in (("detected", night.truth, res.events),
                                 ("truth", meant, night.truth)):
                r = evaluate(ref, ev, kinds=list(KINDS))["kinds"]
                for k in KINDS:
                    if how == "truth" and k not in RULE_KINDS:
                        continue
                    for i, f in enumerate(("tp", "fp", "fn")):
                        tot[(k, how)][i] += r[k][f]
                        grand[(k, how)][i] += r[k][f]
                    if how == "detected":
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
