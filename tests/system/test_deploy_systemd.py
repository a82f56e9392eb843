"""deploy/systemd/lumbung-transactions@.service, the unit of one transactions shard: systemd
accepts it (systemd-analyze verify of an instance; the only complaint allowed is the binary not
being installed on the test machine), the instance names the shard, and it is the unit of the
unsharded service in everything else (the same user, hardening, restart and stop rules)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import ROOT  # noqa: E402

UNITS = os.path.join(ROOT, "deploy", "systemd")
NOT_INSTALLED = "Command /usr/local/bin/lumbung-transactions is not executable"


def settings(path):
    """The unit's NAME=value lines, comments left out."""
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]


def test_systemd_accepts_an_instance_of_the_shard_unit():
    exe = shutil.which("systemd-analyze")
    assert exe, "systemd-analyze is missing (package systemd)"
    tmp = tempfile.mkdtemp(prefix="lumbung-units-")
    try:
        for name in ("lumbung-transactions@.service", "lumbung.target"):
            shutil.copy(os.path.join(UNITS, name), tmp)
        os.symlink("lumbung-transactions@.service", os.path.join(tmp, "lumbung-transactions@1.service"))
        r = subprocess.run([exe, "verify", os.path.join(tmp, "lumbung-transactions@1.service")],
                           capture_output=True, text=True, timeout=60)
        complaints = [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]
        assert complaints and all(NOT_INSTALLED in l for l in complaints), complaints
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_the_instance_is_the_shard_and_the_rest_is_the_service_unit():
    shard = settings(os.path.join(UNITS, "lumbung-transactions@.service"))
    plain = settings(os.path.join(UNITS, "lumbung-transactions.service"))
    assert "Environment=LUMBUNG_TRANSACTIONS_SHARD=%i" in shard
    assert "SyslogIdentifier=lumbung-transactions-%i" in shard
    assert "ExecStart=/usr/local/bin/lumbung-transactions" in shard
    assert shard.index("EnvironmentFile=/etc/lumbung/lumbung.env") < shard.index(
        "Environment=LUMBUNG_TRANSACTIONS_SHARD=%i")
    differ = lambda l: l.startswith(("Description=", "SyslogIdentifier=", "Environment="))
    assert [l for l in shard if not differ(l)] == [l for l in plain if not differ(l)]
    with open(os.path.join(UNITS, "lumbung.env")) as f:
        assert not [l for l in f if l.startswith("LUMBUNG_TRANSACTIONS_SHARD=")]
