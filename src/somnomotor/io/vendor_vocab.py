"""One vocabulary table per vendor: the labels its software writes → our vocabulary.

Each table maps a label (compared without case, accents or repeated spaces)
to one of

* ``("stage", S)`` with ``S`` in ``W N1 N2 N3 R ?``;
* ``("event", K)`` with ``K`` one of :data:`~somnomotor.events.SCORED_KINDS`
  (``other`` for scorings we know but do not use, such as desaturations);
* ``("marker", "analysis-start")``: where the scorer's analysis begins — the
  export's clock origin when no recording is given;
* ``("ignore", why)``: software notices, not scorings (left out and counted).

Where a vendor localises its labels the table holds the English, French and
German words we know of.  A label not in its vendor's table falls back to the
general rules of :mod:`somnomotor.io.vocab`; one that matches nothing there is
kept as ``other`` and reported with its count.
"""

from __future__ import annotations

import re
import unicodedata

Entry = tuple[str, str]

_SPACE = re.compile(r"\s+")


def normalise(label: str) -> str:
    """Lower case, no accents, single spaces: ``'Micro-Éveil '`` → ``'micro-eveil'``."""
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACE.sub(" ", text.strip().lower())


def _table(groups: dict[Entry, tuple[str, ...]]) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for entry, words in groups.items():
        for w in words:
            out[normalise(w)] = entry
    return out


_ANALYSIS_START = ("analysis start", "start of analysis", "analysis start time", "start analysis",
                   "début de l'analyse", "début d'analyse", "debut analyse", "analysebeginn",
                   "beginn der analyse", "analyse start", "analysestart")

#: Noxturnal (Nox Medical) CSV event exports; the software writes the user's language.
NOXTURNAL: dict[str, Entry] = _table({
    ("stage", "W"): ("Wake", "Éveil", "Eveil", "Veille", "Wach", "Wachzustand", "Sleep-Wake"),
    ("stage", "N1"): ("N1", "Stade N1", "Sleep-N1"),
    ("stage", "N2"): ("N2", "Stade N2", "Sleep-N2"),
    ("stage", "N3"): ("N3", "Stade N3", "Sleep-N3"),
    ("stage", "R"): ("REM", "R", "SP", "Sommeil paradoxal", "Stade R", "Sleep-REM"),
    ("stage", "?"): ("Unscored", "Non classé", "Non score", "Nicht bewertet", "Unknown"),
    ("event", "arousal"): ("Arousal", "Micro-éveil", "Micro éveil", "Microéveil", "Éveil cortical",
                           "Weckreaktion", "Arousal (Respiratory)", "Arousal (Spontaneous)",
                           "Arousal (Limb Movement)"),
    ("event", "apnea"): ("Apnea", "Obstructive Apnea", "Central Apnea", "Mixed Apnea",
                         "Apnea Obstructive", "Apnea Central", "Apnea Mixed", "A. Obstructive",
                         "A. Centrale", "A. Mixte", "Apnée", "Apnée obstructive",
                         "Apnée centrale", "Apnée mixte", "Apnoe", "Obstruktive Apnoe",
                         "Zentrale Apnoe", "Gemischte Apnoe"),
    ("event", "hypopnea"): ("Hypopnea", "Obstructive Hypopnea", "Central Hypopnea", "Hypopnée",
                            "Hypopnée obstructive", "Hypopnée centrale", "H. Obstructive",
                            "H. Centrale", "Hypopnoe", "Obstruktive Hypopnoe"),
    ("event", "rera"): ("RERA", "Respiratory Effort Related Arousal"),
    ("event", "lm"): ("Limb Movement", "Leg Movement", "LM", "MJ", "Mouvement de jambe",
                      "Mouvement de membre", "MM", "Beinbewegung", "Limb Movement (Left)",
                      "Limb Movement (Right)"),
    ("event", "plm"): ("PLM", "Periodic Limb Movement", "Periodic Leg Movement", "MPJ", "MPM",
                       "Mouvements périodiques des jambes", "Periodische Beinbewegung"),
    ("event", "lights"): ("Lights Off", "Lights On", "Extinction des lumières", "Lumières éteintes",
                          "Allumage des lumières", "Lumières allumées", "Licht aus", "Licht an"),
    ("event", "artifact"): ("Artifact", "Artefact", "Artefakt"),
    ("event", "other"): ("Desat", "Désat", "Desaturation", "Désaturation", "Oxygen Desaturation",
                         "Entsättigung", "Snore", "Ronflement", "Schnarchen"),
    ("marker", "analysis-start"): _ANALYSIS_START,
    ("ignore", "software notice"): ("Notification", "Avertissement", "Warning", "Hinweis",
                                    "Warnung", "Benachrichtigung"),
})

