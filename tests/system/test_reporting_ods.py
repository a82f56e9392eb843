"""The yearly national data return (ODS) through the gateway with exact figures: a cooperative
with its identity, members of both sexes, savings, income and expenses booked in the fiscal
year and a deposit after it, and its RAT; a second cooperative with nothing; JSON and CSV."""
import datetime
import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_error, create_user, login  # noqa: E402
from members_util import nik  # noqa: E402


BIRTH = datetime.date(1983, 9, 14)


def coop(cluster, name, **extra):
    body = dict({"name": name, "type": "savings_loan", "group": "women", "district": "Cidadap",
                 "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}},
                **extra)
    r = cluster.api("POST", "/api/v1/cooperatives", body)
    assert r.status == 201, r
    return r.json["id"], "/api/v1/cooperatives/%s" % r.json["id"]


def post(cluster, path, body):
    r = cluster.api("POST", path, body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status in (200, 201), r
    return r.json


@pytest.fixture(scope="module")
def ods(cluster):
    a, base = coop(cluster, "KSP Sejahtera", legal_number="518/12/BH/2009",
                   legal_date="2009-05-04", national_number="3273010001", address="Jl. Melati 3")
    b, _ = coop(cluster, "KSP Kosong")
    members = []
    for serial, sex in ((1, "female"), (2, "male")):
        body = {"nik": nik(BIRTH, sex == "female", serial), "name": "Anggota %d" % serial,
                "sex": sex, "birth_date": BIRTH.isoformat(), "address": "Desa Ciumbuleuit",
                "phone": "0812-5555-%04d" % serial, "joined_on": "2025-01-02"}
        r = cluster.api("POST", base + "/members", body)
        assert r.status == 201, r
        members.append(r.json["id"])
    for m in members:
        post(cluster, base + "/deposits", {"member_id": m, "kind": "principal", "amount": "100000",
                                           "value_date": "2025-01-06"})
    post(cluster, base + "/deposits", {"member_id": members[0], "kind": "voluntary",
                                       "amount": "500000", "value_date": "2025-01-06"})
    post(cluster, base + "/deposits", {"member_id": members[1], "kind": "voluntary",
                                       "amount": "250000", "value_date": "2026-01-10"})
    post(cluster, base + "/journal", {"value_date": "2025-06-30", "memo": "Bunga", "lines": [
        {"account": "1-101", "debit": "300000"}, {"account": "4-101", "credit": "300000"}]})
    post(cluster, base + "/journal", {"value_date": "2025-07-31", "memo": "Gaji", "lines": [
        {"account": "5-201", "debit": "100000"}, {"account": "1-101", "credit": "100000"}]})
    post(cluster, base + "/annual-meetings", {"held_on": "2026-03-15", "fiscal_year": 2025,
                                              "members_present": 2, "quorum": True})
    for _ in range(100):
        r = cluster.api("GET", "/api/v1/district/ods?year=2025")
        assert r.status == 200, r
        rows = {i["cooperative_id"]: i for i in r.json["items"]}
        if rows.get(a, {}).get("rat_held") and rows[a].get("surplus") == "200000":
            break
        time.sleep(0.1)
    return a, b, r.json


def test_one_row_per_cooperative_with_the_books_at_the_year_end(ods):
    a, b, rep = ods
    assert rep["year"] == 2025 and int(rep["as_of_seq"]) > 0
    assert rep["as_of_shard_seqs"] == [rep["as_of_seq"]]        # one shard: its cursor
    assert rep["not_recorded"] == ["managers_and_staff", "business_volume"]
    assert [i["cooperative_id"] for i in rep["items"]] == [a, b]
    # Own capital: principal 200,000 + surplus 300,000 - 100,000 not closed; outside capital:
    # voluntary 500,000 (the 2026 deposit is after the year); assets: cash 900,000.
    assert rep["items"][0] == {
        "cooperative_id": a, "name": "KSP Sejahtera", "legal_number": "518/12/BH/2009",
        "legal_date": "2009-05-04", "national_number": "3273010001", "type": "savings_loan",
        "group": "women", "address": "Jl. Melati 3", "district": "Cidadap", "active": True,
        "rat_held": True, "rat_held_on": "2026-03-15", "members_male": 1, "members_female": 1,
        "own_capital": "400000", "outside_capital": "500000", "total_assets": "900000",
        "surplus": "200000", "from": "2025-01-01", "to": "2025-12-31"}
    row = rep["items"][1]
    assert (row["rat_held"], row["members_male"], row["own_capital"], row["total_assets"],
            row["surplus"]) == (False, 0, "0", "0", "0")


def test_another_year_and_csv(cluster, ods):
    a, b, _ = ods
    r = cluster.api("GET", "/api/v1/district/ods?year=2024")
    first = r.json["items"][0]
    assert (first["rat_held"], first["own_capital"], first["surplus"]) == (False, "0", "0")
    r = cluster.api("GET", "/api/v1/district/ods?year=2025&format=csv&lang=en")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv"), r
    assert r.headers["X-Lumbung-Report"] == "ods" and r.headers["X-Lumbung-Period"] == "2025", r
    lines = r.text.split("\r\n")
    assert lines[0] == ("cooperative_id,name,legal_number,legal_date,national_number,type,group,"
                        "address,district,active,rat_held,rat_held_on,members_male,"
                        "members_female,own_capital,outside_capital,total_assets,surplus,from,to")
    assert lines[1] == ("%s,KSP Sejahtera,518/12/BH/2009,2009-05-04,3273010001,savings_loan,"
                        "women,Jl. Melati 3,Cidadap,true,true,2026-03-15,1,1,400000,500000,"
                        "900000,200000,2025-01-01,2025-12-31" % a)


def test_year_is_required_and_operators_are_refused(cluster, ods):
    a, _, _ = ods
    assert_error(cluster.api("GET", "/api/v1/district/ods"), 400, "invalid_year", "year")
    create_user(cluster, "operator-ods", "operator", coop=a)
    r = cluster.http("GET", "/api/v1/district/ods?year=2025", token=login(cluster, "operator-ods"))
    assert r.status == 403, r
