"""The loan-loss allowance in the books, write-off and recovery, cancelled applications and the
loan view as of one date, through the gateway with exact figures (issue 8, section 2, items 1,
5, 6 and 7).

- Allowance: three successive close-days (both loans current; one substandard; back to current
  after a repayment) each bring the allowance account to the portfolio's required allowance
  to the sen (rounded per class), post the difference as one entry, and the balance sheet
  shows the loans net of it.
- Write-off of a loss loan against the allowance, then recoveries (Dr cash / Cr other
  income), with the balance sheet, income statement, portfolio and member statement after
  each; the error paths with their codes and fields.
- Cancel of an application (and 422 on a disbursed loan), cancel at the member's exit.
- GET loan: class, days past due and arrears of one stated date.

Every test builds its own cooperative, funds its cash before lending and posts its dates in
order, so it passes alone and in any order."""
import datetime
import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BusClient, date_text  # noqa: E402
from reporting_util import ApiCoop  # noqa: E402
from tx_util import Coop as BusCoop, assert_books_balance, tx_call  # noqa: E402


SERIALS = iter(range(7000, 9900, 100))


class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "women", "Coblong", datetime.date(1983, 4, 21), True
    PERSON, VILLAGE, PHONE = "Ibu", "Desa Cibodas", "0813-4444"

    def __init__(self, cluster, name):
        super().__init__(cluster, name, next(SERIALS))

    def fund(self, member, amount, value_date="2025-01-06"):
        """Cash to lend from: the member's voluntary savings."""
        self.deposit(member, "voluntary", amount, value_date)

    def apply(self, member, principal, first_due_on="2025-02-10", **extra):
        body = {"member_id": member, "principal": principal, "annual_rate": "12",
                "instalments": 12, "frequency": "monthly", "method": "flat",
                "first_due_on": first_due_on, "applied_on": "2025-01-05"}
        body.update(extra)
        r = self.c.api("POST", self.base + "/loans", body)
        assert r.status == 201, r
        return r.json["id"]

    def loan(self, member, principal, **extra):
        loan = self.apply(member, principal, **extra)
        self.post("/loans/%s/disburse" % loan, {"value_date": "2025-01-10"})
        return loan

    def call(self, method, path, body=None, key=True):
        headers = {"Idempotency-Key": key if isinstance(key, str) else str(uuid.uuid4())} \
            if key else None
        return self.c.api(method, self.base + path, body, headers=headers)

    def close(self, date):
        r = self.c.api("POST", self.base + "/close-day", {"business_date": date})
        assert r.status == 200, r
        return r.json

    def get(self, path):
        r = self.c.api("GET", self.base + path)
        assert r.status == 200, r
        return r.json

    def account(self, role):
        for a in self.get("/accounts")["items"]:
            if a.get("role") == role:
                return a
        raise AssertionError(role)

    def sheet(self, as_of):
        b = self.get("/reports/balance-sheet?as_of=" + as_of)
        assert b["balanced"], b
        rows = {a["role"]: a["balance"] for s in b["sections"] for a in s["accounts"]
                if a.get("role")}
        return b, rows

    def income(self, to):
        s = self.get("/reports/income-statement?from=2025-01-01&to=" + to)
        rows = {a["role"]: a["balance"] for a in s.get("income", []) + s.get("expenses", [])}
        return s, rows

    def books_balance(self):
        view = BusCoop.__new__(BusCoop)
        view.cluster, view.id, view.seq = self.c, int(self.id), None
        assert_books_balance(view)


def error(r, status, code, field):
    assert r.status == status, r
    e = r.json["error"]
    assert (e["code"], e.get("field")) == (code, field), e
    return e


def loan_events(cluster, coop, kinds, until):
    """Subscribes before `until()` runs, then collects the loan events of the cooperative."""
    sub = cluster.subscribe("transactions")
    try:
        time.sleep(0.3)
        until()
        seen = []
        for _ in range(400):
            got = sub.recv(timeout=5)
            assert got is not None, seen
            kind, ev = got
            if kind != "E":
                continue
            which = ev.transactions.WhichOneof("body")
            if which in kinds:
                body = getattr(ev.transactions, which)
                if body.state.cooperative_id == int(coop.id):
                    seen.append((which, body))
                    if len(seen) == len(kinds):
                        return seen
        raise AssertionError(seen)
    finally:
        sub.close()


