"""The audit trail: every state-changing call — successful, refused or failed, logins
included — is recorded with the right user, role, route, cooperative, target, status and
outcome; reads are not; the list is newest first, filtered and paged; only admins and
supervisors read it."""
import datetime
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import (assert_error, create_coop, create_user,  # noqa: E402
                          login)
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
