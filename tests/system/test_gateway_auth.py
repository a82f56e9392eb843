"""Gateway accounts and sessions over HTTP: login, wrong and unknown credentials, tampered,
revoked and expired tokens, throttling and lockout, user administration with its validation
errors, and the first admin created on an empty store. The gateway runs alone: none of this
needs a backend service."""
import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import (PASSWORD, assert_error, assert_serving,  # noqa: E402
                          create_user, login)
from lumbung import Cluster  # noqa: E402


FAST = {"LUMBUNG_LOGIN_DELAY_MS": "40", "LUMBUNG_LOGIN_DELAY_MAX_MS": "400",
        "LUMBUNG_LOGIN_FAILURES_MAX": "5", "LUMBUNG_LOGIN_LOCK_S": "3"}


@pytest.fixture(scope="module")
def gw():
    c = Cluster(services=["gateway"], env=FAST)
    try:
        c.start()
        yield c
    finally:
        c.stop()


def me(c, token):
    return c.http("GET", "/api/v1/auth/me", token=token)


def no_secrets(obj):
    text = repr(obj).lower()
    return "password" not in text and "hash" not in text and "argon" not in text


def test_login_returns_a_token_its_expiry_and_the_user(gw):
    r = gw.http("POST", "/api/v1/auth/login", {"username": "admin", "password": gw.admin_password})
    assert r.status == 200, r
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", r.json["token"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r.json["expires_at"])
    assert r.json["user"]["username"] == "admin" and r.json["user"]["role"] == "admin"
    assert no_secrets(r.json)
    assert r.headers.get("Cache-Control") == "no-store"
    assert me(gw, r.json["token"]).json["username"] == "admin"


def test_every_login_gets_its_own_token(gw):
    assert login(gw, "admin", gw.admin_password) != login(gw, "admin", gw.admin_password)


def test_wrong_password_and_unknown_user_look_the_same(gw):
    a = gw.http("POST", "/api/v1/auth/login", {"username": "admin", "password": "not-the-password"})
    b = gw.http("POST", "/api/v1/auth/login", {"username": "nobody", "password": "not-the-password"})
    assert_error(a, 401, "invalid_credentials")
    assert_error(b, 401, "invalid_credentials")
    assert a.json == b.json
    # a failure is not counted against a later success
    assert login(gw, "admin", gw.admin_password)


def test_malformed_logins_name_the_field(gw):
    assert_error(gw.http("POST", "/api/v1/auth/login", {"username": "admin"}), 400, "required", "password")
    assert_error(gw.http("POST", "/api/v1/auth/login", {"password": "x"}), 400, "required", "username")
    assert_error(gw.http("POST", "/api/v1/auth/login", {"username": 5, "password": "x"}), 400,
                 "invalid_type", "username")
    assert_error(gw.http("POST", "/api/v1/auth/login", {"username": "a", "password": "b", "otp": 1}),
                 400, "unknown_field", "otp")
    assert_error(gw.http("POST", "/api/v1/auth/login", raw=b"{\"username\":"), 400, "invalid_json")
    assert_serving(gw)


def test_missing_tampered_and_unknown_tokens_are_401(gw):
    token = login(gw, "admin", gw.admin_password)
    r = gw.http("GET", "/api/v1/auth/me")
    assert_error(r, 401, "unauthenticated")
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    for bad in (flipped, token[:-1], token + "A", "x" * 43, "not a token", "%00" + token):
        assert_error(me(gw, bad), 401, "invalid_token")
    r = gw.http("GET", "/api/v1/auth/me", headers={"Authorization": "Basic " + token})
    assert_error(r, 401, "unauthenticated")
    assert me(gw, token).status == 200


def test_logout_revokes_only_that_token(gw):
    first, second = login(gw, "admin", gw.admin_password), login(gw, "admin", gw.admin_password)
    r = gw.http("POST", "/api/v1/auth/logout", token=first)
    assert r.status == 200 and r.json == {"status": "logged_out"}, r
    assert_error(me(gw, first), 401, "invalid_token")
    assert_error(gw.http("POST", "/api/v1/auth/logout", token=first), 401, "invalid_token")
    assert me(gw, second).status == 200


