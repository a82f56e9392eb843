"""An integrator's key carries its scope: the cooperatives it may act for and the operations it
may call (docs/operations.md). Over the bus against real members and transactions services:
what is in scope posts (recorded with the key's name); another cooperative, another operation
or a batch posting outside the scope is refused with a typed error naming the field; replay
gives only the scope's events; the event stream (PUB) is closed to a scoped key; a revoked or
rotated key is refused within a second, without restarting anything."""
import itertools
import os
import subprocess
import sys
import time

import pytest
import zmq

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, BusClient, Cluster, pb  # noqa: E402
from tx_util import Coop, assert_books_balance, tx_call  # noqa: E402

_serials = itertools.count(1)
_names = itertools.count(1)
FORBIDDEN = pb.envelope_pb2.ERROR_KIND_FORBIDDEN


@pytest.fixture(scope="module")
def sc():
    c = Cluster()            # the gateway too: it puts integrators' commands in its audit
    try:
        c.start()
        yield c
    finally:
        c.stop()


def two_coops(c):
    mine = Coop(c, "KSP Mitra Bank %d" % next(_serials), serial_base=100 * next(_serials))
    other = Coop(c, "KSP Lain %d" % next(_serials), serial_base=100 * next(_serials))
    return mine, mine.member(), other, other.member()


def add_bank(c, coops, operations):
    name = "bank-scope-%d" % next(_names)
    c.ctl("keys", "add", name, "integrator", "--cooperatives", ",".join(str(x) for x in coops),
          "--operations", operations)
    return name


def deposit(coop, member, sen):
    return {"cooperative_id": str(coop.id), "member_id": str(member),
            "kind": "SAVINGS_KIND_VOLUNTARY", "amount_sen": str(sen), "value_date": "2025-02-01"}


def error_of(reply):
    e = reply.error
    return pb.envelope_pb2.ErrorKind.Name(e.kind), e.code, e.field


def replay_all(client, actor_role=None, max_events=4096):
    """Every event the client may see, following last_seq (the scope and a role leave gaps)."""
    events, after = [], 0
    while True:
        req = pb.envelope_pb2.Request()
        req.replay.from_seq = after + 1
        req.replay.max = max_events
        if actor_role is not None:
            req.replay.actor_role = actor_role
        reply = client.call(req, timeout=10)
        assert not reply.HasField("error"), reply.error
        for raw in reply.replay.events:
            ev = pb.envelope_pb2.Event()
            ev.ParseFromString(raw)
            events.append(ev)
        if not reply.replay.HasField("last_seq") or reply.replay.last_seq >= reply.replay.head_seq:
            return events
        after = reply.replay.last_seq


def test_lumbungctl_refuses_unknown_operations_and_a_missing_scope(sc):
    env = dict(sc.env)
    run = lambda *a: subprocess.run([os.path.join(BIN, "lumbungctl"), *a], env=env,  # noqa: E731
                                    capture_output=True, text=True)
    bad = run("keys", "add", "bank-typo", "integrator", "--cooperatives", "3",
              "--operations", "deposit,repaymnet")
    assert bad.returncode == 1
    assert "'repaymnet' is not an operation" in bad.stderr
    bare = run("keys", "add", "bank-bare", "integrator")
    assert bare.returncode == 1 and "needs --cooperatives" in bare.stderr
    ok = run("keys", "add", "bank-alias", "integrator", "--cooperatives", "3,7",
             "--operations", "deposit,repayment")
    assert ok.returncode == 0, ok.stderr
    listing = run("keys", "list").stdout
    line = [x for x in listing.splitlines() if x.startswith("bank-alias ")][0]
    assert line.split()[1] == "integrator"
    assert line.endswith("cooperatives=3,7 operations=deposit,post_repayment")
    assert "bank-typo" not in listing and "bank-bare" not in listing


def test_a_public_key_that_begins_with_two_dashes_is_imported(sc):
    """Z85 has '-' in its alphabet: a key such as this one is a key, not an unknown option."""
    run = lambda *a: subprocess.run([os.path.join(BIN, "lumbungctl"), *a], env=dict(sc.env),  # noqa: E731
                                    capture_output=True, text=True)
    key = "--" + "0" * 38
    r = run("keys", "import", "bank-dash", key, "integrator", "--cooperatives", "3",
            "--operations", "deposit")
    assert r.returncode == 0, r.stderr
    line = [x for x in run("keys", "list").stdout.splitlines() if x.startswith("bank-dash ")][0]
    assert line.split()[1] == "integrator" and "cooperatives=3 operations=deposit" in line
    assert run("keys", "show", "bank-dash").stdout.strip() == key
    typo = run("keys", "import", "bank-typo2", key, "integrator", "--cooperatves", "3")
    assert typo.returncode != 0 and "unknown option --cooperatves" in typo.stderr


