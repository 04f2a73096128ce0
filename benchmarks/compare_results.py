"""Before/after: the same simulated nights analysed by two source trees, differences printed.

A speed change must not change what is found (issue 11: "every result is
unchanged").  This script simulates a handful of nights (several scenarios and
seeds, 256 and 512 Hz, 50 and 60 Hz mains, with and without an ECG channel,
``--difficulty hard`` among them), runs ``somnomotor.analyze`` on each in a
fresh process once with the *before* tree's sources and once with the *after*
tree's, and prints per night and event kind: the counts, how many events match
(same channel and kind, onset and offset within ``--tolerance`` s), the largest
onset/offset difference among the matched ones, and every summary figure that
differs.  Nothing is asserted: it is read, and the differences are explained.

Usage::

    python benchmarks/compare_results.py --before /work/main/src [--after src] [--hours 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FOLDER = Path(tempfile.gettempdir()) / "somnomotor-compare"

#: (name, scenario, seed, fs, mains, difficulty, channels or "" for the simulator's all)
NIGHTS: tuple[tuple[str, str, int, float, float, str, str], ...] = (
    ("plms-512", "polio_plms", 11, 512.0, 50.0, "easy", "LAT,RAT,Chin1-Chin2,ECG II,C3-M2"),
    ("mixed-256", "polio_mixed", 1, 256.0, 50.0, "easy", ""),
    ("mixed-512-hard", "polio_mixed", 2, 512.0, 60.0, "hard", ""),
    ("grm-256-hard", "polio_grm", 3, 256.0, 50.0, "hard", ""),
    ("rbd-200-noecg", "rbd", 4, 200.0, 60.0, "realistic",
     "LAT,RAT,Chin1-Chin2,Intercostal R,Pectoral R,Deltoid L,C3-M2"),
    ("healthy-512-noecg", "healthy", 5, 512.0, 50.0, "easy",
     "LAT,RAT,Chin1-Chin2,Rectus Abd,SCM L,C3-M2"),
    ("starts-256", "polio_sleep_starts", 6, 256.0, 50.0, "hard", ""),
)

_CHILD = r"""
import json, sys
import somnomotor
rec = somnomotor.read(sys.argv[1])
res = somnomotor.analyze(rec, hypnogram=sys.argv[2], staging="none")
ev = res.events
ev.to_csv(sys.argv[3] + ".events.csv", index=False)
res.quality.to_csv(sys.argv[3] + ".quality.csv", index=False)
with open(sys.argv[3] + ".summary.json", "w", encoding="utf-8") as fh:
    json.dump(res.summary, fh, allow_nan=False)
