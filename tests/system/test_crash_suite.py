"""The crash suite: a district under steady mixed load — deposits, withdrawals, loan repayments
and batches through the gateway (HTTP) and through the bus (an integrator key), a close-day and
a member import — while a random service is SIGKILLed every few seconds and `make run`'s
supervisor (deploy/run-local.sh) restarts it. LUMBUNG_CRASH_KILLS kills (10 in `make test`,
100 in `make test-long`).

The load client logs every acknowledged request (crash-acks.jsonl in the district's directory)
and retries everything else with its idempotency key until it is acknowledged. At the end:
- each cooperative's journal is exactly the acknowledged postings, each once (nothing lost,
  nothing doubled, nothing unacknowledged half-applied);
- every member's savings and every loan's payments are what the acknowledged requests say,
  and cash equals the opening cash + deposits - withdrawals - disbursements + repayments, to
  the sen;
- every cooperative's ledger balances, and reporting's trial balance, taken at the
  transactions head sequence, equals the ledger account by account;
- the import ran exactly once per row (each NIK once), the close-day once.
Figures of each run are appended to $BUILD/test-logs/crash-suite.log (docs/reliability.md)."""
import collections
import datetime
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from crash_load import AckLog, BusLoad, HttpLoad, Supervised, jakarta_today  # noqa: E402
from lumbung import BUILD  # noqa: E402
from members_util import CSV_HEADER, csv_rows, nik  # noqa: E402

KILLS = int(os.environ.get("LUMBUNG_CRASH_KILLS", "10"))
KILL_GAP_S = (1.5, 3.0)          # between kills ("every few seconds")
SEED = int(os.environ.get("LUMBUNG_CRASH_SEED", "13"))
IMPORT_ROWS = 150
MEMBERS = 6                      # per cooperative: 0-2 HTTP savings, 3 a loan, 4-5 the bus
FUNDING_SEN = 50_000_000_00      # cash in hand before any payout
LOAN_PRINCIPAL = "20000000"
REPAID_MAX_SEN = 10_000_000_00   # well inside the loan's schedule: never an overpayment
BIRTH = datetime.date(1983, 6, 9)
INTEGRATOR = "crash-load"


