"""``somnomotor simulate``: write a synthetic night (EDF+) and its ground truth."""

from __future__ import annotations

import argparse

from ._common import note


def _scenario_help() -> str:
    from ..simulate.scenarios import SCENARIOS

    return "; ".join(f"{name}: {desc}" for name, (desc, _) in SCENARIOS.items())

#: The one line ``somnomotor --help`` shows for this command.
HELP = "write a synthetic night from the physiological model (EDF+ and truth CSV)"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from ..simulate.scenarios import SCENARIOS

    p = sub.add_parser(
        "simulate",
        help=HELP,
        description="Simulate one night from the physiological model and write it as EDF+ "
                    "(hypnogram, arousals and respiratory events as annotations) plus "
                    "FILE.truth.csv with every generated event. Scenarios: "
                    + _scenario_help() + ". The model is qualitative, for teaching and "
                    "testing, not a clinical predictor.",
        epilog="Settings (--set KEY=VALUE, repeatable) include damage.leg=0.8, "
               "plm.imi_mean_s=25, mains_hz=60, fs=512, ecg_bleed=5, "
               "channels=LAT,RAT,Chin1-Chin2; --list-settings prints them all. "
               "The evening (--evening KEY=VALUE, repeatable): alcohol_units, "
               "alcohol_hours_before_bed, exertion (0-10), exertion_minutes, "
               "stretching_minutes, hot_bath_minutes, heat_at_night (true/false), "
               "alprazolam_mg, alprazolam_minutes_before_bed.",
    )
    p.add_argument("--scenario", default=None, choices=list(SCENARIOS),
                   help="which person and night to simulate (default: polio_mixed; "
                        "healthy with --person)")
    p.add_argument("--person", type=int, metavar="SEED",
                   help="a healthy sleeper drawn from the population of Frauscher 2014 "
                        "(own PLMS, fragmentary and neck myoclonus, REM chin activity); "
                        "--age and --sex fix who it is")
    p.add_argument("--age", type=float, help="age in years of the --person (18-90)")
    p.add_argument("--sex", choices=["female", "male"], help="sex of the --person")
    p.add_argument("--difficulty", default="easy", choices=["easy", "realistic", "hard"],
                   help="easy: the model's own clean night (default); realistic: some "
                        "movements at the rule limits and what good clinical recordings carry "
                        "(sweat, pops, ECG in the legs, a gap); hard: many movements at every "
                        "rule limit, strong artefacts, saturation, quantisation, gaps and a "
                        "leg channel that dies (docs/model.md)")
    p.add_argument("--hours", type=float, default=8.0, help="length of the night in hours")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    p.add_argument("--set", dest="settings", action="append", default=[],
                   metavar="KEY=VALUE", help="override a model setting (repeatable)")
    p.add_argument("--evening", dest="evening", action="append", default=[],
                   metavar="KEY=VALUE",
                   help="what the person did that evening, e.g. alcohol_units=3 or "
                        "alprazolam_mg=0.5 (repeatable)")
    p.add_argument("--out", metavar="FILE.edf",
                   help="EDF+ file to write (required); with --nights, a folder")
    p.add_argument("--nights", type=int, default=0, metavar="N",
                   help="multi-night mode: N consecutive nights of one person with a diary "
                        "of each evening (alcohol, exertion, stretching, bath, heat, "
                        "alprazolam) and the nights the model implies, written to the "
                        "--out folder as night-DATE.edf (+ truth) and diary.csv; each night "
                        "lasts from lights-out to rising, so --hours does not apply")
    p.add_argument("--subject", default="SIM01", help="subject code in the diary (--nights)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="also draw what the model did (stages, drugs, drive per region, "
                        "events) to this PNG/SVG/PDF")
    p.add_argument("--list-settings", action="store_true",
                   help="print every setting with its value in the scenario, unit and "
                        "meaning, and exit")
    p.set_defaults(func=run, _parser=p)


def parse_settings(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; a malformed item raises ParameterError."""
    from ..errors import ParameterError

    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"{item!r}: expected KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def parse_evening(items: list[str]):  # type: ignore[no-untyped-def]
    """``["alcohol_units=3", "heat_at_night=true"]`` -> an :class:`Evening`."""
    import dataclasses

    from ..errors import ParameterError
    from ..simulate import Evening

    fields = {f.name: f.default for f in dataclasses.fields(Evening)}
    values: dict[str, object] = {}
    for key, value in parse_settings(items).items():
        if key not in fields:
            raise ParameterError(f"--evening {key}: unknown (known: {', '.join(fields)})")
        default = fields[key]
        try:
            if isinstance(default, bool):
                if value.lower() not in ("true", "false", "yes", "no", "1", "0"):
                    raise ValueError(value)
                values[key] = value.lower() in ("true", "yes", "1")
            elif isinstance(default, int):
                values[key] = int(value)
            else:
                values[key] = float(value)
        except ValueError:
            raise ParameterError(f"--evening {key}={value!r}: expected a value like "
                                 f"{default!r}") from None
    return Evening(**values)  # type: ignore[arg-type]


def list_settings(scenario: str, settings: dict[str, object], difficulty: str = "easy") -> str:
    """The resolved settings of ``scenario`` as aligned text lines (key, value, meaning)."""
    from ..simulate.scenarios import SETTING_DOCS, resolve_settings

    resolved = resolve_settings(scenario, settings, difficulty=difficulty)
    lines = []
    for key, value in resolved.items():
        if key in ("scenario", "difficulty"):
            continue
        shown = ",".join(value) if isinstance(value, tuple) else f"{value:g}" \
            if isinstance(value, float) else str(value)
        lines.append(f"{key:28s} {shown:24s} {SETTING_DOCS.get(key, '')}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..simulate import simulate_night, write_night

    settings = _person_settings(args, parse_settings(args.settings))
    if args.list_settings:
        print(f"settings of scenario {args.scenario} ({args.difficulty}):")
        print(list_settings(args.scenario, settings, args.difficulty))
        return 0
    if not args.out:
        args._parser.error("the following arguments are required: --out")
    if args.nights:
        return _run_month(args, settings)
    note(f"simulating {args.hours:g} h, scenario {args.scenario}, seed {args.seed}, "
         f"{args.difficulty}…")
    evening = parse_evening(args.evening)
    night = simulate_night(args.scenario, hours=args.hours, seed=args.seed, settings=settings,
                           evening=evening, difficulty=args.difficulty)
    truth = write_night(night, args.out)
    print(f"wrote {args.out} and {truth} ({len(night.truth)} truth events)")
    if args.plot:
        from ..simulate.figure import plot_model

        print(f"model figure: {plot_model(night, args.plot)}")
    return 0


def _person_settings(args: argparse.Namespace, settings: dict[str, str]) -> dict[str, object]:
    """The --person's settings (then --set on top), and the scenario resolved in ``args``."""
    from ..errors import ParameterError

    if args.person is None:
        if args.age is not None or args.sex is not None:
            raise ParameterError("--age and --sex describe a --person")
        args.scenario = args.scenario or "polio_mixed"
        return dict(settings)
    if args.scenario not in (None, "healthy"):
        raise ParameterError("--person draws a healthy sleeper: use it with --scenario healthy")
    if args.nights:
        raise ParameterError("--person applies to a single night")
    from ..simulate import healthy_sleeper

    args.scenario = "healthy"
    person = healthy_sleeper(args.person, age=args.age, sex=args.sex)
    note(f"healthy sleeper {args.person}: {person.sex}, {person.age:g} years; own figures "
         + ", ".join(f"{k} {v:.1f}" for k, v in person.targets.items()))
    return {**person.settings, **settings}


def _run_month(args: argparse.Namespace, settings: dict[str, object]) -> int:
    from ..apps.month import simulate_month, write_month
    from ..errors import ParameterError

    if args.nights < 1:
        args._parser.error("--nights must be at least 1")
    if settings or args.evening:
        raise ParameterError("--nights draws each evening from the person's diary; "
                             "--set and --evening apply to a single night only")
    note(f"simulating {args.nights} nights of {args.subject} (scenario {args.scenario}, "
         f"seed {args.seed})…")
    month = simulate_month(args.subject, nights=args.nights, seed=args.seed, fast=False,
                           scenario=args.scenario)
    paths = write_month(month, args.out, progress=lambda m: note(f"  {m}…"))
    print(f"wrote {len(paths) - 1} nights and {paths['diary']} to {args.out}")
    return 0

