"""The event-kind registry: every kind of the events table declared once.

Each :class:`EventKind` says everything the rest of somnomotor needs to know
about one kind: its human label and colour (the report's figures and the
review page use the same palette), the words it carries in other tools' files
(EDF+ annotation and BIDS ``trial_type`` text, NSRR XML ``EventType`` /
``EventConcept``, Luna class), the summary keys its scorer writes, the rows the
report's tables show for it, the figures copied into ``batch.csv`` and the
review page's header, how the evaluation matches it, and how the figures draw it.

The report (:mod:`somnomotor.report`), the exports (:mod:`somnomotor.export`),
the review application (:mod:`somnomotor.web`, which serves the registry to
the page as JSON), the batch runner and :mod:`somnomotor.evaluate` all read
this registry; none of them lists kinds of its own.  A new detector is
therefore one module that returns events-table rows plus one :func:`register`
call (or one entry in :data:`BUILTIN_KINDS`).

Kinds that ``interfaces.md`` promises but no detector produces yet are declared
too, with ``detector=None``: they are valid in an events table (a reviewer may
add one by hand), have their export words and colour, and are left out of
lists that describe what somnomotor finds (:func:`produced`).

The scored (input) kinds read from other tools' files (arousals, respiratory
events …) are declared in :data:`SCORED` as far as the exports need them.

This module is the lowest layer: it imports nothing from somnomotor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["BUILTIN_KINDS", "EventKind", "Headline", "NSRR_OURS_TYPE", "ReportRow", "SCORED",
           "SLEEP_HEADLINES", "ScoredKind", "YARDSTICKS", "Yardstick", "all_kinds", "colours", "get", "headline_keys", "leg_kinds", "names",
           "produced", "register", "registry_json", "report_rows", "unregister"]

#: NSRR XML ``EventType`` of every somnomotor kind NSRR has no name for.
NSRR_OURS_TYPE = "Motor events|somnomotor"
#: NSRR XML ``EventType`` of leg movements (NSRR's own term).
NSRR_LIMB_TYPE = "Limb Movement|Limb Movement"


@dataclass(frozen=True)
class ReportRow:
    """One row of a report table showing a summary figure.

    ``section`` names the table: ``legs`` (the standard leg-movement table,
    with a second column for ``key + "_incl_resp"`` when ``incl_resp``),
    ``patterns`` (named patterns), ``rem`` and ``morning``.  Rows of a table
    are ordered by ``order``, then by the registry's order.  A row with
    ``always`` false is shown only when the summary holds its key.  ``flag_below``
    / ``flag_above`` mark the row when the value crosses a published cut-off
    (given in ``note``).
    """

    section: str
    label: str
    key: str
    digits: int = 1
    unit: str = ""
    note: str = ""
    always: bool = True
    order: int = 0
    incl_resp: bool = False
    scale: float = 1.0
    flag_below: float | None = None
    flag_above: float | None = None


@dataclass(frozen=True)
class Headline:
    """A summary figure worth a column in ``batch.csv`` (and, with ``review``, the review header)."""

    key: str
    label: str
    digits: int = 1
    unit: str = ""
    review: bool = False


@dataclass(frozen=True)
class EventKind:
    """Everything somnomotor says about one kind of the events table.

    Attributes
    ----------
    name : str
        The ``kind`` value in ``events.csv``.
    label : str
        Human name (figure legends, the review page).
    colour : str
        ``#RRGGBB``; one palette for the report and the review page
        (Okabe–Ito for the kinds found today: colour-blind safe).
    text : str
        First words of its EDF+ annotation and BIDS ``trial_type``
        (``"LM"`` → ``"LM left"``); also Luna's class description.
    description : str
        One line for the BIDS events sidecar (``kind`` levels).
    detector : str or None
        The module whose scorer produces it; None when interfaces.md promises
        the kind but no detector produces it yet.
    leg : bool
        A leg movement (tibialis anterior): the annotation text never repeats
        the muscle and a snippet is looked for on the leg channels.
    per_channel : bool
        Rows name their source channel; False for derived events (``channel`` empty).
    episode : bool
        Duration matters (episodes, mini-epochs): the raster draws a bar, not a tick.
    nsrr_type, nsrr_concept : str, (str, str) or None
        NSRR XML ``EventType`` and, where NSRR has its own term, the
        ``EventConcept`` name and label patterns with ``{side}`` / ``{Side}``;
        without a pattern the concept is ``<kind>|<annotation text>``.
    luna_class : str
        Luna ``.annot`` class (default: ``name``).
    summary_keys : tuple of str
        The summary keys its scorer writes (always present, documented in interfaces.md).
    headlines : tuple of Headline
        Figures copied into ``batch.csv`` (and the review header when ``review``).
    report_rows : tuple of ReportRow
        What the report's tables show for it.
    per_muscle : (str, str) or None
        Column of the report's per-muscle table: (title, ``count`` or ``seconds``);
        kinds with the same title share the column.
    snippet_rank : int or None
        Order of preference for the report's raw-EMG example snippets (None: none).
    match_on : tuple of str
        Columns that must agree for :func:`somnomotor.evaluate.evaluate` to match two events.
    """

    name: str
    label: str
    colour: str
    text: str
    description: str
    detector: str | None
    leg: bool = False
    per_channel: bool = True
    episode: bool = False
    nsrr_type: str = NSRR_OURS_TYPE
    nsrr_concept: tuple[str, str] | None = None
    luna_class: str = ""
    summary_keys: tuple[str, ...] = ()
    headlines: tuple[Headline, ...] = ()
    report_rows: tuple[ReportRow, ...] = ()
    per_muscle: tuple[str, str] | None = None
    snippet_rank: int | None = None
    match_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or self.name != self.name.lower():
            raise ValueError(f"kind name {self.name!r} must be a lower-case identifier")
        if len(self.colour) != 7 or not self.colour.startswith("#"):
            raise ValueError(f"kind {self.name!r}: colour must be #RRGGBB, not {self.colour!r}")
        if not self.luna_class:
            object.__setattr__(self, "luna_class", self.name)

    @property
    def produced(self) -> bool:
        """Whether a detector produces this kind today."""
        return self.detector is not None


@dataclass(frozen=True)
class ScoredKind:
    """An input (scored) event kind, as the NSRR XML export names it.

    ``subtypes`` lists ``(word, concept)``: the first word found in the
    original label (lower case) picks the concept, else ``nsrr_concept``.
    """

    name: str
    nsrr_type: str = "Other|Other"
    nsrr_concept: str = ""
    subtypes: tuple[tuple[str, str], ...] = ()


_PLM = ("plm_count", "plms_count", "plmw_count", "plm_index", "plms_index", "plmw_index",
        "plms_arousal_count", "plms_arousal_index", "periodicity_index", "plm_series_count",
        "plms_index_by_stage")
_LEGS = "legs"

#: Sleep figures that head every per-night list (batch.csv, the review's night list).
SLEEP_HEADLINES: tuple[str, ...] = ("tst_h", "sleep_efficiency")

#: The kinds somnomotor knows, in the order every list and file shows them.
BUILTIN_KINDS: tuple[EventKind, ...] = (
    EventKind(
        "lm", "Leg movement", "#999999", "LM", "leg movement, one leg (WASM 2016)",
        "somnomotor.score.legs", leg=True,
        nsrr_type=NSRR_LIMB_TYPE,
        nsrr_concept=("Limb movement - {side}", "Limb Movement ({Side})"),
        summary_keys=("lm_count", "lm_index", "lm_movement_count", "lm_movement_index"),
        headlines=(Headline("lm_index", "LM index", 1, "/h"),),
        report_rows=(ReportRow(_LEGS, "Leg movements (LM, each leg)", "lm_count", 0, order=1),
                     ReportRow(_LEGS, "LM index (/h sleep)", "lm_index", 1, order=9)),
        per_muscle=("bursts / LMs", "count"), snippet_rank=2, match_on=("side",)),
    EventKind(
        "clm", "Candidate leg movement", "#56B4E9", "CLM", "candidate leg movement (WASM 2016)",
        "somnomotor.score.legs", leg=True, per_channel=False,
        nsrr_type=NSRR_LIMB_TYPE,
        nsrr_concept=("Candidate leg movement - {side}", "CLM ({Side})"),
        summary_keys=("clm_count", "clm_index", "clm_respiratory_count"),
        report_rows=(ReportRow(_LEGS, "Candidate leg movements (CLM)", "clm_count", 0, order=2),
                     ReportRow(_LEGS, "Respiratory-related CLMs (not counted as PLM)",
                               "clm_respiratory_count", 0, order=3))),
    EventKind(
        "plm", "Periodic leg movement", "#D55E00", "PLM",
        "CLM in a periodic leg movement series (WASM 2016)",
        "somnomotor.score.legs", leg=True, per_channel=False,
        nsrr_type=NSRR_LIMB_TYPE,
        nsrr_concept=("Periodic leg movement - {side}", "PLM ({Side})"),
        summary_keys=(*_PLM, *(f"{k}_incl_resp" for k in _PLM)),
        headlines=(Headline("plms_index", "PLMS", 1, "/h", review=True),
                   Headline("plmw_index", "PLMW", 1, "/h", review=True),
                   Headline("plms_arousal_index", "PLMS-arousal", 1, "/h"),
                   Headline("periodicity_index", "periodicity", 2)),
        report_rows=(
            ReportRow(_LEGS, "Periodic leg movements (PLM)", "plm_count", 0, order=4,
                      incl_resp=True),
            ReportRow(_LEGS, "PLM in sleep (PLMS)", "plms_count", 0, order=5, incl_resp=True),
            ReportRow(_LEGS, "PLM in wake after sleep onset (PLMW)", "plmw_count", 0, order=6,
                      incl_resp=True),
            ReportRow(_LEGS, "PLMS with arousal", "plms_arousal_count", 0, order=7,
                      incl_resp=True),
            ReportRow(_LEGS, "PLM series", "plm_series_count", 0, order=8, incl_resp=True),
            ReportRow(_LEGS, "PLM index (/h time in bed)", "plm_index", 1, order=10,
                      incl_resp=True),
            ReportRow(_LEGS, "PLMS index (/h sleep)", "plms_index", 1, order=11, incl_resp=True),
            ReportRow(_LEGS, "PLMW index (/h wake after sleep onset)", "plmw_index", 1,
                      order=12, incl_resp=True),
            ReportRow(_LEGS, "PLMS-arousal index (/h sleep)", "plms_arousal_index", 1,
                      order=13, incl_resp=True),
            ReportRow(_LEGS, "Periodicity index (Ferri 2006; 0–1)", "periodicity_index", 2,
                      order=14, incl_resp=True)),
        snippet_rank=1),
    EventKind(
        "myoclonus", "Myoclonus", "#0072B2", "Myoclonus", "brief EMG burst in any muscle",
        "somnomotor.score.muscles",
        summary_keys=("myoclonus_index", "myoclonus_index_by_muscle", "arm_pm_index"),
        headlines=(Headline("myoclonus_index", "Myoclonus", 1, "/h", review=True),),
        report_rows=(ReportRow("patterns", "Myoclonus index, all muscles", "myoclonus_index", 1,
                               "/h sleep"),
                     ReportRow("patterns", "Periodic arm movements index", "arm_pm_index", 1,
                               "/h sleep", always=False, order=1)),
        per_muscle=("bursts / LMs", "count"), snippet_rank=3, match_on=("muscle", "side")),
    EventKind(
        "grm", "Generalized random myoclonus", "#CC79A7", "Generalized random myoclonus",
        "generalized random myoclonus episode", "somnomotor.score.patterns",
        per_channel=False, episode=True,
        summary_keys=("grm_episode_count",),
        headlines=(Headline("grm_episode_count", "GRM episodes", 0),),
        report_rows=(ReportRow("patterns", "Generalized random myoclonus episodes",
                               "grm_episode_count", 0),)),
    EventKind(
        "hypnic_jerk", "Hypnic jerk", "#E69F00", "Hypnic jerk", "hypnic jerk (sleep start)",
        "somnomotor.score.patterns",
        summary_keys=("hypnic_jerk_count",),
        headlines=(Headline("hypnic_jerk_count", "hypnic jerks", 0),),
        report_rows=(ReportRow("patterns", "Hypnic jerks", "hypnic_jerk_count", 0),),
        per_muscle=("hypnic jerks", "count"), snippet_rank=4),
    EventKind(
        "fragmentary_myoclonus", "Fragmentary myoclonus", "#009E73", "Fragmentary myoclonus",
        "fragmentary myoclonus (AASM)", "somnomotor.score.patterns", episode=True,
        summary_keys=("fragmentary_myoclonus_minutes",),
        # The potentials' index first: the AASM minutes are 0 on most nights that have
        # potentials (below 20 min of NREM at ≥ 5 a minute), which alone read "none found".
        report_rows=(ReportRow("patterns", "Fragmentary myoclonus potentials (≤ 150 ms, AASM)",
                               "fragmentary_index", 1, "/h sleep"),
                     ReportRow("patterns", "Excessive fragmentary myoclonus (AASM: ≥ 20 min of "
                               "NREM with ≥ 5 potentials a minute)",
                               "fragmentary_myoclonus_minutes", 1, "min"))),
    EventKind(
        "propriospinal_myoclonus", "Propriospinal myoclonus", "#F0E442",
        "Propriospinal myoclonus", "propriospinal myoclonus at sleep onset",
        "somnomotor.score.patterns",
        summary_keys=("propriospinal_myoclonus_count",),
        report_rows=(ReportRow("patterns", "Propriospinal myoclonus at sleep onset",
                               "propriospinal_myoclonus_count", 0, always=False),)),
    EventKind(
        "rem_tonic", "REM tonic activity", "#882255", "REM tonic activity",
        "REM mini-epoch with tonic activity (AASM)", "somnomotor.score.rem", episode=True,
        summary_keys=("rem_atonia_index", "sinbar_any_percent", "rem_tonic_percent"),
        headlines=(Headline("rem_atonia_index", "RAI", 2),),
        report_rows=(ReportRow("rem", "AASM tonic activity, % of REM epochs",
                               "rem_tonic_percent", 1, "%", note="no AASM cut-off"),)),
    EventKind(
        "rem_phasic", "REM phasic activity", "#AA4499", "REM phasic activity",
        "REM mini-epoch with phasic activity (AASM)", "somnomotor.score.rem", episode=True,
        summary_keys=("rem_phasic_percent",),
        report_rows=(ReportRow("rem", "AASM phasic activity, % of REM epochs",
                               "rem_phasic_percent", 1, "%", note="no AASM cut-off"),),
        snippet_rank=6),
    EventKind(
        "morning_tonic", "Morning tonic activity", "#000000", "Morning tonic activity",
        "sustained activity after the final awakening", "somnomotor.score.morning",
        episode=True,
        summary_keys=("morning_tonic_seconds",),
        headlines=(Headline("morning_tonic_seconds", "morning tonic", 0, "s"),),
        report_rows=(
            ReportRow("morning", "Tonic activity after the final awakening",
                      "morning_tonic_seconds", 0, "s"),
            ReportRow("morning", "Tonic episodes after the final awakening",
                      "morning_tonic_episodes", 0, always=False),
            ReportRow("morning", "Time from the final awakening to the end of the recording",
                      "morning_window_s", 0, "s", always=False),
            ReportRow("morning", "Tonic activity in the last 10 min of sleep",
                      "last_10min_sleep_tonic_seconds", 0, "s", always=False)),
        per_muscle=("morning tonic (s)", "seconds"), snippet_rank=5, match_on=("muscle",)),
    # -- the base layer: every contraction of every EMG channel (score/contractions.py) -----
    EventKind(
        "contraction", "Contraction", "#BBBBBB", "Contraction",
        "every activation of one EMG channel (the base layer)", "somnomotor.score.contractions",
        episode=True,
        summary_keys=("contraction_index_by_region", "contraction_index_by_stage",
                      "contraction_count_by_channel", "contraction_seconds_by_channel",
                      "contraction_count"),
        report_rows=(ReportRow("patterns", "Contractions, every EMG channel (whole recording)",
                               "contraction_count", 0, order=-1, always=False),),
        per_muscle=("contractions", "count"), match_on=("channel",)),
    # -- the AASM movement chapter (score/aasm_movements.py) --------------------------------
    EventKind(
        "alma", "Alternating leg muscle activation", "#44AA99", "ALMA",
        "alternating leg muscle activation episode", "somnomotor.score.alma", leg=True,
        per_channel=False, episode=True, summary_keys=("alma_count", "alma_index"),
        headlines=(Headline("alma_count", "ALMA", 0),),
        report_rows=(ReportRow("patterns", "Alternating leg muscle activation (ALMA, AASM)",
                               "alma_count", 0, order=2),)),
    EventKind(
        "hypnagogic_foot_tremor", "Hypnagogic foot tremor", "#117733", "Hypnagogic foot tremor",
        "hypnagogic foot tremor episode", "somnomotor.score.foot_tremor", episode=True,
        summary_keys=("hypnagogic_foot_tremor_count", "hypnagogic_foot_tremor_index"),
        headlines=(Headline("hypnagogic_foot_tremor_count", "HFT", 0),),
        report_rows=(ReportRow("patterns", "Hypnagogic foot tremor / high-frequency leg "
                               "movements (AASM)", "hypnagogic_foot_tremor_count", 0,
                               order=2),)),
    EventKind(
        "bruxism", "Bruxism", "#332288", "Bruxism",
        "sleep bruxism episode (rhythmic masticatory muscle activity)",
        "somnomotor.score.bruxism", episode=True,
        summary_keys=("bruxism_episode_count", "bruxism_index", "bruxism_phasic_count",
                      "bruxism_tonic_count", "bruxism_mixed_count"),
        headlines=(Headline("bruxism_index", "bruxism", 1, "/h"),),
        report_rows=(ReportRow("patterns", "Bruxism episodes (AASM)", "bruxism_episode_count",
                               0, order=2),)),
    EventKind(
        "rhythmic_movement", "Rhythmic movement", "#DDCC77", "Rhythmic movement",
        "rhythmic movement episode", "somnomotor.score.rhythmic", per_channel=False,
        episode=True, summary_keys=("rhythmic_movement_count", "rhythmic_movement_index"),
        headlines=(Headline("rhythmic_movement_count", "RMD episodes", 0),),
        report_rows=(ReportRow("patterns", "Rhythmic movement episodes (AASM)",
                               "rhythmic_movement_count", 0, order=2),)),
    EventKind(
        "large_movement", "Large movement", "#661100", "Large movement",
        "large body movement", "somnomotor.score.large_movements", per_channel=False,
        episode=True, summary_keys=("large_movement_count", "large_movement_index"),
        headlines=(Headline("large_movement_index", "large movements", 1, "/h"),),
        report_rows=(ReportRow("patterns", "Large muscle group movements (IRLSSG 2021)",
                               "large_movement_count", 0, order=2),)),
    # -- issue 12 ----------------------------------------------------------------------------
    EventKind(
        "neck_myoclonus", "Neck myoclonus", "#88CCEE", "Neck myoclonus",
        "brief (< 500 ms) phasic burst of a neck muscle (Frauscher 2014)",
        "somnomotor.score.patterns",
        summary_keys=("neck_myoclonus_count", "neck_myoclonus_index_rem"),
        report_rows=(ReportRow("patterns", "Neck myoclonus (brief neck bursts, whole night)",
                               "neck_myoclonus_count", 0, always=False, order=2),
                     ReportRow("patterns", "Neck myoclonus in REM", "neck_myoclonus_index_rem",
                               1, "/h REM", always=False, order=2)),
        per_muscle=("neck myoclonus", "count"), match_on=("channel",)),
)


@dataclass(frozen=True)
class Yardstick:
    """A healthy sleepers' 90th percentile beside the summary figure ``key``."""

    key: str
    p90: float
    unit: str
    label: str
    source: str = "Frauscher et al., Sleep 2014;37:763–773"
    #: The summary key holding the night's figure, when it is not ``key`` (the
    #: yardstick keeps the name the paper gives it).
    figure: str = ""
    #: The unit printed beside the night's figure ("" for a plain count).
    value_unit: str = ""

    @property
    def night_key(self) -> str:
        return self.figure or self.key


