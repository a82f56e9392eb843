"""Who may call what, through the real gateway and services: each role against each kind of
route, operators and viewers confined to their own cooperative whether they name another one
in the path, the query or anywhere in the body, and viewers that never write."""
import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import (assert_error, coop_body, create_coop,  # noqa: E402
                          create_user, login)
from members_util import nik  # noqa: E402


import datetime  # noqa: E402

_serials = itertools.count(1000)


def member_body(**extra):
    serial = next(_serials)
    body = {"nik": nik(datetime.date(1990, 3, 4), True, serial), "name": "Ani %d" % serial,
            "sex": "female", "birth_date": "1990-03-04", "address": "Jl. Mawar %d" % serial,
            "phone": "0813-0000-%04d" % serial, "joined_on": "2021-02-01"}
    body.update(extra)
    return body


@pytest.fixture(scope="module")
def world(cluster):
    a = create_coop(cluster, "Koperasi Access A")
    b = create_coop(cluster, "Koperasi Access B")
    create_user(cluster, "acc.sup", "supervisor")
    create_user(cluster, "acc.op", "operator", coop=a)
    create_user(cluster, "acc.view", "viewer", coop=a)
    tokens = {"admin": cluster.admin_token(), "supervisor": login(cluster, "acc.sup"),
              "operator": login(cluster, "acc.op"), "viewer": login(cluster, "acc.view"),
              "anonymous": None}
    return {"a": a, "b": b, "tokens": tokens}


ROLES = ("admin", "supervisor", "operator", "viewer", "anonymous")
# (method, path, body factory or None, expected status per role in ROLES order)
MATRIX = [
    ("GET", "/api/v1/cooperatives/{a}", None, (200, 200, 200, 200, 401)),
    ("GET", "/api/v1/cooperatives/{b}", None, (200, 200, 403, 403, 401)),
    ("GET", "/api/v1/cooperatives/{a}/members", None, (200, 200, 200, 200, 401)),
    ("GET", "/api/v1/cooperatives/{b}/members", None, (200, 200, 403, 403, 401)),
    ("POST", "/api/v1/cooperatives/{a}/members", member_body, (201, 403, 201, 403, 401)),
    ("POST", "/api/v1/cooperatives/{b}/members", member_body, (201, 403, 403, 403, 401)),
    ("GET", "/api/v1/cooperatives/{a}/accounts", None, (200, 200, 200, 200, 401)),
    ("GET", "/api/v1/cooperatives/{b}/accounts", None, (200, 200, 403, 403, 401)),
    ("POST", "/api/v1/cooperatives", lambda: coop_body("Matrix Coop"), (201, 403, 403, 403, 401)),
    ("GET", "/api/v1/trainings", None, (200, 200, 403, 403, 401)),
    ("GET", "/api/v1/audit", None, (200, 200, 403, 403, 401)),
    ("GET", "/api/v1/users", None, (200, 403, 403, 403, 401)),
    ("GET", "/api/v1/auth/me", None, (200, 200, 200, 200, 401)),
    ("GET", "/healthz", None, (200, 200, 200, 200, 200)),
]


def test_each_role_against_each_kind_of_route(cluster, world):
    wrong = []
    for method, template, body, expected in MATRIX:
        path = template.format(**world)
        for role, want in zip(ROLES, expected):
            r = cluster.http(method, path, body() if body else None, token=world["tokens"][role])
            if r.status != want:
                wrong.append("%s %s as %s: %d (wanted %d) %s" % (method, path, role, r.status,
                                                                 want, r.text[:160]))
            elif want in (401, 403):
                assert r.json["error"]["code"] in ("unauthenticated", "forbidden"), r
    assert not wrong, "\n".join(wrong)


