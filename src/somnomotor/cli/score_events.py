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
                   help="leg movements: CSV onset,duration,side (s; left/right), or an EDF+, "
                        "NSRR XML, RemLogic or CSV-events file holding scored leg movements")
    p.add_argument("--hypnogram", metavar="F",
                   help="hypnogram file (CSV/text, EDF+ annotations, NSRR XML, RemLogic); "
                        "without one, indices are per hour of recording")
    p.add_argument("--events", metavar="F", action="append", default=[],
                   help="scored arousals and respiratory events (repeatable)")
    p.add_argument("--duration", metavar="S", type=float,
                   help="recording duration in seconds (default: end of the hypnogram or of "
                        "the last event)")
    p.add_argument("--recording", metavar="REC",
                   help="the recording the scorings belong to (its header only): aligns clock "
                        "times (RemLogic exports) and gives the duration")
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


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from .._atomic import atomic_write
    from .._util import file_sha256, json_ready
    from .._version import __version__
    from ..errors import AnnotationError, InputError
    from ..events import write_events_csv
    from ..io import read_hypnogram, read_scorings
    from ..params import to_dict
    from ..score.legs import score_leg_movements
    from ..staging.statistics import indices_interpretability
    from ..technician import read_leg_movements

    args.path = args.lms
    if args.duration is not None and not args.duration > 0:
        raise InputError(f"--duration must be a positive number of seconds, not {args.duration}")
    params = _leg_params(args.params)
    rec = None
    if args.recording:
        from ..io import read_recording

        rec = read_recording(args.recording)
    try:
        lms, own, warnings = read_leg_movements(args.lms, recording=rec)
    except AnnotationError as exc:
        if rec is None and "recording start" in exc.problem:
            raise AnnotationError(f"{exc.problem.split(' (')[0]}: give the recording with "
                                  "--recording REC", exc.path) from None
        raise

    hyp, source = None, "none"
    if args.hypnogram:
        hyp = read_hypnogram(args.hypnogram, rec)
        source = f"file:{Path(args.hypnogram).name}"
    elif own is not None and own.hypnogram is not None and own.hypnogram.is_scored:
        hyp = own.hypnogram
        source = f"file:{Path(args.lms).name}"
    scored = [own.events] if own is not None and len(own.events) else []
    for f in args.events:
        sc = read_scorings(f, recording=rec, expect="events")
        scored.append(sc.events)
        if sc.unknown_labels:
            warnings.append(f"{f}: labels not in the vocabulary ignored: "
                            + ", ".join(f"'{k}' ×{v}" for k, v in sorted(sc.unknown_labels.items())))
    scored_df = (pd.concat([s for s in scored if len(s)], ignore_index=True)
                 if any(len(s) for s in scored) else None)
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
        "input_sha256": file_sha256(args.lms),
        "input_file": Path(args.lms).name,
        "parameters": {"legs": to_dict(params)},
        "hypnogram_source": source,
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
    basis = "per hour of sleep" if summary["index_basis"] == "sleep" else \
        "per hour of recording (no hypnogram)"
    print(f"{Path(args.lms).name}: {summary['lm_count']} LM, {summary['clm_count']} CLM, "
          f"{summary['plm_count']} PLM in {summary['plm_series_count']} series; "
          f"PLMS index {summary['plms_index']:.1f} {basis}"
          + ("" if summary["indices_interpretable"] else " — not interpretable (under "
             f"{summary['min_sleep_for_indices_min']:g} min)"))
    print(f"wrote {out / 'events.csv'}, {out / 'summary.json'}")
    return 0
