"""Healthy sleepers as Frauscher et al. (Sleep 2014;37:763-773) measured them.

A simulated cohort of healthy sleepers (``somnomotor.simulate.healthy_population``:
ages 19-77, 60 % women, each with their own PLMS, fragmentary myoclonus, neck
myoclonus and REM chin activity) is simulated night by night — 8 h, the
channels the figures need (both tibialis anterior, both FDS, the neck, the chin,
and the ECG that lets the analyser take the cardiac artefact out of the neck)
at 200 Hz — and every night is analysed by the project's own analyser
(``somnomotor.analyze``).  Printed: each figure of the paper beside the
cohort's, and how often a healthy sleeper lies above each healthy 90th
percentile (it should be about 10 %).

Figures measured by the analyser:

* PLMS index — ``plms_index`` (WASM 2016);
* FM index — ``fragmentary_index``: potentials ≤ 150 ms in every sleep stage per
  hour of sleep (limb and neck channels); excessive FM (AASM) —
  ``fragmentary_myoclonus_minutes`` > 0;
* neck myoclonus — myoclonus events of the neck muscle in REM per hour of REM
  (the paper saw them in the chin and EEG as movement artefacts; a neck
  channel measures them directly);
* phasic / tonic mentalis activity — ``rem_phasic_percent`` / ``rem_tonic_percent``
  (AASM, 30-s epochs);
* high-frequency leg movements — ``hypnagogic_foot_tremor_count``: trains of
  ≥ 4 bursts at 0.3-4 Hz in one leg (AASM v2.6 hypnagogic foot tremor; the
  paper's HFLM, Wichniak et al. 2001 / Yang & Winkelman 2010, are the same
  trains counted as sequences a night).

Usage: ``python benchmarks/bench_healthy.py [NIGHTS]`` (default 60; two processes).
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

NIGHTS = 60
HOURS = 8.0
FS = 200.0
CHANNELS = "LAT,RAT,EMG MFD-l,EMG MFD-r,SCM L,Chin1-Chin2,ECG II"
COHORT_SEED = 2014
PROCESSES = 2


def measure(person: Any) -> dict[str, Any]:
    """Simulate one healthy sleeper's night and measure it with the analyser."""
    from somnomotor.pipeline import analyze
    from somnomotor.simulate import simulate_night

    settings = dict(person.settings) | {"channels": CHANNELS}
    night = simulate_night("healthy", hours=HOURS, seed=person.seed, fs=FS, settings=settings)
    result = analyze(night.recording)
    s = result.summary
    ev = result.events
    neck = ev[(ev["kind"] == "myoclonus") & (ev["muscle"] == "scm") & (ev["stage"] == "R")]
    rem_h = (s.get("rem_min") or 0.0) / 60.0
    return {
        "seed": person.seed, "age": person.age, "sex": person.sex, "targets": person.targets,
        "plms_index": float(s["plms_index"]),
        "fm_index": float(s.get("fragmentary_index") or 0.0),
        "efm": bool((s.get("fragmentary_myoclonus_minutes") or 0.0) > 0),
        "neck_count": len(neck),
        "neck_index": len(neck) / rem_h if rem_h > 0 else float("nan"),
        "phasic_percent": float(s.get("rem_phasic_percent") or 0.0),
        "tonic_percent": float(s.get("rem_tonic_percent") or 0.0),
        "hflm": float(s.get("hypnagogic_foot_tremor_count") or 0),
        "hflm_truth": int((night.truth["kind"] == "hypnagogic_foot_tremor").sum()),
    }


def run_cohort(n: int) -> list[dict[str, Any]]:
    from somnomotor.simulate import healthy_population

    people = healthy_population(n, seed=COHORT_SEED)
    with ProcessPoolExecutor(max_workers=PROCESSES) as pool:
        return list(pool.map(measure, people))


def _pct(x: float) -> str:
    return f"{100.0 * x:5.0f} %"