# ------------------------------------------------------------------ allowance

def test_allowance_follows_two_successive_close_days(cluster):
    coop = Coop(cluster, "KSP Allowance")
    m1, m2 = coop.member(), coop.member()
    coop.fund(m1, "20000000")
    # A: 12,000,000 unpaid from 2025-02-10; B: 6,000,001.11, first due 2025-07-10.
    a = coop.loan(m1, "12000000")
    coop.loan(m2, "6000001.11", first_due_on="2025-07-10")

    # 1. Both current: 0.5 % x 18,000,001.11 = 90,000.00555 -> 90,000.01.
    d = coop.close("2025-01-31")
    assert (d["allowance_before"], d["allowance_after"], d["allowance_posted"]) == \
        ("0", "90000.01", "90000.01")
    entry = coop.get("/journal/%s" % d["allowance_entry_id"])
    allowance, expense = coop.account("loan_loss_allowance"), coop.account("provision_expense")
    assert (entry["kind"], entry["value_date"]) == ("loan_allowance", "2025-01-31")
    assert sorted((l["account"], l.get("debit"), l.get("credit")) for l in entry["lines"]) == [
        (allowance["code"], None, "90000.01"), (expense["code"], "90000.01", None)]

    # 2. A is more than 3 months in arrears on 2025-06-15: substandard 10 % x 12,000,000 =
    #    1,200,000; B current 0.5 % x 6,000,001.11 = 30,000.00555 -> 30,000.01.
    d = coop.close("2025-06-15")
    assert (d["allowance_before"], d["allowance_after"], d["allowance_posted"], d["reclassified"]) \
        == ("90000.01", "1230000.01", "1140000", 1)
    assert coop.account("loan_loss_allowance")["balance"] == "-1230000.01"   # contra asset
    assert coop.account("provision_expense")["balance"] == "1230000.01"
    p = coop.get("/reports/loan-portfolio?as_of=2025-06-15")
    assert p["allowance"] == "1230000.01"
    assert {c["class"]: c["allowance"] for c in p["classes"]} == {
        "current": "30000.01", "substandard": "1200000", "doubtful": "0", "loss": "0"}
    b, rows = coop.sheet("2025-06-15")
    assert (b["loans_gross"], b["loan_loss_allowance"], b["loans_net"]) == \
        ("18000001.11", "1230000.01", "16770001.10")
    assert rows["loan_loss_allowance"] == "-1230000.01"
    r = cluster.api("GET", coop.base + "/reports/balance-sheet?as_of=2025-06-15&format=csv&lang=en")
    assert r.status == 200, r
    lines = r.text.split("\r\n")
    assert {"total,,loans_gross,,18000001.11", "total,,loan_loss_allowance,,1230000.01",
            "total,,loans_net,,16770001.10"} <= set(lines), lines
    assert b["total_assets"] == "18769999.99"     # cash 1,999,998.89 + loans net

    # 3. Five instalments of A repaid (5 x 1,120,000): current again; its principal 7,000,000.
    coop.post("/loans/%s/repayments" % a, {"amount": "5600000", "value_date": "2025-06-20"})
    d = coop.close("2025-06-30")
    # 0.5 % x (7,000,000 + 6,000,001.11) = 65,000.00555 -> 65,000.01: 1,165,000 released.
    assert (d["allowance_before"], d["allowance_after"], d["allowance_posted"]) == \
        ("1230000.01", "65000.01", "-1165000")
    entry = coop.get("/journal/%s" % d["allowance_entry_id"])
    assert sorted((l["account"], l.get("debit"), l.get("credit")) for l in entry["lines"]) == [
        (allowance["code"], "1165000", None), (expense["code"], None, "1165000")]
    assert coop.account("loan_loss_allowance")["balance"] == "-65000.01"
    assert coop.account("provision_expense")["balance"] == "65000.01"
    p = coop.get("/reports/loan-portfolio?as_of=2025-06-30")
    assert (p["allowance"], p["outstanding_principal"]) == ("65000.01", "13000001.11")
    b, rows = coop.sheet("2025-06-30")
    assert (b["loans_gross"], b["loan_loss_allowance"], b["loans_net"]) == \
        ("13000001.11", "65000.01", "12935001.10")
    # cash 20,000,000 - 18,000,001.11 + 5,600,000 = 7,599,998.89; + loans net = 20,534,999.99
    assert (b["total_assets"], b["total_liabilities"], b["unclosed_surplus"]) == \
        ("20534999.99", "20000000", "534999.99")
    s, rows = coop.income("2025-06-30")
    assert (rows["loan_interest_income"], rows["provision_expense"], s["surplus"]) == \
        ("600000", "65000.01", "534999.99")

    # The same date again answers the same close and posts nothing more.
    assert coop.close("2025-06-30") == d
    assert coop.account("loan_loss_allowance")["balance"] == "-65000.01"
    coop.books_balance()


