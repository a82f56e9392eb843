"""netns — test hosts on one machine: one Linux network namespace per host, each with one
interface (eth0) plugged into a bridge that lives in a namespace of its own (the "switch"), so
nothing of the machine's own network is touched and concurrent runs cannot meet: every name
carries this process's pid and a random tag, and every run has its own switch.

    net = Network(["members", "gateway", ...])   # raises NetworkUnavailable with the reason
    net.addr("members")                          # "198.18.N.11"
    net.argv("members", [...])                   # argv that runs a program on that host
    with net.inside("gateway"):                  # sockets made in here belong to that host
        ...
    net.unplug("reporting"); net.plug("reporting")   # its switch port down / up
    net.destroy()                                # always (also removes namespaces left by
                                                 # dead runs of this module)

Addresses come from 198.18.0.0/15, the range set aside for network tests (RFC 2544); they
exist only inside these namespaces. Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2.
"""
import ctypes
import os
import random
import re
import shutil
import subprocess
from contextlib import contextmanager

CLONE_NEWNET = 0x40000000
PREFIX = "lbmh"
_libc = ctypes.CDLL(None, use_errno=True)


class NetworkUnavailable(RuntimeError):
    """The namespaces could not be made here; the message says why."""


def _ip(*args, check=True):
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise NetworkUnavailable("ip %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def _remove_stale():
    """Namespaces of earlier runs whose process is gone (killed before its clean-up)."""
    r = _ip("netns", "list", check=False)
    for line in r.stdout.splitlines():
        m = re.match(r"(%s(\d+)x[0-9a-f]+-\S+)" % PREFIX, line)
        if m and not os.path.exists("/proc/%s" % m.group(2)):
            _ip("netns", "del", m.group(1), check=False)


def _setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns(%s): %s" % (path, os.strerror(e)))
    finally:
        os.close(fd)


class Network:
    def __init__(self, hosts):
        if os.geteuid() != 0:
            raise NetworkUnavailable("network namespaces need root (running as uid %d)" % os.geteuid())
        if not shutil.which("ip"):
            raise NetworkUnavailable("iproute2's `ip` is not installed")
        _remove_stale()
        self.tag = "%s%dx%04x" % (PREFIX, os.getpid(), random.getrandbits(16))
        self.subnet = "198.%d.%d" % (18 + random.getrandbits(1), random.randrange(1, 255))
        self.hosts = list(hosts)
        self.made = []
        try:
            self._build()
        except BaseException:
            self.destroy()
            raise

    def ns(self, host):
        return "%s-%s" % (self.tag, host)

    def addr(self, host):
        return "%s.%d" % (self.subnet, 11 + self.hosts.index(host))

    def _port(self, host):
        return "p%d" % self.hosts.index(host)        # the host's port on the switch

    def _build(self):
        switch = self.ns("switch")
        _ip("netns", "add", switch)
        self.made.append(switch)
        _ip("-n", switch, "link", "add", "br0", "type", "bridge")
        _ip("-n", switch, "link", "set", "br0", "up")
        for host in self.hosts:
            ns = self.ns(host)
            _ip("netns", "add", ns)
            self.made.append(ns)
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", switch, "link", "add", self._port(host), "type", "veth",
                "peer", "name", "eth0", "netns", ns)
            _ip("-n", switch, "link", "set", self._port(host), "master", "br0", "up")
            _ip("-n", ns, "addr", "add", self.addr(host) + "/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")

    def argv(self, host, argv):
        return ["ip", "netns", "exec", self.ns(host), *argv]

    @contextmanager
    def inside(self, host):
        """This thread in the host's namespace: sockets made here (and the threads started
        here, such as a new ZeroMQ context's I/O thread) stay on that host."""
        back = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            _setns("/var/run/netns/" + self.ns(host))
            yield
        finally:
            try:
                if _libc.setns(back, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back to the test's own namespace")
            finally:
                os.close(back)

    def unplug(self, host):
        _ip("-n", self.ns("switch"), "link", "set", self._port(host), "down")

    def plug(self, host):
        _ip("-n", self.ns("switch"), "link", "set", self._port(host), "up")

    def destroy(self):
        for ns in reversed(self.made):
            _ip("netns", "del", ns, check=False)
        self.made = []
