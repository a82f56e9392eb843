#!/usr/bin/python3
"""Members import benchmark: one CSV of 10,000 generated members imported over the bus (one request,
then its job's chunks until done) (the path the gateway's POST .../members/import takes), then the same file again
(every row found already imported). Prints rows/s for both. Not a test: it asserts only that
the figures it prints are about a complete import.

    LUMBUNG_BUILD=build bench/import_bench.py [rows]
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from lumbung import Cluster  # noqa: E402
from members_util import create_coop, csv_file, csv_rows, job_done_bus, request  # noqa: E402

TARGET_S = 10.0     # 10,000 rows must import well under this


def import_once(cluster, coop_id, data):
    req = request("import_members", {"cooperative_id": str(coop_id)})
    req.members.import_members.body = data
    started = time.perf_counter()
    reply = cluster.bus("members").call(req, timeout=120)
    assert not reply.HasField("error"), reply.error
    job = job_done_bus(cluster, reply.members.import_started.job_id)   # the rows go in chunks
    elapsed = time.perf_counter() - started
    return elapsed, job


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    data = csv_file([line for _, line in csv_rows(rows)])
    cluster = Cluster(services=["members"])
    try:
        cluster.start()
        coop = create_coop(cluster, name="Bench Cooperative")
        first, job = import_once(cluster, coop.id, data)
        assert job.rows_imported == rows, job
        again, job2 = import_once(cluster, coop.id, data)
        assert job2.rows_existing == rows, job2
    finally:
        cluster.stop()
    print("members import: %d rows (%.1f MB) in %.3f s = %.0f rows/s%s"
          % (rows, len(data) / 1e6, first, rows / first,
             "" if first < TARGET_S else "  SLOWER THAN TARGET %.0f s" % TARGET_S))
    print("members import again (all already imported): %.3f s = %.0f rows/s" % (again, rows / again))


if __name__ == "__main__":
    main()