def test_health_2c_reads_the_allowance(cluster):
    coop = Coop(cluster, "KSP Allowance Health")
    m = coop.member()
    coop.fund(m, "10000000")
    coop.loan(m, "4000000")
    coop.close("2025-06-15")                  # substandard: 10 % x 4,000,000
    h = coop.get("/reports/health?year=2025")
    c2c = next(c for c in h["components"] if c["code"] == "2c")
    # RPM = 50 % x 4,000,000; (risk reserve 0 + allowance 400,000) / 2,000,000 = 20 %.
    assert (c2c["inputs"]["loan_loss_allowance"], c2c["inputs"]["rpm"]) == ("400000", "2000000"), c2c


# ------------------------------------------------------------------ write-off and recovery

def test_write_off_then_recovery(cluster):
    coop = Coop(cluster, "KSP Write-off")
    m, other = coop.member(), coop.member()
    coop.fund(m, "10000000")
    loan = coop.loan(m, "5000000")             # 50,000 interest a month, nothing ever paid
    current = coop.loan(other, "1000000", first_due_on="2025-12-10")

    d = coop.close("2025-06-15")               # substandard: 500,000 + 0.5 % x 1,000,000
    assert d["allowance_after"] == "505000"
    e = error(coop.call("POST", "/loans/%s/write-off" % loan, {"value_date": "2025-06-16"}),
              422, "not_loss", "loan_id")
    assert "substandard" in e["message"]
    # Beyond 6 months without collateral on 2025-08-31: loss, 100 %.
    d = coop.close("2025-08-31")
    assert (d["allowance_before"], d["allowance_after"], d["allowance_posted"]) == \
        ("505000", "5005000", "4500000")

    # Error paths: no key, a current loan, a date before the loss classification.
    error(coop.call("POST", "/loans/%s/write-off" % loan, {"value_date": "2025-09-01"}, key=False),
          400, "idempotency_key_required", "Idempotency-Key")
    error(coop.call("POST", "/loans/%s/write-off" % current, {"value_date": "2025-09-01"}),
          422, "not_loss", "loan_id")
    error(coop.call("POST", "/loans/%s/recoveries" % loan,
                    {"amount": "1000", "value_date": "2025-09-01"}),
          422, "loan_not_written_off", "loan_id")
    error(coop.call("POST", "/loans/999999/write-off", {"value_date": "2025-09-01"}),
          404, "loan_not_found", "loan_id")

    key = str(uuid.uuid4())
    r = coop.call("POST", "/loans/%s/write-off" % loan,
                  {"value_date": "2025-09-01", "note": "Macet, anggota pindah"}, key=key)
    assert r.status == 201, r
    again = coop.call("POST", "/loans/%s/write-off" % loan,
                      {"value_date": "2025-09-01", "note": "Macet, anggota pindah"}, key=key)
    assert again.status == 201 and again.json["entry"]["id"] == r.json["entry"]["id"]
    w = r.json["loan"]
    # Owed: principal 5,000,000 + interest of the 7 instalments due (Feb..Aug) 350,000.
    assert (w["status"], w["written_off_on"], w["written_off_principal"], w["written_off_owed"],
            w["still_owed"], w["recovered"]) == \
        ("written_off", "2025-09-01", "5000000", "5350000", "5350000", "0")
    assert w["outstanding"] == "0" and w["arrears"] == "0"
    codes = {a: coop.account(a)["code"] for a in
             ("loan_loss_allowance", "member_loans", "cash", "other_income")}
    assert r.json["entry"]["kind"] == "loan_write_off"
    assert sorted((l["account"], l.get("debit"), l.get("credit")) for l in r.json["entry"]["lines"]) \
        == sorted([(codes["loan_loss_allowance"], "5000000", None),
                   (codes["member_loans"], None, "5000000")])
    error(coop.call("POST", "/loans/%s/write-off" % loan, {"value_date": "2025-09-02"}),
          422, "already_written_off", "loan_id")
    error(coop.call("POST", "/loans/%s/repayments" % loan,
                    {"amount": "1000", "value_date": "2025-09-02"}),
          422, "loan_written_off", "loan_id")

    b, rows = coop.sheet("2025-09-01")
    assert (b["loans_gross"], b["loan_loss_allowance"], b["loans_net"]) == \
        ("1000000", "5000", "995000")
    # cash 10,000,000 - 6,000,000 = 4,000,000; surplus = - provision 5,005,000
    assert (b["total_assets"], b["unclosed_surplus"]) == ("4995000", "-5005000")
    s, rows = coop.income("2025-09-01")
    assert (rows["provision_expense"], rows.get("other_income", "0"), s["surplus"]) == \
        ("5005000", "0", "-5005000")

    # Recoveries: never more than still owed.
    error(coop.call("POST", "/loans/%s/recoveries" % loan,
                    {"amount": "1000000", "value_date": "2025-08-31"}),
          422, "invalid_value_date", "value_date")
    r = coop.call("POST", "/loans/%s/recoveries" % loan,
                  {"amount": "1000000", "value_date": "2025-09-15"})
    assert r.status == 201, r
    assert r.json["entry"]["kind"] == "loan_recovery"
    assert sorted((l["account"], l.get("debit"), l.get("credit")) for l in r.json["entry"]["lines"]) \
        == sorted([(codes["cash"], "1000000", None), (codes["other_income"], None, "1000000")])
    assert (r.json["loan"]["recovered"], r.json["loan"]["still_owed"]) == ("1000000", "4350000")
    e = error(coop.call("POST", "/loans/%s/recoveries" % loan,
                        {"amount": "4350000.01", "value_date": "2025-09-20"}),
              422, "recovery_exceeds_owed", "amount")
    assert "4350000" in e["message"] or "4.350.000" in e["message"], e
    error(coop.call("POST", "/loans/%s/recoveries" % loan, {"value_date": "2025-09-20"}),
          400, "missing_field", "amount")

    b, rows = coop.sheet("2025-09-15")
    assert (rows["cash"], b["total_assets"], b["unclosed_surplus"]) == \
        ("5000000", "5995000", "-4005000")
    s, rows = coop.income("2025-09-15")
    assert (rows["other_income"], rows["provision_expense"], s["surplus"]) == \
        ("1000000", "5005000", "-4005000")

    # The next close finds nothing more to provide for the written-off loan.
    d = coop.close("2025-09-30")
    assert (d["allowance_before"], d["allowance_after"], d["allowance_posted"]) == \
        ("5000", "5000", "0")
    assert d.get("allowance_entry_id", "0") == "0"

    p = coop.get("/reports/loan-portfolio?as_of=2025-09-30")
    assert (p["loans"], p["outstanding_principal"], p["allowance"]) == (1, "1000000", "5000")
    assert (p["written_off_loans"], p["written_off"], p["recovered"],
            p["written_off_still_owed"]) == (1, "5000000", "1000000", "4350000")
    assert p["write_offs"] == [{
        "loan_id": loan, "member_id": m, "written_off_on": "2025-09-01", "principal": "5000000",
        "owed": "5350000", "recovered": "1000000", "still_owed": "4350000",
        "entry_id": w["write_off_entry_id"]}]
    assert [(x["loan_id"], x["value_date"], x["amount"], x["still_owed"])
            for x in p["recoveries"]] == [(loan, "2025-09-15", "1000000", "4350000")]
    r = cluster.api("GET", coop.base + "/reports/loan-portfolio?as_of=2025-09-30&format=csv&lang=en")
    assert r.status == 200, r
    lines = r.text.split("\r\n")
    # every row as wide as the header (7 columns)
    assert "total,written_off,5000000,,,," in lines and "total,recovered,1000000,,,," in lines
    assert "total,written_off_still_owed,4350000,,,," in lines
    before = coop.get("/reports/loan-portfolio?as_of=2025-08-31")
    assert (before["loans"], before["written_off_loans"], before["allowance"]) == (2, 0, "5005000")

    st = coop.get("/members/%s/statement?from=2025-01-01&to=2025-12-31" % m)
    card = [c for c in st["loans"] if c["loan_id"] == loan][0]
    assert [(l["value_date"], l["kind"], l["amount"], l["outstanding_principal"], l["still_owed"])
            for l in card["lines"] if "still_owed" in l] == [
        ("2025-09-01", "write_off", "5000000", "0", "5350000"),
        ("2025-09-15", "recovery", "1000000", "0", "4350000")]
    assert card["closing_principal"] == "0"
    assert all(c["loan_id"] != loan
               for c in coop.get("/members/%s/statement?from=2025-01-01&to=2025-12-31" % other).get(
                   "loans", []))
    coop.books_balance()


