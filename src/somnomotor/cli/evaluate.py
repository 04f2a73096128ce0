"""``somnomotor evaluate --truth F --events F``: event-level agreement with a truth file."""

from __future__ import annotations

import argparse
import json
from typing import Any

#: The one line ``somnomotor --help`` shows for this command.
HELP = "compare events with a truth file: per-kind precision, recall, F1, onset error"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "evaluate",
        help=HELP,
        description="Match events to truth events one-to-one by overlap, per kind, and print "
                    "precision, recall, F1 and onset error; with two summaries, also the "
                    "differences of their indices.",
    )
    p.add_argument("--truth", metavar="F", required=True,
                   help="truth events table (e.g. a simulator's FILE.truth.csv)")
    p.add_argument("--events", metavar="F", required=True, help="events.csv to evaluate")
    p.add_argument("--kinds", metavar="K,K", help="kinds to compare (default: all in the truth)")
    p.add_argument("--min-overlap", metavar="S", type=float, default=0.0,
                   help="seconds two events must overlap by to match (default: any overlap)")
    p.add_argument("--truth-summary", metavar="F", help="truth summary.json (index differences)")
    p.add_argument("--summary", metavar="F", help="summary.json to compare with --truth-summary")
    p.add_argument("--out", metavar="FILE.json", help="also write the figures as JSON")
    p.set_defaults(func=run, path=None)


def _read_json(path: str) -> dict[str, Any]:
    from ..errors import InputError

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}, line {exc.lineno})", path) from None
    if not isinstance(data, dict):
        raise InputError("a summary must be a JSON object", path)
    return data


def run(args: argparse.Namespace) -> int:
    from .._atomic import atomic_write
    from .._util import json_ready
    from ..errors import InputError
    from ..evaluate import evaluate, format_table
    from ..events import read_events_csv

    args.path = args.events
    if (args.truth_summary is None) != (args.summary is None):
        raise InputError("--truth-summary and --summary go together")
    truth = read_events_csv(args.truth)
    events = read_events_csv(args.events)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()] if args.kinds else None
    ts = _read_json(args.truth_summary) if args.truth_summary else None
    s = _read_json(args.summary) if args.summary else None
    result = evaluate(truth, events, kinds=kinds, min_overlap=args.min_overlap,
                      truth_summary=ts, summary=s)
    print(format_table(result))
    if args.out:
        with atomic_write(args.out, "w", encoding="utf-8") as fh:
            json.dump(json_ready(result), fh, indent=2, allow_nan=False)
            fh.write("\n")
    return 0
