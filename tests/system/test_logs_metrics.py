"""Logs and metrics an operator can use: JSON lines with the request's fields, the caller's
X-Request-Id (when sane) on the lines of the gateway and of every service that handled the
request, an access line per HTTP request, and a /metrics that carries every backend's figures
gathered over the bus and passes `promtool check metrics`."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster  # noqa: E402
from members_util import nik  # noqa: E402

import datetime  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIELDS = {"time", "service", "level", "request_id", "actor", "cooperative", "operation",
          "outcome", "duration_ms", "message"}
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
BIRTH = datetime.date(1980, 5, 17)


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(env={"LUMBUNG_LOG_FORMAT": "json", "LUMBUNG_LOG_LEVEL": "debug"})
    try:
        c.start()
        yield c
    finally:
        c.stop()


def json_lines(cluster, name):
    """Every line the service wrote, parsed; each must be a JSON object with all the fields."""
    lines = []
    for raw in cluster.log(name).splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        assert set(line) == FIELDS, raw
        assert TIME_RE.match(line["time"]), raw
        assert line["service"] == name and line["level"] in ("debug", "info", "warn", "error"), raw
        lines.append(line)
    return lines


def wait_for_lines(cluster, name, pred, timeout=5):
    deadline = time.time() + timeout
    while True:
        found = [l for l in json_lines(cluster, name) if pred(l)]
        if found or time.time() > deadline:
            return found
        time.sleep(0.05)


def coop_and_member(cluster):
    r = cluster.api("POST", "/api/v1/cooperatives",
                    {"name": "Koperasi Catatan", "type": "savings_loan", "group": "farmers",
                     "district": "Cibeunying",
                     "settings": {"principal_amount": "100000", "mandatory_amount": "25000",
                                  "mandatory_period": "monthly"}})
    assert r.status == 201, r
    coop = r.json["id"]
    serial = int(uuid.uuid4().int % 900) + 100
    body = {"nik": nik(BIRTH, False, serial), "name": "Siti Aminah %d" % serial, "sex": "female",
            "birth_date": BIRTH.isoformat(), "address": "Desa Sukamaju",
            "phone": "0813-2222-%04d" % serial, "joined_on": "2024-01-15"}
    r = cluster.api("POST", "/api/v1/cooperatives/%s/members" % coop, body)
    assert r.status == 201, r
    return coop, r.json["id"]


def deposit(cluster, coop, member, headers):
    headers = dict(headers, **{"Idempotency-Key": str(uuid.uuid4())})
    return cluster.api("POST", "/api/v1/cooperatives/%s/deposits" % coop,
                       {"member_id": member, "kind": "voluntary", "amount": "1234.56",
                        "value_date": "2025-01-10"}, headers=headers)


def test_the_callers_request_id_is_on_the_lines_of_gateway_and_transactions(cluster):
    coop, member = coop_and_member(cluster)
    rid = "lumbung-test_%s.1" % uuid.uuid4().hex[:12]
    r = deposit(cluster, coop, member, {"X-Request-Id": rid})
    assert r.status == 201, r
    assert r.headers["X-Request-Id"] == rid

    access = wait_for_lines(cluster, "gateway", lambda l: l["request_id"] == rid
                            and l["message"].startswith("access: "))
    assert len(access) == 1, access
    a = access[0]
    assert a["message"] == "access: POST /api/v1/cooperatives/%s/deposits 201 %d bytes user=admin " \
                           "peer=127.0.0.1" % (coop, len(r.body))
    assert (a["level"], a["actor"], a["cooperative"], a["operation"], a["outcome"]) == \
        ("info", "admin", int(coop), "deposit", "ok")
    assert isinstance(a["duration_ms"], float) and a["duration_ms"] >= 0

    tx = wait_for_lines(cluster, "transactions", lambda l: l["request_id"] == rid)
    ops = {l["operation"] for l in tx}
    assert ops == {"transactions.deposit"}, tx
    # the debug line on arrival and the info outcome line of a write
    assert [l["level"] for l in tx] == ["debug", "info"], tx
    done = tx[1]
    assert (done["actor"], done["cooperative"], done["outcome"]) == ("admin", int(coop), "ok")
    assert done["message"].startswith("transactions: transactions.deposit done for 'gateway', event ")
    assert done["duration_ms"] >= 0
    seq = int(done["message"].rsplit(" ", 1)[1])
    # reporting applies the event the deposit caused, under the same request id
    rep = wait_for_lines(cluster, "reporting", lambda l: l["request_id"] == rid)
    assert [(l["level"], l["operation"], l["actor"], l["message"]) for l in rep] == [
        ("debug", "transactions", "admin", "follower transactions: applying event %d" % seq)], rep


def test_a_refused_write_logs_its_error_code_as_the_outcome(cluster):
    coop, member = coop_and_member(cluster)
    rid = "refused-%s" % uuid.uuid4().hex[:8]
    r = cluster.api("POST", "/api/v1/cooperatives/%s/withdrawals" % coop,
                    {"member_id": member, "kind": "voluntary", "amount": "999999",
                     "value_date": "2025-01-10"},
                    headers={"X-Request-Id": rid, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 422, r
    code = r.json["error"]["code"]
    tx = wait_for_lines(cluster, "transactions", lambda l: l["request_id"] == rid and l["outcome"])
    assert [(l["level"], l["outcome"]) for l in tx] == [("info", code)], tx
    gw = wait_for_lines(cluster, "gateway", lambda l: l["request_id"] == rid and l["outcome"])
    assert [(l["outcome"], l["message"].split(" ")[3]) for l in gw] == [(code, "422")], gw


@pytest.mark.parametrize("bad", ["", "x" * 65, "has space", "semi;colon", "quote\"d", "ünï"])
def test_an_insane_request_id_is_replaced_by_a_random_one(cluster, bad):
    headers = {"X-Request-Id": bad.encode("utf-8").decode("latin-1")} if bad else {}
    r = cluster.http("GET", "/healthz", headers=headers)
    assert r.status == 200
    rid = r.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid), rid
    again = cluster.http("GET", "/healthz", headers=headers)
    assert again.headers["X-Request-Id"] != rid          # random, not a counter or a copy
    assert wait_for_lines(cluster, "gateway", lambda l: l["request_id"] == rid)


def test_a_sane_request_id_of_64_characters_is_kept(cluster):
    rid = "A-z.0_9" * 9 + "x"
    assert len(rid) == 64
    r = cluster.http("GET", "/healthz", headers={"X-Request-Id": rid})
    assert r.headers["X-Request-Id"] == rid


def test_the_query_string_does_not_reach_the_access_log(cluster):
    rid = "query-%s" % uuid.uuid4().hex[:8]
    r = cluster.http("GET", "/healthz?token=sangat-rahasia", headers={"X-Request-Id": rid})
    assert r.status == 200
    lines = wait_for_lines(cluster, "gateway", lambda l: l["request_id"] == rid)
    assert lines and all("sangat-rahasia" not in json.dumps(l) for l in lines)
    assert lines[-1]["message"].startswith("access: GET /healthz 200 ")


# ---------------------------------------------------------------- metrics

def scrape(cluster):
    r = cluster.http("GET", "/metrics")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return r.text


def sample(text, name, **labels):
    want = ",".join('%s="%s"' % kv for kv in labels.items())
    prefix = "%s{%s} " % (name, want) if labels else name + " "
    found = [l[len(prefix):] for l in text.splitlines() if l.startswith(prefix)]
    assert len(found) == 1, (name, labels, [l for l in text.splitlines() if l.startswith(name)])
    return float(found[0])


def check_format(text):
    """Without promtool: every family has one HELP and one TYPE before its samples, samples of
    a family are together, names and labels are well formed and values are numbers."""
    name_re = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
    sample_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*"'
                           r'(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*)?\})? (\S+)$')
    types, helps, seen, current = {}, set(), set(), None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name_re.match(name) and name not in helps, line
            helps.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name not in types and kind in ("counter", "gauge", "histogram"), line
            assert name not in seen, "TYPE after samples: " + line
            types[name] = kind
            current = name
        else:
            m = sample_re.match(line)
            assert m, line
            base = m.group(1)
            family = base if base in types else re.sub(r"_(bucket|sum|count)$", "", base)
            assert family == current, "sample outside its family: " + line
            float(m.group(7).replace("+Inf", "inf"))
            seen.add(family)
    assert set(types) == helps


def test_metrics_show_every_backends_figures(cluster):
    coop, member = coop_and_member(cluster)
    for _ in range(3):
        assert deposit(cluster, coop, member, {}).status == 201
    text = scrape(cluster)
    check_format(text)
    for svc in ("members", "transactions", "reporting"):
        assert sample(text, "lumbung_service_up", service=svc) == 1
        assert sample(text, "lumbung_group_commits_total", service=svc) >= 1
        assert sample(text, "lumbung_group_commit_failures_total", service=svc) == 0
        assert sample(text, "lumbung_store_map_use_ratio", service=svc) > 0
        assert sample(text, "process_resident_memory_bytes", service=svc) > 1 << 20
        assert sample(text, "process_open_fds", service=svc) > 3
        assert sample(text, "process_cpu_seconds_total", service=svc) >= 0
    assert sample(text, "process_open_fds", service="gateway") > 3
    assert sample(text, "lumbung_operation_requests_total", service="transactions",
                  operation="transactions.deposit") >= 3
    assert sample(text, "lumbung_operation_rejections_total", service="transactions",
                  operation="transactions.deposit") == 0
    head = sample(text, "lumbung_outbox_head", service="transactions")
    assert head >= 4                                        # a chart, a member, 3 deposits
    assert sample(text, "lumbung_outbox_entries", service="transactions") == head
    assert sample(text, "lumbung_idempotency_entries", service="transactions") >= 3
    # reporting follows transactions: its cursor and lag, and a lag that closes
    deadline = time.time() + 10
    while sample(text, "lumbung_follower_lag", service="reporting", stream="transactions") > 0:
        assert time.time() < deadline, text
        time.sleep(0.1)
        text = scrape(cluster)
    assert sample(text, "lumbung_follower_cursor", service="reporting", stream="transactions") >= head
    assert sample(text, "lumbung_follower_known_head", service="reporting", stream="transactions") >= head


def test_a_backend_that_is_down_shows_as_down(cluster):
    cluster.kill("reporting")
    try:
        text = scrape(cluster)
        check_format(text)
        assert sample(text, "lumbung_service_up", service="reporting") == 0
        assert sample(text, "lumbung_service_up", service="members") == 1
        assert 'service="reporting"' not in text.replace('lumbung_service_up{service="reporting"}', "")
    finally:
        cluster.start_service("reporting")


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian package prometheus) not installed")
def test_promtool_accepts_the_metrics_and_the_rules(cluster, tmp_path):
    text = scrape(cluster)
    p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    rules = os.path.join(ROOT, "deploy", "prometheus", "lumbung-rules.yml")
    p = subprocess.run(["promtool", "check", "rules", rules], capture_output=True)
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
