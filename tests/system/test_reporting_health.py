"""The health rating of a fiscal year through the gateway, with exact figures: a cooperative
built through the API (savings deposits, a loan, manual journal entries for income, expenses,
a fixed asset and a risk reserve), its components checked against figures computed by hand
from docs/domain.md's tables, then the total over the available components and the rating."""
import datetime
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_error, create_user, login  # noqa: E402
from reporting_util import ApiCoop, fairly_healthy_books  # noqa: E402


BIRTH = datetime.date(1984, 7, 21)


class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "women", "Sukajadi", BIRTH, True
    PERSON, VILLAGE, PHONE = "Ibu", "Desa Sukamaju", "0816-4444"

    def journal(self, memo, lines):
        return self.post("/journal", {"value_date": "2025-06-30", "memo": memo, "lines": lines})

def health_of(coop, year, want):
    """The rating; waits (bounded) until the projection has caught up (`want` holds)."""
    for _ in range(100):
        r = coop.c.api("GET", coop.base + "/reports/health?year=%d" % year)
        assert r.status == 200, r
        if want(r.json):
            return r.json
        time.sleep(0.1)
    return r.json


@pytest.fixture(scope="module")
def rated(cluster):
    k = Coop(cluster, "KSP Wanita Sehat", 700)
    m1, m2 = fairly_healthy_books(k)
    rep = health_of(k, 2025, lambda h: by_code(h)["1a"]["inputs"].get("total_assets") == "5420000"
                    and by_code(h)["7a"]["inputs"].get("gross_participation") == "500000")
    return k, rep


def by_code(rep):
    return {c["code"]: c for c in rep["components"]}


def test_capital_components(rated):
    _, rep = rated
    c = by_code(rep)
    assert (rep["year"], rep["from"], rep["to"]) == (2025, "2025-01-01", "2025-12-31")
    assert [x["code"] for x in rep["components"]] == [
        "1a", "1b", "1c", "2a", "2b", "2c", "2d", "3", "4a", "4b", "4c", "5a", "5b", "6a", "6b",
        "6c", "7a", "7b"]
    # Cash 5,000,000 - 2,000,000 + 600,000 - 280,000 - 500,000 + 100,000 = 2,920,000; assets
    # with the loan and the fixed asset 5,420,000; equity 200,000 + 1,800,000 + 100,000 +
    # 320,000 not closed = 2,420,000: 44.649 % -> [40, 60) -> 100 x 6.
    assert c["1a"]["inputs"] == {"equity": "2420000", "total_assets": "5420000"}
    assert (c["1a"]["ratio"], c["1a"]["value"], c["1a"]["weight"], c["1a"]["score"]) == (
        "44.65", 100, 6, "6.00")
    # No risky loans: nothing to cover, value 100 without a ratio.
    assert c["1b"]["inputs"] == {"equity": "2420000", "risky_loans": "0"}
    assert "ratio" not in c["1b"] and (c["1b"]["value"], c["1b"]["score"]) == (100, "6.00")
    # 1c: 100 % of 2,000,000 + 50 % of (100,000 + 320,000 + 3,000,000) = 3,710,000; risk-
    # weighted assets 70 % x 500,000 + 100 % x 2,000,000 = 2,350,000: 157.87 % -> 100 x 3.
    assert c["1c"]["inputs"] == {
        "capital_at_100": "2000000", "capital_at_50": "3420000", "weighted_capital": "3710000",
        "assets_at_20": "0", "assets_at_50": "0", "assets_at_70": "500000",
        "assets_at_100": "2000000", "risk_weighted_assets": "2350000"}
    assert (c["1c"]["ratio"], c["1c"]["value"], c["1c"]["score"]) == ("157.87", 100, "3.00")