def money(sen):
    return "%s%d.%02d" % ("-" if sen < 0 else "", abs(sen) // 100, abs(sen) % 100)


def sen(text):
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v


class World:
    """What the acknowledged requests say the books must hold, per cooperative."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = collections.defaultdict(list)    # coop -> acknowledged entry ids
        self.savings = collections.defaultdict(int)     # (coop, member) -> voluntary sen
        self.cash = collections.defaultdict(int)        # coop -> Kas sen
        self.repaid = collections.defaultdict(int)      # loan -> sen

    def posted(self, coop, entry_id, member=None, delta=0, cash=None):
        with self.lock:
            self.entries[coop].append(str(entry_id))
            if member is not None:
                self.savings[(coop, member)] += delta
            self.cash[coop] += delta if cash is None else cash


class Coop:
    def __init__(self, h, world, name, serial):
        self.h, self.world, self.serial = h, world, serial
        r = h.post("/api/v1/cooperatives",
                   {"name": name, "type": "savings_loan", "group": "women", "district": "Coblong",
                    "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}},
                   key="coop-%d" % serial, what="create_cooperative")
        self.id = r["id"]
        self.base = "/api/v1/cooperatives/%s" % self.id
        self.members = [self.member() for _ in range(MEMBERS)]
        self.loan = None

    def member(self):
        self.serial += 1
        body = {"nik": nik(BIRTH, True, self.serial), "name": "Ibu Kuat %d" % self.serial,
                "sex": "female", "birth_date": BIRTH.isoformat(), "address": "Desa Tangguh",
                "phone": "0813-5555-%04d" % self.serial, "joined_on": "2025-01-02"}
        return self.h.post(self.base + "/members", body, key="mem-%d" % self.serial,
                           what="create_member")["id"]

    def open_books(self, h, cash_sen):
        """The cooperative's own cash from its paper books (opening entry, the first of its
        books): what members withdraw is their own money, so Kas never runs short of it."""
        r = h.post(self.base + "/opening-balances",
                   {"value_date": (jakarta_today() - datetime.timedelta(days=30)).isoformat(),
                    "memo": "Saldo awal", "lines": [{"account": "1-101", "debit": money(cash_sen)},
                                                    {"account": "3-301", "credit": money(cash_sen)}]},
                   key="opening-%s" % self.id, what="opening")
        self.world.posted(self.id, r["id"], cash=cash_sen)

    def deposit(self, h, member, amount_sen, key):
        r = h.post(self.base + "/deposits",
                   {"member_id": member, "kind": "voluntary", "amount": money(amount_sen),
                    "value_date": jakarta_today().isoformat()}, key=key, what="deposit")
        self.world.posted(self.id, r["entry_id"], member, amount_sen)

    def withdraw(self, h, member, amount_sen, key):
        r = h.post(self.base + "/withdrawals",
                   {"member_id": member, "kind": "voluntary", "amount": money(amount_sen),
                    "value_date": jakarta_today().isoformat()}, key=key, what="withdraw")
        self.world.posted(self.id, r["entry_id"], member, -amount_sen)

    def open_loan(self, h):
        today = jakarta_today()
        r = h.post(self.base + "/loans",
                   {"member_id": self.members[3], "principal": LOAN_PRINCIPAL, "annual_rate": "12",
                    "instalments": 12, "frequency": "monthly", "method": "flat",
                    "first_due_on": (today + datetime.timedelta(days=30)).isoformat(),
                    "applied_on": today.isoformat()}, key="loan-%s" % self.id, what="create_loan")
        self.loan = r["id"]
        d = h.post(self.base + "/loans/%s/disburse" % self.loan, {"value_date": today.isoformat()},
                   key="disburse-%s" % self.id, what="disburse")
        self.world.posted(self.id, d["entry"]["id"], cash=-sen(LOAN_PRINCIPAL))

    def repay(self, h, amount_sen, key):
        r = h.post(self.base + "/loans/%s/repayments" % self.loan,
                   {"amount": money(amount_sen), "value_date": jakarta_today().isoformat()},
                   key=key, what="repay")
        self.world.posted(self.id, r["entry"]["id"], cash=amount_sen)
        with self.world.lock:
            self.world.repaid[self.loan] += amount_sen

    def http_batch(self, h, moves, key):
        """moves: [(member, signed sen)]; every posting must succeed."""
        today = jakarta_today().isoformat()
        postings = [{("deposit" if d > 0 else "withdraw"):
                     {"member_id": m, "kind": "voluntary", "amount": money(abs(d)), "value_date": today}}
                    for m, d in moves]
        r = h.post(self.base + "/batch", {"postings": postings}, key=key, what="batch")
        assert (r.get("posted"), r.get("failed", 0)) == (len(moves), 0), r
        for (m, d), res in zip(moves, r["results"]):
            self.world.posted(self.id, res["entry_id"], m, d)


class Worker(threading.Thread):
    """Mixed load on members it alone moves, so it knows their balances exactly."""

    def __init__(self, name, stop, failures, seed):
        super().__init__(name=name, daemon=True)
        self.stop, self.failures, self.rnd, self.ops = stop, failures, random.Random(seed), 0
        self.balance = collections.defaultdict(int)

    def run(self):
        try:
            while not self.stop.is_set():
                self.step()
                self.ops += 1
        except BaseException as e:  # noqa: BLE001 — reported by the test
            self.failures.append("%s: %r" % (self.name, e))

    def key(self):
        return "%s-%d" % (self.name, self.ops)

    def pick_withdrawal(self, members):
        m = self.rnd.choice(members)
        if self.balance[m] < 200_00:
            return m, 0
        return m, self.rnd.randrange(100, self.balance[m] // 3)


class HttpWorker(Worker):
    def __init__(self, coop, h, stop, failures, seed):
        super().__init__("http-%s" % coop.id, stop, failures, seed)
        self.coop, self.h, self.mine = coop, h, coop.members[:3]

    def step(self):
        c, x = self.coop, self.rnd.random()
        if x < 0.45:
            m, amount = self.rnd.choice(self.mine), self.rnd.randrange(1000_00, 500_000_00)
            c.deposit(self.h, m, amount, self.key())
            self.balance[m] += amount
        elif x < 0.65:
            m, amount = self.pick_withdrawal(self.mine)
            if amount:
                c.withdraw(self.h, m, amount, self.key())
                self.balance[m] -= amount
        elif x < 0.85:
            amount = self.rnd.randrange(1000_00, 5000_00)
            if c.world.repaid[c.loan] + amount <= REPAID_MAX_SEN:
                c.repay(self.h, amount, self.key())
        else:
            moves = []
            for _ in range(self.rnd.randrange(3, 9)):
                m, amount = self.pick_withdrawal(self.mine)
                d = -amount if amount and self.rnd.random() < 0.3 else self.rnd.randrange(100, 90_000_00)
                moves.append((m, d))
                self.balance[m] += d
            c.http_batch(self.h, moves, self.key())


class BusWorker(Worker):
    """An integrator on the bus: single deposits and withdrawals, and batches."""

    def __init__(self, coops, b, stop, failures, seed):
        super().__init__("bus", stop, failures, seed)
        self.b, self.targets = b, [(c, m) for c in coops for m in c.members[4:]]

    def step(self):
        c, m = self.rnd.choice(self.targets)
        x, today = self.rnd.random(), jakarta_today().isoformat()
        if x < 0.7:
            amount = self.rnd.randrange(100, 300_000_00)
            op = "deposit"
            if x > 0.5 and self.balance[(c.id, m)] > 200_00:
                op, amount = "withdraw", self.rnd.randrange(100, self.balance[(c.id, m)] // 3)
            d = amount if op == "deposit" else -amount
            res = self.b.call(op, {"cooperative_id": c.id, "member_id": m,
                                   "kind": "SAVINGS_KIND_VOLUNTARY", "amount_sen": str(amount),
                                   "value_date": today}, key=self.key(), what=op, coop=c.id)
            c.world.posted(c.id, res.entry_id, m, d)
            self.balance[(c.id, m)] += d
            return
        amounts = [self.rnd.randrange(100, 50_000_00) for _ in range(self.rnd.randrange(5, 40))]
        postings = [{"deposit": {"member_id": m, "kind": "SAVINGS_KIND_VOLUNTARY",
                                 "amount_sen": str(a), "value_date": today}} for a in amounts]
        res = self.b.call("post_batch", {"cooperative_id": c.id, "postings": postings},
                          key=self.key(), what="batch", coop=c.id)
        assert (res.posted, res.failed) == (len(amounts), 0), res
        for a, r in zip(amounts, res.results):
            assert r.ok, r
            c.world.posted(c.id, r.entry_id, m, a)
        self.balance[(c.id, m)] += sum(amounts)


def close_yesterday(coop, h, world):
    """A close-day under load, for yesterday: today's postings stay after the closed day."""
    day = (jakarta_today() - datetime.timedelta(days=1)).isoformat()
    r = h.post(coop.base + "/close-day", {"business_date": day}, key="close-%s" % coop.id,
               what="close_day")
    if r["allowance_entry_id"] not in ("", "0"):
        world.posted(coop.id, r["allowance_entry_id"], cash=0)
    return r


