"""Run every benchmark under benchmarks/ (files named bench_*.py, each with main()).

Figures and ratios are printed; nothing here asserts a time.  Usage:
    python benchmarks/run.py            # all
    python benchmarks/run.py read legs  # only bench_read.py and bench_legs.py
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    files = sorted(HERE.glob("bench_*.py"))
    if argv:
        files = [f for f in files if f.stem.removeprefix("bench_") in argv]
    for f in files:
        spec = importlib.util.spec_from_file_location(f.stem, f)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[f.stem] = module
        spec.loader.exec_module(module)
        print(f"\n=== {f.stem} ===", flush=True)
        t0 = time.perf_counter()
        module.main()
        print(f"({f.stem} took {time.perf_counter() - t0:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
