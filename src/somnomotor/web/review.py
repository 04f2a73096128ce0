"""Review decisions on one night: accept or reject events, add missed ones, export.

Decisions live in ``<night>/review.json`` (written whole or not at all)::

    {"format": "somnomotor-review", "version": 1,
     "events_sha256": "...",            # the events.csv the decisions were made on
     "decisions": {KEY: {"decision": "accepted"|"rejected", "reviewer", "time", "note"}},
     "added": [{"id": "added-1", "onset", "duration", "kind", "channel", "muscle", "side",
                "reviewer", "time", "note"}],
     "log": [{"time", "reviewer", "action", "target", ...}, ...]}

An event is named by its *key* ``kind|channel|onset`` (onset in ms), with
``#2``, ``#3`` … appended to repeats, so decisions survive re-ordering of the
table.  ``log`` keeps every action in order (who, what, when); nothing is
erased from it.  The export ``reviewed-events.csv`` is the events table with
rejected events removed and added events included, in the promised columns.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import kinds as K
from .._atomic import atomic_write
from ..errors import InputError, SomnomotorError
from ..events import make_events, write_events_csv
from ..hypnogram import Hypnogram
from .data import (
    RequestError,
    file_sha256,
    load_events,
    load_summary,
    resolve_night,
)

REVIEW_FILE = "review.json"
EXPORT_FILE = "reviewed-events.csv"
FORMAT = "somnomotor-review"
VERSION = 1
DECISIONS: dict[str, str] = {"accept": "accepted", "reject": "rejected"}
#: Longest event a reviewer may add, s (morning tonic activity can last minutes).
MAX_ADDED_DURATION_S = 3600.0
_REVIEWER = re.compile(r"^[^\x00-\x1f\x7f]{1,80}$")

_keys_cache: dict[int, tuple[weakref.ref[pd.DataFrame], list[str]]] = {}

# One lock per process: two browser tabs must not interleave read-modify-write.
_lock = threading.Lock()


def now_utc() -> str:
    """The current time as ISO 8601 UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def event_keys(events: pd.DataFrame) -> list[str]:
    """Stable names of events: ``kind|channel|onset_ms`` with ``#n`` for repeats.

    Examples
    --------
    >>> ev = make_events([{"onset": 1.0, "duration": 0.6, "kind": "lm", "channel": "LAT"}])
    >>> event_keys(ev)
    ['lm|LAT|1000']
    """
    hit = _keys_cache.get(id(events))
    if hit is not None and len(hit[1]) == len(events) and hit[0]() is events:
        return hit[1]
    # Per event, not per sample: plain Python beats pandas string arithmetic here.
    onset_ms = np.round(events["onset"].to_numpy(dtype=float) * 1000.0).astype(np.int64).tolist()
    seen: dict[str, int] = {}
    keys = []
    for kind, channel, ms in zip(events["kind"].tolist(), events["channel"].tolist(), onset_ms,
                                 strict=True):
        base = f"{kind}|{channel}|{ms}"
        n = seen.get(base, 0) + 1
        seen[base] = n
        keys.append(base if n == 1 else f"{base}#{n}")
    # Tables come from the events cache and are never changed in place, so their keys
    # are remembered while the table lives.
    if len(_keys_cache) > 64:
        for k in [k for k, (r, _) in _keys_cache.items() if r() is None]:
            del _keys_cache[k]
    _keys_cache[id(events)] = (weakref.ref(events), keys)
    return keys


def _empty(events_sha: str) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "events_sha256": events_sha, "updated": None,
            "decisions": {}, "added": [], "log": []}


def load_review(night_dir: Path) -> dict[str, Any]:
    """The night's review (an empty one when no ``review.json`` exists yet)."""
    path = night_dir / REVIEW_FILE
    if not path.exists():
        return _empty(file_sha256(night_dir / "events.csv"))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the review ({exc})", path) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a somnomotor review file (format is not {FORMAT!r})", path)
    if int(data.get("version", 0)) > VERSION:
        raise InputError(f"review file version {data.get('version')} is newer than this "
                         f"software reads ({VERSION})", path)
    data.setdefault("decisions", {})
    data.setdefault("added", [])
    data.setdefault("log", [])
    return data


def _save(night_dir: Path, review: dict[str, Any]) -> None:
    review["updated"] = now_utc()
    path = night_dir / REVIEW_FILE
    try:
        with atomic_write(path, "w", encoding="utf-8") as fh:
            json.dump(review, fh, indent=1, allow_nan=False)
            fh.write("\n")
    except OSError as exc:
        raise InputError(f"cannot save the review ({exc.strerror or exc})", path) from None


