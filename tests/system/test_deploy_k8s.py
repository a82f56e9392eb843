"""deploy/k8s as kubectl renders it (`kubectl kustomize`, Debian's kubernetes-client installed
by `make deps`): the example district's overlay, with keys made by deploy/k8s/make-keys.sh
into a copy of the tree, gives a StatefulSet per service with its own volume, Secrets that
exist for every reference and hold complete key directories (each service's allow.list
admitting exactly its clients), headless Services and container ports equal to the ports of
the endpoints in the ConfigMap the services read, and a NetworkPolicy per service whose peers
are exactly its clients (plus the overlay's integrator address)."""
import base64
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

import pytest
import yaml

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, ROOT  # noqa: E402
from topology import BUS_PORTS, HTTP_PORT, clients_of  # noqa: E402

SERVICES = ["members", "transactions", "reporting", "gateway"]
OVERLAY = "overlays/sukamaju"
INTEGRATORS = {"transactions": [("203.0.113.7/32", [7110])]}


@pytest.fixture(scope="module")
def rendered():
    exe = shutil.which("kubectl")
    assert exe, "kubectl is missing: `make deps` installs Debian's kubernetes-client"
    tmp = tempfile.mkdtemp(prefix="lumbung-k8s-")
    try:
        tree = os.path.join(tmp, "k8s")
        shutil.copytree(os.path.join(ROOT, "deploy", "k8s"), tree)
        overlay = os.path.join(tree, OVERLAY)
        env = dict(os.environ, LUMBUNGCTL=os.path.join(BIN, "lumbungctl"))
        r = subprocess.run([os.path.join(tree, "make-keys.sh"), overlay], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        r = subprocess.run([exe, "kustomize", overlay], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        objects = [o for o in yaml.safe_load_all(r.stdout) if o]
        yield {(o["kind"], o["metadata"]["name"]): o for o in objects}, overlay
    finally:
        shutil.rmtree(tmp)


def of_kind(objs, kind):
    return {name: o for (k, name), o in objs.items() if k == kind}


def config(objs):
    return objs[("ConfigMap", "lumbung-config")]["data"]


def container(sts):
    (c,) = sts["spec"]["template"]["spec"]["containers"]
    return c


def test_every_service_is_a_statefulset_with_its_own_volume_in_the_district_namespace(rendered):
    objs, _ = rendered
    sets = of_kind(objs, "StatefulSet")
    assert sorted(sets) == sorted(SERVICES)
    assert {o["metadata"].get("namespace") for o in objs.values()} == {"lumbung-sukamaju"}
    for name, sts in sets.items():
        spec = sts["spec"]
        (claim,) = spec["volumeClaimTemplates"]
        assert claim["metadata"]["name"] == "store"
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        mounts = {m["name"]: m for m in container(sts)["volumeMounts"]}
        assert mounts["store"]["mountPath"] == "%s/%s" % (config(objs)["LUMBUNG_DATA"], name)
        assert mounts["keys"]["mountPath"] == config(objs)["LUMBUNG_KEYS"]
        assert mounts["keys"]["readOnly"] is True
        assert container(sts)["command"] == ["lumbung-" + name]
        assert container(sts)["image"] == "lumbung:2026.12"
        assert spec["serviceName"] == name and spec["replicas"] == 1
        assert spec["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        assert spec["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == name
    storage = sets["transactions"]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]
    assert storage["requests"]["storage"] == "50Gi"          # the overlay's patch


def test_secrets_referenced_exist_and_hold_each_services_key_directory(rendered):
    objs, overlay = rendered
    secrets = of_kind(objs, "Secret")
    for name, sts in of_kind(objs, "StatefulSet").items():
        refs = [v["secret"]["secretName"] for v in sts["spec"]["template"]["spec"]["volumes"]
                if "secret" in v]
        assert refs == ["lumbung-keys-" + name]
        data = secrets["lumbung-keys-" + name]["data"]
        servers = [s for s in BUS_PORTS if name in clients_of(s)]
        assert sorted(data) == sorted(["%s.key" % name, "%s.pub" % name, "allow.list"] +
                                      ["%s.pub" % s for s in servers if s != name])
        files = {k: base64.b64decode(v).decode() for k, v in data.items()}
        with open(os.path.join(overlay, "keys", name, name + ".key")) as f:
            assert files[name + ".key"] == f.read()
        admitted = sorted(line.split()[0] for line in files["allow.list"].splitlines())
        assert admitted == sorted([name] + clients_of(name))
        assert all(line.split()[1] == "service" for line in files["allow.list"].splitlines())
        for server in servers:                  # the public key the server really has
            with open(os.path.join(overlay, "keys", server, server + ".pub")) as f:
                assert files[server + ".pub"] == f.read()
    assert sorted(secrets) == sorted("lumbung-keys-" + s for s in SERVICES)
    assert of_kind(objs, "ConfigMap").keys() == {"lumbung-config"}
    for sts in of_kind(objs, "StatefulSet").values():
        (source,) = container(sts)["envFrom"]
        assert source == {"configMapRef": {"name": "lumbung-config"}}


def endpoint_ports(objs, service):
    cfg = config(objs)
    urls = [urlparse(cfg["LUMBUNG_%s_%s" % (service.upper(), kind)]) for kind in ("ROUTER", "PUB")]
    assert [u.hostname for u in urls] == ["%s-0.%s" % (service, service)] * 2
    return [u.port for u in urls]


def test_ports_match_the_config_the_services_read(rendered):
    objs, _ = rendered
    assert config(objs)["LUMBUNG_BIND_HOST"] == "0.0.0.0"
    services = of_kind(objs, "Service")
    assert sorted(services) == sorted(SERVICES)
    for name in SERVICES:
        want = endpoint_ports(objs, name) if name in BUS_PORTS else [int(config(objs)["LUMBUNG_HTTP_PORT"])]
        if name in BUS_PORTS:
            assert want == list(BUS_PORTS[name])
        else:
            assert want == [HTTP_PORT]
        sts = of_kind(objs, "StatefulSet")[name]
        assert [p["containerPort"] for p in container(sts)["ports"]] == want
        svc = services[name]["spec"]
        assert svc["clusterIP"] == "None"
        assert [(p["port"], p["targetPort"]) for p in svc["ports"]] == [(p, p) for p in want]
        assert svc["selector"] == {"app.kubernetes.io/name": name}


def test_each_network_policy_lets_in_exactly_its_named_peers(rendered):
    objs, _ = rendered
    policies = of_kind(objs, "NetworkPolicy")
    assert sorted(policies) == sorted(SERVICES)
    for name, pol in policies.items():
        spec = pol["spec"]
        assert spec["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": name}}
        assert spec["policyTypes"] == ["Ingress"]
        pods, blocks, namespaces = [], [], []
        for rule in spec["ingress"]:
            ports = [p["port"] for p in rule["ports"]]
            for peer in rule["from"]:
                assert len(peer) == 1, peer           # no peer both pod- and namespace-selected
                if "podSelector" in peer:
                    pods.append(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
                    assert ports == list(BUS_PORTS[name]), (name, rule)
                elif "ipBlock" in peer:
                    blocks.append((peer["ipBlock"]["cidr"], ports))
                else:
                    namespaces.append(peer["namespaceSelector"]["matchLabels"])
                    assert ports == [HTTP_PORT]
        assert sorted(pods) == clients_of(name), name
        assert blocks == INTEGRATORS.get(name, []), name
        assert namespaces == ([{"kubernetes.io/metadata.name": "ingress-nginx"}]
                              if name == "gateway" else []), name
