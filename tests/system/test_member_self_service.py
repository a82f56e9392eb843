"""The member's own API (/api/v1/member/..., docs/members-self-service.md) over real HTTP on the
fixture cooperative of member_books.py: exact balances, mandatory arrears, the loan schedule
with what is overdue and the payoff amount, the statement of a period, the member's SHU line
and the reports of the annual meeting — and every way of naming another member or cooperative
refused with a typed error."""
import datetime
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import member_books  # noqa: E402
from gateway_util import assert_error, create_coop, create_user, login  # noqa: E402


@pytest.fixture(scope="module")
def world(cluster):
    k = member_books.build(cluster)
    me = member_books.member_record(cluster, k, k.me)
    other = member_books.member_record(cluster, k, k.other)
    token = member_books.activate(cluster, k, me["member_number"],
                                  member_books.grant(cluster, k, k.me))
    code = member_books.grant(cluster, k, k.other)
    other_token = member_books.activate(cluster, k, other["member_number"], code, "975310")
    return {"k": k, "me": me, "other": other, "token": token, "other_token": other_token}


def get(cluster, world, path, token=None):
    """The member's GET, after reporting has applied every posting of the fixture (the gateway
    passes its seen sequences on, so the first answer already reflects them)."""
    return cluster.http("GET", path, token=token or world["token"])


def test_overview_states_every_balance_the_arrears_and_the_loan(cluster, world):
    r = get(cluster, world, "/api/v1/member/overview?as_of=2025-06-15")
    assert r.status == 200, r
    o = r.json
    assert (o["member_id"], o["name"], o["as_of"]) == (world["me"]["id"], "Ibu Sari 3301", "2025-06-15")
    assert o["cooperative_name"] == "Koperasi Wanita Sari" and int(o["as_of_seq"]) > 0, o
    bal = {a["kind"]: a["balance"] for a in o["savings"]}
    assert bal == {"principal": "100000", "mandatory": "75000", "voluntary": "1066185.46",
                   "time_deposit": "0"}, o["savings"]
    assert o["savings_total"] == "1241185.46"
    # Joined 02/01/2025: by 15/06/2025 six monthly periods are due (Jan..Jun) = 150,000; 75,000 paid.
    mandatory = [a for a in o["savings"] if a["kind"] == "mandatory"][0]
    assert (mandatory["periods_due"], mandatory["due"], mandatory["arrears"]) == (6, "150000", "75000")
    assert o["mandatory_arrears"] == "75000"
    [loan] = o["loans"]
    l = loan["loan"]
    assert (l["principal"], l["status"], l["instalments"]) == ("1200000", "active", 12), l
    sched = [(i["due_on"], i["principal"], i["interest"], i["principal_paid"], i["interest_paid"],
              i["overdue"]) for i in l["schedule"][:6]]
    assert sched == [("2025-02-10", "100000", "12000", "100000", "12000", False),
                     ("2025-03-10", "100000", "12000", "100000", "12000", False),
                     ("2025-04-10", "100000", "12000", "100000", "12000", False),
                     ("2025-05-10", "100000", "12000", "0", "0", True),
                     ("2025-06-10", "100000", "12000", "0", "0", True),
                     ("2025-07-10", "100000", "12000", "0", "0", False)]
    # Two instalments overdue: 200,000 principal + 24,000 interest. Payoff on 15/06/2025: the
    # 900,000 principal left + the interest of the instalments already due (24,000).
    assert (l["instalments_overdue"], l["arrears_principal"], l["arrears_interest"], l["arrears"]) == \
        (2, "200000", "24000", "224000")
    assert (l["outstanding_principal"], l["principal_paid"], l["interest_paid"]) == ("900000", "300000", "36000")
    assert (loan["payoff"], loan["next_due_on"], loan["next_due"]) == ("924000", "2025-05-10", "112000")


