from __future__ import annotations

import pytest

from ._builders import make_result


@pytest.fixture(scope="module")
def night():
    """(NightResult, Recording) of a 0.5-h hand-made night."""
    return make_result(0.5, seed=3)


@pytest.fixture(scope="session")
def analysed(tmp_path_factory):
    """(NightResult, paths) of a 0.5-h demo-scenario night: simulate → analyze → write_outputs."""
    import somnomotor.simulate as simulate
    from somnomotor.pipeline import analyze, write_outputs

    night = simulate.simulate_night("polio_mixed", hours=0.5, seed=1)
    result = analyze(night.recording, hypnogram=night.hypnogram)
    out = tmp_path_factory.mktemp("analysed")
    paths = write_outputs(result, out, recording=night.recording)
    return result, paths
