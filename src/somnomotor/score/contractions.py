"""Contractions: every activation of every EMG channel as an events row, and its figures.

Takes the per-channel contraction tables
(:func:`~somnomotor.detect.contractions.detect_contractions`, carried by each
:class:`~somnomotor.detect.bursts.ChannelBursts`) and makes one ``contraction``
row per contraction (channel, muscle, side, stage at onset, amplitude) — in
every muscle, chin and legs included, in every stage.  The other per-channel
kinds (``lm``, ``myoclonus``, the REM rules' phasic activity …) classify these.

Summary figures:

* ``contraction_index_by_region``: contractions with onset in sleep per hour of
  total sleep time (per hour of recording when the night is not staged), per
  body region;
* ``contraction_index_by_stage``: all channels' contractions per hour of each
  stage (W, N1, N2, N3, R);
* ``contraction_count_by_channel`` and ``contraction_seconds_by_channel``: over
  the whole recording.

Channels too slow to score are left out of every figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import SLEEP_STAGES, Hypnogram

__all__ = ["contraction_rows", "contraction_summary", "contraction_table", "SUMMARY_KEYS"]

#: The summary keys :func:`contraction_summary` always sets.
SUMMARY_KEYS: tuple[str, ...] = ("contraction_index_by_region", "contraction_index_by_stage",
                                 "contraction_count_by_channel", "contraction_seconds_by_channel",
                                 "contraction_count")

_STAGES = ("W", "N1", "N2", "N3", "R")


def contraction_table(tables: Sequence[pd.DataFrame],
                      parts: Sequence[pd.DataFrame | None] | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every channel's contractions as one table, and the parts the pattern rules classify.

    Parameters
    ----------
    tables : sequence of DataFrame
        Per channel: its contraction table (with ``channel``, ``muscle``, ``side``,
        ``region``).
    parts : sequence of DataFrame or None, optional
        Per channel, in the same order: its contraction parts
        (:func:`~somnomotor.detect.bursts.contraction_parts`, ``contraction`` = row
        of that channel's table); None (or omitted): each contraction is one part
        (``burst`` true unless it is tonic).

    Returns
    -------
    (contractions, parts)
        The contractions sorted by onset then channel (the order of
        :func:`contraction_rows`), and the parts sorted by onset, their
        ``contraction`` now the row of that table.

    Examples
    --------
    >>> a = pd.DataFrame({"onset": [50.0], "duration": [1.0], "amplitude_uv": [40.0],
    ...                   "tonic": [False], "rest_uv": [2.0], "channel": ["A"]})
    >>> b = a.assign(onset=[20.0], channel=["B"])
    >>> pb = pd.DataFrame({"onset": [20.1, 20.6], "duration": [0.1, 0.2],
    ...                    "amplitude_uv": [40.0, 30.0], "tonic": False, "rest_uv": 2.0,
    ...                    "contraction": [0, 0], "channel": "B"})
    >>> c, p = contraction_table([a, b], [None, pb])
    >>> c["channel"].tolist(), p["contraction"].tolist()
    (['B', 'A'], [0, 0, 1])
    """
    cols = ("onset", "duration", "amplitude_uv", "tonic", "rest_uv", "channel", "muscle",
            "side", "region")
    per = list(parts) if parts is not None else [None] * len(tables)
    own, split, offset = [], [], 0
    for t, pt in zip(tables, per, strict=True):
        if not len(t):
            continue
        t = t.reset_index(drop=True).assign(_key=np.arange(offset, offset + len(t)))
        if pt is None:  # each contraction one part, a burst unless it is tonic
            pt = t.drop(columns="_key").assign(contraction=np.arange(len(t)),
                                               burst=~t["tonic"].to_numpy(bool))
        split.append(pt.assign(contraction=pt["contraction"].to_numpy(np.int64) + offset))
        own.append(t)
        offset += len(t)
    if not own:
        empty = pd.DataFrame({c: pd.Series(dtype=bool if c == "tonic" else
                                           (object if c in cols[5:] else float)) for c in cols})
        return empty, empty.assign(contraction=pd.Series(dtype=np.int64),
                                   burst=pd.Series(dtype=bool))
    c = pd.concat(own, ignore_index=True).sort_values(["onset", "channel"], kind="stable")
    c = c.reset_index(drop=True)
    where = np.empty(offset, dtype=np.int64)
    where[c["_key"].to_numpy(np.int64)] = np.arange(offset)
    p = pd.concat(split, ignore_index=True)
    p["contraction"] = where[p["contraction"].to_numpy(np.int64)]
    p = p.sort_values(["onset", "channel"], kind="stable").reset_index(drop=True)
    return c.drop(columns="_key"), p


