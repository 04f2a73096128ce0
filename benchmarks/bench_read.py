"""Reading an 8-hour, 12-channel, 512-Hz EDF: somnomotor (edfio header + memmap)
against pyEDFlib and edfio alone, beside a plain sequential read of the bytes.

Each measurement runs in a fresh Python process (time, peak RSS).  The file is
made once with edfio into a temporary folder and reused; the page cache is warm
for every reader alike (a warm-up read precedes the measurements).
A 1-hour BDF shows the 24-bit path (edfio loads whole BDF files).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import peak_rss_mb_of  # noqa: E402,F401  (kept for the shared style)

HOURS, CHANNELS, FS = 8, 12, 512
LABELS = ["LAT", "RAT", "Chin1-Chin2", "EMG MFD-l", "EMG MFD-r", "Deltoid L", "Intercostal R",
          "Rectus Abd", "Paraspinal", "SCM L", "ECG II", "C4-M1"]
FOLDER = Path(tempfile.gettempdir()) / "somnomotor-bench"


def make_file(hours: float, bdf: bool) -> Path:
    """A night of noise written once with edfio (12 channels at 512 Hz)."""
    import edfio

    path = FOLDER / f"night_{hours:g}h_{CHANNELS}ch_{FS}hz.{'bdf' if bdf else 'edf'}"
    if path.exists():
        return path
    FOLDER.mkdir(parents=True, exist_ok=True)
    if os.environ.get("_SOMNOMOTOR_BENCH_CHILD") != "1":
        # Written by a child process so that this one stays small.
        code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                f"import bench_read; bench_read.make_file({hours!r}, {bdf!r})")
        subprocess.run([sys.executable, "-c", code], check=True,
                       env={**os.environ, "_SOMNOMOTOR_BENCH_CHILD": "1"})
        return path
    n = int(hours * 3600 * FS)
    rng = np.random.default_rng(0)
    cls = edfio.BdfSignal if bdf else edfio.EdfSignal
    dmax = 8388607 if bdf else 32767
    signals = []
    for label in LABELS:
        digital = rng.integers(-2000, 2000, n, dtype=np.int32 if bdf else np.int16)
        signals.append(cls.from_digital(digital, FS, physical_range=(-3000, 3000),
                                        digital_range=(-dmax - 1, dmax), label=label,
                                        physical_dimension="uV"))
        del digital
    rec = (edfio.Bdf if bdf else edfio.Edf)(signals)
    tmp = path.with_suffix(".part")
    rec.write(tmp)
    os.replace(tmp, path)
    return path


_RUNNER = """
import subprocess, sys, time
def _hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
path = {path!r}
{setup}
_rss0 = _hwm()
_t0 = time.perf_counter()
{body}
print(time.perf_counter() - _t0, _hwm(), _rss0)
"""


def run_case(setup: str, body: str, path: Path) -> tuple[float, float, float]:
    """(wall s of ``body`` alone, peak RSS MiB, RSS MiB after ``setup``) in a fresh Python.

    Imports happen in ``setup`` and are not timed.  Peak memory is the
    process's own high-water mark (VmHWM), which a fresh process does not
    inherit from its parent the way ``ru_maxrss`` does after fork.
    """
    code = _RUNNER.format(path=str(path), setup=setup, body=body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    wall, hwm, rss0 = (float(v) for v in out.stdout.split()[-3:])
    return wall, hwm, rss0


_OURS = "from somnomotor.io import read_recording"
_PYEDFLIB = "import pyedflib"
_EDFIO = "import edfio, numpy"
CASES: dict[str, tuple[str, str]] = {
    "plain read of the bytes": ("", (
        "with open(path, 'rb') as fh:\n"
        "    while fh.read(1 << 22):\n"
        "        pass")),
    "somnomotor: open (header + annotations)": (_OURS, "rec = read_recording(path)"),
    "somnomotor: all channels, one after another": (_OURS, (
        "rec = read_recording(path)\n"
        "for label in rec.labels:\n"
        "    x = rec.read(label); del x")),
    "somnomotor: one channel": (_OURS, "rec = read_recording(path)\nx = rec.read('LAT')"),
    "somnomotor: one channel, 30-s window": (_OURS, (
        "rec = read_recording(path)\nx = rec.read('LAT', 1800, 1830)")),
    "pyEDFlib: all channels": (_PYEDFLIB, (
        "f = pyedflib.EdfReader(path)\n"
        "for i in range(f.signals_in_file):\n"
        "    x = f.readSignal(i); del x")),
    "pyEDFlib: one channel": (_PYEDFLIB, "f = pyedflib.EdfReader(path)\nx = f.readSignal(0)"),
    "pyEDFlib: one channel, 30-s window": (_PYEDFLIB, (
        "f = pyedflib.EdfReader(path)\nx = f.readSignal(0, 1800 * 512, 30 * 512)")),
    "edfio alone: all channels": (_EDFIO, (
        "e = edfio.read_bdf(path) if path.endswith('.bdf') else edfio.read_edf(path)\n"
        "for s in e.signals:\n"
        "    x = s.data; del x")),
    "edfio alone: one channel": (_EDFIO, (
        "e = edfio.read_bdf(path) if path.endswith('.bdf') else edfio.read_edf(path)\n"
        "x = e.signals[0].data")),
}


def measure(path: Path, names: list[str]) -> None:
    size_mb = path.stat().st_size / 2**20
    hours = float(path.name.split("_")[1].rstrip("h"))
    channel_mb = hours * 3600 * FS * 4 / 2**20
    print(f"\n{path.name}: {size_mb:.0f} MiB file, {CHANNELS} channels at {FS} Hz; "
          f"one channel as float32 = {channel_mb:.0f} MiB")
    run_case(*CASES["plain read of the bytes"], path)  # warm the page cache for everyone
    rows = []
    for name in names:
        runs = [run_case(*CASES[name], path) for _ in range(2)]
        wall = min(r[0] for r in runs)
        extra = min(r[1] - r[2] for r in runs)  # peak above the imported interpreter
        rows.append((name, wall, extra))
    plain = rows[0][1]
    print(f"  {'':46s} {'time s':>8s} {'× plain':>8s} {'peak MiB above imports':>23s}")
    for name, wall, extra in rows:
        print(f"  {name:46s} {wall:8.3f} {wall / plain:8.1f} {extra:23.0f}")
    t = {n: (w, e) for n, w, e in rows}
    ours_all, ours_one = t["somnomotor: all channels, one after another"], \
        t["somnomotor: one channel"]
    print(f"  somnomotor one channel: {ours_one[1]:.0f} MiB peak = "
          f"{ours_one[1] / channel_mb:.2f} × one float32 channel, "
          f"{ours_one[1] / size_mb:.2f} × the file (the other channels are not loaded)")
    print(f"  somnomotor one channel / all channels time: {ours_one[0] / ours_all[0]:.2f}")
    for other in ("pyEDFlib", "edfio alone"):
        a, o = t.get(f"{other}: all channels"), t.get(f"{other}: one channel")
        if a and o:
            print(f"  {other} / somnomotor time: all channels {a[0] / ours_all[0]:.2f}, "
                  f"one channel {o[0] / ours_one[0]:.2f}")


def measure_annotations() -> None:
    """Opening an 8-h EDF+ with 1-s records: 28 800 time stamps and 960 stage annotations."""
    import edfio

    path = FOLDER / "annotations_8h_1s_records.edf"
    if not path.exists():
        sig = edfio.EdfSignal(np.zeros(HOURS * 3600 * 8), 8, label="X")
        anns = [edfio.EdfAnnotation(i * 30.0, 30.0, "Sleep stage N2") for i in range(960)]
        edfio.Edf([sig], annotations=anns, data_record_duration=1).write(path)
    print(f"\n{path.name}: EDF+C, {HOURS * 3600} records of 1 s, 960 annotations")
    for name, setup, body in (
            ("somnomotor: open (time stamps + annotations)", _OURS,
             "rec = read_recording(path)"),
            ("edfio alone: open + annotations", _EDFIO,
             "e = edfio.read_edf(path); a = e.annotations"),
            ("pyEDFlib: open + annotations", _PYEDFLIB,
             "f = pyedflib.EdfReader(path); a = f.readAnnotations()")):
        wall = min(run_case(setup, body, path)[0] for _ in range(2))
        print(f"  {name:46s} {wall:8.3f} s")


def main() -> None:
    edf = make_file(HOURS, bdf=False)
    measure(edf, list(CASES))
    measure_annotations()
    bdf = make_file(1, bdf=True)
    measure(bdf, list(CASES))


if __name__ == "__main__":
    main()
