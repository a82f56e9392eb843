import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """All four services, fresh stores, for the tests of one module."""
    c = Cluster()
    try:
        c.start()
        yield c
    finally:
        c.stop()
