"""docs/openapi.yaml against what the gateway serves: every route of the tables is documented
with its method, access class and operation, nothing else is, every $ref resolves, and the file
is what tools/openapi.py generates today."""
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, ROOT  # noqa: E402

GATEWAY = os.path.join(BIN, "lumbung-gateway")
SPEC = os.path.join(ROOT, "docs", "openapi.yaml")



@pytest.fixture(scope="module")
def routes():
    out = subprocess.run([GATEWAY, "--routes"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def spec():
    with open(SPEC) as f:
        return yaml.safe_load(f)


def spec_operations(spec):
    return {(m.upper(), path): op for path, item in spec["paths"].items() for m, op in item.items()}


def test_every_route_is_documented_with_its_access_and_operation(routes, spec):
    ops = spec_operations(spec)
    missing = [(r["method"], r["pattern"]) for r in routes if (r["method"], r["pattern"]) not in ops]
    assert not missing, "routes missing from docs/openapi.yaml (run tools/openapi.py): %s" % missing
    for r in routes:
        op = ops[(r["method"], r["pattern"])]
        assert op["x-lumbung-access"] == r["access"], (r["method"], r["pattern"])
        assert op["x-lumbung-operation"] == "%s.%s" % (r["service"], r["operation"])
        documented = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert documented == set(re.findall(r"{([^}]+)}", r["pattern"])), r["pattern"]
        if "idempotency_required" in r["flags"]:
            keys = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]
            assert keys and keys[0]["required"], r["pattern"]


FILE_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/pdf"}


def test_every_report_declares_the_file_types_it_returns(routes, spec):
    """Every report (a reporting GET) answers format=csv, xlsx and pdf with a file: the spec
    lists those media types and the headers saying what the file reflects; the reports with a
    JSON form list that too."""
    ops = spec_operations(spec)
    # The member's own overview and SHU line are JSON for the member's pages only (a file of
    # the SHU would be the whole cooperative's, with every member's line).
    json_only = {"member_overview", "member_shu"}
    reports = [r for r in routes if r["service"] == "reporting" and r["method"] == "GET" and
               r["operation"] not in json_only]
    assert len(reports) >= 11
    for r in routes:
        if r["operation"] in json_only:
            types = set(ops[(r["method"], r["pattern"])]["responses"]["200"]["content"])
            assert types == {"application/json"}, (r["pattern"], types)
    for r in reports:
        ok = ops[(r["method"], r["pattern"])]["responses"]["200"]
        types = set(ok["content"])
        assert FILE_TYPES <= types, (r["pattern"], types)
        file_only = r["operation"] in ("rat_pack", "member_import_template")
        assert ("application/json" in types) != file_only, (r["pattern"], types)
        assert {"Content-Disposition", "X-Lumbung-As-Of-Seq", "X-Lumbung-Period"} <= set(ok["headers"])
        fmt = [p for p in ops[(r["method"], r["pattern"])]["parameters"] if p["name"] == "format"]
        assert fmt and {"csv", "xlsx", "pdf"} <= set(fmt[0]["schema"]["enum"]), r["pattern"]


def test_nothing_is_documented_that_the_gateway_does_not_serve(routes, spec):
    served = {(r["method"], r["pattern"]) for r in routes}
    extra = sorted(set(spec_operations(spec)) - served)
    assert not extra, "documented but not routed: %s" % extra


def test_every_reference_resolves(spec):
    refs = set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', json.dumps(spec)))
    for kind, name in refs:
        assert name in spec["components"][kind], "%s/%s" % (kind, name)


def test_the_spec_is_what_the_generator_writes_today():
    env = dict(os.environ, LUMBUNG_BUILD=os.environ.get("LUMBUNG_BUILD", "build"))
    r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tools", "openapi.py"), "--check", SPEC],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
