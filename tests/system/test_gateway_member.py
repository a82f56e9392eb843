"""The member role (issue 15): an operator gives a member access with a one-time code, the member
activates it with a PIN and logs in with cooperative + member number + PIN, and then reads only
their own records.

The matrix half is generated from the route table like test_gateway_matrix.py: every route
`lumbung-gateway --routes` prints, called by a member of cooperative A, is refused with 403
`forbidden` unless it is public or marked `member` — and a member route naming another member
(or cooperative) is refused too. The rest is the access life cycle: single use and expiry of
the code, the PIN rules, lockout after repeated failures (the gateway's throttle), and a new
code ending the member's sessions."""
import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_error, create_coop, create_user, login  # noqa: E402
from lumbung import Cluster  # noqa: E402
from members_util import nik  # noqa: E402
from test_gateway_matrix import MISSING_ID, ROUTES, call  # noqa: E402

import datetime  # noqa: E402

PIN = "246810"


def add_member(cluster, coop, serial):
    body = {"nik": nik(datetime.date(1984, 3, 9), True, serial), "name": "Anggota Mandiri %d" % serial,
            "sex": "female", "birth_date": "1984-03-09", "address": "Desa Sukamaju",
            "phone": "0812-7000-%04d" % serial, "joined_on": "2025-01-02"}
    r = cluster.api("POST", "/api/v1/cooperatives/%s/members" % coop, body)
    assert r.status == 201, r
    return r.json


def grant(cluster, coop, member_id, token=None):
    r = cluster.http("POST", "/api/v1/cooperatives/%s/members/%s/access" % (coop, member_id), {},
                     token=token or cluster.admin_token())
    assert r.status == 201, r
    return r.json


def activate(cluster, coop, number, code, pin=PIN):
    return cluster.http("POST", "/api/v1/member/activate",
                        {"cooperative_id": str(coop), "member_number": number, "code": code, "pin": pin})


def member_login(cluster, coop, number, pin=PIN):
    return cluster.http("POST", "/api/v1/member/login",
                        {"cooperative_id": str(coop), "member_number": number, "pin": pin})


@pytest.fixture(scope="module")
def world(cluster):
    a = create_coop(cluster, "Koperasi Anggota A")
    b = create_coop(cluster, "Koperasi Anggota B")
    create_user(cluster, "mb.opa", "operator", coop=a)
    create_user(cluster, "mb.viewa", "viewer", coop=a)
    create_user(cluster, "mb.opb", "operator", coop=b)
    me = add_member(cluster, a, 1)
    other = add_member(cluster, a, 2)
    code = grant(cluster, a, me["id"], login(cluster, "mb.opa"))["code"]
    r = activate(cluster, a, me["member_number"], code)
    assert r.status == 200, r
    return {"a": a, "b": b, "me": me, "other": other, "token": r.json["token"]}


def test_access_gives_a_code_once_and_activation_logs_the_member_in(cluster, world):
    a, other = world["a"], world["other"]
    g = grant(cluster, a, other["id"], login(cluster, "mb.opa"))
    assert len(g["code"]) == 10 and g["code"].isalnum() and g["code"].upper() == g["code"], g
    assert g["user"]["role"] == "member" and g["user"]["member_id"] == other["id"], g
    assert g["user"]["member_number"] == other["member_number"] and g["user"]["pin_set"] is False, g
    assert g["user"]["cooperative_id"] == a, g
    # No PIN yet: a login cannot succeed, whatever is typed.
    assert_error(member_login(cluster, a, other["member_number"], "000000"), 401, "invalid_credentials")
    # A wrong code is refused like a wrong password.
    assert_error(activate(cluster, a, other["member_number"], "ABCDEFGHJK"), 401, "invalid_credentials")
    r = activate(cluster, a, other["member_number"], g["code"].lower(), "135790")   # case-blind
    assert r.status == 200, r
    me = cluster.http("GET", "/api/v1/auth/me", token=r.json["token"])
    assert me.status == 200 and me.json["role"] == "member" and me.json["pin_set"] is True, me
    assert me.json["member_id"] == other["id"], me
    # Single use: the same code again is refused, and the PIN set stays.
    assert_error(activate(cluster, a, other["member_number"], g["code"], "999999"), 401,
                 "invalid_credentials")
    assert member_login(cluster, a, other["member_number"], "135790").status == 200
    assert_error(member_login(cluster, a, other["member_number"], "999999"), 401, "invalid_credentials")


