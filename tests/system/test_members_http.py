"""The members endpoints of the API (docs/openapi.yaml) through the gateway: JSON shapes, every rule's field-naming
error over HTTP, operators confined to their cooperative, concurrent duplicate NIKs, CSV
import and jobs, supervision and trainings."""
import datetime
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN  # noqa: E402
from members_util import CSV_HEADER, csv_rows, job_done_http, nik  # noqa: E402


BIRTH = datetime.date(1985, 7, 17)


def coop_body(name, **extra):
    body = {"name": name, "type": "savings_loan", "group": "women", "district": "Cibeunying",
            "legal_number": "518.08/96/BH/XIV.10/VIII/2008", "legal_date": "2008-08-14",
            "founded_on": "2008-01-10",
            "settings": {"principal_amount": "100000", "mandatory_amount": "25000",
                         "mandatory_period": "monthly", "fiscal_year_start": 1}}
    body.update(extra)
    return body


def member(serial, female=True, **extra):
    body = {"nik": nik(BIRTH, female, serial), "name": "Siti Aminah %d" % serial,
            "sex": "female" if female else "male", "birth_date": BIRTH.isoformat(),
            "address": "Jl. Merdeka %d" % serial, "phone": "0812-3456-%04d" % serial,
            "joined_on": "2020-01-15"}
    body.update(extra)
    return body


@pytest.fixture
def coop(cluster):
    """A fresh cooperative for each test: member numbers, searches and lists see only its own."""
    r = cluster.api("POST", "/api/v1/cooperatives", coop_body("Koperasi Wanita Sejahtera"))
    assert r.status == 201, r
    return r.json


def test_cooperative_json_shape(cluster, coop):
    assert isinstance(coop["id"], str)
    s = coop["settings"]
    assert (s["principal_amount"], s["mandatory_amount"], s["mandatory_period"]) == ("100000", "25000", "monthly")
    assert s["shu_allocation"] == {"reserves": "40", "capital_share": "20", "usage_share": "20",
                                   "board": "5", "staff": "5", "education": "5", "social": "5"}
    r = cluster.api("GET", "/api/v1/cooperatives/%s" % coop["id"])
    assert r.status == 200 and r.json["name"] == "Koperasi Wanita Sejahtera"
    r = cluster.api("PATCH", "/api/v1/cooperatives/%s" % coop["id"],
                    {"settings": {"shu_allocation": {"reserves": "30"}}})
    assert r.status == 422 and r.json["error"]["code"] == "decided_by_annual_meeting"
    assert r.json["error"]["field"] == "settings.shu_allocation"
    r = cluster.api("GET", "/api/v1/cooperatives?type=savings_loan&q=wanita")
    assert r.status == 200 and coop["id"] in [c["id"] for c in r.json["items"]]
    assert cluster.api("GET", "/api/v1/cooperatives/987654").status == 404


def test_member_rules_over_http(cluster, coop):
    path = "/api/v1/cooperatives/%s/members" % coop["id"]
    r = cluster.api("POST", path, member(1))
    assert r.status == 201, r
    assert r.json["member_number"] == "1" and r.json["status"] == "active" and r.json["warnings"] == []
    # Service rules: code and field.
    cases = [
        ({"nik": "12345"}, "invalid_nik", "nik"),
        ({"nik": "3204105713850001"}, "invalid_nik", "nik"),
        ({"name": " "}, "required", "name"),
        ({"phone": "12"}, "invalid_phone", "phone"),
        ({"joined_on": "1980-01-01"}, "before_birth", "joined_on"),
        ({"birth_date": "2999-01-01"}, "in_future", "birth_date"),
    ]
    for change, code, field in cases:
        r = cluster.api("POST", path, member(2, **change))
        assert (r.status, r.json["error"]["code"], r.json["error"]["field"]) == (400, code, field), (change, r)
    for missing in ("nik", "name", "sex", "birth_date", "joined_on"):
        body = member(2)
        body.pop(missing)
        r = cluster.api("POST", path, body)
        assert (r.status, r.json["error"]["field"]) == (400, missing), (missing, r)
    # What the JSON converter rejects still names the field.
    for change, field in (({"sex": "x"}, "sex"), ({"birth_date": "1985-02-30"}, "birth_date"),
                          ({"nik": 3204105707850002}, "nik")):
        r = cluster.api("POST", path, member(2, **change))
        assert (r.status, r.json["error"]["field"]) == (400, field), (change, r)
    r = cluster.api("POST", path, member(2, birth_date="1985-13-01"))
    assert (r.status, r.json["error"]["code"], r.json["error"]["field"]) == (
        400, "invalid_date", "birth_date"), r
    r = cluster.api("POST", path, member(1, name="Another"))
    assert (r.status, r.json["error"]["code"], r.json["error"]["field"]) == (409, "duplicate_nik", "nik")
    r = cluster.api("POST", path, member(3, sex="male"))
    assert r.status == 201 and [w["code"] for w in r.json["warnings"]] == ["nik_sex_mismatch"]


