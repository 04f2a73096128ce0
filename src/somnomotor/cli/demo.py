"""``somnomotor demo``: simulate a polio survivor's night, analyze it, say where the report is."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import note

#: The one line ``somnomotor --help`` shows for this command.
HELP = "simulate a night of a polio survivor, analyze it, print where the report is"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "demo",
        help=HELP,
        description="Simulate a night of a polio survivor with leg and trunk movements "
                    "(scenario polio_mixed), analyze it as a real recording, and print where "
                    "the report is. With --nights N, simulate N nights with a nightly log, "
                    "load them into a fresh store and compare across nights.",
    )
    p.add_argument("--out", metavar="DIR", default="demo-output", help="output folder")
    p.add_argument("--hours", type=float, default=8.0, help="length of the night (h)")
    p.add_argument("--seed", type=int, default=7, help="random seed")
    p.add_argument("--nights", type=int, default=0,
                   help="also simulate this many nights with a diary and compare them")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..pipeline import analyze, read, write_outputs
    from ..simulate import simulate_night, write_night

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    edf = out / "demo-night.edf"
    note(f"simulating {args.hours:g} h of a polio survivor's night (seed {args.seed})…")
    night = simulate_night("polio_mixed", hours=args.hours, seed=args.seed)
    write_night(night, edf)
    note("analyzing it as a real recording…")
    rec = read(edf)
    result = analyze(rec, progress=lambda m: note(f"  {m}…"))
    paths = write_outputs(result, out, recording=rec)
    s = result.summary
    print(f"demo night: {edf} (ground truth: {edf.with_suffix('.truth.csv')})")
    print(f"  TST {s['tst_h']:.2f} h, PLMS index {s['plms_index']:.1f}/h, "
          f"myoclonus index {s['myoclonus_index']:.1f}/h, GRM episodes {s['grm_episode_count']}, "
          f"morning tonic {s['morning_tonic_seconds']:.0f} s summed over muscles")
    if args.nights:
        from ..apps.demo import run_month_demo

        compare_paths = run_month_demo(out / "month", nights=args.nights, seed=args.seed)
        print(f"  {args.nights} nights compared: {compare_paths['html']}")
    print(f"report: {paths['report.html'].resolve()}")
    return 0
