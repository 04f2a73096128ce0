"""BIDS ``*_events.tsv`` (+ ``.json`` sidecar) and ``*_channels.tsv`` with ``target_muscle``.

Files go where BIDS puts them: ``<out_dir>/sub-<subject>/[ses-<session>/]emg/``
named ``sub-<subject>[_ses-<session>]_task-<task>_events.tsv`` and
``…_channels.tsv``.  The ``emg`` data type and the ``target_muscle`` column
follow the BIDS extension for electromyography (BEP 042); the events columns
``onset``, ``duration`` (seconds) and ``trial_type`` are BIDS core, the others
(``channel``, ``muscle``, ``side``, ``stage``, ``amplitude_uv``, ``series``,
``arousal``, ``respiratory``, ``kind``) are described in the JSON sidecar.
Missing values are ``n/a`` as BIDS requires.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import kinds as K
from .._atomic import atomic_write
from ..events import make_events
from ._vocab import event_texts

#: Our muscle names → a readable target muscle for ``channels.tsv``.
TARGET_MUSCLE: dict[str, str] = {
    "tibialis_anterior": "tibialis anterior",
    "mentalis": "mentalis",
    "submentalis": "submental muscles",
    "masseter": "masseter",
    "fds": "flexor digitorum superficialis",
    "biceps": "biceps brachii",
    "deltoid": "deltoid",
    "pectoralis": "pectoralis major",
    "intercostal": "intercostal muscles",
    "rectus_abdominis": "rectus abdominis",
    "paraspinal": "paraspinal muscles",
    "scm": "sternocleidomastoid",
}
_BIDS_TYPE = {"emg": "EMG", "eeg": "EEG", "eog": "EOG", "ecg": "ECG", "resp": "RESP",
              "other": "MISC"}
_LABEL_RE = re.compile(r"^[A-Za-z0-9]+$")

EVENTS_SIDECAR: dict[str, Any] = {
    "onset": {"Description": "Event onset from the start of the recording", "Units": "s"},
    "duration": {"Description": "Event duration", "Units": "s"},
    "trial_type": {"Description": "Event name as in somnomotor's EDF+ export, "
                                  "e.g. 'LM left', 'PLM bilateral', 'Myoclonus fds right'"},
    "kind": {"Description": "somnomotor event kind"},  # levels: events_sidecar()
    "channel": {"Description": "Source channel label (n/a for derived events)"},
    "muscle": {"Description": "Target muscle of the source channel"},
    "side": {"Description": "left, right, bilateral or midline"},
    "stage": {"Description": "Sleep stage of the 30-s epoch holding the onset (W N1 N2 N3 R ?)"},
    "amplitude_uv": {"Description": "Peak envelope above the resting level", "Units": "uV"},
    "series": {"Description": "PLM series number"},
    "arousal": {"Description": "Associated with an arousal under the rules (true/false)"},
    "respiratory": {"Description": "Associated with a respiratory event under the rules"},
    "channels": {"Description": "Channels of a derived event that involves several "
                                "(';'-separated; channel is then n/a)"},
    "pattern": {"Description": "For a contraction: the pattern it was classified as "
                               "(myoclonus, neck_myoclonus, fragmentary_myoclonus, hypnic_jerk, "
                               "grm, propriospinal_myoclonus, rhythmic_movement); n/a if none"},
}


def events_sidecar(kinds_present: Iterable[str] = ()) -> dict[str, Any]:
    """The events JSON sidecar: :data:`EVENTS_SIDECAR` with the ``kind`` levels.

    The levels are the kinds somnomotor's detectors produce and any other
    registered kind present in the table (registry order, descriptions from
    :mod:`somnomotor.kinds`).
    """
    present = set(kinds_present)
    levels = {k.name: k.description for k in K.all_kinds() if k.produced or k.name in present}
    out = dict(EVENTS_SIDECAR)
    out["kind"] = {**EVENTS_SIDECAR["kind"], "Levels": levels}
    return out


def _check_label(name: str, value: str) -> str:
    if not _LABEL_RE.match(value):
        raise ValueError(f"BIDS {name} label must be letters and digits only, not {value!r}")
    return value


def _channels_frame(channels: Any) -> pd.DataFrame:
    if isinstance(channels, pd.DataFrame):
        return channels.copy()
    rows = []
    for c in channels:
        rows.append(asdict(c) if is_dataclass(c) and not isinstance(c, type) else dict(c))
    return pd.DataFrame(rows)


def bids_channels_table(channels: pd.DataFrame | Sequence[Any]) -> pd.DataFrame:
    """``channels.tsv`` rows: name, type, units, sampling_frequency, target_muscle, side.

    ``channels`` is ``NightResult.channels`` or a sequence of
    :class:`somnomotor.recording.ChannelInfo`.
    """
    df = _channels_frame(channels)
    if not len(df):
        return pd.DataFrame(columns=["name", "type", "units", "sampling_frequency",
                                     "target_muscle", "side"])
    df = df[df.get("kind", pd.Series("other", index=df.index)) != "annotation"]
    muscle = df.get("muscle", pd.Series("", index=df.index)).fillna("").astype(str)
    return pd.DataFrame({
        "name": df["label"].astype(str),
        "type": df.get("kind", pd.Series("other", index=df.index)).map(
            lambda k: _BIDS_TYPE.get(str(k), "MISC")),
        "units": df.get("unit", pd.Series("uV", index=df.index)).fillna("n/a").astype(str)
        .replace({"uV": "µV", "": "n/a"}),
        "sampling_frequency": df.get("fs", pd.Series(np.nan, index=df.index)).astype(float),
        "target_muscle": muscle.map(lambda m: TARGET_MUSCLE.get(m, m.replace("_", " ")) or "n/a"),
        "side": df.get("side", pd.Series("", index=df.index)).fillna("").replace("", "n/a"),
    }).reset_index(drop=True)


def bids_events_table(events: pd.DataFrame) -> pd.DataFrame:
    """``events.tsv`` rows: onset, duration, trial_type, then the events-table columns."""
    ev = make_events(events)
    out = pd.DataFrame({
        "onset": ev["onset"], "duration": ev["duration"], "trial_type": event_texts(ev),
        "kind": ev["kind"], "channel": ev["channel"], "muscle": ev["muscle"],
        "side": ev["side"], "stage": ev["stage"], "amplitude_uv": ev["amplitude_uv"],
        "series": ev["series"].astype("object").where(ev["series"].notna(), None),
        "arousal": np.where(ev["arousal"], "true", "false"),
        "respiratory": np.where(ev["respiratory"], "true", "false"),
        "channels": ev["channels"],
        "pattern": ev["pattern"],
    })
    return out.replace("", None)


def _write_tsv(df: pd.DataFrame, path: Path) -> None:
    text = df.to_csv(sep="\t", index=False, na_rep="n/a", float_format="%.6f",
                     lineterminator="\n")
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_bids(events: pd.DataFrame, out_dir: str | os.PathLike[str], *, subject: str,
               session: str | None = None, task: str = "sleep",
               channels: pd.DataFrame | Sequence[Any]) -> dict[str, Path]:
    """Write BIDS events and channels files for one night.

    Parameters
    ----------
    events : DataFrame
        The events table.
    out_dir : path
        BIDS dataset root; the files go under ``sub-<subject>/[ses-<session>/]emg/``.
    subject, session, task : str
        BIDS labels (letters and digits only).
    channels : DataFrame or sequence of ChannelInfo
        ``NightResult.channels`` (label, kind, muscle, side, fs, unit).

    Returns
    -------
    dict
        Paths written: ``events``, ``events_json``, ``channels``.

    Examples
    --------
    >>> paths = write_bids(result.events, "bids", subject="01", session="night3",
    ...                    channels=result.channels)
    >>> paths["events"].name
    'sub-01_ses-night3_task-sleep_events.tsv'
    """
    _check_label("subject", subject)
    _check_label("task", task)
    folder = Path(out_dir) / f"sub-{subject}"
    stem = f"sub-{subject}"
    if session is not None:
        _check_label("session", session)
        folder = folder / f"ses-{session}"
        stem += f"_ses-{session}"
    folder = folder / "emg"
    stem += f"_task-{task}"
    paths = {"events": folder / f"{stem}_events.tsv",
             "events_json": folder / f"{stem}_events.json",
             "channels": folder / f"{stem}_channels.tsv"}
    events = make_events(events)
    _write_tsv(bids_events_table(events), paths["events"])
    with atomic_write(paths["events_json"], "w", encoding="utf-8") as fh:
        json.dump(events_sidecar(set(events["kind"])), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    _write_tsv(bids_channels_table(channels), paths["channels"])
    return paths
