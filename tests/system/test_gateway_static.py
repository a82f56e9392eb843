"""The web interface's files over real HTTP: "/" and client-side routes give index.html, files
have their content type, an ETag that answers 304, gzip when accepted; "..", "%2e%2e", NUL
and backslashes are refused; every response carries the strict Content-Security-Policy and
the other security headers; the API's 404 stays JSON."""
import gzip
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import assert_error, raw_request  # noqa: E402
from lumbung import BUILD, ROOT, Cluster  # noqa: E402


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
WEB = os.path.join(ROOT, "services", "gateway", "web")


@pytest.fixture(scope="module")
def c():
    cl = Cluster(services=["gateway"])
    try:
        cl.start_service("gateway")
        yield cl
    finally:
        cl.stop()


def source(name):
    with open(os.path.join(WEB, name), "rb") as f:
        return f.read()


def assert_security_headers(r):
    assert r.headers["Content-Security-Policy"] == CSP, r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_index_for_root_and_client_routes(c):
    index = source("index.html")
    for path in ("/", "/index.html", "/koperasi", "/koperasi/12/anggota"):
        r = c.http("GET", path)
        assert r.status == 200, (path, r)
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.text.encode() == index
        assert r.headers["Cache-Control"] == "no-cache"
        assert_security_headers(r)


def test_types_etag_and_304(c):
    r = c.http("GET", "/app/main.js")
    assert r.status == 200 and r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert r.text.encode() == source("app/main.js")
    etag = r.headers["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    r2 = c.http("GET", "/app/main.js", headers={"If-None-Match": etag})
    assert r2.status == 304 and r2.text == ""
    r3 = c.http("GET", "/app/style.css")
    assert r3.status == 200 and r3.headers["Content-Type"] == "text/css; charset=utf-8"
    assert_security_headers(r3)


def test_gzip_when_accepted(c):
    r = c.http("GET", "/app/main.js", headers={"Accept-Encoding": "gzip"})
    assert r.status == 200 and r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Vary"] == "Accept-Encoding"
    with open(os.path.join(BUILD, "web", "app", "main.js.gz"), "rb") as f:
        assert f.read()  # the Makefile wrote it
    raw, _ = raw_request(c, b"GET /app/main.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                            b"Connection: close\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"Content-Encoding: gzip" in head
    assert gzip.decompress(body) == source("app/main.js")


def test_head_has_no_body(c):
    raw, _ = raw_request(c, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert f"Content-Length: {len(source('index.html'))}".encode() in head
    assert body == b""


@pytest.mark.parametrize("path", [b"/../etc/passwd", b"/app/../../etc/passwd", b"/%2e%2e/etc/passwd",
                                  b"/%2E%2E/%2e%2e/etc/passwd", b"/app/main.js%00.png",
                                  b"/app%5cmain.js", b"/.stamp"])
def test_traversal_refused(c, path):
    raw, _ = raw_request(c, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), (path, head)
    assert b'"invalid_path"' in body
    assert b"root:" not in body


def test_missing_file_and_api_404_are_json(c):
    assert_error(c.http("GET", "/app/none.js"), 404, "not_found")
    r = c.http("GET", "/api/v1/nothing-here")
    assert_error(r, 404, "not_found")
    assert_security_headers(r)
    assert r.headers["Cache-Control"] == "no-store"
    assert_error(c.http("POST", "/"), 404, "not_found")
