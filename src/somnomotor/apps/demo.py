"""The month demo: simulate a month with a diary, load it into a fresh store, compare."""

from __future__ import annotations

import os
from pathlib import Path

from ..analysis import compare_subject
from ..analysis.report import write_compare_outputs
from ..store import Store
from .month import load_month_into_store, simulate_month


def run_month_demo(out_dir: str | os.PathLike[str], *, nights: int = 30, seed: int = 0,
                   subject: str = "demo", fast: bool = False) -> dict[str, Path]:
    """Simulate ``nights`` nights of one person, store them in ``out_dir/demo.db``, compare.

    The nights come from the physiological model (``fast=False``: each night's
    events simulated and filed with its ground truth as the events table); a
    fresh store is made each time (an old ``demo.db`` there is replaced).
    Returns the paths: ``db``, ``json`` (compare.json) and ``html`` (compare.html).

    Examples
    --------
    >>> paths = run_month_demo("demo-output/month", nights=4, fast=True)   # make demo: 30
    >>> paths["html"].name
    'compare.html'
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    month = simulate_month(subject, nights=nights, seed=seed, fast=fast)
    with Store(db) as store:
        load_month_into_store(store, month)
        comparison = compare_subject(store, subject)
    paths = write_compare_outputs(comparison, out)
    return {"db": db, **paths}