def test_asset_quality_and_efficiency(rated):
    _, rep = rated
    c = by_code(rep)
    assert (c["2a"]["ratio"], c["2a"]["value"], c["2a"]["score"]) == ("100.00", 100, "10.00")
    assert c["2b"]["inputs"] == {"rpm": "0", "all_loans": "2000000"}
    assert (c["2b"]["ratio"], c["2b"]["value"], c["2b"]["score"]) == ("0.00", 100, "5.00")
    assert c["2c"]["inputs"] == {"risk_reserve": "100000", "loan_loss_allowance": "0",
                                 "rpm": "0"}
    assert "ratio" not in c["2c"] and c["2c"]["score"] == "5.00"
    assert "risky loans = substandard + doubtful + loss" in c["2d"]["definition"]
    assert (c["2d"]["ratio"], c["2d"]["value"]) == ("0.00", 100)
    # 4a: (50,000 + 200,000 + 30,000) / 500,000 = 56 % -> 100 x 4.
    assert c["4a"]["inputs"] == {"cost_of_funds": "50000", "operating_expense": "200000",
                                 "cooperative_expense": "30000",
                                 "gross_participation": "500000"}
    assert (c["4a"]["ratio"], c["4a"]["value"], c["4a"]["score"]) == ("56.00", 100, "4.00")
    # 4b: 200,000 / (600,000 - 50,000) = 36.36 % -> <= 40 -> 100 x 4.
    assert (c["4b"]["inputs"]["gross_surplus"], c["4b"]["ratio"], c["4b"]["score"]) == (
        "550000", "36.36", "4.00")
    # 4c: 120,000 / 2,000,000 = 6 % -> (5, 10] -> 75 x 2 = 1.50.
    assert (c["4c"]["ratio"], c["4c"]["value"], c["4c"]["score"]) == ("6.00", 75, "1.50")


def test_liquidity_self_reliance_and_identity(rated):
    _, rep = rated
    c = by_code(rep)
    # 5a: 2,920,000 / 3,000,000 voluntary savings = 97.33 % -> > 20 -> 25 x 10 = 2.50.
    assert c["5a"]["inputs"] == {"cash_and_bank": "2920000", "current_liabilities": "3000000"}
    assert "SHU payable" in c["5a"]["definition"]
    assert (c["5a"]["ratio"], c["5a"]["value"], c["5a"]["score"]) == ("97.33", 25, "2.50")
    # 5b: 2,000,000 / 5,000,000 = 40 % -> 25 x 5 = 1.25.
    assert (c["5b"]["inputs"]["savings"], c["5b"]["ratio"], c["5b"]["score"]) == (
        "5000000", "40.00", "1.25")
    # 6a: 320,000 / 5,420,000 = 5.90 % -> 50 x 3; 6b: (320,000 - 100,000) x 40 % = 88,000 /
    # 2,420,000 = 3.64 % -> 50 x 3; 6c: 450,000 / 230,000 = 195.65 % -> 100 x 4.
    assert (c["6a"]["inputs"]["surplus"], c["6a"]["ratio"], c["6a"]["score"]) == (
        "320000", "5.90", "1.50")
    assert (c["6b"]["inputs"]["members_share"], c["6b"]["ratio"], c["6b"]["score"]) == (
        "88000", "3.64", "1.50")
    assert (c["6c"]["inputs"]["net_participation"], c["6c"]["ratio"], c["6c"]["score"]) == (
        "450000", "195.65", "4.00")
    # 7a: 500,000 / 600,000 = 83.33 % -> 100 x 7.
    assert (c["7a"]["ratio"], c["7a"]["value"], c["7a"]["score"]) == ("83.33", 100, "7.00")


def test_total_counts_only_available_components(rated):
    _, rep = rated
    c = by_code(rep)
    for code in ("3", "7b"):
        assert c[code]["available"] is False and c[code]["reason"], c[code]
        assert "score" not in c[code] and "value" not in c[code]
    assert (c["3"]["reason_code"], c["7b"]["reason_code"]) == ("no_questionnaire", "not_recorded")
    assert all("reason_code" not in x for x in rep["components"] if x["available"])
    assert rep["unavailable"] == ["3", "7b"]
    # 6 + 6 + 3 + 10 + 5 + 5 + 5 + 4 + 4 + 1.5 + 2.5 + 1.25 + 1.5 + 1.5 + 4 + 7 of 85 - 3.
    assert (rep["total"], rep["max_available"], rep["rating"]) == (
        "67.25", "82.00", "fairly_healthy")
    assert int(rep["as_of_seq"]) > 0


