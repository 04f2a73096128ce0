"""The nightly log: what the person did in the evening and how the morning felt.

>>> from somnomotor.diary import validate_entry
>>> e = validate_entry({"subject": "P001", "date": "2024-03-01", "alcohol_units": "2",
...                     "medications": "alprazolam 0.5 mg at 22:30", "morning_stiffness": 4})
>>> e.dose_mg("alprazolam"), e.alcohol_units
(0.5, 2.0)
"""

from __future__ import annotations

from .csvio import diary_csv_text, diary_frame, import_diary_csv, read_diary_csv, write_diary_csv
from .entry import (
    COLUMNS,
    CSD_ALIASES,
    DOSE_RANGE_MG,
    FIELDS,
    DiaryEntry,
    Field,
    Medication,
    parse_medications,
    parse_time,
    validate_entry,
)

__all__ = ["COLUMNS", "CSD_ALIASES", "DOSE_RANGE_MG", "FIELDS", "DiaryEntry", "Field",
           "Medication", "diary_csv_text", "diary_frame", "import_diary_csv", "parse_medications",
           "parse_time", "read_diary_csv", "validate_entry", "write_diary_csv"]
