"""The store's schema, as an ordered list of migrations.

``PRAGMA user_version`` holds the number of migrations applied.  A migration is
a list of SQL statements applied in one transaction together with the new
``user_version``; migrations are never edited once released, only appended.
"""

from __future__ import annotations

#: Diary columns stored in ``diary_entries`` (besides id, subject_id, entry_date).
#: Kept in step with :data:`somnomotor.diary.entry.FIELDS`.
_DIARY_COLUMNS_V1 = """
    bedtime TEXT, lights_out TEXT, sol_minutes REAL, final_awakening TEXT, rise_time TEXT,
    waso_minutes REAL,
    alcohol_units REAL, last_drink_time TEXT,
    exertion REAL, strenuous_minutes REAL,
    stretching_minutes REAL, posture_breaks INTEGER,
    hot_bath_minutes REAL, hot_bath_time TEXT,
    heating_pad INTEGER, warm_clothing INTEGER, capsaicin INTEGER,
    morning_stiffness REAL, stretch_before_rising_minutes REAL,
    penn_frequency INTEGER, penn_severity INTEGER,
    sleep_quality INTEGER, awakenings INTEGER,
    notes TEXT NOT NULL DEFAULT ''
"""

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: subjects, nights, events, diary entries, medications
    (
        """CREATE TABLE subjects (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE nights (
            id INTEGER PRIMARY KEY,
            subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
            night_date TEXT NOT NULL,
            recording_path TEXT,
            sha256 TEXT,
            start_time TEXT,
            summary_json TEXT NOT NULL,
            parameters_json TEXT NOT NULL,
            software_version TEXT NOT NULL,
            filed_at TEXT NOT NULL,
            UNIQUE (subject_id, night_date)
        )""",
        """CREATE TABLE events (
            night_id INTEGER NOT NULL REFERENCES nights(id) ON DELETE CASCADE,
            onset REAL NOT NULL,
            duration REAL NOT NULL,
            kind TEXT NOT NULL,
            channel TEXT NOT NULL DEFAULT '',
            muscle TEXT NOT NULL DEFAULT '',
            side TEXT NOT NULL DEFAULT '',
            stage TEXT NOT NULL DEFAULT '?',
            amplitude_uv REAL,
            series INTEGER,
            arousal INTEGER NOT NULL DEFAULT 0,
            respiratory INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX events_night ON events(night_id)",
        f"""CREATE TABLE diary_entries (
            id INTEGER PRIMARY KEY,
            subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
            entry_date TEXT NOT NULL,
            {_DIARY_COLUMNS_V1},
            UNIQUE (subject_id, entry_date)
        )""",
        """CREATE TABLE medications (
            id INTEGER PRIMARY KEY,
            diary_id INTEGER NOT NULL REFERENCES diary_entries(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            dose_mg REAL NOT NULL,
            time_taken TEXT
        )""",
        "CREATE INDEX medications_diary ON medications(diary_id)",
    ),
    # 2: the events table's companion column ``channels`` (derived events of several channels)
    (
        "ALTER TABLE events ADD COLUMN channels TEXT NOT NULL DEFAULT ''",
    ),
    # 3: the events table's column ``pattern`` (the classification of a contraction row)
    (
        "ALTER TABLE events ADD COLUMN pattern TEXT NOT NULL DEFAULT ''",
    ),
)

SCHEMA_VERSION: int = len(MIGRATIONS)
