"""``somnomotor diary add|import|list|export``: the nightly log, kept in the store."""

from __future__ import annotations

import argparse
import sys


def _store_options(p: argparse.ArgumentParser, *, subject_required: bool) -> None:
    p.add_argument("--db", metavar="F",
                   help="store file (default: $SOMNOMOTOR_DB or the user's data folder)")
    p.add_argument("--subject", metavar="ID", required=subject_required, help="subject code")

#: The one line ``somnomotor --help`` shows for this command.
HELP = "the nightly log: add, import CSV, list, export"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "diary",
        help=HELP,
        description="Keep the nightly log: evening alcohol, exertion, stretching, hot bath, heat "
                    "at night, medications, and the morning ratings. Every entry is checked; a "
                    "bad value is reported in one line and nothing is stored. Column set: see "
                    "docs/diary.md.",
    )
    dsub = p.add_subparsers(dest="diary_command", metavar="ACTION")
    dsub.required = True

    add = dsub.add_parser("add", help="add one night's entry",
                          description="Add one night's entry (the night that began on --date). "
                                      "Clock times HH:MM; times before 12:00 are the next "
                                      "morning.")
    _store_options(add, subject_required=True)
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD",
                     help="the evening the night began")
    from ..diary.entry import FIELDS

    for f in FIELDS:
        unit = f" [{f.unit}]" if f.unit else ""
        add.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, metavar="V",
                         help=f"{f.meaning}{unit}")
    add.add_argument("--med", action="append", default=[], metavar="'NAME DOSE mg [at HH:MM]'",
                     help="a medicine taken, e.g. 'alprazolam 0.5 mg at 22:30' (repeatable)")
    add.add_argument("--create-subject", action="store_true",
                     help="create the subject when it is not in the store yet")
    add.set_defaults(func=run_add)

    imp = dsub.add_parser("import", help="import a diary CSV (all rows or none)",
                          description="Import a diary CSV with the documented columns (Consensus "
                                      "Sleep Diary names are accepted). All rows are added in "
                                      "one transaction, or none when any row is invalid.")
    imp.add_argument("path", metavar="CSV", help="diary CSV file")
    _store_options(imp, subject_required=False)
    imp.add_argument("--create-subject", action="store_true",
                     help="create subjects that are not in the store yet")
    imp.set_defaults(func=run_import)

    ls = dsub.add_parser("list", help="list subjects, or one subject's entries",
                         description="Without --subject: the subjects with their counts of "
                                     "diary entries and recorded nights. With it: the entries.")
    _store_options(ls, subject_required=False)
    ls.set_defaults(func=run_list)

    ex = dsub.add_parser("export", help="write a subject's diary as CSV",
                         description="Write the subject's diary in the documented CSV columns "
                                     "(to standard output, or --out).")
    _store_options(ex, subject_required=True)
    ex.add_argument("--out", metavar="F", help="CSV file to write (default: standard output)")
    ex.set_defaults(func=run_export)


def run_add(args: argparse.Namespace) -> int:
    from ..diary import validate_entry
    from ..diary.entry import FIELDS
    from ..store import Store

    values = {f.name: getattr(args, f.name) for f in FIELDS if getattr(args, f.name) is not None}
    values["date"] = args.date
    values["medications"] = "; ".join(args.med)
    entry = validate_entry(values, subject=args.subject)
    with Store(args.db) as store:
        store.add_diary_entries([entry], create_subject=args.create_subject)
        path = store.path
    print(f"added the diary entry of {entry.entry_date} for {entry.subject} to {path}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from ..diary import import_diary_csv
    from ..store import Store

    with Store(args.db) as store:
        n = import_diary_csv(store, args.path, subject=args.subject,
                             create_subject=args.create_subject)
        path = store.path
    print(f"imported {n} diary entr{'y' if n == 1 else 'ies'} from {args.path} into {path}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ..diary import diary_frame
    from ..store import Store

    with Store(args.db) as store:
        if not args.subject:
            subjects = store.subjects()
            if not subjects:
                print(f"no subjects in {store.path}")
            for code in subjects:
                print(f"{code}\t{len(store.diary(code))} diary entries\t"
                      f"{len(store.nights(code))} recorded nights")
            return 0
        entries = store.diary(args.subject)
    if not entries:
        print(f"no diary entries for {args.subject}")
        return 0
    df = diary_frame(entries)
    shown = ["date", "bedtime", "rise_time", "alcohol_units", "exertion", "stretching_minutes",
             "hot_bath_minutes", "heating_pad", "alprazolam_mg", "morning_stiffness",
             "penn_frequency", "sleep_quality"]
    table = df[shown].copy()
    table["date"] = table["date"].dt.strftime("%Y-%m-%d")
    for column in shown[1:]:
        table[column] = table[column].map(lambda v, c=column: _cell(c, v))
    print(table.to_string(index=False))
    return 0


def _cell(column: str, value: object) -> str:
    """A diary value as a person writes it: yes/no, whole counts, no trailing '.0'."""
    from ..diary import FIELDS

    kind = next((f.kind for f in FIELDS if f.name == column), "float")
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "int":
        return str(int(value))  # type: ignore[call-overload]
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def run_export(args: argparse.Namespace) -> int:
    from ..diary import diary_csv_text, write_diary_csv
    from ..store import Store

    with Store(args.db) as store:
        entries = store.diary(args.subject)
    if args.out:
        write_diary_csv(entries, args.out)
        print(f"wrote {len(entries)} entries to {args.out}")
    else:
        sys.stdout.write(diary_csv_text(entries))
    return 0
