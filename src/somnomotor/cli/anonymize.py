"""``somnomotor anonymize IN OUT``: a de-identified copy of a recording."""

from __future__ import annotations

import argparse

#: The one line ``somnomotor --help`` shows for this command.
HELP = "write a de-identified copy of a recording (HIPAA Safe Harbor)"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "anonymize",
        help=HELP,
        description="Copy an EDF/EDF+/BDF recording with the patient and recording fields, "
                    "the start date and free-text annotations removed (scoring annotations "
                    "such as sleep stages, arousals and respiratory events are kept). "
                    "Signals are copied bit for bit; the input is never modified.",
    )
    p.add_argument("recording", metavar="IN", help="EDF, EDF+ or BDF recording (read only)")
    p.add_argument("output", metavar="OUT", help="the de-identified copy to write")
    p.add_argument("--keep-year", action="store_true",
                   help="keep the year of the start date (1 January of that year)")
    p.add_argument("--drop-time", action="store_true",
                   help="also set the start clock time to 00:00:00")
    p.add_argument("--keep-word", metavar="WORD", action="append", default=[],
                   help="accept this word in annotation texts (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..anonymize import anonymize_recording

    rep = anonymize_recording(args.recording, args.output, keep_year=args.keep_year,
                              drop_time=args.drop_time, extra_words=args.keep_word)
    time_note = "start time kept" if rep.start_time_kept else "start time cleared"
    print(f"wrote {rep.destination} ({rep.file_type}): {', '.join(rep.fields_cleared)} "
          f"cleared, start date {rep.start_date}, {time_note}; annotations: "
          f"{rep.annotations_kept} kept, {rep.annotations_redacted} redacted")
    return 0
