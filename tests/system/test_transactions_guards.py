"""The guards of every posting and the exit settlement, through the gateway with exact figures:
an exit whose debts are larger than the savings pays late fee, interest and principal in
repayment order and leaves the rest on the loan, collectable; value dates after the
cooperative's today (in its time zone) and on or before the last closed day are refused, and a
correction goes into an open day as a reversal; a payout that would take cash below zero is
refused naming what the cash holds; the opening balances of a cooperative moving from paper
books, members' savings included.

Dates that must not be in the future or in a closed day are computed from today in the
cooperative's zone (Asia/Jakarta, UTC+7, unless it says otherwise), so these tests keep passing
whatever day they run on."""
import datetime
import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from members_util import nik  # noqa: E402

BIRTH = datetime.date(1984, 9, 12)
ZONES = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}
COOPS = []


def today_in(zone="Asia/Jakarta"):
    tz = datetime.timezone(datetime.timedelta(hours=ZONES[zone]))
    return datetime.datetime.now(tz).date()


def day(offset, zone="Asia/Jakarta"):
    """Today in the zone plus `offset` days, as text."""
    return (today_in(zone) + datetime.timedelta(days=offset)).isoformat()


class Api:
    def __init__(self, cluster, name, **settings):
        body = {"name": name, "type": "savings_loan", "group": "women", "district": "Lengkong",
                "settings": dict({"principal_amount": "100000", "mandatory_amount": "25000"},
                                 **settings)}
        r = cluster.api("POST", "/api/v1/cooperatives", body)
        assert r.status == 201, r
        self.c = cluster
        self.id = r.json["id"]
        self.base = "/api/v1/cooperatives/%s" % self.id
        self.serial = 2000 + 100 * len(COOPS)
        COOPS.append(self)

    def member(self, joined_on="2024-06-03"):
        self.serial += 1
        body = {"nik": nik(BIRTH, True, self.serial), "name": "Dewi Lestari %d" % self.serial,
                "sex": "female", "birth_date": BIRTH.isoformat(), "address": "Desa Cikawao",
                "phone": "0812-7777-%04d" % self.serial, "joined_on": joined_on}
        r = self.c.api("POST", self.base + "/members", body)
        assert r.status == 201, r
        return r.json["id"]

    def post(self, path, body):
        return self.c.api("POST", self.base + path, body,
                          headers={"Idempotency-Key": str(uuid.uuid4())})

    def ok(self, path, body):
        r = self.post(path, body)
        assert r.status in (200, 201), r
        return r.json

    def opening(self, lines, savings=(), value_date="2024-12-31"):
        return self.post("/opening-balances", {
            "value_date": value_date, "memo": "Saldo awal dari buku kas",
            "lines": [dict({"account": a}, **({"debit": d} if d else {"credit": c}))
                      for a, d, c in lines],
            "savings": [{"member_id": m, "kind": k, "amount": x} for m, k, x in savings]})

    def fund(self, cash, value_date="2024-12-31"):
        r = self.opening([("1-101", cash, None), ("3-301", None, cash)], value_date=value_date)
        assert r.status == 201, r

    def deposit(self, member, kind, amount, value_date):
        return self.post("/deposits", {"member_id": member, "kind": kind, "amount": amount,
                                       "value_date": value_date})

    def loan(self, member, principal, applied_on, first_due_on, **extra):
        body = dict({"member_id": member, "principal": principal, "annual_rate": "12",
                     "instalments": 12, "frequency": "monthly", "method": "flat",
                     "first_due_on": first_due_on, "applied_on": applied_on}, **extra)
        r = self.c.api("POST", self.base + "/loans", body)
        assert r.status == 201, r
        return r.json["id"]

    def get(self, path):
        r = self.c.api("GET", self.base + path)
        assert r.status == 200, r
        return r.json

    def balances(self):
        return {a["code"]: a["balance"] for a in self.get("/accounts")["items"]}

    def assert_balanced(self):
        tb = self.get("/trial-balance")
        assert tb["balanced"] is True and tb["total_debit"] == tb["total_credit"], tb