def report(rows: list[dict[str, Any]]) -> None:
    from somnomotor.simulate.population import FRAUSCHER_2014 as P

    n = len(rows)
    col = {k: np.array([r[k] for r in rows], dtype=float)
           for k in ("plms_index", "fm_index", "neck_index", "phasic_percent",
                     "tonic_percent", "neck_count", "age", "hflm")}
    efm = np.array([r["efm"] for r in rows])
    men = np.array([r["sex"] == "male" for r in rows])
    q90 = {k: float(np.nanpercentile(v, 90)) for k, v in col.items()}
    lines: list[tuple[str, str, str]] = [
        ("PLMS index > 5/h", _pct(P["plms_over_5_fraction"]),
         _pct(np.mean(col["plms_index"] > 5))),
        ("PLMS index > 15/h", _pct(P["plms_over_15_fraction"]),
         _pct(np.mean(col["plms_index"] > 15))),
        ("PLMS index, 90th percentile (/h)", f"{P['plms_p90']:7.1f}", f"{q90['plms_index']:7.1f}"),
        ("FM present (any potential)", _pct(P["fm_any_fraction"]),
         _pct(np.mean(col["fm_index"] > 0))),
        ("FM index, median (/h of sleep)", f"{P['fm_median']:7.1f}",
         f"{float(np.median(col['fm_index'])):7.1f}"),
        ("FM index, 90th percentile (/h of sleep)", f"{P['fm_p90']:7.1f}",
         f"{q90['fm_index']:7.1f}"),
        ("FM index, median men / women", "39.9 / 20.3",
         f"{float(np.median(col['fm_index'][men])):.1f} / "
         f"{float(np.median(col['fm_index'][~men])):.1f}"),
        ("excessive FM (AASM)", _pct(P["efm_fraction"]), _pct(float(np.mean(efm)))),
        ("HFLM present", _pct(P["hflm_any_fraction"]), _pct(np.mean(col["hflm"] > 0))),
        ("HFLM, 90th percentile (sequences/night)", f"{P['hflm_p90']:7.1f}",
         f"{q90['hflm']:7.1f}"),
        ("neck myoclonus present", _pct(P["neck_any_fraction"]),
         _pct(np.mean(col["neck_count"] > 0))),
        ("neck myoclonus, 90th percentile (/h REM)", f"{P['neck_p90']:7.1f}",
         f"{q90['neck_index']:7.1f}"),
        ("phasic mentalis (AASM), 90th percentile", f"{P['phasic_p90']:6.1f} %",
         f"{q90['phasic_percent']:6.1f} %"),
        ("phasic mentalis > 11 %", _pct(P["phasic_over_11_fraction"]),
         _pct(np.mean(col["phasic_percent"] > 11))),
        ("tonic mentalis (AASM), 90th percentile", f"{P['tonic_p90']:6.1f} %",
         f"{q90['tonic_percent']:6.1f} %"),
        ("tonic mentalis > 9.6 %", _pct(P["tonic_over_9_6_fraction"]),
         _pct(np.mean(col["tonic_percent"] > 9.6))),
    ]
    print(f"\nhealthy cohort: {n} simulated nights ({int(men.sum())} men, {n - int(men.sum())} "
          f"women, age {col['age'].min():.0f}-{col['age'].max():.0f}), {HOURS:g} h at "
          f"{FS:g} Hz, measured by somnomotor.analyze")
    print(f"{'figure':<42}{'Frauscher 2014':>16}   {'simulated cohort':<20}")
    for name, paper, ours in lines:
        print(f"{name:<42}{paper:>16}   {ours}")
    print("\nflagged above each healthy 90th percentile of the paper (should be about 10 %):")
    flags = [("PLMS index > 24.8/h", col["plms_index"] > P["plms_p90"]),
             ("FM index > 143.7/h", col["fm_index"] > P["fm_p90"]),
             ("neck myoclonus > 8.8/h REM", col["neck_index"] > P["neck_p90"]),
             ("phasic mentalis > 15.6 %", col["phasic_percent"] > P["phasic_p90"]),
             ("tonic mentalis > 2.6 %", col["tonic_percent"] > P["tonic_p90"]),
             ("HFLM > 4 sequences/night", col["hflm"] > P["hflm_p90"])]
    for name, mask in flags:
        print(f"  {name:<32}{_pct(float(np.mean(mask)))}")
    any_flag = np.any(np.column_stack([m for _, m in flags]), axis=1)
    print(f"  {'any of these':<32}{_pct(float(np.mean(any_flag)))}"
          "  (independent figures: 1 - 0.9^6 = 47 %)")
    # HFLM, night by night: the analyser's trains against the trains the night holds.
    h_true = np.array([r["hflm_truth"] for r in rows])
    print(f"  HFLM nights: {int((h_true > 0).sum())} of {n} hold foot tremor trains (truth), "
          f"the analyser finds trains in {int((col['hflm'] > 0).sum())}; in "
          f"{int(((col['hflm'] > 0) & (h_true == 0)).sum())} nights without any; trains "
          f"found / made {int(col['hflm'].sum())} / {int(h_true.sum())}")
    # Person by person: the analyser against the person's own (drawn) figures.
    for key in ("plms_index", "fm_index", "phasic_percent", "hflm"):
        t = np.array([r["targets"]["hflm_per_night" if key == "hflm" else key] for r in rows])
        m = col[key]
        ok = t > 1.0
        if ok.sum() >= 5:
            ratio = np.median(m[ok] / t[ok])
            print(f"  measured / drawn {key}: median ratio {ratio:.2f} over {int(ok.sum())} "
                  "sleepers")


def main(n: int = NIGHTS) -> None:
    t0 = time.perf_counter()
    rows = run_cohort(n)
    report(rows)
    print(f"({n} nights simulated and analysed in {time.perf_counter() - t0:.0f} s, "
          f"{PROCESSES} processes)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else NIGHTS)