def test_failures_slow_down_then_lock_the_account(gw):
    create_user(gw, "lockme", "supervisor")
    times = []
    for i in range(4):
        start = time.time()
        r = gw.http("POST", "/api/v1/auth/login", {"username": "lockme", "password": "wrong-%d" % i})
        times.append(time.time() - start)
        assert_error(r, 401, "invalid_credentials")
    assert times[3] >= 0.3 > times[0], times            # 40, 80, 160, 320 ms
    r = gw.http("POST", "/api/v1/auth/login", {"username": "lockme", "password": "wrong-5"})
    assert_error(r, 429, "account_locked")
    assert 1 <= int(r.headers["Retry-After"]) <= 3
    # locked: even the right password is refused, and the admin sees the lock
    assert_error(gw.http("POST", "/api/v1/auth/login", {"username": "lockme", "password": PASSWORD}),
                 429, "account_locked")
    users = gw.api("GET", "/api/v1/users?limit=500").json["items"]
    assert "locked_until" in [u for u in users if u["username"] == "lockme"][0]
    time.sleep(3.2)
    assert login(gw, "lockme")                             # the lock expired
    assert_serving(gw)


def test_an_admin_unlocks_an_account(gw):
    user = create_user(gw, "unlockme", "supervisor")
    for i in range(5):
        gw.http("POST", "/api/v1/auth/login", {"username": "unlockme", "password": "wrong-%d" % i})
    assert_error(gw.http("POST", "/api/v1/auth/login", {"username": "unlockme", "password": PASSWORD}),
                 429, "account_locked")
    r = gw.api("PATCH", "/api/v1/users/%s" % user["id"], {"unlock": True})
    assert r.status == 200 and "locked_until" not in r.json, r
    assert login(gw, "unlockme")


def test_users_are_created_read_listed_and_never_show_a_password(gw):
    u = create_user(gw, "siti.op", "operator", coop=7)
    assert (u["username"], u["role"], u["cooperative_id"], u["active"]) == ("siti.op", "operator", "7", True)
    assert no_secrets(u)
    assert gw.api("GET", "/api/v1/users/%s" % u["id"]).json == u
    page = gw.api("GET", "/api/v1/users?limit=1")
    assert page.status == 200 and len(page.json["items"]) == 1 and page.json["next_cursor"]
    seen, cursor = [], None
    while True:
        r = gw.api("GET", "/api/v1/users?limit=2" + ("&cursor=" + cursor if cursor else ""))
        seen += [x["id"] for x in r.json["items"]]
        cursor = r.json.get("next_cursor")
        if not cursor:
            break
    assert len(seen) == len(set(seen)) and u["id"] in seen and no_secrets(seen)
    assert_error(gw.api("GET", "/api/v1/users/999999"), 404, "user_not_found")
    assert_error(gw.api("GET", "/api/v1/users/abc"), 404, "user_not_found")
    assert_error(gw.api("GET", "/api/v1/users?limit=0"), 400, "invalid_limit", "limit")
    assert_error(gw.api("GET", "/api/v1/users?sort=name"), 400, "unknown_field", "sort")


@pytest.mark.parametrize("body,status,code,field", [
    ({"username": None}, 400, "required", "username"),
    ({"password": None}, 400, "required", "password"),
    ({"username": "Bad Name"}, 400, "invalid_username", "username"),
    ({"username": "ab"}, 400, "invalid_username", "username"),
    ({"username": "9lives"}, 400, "invalid_username", "username"),
    ({"password": "short"}, 400, "password_too_short", "password"),
    ({"role": "root"}, 400, "invalid_role", "role"),
    ({"role": "operator", "cooperative_id": None}, 400, "cooperative_required", "cooperative_id"),
    ({"role": "viewer", "cooperative_id": None}, 400, "cooperative_required", "cooperative_id"),
    ({"role": "supervisor", "cooperative_id": "3"}, 400, "cooperative_not_allowed", "cooperative_id"),
    ({"cooperative_id": "three"}, 400, "invalid_type", "cooperative_id"),
    ({"active": "yes"}, 400, "invalid_type", "active"),
    ({"password_hash": "x"}, 400, "unknown_field", "password_hash"),
    ({"full_name": ""}, 400, "invalid_full_name", "full_name"),
])
def test_user_validation_names_the_field(gw, body, status, code, field):
    full = {"username": "valid.user", "password": PASSWORD, "full_name": "Valid User",
            "role": "operator", "cooperative_id": "4"}
    full.update(body)
    full = {k: v for k, v in full.items() if v is not None}      # None: leave the field out
    assert_error(gw.api("POST", "/api/v1/users", full), status, code, field)


