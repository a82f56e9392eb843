"""Request smuggling (RFC 9112 section 6): a request whose body length is ambiguous — two
Content-Length headers, Content-Length together with Transfer-Encoding, a transfer coding
other than a lone chunked — is answered 400 invalid_framing with the JSON error body and its
connection closed, before its body is read or any handler runs; what was smuggled behind it is
never answered. Over raw sockets, since no HTTP library sends such requests."""
import json
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_serving, coop_body, raw_request  # noqa: E402
from lumbung import Cluster  # noqa: E402

TIMEOUT_S = 3


@pytest.fixture(scope="module")
def c():
    cl = Cluster(env={"LUMBUNG_HTTP_TIMEOUT_S": str(TIMEOUT_S)})
    try:
        cl.start()
        yield cl
    finally:
        cl.stop()


def coop_request(c, name, headers, body):
    """A POST creating a cooperative (which a handler would audit and forward), with the
    given framing headers and raw body bytes."""
    head = ("POST /api/v1/cooperatives HTTP/1.1\r\nHost: gateway\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n" % c.admin_token())
    return (head + "".join("%s: %s\r\n" % h for h in headers) + "\r\n").encode() + body


def smuggled():
    return b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"


def audit_entries(c):
    c.admin_token()                    # its login is audited: before counting, not after
    text = c.http("GET", "/metrics").text
    return int(re.search(r"^lumbung_audit_entries_total (\d+)", text, re.M).group(1))


def coop_names(c):
    r = c.api("GET", "/api/v1/cooperatives?limit=100")
    assert r.status == 200, r
    return {item["name"] for item in r.json["items"]}


def assert_refused(c, answer, elapsed, field):
    """One 400 with the JSON error body, Connection: close, the socket closed at once."""
    assert elapsed is not None and elapsed < TIMEOUT_S - 1, (answer, elapsed)
    assert answer.count(b"HTTP/1.1 ") == 1, answer          # nothing smuggled was answered
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 400 Bad Request", lines
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    assert headers["connection"].lower() == "close", headers
    assert headers["content-type"] == "application/json", headers
    err = json.loads(body)["error"]
    assert err["code"] == "invalid_framing", err
    assert err["field"] == field, err
    assert err["message"], err
    return err


@pytest.mark.parametrize("headers,body,field", [
    # Conflicting lengths: MHD would take the first and read the rest as a second request.
    ([("Content-Length", "2"), ("Content-Length", "40")], b"{}", "Content-Length"),
    # Even equal ones: a recipient may reject them, and we do.
    ([("Content-Length", "2"), ("Content-Length", "2")], b"{}", "Content-Length"),
    # Content-Length and chunked: which one frames the body is the proxy's guess.
    ([("Content-Length", "4"), ("Transfer-Encoding", "chunked")], b"2\r\n{}\r\n0\r\n\r\n",
     "Content-Length"),
    # A coding we do not implement in front of chunked: MHD would read until the peer closes.
    ([("Transfer-Encoding", "gzip, chunked")], b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding"),
    ([("Transfer-Encoding", "chunked, gzip")], b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding"),
    ([("Transfer-Encoding", "gzip")], b"{}", "Transfer-Encoding"),
    ([("Transfer-Encoding", "chunked ")], b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding"),
    ([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")],
     b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding"),
])
def test_ambiguous_framing_is_refused_and_the_connection_closed(c, headers, body, field):
    name = "Koperasi Selundupan %d" % abs(hash(repr(headers)))
    before = audit_entries(c)
    answer, elapsed = raw_request(c, coop_request(c, name, headers, body) + smuggled(),
                                  timeout=TIMEOUT_S + 2)
    assert_refused(c, answer, elapsed, field)
    assert audit_entries(c) == before               # no handler ran: nothing was audited
    assert name not in coop_names(c)
    assert_serving(c)


def test_the_smuggled_request_of_two_lengths_never_runs(c):
    """The first length covers an empty-ish body, the second a whole cooperative: neither
    reading creates it, and the request behind is not answered."""
    name = "Koperasi Diam-diam"
    payload = json.dumps(coop_body(name)).encode()
    smuggle = (b"POST /api/v1/cooperatives HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer "
               + c.admin_token().encode() + b"\r\nContent-Type: application/json\r\n"
               + b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
    headers = [("Content-Length", "0"), ("Content-Length", str(len(smuggle)))]
    answer, elapsed = raw_request(c, coop_request(c, "x", headers, b"") + smuggle,
                                  timeout=TIMEOUT_S + 2)
    assert_refused(c, answer, elapsed, "Content-Length")
    assert name not in coop_names(c)


@pytest.mark.parametrize("coding", ["chunked", "CHUNKED"])
def test_a_lone_chunked_coding_still_works(c, coding):
    name = "Koperasi Berpotongan %s" % coding
    payload = json.dumps(coop_body(name)).encode()
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    req = coop_request(c, name, [("Transfer-Encoding", coding), ("Connection", "close")], body)
    answer, _ = raw_request(c, req, timeout=TIMEOUT_S + 2)
    assert answer.startswith(b"HTTP/1.1 201 "), answer
    assert name in coop_names(c)
