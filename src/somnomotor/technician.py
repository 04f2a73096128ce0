"""A technician's leg movements, read from a file, for the leg scorer.

The scorer (:mod:`somnomotor.score.legs`) takes tables only; reading a list
of leg movements, or a scoring file's ``lm``/``plm`` events, happens here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .score.legs import validate_lms

__all__ = ["leg_movements_from_scored", "read_leg_movements", "side_from_text"]

_LEFT_WORDS = ("left", "links", "gauche", "(l)", " l ", "-l", "_l")
_RIGHT_WORDS = ("right", "rechts", "droit", "(r)", " r ", "-r", "_r")


def side_from_text(*texts: str) -> str:
    """``left``/``right`` read from an event label or channel name, or ``""``.

    Tries words (``Limb Movement (Left)``), then the montage's reading of a
    channel label (``LAT`` → left).

    Examples
    --------
    >>> side_from_text("Limb Movement (Left)", ""), side_from_text("LM", "RAT")
    ('left', 'right')
    """
    for text in texts:
        t = f" {str(text).lower()} "
        left = any(w in t for w in _LEFT_WORDS)
        right = any(w in t for w in _RIGHT_WORDS)
        if left != right:
            return "left" if left else "right"
    from .montage import infer_channel

    for text in texts:
        if text:
            side = infer_channel(str(text)).side
            if side in ("left", "right"):
                return side
    return ""


def leg_movements_from_scored(scored: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A technician's leg movements (scored kind ``lm``, else ``plm``) as an LM table.

    The side comes from the label or channel; movements whose side cannot be
    told are put on the left leg and a warning says how many.
    """
    kinds = scored["kind"].astype(str)
    # A file marking every LM and, again, the periodic ones would count those twice: the
    # LMs are used when present, the PLM marks only when they are all there is.
    rows = scored[kinds == "lm"].copy() if (kinds == "lm").any() else scored[kinds == "plm"].copy()
    warnings: list[str] = []
    label = rows["label"].astype(str) if "label" in rows.columns else pd.Series("", rows.index)
    chan = rows["channel"].fillna("").astype(str) if "channel" in rows.columns else \
        pd.Series("", index=rows.index)
    sides = [side_from_text(a, b) for a, b in zip(label, chan, strict=True)]
    unknown = sum(1 for s in sides if not s)
    if unknown:
        warnings.append(f"{unknown} leg movement(s) without a side; counted as one leg (left)")
    out = pd.DataFrame({"onset": rows["onset"].to_numpy(float),
                        "duration": rows["duration"].fillna(0.0).to_numpy(float),
                        "side": [s or "left" for s in sides],
                        "channel": chan.to_numpy(), "amplitude_uv": np.nan})
    return out.sort_values("onset", kind="stable").reset_index(drop=True), warnings


def read_leg_movements(path: str | Any, recording: Any = None
                       ) -> tuple[pd.DataFrame, Any, list[str]]:
    """Read a technician's leg-movement list.

    Accepts a CSV with columns ``onset,duration,side`` (s from the recording
    start; side ``left``/``right``), or any scoring file
    :func:`somnomotor.io.read_scorings` reads (EDF+ annotations, NSRR XML,
    RemLogic export, CSV events with ``kind``), whose ``lm``/``plm`` events
    are taken; ``recording`` (a :class:`~somnomotor.recording.Recording`)
    aligns clock times (RemLogic) to its start.  Returns the LM table, the file's
    :class:`~somnomotor.io.Scorings` (None for a plain LM list: it may carry
    a hypnogram, arousals and respiratory events) and warnings.

    Examples
    --------
    >>> lms, scorings, warnings = read_leg_movements("lms.csv")
    """
    import os

    p = os.fspath(path)
    head = ""
    try:
        with open(p, encoding="utf-8-sig", errors="replace") as fh:
            head = fh.readline()
    except OSError as exc:
        raise InputError(f"cannot read the leg-movement list ({exc.strerror})", p) from None
    cols = [c.strip().lower() for c in head.split(",")]
    if {"onset", "duration", "side"} <= set(cols) and "kind" not in cols:
        try:
            df = pd.read_csv(p, skipinitialspace=True)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"not a readable CSV ({exc})", p) from None
        df.columns = [str(c).strip().lower() for c in df.columns]
        try:
            return validate_lms(df), None, []
        except InputError as exc:
            raise InputError(exc.problem, p) from None
    from .io import read_scorings

    sc = read_scorings(p, recording=recording, expect="events")
    lms, warnings = leg_movements_from_scored(sc.events)
    if not len(lms):
        warnings.append("no leg movements in the file")
    return lms, sc, [f"{os.path.basename(p)}: {w}" for w in warnings]
