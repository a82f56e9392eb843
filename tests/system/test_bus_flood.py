"""A flood of unauthenticated bus connections from one address cannot starve the others
(common/peer_guard.c, bus.c): hundreds of raw TCP connections that never speak, junk greetings,
NULL-mechanism and unknown-key CURVE clients, all from 127.0.0.2, against a service's ROUTER,
while a legitimate CURVE client from 127.0.0.1 keeps adding to a counter and must get every
answer right. Beyond LUMBUNG_BUS_CONNECTIONS_PER_ADDRESS a connection is cut at accept, a
silent one is dropped after LUMBUNG_BUS_HANDSHAKE_MS, and the log gets at most
LUMBUNG_BUS_PEER_LOG_LINES lines about peers per window plus one summary with the count left
out."""
import os
import re
import socket
import sys
import threading
import time

import zmq

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BusClient, Cluster  # noqa: E402
from test_runtime import add, state  # noqa: E402

FLOODER = "127.0.0.2"
PER_ADDRESS = 20
LINES = 5
WINDOW_MS = 2000
RAW = 300
GREETERS = 30        # each of NULL and unknown-key clients; libzmq reconnects them every 100 ms
JUNK = 100
ADDS = 300

PEER_LINE = re.compile(r"zap: refused a peer|bus: refused a connection|bus: a peer .*"
                       r"(failed the handshake|disconnected)")
SUMMARY = re.compile(r"bus: (\d+) more line\(s\) about peers left out in the last \d+ ms "
                     r"\(the last about ([^)]*)\); (\d+) peer\(s\) refused since start")


def raw_from(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((FLOODER, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(s):
    """Waits (up to the socket's timeout) for the server to end a connection we never use; what
    it sent before (its greeting) is read and dropped."""
    try:
        while s.recv(4096) != b"":
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def greeters(c, ctx, port):
    """Clients from FLOODER that never get in: NULL mechanism, and CURVE with unknown keys."""
    out = []
    for i in range(2 * GREETERS):
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        if i % 2:
            pub, sec = zmq.curve_keypair()
            s.curve_publickey, s.curve_secretkey = pub, sec
            s.curve_serverkey = c.public_key("tproducer")
        s.connect(f"tcp://{FLOODER}:0;127.0.0.1:{port}")
        s.send_multipart([b"", b"let me in"])
        out.append(s)
    return out


def test_flood_from_one_address_does_not_starve_a_legitimate_client():
    c = Cluster(services=[], env={"LUMBUNG_BUS_CONNECTIONS_PER_ADDRESS": str(PER_ADDRESS),
                                  "LUMBUNG_BUS_HANDSHAKE_MS": "2000",
                                  "LUMBUNG_BUS_PEER_LOG_LINES": str(LINES),
                                  "LUMBUNG_BUS_PEER_LOG_WINDOW_MS": str(WINDOW_MS)})
    c.set_test_endpoints("tproducer")
    ctx = zmq.Context()
    raw, greet = [], []
    try:
        c.start_testsvc("tproducer")
        port = int(c.endpoint("tproducer", "router").rsplit(":", 1)[1])
        legit = c.bus("tproducer")
        assert legit.call(add("cash", 1, key="before")).testing.value == 1
        log_before = len(c.log("tproducer").splitlines())

        answers, errors = [], []

        def keep_adding():
            try:
                for i in range(ADDS):
                    r = legit.call(add("cash", 2, key=f"during-{i}"), timeout=30)
                    answers.append(r)
            except Exception as e:  # noqa: BLE001 - reported by the assertion below
                errors.append(e)

        worker = threading.Thread(target=keep_adding)
        worker.start()
        greet = greeters(c, ctx, port)
        raw = [raw_from(port) for _ in range(RAW)]
        for _ in range(JUNK):
            j = raw_from(port)
            j.sendall(b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7fGET / HTTP/1.1\r\n\r\n" * 4)
            raw.append(j)
        # a new legitimate connection from another address gets in while the flood goes on
        fresh = BusClient(c, "tproducer")
        assert fresh.call(add("other", 5, key="fresh"), timeout=30).testing.value == 5
        fresh.close()
        worker.join(120)
        assert not worker.is_alive() and errors == []
        assert [r.testing.value for r in answers] == [1 + 2 * (i + 1) for i in range(ADDS)]
        assert all(not r.HasField("error") for r in answers)

        # every raw connection is ended by the server: cut at accept or after the handshake time
        assert all(closed_by_server(s) for s in raw)
        for s in greet:
            s.close(0)
        greet = []
        assert legit.call(state("cash")).testing.value == 1 + 2 * ADDS

        # the summary of the last window comes once the window is over
        deadline = time.time() + 30
        while time.time() < deadline:
            lines = c.log("tproducer").splitlines()[log_before:]
            summaries = [SUMMARY.search(l) for l in lines if SUMMARY.search(l)]
            last_peer = max((i for i, l in enumerate(lines) if PEER_LINE.search(l)), default=-1)
            last_summary = max((i for i, l in enumerate(lines) if SUMMARY.search(l)), default=-1)
            if summaries and last_summary > last_peer:
                break
            time.sleep(0.2)
        peer_lines = [l for l in lines if PEER_LINE.search(l)]
        assert summaries, lines[-20:]
        assert any(f"bus: refused a connection from {FLOODER} to " in l for l in peer_lines)
        left_out = sum(int(m.group(1)) for m in summaries)
        # each raw connection leaves at least its disconnect (and those over the limit a cut)
        assert len(peer_lines) + left_out >= RAW + JUNK
        # every window of the flood spent its lines and was summed up in one line
        assert len(peer_lines) <= LINES * (len(summaries) + 1), (len(peer_lines), len(summaries))
        assert left_out > 10 * len(peer_lines)
        assert int(summaries[-1].group(3)) >= RAW + JUNK - PER_ADDRESS
        # once the flood is over, single refusals are logged one by one again
        stranger = ctx.socket(zmq.DEALER)
        stranger.setsockopt(zmq.LINGER, 0)
        stranger.curve_publickey, stranger.curve_secretkey = zmq.curve_keypair()
        stranger.curve_serverkey = c.public_key("tproducer")
        stranger.connect(f"tcp://{FLOODER}:0;127.0.0.1:{port}")
        greet = [stranger]
        deadline = time.time() + 30
        while f"zap: refused a peer from {FLOODER}: key not on the allow-list" not in c.log("tproducer"):
            assert time.time() < deadline
            time.sleep(0.1)
        assert legit.call(state("cash")).testing.value == 1 + 2 * ADDS
        assert c.procs["tproducer"].poll() is None
    finally:
        for s in raw:
            s.close()
        for s in greet:
            s.close(0)
        ctx.term()
        c.stop()
