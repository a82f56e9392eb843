"""The district dashboard's health ratings through the gateway, with exact content: each
cooperative is rated for its last ended fiscal year as of the dashboard's date (the year its
last RAT was due to approve), the same rating GET .../reports/health gives, and cooperatives
are summed by rating, group and district beside type. Four cooperatives on 2026-06-30: one
fairly healthy (the books of test_reporting_health: 67.25 of 82), one with only members'
savings (10.25 of 23), one without books (not rated), and one whose fiscal year starts in
July, so that its last ended year is 2024/25."""
import datetime
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from reporting_util import ApiCoop, fairly_healthy_books  # noqa: E402


AS_OF = "2026-06-30"


class Coop(ApiCoop):
    BIRTH, FEMALE = datetime.date(1983, 11, 5), True
    PERSON, VILLAGE, PHONE = "Ibu", "Desa Ledeng", "0818-6666"

    def __init__(self, cluster, name, serial, group, district, **settings):
        self.GROUP, self.DISTRICT = group, district
        super().__init__(cluster, name, serial, settings=settings)

    def journal(self, memo, lines):
        return self.post("/journal", {"value_date": "2025-06-30", "memo": memo, "lines": lines})


def fairly_healthy(k):
    """The books of test_reporting_health's cooperative: total 67.25 of 82.00."""
    m1, m2 = fairly_healthy_books(k)


def savings_only(k):
    """Principal and mandatory savings of one member in cash, nothing else: 1a 100 % -> 1.50,
    1b no risky loans -> 6.00, 5b 0 % -> 1.25, 6a and 6b 0 % -> 0.75 each; 1c (no risk-
    weighted assets), 2a-2d, 3, 4a-4c, 5a, 6c, 7a and 7b have no ratio: 10.25 of 23.00."""
    m = k.member()
    k.deposit(m, "principal", "100000", value_date="2025-03-03")
    k.deposit(m, "mandatory", "25000", value_date="2025-03-03")


@pytest.fixture(scope="module")
def district(cluster):
    a = Coop(cluster, "KSP Anggrek", 1200, "women", "Sukasari")
    fairly_healthy(a)
    b = Coop(cluster, "KSP Bayam", 1300, "farmers", "Sukasari")
    savings_only(b)
    c = Coop(cluster, "KSP Cempaka", 1400, "women", "Cidadap")
    d = Coop(cluster, "KSP Dahlia", 1500, "pesantren", "Cidadap", fiscal_year_start=7)
    savings_only(d)
    for _ in range(100):
        r = cluster.api("GET", "/api/v1/district/dashboard?as_of=" + AS_OF)
        assert r.status == 200, r
        items = {i["cooperative_id"]: i for i in r.json["items"]}
        if (len(items) == 4 and items[a.id].get("health_total") == "67.25"
                and items[b.id].get("health_total") == "10.25"
                and items[d.id].get("health_total") == "10.25"):
            break
        time.sleep(0.1)
    return r.json, (a, b, c, d)


FIELDS = ("last_fiscal_year", "health_rating", "health_total", "health_max_available")


def test_each_cooperative_is_rated_for_its_last_ended_fiscal_year(cluster, district):
    dash, (a, b, c, d) = district
    rows = {i["cooperative_id"]: tuple(i.get(f) for f in FIELDS) for i in dash["items"]}
    assert rows == {a.id: (2025, "fairly_healthy", "67.25", "82.00"),
                    b.id: (2025, "under_special_supervision", "10.25", "23.00"),
                    c.id: (2025, "not_rated", None, None),
                    d.id: (2024, "under_special_supervision", "10.25", "23.00")}
    # The same figures as the cooperative's own health report of that year.
    for k, year in ((a, 2025), (b, 2025), (c, 2025), (d, 2024)):
        h = cluster.api("GET", k.base + "/reports/health?year=%d" % year).json
        assert (h["rating"], h.get("total")) == rows[k.id][1:3], (k.id, h)
    h = cluster.api("GET", d.base + "/reports/health?year=2024").json
    assert (h["from"], h["to"]) == ("2024-07-01", "2025-06-30")
    assert cluster.api("GET", d.base + "/reports/health?year=2025").json["rating"] == "not_rated"


def test_cooperatives_by_rating_group_and_district(district):
    dash, _ = district
    assert dash["by_rating"] == [
        {"rating": "fairly_healthy", "cooperatives": 1, "members_active": 2,
         "total_assets": "5420000", "savings": "5000000"},
        {"rating": "under_special_supervision", "cooperatives": 2, "members_active": 2,
         "total_assets": "250000", "savings": "250000"},
        {"rating": "not_rated", "cooperatives": 1, "members_active": 0,
         "total_assets": "0", "savings": "0"}]
    assert dash["by_group"] == [
        {"group": "farmers", "cooperatives": 1, "members_active": 1, "total_assets": "125000",
         "savings": "125000"},
        {"group": "pesantren", "cooperatives": 1, "members_active": 1, "total_assets": "125000",
         "savings": "125000"},
        {"group": "women", "cooperatives": 2, "members_active": 2, "total_assets": "5420000",
         "savings": "5000000"}]
    assert dash["by_district"] == [
        {"district": "Cidadap", "cooperatives": 2, "members_active": 1,
         "total_assets": "125000", "savings": "125000"},
        {"district": "Sukasari", "cooperatives": 2, "members_active": 3,
         "total_assets": "5545000", "savings": "5125000"}]
    assert dash["by_type"] == [{"type": "savings_loan", "cooperatives": 4, "members_active": 4,
                                "total_assets": "5670000", "savings": "5250000"}]


def test_dashboard_csv_carries_the_rating(cluster, district):
    _, (a, b, c, d) = district
    lines = cluster.api("GET", "/api/v1/district/dashboard?format=csv&lang=en&as_of=" + AS_OF).text
    lines = lines.split("\r\n")
    assert lines[0].endswith(",total_assets,savings,health_year,health_rating,health_total")
    assert any(l.startswith("%s,KSP Anggrek," % a.id) and l.endswith(",2025,fairly_healthy,67.25")
               for l in lines), lines
    assert any(l.startswith("%s,KSP Cempaka," % c.id) and l.endswith(",2025,not_rated,")
               for l in lines), lines
