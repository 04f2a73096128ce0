"""Luna ``.annot``: the events as Luna's tab-separated interval annotations.

Layout (Luna's documented ``.annot`` format): ``#`` header lines declare each
class and its meta-data fields with types; then one row per event with the six
tab-separated columns ``class instance channel start stop meta``.  Times are
seconds from the EDF start (Luna accepts decimal seconds), ``stop`` is
``start + duration``; a missing instance or channel is ``.``; meta-data are
``key=value`` pairs joined by ``|`` (a missing value is left out, as Luna
rejects ``.`` in a typed numeric field); flags are ``true``/``false``; the
declared types are Luna's ``txt``, ``num``, ``int`` and ``yn``.

Classes are the events-table kinds (``lm``, ``plm``, ``myoclonus`` …; the
registry's ``EventKind.luna_class``), declared in registry order; the
instance is the side (or ``.``); the channel is the source channel label. A
derived event of several channels names them in the meta field ``channels``
(``,``-separated).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .. import kinds as K
from .._atomic import atomic_write
from ..events import make_events

_META_FIELDS = ("muscle[txt]", "stage[txt]", "amplitude_uv[num]", "series[int]",
                "arousal[yn]", "respiratory[yn]", "channels[txt]")


def _clean(values: pd.Series) -> pd.Series:
    s = values.astype(str).str.replace(r"[\t\n|=]", "_", regex=True)
    return s.where(s != "", ".")


def luna_annot_text(events: pd.DataFrame) -> str:
    """The ``.annot`` file contents for an events table (see the module docstring)."""
    ev = make_events(events)
    present = set(ev["kind"])
    classes = {k.name: k.luna_class for k in K.all_kinds()}
    lines = [f"# {k.luna_class} | {k.text} (somnomotor) | {' '.join(_META_FIELDS)}"
             for k in K.all_kinds() if k.name in present]
    lines.append("class\tinstance\tchannel\tstart\tstop\tmeta")
    if len(ev):
        onset = ev["onset"].to_numpy(dtype=float)
        stop = onset + ev["duration"].to_numpy(dtype=float)
        amp = ev["amplitude_uv"].to_numpy(dtype=float)
        ok = np.isfinite(amp)
        amp_kv = np.where(ok, np.char.add("amplitude_uv=",
                                          np.char.mod("%.3f", np.nan_to_num(amp))), "")
        series = ev["series"]
        series_kv = np.where(series.notna(), "series=" + series.astype("object")
                             .where(series.notna(), 0).astype(int).astype(str), "")
        muscle = ev["muscle"].str.replace(r"[\t\n|=]", "_", regex=True)
        stage = ev["stage"].str.replace(r"[\t\n|=]", "_", regex=True)
        parts = pd.DataFrame({
            "muscle": np.where(muscle != "", "muscle=" + muscle, ""),
            "stage": np.where(stage != "", "stage=" + stage, ""),
            "amplitude_uv": amp_kv, "series": series_kv,
            "arousal": np.where(ev["arousal"], "arousal=true", "arousal=false"),
            "respiratory": np.where(ev["respiratory"], "respiratory=true", "respiratory=false"),
            "channels": np.where(ev["channels"] != "", "channels=" + ev["channels"].str.replace(
                r"[\t\n|=]", "_", regex=True).str.replace(";", ","), ""),
            "pattern": np.where(ev["pattern"] != "", "pattern=" + ev["pattern"].str.replace(
                r"[\t\n|=]", "_", regex=True), ""),
        }, index=ev.index)
        meta = (parts.agg("|".join, axis=1).str.replace(r"\|{2,}", "|", regex=True)
                .str.strip("|").replace("", "."))
        body = (ev["kind"].map(classes) + "\t" + _clean(ev["side"]) + "\t" + _clean(ev["channel"]) + "\t"
                + pd.Series(np.char.mod("%.6f", onset), index=ev.index) + "\t"
                + pd.Series(np.char.mod("%.6f", stop), index=ev.index) + "\t" + meta)
        lines.extend(body.tolist())
    return "\n".join(lines) + "\n"


def write_luna_annot(events: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the events table as a Luna ``.annot`` file (whole or not at all).

    Examples
    --------
    >>> write_luna_annot(result.events, "out/night.annot")
    """
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(luna_annot_text(events))
