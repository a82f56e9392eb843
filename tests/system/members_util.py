"""Helpers for the members service's system tests: bus calls with an actor, valid NIKs,
generated CSV files."""
import datetime
import random
import time

from google.protobuf import json_format

from lumbung import bus_dict, pb

ADMIN = {"user": "admin", "role": "ROLE_ADMIN"}
SUPERVISOR = {"user": "pengawas", "role": "ROLE_SUPERVISOR"}

CSV_HEADER = "nik,name,sex,birth_date,address,phone,joined_on"


def operator(coop_id, role="ROLE_OPERATOR"):
    return {"user": "op%s" % coop_id, "role": role, "cooperative_id": str(coop_id)}


def request(op, body, actor=ADMIN, idempotency_key=None):
    req = pb.envelope_pb2.Request()
    if actor is not None:
        json_format.ParseDict(actor, req.actor)
    if idempotency_key:
        req.idempotency_key = idempotency_key
    target = getattr(req.members, op)
    target.SetInParent()
    json_format.ParseDict(bus_dict(target.DESCRIPTOR, body or {}), target)
    return req


def call(cluster, op, body=None, actor=ADMIN, idempotency_key=None, client=None):
    """Calls the members service; returns (reply, result message or None)."""
    bus = client or cluster.bus("members")
    reply = bus.call(request(op, body, actor, idempotency_key), timeout=30)
    if reply.HasField("error"):
        return reply, None
    which = reply.members.WhichOneof("result")
    return reply, getattr(reply.members, which)


def ok(cluster, op, body=None, actor=ADMIN, **kw):
    reply, result = call(cluster, op, body, actor, **kw)
    assert not reply.HasField("error"), (op, body, reply.error)
    return result


def err(cluster, op, body=None, actor=ADMIN):
    reply, _ = call(cluster, op, body, actor)
    assert reply.HasField("error"), (op, body, reply)
    kind = pb.envelope_pb2.ErrorKind.Name(reply.error.kind)
    return kind, reply.error.code, reply.error.field


def nik(birth, female, serial, region="320410"):
    """A valid NIK for a birth date (datetime.date) and sex."""
    day = birth.day + (40 if female else 0)
    return "%s%02d%02d%02d%04d" % (region, day, birth.month, birth.year % 100, serial)


def create_coop(cluster, name="Koperasi Sejahtera", type_="COOPERATIVE_TYPE_SAVINGS_LOAN",
                group="women", **extra):
    body = {"name": name, "type": type_, "group": group, "district": "Cibeunying",
            "settings": {"principal_amount_sen": 10000000, "mandatory_amount_sen": 2500000}}
    body.update(extra)
    return ok(cluster, "create_cooperative", body)


def member_body(coop_id, serial, female=True, birth=datetime.date(1985, 7, 17), **extra):
    body = {"cooperative_id": str(coop_id), "nik": nik(birth, female, serial),
            "name": "Siti Aminah %d" % serial, "sex": "SEX_FEMALE" if female else "SEX_MALE",
            "birth_date": birth.isoformat(), "address": "Jl. Merdeka %d" % serial,
            "phone": "0812-3456-%04d" % serial, "joined_on": "2020-01-15"}
    body.update(extra)
    return body


def csv_rows(count, start_serial=1, seed=7):
    """`count` valid CSV rows: (nik, line) pairs with distinct NIKs."""
    rnd = random.Random(seed)
    rows = []
    for i in range(count):
        female = rnd.random() < 0.6
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rnd.randrange(0, 365 * 50))
        k = start_serial + i - 1           # serials are 0001-9999: move to the next district
        n = nik(birth, female, k % 9999 + 1, region="3204%02d" % (10 + k // 9999))
        name = "Anggota %05d %s" % (start_serial + i, rnd.choice(["Wati", "Budi", "Sari, S.Pd", "O\"Neil"]))
        quoted = '"' + name.replace('"', '""') + '"' if ("," in name or '"' in name) else name
        line = "%s,%s,%s,%s,\"Jl. Mawar %d, RT 0%d\",08123%06d,2021-03-01" % (
            n, quoted, "female" if female else "male", birth.isoformat(), i, i % 9 + 1, i)
        rows.append((n, line))
    return rows


def csv_file(lines):
    return (CSV_HEADER + "\r\n" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def replay_all(cluster, from_seq=1, stream="members"):
    """Every event of a stream (members unless named) from `from_seq`, decoded."""
    events = []
    while True:
        req = pb.envelope_pb2.Request()
        req.replay.from_seq = from_seq
        req.replay.max = 4096
        reply = cluster.bus(stream).call(req, timeout=30)
        assert not reply.HasField("error"), reply.error
        for raw in reply.replay.events:
            ev = pb.envelope_pb2.Event()
            ev.ParseFromString(raw)
            events.append(ev)
        if not reply.replay.events or events[-1].seq >= reply.replay.head_seq:
            return events
        from_seq = events[-1].seq + 1


JOB_WAIT_S = 120


def job_done_http(cluster, job_id, seen=None):
    """Polls GET /jobs/{id} until the import is done (it runs in chunks after the answer);
    each poll's rows_done is appended to `seen` when given. Returns the job."""
    deadline = time.time() + JOB_WAIT_S
    while True:
        r = cluster.api("GET", "/api/v1/jobs/%s" % job_id)
        assert r.status == 200, r
        if seen is not None:
            seen.append(r.json.get("rows_done", 0))
        if r.json["state"] == "done":
            return r.json
        assert time.time() < deadline, r.json
        time.sleep(0.01)


def job_done_bus(cluster, job_id, actor=ADMIN):
    """The bus twin of job_done_http: get_job until the job is done."""
    deadline = time.time() + JOB_WAIT_S
    while True:
        job = ok(cluster, "get_job", {"id": str(job_id)}, actor)
        if job.state == pb.members_pb2.JOB_STATE_DONE:
            return job
        assert time.time() < deadline, job
        time.sleep(0.01)
