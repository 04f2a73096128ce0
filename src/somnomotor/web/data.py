"""What the review application reads: analysed nights, their events, hypnogram and raw EMG.

An *analysed night* is a folder holding ``events.csv`` and ``summary.json`` as
written by ``somnomotor analyze --out DIR`` or ``somnomotor batch``.  Nights are
named by their folder's path relative to the review root, with ``/`` between
parts (``"batch1/night3"``); a name never leaves the root (no ``..``, no
absolute paths, no symbolic links pointing outside).

The raw signal is never copied into the output folder, so the recording is
looked up (an explicit mapping, the store, then beside and above the night's
folder by the ``input_file`` name in the summary's provenance) and used only
when its SHA-256 equals ``provenance.input_sha256``.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import kinds as K
from .._util import file_sha256 as _file_sha256
from ..errors import InputError, SomnomotorError
from ..events import read_events_csv
from ..hypnogram import Hypnogram
from ..recording import Recording

#: Files that make a folder an analysed night.
NIGHT_FILES: tuple[str, ...] = ("events.csv", "summary.json")
#: Hypnogram sources in the night folder, in order of preference.
HYPNOGRAM_FILES: tuple[str, ...] = ("scored.xml", "scored.edf")
#: Figures of each night served with the night list: the kind registry's
#: headline figures (:func:`somnomotor.kinds.headline_keys`), the same as batch.csv.
LIST_FIGURES: tuple[str, ...] = K.headline_keys()
#: Longest raw-signal window served at once, s (one hour of one channel).
MAX_WINDOW_S = 3600.0
#: Default and largest number of points in one signal answer.
DEFAULT_POINTS = 4000
MAX_POINTS = 20000
#: Name of the night when the review root itself is a night folder ("." cannot
#: travel in a URL: browsers remove it, even percent-encoded).
ROOT_NIGHT = "~"
#: How deep below the root nights are looked for (``OUT/subject/date/`` is 3 levels).
MAX_DEPTH = 4
#: Folders not searched for nights.
_SKIP_DIRS = frozenset({".git", "__pycache__", "node_modules", ".venv"})


class NightNotFoundError(SomnomotorError):
    """No analysed night of that name under the review root (HTTP 404)."""


class RequestError(SomnomotorError):
    """A request the server cannot honour as asked (HTTP 400)."""


# --------------------------------------------------------------------------
# finding nights
# --------------------------------------------------------------------------
def is_night_dir(path: Path) -> bool:
    """True when ``path`` is a folder holding ``events.csv`` and ``summary.json``."""
    return path.is_dir() and all((path / f).is_file() for f in NIGHT_FILES)


def find_nights(root: str | os.PathLike[str]) -> list[str]:
    """Names of every analysed night under ``root`` (sorted), relative, ``/``-separated.

    The root itself counts as a night (name ``"~"``) when it holds the files.
    Folders whose real location is outside ``root`` (symbolic links), hidden
    folders and folders more than :data:`MAX_DEPTH` levels down are skipped.

    Examples
    --------
    >>> find_nights("results")              # a folder holding one analysed night
    ['night1']
    """
    base = Path(root).resolve()
    if not base.is_dir():
        raise InputError("review root is not a folder", root)
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        depth = len(Path(dirpath).relative_to(base).parts)
        dirnames[:] = ([] if depth >= MAX_DEPTH else
                       sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")))
        if all(f in filenames for f in NIGHT_FILES):
            rel = Path(dirpath).relative_to(base).as_posix()
            found.append(ROOT_NIGHT if rel == "." else rel)
    return sorted(found)


def resolve_night(root: str | os.PathLike[str], name: str) -> Path:
    """The folder of night ``name`` under ``root``; :class:`NightNotFoundError` otherwise.

    ``name`` must be a relative ``/``-separated path without ``..`` parts whose
    real location (after following links) stays inside ``root``.

    Examples
    --------
    >>> resolve_night("results", "night1") == Path("results/night1").resolve()
    True
    """
    base = Path(root).resolve()
    if (not name or "\\" in name or "\x00" in name or name.startswith("/")
            or any(part in ("..", ".", "") for part in name.split("/"))):
        raise NightNotFoundError(f"no analysed night named {name!r}")
    target = base if name == ROOT_NIGHT else (base / name).resolve()
    if target != base and base not in target.parents:
        raise NightNotFoundError(f"no analysed night named {name!r}")
    if not is_night_dir(target):
        raise NightNotFoundError(f"no analysed night named {name!r} (a night folder holds "
                                 "events.csv and summary.json)")
    return target


# --------------------------------------------------------------------------
# reading a night's outputs
# --------------------------------------------------------------------------
def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


class _FileCache:
    """Parsed files keyed by (path, mtime, size): re-read only when the file changes."""

    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict[tuple[str, int, int], Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, int]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[str, int, int], value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def load(self, path: Path, compute: Callable[[], Any]) -> Any:
        """``compute()``'s value for ``path``, computed again only when the file changed."""
        key = _stamp(path)
        cached = self.get(key)
        if cached is None:
            cached = compute()
            self.put(key, cached)
        return cached


