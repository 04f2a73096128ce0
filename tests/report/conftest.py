from __future__ import annotations

import pytest

from ._builders import make_result


@pytest.fixture(scope="module")
def night():
    """(NightResult, Recording) of a 0.5-h hand-made night."""
    return make_result(0.5, seed=3)