def check_reviewer(reviewer: str) -> str:
    """The reviewer's name, trimmed; :class:`RequestError` when empty or odd."""
    name = (reviewer or "").strip()
    if not _REVIEWER.match(name):
        raise RequestError("a reviewer name (1–80 printable characters) is required")
    return name


def review_counts(night_dir: Path, events: pd.DataFrame) -> dict[str, int]:
    """How many events are accepted, rejected, still pending, and how many were added."""
    try:
        review = load_review(night_dir)
    except InputError:
        return {"accepted": 0, "rejected": 0, "pending": int(len(events)), "added": 0,
                "unreadable": 1}
    keys = set(event_keys(events))
    decided = {k: v["decision"] for k, v in review["decisions"].items() if k in keys}
    acc = sum(1 for v in decided.values() if v == "accepted")
    rej = sum(1 for v in decided.values() if v == "rejected")
    return {"accepted": acc, "rejected": rej, "pending": len(keys) - acc - rej,
            "added": len(review["added"]),
            "orphaned": sum(1 for k in review["decisions"] if k not in keys)}


def night_overview(root: Path, name: str,
                   filed: Mapping[str, list[dict[str, str]]] | None = None) -> dict[str, Any]:
    """One line of the night list: name, input file, figures, events count, review state.

    ``filed`` (from :meth:`RecordingLocator.filed_nights`) adds the subject and
    night date under which the store holds the same recording.
    """
    night_dir = resolve_night(root, name)
    item: dict[str, Any] = {"id": name, "error": None}
    try:
        summary = load_summary(night_dir)
        events = load_events(night_dir)
    except SomnomotorError as exc:
        item["error"] = str(exc)
        return item
    prov = summary.get("provenance") or {}
    item["input_file"] = prov.get("input_file")
    item["hypnogram_source"] = prov.get("hypnogram_source")
    item["software_version"] = prov.get("software_version")
    item["figures"] = {k: summary.get(k) for k in K.headline_keys()}  # = data.LIST_FIGURES
    item["events"] = int(len(events))
    hits = (filed or {}).get(prov.get("input_sha256") or "", [])
    item["subject"] = hits[0]["subject"] if hits else None
    item["night_date"] = hits[0]["night_date"] if hits else None
    item["review"] = review_counts(night_dir, events)
    return item


def set_decision(night_dir: Path, events: pd.DataFrame, key: str, decision: str,
                 reviewer: str, note: str = "") -> dict[str, Any]:
    """Accept, reject or clear (``"clear"``) the decision on event ``key``; saved at once.

    Returns the event's new review state (``decision`` is ``"pending"`` after a clear).
    """
    reviewer = check_reviewer(reviewer)
    if decision not in (*DECISIONS, "clear"):
        raise RequestError(f"decision must be accept, reject or clear, not {decision!r}")
    if key not in set(event_keys(events)):
        raise RequestError(f"no event {key!r} in this night")
    note = str(note or "")[:500]
    with _lock:
        review = load_review(night_dir)
        time = now_utc()
        if decision == "clear":
            review["decisions"].pop(key, None)
            state = {"decision": "pending", "reviewer": reviewer, "time": time, "note": note}
        else:
            state = {"decision": DECISIONS[decision], "reviewer": reviewer, "time": time,
                     "note": note}
            review["decisions"][key] = state
        review["events_sha256"] = file_sha256(night_dir / "events.csv")
        review["log"].append({"time": time, "reviewer": reviewer, "action": decision,
                              "target": key, "note": note})
        _save(night_dir, review)
    return {"key": key, **state}