def test_in_scope_posts_with_the_key_name_and_the_rest_is_refused(sc):
    mine, m, other, o = two_coops(sc)
    name = add_bank(sc, [mine.id], "deposit,post_batch")
    bank = BusClient(sc, "transactions", key_name=name)
    try:
        reply, posted = tx_call(sc, "deposit", deposit(mine, m, 1500050), actor=None,
                                key=name + "-1", after=mine.seq, client=bank)
        assert not reply.HasField("error"), reply.error
        assert posted.balance_sen == 1500050
        assert posted.entry.posted_by == name                 # the entry names the key

        reply, _ = tx_call(sc, "deposit", deposit(other, o, 700000), actor=None,
                           key=name + "-2", after=other.seq, client=bank)
        assert error_of(reply) == ("ERROR_KIND_FORBIDDEN", "cooperative_not_allowed", "cooperative_id")
        assert "cooperative %d" % other.id in reply.error.message

        reply, _ = tx_call(sc, "withdraw", deposit(mine, m, 100000), actor=None,
                           key=name + "-3", after=mine.seq, client=bank)
        assert error_of(reply) == ("ERROR_KIND_FORBIDDEN", "operation_not_allowed", "withdraw")

        # A batch is checked posting by posting: one outside the scope refuses the whole batch.
        batch = {"cooperative_id": str(mine.id), "postings": [
            {"deposit": deposit(mine, m, 1000)},
            {"deposit": deposit(other, o, 1000)}]}
        reply, _ = tx_call(sc, "post_batch", batch, actor=None, key=name + "-4", after=other.seq,
                           client=bank)
        assert error_of(reply) == ("ERROR_KIND_FORBIDDEN", "cooperative_not_allowed",
                                   "postings[1].deposit.cooperative_id")
        batch["postings"][1] = {"withdraw": deposit(mine, m, 1000)}
        reply, _ = tx_call(sc, "post_batch", batch, actor=None, key=name + "-5", client=bank)
        assert error_of(reply) == ("ERROR_KIND_FORBIDDEN", "operation_not_allowed",
                                   "postings[1].withdraw")
        # A district-wide read names no cooperative: not for integrators.
        reply, _ = tx_call(sc, "trial_balance", {}, actor=None, client=bank)
        assert error_of(reply)[1] == "operation_not_allowed"
    finally:
        bank.close()
    # The gateway's audit trail shows the deposit beside the HTTP calls, under the key's name.
    deadline, mine_audit = time.time() + 10, []
    while time.time() < deadline and not mine_audit:
        items = sc.api("GET", "/api/v1/audit?user=%s&limit=50" % name).json["items"]
        mine_audit = [e for e in items if e["route"] == "transactions.entries_posted"]
        time.sleep(0.1)
    assert len(mine_audit) == 1, items
    e = mine_audit[0]
    assert (e["user"], e["role"], e["method"], e["cooperative_id"], e["status"], e["outcome"]) == (
        name, "integrator", "BUS", str(mine.id), 200, "ok"), e
    # What was refused changed nothing: only the one deposit is in the member's account.
    assert mine.balance(m) == 1500050 and other.balance(o) == 0
    assert_books_balance(mine)
    assert_books_balance(other)


def head_of(c, service):
    return c.bus(service).call(ping(), timeout=10).pong.head_seq


def gateway_followers(c):
    """The gateway's own follower gauges from /metrics: {(kind, stream): value}."""
    found = {}
    for line in c.http("GET", "/metrics").text.splitlines():
        for kind in ("cursor", "known_head", "lag"):
            prefix = 'lumbung_follower_%s{service="gateway",stream="' % kind
            if line.startswith(prefix):
                stream, _, value = line[len(prefix):].partition('"} ')
                found[(kind, stream)] = int(value)
    return found


