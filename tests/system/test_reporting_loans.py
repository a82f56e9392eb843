"""The loan portfolio and the SHU report through the gateway, with exact figures: loans put
into every collectibility class by a close-day date, the portfolio as of the day before and the
day of the close (RPM, NPL, required allowance to the sen, CSV); then the SHU worked example of
docs/domain.md reproduced through the API (loans taken as participation), and again after interest
payments with interest paid as participation."""
import datetime
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from reporting_util import ApiCoop  # noqa: E402


BIRTH = datetime.date(1979, 3, 8)


class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "farmers", "Coblong", BIRTH, False
    PERSON, VILLAGE, PHONE = "Petani", "Desa Cikole", "0815-3333"

    def __init__(self, cluster, name, serial, **settings):
        super().__init__(cluster, name, serial, settings=settings)

    def loan(self, member, principal, first_due_on="2025-02-10", **extra):
        body = {"member_id": member, "principal": principal, "annual_rate": "12",
                "instalments": 12, "frequency": "monthly", "method": "flat",
                "first_due_on": first_due_on, "applied_on": "2025-01-05"}
        body.update(extra)
        r = self.c.api("POST", self.base + "/loans", body)
        assert r.status == 201, r
        loan = r.json["id"]
        self.post("/loans/%s/disburse" % loan, {"value_date": "2025-01-10"})
        return loan

    def repay(self, loan, amount, value_date):
        return self.post("/loans/%s/repayments" % loan, {"amount": amount, "value_date": value_date})

    def get(self, path):
        r = self.c.api("GET", self.base + path)
        assert r.status == 200, r
        return r

def by_class(report):
    return {c["class"]: (c["loans"], c["outstanding_principal"], c["risk"], c["allowance"])
            for c in report["classes"]}


@pytest.fixture(scope="module")
def portfolio(cluster):
    p = Coop(cluster, "KSP Tani Makmur", 900)
    p.opening("25200001")                           # the five loans below
    m1, m2, m3, m4, m5 = (p.member() for _ in range(5))
    # On 2025-08-11: instalments due from 05-10 unpaid -> more than 3 months: substandard;
    # due from 02-10 -> more than 6 months: loss without collateral, doubtful with collateral
    # covering the debt; first due 07-10 -> one month: current.
    p.loan(m1, "12000000", first_due_on="2025-05-10")
    p.loan(m2, "6000001", first_due_on="2025-07-10")
    p.loan(m3, "2400000")
    p.loan(m4, "3600000", collateral_value="100000000")
    paid = p.loan(m5, "1200000")
    p.repay(paid, "1344000", "2025-02-10")          # the whole schedule: paid, not counted
    r = cluster.api("POST", p.base + "/close-day", {"business_date": "2025-08-11"})
    assert r.status == 200, r
    return p


def test_portfolio_by_collectibility_to_the_sen(cluster, portfolio):
    rep = portfolio.get("/reports/loan-portfolio?as_of=2025-08-11").json
    assert rep["as_of"] == "2025-08-11" and int(rep["as_of_seq"]) > 0
    assert [c["class"] for c in rep["classes"]] == ["current", "substandard", "doubtful", "loss"]
    # Allowance of the current class: 0.5 % x 6,000,001 = 30,000.005 -> 30,000.01.
    assert by_class(rep) == {
        "current": (1, "6000001", "0", "30000.01"),
        "substandard": (1, "12000000", "6000000", "1200000"),
        "doubtful": (1, "3600000", "2700000", "1800000"),
        "loss": (1, "2400000", "2400000", "2400000"),
    }
    assert [(c["risk_weight"], c["allowance_rate"]) for c in rep["classes"]] == [
        ("0", "0.50"), ("50", "10"), ("75", "50"), ("100", "100")]
    assert (rep["loans"], rep["outstanding_principal"], rep["non_performing"]) == (
        4, "24000001", "18000000")
    # RPM = 50 % x 12,000,000 + 75 % x 3,600,000 + 100 % x 2,400,000.
    assert rep["rpm"] == "11100000"
    # NPL = 18,000,000 / 24,000,001 = 74.9999968... %.
    assert rep["npl_ratio"] == "75.00"
    assert rep["allowance"] == "5430000.01"


def test_portfolio_as_of_the_day_before_the_close(cluster, portfolio):
    rep = portfolio.get("/reports/loan-portfolio?as_of=2025-08-10").json
    assert by_class(rep)["current"] == (4, "24000001", "0", "120000.01")
    assert (rep["rpm"], rep["npl_ratio"], rep["non_performing"]) == ("0", "0.00", "0")
    before = portfolio.get("/reports/loan-portfolio?as_of=2025-01-09").json
    assert (before["loans"], before["outstanding_principal"], before["npl_ratio"]) == (0, "0", "0.00")


