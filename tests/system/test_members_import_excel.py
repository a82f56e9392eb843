"""Member import of what Indonesian offices have (docs/members.md): a `;`-separated file with a
UTF-8 byte order mark and dd/mm/yyyy dates, as Excel set to Indonesian saves "CSV UTF-8", is
imported with the same members as its `,` and yyyy-mm-dd twin; a date in neither form is a
row error naming its row and field; the downloadable template is a file the import takes."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from members_util import job_done_http, nik  # noqa: E402

BOM = b"\xef\xbb\xbf"
HEADER = ["nik", "name", "sex", "birth_date", "address", "phone", "joined_on"]


def new_coop(cluster, name):
    r = cluster.api("POST", "/api/v1/cooperatives", {
        "name": name, "type": "savings_loan", "group": "women", "district": "Cibeunying",
        "settings": {"principal_amount": "100000", "mandatory_amount": "25000"}})
    assert r.status == 201, r
    return r.json["id"]


def import_file(cluster, coop, data):
    r = cluster.api("POST", "/api/v1/cooperatives/%s/members/import" % coop, raw=data,
                    headers={"Content-Type": "text/csv"})
    assert r.status == 201, r
    return job_done_http(cluster, r.json["job_id"])


def people(serial):
    born = [datetime.date(1979, 3, 4), datetime.date(1990, 12, 25), datetime.date(1965, 7, 1)]
    return [(nik(b, i != 1, serial + i), ["Siti Aminah; S.Pd", "Budi Santoso", "Ani"][i],
             "P" if i != 1 else "L", b, ["Jl. Mawar 1, RT 02", "Desa Sukamaju", ""][i],
             "0813-1111-%04d" % i, datetime.date(2024, 1, 9 + i)) for i, b in enumerate(born)]


def members_of(cluster, coop):
    r = cluster.api("GET", "/api/v1/cooperatives/%s/members?limit=100" % coop)
    assert r.status == 200, r
    return sorted((m["nik"], m["name"], m["sex"], m["birth_date"], m.get("address", ""),
                   m.get("phone", ""), m["joined_on"]) for m in r.json["items"])


def quoted(text, sep):
    return '"%s"' % text if sep in text or '"' in text else text


def test_semicolons_bom_and_day_first_dates(cluster):
    excel, plain = new_coop(cluster, "KSP Impor Excel"), new_coop(cluster, "KSP Impor Biasa")
    rows = people(4100)
    lines = [";".join(HEADER)] + [";".join([n, quoted(name, ";"), sex, b.strftime("%d/%m/%Y"),
                                            quoted(addr, ";"), phone,
                                            "%d/%d/%d" % (j.day, j.month, j.year)])
                                  for n, name, sex, b, addr, phone, j in rows]
    job = import_file(cluster, excel, BOM + ("\r\n".join(lines) + "\r\n").encode())
    assert (job["rows_total"], job["rows_imported"], job["rows_failed"]) == (3, 3, 0), job
    lines = [",".join(HEADER)] + [",".join([n, quoted(name, ","), sex, b.isoformat(),
                                            quoted(addr, ","), phone, j.isoformat()])
                                  for n, name, sex, b, addr, phone, j in rows]
    job = import_file(cluster, plain, ("\n".join(lines) + "\n").encode())
    assert (job["rows_total"], job["rows_imported"], job["rows_failed"]) == (3, 3, 0), job
    got = members_of(cluster, excel)
    assert got == members_of(cluster, plain)
    assert ("Siti Aminah; S.Pd", "female", "1979-03-04", "Jl. Mawar 1, RT 02", "2024-01-09") in \
        [(g[1], g[2], g[3], g[4], g[6]) for g in got]


def test_a_date_in_neither_form_names_its_row_and_field(cluster):
    coop = new_coop(cluster, "KSP Impor Tanggal")
    (n1, _, _, b1, _, _, _), (n2, _, _, b2, _, _, _), (n3, _, _, b3, _, _, _) = people(4200)
    data = BOM + ("NIK ; Name;sex;birth_date;address;phone;joined_on\r\n"
                  "%s;Ani;P;%s;;;09/01/2024\r\n"
                  "%s;Budi;L;12-25-1990;;;10/01/2024\r\n"
                  "%s;Cici;P;%s;;;31/02/2024\r\n" % (n1, b1.strftime("%d/%m/%Y"), n2, n3,
                                                     b3.strftime("%d/%m/%Y"))).encode()
    job = import_file(cluster, coop, data)
    assert (job["rows_imported"], job["rows_failed"]) == (1, 2), job
    errors = [(e["row"], e["field"], e["code"]) for e in job["errors"]]
    assert errors == [(3, "birth_date", "invalid_date"), (4, "joined_on", "invalid_date")]
    assert "dd/mm/yyyy" in job["errors"][0]["message"]
    r = cluster.api("POST", "/api/v1/cooperatives/%s/members/import" % coop,
                    raw=BOM + b"nik|name\r\n", headers={"Content-Type": "text/csv"})
    assert (r.status, r.json["error"]["code"], r.json["error"]["field"]) == \
        (400, "invalid_csv_header", "body"), r


def test_the_template_is_a_file_the_import_takes(cluster):
    coop = new_coop(cluster, "KSP Impor Templat")
    path = "/api/v1/cooperatives/%s/members/import-template" % coop
    plain = cluster.api("GET", path)
    assert plain.status == 200 and plain.headers["Content-Type"].startswith("text/csv"), plain
    assert plain.text == ",".join(HEADER) + "\r\n"
    assert 'filename="impor-anggota-koperasi-%s.csv"' % coop in plain.headers["Content-Disposition"]
    r = cluster.http("GET", path + "?dialect=excel-id", token=cluster.admin_token())
    assert r.text == "\ufeff" + ";".join(HEADER) + "\r\n", r
    (n, name, sex, b, addr, phone, j), = people(4300)[:1]
    data = r.text.encode() + ("%s;%s;%s;%s;%s;%s;%s\r\n" % (
        n, quoted(name, ";"), sex, b.strftime("%d/%m/%Y"), addr, phone,
        j.strftime("%d/%m/%Y"))).encode()
    job = import_file(cluster, coop, data)
    assert (job["rows_imported"], job["rows_failed"]) == (1, 0), job
    assert cluster.api("GET", "/api/v1/cooperatives/999999/members/import-template").status == 404
