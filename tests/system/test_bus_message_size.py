"""A bus message over the limits — more than BUS_FRAMES_MAX frames, or more than BUS_MESSAGE_MAX
bytes in all though each frame is under ZMQ_MAXMSGSIZE — is dropped whole: the service stays
up, keeps nothing of it (its resident memory falls back under a generous bound), logs it, and
answers the next requests. Sent by a real CURVE bus client, as an allow-listed peer would."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster, pb  # noqa: E402
from members_util import create_coop  # noqa: E402

MiB = 1024 * 1024
RSS_BOUND_MB = 200


@pytest.fixture(scope="module")
def c():
    # Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) before it
    # is given back; a small one lets the RSS show what the service itself keeps.
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=8"]))
    cl = Cluster(services=["members"], env={"ASAN_OPTIONS": asan})
    try:
        cl.start()
        yield cl
    finally:
        cl.stop()


def rss_mb(c, name):
    with open("/proc/%d/status" % c.procs[name].pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")


def wait_for_log(c, name, text, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in c.log(name):
            return
        time.sleep(0.05)
    raise AssertionError("%r not in the log of %s:\n%s" % (text, name, c.log(name)[-2000:]))


def ping(c):
    req = pb.envelope_pb2.Request()
    req.ping.SetInParent()
    reply = c.bus("members").call(req, timeout=10)
    assert reply.pong.service == "members", reply


def assert_still_serving(c):
    assert c.procs["members"].poll() is None, c.log("members")[-2000:]
    ping(c)
    create_coop(c, name="Koperasi Setelah Serangan %d" % time.time_ns())


@pytest.mark.parametrize("frames,size", [
    (24, 15 * MiB),          # many large frames, each under the frame limit
    (2, 9 * MiB),            # few frames, too many bytes in all
])
def test_an_oversized_message_is_dropped_and_the_service_serves_on(c, frames, size):
    # the ROUTER adds the identity frame; the client sends the delimiter
    logged = "dropped a message of %d frames and " % (frames + 2)
    ping(c)
    before = c.log("members").count("bus: dropped a message")
    body = b"\0" * size
    c.bus("members").send_raw([b""] + [body] * frames)
    del body
    deadline = time.time() + 30
    while c.log("members").count("bus: dropped a message") == before and time.time() < deadline:
        time.sleep(0.05)
    wait_for_log(c, "members", logged)
    line = [l for l in c.log("members").splitlines() if "bus: dropped a message" in l][-1]
    assert "from 'systest' (at most 8 frames and %d bytes)" % (16 * MiB) in line, line
    assert_still_serving(c)
    assert rss_mb(c, "members") < RSS_BOUND_MB, rss_mb(c, "members")
