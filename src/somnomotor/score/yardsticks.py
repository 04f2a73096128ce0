"""A night beside healthy sleepers: Frauscher et al. 2014's 90th percentiles.

The yardsticks are declared once, in :data:`somnomotor.kinds.YARDSTICKS`
(Frauscher et al., "Motor events during healthy sleep", Sleep
2014;37:763–773).  A figure above the healthy 90th percentile is worth showing
as such; it is not a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..kinds import YARDSTICKS

__all__ = ["healthy_comparison"]


def healthy_comparison(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``healthy_p90`` (key → p90) and ``above_healthy_p90`` (key → bool, None when undefined).

    Examples
    --------
    >>> out = healthy_comparison({"plms_index": 30.0, "rem_tonic_percent": None})
    >>> out["healthy_p90"]["plms_index"], out["above_healthy_p90"]["plms_index"]
    (24.8, True)
    >>> out["above_healthy_p90"]["rem_tonic_percent"] is None
    True
    >>> healthy_comparison({"fragmentary_index": 150.0})["above_healthy_p90"][
    ...     "fragmentary_myoclonus_index"]
    True
    """
    above: dict[str, bool | None] = {}
    for y in YARDSTICKS:
        v = summary.get(y.night_key)
        ok = isinstance(v, int | float) and not isinstance(v, bool) and v == v
        above[y.key] = bool(float(v) > y.p90) if ok else None  # type: ignore[arg-type]
    return {"healthy_p90": {y.key: y.p90 for y in YARDSTICKS}, "above_healthy_p90": above,
            "healthy_p90_source": YARDSTICKS[0].source if YARDSTICKS else ""}
