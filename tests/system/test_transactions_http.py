"""The savings and ledger endpoints of the API (docs/openapi.yaml) through the gateway: JSON shapes with money as
decimal strings, idempotent money moves, 422s that post nothing, operators confined to their
cooperative, concurrent HTTP clients on one account, exit settlement, and balanced books."""
import datetime
import os
import random
import sys
import threading
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN  # noqa: E402
from members_util import nik  # noqa: E402


BIRTH = datetime.date(1979, 3, 9)
PASSWORD = "kata-sandi-rahasia-1"
COOPS = []


def coop_body(name):
    return {"name": name, "type": "savings_loan", "group": "farmers", "district": "Cibeunying",
            "settings": {"principal_amount": "100000", "mandatory_amount": "25000",
                         "mandatory_period": "monthly"}}


class Api:
    def __init__(self, cluster, name):
        r = cluster.api("POST", "/api/v1/cooperatives", coop_body(name))
        assert r.status == 201, r
        self.c = cluster
        self.id = r.json["id"]
        self.base = "/api/v1/cooperatives/%s" % self.id
        self.serial = 100 * (len(COOPS) + 1)
        COOPS.append(self)

    def member(self):
        self.serial += 1
        body = {"nik": nik(BIRTH, False, self.serial), "name": "Budi Santoso %d" % self.serial,
                "sex": "male", "birth_date": BIRTH.isoformat(), "address": "Desa Sukamaju",
                "phone": "0813-1111-%04d" % self.serial, "joined_on": "2024-01-15"}
        r = self.c.api("POST", self.base + "/members", body)
        assert r.status == 201, r
        return r.json["id"]

    def move(self, path, member, kind, amount, key=None, token=None, **extra):
        body = {"member_id": member, "kind": kind, "amount": amount, "value_date": "2025-01-10"}
        body.update(extra)
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return self.c.http("POST", self.base + path, body, token=token or self.c.admin_token(),
                           headers=headers)

    def chart(self):
        r = self.c.api("GET", self.base + "/accounts")
        assert r.status == 200, r
        return {a["code"]: a for a in r.json["items"]}


@pytest.fixture
def coop(cluster):
    """A fresh cooperative for each test: balances and totals are its test's alone."""
    return Api(cluster, "Koperasi Tani Makmur")


@pytest.fixture(autouse=True)
def books_balance_after(cluster):
    """Whatever a test posts, every cooperative it made ends with balanced books."""
    first = len(COOPS)
    yield
    for api in COOPS[first:]:
        r = cluster.api("GET", api.base + "/trial-balance")
        assert r.status == 200 and r.json["balanced"] is True, r
        assert r.json["total_debit"] == r.json["total_credit"]


def test_chart_of_accounts_json(cluster, coop):
    chart = coop.chart()
    assert len(chart) == 31
    assert chart["1-101"] == {"cooperative_id": coop.id, "code": "1-101", "name": "Kas",
                              "class": "asset", "role": "cash", "debit_total": "0",
                              "credit_total": "0", "balance": "0", "standard": True}
    assert chart["3-102"]["role"] == "mandatory_savings" and chart["3-102"]["class"] == "equity"
    r = cluster.api("POST", coop.base + "/accounts",
                    {"code": "1-104", "name": "Kas kecil", "class": "asset", "role": "cash"})
    assert r.status == 201 and r.json["code"] == "1-104" and r.json["balance"] == "0", r
    r = cluster.api("POST", coop.base + "/accounts",
                    {"code": "1-104", "name": "Kas kecil", "class": "asset"})
    assert r.status == 409 and r.json["error"]["code"] == "account_exists"
    r = cluster.api("POST", coop.base + "/accounts", {"code": "1-105", "name": "X", "class": "income",
                                                       "role": "cash"})
    assert r.status == 400 and r.json["error"]["field"] == "role"