@pytest.fixture(autouse=True)
def books_balance_after():
    """Whatever a test posts or is refused, every cooperative it made ends with balanced books."""
    first = len(COOPS)
    yield
    for coop in COOPS[first:]:
        coop.assert_balanced()


def error(r, status, code, field):
    assert r.status == status, r
    e = r.json["error"]
    assert (e["code"], e.get("field")) == (code, field), r
    return e["message"]


# ------------------------------------------------------------------ exit settlement

def test_exit_with_debts_larger_than_savings_pays_them_in_repayment_order(cluster):
    coop = Api(cluster, "KSP Keluar Berutang")
    coop.fund("20000000")
    m = coop.member()
    assert coop.deposit(m, "principal", "100000", "2025-01-06").status == 201
    assert coop.deposit(m, "voluntary", "150000", "2025-01-06").status == 201
    loan = coop.loan(m, "1200000", "2025-01-05", "2025-02-10",
                     late_fee={"rate": "0.1", "basis": "per_day", "grace_days": 3})
    assert coop.post("/loans/%s/disburse" % loan, {"value_date": "2025-01-10"}).status == 201
    r = coop.post("/members/%s/exit" % m, {"reason": "resigned", "exit_on": "2025-03-10"})
    assert r.status == 200, r
    st = r.json
    # Owed on 2025-03-10: principal 1,200,000 + interest of instalments 1 and 2 (2 x 12,000)
    # + the late fee of instalment 1 (112,000 x 0.1 % x 25 days from 02-14 to 03-10) = 2,800.
    assert (st["refund"], st["debts"], st["net"]) == ("250000", "1226800", "-976800")
    # 250,000 paid as a repayment would be: instalment 1 fee 2,800, interest 12,000, principal
    # 100,000; instalment 2 interest 12,000, principal 100,000; instalment 3 interest 12,000,
    # and the last 11,200 on its principal.
    assert st["loans_paid"] == {"amount": "250000", "late_fee": "2800", "interest": "36000",
                                "principal": "211200"}
    assert (st["cash_paid"], st["payable"], st["value_date"]) == ("0", "0", "2025-03-10")
    # Left on the loan: principal 1,200,000 - 211,200; nothing of it due yet.
    assert st["debts_left"] == "988800"
    entry = coop.get("/journal/%s" % st["entry_id"])
    # Dr the savings refunded; Cr late fees, interest and the loan; nothing left for cash.
    assert [(l["account"], l.get("debit"), l.get("credit")) for l in entry["lines"]] == [
        ("3-101", "100000", None), ("2-101", "150000", None), ("4-103", None, "2800"),
        ("4-101", None, "36000"), ("1-201", None, "211200")]
    # The rest stays on the loan, visible and collectable after the exit.
    view = coop.get("/loans/%s?as_of=2025-03-10" % loan)
    assert (view["status"], view["outstanding_principal"], view["outstanding"], view["arrears"]) == (
        "active", "988800", "988800", "0")
    assert [(i["principal_paid"], i["interest_paid"], i["late_fee_paid"]) for i in view["schedule"][:4]] == [
        ("100000", "12000", "2800"), ("100000", "12000", "0"), ("11200", "12000", "0"), ("0", "0", "0")]
    r = coop.post("/loans/%s/repayments" % loan, {"amount": "88800", "value_date": "2025-04-10"})
    assert r.status == 201, r
    assert r.json["allocation"] == {"amount": "88800", "late_fee": "0", "interest": "0",
                                    "principal": "88800"}
    assert r.json["loan"]["outstanding_principal"] == "900000"
    b = coop.balances()
    # Kas: 20,000,000 + 250,000 deposited - 1,200,000 lent + 88,800 repaid.
    assert (b["1-101"], b["1-201"], b["2-101"], b["3-101"]) == ("19138800", "900000", "0", "0")
    assert (b["4-101"], b["4-103"]) == ("36000", "2800")
    coop.assert_balanced()


# ------------------------------------------------------------------ dates

