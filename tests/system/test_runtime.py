"""The bus + store runtime (common/) proven with real processes: tests/system/testsvc.c is a
bare service built only from common/, so these tests exercise exactly what every service uses."""
import os
import time

import pytest
import zmq

from lumbung import Cluster, pb

EVENTS = 100_000
EMIT_PER_REQUEST = 5_000


def request(**body):
    req = pb.envelope_pb2.Request()
    for k, v in body.items():
        getattr(req, k).CopyFrom(v)
    return req


def emit(count, tag="t"):
    t = pb.testing_pb2.TestingRequest()
    t.emit.count = count
    t.emit.tag = tag
    return request(testing=t)


def add(counter, amount, key=None):
    t = pb.testing_pb2.TestingRequest()
    t.add.counter = counter
    t.add.amount = amount
    req = request(testing=t)
    if key:
        req.idempotency_key = key
    return req


def state(counter=""):
    t = pb.testing_pb2.TestingRequest()
    t.state.counter = counter
    return request(testing=t)


@pytest.fixture
def pair():
    c = Cluster(services=[])
    c.set_test_endpoints("tproducer", "tfollower")
    try:
        yield c
    finally:
        c.stop()


def follower_state(c):
    r = c.bus("tfollower").call(state(), timeout=10)
    assert not r.HasField("error"), r
    return r.testing


