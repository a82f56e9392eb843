"""docs/examples/bus_example.c, the integrators' C example, run as an integrator would run it
against real members and transactions services over CURVE with its own scoped key: a batch of
deposits for its cooperative (each posting's result printed, one refused by a business rule),
the same batch again under the same idempotency key (the stored reply, nothing posted twice),
the same key with another body (conflict), another cooperative (typed refusal); then it
follows the transactions stream from a cursor, stored in a file, and sees exactly its own
cooperative's entries. (test_bus_example.py checks that docs/bus.md shows it verbatim.)"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from example_util import deposit_lines, run_c_example  # noqa: E402
from lumbung import Cluster  # noqa: E402
from tx_util import Coop, assert_books_balance  # noqa: E402


def test_c_example_posts_a_batch_idempotently_and_follows_from_a_cursor():
    c = Cluster(services=["members", "transactions"])
    try:
        c.start()
        mine = Coop(c, "KSP Bank Contoh", serial_base=100)
        a, b = mine.member(), mine.member()
        other = Coop(c, "KSP Lain", serial_base=200)
        o = other.member()
        c.ctl("keys", "add", "bank-c", "integrator", "--cooperatives", str(mine.id),
              "--operations", "deposit,post_batch")
        keys = os.path.join(c.data_dir, "keys")
        router = c.endpoint("transactions", "router")

        def run(command, *extra, stdin=None):
            return run_c_example(keys, "bank-c", "transactions", router, command, *extra, stdin=stdin)

        # The members' accounts are opened by transactions' members follower, asynchronously:
        # wait until it has applied both cooperatives, so the head taken below is the head
        # before the batch (and not before the accounts_opened events).
        mine.trial_balance()
        other.trial_balance()
        rc, out, err = run("ping")
        assert (rc, out) == (0, ["transactions: head_seq %s" % out[0].split()[-1]]), err
        head_before = int(out[0].split()[-1])

        batch = deposit_lines([(a, 1500050), (b, 250000), (999999, 1000), (a, 49950)])
        args = ("--cooperative", mine.id, "--key", "bank-c:2026-12-02:001",
                "--value-date", "2025-02-01", "--after-members-seq", max(mine.seq, other.seq))
        rc, first, err = run("deposit-batch", *args, stdin=batch)
        assert rc == 4, err                                  # one posting failed
        assert len(first) == 5, first
        assert first[0].startswith("posting 0: ok entry ") and first[0].endswith(" balance 1500050")
        assert first[1].startswith("posting 1: ok entry ") and first[1].endswith(" balance 250000")
        assert first[2] == ("posting 2: error ERROR_KIND_NOT_FOUND member_not_found field "
                            "postings[2].member_id: member 999999 is not known to the "
                            "transactions service")
        assert first[3].startswith("posting 3: ok entry ") and first[3].endswith(" balance 1550000")
        assert first[4].startswith("bank-c:2026-12-02:001: 3 posted, 1 failed, event_seq ")

        rc, again, err = run("deposit-batch", *args, stdin=batch)   # a retry: the stored reply
        assert (rc, again) == (4, first), err
        assert mine.balance(a) == 1550000 and mine.balance(b) == 250000

        rc, out, err = run("deposit-batch", *args, stdin=deposit_lines([(a, 1)]))
        assert rc == 3 and out[0].startswith(
            "bank-c:2026-12-02:001: error ERROR_KIND_CONFLICT idempotency_key_reused field "
            "idempotency_key: "), (out, err)

        rc, out, err = run("deposit-batch", "--cooperative", other.id, "--key", "bank-c:other:1",
                           stdin=deposit_lines([(o, 5000)]))
        assert rc == 3 and out[0].startswith(
            "bank-c:other:1: error ERROR_KIND_FORBIDDEN cooperative_not_allowed field "
            "cooperative_id: "), (out, err)
        assert other.balance(o) == 0

        # Follow from the cursor taken before the batch: exactly the batch's three entries.
        cursor_file = os.path.join(c.tmp, "bank-c.cursor")
        with open(cursor_file, "w") as f:
            f.write("%d\n" % head_before)
        rc, events, err = run("follow", "--cursor-file", cursor_file, "--until-head")
        assert rc == 0, err
        entries = [x.split() for x in events if x.startswith("  entry ")]
        assert [(e[3], e[5], e[7]) for e in entries] == [
            (str(mine.id), str(a), "+1500050"), (str(mine.id), str(b), "+250000"),
            (str(mine.id), str(a), "+49950")], events
        assert all(x.endswith(" by bank-c") for x in events if x.startswith("event ")), events
        head = int(events[-1].split()[-1])
        assert events[-1] == "cursor %d head %d" % (head, head)
        with open(cursor_file) as f:
            assert int(f.read()) == head
        rc, events, err = run("follow", "--cursor-file", cursor_file, "--until-head")
        assert (rc, events) == (0, ["cursor %d head %d" % (head, head)]), err   # nothing twice
        assert_books_balance(mine)
    finally:
        c.stop()

