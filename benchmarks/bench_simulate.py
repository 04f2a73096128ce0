"""Simulator speed: an 8-hour night with 16 channels at 256 Hz (issue 3: well under a minute).

Prints wall times of the model alone (``simulate_events``), the full night
with signals (``simulate_night``), writing the EDF+ and truth, and the peak
memory of a fresh process doing all three.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import peak_rss_mb_of, timed  # noqa: E402

from somnomotor.simulate import simulate_events, simulate_night, write_night  # noqa: E402

HOURS = 8.0


def main() -> None:
    t_events, (hyp, truth, _) = timed(lambda: simulate_events("polio_mixed", hours=HOURS,
                                                              seed=1), repeat=3)
    print(f"simulate_events, {HOURS:g} h polio_mixed: {t_events:.3f} s "
          f"({len(truth)} truth events, {len(hyp)} epochs)")
    t_month, _ = timed(lambda: [simulate_events("polio_mixed", hours=HOURS, seed=s)
                                for s in range(30)])
    print(f"simulate_events, 30 nights (a month of diary): {t_month:.2f} s")
    t_night, night = timed(lambda: simulate_night("polio_mixed", hours=HOURS, seed=1))
    n_ch = len(night.recording.channels)
    fs = night.recording.channels[0].fs
    print(f"simulate_night, {HOURS:g} h, {n_ch} channels at {fs:g} Hz: {t_night:.2f} s "
          f"({t_night / 60:.2f} of the 1-minute budget)")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "night.edf"
        t_write, _ = timed(lambda n=night: write_night(n, path))
        size = path.stat().st_size / 2**20
        print(f"write_night (EDF+ {size:.0f} MiB + truth CSV): {t_write:.2f} s")
    del night
    code = ("from somnomotor.simulate import simulate_night, write_night\n"
            "import tempfile, pathlib\n"
            "d = pathlib.Path(tempfile.mkdtemp())\n"
            f"write_night(simulate_night('polio_mixed', hours={HOURS}, seed=1), d / 'n.edf')\n")
    wall, rss = peak_rss_mb_of(code)
    raw_mb = n_ch * HOURS * 3600 * fs * 4 / 2**20
    print(f"fresh process, simulate + write: {wall:.2f} s, peak RSS {rss:.0f} MiB "
          f"({rss / raw_mb:.1f}x the {raw_mb:.0f} MiB of float32 signals)")
    print(f"total simulate + write: {t_night + t_write:.2f} s "
          f"(ratio to 60 s budget: {(t_night + t_write) / 60:.2f})")
    staging_agreement()


def staging_agreement() -> None:
    """How well YASA stages the simulated EEG/EOG/chin (the EEG model's realism)."""
    try:
        from somnomotor.staging import stage_automatically
    except ImportError:  # pragma: no cover - staging extra missing
        print("staging agreement: skipped (staging extra not installed)")
        return
    night = simulate_night("healthy", hours=HOURS, seed=3,
                           settings={"channels": "Chin1-Chin2,C4-M1,E1-M2"})
    t, hyp = timed(lambda: stage_automatically(night.recording))
    truth = night.hypnogram.stages
    auto = hyp.stages[: len(truth)]
    per_stage = {s: float((auto[truth == s] == s).mean()) for s in ("W", "N1", "N2", "N3", "R")}
    print(f"YASA staging of a simulated healthy night: {(auto == truth).mean():.1%} epoch "
          f"agreement ({t:.1f} s); per stage " + ", ".join(f"{k} {v:.0%}" for k, v in
                                                          per_stage.items()))


if __name__ == "__main__":
    main()