#: Healthy sleepers as a yardstick: the 90th percentiles of Frauscher B, Gabelia D,
#: Mitterling T, et al. "Motor events during healthy sleep: a quantitative
#: polysomnographic study", Sleep 2014;37(4):763–773 (100 healthy adults, 19–77 y).
#: The one place they are declared; ``score.yardsticks`` compares a night with them,
#: the report's ``healthy`` table shows them (:func:`report_rows`).
YARDSTICKS: tuple[Yardstick, ...] = (
    Yardstick("plms_index", 24.8, "/h sleep", "PLMS index", value_unit="/h sleep"),
    Yardstick("hypnagogic_foot_tremor_count", 4.0, "sequences / night",
              "High-frequency leg movement sequences"),
    # the paper's fragmentary myoclonus index: potentials per hour of sleep, which the
    # summary holds as fragmentary_index (it once compared a key no summary has: null)
    Yardstick("fragmentary_myoclonus_index", 143.7, "/h sleep",
              "Fragmentary myoclonus (potentials)", figure="fragmentary_index",
              value_unit="/h sleep"),
    Yardstick("neck_myoclonus_index_rem", 8.8, "/h REM", "Neck myoclonus",
              value_unit="/h REM"),
    Yardstick("rem_phasic_percent", 15.6, "% of REM epochs",
              "Phasic mentalis activity (AASM 30-s epochs)", value_unit="%"),
    Yardstick("rem_tonic_percent", 2.6, "% of REM epochs",
              "Tonic mentalis activity (AASM 30-s epochs)", value_unit="%"),
)

