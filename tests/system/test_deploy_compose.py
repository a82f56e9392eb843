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


def compose_config(*overrides):
    exe = shutil.which("docker-compose")
    assert exe, "docker-compose is missing: `make deps` installs Debian's docker-compose"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUMBUNG_")}
    files = ["-f", os.path.join(ROOT, "docker-compose.yml")]
    for o in overrides:
        files += ["-f", os.path.join(ROOT, o)]
    r = subprocess.run([exe, *files, "config"],
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


def test_the_shards_override_adds_shard_1_and_tells_every_container():
    """deploy/docker-compose.shards.yml over the file: a second transactions container (shard
    1, its own store volume), every container told there are two shards, where shard 1 is and
    where the one shard map is."""
    cfg = compose_config("deploy/docker-compose.shards.yml")
    assert sorted(cfg["services"]) == sorted(["keys"] + SERVICES + ["transactions-1"])
    shard = cfg["services"]["transactions-1"]
    assert shard["command"] == ["lumbung-transactions"]
    assert shard["environment"]["LUMBUNG_TRANSACTIONS_SHARD"] == "1"
    assert shard["depends_on"]["keys"]["condition"] == "service_completed_successfully"
    mounts = [volume_pair(v) for v in shard["volumes"]]
    assert ("transactions-1-store", "/var/lib/lumbung/transactions-1") in mounts, mounts
    for name in ["keys"] + SERVICES + ["transactions-1"]:
        env = cfg["services"][name]["environment"]
        assert env["LUMBUNG_TRANSACTIONS_SHARDS"] == "2", name
        assert env["LUMBUNG_TRANSACTIONS_1_ROUTER"] == "tcp://transactions-1:7112", name
        assert env["LUMBUNG_TRANSACTIONS_1_PUB"] == "tcp://transactions-1:7113", name
        assert env["LUMBUNG_SHARD_MAP"] == "/var/lib/lumbung/shard/shard.map", name
    for name in ("transactions", "transactions-1", "reporting", "gateway"):
        mounts = [volume_pair(v) for v in cfg["services"][name]["volumes"]]
        assert ("shard-map", "/var/lib/lumbung/shard") in mounts, (name, mounts)
    assert "LUMBUNG_TRANSACTIONS_SHARD" not in cfg["services"]["transactions"]["environment"]
