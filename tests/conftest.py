import os
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
SHARED = Path(os.environ.get("EWS_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "datasets"))


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


@pytest.fixture
def shared_datasets():
    if not SHARED.exists():
        pytest.skip(f"shared datasets not found at {SHARED} (set EWS_DATA_DIR)")
    return SHARED
