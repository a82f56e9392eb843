"""Who connects to whom on the bus: each client service and the services it connects to
(docs/operations.md, "Lay out hosts"). The multi-host test distributes keys by it; the
Kubernetes test checks that each NetworkPolicy lets in exactly these clients, and
deploy/k8s/make-keys.sh writes the same pairs."""

CLIENTS = {
    "gateway": ["members", "transactions", "reporting"],
    "reporting": ["members", "transactions"],
    "transactions": ["members"],
}
BUS_PORTS = {"members": (7100, 7101), "transactions": (7110, 7111), "reporting": (7120, 7121)}
HTTP_PORT = 8080


def clients_of(server):
    """The services that connect to `server`, sorted."""
    return sorted(c for c, servers in CLIENTS.items() if server in servers)