def test_a_replay_for_one_role_leaves_the_others_out_and_covers_them(sc):
    """What the gateway's audit asks for: integrators' events only, every other event passed
    by last_seq, across replies of a few events each."""
    mine, m, _, _ = two_coops(sc)
    name = add_bank(sc, [mine.id], "deposit")
    bank = BusClient(sc, "transactions", key_name=name)
    try:
        for i in range(3):
            reply, _ = tx_call(sc, "deposit", deposit(mine, m, 1000 + i), after=mine.seq)
            assert not reply.HasField("error"), reply.error
            reply, _ = tx_call(sc, "deposit", deposit(mine, m, 2000 + i), actor=None,
                               key="%s-role-%d" % (name, i), client=bank)
            assert not reply.HasField("error"), reply.error
    finally:
        bank.close()
    INTEGRATOR = pb.envelope_pb2.ROLE_INTEGRATOR
    everything = replay_all(sc.bus("transactions"))
    theirs = [e.seq for e in everything if e.actor.role == INTEGRATOR]
    assert len(theirs) >= 3
    for max_events in (4096, 2):
        got = replay_all(sc.bus("transactions"), actor_role=INTEGRATOR, max_events=max_events)
        assert [e.seq for e in got] == theirs
        assert {e.actor.user for e in got[-3:]} == {name}
    admins = [e.seq for e in everything if e.actor.role == pb.envelope_pb2.ROLE_ADMIN]
    got = replay_all(sc.bus("transactions"), actor_role=pb.envelope_pb2.ROLE_ADMIN)
    assert [e.seq for e in got] == admins and len(admins) >= 3
    # A role that caused nothing here: no event, and the one reply covers the whole stream.
    assert not [e for e in everything if e.actor.role == pb.envelope_pb2.ROLE_SUPERVISOR]
    req = pb.envelope_pb2.Request()
    req.replay.from_seq = 1
    req.replay.actor_role = pb.envelope_pb2.ROLE_SUPERVISOR
    reply = sc.bus("transactions").call(req, timeout=10).replay
    assert (len(reply.events), reply.last_seq, reply.head_seq) == (0, everything[-1].seq,
                                                                   everything[-1].seq)


def test_the_gateways_audit_followers_show_in_metrics(sc):
    """The audit of integrators' commands is only as current as the gateway's followers: an
    operator sees how far they got beside the services' own."""
    mine, m, _, _ = two_coops(sc)
    reply, _ = tx_call(sc, "deposit", deposit(mine, m, 125000), after=mine.seq)
    assert not reply.HasField("error"), reply.error
    heads = {"members": head_of(sc, "members"), "transactions": head_of(sc, "transactions")}
    deadline, seen = time.time() + 10, {}
    while time.time() < deadline:
        seen = gateway_followers(sc)
        if all(seen.get(("cursor", s)) == h for s, h in heads.items()):
            break
        time.sleep(0.05)
    for stream, head in heads.items():
        assert (seen.get(("cursor", stream)), seen.get(("lag", stream))) == (head, 0), seen
        assert seen.get(("known_head", stream)) == head, seen


def test_replay_gives_only_the_scope_and_the_event_stream_is_closed(sc):
    mine, m, other, o = two_coops(sc)
    name = add_bank(sc, [mine.id], "deposit")
    for coop, member in ((mine, m), (other, o)):         # the administrator, through the gateway's key
        reply, _ = tx_call(sc, "deposit", deposit(coop, member, 250000), after=coop.seq)
        assert not reply.HasField("error"), reply.error
    bank = BusClient(sc, "transactions", key_name=name)
    everything = replay_all(sc.bus("transactions"))
    try:
        seen = replay_all(bank)
    finally:
        bank.close()
    coops_of = lambda ev: {e.cooperative_id for e in ev.transactions.entries_posted.entries} | (  # noqa: E731
        {ev.transactions.account_opened.account.cooperative_id}
        if ev.transactions.HasField("account_opened") else set())
    assert seen and all(coops_of(ev) == {mine.id} for ev in seen)
    assert [ev.seq for ev in seen] == [ev.seq for ev in everything if coops_of(ev) == {mine.id}]
    assert any(coops_of(ev) == {other.id} for ev in everything)

    # PUB cannot filter per subscriber: ZAP refuses the scoped key there; it follows by replay.
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    pub, sec = sc.keypair(name)
    sub.curve_publickey, sub.curve_secretkey = pub, sec
    sub.curve_serverkey = sc.public_key("transactions")
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(sc.endpoint("transactions", "pub"))
    try:
        assert not sub.poll(2500), "a scoped integrator received the unfiltered event stream"
    finally:
        sub.close(0)


def refused_within(client, make_request, seconds):
    """Seconds until the service refuses the connection's key; fails past `seconds`."""
    start = time.time()
    while time.time() - start < seconds + 1:
        reply = client.call(make_request(), timeout=5)
        if reply.HasField("error") and reply.error.code == "key_revoked":
            assert reply.error.kind == pb.envelope_pb2.ERROR_KIND_UNAUTHENTICATED
            return time.time() - start
        time.sleep(0.05)
    raise AssertionError("the key was still accepted after %s s" % seconds)