_summaries = _FileCache()
_events = _FileCache()
_hypnograms = _FileCache()
_hashes = _FileCache(256)


def load_summary(night_dir: Path) -> dict[str, Any]:
    """The night's ``summary.json`` as a dict; :class:`InputError` when unreadable."""
    path = night_dir / "summary.json"

    def parse() -> dict[str, Any]:
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read the summary ({exc})", path) from None
        if not isinstance(value, dict):
            raise InputError("the summary is not a JSON object", path)
        return value

    return _summaries.load(path, parse)  # type: ignore[no-any-return]


def load_events(night_dir: Path) -> pd.DataFrame:
    """The night's ``events.csv`` as an events table (``somnomotor.events`` schema)."""
    path = night_dir / "events.csv"
    return _events.load(path, lambda: read_events_csv(path))  # type: ignore[no-any-return]


def load_hypnogram(night_dir: Path) -> Hypnogram | None:
    """The stages written beside the events (``scored.xml``, else ``scored.edf``), or None.

    A file that cannot be read is passed over (the review does not need stages
    to work); None when no file holds a hypnogram.
    """
    from ..io.scorings import read_scorings

    for name in HYPNOGRAM_FILES:
        path = night_dir / name
        if not path.is_file():
            continue

        def parse(path: Path = path) -> Hypnogram | bool:
            try:
                hyp = read_scorings(path).hypnogram
            except SomnomotorError:
                hyp = None
            return hyp if hyp is not None else False  # False: "no stages", cached too

        hyp = _hypnograms.load(path, parse)
        if isinstance(hyp, Hypnogram) and len(hyp):
            return hyp
    return None


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 4-MiB blocks; remembered while the file is unchanged."""
    return _hashes.load(path, lambda: _file_sha256(path))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------
# finding the recording
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class SignalSource:
    """Where a night's raw signal comes from, or why it is not available."""

    path: Path | None
    reason: str

    @property
    def available(self) -> bool:
        return self.path is not None