def test_an_operator_naming_another_cooperative_in_the_body_is_refused(cluster, world):
    op = world["tokens"]["operator"]
    mine = "/api/v1/cooperatives/%s/members" % world["a"]
    r = cluster.http("POST", mine, member_body(cooperative_id=world["b"]), token=op)
    assert_error(r, 403, "forbidden", "cooperative_id")
    r = cluster.http("POST", mine, member_body(cooperative_id=int(world["b"])), token=op)
    assert_error(r, 403, "forbidden", "cooperative_id")
    # anywhere in the body, before any other validation
    r = cluster.http("POST", mine, member_body(extra={"lines": [{"cooperative_id": world["b"]}]}), token=op)
    assert_error(r, 403, "forbidden", "cooperative_id")
    # naming their own is fine
    r = cluster.http("POST", mine, member_body(cooperative_id=world["a"]), token=op)
    assert r.status == 201, r


def test_an_operator_naming_another_cooperative_in_the_query_is_refused(cluster, world):
    op = world["tokens"]["operator"]
    r = cluster.http("GET", "/api/v1/cooperatives?cooperative_id=%s" % world["b"], token=op)
    assert_error(r, 403, "forbidden", "cooperative_id")
    listed = cluster.http("GET", "/api/v1/cooperatives", token=op)
    assert listed.status == 200 and [c["id"] for c in listed.json["items"]] == [world["a"]]


def test_a_cooperative_that_is_not_an_id(cluster, world):
    assert_error(cluster.http("GET", "/api/v1/cooperatives/abc/members", token=world["tokens"]["operator"]),
                 403, "forbidden")
    r = cluster.api("GET", "/api/v1/cooperatives/abc/members")
    assert r.status == 400 and r.json["error"]["field"] == "cooperative_id", r


def test_viewers_read_but_never_write(cluster, world):
    v = world["tokens"]["viewer"]
    a = world["a"]
    for method, path, body in (("POST", "/api/v1/cooperatives/%s/members" % a, member_body()),
                               ("PATCH", "/api/v1/cooperatives/%s" % a, {"district": "X"}),
                               ("PUT", "/api/v1/cooperatives/%s/board" % a, {"chair": "X"}),
                               ("POST", "/api/v1/cooperatives/%s/deposits" % a, {}),
                               ("POST", "/api/v1/cooperatives/%s/journal" % a, {})):
        assert_error(cluster.http(method, path, body, token=v), 403, "forbidden")
    assert cluster.http("GET", "/api/v1/cooperatives/%s" % a, token=v).status == 200
    second = login(cluster, "acc.view")
    assert cluster.http("POST", "/api/v1/auth/logout", token=second).status == 200


def test_money_moves_need_an_idempotency_key_after_access_is_checked(cluster, world):
    op = world["tokens"]["operator"]
    body = {"member_id": "1", "kind": "voluntary", "amount": "1000"}
    r = cluster.http("POST", "/api/v1/cooperatives/%s/deposits" % world["a"], body, token=op)
    assert_error(r, 400, "idempotency_key_required", "Idempotency-Key")
    r = cluster.http("POST", "/api/v1/cooperatives/%s/deposits" % world["b"], body, token=op)
    assert_error(r, 403, "forbidden")
    r = cluster.http("POST", "/api/v1/cooperatives/%s/deposits" % world["a"], body, token=op,
                     headers={"Idempotency-Key": "has space"})
    assert_error(r, 400, "invalid_idempotency_key", "Idempotency-Key")
    r = cluster.http("POST", "/api/v1/cooperatives/%s/deposits" % world["a"], body, token=op,
                     headers={"Idempotency-Key": "k" * 65})
    assert_error(r, 400, "invalid_idempotency_key", "Idempotency-Key")


def test_a_supervisor_records_supervision_but_an_operator_does_not(cluster, world):
    path = "/api/v1/cooperatives/%s/supervision" % world["a"]
    body = {"visited_on": "2026-03-01", "supervisor": "Pak Budi", "findings": "books in order"}
    r = cluster.http("POST", path, body, token=world["tokens"]["supervisor"])
    assert r.status == 201, r
    assert_error(cluster.http("POST", path, body, token=world["tokens"]["operator"]), 403, "forbidden")
    assert cluster.http("GET", path, token=world["tokens"]["operator"]).status == 200
