"""Parameters: one frozen dataclass per scorer, loadable from TOML, recorded in results.

Each scorer defines its own parameters dataclass (defaults with citations in
the field comments).  A parameters file (``--params F``) is TOML with one table
per scorer, named by the scorer's section name, e.g.::

    [legs]
    rule_set = "aasm"
    onset_threshold_uv = 8.0

Unknown sections or keys are errors, never silently ignored.

Validation happens here, in one place (:func:`from_mapping`), for every
section.  A field declares its constraints beside itself with :func:`param`::

    imi_min_s: float = param(10.0, below="imi_max_s")
    rule_set: str = param("wasm2016", choices=("wasm2016", "aasm"))
    tonic_fraction: float = param(0.5, lo=0.0, hi=1.0)

and what it does not declare follows the defaults: a number is finite and
``≥ 0`` (durations, thresholds, rates, counts are never negative); an integer
field takes integers only; a list field takes a list (a string is refused,
and so is an item of the wrong type); a sub-table field takes a table.
Cross-field rules (``below``/``at_most``) name the other field.  Every error
is one line naming the file, the ``[section]``, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from typing import Any, TypeVar

from .errors import ParameterError

T = TypeVar("T")


def load_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML parameters file; :class:`ParameterError` naming the file on failure."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ParameterError("file not found", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ParameterError(f"not valid TOML ({exc})", path) from None


def param(default: Any, *, lo: float | None = 0.0, hi: float | None = None,
          gt: float | None = None, choices: tuple[Any, ...] | None = None,
          items: tuple[Any, ...] | None = None, below: str | None = None,
          at_most: str | None = None) -> Any:
    """A dataclass field with its allowed values, checked by :func:`from_mapping`.

    ``lo``/``hi``: inclusive bounds (``lo=None``: no lower bound); ``gt``: an
    exclusive lower bound instead; ``choices``: the allowed values; ``items``:
    the allowed items of a list field; ``below``/``at_most``: another field
    this one must be smaller than / not larger than.
    """
    meta: dict[str, Any] = {"range": (lo, hi, gt)}
    if choices is not None:
        meta["choices"] = tuple(choices)
    if items is not None:
        meta["items"] = tuple(items)
    if below is not None:
        meta["below"] = below
    if at_most is not None:
        meta["at_most"] = at_most
    return dataclasses.field(default=default, metadata=meta)


def _number(v: float) -> str:
    return f"{v:g}"


def allowed(f: dataclasses.Field[Any], default: Any) -> str:
    """What a field allows, in words (for error lines and the documentation)."""
    meta = f.metadata
    if "choices" in meta:
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, tuple):
        kinds = ", ".join(repr(c) for c in meta["items"]) if "items" in meta else None
        return f"a list of {'items from ' + kinds if kinds else 'text'}"
    if isinstance(default, int | float):
        lo, hi, gt = meta.get("range", (0.0, None, None))
        kind = "an integer" if isinstance(default, int) else "a number"
        if gt is not None:
            low = f"> {_number(gt)}"
        elif lo is not None:
            low = f"≥ {_number(lo)}"
        else:
            low = ""
        if hi is not None:
            return (f"{kind} from {_number(lo)} to {_number(hi)}" if lo is not None and gt is None
                    else f"{kind} {low + ' and ' if low else ''}≤ {_number(hi)}")
        return f"{kind} {low}" if low else f"{kind} (finite)"
    if dataclasses.is_dataclass(default):
        return "a table"
    return "text"


def _check_type(f: dataclasses.Field[Any], current: Any, value: Any) -> tuple[bool, Any]:
    """Is ``value`` of the field's type? Returns (ok, value converted honestly)."""
    if isinstance(current, bool):
        return isinstance(value, bool), value
    if isinstance(current, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if isinstance(current, int):  # 2.0 is not accepted where a count belongs
        return isinstance(value, int) and not isinstance(value, bool), value
    if isinstance(current, str):
        return isinstance(value, str), value
    if isinstance(current, tuple):  # a string is not a list of one string
        if not isinstance(value, list | tuple):
            return False, value
        kinds = {type(x) for x in current} or {str}
        ok = all(type(x) in kinds for x in value)
        return ok, tuple(value)
    return True, value


def _in_range(f: dataclasses.Field[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    if not math.isfinite(value):
        return False
    lo, hi, gt = f.metadata.get("range", (0.0, None, None))
    if gt is not None and not value > gt:
        return False
    if gt is None and lo is not None and value < lo:
        return False
    return hi is None or value <= hi


def _fail(section: str, key: str, value: Any, what: str, where: Any) -> ParameterError:
    shown = list(value) if isinstance(value, tuple) else value
    return ParameterError(f"[{section}] {key} = {shown!r}: allowed {what}", where)


def validate(cls: type, values: Mapping[str, Any], given: set[str], *,
             where: str | os.PathLike[str] | None = None, section: str = "") -> None:
    """Check ranges, choices, list items and cross-field rules of ``values`` (all fields).

    ``given`` are the keys the user set: a cross-field error names the one of the
    pair that was given.  Raises :class:`ParameterError` (one line).
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for name, f in fields.items():
        value = values[name]
        meta = f.metadata
        if "choices" in meta and value not in meta["choices"]:
            raise _fail(section, name, value, allowed(f, value), where)
        if "items" in meta and isinstance(value, tuple):
            odd = [x for x in value if x not in meta["items"]]
            if odd:
                raise _fail(section, name, value, allowed(f, value), where)
        if not _in_range(f, value):
            raise _fail(section, name, value, allowed(f, value), where)
    for name, f in fields.items():
        for rule, op, words in (("below", lambda a, b: a < b, "<"),
                                ("at_most", lambda a, b: a <= b, "≤")):
            other = f.metadata.get(rule)
            if other is None or op(values[name], values[other]):
                continue
            key, rel = (name, f"{words} {other}") if name in given or other not in given else (
                other, f"{'>' if words == '<' else '≥'} {name}")
            ref = other if key == name else name
            raise _fail(section, key, values[key],
                        f"{rel} (which is {values[ref]!r})", where)


def from_mapping(cls: type[T], values: Mapping[str, Any] | None, *,
                 where: str | os.PathLike[str] | None = None, section: str = "") -> T:
    """Build the frozen dataclass ``cls`` from defaults overridden by ``values``.

    Types are checked against the defaults (ints accepted for floats, never
    floats for ints; a list, never a string, where a list belongs); ranges,
    choices and cross-field rules declared with :func:`param` are checked; an
    unknown key raises :class:`ParameterError`.  A field whose default is
    itself a parameters dataclass takes a sub-table ``[section.field]``.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class P:
    ...     imi_min_s: float = param(10.0, below="imi_max_s")
    ...     imi_max_s: float = 90.0
    >>> from_mapping(P, {"imi_max_s": 60})
    P(imi_min_s=10.0, imi_max_s=60.0)
    >>> from_mapping(P, {"imi_min_s": -1.0}, where="p.toml", section="legs")
    Traceback (most recent call last):
    ...
    somnomotor.errors.ParameterError: p.toml: [legs] imi_min_s = -1.0: allowed a number ≥ 0
    >>> from_mapping(P, {"imi_min_s": 95}, where="p.toml", section="legs")
    Traceback (most recent call last):
    ...
    somnomotor.errors.ParameterError: p.toml: [legs] imi_min_s = 95.0: allowed < imi_max_s (which is 90.0)
    """
    values = dict(values or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)} in [{section}]"
                             f" (known: {', '.join(sorted(fields))})", where)
    default = cls()
    for key, value in values.items():
        current = getattr(default, key)
        if dataclasses.is_dataclass(current) and not isinstance(current, type):
            if not isinstance(value, Mapping):
                raise _fail(section, key, value, "a table", where)
            values[key] = from_mapping(type(current), value, where=where,
                                       section=f"{section}.{key}")
            continue
        ok, value = _check_type(fields[key], current, value)
        if not ok:
            raise _fail(section, key, value, allowed(fields[key], current), where)
        values[key] = value
    merged = {name: values.get(name, getattr(default, name)) for name in fields}
    validate(cls, merged, set(values), where=where, section=section)
    try:
        return dataclasses.replace(default, **values)  # type: ignore[type-var]
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"[{section}] {exc}", where) from None


def to_dict(params: Any) -> dict[str, Any]:
    """A JSON-ready dict of a parameters dataclass (tuples become lists)."""
    out = dataclasses.asdict(params)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}