# ------------------------------------------------------------------ cancel

def test_cancel_an_application_and_not_a_disbursed_loan(cluster):
    coop = Coop(cluster, "KSP Cancel")
    m = coop.member()
    coop.fund(m, "5000000")
    applied = coop.apply(m, "1200000")
    # Never disbursed: no arrears even long after its first due date.
    view = coop.get("/loans/%s?as_of=2025-06-15" % applied)
    assert (view["status"], view["arrears"], view["arrears_principal"], view["arrears_days"],
            view["instalments_overdue"], view["outstanding"]) == ("applied", "0", "0", 0, 0, "0")
    assert not any(i["overdue"] for i in view["schedule"])

    def cancel():
        r = coop.call("POST", "/loans/%s/cancel" % applied, {"note": "Anggota membatalkan"},
                      key=False)
        assert r.status == 200, r
        assert (r.json["status"], r.json["cancel_note"]) == ("cancelled", "Anggota membatalkan")
        assert r.json["cancelled_on"]

    [(_, ev)] = loan_events(cluster, coop, ["loan_cancelled"], cancel)
    assert (ev.state.loan_id, ev.reason, ev.state.status) == (
        int(applied), "operator", 5)            # LOAN_STATUS_CANCELLED
    again = coop.call("POST", "/loans/%s/cancel" % applied, {}, key=False)
    assert again.status == 200 and again.json["status"] == "cancelled"
    error(coop.call("POST", "/loans/%s/disburse" % applied, {"value_date": "2025-01-10"}),
          422, "loan_cancelled", "loan_id")

    disbursed = coop.loan(m, "1200000")
    e = error(coop.call("POST", "/loans/%s/cancel" % disbursed, {}, key=False),
              422, "already_disbursed", "loan_id")
    assert "2025-01-10" in e["message"]
    error(coop.call("POST", "/loans/999999/cancel", {}, key=False), 404, "loan_not_found", "loan_id")
    error(coop.call("POST", "/loans/%s/cancel" % applied, {"note": "x" * 257}, key=False),
          400, "too_long", "note")
    # The cancelled application is in no portfolio and needs no allowance.
    d = coop.close("2025-01-31")
    assert (d["loans"], d["allowance_after"]) == (1, "6000")     # 0.5 % x 1,200,000
    listed = coop.get("/loans?status=cancelled")["items"]
    assert [l["id"] for l in listed] == [applied]
    coop.books_balance()


