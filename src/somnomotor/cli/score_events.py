"""``somnomotor score-events LMS``: PLM scoring of a technician's leg-movement list."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ._common import out_dir, warn

#: The one line ``somnomotor --help`` shows for this command.
HELP = "score PLM series from already-scored leg movements"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "score-events",
        help=HELP,
        description="Apply the WASM 2016 (or AASM) leg-movement rules to a technician's leg "
                    "movements: candidate LMs, PLM series, respiratory and arousal "
                    "association, indices. Writes events.csv and summary.json to --out.",
    )
    p.add_argument("lms", metavar="LMS",
                   help="leg movements: CSV onset,duration,side (s; left/right), or a scoring "
                        "export holding them (EDF+, NSRR or Profusion XML, RemLogic, Noxturnal "
                        "CSV, DOMINO text or a folder of DOMINO exports, CSV events); a full "
                        "export's stages, arousals and respiratory events are used too")
    p.add_argument("--hypnogram", metavar="F",
                   help="hypnogram file (any scoring format); default: the stages of LMS when "
                        "it holds them; without any, indices are per hour of recording")
    p.add_argument("--events", metavar="F", action="append", default=[],
                   help="scored arousals and respiratory events (repeatable); default: those "
                        "of LMS and of --hypnogram")
    p.add_argument("--duration", metavar="S", type=float,
                   help="recording duration in seconds (default: end of the hypnogram or of "
                        "the last event)")
    p.add_argument("--recording", metavar="REC",
                   help="the recording the scorings belong to (its header only): aligns clock "
                        "times to its start and gives the duration; without it an export's "
                        "first epoch or start-of-analysis marker is time 0")
    p.add_argument("--params", metavar="F", help="TOML parameters file ([legs] section)")
    p.add_argument("--out", metavar="DIR", default="somnomotor-out", help="output folder")
    p.set_defaults(func=run, path=None)


def _leg_params(path: str | None) -> Any:
    from ..errors import ParameterError
    from ..params import from_mapping, load_toml
    from ..pipeline import PARAMETER_SECTIONS
    from ..score.legs import LegParams

    if not path:
        return LegParams()
    table = load_toml(path)
    unknown = sorted(set(table) - set(PARAMETER_SECTIONS))
    if unknown:
        raise ParameterError(f"unknown parameter section(s) {', '.join(unknown)} "
                             f"(known: {', '.join(PARAMETER_SECTIONS)})", path)
    return from_mapping(LegParams, table.get("legs", {}), where=path, section="legs")


def _key(path: str) -> str:
    """One key per file, however it is named on the command line."""
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(path)


def _clock(stamp: Any) -> str:
    return stamp.isoformat(sep=" ") if hasattr(stamp, "date") else stamp.isoformat()


def _counts(events: Any, kinds: tuple[str, ...]) -> str:
    counts = events["kind"].value_counts()
    return ", ".join(f"{int(counts.get(k, 0))} {k}" for k in kinds)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from .._atomic import atomic_write
    from .._util import file_sha256, json_ready
    from .._version import __version__
    from ..errors import AnnotationError, InputError
    from ..events import write_events_csv
    from ..io import read_scorings
    from ..params import to_dict
    from ..score.legs import score_leg_movements
    from ..staging.statistics import indices_interpretability
    from ..technician import leg_movements_from_scored, read_leg_movements

    took: list[str] = []
    args.path = args.lms
    if args.duration is not None and not args.duration > 0:
        raise InputError(f"--duration must be a positive number of seconds, not {args.duration}")
    params = _leg_params(args.params)
    rec = None
    if args.recording:
        from ..io import read_recording

        rec = read_recording(args.recording)
    try:
        if Path(args.lms).is_dir():  # a folder of exports (DOMINO writes one file per kind)
            own = read_scorings(args.lms, recording=rec)
            lms, notes = leg_movements_from_scored(own.events)
            warnings = [f"{Path(args.lms).name}: {w}" for w in notes or (
                [] if len(lms) else ["no leg movements in the folder"])]
        else:
            lms, own, warnings = read_leg_movements(args.lms, recording=rec)
    except AnnotationError as exc:
        if rec is None and "recording start" in exc.problem:
            raise AnnotationError(f"{exc.problem.split(' (')[0]}: give the recording with "
                                  "--recording REC", exc.path) from None
        raise
    # Without the recording, the export's own clock (its first epoch or start-of-analysis
    # marker) is time 0, for it and for every other file of the night.
    origin = own.clock_origin if (own is not None and rec is None) else None
    origin_note = (f"{own.clock_origin_source} of {Path(args.lms).name}"
                   if origin is not None and own is not None else "")
    if own is not None and own.unknown_labels:
        warnings.append(f"{Path(args.lms).name}: labels not in the vocabulary ignored: "
                        + ", ".join(f"'{k}' ×{v}" for k, v in sorted(own.unknown_labels.items())))
    if own is not None:
        warnings.extend(f"{Path(args.lms).name}: {w}" for w in own.warnings)
    if origin is not None:
        took.append(f"clock origin {_clock(origin)} from {Path(args.lms).name}: "
                    f"{own.clock_origin_source} (no recording given)")

    # One export may be given under several flags: each file is read once, and its
    # events are counted once.
    files: dict[str, Any] = {}
    if own is not None:
        files[_key(args.lms)] = own

    def scorings(path: str) -> Any:
        nonlocal origin, origin_note
        key = _key(path)
        if key not in files:
            # a file given only as --events must hold events (not a bare hypnogram table)
            expect = "events" if path in args.events and path != args.hypnogram else "any"
            files[key] = read_scorings(path, recording=rec, origin=origin, expect=expect)
            sc = files[key]
            if rec is None and origin is None and sc.clock_origin is not None:
                # the first file with a clock sets time 0 for the files read after it
                origin = sc.clock_origin
                origin_note = f"{sc.clock_origin_source} of {Path(path).name}"
                took.append(f"clock origin {_clock(origin)} from {Path(path).name}: "
                            f"{sc.clock_origin_source} (no recording given)")
            if sc.unknown_labels:
                warnings.append(f"{Path(path).name}: labels not in the vocabulary ignored: "
                                + ", ".join(f"'{k}' ×{v}"
                                            for k, v in sorted(sc.unknown_labels.items())))
        return files[key]

    hyp, source = None, "none"
    if args.hypnogram:
        sc = scorings(args.hypnogram)
        if sc.hypnogram is None or not len(sc.hypnogram):
            raise AnnotationError("holds no sleep stages (empty hypnogram)", args.hypnogram)
        if not sc.hypnogram.is_scored:
            raise AnnotationError("every epoch of its hypnogram is unscored", args.hypnogram)
        hyp = sc.hypnogram.fit_to(rec.duration) if rec is not None else sc.hypnogram
        source = f"file:{Path(args.hypnogram).name}"
    else:
        for path in [args.lms, *args.events]:
            sc = files.get(_key(path)) if path == args.lms else scorings(path)
            if sc is not None and sc.hypnogram is not None and sc.hypnogram.is_scored:
                hyp = sc.hypnogram.fit_to(rec.duration) if rec is not None else sc.hypnogram
                source = f"file:{Path(path).name}"
                break
    # Arousals and respiratory events: from the --events files when given, else from the
    # leg-movement file and the hypnogram file (a full export holds them all).
    event_files = list(dict.fromkeys(args.events)) if args.events else [
        *([args.lms] if own is not None else []),
        *([args.hypnogram] if args.hypnogram else [])]
    scored, used_keys = [], set()
    for path in event_files:
        key = _key(path)
        sc = files.get(key) if key in files else scorings(path)
        if sc is None or key in used_keys:
            continue
        used_keys.add(key)
        if len(sc.events):
            scored.append(sc.events)
    scored_df = (pd.concat(scored, ignore_index=True) if scored else None)
    if scored_df is not None:
        scored_df = scored_df.drop_duplicates(ignore_index=True)
        took.append("arousals and respiratory events from "
                    + ", ".join(Path(p).name for p in dict.fromkeys(event_files))
                    + ": " + _counts(scored_df, ("arousal", "apnea", "hypopnea", "rera")))
    took.insert(1 if took and took[0].startswith("clock origin") else 0,
                f"leg movements from {Path(args.lms).name}: {len(lms)}")
    if hyp is not None:
        took.append(f"sleep stages from {source[5:]}: {len(hyp)} epochs of {hyp.epoch:g} s")
    for sc in files.values():
        if sc.ignored_labels:
            took.append(f"left out of {sc.source[5:]} (not scorings): " + ", ".join(
                f"'{k}' ×{v}" for k, v in sorted(sc.ignored_labels.items())))
    if args.duration is not None:
        duration = float(args.duration)
    elif rec is not None:
        duration = float(rec.duration)
    else:
        duration = None  # the scorer takes the end of the hypnogram or of the last event
        if hyp is None:
            warnings.append("no hypnogram and no --duration: the recording is taken to end "
                            "with the last event")

    result = score_leg_movements(lms, hypnogram=hyp, scored_events=scored_df,
                                 recording_duration=duration, params=params)
    summary: dict[str, Any] = {}
    if hyp is not None:
        try:
            from ..staging import sleep_statistics
        except ImportError:  # pragma: no cover - staging is part of the package
            pass
        else:
            fitted = hyp.fit_to(result.details["hours"]["recording"] * 3600.0)
            stats = sleep_statistics(fitted)
            summary.update({k: v for k, v in stats.items() if not isinstance(v, dict | list)})
    summary.update(result.summary)
    summary["recording_duration_h"] = result.details["hours"]["recording"]
    summary["provenance"] = {
        "software_version": __version__,
        "input_sha256": file_sha256(args.lms) if Path(args.lms).is_file() else None,
        "input_file": Path(args.lms).name,
        "parameters": {"legs": to_dict(params)},
        "hypnogram_source": source,
        "clock_origin": _clock(origin) if origin is not None else None,
        "clock_origin_source": (origin_note if origin is not None else
                                ("recording start" if rec is not None else None)),
        "scoring_files": [Path(p).name for p in dict.fromkeys(
            [args.lms, *([args.hypnogram] if args.hypnogram else []), *args.events])],
    }
    warnings += result.details.get("hypnogram_warnings", [])
    summary.update(indices_interpretability(summary, str(summary.get("index_basis")),
                                            summary["recording_duration_h"] * 3600.0))
    if summary["indices_note"]:
        warnings.append(summary["indices_note"])
    summary["warnings"] = warnings
    summary = json_ready(summary)

    out = out_dir(args.out)
    write_events_csv(result.events, out / "events.csv")
    with atomic_write(out / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2, allow_nan=False)
        fh.write("\n")
    for w in warnings:
        warn(w)
    for line in took:
        print(f"took {line}")
    basis = "per hour of sleep" if summary["index_basis"] == "sleep" else \
        "per hour of recording (no hypnogram)"
    print(f"{Path(args.lms).name}: {summary['lm_count']} LM, {summary['clm_count']} CLM, "
          f"{summary['plm_count']} PLM in {summary['plm_series_count']} series; "
          f"PLMS index {summary['plms_index']:.1f} {basis}"
          + ("" if summary["indices_interpretable"] else " — not interpretable (under "
             f"{summary['min_sleep_for_indices_min']:g} min)"))
    print(f"wrote {out / 'events.csv'}, {out / 'summary.json'}")
    return 0
