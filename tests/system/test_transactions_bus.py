"""The transactions service over the bus with a real members service behind its replica:
chart of accounts, savings rules, rejections that post nothing, concurrency on one account,
exit settlement, batches with linked postings, events, and the books balancing at the end."""
import os
import itertools
import random
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BusClient, Cluster, date_text, pb  # noqa: E402
from members_util import operator  # noqa: E402
from tx_util import (MANDATORY_SEN, PRINCIPAL_SEN, Coop, assert_books_balance, tx_call,  # noqa: E402
                     tx_err, tx_ok)

_serials = itertools.count(1)   # member serials unique across the module, whatever the order
_created = []                   # cooperatives of the running test; checked when it ends


@pytest.fixture(scope="module")
def tc():
    c = Cluster(services=["members", "transactions"])
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture(autouse=True)
def books_balance_after_each_test():
    """Every test ends with the books of each cooperative it created balancing, so no test
    relies on another having run before or after it."""
    _created.clear()
    yield
    for coop in _created:
        assert_books_balance(coop)
    _created.clear()


def new_coop(c, name):
    coop = Coop(c, name, serial_base=100 * next(_serials))
    _created.append(coop)
    return coop


def test_new_cooperative_gets_the_standard_chart(tc):
    coop = new_coop(tc, "KSP Bagan Akun")
    chart = tx_ok(tc, "list_accounts", {"cooperative_id": str(coop.id)}, after=coop.seq)
    by_code = {a.code: a for a in chart.items}
    assert len(chart.items) == 31
    roles = {pb.transactions_pb2.AccountRole.Name(a.role) for a in chart.items}
    assert len(roles) == 31 and "ACCOUNT_ROLE_UNSPECIFIED" not in roles
    assert (by_code["1-101"].name, by_code["2-101"].name, by_code["3-101"].name) == (
        "Kas", "Simpanan sukarela", "Simpanan pokok")
    assert all(a.balance_sen == 0 and a.standard for a in chart.items)

    added = tx_ok(tc, "add_account", {"cooperative_id": str(coop.id), "code": "1-104",
                                      "name": "Kas kecil", "class": "ACCOUNT_CLASS_ASSET"})
    assert added.code == "1-104" and not added.standard
    assert tx_err(tc, "add_account", {"cooperative_id": str(coop.id), "code": "1-104",
                                      "name": "Lagi", "class": "ACCOUNT_CLASS_ASSET"})[:2] == (
        "ERROR_KIND_CONFLICT", "account_exists")


def test_savings_move_as_balanced_entries(tc):
    coop = new_coop(tc, "KSP Simpanan")
    m = coop.member(joined_on="2024-01-15")
    r, p = coop.move("deposit", m, "principal")                  # the configured amount
    assert not r.HasField("error") and p.amount_sen == PRINCIPAL_SEN and r.event_seq > 0
    lines = [(l.account, l.debit_sen, l.credit_sen) for l in p.entry.lines]
    assert lines == [("1-101", PRINCIPAL_SEN, 0), ("3-101", 0, PRINCIPAL_SEN)]
    assert coop.move("deposit", m, "mandatory", 2 * MANDATORY_SEN)[1].balance_sen == 2 * MANDATORY_SEN
    assert coop.move("deposit", m, "voluntary", 75000050)[1].balance_sen == 75000050
    r, p = coop.move("withdraw", m, "voluntary", 25000000)
    assert p.balance_sen == 50000050
    assert [(l.account, l.debit_sen, l.credit_sen) for l in p.entry.lines] == [
        ("2-101", 25000000, 0), ("1-101", 0, 25000000)]

    kinds, whole = coop.accounts(m, as_of="2024-05-15")       # from the 15th: Jan..May, 5 periods
    assert kinds["principal"].balance_sen == PRINCIPAL_SEN
    assert kinds["mandatory"].periods_due == 5
    assert kinds["mandatory"].arrears_sen == 3 * MANDATORY_SEN
    assert kinds["voluntary"].balance_sen == 50000050
    assert kinds["time_deposit"].balance_sen == 0
    assert list(whole.loans) == [] and whole.status == "active"

    chart = {a.code: a for a in tx_ok(tc, "list_accounts", {"cooperative_id": str(coop.id)}).items}
    assert chart["1-101"].balance_sen == PRINCIPAL_SEN + 2 * MANDATORY_SEN + 50000050
    assert chart["2-101"].balance_sen == 50000050
    assert chart["3-102"].balance_sen == 2 * MANDATORY_SEN


