"""``somnomotor batch``: many nights, resumable, locally or on a Dask cluster."""

from __future__ import annotations

import argparse

from ._common import note

#: The one line ``somnomotor --help`` shows for this command.
HELP = "analyze many nights (resumable; local processes or a Dask cluster)"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "batch",
        help=HELP,
        description="Analyze every recording in a folder (recursively) or listed in a text "
                    "file, one output folder per night plus batch.csv. Each night's hypnogram "
                    "and events are found as cohorts lay them out (NSRR NAME-nsrr.xml or "
                    "NAME-profusion.xml, also in a parallel annotations folder; Sleep-EDF "
                    "*-Hypnogram.edf; BIDS _events.tsv; same-stem sidecars); a night with two "
                    "candidates is reported, not guessed. Nights already analysed "
                    "with the same input and parameters are skipped.",
    )
    p.add_argument("source", metavar="DIR_OR_LIST",
                   help="a folder searched recursively for EDF/BDF recordings, or a text file "
                        "listing one recording path per line (relative to the list's folder)")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: CPUs)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (somnomotor[cluster])")
    p.add_argument("--params", metavar="F", help="TOML parameters file")
    p.add_argument("--no-staging", action="store_true", help="never stage automatically")
    p.add_argument("--no-report", action="store_true", help="skip report.html per night")
    p.add_argument("--out", metavar="DIR", default="somnomotor-batch",
                   help="output folder: one sub-folder per night plus batch.csv "
                        "(default somnomotor-batch)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import find_recordings, run_batch
    from ..params import load_toml
    from ..pipeline import AnalysisParams

    params = load_toml(args.params) if args.params else {}
    AnalysisParams.from_mapping(params, where=args.params)  # validate before starting workers
    recordings = find_recordings(args.source)
    note(f"{len(recordings)} recording(s) to analyze")
    done = [0]

    def on_row(row):  # type: ignore[no-untyped-def]
        done[0] += 1
        note(f"[{done[0]}/{len(recordings)}] {row.status}: {row.recording}")

    table = run_batch(recordings, args.out, params=params, workers=args.workers,
                      scheduler=args.scheduler, staging="none" if args.no_staging else "auto",
                      report=not args.no_report, on_row=on_row, reuse_memory=True)
    counts = table["status"].value_counts().to_dict()
    ambiguous = counts.get("ambiguous", 0)
    print(f"{len(table)} night(s): {counts.get('done', 0)} analysed, "
          f"{counts.get('skipped', 0)} already done, {counts.get('error', 0)} failed"
          + (f", {ambiguous} with ambiguous scorings (not analysed)" if ambiguous else "")
          + f"; table: {args.out}/batch.csv")
    for _, row in table[table["status"] == "error"].iterrows():
        print(f"  failed: {row['message']}")
    for _, row in table[table["status"] == "ambiguous"].iterrows():
        print(f"  ambiguous: {row['message']}")
    # Any failed or ambiguous night makes the batch's exit status 1, so scripts notice.
    return 1 if counts.get("error", 0) or ambiguous else 0
