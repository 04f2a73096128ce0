"""Settings of the physiological model and the named scenarios.

Every number the simulator uses is a *setting*: a flat, dotted key
(``damage.leg``, ``plm.imi_mean_s``, ``mains_hz``…) with a default, a unit and,
where one exists, the source it comes from.  A scenario is a small set of
overrides on top of the defaults; ``--set KEY=VALUE`` overrides on top of the
scenario.  Unknown keys and values of the wrong type raise
:class:`~somnomotor.errors.ParameterError`.

The resolved settings (defaults + scenario + overrides) are a plain dict,
recorded with every simulated night (``SimulatedNight.settings``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ParameterError

#: Body regions of the model (docs/internal-api.md, montage regions).
REGIONS: tuple[str, ...] = ("leg", "arm", "shoulder", "chest", "abdomen", "back", "neck", "chin")

#: The 16 channels the simulator writes, in file order.
ALL_CHANNELS: tuple[str, ...] = (
    "LAT", "RAT", "EMG MFD-l", "EMG MFD-r", "Deltoid L", "Pectoral R", "Intercostal R",
    "Rectus Abd", "Paraspinal", "SCM L", "Chin1-Chin2", "ECG II", "C4-M1", "C3-M2",
    "E1-M2", "E2-M2",
)

#: EMG channels: label -> (muscle, side, region).
EMG_CHANNELS: dict[str, tuple[str, str, str]] = {
    "LAT": ("tibialis_anterior", "left", "leg"),
    "RAT": ("tibialis_anterior", "right", "leg"),
    "EMG MFD-l": ("fds", "left", "arm"),
    "EMG MFD-r": ("fds", "right", "arm"),
    "Deltoid L": ("deltoid", "left", "shoulder"),
    "Pectoral R": ("pectoralis", "right", "shoulder"),
    "Intercostal R": ("intercostal", "right", "chest"),
    "Rectus Abd": ("rectus_abdominis", "midline", "abdomen"),
    "Paraspinal": ("paraspinal", "midline", "back"),
    "SCM L": ("scm", "left", "neck"),
    "Chin1-Chin2": ("mentalis", "midline", "chin"),
}

#: Non-EMG channels: label -> kind.
OTHER_CHANNELS: dict[str, str] = {
    "ECG II": "ecg", "C4-M1": "eeg", "C3-M2": "eeg", "E1-M2": "eog", "E2-M2": "eog",
}

_REGION_TUPLE = ("arm", "shoulder", "chest", "abdomen", "back", "neck")

#: Defaults: key -> value.  Units and sources are in :data:`SETTING_DOCS`.
DEFAULTS: dict[str, Any] = {
    # -- recording and signals ------------------------------------------------
    "fs": 256.0,
    "mains_hz": 50.0,
    "mains_uv": 3.0,
    "ecg_bleed": 1.0,
    "channels": ALL_CHANNELS,
    "noise.rest_uv": 2.0,
    "artifacts.pops_per_h": 0.25,
    "artifacts.drift_uv": 5.0,
    "heart.rate_bpm": 62.0,
    # -- what real recordings add (all off by default; see DIFFICULTY) ----------
    "noise.rest_stage_gain": 0.0,
    # -- slow contractions of any muscle (simulate/contractions.py; off by default) --
    "contractions.per_h": 0.0,
    "contractions.min_s": 0.4,
    "contractions.max_s": 30.0,
    "contractions.amp_lo": 2.0,
    "contractions.amp_hi": 30.0,
    "artifacts.sweat_uv": 0.0,
    "artifacts.movement_per_h": 0.0,
    "artifacts.loose_per_h": 0.0,
    "artifacts.loose_hum_uv": 60.0,
    "artifacts.dead_channels": (),
    "adc.offset_uv": 0.0,
    "adc.clip_uv": 0.0,
    "adc.step_uv": 0.0,
    "adc.step_channels": (),
    "gaps.count": 0.0,
    "boundary.per_h": 0.0,
    "muscle_probes.per_h": 0.0,
    # -- sleep architecture ---------------------------------------------------
    "sleep.onset_latency_min": 12.0,
    "sleep.cycle_min": 95.0,
    "sleep.awakenings_per_h": 1.5,
    "sleep.final_wake_min": 10.0,
    "arousal.spontaneous_per_h": 5.0,
    "arousal.stage_shift_prob": 0.3,
    # -- motor control: damage, excitability, descending inhibition ------------
    **{f"damage.{r}": 0.0 for r in REGIONS},
    **{f"drive.{r}": 0.0 for r in REGIONS},
    "asymmetry.leg": 0.0,
    "asymmetry.arm": 0.0,
    "asymmetry.shoulder": 0.0,
    "control.excitability": 0.5,
    "control.inhibition": 1.0,
    "control.threshold": 0.25,
    "control.slope": 0.08,
    "control.exertion_gain": 0.05,
    "control.circadian_amplitude": 0.2,
    "control.stretching_effect": 0.08,
    "control.bath_effect": 0.12,
    "control.heat_effect": 0.08,
    "alcohol.grams_per_unit": 10.0,
    "alcohol.widmark_r": 0.68,
    "alcohol.body_kg": 75.0,
    "alcohol.elimination_g_kg_h": 0.15,
    "alcohol.absorption_per_h": 3.0,
    "alcohol.sensitivity": 0.6,
    "alcohol.rebound_gain": 1.0,
    "alcohol.rebound_tau_h": 3.0,
    "alprazolam.half_life_h": 11.2,
    "alprazolam.absorption_per_h": 2.5,
    "alprazolam.volume_l": 75.0,
    "alprazolam.emax": 0.7,
    "alprazolam.ec50_ng_ml": 10.0,
    # -- patterns -------------------------------------------------------------
    "plm.trains_per_h": 6.0,
    "plm.beats_mean": 14.0,
    "plm.imi_mean_s": 24.0,
    "plm.imi_sd_s": 4.0,
    "plm.imi_jitter": 0.1,
    "plm.bilateral_prob": 0.5,
    "plm.duration_median_s": 1.8,
    "plm.amplitude_median_uv": 35.0,
    "plm.arousal_prob": 0.3,
    "myoclonus.rate_per_h": 30.0,
    "myoclonus.regions": _REGION_TUPLE,
    "myoclonus.amplitude_median_uv": 60.0,
    "myoclonus.arousal_prob": 0.05,
    "grm.episodes_per_h": 0.0,
    "grm.bursts_mean": 12.0,
    "grm.regions": ("leg", "arm", "shoulder"),
    "grm.arousal_prob": 0.5,
    "sleep_starts.prob": 0.3,
    "sleep_starts.regions": ("leg", "arm", "shoulder", "neck", "abdomen"),
    "sleep_starts.arousal_prob": 0.5,
    "bruno_grm.episodes_per_h": 0.0,
    "bruno_grm.contractions_mean": 10.0,
    "propriospinal.prob": 0.0,
    "fragmentary.rate_per_min": 0.0,
    "fragmentary.background_per_h": 0.0,
    "neck_myoclonus.rate_per_h_rem": 0.0,
    "rbd.tonic_prob": 0.0,
    "rbd.phasic_prob": 0.0,
    "rbd.limb_twitches_per_min": 0.0,
    "rem.twitch_prob": 0.25,
    "chin.rest_uv": 0.2,
    "chin.noise_corner_hz": 30.0,
    "chin.tone_wake_uv": 6.0,
    "chin.tone_nrem_uv": 0.7,
    "chin.tone_rem_uv": 0.1,
    "morning.prob": 0.0,
    "morning.regions": ("back", "neck", "abdomen", "arm", "shoulder"),
    "morning.amplitude_uv": 18.0,
    "resp.index_per_h": 0.0,
    "resp.lm_prob": 0.5,
    "resp.arousal_prob": 0.7,
    # -- the AASM movement chapter (simulate/aasm_patterns.py; all off by default) --
    "aasm.alma_per_h": 0.0,
    "aasm.foot_tremor_per_h": 0.0,
    "aasm.bruxism_per_h": 0.0,
    "aasm.rhythmic_per_h": 0.0,
    "aasm.large_per_h": 0.0,
    "aasm.spacing_s": 30.0,
}

#: Short documentation of each setting: unit, meaning, source.
SETTING_DOCS: dict[str, str] = {
    "fs": "Hz, sampling rate of every channel (200-512, whole number)",
    "mains_hz": "Hz, mains frequency of the hum (50 or 60)",
    "mains_uv": "µV, amplitude of the mains hum in EMG channels",
    "ecg_bleed": "x, scale of the ECG seen in EMG channels (1 = trunk QRS ~ 30-60 µV)",
    "channels": "labels to write (comma separated), a subset of the 16 channels",
    "noise.rest_uv": "µV, mean rectified resting EMG (amplifier + tissue noise)",
    "artifacts.pops_per_h": "per hour, electrode pops over all EMG channels (not in truth)",
    "artifacts.drift_uv": "µV, SD of slow baseline drift (< 0.5 Hz)",
    "heart.rate_bpm": "beats/min, mean heart rate in N2",
    "noise.rest_stage_gain": "0-1, how much the resting EMG level changes with stage "
                             "(1: W x1.6, N1 x1.2, N2 x1, N3 x0.9, R x0.75; 0: constant)",
    "contractions.per_h": "per hour, slow contractions (grasps, flexions, tonic stretches) "
                          "spread over every EMG channel; in the truth as 'contraction'",
    "contractions.min_s": "s, shortest slow contraction (durations log-uniform)",
    "contractions.max_s": "s, longest slow contraction",
    "contractions.amp_lo": "x resting level, weakest slow contraction (log-uniform)",
    "contractions.amp_hi": "x resting level, strongest slow contraction",
    "artifacts.sweat_uv": "µV, SD of sweat artefact (0.05-0.5 Hz swings waxing and waning "
                          "over minutes) in EMG channels",
    "artifacts.movement_per_h": "per hour, movement artefacts (1-4 s of 0.5-4 Hz waves, "
                                "30-150 µV) over all EMG channels (not in truth)",
    "artifacts.loose_per_h": "per hour, loose-electrode episodes (1-10 min of mains hum with "
                             "harmonics) over all EMG channels (not in truth)",
    "artifacts.loose_hum_uv": "µV, mains amplitude of a loose electrode (harmonics 2, 3, 5 "
                              "at 0.5, 0.3, 0.1 of it)",
    "artifacts.dead_channels": "labels of channels that die (read 0) from a seeded time in "
                               "the second half of the night; their later events are not in "
                               "the truth (not recorded)",
    "adc.offset_uv": "µV, SD of a constant DC offset per EMG channel",
    "adc.clip_uv": "µV, amplifier saturation: EMG samples clipped at ± this (0: none)",
    "adc.step_uv": "µV, quantisation step of the channels in adc.step_channels (0: none; "
                   "some ambulatory devices ~31 µV)",
    "adc.step_channels": "labels quantised with adc.step_uv (empty: every EMG channel)",
    "gaps.count": "number of recording gaps (EDF+D: 10-120 s without data in every channel); "
                  "events in a gap are not in the truth",
    "boundary.per_h": "per hour, movements placed deliberately at the WASM rule limits "
                      "(same-leg gap, 8-µV onset, 0.5-s and 10-s durations, 10-s and 90-s "
                      "IMIs, bilateral gap), each tagged with its boundary class",
    "muscle_probes.per_h": "per hour, muscle trains placed just inside and just outside the "
                           "frequency and count limits of ALMA, hypnagogic foot tremor and "
                           "rhythmic movements (AASM v2.6), each tagged with its class",
    "sleep.onset_latency_min": "min, median sleep-onset latency",
    "sleep.cycle_min": "min, mean NREM-REM cycle length (Carskadon & Dement)",
    "sleep.awakenings_per_h": "per hour of sleep, spontaneous brief awakenings",
    "sleep.final_wake_min": "min, wake from the final awakening to the end of recording",
    "arousal.spontaneous_per_h": "per hour of sleep, arousals not caused by events",
    "arousal.stage_shift_prob": "probability that a movement arousal lightens the next epoch",
    "control.excitability": "a.u., intrinsic motor-neuron excitability X0",
    "control.inhibition": "a.u., scale of descending inhibition",
    "control.threshold": "a.u., drive (X - I) at which the event rate is half its maximum",
    "control.slope": "a.u., width of the logistic rate curve",
    "control.exertion_gain": "fraction of X0 per exertion point (0-10) for 60+ min, x (0.5 + damage)",
    "control.circadian_amplitude": "fraction of X0: circadian decline over the night "
                                   "(Culpepper 1992: PLMs cluster in the first half)",
    "control.stretching_effect": "fraction of X0 removed by >= 20 min stretching (decays, tau 4 h)",
    "control.bath_effect": "fraction of X0 removed by >= 20 min hot bath (decays, tau 2 h)",
    "control.heat_effect": "fraction of X0 removed all night by keeping muscles warm",
    "alcohol.grams_per_unit": "g ethanol per unit (WHO standard drink 10 g)",
    "alcohol.widmark_r": "L/kg Widmark distribution factor (Widmark 1932; Jones 2010)",
    "alcohol.body_kg": "kg body mass",
    "alcohol.elimination_g_kg_h": "g/kg/h zero-order elimination (Jones 2010: 0.10-0.25)",
    "alcohol.absorption_per_h": "1/h first-order absorption rate",
    "alcohol.sensitivity": "fraction of descending inhibition lost per g/kg blood alcohol",
    "alcohol.rebound_gain": "relative excitability rise per g/kg dose once alcohol is cleared "
                            "(rebound; Roehrs & Roth 2001, qualitative)",
    "alcohol.rebound_tau_h": "h, decay time of the post-alcohol rebound",
    "alprazolam.half_life_h": "h, elimination half-life (Xanax label: mean 11.2, range 6.3-26.9)",
    "alprazolam.absorption_per_h": "1/h absorption rate (gives tmax ~1.5 h; label: 1-2 h)",
    "alprazolam.volume_l": "L, apparent volume (label: 8-37 ng/mL peaks for 0.5-3 mg)",
    "alprazolam.emax": "maximal fractional reduction of motor-neuron excitability (Emax model)",
    "alprazolam.ec50_ng_ml": "ng/mL, plasma concentration at half-maximal effect",
    "plm.trains_per_h": "per hour, maximal rate of starting a periodic train (spinal rhythm)",
    "plm.beats_mean": "mean number of periods in a train",
    "plm.imi_mean_s": "s, mean period of the spinal rhythm (IMI 15-40 s typical)",
    "plm.imi_sd_s": "s, SD of the period between trains",
    "plm.imi_jitter": "coefficient of variation of IMIs within a train",
    "plm.bilateral_prob": "probability a periodic movement involves both legs",
    "plm.duration_median_s": "s, median leg-movement duration (0.5-10 s)",
    "plm.amplitude_median_uv": "µV, median LM envelope above rest",
    "plm.arousal_prob": "probability a periodic movement triggers an arousal",
    "myoclonus.rate_per_h": "per hour per region, maximal rate of random brief jerks",
    "myoclonus.regions": "regions that twitch at random",
    "myoclonus.amplitude_median_uv": "µV, median envelope of a brief jerk above rest",
    "myoclonus.arousal_prob": "probability a random jerk triggers an arousal",
    "grm.episodes_per_h": "per hour, maximal rate of generalized random myoclonus episodes",
    "grm.bursts_mean": "mean number of jerks in an episode",
    "grm.regions": "regions involved in GRM episodes (Bruno 1998: legs, arms, shoulder)",
    "grm.arousal_prob": "probability a GRM episode triggers an arousal",
    "sleep_starts.prob": "maximal probability of a sleep start at a wake -> sleep transition",
    "sleep_starts.regions": "regions jerking in a sleep start",
    "sleep_starts.arousal_prob": "probability a sleep start triggers an arousal",
    "bruno_grm.episodes_per_h": "per hour, maximal rate of GRM episodes as Bruno 1998 describes "
                                "them: single-muscle jerks, ballistic movements, slow grasps "
                                "(1-3 s), arm flexions (~2 s), pectoral contractions (~5 s)",
    "bruno_grm.contractions_mean": "mean number of contractions in such an episode (>= 7)",
    "propriospinal.prob": "probability of propriospinal myoclonus at a wake -> sleep transition",
    "fragmentary.rate_per_min": "potentials per minute of fragmentary myoclonus in NREM",
    "fragmentary.background_per_h": "per hour of sleep, fragmentary myoclonus potentials "
                                    "(75-150 ms) in every sleep stage, in bursts of minutes "
                                    "(healthy sleepers: median 25.3/h, Frauscher 2014)",
    "neck_myoclonus.rate_per_h_rem": "per hour of REM, neck myoclonus jerks in the neck "
                                     "channel (healthy: 35 % have any, Frauscher 2014)",
    "rbd.tonic_prob": "probability a REM epoch has tonic chin activity (>= 50 %)",
    "rbd.phasic_prob": "probability a REM epoch has phasic chin activity (>= 5 of 10 mini-epochs)",
    "rbd.limb_twitches_per_min": "per minute of REM, brief FDS twitches",
    "rem.twitch_prob": "probability a REM epoch holds 1-2 normal chin twitches",
    "chin.rest_uv": "µV, mean rectified electrode noise of the chin in the EMG band "
                    "(with the NREM tone: 0.8 µV, as a real Nox chin in NREM sleep; "
                    "benchmarks/bench_realism.py)",
    "chin.noise_corner_hz": "Hz, corner of the tissue low-pass that colours the resting chin "
                            "(median frequency ~25 Hz as the real chin; 0 = white)",
    "chin.tone_wake_uv": "µV, chin tone in W (mean rectified in the EMG band)",
    "chin.tone_nrem_uv": "µV, chin tone in NREM (mean rectified in the EMG band)",
    "chin.tone_rem_uv": "µV, chin tone in REM (atonia)",
    "morning.prob": "probability per region of sustained activity after the final awakening",
    "morning.regions": "regions with morning tonic activity",
    "morning.amplitude_uv": "µV, median tonic envelope above rest",
    "resp.index_per_h": "per hour of sleep, apneas + hypopneas",
    "resp.lm_prob": "probability of a leg movement at the end of a respiratory event",
    "resp.arousal_prob": "probability of an arousal at the end of a respiratory event",
    "aasm.alma_per_h": "per hour, alternating leg muscle activation episodes (AASM v2.6)",
    "aasm.foot_tremor_per_h": "per hour, hypnagogic foot tremor trains (AASM v2.6)",
    "aasm.bruxism_per_h": "per hour, bruxism episodes on the chin (AASM v2.6)",
    "aasm.rhythmic_per_h": "per hour, rhythmic movement episodes, trunk and neck (AASM v2.6)",
    "aasm.large_per_h": "per hour, large muscle group movements (IRLSSG 2021)",
    "aasm.spacing_s": "s, least quiet between two AASM-chapter episodes",
}
for _r in REGIONS:
    SETTING_DOCS[f"damage.{_r}"] = f"0-1, loss of descending control of the {_r} motor neurons"
    SETTING_DOCS[f"drive.{_r}"] = (f"a.u., this person's own shift of the net drive (X - I) "
                                   f"of the {_r} motor neurons (0: the model's average; "
                                   "healthy sleepers differ, see healthy_population)")
for _r in ("leg", "arm", "shoulder"):
    SETTING_DOCS[f"asymmetry.{_r}"] = (f"-1 (left only) to 1 (right only): which side's {_r} "
                                       "is hit harder (events and motor-unit damage)")

_POLIO_BASE: dict[str, Any] = {
    "damage.leg": 0.3, "damage.arm": 0.3, "damage.shoulder": 0.3, "damage.chest": 0.2,
    "damage.abdomen": 0.2, "damage.back": 0.2, "damage.neck": 0.2,
}

#: Scenarios: name -> (one-line description, overrides).
SCENARIOS: dict[str, tuple[str, dict[str, Any]]] = {
    "healthy": ("a healthy sleeper: intact descending control, REM atonia", {}),
    "polio_plms": (
        "a polio survivor with periodic leg movements (damaged leg control)",
        {**_POLIO_BASE, "damage.leg": 0.8},
    ),
    "polio_grm": (
        "a polio survivor with generalized random myoclonus (arms, shoulders, legs)",
        {**_POLIO_BASE, "damage.leg": 0.55, "damage.arm": 0.75, "damage.shoulder": 0.75,
         "damage.chest": 0.5, "grm.episodes_per_h": 3.0, "plm.trains_per_h": 0.3},
    ),
    "polio_sleep_starts": (
        "a polio survivor with sleep starts in the arms and propriospinal jerks at sleep onset",
        {**_POLIO_BASE, "damage.arm": 0.75, "damage.abdomen": 0.5, "sleep_starts.prob": 0.95,
         "sleep_starts.regions": ("arm",), "propriospinal.prob": 0.3,
         "sleep.awakenings_per_h": 2.5, "plm.trains_per_h": 0.5},
    ),
    "polio_grm_bruno": (
        "a polio survivor with generalized random myoclonus as Bruno 1998 describes it: "
        "single-muscle jerks wandering over the body, ballistic movements, slow grasps, "
        "arm flexions and pectoral contractions; neck myoclonus in REM",
        {**_POLIO_BASE, "damage.leg": 0.55, "damage.arm": 0.75, "damage.shoulder": 0.75,
         "damage.chest": 0.5, "bruno_grm.episodes_per_h": 3.0, "plm.trains_per_h": 0.3,
         "neck_myoclonus.rate_per_h_rem": 30.0},
    ),
    "rbd": (
        "REM sleep behaviour disorder: REM without atonia in the chin and arm twitches",
        {"rbd.tonic_prob": 0.5, "rbd.phasic_prob": 0.5, "rbd.limb_twitches_per_min": 3.0},
    ),
    "polio_mixed": (
        "the demo: a polio survivor with leg PLMs, trunk and arm random myoclonus, "
        "a few sleep starts, mild sleep apnea and morning tonic activity",
        {"damage.leg": 0.7, "damage.arm": 0.55, "damage.shoulder": 0.55, "damage.chest": 0.6,
         "damage.abdomen": 0.65, "damage.back": 0.65, "damage.neck": 0.45, "damage.chin": 0.1,
         "grm.episodes_per_h": 0.6, "sleep_starts.prob": 0.7, "morning.prob": 0.85,
         "resp.index_per_h": 3.0, "myoclonus.rate_per_h": 15.0},
    ),
    "aasm_mixed": (
        "the rest of the AASM movement chapter: ALMA, hypnagogic foot tremor, bruxism, "
        "rhythmic movements and large movements, beside a few PLMs and random myoclonus",
        {"damage.leg": 0.3, "plm.trains_per_h": 1.0, "aasm.alma_per_h": 2.0,
         "aasm.foot_tremor_per_h": 2.0, "aasm.bruxism_per_h": 3.0, "aasm.rhythmic_per_h": 1.5,
         "aasm.large_per_h": 3.0},
    ),
}


#: Difficulty levels: name -> (description, overrides applied on top of the scenario's).
#: ``easy`` is the model as it always was (the defaults: nothing near a rule's limit,
#: clean electrodes); its accuracy figures measure agreement with the model.
DIFFICULTY: dict[str, tuple[str, dict[str, Any]]] = {
    "easy": ("the model's own night: clean electrodes, nothing near a rule's limit", {}),
    "realistic": (
        "a good clinical recording: some movements at the rule limits, resting level by "
        "stage, sweat, movement artefacts, pops, a loose electrode, ECG in the legs, "
        "DC offsets, one gap",
        {"noise.rest_uv": 2.5, "noise.rest_stage_gain": 1.0, "artifacts.sweat_uv": 20.0,
         "artifacts.movement_per_h": 2.0, "artifacts.pops_per_h": 2.0,
         "artifacts.loose_per_h": 0.15, "ecg_bleed": 3.0, "mains_uv": 6.0,
         "adc.offset_uv": 150.0, "gaps.count": 1.0, "boundary.per_h": 2.0,
         "muscle_probes.per_h": 1.0},
    ),
    "hard": (
        "a difficult recording: many movements at every rule limit, higher and "
        "stage-dependent resting level, strong sweat and movement artefacts, frequent pops, "
        "loose electrodes, strong ECG in the legs, saturation, DC offsets, 31-µV "
        "quantisation of the arm channels, two gaps and a leg channel that dies",
        {"noise.rest_uv": 3.0, "noise.rest_stage_gain": 1.0, "artifacts.sweat_uv": 60.0,
         "artifacts.movement_per_h": 6.0, "artifacts.pops_per_h": 8.0,
         "artifacts.loose_per_h": 0.4, "ecg_bleed": 6.0, "mains_uv": 10.0,
         "adc.offset_uv": 400.0, "adc.clip_uv": 900.0, "adc.step_uv": 31.0,
         "adc.step_channels": ("EMG MFD-l", "EMG MFD-r"), "gaps.count": 2.0,
         "artifacts.dead_channels": ("RAT",), "boundary.per_h": 8.0,
         "muscle_probes.per_h": 4.0},
    ),
}


def scenario_names() -> list[str]:
    """Names of the scenarios, in definition order."""
    return list(SCENARIOS)


def _coerce(key: str, value: Any, default: Any) -> Any:
    """Convert ``value`` (possibly a string from ``--set``) to the type of ``default``."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
            return False
        raise ParameterError(f"setting {key}={value!r}: expected true or false")
    if isinstance(default, tuple):
        if isinstance(value, str):
            items = tuple(v.strip() for v in value.split(",") if v.strip())
        elif isinstance(value, list | tuple):
            items = tuple(str(v) for v in value)
        else:
            raise ParameterError(f"setting {key}={value!r}: expected a comma-separated list")
        return items
    if isinstance(default, float | int):
        if isinstance(value, bool):
            raise ParameterError(f"setting {key}={value!r}: expected a number")
        try:
            num = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"setting {key}={value!r}: expected a number") from None
        if num != num or num in (float("inf"), float("-inf")):
            raise ParameterError(f"setting {key}={value!r}: expected a finite number")
        return num
    raise ParameterError(f"setting {key}: unsupported type")  # pragma: no cover


