"""Login throttling that neither leaks which names exist nor lets a stranger lock anyone out.

- A known and an unknown name answer alike: same statuses, same bodies, and each attempt runs
  an Argon2id verify (lumbung_auth_password_checks_total counts them), the unknown ones against
  a dummy hash; after LUMBUNG_LOGIN_FAILURES_MAX both are locked the same way.
- Locks key on the source address: five failures for `admin` from 127.0.0.2 lock admin from
  127.0.0.2 only, and admin still logs in from 127.0.0.1.
- One address trying many names is locked for every name, and only that address.
The gateway listens on 127.0.0.1; the clients bind their own end to other loopback addresses."""
import http.client
import json
import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import PASSWORD, create_user  # noqa: E402
from lumbung import Cluster, Response  # noqa: E402

FAILURES_MAX = 5
ADDRESS_FAILURES_MAX = 10
ENV = {"LUMBUNG_LOGIN_DELAY_MS": "10", "LUMBUNG_LOGIN_DELAY_MAX_MS": "40",
       "LUMBUNG_LOGIN_FAILURES_MAX": str(FAILURES_MAX),
       "LUMBUNG_LOGIN_ADDRESS_FAILURES_MAX": str(ADDRESS_FAILURES_MAX),
       "LUMBUNG_LOGIN_LOCK_S": "120"}


@pytest.fixture(scope="module")
def gw():
    c = Cluster(services=["gateway"], env=ENV)
    try:
        c.start()
        yield c
    finally:
        c.stop()


