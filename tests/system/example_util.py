"""Runs the integrators' C example client (docs/examples/bus_example.c, built as
build/bin/bus_example) as an integrator would: a separate process with its own key directory,
optionally inside a network namespace (the multi-host test's integrator and stranger hosts)."""
import os
import subprocess

from lumbung import BIN

EXAMPLE_C = os.path.join(BIN, "bus_example")


def run_c_example(keys, me, service, router, command, *extra, stdin=None, netns=None, timeout=120):
    """(exit code, stdout lines, stderr) of one run of the C example."""
    argv = [EXAMPLE_C, "--keys", keys, "--me", me, "--service", service, "--router", router,
            command, *[str(x) for x in extra]]
    if netns:
        argv = ["ip", "netns", "exec", netns, *argv]
    out = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    return out.returncode, out.stdout.splitlines(), out.stderr


def deposit_lines(postings):
    """The example's stdin for deposit-batch: one "MEMBER_ID AMOUNT_SEN" a line."""
    return "".join("%d %d\n" % (m, sen) for m, sen in postings)
