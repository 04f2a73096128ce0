"""Start-up of the command line: ``somnomotor --help`` and ``somnomotor info`` on a
small EDF, each in fresh processes (median of 5 after one warm-up run).

Beside them, in the same run: the bare interpreter (``python -c pass``), the
import of NumPy and pandas (the floor of anything that reads a recording), and
a plain process that reads one channel of the same file with edfio and
band-passes it with SciPy — the least a useful EMG tool does.  Target for
``--help``: at most 0.3 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FOLDER = Path(tempfile.gettempdir()) / "somnomotor-bench"
REPEAT = 5
SOMNOMOTOR = Path(sys.executable).with_name("somnomotor")


def small_edf() -> Path:
    """Ten minutes, five channels at 256 Hz (1.5 MB), written once with edfio."""
    import edfio

    path = FOLDER / "startup_10min_5ch_256hz.edf"
    if path.exists():
        return path
    FOLDER.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    signals = [edfio.EdfSignal(rng.normal(0.0, 20.0, 600 * 256), 256, label=label,
                               physical_dimension="uV", physical_range=(-500, 500))
               for label in ("LAT", "RAT", "Chin1-Chin2", "ECG II", "C4-M1")]
    tmp = path.with_suffix(".part")
    edfio.Edf(signals).write(tmp)
    os.replace(tmp, path)
    return path


def median_wall(argv: list[str]) -> float:
    """Median wall time (s) of ``REPEAT`` fresh runs of ``argv``, after one warm-up."""
    times = []
    for i in range(REPEAT + 1):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    edf = small_edf()
    py = sys.executable
    plain = (
        "import sys, edfio, scipy.signal as s\n"
        "e = edfio.read_edf(sys.argv[1])\n"
        "x = e.signals[0].data\n"
        "y = s.sosfiltfilt(s.butter(4, [10, 100], 'bandpass', fs=256, output='sos'), x)\n"
    )
    rows = [
        ("python -c pass (interpreter)", [py, "-c", "pass"]),
        ("import numpy, pandas", [py, "-c", "import numpy, pandas"]),
        ("plain read + band-pass (edfio, SciPy)", [py, "-c", plain, str(edf)]),
        ("somnomotor --help", [str(SOMNOMOTOR), "--help"]),
        ("somnomotor info small.edf", [str(SOMNOMOTOR), "info", str(edf)]),
    ]
    got = {name: median_wall(argv) for name, argv in rows}
    plain_s = got["plain read + band-pass (edfio, SciPy)"]
    print(f"{'fresh process (median of ' + str(REPEAT) + ')':44s} {'wall s':>8s} "
          f"{'× plain':>8s}")
    for name, seconds in got.items():
        print(f"{name:44s} {seconds:8.3f} {seconds / plain_s:8.2f}")
    helps = got["somnomotor --help"]
    print(f"somnomotor --help: {helps:.3f} s (target ≤ 0.3 s: "
          f"{'met' if helps <= 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
