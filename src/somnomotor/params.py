"""Parameters: one frozen dataclass per scorer, loadable from TOML, recorded in results.

Each scorer defines its own parameters dataclass (defaults with citations in
the field comments).  A parameters file (``--params F``) is TOML with one table
per scorer, named by the scorer's section name, e.g.::

    [legs]
    rule_set = "aasm"
    onset_threshold_uv = 8.0

Unknown sections or keys are errors, never silently ignored.
"""

from __future__ import annotations

import dataclasses
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


def from_mapping(cls: type[T], values: Mapping[str, Any] | None, *,
                 where: str | os.PathLike[str] | None = None, section: str = "") -> T:
    """Build the frozen dataclass ``cls`` from defaults overridden by ``values``.

    Types are checked against the defaults (ints accepted for floats); an
    unknown key raises :class:`ParameterError`.
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
        if isinstance(current, bool):
            ok = isinstance(value, bool)
        elif isinstance(current, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            value = float(value)
        elif isinstance(current, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(current, str):
            ok = isinstance(value, str)
        elif isinstance(current, tuple):
            ok = isinstance(value, list | tuple)
            value = tuple(value)
        else:
            ok = True
        if not ok:
            raise ParameterError(f"[{section}] {key} = {value!r}: expected a value like "
                                 f"{current!r}", where)
        values[key] = value
    try:
        return dataclasses.replace(default, **values)  # type: ignore[type-var]
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"[{section}] {exc}", where) from None


def to_dict(params: Any) -> dict[str, Any]:
    """A JSON-ready dict of a parameters dataclass (tuples become lists)."""
    out = dataclasses.asdict(params)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}
