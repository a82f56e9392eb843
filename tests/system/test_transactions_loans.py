"""Loans through the gateway and the bus, with exact figures: the worked example of docs/domain.md as
schedules, disbursement once (a second is 422), a repayment split into late fee, interest and
principal, overpayment refused, collectibility moving with close-day dates, loans in a member's
accounts, an exit refund net of a loan, loan events on the transactions stream, and balanced
books at the end."""
import datetime
import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN  # noqa: E402
from members_util import nik  # noqa: E402
from tx_util import Coop, assert_books_balance  # noqa: E402


BIRTH = datetime.date(1981, 7, 2)
COOPS = []


class Api:
    def __init__(self, cluster, name):
        body = {"name": name, "type": "savings_loan", "group": "women", "district": "Coblong",
                "settings": {"principal_amount": "100000", "mandatory_amount": "25000",
                             "mandatory_period": "monthly"}}
        r = cluster.api("POST", "/api/v1/cooperatives", body)
        assert r.status == 201, r
        self.c = cluster
        self.id = r.json["id"]
        self.base = "/api/v1/cooperatives/%s" % self.id
        self.serial = 500 + 100 * len(COOPS)
        COOPS.append(self)
        # Cash in hand from the paper books, so that loans can be paid out (Dr Kas / Cr Hibah).
        r = self.post("/opening-balances", {"value_date": "2025-01-01", "lines": [
            {"account": "1-101", "debit": "100000000"}, {"account": "3-301", "credit": "100000000"}]})
        assert r.status == 201, r

    def member(self):
        self.serial += 1
        body = {"nik": nik(BIRTH, True, self.serial), "name": "Siti Aminah %d" % self.serial,
                "sex": "female", "birth_date": BIRTH.isoformat(), "address": "Desa Cibiru",
                "phone": "0812-2222-%04d" % self.serial, "joined_on": "2024-01-15"}
        r = self.c.api("POST", self.base + "/members", body)
        assert r.status == 201, r
        return r.json["id"]

    def post(self, path, body, key=None):
        return self.c.http("POST", self.base + path, body, token=self.c.admin_token(),
                           headers={"Idempotency-Key": key or str(uuid.uuid4())})

    def loan(self, member, method="flat", principal="12000000", **extra):
        body = {"member_id": member, "principal": principal, "annual_rate": "12",
                "instalments": 12, "frequency": "monthly", "method": method,
                "first_due_on": "2025-02-10", "applied_on": "2025-01-05"}
        body.update(extra)
        r = self.c.api("POST", self.base + "/loans", body)
        assert r.status == 201, r
        return r.json

    def disburse(self, loan_id, value_date="2025-01-10", key=None):
        return self.post("/loans/%s/disburse" % loan_id, {"value_date": value_date}, key)

    def repay(self, loan_id, amount, value_date, key=None):
        return self.post("/loans/%s/repayments" % loan_id,
                         {"amount": amount, "value_date": value_date}, key)

    def get(self, loan_id, as_of):
        r = self.c.api("GET", self.base + "/loans/%s?as_of=%s" % (loan_id, as_of))
        assert r.status == 200, r
        return r.json

    def close_day(self, date):
        return self.c.api("POST", self.base + "/close-day", {"business_date": date})

    def role_codes(self):
        r = self.c.api("GET", self.base + "/accounts")
        assert r.status == 200, r
        codes = {}
        for a in r.json["items"]:
            codes.setdefault(a.get("role"), a["code"])
        return codes


@pytest.fixture
def coop(cluster):
    """A cooperative of its own for each test: a close-day closes the books of every earlier
    date, so tests sharing one would depend on their order."""
    return Api(cluster, "KSP Wanita Sejahtera")


def assert_balanced(cluster, api):
    """assert_books_balance over the bus for a cooperative made here; its entries."""
    view = Coop.__new__(Coop)
    view.cluster, view.id, view.seq = cluster, int(api.id), None
    return assert_books_balance(view)


@pytest.fixture(autouse=True)
def books_balance_after(cluster):
    """Whatever a test posts, every cooperative it made ends with balanced books."""
    first = len(COOPS)
    yield
    for api in COOPS[first:]:
        assert_balanced(cluster, api)


def totals(loan):
    return [i["total"] for i in loan["schedule"]]


def test_worked_example_schedules(cluster, coop):
    m = coop.member()
    flat = coop.loan(m, "flat")
    assert totals(flat) == ["1120000"] * 12
    assert (flat["total_interest"], flat["status"], flat["instalments"]) == ("1440000", "applied", 12)
    first = flat["schedule"][0]
    assert first == {"number": 1, "due_on": "2025-02-10", "principal": "1000000",
                     "interest": "120000", "total": "1120000", "balance_after": "11000000",
                     "principal_paid": "0", "interest_paid": "0", "late_fee": "0",
                     "late_fee_paid": "0", "late_fee_units": 0, "paid": "0", "overdue": False,
                     "interest_waived": "0"}
    assert flat["schedule"][11]["due_on"] == "2026-01-10"
    declining = coop.loan(m, "declining")
    assert totals(declining)[0] == "1120000" and totals(declining)[11] == "1010000"
    assert declining["total_interest"] == "780000"
    annuity = coop.loan(m, "annuity")
    # A = 1,066,185.4641...; 12 A = 12,794,225.5697 is paid as 12,794,225.56, so the last
    # instalment takes the rounding: 12,794,225.56 - 11 x 1,066,185.46 = 1,066,185.50.
    assert totals(annuity) == ["1066185.46"] * 11 + ["1066185.50"]
    assert (annuity["total_interest"], annuity["total"]) == ("794225.56", "12794225.56")


