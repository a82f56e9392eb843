"""deploy/k8s as kubectl renders it (`kubectl kustomize`, Debian's kubernetes-client installed
by `make deps`): the example district's overlay, two transactions shards, with keys made by
deploy/k8s/make-keys.sh into a copy of the tree, gives a StatefulSet per service and per shard
with its own volume (each shard told its number, its store where its name says), Secrets that
exist for every reference and hold complete key directories (each service's and shard's
allow.list admitting exactly its clients), the number of shards and every shard's endpoints in
the ConfigMap the services read, the shard map in a ConfigMap mounted at LUMBUNG_SHARD_MAP in
every pod and read by lumbungctl as the services read it, headless Services (each selecting
its own pods only) and container ports equal to the ports of the endpoints, and a
NetworkPolicy per service whose peers are exactly its clients (plus the overlay's integrator
address), the transactions policy covering every shard."""
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

import pytest
import yaml

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import BIN, ROOT, shard_name  # noqa: E402
from topology import BUS_PORTS, HTTP_PORT, clients_of  # noqa: E402

SHARDS = 2
TX = [shard_name(k) for k in range(SHARDS)]              # transactions, transactions-1
SERVICES = ["members", "transactions", "reporting", "gateway"]
WORKLOADS = ["members", *TX, "reporting", "gateway"]    # a StatefulSet, Service, Secret each
OVERLAY = "overlays/sukamaju"
INTEGRATORS = {"transactions": [("203.0.113.7/32", [7110])]}
SHARD_LABEL = "lumbung.id/shard"


def service_of(workload):
    return "transactions" if workload in TX else workload


def names_of(service):
    """The workloads of a service: every shard for transactions."""
    return TX if service == "transactions" else [service]


def clients_of_workload(workload):
    return sorted(n for c in clients_of(service_of(workload)) for n in names_of(c))


def servers_of_workload(workload):
    return sorted(n for s in BUS_PORTS if service_of(workload) in clients_of(s) for n in names_of(s))


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


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def test_every_service_and_shard_is_a_statefulset_with_its_own_volume_in_the_namespace(rendered):
    objs, _ = rendered
    sets = of_kind(objs, "StatefulSet")
    assert sorted(sets) == sorted(WORKLOADS)
    assert {o["metadata"].get("namespace") for o in objs.values()} == {"lumbung-sukamaju"}
    for name, sts in sets.items():
        spec = sts["spec"]
        (claim,) = spec["volumeClaimTemplates"]
        assert claim["metadata"]["name"] == "store"
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        mounts = {m["name"]: m for m in container(sts)["volumeMounts"]}
        # the store where the service (a shard: its name) looks for it
        assert mounts["store"]["mountPath"] == "%s/%s" % (config(objs)["LUMBUNG_DATA"], name)
        assert mounts["keys"]["mountPath"] == config(objs)["LUMBUNG_KEYS"]
        assert mounts["keys"]["readOnly"] is True
        assert container(sts)["command"] == ["lumbung-" + service_of(name)]
        assert container(sts)["image"] == "lumbung:2026.12"
        assert spec["serviceName"] == name and spec["replicas"] == 1
        labels = spec["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == service_of(name)
        assert selects(spec["selector"]["matchLabels"], labels)
        for other, o in sets.items():          # no StatefulSet adopts another's pods
            if other != name:
                assert not selects(spec["selector"]["matchLabels"],
                                   o["spec"]["template"]["metadata"]["labels"]), (name, other)
    for k, name in enumerate(TX):
        env = {e["name"]: e["value"] for e in container(sets[name]).get("env", [])}
        assert env == {"LUMBUNG_TRANSACTIONS_SHARD": str(k)}, name
        assert sets[name]["spec"]["template"]["metadata"]["labels"][SHARD_LABEL] == str(k)
        storage = sets[name]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]
        assert storage["requests"]["storage"] == "50Gi"      # the overlay's patch, every shard


