"""A cooperative built through the gateway for the reporting tests: creation, members and
postings that assert they succeeded. Each test file subclasses it for its own story and sets
the class attributes that describe its cooperative and members."""
import datetime
import uuid

from members_util import nik


class ApiCoop:
    GROUP = "women"
    DISTRICT = "Coblong"
    BIRTH = datetime.date(1980, 5, 4)
    FEMALE = True
    PERSON = "Anggota"                # member names: "<PERSON> <serial>"
    VILLAGE = "Desa Sukamaju"
    PHONE = "0811-0000"               # phone numbers: "<PHONE>-<serial>"
    KEYED_POSTS = True                # every POST carries a fresh Idempotency-Key

    def __init__(self, cluster, name, serial, settings=None, **extra):
        body = dict({"name": name, "type": "savings_loan", "group": self.GROUP,
                     "district": self.DISTRICT,
                     "settings": dict({"principal_amount": "100000", "mandatory_amount": "25000"},
                                      **(settings or {}))},
                    **extra)
        r = cluster.api("POST", "/api/v1/cooperatives", body)
        assert r.status == 201, r
        self.c = cluster
        self.id = r.json["id"]
        self.base = "/api/v1/cooperatives/%s" % self.id
        self.serial = serial

    def member(self):
        self.serial += 1
        body = {"nik": nik(self.BIRTH, self.FEMALE, self.serial),
                "name": "%s %d" % (self.PERSON, self.serial),
                "sex": "female" if self.FEMALE else "male", "birth_date": self.BIRTH.isoformat(),
                "address": self.VILLAGE, "phone": "%s-%04d" % (self.PHONE, self.serial),
                "joined_on": "2025-01-02"}
        r = self.c.api("POST", self.base + "/members", body)
        assert r.status == 201, r
        return r.json["id"]

    def post(self, path, body, idempotent=None):
        keyed = self.KEYED_POSTS if idempotent is None else idempotent
        headers = {"Idempotency-Key": str(uuid.uuid4())} if keyed else None
        r = self.c.api("POST", self.base + path, body, headers=headers)
        assert r.status in (200, 201), r
        return r.json

    def opening(self, cash, value_date="2025-01-01"):
        """The cash a cooperative moving from paper books starts with (a payout needs cash in
        hand): Dr Kas (1-101) / Cr Hibah (3-301), the first entry of its books."""
        return self.post("/opening-balances", {
            "value_date": value_date, "memo": "Saldo awal dari buku kas",
            "lines": [{"account": "1-101", "debit": cash}, {"account": "3-301", "credit": cash}]},
            True)

    def flat_loan(self, member, principal, instalments):
        """A loan at 12 % flat, monthly instalments from 02-10 (applied 01-05), disbursed on
        01-10; its id."""
        body = {"member_id": member, "principal": principal, "annual_rate": "12",
                "instalments": instalments, "frequency": "monthly", "method": "flat",
                "first_due_on": "2025-02-10", "applied_on": "2025-01-05"}
        r = self.c.api("POST", self.base + "/loans", body)
        assert r.status == 201, r
        self.post("/loans/%s/disburse" % r.json["id"], {"value_date": "2025-01-10"})
        return r.json["id"]

    def deposit(self, member, kind, amount, value_date="2025-01-06"):
        return self.post("/deposits", {"member_id": member, "kind": kind, "amount": amount,
                                       "value_date": value_date})


def fairly_healthy_books(k):
    """The books of the health report's fixture cooperative (test_reporting_health: a total of
    67.25 of 82.00): two members' savings, a flat loan of 2,000,000, income, expenses, fixed
    assets and a risk reserve, each journal entry dated 2025-06-30. Returns the two members."""
    m1, m2 = k.member(), k.member()
    for m in (m1, m2):
        k.deposit(m, "principal", "100000")
        k.deposit(m, "mandatory", "900000")
    k.deposit(m1, "voluntary", "3000000")
    body = {"member_id": m1, "principal": "2000000", "annual_rate": "12", "instalments": 12,
            "frequency": "monthly", "method": "flat", "first_due_on": "2025-02-10",
            "applied_on": "2025-01-05"}
    r = k.c.api("POST", k.base + "/loans", body)
    assert r.status == 201, r
    k.post("/loans/%s/disburse" % r.json["id"], {"value_date": "2025-01-10"})

    def journal(memo, lines):
        return k.post("/journal", {"value_date": "2025-06-30", "memo": memo, "lines": lines})
    journal("Pendapatan", [{"account": "1-101", "debit": "600000"},
                           {"account": "4-101", "credit": "500000"},
                           {"account": "4-201", "credit": "100000"}])
    journal("Beban", [{"account": "5-201", "debit": "120000"},
                      {"account": "5-202", "debit": "80000"},
                      {"account": "5-101", "debit": "50000"},
                      {"account": "5-203", "debit": "30000"},
                      {"account": "1-101", "credit": "280000"}])
    journal("Aset tetap", [{"account": "1-501", "debit": "500000"},
                           {"account": "1-101", "credit": "500000"}])
    journal("Cadangan risiko", [{"account": "1-101", "debit": "100000"},
                                {"account": "3-202", "credit": "100000"}])
    return m1, m2