def add_event(night_dir: Path, *, onset: float, duration: float, kind: str, channel: str,
              reviewer: str, recording_duration: float | None, note: str = "",
              side: str | None = None) -> dict[str, Any]:
    """Record an event the automatic scoring missed; returns it with its ``added-N`` id.

    Muscle and side come from the channel label (``somnomotor.montage``) unless
    ``side`` is given; ``onset`` and ``duration`` are seconds.
    """
    from ..montage import infer_channel

    reviewer = check_reviewer(reviewer)
    if kind not in K.names():
        raise RequestError(f"unknown event kind {kind!r} (one of {', '.join(K.names())})")
    if not (np.isfinite(onset) and np.isfinite(duration)) or onset < 0 or duration <= 0:
        raise RequestError("an added event needs onset ≥ 0 s and duration > 0 s")
    if duration > MAX_ADDED_DURATION_S:
        raise RequestError(f"an added event lasts at most {MAX_ADDED_DURATION_S:.0f} s")
    if recording_duration is not None and onset + duration > recording_duration + 1e-6:
        raise RequestError(f"the event ends after the recording ({recording_duration:.1f} s)")
    channel = str(channel or "").strip()
    if len(channel) > 80 or any(ord(c) < 32 for c in channel):
        raise RequestError("channel label is too long or holds control characters")
    info = infer_channel(channel) if channel else None
    side_value = side if side is not None else (info.side if info else "")
    if side_value not in ("left", "right", "bilateral", "midline", ""):
        raise RequestError(f"side must be left, right, bilateral, midline or empty, "
                           f"not {side_value!r}")
    with _lock:
        review = load_review(night_dir)
        used = [int(a["id"].split("-")[-1]) for a in review["added"]
                if str(a.get("id", "")).startswith("added-")]
        number = max([*used, *[int(e["target"].split("-")[-1]) for e in review["log"]
                               if e.get("action") == "add"]], default=0) + 1
        time = now_utc()
        item = {"id": f"added-{number}", "onset": round(float(onset), 4),
                "duration": round(float(duration), 4), "kind": kind, "channel": channel,
                "muscle": info.muscle if info else "", "side": side_value,
                "reviewer": reviewer, "time": time, "note": str(note or "")[:500]}
        review["added"].append(item)
        review["log"].append({"time": time, "reviewer": reviewer, "action": "add",
                              "target": item["id"], "onset": item["onset"],
                              "duration": item["duration"], "kind": kind, "channel": channel})
        _save(night_dir, review)
    return item


def remove_added(night_dir: Path, added_id: str, reviewer: str) -> None:
    """Withdraw an added event (the log keeps that it was added and withdrawn)."""
    reviewer = check_reviewer(reviewer)
    with _lock:
        review = load_review(night_dir)
        kept = [a for a in review["added"] if a.get("id") != added_id]
        if len(kept) == len(review["added"]):
            raise RequestError(f"no added event {added_id!r} in this night")
        review["added"] = kept
        review["log"].append({"time": now_utc(), "reviewer": reviewer, "action": "remove",
                              "target": added_id})
        _save(night_dir, review)


def reviewed_events(events: pd.DataFrame, review: dict[str, Any],
                    hypnogram: Hypnogram | None) -> pd.DataFrame:
    """The events table after review: rejected events out, added events in.

    Pending (unreviewed) events are kept: the automatic scoring stands until a
    reviewer rejects it.  Added events get the stage at their onset from the
    hypnogram (``?`` without one) and no amplitude, series or associations.
    """
    keys = event_keys(events)
    rejected = {k for k, v in review["decisions"].items() if v.get("decision") == "rejected"}
    keep = np.array([k not in rejected for k in keys], dtype=bool)
    kept = events.loc[keep]
    added = review.get("added") or []
    if not added:
        return make_events(kept)
    extra = pd.DataFrame([{c: a.get(c, "") for c in
                           ("onset", "duration", "kind", "channel", "muscle", "side")}
                          for a in added])
    extra["stage"] = (hypnogram.stage_at(extra["onset"].to_numpy(float))
                      if hypnogram is not None else "?")
    return make_events(pd.concat([kept, make_events(extra)], ignore_index=True))


def export_reviewed(night_dir: Path, events: pd.DataFrame, hypnogram: Hypnogram | None,
                    reviewer: str) -> dict[str, Any]:
    """Write ``<night>/reviewed-events.csv`` and log the export; returns the counts."""
    reviewer = check_reviewer(reviewer)
    with _lock:
        review = load_review(night_dir)
        table = reviewed_events(events, review, hypnogram)
        path = night_dir / EXPORT_FILE
        try:
            write_events_csv(table, path)
        except OSError as exc:
            raise InputError(f"cannot write the reviewed events ({exc.strerror or exc})",
                             path) from None
        keys = set(event_keys(events))
        rejected = sum(1 for k, v in review["decisions"].items()
                       if k in keys and v.get("decision") == "rejected")
        accepted = sum(1 for k, v in review["decisions"].items()
                       if k in keys and v.get("decision") == "accepted")
        counts = {"file": EXPORT_FILE, "rows": int(len(table)), "rejected": rejected,
                  "accepted": accepted, "added": len(review["added"]),
                  "pending": len(keys) - rejected - accepted}
        review["log"].append({"time": now_utc(), "reviewer": reviewer, "action": "export",
                              "target": EXPORT_FILE, "rows": counts["rows"]})
        _save(night_dir, review)
    return counts