class RecordingLocator:
    """Finds the recording a night was analysed from and checks it is the same file.

    Candidates, in order: an explicit ``recordings`` mapping (night name →
    path), recordings filed in the store (``db``) with the same SHA-256, then
    ``input_file`` in the night's folder, each folder above it up to two
    levels above the root, and each of ``search_dirs``.  A candidate is used only when
    its SHA-256 equals ``summary.provenance.input_sha256``.
    """

    def __init__(self, root: Path, *, recordings: Mapping[str, str | os.PathLike[str]] | None = None,
                 search_dirs: Sequence[str | os.PathLike[str]] = (),
                 db: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root).resolve()
        self.recordings = {k: Path(v) for k, v in (recordings or {}).items()}
        self.search_dirs = [Path(d) for d in search_dirs]
        self.db = Path(db) if db is not None else None
        self._open: OrderedDict[str, Recording] = OrderedDict()
        self._lock = threading.Lock()

    def filed_nights(self) -> dict[str, list[dict[str, str]]]:
        """Nights filed in the store, by recording SHA-256: subject, date, recording path."""
        if self.db is None or not self.db.exists():
            return {}
        from ..store import Store

        out: dict[str, list[dict[str, str]]] = {}
        try:
            with Store(self.db) as st:
                for subject in st.subjects():
                    nights = st.nights(subject)
                    for sha, date, path in zip(nights["sha256"], nights["night_date"],
                                               nights["recording_path"], strict=True):
                        if isinstance(sha, str) and sha:
                            out.setdefault(sha, []).append({
                                "subject": subject, "night_date": str(date)[:10],
                                "recording_path": path if isinstance(path, str) else ""})
        except SomnomotorError:
            return {}
        return out

    def _store_paths(self, sha: str) -> list[Path]:
        return [Path(f["recording_path"]) for f in self.filed_nights().get(sha, [])
                if f["recording_path"]]

    def candidates(self, name: str, night_dir: Path, summary: Mapping[str, Any]) -> list[Path]:
        """Paths to try for night ``name``, most specific first (not yet checked)."""
        prov = summary.get("provenance") or {}
        sha = prov.get("input_sha256") or ""
        input_file = prov.get("input_file") or ""
        out: list[Path] = []
        if name in self.recordings:
            out.append(self.recordings[name])
        if sha:
            out += self._store_paths(sha)
        # Only a bare file name is looked for: provenance is data, not a path to follow.
        if input_file and input_file == Path(input_file).name and input_file not in (".", ".."):
            folders = [night_dir]
            stop = self.root.parent.parent
            for parent in night_dir.parents:
                folders.append(parent)
                if parent == stop:
                    break
            folders += self.search_dirs
            out += [d / input_file for d in folders]
        seen: set[Path] = set()
        unique = []
        for p in out:
            if p not in seen:
                seen.add(p)
                unique.append(p)
        return unique

    def locate(self, name: str, night_dir: Path, summary: Mapping[str, Any]) -> SignalSource:
        """The verified recording of a night, or the reason there is none."""
        prov = summary.get("provenance") or {}
        sha = prov.get("input_sha256")
        if not sha:
            return SignalSource(None, "signal not available: the summary records no input "
                                      "checksum")
        mismatched: list[str] = []
        for path in self.candidates(name, night_dir, summary):
            if not path.is_file():
                continue
            try:
                digest = file_sha256(path)
            except OSError:
                continue
            if digest == sha:
                return SignalSource(path, "")
            mismatched.append(path.name)
        if mismatched:
            return SignalSource(None, f"signal not available: {mismatched[0]} differs from the "
                                      "analysed recording (SHA-256 mismatch)")
        what = prov.get("input_file") or "the recording"
        return SignalSource(None, f"signal not available: {what} was not found beside or above "
                                  "the night's folder (give --recording NIGHT=PATH)")

    def open(self, path: Path) -> Recording:
        """The recording at ``path`` (opened lazily once, kept among the last four)."""
        from ..io import read_recording

        key = str(path)
        with self._lock:
            if key in self._open:
                self._open.move_to_end(key)
                return self._open[key]
        rec = read_recording(path)
        with self._lock:
            self._open[key] = rec
            while len(self._open) > 4:
                self._open.popitem(last=False)
        return rec