#: Scored (input) event kinds read from other tools' files (``events.SCORED_KINDS``),
#: in order; those with an ``nsrr_concept`` keep NSRR's name in the NSRR XML
#: export, the others go out as ``Other|Other``.
SCORED: dict[str, ScoredKind] = {k.name: k for k in (
    ScoredKind("arousal", "Arousals|Arousals", "Arousal|Arousal ()"),
    ScoredKind("apnea", "Respiratory|Respiratory", "Apnea|Apnea", (
        ("central", "Central apnea|Central Apnea"),
        ("mixed", "Mixed apnea|Mixed Apnea"),
        ("obstructive", "Obstructive apnea|Obstructive Apnea"))),
    ScoredKind("hypopnea", "Respiratory|Respiratory", "Hypopnea|Hypopnea"),
    ScoredKind("rera", "Respiratory|Respiratory", "RERA|RERA"),
    ScoredKind("lm"),
    ScoredKind("plm"),
    ScoredKind("movement"),
    ScoredKind("artifact"),
    ScoredKind("lights"),
    ScoredKind("other"),
)}

_REGISTRY: dict[str, EventKind] = {k.name: k for k in BUILTIN_KINDS}


def register(kind: EventKind, *, replace: bool = False) -> None:
    """Add a kind (after the others), or replace one of the same name with ``replace``."""
    if kind.name in _REGISTRY and not replace:
        raise ValueError(f"event kind {kind.name!r} is already registered")
    _REGISTRY[kind.name] = kind


