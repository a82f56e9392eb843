"""deploy/systemd as systemd reads it: every unit passes `systemd-analyze verify` (with its
ExecStart pointed at this build's binaries), and the template of a transactions shard
(lumbung-transactions@.service, instance = shard number) names its shard through the instance
and is the unit of the unsharded service in everything else (the same user, hardening, restart
and stop rules), logs under the shard's name and belongs to lumbung.target."""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, ROOT  # noqa: E402

UNITS = os.path.join(ROOT, "deploy", "systemd")


def parse_unit(path):
    """{section: [(key, value), ...]} in file order (systemd keys may repeat)."""
    sections, current = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                current = sections.setdefault(line.strip("[]"), [])
            else:
                key, _, value = line.partition("=")
                current.append((key, value))
    return sections


def values(section, key):
    return [v for k, v in section if k == key]


@pytest.fixture(scope="module")
def unit_dir():
    exe = shutil.which("systemd-analyze")
    assert exe, "systemd-analyze is missing: `make deps` installs Debian's systemd"
    tmp = tempfile.mkdtemp(prefix="lumbung-units-")
    try:
        for path in glob.glob(os.path.join(UNITS, "*")):
            with open(path, encoding="utf-8") as f:
                text = f.read().replace("/usr/local/bin/", BIN + "/").replace("/etc/lumbung/", tmp + "/")
            with open(os.path.join(tmp, os.path.basename(path)), "w", encoding="utf-8") as f:
                f.write(text)
        yield tmp
    finally:
        shutil.rmtree(tmp)


@pytest.mark.parametrize("unit", ["lumbung-members.service", "lumbung-transactions.service",
                                  "lumbung-reporting.service", "lumbung-gateway.service",
                                  "lumbung.target", "lumbung-transactions@0.service",
                                  "lumbung-transactions@1.service"])
def test_systemd_analyze_verify_accepts_the_unit(unit_dir, unit):
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(unit_dir, unit)],
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), r.stderr


def test_the_instance_is_the_shard_and_the_rest_is_the_service_unit():
    shard = parse_unit(os.path.join(UNITS, "lumbung-transactions@.service"))
    single = parse_unit(os.path.join(UNITS, "lumbung-transactions.service"))
    svc = shard["Service"]
    assert values(svc, "EnvironmentFile") == ["/etc/lumbung/lumbung.env"]
    assert values(svc, "Environment") == ["LUMBUNG_TRANSACTIONS_SHARD=%i"]
    assert values(svc, "ExecStart") == ["/usr/local/bin/lumbung-transactions"]
    assert values(svc, "SyslogIdentifier") == ["lumbung-transactions-%i"]
    assert "%i" in values(shard["Unit"], "Description")[0]
    assert values(shard["Unit"], "PartOf") == ["lumbung.target"]
    assert values(shard["Install"], "WantedBy") == ["lumbung.target"]
    same = lambda section: [(k, v) for k, v in section  # noqa: E731
                            if k not in ("Environment", "SyslogIdentifier")]
    assert same(svc) == same(single["Service"])      # user, restarts, hardening, paths
    # A settings file wins over Environment=, so lumbung.env must never name the shard.
    with open(os.path.join(UNITS, "lumbung.env")) as f:
        assert not [l for l in f if l.startswith("LUMBUNG_TRANSACTIONS_SHARD=")]