def test_rejections_are_422_with_a_clear_message_and_post_nothing(tc):
    coop = new_coop(tc, "KSP Aturan")
    other = new_coop(tc, "KSP Tetangga")
    m = coop.member()
    stranger = other.member()
    leaver = coop.member()
    coop.move("deposit", m, "principal")
    coop.move("deposit", m, "voluntary", 100000)
    coop.exit(leaver)
    coop.seq = max(coop.seq, other.seq)
    before = len(coop.journal())
    tb_before = coop.trial_balance().total_debit_sen

    r, _ = coop.move("withdraw", m, "principal", PRINCIPAL_SEN)
    assert (r.error.kind, r.error.code, r.error.field) == (
        pb.envelope_pb2.ERROR_KIND_RULE, "savings_locked", "kind")
    assert "principal savings stay with the cooperative" in r.error.message

    r, _ = coop.move("withdraw", m, "voluntary", 100001)
    assert (r.error.kind, r.error.code, r.error.field) == (
        pb.envelope_pb2.ERROR_KIND_RULE, "insufficient_funds", "amount")
    assert "balance is 1000" in r.error.message and "1000.01" in r.error.message

    r, _ = coop.move("deposit", leaver, "voluntary", 5000)
    assert (r.error.kind, r.error.code) == (pb.envelope_pb2.ERROR_KIND_RULE, "member_not_active")
    assert "left the cooperative on 2025-06-30" in r.error.message

    r, _ = coop.move("deposit", stranger, "voluntary", 5000)
    assert (r.error.kind, r.error.code, r.error.field) == (
        pb.envelope_pb2.ERROR_KIND_RULE, "member_of_other_cooperative", "member_id")
    assert "belongs to another cooperative" in r.error.message

    r, _ = coop.move("deposit", m, "principal")
    assert (r.error.kind, r.error.code) == (pb.envelope_pb2.ERROR_KIND_RULE, "principal_already_paid")

    r, _ = coop.move("deposit", 987654321, "voluntary", 5000)
    assert (r.error.kind, r.error.code) == (pb.envelope_pb2.ERROR_KIND_NOT_FOUND, "member_not_found")

    assert len(coop.journal()) == before
    assert coop.trial_balance().total_debit_sen == tb_before
    assert coop.balance(m) == 100000


def test_operators_reach_only_their_cooperative(tc):
    coop = new_coop(tc, "KSP Kunci")
    other = new_coop(tc, "KSP Lain")
    assert tx_err(tc, "list_accounts", {"cooperative_id": str(other.id)},
                  actor=operator(coop.id), after=other.seq)[:2] == ("ERROR_KIND_FORBIDDEN", "forbidden")
    assert tx_ok(tc, "list_accounts", {"cooperative_id": str(coop.id)}, actor=operator(coop.id),
                 after=coop.seq).items
    m = coop.member()
    r, _ = tx_call(tc, "deposit", {"cooperative_id": str(coop.id), "member_id": str(m),
                                   "kind": "SAVINGS_KIND_VOLUNTARY", "amount_sen": "100"},
                   actor=operator(coop.id, role="ROLE_VIEWER"), after=coop.seq)
    assert r.error.kind == pb.envelope_pb2.ERROR_KIND_FORBIDDEN


