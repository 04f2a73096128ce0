"""Issue 11, "one read, one conditioning": the whole job against a plain read-and-band-pass.

In ONE run, each measured 6× in a fresh Python process (interpreter start-up included,
as a user meets it), interleaved so that the shared machine's load falls on all alike,
medians printed.  Each round runs the four in a new (seeded) order: a process started
right after a heavy one meets a different machine (memory just freed, files just
written), and a fixed order would always hand that to the same job:

(a) the plain process: read the two leg channels of the 8-h, 512-Hz night and band-pass
    them (10–100 Hz, zero-phase Butterworth; nothing else);
(b) ``somnomotor analyze`` with every output (events.csv, summary.json, report.html,
    scored.edf, scored.xml, BIDS, Luna) of that night (LAT, RAT, chin, ECG, EEG at
    512 Hz), hypnogram and scored events given;
(c) the two-leg analysis alone: read, condition (the ECG's R peaks found meanwhile,
    for the cardiac artefact), detect and score the legs, write summary.json;
(d) the 8-h night with 12 EMG channels at 512 Hz: the whole analysis (wall, and its
    peak memory).

Each is printed with its ratio to (a) and the target of issue 11.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FOLDER = Path(tempfile.gettempdir()) / "somnomotor-bench"
REPEAT = 6

_PLAIN = r"""
import sys
import numpy as np
from scipy import signal
import somnomotor
rec = somnomotor.read(sys.argv[1])
sos = signal.butter(4, [10.0, 100.0], btype="bandpass", fs=512.0, output="sos")
for label in ("LAT", "RAT"):
    y = signal.sosfiltfilt(sos, rec.read(label))
"""

_LEGS = r"""
import json, sys
import somnomotor
from somnomotor.detect.legs import detect_leg_movements
from somnomotor.io import read_hypnogram
from somnomotor.score.legs import score_leg_movements
from somnomotor.signal.condition import r_peaks_meanwhile
rec = somnomotor.read(sys.argv[1])
peaks = r_peaks_meanwhile(rec)  # the ECG's beats, found while the legs are read and filtered
hyp = read_hypnogram(sys.argv[2], rec)
lms, _ = detect_leg_movements(rec, r_peaks=peaks)
res = score_leg_movements(lms, hypnogram=hyp, recording_duration=rec.duration)
with open(sys.argv[3], "w", encoding="utf-8") as fh:
    json.dump(res.summary, fh, allow_nan=False)
"""

_TWELVE = r"""
import json, sys, time
t0 = time.perf_counter()
import somnomotor
from somnomotor._util import reuse_freed_memory
from somnomotor.hypnogram import Hypnogram
t_import = time.perf_counter() - t0
reuse_freed_memory()  # the allocator setting `somnomotor analyze` opts in to (library code never does)
t0 = time.perf_counter()
rec = somnomotor.read(sys.argv[1])
hyp = Hypnogram.from_labels(open(sys.argv[2]).read().split())
res = somnomotor.analyze(rec, hypnogram=hyp, staging="none")
t_all = time.perf_counter() - t0
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print(json.dumps({"analyze_s": t_all, "import_s": t_import, "events": int(len(res.events)),
                  "channels": len(rec.emg_channels()), "peak_mb": int(hwm.split()[1]) / 1024}))
