"""The audit trail: every state-changing call — successful, refused or failed, logins
included — is recorded with the right user, role, route, cooperative, target, status and
outcome; reads are not; the list is newest first, filtered and paged; only admins and
supervisors read it. A call over the bus is recorded as it is sent (outcome "pending") and its
entry gets the outcome with the answer."""
import datetime
import os
import signal
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from crash_load import jakarta_today  # noqa: E402
from gateway_util import (assert_error, create_coop, create_user,  # noqa: E402
                          login)
from lumbung import Cluster  # noqa: E402
from members_util import nik  # noqa: E402



@pytest.fixture(scope="module")
def world(cluster):
    a = create_coop(cluster, "Koperasi Audit A")
    b = create_coop(cluster, "Koperasi Audit B")
    create_user(cluster, "aud.op", "operator", coop=a)
    create_user(cluster, "aud.sup", "supervisor")
    return {"a": a, "b": b, "op": login(cluster, "aud.op"), "sup": login(cluster, "aud.sup")}


def newest(cluster, **query):
    q = "&".join("%s=%s" % kv for kv in query.items())
    r = cluster.api("GET", "/api/v1/audit?limit=1" + ("&" + q if q else ""))
    assert r.status == 200, r
    return r.json["items"][0]


def test_a_successful_change_is_recorded(cluster, world):
    body = {"nik": nik(datetime.date(1977, 5, 6), False, 4242), "name": "Joko", "sex": "male",
            "birth_date": "1977-05-06", "joined_on": "2022-01-01"}
    r = cluster.http("POST", "/api/v1/cooperatives/%s/members" % world["a"], body, token=world["op"])
    assert r.status == 201, r
    e = newest(cluster)
    assert (e["user"], e["role"], e["method"], e["status"], e["outcome"]) == \
        ("aud.op", "operator", "POST", 201, "ok")
    assert e["route"] == "/api/v1/cooperatives/{coop}/members"
    assert e["path"] == "/api/v1/cooperatives/%s/members" % world["a"]
    assert e["cooperative_id"] == world["a"]
    assert e["request_id"] == r.headers["X-Request-Id"]
    assert int(e["bus_request_id"]) > 0
    # a change to one member names it as the target
    r = cluster.http("PATCH", "/api/v1/cooperatives/%s/members/%s" % (world["a"], r.json["id"]),
                     {"phone": "0811-2222-333"}, token=world["op"])
    assert r.status == 200, r
    e = newest(cluster)
    assert e["target"] == "id=%s" % r.json["id"] and e["route"].endswith("/members/{id}")


def test_refused_and_failed_changes_are_recorded(cluster, world):
    r = cluster.http("POST", "/api/v1/cooperatives/%s/members" % world["b"], {"name": "x"}, token=world["op"])
    assert r.status == 403
    e = newest(cluster)
    assert (e["user"], e["status"], e["outcome"], e["cooperative_id"]) == ("aud.op", 403, "forbidden", world["b"])
    r = cluster.http("POST", "/api/v1/cooperatives/%s/members" % world["a"], {"name": "x"}, token=world["op"])
    assert r.status == 400
    e = newest(cluster)
    assert (e["status"], e["outcome"]) == (400, r.json["error"]["code"])
    cluster.http("POST", "/api/v1/cooperatives/%s/members" % world["a"], {"name": "x"}, token="forged")
    e = newest(cluster)
    assert (e["user"], e["status"], e["outcome"]) == ("", 401, "invalid_token")


def test_logins_are_recorded_with_the_name_tried(cluster, world):
    cluster.http("POST", "/api/v1/auth/login", {"username": "aud.op", "password": "wrong-password"})
    e = newest(cluster)
    assert (e["user"], e["route"], e["status"], e["outcome"]) == \
        ("aud.op", "/api/v1/auth/login", 401, "invalid_credentials")
    login(cluster, "aud.sup")
    e = newest(cluster)
    assert (e["user"], e["role"], e["status"], e["outcome"]) == ("aud.sup", "supervisor", 200, "ok")


def test_reads_are_not_recorded(cluster, world):
    before = newest(cluster)["id"]
    for _ in range(3):
        cluster.http("GET", "/api/v1/cooperatives/%s" % world["a"], token=world["op"])
        cluster.api("GET", "/api/v1/users")
    assert newest(cluster)["id"] == before


def test_idempotency_keys_are_recorded(cluster, world):
    cluster.http("POST", "/api/v1/cooperatives/%s/deposits" % world["a"],
                 {"member_id": "999999", "kind": "voluntary", "amount": "1000"}, token=world["op"],
                 headers={"Idempotency-Key": "setoran-0001"})
    e = newest(cluster)
    assert e["idempotency_key"] == "setoran-0001" and e["route"].endswith("/deposits")


