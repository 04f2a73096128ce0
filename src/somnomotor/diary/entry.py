"""One night's diary entry: the documented fields, their ranges, and validation.

The column set (``FIELDS``) is the nightly log's contract: CSV import and export,
the ``diary add`` options and the store's ``diary_entries`` table use these names.
The Consensus Sleep Diary core items (Carney et al., Sleep 2012;35:287–302) map
onto it (:data:`CSD_ALIASES`).  Every value is checked at this boundary, once;
inside somnomotor an entry is trusted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, NamedTuple

from ..errors import DiaryError


class Field(NamedTuple):
    """A diary column: name, type (time, float, int, bool, text), range, unit and meaning."""

    name: str
    kind: str
    low: float | None
    high: float | None
    unit: str
    meaning: str


#: The documented diary columns besides ``subject``, ``date`` and ``medications``.
FIELDS: tuple[Field, ...] = (
    Field("bedtime", "time", None, None, "HH:MM", "time got into bed (CSD 1)"),
    Field("lights_out", "time", None, None, "HH:MM", "time tried to go to sleep (CSD 2)"),
    Field("sol_minutes", "float", 0, 720, "min", "how long it took to fall asleep (CSD 3)"),
    Field("awakenings", "int", 0, 100, "count", "times woken during the night (CSD 4)"),
    Field("waso_minutes", "float", 0, 720, "min", "total time awake during the night (CSD 5)"),
    Field("final_awakening", "time", None, None, "HH:MM", "time of final awakening (CSD 6)"),
    Field("rise_time", "time", None, None, "HH:MM", "time got out of bed (CSD 7)"),
    Field("sleep_quality", "int", 1, 5, "1–5", "sleep quality, 1 very poor … 5 very good (CSD 8)"),
    Field("alcohol_units", "float", 0, 40, "standard units", "evening alcohol (10 g ethanol each)"),
    Field("last_drink_time", "time", None, None, "HH:MM", "time of the last drink"),
    Field("exertion", "float", 0, 10, "0–10", "daytime physical exertion, 0 none … 10 maximal"),
    Field("strenuous_minutes", "float", 0, 1440, "min", "minutes of strenuous activity"),
    Field("stretching_minutes", "float", 0, 600, "min", "minutes of stretching during the day"),
    Field("posture_breaks", "int", 0, 200, "count", "breaks taken to change posture"),
    Field("hot_bath_minutes", "float", 0, 240, "min", "hot bath or shower before bed (0 none)"),
    Field("hot_bath_time", "time", None, None, "HH:MM", "time of the hot bath"),
    Field("heating_pad", "bool", None, None, "yes/no", "heating pad on the spasming muscles"),
    Field("warm_clothing", "bool", None, None, "yes/no", "warm clothing on the legs at night"),
    Field("capsaicin", "bool", None, None, "yes/no", "topical capsaicin in the evening"),
    Field("morning_stiffness", "float", 0, 10, "0–10", "stiffness/rigidity on waking"),
    Field("stretch_before_rising_minutes", "float", 0, 600, "min",
          "minutes of stretching needed before getting up"),
    Field("penn_frequency", "int", 0, 4, "0–4", "Penn Spasm Frequency Scale (night spasms)"),
    Field("penn_severity", "int", 1, 3, "1–3", "Penn spasm severity (only when frequency ≥ 1)"),
    Field("notes", "text", None, None, "", "free notes (CSD comments)"),
)
FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
#: Every CSV column of the nightly log, in export order.
COLUMNS: tuple[str, ...] = ("subject", "date", *(f.name for f in FIELDS), "medications")

#: Consensus Sleep Diary column names (and common spellings) → ours.
CSD_ALIASES: dict[str, str] = {
    "time_into_bed": "bedtime", "time_got_into_bed": "bedtime", "bed_time": "bedtime",
    "time_tried_to_sleep": "lights_out", "lights_off": "lights_out",
    "time_to_fall_asleep": "sol_minutes", "sol": "sol_minutes",
    "number_of_awakenings": "awakenings", "nwak": "awakenings",
    "waso": "waso_minutes", "waso_min": "waso_minutes",
    "final_awakening_time": "final_awakening", "wake_time": "final_awakening",
    "time_out_of_bed": "rise_time", "out_of_bed": "rise_time",
    "quality": "sleep_quality", "comments": "notes", "night": "date", "entry_date": "date",
    "alcohol": "alcohol_units", "drinks": "alcohol_units",
}

#: Plausible single-dose range (mg) of medicines people in this field take at night,
#: to catch unit slips (µg written as mg, a tablet count).  Upper ends are about the
#: labelled maximum daily dose; a check on typing, never dosing advice.
DOSE_RANGE_MG: dict[str, tuple[float, float]] = {
    "alprazolam": (0.125, 10.0),
    "clonazepam": (0.125, 20.0),
    "diazepam": (1.0, 40.0),
    "temazepam": (5.0, 60.0),
    "lorazepam": (0.25, 10.0),
    "zolpidem": (1.75, 20.0),
    "baclofen": (2.5, 120.0),
    "tizanidine": (1.0, 36.0),
    "gabapentin": (100.0, 3600.0),
    "pregabalin": (25.0, 600.0),
    "pramipexole": (0.05, 4.5),
    "ropinirole": (0.25, 24.0),
    "rotigotine": (1.0, 16.0),
    "levodopa": (25.0, 2000.0),
    "melatonin": (0.1, 20.0),
}
#: Upper limit (mg) for a medicine not in :data:`DOSE_RANGE_MG`.
UNKNOWN_DRUG_MAX_MG = 5000.0

_TIME_RE = re.compile(r"^\s*(\d{1,2})[:h.](\d{2})\s*$")
_MED_RE = re.compile(
    r"^\s*(?P<name>[^\d;]*?[A-Za-z][^\d;]*?)\s+(?P<dose>\d+(?:[.,]\d+)?)\s*"
    r"(?P<unit>[^\d\s@]+(?:/\w+)?)?\s*(?:(?:at|@)\s*)?(?P<time>\d{1,2}[:h.]\d{2})?\s*$",
    re.IGNORECASE)
_TRUE = {"yes", "y", "true", "1", "on", "x"}
_FALSE = {"no", "n", "false", "0", "off"}
_MG_PER = {"µg": 1e-3, "ug": 1e-3, "mcg": 1e-3, "μg": 1e-3, "g": 1e3}


@dataclass(frozen=True)
class Medication:
    """A medicine taken in the evening or night: name (lower case), dose in mg, time HH:MM."""

    name: str
    dose_mg: float
    time_taken: str | None = None

    def text(self) -> str:
        """As written in the CSV ``medications`` column, e.g. ``alprazolam 0.5 mg at 22:30``."""
        at = f" at {self.time_taken}" if self.time_taken else ""
        return f"{self.name} {self.dose_mg:g} mg{at}"


@dataclass(frozen=True)
class DiaryEntry:
    """One night's validated diary entry (the night of ``entry_date``'s evening).

    Build with :func:`validate_entry`; fields are those of :data:`FIELDS` (None
    when not given) plus ``subject``, ``entry_date`` and ``medications``.
    """

    subject: str
    entry_date: dt.date
    bedtime: str | None = None
    lights_out: str | None = None
    sol_minutes: float | None = None
    awakenings: int | None = None
    waso_minutes: float | None = None
    final_awakening: str | None = None
    rise_time: str | None = None
    sleep_quality: int | None = None
    alcohol_units: float | None = None
    last_drink_time: str | None = None
    exertion: float | None = None
    strenuous_minutes: float | None = None
    stretching_minutes: float | None = None
    posture_breaks: int | None = None
    hot_bath_minutes: float | None = None
    hot_bath_time: str | None = None
    heating_pad: bool | None = None
    warm_clothing: bool | None = None
    capsaicin: bool | None = None
    morning_stiffness: float | None = None
    stretch_before_rising_minutes: float | None = None
    penn_frequency: int | None = None
    penn_severity: int | None = None
    notes: str = ""
    medications: tuple[Medication, ...] = field(default=())

    def dose_mg(self, name: str) -> float:
        """Total evening dose (mg) of medicine ``name`` (0 when not taken)."""
        key = name.strip().lower()
        return float(sum(m.dose_mg for m in self.medications if m.name == key))

    @property
    def time_in_bed_minutes(self) -> float | None:
        """Minutes from bedtime to rise time, or None when either is missing."""
        if self.bedtime is None or self.rise_time is None:
            return None
        return _clock(self.rise_time) - _clock(self.bedtime)

    def to_row(self) -> dict[str, Any]:
        """The store's ``diary_entries`` columns (booleans as 0/1)."""
        row: dict[str, Any] = {"entry_date": self.entry_date.isoformat()}
        for f in FIELDS:
            v = getattr(self, f.name)
            row[f.name] = int(v) if isinstance(v, bool) else v
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any], medications: Sequence[Medication] = (),
                 subject: str = "") -> DiaryEntry:
        """Rebuild an entry from a store row (trusted: validated when it was added)."""
        values: dict[str, Any] = {}
        for f in FIELDS:
            v = row.get(f.name)
            if f.kind == "bool" and v is not None:
                v = bool(v)
            values[f.name] = v if v is not None or f.kind != "text" else ""
        return cls(subject=subject or str(row.get("subject", "")),
                   entry_date=dt.date.fromisoformat(row["entry_date"]),
                   medications=tuple(medications), **values)

    def to_record(self) -> dict[str, str]:
        """The entry as CSV text, one string per column of :data:`COLUMNS`."""
        out = {"subject": self.subject, "date": self.entry_date.isoformat()}
        for f in FIELDS:
            v = getattr(self, f.name)
            if v is None:
                out[f.name] = ""
            elif f.kind == "bool":
                out[f.name] = "yes" if v else "no"
            elif isinstance(v, float):
                out[f.name] = f"{v:g}"
            else:
                out[f.name] = str(v)
        out["medications"] = "; ".join(m.text() for m in self.medications)
        return out


