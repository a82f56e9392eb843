"""The fixture cooperative of the member self-service tests (test_member_self_service.py over
HTTP, test_web_member.py in the browser): two members with savings, a loan each, income for an
SHU, and an annual meeting — every figure below is worked out by hand in the tests.

Member "me" (Ibu Sari 1): principal 100,000; mandatory 25,000 x 3; voluntary 1,066,185.46; a
loan of 1,200,000 at 12 % flat over 12 months from 10/02/2025 (instalments of 100,000 + 12,000),
of which 3 are paid on 10/04/2025. Member "other" (Ibu Sari 2): principal 100,000; mandatory
50,000; a loan of 600,000 at 12 % flat over 6 months (100,000 + 6,000), 2 paid on 10/03/2025.
Other income of 1,000,000 on 30/06/2025. The RAT for 2025 is held on 20/03/2026."""
import datetime

from reporting_util import ApiCoop

ALLOCATION = {"reserves": "40", "capital_share": "20", "usage_share": "20", "board": "5",
              "staff": "5", "education": "5", "social": "5"}
PIN = "482615"


class MemberCoop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "women", "Sukajadi", datetime.date(1982, 11, 23), True
    PERSON, VILLAGE, PHONE = "Ibu Sari", "Desa Cipedes", "0813-2200"

    def repay(self, loan, amount, value_date):
        return self.post("/loans/%s/repayments" % loan, {"amount": amount, "value_date": value_date})


def build(cluster, name="Koperasi Wanita Sari", serial=3300, extra_settings=None):
    k = MemberCoop(cluster, name, serial, settings=dict({"shu_allocation": ALLOCATION}, **(extra_settings or {})))
    k.opening("5000000")
    me, other = k.member(), k.member()
    k.deposit(me, "principal", "100000")
    for month in ("01", "02", "03"):
        k.deposit(me, "mandatory", "25000", "2025-%s-06" % month)
    k.deposit(me, "voluntary", "1066185.46", "2025-03-20")
    k.deposit(other, "principal", "100000")
    k.deposit(other, "mandatory", "50000")
    k.loans = {me: k.flat_loan(me, "1200000", 12), other: k.flat_loan(other, "600000", 6)}
    k.repay(k.loans[me], "336000", "2025-04-10")
    k.repay(k.loans[other], "212000", "2025-03-10")
    k.post("/journal", {"value_date": "2025-06-30", "memo": "Pendapatan lain",
                        "lines": [{"account": "1-101", "debit": "1000000"},
                                  {"account": "4-301", "credit": "1000000"}]})
    r = cluster.api("POST", k.base + "/annual-meetings",
                    {"fiscal_year": 2025, "held_on": "2026-03-20", "members_present": 2,
                     "quorum": True, "accounts_approved": True, "shu_approved": True,
                     "notes": "RAT tahun buku 2025"})
    assert r.status == 201, r
    k.me, k.other = me, other
    return k


def member_record(cluster, k, member_id):
    r = cluster.api("GET", k.base + "/members/%s" % member_id)
    assert r.status == 200, r
    return r.json


def grant(cluster, k, member_id):
    r = cluster.api("POST", k.base + "/members/%s/access" % member_id, {})
    assert r.status == 201, r
    return r.json["code"]


def activate(cluster, k, number, code, pin=PIN):
    r = cluster.http("POST", "/api/v1/member/activate",
                     {"cooperative_id": str(k.id), "member_number": number, "code": code, "pin": pin})
    assert r.status == 200, r
    return r.json["token"]


def months_between(a, b):
    """Whole months from a to b (as common/date.c counts them: a day of month not yet reached
    leaves the month incomplete)."""
    m = (b.year - a.year) * 12 + b.month - a.month
    return m - 1 if b.day < a.day else m


def mandatory_arrears(today, joined=datetime.date(2025, 1, 2), amount=2500000, paid=7500000):
    """In sen: periods since joining (the first counts) x 25,000 less the 75,000 paid."""
    due = (months_between(joined, today) + 1) * amount
    return max(0, due - paid)