# --------------------------------------------------------------------------
# raw EMG windows
# --------------------------------------------------------------------------
def minmax_envelope(x: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Minimum and maximum of ``x`` in ``n_bins`` equal bins (NaN where a bin has no data).

    Returns ``(mins, maxs, bin_size)``; the bins hold ``bin_size`` samples each,
    the last one possibly fewer.  Every sample's value lies within its bin's
    [min, max], so spikes survive the decimation.

    Examples
    --------
    >>> lo, hi, size = minmax_envelope(np.arange(10, dtype=np.float32), 3)
    >>> lo.tolist(), hi.tolist(), size
    ([0.0, 4.0, 8.0], [3.0, 7.0, 9.0], 4)
    """
    x = np.asarray(x, dtype=np.float32)
    if n_bins < 1:
        raise ValueError("n_bins must be at least 1")
    size = max(1, int(np.ceil(x.size / n_bins)))
    n_full = int(np.ceil(x.size / size)) if x.size else 0
    padded = np.full(n_full * size, np.nan, dtype=np.float32)
    padded[: x.size] = x
    blocks = padded.reshape(n_full, size)
    finite = np.isfinite(blocks)
    has = finite.any(axis=1)
    lo = np.where(finite, blocks, np.inf).min(axis=1) if n_full else np.zeros(0, np.float32)
    hi = np.where(finite, blocks, -np.inf).max(axis=1) if n_full else np.zeros(0, np.float32)
    lo = np.where(has, lo, np.nan).astype(np.float32)
    hi = np.where(has, hi, np.nan).astype(np.float32)
    return lo, hi, size


def _json_numbers(x: np.ndarray, decimals: int = 2) -> list[float | None]:
    """Rounded floats with NaN as None (JSON has no NaN)."""
    r = np.round(x.astype(np.float64), decimals)
    return [None if not np.isfinite(v) else float(v) for v in r.tolist()]


def read_signal_window(recording: Recording, channel: str, start: float, end: float, *,
                       points: int = DEFAULT_POINTS, filtered: bool = True,
                       provenance: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One channel from ``start`` to ``end`` s, ready for a browser: at most ``points`` values.

    Parameters
    ----------
    recording : Recording
    channel : str
        Channel label.
    start, end : float
        Window, s from the recording start (clipped to the recording).
    points : int
        Largest number of values returned.  Longer windows are reduced to a
        min/max envelope of ``points // 2`` bins (``mode="minmax"``), otherwise
        every sample is returned (``mode="samples"``).
    filtered : bool
        Draw the conditioned signal the detectors saw
        (:func:`somnomotor.signal.condition.trace_for_result`: band-pass, mains
        hum removal, ECG removal, at the analysis rate), with the conditioning
        recorded in ``provenance`` (``summary["provenance"]``); otherwise the raw
        samples.
    provenance : mapping
        The night's ``summary["provenance"]``; needed when ``filtered``.

    Returns
    -------
    dict
        ``channel, fs, unit ('uV'), start, end, mode, t0 (s of the first
        value), dt (s between values or bins), values`` (samples) or
        ``min, max`` (envelope); ``null`` where there is no data (EDF+D gaps).

    Examples
    --------
    >>> w = read_signal_window(rec, "LAT", 600, 610,     # 10 s at 256 Hz
    ...                        provenance=result.summary["provenance"])
    >>> w["mode"], len(w["values"])
    ('samples', 2560)
    """
    if not np.isfinite(start) or not np.isfinite(end) or end <= start:
        raise RequestError(f"window must have start < end (got {start}…{end} s)")
    if end - start > MAX_WINDOW_S:
        raise RequestError(f"window of {end - start:.0f} s is longer than the "
                           f"{MAX_WINDOW_S:.0f} s served at once")
    if not 2 <= points <= MAX_POINTS:
        raise RequestError(f"points must be between 2 and {MAX_POINTS}")
    info = recording.channel(channel)
    fs = float(info.fs)
    start = max(0.0, float(start))
    end = min(float(recording.duration), float(end))
    if end <= start:
        raise RequestError(f"window lies outside the recording (0…{recording.duration:.1f} s)")
    i0 = int(np.floor(start * fs + 1e-9))
    i1 = int(np.ceil(end * fs - 1e-9))
    note = ""
    if filtered:
        # The signal the detectors saw: the analysis's own conditioning, with the
        # parameters, mains line and R-peak source its summary recorded.
        from ..signal.condition import trace_for_result

        if provenance is None:
            raise RequestError("the filtered trace needs the night's summary.json "
                               "(its recorded conditioning)")
        try:
            trace = trace_for_result(recording, channel, i0 / fs, i1 / fs, provenance)
        except SomnomotorError as exc:
            raise RequestError(str(exc)) from None
        x, fs, note = trace.signal, trace.fs, trace.note
        i0 = int(round(trace.t0 * fs))
    else:
        x = recording.read(channel, i0 / fs, i1 / fs)
    out: dict[str, Any] = {"channel": channel, "fs": fs, "unit": "uV", "start": i0 / fs,
                           "end": (i0 + x.size) / fs, "filtered": bool(filtered), "note": note,
                           "t0": i0 / fs}
    if x.size <= points:
        out.update(mode="samples", dt=1.0 / fs, values=_json_numbers(x))
    else:
        lo, hi, size = minmax_envelope(x, points // 2)
        out.update(mode="minmax", dt=size / fs, min=_json_numbers(lo), max=_json_numbers(hi))
    return out


def channel_list(events: pd.DataFrame, recording: Recording | None) -> list[dict[str, Any]]:
    """Channels for the raster and the signal view: EMG channels, then others with events."""
    seen: dict[str, dict[str, Any]] = {}
    if recording is not None:
        for c in recording.channels:
            if c.kind == "emg":
                seen[c.label] = {"label": c.label, "muscle": c.muscle, "side": c.side,
                                 "fs": c.fs, "in_recording": True}
    with_events = events.loc[events["channel"] != "", ["channel", "muscle", "side"]]
    for label, muscle, side in with_events.drop_duplicates("channel").itertuples(index=False):
        if label not in seen:
            seen[label] = {"label": label, "muscle": muscle, "side": side, "fs": None,
                           "in_recording": recording is not None
                           and label in recording.labels}
    return list(seen.values())