def test_follower_applies_every_event_exactly_once_through_kills(pair):
    c = pair
    c.start_testsvc("tproducer")
    follower_env = {"LUMBUNG_TEST_FOLLOW": "tproducer", "LUMBUNG_TEST_RCVHWM": "10"}
    c.start_testsvc("tfollower", follower_env)
    producer = c.bus("tproducer")
    requests = EVENTS // EMIT_PER_REQUEST
    for i in range(requests):
        r = producer.call(emit(EMIT_PER_REQUEST), timeout=30)
        assert not r.HasField("error"), r
        assert r.event_seq == (i + 1) * EMIT_PER_REQUEST
        if i in (requests // 4, requests // 2):      # kill the follower twice mid-stream
            c.kill("tfollower")
            c.start_testsvc("tfollower", follower_env)
    deadline = time.time() + 120
    while time.time() < deadline:
        st = follower_state(c)
        if st.applied_cursor == EVENTS:
            break
        time.sleep(0.2)
    st = follower_state(c)
    assert st.applied_cursor == EVENTS
    assert st.applied == EVENTS
    assert st.out_of_order == 0
    assert st.applied_sum == EVENTS * (EVENTS + 1) // 2


def test_retry_after_crash_between_commit_and_reply_has_one_effect(pair):
    c = pair
    c.start_testsvc("tproducer", {"LUMBUNG_FAULT": "crash_after_commit"})
    producer = c.bus("tproducer")
    with pytest.raises(TimeoutError):
        producer.call(add("cash", 750, key="deposit-1"), timeout=5)
    c.procs["tproducer"].wait(10)
    assert c.procs["tproducer"].returncode == 99
    assert "crash_after_commit" in c.log("tproducer")
    c._drop_bus("tproducer")
    c.start_testsvc("tproducer")
    first = c.bus("tproducer").call(add("cash", 750, key="deposit-1"))
    assert not first.HasField("error"), first
    assert first.testing.value == 750
    again = c.bus("tproducer").call(add("cash", 750, key="deposit-1"))
    assert again.testing.value == 750
    assert again.event_seq == first.event_seq == 1
    assert c.bus("tproducer").call(state("cash")).testing.value == 750
    other = c.bus("tproducer").call(add("cash", 999, key="deposit-1"))
    assert other.error.code == "idempotency_key_reused"
    assert other.error.kind == pb.envelope_pb2.ERROR_KIND_CONFLICT
    assert c.bus("tproducer").call(state("cash")).testing.value == 750


def test_bad_frames_and_strangers_are_refused_and_service_keeps_serving(pair):
    c = pair
    c.start_testsvc("tproducer")
    b = c.bus("tproducer")

    b.send_raw([b"", b"\xff\xff\xff not a protobuf"])
    reply = pb.envelope_pb2.Reply()
    reply.ParseFromString(b.recv_raw()[-1])
    assert reply.error.code == "malformed_request"
    assert reply.error.kind == pb.envelope_pb2.ERROR_KIND_INVALID

    empty = pb.envelope_pb2.Request()
    r = b.call(empty)
    assert r.error.code == "unknown_body"

    # A body from a newer contract (unknown field number 51) is not silently ignored.
    future = pb.envelope_pb2.Request(request_id=424242).SerializeToString() + bytes([0x9A, 0x03, 0x00])
    b.send_raw([b"", future])
    reply.ParseFromString(b.recv_raw()[-1])
    assert reply.request_id == 424242 and reply.error.code == "unknown_body"

    # Oversize: more than ZMQ_MAXMSGSIZE (16 MiB); the connection is dropped, nothing answers.
    from lumbung import BusClient
    big = BusClient(c, "tproducer")
    big.send_raw([b"", b"x" * (17 * 1024 * 1024)])
    assert big.recv_raw(timeout=2) is None
    big.close()
    assert "disconnected (gone, or it broke a limit such as the 16777216-byte maximum message size)" \
        in c.log("tproducer")

    # A stranger with a valid CURVE key that is not on the allow-list is refused by ZAP.
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    pub, sec = zmq.curve_keypair()
    s.curve_publickey, s.curve_secretkey = pub, sec
    s.curve_serverkey = c.public_key("tproducer")
    s.connect(c.endpoint("tproducer", "router"))
    ping = pb.envelope_pb2.Request(request_id=7)
    ping.ping.SetInParent()
    s.send_multipart([b"", ping.SerializeToString()])
    assert s.poll(2000) == 0
    s.close(0)
    assert "refused a peer" in c.log("tproducer")
    assert "malformed request" in c.log("tproducer")

    # ...and the next good request is served.
    r = b.call(add("cash", 1))
    assert r.testing.value == 1


def batch_of(*requests):
    outer = pb.envelope_pb2.Request()
    outer.batch.extend(r.SerializeToString() for r in requests)
    return outer.SerializeToString()


def replies_of(frames):
    outer = pb.envelope_pb2.Reply()
    outer.ParseFromString(frames[-1])
    replies = []
    for element in outer.batch:
        r = pb.envelope_pb2.Reply()
        r.ParseFromString(element)
        replies.append(r)
    return outer, replies


def test_a_batch_of_requests_is_answered_element_by_element_in_one_message(pair):
    """Request.batch (docs/bus.md): each element runs as if it had come alone, in the order
    given, in the same group commit, and the replies come back together."""
    c = pair
    c.start_testsvc("tproducer")
    b = c.bus("tproducer")
    elements = [add("cash", 100, key="k-1"), add("cash", 20), add("cash", 100, key="k-1"),
                state("cash"), add("cash", 999, key="k-1")]
    for i, r in enumerate(elements):
        r.request_id = 9000 + i
    ping = pb.envelope_pb2.Request()
    ping.ping.SetInParent()
    before = b.call(ping).pong.metrics
    b.send_raw([b"", batch_of(*elements)])
    frames = b.recv_raw()
    assert len(frames) == 2 and frames[0] == b""      # in the shape it came: delimiter, body
    outer, replies = replies_of(frames)
    assert not outer.HasField("error") and not outer.request_id
    assert [r.request_id for r in replies] == [9000, 9001, 9002, 9003, 9004]
    assert [r.testing.value for r in replies[:4]] == [100, 120, 100, 120]
    assert replies[2].event_seq == replies[0].event_seq    # the repeat: the stored reply
    assert replies[4].error.code == "idempotency_key_reused"
    assert b.call(state("cash")).testing.value == 120
    assert b.recv_raw(timeout=0.3) is None                 # nothing else was sent
    ping.request_id = 0
    figures = b.call(ping).pong.metrics
    assert (before.batched_messages, figures.batched_messages) == (0, 1)
    assert figures.requests - before.requests == 7         # five elements, the state, the ping


def test_a_batch_that_breaks_the_rules_is_refused_with_a_typed_error(pair):
    c = pair
    c.start_testsvc("tproducer")
    b = c.bus("tproducer")
    err = pb.envelope_pb2

    # An element that is itself a batch: that element alone is refused.
    inner = pb.envelope_pb2.Request(request_id=2)
    inner.batch.append(add("cash", 5).SerializeToString())
    one = add("cash", 7)
    one.request_id = 1
    b.send_raw([b"", batch_of(one, inner)])
    _, replies = replies_of(b.recv_raw())
    assert replies[0].request_id == 1 and replies[0].testing.value == 7
    assert replies[1].request_id == 2
    assert replies[1].error.code == "nested_batch" and replies[1].error.field == "batch"
    assert replies[1].error.kind == err.ERROR_KIND_INVALID

    # An element that is no Request: refused on its own, the others run.
    two = add("cash", 3)
    two.request_id = 3
    outer = pb.envelope_pb2.Request()
    outer.batch.extend([b"\xff\xff\xff not a protobuf", two.SerializeToString()])
    b.send_raw([b"", outer.SerializeToString()])
    _, replies = replies_of(b.recv_raw())
    assert replies[0].error.code == "malformed_request"
    assert replies[1].request_id == 3 and replies[1].testing.value == 10

    # A batch with another field beside it: nothing runs, one typed error.
    mixed = pb.envelope_pb2.Request(request_id=4)
    mixed.batch.append(add("cash", 1000).SerializeToString())
    b.send_raw([b"", mixed.SerializeToString()])
    refused = pb.envelope_pb2.Reply()
    refused.ParseFromString(b.recv_raw()[-1])
    assert refused.error.code == "malformed_batch" and refused.error.field == "batch"
    assert refused.error.kind == err.ERROR_KIND_INVALID
    assert "carries nothing else" in refused.error.message

    # More elements than a service takes from one message (256): nothing runs.
    b.send_raw([b"", batch_of(*[add("cash", 1000) for _ in range(257)])])
    refused.ParseFromString(b.recv_raw()[-1])
    assert refused.error.code == "batch_too_large" and refused.error.field == "batch"
    assert refused.error.kind == err.ERROR_KIND_TOO_LARGE
    assert "at most 256" in refused.error.message

    # None of the refused ones changed anything, and the service keeps serving.
    assert b.call(state("cash")).testing.value == 10
    assert "refused a batch" in c.log("tproducer")


def test_sigterm_stops_cleanly(pair):
    c = pair
    c.start_testsvc("tproducer")
    assert c.stop_service("tproducer") == 0
    assert "stopped" in c.log("tproducer")


def test_follower_stops_loudly_when_the_producer_went_back_in_time(pair):
    """A producer restored from an older backup reuses sequence numbers the follower already
    applied; following on would drop its new events as duplicates, so the follower stops."""
    import shutil
    c = pair
    c.start_testsvc("tproducer")
    c.start_testsvc("tfollower", {"LUMBUNG_TEST_FOLLOW": "tproducer"})
    assert c.bus("tproducer").call(emit(100)).event_seq == 100
    deadline = time.time() + 20
    while follower_state(c).applied_cursor < 100 and time.time() < deadline:
        time.sleep(0.05)
    assert follower_state(c).applied == 100
    c.stop_service("tproducer")
    shutil.rmtree(os.path.join(c.data_dir, "tproducer"))      # "restored" to an empty store
    c.start_testsvc("tproducer")
    assert c.bus("tproducer").call(emit(5)).event_seq == 5
    deadline = time.time() + 10
    while "restored from a backup" not in c.log("tfollower") and time.time() < deadline:
        time.sleep(0.1)
    assert "restored from a backup" in c.log("tfollower")
    st = follower_state(c)
    assert st.applied == 100 and st.applied_cursor == 100 and st.out_of_order == 0


def test_pub_sends_a_commits_events_in_batches_of_32_in_order(pair):
    """One request that commits 70 events: the PUB sends them as topic B in three EventBatch
    messages of 32, 32 and 6 events, consecutive from 1 (common/event_batch.h)."""
    c = pair
    c.start_testsvc("tproducer")
    sub = c.subscribe("tproducer")
    try:
        sub.sock.setsockopt(zmq.UNSUBSCRIBE, b"")
        sub.sock.setsockopt(zmq.SUBSCRIBE, b"B")
        time.sleep(0.5)                         # a new subscription takes a moment to start
        r = c.bus("tproducer").call(emit(70), timeout=10)
        assert not r.HasField("error"), r
        assert r.event_seq == 70
        sizes, seqs = [], []
        while sum(sizes) < 70:
            assert sub.sock.poll(10_000), f"only {sum(sizes)} of 70 events arrived"
            topic, body = sub.sock.recv_multipart()
            assert topic == b"B"
            batch = pb.envelope_pb2.EventBatch()
            batch.ParseFromString(body)
            sizes.append(len(batch.events))
            for raw in batch.events:
                ev = pb.envelope_pb2.Event()
                ev.ParseFromString(raw)
                seqs.append(ev.seq)
        assert sizes == [32, 32, 6]
        assert seqs == list(range(1, 71))
    finally:
        sub.close()