def _clock(hhmm: str) -> float:
    """Minutes after noon of the entry's date: times before 12:00 are the next morning."""
    h, m = (int(x) for x in hhmm.split(":"))
    minutes = h * 60 + m - 12 * 60
    return float(minutes + 24 * 60 if minutes < 0 else minutes)


def _fail(where: str, name: str, raw: Any, problem: str) -> DiaryError:
    shown = f" = '{raw}'" if raw not in (None, "") else ""
    return DiaryError(f"{name}{shown}: {problem}", where)


def parse_time(raw: Any, name: str = "time", where: str = "diary entry") -> str | None:
    """``HH:MM`` (also ``H:MM``, ``22h30``, ``22.30``) → ``'HH:MM'``; empty → None."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    m = _TIME_RE.match(text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise _fail(where, name, raw, "expected a clock time like 22:30")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_medications(raw: Any, where: str = "diary entry") -> tuple[Medication, ...]:
    """Parse ``'alprazolam 0.5 mg at 22:30; baclofen 10 mg'`` (doses in mg only).

    Examples
    --------
    >>> parse_medications("Alprazolam 1 mg at 22:30")
    (Medication(name='alprazolam', dose_mg=1.0, time_taken='22:30'),)
    """
    text = "" if raw is None else str(raw).strip()
    if not text or text.lower() in ("none", "-"):
        return ()
    meds = []
    for part in (p for p in text.split(";") if p.strip()):
        m = _MED_RE.match(part)
        if not m:
            raise _fail(where, "medications", part.strip(),
                        "expected 'name dose mg [at HH:MM]', e.g. 'alprazolam 0.5 mg at 22:30'")
        name = " ".join(m.group("name").lower().split())
        dose = float(m.group("dose").replace(",", "."))
        unit = (m.group("unit") or "").lower()
        if unit != "mg":
            if not unit:
                problem = "give the dose's unit: doses are in mg"
            elif unit in _MG_PER:
                problem = (f"doses are in mg, not {unit} "
                           f"({dose:g} {unit} = {dose * _MG_PER[unit]:g} mg)")
            else:
                problem = f"doses are in mg, not '{unit}' (write the dose in mg)"
            raise _fail(where, "medications", part.strip(), problem)
        low, high = DOSE_RANGE_MG.get(name, (0.0, UNKNOWN_DRUG_MAX_MG))
        if not (dose > 0 and low <= dose <= high):
            raise _fail(where, "medications", part.strip(),
                        f"{dose:g} mg of {name} is outside the plausible {low:g}–{high:g} mg; "
                        "is the unit right (mg)?")
        time = parse_time(m.group("time"), "medications", where) if m.group("time") else None
        meds.append(Medication(name, dose, time))
    return tuple(meds)


def _parse_value(f: Field, raw: Any, where: str) -> Any:
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "" or (isinstance(raw, float) and math.isnan(raw)):
        return "" if f.kind == "text" else None
    if f.kind == "text":
        return str(raw)
    if f.kind == "time":
        return parse_time(raw, f.name, where)
    if f.kind == "bool":
        if isinstance(raw, bool):
            return raw
        key = str(raw).strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise _fail(where, f.name, raw, "expected yes or no")
    try:
        value = float(str(raw).replace(",", ".")) if not isinstance(raw, int | float) else \
            float(raw)
    except ValueError:
        raise _fail(where, f.name, raw, f"expected a number ({f.unit})") from None
    if not math.isfinite(value):
        raise _fail(where, f.name, raw, f"expected a finite number ({f.unit})")
    if f.kind == "int":
        if value != int(value):
            raise _fail(where, f.name, raw, f"expected a whole number ({f.unit})")
        value = int(value)
    if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
        raise _fail(where, f.name, raw, f"expected {f.low:g} to {f.high:g} ({f.unit})")
    return value


def parse_date(raw: Any, where: str = "diary entry") -> dt.date:
    """``YYYY-MM-DD`` → date; anything else is a :class:`DiaryError`."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise DiaryError("date: missing (every entry needs the night's date, YYYY-MM-DD)", where)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(where, "date", raw, "expected a date like 2024-03-01") from None


#: Clock fields in the order they must happen (times after midnight are next morning).
_ORDER = ("bedtime", "lights_out", "final_awakening", "rise_time")


def validate_entry(values: Mapping[str, Any], *, where: str = "diary entry",
                   subject: str | None = None) -> DiaryEntry:
    """Check one entry's values and return a :class:`DiaryEntry`.

    ``values`` maps column names (:data:`COLUMNS`, or a Consensus Sleep Diary
    alias) to text or numbers.  Times are clock times ``HH:MM``; a time before
    12:00 is read as the morning after the entry's date, so a night across
    midnight needs nothing special.  Any problem raises :class:`DiaryError`
    naming ``where`` (file and line), the field and what was expected.

    Examples
    --------
    >>> e = validate_entry({"subject": "P1", "date": "2024-03-01", "bedtime": "23:10",
    ...                     "rise_time": "07:05", "medications": "alprazolam 1 mg at 22:40"})
    >>> e.time_in_bed_minutes, e.dose_mg("alprazolam")
    (475.0, 1.0)
    """
    canon: dict[str, Any] = {}
    for key, raw in values.items():
        name = str(key).strip().lower().replace(" ", "_").replace("-", "_")
        name = CSD_ALIASES.get(name, name)
        if name not in COLUMNS:
            raise DiaryError(f"unknown column '{key}' (known: {', '.join(COLUMNS)})", where)
        if name in canon:
            raise DiaryError(f"column '{key}' given twice (as '{name}')", where)
        canon[name] = raw
    entry_date = parse_date(canon.get("date"), where)
    where = f"{where} ({entry_date.isoformat()})" if "line" not in where else where
    own = str(canon.get("subject") or "").strip()
    if subject is not None and own and own != subject:
        raise _fail(where, "subject", own, f"this import is for subject '{subject}'")
    code = own or (subject or "")
    if not code:
        raise DiaryError("subject: missing (give --subject or a 'subject' column)", where)
    parsed = {f.name: _parse_value(f, canon.get(f.name), where) for f in FIELDS}
    meds = parse_medications(canon.get("medications"), where)

    times = [(n, parsed[n]) for n in _ORDER if parsed[n] is not None]
    for (n1, t1), (n2, t2) in zip(times, times[1:], strict=False):
        if _clock(t2) < _clock(t1):
            raise DiaryError(f"{n2} {t2} is before {n1} {t1} (times before 12:00 are read as "
                             "the next morning)", where)
    if parsed["penn_severity"] is not None and parsed["penn_frequency"] == 0:
        raise _fail(where, "penn_severity", parsed["penn_severity"],
                    "give the severity only when penn_frequency is 1–4")
    if (parsed["alcohol_units"] or 0) == 0 and parsed["last_drink_time"] is not None:
        raise _fail(where, "last_drink_time", parsed["last_drink_time"],
                    "a time of the last drink needs alcohol_units above 0")
    return DiaryEntry(subject=code, entry_date=entry_date, medications=meds, **parsed)


def with_subject(entry: DiaryEntry, subject: str) -> DiaryEntry:
    """The same entry for another subject code."""
    return replace(entry, subject=subject)


assert [f.name for f in fields(DiaryEntry)][2:-2] == [f.name for f in FIELDS][:-1], \
    "DiaryEntry fields must follow FIELDS"