def test_deposits_and_withdrawals(cluster, coop):
    m = coop.member()
    r = coop.move("/deposits", m, "principal", "100000")
    assert r.status == 201, r
    assert (r.json["kind"], r.json["amount"], r.json["balance"]) == ("principal", "100000", "100000")
    assert [(l["account"], l.get("debit"), l.get("credit")) for l in r.json["entry"]["lines"]] == [
        ("1-101", "100000", None), ("3-101", None, "100000")]
    r = coop.move("/deposits", m, "voluntary", "1500.50")
    assert r.status == 201 and r.json["balance"] == "1500.50", r
    r = coop.move("/withdrawals", m, "voluntary", "500.25")
    assert r.status == 201 and r.json["balance"] == "1000.25", r
    r = coop.move("/deposits", m, "mandatory", "25000")
    assert r.status == 201, r

    r = cluster.api("GET", coop.base + "/members/%s/accounts?as_of=2024-03-20" % m)
    assert r.status == 200, r
    items = {i["kind"]: i for i in r.json["items"]}
    assert set(items) == {"principal", "mandatory", "voluntary", "time_deposit"}
    assert items["voluntary"]["balance"] == "1000.25"
    assert (items["mandatory"]["balance"], items["mandatory"]["arrears"],
            items["mandatory"]["periods_due"]) == ("25000", "50000", 3)
    assert r.json["loans"] == [] and r.json["status"] == "active"

    chart = coop.chart()
    assert chart["1-101"]["balance"] == "126000.25"
    assert chart["2-101"]["balance"] == "1000.25"


def test_money_moves_need_and_honour_an_idempotency_key(cluster, coop):
    m = coop.member()
    r = cluster.api("POST", coop.base + "/deposits",
                    {"member_id": m, "kind": "voluntary", "amount": "10"})
    assert r.status == 400, r
    key = "setor-%s" % uuid.uuid4()
    first = coop.move("/deposits", m, "voluntary", "777", key=key)
    again = coop.move("/deposits", m, "voluntary", "777", key=key)
    assert first.status == again.status == 201
    assert first.json["entry_id"] == again.json["entry_id"]
    other = coop.move("/deposits", m, "voluntary", "778", key=key)
    assert other.status == 409, other
    r = cluster.api("GET", coop.base + "/members/%s/accounts" % m)
    assert {i["kind"]: i["balance"] for i in r.json["items"]}["voluntary"] == "777"


def test_rule_breaks_are_422_and_post_nothing(cluster, coop):
    m = coop.member()
    coop.move("/deposits", m, "voluntary", "100")
    before = cluster.api("GET", coop.base + "/trial-balance").json["total_debit"]
    r = coop.move("/withdrawals", m, "voluntary", "100.01")
    assert r.status == 422 and r.json["error"]["code"] == "insufficient_funds", r
    assert r.json["error"]["field"] == "amount" and "100.01" in r.json["error"]["message"]
    r = coop.move("/withdrawals", m, "principal", "100000")
    assert r.status == 422 and r.json["error"]["code"] == "savings_locked", r
    r = coop.move("/deposits", m, "principal", "50000")
    assert r.status == 422 and r.json["error"]["code"] == "wrong_principal_amount", r
    other = Api(cluster, "Koperasi Tetangga")
    stranger = other.member()
    r = coop.move("/deposits", stranger, "voluntary", "10")
    assert r.status == 422 and r.json["error"]["code"] == "member_of_other_cooperative", r
    r = coop.move("/deposits", m, "voluntary", "10.001")
    assert r.status == 400, r
    assert cluster.api("GET", coop.base + "/trial-balance").json["total_debit"] == before


