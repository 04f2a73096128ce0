"""What every scorer returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..events import empty_events


@dataclass
class ScoreResult:
    """Rows of the events table, summary keys, report details and channel quality."""

    events: pd.DataFrame = field(default_factory=empty_events)
    summary: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