def test_a_value_date_after_today_is_refused(cluster):
    coop = Api(cluster, "KSP Tanggal")
    m = coop.member()
    r = coop.deposit(m, "voluntary", "10000", day(1))
    msg = error(r, 422, "future_date", "value_date")
    assert "after today (%s)" % day(0) in msg
    assert coop.deposit(m, "voluntary", "10000", day(0)).status == 201
    r = coop.post("/journal", {"value_date": day(2), "lines": [
        {"account": "1-101", "debit": "1"}, {"account": "4-301", "credit": "1"}]})
    error(r, 422, "future_date", "value_date")
    r = coop.post("/close-day", {"business_date": day(1)})
    msg = error(r, 422, "future_date", "business_date")
    assert day(1) in msg and day(0) in msg
    # The typo that used to block every earlier close.
    error(coop.post("/close-day", {"business_date": "2999-06-30"}), 422, "future_date",
          "business_date")
    assert coop.post("/close-day", {"business_date": day(0)}).status == 200
    coop.assert_balanced()


def test_today_is_the_cooperatives_own(cluster):
    r = cluster.api("POST", "/api/v1/cooperatives", {
        "name": "KSP Zona Salah", "type": "savings_loan", "group": "women", "district": "Lengkong",
        "settings": {"time_zone": "Asia/Tokyo"}})
    error(r, 400, "invalid_time_zone", "settings.time_zone")
    coop = Api(cluster, "KSP Papua", time_zone="Asia/Jayapura")
    assert coop.get("")["settings"]["time_zone"] == "Asia/Jayapura"
    m = coop.member()
    msg = error(coop.deposit(m, "voluntary", "10000", day(1, "Asia/Jayapura")), 422,
                "future_date", "value_date")
    assert "after today (%s)" % day(0, "Asia/Jayapura") in msg
    assert coop.deposit(m, "voluntary", "10000", day(0, "Asia/Jayapura")).status == 201
    default = Api(cluster, "KSP Jawa")
    assert default.get("")["settings"]["time_zone"] == "Asia/Jakarta"


def test_nothing_is_posted_in_a_closed_day_and_corrections_are_reversals(cluster):
    coop = Api(cluster, "KSP Tutup Buku")
    coop.fund("5000000", value_date=day(-30))
    m = coop.member()
    wrong = coop.deposit(m, "voluntary", "500000", day(-7))      # should have been 50,000
    assert wrong.status == 201, wrong
    loan = coop.loan(m, "1200000", day(-9), day(20))
    assert coop.post("/close-day", {"business_date": day(-5)}).status == 200
    closed = "closed up to %s" % day(-5)
    for date in (day(-5), day(-6)):
        msg = error(coop.deposit(m, "voluntary", "50000", date), 422, "day_closed", "value_date")
        assert closed in msg
    msg = error(coop.post("/journal", {"value_date": day(-5), "lines": [
        {"account": "5-202", "debit": "1000"}, {"account": "1-101", "credit": "1000"}]}),
        422, "day_closed", "value_date")
    assert closed in msg
    error(coop.post("/loans/%s/disburse" % loan, {"value_date": day(-5)}), 422, "day_closed",
          "value_date")
    reverse = "/journal/%s/reverse" % wrong.json["entry_id"]
    error(coop.post(reverse, {"value_date": day(-6)}), 422, "day_closed", "value_date")
    # The correction goes into an open day: the reversal, then the right amount.
    r = coop.post(reverse, {"value_date": day(-4)})
    assert r.status == 201 and r.json["kind"] == "reversal" and r.json["value_date"] == day(-4), r
    assert coop.deposit(m, "voluntary", "50000", day(-4)).status == 201
    assert coop.post("/loans/%s/disburse" % loan, {"value_date": day(-4)}).status == 201
    accounts = coop.get("/members/%s/accounts" % m)
    vol = [i for i in accounts["items"] if i["kind"] == "voluntary"][0]
    assert vol["balance"] == "50000"
    b = coop.balances()
    assert (b["1-101"], b["2-101"], b["1-201"]) == ("3850000", "50000", "1200000")
    coop.assert_balanced()


