"""The AASM movement chapter in one call: bruxism, rhythmic movements, ALMA,
hypnagogic foot tremor, large muscle group movements.

Order matters (a burst is claimed once): bruxism on the jaw channels;
rhythmic movements over large muscle groups (with the leg bursts inside an
episode); ALMA (alternating legs) before foot tremor (one leg) on the leg
bursts left; large movements last, kept only where no other movement's
episode lies.  Works on any per-channel activation table with the burst
columns.  The trains — rhythmic movements, ALMA, foot tremor — classify the
contraction parts when they are given (``contractions``: one detection, many
classifications); bruxism and large movements read ``table``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import Hypnogram
from .aasm_rules import AasmParams
from .alma import score_alma
from .bruxism import score_bruxism
from .foot_tremor import score_foot_tremor
from .large_movements import score_large_movements
from .rhythmic import score_rhythmic_movements

__all__ = ["score_aasm_episodes", "score_aasm_movements", "AASM_SUMMARY_KEYS"]

#: The promised summary keys (interfaces.md); None when the pattern is not scorable.
AASM_SUMMARY_KEYS: tuple[str, ...] = (
    "alma_count", "hypnagogic_foot_tremor_count", "bruxism_episode_count",
    "rhythmic_movement_count", "large_movement_count",
)
_INDEX = {"alma_count": "alma_index",
          "hypnagogic_foot_tremor_count": "hypnagogic_foot_tremor_index",
          "bruxism_episode_count": "bruxism_index",
          "rhythmic_movement_count": "rhythmic_movement_index",
          "large_movement_count": "large_movement_index"}


def score_aasm_episodes(table: pd.DataFrame, hyp: Hypnogram, p: AasmParams, *,
                        available: pd.DataFrame, jaw: pd.DataFrame | None = None,
                        contractions: pd.DataFrame | None = None
                        ) -> tuple[list[pd.DataFrame], dict[str, Any]]:
    """Bruxism and the trains (rhythmic movements, ALMA, foot tremor) of one night.

    The part of :func:`score_aasm_movements` that needs no other movement's
    episodes: ``([bruxism, rhythmic, alma, foot tremor] rows, their summary)``.
    A caller that needs the trains before scoring other patterns (GRM must not
    take a train's bursts) scores them here once and passes them on as
    ``episodes``.
    """
    table = table.reset_index(drop=True)
    summary: dict[str, Any] = {}
    if jaw is not None:
        brux, s, _ = score_bruxism(jaw.reset_index(drop=True), hyp, p, available=available)
        used_b = np.zeros(len(table), dtype=bool)
    else:
        brux, s, used_b = score_bruxism(table, hyp, p, available=available)
    summary.update(s)
    # The trains (rhythmic movements, ALMA, foot tremor) on the contraction parts when
    # given, else on ``table``.
    trains = table if contractions is None else contractions.reset_index(drop=True)
    rmd, s, used_r = score_rhythmic_movements(trains, hyp, p, available=available,
                                              exclude=used_b if contractions is None else None)
    summary.update(s)
    alma_in = trains[~used_r].reset_index(drop=True)
    alma, s, used_a_sub = score_alma(alma_in, hyp, p, available=available)
    summary.update(s)
    used_a = ~used_r.copy()
    used_a[used_a] = used_a_sub
    hft, s, _ = score_foot_tremor(trains, hyp, p, available=available,
                                  exclude=used_r | used_a | (used_b if contractions is None
                                                             else False))
    summary.update(s)
    return [brux, rmd, alma, hft], summary


def score_aasm_movements(table: pd.DataFrame, hyp: Hypnogram, p: AasmParams, *,
                         available: pd.DataFrame, sleep_h: float,
                         other: pd.DataFrame | None = None, jaw: pd.DataFrame | None = None,
                         contractions: pd.DataFrame | None = None,
                         episodes: tuple[list[pd.DataFrame], dict[str, Any]] | None = None
                         ) -> tuple[list[pd.DataFrame], dict[str, Any], dict[str, str]]:
    """Every AASM-chapter pattern of one night.

    Parameters
    ----------
    table : DataFrame
        Per-channel activations of every EMG channel (burst columns, ``stage`` optional).
    hyp : Hypnogram
    p : AasmParams
    available : DataFrame
        The recorded EMG channels: ``channel``, ``muscle``, ``side``, ``region``.
    sleep_h : float
        Hours of sleep (or of recording when unscored): the indices' denominator.
    other : DataFrame, optional
        Episodes of other movements (GRM, propriospinal myoclonus) a large movement must not overlap.
    jaw : DataFrame, optional
        The jaw channels' contractions (:mod:`somnomotor.detect.contractions`, with
        ``pre_uv``, the local background before each): bruxism reads these when
        given, else the jaw rows of ``table``.
    contractions : DataFrame, optional
        The contraction parts of every channel (burst columns; ``stage`` optional):
        rhythmic movements, ALMA and foot tremor classify them instead of ``table``.
    episodes : optional
        :func:`score_aasm_episodes` of the same night, already scored: used, not
        scored again (``jaw`` and ``contractions`` are then not read).

    Returns
    -------
    (rows, summary, notes)
        Events rows per pattern; the promised counts (None when not scorable)
        with an index per hour of sleep beside each and sub-type counts; the
        patterns that could not be scored: count key → a note naming what is missing.
    """
    table = table.reset_index(drop=True)
    if episodes is None:
        episodes = score_aasm_episodes(table, hyp, p, available=available, jaw=jaw,
                                       contractions=contractions)
    (brux, rmd, alma, hft), found = episodes
    summary: dict[str, Any] = dict(found)
    others = [t for t in (brux, rmd, alma, hft, other) if t is not None and len(t)]
    large, s = score_large_movements(table, hyp, p, available=available,
                                     other=pd.concat(others, ignore_index=True) if others
                                     else None)
    summary.update(s)
    for count, index in _INDEX.items():
        n = summary.get(count)
        summary[index] = (n / sleep_h) if n is not None and sleep_h > 0 else None
    notes = {count: summary.pop(f"{index[:-len('_index')]}_note")
             for count, index in _INDEX.items() if f"{index[:-len('_index')]}_note" in summary}
    return [brux, rmd, alma, hft, large], summary, notes
