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

    # A body from a newer contract (unknown field number 50) is not silently ignored.
    future = pb.envelope_pb2.Request(request_id=424242).SerializeToString() + bytes([0x92, 0x03, 0x00])
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
