"""``somnomotor analyze REC``: the main job for one night."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import note, warn

#: The one line ``somnomotor --help`` shows for this command.
HELP = "analyze one night: leg movements, every muscle, REM atonia, morning"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "analyze",
        help=HELP,
        description="Detect and score every movement in a recording; write events.csv, "
                    "summary.json, report.html, scored.edf and scored.xml to --out.",
    )
    p.add_argument("recording", help="EDF, EDF+ or BDF recording")
    p.add_argument("--hypnogram", metavar="F",
                   help="hypnogram file (CSV/text, EDF+ annotations, NSRR or Profusion XML, "
                        "RemLogic, Noxturnal CSV, DOMINO text); an export's arousals and "
                        "respiratory events are used too unless --events is given")
    p.add_argument("--events", metavar="F", action="append", default=[],
                   help="scored arousals/respiratory events (repeatable; any scoring format); "
                        "an export's stages are used when there is no other hypnogram")
    p.add_argument("--montage", metavar="F", help="TOML montage override")
    p.add_argument("--params", metavar="F", help="TOML parameters file")
    p.add_argument("--out", metavar="DIR", default="somnomotor-out", help="output folder")
    p.add_argument("--no-staging", action="store_true",
                   help="never stage automatically; without a hypnogram, indices are per "
                        "hour of recording")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--export", metavar="FORMAT", action="append", default=[],
                   choices=["bids", "luna"],
                   help="also write BIDS events/channels TSV (bids) or a Luna .annot (luna)")
    p.add_argument("--bids-subject", metavar="LABEL", default="01",
                   help="BIDS subject label for --export bids (letters and digits)")
    p.add_argument("--subject", metavar="ID", help="file the result in the store for this subject")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="night date for --subject "
                   "(default: the recording's start date)")
    p.add_argument("--db", metavar="F", help="store file (default: the user's data folder)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .._util import reuse_freed_memory
    from ..pipeline import AnalysisParams, analyze, read, write_outputs

    reuse_freed_memory()  # this process only analyses: let it reuse channel-sized blocks

    params = AnalysisParams.from_toml(args.params) if args.params else AnalysisParams.defaults()
    note(f"reading {args.recording}")
    rec = read(args.recording, montage=args.montage)
    result = analyze(rec, hypnogram=args.hypnogram, events=args.events, params=params,
                     staging="none" if args.no_staging else "auto",
                     progress=lambda m: note(f"  {m}…"))
    paths = write_outputs(result, args.out, recording=rec, report=not args.no_report,
                          extra=args.export, bids_subject=args.bids_subject)
    for w in result.warnings:  # after the outputs: a failed write is its one line alone
        warn(w)
    if args.subject:
        from ..store import file_night_result

        file_night_result(args.db, args.subject, result, night_date=args.date,
                          recording_path=str(Path(args.recording).resolve()))
    print(terminal_summary(Path(args.recording).name, result.summary))
    if result.summary["provenance"].get("events_files"):
        print(f"scored events from {', '.join(result.summary['provenance']['events_files'])}")
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


def terminal_summary(name: str, s: dict[str, Any]) -> str:
    """The one line printed after an analysis; what is unknown is said to be unknown.

    >>> terminal_summary("n.edf", {"tst_h": None, "plms_index": 3.0, "myoclonus_index": None,
    ...                            "index_basis": "recording",
    ...                            "provenance": {"hypnogram_source": "none"}})
    'n.edf: TST unknown (no sleep stages), PLMS index 3.0/h of recording, myoclonus index unknown (stages: none)'
    """
    per = "h of recording" if s.get("index_basis") == "recording" else "h"
    tst = s.get("tst_h")

    def index(key: str) -> str:
        v = s.get(key)
        return "unknown" if v is None else f"{v:.1f}/{per}"

    line = (f"{name}: " + ("TST unknown (no sleep stages)" if tst is None else f"TST {tst:.2f} h")
            + f", PLMS index {index('plms_index')}, myoclonus index {index('myoclonus_index')} "
            f"(stages: {s['provenance']['hypnogram_source']})")
    if s.get("indices_interpretable") is False:
        line += (f" — indices not interpretable (under {s['min_sleep_for_indices_min']:g} min "
                 f"of {'recording' if per != 'h' else 'sleep'})")
    return line