def test_an_exit_cancels_the_members_applications(cluster):
    coop = Coop(cluster, "KSP Cancel Exit")
    m = coop.member()
    applied = coop.apply(m, "1200000")

    def leave():
        r = cluster.api("POST", coop.base + "/members/%s/exit" % m,
                        {"reason": "resigned", "exit_on": "2025-03-10"})
        assert r.status == 200, r

    [(_, ev)] = loan_events(cluster, coop, ["loan_cancelled"], leave)
    assert (ev.state.loan_id, ev.reason, date_text(ev.cancelled_on)) == (int(applied), "member_exit",
                                                              "2025-03-10")
    loan = coop.get("/loans/%s" % applied)
    assert (loan["status"], loan["cancelled_on"], loan["arrears"]) == \
        ("cancelled", "2025-03-10", "0")


# ------------------------------------------------------------------ GET loan as of one date

def test_get_loan_answers_as_of_one_date(cluster):
    coop = Coop(cluster, "KSP As Of")
    m = coop.member()
    coop.fund(m, "5000000")
    loan = coop.loan(m, "1200000")                 # 112,000 a month from 2025-02-10, unpaid

    # No day closed yet: today, and class, days past due and arrears all of today.
    view = coop.get("/loans/%s" % loan)
    utc = datetime.datetime.now(datetime.timezone.utc).date()
    assert view["as_of_basis"] == "today"
    assert view["as_of"] in (utc.isoformat(), (utc + datetime.timedelta(days=1)).isoformat())
    today = datetime.date.fromisoformat(view["as_of"])
    assert view["arrears_days"] == (today - datetime.date(2025, 2, 10)).days
    assert view["class"] == "loss"                 # far beyond 6 months, no collateral
    assert view["classified_on"] == view["as_of"]

    coop.close("2025-04-15")
    view = coop.get("/loans/%s" % loan)
    # 2025-04-15: three instalments due (02-10, 03-10, 04-10) and unpaid, 64 days: current.
    assert (view["as_of"], view["as_of_basis"], view["class"], view["classified_on"]) == \
        ("2025-04-15", "last_close", "current", "2025-04-15")
    assert (view["arrears_days"], view["instalments_overdue"], view["arrears_principal"],
            view["arrears_interest"], view["arrears"]) == (64, 3, "300000", "36000", "336000")

    view = coop.get("/loans/%s?as_of=2025-06-15" % loan)
    # 2025-06-15: five instalments, 125 days, more than 3 months of principal: substandard.
    assert (view["as_of"], view["as_of_basis"], view["class"]) == \
        ("2025-06-15", "requested", "substandard")
    assert (view["arrears_days"], view["instalments_overdue"], view["arrears"]) == \
        (125, 5, "560000")
    # A view changes nothing: the books still classify the loan as of the last close.
    assert coop.get("/loans/%s" % loan)["class"] == "current"
    assert coop.get("/reports/loan-portfolio?as_of=2025-04-15")["classes"][0]["loans"] == 1
    r = cluster.api("GET", coop.base + "/loans/%s?as_of=2025-02-30" % loan)
    error(r, 400, "invalid_date", "as_of")


