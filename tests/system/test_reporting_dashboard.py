"""The district dashboard through the gateway with exact content: four cooperatives, one keeping
its duties, one whose RAT for the last fiscal year is missing with an overdue supervision
recommendation and a non-performing loan, one that never held a RAT (dissolution review), and
one founded after the last fiscal year (no RAT due yet); RAT compliance, loans and NPL per
cooperative and for the district, and the cooperatives needing attention with their reasons."""
import datetime
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from reporting_util import ApiCoop  # noqa: E402


BIRTH = datetime.date(1981, 4, 2)
AS_OF = "2026-06-30"       # the last fiscal year (calendar years) is 2025


class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "farmers", "Sukasari", BIRTH, False
    PERSON, VILLAGE, PHONE = "Pak", "Desa Cibeber", "0813-2222"
    KEYED_POSTS = False

    def loan(self, principal, first_due_on):
        body = {"member_id": self.member(), "principal": principal, "annual_rate": "12",
                "instalments": 12, "frequency": "monthly", "method": "flat",
                "first_due_on": first_due_on, "applied_on": "2025-01-05"}
        r = self.c.api("POST", self.base + "/loans", body)
        assert r.status == 201, r
        self.post("/loans/%s/disburse" % r.json["id"], {"value_date": "2025-01-10"}, True)

    def rat(self, fiscal_year, held_on):
        self.post("/annual-meetings", {"held_on": held_on, "fiscal_year": fiscal_year,
                                       "members_present": 20, "quorum": True,
                                       "accounts_approved": True, "shu_approved": True,
                                       "plan_approved": True})

    def supervision(self, *due):
        return self.post("/supervision", {
            "visited_on": "2026-02-01", "supervisor": "Bu Sari", "findings": "buku kas",
            "recommendations": [{"text": "rekomendasi %d" % i, "due_on": d}
                                for i, d in enumerate(due)]})


@pytest.fixture(scope="module")
def district(cluster):
    tidy = Coop(cluster, "KSP Tertib", 100)
    tidy.opening("1000000")
    tidy.rat(2024, "2025-03-20")
    tidy.rat(2025, "2026-03-15")
    tidy.loan("1000000", "2025-02-10")
    visit = tidy.supervision("2026-05-01", "2026-12-31")
    r = cluster.api("PATCH", tidy.base + "/supervision/%s" % visit["id"],
                    {"recommendations": [{"number": 1, "done_on": "2026-04-20"}]})
    assert r.status == 200, r

    late = Coop(cluster, "KSP Lalai", 200)
    late.opening("18000001")
    late.rat(2024, "2025-04-10")
    late.supervision("2026-03-01")
    # On 2025-08-11 the loan due from 05-10 is more than 3 months late: substandard; the one
    # due from 07-10 is current.
    late.loan("12000000", "2025-05-10")
    late.loan("6000001", "2025-07-10")
    r = cluster.api("POST", late.base + "/close-day", {"business_date": "2025-08-11"})
    assert r.status == 200, r

    asleep = Coop(cluster, "KSP Tidur", 300)
    new = Coop(cluster, "KSP Baru", 400, founded_on="2026-02-01")
    for _ in range(100):
        d = cluster.api("GET", "/api/v1/district/dashboard?as_of=" + AS_OF)
        assert d.status == 200, d
        if d.json.get("loans") == 3 and d.json.get("rat_overdue") == 2 and any(
                i.get("overdue_recommendations") == 1 for i in d.json["items"]):
            break
        time.sleep(0.1)
    return d.json, (tidy, late, asleep, new)


FIELDS = ("last_fiscal_year", "last_rat_fiscal_year", "last_rat_held_on", "rat_overdue",
          "dissolution_review", "loans", "loans_outstanding", "non_performing", "npl_ratio",
          "overdue_recommendations")


def test_rat_compliance_loans_and_supervision_per_cooperative(district):
    d, (tidy, late, asleep, new) = district
    rows = {i["cooperative_id"]: {f: i.get(f) for f in FIELDS} for i in d["items"]}
    assert [i["cooperative_id"] for i in d["items"]] == [tidy.id, late.id, asleep.id, new.id]
    assert rows[tidy.id] == {
        "last_fiscal_year": 2025, "last_rat_fiscal_year": 2025, "last_rat_held_on": "2026-03-15",
        "rat_overdue": False, "dissolution_review": False, "loans": 1,
        "loans_outstanding": "1000000", "non_performing": "0", "npl_ratio": "0.00",
        "overdue_recommendations": 0}
    # 12,000,000 / 18,000,001 = 66.666662...%
    assert rows[late.id] == {
        "last_fiscal_year": 2025, "last_rat_fiscal_year": 2024, "last_rat_held_on": "2025-04-10",
        "rat_overdue": True, "dissolution_review": False, "loans": 2,
        "loans_outstanding": "18000001", "non_performing": "12000000", "npl_ratio": "66.67",
        "overdue_recommendations": 1}
    assert rows[asleep.id] == {
        "last_fiscal_year": 2025, "last_rat_fiscal_year": None, "last_rat_held_on": None,
        "rat_overdue": True, "dissolution_review": True, "loans": 0,
        "loans_outstanding": "0", "non_performing": "0", "npl_ratio": "0.00",
        "overdue_recommendations": 0}
    # Founded in 2026: no RAT is due for 2025.
    assert rows[new.id]["rat_overdue"] is False and rows[new.id]["dissolution_review"] is False


def test_district_totals_and_attention(district):
    d, (tidy, late, asleep, new) = district
    assert d["as_of"] == AS_OF and d["cooperatives"] == 4
    # 12,000,000 / 19,000,001 = 63.157891...%
    assert (d["loans"], d["loans_outstanding"], d["non_performing"], d["npl_ratio"]) == (
        3, "19000001", "12000000", "63.16")
    assert (d["rat_overdue"], d["dissolution_review"]) == (2, 1)
    assert d["attention"] == [
        {"cooperative_id": late.id, "name": "KSP Lalai",
         "reasons": ["overdue_recommendations", "no_rat", "npl_above_5_percent"]},
        {"cooperative_id": asleep.id, "name": "KSP Tidur",
         "reasons": ["no_rat", "dissolution_review"]},
    ]


def test_the_recommendation_is_not_overdue_before_its_due_date(cluster, district):
    _, (tidy, late, asleep, new) = district
    d = cluster.api("GET", "/api/v1/district/dashboard?as_of=2026-03-01").json
    row = [i for i in d["items"] if i["cooperative_id"] == late.id][0]
    assert row["overdue_recommendations"] == 0
    d = cluster.api("GET", "/api/v1/district/dashboard?as_of=2026-03-02").json
    row = [i for i in d["items"] if i["cooperative_id"] == late.id][0]
    assert row["overdue_recommendations"] == 1