def _validate(s: dict[str, Any]) -> None:
    """Range checks on the resolved settings (one clear problem each)."""
    fs = s["fs"]
    if not (200.0 <= fs <= 512.0) or abs(fs - round(fs)) > 1e-9:
        raise ParameterError(f"setting fs={fs:g}: expected a whole number of Hz from 200 to 512")
    if s["mains_hz"] not in (50.0, 60.0):
        raise ParameterError(f"setting mains_hz={s['mains_hz']:g}: expected 50 or 60")
    for r in REGIONS:
        d = s[f"damage.{r}"]
        if not 0.0 <= d <= 1.0:
            raise ParameterError(f"setting damage.{r}={d:g}: expected a value from 0 to 1")
    for key in ("asymmetry.leg", "asymmetry.arm", "asymmetry.shoulder"):
        if not -1.0 <= s[key] <= 1.0:
            raise ParameterError(f"setting {key}={s[key]:g}: expected a value from -1 to 1")
    for key in ("artifacts.dead_channels", "adc.step_channels"):
        odd = [c for c in s[key] if c not in EMG_CHANNELS]
        if odd:
            raise ParameterError(f"setting {key}: not EMG channel(s) {', '.join(odd)} "
                                 f"(known: {', '.join(EMG_CHANNELS)})")
    if s["gaps.count"] != round(s["gaps.count"]) or s["gaps.count"] > 20:
        raise ParameterError(f"setting gaps.count={s['gaps.count']:g}: expected a whole number "
                             "from 0 to 20")
    if s["noise.rest_stage_gain"] > 1.0:
        raise ParameterError("setting noise.rest_stage_gain: expected a value from 0 to 1")
    unknown = [c for c in s["channels"] if c not in ALL_CHANNELS]
    if unknown:
        raise ParameterError(f"setting channels: unknown channel(s) {', '.join(unknown)} "
                             f"(known: {', '.join(ALL_CHANNELS)})")
    if not s["channels"]:
        raise ParameterError("setting channels: at least one channel is needed")
    for key in ("myoclonus.regions", "grm.regions", "sleep_starts.regions", "morning.regions"):
        bad = [r for r in s[key] if r not in REGIONS]
        if bad:
            raise ParameterError(f"setting {key}: unknown region(s) {', '.join(bad)} "
                                 f"(known: {', '.join(REGIONS)})")
    for key, value in s.items():
        if key.endswith(("prob", "bilateral_prob")) and not 0.0 <= value <= 1.0:
            raise ParameterError(f"setting {key}={value:g}: expected a probability from 0 to 1")
        if isinstance(value, float) and value < 0 and not key.startswith("asymmetry."):
            raise ParameterError(f"setting {key}={value:g}: expected a value >= 0")
    if s["alprazolam.emax"] > 1.0:
        raise ParameterError("setting alprazolam.emax: expected a value from 0 to 1")
    if s["alprazolam.half_life_h"] <= 0 or s["alprazolam.absorption_per_h"] <= 0:
        raise ParameterError("alprazolam half-life and absorption rate must be > 0")
    if not 0.0 < s["contractions.min_s"] <= s["contractions.max_s"] or \
            not 0.0 < s["contractions.amp_lo"] <= s["contractions.amp_hi"]:
        raise ParameterError("settings contractions.*: expected 0 < min_s <= max_s and "
                             "0 < amp_lo <= amp_hi")
    if s["plm.imi_mean_s"] < 5.0:
        raise ParameterError(f"setting plm.imi_mean_s={s['plm.imi_mean_s']:g}: expected >= 5 s")