"""


def _night(name: str, scenario: str, seed: int, fs: float, mains: float, difficulty: str,
           channels: str, hours: float) -> tuple[Path, Path]:
    edf = FOLDER / f"{name}-{hours:g}h.edf"
    hyp = FOLDER / f"{name}-{hours:g}h.hypnogram.txt"
    if not (edf.exists() and hyp.exists()):
        from somnomotor.simulate.night import simulate_night
        from somnomotor.simulate.writer import write_night

        FOLDER.mkdir(parents=True, exist_ok=True)
        settings = {"channels": channels} if channels else None
        night = simulate_night(scenario, hours=hours, seed=seed, fs=fs, mains_hz=mains,
                               settings=settings, difficulty=difficulty)
        write_night(night, edf)
        hyp.write_text("\n".join(night.hypnogram.stages.tolist()) + "\n")
    return edf, hyp


def _analyse(src: str, edf: Path, hyp: Path, out: Path) -> None:
    env = dict(os.environ, PYTHONPATH=src)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(edf), str(hyp), str(out)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{src} on {edf.name}: {done.stderr.strip()[-600:]}")


def _match(a, b, tol: float) -> tuple[int, float, float]:  # noqa: ANN001 - DataFrames
    """Matched events (same channel, onset and offset within tol) and the largest differences."""
    import numpy as np

    matched, d_on, d_off = 0, 0.0, 0.0
    if not len(a) or not len(b):
        return 0, 0.0, 0.0
    def keys(t):  # noqa: ANN001, ANN202 - channel (or none) as text
        return (t["channel"].fillna("").astype(str).to_numpy() if "channel" in t.columns
                else np.full(len(t), ""))

    ka, kb = keys(a), keys(b)
    for ch in np.unique(ka):
        ga, gb = a[ka == ch], b[kb == ch]
        if not len(gb):
            continue
        ob = gb["onset"].to_numpy(float)
        db = gb["duration"].fillna(0).to_numpy(float)
        used = np.zeros(ob.size, bool)
        for on, du in zip(ga["onset"].to_numpy(float), ga["duration"].fillna(0).to_numpy(float),
                          strict=True):
            # offsets compared as onset and duration: (on + du) - on need not equal du
            d_end = np.abs((ob - on) + (db - du))
            j = np.flatnonzero(~used & (np.abs(ob - on) <= tol) & (d_end <= tol))
            if j.size:
                k = j[np.argmin(np.abs(ob[j] - on))]
                used[k] = True
                matched += 1
                d_on = max(d_on, abs(ob[k] - on))
                d_off = max(d_off, float(d_end[k]))
    return matched, d_on, d_off


def _flat(d: object, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flat(v, f"{prefix}{k}."))
    else:
        out[prefix[:-1]] = d
    return out


def _differs(x: object, y: object, rel: float) -> bool:
    if isinstance(x, int | float) and isinstance(y, int | float) and not isinstance(x, bool):
        if math.isnan(float(x)) and math.isnan(float(y)):
            return False
        return abs(float(x) - float(y)) > rel * max(1.0, abs(float(x)), abs(float(y)))
    return x != y


def compare(before: Path, after: Path, tol: float, rel: float) -> int:
    """Print the differences of one night; the number of differing lines."""
    import pandas as pd

    ea = pd.read_csv(str(before) + ".events.csv")
    eb = pd.read_csv(str(after) + ".events.csv")
    n = 0
    for kind in sorted(set(ea["kind"]) | set(eb["kind"])):
        a, b = ea[ea["kind"] == kind], eb[eb["kind"] == kind]
        m, d_on, d_off = _match(a, b, tol)
        same = m == len(a) == len(b)
        if not same or d_on > 0 or d_off > 0:
            n += 0 if same else 1
            print(f"    {kind:28s} before {len(a):5d}  after {len(b):5d}  matched {m:5d}"
                  f"  max |Δonset| {d_on:.4f} s  max |Δoffset| {d_off:.4f} s"
                  + ("" if same else "   <-- differs"))
    sa = _flat(json.loads(Path(str(before) + ".summary.json").read_text()))
    sb = _flat(json.loads(Path(str(after) + ".summary.json").read_text()))
    skip = ("provenance.software_version", "provenance.input_file")
    for k in sorted(set(sa) | set(sb)):
        if k.startswith(skip):
            continue
        if _differs(sa.get(k), sb.get(k), rel):
            n += 1
            print(f"    summary {k}: {sa.get(k)!r} -> {sb.get(k)!r}")
    qa = pd.read_csv(str(before) + ".quality.csv")
    qb = pd.read_csv(str(after) + ".quality.csv")
    if list(qa.columns) != list(qb.columns) or len(qa) != len(qb):
        n += 1
        print("    quality table: columns or rows differ")
    else:
        for col in qa.columns:
            for i, (x, y) in enumerate(zip(qa[col].tolist(), qb[col].tolist(), strict=True)):
                xv = x if not isinstance(x, float) or not math.isnan(x) else None
                yv = y if not isinstance(y, float) or not math.isnan(y) else None
                if _differs(xv, yv, rel) if xv is not None and yv is not None else xv != yv:
                    n += 1
                    print(f"    quality {qa.get('channel', qa.index)[i]} {col}: {x!r} -> {y!r}")
    return n


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the 'before' tree's src folder")
    ap.add_argument("--after", default=str(here / "src"), help="the 'after' tree's src folder")
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--tolerance", type=float, default=0.0,
                    help="onset/offset tolerance (s) for a matched event (default: exact)")
    ap.add_argument("--relative", type=float, default=1e-9,
                    help="summary figures differing by less than this (relative) are equal")
    ap.add_argument("--only", nargs="*", help="night names")
    ap.add_argument("--reuse-before", action="store_true",
                    help="keep the 'before' results of an earlier run when present")
    args = ap.parse_args(argv)
    total = 0
    for name, scen, seed, fs, mains, diff, chans in NIGHTS:
        if args.only and name not in args.only:
            continue
        edf, hyp = _night(name, scen, seed, fs, mains, diff, chans, args.hours)
        outs = []
        for tag, src in (("before", args.before), ("after", args.after)):
            out = FOLDER / f"{name}-{args.hours:g}h.{tag}"
            if not (tag == "before" and args.reuse_before
                    and Path(str(out) + ".summary.json").exists()):
                _analyse(src, edf, hyp, out)
            outs.append(out)
        print(f"{name} ({scen}, seed {seed}, {fs:g} Hz, {mains:g} Hz mains, {diff}, "
              f"{args.hours:g} h):", flush=True)
        n = compare(outs[0], outs[1], args.tolerance, args.relative)
        print("    identical" if n == 0 else f"    {n} difference(s)", flush=True)
        total += n
    print(f"total: {total} difference(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
