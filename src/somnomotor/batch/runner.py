"""Analyse many recordings, resumably, on local processes or a Dask cluster.

Each night's scorings are found the way cohorts lay them out (:func:`find_scorings`:
NSRR, Sleep-EDF, BIDS, same-stem sidecars); a night with two candidates is
reported, not guessed.  Each night is analysed by :func:`analyze_one` in its own
worker and written to
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
from .._util import reuse_freed_memory
from ..errors import InputError, SomnomotorError

RECORDING_SUFFIXES = (".edf", ".bdf", ".rec")
#: Same-stem sidecar hypnograms looked for beside a recording NAME.edf.
HYPNOGRAM_SIDECARS = ("{stem}.hypnogram.csv", "{stem}.hypnogram.txt", "{stem}-hypnogram.csv",
                      "{stem}-hypnogram.txt")
#: Same-stem sidecars holding a whole scoring (stages and events).
SCORING_SIDECARS = ("{stem}.xml", "{stem}-nsrr.xml", "{stem}-profusion.xml",
                    "{stem}.events.csv", "{stem}-events.csv", "{stem}.annot.txt",
                    "{stem}-events.txt")
#: Folders parallel to a cohort's signal folder that hold its annotations (NSRR:
#: ``polysomnography/edfs/…`` beside ``polysomnography/annotations-events-nsrr/…``).
ANNOTATION_FOLDER_WORDS = ("annotation", "annot", "events", "scoring", "hypnogram")
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
    hypnogram_file: str = ""
    events_files: str = ""


def find_recordings(source: str | os.PathLike[str]) -> list[Path]:
    """Recordings under a folder (recursively), or listed one per line in a text file."""
    src = Path(source)
    if src.is_dir():
        found = sorted(p for p in src.rglob("*")
                       if p.is_file() and p.suffix.lower() in RECORDING_SUFFIXES
                       and not p.name.startswith("."))
        # Annotation-only EDF+ files are scorings, not nights: somnomotor's own output and
        # Sleep-EDF's hypnograms (SC4001EC-Hypnogram.edf).
        return [p for p in found if p.name != "scored.edf"
                and not p.stem.lower().endswith("-hypnogram")]
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


@dataclass(frozen=True)
class NightScorings:
    """The scoring files found for one recording (see :func:`find_scorings`)."""

    hypnogram: Path | None = None
    events: tuple[Path, ...] = ()
    layout: str = ""
    ambiguous: tuple[Path, ...] = ()


def _parallel_folders(path: Path, levels: int = 3) -> list[Path]:
    """Folders mirroring the recording's folder under a sibling annotations folder.

    For ``root/edfs/shhs1/x.edf``: ``root/annotations-events-nsrr/shhs1``,
    ``root/annotations-events-profusion/shhs1`` and the like.
    """
    out = []
    folder = path.parent
    for k in range(min(levels, len(folder.parents))):
        base = folder.parents[k] if k else folder.parent
        top = folder if k == 0 else folder.parents[k - 1]
        rel = folder.relative_to(top)
        try:
            siblings = sorted(d for d in base.iterdir() if d.is_dir() and d != top)
        except OSError:
            continue
        for sib in siblings:
            if any(w in sib.name.lower() for w in ANNOTATION_FOLDER_WORDS):
                candidate = sib / rel
                if candidate.is_dir():
                    out.append(candidate)
    return out


def find_scorings(path: str | os.PathLike[str]) -> NightScorings:
    """The scorings of a recording, found the way cohorts lay them out.

    * NSRR: ``NAME.edf`` with ``NAME-nsrr.xml`` (preferred) or ``NAME-profusion.xml``,
      beside it or in a parallel annotations folder (``annotations-events-nsrr/…``);
    * Sleep-EDF: ``SC4001E0-PSG.edf`` with ``SC4001E?-Hypnogram.edf``;
    * BIDS: ``…_eeg.edf`` (or ``_emg``/``_psg``) with ``…_events.tsv``;
    * same-stem sidecars: ``NAME.hypnogram.csv``, ``NAME-hypnogram.csv``,
      ``NAME.xml``, ``NAME.events.csv``….

    A file holding a whole scoring (XML, BIDS events, an events export) gives the
    stages and the events.  Two candidates for one night (two hypnograms, two
    scorings) are returned in ``ambiguous``, for the batch to report, not guess.

    >>> find_scorings("cohort/edfs/shhs1-200001.edf").hypnogram
    PosixPath('cohort/annotations-events-nsrr/shhs1-200001-nsrr.xml')
    """
    p = Path(path)
    stem, folder = p.stem, p.parent
    found: list[tuple[str, Path, bool]] = []  # (layout, file, holds events too)

    def add(layout: str, f: Path, full: bool) -> None:
        if f.is_file() and f != p and all(f != g for _, g, _ in found):
            found.append((layout, f, full))

    # NSRR (same folder, then parallel annotation folders): one scoring in two formats,
    # the NSRR XML preferred to the Profusion XML it was translated from.
    for where in [folder, *_parallel_folders(p)]:
        nsrr, prof = where / f"{stem}-nsrr.xml", where / f"{stem}-profusion.xml"
        if nsrr.is_file():
            add("nsrr", nsrr, True)
        elif prof.is_file():
            add("nsrr", prof, True)
    if found:  # the -nsrr / -profusion pair in two folders is still one scoring
        nsrr_files = [f for _, f, _ in found if f.name.endswith("-nsrr.xml")]
        if nsrr_files and len(nsrr_files) == 1:
            found = [x for x in found if x[1] == nsrr_files[0] or not x[1].name.endswith(
                "-profusion.xml")]
    # Sleep-EDF: SC4001E0-PSG.edf → SC4001E?-Hypnogram.edf (the last letter names the scorer)
    if stem.upper().endswith("-PSG") and len(stem) > 5:
        prefix = stem[:-4]
        for f in sorted(folder.glob(f"{prefix[:-1]}?-Hypnogram.edf")):
            add("sleep-edf", f, False)
    # BIDS: sub-…_eeg.edf → sub-…_events.tsv
    for suffix in ("_eeg", "_emg", "_psg", "_exg"):
        if stem.endswith(suffix):
            add("bids", folder / f"{stem[:-len(suffix)]}_events.tsv", True)
    # same-stem sidecars
    for pattern in HYPNOGRAM_SIDECARS:
        add("sidecar", folder / pattern.format(stem=stem), False)
    for pattern in SCORING_SIDECARS:
        if pattern.endswith(".xml") and any(lay == "nsrr" for lay, _, _ in found):
            continue  # NAME-nsrr.xml already found
        add("sidecar", folder / pattern.format(stem=stem), True)

    hypnograms = [x for x in found if not x[2]]
    full = [x for x in found if x[2]]
    if len(hypnograms) > 1 or len(full) > 1:
        many = hypnograms if len(hypnograms) > 1 else full
        return NightScorings(layout=many[0][0], ambiguous=tuple(f for _, f, _ in many))
    if hypnograms:
        layout, hyp, _ = hypnograms[0]
        events = tuple(f for _, f, _ in full)
        return NightScorings(hyp, events, layout if not full else f"{layout}+{full[0][0]}")
    if full:
        layout, f, _ = full[0]
        return NightScorings(f, (f,), layout)
    return NightScorings()


def _sidecar_hypnogram(path: Path) -> Path | None:
    """The hypnogram file :func:`find_scorings` pairs with a recording (None: none, or
    ambiguous)."""
    return find_scorings(path).hypnogram


def analyze_one(recording: str, out_dir: str, params: dict[str, Any], staging: str,
                report: bool) -> BatchRow:
    """Analyse one night into ``out_dir``; never raises for a user's problem."""
    from ..pipeline import AnalysisParams, analyze, read, write_outputs

    path = Path(recording)
    out = Path(out_dir)
    pairing = find_scorings(path)
    hyp_file = str(pairing.hypnogram) if pairing.hypnogram else ""
    ev_files = ";".join(str(f) for f in pairing.events)
    if pairing.ambiguous:
        return BatchRow(recording, out_dir, "ambiguous",
                        f"{path.name}: {len(pairing.ambiguous)} candidate scorings "
                        f"({', '.join(f.name for f in pairing.ambiguous)}); not guessed: keep one, "
                        "or list the night's files in a list file")
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
                                    prov.get("hypnogram_source", ""), _figures(earlier),
                                    hyp_file, ev_files)
            except (ValueError, KeyError, TypeError):
                pass  # unreadable earlier output: analyse again
        result = analyze(rec, hypnogram=pairing.hypnogram, events=list(pairing.events),
                         params=p, staging=staging)
        write_outputs(result, out, recording=rec, report=report)
        return BatchRow(recording, out_dir, "done", "; ".join(result.warnings), sha,
                        result.summary["provenance"]["hypnogram_source"],
                        _figures(result.summary), hyp_file, ev_files)
    except SomnomotorError as exc:
        return BatchRow(recording, out_dir, "error", str(exc), hypnogram_file=hyp_file,
                        events_files=ev_files)
    except Exception as exc:  # noqa: BLE001 - one bad night must not stop a cohort
        return BatchRow(recording, out_dir, "error", f"internal error: {type(exc).__name__}: {exc}",
                        hypnogram_file=hyp_file, events_files=ev_files)


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
    reuse_memory: bool = False,
) -> pd.DataFrame:
    """Analyse ``recordings`` into ``out_dir``; return (and write) the batch table.

    ``scheduler``: a Dask scheduler address (``tcp://host:8786``) to run on a
    cluster (needs ``somnomotor[cluster]``); otherwise ``workers`` local processes
    (default: the number of CPUs).  Resumable: finished nights are skipped.
    ``reuse_memory``: the local worker processes (or this process, without
    workers) set the allocator to reuse channel-sized blocks
    (:func:`somnomotor._util.reuse_freed_memory`; the command line asks for it).
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
        if reuse_memory:
            reuse_freed_memory()
        for job in jobs:
            collect(analyze_one(*job))
    else:
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count(),
                                 initializer=reuse_freed_memory if reuse_memory else None
                                 ) as pool:
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
               *K.headline_keys(), "hypnogram_file", "events_files"]
    return pd.DataFrame(records, columns=columns)
