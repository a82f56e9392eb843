"""Helpers for the transactions service's system tests: bus calls with an actor, and a
cooperative with members created through the members service and seen by the transactions
replica (read-your-writes via after_members_seq)."""
from google.protobuf import json_format

from lumbung import bus_dict, pb, shard_name
from members_util import ADMIN, call, member_body

PRINCIPAL_SEN = 10000000      # Rp 100,000 (members_util.create_coop's settings)
MANDATORY_SEN = 2500000       # Rp 25,000


def tx_request(op, body, actor=ADMIN, key=None, after_members_seq=None):
    req = pb.envelope_pb2.Request()
    if actor is not None:
        json_format.ParseDict(actor, req.actor)
    if key:
        req.idempotency_key = key
    if after_members_seq:
        req.after_members_seq = after_members_seq
    target = getattr(req.transactions, op)
    target.SetInParent()
    json_format.ParseDict(bus_dict(target.DESCRIPTOR, body or {}), target)
    return req


def shard_for(cluster, body):
    """The transactions shard that owns the body's cooperative by the shard map's default rule
    (cooperative id mod shards), for a cluster of `shards` shards (absent: one)."""
    shards = getattr(cluster, "shards", 1)
    coop = (body or {}).get("cooperative_id")
    return shard_name(int(coop) % shards) if shards > 1 and coop else "transactions"


def tx_call(cluster, op, body=None, actor=ADMIN, key=None, after=None, client=None, timeout=30):
    """Calls the transactions service (without `client`: the shard owning the body's
    cooperative); returns (reply, result message or None)."""
    bus = client or cluster.bus(shard_for(cluster, body))
    reply = bus.call(tx_request(op, body, actor, key, after), timeout=timeout)
    if reply.HasField("error"):
        return reply, None
    which = reply.transactions.WhichOneof("result")
    return reply, getattr(reply.transactions, which)


def tx_ok(cluster, op, body=None, **kw):
    reply, result = tx_call(cluster, op, body, **kw)
    assert not reply.HasField("error"), (op, body, reply.error)
    return result


def tx_err(cluster, op, body=None, **kw):
    """(kind name, code, field, message) of a request that must fail."""
    reply, _ = tx_call(cluster, op, body, **kw)
    assert reply.HasField("error"), (op, body, reply)
    e = reply.error
    return pb.envelope_pb2.ErrorKind.Name(e.kind), e.code, e.field, e.message


class Coop:
    """A cooperative with members, created through the members service."""

    def __init__(self, cluster, name, serial_base, **extra):
        self.cluster = cluster
        body = {"name": name, "type": "COOPERATIVE_TYPE_SAVINGS_LOAN", "group": "women",
                "district": "Cibeunying",
                "settings": {"principal_amount_sen": PRINCIPAL_SEN,
                             "mandatory_amount_sen": MANDATORY_SEN}}
        body.update(extra)
        reply, coop = call(cluster, "create_cooperative", body)
        assert not reply.HasField("error"), reply.error
        self.id = coop.id
        self.seq = reply.event_seq
        self.serial = serial_base

    def member(self, joined_on="2024-01-15"):
        self.serial += 1
        reply, m = call(self.cluster, "create_member",
                        member_body(self.id, self.serial, joined_on=joined_on))
        assert not reply.HasField("error"), reply.error
        self.seq = max(self.seq, reply.event_seq)
        return m.id

    def exit(self, member_id, exit_on="2025-06-30"):
        reply, _ = call(self.cluster, "exit_member",
                        {"cooperative_id": str(self.id), "id": str(member_id),
                         "reason": "EXIT_REASON_RESIGNED", "exit_on": exit_on})
        assert not reply.HasField("error"), reply.error
        self.seq = max(self.seq, reply.event_seq)

    def move(self, op, member_id, kind, amount_sen=None, key=None, **extra):
        body = {"cooperative_id": str(self.id), "member_id": str(member_id),
                "kind": "SAVINGS_KIND_" + kind.upper(), "value_date": "2025-01-10"}
        if amount_sen is not None:
            body["amount_sen"] = str(amount_sen)
        body.update(extra)
        return tx_call(self.cluster, op, body, key=key, after=self.seq)

    def opening(self, lines, savings=(), value_date="2025-01-01", key=None):
        """Posts the opening balances (the first entry of the books): `lines` as
        (account, debit_sen, credit_sen), `savings` as (member_id, kind, amount_sen)."""
        body = {"cooperative_id": str(self.id), "value_date": value_date,
                "memo": "Saldo awal dari buku kas",
                "lines": [dict({"account": a}, **({"debit_sen": str(d)} if d else
                                                   {"credit_sen": str(c)}))
                          for a, d, c in lines],
                "savings": [{"member_id": str(m), "kind": "SAVINGS_KIND_" + k.upper(),
                             "amount_sen": str(sen)} for m, k, sen in savings]}
        return tx_call(self.cluster, "post_opening", body, key=key or "opening-%s" % self.id,
                       after=self.seq)

    def fund(self, cash_sen, account="1-101"):
        """Opening cash (or bank) for a test that pays out: Dr account / Cr Hibah (3-301)."""
        reply, entry = self.opening([(account, cash_sen, 0), ("3-301", 0, cash_sen)])
        assert not reply.HasField("error"), reply.error
        return entry

    def accounts(self, member_id, as_of=None):
        body = {"cooperative_id": str(self.id), "member_id": str(member_id)}
        if as_of:
            body["as_of"] = as_of
        items = tx_ok(self.cluster, "get_member_accounts", body, after=self.seq)
        return {pb.transactions_pb2.SavingsKind.Name(i.kind)[len("SAVINGS_KIND_"):].lower(): i
                for i in items.items}, items

    def balance(self, member_id, kind="voluntary"):
        return self.accounts(member_id)[0][kind].balance_sen

    def trial_balance(self):
        return tx_ok(self.cluster, "trial_balance", {"cooperative_id": str(self.id)}, after=self.seq)

    def journal(self, **query):
        """Every entry of the cooperative, following next_cursor."""
        entries, cursor = [], None
        while True:
            body = {"cooperative_id": str(self.id), "limit": 500}
            body.update(query)
            if cursor:
                body["cursor"] = cursor
            page = tx_ok(self.cluster, "list_journal", body, after=self.seq)
            entries.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                return entries


def assert_books_balance(coop):
    """Every entry balances, and the accounts' totals equal the sums over the entries."""
    entries = coop.journal()
    debits = credits = 0
    for e in entries:
        d = sum(l.debit_sen for l in e.lines)
        c = sum(l.credit_sen for l in e.lines)
        assert d == c == e.total_sen, e
        for l in e.lines:
            assert (l.debit_sen > 0) != (l.credit_sen > 0), e
        debits += d
        credits += c
    tb = coop.trial_balance()
    assert tb.balanced
    assert tb.total_debit_sen == tb.total_credit_sen == debits == credits
    return entries
