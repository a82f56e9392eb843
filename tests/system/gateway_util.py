"""Helpers for the gateway's system tests: users of each role, logins, request bodies, and a
raw socket for what urllib cannot do (slow clients, chunked bodies)."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN  # noqa: E402

PASSWORD = "kata-sandi-rahasia-1"


def coop_body(name, **extra):
    body = {"name": name, "type": "savings_loan", "group": "women", "district": "Cibeunying",
            "legal_number": "518.08/96/BH/XIV.10/VIII/2008", "legal_date": "2008-08-14",
            "founded_on": "2008-01-10",
            "settings": {"principal_amount": "100000", "mandatory_amount": "25000",
                         "mandatory_period": "monthly", "fiscal_year_start": 1}}
    body.update(extra)
    return body


def create_coop(cluster, name):
    r = cluster.api("POST", "/api/v1/cooperatives", coop_body(name))
    assert r.status == 201, r
    return r.json["id"]


def create_user(cluster, username, role, coop=None, password=PASSWORD):
    body = {"username": username, "password": password, "full_name": username.title(), "role": role}
    if coop is not None:
        body["cooperative_id"] = str(coop)
    r = cluster.api("POST", "/api/v1/users", body)
    assert r.status == 201, r
    return r.json


def login(cluster, username, password=PASSWORD):
    r = cluster.http("POST", "/api/v1/auth/login", {"username": username, "password": password})
    assert r.status == 200, r
    return r.json["token"]


def assert_error(r, status, code, field=None):
    assert r.status == status, r
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    err = r.json["error"]
    assert err["code"] == code, r
    assert isinstance(err["message"], str) and err["message"], r
    if field is not None:
        assert err.get("field") == field, r
    return err


def assert_serving(cluster):
    r = cluster.http("GET", "/healthz", timeout=5)
    assert r.status == 200 and r.json == {"status": "ok"}, r


def raw_request(cluster, data, timeout=10.0):
    """Sends raw bytes and returns everything the server answers until it closes (or the
    timeout): (bytes, seconds until closed or None)."""
    s = socket.create_connection(("127.0.0.1", cluster.http_port), timeout=timeout)
    start = time.time()
    try:
        if data:
            s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return b"".join(chunks), None
            except ConnectionResetError:
                return b"".join(chunks), time.time() - start
            if not chunk:
                return b"".join(chunks), time.time() - start
            chunks.append(chunk)
    finally:
        s.close()
