"""Who cannot talk to a service on the bus, each proven against a real one (tests/system/testsvc,
the runtime every service uses) and each followed by a request of a legitimate client that is
served: a client without CURVE (the NULL mechanism), a client that has the wrong server key, a
client whose key is not on the allow-list, and a junk greeting. (A revoked key is refused in
test_integrator_scope.py, tampered and expired HTTP tokens in test_gateway_matrix.py.)"""
import os
import socket
import sys

import pytest
import zmq

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster, pb  # noqa: E402
from test_runtime import add  # noqa: E402


@pytest.fixture(scope="module")
def svc():
    # every line is wanted here (test_bus_flood.py proves the limit)
    c = Cluster(services=[], env={"LUMBUNG_BUS_PEER_LOG_LINES": "100000"})
    c.set_test_endpoints("tproducer")
    try:
        c.start_testsvc("tproducer")
        yield c
    finally:
        c.stop()


def ping():
    req = pb.envelope_pb2.Request(request_id=99)
    req.ping.SetInParent()
    return req.SerializeToString()


def unanswered(c, configure):
    s = zmq.Context.instance().socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RECONNECT_IVL, 60000)         # one attempt, one line
    configure(s)
    s.connect(c.endpoint("tproducer", "router"))
    s.send_multipart([b"", ping()])
    got = s.poll(2000)
    s.close(0)
    return got == 0


def wait_line(c, text, before, *alternatives):
    """Waits until the service logged `text` (or one of the `alternatives`, given as (text,
    count before)) once more than before."""
    import time
    deadline = time.time() + 10
    while time.time() < deadline:
        log = c.log("tproducer")
        if log.count(text) > before or any(log.count(t) > n for t, n in alternatives):
            return
        time.sleep(0.05)
    raise AssertionError(f"never logged {text!r}:\n{c.log('tproducer')[-2000:]}")


served = iter(range(1, 100))


def still_served(c):
    n = next(served)
    assert c.bus("tproducer").call(add("cash", 1, key=f"ok-{n}")).testing.value == n


def test_the_null_mechanism_is_refused(svc):
    line = "failed the handshake (event 0x%x, error 0x%x)" % (
        zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
    # Both ends see the mechanism mismatch; when the client closes first, the service's own
    # handshake ends on the closed socket instead (no detail, EPIPE or ECONNRESET). Either way
    # the handshake failed and nothing was answered.
    closed = ["failed the handshake (event 0x%x, error 0x%x)" % (
        zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL, e) for e in (32, 104)]
    log = svc.log("tproducer")
    before = log.count(line)
    alternatives = [(t, log.count(t)) for t in closed]
    assert unanswered(svc, lambda s: None)
    wait_line(svc, line, before, *alternatives)
    still_served(svc)


def test_a_client_with_the_wrong_server_key_gets_nothing(svc):
    pub, sec = svc.keypair("systest")
    wrong, _ = zmq.curve_keypair()

    def configure(s):
        s.curve_publickey, s.curve_secretkey, s.curve_serverkey = pub, sec, wrong
    line = "failed the handshake (event 0x%x, error 0x%x)" % (
        zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
    before = svc.log("tproducer").count(line)
    assert unanswered(svc, configure)
    wait_line(svc, line, before)
    still_served(svc)


def test_a_key_not_on_the_allow_list_is_refused_by_zap(svc):
    def configure(s):
        s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
        s.curve_serverkey = svc.public_key("tproducer")
    line = "zap: refused a peer from 127.0.0.1: key not on the allow-list"
    before = svc.log("tproducer").count(line)
    assert unanswered(svc, configure)
    wait_line(svc, line, before)
    still_served(svc)


def test_a_junk_greeting_is_cut_off(svc):
    port = int(svc.endpoint("tproducer", "router").rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 4)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    s.close()
    assert b"HTTP" not in data                     # ended by the service, nothing served
    still_served(svc)
