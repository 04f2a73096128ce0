"""somnomotor: find, score and follow abnormal movements in sleep.

>>> import somnomotor
>>> rec = somnomotor.read("night.edf")
>>> result = somnomotor.analyze(rec)
>>> list(result.events.columns[:3]), result.summary["plms_index"] >= 0
(['onset', 'duration', 'kind'], True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = ["__version__", "analyze", "read", "AnalysisParams"]

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import AnalysisParams, analyze, read


def __getattr__(name: str) -> Any:
    # Lazy, so that `import somnomotor` stays light (no scipy/pandas until used).
    if name in ("analyze", "read", "AnalysisParams"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'somnomotor' has no attribute {name!r}")