def test_bad_applications_are_refused(cluster, coop):
    m = coop.member()
    base = {"member_id": m, "principal": "1000000", "annual_rate": "12", "instalments": 12,
            "frequency": "monthly", "method": "flat", "first_due_on": "2025-02-10",
            "applied_on": "2025-01-05"}
    for change, status, field in [({"instalments": 0}, 400, "instalments"),
                                  ({"method": None}, 400, "method"),
                                  ({"first_due_on": "2025-01-01"}, 400, "first_due_on"),
                                  ({"principal": "1000000.001"}, 400, "principal"),
                                  ({"member_id": "999999"}, 404, "member_id")]:
        body = dict(base)
        body.update(change)
        r = cluster.api("POST", coop.base + "/loans", body)
        assert r.status == status and r.json["error"]["field"] == field, (change, r)


def test_disbursement_posts_once(cluster, coop):
    m = coop.member()
    loan = coop.loan(m)
    r = cluster.api("POST", coop.base + "/loans/%s/disburse" % loan["id"], {"value_date": "2025-01-10"})
    assert r.status == 400, r                         # money moves need an Idempotency-Key
    key = "cair-%s" % uuid.uuid4()
    r = coop.disburse(loan["id"], key=key)
    assert r.status == 201, r
    codes = coop.role_codes()
    assert [(l["account"], l.get("debit"), l.get("credit")) for l in r.json["entry"]["lines"]] == [
        (codes["member_loans"], "12000000", None), (codes["cash"], None, "12000000")]
    assert r.json["loan"]["status"] == "active" and r.json["loan"]["class"] == "current"
    again = coop.disburse(loan["id"], key=key)          # the same key: the first answer again
    assert again.status == 201 and again.json["entry"]["id"] == r.json["entry"]["id"]
    twice = coop.disburse(loan["id"])
    assert twice.status == 422 and twice.json["error"]["code"] == "already_disbursed", twice
    r = cluster.api("GET", coop.base + "/accounts")
    chart = {a["code"]: a for a in r.json["items"]}
    assert chart[codes["member_loans"]]["balance"] == "12000000"


def test_repayment_pays_late_fee_then_interest_then_principal(cluster, coop):
    m = coop.member()
    loan = coop.loan(m, principal="1200000",
                     late_fee={"rate": "0.1", "basis": "per_day", "grace_days": 3})
    assert coop.disburse(loan["id"]).status == 201
    # Instalment 1 (112,000) due 2025-02-10, grace to 02-13: on 02-20 it is 7 days late,
    # 0.1 % x 112,000 x 7 = 784.
    view = coop.get(loan["id"], "2025-02-20")
    assert (view["arrears"], view["arrears_late_fee"], view["instalments_overdue"]) == ("112784", "784", 1)
    assert view["schedule"][0]["overdue"] is True and view["arrears_days"] == 10
    r = coop.repay(loan["id"], "200000", "2025-02-20")
    assert r.status == 201, r
    assert r.json["allocation"] == {"amount": "200000", "late_fee": "784", "interest": "24000",
                                    "principal": "175216"}
    codes = coop.role_codes()
    assert [(l["account"], l.get("debit"), l.get("credit")) for l in r.json["entry"]["lines"]] == [
        (codes["cash"], "200000", None), (codes["late_fee_income"], None, "784"),
        (codes["loan_interest_income"], None, "24000"), (codes["member_loans"], None, "175216")]
    state = r.json["loan"]
    assert (state["outstanding_principal"], state["arrears"]) == ("1024784", "0")
    assert state["schedule"][0]["paid"] == "112784" and state["schedule"][1]["paid"] == "87216"
    # Everything left: 12 x 112,000 + 784 - 200,000 = 1,144,784.
    r = coop.repay(loan["id"], "1144784.01", "2025-02-20")
    assert r.status == 422 and r.json["error"]["code"] == "overpayment", r
    r = coop.repay(loan["id"], "1144784", "2025-02-20")
    assert r.status == 201 and r.json["loan"]["status"] == "paid", r
    r = coop.repay(loan["id"], "1", "2025-02-21")
    assert r.status == 422 and r.json["error"]["code"] == "loan_paid", r