def ping():
    req = pb.envelope_pb2.Request()
    req.ping.SetInParent()
    return req


def test_an_integrators_ping_shows_no_other_peers(sc):
    mine, _, _, _ = two_coops(sc)
    name = add_bank(sc, [mine.id], "deposit")
    bank = BusClient(sc, "transactions", key_name=name)
    try:
        pong = bank.call(ping()).pong
    finally:
        bank.close()
    assert pong.service == "transactions" and pong.HasField("head_seq")
    assert not pong.peers and not pong.followers and not pong.HasField("store_map_bytes")
    full = sc.bus("transactions").call(ping()).pong       # a service key sees the status
    assert full.followers and full.peers and full.store_map_bytes > 0


def test_a_revoked_key_is_refused_within_a_second_without_a_restart(sc):
    mine, m, _, _ = two_coops(sc)
    name = add_bank(sc, [mine.id], "deposit")
    bank = BusClient(sc, "transactions", key_name=name)
    pid = sc.procs["transactions"].pid
    try:
        reply, _ = tx_call(sc, "deposit", deposit(mine, m, 10000), actor=None, key=name + "-a",
                           after=mine.seq, client=bank)
        assert not reply.HasField("error"), reply.error
        sc.ctl("keys", "revoke", name)
        assert refused_within(bank, ping, 1.0) <= 1.5
        reply, _ = tx_call(sc, "deposit", deposit(mine, m, 10000), actor=None, key=name + "-b",
                           client=bank)
        assert error_of(reply) == ("ERROR_KIND_UNAUTHENTICATED", "key_revoked", "")
    finally:
        bank.close()
    assert sc.procs["transactions"].pid == pid and sc.procs["transactions"].poll() is None
    assert mine.balance(m) == 10000


def test_a_rotated_key_replaces_the_old_one_at_once(sc):
    mine, m, _, _ = two_coops(sc)
    name = add_bank(sc, [mine.id], "deposit")
    old = BusClient(sc, "transactions", key_name=name)
    try:
        assert not old.call(ping()).HasField("error")
        out = sc.ctl("keys", "rotate", name)
        assert "%s.key" % name in out and sc.public_key(name).decode() in out
        refused_within(old, ping, 1.0)
    finally:
        old.close()
    new = BusClient(sc, "transactions", key_name=name)        # the files now hold the new pair
    try:
        reply, posted = tx_call(sc, "deposit", deposit(mine, m, 20000), actor=None,
                                key=name + "-new", after=mine.seq, client=new)
        assert not reply.HasField("error"), reply.error
        assert posted.entry.posted_by == name
    finally:
        new.close()


def test_reporting_and_members_hold_integrators_to_their_scope_too(sc):
    mine, m, other, _ = two_coops(sc)
    name = add_bank(sc, [mine.id], "balance_sheet,get_member")
    for service, op, body_of in (
            ("reporting", "balance_sheet", lambda coop: {"cooperative_id": coop.id}),
            ("members", "get_member", lambda coop: {"cooperative_id": coop.id, "id": m})):
        client = BusClient(sc, service, key_name=name)
        try:
            def ask(coop):
                req = pb.envelope_pb2.Request()
                req.after_members_seq = max(mine.seq, other.seq)
                sub = getattr(getattr(req, service), op)
                sub.SetInParent()
                for k, v in body_of(coop).items():
                    setattr(sub, k, v)
                return client.call(req, timeout=10)
            assert not ask(mine).HasField("error"), (service, ask(mine).error)
            refused = ask(other)
            assert error_of(refused) == ("ERROR_KIND_FORBIDDEN", "cooperative_not_allowed",
                                         "cooperative_id"), (service, refused)
        finally:
            client.close()


def test_a_new_connection_with_a_revoked_key_fails_the_handshake(sc):
    mine, _, _, _ = two_coops(sc)
    name = add_bank(sc, [mine.id], "deposit")
    pub, sec = sc.keypair(name)
    sc.ctl("keys", "revoke", name)
    time.sleep(1.1)                              # the allow-list is looked at once a second
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.curve_publickey, dealer.curve_secretkey = pub, sec
    dealer.curve_serverkey = sc.public_key("transactions")
    dealer.connect(sc.endpoint("transactions", "router"))
    try:
        req = ping()
        req.request_id = 4242
        dealer.send_multipart([b"", req.SerializeToString()], zmq.DONTWAIT)
        assert not dealer.poll(2000), "a revoked key got an answer"
    except zmq.Again:
        pass                                      # no connection to queue to: refused as well
    finally:
        dealer.close(0)
    assert "not on the allow-list" in sc.log("transactions")