def test_write_off_and_recovery_events_and_a_shortfall_charged_to_expense(cluster):
    coop = Coop(cluster, "KSP Write-off Events")
    m = coop.member()
    coop.fund(m, "5000000")
    loan = coop.loan(m, "1200000")                 # 112,000 a month from 2025-02-10, unpaid
    coop.close("2025-06-15")                       # substandard: allowance 120,000
    # A payment on 2025-08-20 classifies the loan as of its date: loss (beyond 6 months), while
    # the allowance still holds 10 %. The write-off takes the rest from provision expense.
    r = coop.call("POST", "/loans/%s/repayments" % loan,
                  {"amount": "12000", "value_date": "2025-08-20"})
    assert r.status == 201 and r.json["loan"]["class"] == "loss", r
    codes = {a: coop.account(a)["code"] for a in
             ("loan_loss_allowance", "provision_expense", "member_loans")}
    out = {}

    def write_off_and_recover():
        w = coop.call("POST", "/loans/%s/write-off" % loan, {"value_date": "2025-08-21"})
        assert w.status == 201, w
        out["write_off"] = w.json
        rec = coop.call("POST", "/loans/%s/recoveries" % loan,
                        {"amount": "50000", "value_date": "2025-08-25"})
        assert rec.status == 201, rec
        out["recovery"] = rec.json

    events = dict(loan_events(cluster, coop, ["loan_written_off", "loan_recovered"],
                              write_off_and_recover))
    # The payment of 12,000 went to the February interest: principal 1,200,000 outstanding.
    lines = out["write_off"]["entry"]["lines"]
    assert sorted((l["account"], l.get("debit"), l.get("credit")) for l in lines) == sorted([
        (codes["loan_loss_allowance"], "120000", None),
        (codes["provision_expense"], "1080000", None),
        (codes["member_loans"], None, "1200000")])
    # Owed on 2025-08-21: principal 1,200,000 + interest of 7 instalments 84,000 - 12,000 paid.
    w = events["loan_written_off"]
    assert (w.state.loan_id, w.principal_sen, w.owed_sen, w.entry_id, date_text(w.value_date)) == (
        int(loan), 120000000, 127200000, int(out["write_off"]["entry"]["id"]), "2025-08-21")
    assert (w.state.status, w.state.outstanding_principal_sen) == (4, 0)   # written off
    rec = events["loan_recovered"]
    assert (rec.amount_sen, rec.still_owed_sen, date_text(rec.value_date), rec.entry_id) == (
        5000000, 122200000, "2025-08-25", int(out["recovery"]["entry"]["id"]))
    assert coop.account("loan_loss_allowance")["balance"] == "0"
    loan_now = coop.get("/loans/%s" % loan)
    assert [(x["amount"], x["value_date"]) for x in loan_now["recoveries"]] == \
        [("50000", "2025-08-25")]
    coop.books_balance()


