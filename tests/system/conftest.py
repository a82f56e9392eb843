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


def pytest_collection_modifyitems(session, config, items):
    """LUMBUNG_TEST_ORDER=reverse or shuffle[:SEED] runs the tests of every module in another
    order (modules keep theirs, so each module's cluster starts once): a test that passes only
    after another one shows up here. `make test` keeps the file order."""
    order = os.environ.get("LUMBUNG_TEST_ORDER", "")
    if not order:
        return
    import random
    by_module = {}
    for item in items:
        by_module.setdefault(item.module.__name__, []).append(item)
    rng = random.Random(order.partition(":")[2] or "lumbung")
    items[:] = []
    for group in by_module.values():
        if order.startswith("reverse"):
            group.reverse()
        elif order.startswith("shuffle"):
            rng.shuffle(group)
        items.extend(group)
