"""The gateway's HTTP edge under bad input: malformed JSON, wrong types, huge numbers, money
with three decimals, deep nesting, oversize bodies (announced and chunked), oversize headers,
clients that never finish their headers or body, unknown paths and methods — each answered
with the documented error body, and the gateway still serving afterwards."""
import datetime
import http.client
import json
import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import (assert_error, assert_serving, coop_body,  # noqa: E402
                          create_coop, raw_request)
from lumbung import Cluster  # noqa: E402
from members_util import nik  # noqa: E402


TIMEOUT_S = 2
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def c():
    cl = Cluster(env={"LUMBUNG_HTTP_TIMEOUT_S": str(TIMEOUT_S)})
    try:
        cl.start()
        yield cl
    finally:
        cl.stop()


@pytest.fixture(scope="module")
def coop(c):
    return create_coop(c, "Koperasi HTTP")


def post_raw(c, path, raw, token=True, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return c.http("POST", path, raw=raw, token=c.admin_token() if token else None, headers=h)


def nested(depth):
    return "[" * depth + "]" * depth


def test_malformed_json_says_where(c):
    r = post_raw(c, "/api/v1/cooperatives", b'{"name": "x",\n "type": }')
    err = assert_error(r, 400, "invalid_json")
    assert "line 2" in err["message"], err
    assert_serving(c)


@pytest.mark.parametrize("raw,code", [
    (b'{"name": "a", "name": "b"}', "invalid_json"),          # duplicate keys
    (b'["name"]', "invalid_json"),                            # not an object
    (b'"just a string"', "invalid_json"),
    (b'{"name": "\xff\xfe"}', "invalid_json"),                # not UTF-8
    (b'{"name": "a\\u0000b"}', "invalid_json"),               # NUL inside a string
    (b'{"name": "a"} trailing', "invalid_json"),
    (b'{"name": 1e999999}', "invalid_json"),                  # a real beyond double
    (b'{"name": 123456789012345678901234567890}', "invalid_json"),   # beyond int64
])
def test_bodies_that_are_not_acceptable_json(c, raw, code):
    assert_error(post_raw(c, "/api/v1/cooperatives", raw), 400, code)
    assert_serving(c)


def test_deep_nesting_is_refused_before_parsing(c):
    assert_error(post_raw(c, "/api/v1/cooperatives", ('{"a": %s}' % nested(10000)).encode()),
                 400, "too_deep")
    # within the gateway's limit but deeper than the converter allows: still a 400 naming a field
    r = post_raw(c, "/api/v1/cooperatives", ('{"settings": {"shu_allocation": %s}}' % nested(20)).encode())
    assert r.status == 400 and r.json["error"]["field"].startswith("settings"), r
    assert_serving(c)


@pytest.mark.parametrize("settings,code,field", [
    ({"principal_amount": "100.123"}, "invalid_money", "settings.principal_amount"),
    ({"principal_amount": 100000}, "invalid_money", "settings.principal_amount"),
    ({"principal_amount": "-5"}, "invalid_money", "settings.principal_amount"),
    ({"principal_amount": "1e5"}, "invalid_money", "settings.principal_amount"),
    ({"principal_amount": "99999999999999999999"}, None, "settings.principal_amount"),
    ({"fiscal_year_start": 99999999999}, "out_of_range", "settings.fiscal_year_start"),
    ({"fiscal_year_start": "1"}, "invalid_type", "settings.fiscal_year_start"),
    ({"mandatory_period": "fortnightly"}, "invalid_enum", "settings.mandatory_period"),
])
def test_wrong_values_name_their_field(c, settings, code, field):
    body = coop_body("Koperasi Salah")
    body["settings"].update(settings)
    r = c.api("POST", "/api/v1/cooperatives", body)
    assert r.status == 400, r
    assert r.json["error"]["field"] == field, r
    if code:
        assert r.json["error"]["code"] == code, r


def test_wrong_types_and_unknown_fields(c):
    assert_error(c.api("POST", "/api/v1/cooperatives", coop_body(5)), 400, "invalid_type", "name")
    assert_error(c.api("POST", "/api/v1/cooperatives", coop_body("X", colour="red")), 400,
                 "unknown_field", "colour")
    assert_error(c.api("POST", "/api/v1/cooperatives", coop_body("X", founded_on="2023-02-30")), 400,
                 "invalid_date", "founded_on")


def test_bytes_that_are_not_utf8_in_a_query_name_are_repeated_as_replacement_characters(c, coop):
    """Found by fuzz_gateway_request: the error naming a query argument that is not UTF-8 once
    made the gateway abort (jansson refuses such text)."""
    r = c.api("GET", "/api/v1/cooperatives/%s/journal?%%FF%%FEx=1" % coop)
    err = assert_error(r, 400, "unknown_field", "\ufffd\ufffdx")
    assert "\ufffd\ufffdx" in err["message"], err
    assert_serving(c)


def test_an_announced_oversize_body_is_refused_unread(c):
    # The answer comes as soon as the headers are in, before any of the body is sent (a client
    # that keeps writing after it may see the connection closed under it, as with any server
    # that refuses early; `Expect: 100-continue` is how a client avoids sending in vain).
    for expect in (b"", b"Expect: 100-continue\r\n"):
        head = (b"POST /api/v1/cooperatives HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n%s\r\n" % (MiB + 1, expect))
        answer, closed_after = raw_request(c, head, timeout=5)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
        body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
        assert body["error"]["code"] == "body_too_large" and "1048576" in body["error"]["message"]
        assert closed_after is not None and closed_after < 2      # not waiting for the body
    assert_serving(c)
    # a body just under the limit is read and judged on its content
    r = post_raw(c, "/api/v1/cooperatives", b"{" + b" " * (MiB - 10) + b"}")
    assert_error(r, 400, "required")
    assert_serving(c)


def test_a_chunked_oversize_body_is_refused(c):
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    head = ("POST /api/v1/cooperatives HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" % c.admin_token()).encode()
    answer, _ = raw_request(c, head + body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"code":"body_too_large"' in answer
    assert_serving(c)


def test_an_import_may_be_larger_than_an_ordinary_body(c, coop):
    header = "nik,name,sex,birth_date,address,phone,joined_on\n"
    birth = datetime.date(1980, 1, 2)
    rows = ["%s,Budi %d,male,1980-01-02,%s,0812-%07d,2020-01-01" % (nik(birth, False, i % 9999 + 1), i,
                                                                   "Jl. " + "Panjang " * 8, i)
            for i in range(1, 20001)]
    csv = (header + "\n".join(rows) + "\n").encode()
    assert MiB < len(csv) < 20 * MiB
    r = c.api("POST", "/api/v1/cooperatives/%s/members/import" % coop, raw=csv,
              headers={"Content-Type": "text/csv"})
    assert r.status == 201 and r.json["job_id"], r


def test_oversize_headers_are_refused(c):
    r = c.http("GET", "/healthz", headers={"X-Filler": "y" * 40000})
    assert r.status in (413, 414, 431), r
    assert_serving(c)


def test_a_client_that_never_finishes_its_headers_is_cut_off(c):
    answer, closed_after = raw_request(c, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", timeout=TIMEOUT_S + 5)
    assert closed_after is not None and closed_after < TIMEOUT_S + 2, closed_after
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
    assert_serving(c)


def trickle_headers(c):
    """A client that sends a header line every 0.25 s and never ends its headers: seconds
    until the gateway closed it, or None."""
    import socket
    s = socket.create_connection(("127.0.0.1", c.http_port), timeout=1)
    start = time.time()
    s.sendall(b"GET /healthz HTTP/1.1\r\n")
    closed = None
    try:
        for i in range(40):                    # one byte every 0.25 s keeps the idle timer alive
            time.sleep(0.25)
            s.sendall(b"X-Slow-%d: y\r\n" % i)
    except (BrokenPipeError, ConnectionResetError):
        closed = time.time() - start
    if closed is None:
        try:
            closed = time.time() - start if s.recv(100) == b"" else None
        except (ConnectionResetError, socket.timeout):
            closed = time.time() - start
    s.close()
    return closed


def test_a_client_that_trickles_its_headers_is_cut_off_too(c):
    closed = trickle_headers(c)
    assert closed is not None and closed < TIMEOUT_S + 2, closed
    assert_serving(c)


def test_a_body_that_never_arrives_is_cut_off(c):
    head = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"user"
    answer, closed_after = raw_request(c, head, timeout=TIMEOUT_S + 5)
    assert closed_after is not None and closed_after < TIMEOUT_S + 2, closed_after
    assert_serving(c)


def test_unknown_paths_and_methods(c):
    assert_error(c.http("GET", "/api/v1/nothing"), 404, "not_found")
    assert_error(c.http("GET", "/api/v1/users/"), 404, "not_found")
    r = c.http("DELETE", "/api/v1/users", token=c.admin_token())
    assert_error(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET, POST"
    r = c.http("PUT", "/healthz")
    assert_error(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET"


def test_keep_alive_and_request_ids(c):
    conn = http.client.HTTPConnection("127.0.0.1", c.http_port, timeout=5)
    ids = []
    for _ in range(3):
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read()) == {"status": "ok"}
        ids.append(resp.getheader("X-Request-Id"))
        assert re.fullmatch(r"[0-9a-f]{32}", ids[-1]), ids      # made: random (docs/operations.md)
        sock = conn.sock
    assert sock is conn.sock and len(set(ids)) == 3          # one connection, three requests
    conn.close()


def test_many_clients_at_once(c):
    import concurrent.futures
    # One login first: logins of one name sent in parallel count as attempts from the moment
    # they arrive and lock the name (docs/gateway.md), and this test is about many clients.
    token = c.admin_token()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(lambda i: c.http("GET", "/api/v1/cooperatives?limit=5", token=token).status,
                                 range(200)))
    assert statuses == [200] * 200


def metric_samples(c):
    """Every sample of /metrics as {series: value}, checking the exposition format line by line."""
    samples = {}
    for line in c.http("GET", "/metrics").text.splitlines():
        if line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        assert series and value, line
        samples[series] = float(value)
    return samples


def test_metrics_count_what_happened(c):
    counted = ['lumbung_http_requests_total{method="GET",route="/healthz",status="200"}',
               'lumbung_http_requests_total{method="POST",route="/api/v1/cooperatives",status="413"}',
               'lumbung_http_requests_total{method="GET",route="unmatched",status="404"}',
               'lumbung_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}',
               "lumbung_http_cut_off_total"]
    before = metric_samples(c)
    assert_serving(c)                                          # one GET /healthz
    answer, _ = raw_request(c, b"POST /api/v1/cooperatives HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (MiB + 1))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]    # one oversize POST
    assert_error(c.http("GET", "/api/v1/nothing"), 404, "not_found")      # one unmatched path
    # one client cut off (a silent one may meet the idle timeout first, which is not counted)
    assert trickle_headers(c) is not None
    after = metric_samples(c)
    assert {s: after.get(s, 0) - before.get(s, 0) for s in counted} == {s: 1 for s in counted}
    assert "lumbung_http_open_connections" in after


def test_connections_beyond_the_limit_are_refused_and_the_gateway_recovers():
    import socket
    cl = Cluster(services=["gateway"], env={"LUMBUNG_HTTP_CONNECTIONS_MAX": "4"})
    try:
        cl.start()
        held = [socket.create_connection(("127.0.0.1", cl.http_port), timeout=2) for _ in range(4)]
        time.sleep(0.2)
        answer, _ = raw_request(cl, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                timeout=2)
        assert answer == b"", answer[:100]              # accepted and closed at once, unanswered
        for s in held:
            s.close()
        time.sleep(0.2)
        assert_serving(cl)
    finally:
        cl.stop()
