"""The gateway advances the members sequence it has seen only from successful replies.

The real gateway talks to stand-in members and transactions services (Python ROUTERs with the
services' own CURVE keys), so a members reply can be made to fail *and* carry an event_seq —
which the real services never send any more (test_gateway_disk_full.py covers them) — and the
after_members_seq of the next transactions request is read as the gateway sent it."""
import os
import sys
import threading

import pytest
import zmq

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster, pb  # noqa: E402


class FakeService:
    """A ROUTER bound at a service's endpoint with its keypair; answers with `self.answer`."""

    def __init__(self, cluster, name):
        self.sock = zmq.Context.instance().socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        pub, sec = cluster.keypair(name)
        self.sock.curve_server = True
        self.sock.curve_publickey = pub
        self.sock.curve_secretkey = sec
        self.sock.bind(cluster.endpoint(name, "router"))
        self.requests = []
        self.answer = None
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            if not self.sock.poll(50):
                continue
            frames = self.sock.recv_multipart()
            req = pb.envelope_pb2.Request()
            req.ParseFromString(frames[-1])
            self.requests.append(req)
            reply = pb.envelope_pb2.Reply()
            reply.request_id = req.request_id
            if req.HasField("ping"):
                reply.pong.service = "fake"
            elif req.HasField("replay"):      # the gateway follows the streams (audit of
                reply.replay.head_seq = 0     # integrators): an empty stream, nothing to apply
                reply.replay.last_seq = 0
            elif self.answer is None:         # a call before the test set an answer
                reply.error.kind = pb.envelope_pb2.ERROR_KIND_UNAVAILABLE
                reply.error.code = "not_ready"
                reply.error.message = "the stand-in service has no answer yet"
            else:
                self.answer(reply)
            self.sock.send_multipart(frames[:-1] + [reply.SerializeToString()])

    def last(self, body):
        return [r for r in self.requests if r.HasField(body)][-1]

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.sock.close(0)


@pytest.fixture(scope="module")
def world():
    c = Cluster(services=["gateway"], env={"LUMBUNG_GATEWAY_TIMEOUT_MS": "3000"})
    fakes = {}
    try:
        fakes = {name: FakeService(c, name) for name in ("members", "transactions")}
        c.start()
        yield c, fakes
    finally:
        for f in fakes.values():
            f.close()
        c.stop()


def members_write(c, fakes, event_seq, fail):
    def answer(reply):
        reply.event_seq = event_seq
        if fail:
            reply.error.kind = pb.envelope_pb2.ERROR_KIND_UNAVAILABLE
            reply.error.code = "store_unavailable"
            reply.error.message = "the service could not write to its store"
        else:
            reply.members.SetInParent()
    fakes["members"].answer = answer
    return c.api("POST", "/api/v1/cooperatives/1/members", {"name": "Ani"})


def members_seq_sent_to_transactions(c, fakes):
    fakes["transactions"].answer = lambda reply: reply.transactions.SetInParent()
    r = c.api("GET", "/api/v1/cooperatives/1/accounts")
    assert r.status == 200, r
    req = fakes["transactions"].last("transactions")
    return req.after_members_seq if req.HasField("after_members_seq") else None


def test_an_error_reply_never_advances_the_sequence_seen(world):
    c, fakes = world
    r = members_write(c, fakes, 7, fail=True)
    assert r.status == 503 and r.json["error"]["code"] == "store_unavailable", r
    assert members_seq_sent_to_transactions(c, fakes) is None

    r = members_write(c, fakes, 5, fail=False)
    assert r.status == 201, r
    assert members_seq_sent_to_transactions(c, fakes) == 5

    r = members_write(c, fakes, 9, fail=True)
    assert r.status == 503, r
    assert members_seq_sent_to_transactions(c, fakes) == 5
