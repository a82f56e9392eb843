"""The permission matrix generated from the route table: every route `lumbung-gateway --routes`
prints, called over real HTTP by every role, gets the answer its access class implies — so a
route added tomorrow is in this test without anyone writing a line for it. Also tampered and
expired tokens.

Roles: admin, supervisor, operator and viewer of cooperative A, an operator of cooperative B
who names A in the path, and nobody (no token). "Allowed" means the gateway let the request
through: it may still be refused by validation or not found (bodies here are empty on
purpose, so nothing is created), but it is never 401/403 and never a 5xx. "Refused" is 401
`unauthenticated` without a token and 403 `forbidden` with one."""
import json
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import create_coop, create_user, login  # noqa: E402
from lumbung import BIN, Cluster  # noqa: E402

ROLES = ("admin", "supervisor", "operator_a", "viewer_a", "operator_b", "anonymous")
# Who gets through each access class (docs/gateway.md "Who may call what"). operator_b always
# names cooperative A where a route has a {coop}, so it counts as an outsider there.
ALLOWED = {
    "public": set(ROLES),
    "authenticated": set(ROLES) - {"anonymous"},
    "coop_read": {"admin", "supervisor", "operator_a", "viewer_a"},
    "coop_write": {"admin", "operator_a"},
    "supervise": {"admin", "supervisor"},
    "admin": {"admin"},
    "member": set(),              # a member's own pages: no staff role (test_gateway_member.py)
}
MISSING_ID = "987654321"      # ids in the path that exist nowhere: nothing is changed


def routes():
    out = subprocess.run([os.path.join(BIN, "lumbung-gateway"), "--routes"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


ROUTES = routes()


@pytest.fixture(scope="module")
def world(cluster):
    a = create_coop(cluster, "Koperasi Matriks A")
    b = create_coop(cluster, "Koperasi Matriks B")
    users = {"supervisor": ("mx.sup", "supervisor", None), "operator_a": ("mx.opa", "operator", a),
             "viewer_a": ("mx.viewa", "viewer", a), "operator_b": ("mx.opb", "operator", b)}
    for name, role, coop in users.values():
        create_user(cluster, name, role, coop=coop)

    def tokens():
        t = {r: login(cluster, u[0]) for r, u in users.items()}
        t["admin"] = login(cluster, "admin", cluster.admin_password)
        t["anonymous"] = None
        return t
    return {"a": a, "b": b, "tokens": tokens(), "fresh_tokens": tokens}


def path_of(route, coop):
    path = route["pattern"]
    for p in route["params"]:
        path = path.replace("{%s}" % p["name"], str(coop) if p["name"] == "coop" else
                            ("2025" if p["name"] == "year" else MISSING_ID))
    return path


def call(cluster, route, coop, token):
    method = route["method"]
    headers = {"Idempotency-Key": "matrix-%s-%s" % (route["operation"], token and token[:8])}
    if method == "GET":
        return cluster.http(method, path_of(route, coop), token=token, headers=headers)
    if "raw_body" in route["flags"]:
        headers["Content-Type"] = "text/csv"
        return cluster.http(method, path_of(route, coop), token=token, headers=headers, raw=b"")
    return cluster.http(method, path_of(route, coop), {}, token=token, headers=headers)


def verdict(role, route, r):
    """None when the answer fits the access class, else what is wrong with it."""
    if route["access"] not in ALLOWED:
        return "unknown access class %r: add it to ALLOWED" % route["access"]
    code = (r.json or {}).get("error", {}).get("code") if isinstance(r.json, dict) else None
    if role in ALLOWED[route["access"]]:
        if r.status >= 500 or (r.status in (401, 403) and code in ("unauthenticated", "forbidden")):
            return "allowed, got %d %s" % (r.status, r.text[:160])
        return None
    want = (401, "unauthenticated") if role == "anonymous" else (403, "forbidden")
    if (r.status, code) != want:
        return "refused with %s wanted, got %d %s" % (want, r.status, r.text[:160])
    return None


def test_every_route_and_role_gets_what_its_access_class_says(cluster, world):
    assert len(ROUTES) >= 60 and {r["access"] for r in ROUTES} <= set(ALLOWED)
    wrong, tried = [], 0
    # Logging out ends the token used, so that route goes last, with fresh tokens.
    ordered = sorted(ROUTES, key=lambda r: r["operation"] == "logout")
    for route in ordered:
        tokens = world["fresh_tokens"]() if route["operation"] == "logout" else world["tokens"]
        for role in ROLES:
            r = call(cluster, route, world["a"], tokens[role])
            tried += 1
            problem = verdict(role, route, r)
            if problem:
                wrong.append("%s %s as %s: %s" % (route["method"], route["pattern"], role, problem))
    assert not wrong, "\n".join(wrong)
    assert tried == len(ROUTES) * len(ROLES)


def test_an_operator_of_b_is_allowed_in_b_where_a_is_refused(cluster, world):
    """The other half of operator_b's row: the same coop routes naming its own cooperative get
    through (so the 403s above are about the cooperative, not the role)."""
    token = world["tokens"]["operator_b"]
    wrong = []
    for route in ROUTES:
        if route["access"] not in ("coop_read", "coop_write") or route["method"] != "GET":
            continue
        r = call(cluster, route, world["b"], token)
        if r.status >= 500 or r.status in (401, 403):
            wrong.append("%s %s: %d %s" % (route["method"], route["pattern"], r.status, r.text[:120]))
    assert not wrong, "\n".join(wrong)


def test_tampered_tokens_are_refused(cluster, world):
    good = world["tokens"]["viewer_a"]
    assert cluster.http("GET", "/api/v1/auth/me", token=good).status == 200
    flipped = good[:10] + ("A" if good[10] != "A" else "B") + good[11:]
    for bad in (flipped, good[:-1], good + "x", good.upper() if good.upper() != good else good.lower(),
                "x" * len(good), good[::-1], "Bearer " + good):
        r = cluster.http("GET", "/api/v1/auth/me", token=bad)
        assert (r.status, r.json["error"]["code"]) == (401, "invalid_token"), (bad, r)
        r = cluster.http("GET", "/api/v1/cooperatives/%s" % world["a"], token=bad)
        assert r.status == 401, (bad, r)
    r = cluster.http("GET", "/api/v1/auth/me", headers={"Authorization": "Basic " + good})
    assert (r.status, r.json["error"]["code"]) == (401, "unauthenticated"), r


def test_an_expired_token_is_refused_and_a_new_login_works():
    c = Cluster(services=["gateway"], env={"LUMBUNG_TOKEN_TTL_S": "3"})
    try:
        c.start()
        token = c.admin_token()
        assert c.http("GET", "/api/v1/auth/me", token=token).status == 200
        time.sleep(4.2)                     # the token's whole lifetime and then some
        r = c.http("GET", "/api/v1/auth/me", token=token)
        assert (r.status, r.json["error"]["code"]) == (401, "invalid_token"), r
        r = c.http("POST", "/api/v1/auth/login", {"username": "admin", "password": c.admin_password})
        assert r.status == 200 and c.http("GET", "/api/v1/auth/me", token=r.json["token"]).status == 200
    finally:
        c.stop()