#: Embla RemLogic event exports: event codes are the same in every language.
REMLOGIC: dict[str, Entry] = _table({
    ("stage", "W"): ("SLEEP-S0", "SLEEP-W", "SLEEP-WAKE"),
    ("stage", "N1"): ("SLEEP-S1", "SLEEP-N1"),
    ("stage", "N2"): ("SLEEP-S2", "SLEEP-N2"),
    ("stage", "N3"): ("SLEEP-S3", "SLEEP-S4", "SLEEP-N3"),
    ("stage", "R"): ("SLEEP-REM", "SLEEP-R"),
    ("stage", "?"): ("SLEEP-UNSCORED", "SLEEP-MT"),
    ("event", "arousal"): ("AROUSAL", "AROUSAL-SPONT", "AROUSAL-RESP", "AROUSAL-PLM",
                           "AROUSAL-LM", "AROUSAL-SNORE", "AROUSAL-APNEA", "AROUSAL-HYPOPNEA",
                           "AROUSAL-DESAT"),
    ("event", "rera"): ("AROUSAL-RERA", "RERA"),
    ("event", "apnea"): ("APNEA", "APNEA-OBSTRUCTIVE", "APNEA-CENTRAL", "APNEA-MIXED"),
    ("event", "hypopnea"): ("HYPOPNEA", "HYPOPNEA-OBSTRUCTIVE", "HYPOPNEA-CENTRAL",
                            "HYPOPNEA-MIXED"),
    ("event", "lm"): ("PLM-LM", "LM", "LM-LEFT", "LM-RIGHT", "LIMB-MOVEMENT"),
    ("event", "plm"): ("PLM", "PLM-LEFT", "PLM-RIGHT"),
    ("event", "lights"): ("LIGHTS-OFF", "LIGHTS-ON"),
    ("event", "artifact"): ("ARTIFACT", "ARTEFACT"),
    ("event", "other"): ("DESAT", "SPO2-DESAT", "SNORE", "SNORING", "POS-SUPINE", "POS-PRONE",
                         "POS-LEFT", "POS-RIGHT", "POS-UPRIGHT", "BRUXISM", "RBD"),
    ("marker", "analysis-start"): (*_ANALYSIS_START, "ANALYSIS-START", "ANALYSIS START"),
})

#: Compumedics Profusion XML (``*-profusion.xml`` in the NSRR cohorts); English only.
PROFUSION: dict[str, Entry] = _table({
    ("event", "arousal"): ("Arousal ()", "Arousal (ASDA)", "Arousal (Standard)", "Arousal",
                           "Arousal (ARO RES)", "Arousal (ARO SPONT)", "Arousal (ARO Limb)",
                           "Arousal (ARO PLM)", "Spontaneous arousal", "Respiratory arousal"),
    ("event", "apnea"): ("Obstructive Apnea", "Central Apnea", "Mixed Apnea", "Apnea"),
    ("event", "hypopnea"): ("Hypopnea", "Obstructive Hypopnea", "Central Hypopnea",
                            "Mixed Hypopnea"),
    ("event", "rera"): ("RERA", "Respiratory Effort Related Arousal"),
    ("event", "lm"): ("Limb Movement (Left)", "Limb Movement (Right)", "Limb Movement",
                      "Leg Movement"),
    ("event", "plm"): ("PLM (Left)", "PLM (Right)", "PLM", "Periodic Leg Movement",
                       "Periodic Limb Movement"),
    ("event", "artifact"): ("SpO2 artifact", "Respiratory artifact", "Artifact",
                            "Proximal pH artifact", "Distal pH artifact", "Blood pressure artifact",
                            "TcCO2 artifact", "Body temperature artifact"),
    ("event", "other"): ("SpO2 desaturation", "Periodic Breathing", "Cheyne Stokes Respiration",
                         "Narrow complex tachycardia", "Bradycardia", "Tachycardia",
                         "Paradoxical Breathing", "Snoring"),
})