def test_journal_posting_listing_and_reversal(cluster):
    coop = Api(cluster, "Koperasi Listrik")
    r = cluster.api("POST", coop.base + "/opening-balances", {
        "value_date": "2025-01-31", "lines": [{"account": "1-101", "debit": "150000"},
                                              {"account": "3-301", "credit": "150000"}]},
        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201 and r.json["kind"] == "opening", r      # cash to pay the bill with
    body = {"value_date": "2025-02-03", "memo": "Bayar listrik",
            "lines": [{"account": "5-202", "debit": "150000"}, {"account": "1-101", "credit": "140000"}]}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    r = cluster.api("POST", coop.base + "/journal", body, headers=key)
    assert r.status == 400 and r.json["error"]["code"] == "unbalanced", r
    assert r.json["error"]["field"] == "lines" and "1400" in r.json["error"]["message"]
    body["lines"][1]["credit"] = "150000"
    r = cluster.api("POST", coop.base + "/journal", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201 and r.json["total"] == "150000" and r.json["kind"] == "manual", r
    entry = r.json["id"]
    r = cluster.api("GET", coop.base + "/journal?from=2025-02-01&to=2025-02-28&account=5-202")
    assert r.status == 200 and [e["id"] for e in r.json["items"]] == [entry], r
    r = cluster.api("GET", coop.base + "/journal/%s" % entry)
    assert r.status == 200 and r.json["memo"] == "Bayar listrik"
    r = cluster.api("POST", coop.base + "/journal/%s/reverse" % entry, {"value_date": "2025-02-04"},
                    headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201 and r.json["reverses_id"] == entry, r
    r = cluster.api("GET", coop.base + "/journal?limit=501")
    assert r.status == 400


def test_operator_sees_only_their_cooperative(cluster, coop):
    other = Api(cluster, "Koperasi Sebelah")
    user = "op-%s" % uuid.uuid4().hex[:8]
    r = cluster.api("POST", "/api/v1/users", {"username": user, "password": PASSWORD,
                                              "full_name": "Operator", "role": "operator",
                                              "cooperative_id": coop.id})
    assert r.status == 201, r
    token = cluster.http("POST", "/api/v1/auth/login", {"username": user, "password": PASSWORD}).json["token"]
    assert cluster.http("GET", coop.base + "/accounts", token=token).status == 200
    assert cluster.http("GET", other.base + "/accounts", token=token).status == 403
    m = other.member()
    r = other.move("/deposits", m, "voluntary", "10", token=token)
    assert r.status == 403, r


def test_concurrent_http_clients_on_one_account(cluster, coop):
    m = coop.member()
    threads, per_thread = 6, 40
    done = [[] for _ in range(threads)]

    def client(i):
        rnd = random.Random(100 + i)
        for _ in range(per_thread):
            path = "/deposits" if rnd.random() < 0.5 else "/withdrawals"
            cents = rnd.randrange(1, 100000)
            r = coop.move(path, m, "voluntary", "%d.%02d" % (cents // 100, cents % 100))
            done[i].append((path, cents, r.status, r.json))

    ts = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    expected = 0
    for path, cents, status, body in (x for d in done for x in d):
        assert status in (201, 422), (status, body)
        if status == 422:
            assert path == "/withdrawals" and body["error"]["code"] == "insufficient_funds"
            continue
        assert not body["balance"].startswith("-")
        expected += cents if path == "/deposits" else -cents
    r = cluster.api("GET", coop.base + "/members/%s/accounts" % m)
    balance = {i["kind"]: i["balance"] for i in r.json["items"]}["voluntary"]
    whole, _, frac = balance.partition(".")
    assert int(whole) * 100 + int((frac + "00")[:2]) == expected


def test_exit_settlement_over_http(cluster, coop):
    m = coop.member()
    coop.move("/deposits", m, "principal", "100000")
    coop.move("/deposits", m, "voluntary", "2500.75")
    coop.move("/deposits", m, "mandatory", "25000")
    r = cluster.api("POST", coop.base + "/members/%s/exit" % m, {"reason": "resigned", "exit_on": "2025-06-30"})
    # the API (docs/openapi.yaml): the exit answers with the settlement (and the member it concerns).
    assert r.status == 200, r
    assert (r.json["principal"], r.json["mandatory"], r.json["voluntary"]) == ("100000", "25000", "2500.75")
    assert (r.json["refund"], r.json["debts"], r.json["net"]) == ("127500.75", "0", "127500.75")
    assert r.json["member"]["status"] == "exited" and r.json["member"]["id"] == m
    assert r.json["member"]["exit_on"] == "2025-06-30"
    r = cluster.api("GET", coop.base + "/members/%s/settlement" % m)
    assert r.status == 200, r
    assert (r.json["refund"], r.json["debts"], r.json["net"]) == ("127500.75", "0", "127500.75")
    r = coop.move("/deposits", m, "voluntary", "10")
    assert r.status == 422 and r.json["error"]["code"] == "member_not_active", r


def test_books_balance(cluster, coop):
    m = coop.member()
    for path, kind, amount in (("/deposits", "principal", "100000"), ("/deposits", "voluntary", "1500.50"),
                               ("/withdrawals", "voluntary", "500.25"), ("/deposits", "mandatory", "25000")):
        r = coop.move(path, m, kind, amount)
        assert r.status == 201, r
    r = cluster.api("GET", coop.base + "/trial-balance")
    assert r.status == 200 and r.json["balanced"] is True, r
    assert r.json["total_debit"] == r.json["total_credit"] == "127000.75"
