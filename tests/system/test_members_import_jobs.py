"""The member import as a background job in chunks: the answer comes first, rows_done moves
between 0 and rows_total while the rows go in, the final counts are exact; a members service
killed in the middle continues the job when it is started again, and every row is imported
once (re-running the file then imports nothing)."""
import collections
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import Cluster  # noqa: E402
from members_util import csv_file, csv_rows, job_done_http  # noqa: E402

ROWS = 5000
BAD_ROWS = {11: "not-a-nik,Budi,male,1980-01-01,,,2021-01-01",          # row number: line
            4001: None}                                                  # a date that is not one


def five_thousand(serial):
    lines = [line for _, line in csv_rows(ROWS, start_serial=serial)]
    lines[11 - 2] = BAD_ROWS[11]
    lines[4001 - 2] = lines[4001 - 2].rsplit(",", 1)[0] + ",2021-02-31"
    return lines


def new_coop(c, name):
    r = c.api("POST", "/api/v1/cooperatives", {
        "name": name, "type": "savings_loan", "group": "women", "district": "Cibeunying",
        "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}})
    assert r.status == 201, r
    return r.json["id"]


def all_niks(c, coop):
    niks, cursor = [], None
    while True:
        path = "/api/v1/cooperatives/%s/members?limit=500" % coop + ("&cursor=" + cursor if cursor else "")
        r = c.api("GET", path)
        assert r.status == 200, r
        niks += [m["nik"] for m in r.json["items"]]
        cursor = r.json.get("next_cursor")
        if not cursor:
            return niks


def start_import(c, coop, data):
    r = c.api("POST", "/api/v1/cooperatives/%s/members/import" % coop, raw=data,
              headers={"Content-Type": "text/csv"})
    assert r.status == 201 and set(r.json) >= {"job_id"}, r
    return r.json["job_id"]


@pytest.fixture
def slow_steps():
    """Steps 40 ms apart, so the kill surely lands in the middle of the job."""
    c = Cluster(env={"LUMBUNG_IMPORT_STEP_MS": "40"})
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture
def cluster():
    c = Cluster()
    try:
        c.start()
        yield c
    finally:
        c.stop()


def test_rows_done_moves_between_zero_and_total(cluster):
    coop = new_coop(cluster, "KSP Impor Bertahap")
    lines = five_thousand(20000)
    seen = []
    job = job_done_http(cluster, start_import(cluster, coop, csv_file(lines)), seen)
    assert any(0 < n < ROWS for n in seen), seen
    assert seen == sorted(seen)                              # never backwards
    assert (job["state"], job["rows_total"], job["rows_done"], job["rows_failed"],
            job["rows_imported"], job["rows_existing"]) == ("done", 5000, 4998, 2, 4998, 0)
    assert [(e["row"], e["field"], e["code"]) for e in job["errors"]] == \
        [(11, "nik", "invalid_nik"), (4001, "joined_on", "invalid_date")]
    niks = all_niks(cluster, coop)
    assert len(niks) == len(set(niks)) == 4998


def test_a_killed_members_service_continues_the_job_and_imports_each_row_once(slow_steps):
    c = slow_steps
    coop = new_coop(c, "KSP Impor Tahan Mati")
    lines = five_thousand(30000)
    job_id = start_import(c, coop, csv_file(lines))
    deadline = time.time() + 60
    while True:
        j = c.api("GET", "/api/v1/jobs/%s" % job_id).json
        if 0 < j["rows_done"] < 2000:
            break
        assert j["state"] != "done" and time.time() < deadline, j
        time.sleep(0.01)
    c.kill("members")
    c.start_service("members")                               # the harness's restart
    job = job_done_http(c, job_id)
    assert (job["state"], job["rows_total"], job["rows_done"], job["rows_failed"],
            job["rows_imported"], job["rows_existing"]) == ("done", 5000, 4998, 2, 4998, 0)
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(11, "nik"), (4001, "joined_on")]
    counted = collections.Counter(all_niks(c, coop))
    assert len(counted) == 4998 and set(counted.values()) == {1}
    assert "unfinished; continuing it" in c.log("members")
    again = job_done_http(c, start_import(c, coop, csv_file(lines)))
    assert (again["rows_imported"], again["rows_existing"], again["rows_failed"]) == (0, 4998, 2)
    assert len(all_niks(c, coop)) == 4998
