"""Honest accuracy: every detector at each difficulty level, and per rule boundary.

``easy`` nights are the model's own (clean electrodes, nothing near a rule's
limit): their figures measure agreement with the model.  ``realistic`` and
``hard`` nights add movements placed at every WASM 2016 limit and what real
recordings carry (docs/model.md, "Difficulty levels").  The truth is the rules
applied to the inserted movements, so a miss is a detection error.

Seeds: the detector was developed on seeds 0-9; the figures printed here come
from seeds 100 and up, never looked at during development.

Legs: LM F1, PLM F1 and PLMS index error per level (targets: hard LM F1 ≥ 0.95
and |PLMS error| ≤ 1/h; realistic LM F1 ≥ 0.98), then per boundary class the
recall, precision and F1 of the event the rule decides (lm, clm or plm).
Muscles: each pattern's F1 per level with its target beside it.
Muscle probes: trains just inside and just outside the AASM frequency and count
limits of ALMA, hypnagogic foot tremor and rhythmic movements
(``simulate/muscle_probes.py``), per class and level: probes inside the limit
found (TP) or missed (FN), probes outside wrongly found (FP) and F1 (target
≥ 0.85, the pattern target of issue 5).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

LEVELS = ("easy", "realistic", "hard")
LEG_SEEDS = (100, 101, 102, 103)
LEG_HOURS = 8.0
LEG_SCENARIOS = ("polio_plms", "polio_mixed")
MUSCLE_SEEDS = (100,)
MUSCLE_HOURS = 3.0
MUSCLE_SCENARIOS = ("polio_mixed", "polio_sleep_starts", "rbd", "polio_grm")
#: Each pattern with its target F1 (issue 5: bursts ≥ 0.9, patterns ≥ 0.85).
MUSCLE_TARGETS = {"myoclonus": 0.9, "grm": 0.85, "hypnic_jerk": 0.85,
                  "propriospinal_myoclonus": 0.85, "morning_tonic": 0.85, "rem_tonic": 0.85,
                  "rem_phasic": 0.85}
#: The kind each boundary class decides, and whether side must agree.
BOUNDARY_KIND = {"same_leg_gap": "lm", "onset_amplitude": "lm", "min_duration": "lm",
                 "max_duration": "plm", "imi_10s": "plm", "imi_90s": "plm",
                 "bilateral_gap": "clm"}
MATCH_ON = {"lm": ("side",), "clm": ("side",), "plm": ("side",)}


def _f1(tp: int, fp: int, fn: int) -> float | None:
    return 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else None


def _fmt(v: float | None, spec: str = ".3f") -> str:
    return "—" if v is None else format(v, spec)


def _inside(df, lo, hi):  # type: ignore[no-untyped-def]
    """Rows of ``df`` whose onset lies in any window [lo, hi]."""
    on = df["onset"].to_numpy()
    return df[((on[:, None] >= lo[None, :]) & (on[:, None] <= hi[None, :])).any(axis=1)]


def leg_night(scenario: str, seed: int, level: str, hours: float = LEG_HOURS) -> dict[str, Any]:
    """Detect and score the legs of one night; counts against the truth, overall and per probe."""
    from somnomotor.detect.legs import detect_leg_movements
    from somnomotor.evaluate import evaluate
    from somnomotor.score.legs import score_leg_movements
    from somnomotor.signal.ecg import detect_r_peaks
    from somnomotor.simulate import simulate_night

    night = simulate_night(scenario, hours=hours, seed=seed, difficulty=level,
                           settings={"channels": "LAT,RAT,ECG II"})
    rec = night.recording
    peaks = detect_r_peaks(rec.read("ECG II"), rec.channel("ECG II").fs)
    lms, _ = detect_leg_movements(rec, r_peaks=peaks)
    found = score_leg_movements(lms, hypnogram=night.hypnogram, scored_events=night.scored,
                                recording_duration=rec.duration)
    t_lm = night.truth[night.truth["kind"] == "lm"].copy()
    t_lm.attrs["unscorable"] = lms.attrs.get("unscorable", [])
    truth = score_leg_movements(t_lm, hypnogram=night.hypnogram, scored_events=night.scored,
                                recording_duration=rec.duration)
    res = evaluate(truth.events, found.events, kinds=["lm", "clm", "plm"], match_on=MATCH_ON)
    out: dict[str, Any] = {"kinds": res["kinds"],
                           "plms": (truth.summary["plms_index"], found.summary["plms_index"]),
                           "tst_h": truth.details["hours"]["tst"],
                           "boundary": {}}
    te, fe = truth.events, found.events
    recorded = night.probes[night.probes["recorded"]
                            & night.probes["boundary"].isin(list(BOUNDARY_KIND))]
    for cls, probes in recorded.groupby("boundary"):
        kind = BOUNDARY_KIND[str(cls)]
        lo = probes["onset"].to_numpy() - 1.0
        hi = (probes["onset"] + probes["duration"]).to_numpy() + 1.0
        t_in, f_in = _inside(te, lo, hi), _inside(fe, lo, hi)
        r = evaluate(t_in, f_in, kinds=[kind], match_on=MATCH_ON)["kinds"][kind]
        # PLMs in sleep the detector adds (+) or loses (−) inside this class's windows.
        sleep = ("N1", "N2", "N3", "R")
        d_plms = int(((f_in["kind"] == "plm") & f_in["stage"].isin(sleep)).sum()
                     - ((t_in["kind"] == "plm") & t_in["stage"].isin(sleep)).sum())
        out["boundary"][str(cls)] = (r["tp"], r["fp"], r["fn"], len(probes), d_plms)
    return out


def legs() -> None:
    print(f"LEGS: {len(LEG_SEEDS)} seeds {LEG_SEEDS} (held out: development used seeds 0-9) "
          f"x {', '.join(LEG_SCENARIOS)}, {LEG_HOURS:g} h, LAT+RAT+ECG at 256 Hz")
    print(f"{'level':<10}{'LM F1':>7}{'LM rec':>8}{'LM prec':>8}{'CLM F1':>8}{'PLM F1':>8}"
          f"{'PLMS err max':>14}{'mean':>7}  targets")
    per_boundary: dict[str, dict[str, list[int]]] = {}
    tst_by_level: dict[str, float] = {}
    for level in LEVELS:
        tot: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        errs = []
        bnd: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        tst = 0.0
        for seed in LEG_SEEDS:
            for scenario in LEG_SCENARIOS:
                r = leg_night(scenario, seed, level)
                for k, m in r["kinds"].items():
                    tot[k][0] += m["tp"]
                    tot[k][1] += m["fp"]
                    tot[k][2] += m["fn"]
                want, got = r["plms"]
                errs.append(got - want)
                tst += r["tst_h"]
                for cls, counts in r["boundary"].items():
                    for i, c in enumerate(counts):
                        bnd[cls][i] += c
        per_boundary[level] = dict(bnd)
        tst_by_level[level] = tst
        lm = tot["lm"]
        rec_ = lm[0] / (lm[0] + lm[2]) if lm[0] + lm[2] else None
        prec = lm[0] / (lm[0] + lm[1]) if lm[0] + lm[1] else None
        worst = max(errs, key=abs)
        target = {"hard": "LM F1 ≥ 0.95, |PLMS err| ≤ 1/h", "realistic": "LM F1 ≥ 0.98",
                  "easy": "agreement with the model"}[level]
        print(f"{level:<10}{_fmt(_f1(*lm)):>7}{_fmt(rec_):>8}{_fmt(prec):>8}"
              f"{_fmt(_f1(*tot['clm'])):>8}{_fmt(_f1(*tot['plm'])):>8}{worst:>+14.2f}"
              f"{sum(errs) / len(errs):>+7.2f}  {target}", flush=True)
    print("\nper rule boundary (events inside the probes' windows; the kind the rule decides; "
          "PLMS error: PLMs in sleep found minus true, inside the windows, per hour of sleep "
          "of the nights, target ≤ 1/h):")
    print(f"{'level':<10}{'boundary':<17}{'kind':>5}{'probes':>7}{'TP':>5}{'FP':>4}{'FN':>4}"
          f"{'recall':>8}{'prec':>7}{'F1':>7}{'PLMS err/h':>12}")
    for level in ("realistic", "hard"):
        for cls in BOUNDARY_KIND:
            if cls not in per_boundary[level]:
                continue
            tp, fp, fn, n, d_plms = per_boundary[level][cls]
            rec_ = tp / (tp + fn) if tp + fn else None
            prec = tp / (tp + fp) if tp + fp else None
            err_h = d_plms / tst_by_level[level] if tst_by_level[level] else 0.0
            print(f"{level:<10}{cls:<17}{BOUNDARY_KIND[cls]:>5}{n:>7}{tp:>5}{fp:>4}{fn:>4}"
                  f"{_fmt(rec_):>8}{_fmt(prec):>7}{_fmt(_f1(tp, fp, fn)):>7}{err_h:>+12.3f}",
                  flush=True)


def muscles() -> None:
    from somnomotor.evaluate import evaluate
    from somnomotor.pipeline import score_recording_muscles as score_muscles
    from somnomotor.signal.ecg import detect_r_peaks
    from somnomotor.simulate import simulate_night

    print(f"\nMUSCLES: seeds {MUSCLE_SEEDS} (held out) x {', '.join(MUSCLE_SCENARIOS)}, "
          f"{MUSCLE_HOURS:g} h, all 16 channels at 256 Hz; F1 per pattern (target beside it)")
    kinds = list(MUSCLE_TARGETS)
    print(f"{'level':<10}" + "".join(f"{k[:13]:>14}" for k in kinds))
    for level in LEVELS:
        tot: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for seed in MUSCLE_SEEDS:
            for scenario in MUSCLE_SCENARIOS:
                night = simulate_night(scenario, hours=MUSCLE_HOURS, seed=seed, difficulty=level)
                rec = night.recording
                peaks = detect_r_peaks(rec.read("ECG II"), 256.0)
                res = score_muscles(rec, night.hypnogram, scored_events=night.scored,
                                    r_peaks=peaks)
                r = evaluate(night.truth, res.events, kinds=kinds)["kinds"]
                for k in kinds:
                    tot[k][0] += r[k]["tp"]
                    tot[k][1] += r[k]["fp"]
                    tot[k][2] += r[k]["fn"]
        cells = []
        for k in kinds:
            f = _f1(*tot[k])
            n = tot[k][0] + tot[k][2]
            cells.append(f"{_fmt(f, '.2f')}/{n}≥{MUSCLE_TARGETS[k]:.2f}")
        print(f"{level:<10}" + "".join(f"{c:>14}" for c in cells), flush=True)
    print("(cell: F1 / true events ≥ target; contraction detection = morning_tonic, rem_tonic)")


PROBE_SEEDS = (100, 101, 102, 103)
PROBE_HOURS = 8.0
PROBE_PER_H = 10.0
PROBE_CHANNELS = "LAT,RAT,Paraspinal,SCM L,Rectus Abd,ECG II"
PROBE_TARGET = 0.85


def probe_night(seed: int, level: str) -> dict[str, list[int]]:
    """Per muscle probe class: [TP, FN, FP, TN] of the class's kind on one night."""
    from somnomotor.pipeline import score_recording_muscles as score_muscles
    from somnomotor.signal.ecg import detect_r_peaks
    from somnomotor.simulate import simulate_night
    from somnomotor.simulate.muscle_probes import MUSCLE_PROBE_CLASSES

    night = simulate_night("polio_mixed", hours=PROBE_HOURS, seed=seed, difficulty=level,
                           settings={"channels": PROBE_CHANNELS,
                                     "muscle_probes.per_h": PROBE_PER_H})
    rec = night.recording
    peaks = detect_r_peaks(rec.read("ECG II"), rec.channel("ECG II").fs)
    found = score_muscles(rec, night.hypnogram, scored_events=night.scored, r_peaks=peaks).events
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    probes = night.probes[night.probes["recorded"]
                          & night.probes["boundary"].isin(list(MUSCLE_PROBE_CLASSES))]
    on = found["onset"].to_numpy()
    end = on + found["duration"].to_numpy()
    for p in probes.itertuples(index=False):
        kind = MUSCLE_PROBE_CLASSES[str(p.boundary)][0]
        hit = bool(((found["kind"] == kind).to_numpy()
                    & (on <= p.onset + p.duration + 1.0) & (end >= p.onset - 1.0)).any())
        out[str(p.boundary)][(0 if hit else 1) if p.inside else (2 if hit else 3)] += 1
    return dict(out)


