"""The command line: parse, call the library, print.  Nothing else lives here.

Each command is a module in this package exposing ``register(subparsers)``,
which adds its sub-parser and sets ``func`` to a callable ``(args) -> int``.
Errors meant for the user (:class:`somnomotor.errors.SomnomotorError`) become one
line on standard error and exit status 1; bad usage exits 2 (argparse).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import SomnomotorError

#: Command modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "info",
    "analyze",
    "score_events",
    "simulate",
    "evaluate",
    "demo",
    "diary",
    "compare",
    "anonymize",
    "batch",
    "review",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="somnomotor",
        description="Find, score and follow abnormal movements in sleep.",
    )
    parser.add_argument("--version", action="version", version=f"somnomotor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SomnomotorError as exc:
        print(f"somnomotor: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("somnomotor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # e.g. an output folder that cannot be written
        where = exc.filename or getattr(args, "out", None) or ""
        print(f"somnomotor: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for users
        if os.environ.get("SOMNOMOTOR_DEBUG"):
            raise
        where = getattr(args, "recording", None) or getattr(args, "path", None)
        prefix = f"{where}: " if where else ""
        print(f"somnomotor: {prefix}internal error ({type(exc).__name__}: {exc}); "
              "set SOMNOMOTOR_DEBUG=1 for details and please report it", file=sys.stderr)
        return 1


def entry() -> None:  # pragma: no cover
    sys.exit(main())