def login_from(c, source, username, password):
    """POST /api/v1/auth/login from the loopback address `source`; (Response, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", c.http_port, timeout=30,
                                      source_address=(source, 0))
    start = time.time()
    try:
        conn.request("POST", "/api/v1/auth/login",
                     json.dumps({"username": username, "password": password}),
                     {"Content-Type": "application/json"})
        resp = conn.getresponse()
        r = Response(resp.status, resp.read(), dict(resp.getheaders()))
    finally:
        conn.close()
    return r, time.time() - start


def password_checks(c):
    text = c.http("GET", "/metrics").text
    return int(re.search(r"^lumbung_auth_password_checks_total (\d+)", text, re.M).group(1))


def shape(r):
    """Status, error code and message with the seconds left taken out, Retry-After present."""
    body = r.json["error"]
    return (r.status, body["code"], re.sub(r"\d+", "N", body["message"]), body.get("field"),
            "Retry-After" in r.headers)


def test_a_known_and_an_unknown_name_cannot_be_told_apart(gw):
    create_user(gw, "siti.known", "supervisor")
    known, unknown = [], []
    for i in range(FAILURES_MAX + 2):
        before = password_checks(gw)
        known.append(login_from(gw, "127.0.0.5", "siti.known", "wrong-%d" % i))
        after_known = password_checks(gw)
        unknown.append(login_from(gw, "127.0.0.6", "siti.unknown", "wrong-%d" % i))
        after_unknown = password_checks(gw)
        hashed = 1 if i < FAILURES_MAX else 0        # a locked name costs no hash, either way
        assert after_known - before == hashed, (i, known[-1])
        assert after_unknown - after_known == hashed, (i, unknown[-1])
    for i, ((k, _), (u, _)) in enumerate(zip(known, unknown)):
        assert shape(k) == shape(u), (i, k, u)
        if i < FAILURES_MAX - 1:
            assert shape(k) == (401, "invalid_credentials", "the username or password is wrong",
                                None, False), k
        else:
            assert k.status == 429 and k.json["error"]["code"] == "account_locked", k
    # The failures took comparable time (both include the same growing delay; the old code
    # answered a locked real name in milliseconds and an unknown one after the hash).
    t_known = sum(t for _, t in known[:FAILURES_MAX])
    t_unknown = sum(t for _, t in unknown[:FAILURES_MAX])
    assert t_known / 5 < t_unknown < t_known * 5, (t_known, t_unknown)
    # The right password of the known name is refused the same way while locked.
    r, _ = login_from(gw, "127.0.0.5", "siti.known", PASSWORD)
    assert shape(r) == shape(unknown[-1][0]), r


def test_a_stranger_cannot_lock_the_admin_out(gw):
    for i in range(FAILURES_MAX - 1):
        r, _ = login_from(gw, "127.0.0.2", "admin", "guess-%d" % i)
        assert r.status == 401 and r.json["error"]["code"] == "invalid_credentials", r
    r, _ = login_from(gw, "127.0.0.2", "admin", "guess-last")
    assert r.status == 429 and r.json["error"]["code"] == "account_locked", r
    assert 110 <= int(r.headers["Retry-After"]) <= 120, r.headers
    r, _ = login_from(gw, "127.0.0.2", "admin", gw.admin_password)
    assert r.status == 429 and r.json["error"]["code"] == "account_locked", r
    # From its own address the admin logs in, and sees the lock on its account.
    r, _ = login_from(gw, "127.0.0.1", "admin", gw.admin_password)
    assert r.status == 200, r
    users = gw.http("GET", "/api/v1/users?limit=500", token=r.json["token"]).json["items"]
    assert "locked_until" in [u for u in users if u["username"] == "admin"][0]


def test_an_address_trying_many_names_is_locked_for_all_and_alone(gw):
    create_user(gw, "rina.op", "supervisor")
    for i in range(ADDRESS_FAILURES_MAX - 1):
        r, _ = login_from(gw, "127.0.0.3", "spray%d" % i, "guess")
        assert r.status == 401 and r.json["error"]["code"] == "invalid_credentials", (i, r)
    r, _ = login_from(gw, "127.0.0.3", "spray-last", "guess")
    assert r.status == 429 and r.json["error"]["code"] == "too_many_logins", r
    assert int(r.headers["Retry-After"]) > 0
    r, _ = login_from(gw, "127.0.0.3", "rina.op", PASSWORD)
    assert r.status == 429 and r.json["error"]["code"] == "too_many_logins", r
    r, _ = login_from(gw, "127.0.0.4", "rina.op", PASSWORD)
    assert r.status == 200, r


def test_an_admin_unlock_clears_the_lock_from_every_address(gw):
    user = create_user(gw, "dewi.op", "supervisor")
    for i in range(FAILURES_MAX):
        login_from(gw, "127.0.0.7", "dewi.op", "wrong-%d" % i)
    r, _ = login_from(gw, "127.0.0.7", "dewi.op", PASSWORD)
    assert r.status == 429, r
    r = gw.api("PATCH", "/api/v1/users/%s" % user["id"], {"unlock": True})
    assert r.status == 200 and "locked_until" not in r.json, r
    r, _ = login_from(gw, "127.0.0.7", "dewi.op", PASSWORD)
    assert r.status == 200, r


def test_the_right_password_on_many_connections_at_once_is_never_locked(gw):
    """Attempts in flight count against the limit, but only failures lock: 24 parallel logins
    with the right password from one address get 200 or a 1-second 429 `too_many_logins`, never
    `account_locked`, and the user logs in normally right after."""
    import threading
    create_user(gw, "kasir.paralel", "operator", 1)
    results = []

    def one():
        r, _ = login_from(gw, "127.0.0.8", "kasir.paralel", PASSWORD)
        results.append(r)
    threads = [threading.Thread(target=one) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted((r.status, r.json["error"]["code"] if r.status != 200 else "") for r in results)
    assert {c for c in codes} <= {(200, ""), (429, "too_many_logins")}, codes
    assert (200, "") in codes
    assert all(r.headers.get("Retry-After") == "1" for r in results if r.status == 429)
    time.sleep(1.1)
    r, _ = login_from(gw, "127.0.0.8", "kasir.paralel", PASSWORD)
    assert r.status == 200, r