def test_concurrent_duplicate_nik_over_http(cluster, coop):
    path = "/api/v1/cooperatives/%s/members" % coop["id"]
    body = member(77)
    token = cluster.admin_token()
    results = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def post():
        barrier.wait()
        r = cluster.http("POST", path, body, token=token)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results)
    assert statuses == [201] + [409] * 19, statuses
    assert {r.json["error"]["code"] for r in results if r.status == 409} == {"duplicate_nik"}


def test_list_search_and_exit(cluster, coop):
    path = "/api/v1/cooperatives/%s/members" % coop["id"]
    created = cluster.api("POST", path, member(90, name="Rahmawati Dewi"))
    assert created.status == 201
    assert cluster.api("POST", path, member(91)).status == 201       # a second page to list
    mid = created.json["id"]
    r = cluster.api("GET", path + "?q=rahma")
    assert [m["id"] for m in r.json["items"]] == [mid]
    r = cluster.api("GET", path + "?q=" + created.json["nik"][:10])
    assert mid in [m["id"] for m in r.json["items"]]
    r = cluster.api("PATCH", "%s/%s" % (path, mid), {"address": "Jl. Melati 2"})
    assert r.status == 200 and r.json["address"] == "Jl. Melati 2"
    r = cluster.api("POST", "%s/%s/exit" % (path, mid), {"reason": "resigned", "exit_on": "2025-06-30"})
    assert r.status == 200, r
    assert (r.json["member"]["status"], r.json["member"]["exit_reason"]) == ("exited", "resigned")
    assert (r.json["refund"], r.json["net"]) == ("0", "0")       # nothing saved, nothing owed
    r = cluster.api("POST", "%s/%s/exit" % (path, mid), {"reason": "resigned", "exit_on": "2025-06-30"})
    assert (r.status, r.json["error"]["code"]) == (422, "member_not_active")
    r = cluster.api("GET", path + "?status=exited")
    assert [m["id"] for m in r.json["items"]] == [mid]
    page = cluster.api("GET", path + "?limit=1")
    assert len(page.json["items"]) == 1 and page.json["next_cursor"]
    nxt = cluster.api("GET", path + "?limit=1&cursor=" + page.json["next_cursor"])
    assert nxt.json["items"][0]["id"] != page.json["items"][0]["id"]
    assert cluster.api("GET", path + "?limit=501").status == 400
    assert cluster.api("GET", "%s/%s" % (path, "123456789")).status == 404


def test_operator_is_confined_to_their_cooperative(cluster, coop):
    other = cluster.api("POST", "/api/v1/cooperatives", coop_body("KSU Tetangga", type="multi_purpose"))
    assert other.status == 201
    r = cluster.api("POST", "/api/v1/users", {"username": "op_sejahtera", "password": "rahasia-sekali-123",
                                              "full_name": "Operator Sejahtera", "role": "operator",
                                              "cooperative_id": coop["id"]})
    assert r.status == 201, r
    login = cluster.http("POST", "/api/v1/auth/login", {"username": "op_sejahtera",
                                                        "password": "rahasia-sekali-123"})
    token = login.json["token"]
    mine = "/api/v1/cooperatives/%s/members" % coop["id"]
    theirs = "/api/v1/cooperatives/%s/members" % other.json["id"]
    assert cluster.http("GET", mine, token=token).status == 200
    assert cluster.http("GET", theirs, token=token).status == 403
    assert cluster.http("POST", theirs, member(5), token=token).status == 403
    assert cluster.http("POST", mine, member(6), token=token).status == 201
    assert cluster.http("POST", "/api/v1/cooperatives", coop_body("X"), token=token).status == 403
    listed = cluster.http("GET", "/api/v1/cooperatives", token=token)
    assert [c["id"] for c in listed.json["items"]] == [coop["id"]]


