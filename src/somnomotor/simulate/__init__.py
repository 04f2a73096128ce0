"""The physiological model and synthetic polysomnograms with ground truth.

A qualitative model of the sleeping brain failing to switch spinal motor
neurons off (docs/model.md): stages, descending inhibition per body region,
damage, the evening's modifiers with their time courses, the movement
patterns they imply, and realistic signals for every channel.

Examples
--------
>>> from somnomotor.simulate import Evening, simulate_night, simulate_events
>>> hyp, truth, scored = simulate_events("polio_plms", hours=1.0, seed=2,
...                                      evening=Evening(alcohol_units=2))
>>> set(truth["kind"]) <= {"lm", "clm", "plm", "myoclonus", "hypnic_jerk", "grm",
...                        "propriospinal_myoclonus", "morning_tonic", "contraction",
...                        "neck_myoclonus"}
True
"""

from __future__ import annotations

from .control import Evening, alcohol_concentration, alprazolam_concentration, alprazolam_effect
from .figure import plot_model
from .model import simulate_events
from .night import SimulatedNight, simulate_night
from .population import HealthySleeper, healthy_population, healthy_sleeper
from .scenarios import ALL_CHANNELS, DEFAULTS, SCENARIOS, SETTING_DOCS, resolve_settings
from .whatif import compare_evenings, night_figures
from .writer import truth_path, write_night

__all__ = [
    "ALL_CHANNELS",
    "DEFAULTS",
    "SCENARIOS",
    "SETTING_DOCS",
    "Evening",
    "HealthySleeper",
    "SimulatedNight",
    "alcohol_concentration",
    "alprazolam_concentration",
    "alprazolam_effect",
    "compare_evenings",
    "healthy_population",
    "healthy_sleeper",
    "night_figures",
    "plot_model",
    "resolve_settings",
    "simulate_events",
    "simulate_night",
    "truth_path",
    "write_night",
]
