"""A population of healthy sleepers, drawn person by person, as Frauscher 2014 measured them.

Frauscher B, Gabelia D, Mitterling T, et al. Motor events during healthy sleep:
a quantitative polysomnographic study. Sleep 2014;37(4):763-773.  One hundred
strictly selected healthy adults (19-77 years; 60 women, 40 men):

* PLMS index > 5/h in 36 %, > 15/h in 18 %; 90th percentile 24.8/h;
* fragmentary myoclonus (FM) in every one: median 25.3/h of sleep, 90th
  percentile 143.7/h (range 3-1102/h); men higher than women (medians 39.9
  and 20.3/h) and rates rising with age (the same group's FM report); 9 % met
  the AASM criteria for excessive FM;
* high-frequency leg movements in 33 % (90th percentile 4 sequences a night);
* neck myoclonus in 35 % (90th percentile 8.8/h of REM);
* mentalis activity in REM (AASM, 30-s epochs): 90th percentiles 15.6 %
  (phasic) and 2.6 % (tonic); 25 % above a phasic cut-off of 11 %, none above
  a tonic cut-off of 9.6 %.

Each person is a set of setting overrides on the ``healthy`` scenario: their
own leg drive and PLM train rate (a log-normal PLMS propensity with a heavy
tail), FM rate, neck myoclonus rate in REM and the probability that a REM epoch
has phasic or tonic chin activity.  The distributions are log-normal (or
zero-inflated log-normal) fitted to the paper's figures; the age and sex
effects the paper shows (FM) are applied, and for PLMS a rise with age, which
population studies show (Leary et al., Clin Neurophysiol 2018;129:2306-2314),
with a slope that is *our assumption*; neck myoclonus falls with age (younger
patients had more: Frauscher et al., Sleep 2010;33:1091-1096; slope ours).  High-frequency
leg movements (HFLM) are hypnagogic foot tremor trains (``aasm.foot_tremor_per_h``),
zero-inflated: 38 % of sleepers have them, a log-normal number a night among
those (with the night's Poisson scatter: 33 % with any, 90th percentile 4).

The other figures are model settings directly (FM potentials per hour of sleep,
neck jerks per hour of REM, the share of REM epochs with phasic or tonic chin
activity); the PLMS index needs one conversion (PLM trains per hour to PLMS per
hour, :data:`PLMS_PER_TRAIN_RATE`), measured with the project's own analyser.
``benchmarks/bench_healthy.py`` prints the cohort, measured by the analyser, beside
the paper, and the analyser's figures against each person's drawn ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ..errors import ParameterError

#: The paper's figures (Frauscher 2014), for the benchmark's side-by-side table.
FRAUSCHER_2014: dict[str, float] = {
    "plms_over_5_fraction": 0.36,
    "plms_over_15_fraction": 0.18,
    "plms_p90": 24.8,
    "fm_any_fraction": 1.00,
    "fm_median": 25.3,
    "fm_p90": 143.7,
    "efm_fraction": 0.09,
    "hflm_any_fraction": 0.33,
    "hflm_p90": 4.0,
    "neck_any_fraction": 0.35,
    "neck_p90": 8.8,
    "phasic_p90": 15.6,
    "tonic_p90": 2.6,
    "phasic_over_11_fraction": 0.25,
    "tonic_over_9_6_fraction": 0.0,
}

#: Ages and sexes of the paper's cohort.
AGE_RANGE = (19.0, 77.0)
FEMALE_FRACTION = 0.6
#: Centre of the age effects (middle of the age range).
AGE_CENTRE = 48.0

# -- the person-level distributions (targets, as the analyser would measure them) ----
#: PLMS index, /h: log-normal, median 2.5/h at the centre age, rising ×2 per 25 years
#: (our assumption), log-SD 1.78 (with the age spread: P(>5) ≈ 36 %, P(>15) ≈ 18 %,
#: P90 ≈ 26/h).
PLMS_MEDIAN = 2.5
PLMS_AGE_SLOPE = np.log(2.0) / 25.0
PLMS_SIGMA = 1.78
#: FM index, /h of sleep: log-normal, medians 20.3 (women) and 39.9 (men), rising with
#: age (slope our assumption: ×1.5 per 25 years), log-SD 1.29 (total with sex and age:
#: median ≈ 25, P90 ≈ 140/h).
FM_MEDIAN = {"female": 20.3, "male": 39.9}
FM_AGE_SLOPE = np.log(1.5) / 25.0
FM_SIGMA = 1.29
#: Neck myoclonus, /h of REM: 35 % have any; among them log-normal, median 4.5/h at
#: the centre age, ×0.6 per 25 years, log-SD 1.1 (P90 of all ≈ 8.8/h).
NECK_FRACTION = 0.35
NECK_MEDIAN = 4.5
NECK_AGE_SLOPE = np.log(0.6) / 25.0  # younger sleepers more (Frauscher 2010); slope ours
NECK_SIGMA = 1.1
#: Phasic mentalis activity, % of REM epochs (AASM): log-normal, median 7.5 %, log-SD
#: 0.572 (P90 ≈ 15.6 %, 25 % above 11 %).
PHASIC_MEDIAN = 7.5
PHASIC_SIGMA = 0.572
#: Tonic mentalis activity, % of REM epochs: none in 60 %; among the rest log-normal,
#: median 1.5 %, log-SD 0.82 (P90 of all ≈ 2.6 %), never above 9 %.
TONIC_ZERO_FRACTION = 0.6
TONIC_MEDIAN = 1.5
TONIC_SIGMA = 0.82
TONIC_MAX = 9.0
#: High-frequency leg movements, sequences per 8-h night: 38 % have them; among them
#: log-normal, median 2.5, log-SD 0.6.  With the night's Poisson scatter: 33 % of
#: sleepers show any, 90th percentile 4 sequences (Frauscher 2014).
HFLM_FRACTION = 0.38
HFLM_MEDIAN = 2.5
HFLM_SIGMA = 0.6

# -- calibration: target figure -> model setting ------------------------------------
#: Leg drive of a person with PLMS: the leg's rate factor is ≈ 1 (the stage gates decide).
PLM_DRIVE = 1.0
#: PLMS index per PLM train started per hour at full leg drive, as the analyser measured
#: it on simulated nights (``plm.trains_per_h = 1``, 8 nights: 5.6/h, night-to-night
#: 1-12/h; trains are few and long, so one night's index scatters widely).
PLMS_PER_TRAIN_RATE = 5.6
#: Foot tremor trains a healthy 8-h night holds per train per hour set
#: (``aasm.foot_tremor_per_h`` = 0.5: 2.85 trains a night in the truth, 40 nights; the
#: generator's stage gate and spacing keep about 70 % of the nominal rate).
HFLM_PER_NIGHT_PER_RATE = 5.7


@dataclass(frozen=True)
class HealthySleeper:
    """One healthy sleeper: who, what the model should show, and the settings that do it.

    ``targets`` are the person's own figures (PLMS index /h, FM index /h of sleep,
    neck myoclonus /h of REM, phasic and tonic mentalis % of REM epochs, HFLM
    sequences expected in an 8-h night); a night
    measures them with sampling noise.  ``settings`` override the ``healthy``
    scenario (:func:`~somnomotor.simulate.simulate_night`'s ``settings``).
    """

    seed: int
    age: float
    sex: str
    targets: dict[str, float]
    settings: dict[str, Any] = field(default_factory=dict)


def _lognormal(rng: np.random.Generator, median: float, sigma: float) -> float:
    return float(median * np.exp(sigma * rng.standard_normal()))


#: The person's random draws, as uniform numbers in (0, 1), in this order.
#: (New draws go last: a person's earlier draws, and every earlier figure, stay as they were.)
_DRAWS = ("age", "sex", "plms", "fm", "neck", "phasic", "tonic", "hflm")


def healthy_sleeper(seed: int, *, age: float | None = None, sex: str | None = None,
                    uniforms: np.ndarray | None = None) -> HealthySleeper:
    """Draw one healthy sleeper (the same seed, age and sex give the same person).

    Parameters
    ----------
    seed : int
        The person's seed (>= 0).
    age : float, optional
        Years, 18-90; drawn uniformly from the paper's 19-77 when omitted.
    sex : str, optional
        ``"female"`` or ``"male"``; drawn 60/40 as in the paper when omitted.
    uniforms : ndarray, optional
        The person's eight draws as numbers in (0, 1) (see :func:`healthy_population`);
        drawn from ``seed`` when omitted.

    Examples
    --------
    >>> p = healthy_sleeper(3, age=70, sex="male")
    >>> p.age, p.sex, sorted(p.targets)[:2]
    (70.0, 'male', ['fm_index', 'hflm_per_night'])
    >>> p.settings["myoclonus.regions"]
    ('leg', 'arm')
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed={seed!r}: expected a whole number >= 0")
    if sex is not None and sex not in ("female", "male"):
        raise ParameterError(f"sex={sex!r}: expected 'female' or 'male'")
    if age is not None and not 18.0 <= float(age) <= 90.0:
        raise ParameterError(f"age={age!r}: expected 18 to 90 years")
    if uniforms is None:
        uniforms = np.random.default_rng([int(seed), 7_000]).uniform(size=len(_DRAWS))
    u = dict(zip(_DRAWS, np.clip(np.asarray(uniforms, dtype=float), 1e-9, 1 - 1e-9),
                 strict=True))
    # Every draw is made whatever is given, so a person's other figures do not
    # change when age or sex is fixed.
    age = AGE_RANGE[0] + u["age"] * (AGE_RANGE[1] - AGE_RANGE[0]) if age is None else float(age)
    if sex is None:
        sex = "female" if u["sex"] < FEMALE_FRACTION else "male"
    z_plms, z_fm, z_phasic = stats.norm.ppf([u["plms"], u["fm"], u["phasic"]])
    # Zero-inflated figures take one draw each: below the share without, none; above
    # it, the rest of the (0, 1) range is the log-normal's quantile.
    has_neck = u["neck"] > 1.0 - NECK_FRACTION
    z_neck = stats.norm.ppf((u["neck"] - (1.0 - NECK_FRACTION)) / NECK_FRACTION) if has_neck \
        else 0.0
    has_tonic = u["tonic"] > TONIC_ZERO_FRACTION
    z_tonic = stats.norm.ppf((u["tonic"] - TONIC_ZERO_FRACTION) / (1.0 - TONIC_ZERO_FRACTION)) \
        if has_tonic else 0.0
    plms = PLMS_MEDIAN * np.exp(PLMS_AGE_SLOPE * (age - AGE_CENTRE) + PLMS_SIGMA * z_plms)
    fm = FM_MEDIAN[sex] * np.exp(FM_AGE_SLOPE * (age - AGE_CENTRE) + FM_SIGMA * z_fm)
    neck = (NECK_MEDIAN * np.exp(NECK_AGE_SLOPE * (age - AGE_CENTRE) + NECK_SIGMA * z_neck)
            if has_neck else 0.0)
    phasic = min(60.0, PHASIC_MEDIAN * np.exp(PHASIC_SIGMA * z_phasic))
    tonic = min(TONIC_MAX, TONIC_MEDIAN * np.exp(TONIC_SIGMA * z_tonic)) if has_tonic else 0.0
    has_hflm = u["hflm"] > 1.0 - HFLM_FRACTION
    hflm = (HFLM_MEDIAN * np.exp(HFLM_SIGMA * stats.norm.ppf(
        (u["hflm"] - (1.0 - HFLM_FRACTION)) / HFLM_FRACTION)) if has_hflm else 0.0)
    targets = {"plms_index": float(plms), "fm_index": float(fm), "neck_index": float(neck),
               "phasic_percent": float(phasic), "tonic_percent": float(tonic),
               "hflm_per_night": float(hflm)}
    settings: dict[str, Any] = {
        "drive.leg": PLM_DRIVE,
        "plm.trains_per_h": float(plms / PLMS_PER_TRAIN_RATE),
        # A healthy sleeper's brief jerks are the fragmentary myoclonus potentials, in
        # the limb channels (legs and forearms); the model's random myoclonus (which
        # the leg drive would otherwise raise in the legs) is off.
        "myoclonus.rate_per_h": 0.0,
        "myoclonus.regions": ("leg", "arm"),
        "fragmentary.background_per_h": float(fm),
        "neck_myoclonus.rate_per_h_rem": float(neck),
        "rbd.phasic_prob": float(phasic / 100.0),
        "rbd.tonic_prob": float(tonic / 100.0),
        "aasm.foot_tremor_per_h": float(hflm / HFLM_PER_NIGHT_PER_RATE),
    }
    return HealthySleeper(seed=int(seed), age=round(age, 1), sex=sex, targets=targets,
                          settings=settings)


def healthy_population(n: int, seed: int = 0) -> list[HealthySleeper]:
    """``n`` healthy sleepers (ages and sexes drawn as in the paper's cohort).

    Stratified (Latin hypercube) sampling: for each of a person's draws, the ``n``
    people take one value from each of ``n`` equal-probability strata, in an
    independent random order per draw.  A cohort of a few dozen then represents
    the population's distributions (e.g. exactly 60 % women, 35 % with neck
    myoclonus up to rounding) instead of adding the sampling noise of a small
    random sample; each person is still one random draw of the population.

    Examples
    --------
    >>> people = healthy_population(200, seed=1)
    >>> share = np.mean([p.targets["plms_index"] > 5 for p in people])
    >>> bool(0.25 < share < 0.45)          # the paper: 36 % above 5/h
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"n={n!r}: expected a whole number >= 1")
    rng = np.random.default_rng([int(seed), 7_001])
    strata = np.column_stack([(rng.permutation(n) + rng.uniform(size=n)) / n
                              for _ in _DRAWS])
    return [healthy_sleeper(seed * 100_003 + i, uniforms=strata[i]) for i in range(n)]