def test_portfolio_csv_and_errors(cluster, portfolio):
    r = portfolio.get("/reports/loan-portfolio?as_of=2025-08-11&format=csv&lang=en")
    assert r.headers["Content-Type"].startswith("text/csv"), r.headers
    assert r.headers["X-Lumbung-Cooperative"] == str(portfolio.id), r.headers
    assert r.headers["X-Lumbung-Period"] == "2025-08-11", r.headers
    lines = r.text.split("\r\n")
    assert lines[0] == "class,loans,outstanding_principal,risk_weight,risk,allowance_rate,allowance"
    assert "current,1,6000001,0,0,0.50,30000.01" in lines
    assert "substandard,1,12000000,50,6000000,10,1200000" in lines
    assert "total,rpm,11100000,,,," in lines and "total,npl_ratio,75.00,,,," in lines
    r = cluster.api("GET", portfolio.base + "/reports/loan-portfolio?as_of=2025-02-30")
    assert r.status == 400 and r.json["error"]["field"] == "as_of", r
    r = cluster.api("GET", "/api/v1/cooperatives/999999/reports/loan-portfolio")
    assert r.status == 404, r


def shu_of(coop, year, want=None):
    """The SHU report; waits (bounded) until `want` holds, for changes of the cooperative's
    settings that reach reporting on the members stream."""
    for _ in range(50):
        rep = coop.get("/reports/shu?year=%d" % year).json
        if want is None or want(rep):
            return rep
        time.sleep(0.1)
    return rep


def test_shu_worked_example_through_the_api(cluster):
    alloc = {"reserves": "30", "capital_share": "20", "usage_share": "30", "board": "5",
             "staff": "5", "education": "5", "social": "5"}
    s = Coop(cluster, "KSP Sisa Hasil", 950, shu_allocation=alloc,
             usage_share_basis="loans_taken")
    m1, m2, m3 = s.member(), s.member(), s.member()
    # Savings (principal + mandatory): 500,000 and 9,500,000, all 10,000,000; voluntary savings
    # do not count. Loans taken: 1,000,000 and 14,000,000, all 15,000,000.
    for m, mandatory in ((m1, "400000"), (m2, "9400000")):
        s.deposit(m, "principal", "100000")
        s.deposit(m, "mandatory", mandatory)
    s.deposit(m3, "voluntary", "5000000")
    l1 = s.loan(m1, "1000000")
    l2 = s.loan(m2, "14000000")
    s.post("/journal", {"value_date": "2025-06-30", "memo": "Pendapatan jasa",
                        "lines": [{"account": "1-101", "debit": "2000000"},
                                  {"account": "4-301", "credit": "2000000"}]})
    rep = shu_of(s, 2025)
    assert (rep["year"], rep["from"], rep["to"]) == (2025, "2025-01-01", "2025-12-31")
    assert (rep["surplus"], rep["shared_surplus"], rep["usage_share_basis"]) == (
        "2000000", "2000000", "loans_taken")
    assert rep["allocation"] == {"reserves": "600000", "capital_share": "400000",
                                 "usage_share": "600000", "board": "100000", "staff": "100000",
                                 "education": "100000", "social": "100000"}
    assert (rep["total_capital"], rep["total_participation"], rep["rounding"]) == (
        "10000000", "15000000", "0")
    shares = {m["member_id"]: (m["capital_share"], m["usage_share"], m["total"])
              for m in rep["members"]}
    assert shares == {m1: ("20000", "40000", "60000"), m2: ("380000", "560000", "940000")}
    assert int(rep["as_of_seq"]) > 0

    # Interest paid as participation: 10,000 and 140,000 (each loan's first instalment's
    # interest) add 150,000 to the surplus: 2,150,000.
    s.repay(l1, "10000", "2025-02-10")
    s.repay(l2, "140000", "2025-02-10")
    # The basis is the annual meeting's decision: its record changes the setting.
    r = cluster.api("POST", s.base + "/annual-meetings",
                    {"held_on": "2026-02-20", "fiscal_year": 2025, "quorum": True,
                     "usage_share_basis": "interest_paid"})
    assert r.status == 201, r
    rep = shu_of(s, 2025, lambda x: x["usage_share_basis"] == "interest_paid")
    assert rep["surplus"] == "2150000" and rep["total_participation"] == "150000"
    assert rep["allocation"] == {"reserves": "645000", "capital_share": "430000",
                                 "usage_share": "645000", "board": "107500", "staff": "107500",
                                 "education": "107500", "social": "107500"}
    shares = {m["member_id"]: (m["capital_share"], m["usage_share"], m["total"])
              for m in rep["members"]}
    assert shares == {m1: ("21500", "43000", "64500"), m2: ("408500", "602000", "1010500")}

    csv = s.get("/reports/shu?year=2025&format=csv&lang=en").text.split("\r\n")
    assert csv[0] == ("member_id,member_number,name,capital,participation,capital_share,"
                      "usage_share,total")
    assert "total,,reserves,645000,,,," in csv
    empty = shu_of(s, 2024)
    assert (empty["surplus"], empty["from"], empty["to"]) == ("0", "2024-01-01", "2024-12-31")
    assert not empty.get("members")
    r = cluster.api("GET", s.base + "/reports/shu")
    assert r.status == 400 and r.json["error"]["field"] == "year", r