"""


def _night_files() -> tuple[Path, Path, Path]:
    """The 8-h, 512-Hz night (LAT, RAT, chin, ECG, EEG), its hypnogram and scored events."""
    path = FOLDER / "issue11-8h-512hz.edf"
    hyp = FOLDER / "issue11-8h-512hz.hypnogram.txt"
    events = FOLDER / "issue11-8h-512hz.events.csv"
    if not (path.exists() and hyp.exists() and events.exists()):
        from somnomotor.simulate.night import simulate_night
        from somnomotor.simulate.writer import write_night

        FOLDER.mkdir(parents=True, exist_ok=True)
        night = simulate_night("polio_plms", hours=8.0, seed=11, fs=512.0, mains_hz=50.0,
                               settings={"channels": "LAT,RAT,Chin1-Chin2,ECG II,C3-M2"})
        write_night(night, path)
        hyp.write_text("\n".join(night.hypnogram.stages.tolist()) + "\n")
        night.scored[["onset", "duration", "kind"]].to_csv(events, index=False)
    return path, hyp, events


def _twelve_files() -> tuple[Path, Path]:
    from bench_muscles import _write_12_channel_night

    path = FOLDER / "muscles-8h-512Hz-12emg.edf"
    hyp = FOLDER / "muscles-8h-512Hz-12emg.hyp.txt"
    if not path.exists() or not hyp.exists():
        FOLDER.mkdir(parents=True, exist_ok=True)
        _write_12_channel_night(path, hyp)
    return path, hyp


def _run(args: list[str]) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system, all threads) of a fresh process, and its output."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])}…: {out.stderr.strip()[-400:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, out.stdout


def main() -> None:
    path, hyp, events = _night_files()
    twelve, twelve_hyp = _twelve_files()
    somnomotor_cli = str(Path(sys.executable).with_name("somnomotor"))
    out_dir = FOLDER / "issue11-out"
    legs_json = FOLDER / "issue11-legs-summary.json"
    py = sys.executable
    jobs = {
        "plain": [py, "-c", _PLAIN, str(path)],
        "analyze": [somnomotor_cli, "analyze", str(path), "--hypnogram", str(hyp),
                    "--events", str(events), "--out", str(out_dir), "--no-staging",
                    "--export", "bids", "--export", "luna"],
        "legs": [py, "-c", _LEGS, str(path), str(hyp), str(legs_json)],
        "twelve": [py, "-c", _TWELVE, str(twelve), str(twelve_hyp)],
    }
    _run(jobs["plain"])  # warm the page cache for both files
    _run([py, "-c", "import sys, somnomotor; r = somnomotor.read(sys.argv[1]); "
          "[r.read(c.label) for c in r.channels if c.kind != 'annotation']", str(twelve)])
    walls: dict[str, list[float]] = {k: [] for k in jobs}
    cpus: dict[str, list[float]] = {k: [] for k in jobs}
    twelve_runs: list[dict] = []
    order = random.Random(11)
    for _ in range(REPEAT):
        names = list(jobs)
        order.shuffle(names)
        for name in names:
            wall, cpu, stdout = _run(jobs[name])
            walls[name].append(wall)
            cpus[name].append(cpu)
            if name == "twelve":
                twelve_runs.append(json.loads(stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    plain = med["plain"]
    an = statistics.median(r["analyze_s"] for r in twelve_runs)
    peak = max(r["peak_mb"] for r in twelve_runs)
    summary = json.loads((out_dir / "summary.json").read_text())
    print(f"8-h night at 512 Hz (LAT, RAT, chin, ECG, EEG), hypnogram and events given; "
          f"medians of {REPEAT} fresh processes, interleaved")
    print(f"  (a) plain: read LAT+RAT and band-pass       {plain:6.2f} s   1.00×")
    print(f"  (b) somnomotor analyze, every output       {med['analyze']:6.2f} s "
          f"{med['analyze'] / plain:6.2f}×   target ≤ 2.0× (aim 1.5×)"
          f"   [{summary['lm_count']} LM, PLMS {summary['plms_index']:.1f}/h]")
    print(f"  (c) the two-leg analysis alone             {med['legs']:6.2f} s "
          f"{med['legs'] / plain:6.2f}×   target ≤ 1.0×")
    print(f"  (d) 8-h night, {twelve_runs[0]['channels']} EMG at 512 Hz, analyze  "
          f"{med['twelve']:6.2f} s {med['twelve'] / plain:6.2f}×   (in-process analysis "
          f"{an:.2f} s, import {statistics.median(r['import_s'] for r in twelve_runs):.2f} s; "
          f"target ≤ 4 s) peak {peak:.0f} MB (target ≤ 1024 MB)")
    print("  CPU time (user + system, every thread; less sensitive to a loaded machine): "
          + "; ".join(f"{k} {v:.2f} s ({v / cpu['plain']:.2f}×)" for k, v in cpu.items()))
    print("  every run, wall (s): " + "; ".join(f"{k} " + ", ".join(f"{w:.2f}" for w in v)
                                          for k, v in walls.items()))


if __name__ == "__main__":
    main()
