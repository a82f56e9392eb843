"""SHU shares from the unrounded pools, through the gateway, with figures computed by hand: a
surplus of 1,000,000.03 whose capital-share pool (20,000,000.6 sen) would give another share
if it were rounded to the sen before it is split. Each member's share is rounded down to the
sen and what rounding down leaves goes to reserves, so the allocation sums to the surplus."""
import datetime
import os
import sys
import time
from decimal import Decimal

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from reporting_util import ApiCoop  # noqa: E402


ALLOCATION = {"reserves": "40", "capital_share": "20", "usage_share": "20", "board": "5",
              "staff": "5", "education": "5", "social": "5"}


class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "civil servants", "Cidadap", datetime.date(1977, 9, 14), True
    PERSON, VILLAGE, PHONE = "Ibu Guru", "Desa Ciumbuleuit", "0817-5555"

    def loan(self, member, principal):
        self.flat_loan(member, principal, 10)


def shu_when(coop, year, want):
    for _ in range(100):
        r = coop.c.api("GET", coop.base + "/reports/shu?year=%d" % year)
        assert r.status == 200, r
        if want(r.json):
            return r.json
        time.sleep(0.1)
    return r.json


def test_each_share_is_rounded_down_from_the_unrounded_pool(cluster):
    k = Coop(cluster, "KSP Guru Teliti", 1100,
             settings={"shu_allocation": ALLOCATION, "usage_share_basis": "loans_taken"})
    m1, m2, m3 = k.member(), k.member(), k.member()
    # Capital (principal + mandatory): 125,000, 150,000, 175,000, all 450,000.
    for m, mandatory in ((m1, "25000"), (m2, "50000"), (m3, "75000")):
        k.deposit(m, "principal", "100000")
        k.deposit(m, "mandatory", mandatory)
    # Loans taken: 100,000 and 150,000, all 250,000 (paid out of the 450,000 in cash).
    k.loan(m1, "100000")
    k.loan(m2, "150000")
    k.post("/journal", {"value_date": "2025-06-30", "memo": "Pendapatan lain",
                        "lines": [{"account": "1-101", "debit": "1000000.03"},
                                  {"account": "4-301", "credit": "1000000.03"}]})
    rep = shu_when(k, 2025, lambda s: s.get("surplus") == "1000000.03")
    assert (rep["surplus"], rep["shared_surplus"]) == ("1000000.03", "1000000.03")
    assert (rep["total_capital"], rep["total_participation"]) == ("450000", "250000")
    shares = {m["member_id"]: (m["capital_share"], m["usage_share"], m["total"])
              for m in rep["members"]}
    # Capital pool 20 % x 100,000,003 sen = 20,000,000.6 sen, not rounded:
    #   m1 125/450 -> 5,555,555.72 sen -> 55,555.55
    #   m2 150/450 -> 6,666,666.87 sen -> 66,666.66 (the pool rounded first, 20,000,001 / 3,
    #                 would give 66,666.67)
    #   m3 175/450 -> 7,777,778.01 sen -> 77,777.78
    # Usage pool 20,000,000.6 sen: m1 100/250 -> 8,000,000.24 -> 80,000; m2 150/250 ->
    # 12,000,000.36 -> 120,000.
    assert shares == {m1: ("55555.55", "80000", "135555.55"),
                      m2: ("66666.66", "120000", "186666.66"),
                      m3: ("77777.78", "0", "77777.78")}
    # Board, staff, education, social: 5,000,000.15 sen -> 50,000 each. Reserves: their own
    # 40,000,001.2 sen -> 400,000.01, plus what rounding down left: 0.2 + 4 x 0.15 + (0.72 +
    # 0.87 + 0.01) + (0.24 + 0.36) = 3 sen.
    assert rep["allocation"] == {"reserves": "400000.04", "capital_share": "199999.99",
                                 "usage_share": "200000", "board": "50000", "staff": "50000",
                                 "education": "50000", "social": "50000"}
    assert rep["rounding"] == "0.03"
    assert sum(Decimal(v) for v in rep["allocation"].values()) == Decimal("1000000.03")

    csv = k.c.api("GET", k.base + "/reports/shu?year=2025&format=csv&lang=en").text.split("\r\n")
    assert "total,,rounding_to_reserves,0.03,,,," in csv
    assert "total,,capital_share,199999.99,,,," in csv