CODES = ["1a", "1b", "1c", "2a", "2b", "2c", "2d", "3", "4a", "4b", "4c", "5a", "5b", "6a", "6b",
         "6c", "7a", "7b"]
NO_BOOKS = "no books for this fiscal year: no entry has a value date in it"


def assert_not_rated(rep):
    assert rep["rating"] == "not_rated" and rep["reason"] == NO_BOOKS, rep
    assert "total" not in rep and "max_available" not in rep
    assert [c["code"] for c in rep["components"]] == CODES and rep["unavailable"] == CODES
    for c in rep["components"]:
        assert (c["available"], c["reason"], c["reason_code"]) == (False, NO_BOOKS, "no_books"), c
        assert "value" not in c and "score" not in c and "ratio" not in c, c


def test_a_year_without_books_is_not_rated(cluster):
    """Before the first entry and after the last one (balances carried, nothing dated in the
    year) there are no books to rate: 200 with rating not_rated, never a band."""
    k = Coop(cluster, "KSP Buku Baru", 760)
    m = k.member()
    k.deposit(m, "principal", "100000", value_date="2025-03-03")
    k.deposit(m, "mandatory", "25000", value_date="2025-03-03")
    rated_2025 = health_of(k, 2025, lambda h: by_code(h)["1a"]["inputs"].get("total_assets")
                           == "125000")
    # Equity 125,000 / assets 125,000 = 100 % -> 25 x 6; the year has books, so it has a band.
    assert (by_code(rated_2025)["1a"]["ratio"], by_code(rated_2025)["1a"]["score"]) == (
        "100.00", "1.50")
    assert rated_2025["rating"] == "under_special_supervision" and "reason" not in rated_2025
    before = health_of(k, 2024, lambda h: True)
    assert_not_rated(before)
    assert by_code(before)["1a"]["inputs"] == {"equity": "0", "total_assets": "0"}
    after = health_of(k, 2026, lambda h: True)
    assert_not_rated(after)
    assert (after["from"], after["to"]) == ("2026-01-01", "2026-12-31")
    # The inputs still show the balances carried into the year, for a supervisor to see.
    assert by_code(after)["1a"]["inputs"] == {"equity": "125000", "total_assets": "125000"}


def test_a_questionnaire_does_not_rate_a_year_without_books(cluster):
    k = Coop(cluster, "KSP Belum Buka", 770)
    r = cluster.api("PUT", k.base + "/reports/health/2025/management", answers(
        {"general": 12, "institution": 6, "capital": 5, "assets": 10, "liquidity": 5}))
    assert r.status == 200 and r.json["points"] == "15.00", r
    assert_not_rated(health_of(k, 2025, lambda h: True))


def test_2c_reads_risk_reserve_and_allowance_by_role(cluster):
    """2c = (risk reserve + loan-loss allowance) / RPM, the allowance read by account role:
    the standard account 1-203 and one the cooperative added with the same role both count."""
    k = Coop(cluster, "KSP Cadangan", 780)
    m = k.member()
    k.deposit(m, "principal", "100000")
    k.deposit(m, "voluntary", "900000")
    k.post("/accounts", {"code": "1-204", "name": "Penyisihan pinjaman khusus",
                         "class": "asset", "role": "loan_loss_allowance"})
    k.journal("Penyisihan", [{"account": "5-301", "debit": "150000.50"},
                             {"account": "1-203", "credit": "100000"},
                             {"account": "1-204", "credit": "50000.50"}])
    k.journal("Cadangan risiko", [{"account": "1-101", "debit": "40000"},
                                  {"account": "3-202", "credit": "40000"}])
    rep = health_of(k, 2025, lambda h: by_code(h)["2c"]["inputs"].get("loan_loss_allowance")
                    == "150000.50" and by_code(h)["2c"]["inputs"].get("risk_reserve") == "40000")
    c = by_code(rep)
    assert c["2c"]["inputs"] == {"risk_reserve": "40000", "loan_loss_allowance": "150000.50",
                                 "rpm": "0"}
    # No RPM to cover and a positive reserve: value 100 without a ratio, 5 points.
    assert "ratio" not in c["2c"] and (c["2c"]["value"], c["2c"]["score"]) == (100, "5.00")
    # Assets net of the allowance: cash 1,000,000 + 40,000 - allowance 150,000.50.
    assert c["1a"]["inputs"]["total_assets"] == "889999.50"