def test_overview_today_has_every_instalment_due(cluster, world):
    o = get(cluster, world, "/api/v1/member/overview").json
    [loan] = o["loans"]
    assert (loan["loan"]["instalments_overdue"], loan["loan"]["arrears"], loan["payoff"]) == \
        (9, "1008000", "1008000"), loan
    today = datetime.date.fromisoformat(o["as_of"])
    arrears = member_books.mandatory_arrears(today)
    assert o["mandatory_arrears"] == "%d" % (arrears // 100), (o["as_of"], o["mandatory_arrears"])


def test_statement_of_a_period(cluster, world):
    r = get(cluster, world, "/api/v1/member/statement?from=2025-02-01&to=2025-03-31")
    assert r.status == 200, r
    s = r.json
    assert s["member_id"] == world["me"]["id"] and (s["from"], s["to"]) == ("2025-02-01", "2025-03-31")
    lines = [(x["value_date"], x["kind"], x["amount"], x["total_balance"]) for x in s["lines"]]
    assert lines == [("2025-02-06", "mandatory", "25000", "150000"),
                     ("2025-03-06", "mandatory", "25000", "175000"),
                     ("2025-03-20", "voluntary", "1066185.46", "1241185.46")]
    assert (s["opening_total"], s["closing_total"]) == ("125000", "1241185.46")
    [card] = s["loans"]
    assert (card["opening_principal"], card["closing_principal"]) == ("1200000", "1200000"), card
    # The same statement as a PDF (the page's download), only the member's own.
    r = cluster.http("GET", "/api/v1/member/statement?from=2025-02-01&to=2025-03-31&format=pdf",
                     token=world["token"])
    assert r.status == 200 and r.headers["Content-Type"] == "application/pdf", r.headers
    assert r.body.startswith(b"%PDF-") and r.headers["X-Lumbung-Period"] == "2025-02-01..2025-03-31", r.headers


def test_shu_share_shows_only_the_members_line_and_how_it_was_computed(cluster, world):
    s = get(cluster, world, "/api/v1/member/shu?year=2025").json
    # Surplus: interest 36,000 + 12,000 and other income 1,000,000 = 1,048,000, all shared.
    assert (s["surplus"], s["shared_surplus"], s["year"]) == ("1048000", "1048000", 2025), s
    # Pools of 20 % each: 209,600. Capital 175,000 of 325,000; interest paid 36,000 of 48,000.
    assert (s["total_capital"], s["total_participation"]) == ("325000", "48000")
    assert s["allocation"]["capital_share"] == "209599.99" and s["allocation"]["usage_share"] == "209600"
    assert [m["member_id"] for m in s["members"]] == [world["me"]["id"]]
    [m] = s["members"]
    # 209,600 x 175/325 = 112,861.538... -> 112,861.53; 209,600 x 36/48 = 157,200.
    assert (m["capital"], m["participation"], m["capital_share"], m["usage_share"], m["total"]) == \
        ("175000", "36000", "112861.53", "157200", "270061.53"), m
    assert (m["name"], m["member_number"]) == ("Ibu Sari 3301", world["me"]["member_number"])
    other = get(cluster, world, "/api/v1/member/shu?year=2025", world["other_token"]).json
    assert [x["member_id"] for x in other["members"]] == [world["other"]["id"]]
    assert other["members"][0]["total"] == "149138.46"      # 96,738.46 + 52,400


def test_annual_meetings_and_their_reports(cluster, world):
    r = get(cluster, world, "/api/v1/member/annual-meetings")
    assert r.status == 200, r
    [rat] = r.json["items"]
    assert (rat["fiscal_year"], rat["held_on"], rat["accounts_approved"]) == (2025, "2026-03-20", True)
    b = get(cluster, world, "/api/v1/member/reports/balance-sheet?as_of=2025-12-31").json
    assert b["balanced"] is True and b["cooperative_id"] == world["k"].id, b
    # Cash 5,000,000 + savings 1,391,185.46 - loans 1,800,000 + repayments 548,000 + income
    # 1,000,000; loans 1,800,000 - 500,000 repaid.
    assert (b["total_assets"], b["loans_gross"]) == ("7439185.46", "1300000"), b
    i = get(cluster, world, "/api/v1/member/reports/income-statement?from=2025-01-01&to=2025-12-31").json
    assert (i["total_income"], i["total_expenses"], i["surplus"]) == ("1048000", "0", "1048000"), i


def test_another_member_or_cooperative_is_refused(cluster, world):
    k, other = world["k"], world["other"]
    for path in ("/api/v1/member/overview?member_id=%s" % other["id"],
                 "/api/v1/member/statement?member_id=%s" % other["id"],
                 "/api/v1/member/shu?year=2025&member_id=%s" % other["id"]):
        assert_error(get(cluster, world, path), 403, "forbidden", "member_id")
    b = create_coop(cluster, "Koperasi Lain Sari")
    for path in ("/api/v1/member/overview?cooperative_id=%s" % b,
                 "/api/v1/member/annual-meetings?cooperative_id=%s" % b,
                 "/api/v1/member/reports/balance-sheet?cooperative_id=%s" % b):
        assert_error(get(cluster, world, path), 403, "forbidden", "cooperative_id")
    # The operators' paths with another member's id.
    for path in ("/members/%s" % other["id"], "/members/%s/statement" % other["id"],
                 "/members/%s/accounts" % other["id"], "/loans/%s/card" % k.loans[k.other]):
        r = get(cluster, world, k.base + path)
        assert r.status == 403 and r.json["error"]["code"] == "forbidden", (path, r)
    # Nobody but a member has these pages: an operator, an admin and no token at all.
    create_user(cluster, "sari.op", "operator", coop=k.id)
    for token in (login(cluster, "sari.op"), cluster.admin_token()):
        assert_error(cluster.http("GET", "/api/v1/member/overview", token=token), 403, "forbidden")
    assert_error(cluster.http("GET", "/api/v1/member/overview"), 401, "unauthenticated")
    assert_error(get(cluster, world, "/api/v1/member/shu"), 400, "invalid_year", "year")
    assert_error(get(cluster, world, "/api/v1/member/overview?as_of=2025-13-01"), 400, "invalid_date", "as_of")
    r = get(cluster, world, "/api/v1/member/overview?nik=1")
    assert r.status == 400 and r.json["error"]["field"] == "nik", r
