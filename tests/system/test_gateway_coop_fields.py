"""Who may change which field of a cooperative, through the real gateway and members service.

- Registry data (name, type, group, legal number and date, national number, district, founding
  date, active, the fiscal year's first month) is the district office's: an admin changes it,
  an operator of the cooperative gets 403 registry_field naming the field.
- What the annual meeting (RAT) decides — the SHU allocation and usage-share basis, the
  principal and mandatory savings and their period — is never PATCHed, by anyone: 422
  decided_by_annual_meeting naming the field and saying how; recording the meeting that
  decided it changes the setting.
- Day-to-day settings (address, phone, loan and late-fee defaults, voluntary minimum) are the
  operator's.
Supervisors and viewers change nothing (403 forbidden)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_error, coop_body, create_user, login  # noqa: E402

# (body, field at fault or None, expected status per role in ROLES order)
REGISTRY = [
    ({"name": "Koperasi Nama Baru %(n)d"}, "name"),
    ({"type": "consumer"}, "type"),
    ({"group": "farmers"}, "group"),
    ({"legal_number": "999/BH/%(n)d"}, "legal_number"),
    ({"legal_date": "2009-09-09"}, "legal_date"),
    ({"national_number": "3204%(n)08d"}, "national_number"),
    ({"district": "Lengkong %(n)d"}, "district"),
    ({"founded_on": "2007-07-07"}, "founded_on"),
    ({"active": False}, "active"),
    ({"settings": {"fiscal_year_start": 7}}, "settings.fiscal_year_start"),
]
MEETING = [
    ({"settings": {"shu_allocation": {"reserves": "35", "social": "10"}}}, "settings.shu_allocation"),
    ({"settings": {"usage_share_basis": "loans_taken"}}, "settings.usage_share_basis"),
    ({"settings": {"principal_amount": "150000"}}, "settings.principal_amount"),
    ({"settings": {"mandatory_amount": "30000"}}, "settings.mandatory_amount"),
    ({"settings": {"mandatory_period": "weekly"}}, "settings.mandatory_period"),
]
DAY_TO_DAY = [
    {"address": "Jl. Melati %(n)d"},
    {"phone": "022-7%(n)06d"},
    {"settings": {"late_fee_rate": "0.5", "late_fee_grace_days": 3}},
    {"settings": {"loan_annual_rate": "12", "loan_max": "25000000"}},
    {"settings": {"voluntary_min_balance": "10000"}},
]


@pytest.fixture(scope="module")
def world(cluster):
    coops = []
    for i in range(2):
        r = cluster.api("POST", "/api/v1/cooperatives", coop_body("Koperasi Ladang %d" % i))
        assert r.status == 201, r
        coops.append(r.json["id"])
    create_user(cluster, "fld.op", "operator", coop=coops[0])
    create_user(cluster, "fld.sup", "supervisor")
    create_user(cluster, "fld.view", "viewer", coop=coops[0])
    tokens = {"admin": cluster.admin_token(), "operator": login(cluster, "fld.op"),
              "supervisor": login(cluster, "fld.sup"), "viewer": login(cluster, "fld.view")}
    return {"coop": coops[0], "other": coops[1], "tokens": tokens, "n": [0]}


def fill(body, world):
    """The body with a fresh number in it, so every PATCH really changes something."""
    world["n"][0] += 1
    n = world["n"][0]
    if isinstance(body, dict):
        return {k: fill(v, world) for k, v in body.items()}
    return body % {"n": n} if isinstance(body, str) and "%(n)" in body else body


def patch(cluster, world, role, body, coop=None):
    path = "/api/v1/cooperatives/%s" % (coop or world["coop"])
    return cluster.http("PATCH", path, fill(body, world), token=world["tokens"][role])


def get(cluster, world, coop=None):
    r = cluster.api("GET", "/api/v1/cooperatives/%s" % (coop or world["coop"]))
    assert r.status == 200, r
    return r.json


def test_registry_data_is_the_admins(cluster, world):
    wrong = []
    for body, field in REGISTRY:
        for role in ("operator", "supervisor", "viewer", "admin"):   # the admin's change last
            r = patch(cluster, world, role, body)
            want = {"admin": (200, None, None), "operator": (403, "registry_field", field),
                    "supervisor": (403, "forbidden", None), "viewer": (403, "forbidden", None)}[role]
            got = (r.status, r.json.get("error", {}).get("code") if r.status != 200 else None,
                   r.json.get("error", {}).get("field") if r.status != 200 else None)
            if role == "supervisor" or role == "viewer":
                got = (got[0], got[1], None)
            if got != want:
                wrong.append("%s as %s: %s (wanted %s) %s" % (body, role, got, want, r.text[:200]))
        if field == "active":
            assert patch(cluster, world, "admin", {"active": True}).status == 200
    assert not wrong, "\n".join(wrong)
    err = assert_error(patch(cluster, world, "operator", {"legal_number": "1/BH/x"}), 403,
                       "registry_field", "legal_number")
    assert "admin" in err["message"], err


def test_what_the_annual_meeting_decides_is_never_patched(cluster, world):
    before = get(cluster, world)["settings"]
    wrong = []
    for body, field in MEETING:
        for role in ("admin", "operator"):
            r = patch(cluster, world, role, body)
            if (r.status, (r.json or {}).get("error", {}).get("code"),
                    (r.json or {}).get("error", {}).get("field")) != (422, "decided_by_annual_meeting", field):
                wrong.append("%s as %s: %s" % (body, role, r.text[:200]))
            elif "annual-meetings" not in r.json["error"]["message"]:
                wrong.append("%s as %s: the message does not say how: %s" % (body, role, r.text))
    assert not wrong, "\n".join(wrong)
    assert get(cluster, world)["settings"] == before
    # sending a value unchanged is no change, and is accepted
    same = {"settings": {"shu_allocation": before["shu_allocation"],
                         "principal_amount": before["principal_amount"]},
            "name": get(cluster, world)["name"], "phone": "022-111222"}
    r = patch(cluster, world, "operator", same)
    assert r.status == 200 and r.json["phone"] == "022-111222", r


def test_day_to_day_settings_are_the_operators(cluster, world):
    for body in DAY_TO_DAY:
        r = patch(cluster, world, "operator", body)
        assert r.status == 200, (body, r)
    c = get(cluster, world)
    s = c["settings"]
    assert (s["late_fee_rate"], s["late_fee_grace_days"], s["loan_annual_rate"], s["loan_max"],
            s["voluntary_min_balance"]) == ("0.50", 3, "12", "25000000", "10000"), s
    assert c["address"].startswith("Jl. Melati ") and c["phone"].startswith("022-7"), c
    for role in ("supervisor", "viewer"):
        assert_error(patch(cluster, world, role, {"phone": "022-999999"}), 403, "forbidden")
    # and only in their own cooperative
    assert_error(patch(cluster, world, "operator", {"phone": "022-999999"}, coop=world["other"]),
                 403, "forbidden", "cooperative_id")


def test_recording_the_annual_meeting_changes_what_it_decided(cluster, world):
    coop = world["other"]
    base = "/api/v1/cooperatives/%s/annual-meetings" % coop
    rat = {"held_on": "2025-03-15", "fiscal_year": 2024, "members_present": 80, "quorum": True,
           "accounts_approved": True, "shu_approved": True,
           "shu_allocation": {"reserves": "30", "capital_share": "25", "usage_share": "25",
                              "board": "5", "staff": "5", "education": "5", "social": "5"},
           "usage_share_basis": "loans_taken", "principal_amount": "200000",
           "mandatory_amount": "50000", "mandatory_period": "quarterly"}
    # an allocation without the meeting approving the SHU, and a bad amount, are refused
    no_approval = dict(rat, shu_approved=False)
    assert_error(cluster.api("POST", base, no_approval), 422, "shu_not_approved", "shu_approved")
    assert_error(cluster.api("POST", base, dict(rat, principal_amount="1000000000001")), 400,
                 "invalid_amount", "principal_amount")
    assert_error(cluster.api("POST", base, dict(rat, shu_allocation={"reserves": "30"})), 400,
                 "invalid_shu_allocation", "shu_allocation")
    assert get(cluster, world, coop)["version"] == "1"

    r = cluster.api("POST", base, rat)
    assert r.status == 201, r
    m = r.json
    assert (m["usage_share_basis"], m["principal_amount"], m["mandatory_amount"],
            m["mandatory_period"]) == ("loans_taken", "200000", "50000", "quarterly"), m
    c = get(cluster, world, coop)
    s = c["settings"]
    assert s["shu_allocation"] == {"reserves": "30", "capital_share": "25", "usage_share": "25",
                                   "board": "5", "staff": "5", "education": "5", "social": "5"}, s
    assert (s["usage_share_basis"], s["principal_amount"], s["mandatory_amount"],
            s["mandatory_period"]) == ("loans_taken", "200000", "50000", "quarterly"), s
    assert c["version"] == "2"

    # An earlier fiscal year recorded afterwards is history: it changes nothing.
    older = dict(rat, held_on="2024-03-10", fiscal_year=2023, principal_amount="100000",
                 shu_allocation={"reserves": "40", "capital_share": "20", "usage_share": "20",
                                 "board": "5", "staff": "5", "education": "5", "social": "5"})
    assert cluster.api("POST", base, older).status == 201
    assert get(cluster, world, coop)["settings"] == s

    # A meeting that decides nothing of the settings leaves them; the operator records it.
    create_user(cluster, "fld.op2", "operator", coop=coop)
    plain = {"held_on": "2026-03-01", "fiscal_year": 2025, "quorum": True, "accounts_approved": True}
    r = cluster.http("POST", base, plain, token=login(cluster, "fld.op2"))
    assert r.status == 201, r
    assert get(cluster, world, coop)["settings"] == s