def test_filters_and_paging(cluster, world):
    # The change the filters must find is this test's own: aud.op refused in cooperative B.
    today = datetime.datetime.utcnow().date()
    r = cluster.http("POST", "/api/v1/cooperatives/%s/members" % world["b"], {"name": "x"}, token=world["op"])
    assert r.status == 403, r
    mine = r.headers["X-Request-Id"]
    by_user = cluster.api("GET", "/api/v1/audit?user=aud.op&limit=500").json["items"]
    assert by_user and all(e["user"] == "aud.op" for e in by_user)
    assert by_user[0]["request_id"] == mine
    by_coop = cluster.api("GET", "/api/v1/audit?cooperative_id=%s&limit=500" % world["b"]).json["items"]
    assert by_coop and all(e["cooperative_id"] == world["b"] for e in by_coop)
    assert by_coop[0]["request_id"] == mine
    tomorrow = today + datetime.timedelta(days=1)
    assert cluster.api("GET", "/api/v1/audit?from=%s" % today).json["items"]
    assert cluster.api("GET", "/api/v1/audit?from=%s" % tomorrow).json["items"] == []
    assert cluster.api("GET", "/api/v1/audit?to=%s" % (today - datetime.timedelta(days=1))).json["items"] == []
    everything = cluster.api("GET", "/api/v1/audit?limit=500").json["items"]
    ids = [int(e["id"]) for e in everything]
    assert ids == sorted(ids, reverse=True)
    paged, cursor = [], None
    while True:
        r = cluster.api("GET", "/api/v1/audit?limit=3" + ("&cursor=" + cursor if cursor else ""))
        paged += [int(e["id"]) for e in r.json["items"]]
        cursor = r.json.get("next_cursor")
        if not cursor:
            break
    assert paged[:len(ids)] == ids[:len(paged)] and len(set(paged)) == len(paged)


@pytest.mark.parametrize("query,field", [("limit=0", "limit"), ("limit=501", "limit"),
                                         ("from=yesterday", "from"), ("to=2026-13-01", "to"),
                                         ("cursor=-1", "cursor"), ("cooperative_id=x", "cooperative_id"),
                                         ("colour=red", "colour")])
def test_bad_queries_name_the_parameter(cluster, query, field):
    r = cluster.api("GET", "/api/v1/audit?" + query)
    assert r.status == 400 and r.json["error"]["field"] == field, r


def test_only_admins_and_supervisors_read_the_audit(cluster, world):
    assert cluster.http("GET", "/api/v1/audit", token=world["sup"]).status == 200
    assert_error(cluster.http("GET", "/api/v1/audit", token=world["op"]), 403, "forbidden")
    assert_error(cluster.http("GET", "/api/v1/audit"), 401, "unauthenticated")


def entries_of(c, key):
    """(id, status, outcome, at) of the audit entries with Idempotency-Key `key`, newest
    first."""
    r = c.api("GET", "/api/v1/audit?limit=500")
    assert r.status == 200, r
    return [(e["id"], e["status"], e["outcome"], e["at"]) for e in r.json["items"]
            if e.get("idempotency_key") == key]


def deposit_in_background(c, coop, member, key):
    """Sends a deposit from a thread; the result holds its response, or the OSError that ended
    it."""
    result = {}

    def send():
        try:
            result["r"] = c.api("POST", "/api/v1/cooperatives/%s/deposits" % coop,
                                {"member_id": member, "kind": "voluntary", "amount": "7500",
                                 "value_date": jakarta_today().isoformat()},
                                headers={"Idempotency-Key": key})
        except OSError as e:
            result["error"] = e
    t = threading.Thread(target=send)
    t.start()
    return t, result


def wait_pending(c, key, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = entries_of(c, key)
        if found:
            return found
        time.sleep(0.02)
    return []


@pytest.fixture
def own_cluster():
    c = Cluster()
    try:
        c.start()
        yield c
    finally:
        tx = c.procs.get("transactions")
        if tx and tx.poll() is None:
            os.kill(tx.pid, signal.SIGCONT)
        c.stop()


def test_a_call_is_recorded_as_it_is_sent_and_gets_its_outcome_with_the_answer(own_cluster):
    """While transactions is held (SIGSTOP) the deposit's entry is already in the trail with
    status 0 and outcome "pending", so its commit does not wait for the ledger's; once the
    ledger answers, the same entry (same id) reads 201 ok and no second one is made. A gateway
    killed before the answer leaves the entry pending (the trail keeps the attempt); the
    client's retry with the same key gets the posting the ledger took, recorded anew."""
    c = own_cluster
    coop = create_coop(c, "Koperasi Audit Jalan")
    r = c.api("POST", "/api/v1/cooperatives/%s/members" % coop,
              {"nik": nik(datetime.date(1980, 3, 4), True, 5151), "name": "Ibu Sari",
               "sex": "female", "birth_date": "1980-03-04", "joined_on": "2024-01-02"})
    assert r.status == 201, r
    member = r.json["id"]
    tx = c.procs["transactions"]

    os.kill(tx.pid, signal.SIGSTOP)
    t, result = deposit_in_background(c, coop, member, "jalan-1")
    pending = wait_pending(c, "jalan-1")
    os.kill(tx.pid, signal.SIGCONT)
    t.join(30)
    assert [(s, o) for _, s, o, _ in pending] == [(0, "pending")], pending
    assert result["r"].status == 201, result
    # the same entry, with the time of the call
    assert entries_of(c, "jalan-1") == [(pending[0][0], 201, "ok", pending[0][3])]

    os.kill(tx.pid, signal.SIGSTOP)
    t, result = deposit_in_background(c, coop, member, "jalan-2")
    pending = wait_pending(c, "jalan-2")
    c.kill("gateway")
    os.kill(tx.pid, signal.SIGCONT)
    t.join(30)
    assert "r" not in result, result                   # never answered
    assert [(s, o) for _, s, o, _ in pending] == [(0, "pending")], pending
    c.start_service("gateway")
    again = c.api("POST", "/api/v1/cooperatives/%s/deposits" % coop,
                  {"member_id": member, "kind": "voluntary", "amount": "7500",
                   "value_date": jakarta_today().isoformat()},
                  headers={"Idempotency-Key": "jalan-2"})
    assert again.status == 201 and again.json["balance"] == "15000", again
    found = entries_of(c, "jalan-2")
    assert [(s, o) for _, s, o, _ in found] == [(201, "ok"), (0, "pending")], found
    assert found[1][0] == pending[0][0]