def test_a_taken_username_is_a_conflict(gw):
    create_user(gw, "dup.user", "supervisor")
    r = gw.api("POST", "/api/v1/users", {"username": "dup.user", "password": PASSWORD,
                                          "full_name": "Again", "role": "supervisor"})
    assert_error(r, 409, "username_taken", "username")


def test_changes_take_effect_at_once(gw):
    u = create_user(gw, "changing", "operator", coop=3)
    token = login(gw, "changing")
    r = gw.api("PATCH", "/api/v1/users/%s" % u["id"], {"role": "supervisor"})
    assert r.status == 200 and r.json["role"] == "supervisor" and "cooperative_id" not in r.json, r
    assert me(gw, token).json["role"] == "supervisor"          # same token, new role
    r = gw.api("PATCH", "/api/v1/users/%s" % u["id"], {"password": "a-new-password-2"})
    assert r.status == 200
    assert_error(me(gw, token), 401, "invalid_token")          # a new password ends sessions
    token = login(gw, "changing", "a-new-password-2")
    assert gw.api("PATCH", "/api/v1/users/%s" % u["id"], {"active": False}).status == 200
    assert_error(me(gw, token), 401, "invalid_token")
    assert_error(gw.http("POST", "/api/v1/auth/login", {"username": "changing",
                                                         "password": "a-new-password-2"}),
                 401, "invalid_credentials")
    assert_error(gw.api("PATCH", "/api/v1/users/%s" % u["id"], {"role": "operator"}), 400,
                 "cooperative_required", "cooperative_id")
    assert_error(gw.api("PATCH", "/api/v1/users/%s" % u["id"], {"username": "admin"}), 409,
                 "username_taken", "username")


def test_the_last_admin_stays_an_admin(gw):
    admin = [u for u in gw.api("GET", "/api/v1/users?limit=500").json["items"] if u["username"] == "admin"][0]
    assert_error(gw.api("PATCH", "/api/v1/users/%s" % admin["id"], {"role": "viewer", "cooperative_id": "1"}),
                 422, "last_admin")
    assert_error(gw.api("PATCH", "/api/v1/users/%s" % admin["id"], {"active": False}), 422, "last_admin")
    assert me(gw, gw.admin_token()).json["role"] == "admin"


def test_only_an_admin_manages_users(gw):
    create_user(gw, "pengawas", "supervisor")
    token = login(gw, "pengawas")
    for method, path, body in (("GET", "/api/v1/users", None), ("GET", "/api/v1/users/1", None),
                               ("POST", "/api/v1/users", {"username": "x"}),
                               ("PATCH", "/api/v1/users/1", {"role": "admin"})):
        assert_error(gw.http(method, path, body, token=token), 403, "forbidden")
    assert_error(gw.http("GET", "/api/v1/users"), 401, "unauthenticated")


def test_tokens_expire():
    c = Cluster(services=["gateway"], env={"LUMBUNG_TOKEN_TTL_S": "1"})
    try:
        c.start()
        token = login(c, "admin", c.admin_password)
        assert me(c, token).status == 200
        time.sleep(1.3)
        assert_error(me(c, token), 401, "invalid_token")
        assert login(c, "admin", c.admin_password)
    finally:
        c.stop()


def test_the_first_admin_gets_a_generated_password_printed_once():
    c = Cluster(services=["gateway"], env={"LUMBUNG_ADMIN_PASSWORD": ""})
    try:
        c.start()
        found = re.findall(r"created user admin with password (\S+)", c.log("gateway"))
        assert len(found) == 1 and len(found[0]) >= 20
        assert login(c, "admin", found[0])
        c.restart("gateway")                     # the store is not empty any more
        assert len(re.findall(r"created user admin", c.log("gateway"))) == 1
        assert login(c, "admin", found[0])
    finally:
        c.stop()