def import_members(coop, h):
    rows = [line for _, line in csv_rows(IMPORT_ROWS, start_serial=5000, seed=SEED)]
    data = (CSV_HEADER + "\r\n" + "\r\n".join(rows) + "\r\n").encode()
    r = h.post(coop.base + "/members/import", None, key="import-%s" % coop.id, what="import",
               raw=data, headers={"Content-Type": "text/csv"})
    return r["job_id"], [line.split(",")[0] for line in rows]


def all_pages(h, path):
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        page = h.get(path + sep + "limit=500" + ("&cursor=" + cursor if cursor else ""))
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def test_random_kills_under_mixed_load_lose_and_double_nothing():
    started = time.time()
    rnd = random.Random(SEED)
    d = Supervised(extra_env={"LUMBUNG_GATEWAY_TIMEOUT_MS": "3000",
                              "LUMBUNG_GATEWAY_LONG_TIMEOUT_MS": "8000"},
                   integrators=[INTEGRATOR])
    acks = AckLog(os.path.join(d.tmp, "crash-acks.jsonl"))
    clean_stop = False
    try:
        d.start()
        h = HttpLoad(d, acks, d.admin_token())
        world = World()
        coops = [Coop(h, world, "KSP Tahan Banting %s" % n, serial) for n, serial in (("A", 100), ("B", 200))]
        for c in coops:                     # cash in hand, then the loan paid out of it
            c.open_books(h, FUNDING_SEN)
            c.deposit(h, c.members[0], FUNDING_SEN, "fund-%s" % c.id)
            for m in c.members[1:]:         # transactions knows every member before the bus
                c.deposit(h, m, 10_000_00, "first-%s" % m)
            c.open_loan(h)
        stop, failures = threading.Event(), []
        bus = BusLoad(d, acks, INTEGRATOR)
        workers = [HttpWorker(c, HttpLoad(d, acks, d.admin_token()), stop, failures, SEED + i)
                   for i, c in enumerate(coops)]
        workers.append(BusWorker(coops, bus, stop, failures, SEED + 9))
        for c, w in zip(coops, workers):    # balances the workers start from
            for m in w.mine:
                w.balance[m] = world.savings[(c.id, m)]
        for c in coops:
            for m in c.members[4:]:
                workers[-1].balance[(c.id, m)] = world.savings[(c.id, m)]
        for w in workers:
            w.start()

        load_started, kills, killed = time.time(), 0, collections.Counter()
        closed = job = None
        while kills < KILLS and not failures:
            time.sleep(rnd.uniform(*KILL_GAP_S))
            killed[d.kill_random(rnd)] += 1
            kills += 1
            if kills == max(1, KILLS // 3):      # one-offs in the middle of the kills
                side = HttpLoad(d, acks, d.admin_token())
                closed = close_yesterday(coops[0], side, world)
                job = import_members(coops[1], side)
        d.wait_ready()
        time.sleep(1.0)                          # load on the recovered district, too
        stop.set()
        for w in workers:
            w.join(120)
        assert not failures, "\n".join(failures)
        assert not any(w.is_alive() for w in workers)
        load_s = time.time() - load_started
        assert closed is not None and job is not None

        # The supervisor saw each kill and restarted each service.
        log = d.log()
        assert log.count("killed by signal 9 (KILL)") == KILLS, log[-3000:]
        assert "giving up" not in log
        for svc, n in killed.items():
            assert d.starts(svc) == n + 1, (svc, n, log[-3000:])
        d.wait_ready()

        h = HttpLoad(d, acks, d.admin_token())
        for c in coops:
            entries = all_pages(h, c.base + "/journal")
            ids = [e["id"] for e in entries]
            acked = world.entries[c.id]
            assert len(acked) == len(set(acked)), "one entry acknowledged for two requests"
            assert len(ids) == len(set(ids))
            assert set(ids) == set(acked), (
                "lost: %s; not acknowledged: %s" % (sorted(set(acked) - set(ids))[:20],
                                                    sorted(set(ids) - set(acked))[:20]))
            for m in c.members:
                acc = h.get(c.base + "/members/%s/accounts" % m)
                vol = {i["kind"]: i["balance"] for i in acc["items"]}["voluntary"]
                assert sen(vol) == world.savings[(c.id, m)], (c.id, m, vol)
            loan = h.get(c.base + "/loans/%s" % c.loan)
            paid = sen(loan["principal_paid"]) + sen(loan["interest_paid"]) + sen(loan["late_fee_paid"])
            assert paid == world.repaid[c.loan]
            tb = h.get(c.base + "/trial-balance")
            assert tb["balanced"] and tb["total_debit"] == tb["total_credit"], tb
            chart = {a["code"]: a for a in tb["items"]}
            assert sen(chart["1-101"]["balance"]) == world.cash[c.id]

        # Reporting equals the ledger at the same sequence.
        head = bus.head_seq()
        today = jakarta_today().isoformat()
        for c in coops:
            tb = h.get(c.base + "/trial-balance")
            deadline = time.time() + 60
            while True:
                rep = h.get(c.base + "/reports/trial-balance?as_of=" + today)
                if int(rep["as_of_seq"]) >= head or time.time() > deadline:
                    break
                time.sleep(0.2)
            assert int(rep["as_of_seq"]) == head, (rep["as_of_seq"], head)
            view = lambda items: sorted((a["code"], a["debit_total"], a["credit_total"], a["balance"])
                                        for a in items)
            assert view(rep["items"]) == view(tb["items"])
            assert (rep["total_debit"], rep["total_credit"], rep["balanced"]) == \
                   (tb["total_debit"], tb["total_credit"], True)
            sheet = h.get(c.base + "/reports/balance-sheet?as_of=" + today)
            assert sheet["balanced"] and int(sheet["as_of_seq"]) == head, sheet

        # The import ran once per row; the close-day once.
        job_id, niks = job
        j = h.get("/api/v1/jobs/%s" % job_id)
        waited = time.time() + 60                # the rows go on in chunks after the answer
        while j["state"] != "done" and time.time() < waited:
            time.sleep(0.1)
            j = h.get("/api/v1/jobs/%s" % job_id)
        assert (j["state"], j["rows_total"], j["rows_imported"], j["rows_failed"]) == \
               ("done", IMPORT_ROWS, IMPORT_ROWS, 0), j
        members = all_pages(h, coops[1].base + "/members")
        counted = collections.Counter(m["nik"] for m in members)
        assert all(counted[n] == 1 for n in niks), [n for n in niks if counted[n] != 1][:10]
        assert len(members) == MEMBERS + IMPORT_ROWS
        assert len(all_pages(h, coops[0].base + "/members")) == MEMBERS
        assert sorted(x["id"] for x in all_pages(h, "/api/v1/cooperatives")) == sorted(c.id for c in coops)
        allowance = [e for e in all_pages(h, coops[0].base + "/journal")
                     if e["kind"] == "loan_allowance"]
        assert [e["id"] for e in allowance] == ([closed["allowance_entry_id"]]
                                                if closed["allowance_entry_id"] not in ("", "0") else [])

        kinds = collections.Counter("%s %s" % (a["via"], a["what"]) for a in acks.items)
        line = ("%s crash suite: %d kills (%s), %d acknowledged requests (%s), %d postings, "
                "%d retries, load %.0f s, total %.0f s\n"
                % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
                   KILLS, ", ".join("%s %d" % kv for kv in sorted(killed.items())), len(acks.items),
                   ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                   sum(len(v) for v in world.entries.values()), acks.retries, load_s,
                   time.time() - started))
        sys.stderr.write(line)
        os.makedirs(os.path.join(BUILD, "test-logs"), exist_ok=True)
        with open(os.path.join(BUILD, "test-logs", "crash-suite.log"), "a") as f:
            f.write(line)
        bus.close()
        clean_stop = d.stop()
        assert clean_stop, "the district did not stop cleanly after the suite"
    finally:
        acks.close()
        if not clean_stop:
            d.stop()
