"""A member's statement with the member's loans through the gateway, with figures computed by
hand: beside the savings lines (buku simpanan), one card per loan (kartu angsuran) with the
disbursement, each payment split into late fee, interest and principal, and the principal
still owed after each line; the period's opening and closing principal; the CSV file; and a
payment out of an exit settlement."""
import datetime
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from reporting_util import ApiCoop  # noqa: E402



class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "women", "Cibeunying", datetime.date(1986, 2, 17), True
    PERSON, VILLAGE, PHONE = "Ibu", "Desa Cigadung", "0819-7777"

    def loan(self, member, **extra):
        """1,200,000 at 12 % flat, 12 monthly instalments of 100,000 + 12,000 from 02-10."""
        body = dict({"member_id": member, "principal": "1200000", "annual_rate": "12",
                     "instalments": 12, "frequency": "monthly", "method": "flat",
                     "first_due_on": "2025-02-10", "applied_on": "2025-01-05"}, **extra)
        r = self.c.api("POST", self.base + "/loans", body)
        assert r.status == 201, r
        loan = r.json["id"]
        self.post("/loans/%s/disburse" % loan, {"value_date": "2025-01-10"})
        return loan

    def repay(self, loan, amount, value_date):
        return self.post("/loans/%s/repayments" % loan, {"amount": amount,
                                                         "value_date": value_date})

    def statement(self, member, query, want=lambda s: True):
        for _ in range(100):
            r = self.c.api("GET", self.base + "/members/%s/statement?%s" % (member, query))
            assert r.status == 200, r
            if want(r.json):
                return r
            time.sleep(0.1)
        return r


CARD = ("value_date", "kind", "amount", "late_fee", "interest", "principal",
        "outstanding_principal")


def card(loan):
    return [tuple(l[f] for f in CARD) for l in loan["lines"]]


def paid_once(k):
    """A member with savings and a loan paid three times: on time, 10 days late with a late
    fee of 0.1 % a day, and in part."""
    m = k.member()
    k.deposit(m, "principal", "100000")
    k.deposit(m, "voluntary", "2000000")
    loan = k.loan(m, late_fee={"rate": "0.1", "basis": "per_day", "grace_days": 0})
    k.repay(loan, "112000", "2025-02-10")
    # Instalment 2 (112,000) due 03-10, paid 03-20: 0.1 % x 112,000 x 10 days = 1,120.
    k.repay(loan, "113120", "2025-03-20")
    # Instalment 3 due 04-10, 50,000 on the day: its interest 12,000, then 38,000 principal.
    k.repay(loan, "50000", "2025-04-10")
    return m, loan


def test_the_statement_shows_the_loan_card(cluster):
    k = Coop(cluster, "KSP Kartu Angsuran", 1600)
    m, loan = paid_once(k)
    s = k.statement(m, "from=2025-01-01&to=2025-12-31",
                    lambda s: s.get("loans") and len(s["loans"][0]["lines"]) == 4).json
    # The savings lines are as before: the buku simpanan.
    assert [(l["value_date"], l["kind"], l["amount"], l["total_balance"]) for l in s["lines"]] == [
        ("2025-01-06", "principal", "100000", "100000"),
        ("2025-01-06", "voluntary", "2000000", "2100000")]
    assert len(s["loans"]) == 1
    c = s["loans"][0]
    assert c["loan_id"] == loan
    assert card(c) == [
        ("2025-01-10", "disbursement", "1200000", "0", "0", "1200000", "1200000"),
        ("2025-02-10", "repayment", "112000", "0", "12000", "100000", "1100000"),
        ("2025-03-20", "repayment", "113120", "1120", "12000", "100000", "1000000"),
        ("2025-04-10", "repayment", "50000", "0", "12000", "38000", "962000")]
    assert all(int(l["entry_id"]) > 0 for l in c["lines"])
    assert (c["opening_principal"], c["closing_principal"]) == ("0", "962000")
    assert (c["late_fee_paid"], c["interest_paid"], c["principal_paid"]) == (
        "1120", "36000", "238000")