def test_errors(cluster, rated):
    k, _ = rated
    r = cluster.api("GET", k.base + "/reports/health")
    assert r.status == 400 and r.json["error"]["field"] == "year", r
    r = cluster.api("GET", "/api/v1/cooperatives/999999/reports/health?year=2025")
    assert r.status == 404, r


def answers(yes):
    """Management answers with the given yes counts per group, yes first."""
    sizes = {"general": 12, "institution": 6, "capital": 5, "assets": 10, "liquidity": 5}
    return {g: [i < yes[g] for i in range(n)] for g, n in sizes.items()}


def test_management_questionnaire_makes_aspect_3_available(cluster, rated):
    k, _ = rated
    path = k.base + "/reports/health/2025/management"
    before = health_of(k, 2025, lambda h: True)
    assert by_code(before)["3"]["available"] is False and before["total"] == "67.25"

    create_user(cluster, "operator-mgmt", "operator", coop=k.id)
    token = login(cluster, "operator-mgmt")
    some = answers({"general": 10, "institution": 5, "capital": 4, "assets": 7, "liquidity": 3})
    r = cluster.http("PUT", path, some, token=token)
    assert r.status == 403, r

    short = dict(some, general=some["general"][:11])
    assert_error(cluster.api("PUT", path, short), 400, "wrong_answer_count", "general")
    assert_error(cluster.api("PUT", path, dict(some, liquidity=some["liquidity"] + [True])), 400,
                 "wrong_answer_count", "liquidity")

    # 10 x 0.25 + 5 x 0.5 + 4 x 0.6 + 7 x 0.3 + 3 x 0.6 = 2.5 + 2.5 + 2.4 + 2.1 + 1.8 = 11.30
    r = cluster.api("PUT", path, some)
    assert r.status == 200, r
    assert (r.json["points"], r.json["yes_answers"], r.json["year"]) == ("11.30", 29, 2025), r
    rep = health_of(k, 2025, lambda h: True)
    c = by_code(rep)["3"]
    assert (c["available"], c["value"], c["weight"], c["score"]) == (True, 75, 15, "11.30"), c
    assert c["inputs"]["management"]["points"] == "11.30"
    assert c["inputs"]["management"]["general"] == some["general"]
    assert rep["unavailable"] == ["7b"]
    # 67.25 + 11.30 of 82 + 15.
    assert (rep["total"], rep["max_available"], rep["rating"]) == (
        "78.55", "97.00", "fairly_healthy")

    # Put again: the answers are replaced; all yes is 15 points and the rating goes up.
    r = cluster.api("PUT", path, answers({"general": 12, "institution": 6, "capital": 5,
                                          "assets": 10, "liquidity": 5}))
    assert r.status == 200 and r.json["points"] == "15.00", r
    rep = health_of(k, 2025, lambda h: True)
    assert (by_code(rep)["3"]["value"], by_code(rep)["3"]["score"]) == (100, "15.00")
    assert (rep["total"], rep["rating"]) == ("82.25", "healthy")
    # Another year is untouched.
    assert by_code(health_of(k, 2024, lambda h: True))["3"]["available"] is False