def test_manual_entries_balance_or_are_refused_and_can_be_reversed(tc):
    coop = new_coop(tc, "KSP Jurnal")
    cid = str(coop.id)
    bad = {"cooperative_id": cid, "value_date": "2025-02-01", "memo": "Listrik",
           "lines": [{"account": "5-202", "debit_sen": "150000"},
                     {"account": "1-101", "credit_sen": "140000"}]}
    kind, code, field, message = tx_err(tc, "post_entry", bad, after=coop.seq)
    assert (kind, code, field) == ("ERROR_KIND_INVALID", "unbalanced", "lines")
    assert "1500" in message and "1400" in message
    bad["lines"][1] = {"account": "9-999", "credit_sen": "150000"}
    assert tx_err(tc, "post_entry", bad)[1:3] == ("unknown_account", "lines[1].account")
    bad["lines"][1] = {"account": "2-101", "credit_sen": "150000"}
    assert tx_err(tc, "post_entry", bad)[:3] == ("ERROR_KIND_RULE", "savings_account", "lines[1].account")

    good = dict(bad, lines=[{"account": "5-202", "debit_sen": "150000"},
                            {"account": "1-102", "credit_sen": "150000"}])
    kind, code, field, message = tx_err(tc, "post_entry", good)
    assert (kind, code, field) == ("ERROR_KIND_RULE", "insufficient_cash", "lines[1].account")
    assert message == "Bank (1-102) holds Rp 0,00; this payout needs Rp 1.500,00"
    coop.fund(150000, account="1-102")              # the bank balance from the paper books
    entry = tx_ok(tc, "post_entry", good)
    assert entry.total_sen == 150000 and entry.kind == pb.transactions_pb2.ENTRY_KIND_MANUAL
    assert tx_ok(tc, "get_entry", {"cooperative_id": cid, "entry_id": str(entry.id)}).id == entry.id
    rev = tx_ok(tc, "reverse_entry", {"cooperative_id": cid, "entry_id": str(entry.id),
                                      "value_date": "2025-02-02"})
    assert rev.reverses_id == entry.id
    assert [(l.account, l.debit_sen, l.credit_sen) for l in rev.lines] == [
        ("5-202", 0, 150000), ("1-102", 150000, 0)]
    assert tx_err(tc, "reverse_entry", {"cooperative_id": cid, "entry_id": str(entry.id)})[1] == "already_reversed"
    listed = coop.journal(account="5-202", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert [e.id for e in listed] == [entry.id, rev.id]
    assert coop.journal(account="5-202", to="2025-02-01")[0].id == entry.id


def test_concurrent_deposits_and_withdrawals_on_one_account(tc):
    coop = new_coop(tc, "KSP Ramai")
    m = coop.member()
    threads, per_thread = 8, 150
    results = [[] for _ in range(threads)]

    def client(i):
        bus = BusClient(tc, "transactions")
        rnd = random.Random(i)
        try:
            for _ in range(per_thread):
                op = "deposit" if rnd.random() < 0.5 else "withdraw"
                amount = rnd.randrange(1, 50000)
                r, p = tx_call(tc, op, {"cooperative_id": str(coop.id), "member_id": str(m),
                                        "kind": "SAVINGS_KIND_VOLUNTARY",
                                        "amount_sen": str(amount)},
                               after=coop.seq, client=bus)
                results[i].append((op, amount, r.error.code if r.HasField("error") else None,
                                   p.balance_sen if p else None))
        finally:
            bus.close()

    ts = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    flat = [x for r in results for x in r]
    assert len(flat) == threads * per_thread
    expected = 0
    for op, amount, code, bal in flat:
        assert code in (None, "insufficient_funds"), code
        assert code is None or op == "withdraw"
        if code is None:
            assert bal >= 0
            expected += amount if op == "deposit" else -amount
    assert sum(1 for x in flat if x[2] == "insufficient_funds") > 0     # the race was real
    assert coop.balance(m) == expected
    chart = {a.code: a for a in tx_ok(tc, "list_accounts", {"cooperative_id": str(coop.id)}).items}
    assert chart["2-101"].balance_sen == expected == chart["1-101"].balance_sen


def test_exit_posts_the_settlement(tc):
    coop = new_coop(tc, "KSP Keluar")
    m = coop.member()
    coop.move("deposit", m, "principal")
    coop.move("deposit", m, "mandatory", 3 * MANDATORY_SEN)
    coop.move("deposit", m, "voluntary", 1234567)
    coop.exit(m, exit_on="2025-06-30")
    st = tx_ok(tc, "get_settlement", {"cooperative_id": str(coop.id), "member_id": str(m)},
               after=coop.seq)
    refund = PRINCIPAL_SEN + 3 * MANDATORY_SEN + 1234567
    assert (st.principal_sen, st.mandatory_sen, st.voluntary_sen) == (
        PRINCIPAL_SEN, 3 * MANDATORY_SEN, 1234567)
    assert (st.refund_sen, st.debts_sen, st.net_sen, date_text(st.exit_on)) == (refund, 0, refund, "2025-06-30")
    entry = tx_ok(tc, "get_entry", {"cooperative_id": str(coop.id), "entry_id": str(st.entry_id)})
    assert entry.kind == pb.transactions_pb2.ENTRY_KIND_EXIT_SETTLEMENT
    assert [(l.account, l.debit_sen, l.credit_sen) for l in entry.lines] == [
        ("3-101", PRINCIPAL_SEN, 0), ("3-102", 3 * MANDATORY_SEN, 0), ("2-101", 1234567, 0),
        ("1-101", 0, refund)]
    kinds, whole = coop.accounts(m)
    assert whole.status == "exited" and all(i.balance_sen == 0 for i in kinds.values())
    chart = {a.code: a for a in tx_ok(tc, "list_accounts", {"cooperative_id": str(coop.id)}).items}
    assert chart["1-101"].balance_sen == 0 and chart["3-101"].balance_sen == 0


def test_batch_reports_every_posting_and_linked_ones_fail_together(tc):
    coop = new_coop(tc, "KSP Batch")
    a, b = coop.member(), coop.member()
    postings = [{"deposit": {"member_id": str(a), "kind": "SAVINGS_KIND_VOLUNTARY",
                             "amount_sen": str(100 + i)}} for i in range(1000)]
    postings += [
        {"link_id": "9", "withdraw": {"member_id": str(a), "kind": "SAVINGS_KIND_VOLUNTARY",
                                      "amount_sen": "5000"}},
        {"link_id": "9", "deposit": {"member_id": str(b), "kind": "SAVINGS_KIND_VOLUNTARY",
                                     "amount_sen": "5000"}},
        {"link_id": "10", "withdraw": {"member_id": str(a), "kind": "SAVINGS_KIND_VOLUNTARY",
                                       "amount_sen": "99999999"}},
        {"link_id": "10", "deposit": {"member_id": str(b), "kind": "SAVINGS_KIND_VOLUNTARY",
                                      "amount_sen": "99999999"}},
        {"entry": {"lines": [{"account": "1-101", "debit_sen": "1"},
                             {"account": "4-301", "credit_sen": "2"}]}},
    ]
    res = tx_ok(tc, "post_batch", {"cooperative_id": str(coop.id), "postings": postings},
                after=coop.seq, key="batch-1")
    assert (res.posted, res.failed) == (1002, 3)
    assert all(r.ok for r in res.results[:1002])
    assert (res.results[1002].code, res.results[1002].field) == ("insufficient_funds", "postings[1002].amount")
    assert res.results[1003].code == "linked_posting_failed"
    assert (res.results[1004].code, res.results[1004].field) == ("unbalanced", "postings[1004].lines")
    deposited = sum(100 + i for i in range(1000))
    assert coop.balance(a) == deposited - 5000 and coop.balance(b) == 5000
    again = tx_ok(tc, "post_batch", {"cooperative_id": str(coop.id), "postings": postings},
                  after=coop.seq, key="batch-1")
    assert [r.entry_id for r in again.results] == [r.entry_id for r in res.results]
    assert coop.balance(a) == deposited - 5000
    too_many = {"cooperative_id": str(coop.id), "postings": postings * 9}
    assert tx_err(tc, "post_batch", too_many)[:2] == ("ERROR_KIND_TOO_LARGE", "too_many_postings")


def test_entries_are_published_with_their_lines(tc):
    coop = new_coop(tc, "KSP Peristiwa")
    m = coop.member()
    sub = tc.subscribe("transactions")
    try:
        import time
        time.sleep(0.3)            # let the subscription reach the publisher
        r, p = coop.move("deposit", m, "voluntary", 4242)
        seen = None
        for _ in range(50):
            got = sub.recv(timeout=5)
            assert got is not None
            kind, ev = got
            if kind != "E" or ev.seq != r.event_seq:
                continue
            seen = ev
            break
        assert seen is not None and seen.stream == "transactions"
        entries = seen.transactions.entries_posted.entries
        assert [e.id for e in entries] == [p.entry_id]
        assert [(l.account, l.debit_sen, l.credit_sen) for l in entries[0].lines] == [
            ("1-101", 4242, 0), ("2-101", 0, 4242)]
        assert entries[0].member_id == m and entries[0].savings_delta_sen == 4242
    finally:
        sub.close()


def test_time_deposit_opens_matures_and_pays_interest(tc):
    coop = new_coop(tc, "KSP Berjangka")
    coop.fund(30000000)                             # the interest is paid out of cash
    m = coop.member()
    r, p = coop.move("deposit", m, "time_deposit", 500000000, term_months=12, annual_rate_bp=600,
                     value_date="2025-01-31")
    assert not r.HasField("error"), r.error
    td = p.time_deposit
    assert (date_text(td.maturity_on), td.interest_sen, td.term_months) == ("2026-01-31", 30000000, 12)
    r, _ = coop.move("deposit", m, "time_deposit", 100000)
    assert (r.error.code, r.error.field) == ("invalid_term", "term_months")
    r, _ = coop.move("withdraw", m, "time_deposit", time_deposit_id=str(td.id),
                     value_date="2026-01-30")
    assert (r.error.kind, r.error.code) == (pb.envelope_pb2.ERROR_KIND_RULE, "not_matured")
    assert "matures on 2026-01-31" in r.error.message
    r, p = coop.move("withdraw", m, "time_deposit", time_deposit_id=str(td.id),
                     value_date="2026-01-31")
    assert not r.HasField("error"), r.error
    assert [(l.account, l.debit_sen, l.credit_sen) for l in p.entry.lines] == [
        ("2-102", 500000000, 0), ("5-101", 30000000, 0), ("1-101", 0, 530000000)]
    kinds, whole = coop.accounts(m)
    assert kinds["time_deposit"].balance_sen == 0
    assert [t.status for t in whole.time_deposits] == [pb.transactions_pb2.TIME_DEPOSIT_STATUS_CLOSED]


def test_events_caused_by_the_members_stream_are_published_without_a_request(tc):
    sub = tc.subscribe("transactions")
    try:
        import time
        time.sleep(0.3)
        new_coop(tc, "KSP Tanpa Permintaan")      # 31 AccountOpened events, no request to us
        deadline, opened = time.time() + 5, 0
        while time.time() < deadline and opened < 31:
            got = sub.recv(timeout=0.5)
            if got and got[0] == "E" and got[1].transactions.HasField("account_opened"):
                opened += 1
        assert opened == 31
    finally:
        sub.close()


def test_an_integrator_must_send_an_idempotency_key_to_move_money(tc):
    coop = new_coop(tc, "KSP Mitra Bank")
    m = coop.member()
    tc.ctl("keys", "add", "bank-jatim", "integrator", "--cooperatives", str(coop.id), "--operations", "deposit")
    bank = BusClient(tc, "transactions", key_name="bank-jatim")
    body = {"cooperative_id": str(coop.id), "member_id": str(m), "kind": "SAVINGS_KIND_VOLUNTARY",
            "amount_sen": 1500050, "value_date": "2025-02-01"}
    try:
        reply, _ = tx_call(tc, "deposit", body, actor=None, after=coop.seq, client=bank)
        assert (reply.error.kind, reply.error.code, reply.error.field) == (
            pb.envelope_pb2.ERROR_KIND_INVALID, "idempotency_key_required", "idempotency_key")
        first, p = tx_call(tc, "deposit", body, actor=None, key="bank-jatim-0001", client=bank)
        assert not first.HasField("error"), first.error
        again, q = tx_call(tc, "deposit", body, actor=None, key="bank-jatim-0001", client=bank)
        assert p.balance_sen == q.balance_sen == 1500050       # posted once
    finally:
        bank.close()