#: Profusion's ``<SleepStage>`` numbers (R&K 4 is AASM N3; 9 is unscored).
PROFUSION_STAGES: dict[str, str] = {"0": "W", "1": "N1", "2": "N2", "3": "N3", "4": "N3",
                                    "5": "R", "6": "?", "9": "?"}

#: SOMNOmedics DOMINO text exports (English and German installations).
DOMINO: dict[str, Entry] = _table({
    ("stage", "W"): ("Wake", "Wach", "W", "Awake"),
    ("stage", "N1"): ("N1", "S1", "Stadium 1"),
    ("stage", "N2"): ("N2", "S2", "Stadium 2"),
    ("stage", "N3"): ("N3", "N4", "S3", "S4", "Stadium 3", "Stadium 4"),
    ("stage", "R"): ("REM", "Rem", "R"),
    ("stage", "?"): ("Movement", "Bewegung", "Artifact", "Artefakt", "A", "Unscored",
                     "Nicht klassifiziert", "Transitional"),
    ("event", "arousal"): ("Arousal", "Arousal (resp)", "Arousal (spont)", "Arousal (PLM)",
                           "Weckreaktion", "Respiratory Arousal", "Spontaneous Arousal"),
    ("event", "apnea"): ("Obstructive Apnea", "Central Apnea", "Mixed Apnea", "Apnea",
                         "Obstruktive Apnoe", "Zentrale Apnoe", "Gemischte Apnoe", "Apnoe",
                         "A. obstruktiv", "A. zentral", "A. gemischt"),
    ("event", "hypopnea"): ("Hypopnea", "Obstructive Hypopnea", "Central Hypopnea", "Hypopnoe",
                            "Obstruktive Hypopnoe", "Zentrale Hypopnoe"),
    ("event", "rera"): ("RERA",),
    ("event", "lm"): ("LM", "Limb Movement", "Leg Movement", "Beinbewegung", "LM left",
                      "LM right", "LM links", "LM rechts"),
    ("event", "plm"): ("PLM", "PLM left", "PLM right", "PLM links", "PLM rechts",
                       "Periodic Limb Movement", "Periodische Beinbewegung"),
    ("event", "other"): ("Desaturation", "Entsättigung", "Snoring", "Schnarchen", "Spindle",
                         "Spindel", "K-Complex", "K-Komplex"),
    ("event", "artifact"): ("Artefact",),
    ("marker", "analysis-start"): _ANALYSIS_START,
})


def lookup(table: dict[str, Entry], label: str) -> Entry | None:
    """The entry of ``label`` in a vendor table, or None.

    >>> lookup(NOXTURNAL, "Micro-éveil"), lookup(NOXTURNAL, "A. Obstructive")
    (('event', 'arousal'), ('event', 'apnea'))
    >>> lookup(DOMINO, "Wach"), lookup(PROFUSION, "Spindle") is None
    (('stage', 'W'), True)
    """
    return table.get(normalise(label))


def is_analysis_start(label: str) -> bool:
    """True for a start-of-analysis marker in any language we know."""
    return normalise(label) in _ANALYSIS_START_NORMALISED


_ANALYSIS_START_NORMALISED = frozenset(normalise(w) for w in _ANALYSIS_START)