def unregister(name: str) -> None:
    """Remove a kind added with :func:`register` (built-in kinds stay)."""
    if any(k.name == name for k in BUILTIN_KINDS):
        raise ValueError(f"{name!r} is a built-in kind")
    _REGISTRY.pop(name, None)


def get(name: str) -> EventKind:
    """The kind called ``name`` (KeyError when unknown)."""
    return _REGISTRY[name]


def all_kinds() -> Iterator[EventKind]:
    """Every registered kind, in registry order."""
    return iter(tuple(_REGISTRY.values()))


def names() -> tuple[str, ...]:
    """Every valid ``kind`` of an events table, in registry order."""
    return tuple(_REGISTRY)


def produced() -> tuple[str, ...]:
    """The kinds some detector produces today, in registry order."""
    return tuple(k.name for k in _REGISTRY.values() if k.produced)


def leg_kinds() -> frozenset[str]:
    """Kinds that are leg movements (tibialis anterior)."""
    return frozenset(k.name for k in _REGISTRY.values() if k.leg)


def colours() -> dict[str, str]:
    """Kind → colour, the one palette of the report and the review page."""
    return {k.name: k.colour for k in _REGISTRY.values()}


def headline_keys() -> tuple[str, ...]:
    """The per-night figures of batch.csv and the review's night list.

    :data:`SLEEP_HEADLINES`, then every kind's headline keys in registry order.
    """
    return (*SLEEP_HEADLINES, *(h.key for k in _REGISTRY.values() for h in k.headlines))


def report_rows(section: str) -> list[ReportRow]:
    """The rows of one report table, ordered by ``order`` then registry order.

    Section ``healthy``: one row per :data:`YARDSTICKS` entry, flagged above the
    healthy 90th percentile.
    """
    if section == "healthy":
        return [ReportRow("healthy", y.label, y.night_key, 1, unit=y.value_unit,
                          note=f"healthy 90th percentile {y.p90:g} {y.unit} ({y.source})",
                          always=False, flag_above=y.p90)
                for y in YARDSTICKS]
    rows = [(r.order, i, r) for i, k in enumerate(_REGISTRY.values()) for r in k.report_rows
            if r.section == section]
    return [r for _, _, r in sorted(rows, key=lambda t: (t[0], t[1]))]


def registry_json() -> list[Mapping[str, object]]:
    """The registry as plain data for the review page (name, label, colour, produced, headlines)."""
    return [{"name": k.name, "label": k.label, "colour": k.colour, "produced": k.produced,
             "episode": k.episode,
             "headlines": [{"key": h.key, "label": h.label, "digits": h.digits, "unit": h.unit}
                           for h in k.headlines if h.review]}
            for k in _REGISTRY.values()]
