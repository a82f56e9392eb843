"""The reports of the API (docs/openapi.yaml) through the gateway, with exact figures: a cooperative, members,
deposits, a withdrawal and manual journal entries posted over HTTP; then the balance sheet
balances to the sen and equals the transactions service's own trial balance, the income
statement covers a period, a member's statement runs its balances, CSV files carry the same
figures, a report read right after a deposit already shows it (read-your-writes), and a
reporting store deleted and rebuilt by replay answers exactly as before."""
import os
import shutil
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import create_user, login  # noqa: E402
from members_util import nik  # noqa: E402
import datetime  # noqa: E402


BIRTH = datetime.date(1980, 5, 4)


class Books:
    """One cooperative with three members and a known history, all over HTTP."""

    def __init__(self, cluster, name, serial):
        body = {"name": name, "type": "savings_loan", "group": "women", "district": "Coblong",
                "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}}
        r = cluster.api("POST", "/api/v1/cooperatives", body)
        assert r.status == 201, r
        self.c = cluster
        self.id = r.json["id"]
        self.base = "/api/v1/cooperatives/%s" % self.id
        self.serial = serial

    def member(self, female=True):
        self.serial += 1
        body = {"nik": nik(BIRTH, female, self.serial), "name": "Anggota %d" % self.serial,
                "sex": "female" if female else "male", "birth_date": BIRTH.isoformat(),
                "address": "Desa Sukamaju", "phone": "0813-2222-%04d" % self.serial,
                "joined_on": "2025-01-02"}
        r = self.c.api("POST", self.base + "/members", body)
        assert r.status == 201, r
        return r.json["id"]

    def post(self, path, body):
        r = self.c.api("POST", self.base + path, body, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status == 201, r
        return r.json

    def move(self, path, member, kind, amount, value_date="2025-01-10"):
        return self.post(path, {"member_id": member, "kind": kind, "amount": amount,
                                "value_date": value_date})

    def get(self, path, token=None):
        r = self.c.http("GET", self.base + path, token=token or self.c.admin_token())
        assert r.status == 200, r
        return r


@pytest.fixture
def books(cluster):
    """Each test its own cooperative with the known history, so exact figures stay exact
    whatever ran before (test_read_your_writes adds deposits to it)."""
    b = Books(cluster, "Koperasi Wanita Mandiri", 700)
    b.m1, b.m2, b.m3 = b.member(), b.member(), b.member(female=False)
    b.move("/deposits", b.m1, "principal", "100000")
    b.move("/deposits", b.m1, "mandatory", "25000")
    b.move("/deposits", b.m1, "voluntary", "1500.50")
    b.move("/withdrawals", b.m1, "voluntary", "500.25", value_date="2025-02-05")
    b.move("/deposits", b.m2, "principal", "100000")
    b.move("/deposits", b.m2, "voluntary", "200000")
    b.move("/deposits", b.m3, "principal", "100000")
    b.post("/journal", {"value_date": "2025-02-15", "memo": "Jasa administrasi",
                        "lines": [{"account": "1-101", "debit": "30000"},
                                  {"account": "4-301", "credit": "30000"}]})
    b.post("/journal", {"value_date": "2025-03-01", "memo": "Listrik dan air",
                        "lines": [{"account": "5-202", "debit": "75000.75"},
                                  {"account": "1-101", "credit": "75000.75"}]})
    return b


def rows(section):
    return {a.get("code"): a["balance"] for a in section["accounts"] if a["balance"] != "0"}


def test_balance_sheet_balances_to_the_sen(cluster, books):
    bs = books.get("/reports/balance-sheet?as_of=2025-12-31").json
    assert bs["as_of"] == "2025-12-31" and bs["balanced"] is True
    assert (bs["total_assets"], bs["total_liabilities"], bs["total_equity"]) == (
        "480999.50", "201000.25", "279999.25")
    assert bs["unclosed_surplus"] == "-45000.75"
    classes = [s["class"] for s in bs["sections"]]
    assert classes == ["asset", "liability", "equity"]
    assert rows(bs["sections"][0]) == {"1-101": "480999.50"}
    assert rows(bs["sections"][1]) == {"2-101": "201000.25"}
    assert rows(bs["sections"][2]) == {"3-101": "300000", "3-102": "25000", None: "-45000.75"}
    kas = bs["sections"][0]["accounts"][0]
    assert kas == {"code": "1-101", "name": "Kas", "role": "cash", "balance": "480999.50"}
    assert int(bs["as_of_seq"]) > 0 and int(bs["members_seq"]) > 0

    early = books.get("/reports/balance-sheet?as_of=2025-01-31").json
    assert early["balanced"] and (early["total_assets"], early["total_liabilities"],
                                  early["total_equity"]) == ("526500.50", "201500.50", "325000")
    before = books.get("/reports/balance-sheet?as_of=2024-12-31").json
    assert before["balanced"] and before["total_assets"] == "0"


def test_trial_balance_equals_the_ledger(cluster, books):
    ours = books.get("/reports/trial-balance?as_of=2999-12-31").json
    theirs = books.get("/trial-balance").json
    assert ours["balanced"] and theirs["balanced"]
    assert (ours["total_debit"], ours["total_credit"]) == (theirs["total_debit"],
                                                           theirs["total_credit"])
    assert ours["total_debit"] == "632001.50"
    strip = [{k: v for k, v in a.items() if k != "standard"} for a in theirs["items"]]
    assert ours["items"] == strip
    # As of a date before the last entries, the totals leave them out.
    early = books.get("/reports/trial-balance?as_of=2025-02-28").json
    assert early["balanced"] and early["total_debit"] == "557000.75"


def test_income_statement_for_a_period(cluster, books):
    s = books.get("/reports/income-statement?from=2025-02-01&to=2025-03-31").json
    assert (s["from"], s["to"]) == ("2025-02-01", "2025-03-31")
    assert {a["code"]: a["balance"] for a in s["income"] if a["balance"] != "0"} == {"4-301": "30000"}
    assert {a["code"]: a["balance"] for a in s["expenses"] if a["balance"] != "0"} == {
        "5-202": "75000.75"}
    assert (s["total_income"], s["total_expenses"], s["surplus"]) == ("30000", "75000.75",
                                                                       "-45000.75")
    march = books.get("/reports/income-statement?from=2025-03-01&to=2025-03-31").json
    assert (march["total_income"], march["surplus"]) == ("0", "-75000.75")
    year = books.get("/reports/income-statement?to=2025-12-31").json
    assert year["from"] == "2025-01-01" and year["surplus"] == "-45000.75"
    r = cluster.api("GET", books.base + "/reports/income-statement?from=2025-04-01&to=2025-03-01")
    assert r.status == 400 and r.json["error"]["field"] == "from", r


def test_member_statement_runs_its_balances(cluster, books):
    s = books.get("/members/%s/statement?from=2025-01-01&to=2025-12-31" % books.m1).json
    lines = [(l["value_date"], l["kind"], l["amount"], l["balance"], l["total_balance"])
             for l in s["lines"]]
    assert lines == [("2025-01-10", "principal", "100000", "100000", "100000"),
                     ("2025-01-10", "mandatory", "25000", "25000", "125000"),
                     ("2025-01-10", "voluntary", "1500.50", "1500.50", "126500.50"),
                     ("2025-02-05", "voluntary", "-500.25", "1000.25", "126000.25")]
    assert [l["entry_kind"] for l in s["lines"]] == ["deposit"] * 3 + ["withdrawal"]
    assert s["opening_total"] == "0" and s["closing_total"] == "126000.25"
    assert s["name"] == "Anggota 701" and s["member_number"] == "1"
    later = books.get("/members/%s/statement?from=2025-02-01" % books.m1).json
    assert {o["kind"]: o["balance"] for o in later["opening"]} == {
        "principal": "100000", "mandatory": "25000", "voluntary": "1500.50", "time_deposit": "0"}
    assert later["opening_total"] == "126500.50" and len(later["lines"]) == 1
    assert {o["kind"]: o["balance"] for o in later["closing"]}["voluntary"] == "1000.25"
    r = cluster.api("GET", books.base + "/members/999999/statement")
    assert r.status == 404 and r.json["error"]["code"] == "member_not_found", r


def test_csv_files(cluster, books):
    r = books.get("/reports/balance-sheet?as_of=2025-12-31&format=csv&lang=en")
    assert r.headers["Content-Type"].startswith("text/csv"), r.headers
    assert ('filename="balance-sheet-cooperative-%s-2025-12-31.csv"' % books.id
            in r.headers.get("Content-Disposition", ""))
    assert r.headers["X-Lumbung-Report"] == "balance_sheet", r.headers
    assert r.headers["X-Lumbung-Cooperative"] == str(books.id), r.headers
    assert r.headers["X-Lumbung-Period"] == "2025-12-31", r.headers
    assert int(r.headers["X-Lumbung-As-Of-Seq"]) > 0, r.headers
    lines = r.text.split("\r\n")
    assert lines[0] == "class,code,name,role,balance"
    assert "asset,1-101,Kas,cash,480999.50" in lines
    assert "equity,,SHU tahun berjalan (belum ditutup),current_surplus,-45000.75" in lines
    assert "total,,total_assets,,480999.50" in lines
    r = books.get("/members/%s/statement?from=2025-01-01&to=2025-12-31&format=csv" % books.m1)
    assert "2025-02-05" in r.text and ",Simpanan sukarela," in r.text and ",-500.25,1000.25,126000.25" in r.text
    assert ",Penarikan,Simpanan sukarela," in r.text             # the kinds in Bahasa Indonesia
    r = books.get("/reports/trial-balance?as_of=2999-12-31&format=csv&lang=en")
    assert "total,,,,632001.50,632001.50,0" in r.text.split("\r\n")
    r = cluster.api("GET", books.base + "/reports/trial-balance?format=docx")
    assert r.status == 400, r


def test_read_your_writes(cluster, books):
    """A deposit followed at once by a report: the gateway passes the deposit's sequence and
    reporting waits until it has applied it."""
    for i in range(5):
        before = books.get("/reports/balance-sheet?as_of=2025-12-31").json["total_assets"]
        books.move("/deposits", books.m2, "voluntary", "1000", value_date="2025-06-01")
        after = books.get("/reports/balance-sheet?as_of=2025-12-31").json
        assert after["balanced"]
        assert int(after["total_assets"].split(".")[0]) == int(before.split(".")[0]) + 1000


def test_dashboard_and_access(cluster, books):
    d = cluster.api("GET", "/api/v1/district/dashboard?as_of=2025-12-31")
    assert d.status == 200, d
    mine = [c for c in d.json["items"] if c["cooperative_id"] == books.id]
    assert len(mine) == 1
    me = mine[0]
    assert (me["members_active"], me["members_female"], me["members_male"]) == (3, 2, 1)
    assert me["type"] == "savings_loan" and me["name"] == "Koperasi Wanita Mandiri"
    assert me["total_assets"] == books.get("/reports/balance-sheet?as_of=2025-12-31").json["total_assets"]
    assert d.json["members_active"] >= 3 and d.json["cooperatives"] >= 1
    assert any(t["type"] == "savings_loan" for t in d.json["by_type"])
    csv = cluster.api("GET", "/api/v1/district/dashboard?format=csv")
    assert csv.status == 200 and csv.headers["Content-Type"].startswith("text/csv"), csv

    other = Books(cluster, "Koperasi Lain", 800)
    create_user(cluster, "viewer-rep", "viewer", coop=other.id)
    token = login(cluster, "viewer-rep")
    r = cluster.http("GET", books.base + "/reports/balance-sheet", token=token)
    assert r.status == 403, r
    r = cluster.http("GET", other.base + "/reports/balance-sheet", token=token)
    assert r.status == 200 and r.json["total_assets"] == "0", r
    r = cluster.http("GET", "/api/v1/district/dashboard", token=token)
    assert r.status == 403, r


def test_rebuild_from_replay_gives_identical_reports(cluster, books):
    paths = ["/reports/balance-sheet?as_of=2025-12-31", "/reports/trial-balance?as_of=2025-12-31",
             "/reports/income-statement?from=2025-01-01&to=2025-12-31",
             "/members/%s/statement" % books.m1, "/reports/balance-sheet?as_of=2025-12-31&format=csv"]
    before = [books.get(p).text for p in paths]
    assert cluster.stop_service("reporting") == 0
    shutil.rmtree(os.path.join(cluster.data_dir, "reporting"))
    cluster.start_service("reporting")
    after = [books.get(p).text for p in paths]
    assert after == before