def test_secrets_referenced_exist_and_hold_each_services_and_shards_key_directory(rendered):
    objs, overlay = rendered
    secrets = of_kind(objs, "Secret")
    for name, sts in of_kind(objs, "StatefulSet").items():
        refs = [v["secret"]["secretName"] for v in sts["spec"]["template"]["spec"]["volumes"]
                if "secret" in v]
        assert refs == ["lumbung-keys-" + name]
        data = secrets["lumbung-keys-" + name]["data"]
        servers = servers_of_workload(name)
        assert sorted(data) == sorted(["%s.key" % name, "%s.pub" % name, "allow.list"] +
                                      ["%s.pub" % s for s in servers])
        files = {k: base64.b64decode(v).decode() for k, v in data.items()}
        with open(os.path.join(overlay, "keys", name, name + ".key")) as f:
            assert files[name + ".key"] == f.read()
        admitted = sorted(line.split()[0] for line in files["allow.list"].splitlines())
        assert admitted == sorted([name] + clients_of_workload(name))
        assert all(line.split()[1] == "service" for line in files["allow.list"].splitlines())
        for server in servers:                  # the public key the server really has
            with open(os.path.join(overlay, "keys", server, server + ".pub")) as f:
                assert files[server + ".pub"] == f.read()
    assert sorted(secrets) == sorted("lumbung-keys-" + s for s in WORKLOADS)
    tx_keys = [base64.b64decode(secrets["lumbung-keys-" + t]["data"][t + ".key"]) for t in TX]
    assert len(set(tx_keys)) == SHARDS                   # every shard its own secret key
    assert of_kind(objs, "ConfigMap").keys() == {"lumbung-config", "lumbung-shard-map"}
    for sts in of_kind(objs, "StatefulSet").values():
        (source,) = container(sts)["envFrom"]
        assert source == {"configMapRef": {"name": "lumbung-config"}}


def test_the_shard_map_is_mounted_where_the_services_read_it_and_agrees_with_the_config(rendered):
    objs, overlay = rendered
    cfg = config(objs)
    assert cfg["LUMBUNG_TRANSACTIONS_SHARDS"] == str(SHARDS)
    where = cfg["LUMBUNG_SHARD_MAP"]
    data = objs[("ConfigMap", "lumbung-shard-map")]["data"]
    assert list(data) == [os.path.basename(where)]
    with open(os.path.join(overlay, "shard.map")) as f:
        assert data[os.path.basename(where)] == f.read()
    for name, sts in of_kind(objs, "StatefulSet").items():
        pod = sts["spec"]["template"]["spec"]
        (vol,) = [v for v in pod["volumes"] if v.get("configMap", {}).get("name") == "lumbung-shard-map"]
        (mount,) = [m for m in container(sts)["volumeMounts"] if m["name"] == vol["name"]]
        assert (mount["mountPath"], mount["readOnly"]) == (os.path.dirname(where), True), name
    # lumbungctl reads the rendered map and settings as a service in the pod would: two
    # shards, and the shard that owns a cooperative by the map's rule.
    tmp = tempfile.mkdtemp(prefix="lumbung-k8s-map-")
    try:
        path = os.path.join(tmp, "shard.map")
        with open(path, "w") as f:
            f.write(data[os.path.basename(where)])
        env = {k: v for k, v in os.environ.items() if not k.startswith("LUMBUNG_")}
        env.update(cfg, LUMBUNG_SHARD_MAP=path, LUMBUNG_DATA=tmp, LUMBUNG_KEYS=tmp)
        def shard_of(coop):
            r = subprocess.run([os.path.join(BIN, "lumbungctl"), "shard-of", coop], env=env,
                               capture_output=True, text=True, timeout=30)
            return r.returncode, r.stdout, r.stderr
        assert shard_of("7") == (0, "cooperative 7 lives on shard 1 (transactions-1) of 2\n", "")
        assert shard_of("8") == (0, "cooperative 8 lives on shard 0 (transactions) of 2\n", "")
        assert shard_of("7x") == (2, "", "lumbungctl: shard-of: '7x' is not a cooperative id\n")
    finally:
        shutil.rmtree(tmp)