def muscle_probes() -> None:
    from somnomotor.simulate.muscle_probes import MUSCLE_PROBE_CLASSES

    print(f"\nMUSCLE PROBES: seeds {PROBE_SEEDS} (held out) x polio_mixed, {PROBE_HOURS:g} h, "
          f"{PROBE_PER_H:g} probes/h, {PROBE_CHANNELS} at 256 Hz; per class: inside the limit "
          "found (TP) / missed (FN), outside found (FP) / not (TN)")
    print(f"{'level':<10}{'class':<18}{'kind':<24}{'in':>4}{'TP':>4}{'FN':>4}{'out':>5}{'FP':>4}"
          f"{'TN':>4}{'F1':>7}  target")
    for level in ("realistic", "hard"):
        tot: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for seed in PROBE_SEEDS:
            for cls, c in probe_night(seed, level).items():
                tot[cls] = [a + b for a, b in zip(tot[cls], c, strict=True)]
        for cls, (kind, _) in MUSCLE_PROBE_CLASSES.items():
            tp, fn, fp, tn = tot[cls]
            print(f"{level:<10}{cls:<18}{kind:<24}{tp + fn:>4}{tp:>4}{fn:>4}{fp + tn:>5}{fp:>4}"
                  f"{tn:>4}{_fmt(_f1(tp, fp, fn)):>7}  ≥ {PROBE_TARGET:.2f}", flush=True)


def main() -> None:
    t0 = time.perf_counter()
    legs()
    print(f"(legs took {time.perf_counter() - t0:.0f} s)")
    muscles()
    t1 = time.perf_counter()
    muscle_probes()
    print(f"(muscle probes took {time.perf_counter() - t1:.0f} s)")


if __name__ == "__main__":
    if sys.argv[1:] == ["legs"]:
        legs()
    elif sys.argv[1:] == ["probes"]:
        muscle_probes()
    else:
        main()
