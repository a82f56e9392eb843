"""The gateway when services fail: a stopped service is a 503 at once, a hung one a 504 after
the deadline, /readyz names what is down, other services keep answering, the gateway keeps
serving and recovers when the service is back, and a SIGTERM with requests in flight answers
them and exits cleanly."""
import os
import signal
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_error, assert_serving, create_coop  # noqa: E402
from lumbung import Cluster  # noqa: E402


DEADLINE_MS = 1000


@pytest.fixture(scope="module")
def c():
    cl = Cluster(env={"LUMBUNG_GATEWAY_TIMEOUT_MS": str(DEADLINE_MS), "LUMBUNG_READY_TIMEOUT_MS": "500"})
    try:
        cl.start()
        yield cl
    finally:
        cl.stop()


@pytest.fixture(scope="module")
def coop(c):
    return create_coop(c, "Koperasi Cadangan")


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return True
        time.sleep(0.1)
    return False


def test_ready_when_every_service_answers(c):
    r = c.http("GET", "/readyz")
    assert r.status == 200, r
    assert r.json["services"] == {"members": "up", "transactions": "up", "reporting": "up"}


def test_a_stopped_service_is_503_and_the_rest_keeps_working(c, coop):
    accounts = "/api/v1/cooperatives/%s/accounts" % coop
    assert c.api("GET", accounts).status == 200
    c.stop_service("transactions")
    try:
        start = time.time()
        r = c.api("GET", accounts)
        assert_error(r, 503, "service_unavailable")
        assert time.time() - start < DEADLINE_MS / 1000.0, "a stopped service must fail fast"
        assert r.headers.get("Retry-After")
        r = c.http("GET", "/readyz")
        assert r.status == 503 and r.json["down"] == ["transactions"], r
        assert r.json["error"]["code"] == "not_ready" and "transactions" in r.json["error"]["message"]
        assert c.api("GET", "/api/v1/cooperatives/%s" % coop).status == 200     # members still fine
        assert_serving(c)
        metrics = c.http("GET", "/metrics").text
        line = [l for l in metrics.splitlines()
                if l.startswith('lumbung_backend_failures_total{service="transactions",kind="unavailable"}')]
        assert line and float(line[0].split()[1]) >= 1, metrics
    finally:
        c.start_service("transactions")
    assert wait_for(lambda: c.http("GET", "/readyz").status == 200)
    assert wait_for(lambda: c.api("GET", accounts).status == 200)


def test_a_hung_service_is_504_after_the_deadline(c, coop):
    pid = c.procs["members"].pid
    os.kill(pid, signal.SIGSTOP)
    try:
        start = time.time()
        r = c.api("GET", "/api/v1/cooperatives/%s" % coop)
        took = time.time() - start
        assert_error(r, 504, "service_timeout")
        assert DEADLINE_MS / 1000.0 * 0.9 <= took < DEADLINE_MS / 1000.0 + 2, took
        r = c.http("GET", "/readyz")
        assert r.status == 503 and "members" in r.json["down"], r
        assert_serving(c)
        assert c.api("GET", "/api/v1/users").status == 200           # the gateway's own work goes on
    finally:
        os.kill(pid, signal.SIGCONT)
    assert wait_for(lambda: c.api("GET", "/api/v1/cooperatives/%s" % coop).status == 200)


def test_shutdown_answers_requests_in_flight_and_exits_cleanly(c, coop):
    pid = c.procs["members"].pid
    os.kill(pid, signal.SIGSTOP)
    results = []
    try:
        def call():
            results.append(c.api("GET", "/api/v1/cooperatives/%s" % coop))
        threads = [threading.Thread(target=call) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.3)                                   # the requests wait on the hung service
        start = time.time()
        code = c.stop_service("gateway")
        assert code == 0, c.log("gateway")[-2000:]
        assert time.time() - start < 3
        for t in threads:
            t.join(5)
        assert [r.status for r in results] == [503] * 3, results
        assert all(r.json["error"]["code"] == "shutting_down" for r in results)
    finally:
        os.kill(pid, signal.SIGCONT)
    c.start_service("gateway")
    c._token = None                                       # tokens survive, but log in afresh
    assert c.api("GET", "/api/v1/cooperatives/%s" % coop).status == 200