def test_a_period_opens_with_the_principal_owed(cluster):
    k = Coop(cluster, "KSP Periode", 1700)
    m, loan = paid_once(k)
    march = k.statement(m, "from=2025-03-01&to=2025-03-31",
                        lambda s: s.get("loans") and s["loans"][0]["opening_principal"] == "1100000")
    c = march.json["loans"][0]
    assert (c["opening_principal"], c["closing_principal"]) == ("1100000", "1000000")
    assert card(c) == [("2025-03-20", "repayment", "113120", "1120", "12000", "100000", "1000000")]
    assert (c["late_fee_paid"], c["interest_paid"], c["principal_paid"]) == ("1120", "12000", "100000")
    # Before the loan was disbursed it has no card at all.
    assert not k.statement(m, "from=2025-01-01&to=2025-01-09").json.get("loans")
    # A period without movements still lists the loan while principal is owed.
    may = k.statement(m, "from=2025-05-01&to=2025-05-31").json["loans"]
    assert [(x["loan_id"], x["opening_principal"], x["closing_principal"], x.get("lines") or [])
            for x in may] == [(loan, "962000", "962000", [])]

    csv = k.statement(m, "from=2025-03-01&to=2025-04-30&format=csv&lang=en").text.split("\r\n")
    header = "loan_id,value_date,kind,entry_id,amount,late_fee,interest,principal,outstanding_principal"
    at = csv.index(header)
    rows = [r.split(",") for r in csv[at + 1:at + 5]]
    assert [r[:3] + r[4:] for r in rows] == [
        [loan, "opening", "", "", "", "", "", "1100000"],
        [loan, "2025-03-20", "repayment", "113120", "1120", "12000", "100000", "1000000"],
        [loan, "2025-04-10", "repayment", "50000", "0", "12000", "38000", "962000"],
        [loan, "closing", "", "", "", "", "", "962000"]]


def test_an_exit_settlement_pays_the_loan_from_savings(cluster):
    k = Coop(cluster, "KSP Keluar", 1800)
    m = k.member()
    k.deposit(m, "principal", "100000")
    k.deposit(m, "voluntary", "2000000")
    loan = k.loan(m)
    k.repay(loan, "112000", "2025-02-10")
    # On 02-10 the member owes the principal outstanding, 1,100,000; interest not yet due is
    # waived. The savings (2,100,000) cover it.
    r = cluster.api("POST", k.base + "/members/%s/exit" % m,
                    {"reason": "resigned", "exit_on": "2025-02-10"})
    assert r.status in (200, 201), r
    s = k.statement(m, "from=2025-01-01&to=2025-12-31",
                    lambda s: s.get("loans") and len(s["loans"][0]["lines"]) == 3).json
    c = s["loans"][0]
    assert card(c) == [
        ("2025-01-10", "disbursement", "1200000", "0", "0", "1200000", "1200000"),
        ("2025-02-10", "repayment", "112000", "0", "12000", "100000", "1100000"),
        ("2025-02-10", "exit_settlement", "1100000", "0", "0", "1100000", "0")]
    assert c["closing_principal"] == "0"
    settled = [l for l in s["lines"] if l["entry_kind"] == "exit_settlement"]
    assert settled and c["lines"][2].get("entry_id") == settled[0]["entry_id"]


def test_each_line_has_its_entry_memo(cluster):
    """A line's memo is its entry's: the operator's note, or the default the ledger wrote; a
    back-dated deposit takes its place by value date with its own memo."""
    k = Coop(cluster, "KSP Catatan", 1800)
    m = k.member()
    k.post("/deposits", {"member_id": m, "kind": "voluntary", "amount": "150000",
                         "value_date": "2025-02-03", "note": "Arisan Februari"})
    k.deposit(m, "mandatory", "25000", value_date="2025-02-10")
    k.post("/deposits", {"member_id": m, "kind": "voluntary", "amount": "5000",
                         "value_date": "2025-02-01", "note": "Titipan RT 04"})
    s = k.statement(m, "from=2025-02-01&to=2025-02-28", lambda s: len(s["lines"]) == 3).json
    assert [(l["value_date"], l["kind"], l["amount"], l["memo"], l["total_balance"])
            for l in s["lines"]] == [
        ("2025-02-01", "voluntary", "5000", "Titipan RT 04", "5000"),
        ("2025-02-03", "voluntary", "150000", "Arisan Februari", "155000"),
        ("2025-02-10", "mandatory", "25000", "Setoran simpanan wajib", "180000")]
