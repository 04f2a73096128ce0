"""The command line: parse, call the library, print.  Nothing else lives here.

Each command is a module in this package exposing ``HELP`` (its one line in
``somnomotor --help``) and ``register(subparsers)``, which adds its sub-parser
and sets ``func`` to a callable ``(args) -> int``.  A command module imports
only the standard library at its top; the library (and NumPy, pandas, SciPy,
Matplotlib with it) is imported inside ``run`` when the command runs, and only
the command being run registers its full parser, so ``somnomotor --help`` and
argument errors answer at once.
Errors meant for the user (:class:`somnomotor.errors.SomnomotorError`) become one
line on standard error and exit status 1; bad usage exits 2 (argparse).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Collection, Sequence
from types import ModuleType

from .._version import __version__
from ..errors import SomnomotorError

#: Command modules, in the order ``--help`` lists them (``score_events`` is ``score-events``).
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


def _command_modules() -> dict[str, ModuleType]:
    """Command name → its module (light: each imports only the standard library at its top)."""
    from . import (
        analyze,
        anonymize,
        batch,
        compare,
        demo,
        diary,
        evaluate,
        info,
        review,
        score_events,
        simulate,
    )

    found = {m.__name__.rpartition(".")[2]: m for m in (
        analyze, anonymize, batch, compare, demo, diary, evaluate, info, review, score_events,
        simulate)}
    return {name.replace("_", "-"): found[name] for name in COMMANDS}


def build_parser(full: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``full`` names the commands whose whole parser is built.

    ``None`` builds every command's parser.  The others get a placeholder that
    shows only their one line of help — enough for ``somnomotor --help`` and for
    argparse to name the valid commands.
    """
    parser = argparse.ArgumentParser(
        prog="somnomotor",
        description="Find, score and follow abnormal movements in sleep.",
    )
    parser.add_argument("--version", action="version", version=f"somnomotor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module in _command_modules().items():
        if full is None or name in full:
            module.register(sub)
        else:
            sub.add_parser(name, help=module.HELP, add_help=False)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word of ``argv``: its first word that is not an option."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_in(argv)
    parser = build_parser(full=() if command is None else (command,))
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
