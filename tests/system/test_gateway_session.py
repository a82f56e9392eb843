"""The browser session over real HTTP: login with "session": true sets an HttpOnly,
SameSite=Strict, Path=/ cookie (Secure when configured) and answers a CSRF token instead of the
bearer token; every state-changing call made with the cookie needs X-CSRF-Token (403
csrf_token_required / csrf_token_invalid); bearer calls are exactly as before; logout clears
the cookie; a user changes their own password (which ends their sessions)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import (PASSWORD, assert_error, coop_body,  # noqa: E402
                          create_coop, create_user, login)
from lumbung import Cluster  # noqa: E402


COOKIE_ATTRS = "Path=/; HttpOnly; SameSite=Strict"


@pytest.fixture(scope="module")
def c():
    cl = Cluster()
    try:
        cl.start()
        yield cl
    finally:
        cl.stop()


def session_login(c, username="admin", password=None):
    r = c.http("POST", "/api/v1/auth/login", {"username": username,
                                              "password": password or c.admin_password,
                                              "session": True})
    assert r.status == 200, r
    name, _, rest = r.headers["Set-Cookie"].partition("=")
    assert name == "lumbung_session"
    token, _, attrs = rest.partition("; ")
    return {"cookie": f"lumbung_session={token}", "token": token, "attrs": attrs,
            "csrf": r.json["csrf_token"], "body": r.json}


def test_session_login_sets_cookie_and_no_token(c):
    s = session_login(c)
    assert s["attrs"] == COOKIE_ATTRS
    assert len(s["token"]) == 43
    assert "token" not in s["body"]
    assert len(s["csrf"]) == 43 and s["csrf"] != s["token"]
    assert s["body"]["user"]["username"] == "admin"
    me = c.http("GET", "/api/v1/auth/me", headers={"Cookie": s["cookie"]})
    assert me.status == 200 and me.json["username"] == "admin"
    assert me.json["csrf_token"] == s["csrf"]
    # Other cookies around it do not matter.
    me = c.http("GET", "/api/v1/auth/me", headers={"Cookie": f"a=b; {s['cookie']}; theme=dark"})
    assert me.status == 200


def test_state_change_with_cookie_needs_csrf(c):
    s = session_login(c)
    h = {"Cookie": s["cookie"]}
    r = c.http("POST", "/api/v1/cooperatives", coop_body("Koperasi Tanpa CSRF"), headers=h)
    assert_error(r, 403, "csrf_token_required", "X-CSRF-Token")
    r = c.http("POST", "/api/v1/cooperatives", coop_body("Koperasi CSRF Salah"),
               headers=dict(h, **{"X-CSRF-Token": "x" * 43}))
    assert_error(r, 403, "csrf_token_invalid", "X-CSRF-Token")
    other = session_login(c)
    r = c.http("POST", "/api/v1/cooperatives", coop_body("Koperasi CSRF Lain"),
               headers=dict(h, **{"X-CSRF-Token": other["csrf"]}))
    assert_error(r, 403, "csrf_token_invalid", "X-CSRF-Token")
    r = c.http("POST", "/api/v1/cooperatives", coop_body("Koperasi Dengan CSRF"),
               headers=dict(h, **{"X-CSRF-Token": s["csrf"]}))
    assert r.status == 201, r
    r = c.http("GET", f"/api/v1/cooperatives/{r.json['id']}", headers=h)
    assert r.status == 200 and r.json["name"] == "Koperasi Dengan CSRF"


def test_bearer_unaffected(c):
    r = c.http("POST", "/api/v1/auth/login", {"username": "admin", "password": c.admin_password})
    assert r.status == 200 and len(r.json["token"]) == 43 and "csrf_token" not in r.json
    assert "Set-Cookie" not in r.headers
    token = r.json["token"]
    r = c.http("POST", "/api/v1/cooperatives", coop_body("Koperasi Bearer"), token=token)
    assert r.status == 201, r
    me = c.http("GET", "/api/v1/auth/me", token=token)
    assert me.status == 200 and "csrf_token" not in me.json
    # A bearer token wins over a cookie, and needs no CSRF token even when both are sent.
    s = session_login(c)
    r = c.http("POST", "/api/v1/cooperatives", coop_body("Koperasi Keduanya"), token=token,
               headers={"Cookie": s["cookie"]})
    assert r.status == 201, r


def test_bad_cookie_is_cleared(c):
    r = c.http("GET", "/api/v1/auth/me", headers={"Cookie": "lumbung_session=" + "A" * 43})
    assert_error(r, 401, "invalid_token")
    assert r.headers["Set-Cookie"] == "lumbung_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
    assert_error(c.http("GET", "/api/v1/auth/me", headers={"Cookie": "other=1"}), 401,
                 "unauthenticated")


def test_session_field_must_be_boolean(c):
    r = c.http("POST", "/api/v1/auth/login", {"username": "admin", "password": c.admin_password,
                                              "session": "yes"})
    assert_error(r, 400, "invalid_type", "session")


def test_logout_with_cookie(c):
    s = session_login(c)
    h = {"Cookie": s["cookie"]}
    assert_error(c.http("POST", "/api/v1/auth/logout", headers=h), 403, "csrf_token_required")
    r = c.http("POST", "/api/v1/auth/logout", headers=dict(h, **{"X-CSRF-Token": s["csrf"]}))
    assert r.status == 200 and r.json == {"status": "logged_out"}
    assert r.headers["Set-Cookie"] == "lumbung_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
    assert_error(c.http("GET", "/api/v1/auth/me", headers=h), 401, "invalid_token")


def test_change_password(c):
    coop = create_coop(c, "Koperasi Sandi")
    create_user(c, "sandi.op", "operator", coop)
    s = session_login(c, "sandi.op", PASSWORD)
    h = {"Cookie": s["cookie"], "X-CSRF-Token": s["csrf"]}
    bearer = login(c, "sandi.op")
    r = c.http("POST", "/api/v1/auth/password", {"current_password": "salah-sekali-123",
                                                 "new_password": "sandi-baru-yang-panjang"}, headers=h)
    assert_error(r, 422, "wrong_password", "current_password")
    r = c.http("POST", "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "pendek"},
               headers=h)
    assert_error(r, 400, "password_too_short", "new_password")
    r = c.http("POST", "/api/v1/auth/password", {"current_password": PASSWORD}, headers=h)
    assert_error(r, 400, "required", "new_password")
    r = c.http("POST", "/api/v1/auth/password", {"current_password": PASSWORD,
                                                 "new_password": "sandi-baru-yang-panjang"},
               headers={"Cookie": s["cookie"]})
    assert_error(r, 403, "csrf_token_required", "X-CSRF-Token")
    r = c.http("POST", "/api/v1/auth/password", {"current_password": PASSWORD,
                                                 "new_password": "sandi-baru-yang-panjang"}, headers=h)
    assert r.status == 200 and r.json == {"status": "password_changed"}, r
    assert r.headers["Set-Cookie"].startswith("lumbung_session=; ")
    assert_error(c.http("GET", "/api/v1/auth/me", headers=h), 401, "invalid_token")
    assert_error(c.http("GET", "/api/v1/auth/me", token=bearer), 401, "invalid_token")
    r = c.http("POST", "/api/v1/auth/login", {"username": "sandi.op", "password": PASSWORD})
    assert_error(r, 401, "invalid_credentials")
    assert login(c, "sandi.op", "sandi-baru-yang-panjang")
    # With a bearer token it works the same, and needs no CSRF token.
    token = login(c, "sandi.op", "sandi-baru-yang-panjang")
    r = c.http("POST", "/api/v1/auth/password", {"current_password": "sandi-baru-yang-panjang",
                                                 "new_password": PASSWORD}, token=token)
    assert r.status == 200 and "Set-Cookie" not in r.headers


def test_secure_cookie_when_configured():
    cl = Cluster(services=["gateway"], env={"LUMBUNG_COOKIE_SECURE": "1"})
    try:
        cl.start_service("gateway")
        s = session_login(cl)
        assert s["attrs"] == COOKIE_ATTRS + "; Secure"
    finally:
        cl.stop()