def test_csv_import_and_job(cluster, coop):
    r = cluster.api("POST", "/api/v1/cooperatives", coop_body("KSP Impor"))
    cid = r.json["id"]
    rows = [line for _, line in csv_rows(2000, start_serial=3000)]
    rows[9] = "not-a-nik,Budi,male,1980-01-01,,,2021-01-01"              # row 11
    rows[19] = rows[19].replace(",2021-03-01", ",2021-02-31")              # row 21
    data = (CSV_HEADER + "\r\n" + "\r\n".join(rows) + "\r\n").encode()
    path = "/api/v1/cooperatives/%s/members/import" % cid
    r = cluster.api("POST", path, raw=data, headers={"Content-Type": "text/csv"})
    assert r.status == 201, r
    j = job_done_http(cluster, r.json["job_id"])
    assert (j["state"], j["rows_total"], j["rows_done"], j["rows_failed"]) == ("done", 2000, 1998, 2)
    assert [(e["row"], e["field"]) for e in j["errors"]] == [(11, "nik"), (21, "joined_on")]
    again = cluster.api("POST", path, raw=data, headers={"Content-Type": "text/csv"})
    j2 = job_done_http(cluster, again.json["job_id"])
    assert (j2["rows_imported"], j2["rows_existing"], j2["rows_failed"]) == (0, 1998, 2)
    bad = cluster.api("POST", path, raw=b"name,nik\r\n", headers={"Content-Type": "text/csv"})
    assert (bad.status, bad.json["error"]["code"], bad.json["error"]["field"]) == (400, "invalid_csv_header", "body")
    assert cluster.api("GET", "/api/v1/jobs/99999").status == 404


def test_board_meetings_supervision_and_trainings(cluster, coop):
    base = "/api/v1/cooperatives/%s" % coop["id"]
    r = cluster.api("PUT", base + "/board", {"chair": "Ibu Ani", "secretary": "Ibu Rina",
                                             "treasurer": "Ibu Wati", "supervisors": ["Pak Dedi"]})
    assert r.status == 200 and r.json["supervisors"] == ["Pak Dedi"]
    rat = {"held_on": "2025-03-20", "fiscal_year": 2024, "members_present": 87, "quorum": True,
           "accounts_approved": True, "shu_approved": True, "plan_approved": True}
    r = cluster.api("POST", base + "/annual-meetings", rat)
    assert r.status == 201 and r.json["fiscal_year"] == 2024
    assert cluster.api("POST", base + "/annual-meetings", rat).status == 409
    assert len(cluster.api("GET", base + "/annual-meetings").json["items"]) == 1
    r = cluster.api("POST", base + "/supervision", {
        "visited_on": "2025-05-02", "supervisor": "Drs. Hasan", "findings": "Buku kas belum rapi",
        "recommendations": [{"text": "Rapikan buku kas", "due_on": "2025-06-01"}]})
    assert r.status == 201 and r.json["open_recommendations"] == 1
    sid = r.json["id"]
    r = cluster.api("PATCH", base + "/supervision/%s" % sid,
                    {"recommendations": [{"number": 1, "done_on": "2025-05-28"}]})
    assert r.status == 200 and r.json["open_recommendations"] == 0
    other = cluster.api("POST", "/api/v1/cooperatives", coop_body("KSU Serba Usaha", type="multi_purpose",
                                                                  group="farmers")).json
    participants = [{"cooperative_id": coop["id"], "name": "Peserta %d" % i, "role": "member"} for i in range(31)]
    participants += [{"cooperative_id": other["id"], "name": "Peserta M%d" % i, "role": "staff"} for i in range(5)]
    r = cluster.api("POST", "/api/v1/trainings", {
        "title": "Workshop Bisnis Digital", "held_from": "2025-08-12", "held_to": "2025-08-13",
        "place": "Aula DKUPP", "trainers": ["Dr. Hendra", "Ibu Maya"], "participants": participants})
    assert r.status == 201, r
    t = r.json
    assert (t["days"], t["participants_total"]) == (2, 36)
    assert {g["name"]: g["participants"] for g in t["by_group"]} == {"women": 31, "farmers": 5}
    assert {g["name"]: g["participants"] for g in t["by_type"]} == {"savings_loan": 31, "multi_purpose": 5}
    assert cluster.api("GET", "/api/v1/trainings/%s" % t["id"]).json["title"] == "Workshop Bisnis Digital"
    assert t["id"] in [x["id"] for x in cluster.api("GET", "/api/v1/trainings?from=2025-08-01").json["items"]]
