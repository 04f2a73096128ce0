"""``somnomotor compare SUBJECT``: what changed with which factor across one person's nights."""

from __future__ import annotations

import argparse
from pathlib import Path

#: The one line ``somnomotor --help`` shows for this command.
HELP = "across-night analysis for one person: what changed with which factor"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "compare",
        help=HELP,
        description="For each factor in the nightly log (alcohol, exertion, stretching, hot "
                    "bath, heat at night, capsaicin, alprazolam dose) the difference it was "
                    "associated with in the recorded nights (PLMS index, myoclonus index, GRM "
                    "episodes, morning tonic seconds, sleep efficiency) and in the morning "
                    "ratings, with 95 % intervals that respect few nights and night-to-night "
                    "correlation; the alprazolam dose-response; a tolerance check. Writes "
                    "compare.json and compare.html to --out. It measures associations for "
                    "discussion with a clinician; it does not recommend.",
    )
    p.add_argument("subject", help="subject code in the store")
    p.add_argument("--db", metavar="F",
                   help="store file (default: $SOMNOMOTOR_DB or the user's data folder)")
    p.add_argument("--out", metavar="DIR", default="somnomotor-compare", help="output folder")
    p.add_argument("--clear-only", action="store_true",
                   help="on the terminal, show only effects whose interval excludes no change")
    p.add_argument("--plan-abab", metavar="FACTOR",
                   help="instead of comparing, plan a randomised ABAB schedule for FACTOR "
                        "(alcohol, exertion, stretching, hot_bath, heat, capsaicin, alprazolam)")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first evening of the ABAB plan "
                   "(default: the day after the subject's last diary night, else today)")
    p.add_argument("--pairs", type=int, default=2, help="A/B pairs in the plan (default 2)")
    p.add_argument("--block-nights", type=int, default=7, help="nights per block (default 7)")
    p.add_argument("--seed", type=int, help="seed of the plan's randomisation")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..store import Store

    with Store(args.db) as store:
        store.subject_id(args.subject)  # unknown subject → one clear line
        if args.plan_abab:
            return _plan(args, store)
        from ..analysis import compare_subject, format_effects_table
        from ..analysis.report import write_compare_outputs

        comparison = compare_subject(store, args.subject)
    paths = write_compare_outputs(comparison, args.out)
    print(format_effects_table(comparison, only_clear=args.clear_only))
    if comparison.tolerance.get("summary"):
        print(f"\ntolerance: {comparison.tolerance['summary']}")
    for note in comparison.notes:
        print(f"note: {note}")
    for warning in comparison.warnings:
        print(f"warning: {warning}")
    print(f"\nwrote {paths['json']} and {paths['html']}")
    return 0


def _plan(args: argparse.Namespace, store: object) -> int:
    import datetime as dt

    from .._atomic import atomic_write
    from ..analysis import plan_abab

    start = args.start
    if start is None:
        entries = store.diary(args.subject)  # type: ignore[attr-defined]
        start = (entries[-1].entry_date + dt.timedelta(days=1)) if entries else dt.date.today()
    plan = plan_abab(args.plan_abab, start=start, pairs=args.pairs,
                     block_nights=args.block_nights, seed=args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"abab-{args.plan_abab}.csv"
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        plan.to_csv(fh, index=False, lineterminator="\n")
    blocks = plan.groupby("block", sort=True).agg(first=("date", "first"), last=("date", "last"),
                                                  condition=("condition", "first"),
                                                  description=("description", "first"))
    print(f"randomised ABAB plan for {args.subject}: {args.plan_abab}"
          f"{'' if args.seed is None else f' (seed {args.seed})'}")
    for b in blocks.itertuples():
        print(f"  block {b.Index}: {b.first} to {b.last}  {b.condition}: {b.description}")
    print("Keep the diary every night. A plan for a medicine is only for doses agreed with the "
          "prescribing clinician.")
    print(f"wrote {path}")
    return 0