def resolve_settings(scenario: str = "polio_mixed", settings: Mapping[str, Any] | None = None,
                     *, difficulty: str = "easy", **explicit: Any) -> dict[str, Any]:
    """Defaults, the scenario's overrides, the difficulty's, ``explicit``, then ``settings``.

    Parameters
    ----------
    scenario : str
        A name in :data:`SCENARIOS`.
    settings : mapping, optional
        Overrides, ``{"damage.leg": 0.8, "mains_hz": "60"}``; strings are parsed.
    difficulty : str
        A name in :data:`DIFFICULTY` (``easy``, ``realistic``, ``hard``).
    **explicit
        Keyword overrides of top-level keys (``fs``, ``mains_hz``) given as
        arguments of :func:`simulate_night`; ``None`` values are ignored.

    Returns
    -------
    dict
        Every setting with its resolved value (lists as tuples), plus ``scenario``
        and ``difficulty``.

    Examples
    --------
    >>> s = resolve_settings("polio_plms", {"plm.imi_mean_s": "30"})
    >>> s["plm.imi_mean_s"], s["damage.leg"]
    (30.0, 0.8)
    """
    if scenario not in SCENARIOS:
        raise ParameterError(f"unknown scenario '{scenario}' (known: {', '.join(SCENARIOS)})")
    if difficulty not in DIFFICULTY:
        raise ParameterError(f"unknown difficulty '{difficulty}' (known: {', '.join(DIFFICULTY)})")
    out = dict(DEFAULTS)
    out.update(SCENARIOS[scenario][1])
    out.update(DIFFICULTY[difficulty][1])
    # Keyword arguments (simulate_night's fs, mains_hz) first, so that an explicit
    # ``settings`` entry (--set fs=512) wins over a keyword left at its default.
    layers = [{k: v for k, v in explicit.items() if v is not None}, dict(settings or {})]
    for layer in layers:
        for key, value in layer.items():
            if key in ("scenario", "difficulty"):
                continue
            if key not in DEFAULTS:
                raise ParameterError(f"unknown setting '{key}' (see 'somnomotor simulate --help' "
                                     "or somnomotor.simulate.SETTING_DOCS)")
            out[key] = _coerce(key, value, DEFAULTS[key])
    _validate(out)
    out["scenario"] = scenario
    out["difficulty"] = difficulty
    return out
