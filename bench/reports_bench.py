#!/usr/bin/python3
"""Report files benchmark (docs/reporting.md, "Formats"): a cooperative of 10,000 members, each
with principal and mandatory savings, LOANS of them with a loan repaid once and a year's
income, then the time of the whole HTTP answer (gateway, reporting, rendering) for the RAT pack
PDF, the loan portfolio XLSX, the SHU per member XLSX and the balance sheet PDF of that
cooperative. Prints seconds, sizes and pages next to the 1 s target; asserts only that each
answer is a complete file.

    LUMBUNG_BUILD=build bench/reports_bench.py [members]
"""
import os
import re
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from lumbung import Cluster, pb  # noqa: E402
from members_util import csv_file, csv_rows, job_done_bus, ok, request  # noqa: E402
from tx_util import tx_ok  # noqa: E402

TARGET_S = 1.0
LOANS = 200
BATCH = 8000          # postings per PostBatch (at most 8,190)


def setup(c, members):
    r = c.api("POST", "/api/v1/cooperatives", {
        "name": "KSP Bench Sejahtera", "type": "savings_loan", "group": "women",
        "district": "Cibeunying", "legal_number": "518/1/BH/2010",
        "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}})
    assert r.status == 201, r
    coop = r.json["id"]
    req = request("import_members", {"cooperative_id": coop})
    req.members.import_members.body = csv_file([line for _, line in csv_rows(members)])
    reply = c.bus("members").call(req, timeout=300)
    assert not reply.HasField("error"), reply.error
    job_done_bus(c, reply.members.import_started.job_id)       # the rows go in chunks
    ping = pb.envelope_pb2.Request()
    ping.ping.SetInParent()
    seq = c.bus("members").call(ping, timeout=10).pong.head_seq   # the last member's event
    ids, cursor = [], None
    while True:
        body = {"cooperative_id": coop, "limit": 500}
        if cursor:
            body["cursor"] = cursor
        page = ok(c, "list_members", body)
        ids += [m.id for m in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(ids) == members, len(ids)
    postings = [{"deposit": {"member_id": str(m), "kind": kind, "amount_sen": sen,
                             "value_date": "2025-01-06"}}
                for m in ids for kind, sen in (("SAVINGS_KIND_PRINCIPAL", "10000000"),
                                               ("SAVINGS_KIND_MANDATORY", "2500000"))]
    for at in range(0, len(postings), BATCH):
        res = tx_ok(c, "post_batch", {"cooperative_id": coop, "postings": postings[at:at + BATCH]},
                    after=seq, key=str(uuid.uuid4()), timeout=300)
        assert res.failed == 0, res
    base = "/api/v1/cooperatives/%s" % coop
    for m in ids[:LOANS]:
        r = c.api("POST", base + "/loans", {
            "member_id": str(m), "principal": "1000000", "annual_rate": "12", "instalments": 10,
            "frequency": "monthly", "method": "flat", "first_due_on": "2025-02-10",
            "applied_on": "2025-01-05"})
        assert r.status == 201, r
        loan = r.json["id"]
        for path, body in (("/disburse", {"value_date": "2025-01-10"}),
                           ("/repayments", {"amount": "112000", "value_date": "2025-02-10"})):
            r = c.api("POST", base + "/loans/%s%s" % (loan, path), body,
                      headers={"Idempotency-Key": str(uuid.uuid4())})
            assert r.status in (200, 201), r
    r = c.api("POST", base + "/journal", {"value_date": "2025-06-30", "memo": "Jasa administrasi",
                                          "lines": [{"account": "1-101", "debit": "2500000"},
                                                    {"account": "4-301", "credit": "2500000"}]},
              headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status == 201, r
    return base


def timed(c, path, content_type):
    c.api("GET", path)                     # once to warm caches; the second is timed
    started = time.perf_counter()
    r = c.http("GET", path, token=c.admin_token(), timeout=120)
    elapsed = time.perf_counter() - started
    assert r.status == 200 and r.headers["Content-Type"].startswith(content_type), r
    return elapsed, r.body


def main():
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    c = Cluster(services=["members", "transactions", "reporting", "gateway"])
    try:
        c.start()
        started = time.perf_counter()
        base = setup(c, members)
        print("reports bench: %d members, %d loans set up in %.1f s"
              % (members, LOANS, time.perf_counter() - started))
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        for name, path, kind in (
                ("SHU per member JSON", "/reports/shu?year=2025", "application/json"),
                ("RAT pack PDF", "/reports/rat-pack?year=2025&format=pdf", "application/pdf"),
                ("loan portfolio XLSX", "/reports/loan-portfolio?as_of=2025-12-31&format=xlsx", xlsx),
                ("SHU per member XLSX", "/reports/shu?year=2025&format=xlsx", xlsx),
                ("balance sheet PDF", "/reports/balance-sheet?as_of=2025-12-31&format=pdf",
                 "application/pdf")):
            elapsed, body = timed(c, base + path, kind)
            pages = len(re.findall(rb"/Type\s*/Page[^s]", body)) if kind == "application/pdf" else 0
            print("%-22s %.3f s  %7.1f kB%s%s" % (
                name, elapsed, len(body) / 1e3, "  %d pages" % pages if pages else "",
                "" if elapsed < TARGET_S else "  SLOWER THAN TARGET %.0f s" % TARGET_S))
    finally:
        c.stop()


if __name__ == "__main__":
    main()
