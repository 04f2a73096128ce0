"""Analyse many recordings, resumably, on local processes or a Dask cluster.

Each night is analysed by :func:`analyze_one` in its own worker and written to
``OUT/<name>/`` (events.csv, summary.json, report.html, scored.edf, scored.xml).
A night whose ``summary.json`` already records the same input SHA-256 and the
same parameters digest is skipped, so an interrupted batch resumes where it
stopped.  A night that fails (a broken file) is recorded with its one-line
error and does not stop the others.  ``OUT/batch.csv`` lists every night.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import kinds as K
from .._atomic import atomic_write
from ..errors import InputError, SomnomotorError

RECORDING_SUFFIXES = (".edf", ".bdf", ".rec")
#: Sidecar hypnograms looked for beside a recording NAME.edf, in this order.
HYPNOGRAM_SIDECARS = ("{stem}.hypnogram.csv", "{stem}.hypnogram.txt", "{stem}-hypnogram.csv",
                      "{stem}.xml", "{stem}-nsrr.xml")
#: Figures copied from each night's summary into batch.csv: the kind registry's
#: headline figures (:func:`somnomotor.kinds.headline_keys`), read when a batch runs.
BATCH_FIGURES = K.headline_keys()


@dataclass
class BatchRow:
    """One night's outcome in a batch."""

    recording: str
    out_dir: str
    status: str  # "done", "skipped" (already done), "error"
    message: str = ""
    input_sha256: str = ""
    hypnogram_source: str = ""
    figures: dict[str, Any] | None = None


def find_recordings(source: str | os.PathLike[str]) -> list[Path]:
    """Recordings under a folder (recursively), or listed one per line in a text file."""
    src = Path(source)
    if src.is_dir():
        found = sorted(p for p in src.rglob("*")
                       if p.is_file() and p.suffix.lower() in RECORDING_SUFFIXES
                       and not p.name.startswith("."))
        # Annotation-only EDF+ files written by somnomotor are outputs, not nights.
        return [p for p in found if p.name != "scored.edf"]
    if src.is_file():
        lines = src.read_text(encoding="utf-8", errors="replace").splitlines()
        paths = [Path(s.strip()) for s in lines if s.strip() and not s.lstrip().startswith("#")]
        paths = [p if p.is_absolute() else (src.parent / p) for p in paths]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise InputError(f"{len(missing)} listed recording(s) do not exist, first: "
                             f"{missing[0]}", src)
        return paths
    raise InputError("no such folder or list file", src)


def _out_name(path: Path, taken: set[str]) -> str:
    name = path.stem
    if name in taken:  # two nights with one file name in different folders
        name = f"{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:6]}"
    taken.add(name)
    return name


def _sidecar_hypnogram(path: Path) -> Path | None:
    for pattern in HYPNOGRAM_SIDECARS:
        candidate = path.parent / pattern.format(stem=path.stem)
        if candidate.exists():
            return candidate
    return None


def analyze_one(recording: str, out_dir: str, params: dict[str, Any], staging: str,
                report: bool) -> BatchRow:
    """Analyse one night into ``out_dir``; never raises for a user's problem."""
    from ..pipeline import AnalysisParams, analyze, read, write_outputs

    path = Path(recording)
    out = Path(out_dir)
    try:
        p = AnalysisParams.from_mapping(params)
        rec = read(path)  # the header only: signals are read lazily
        sha = rec.sha256()  # cached on the recording, so the file is hashed once
        done = out / "summary.json"
        if done.exists():
            try:
                earlier = json.loads(done.read_text())
                prov = earlier["provenance"]
                if prov.get("input_sha256") == sha and prov.get("parameters_digest") == p.digest():
                    return BatchRow(recording, out_dir, "skipped", "already analysed", sha,
                                    prov.get("hypnogram_source", ""), _figures(earlier))
            except (ValueError, KeyError, TypeError):
                pass  # unreadable earlier output: analyse again
        result = analyze(rec, hypnogram=_sidecar_hypnogram(path), params=p, staging=staging)
        write_outputs(result, out, recording=rec, report=report)
        return BatchRow(recording, out_dir, "done", "; ".join(result.warnings), sha,
                        result.summary["provenance"]["hypnogram_source"],
                        _figures(result.summary))
    except SomnomotorError as exc:
        return BatchRow(recording, out_dir, "error", str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad night must not stop a cohort
        return BatchRow(recording, out_dir, "error", f"internal error: {type(exc).__name__}: {exc}")


def _figures(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: summary.get(k) for k in K.headline_keys()}


def run_batch(
    recordings: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    params: dict[str, Any] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    staging: str = "auto",
    report: bool = True,
    on_row: Callable[[BatchRow], None] | None = None,
) -> pd.DataFrame:
    """Analyse ``recordings`` into ``out_dir``; return (and write) the batch table.

    ``scheduler``: a Dask scheduler address (``tcp://host:8786``) to run on a
    cluster (needs ``somnomotor[cluster]``); otherwise ``workers`` local processes
    (default: the number of CPUs).  Resumable: finished nights are skipped.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = params or {}
    taken: set[str] = set()
    jobs = [(str(Path(r)), str(out / _out_name(Path(r), taken)), params, staging, report)
            for r in recordings]
    rows: list[BatchRow] = []

    def collect(row: BatchRow) -> None:
        rows.append(row)
        if on_row:
            on_row(row)

    if scheduler:
        _run_dask(jobs, scheduler, collect)
    elif (workers or os.cpu_count() or 1) <= 1 or len(jobs) <= 1:
        for job in jobs:
            collect(analyze_one(*job))
    else:
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
            futures = [pool.submit(analyze_one, *job) for job in jobs]
            for fut in as_completed(futures):
                collect(fut.result())
    order = {job[0]: i for i, job in enumerate(jobs)}
    rows.sort(key=lambda r: order[r.recording])
    table = _table(rows)
    with atomic_write(out / "batch.csv", "w", encoding="utf-8", newline="") as fh:
        table.to_csv(fh, index=False, lineterminator="\n")
    return table


def _run_dask(jobs: Iterable[tuple[Any, ...]], scheduler: str,
              collect: Callable[[BatchRow], None]) -> None:
    from ..errors import require_extra

    distributed = require_extra("distributed", "cluster", "running a batch on a Dask cluster")
    try:
        client = distributed.Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler ({exc})", scheduler) from None
    try:
        futures = [client.submit(analyze_one, *job, pure=False) for job in jobs]
        for fut in distributed.as_completed(futures):
            collect(fut.result())
    finally:
        client.close()


def _table(rows: Sequence[BatchRow]) -> pd.DataFrame:
    records = []
    for r in rows:
        d = asdict(r)
        figures = d.pop("figures") or {}
        d.update({k: figures.get(k) for k in K.headline_keys()})
        records.append(d)
    columns = ["recording", "out_dir", "status", "message", "input_sha256", "hypnogram_source",
               *K.headline_keys()]
    return pd.DataFrame(records, columns=columns)