def test_collectibility_moves_with_close_day(cluster, coop):
    m = coop.member()
    loan = coop.loan(m, collateral_value="5000000")
    assert coop.disburse(loan["id"]).status == 201
    r = coop.close_day("2025-05-10")                 # 3 months in arrears: still current
    assert r.status == 200, r
    assert coop.get(loan["id"], "2025-05-10")["class"] == "current"
    r = coop.close_day("2025-05-11")                 # more than 3 months: substandard
    assert r.status == 200 and r.json["reclassified"] >= 1, r
    assert coop.get(loan["id"], "2025-05-11")["class"] == "substandard"
    again = coop.close_day("2025-05-11")
    assert again.status == 200 and again.json == r.json        # idempotent per date
    r = coop.close_day("2025-05-01")
    assert r.status == 422 and r.json["error"]["code"] == "day_already_closed", r
    r = cluster.api("GET", coop.base + "/loans?class=substandard")
    assert r.status == 200 and loan["id"] in [i["id"] for i in r.json["items"]], r
    # More than 6 months; collateral 5,000,000 is under 75 % of the debt: loss.
    r = coop.close_day("2025-08-11")
    assert r.status == 200, r
    assert coop.get(loan["id"], "2025-08-11")["class"] == "loss"
    r = cluster.api("GET", coop.base + "/loans?class=loss&status=active")
    assert loan["id"] in [i["id"] for i in r.json["items"]], r
    assert all(i["class"] == "loss" and not i["schedule"] for i in r.json["items"]), r


def test_member_accounts_list_loans(cluster, coop):
    m = coop.member()
    loan = coop.loan(m, principal="1200000")
    assert coop.disburse(loan["id"]).status == 201
    r = cluster.api("GET", coop.base + "/members/%s/accounts?as_of=2025-03-10" % m)
    assert r.status == 200, r
    # Principal 1,200,000 + interest of the two instalments due by 03-10 (2 x 12,000).
    assert r.json["loans"] == [{"id": loan["id"], "principal": "1200000", "outstanding": "1224000",
                                "status": "active", "class": "current",
                                "outstanding_principal": "1200000", "arrears": "112000",
                                "next_due_on": "2025-03-10"}]


def test_exit_refund_is_net_of_the_loan(cluster, coop):
    m = coop.member()
    assert coop.post("/deposits", {"member_id": m, "kind": "principal", "amount": "100000",
                                   "value_date": "2025-01-06"}).status == 201
    assert coop.post("/deposits", {"member_id": m, "kind": "voluntary", "amount": "2000000",
                                   "value_date": "2025-01-06"}).status == 201
    loan = coop.loan(m, principal="1200000")
    assert coop.disburse(loan["id"]).status == 201
    r = cluster.api("POST", coop.base + "/members/%s/exit" % m,
                    {"reason": "resigned", "exit_on": "2025-03-10"})
    assert r.status == 200, r
    # Owed on 2025-03-10: principal 1,200,000 + interest due (2 x 12,000) = 1,224,000.
    assert (r.json["refund"], r.json["debts"], r.json["net"]) == ("2100000", "1224000", "876000")
    entry = cluster.api("GET", coop.base + "/journal/%s" % r.json["entry_id"]).json
    codes = coop.role_codes()
    assert sorted((l["account"], l.get("debit"), l.get("credit")) for l in entry["lines"]) == sorted([
        (codes["principal_savings"], "100000", None), (codes["voluntary_savings"], "2000000", None),
        (codes["loan_interest_income"], None, "24000"), (codes["member_loans"], None, "1200000"),
        (codes["cash"], None, "876000")])
    after = coop.get(loan["id"], "2025-03-10")
    assert (after["status"], after["outstanding"], after["interest_waived"]) == ("paid", "0", "120000")


def test_loan_events_on_the_stream(cluster, coop):
    m = coop.member()
    sub = cluster.subscribe("transactions")
    try:
        time.sleep(0.3)
        loan = coop.loan(m, principal="1200000")
        assert coop.disburse(loan["id"]).status == 201
        assert coop.repay(loan["id"], "112000", "2025-02-10").status == 201
        seen = {}
        for _ in range(200):
            got = sub.recv(timeout=5)
            assert got is not None
            kind, ev = got
            if kind != "E":
                continue
            which = ev.transactions.WhichOneof("body")
            if which and which.startswith("loan_"):
                seen[which] = getattr(ev.transactions, which)
            if "loan_repaid" in seen:
                break
        assert seen["loan_applied"].loan.id == int(loan["id"])
        assert len(seen["loan_applied"].loan.schedule) == 12
        d = seen["loan_disbursed"].state
        assert (d.loan_id, d.member_id, d.outstanding_principal_sen) == (int(loan["id"]), int(m), 120000000)
        rep = seen["loan_repaid"]
        assert (rep.allocation.interest_sen, rep.allocation.principal_sen) == (1200000, 10000000)
        assert rep.state.outstanding_principal_sen == 110000000 and rep.entry_id > 0
    finally:
        sub.close()


def test_books_balance(cluster, coop):
    m = coop.member()
    loan = coop.loan(m, principal="1200000")
    assert coop.disburse(loan["id"]).status == 201
    r = coop.repay(loan["id"], "112000", "2025-02-10")                # instalment 1, on time
    assert r.status == 201 and r.json["allocation"]["interest"] == "12000", r
    entries = assert_balanced(cluster, coop)
    # opening cash 100,000,000 + disbursement 1,200,000 + repayment 112,000, in sen
    assert sum(e.total_sen for e in entries) == 10131200000