def test_an_exit_in_a_closed_day_is_booked_in_the_first_open_day(cluster):
    coop = Api(cluster, "KSP Keluar Terlambat")
    early, late = coop.member(), coop.member()
    for m in (early, late):
        assert coop.deposit(m, "voluntary", "100000", day(-10)).status == 201
    assert coop.post("/close-day", {"business_date": day(-5)}).status == 200
    r = coop.post("/members/%s/exit" % early, {"reason": "resigned", "exit_on": day(-6)})
    assert r.status == 200, r
    assert (r.json["exit_on"], r.json["value_date"], r.json["cash_paid"]) == (
        day(-6), day(-4), "100000")
    assert coop.get("/journal/%s" % r.json["entry_id"])["value_date"] == day(-4)
    # Today closed too: the exit (recorded in the members service, which cannot be refused)
    # is booked on the next day.
    assert coop.post("/close-day", {"business_date": day(0)}).status == 200
    r = coop.post("/members/%s/exit" % late, {"reason": "resigned", "exit_on": day(-1)})
    assert r.status == 200, r
    assert (r.json["value_date"], r.json["cash_paid"]) == (day(1), "100000")
    assert coop.balances()["1-101"] == "0"
    coop.assert_balanced()


# ------------------------------------------------------------------ cash

def test_a_payout_needs_the_cash(cluster):
    coop = Api(cluster, "KSP Kas Tipis")
    coop.fund("55000000")
    borrower, saver = coop.member(), coop.member()
    loan = coop.loan(borrower, "90000000", "2025-01-05", "2025-02-10")
    r = coop.post("/loans/%s/disburse" % loan, {"value_date": "2025-01-10"})
    msg = error(r, 422, "insufficient_cash", "amount")
    assert msg == "Kas (1-101) holds Rp 55.000.000,00; this payout needs Rp 90.000.000,00"
    assert coop.get("/loans/%s" % loan)["status"] == "applied"
    assert coop.balances()["1-101"] == "55000000"             # nothing was posted
    assert coop.deposit(saver, "voluntary", "35000000", "2025-01-08").status == 201
    r = coop.post("/loans/%s/disburse" % loan, {"value_date": "2025-01-10"})
    assert r.status == 201, r
    assert coop.balances()["1-101"] == "0"
    r = coop.post("/withdrawals", {"member_id": saver, "kind": "voluntary", "amount": "10000",
                                   "value_date": "2025-01-11"})
    msg = error(r, 422, "insufficient_cash", "amount")
    assert msg == "Kas (1-101) holds Rp 0,00; this payout needs Rp 10.000,00"
    r = coop.post("/journal", {"value_date": "2025-01-11", "lines": [
        {"account": "5-202", "debit": "1"}, {"account": "1-102", "credit": "1"}]})
    msg = error(r, 422, "insufficient_cash", "lines[1].account")
    assert msg == "Bank (1-102) holds Rp 0,00; this payout needs Rp 1,00"
    # An exit cannot be refused: the refund the cash cannot pay is owed to the member.
    r = coop.post("/members/%s/exit" % saver, {"reason": "resigned", "exit_on": "2025-01-12"})
    assert r.status == 200, r
    assert (r.json["refund"], r.json["cash_paid"], r.json["payable"]) == ("35000000", "0", "35000000")
    entry = coop.get("/journal/%s" % r.json["entry_id"])
    assert [(l["account"], l.get("debit"), l.get("credit")) for l in entry["lines"]] == [
        ("2-101", "35000000", None), ("2-401", None, "35000000")]
    b = coop.balances()
    assert (b["1-101"], b["2-101"], b["2-401"], b["1-201"]) == ("0", "0", "35000000", "90000000")
    coop.assert_balanced()


# ------------------------------------------------------------------ opening balances

