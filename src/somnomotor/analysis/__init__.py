"""Across-night analysis for one person: what changed with which factor.

>>> from somnomotor.analysis import compare_subject
>>> from somnomotor.store import Store
>>> comparison = compare_subject(Store("clinic.db"), "P001")   # one night filed so far
>>> len(comparison.data)
1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .abab import plan_abab
from .compare import (
    CONFOUNDING_NOTE,
    DISCLAIMER,
    Comparison,
    check_tolerance,
    compare_nights,
    confounding_notes,
    format_effects_table,
)
from .data import FACTORS, OUTCOMES, assemble_nights
from .stats import Fit, fit_regression

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store

__all__ = ["CONFOUNDING_NOTE", "DISCLAIMER", "FACTORS", "OUTCOMES", "Comparison", "Fit",
           "assemble_nights", "check_tolerance", "compare_nights", "compare_subject",
           "confounding_notes", "fit_regression", "format_effects_table", "plan_abab"]


def compare_subject(store: Store, subject: str) -> Comparison:
    """Compare ``subject``'s nights in ``store`` (the joined table is ``.data``).

    Examples
    --------
    >>> from somnomotor.store import Store
    >>> comparison = compare_subject(Store("clinic.db"), "P001")
    >>> comparison.subject
    'P001'
    """
    data = assemble_nights(store.diary(subject), store.nights(subject))
    return compare_nights(data, subject=subject)