def endpoint_ports(objs, name):
    cfg = config(objs)
    prefix = "LUMBUNG_%s_" % name.upper().replace("-", "_")
    urls = [urlparse(cfg[prefix + kind]) for kind in ("ROUTER", "PUB")]
    assert [u.hostname for u in urls] == ["%s-0.%s" % (name, name)] * 2   # the pod's DNS name
    return [u.port for u in urls]


def test_ports_match_the_config_the_services_read(rendered):
    objs, _ = rendered
    assert config(objs)["LUMBUNG_BIND_HOST"] == "0.0.0.0"
    services = of_kind(objs, "Service")
    assert sorted(services) == sorted(WORKLOADS)
    sets = of_kind(objs, "StatefulSet")
    for name in WORKLOADS:
        service = service_of(name)
        want = endpoint_ports(objs, name) if service in BUS_PORTS else [int(config(objs)["LUMBUNG_HTTP_PORT"])]
        # every shard listens on transactions' ports in its own pod
        assert want == (list(BUS_PORTS[service]) if service in BUS_PORTS else [HTTP_PORT])
        assert [p["containerPort"] for p in container(sets[name])["ports"]] == want
        svc = services[name]["spec"]
        assert svc["clusterIP"] == "None"
        assert [(p["port"], p["targetPort"]) for p in svc["ports"]] == [(p, p) for p in want]
        # the Service selects its own StatefulSet's pods and no other's
        picked = [n for n, o in sets.items()
                  if selects(svc["selector"], o["spec"]["template"]["metadata"]["labels"])]
        assert picked == [name], (name, svc["selector"])
    # a pair of endpoints for every shard, none for a shard that does not exist
    assert sorted(k for k in config(objs) if re.fullmatch(r"LUMBUNG_TRANSACTIONS(_\d+)?_(ROUTER|PUB)", k)) == \
        sorted("LUMBUNG_%s_%s" % (t.upper().replace("-", "_"), kind) for t in TX for kind in ("ROUTER", "PUB"))


def test_each_network_policy_lets_in_exactly_its_named_peers_on_every_shard(rendered):
    objs, _ = rendered
    policies = of_kind(objs, "NetworkPolicy")
    assert sorted(policies) == sorted(SERVICES)
    sets = of_kind(objs, "StatefulSet")
    for name, pol in policies.items():
        spec = pol["spec"]
        assert spec["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": name}}
        covered = [n for n, o in sets.items()
                   if selects(spec["podSelector"]["matchLabels"], o["spec"]["template"]["metadata"]["labels"])]
        assert covered == names_of(name), name           # transactions: every shard's pods
        assert spec["policyTypes"] == ["Ingress"]
        pods, blocks, namespaces = [], [], []
        for rule in spec["ingress"]:
            ports = [p["port"] for p in rule["ports"]]
            for peer in rule["from"]:
                assert len(peer) == 1, peer           # no peer both pod- and namespace-selected
                if "podSelector" in peer:
                    selector = peer["podSelector"]["matchLabels"]
                    pods += [n for n, o in sets.items()
                             if selects(selector, o["spec"]["template"]["metadata"]["labels"])]
                    assert ports == list(BUS_PORTS[name]), (name, rule)
                elif "ipBlock" in peer:
                    blocks.append((peer["ipBlock"]["cidr"], ports))
                else:
                    namespaces.append(peer["namespaceSelector"]["matchLabels"])
                    assert ports == [HTTP_PORT]
        # every client pod, and of a sharded client (transactions, of members) every shard's
        assert sorted(pods) == sorted(n for c in clients_of(name) for n in names_of(c)), name
        assert blocks == INTEGRATORS.get(name, []), name
        assert namespaces == ([{"kubernetes.io/metadata.name": "ingress-nginx"}]
                              if name == "gateway" else []), name
