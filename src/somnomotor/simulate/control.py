"""Descending control, motor-neuron excitability and the evening's modifiers.

The model, per body region ``r`` and time ``t`` (seconds from lights-off):

* descending inhibition delivered to the spinal motor neurons::

      I_r(t) = c_I * S(stage(t)) * (1 - d_r) * max(0, 1 - a_alc * BAC(t))

  ``S`` is the stage's strength of descending control (W 0.75, N1 0.55, N2 0.6,
  N3 0.7, R 0.9 — lightest in N1-N2, where PLMs and random myoclonus
  concentrate; REM atonia is handled separately for the chin), ``d_r`` the
  region's damage (0 intact, 1 no descending control left) and ``BAC`` the
  blood alcohol concentration (g/kg, Widmark model);
* motor-neuron excitability::

      X_r(t) = X0 * (1 + g_ex * E * min(1, minutes/60) * (0.5 + d_r))
                  * (1 - W(t)) * (1 - B(t)) * (1 + c_circ * cos(2π (t_h + 1) / 24))
                  * (1 + R_alc(t))

  where ``E`` is the day's exertion (0-10, damaged neurons irritated more),
  ``W`` the calming effect of stretching, a hot bath and warmth, and ``B`` the
  alprazolam effect, a saturating Emax function of plasma concentration, the
  next factor a circadian decline over the night (PLMs cluster early), and
  ``R_alc`` the rebound after the alcohol is metabolised (:func:`alcohol_rebound`);
* the event-rate factor of a pattern is a logistic function of the net drive::

      f_r(t) = 1 / (1 + exp(-((X_r - I_r + D_r) - theta) / s))

  where ``D_r`` (setting ``drive.<region>``, 0 by default) is one person's own
  shift of the net drive: healthy sleepers differ (some have PLMS, most not;
  :mod:`somnomotor.simulate.population`),

  multiplied by the pattern's maximal rate and its stage gate (PLMs mainly
  N1-N2, none in wake; random myoclonus mainly N1-N2).

Pharmacokinetics:

* Alcohol (Widmark 1932; Jones AW, Forensic Sci Int 2010;200:1-20):
  ``BAC(τ) = max(0, D/(r·W)·(1 - exp(-ka·τ)) - β·τ)`` with ``τ`` hours since
  drinking, ``r`` 0.68 L/kg, ``β`` 0.15 g/kg/h.
* Alprazolam (Xanax prescribing information: peak 1-2 h, mean half-life
  11.2 h, range 6.3-26.9 h; peaks 8-37 ng/mL for 0.5-3 mg): one-compartment
  oral (Bateman) ``C(τ) = D/V · ka/(ka-ke) · (exp(-ke τ) - exp(-ka τ))``;
  effect ``B = Emax · C/(EC50 + C)``.

This is a qualitative model for teaching and testing (docs/model.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError

#: Strength of descending control by stage (relative; see module docstring).
STAGE_CONTROL: dict[str, float] = {"W": 0.75, "N1": 0.55, "N2": 0.6, "N3": 0.7, "R": 0.9, "?": 0.75}


@dataclass(frozen=True)
class Evening:
    """What the person did in the evening and how they slept (the diary's modifiers).

    Parameters
    ----------
    alcohol_units : float
        Standard drinks (10 g ethanol each by default) in the evening.
    alcohol_hours_before_bed : float
        Hours between the (single, lumped) drink and lights-off.
    exertion : int
        Daytime physical exertion, 0 (none) to 10 (exhausting).
    exertion_minutes : int
        Minutes of that exertion.
    stretching_minutes, hot_bath_minutes : int
        Minutes of stretching / hot bath just before bed.
    heat_at_night : bool
        Muscles kept warm all night (electric blanket, warm clothing).
    alprazolam_mg : float
        Alprazolam dose (mg), 0 for none.
    alprazolam_minutes_before_bed : int
        Minutes between taking it and lights-off.

    Examples
    --------
    >>> Evening(alcohol_units=2, alprazolam_mg=0.5).alcohol_units
    2
    """

    alcohol_units: float = 0.0
    alcohol_hours_before_bed: float = 2.0
    exertion: int = 0
    exertion_minutes: int = 0
    stretching_minutes: int = 0
    hot_bath_minutes: int = 0
    heat_at_night: bool = False
    alprazolam_mg: float = 0.0
    alprazolam_minutes_before_bed: int = 30

    def __post_init__(self) -> None:
        checks = (
            ("alcohol_units", self.alcohol_units, 0, 40),
            ("alcohol_hours_before_bed", self.alcohol_hours_before_bed, 0, 24),
            ("exertion", self.exertion, 0, 10),
            ("exertion_minutes", self.exertion_minutes, 0, 24 * 60),
            ("stretching_minutes", self.stretching_minutes, 0, 24 * 60),
            ("hot_bath_minutes", self.hot_bath_minutes, 0, 24 * 60),
            ("alprazolam_mg", self.alprazolam_mg, 0, 10),
            ("alprazolam_minutes_before_bed", self.alprazolam_minutes_before_bed, 0, 24 * 60),
        )
        for name, value, lo, hi in checks:
            if not (isinstance(value, int | float) and lo <= value <= hi):
                raise ParameterError(f"evening {name}={value!r}: expected a number from {lo} to {hi}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Evening:
        """An evening from a dict (e.g. a diary row); unknown keys raise ParameterError."""
        values = dict(values or {})
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(f"unknown evening field(s) {', '.join(unknown)} "
                                 f"(known: {', '.join(sorted(known))})")
        return cls(**values)


def alcohol_concentration(t_h: np.ndarray, units: float, hours_before_bed: float,
                          settings: Mapping[str, Any]) -> np.ndarray:
    """Blood alcohol concentration (g/kg) at hours ``t_h`` after lights-off (Widmark).

    Examples
    --------
    >>> from somnomotor.simulate.scenarios import DEFAULTS
    >>> float(alcohol_concentration(np.array([0.0]), 0.0, 2.0, DEFAULTS)[0])
    0.0
    """
    t = np.asarray(t_h, dtype=float) + hours_before_bed
    dose = units * settings["alcohol.grams_per_unit"] / (
        settings["alcohol.widmark_r"] * settings["alcohol.body_kg"])
    ka = settings["alcohol.absorption_per_h"]
    beta = settings["alcohol.elimination_g_kg_h"]
    tp = np.clip(t, 0, None)
    # A(τ) - βτ rises then falls monotonically after its peak, so once it
    # reaches zero it stays below: clipping at zero is the exact Widmark curve.
    raw = dose * (1.0 - np.exp(-ka * tp)) - beta * tp
    return np.where(t < 0, 0.0, np.clip(raw, 0.0, None))


def alcohol_rebound(t_h: np.ndarray, units: float, hours_before_bed: float,
                    settings: Mapping[str, Any]) -> np.ndarray:
    """Relative rise of motor-neuron excitability after the alcohol is gone (rebound).

    ``R(t) = g · D · exp(-(τ - τ_clear) / τ_R)`` once the Widmark curve is back at
    zero (``τ_clear ≤ τ ≤ τ_clear + 4 τ_R``, hours since drinking), 0 otherwise; ``D`` is the dose
    (g/kg), ``g`` ``alcohol.rebound_gain`` and ``τ_R`` ``alcohol.rebound_tau_h``.
    Alcohol sedates while it is in the blood and disturbs the rest of the night
    as it is metabolised (Roehrs & Roth, Alcohol Res Health 2001;25:101-109;
    Ebrahim et al., Alcohol Clin Exp Res 2013;37:539-549); alcohol use goes with
    more periodic limb movements (Aldrich & Shipley, Alcohol Clin Exp Res
    1993;17:192-196). The size of the rebound is a qualitative choice.

    Examples
    --------
    >>> from somnomotor.simulate.scenarios import DEFAULTS
    >>> r = alcohol_rebound(np.array([0.0, 2.0, 6.0]), 3.0, 2.0, DEFAULTS)
    >>> bool(r[0] == 0.0 and r[1] > r[2] > 0.0)
    True
    """
    dose = units * settings["alcohol.grams_per_unit"] / (
        settings["alcohol.widmark_r"] * settings["alcohol.body_kg"])
    if dose <= 0:
        return np.zeros(np.shape(t_h))
    ka = settings["alcohol.absorption_per_h"]
    beta = settings["alcohol.elimination_g_kg_h"]
    # The curve dose·(1 - e^(-ka τ)) - βτ returns to zero once; find it on a fine grid.
    grid = np.linspace(1e-3, 48.0, 48_001)
    above = dose * (1.0 - np.exp(-ka * grid)) - beta * grid > 0
    t_clear = float(grid[np.flatnonzero(above)[-1]]) if above.any() else 0.0
    tau = np.asarray(t_h, dtype=float) + hours_before_bed
    out = settings["alcohol.rebound_gain"] * dose * np.exp(
        -(tau - t_clear) / settings["alcohol.rebound_tau_h"])
    # Beyond 4 τ_R the rebound is < 2 % of its start: end it there, so that a drink
    # long before bed leaves the night exactly as it was.
    return np.where((tau >= t_clear) & (tau <= t_clear + 4.0 * settings["alcohol.rebound_tau_h"]),
                    out, 0.0)


def alprazolam_concentration(t_h: np.ndarray, dose_mg: float, minutes_before_bed: float,
                             settings: Mapping[str, Any]) -> np.ndarray:
    """Plasma alprazolam (ng/mL) at hours ``t_h`` after lights-off (one compartment, oral).

    Examples
    --------
    >>> from somnomotor.simulate.scenarios import DEFAULTS
    >>> t = np.linspace(0, 6, 601)
    >>> c = alprazolam_concentration(t, 1.0, 0, DEFAULTS)
    >>> bool(1.0 <= t[int(np.argmax(c))] <= 2.0)   # tmax 1-2 h (label)
    True
    """
    tau = np.asarray(t_h, dtype=float) + minutes_before_bed / 60.0
    ke = np.log(2.0) / settings["alprazolam.half_life_h"]
    ka = settings["alprazolam.absorption_per_h"]
    if abs(ka - ke) < 1e-9:
        ka = ke * (1.0 + 1e-6)
    c = dose_mg * 1000.0 / settings["alprazolam.volume_l"] * ka / (ka - ke) * (
        np.exp(-ke * tau) - np.exp(-ka * tau))
    return np.where(tau > 0, np.clip(c, 0.0, None), 0.0)


def alprazolam_effect(conc_ng_ml: np.ndarray, settings: Mapping[str, Any]) -> np.ndarray:
    """Fractional reduction of excitability, ``Emax·C/(EC50 + C)`` (saturating, < Emax).

    Examples
    --------
    >>> from somnomotor.simulate.scenarios import DEFAULTS
    >>> e = alprazolam_effect(np.array([0.0, 10.0, 1e6]), DEFAULTS)
    >>> [round(float(v), 2) for v in e]
    [0.0, 0.35, 0.7]
    """
    c = np.asarray(conc_ng_ml, dtype=float)
    return settings["alprazolam.emax"] * c / (settings["alprazolam.ec50_ng_ml"] + c)


def calming_factor(t_h: np.ndarray, evening: Evening, settings: Mapping[str, Any]) -> np.ndarray:
    """``1 - W(t)``: what stretching, a hot bath and warmth leave of excitability."""
    t = np.clip(np.asarray(t_h, dtype=float), 0, None)
    stretch = settings["control.stretching_effect"] * min(1.0, evening.stretching_minutes / 20.0)
    bath = settings["control.bath_effect"] * min(1.0, evening.hot_bath_minutes / 20.0)
    heat = settings["control.heat_effect"] if evening.heat_at_night else 0.0
    return (1 - stretch * np.exp(-t / 4.0)) * (1 - bath * np.exp(-t / 2.0)) * (1 - heat)


@dataclass(frozen=True)
class ControlState:
    """The model's state on the epoch grid (one value per 30-s epoch).

    ``inhibition`` and ``excitability`` are dicts region -> array; ``drive_factor``
    region -> logistic rate factor in [0, 1]; ``bac`` g/kg; ``alprazolam_ng_ml``.
    """

    t_h: np.ndarray
    inhibition: dict[str, np.ndarray]
    excitability: dict[str, np.ndarray]
    drive_factor: dict[str, np.ndarray]
    bac: np.ndarray
    alprazolam_ng_ml: np.ndarray


def compute_control(stages: np.ndarray, evening: Evening, settings: Mapping[str, Any],
                    epoch_s: float = 30.0) -> ControlState:
    """Inhibition, excitability and rate factors per region and epoch.

    Parameters
    ----------
    stages : array of str
        Stage per epoch (``W N1 N2 N3 R``).
    evening : Evening
        The modifiers.
    settings : mapping
        Resolved settings (:func:`~somnomotor.simulate.scenarios.resolve_settings`).

    Examples
    --------
    >>> from somnomotor.simulate.scenarios import resolve_settings
    >>> st = compute_control(np.array(["N2"] * 4), Evening(), resolve_settings("polio_plms"))
    >>> bool(st.drive_factor["leg"][0] > st.drive_factor["arm"][0])
    True
    """
    from .scenarios import REGIONS

    n = len(stages)
    t_h = (np.arange(n) + 0.5) * epoch_s / 3600.0
    s_stage = np.array([STAGE_CONTROL.get(str(s), 0.75) for s in stages], dtype=float)
    bac = alcohol_concentration(t_h, evening.alcohol_units, evening.alcohol_hours_before_bed,
                                settings)
    alc = np.clip(1.0 - settings["alcohol.sensitivity"] * bac, 0.0, 1.0)
    rebound = alcohol_rebound(t_h, evening.alcohol_units, evening.alcohol_hours_before_bed,
                              settings)
    conc = alprazolam_concentration(t_h, evening.alprazolam_mg,
                                    evening.alprazolam_minutes_before_bed, settings)
    benzo = alprazolam_effect(conc, settings)
    calm = calming_factor(t_h, evening, settings)
    load = evening.exertion * min(1.0, evening.exertion_minutes / 60.0)
    # Circadian decline of motor excitability over the night: PLMs cluster in
    # the first half of the night (Culpepper et al., Sleep 1992;15:516-520).
    circadian = 1.0 + settings["control.circadian_amplitude"] * np.cos(
        2 * np.pi * (t_h + 1.0) / 24.0)
    inhibition: dict[str, np.ndarray] = {}
    excit: dict[str, np.ndarray] = {}
    factor: dict[str, np.ndarray] = {}
    for r in REGIONS:
        d = settings[f"damage.{r}"]
        inhibition[r] = settings["control.inhibition"] * s_stage * (1.0 - d) * alc
        excit[r] = (settings["control.excitability"]
                    * (1.0 + settings["control.exertion_gain"] * load * (0.5 + d))
                    * calm * (1.0 - benzo) * circadian * (1.0 + rebound))
        u = excit[r] - inhibition[r] + settings.get(f"drive.{r}", 0.0)
        z = (u - settings["control.threshold"]) / max(settings["control.slope"], 1e-6)
        factor[r] = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
    return ControlState(t_h=t_h, inhibition=inhibition, excitability=excit,
                        drive_factor=factor, bac=bac, alprazolam_ng_ml=conc)