def contraction_rows(tables: Sequence[pd.DataFrame], hyp: Hypnogram) -> pd.DataFrame:
    """``contraction`` events rows from per-channel contraction tables.

    Examples
    --------
    >>> t = pd.DataFrame({"onset": [40.0], "duration": [3.0], "amplitude_uv": [12.0],
    ...                   "tonic": [False], "rest_uv": [2.0], "channel": ["Deltoid L"],
    ...                   "muscle": ["deltoid"], "side": ["left"], "region": ["shoulder"]})
    >>> rows = contraction_rows([t], Hypnogram.unscored(120.0))
    >>> rows[["kind", "channel", "muscle", "side", "stage"]].values.tolist()
    [['contraction', 'Deltoid L', 'deltoid', 'left', '?']]
    """
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame(columns=["onset", "duration", "kind", "channel", "muscle", "side",
                                     "stage", "amplitude_uv"])
    c = pd.concat(tables, ignore_index=True)
    on = c["onset"].to_numpy(float)
    return pd.DataFrame({
        "onset": on, "duration": c["duration"].to_numpy(float), "kind": "contraction",
        "channel": c["channel"].astype(str).to_numpy(), "muscle": c["muscle"].fillna("").to_numpy(),
        "side": c["side"].fillna("").to_numpy(), "stage": hyp.stage_at(on),
        "amplitude_uv": c["amplitude_uv"].to_numpy(float),
    }).sort_values(["onset", "channel"], kind="stable").reset_index(drop=True)


def contraction_summary(rows: pd.DataFrame, regions: dict[str, str], hyp: Hypnogram,
                        duration: float) -> dict[str, Any]:
    """The contraction summary keys (module doc) from :func:`contraction_rows`.

    ``regions``: every scored channel → its body region (channels without a
    contraction count zero; channels too slow to score are not in it).
    """
    staged = hyp.is_scored
    hours = {s: float((hyp.stages == s).sum()) * hyp.epoch / 3600.0 for s in _STAGES}
    tst_h = sum(hours[s] for s in SLEEP_STAGES) if staged else duration / 3600.0
    rows = rows[rows["channel"].isin(list(regions))] if len(rows) else rows
    ch = rows["channel"].to_numpy(object) if len(rows) else np.zeros(0, object)
    reg = np.array([regions[c] for c in ch], dtype=object)
    stage = rows["stage"].astype(str).to_numpy() if len(rows) else np.zeros(0, object)
    asleep = np.isin(stage, list(SLEEP_STAGES)) if staged else np.ones(ch.size, bool)
    by_region: dict[str, float | None] = {}
    for r in sorted({v for v in regions.values() if v}):
        n = int(((reg == r) & asleep).sum())
        by_region[r] = n / tst_h if tst_h > 0 else None
    by_stage: dict[str, float | None] = {}
    for s in _STAGES:
        h = hours[s]
        by_stage[s] = (int((stage == s).sum()) / h) if staged and h > 0 else None
    dur = rows["duration"].to_numpy(float) if len(rows) else np.zeros(0)
    count = {c: int((ch == c).sum()) for c in regions}
    seconds = {c: float(dur[ch == c].sum()) for c in regions}
    return {"contraction_index_by_region": by_region, "contraction_index_by_stage": by_stage,
            "contraction_count_by_channel": count, "contraction_seconds_by_channel": seconds,
            "contraction_count": int(ch.size)}