def test_an_integrator_writes_off_and_recovers_only_with_an_idempotency_key(cluster):
    coop = Coop(cluster, "KSP Write-off Bus")
    m = coop.member()
    coop.fund(m, "5000000")
    loan = coop.loan(m, "1200000")
    coop.close("2025-08-31")                       # loss: 100 % of 1,200,000
    cluster.ctl("keys", "add", "bank-ntb", "integrator", "--cooperatives", str(coop.id),
                "--operations", "write_off_loan,post_recovery")
    bank = BusClient(cluster, "transactions", key_name="bank-ntb")
    write_off = {"cooperative_id": coop.id, "loan_id": loan, "value_date": "2025-09-01"}
    recovery = {"cooperative_id": coop.id, "loan_id": loan, "amount_sen": 10000000,
                "value_date": "2025-09-02"}
    try:
        for op, body in (("write_off_loan", write_off), ("post_recovery", recovery)):
            reply, _ = tx_call(cluster, op, body, actor=None, client=bank)
            assert (reply.error.code, reply.error.field) == \
                ("idempotency_key_required", "idempotency_key"), reply
            first, p = tx_call(cluster, op, body, actor=None, key="ntb-" + op, client=bank)
            assert not first.HasField("error"), first.error
            again, q = tx_call(cluster, op, body, actor=None, key="ntb-" + op, client=bank)
            assert p.entry.id == q.entry.id                 # booked once
    finally:
        bank.close()
    view = coop.get("/loans/%s" % loan)
    assert (view["status"], view["recovered"], view["still_owed"]) == \
        ("written_off", "100000", "1184000")   # 1,200,000 + 7 x 12,000 interest - 100,000
    coop.books_balance()
