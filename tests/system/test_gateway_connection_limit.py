"""Idle HTTP connections from one address cannot starve the others: beyond
LUMBUNG_HTTP_CONNECTIONS_PER_ADDRESS the gateway closes a new connection from that address at
once, while other addresses are served; the refusals do not flood the log."""
import os
import socket
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster  # noqa: E402

PER_ADDRESS = 4
FLOODER = "127.0.0.7"


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(services=["gateway"], env={"LUMBUNG_HTTP_CONNECTIONS_PER_ADDRESS": str(PER_ADDRESS),
                                           "LUMBUNG_HTTP_TIMEOUT_S": "30"})
    try:
        c.start_service("gateway", wait=False)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if c.http("GET", "/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield c
    finally:
        c.stop()


def connect_from(cluster, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", cluster.http_port))
    return s


def closed_at_once(s):
    """True when the server closed the connection without answering a request on it."""
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return s.recv(100) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def test_one_address_gets_its_share_and_others_are_served(cluster):
    idle = [connect_from(cluster, FLOODER) for _ in range(PER_ADDRESS)]
    try:
        time.sleep(0.3)
        refused = [connect_from(cluster, FLOODER) for _ in range(30)]
        assert all(closed_at_once(s) for s in refused)
        for s in refused:
            s.close()
        # another address is served while the flooder holds its share
        assert cluster.http("GET", "/healthz").status == 200
        other = connect_from(cluster, "127.0.0.8")
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert other.recv(100).startswith(b"HTTP/1.1 200")
        other.close()
        # the flooder's held connections still work
        idle[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle[0].recv(100).startswith(b"HTTP/1.1 200")
    finally:
        for s in idle:
            s.close()
    # once its connections are closed the address is served again
    deadline = time.time() + 5
    while True:
        s = connect_from(cluster, FLOODER)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        try:
            ok = s.recv(100).startswith(b"HTTP/1.1 200")
        except ConnectionResetError:
            ok = False
        s.close()
        if ok or time.time() > deadline:
            break
        time.sleep(0.1)
    assert ok
    # 30 refusals in well under a second: a few lines and the count, not 30
    lines = [l for l in cluster.log("gateway").splitlines() if "http: " in l and "limit" in l.lower()]
    assert len(lines) <= 6, lines
