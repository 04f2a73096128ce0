"""``compare`` for one subject with 365 nights: load into a store, compare, write the report."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import self_peak_rss_mb, timed  # noqa: E402

from somnomotor.analysis import compare_subject  # noqa: E402
from somnomotor.analysis.report import write_compare_outputs  # noqa: E402
from somnomotor.apps.month import load_month_into_store, simulate_month  # noqa: E402
from somnomotor.store import Store  # noqa: E402

NIGHTS = 365


def main() -> None:
    t_sim, month = timed(lambda: simulate_month("YEAR", nights=NIGHTS, seed=1))
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "bench.db") as store:
            t_load, _ = timed(lambda: load_month_into_store(store, month))
            t_cmp, comparison = timed(lambda: compare_subject(store, "YEAR"), repeat=3)
            t_out, _ = timed(lambda: write_compare_outputs(comparison, Path(tmp) / "out"))
        t_small_cmp = timed(lambda: _small(tmp), repeat=3)[0]
    total = t_cmp + t_out
    print(f"simulate {NIGHTS} nights (fast model):       {t_sim:7.2f} s")
    print(f"load diary + {NIGHTS} nights into the store: {t_load:7.2f} s")
    print(f"compare (read store, all regressions):    {t_cmp:7.2f} s  "
          f"({len(comparison.effects)} effects, {len(comparison.fits)} outcomes)")
    print(f"write compare.json + compare.html:        {t_out:7.2f} s")
    print(f"compare {NIGHTS} nights end to end:          {total:7.2f} s")
    print(f"compare 30 nights (same steps):           {t_small_cmp:7.2f} s; "
          f"ratio 365/30 nights: {t_cmp / max(t_small_cmp, 1e-9):.1f}×")
    print(f"peak RSS of this process:                 {self_peak_rss_mb():7.0f} MiB")


def _small(tmp: str) -> object:
    path = Path(tmp) / "small.db"
    with Store(path) as store:
        if not store.subjects():
            load_month_into_store(store, simulate_month("M", nights=30, seed=2))
        return compare_subject(store, "M")


if __name__ == "__main__":
    main()