def test_opening_balances_with_members_savings(cluster):
    coop = Api(cluster, "KSP Buku Baru")
    m1, m2 = coop.member(), coop.member()
    lines = [("1-101", "5000000", None), ("1-102", "10000000", None), ("3-201", None, "2000000")]
    savings = [(m1, "principal", "100000"), (m1, "mandatory", "150000"),
               (m1, "voluntary", "2000000"), (m2, "principal", "100000"),
               (m2, "mandatory", "150000"), (m2, "voluntary", "10500000")]
    r = coop.opening([("2-101", "1", None), ("1-101", None, "1")])
    error(r, 422, "savings_account", "lines[0].account")
    error(coop.opening(lines, savings[:5]), 400, "unbalanced", "lines")
    error(coop.opening(lines, savings + [(m1, "voluntary", "1")]), 400, "duplicate",
          "savings[6].member_id")
    error(coop.opening(lines, savings + [("999999", "voluntary", "1")]), 404, "member_not_found",
          "savings[6].member_id")
    error(coop.opening(lines, [(m1, "time_deposit", "1")]), 400, "invalid_kind", "savings[0].kind")
    r = coop.opening(lines, savings)
    assert r.status == 201, r
    e = r.json
    assert (e["kind"], e["value_date"], e["total"]) == ("opening", "2024-12-31", "15000000")
    # The members' savings become one credit line per kind.
    assert [(l["account"], l.get("debit"), l.get("credit")) for l in e["lines"]] == [
        ("1-101", "5000000", None), ("1-102", "10000000", None), ("3-201", None, "2000000"),
        ("3-101", None, "200000"), ("3-102", None, "300000"), ("2-101", None, "12500000")]
    assert len(e["opening_savings"]) == 6
    error(coop.opening(lines, savings), 409, "books_not_empty", None)
    error(coop.post("/journal/%s/reverse" % e["id"], {"value_date": "2025-01-02"}), 422,
          "opening_final", "entry_id")
    acc = coop.get("/members/%s/accounts?as_of=2024-12-31" % m1)
    kinds = {i["kind"]: i for i in acc["items"]}
    assert (kinds["principal"]["balance"], kinds["mandatory"]["balance"],
            kinds["voluntary"]["balance"]) == ("100000", "150000", "2000000")
    assert kinds["voluntary"]["paid"] == "2000000"
    # The balances carry on as if they had been deposited here.
    r = coop.deposit(m1, "principal", "100000", "2025-01-02")
    error(r, 422, "principal_already_paid", "kind")
    r = coop.post("/withdrawals", {"member_id": m1, "kind": "voluntary", "amount": "500000",
                                   "value_date": "2025-01-02"})
    assert r.status == 201 and r.json["balance"] == "1500000", r
    b = coop.balances()
    assert (b["1-101"], b["1-102"], b["2-101"], b["3-101"], b["3-102"], b["3-201"]) == (
        "4500000", "10000000", "12000000", "200000", "300000", "2000000")
    coop.assert_balanced()
    # Reporting sees each member's opening balances (statement, and capital for the SHU).
    s = coop.get("/members/%s/statement?from=2024-12-01&to=2025-01-31" % m1)
    assert [(l["value_date"], l["kind"], l["amount"], l["balance"], l["total_balance"])
            for l in s["lines"]] == [
        ("2024-12-31", "principal", "100000", "100000", "100000"),
        ("2024-12-31", "mandatory", "150000", "150000", "250000"),
        ("2024-12-31", "voluntary", "2000000", "2000000", "2250000"),
        ("2025-01-02", "voluntary", "-500000", "1500000", "1750000")]


def test_books_balance(cluster):
    coop = Api(cluster, "Koperasi Neraca")
    coop.fund("500000")
    m = coop.member()
    for path, kind, amount in (("/deposits", "principal", "100000"), ("/deposits", "voluntary", "1500.50"),
                               ("/withdrawals", "voluntary", "500.25")):
        coop.ok(path, {"member_id": m, "kind": kind, "amount": amount, "value_date": "2025-01-10"})
    tb = coop.get("/trial-balance")
    assert tb["balanced"] is True and tb["total_debit"] == tb["total_credit"] == "602000.75", tb
