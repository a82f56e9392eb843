"""docker-compose.yml as Debian 12's own docker-compose (1.29, installed by `make deps`) reads it:
the file validates, and it describes the district's one-host deployment (a one-shot key set-up,
four services started after it, one volume per store, only the gateway's port published)."""
import os
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import ROOT  # noqa: E402

SERVICES = ["members", "transactions", "reporting", "gateway"]


def compose_config():
    exe = shutil.which("docker-compose")
    assert exe, "docker-compose is missing: `make deps` installs Debian's docker-compose"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUMBUNG_")}
    r = subprocess.run([exe, "-f", os.path.join(ROOT, "docker-compose.yml"), "config"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return yaml.safe_load(r.stdout)


def volume_pair(v):
    """(source, target) of a volume in either syntax: 1.29 prints "src:dst:rw", v2 a mapping."""
    if isinstance(v, dict):
        return v["source"], v["target"]
    parts = v.split(":")
    return parts[0], parts[1]


def test_debian_docker_compose_accepts_the_file():
    cfg = compose_config()
    assert sorted(cfg["services"]) == sorted(["keys"] + SERVICES)
    assert cfg["services"]["keys"]["command"] == ["lumbungctl", "keys", "init"]
    for name in SERVICES:
        svc = cfg["services"][name]
        assert svc["command"] == ["lumbung-" + name]
        assert svc["depends_on"]["keys"]["condition"] == "service_completed_successfully"
        assert svc["restart"] == "unless-stopped"
        mounts = [volume_pair(v) for v in svc["volumes"]]
        assert (name + "-store", "/var/lib/lumbung/" + name) in mounts, mounts


def test_only_the_gateway_is_published_and_it_generates_the_admin_password():
    cfg = compose_config()
    published = {n: s.get("ports") for n, s in cfg["services"].items() if s.get("ports")}
    assert list(published) == ["gateway"]
    port = published["gateway"][0]
    assert (str(port["target"]), str(port["published"])) == ("8080", "8080")
    env = cfg["services"]["gateway"]["environment"]
    assert env["LUMBUNG_ADMIN_PASSWORD"] in ("", None)
    assert env["LUMBUNG_TRANSACTIONS_ROUTER"] == "tcp://transactions:7110"