def test_only_a_pin_of_six_digits_is_taken(cluster, world):
    a, me = world["a"], world["me"]
    for bad in ("12345", "1234567", "12345a", "١٢٣٤٥٦"):
        assert_error(activate(cluster, a, me["member_number"], "ABCDEFGHJK", bad), 400, "invalid_pin", "pin")
    r = cluster.http("POST", "/api/v1/member/login", {"cooperative_id": str(a), "pin": PIN})
    assert_error(r, 400, "required", "member_number")
    r = cluster.http("POST", "/api/v1/member/login",
                     {"cooperative_id": str(a), "member_number": 1, "pin": PIN, "nik": "x"})
    assert_error(r, 400, "unknown_field", "nik")


def test_only_an_operator_of_the_cooperative_or_an_admin_gives_access(cluster, world):
    a, me = world["a"], world["me"]
    path = "/api/v1/cooperatives/%s/members/%s/access" % (a, me["id"])
    assert_error(cluster.http("POST", path, {}, token=login(cluster, "mb.viewa")), 403, "forbidden")
    assert_error(cluster.http("POST", path, {}, token=login(cluster, "mb.opb")), 403, "forbidden",
                 "cooperative_id")
    assert_error(cluster.http("POST", path, {}, token=world["token"]), 403, "forbidden")
    assert_error(cluster.http("POST", path, {}), 401, "unauthenticated")
    r = cluster.http("POST", "/api/v1/cooperatives/%s/members/%s/access" % (a, MISSING_ID), {},
                     token=cluster.admin_token())
    assert r.status == 404, r
    # The operator of B cannot reach A's member through B's path either: the service finds no
    # such member in B.
    r = cluster.http("POST", "/api/v1/cooperatives/%s/members/%s/access" % (world["b"], me["id"]), {},
                     token=login(cluster, "mb.opb"))
    assert r.status == 404, r


def own_path(route, world, member_id):
    path = route["pattern"]
    for p in route["params"]:
        value = {"coop": world["a"], "year": "2025", "id": member_id}.get(p["name"], MISSING_ID)
        path = path.replace("{%s}" % p["name"], str(value))
    return path


def test_every_route_a_member_calls_is_refused_unless_it_is_theirs(cluster, world):
    token, wrong = world["token"], []
    for route in ROUTES:
        if route["operation"] == "logout":
            continue
        member_route = "member" in route["flags"]
        has_id = any(p["name"] == "id" for p in route["params"])
        if member_route:
            assert route["method"] == "GET" or route["service"] == "gateway", route
        # 1. the matrix call: {id} is a member that is not theirs
        r = call(cluster, route, world["a"], token)
        code = (r.json or {}).get("error", {}).get("code") if isinstance(r.json, dict) else None
        allowed = route["access"] == "public" or (member_route and not has_id)
        if allowed and (r.status >= 500 or (r.status in (401, 403) and code in ("unauthenticated", "forbidden"))):
            wrong.append("%s %s: allowed, got %d %s" % (route["method"], route["pattern"], r.status, r.text[:120]))
        if not allowed and (r.status, code) != (403, "forbidden"):
            wrong.append("%s %s: refused wanted, got %d %s" % (route["method"], route["pattern"], r.status, r.text[:120]))
        # 2. their own id, in their own cooperative: the member routes get through
        if member_route and has_id:
            r = cluster.http(route["method"], own_path(route, world, world["me"]["id"]), token=token)
            if r.status != 200:
                wrong.append("%s %s own: %d %s" % (route["method"], route["pattern"], r.status, r.text[:120]))
    assert not wrong, "\n".join(wrong)
    assert sum("member" in r["flags"] for r in ROUTES) >= 5


