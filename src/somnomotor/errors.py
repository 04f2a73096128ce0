"""The user-facing exception hierarchy.

Every problem a user can cause (a broken file, a wrong unit, a bad option value)
is raised as a :class:`SomnomotorError` subclass.  Its message names the file and
the problem in words a sleep technologist understands; the command line prints
it as one line on standard error and exits with status 1.
"""

from __future__ import annotations

from os import PathLike


class SomnomotorError(Exception):
    """Base class of every error meant for the user (exit status 1)."""

    def __init__(self, problem: str, path: str | PathLike[str] | None = None) -> None:
        self.problem = problem
        self.path = None if path is None else str(path)
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}: {self.problem}"
        return self.problem


class InputError(SomnomotorError):
    """An input file is unreadable, inconsistent or not what was expected."""


class RecordingError(InputError):
    """A recording (EDF/EDF+/BDF) is broken or cannot be used."""


class AnnotationError(InputError):
    """A hypnogram or event file is broken or does not fit the recording."""


class MontageError(InputError):
    """A channel is missing, or a montage file is invalid."""


class ParameterError(InputError):
    """A parameter file or value is invalid."""


class DiaryError(InputError):
    """A nightly-log entry is invalid."""


class StoreError(SomnomotorError):
    """The results store cannot be opened or written."""


class MissingExtraError(SomnomotorError):
    """An optional dependency group is not installed."""

    def __init__(self, extra: str, what: str, module: str) -> None:
        super().__init__(
            f"{what} needs the optional '{extra}' extra (module '{module}' is not installed): "
            f"pip install 'somnomotor[{extra}]'"
        )
        self.extra = extra


def require_extra(module: str, extra: str, what: str):  # type: ignore[no-untyped-def]
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MissingExtraError(extra, what, module) from exc
