"""``somnomotor info REC``: header, duration, gaps and the channel table."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..recording import Recording

#: The one line ``somnomotor --help`` shows for this command.
HELP = "show a recording's header, duration, gaps and channels"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "info",
        help=HELP,
        description="Print the header, duration, gaps and every channel of a recording with "
                    "the kind, muscle and side inferred from its label (or set by --montage), "
                    "its sampling rate and unit. Reads nothing but the header and annotations.",
    )
    p.add_argument("recording", help="EDF, EDF+ or BDF recording")
    p.add_argument("--montage", metavar="F", help="TOML montage override")
    p.set_defaults(func=run)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    frac = seconds - whole
    tail = f"{frac:.3f}".lstrip("0") if frac >= 0.0005 else ""
    return f"{h}:{m:02d}:{s:02d}{tail}"


def _rate(fs: float) -> str:
    return f"{fs:g}" if abs(fs - round(fs)) > 1e-9 else str(int(round(fs)))


def describe_recording(rec: Recording) -> list[str]:
    """The lines ``somnomotor info`` prints for a recording."""
    h = rec.header
    lines = [
        f"file         {rec.path}",
        f"type         {rec.file_type}",
        f"start        {rec.start.isoformat(sep=' ') if rec.start else 'unknown'}",
        f"duration     {_clock(rec.duration)} ({rec.duration:g} s)",
    ]
    if "n_records" in h:
        lines.append(f"records      {h['n_records']} × {h.get('record_duration', '?')} s")
    for key, name in (("patient", "patient"), ("recording", "recording")):
        if h.get(key):
            lines.append(f"{name:<12} {h[key]}")
    if rec.gaps:
        total = sum(g.duration for g in rec.gaps)
        shown = ", ".join(f"{g.onset:g}–{g.onset + g.duration:g} s" for g in rec.gaps[:5])
        more = f", … ({len(rec.gaps) - 5} more)" if len(rec.gaps) > 5 else ""
        lines.append(f"gaps         {len(rec.gaps)} ({total:g} s without data): {shown}{more}")
    else:
        lines.append("gaps         none")
    lines.append(f"annotations  {len(rec.annotations)}")
    lines.append(f"channels     {len(rec.channels)}")
    if rec.channels:
        rows = [("channel", "kind", "muscle", "side", "fs (Hz)", "unit")]
        for c in rec.channels:
            unit = c.unit or "-"
            if isinstance(c.scale_to_uv, float) and math.isnan(c.scale_to_uv):
                unit += " (?)"
            rows.append((c.label, c.kind, c.muscle or "-", c.side or "-", _rate(c.fs), unit))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines.append("")
        for r in rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths,
                                                                    strict=True)).rstrip())
    from ..resolution import resolution_findings

    notes = list(rec.warnings) + resolution_findings(rec).warnings
    if notes:
        lines.append("")
        lines.append("warnings:")
        lines.extend(f"  - {w}" for w in notes)
    return lines


def run(args: argparse.Namespace) -> int:
    from ..pipeline import read

    rec = read(args.recording, montage=args.montage)
    print("\n".join(describe_recording(rec)))
    return 0