def test_a_member_reads_their_own_records_only(cluster, world):
    a, b, me, other, token = world["a"], world["b"], world["me"], world["other"], world["token"]
    base = "/api/v1/cooperatives/%s" % a
    r = cluster.http("GET", base + "/members/%s" % me["id"], token=token)
    assert r.status == 200 and r.json["id"] == me["id"] and r.json["nik"] == me["nik"], r
    r = cluster.http("GET", base + "/members/%s/statement" % me["id"], token=token)
    assert r.status == 200 and r.json["member_id"] == me["id"], r
    # Another member by changing the id in the path, or smuggled in the query.
    for path in ("/members/%s" % other["id"], "/members/%s/statement" % other["id"],
                 "/members/%s/statement?member_id=%s" % (me["id"], other["id"])):
        assert_error(cluster.http("GET", base + path, token=token), 403, "forbidden", "member_id")
    # Another cooperative.
    r = cluster.http("GET", "/api/v1/cooperatives/%s/members/%s" % (b, me["id"]), token=token)
    assert_error(r, 403, "forbidden", "cooperative_id")
    r = cluster.http("GET", base + "/members/%s/statement?cooperative_id=%s" % (me["id"], b), token=token)
    assert_error(r, 403, "forbidden", "cooperative_id")
    # The cooperative's registers and reports that show other members are not theirs.
    for path in ("/members", "/reports/shu", "/reports/members", "/reports/loans", "/reports/journal"):
        assert_error(cluster.http("GET", base + path, token=token), 403, "forbidden")
    assert_error(cluster.http("GET", "/api/v1/cooperatives", token=token), 403, "forbidden")
    # Never a write, even of their own records.
    r = cluster.http("PATCH", base + "/members/%s" % me["id"], {"phone": "0800"}, token=token)
    assert_error(r, 403, "forbidden")
    r = cluster.http("POST", base + "/deposits", {"member_id": me["id"], "kind": "voluntary",
                                                  "amount": "1000", "value_date": "2025-01-06"},
                     token=token, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert_error(r, 403, "forbidden")
    assert_error(cluster.http("POST", "/api/v1/auth/password",
                              {"current_password": PIN, "new_password": "x" * 12}, token=token),
                 403, "forbidden")
    # The annual meetings of their cooperative they may read.
    assert cluster.http("GET", base + "/annual-meetings", token=token).status == 200


def test_repeated_failures_lock_the_member_and_a_new_code_ends_sessions(cluster, world):
    a = world["a"]
    m = add_member(cluster, a, 3)
    g = grant(cluster, a, m["id"])
    r = activate(cluster, a, m["member_number"], g["code"])
    assert r.status == 200, r
    session = r.json["token"]
    for _ in range(4):
        assert_error(member_login(cluster, a, m["member_number"], "111111"), 401, "invalid_credentials")
    # The fifth failure in a row locks (LUMBUNG_LOGIN_FAILURES_MAX, the operators' throttle).
    assert_error(member_login(cluster, a, m["member_number"], "111111"), 429, "account_locked")
    r = member_login(cluster, a, m["member_number"])          # the right PIN, now locked
    assert_error(r, 429, "account_locked")
    assert int(r.headers["Retry-After"]) > 0, r.headers
    # An operator's new code unlocks, clears the PIN and ends the sessions of the account.
    g2 = grant(cluster, a, m["id"])
    assert cluster.http("GET", "/api/v1/auth/me", token=session).status == 401
    assert_error(member_login(cluster, a, m["member_number"]), 401, "invalid_credentials")
    assert_error(activate(cluster, a, m["member_number"], g["code"]), 401, "invalid_credentials")
    assert activate(cluster, a, m["member_number"], g2["code"]).status == 200
    assert member_login(cluster, a, m["member_number"]).status == 200


def test_guessing_codes_locks_activation(cluster, world):
    a = world["a"]
    m = add_member(cluster, a, 4)
    g = grant(cluster, a, m["id"])
    for i in range(4):
        assert_error(activate(cluster, a, m["member_number"], "WRONG%05d" % i), 401, "invalid_credentials")
    assert_error(activate(cluster, a, m["member_number"], "WRONG99999"), 429, "account_locked")
    assert_error(activate(cluster, a, m["member_number"], g["code"]), 429, "account_locked")


def test_a_code_expires():
    c = Cluster(services=["members", "gateway"], env={"LUMBUNG_MEMBER_CODE_TTL_S": "1"})
    try:
        c.start()
        coop = create_coop(c, "Koperasi Kedaluwarsa")
        m = add_member(c, coop, 1)
        g = grant(c, coop, m["id"])
        time.sleep(1.5)
        assert_error(activate(c, coop, m["member_number"], g["code"]), 401, "invalid_credentials")
        g = grant(c, coop, m["id"])                      # a fresh one works at once
        assert activate(c, coop, m["member_number"], g["code"]).status == 200
    finally:
        c.stop()
