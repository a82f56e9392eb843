"""The web interface in a real browser: Node + playwright-core (tests/web/*.mjs) drive Debian's
chromium against a real cluster started by the harness, and each test asserts on what the
script saw on screen, in Bahasa Indonesia, to the sen. axe-core finds no serious or critical
violation on any page; screenshots go to build/web-artifacts/. Without node, chromium or the
npm packages (`make deps`) these tests fail, they never skip."""
import datetime
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import PASSWORD, coop_body, create_user  # noqa: E402
from lumbung import BUILD, ROOT, Cluster  # noqa: E402
from members_util import nik  # noqa: E402
from reporting_util import ApiCoop  # noqa: E402


WEB_TESTS = os.path.join(ROOT, "tests", "web")
ARTIFACTS = os.path.join(BUILD, "web-artifacts")
CHROMIUM = os.environ.get("LUMBUNG_CHROMIUM", "/usr/bin/chromium")
SCRIPT_TIMEOUT_S = 900            # a loaded 2-core machine; the scripts wait for what they need
FIRST_PAGE_MAX = 300 * 1024


def require_browser():
    node = shutil.which("node")
    assert node, "node is missing: run `make deps` (Debian's nodejs)"
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run `make deps` (Debian's chromium)"
    for pkg in ("playwright-core", "axe-core"):
        assert os.path.isdir(os.path.join(WEB_TESTS, "node_modules", pkg)), \
            f"tests/web/node_modules/{pkg} is missing: run `make deps` (npm ci)"
    return node


def run_script(name, env):
    node = require_browser()
    full = dict(os.environ, LUMBUNG_ARTIFACTS=ARTIFACTS, **env)
    p = subprocess.run([node, os.path.join(WEB_TESTS, name)], cwd=WEB_TESTS, env=full,
                       capture_output=True, text=True, timeout=SCRIPT_TIMEOUT_S)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{name} printed no result (exit {p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    result = json.loads(lines[-1])
    failed = [s for s in result["steps"] if not s["ok"]]
    assert result["ok"] and not failed, json.dumps(failed, indent=1)
    assert result["problems"] == [], result["problems"]
    bad = {page: v for page, v in result["axe"].items() if v}
    assert bad == {}, json.dumps(bad, indent=1)
    assert result["overflow"] == [], f"pages wider than the screen: {result['overflow']}"
    return result["data"], result


@pytest.fixture
def cluster():
    # Import steps 100 ms apart: the 2,000 rows take ten steps, about a second, so the page's
    # progress bar (polled every 300 ms) shows where the job is in between.
    c = Cluster(env={"LUMBUNG_IMPORT_STEP_MS": "100"})
    try:
        c.start()
        yield c
    finally:
        c.stop()


def url(c):
    return f"http://127.0.0.1:{c.http_port}"


def test_catalogues_complete_and_no_html_writes():
    node = require_browser()
    p = subprocess.run([node, os.path.join(WEB_TESTS, "i18n_check.mjs")], capture_output=True,
                       text=True, timeout=120)
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert result["ok"], result["problems"]
    assert result["keys"] > 300
    assert result["member_keys"] > 100          # the members' own pages (web/anggota/i18n/)


def first_page_files(c):
    """index.html and every script and stylesheet the login page loads (the module graph)."""
    web = os.path.join(BUILD, "web")
    todo, seen = ["/index.html"], []
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        with open(web + path, encoding="utf-8") as f:
            text = f.read()
        refs = re.findall(r'(?:src|href)="(/[^"]+)"', text) if path.endswith(".html") else \
            re.findall(r"""(?:import|from)\s*['"]([^'"]+\.js)['"]""", text)
        for ref in refs:
            todo.append(os.path.normpath(os.path.join(os.path.dirname(path), ref)))
    return seen


def test_first_page_under_300_kb_compressed_and_no_inline_script():
    c = Cluster(services=["gateway"])
    try:
        c.start_service("gateway")
        total = 0
        files = first_page_files(c)
        for path in files:
            req = urllib.request.Request(url(c) + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req, timeout=30) as r:
                body = r.read()
                assert r.headers["Content-Encoding"] == "gzip", path
                assert r.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
            gzip.decompress(body)
            total += len(body)
        print(f"first page: {len(files)} files, {total} bytes compressed")
        assert total < FIRST_PAGE_MAX, total
        assert len(files) > 10                       # the whole module graph was followed
        with open(os.path.join(ROOT, "services", "gateway", "web", "index.html")) as f:
            index = f.read()
        assert not re.search(r"<script(?![^>]*\bsrc=)", index), "inline script in index.html"
        assert " style=" not in index and " on" not in re.sub(r'"[^"]*"', "", index)
    finally:
        c.stop()


def test_operator_day_in_the_browser(cluster):
    d, result = run_script("flow.mjs", {"LUMBUNG_URL": url(cluster),
                                    "LUMBUNG_ADMIN_PASSWORD": cluster.admin_password,
                                    "LUMBUNG_COOP_NAME": "Koperasi Wanita Melati"})
    assert d["login_lang"] == "id"
    assert d["login_error"] == "Nama pengguna atau kata sandi salah."
    assert d["cookie_http_only"] == [["lumbung_session", True, "Strict"]]
    assert d["script_sees_cookie"] == ""
    # cooperative
    assert d["coop_notice"] == "Koperasi telah didaftarkan."
    assert "Simpanan pokok\nRp 100.000,00" in d["coop_facts"]
    assert "Simpanan wajib\nRp 25.000,00" in d["coop_facts"]
    assert "Tanggal berdiri\n10/01/2008" in d["coop_facts"]
    # members: the live NIK reading and the error at the field
    assert "Angka ke-7–8 (32) bukan tanggal" in d["nik_bad_day"]
    assert d["nik_partial"].endswith("lahir 17/07/1985 · perempuan — kurang 3 angka")
    assert d["nik_field_error"] == ("NIK tidak valid: harus 16 angka dengan tanggal lahir dan nomor "
                                    "urut yang benar.")
    assert d["nik_invalid"] == "true"
    assert d["nik_ok"] == ("32 04 10 57 07 85 0001 Wilayah 32.04.10 · lahir 17/07/1985 · perempuan"
                           " · nomor urut 0001")
    assert d["member_notice"] == "Anggota terdaftar dengan nomor 1."
    assert d["bold_elements"] == 0                   # "Siti <b>Aminah</b>" shown as typed
    # import of 2,000 rows, three bad
    assert d["import_summary"] == "Selesai: 1.997 anggota baru, 0 sudah ada, 3 baris gagal."
    assert d["import_label"] == "1.997 dari 2.000 baris diproses, 3 gagal"
    assert d["import_progress"][0] == [0, 1] and d["import_progress"][-1] == [2000, 2000]
    assert any(0 < v < 2000 and m == 2000 for v, m in d["import_progress"]), d["import_progress"]
    assert [(r[0], r[1]) for r in d["import_errors"]] == [("11", "nik"), ("21", "joined_on"),
                                                          ("1501", "sex")]
    assert d["import_errors"][0][2].startswith("NIK tidak valid")
    # savings: the double click booked one deposit
    assert d["dep_voluntary"].endswith("Saldo sekarang Rp 20.000.000,00.")
    assert d["dep_double"] == ("Setoran Rp 1.000.000,00 ke Simpanan sukarela tercatat. Saldo "
                               "sekarang Rp 21.000.000,00.")
    assert d["withdrawal"].endswith("Saldo sekarang Rp 20.500.000,00.")
    assert d["overdraw_error"] == "Saldo tidak cukup."
    assert "Simpanan sukarela\nRp 20.500.000,00" in d["member_savings"]
    assert "Tunggakan simpanan wajib\nRp " in d["member_savings"]
    # loan: the preview is the server's schedule to the sen
    assert d["preview_facts"] == ("Angsuran\nRp 1.066.185,46\nTotal bunga\nRp 794.225,56\n"
                                  "Total pembayaran\nRp 12.794.225,56")
    assert d["preview_rows"] == d["server_rows"]
    assert d["server_rows"][0] == ["1", "10/02/2025", "Rp 946.185,46", "Rp 120.000,00",
                                   "Rp 1.066.185,46", "Rp 11.053.814,54"]
    assert d["server_rows"][11] == ["12", "10/01/2026", "Rp 1.055.629,23", "Rp 10.556,27",
                                    "Rp 1.066.185,50", "Rp 0,00"]
    assert d["loan_status"] == "berjalan"
    assert d["allocation"] == ("Pembayaran dibagi menjadi:\nJumlah\nRp 1.100.000,00\nDenda\nRp 0,00\n"
                               "Bunga\nRp 153.814,54\nPokok\nRp 946.185,46")
    assert d["outstanding"] == "Rp 11.053.814,54"
    # day close: instalment 2 more than 3 months overdue -> substandard, 10 % allowance
    assert d["close"] == ("Hari 11/06/2025 telah ditutup.\nPinjaman yang diperiksa\n1\n"
                          "Pinjaman yang berubah kolektibilitas\n1\nDenda yang dikenakan\nRp 0,00\n"
                          "Sisa pokok seluruh pinjaman\nRp 11.053.814,54\n"
                          "Penyisihan penghapusan pinjaman\nRp 1.105.381,45")
    assert d["statement_rows"][0] == ["05/01/2025", "Simpanan pokok", "Setoran simpanan pokok",
                                      "Rp 100.000,00", "Rp 100.000,00", "Rp 100.000,00"]
    assert d["print_header_visible"] is False
    # reports: cash 20,625,000 - 12,000,000 + 1,100,000 plus the loan 11,053,814.54
    assert "Total pendapatan\nRp 153.814,54" in d["report income-statement"]
    # close-day booked the allowance (10 % of 11,053,814.54) as provision expense
    assert "Total beban\nRp 1.105.381,45" in d["report income-statement"]
    assert "Sisa hasil usaha\n-Rp 951.566,91" in d["report income-statement"]
    # cash: 21,125,000 deposited + 1,100,000 repaid; 500,000 withdrawn + 12,000,000 lent
    assert "1-101\tKas\tRp 22.225.000,00\tRp 12.500.000,00\tRp 9.725.000,00" in d["report trial-balance"]
    assert "Kurang lancar\t1\tRp 11.053.814,54\tRp 1.105.381,45" in d["report loan-portfolio"]
    # a loss for the year (the allowance): nothing to share, every member's share 0
    assert "SHU yang dibagi\n-Rp 951.566,91" in d["report shu"]
    assert "1\tSiti <b>Aminah</b>\tRp 0,00\tRp 0,00\tRp 0,00" in d["report shu"]
    # assets net of the allowance: 20,778,814.54 - 1,105,381.45
    assert d["balance_sheet"] == ("Total aset\nRp 19.673.433,09\nTotal kewajiban\nRp 20.500.000,00\n"
                                  "Total ekuitas\n-Rp 826.566,91")
    coop_id = d["coop_url"].rsplit("/", 1)[1]
    assert d["csv_link"] == f"/api/v1/cooperatives/{coop_id}/reports/balance-sheet?format=csv"
    # downloads: every link same-origin, answered 200 with its file's type
    types = {"csv": "text/csv", "csv-excel": "text/csv", "pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    magic = {"pdf": "%PDF", "xlsx": "PK\x03\x04"}
    for where, links in d["downloads"].items():
        for a in links:
            assert a["same_origin"] and a["href"].startswith("/api/v1/"), (where, a)
            assert (a["status"], a["type"]) == (200, types[a["format"]]), (where, a)
            assert a["head"].startswith(magic.get(a["format"], "")), (where, a)
    labels = lambda where: [a["label"] for a in d["downloads"][where]]  # noqa: E731
    assert labels("report")[:4] == ["Unduh CSV", "CSV (Excel Indonesia)", "Unduh XLSX", "Unduh PDF"]
    assert re.fullmatch(r"Paket RAT 20\d\d \(PDF\)", labels("report")[4]), labels("report")
    assert labels("portfolio")[:4] == labels("report")[:4]
    assert labels("member") == ["Mutasi (PDF)", "Kartu angsuran (PDF)"]
    assert labels("statement") == ["Unduh CSV", "CSV (Excel Indonesia)", "Unduh PDF"]
    assert labels("import") == ["Templat CSV", "Templat CSV (Excel Indonesia)", "Templat XLSX"]
    hrefs = {a["label"]: a["href"] for w in ("report", "member", "import") for a in d["downloads"][w]}
    base = f"/api/v1/cooperatives/{coop_id}"
    assert hrefs["CSV (Excel Indonesia)"] == base + "/reports/balance-sheet?format=csv&dialect=excel-id"
    assert hrefs["Kartu angsuran (PDF)"] == base + "/loans/%s/card?format=pdf" % d["loan_url"].rsplit("/", 1)[1]
    assert hrefs["Templat XLSX"] == base + "/members/import-template?format=xlsx"
    health = d["health_api"]                    # what the API said while the page was shown
    comma = lambda s: s.replace(".", ",")  # noqa: E731  two decimals, below a thousand
    assert d["health_score"] == f"{comma(health['total'])} / {comma(health['max_available'])}"
    assert d["health_first"][0] == "1a"
    assert lines(d["health_first"][1]) == [
        "Modal sendiri terhadap total aset", "Seberapa besar aset koperasi dibiayai dengan modal sendiri.",
        "Rumus: Modal sendiri dibagi total aset, dikali 100 %.",
        "Ketentuan nilai (x = rasio dalam %): x = 0 → 0 · 0 < x < 20 → 25 · 20 ≤ x < 40 → 50 · "
        "40 ≤ x < 60 → 100 · 60 ≤ x < 80 → 50 · 80 ≤ x ≤ 100 → 25"]
    assert "modal sendiri: -Rp 826.566,91" in d["health_first"][2]
    assert d["health_rating"] == {"healthy": "Sehat", "fairly_healthy": "Cukup sehat",
                                  "under_supervision": "Dalam pengawasan",
                                  "under_special_supervision": "Dalam pengawasan khusus"}[health["rating"]]
    # dashboard
    assert d["dashboard"].split() == ["Koperasi", "1", "Anggota", "aktif", "1.998", "Total", "aset",
                                      "Rp", "19.673.433,09", "Total", "simpanan", "Rp", "20.625.000,00",
                                      "Pinjaman", "beredar", "Rp", "11.053.814,54", "NPL", "100,00", "%"]
    assert d["attention"].startswith("Koperasi Wanita Melati: belum pernah RAT")
    assert d["attention_links"] == [["Koperasi Wanita Melati", d["coop_url"]]]
    assert d["charts"] == 7
    assert d["district_chart"] == ["Cibeunying", "Rp 11.053.814,54 · NPL 100,00 %"]
    assert d["rating_chart"] == ["Sehat", "0", "Cukup sehat", "0", "Dalam pengawasan", "0",
                                 "Dalam pengawasan khusus", "1"]
    assert d["portfolio"] == [["Lancar", "0", "Rp 0,00", "Rp 0,00"],
                              ["Kurang lancar", "1", "Rp 11.053.814,54", "Rp 1.105.381,45"],
                              ["Diragukan", "0", "Rp 0,00", "Rp 0,00"], ["Macet", "0", "Rp 0,00", "Rp 0,00"]]
    assert d["overflow_1366"] is False and d["overflow_tablet"] is False
    # journal: a manual entry and its reversal, newest first
    assert d["journal_first"][1:] == ["12/06/2025", "Beli alat tulis",
                                      "5-202 Debit Rp 50.000,00\n1-101 Kredit Rp 50.000,00",
                                      "Rp 50.000,00"]
    entry = d["journal_first"][0]
    assert d["journal_reversal"] == [f"Pembalikan jurnal {entry}",
                                     "5-202 Kredit Rp 50.000,00\n1-101 Debit Rp 50.000,00",
                                     "Rp 50.000,00", "admin", f"membalik jurnal {entry}"]
    # exit: shown before confirming, then posted the same: 20,625,000 savings less
    # 12,794,225.56 - 1,100,000 owed on the loan (all of it due by now)
    settlement = ("Simpanan pokok\nRp 100.000,00\nSimpanan wajib\nRp 25.000,00\nSimpanan sukarela\n"
                  "Rp 20.500.000,00\nSimpanan dikembalikan\nRp 20.625.000,00\nDikurangi pinjaman\n"
                  "Rp 11.694.225,56\nDibayarkan tunai\nRp 8.930.774,44")
    assert d["settlement"] == settlement
    assert d["exit_result"] == "Siti <b>Aminah</b> telah keluar. Perhitungan yang dibukukan:\n" + settlement
    assert d["exited_status"].endswith("Status\nkeluar")
    assert d["user_row"] == ["operator.melati", "Ibu Wati", "operator", coop_id, "aktif"]
    assert d["user_after"] == "nonaktif"
    assert d["audit_first"][:3] == ["admin", "administrator", "PATCH /api/v1/users/2"]
    assert d["audit_first"][3] == "200 ok"
    assert d["focus_outline"] == "solid"
    assert d["english_nav"].split("\n") == ["Dashboard", "Cooperatives", "Trainings", "Users", "Audit trail"]
    assert d["after_logout"] == "/login"
    for shot in ("01-login", "06-import", "08-loan-apply", "13-health", "14-dashboard",
                 "15-member-tablet"):
        assert os.path.getsize(os.path.join(ARTIFACTS, shot + ".png")) > 5000
    # every checked page photographed (and measured for sideways scrolling, result["overflow"])
    # at 1366x768 and again at 1280x800
    for page in result["axe"]:
        for shot in (page, page + "-1280x800"):
            assert os.path.getsize(os.path.join(ARTIFACTS, shot + ".png")) > 5000, shot
    assert len(result["axe"]) >= 20
    # every state-changing call carried an Idempotency-Key (and the CSRF token once logged in):
    # lib.mjs counts a call without one as a problem, asserted empty by run_script
    writes = result["writes"]
    assert writes[0] == "POST /api/v1/auth/login" and writes[-1] == "POST /api/v1/auth/logout", writes
    assert {"POST /api/v1/cooperatives", "PATCH /api/v1/users/2"} <= set(writes), writes
    assert len(writes) > 20, writes


def test_operator_reaches_only_own_cooperative(cluster):
    own = cluster.api("POST", "/api/v1/cooperatives", coop_body("Koperasi Mawar Sendiri")).json["id"]
    other = cluster.api("POST", "/api/v1/cooperatives", coop_body("Koperasi Tetangga Rahasia")).json["id"]
    r = cluster.api("POST", f"/api/v1/cooperatives/{own}/members",
                    {"nik": nik(__import__("datetime").date(1980, 3, 4), True, 7), "name": "Ibu Ani",
                     "sex": "female", "birth_date": "1980-03-04", "joined_on": "2024-01-15"})
    assert r.status == 201, r
    create_user(cluster, "op.mawar", "operator", own)
    create_user(cluster, "lihat.mawar", "viewer", own)
    d, _ = run_script("isolation.mjs", {"LUMBUNG_URL": url(cluster), "OWN_COOP": own,
                                         "OTHER_COOP": other, "OTHER_NAME": "Koperasi Tetangga Rahasia",
                                         "OPERATOR": "op.mawar", "VIEWER": "lihat.mawar",
                                         "PASSWORD": PASSWORD})
    assert d["operator_home"] == f"/koperasi/{own}"
    assert d["operator_nav"] == "Koperasi saya"
    for path in (f"/koperasi/{other}", f"/koperasi/{other}/anggota", "/dasbor", "/pengguna"):
        assert d[f"denied {path}"].startswith("Akses ditolak"), (path, d[f"denied {path}"])
    assert d[f"denied /koperasi/{other}"].split("\n") == [
        "Akses ditolak", "", "Anda hanya dapat membuka halaman koperasi Anda sendiri."]
    assert d["other_name_visible"] is False
    assert (d["api_status"], d["own_members"]) == (403, 200)
    assert d["no_csrf"] == [403, "csrf_token_required"]
    assert d["viewer_buttons"] == []
    assert d["viewer_tabs"].split() == ["Ringkasan", "Anggota", "Pinjaman", "Jurnal", "Laporan"]
    assert d["viewer_savings"].startswith("Akses ditolak")
    assert d["edited_address"] == "Jl. Kenanga 7, RT 02"
    assert d["wrong_current"] == "Kata sandi sekarang salah."
    assert d["password_notice"] == "Kata sandi telah diganti. Silakan masuk dengan kata sandi baru."
    assert d["relogin"] == "Lihat.Mawar (peninjau)"


def lines(text):
    """innerText's lines without the empty ones a paragraph leaves."""
    return [line for line in text.split("\n") if line.strip()]


def test_board_rat_supervision_questionnaire_training(cluster):
    coop = cluster.api("POST", "/api/v1/cooperatives", coop_body("Koperasi Pengawasan")).json["id"]
    create_user(cluster, "op.awas", "operator", coop)
    create_user(cluster, "pengawas.dinas", "supervisor")
    member = cluster.api("POST", f"/api/v1/cooperatives/{coop}/members",
                         {"nik": nik(__import__("datetime").date(1979, 8, 9), True, 11), "name": "Ibu Rina",
                          "sex": "female", "birth_date": "1979-08-09", "joined_on": "2024-01-15"}).json["id"]
    d, _ = run_script("oversight.mjs", {"LUMBUNG_URL": url(cluster), "COOP": coop, "MEMBER": member,
                                         "OPERATOR": "op.awas", "SUPERVISOR": "pengawas.dinas",
                                         "PASSWORD": PASSWORD})
    assert d["board"].split("\n") == ["Ketua", "Ibu Ani", "Sekretaris", "—", "Bendahara", "Ibu Rina",
                                      "Pengawas", "Pak Dedi, Ibu Sri", "Tanggal dipilih", "—"]
    assert d["meetings"] == ["2024", "15/03/2025", "42", "ya", "ya", "—"]
    # 1,000,000 for 12 months at 6 %: 60,000 interest, due a year later
    assert d["time_deposit"] == ("Simpanan berjangka Rp 1.000.000,00 dibuka; jatuh tempo 07/01/2026, "
                                 "bunga Rp 60.000,00.")
    assert d["time_deposit_row"][:6] == ["Rp 1.000.000,00", "12", "6,00 %", "07/01/2025", "07/01/2026",
                                         "Rp 60.000,00"]
    assert d["rate_after"] == "18,00 %"
    # settings: an operator changes day-to-day fields and the time zone, nothing of the
    # registry, and sees what the RAT decided with the note that a RAT record changes it
    assert d["operator_settings_fields"] == ["Alamat", "Telepon", "Zona waktu", "Bunga pinjaman per tahun (%)",
                                             "Denda keterlambatan (%)", "Plafon pinjaman",
                                             "Saldo minimum simpanan sukarela"]
    note = ("Simpanan pokok, simpanan wajib dan periodenya, dasar jasa usaha dan alokasi SHU diputuskan "
            "rapat anggota tahunan: ubah dengan mencatat RAT yang memutuskannya.")
    assert d["operator_settings_note"] == note
    assert (d["time_zone_before"], d["time_zone_after"]) == ("Asia/Jakarta (WIB)", "Asia/Makassar (WITA)")
    assert cluster.api("GET", f"/api/v1/cooperatives/{coop}").json["settings"]["time_zone"] == "Asia/Makassar"
    assert d["settings_at_rat"].split("\n") == [
        "Pengaturan", "Zona waktu", "Asia/Makassar (WITA)", "Awal tahun buku (bulan)", "Januari",
        "Bunga pinjaman per tahun (%)", "18,00 %", "Denda keterlambatan (%)", "0,00 %", "Plafon pinjaman",
        "Rp 0,00", "Saldo minimum simpanan sukarela", "Rp 0,00", "Diputuskan RAT", "Simpanan pokok",
        "Rp 100.000,00", "Simpanan wajib", "Rp 25.000,00", "Periode simpanan wajib", "bulanan",
        "Dasar jasa usaha", "bunga pinjaman yang dibayar", "Alokasi SHU",
        "Cadangan 40,00 %, Jasa modal 20,00 %, Jasa usaha 20,00 %, Pengurus 5,00 %, Karyawan 5,00 %, "
        "Pendidikan 5,00 %, Sosial 5,00 %", "", note]
    assert cluster.api("GET", f"/api/v1/cooperatives/{coop}").json["settings"]["loan_annual_rate"] == "18"
    assert d["operator_sees_supervision_form"] == 0
    assert d["supervisor_sees_board_form"] == 0
    assert d["recommendation_open"] == ["Perbarui buku kas setiap hari", "30/06/2025", "Selesai pada"]
    assert d["recommendation_done"] == ["Perbarui buku kas setiap hari", "30/06/2025", "25/06/2025"]
    # 12 general x 0.25 + 6 institution x 0.5 = 6 points of 15
    api = cluster.api("GET", f"/api/v1/cooperatives/{coop}/reports/health?year=2025").json
    three = [c for c in api["components"] if c["code"] == "3"][0]
    assert three["score"] == "6.00", three
    assert d["management_row"][0] == "3" and d["management_row"][-1] == "6,00"
    # the questionnaire as the regulation asks it: five parts, 12 / 6 / 5 / 10 / 5 questions
    assert d["management_parts"] == ["Manajemen umum", "Kelembagaan", "Manajemen permodalan",
                                     "Manajemen aktiva", "Manajemen likuiditas"]
    assert d["management_counts"] == [12, 6, 5, 10, 5]
    assert d["management_notes"] == ['12 pertanyaan; setiap jawaban "ya" bernilai kredit 0,25.',
                                     '6 pertanyaan; setiap jawaban "ya" bernilai kredit 0,5.',
                                     '5 pertanyaan; setiap jawaban "ya" bernilai kredit 0,6.',
                                     '10 pertanyaan; setiap jawaban "ya" bernilai kredit 0,3.',
                                     '5 pertanyaan; setiap jawaban "ya" bernilai kredit 0,6.']
    assert lines(d["management_first"]) == [
        "Apakah KSP/USP Koperasi memiliki visi, misi dan tujuan yang jelas?",
        "Dibuktikan dengan dokumen tertulis."]
    assert d["management_last"] == ("Apakah KSP/USP Koperasi memiliki sistem informasi manajemen yang "
                                    "memadai untuk pemantauan likuiditas?")
    assert d["management_recorded_before"] == 0 and d["sop_checked"] is True
    assert d["management_recorded"] == ('Jawaban yang tercatat: 18 "ya", skor 6,00. Ubah centang dan '
                                        'simpan untuk memperbaikinya.')
    assert (d["management_ticked"], d["capital_first_ticked"]) == (18, False)
    assert d["management_parts_en"] == ["General management", "Institution", "Capital management",
                                        "Asset management", "Liquidity management"]
    assert d["management_first_en"] == "Does the KSP/USP have a clear vision, mission and objectives?"
    # each component's definition from the catalogues, by its code, in the user's language
    assert lines(d["def_2b_id"]) == [
        "Risiko pinjaman bermasalah terhadap seluruh pinjaman",
        "Besarnya risiko pinjaman bermasalah dibanding seluruh pinjaman yang beredar.",
        "Rumus: Risiko pinjaman bermasalah (RPM = 50 % kurang lancar + 75 % diragukan + 100 % macet) "
        "dibagi seluruh pinjaman yang beredar, dikali 100 %.",
        "Ketentuan nilai (x = rasio dalam %): x = 0 → 100 · 0 < x ≤ 10 → 80 · 10 < x ≤ 20 → 60 · "
        "20 < x ≤ 30 → 40 · 30 < x ≤ 40 → 20 · 40 < x ≤ 45 → 10 · x > 45 → 0",
        "Tidak tersedia: Penyebutnya 0, jadi tidak ada rasio."]           # no loans at all
    assert lines(d["def_7b_id"])[-1] == ("Tidak tersedia: Promosi ekonomi anggota (keuntungan harga "
                                              "atau bunga yang diterima anggota) tidak dicatat oleh sistem.")
    assert lines(d["def_2b_en"])[:2] == [
        "Risk of problem loans / all loans",
        "How large the risk of problem loans is against all loans outstanding."]
    assert lines(d["def_7b_en"])[-1] == ("Not available: Members' economic benefit (the price or rate "
                                              "advantage members get) is not recorded by the system.")
    assert d["training"][:4] == ["Pembukuan koperasi simpan pinjam", "10/07/2025", "3",
                                 "Balai Desa Cibeunying"]
    assert d["training"][4].split("\n") == [f"Ibu Rina (bendahara) · #{coop}", "Pak Budi (penyuluh)"]


class LoanCoop(ApiCoop):
    """A cooperative with the three loans the loans script needs (as in
    test_transactions_allowance.test_write_off_then_recovery)."""
    PERSON, VILLAGE, PHONE = "Ibu Hapus", "Desa Cibodas", "0813-4545"

    def apply(self, member, principal, first_due_on="2025-02-10"):
        r = self.c.api("POST", self.base + "/loans", {
            "member_id": member, "principal": principal, "annual_rate": "12", "instalments": 12,
            "frequency": "monthly", "method": "flat", "first_due_on": first_due_on,
            "applied_on": "2025-01-05"})
        assert r.status == 201, r
        return r.json["id"]

    def loan(self, member, principal, **kw):
        loan = self.apply(member, principal, **kw)
        self.post("/loans/%s/disburse" % loan, {"value_date": "2025-01-10"})
        return loan


def test_cancel_write_off_and_recovery_in_the_browser(cluster):
    coop = LoanCoop(cluster, "KSP Hapus Buku", 9500)
    m, other, third = coop.member(), coop.member(), coop.member()
    coop.deposit(m, "voluntary", "10000000")
    loss = coop.loan(m, "5000000")              # 50,000 interest a month, nothing ever paid
    current = coop.loan(other, "1000000", first_due_on="2025-12-10")
    applied = coop.apply(third, "2000000")
    r = cluster.api("POST", coop.base + "/close-day", {"business_date": "2025-08-31"})
    assert r.status == 200, r                   # beyond 6 months unpaid: loss
    d, _ = run_script("loans.mjs", {"LUMBUNG_URL": url(cluster), "COOP": coop.id,
                                     "LUMBUNG_ADMIN_PASSWORD": cluster.admin_password,
                                     "APPLIED": applied, "CURRENT": current, "LOSS": loss})
    # an admin's settings form has the registry fields as well
    assert d["admin_settings_fields"] == [
        "Nama", "Jenis", "Kelompok", "Kecamatan", "Nomor badan hukum", "Tanggal badan hukum",
        "Tanggal berdiri", "Awal tahun buku (bulan)", "Alamat", "Telepon", "Zona waktu",
        "Bunga pinjaman per tahun (%)", "Denda keterlambatan (%)", "Plafon pinjaman",
        "Saldo minimum simpanan sukarela"]
    # cancelled: nothing on the books, no form left, the day it was cancelled (the
    # cooperative's today)
    cancelled_on = cluster.api("GET", coop.base + "/loans/%s" % applied).json["cancelled_on"]
    y, mo, da = cancelled_on.split("-")
    assert d["cancelled_status"] == "dibatalkan" and d["cancelled_forms"] == 0
    assert d["cancelled_facts"].endswith("Status\ndibatalkan\nKolektibilitas\n—\nSisa pokok pinjaman\n"
                                         "Rp 0,00\nTotal bunga\nRp 240.000,00\nDibatalkan pada\n"
                                         f"{da}/{mo}/{y}")
    # not loss: the API's 422 not_loss shown at the date field, the loan unchanged
    assert d["not_loss"] == "Pinjaman ini belum berkolektibilitas macet, jadi belum dapat dihapus buku."
    assert d["not_loss_status"] == "berjalan"
    # written off: principal 5,000,000 + the 7 instalments' interest due (Feb..Aug) 350,000
    assert d["written_off_status"] == "dihapus buku"
    assert d["written_off_facts"].endswith(
        "Status\ndihapus buku\nKolektibilitas\nMacet\nSisa pokok pinjaman\nRp 0,00\nTotal bunga\n"
        "Rp 600.000,00\nDihapus buku pada\n01/09/2025\nPokok dihapus buku\nRp 5.000.000,00\n"
        "Tagihan saat hapus buku\nRp 5.350.000,00\nSudah dipulihkan\nRp 0,00\nSisa tagihan\n"
        "Rp 5.350.000,00"), d["written_off_facts"]
    # a recovery above what is still owed: 422 recovery_exceeds_owed at the amount
    assert d["too_much"] == "Jumlah melebihi sisa tagihan."
    assert d["recovered_owed"] == ["Rp 5.350.000,00", "Rp 1.000.000,00", "Rp 4.350.000,00"]
    assert d["loan_recoveries"] == [["15/09/2025", "Rp 1.000.000,00"]]
    # the portfolio: the written-off loan in no class, listed apart with its recovery
    assert d["portfolio_classes"] == [["Lancar", "1", "Rp 1.000.000,00", "Rp 5.000,00"],
                                      ["Kurang lancar", "0", "Rp 0,00", "Rp 0,00"],
                                      ["Diragukan", "0", "Rp 0,00", "Rp 0,00"],
                                      ["Macet", "0", "Rp 0,00", "Rp 0,00"]]
    assert d["written_off_facts_portfolio"] == ("Pinjaman dihapus buku\n1\nPokok dihapus buku\n"
                                                "Rp 5.000.000,00\nSudah dipulihkan\nRp 1.000.000,00\n"
                                                "Sisa tagihan\nRp 4.350.000,00")
    assert d["write_offs"] == [[f"Pinjaman #{loss}", "Ibu Hapus 9501", "01/09/2025", "Rp 5.000.000,00",
                                "Rp 5.350.000,00", "Rp 1.000.000,00", "Rp 4.350.000,00"]]
    assert d["recoveries"] == [[f"Pinjaman #{loss}", "15/09/2025", "Rp 1.000.000,00", "Rp 4.350.000,00"]]
    assert [row[4] for row in d["loan_list"]] == ["dihapus buku", "berjalan", "dibatalkan"]
    assert [row[3] for row in d["loan_list"]] == ["Rp 0,00", "Rp 1.000.000,00", "Rp 0,00"]


def test_opening_balances_in_the_browser(cluster):
    coop = ApiCoop(cluster, "KSP Saldo Awal", 9600)
    first, second = coop.member(), coop.member()
    d, _ = run_script("opening.mjs", {"LUMBUNG_URL": url(cluster), "COOP": coop.id,
                                       "LUMBUNG_ADMIN_PASSWORD": cluster.admin_password,
                                       "NAME1": "Anggota 9601", "NAME2": "Anggota 9602"})
    # the third row's savings account, sent as lines[1], named at the row it was typed in
    assert d["savings_account"] == "Akun ini menampung simpanan anggota: isi simpanan per anggota di bawah."
    # 5,000,000 cash = 2,000,000 grant + the members' 2 x (100,000 + 150,000 + 1,250,000)
    assert d["journal_first"] == ["1", "30/11/2025", "Saldo awal dari buku kas",
                                  "1-101 Debit Rp 5.000.000,00\n3-301 Kredit Rp 2.000.000,00\n"
                                  "3-101 Kredit Rp 200.000,00\n3-102 Kredit Rp 300.000,00\n"
                                  "2-101 Kredit Rp 2.500.000,00", "Rp 5.000.000,00"]
    assert d["start_links"] == 0 and d["forms"] == 0
    assert d["closed"] == "Buku koperasi ini sudah berisi jurnal: saldo awal hanya dapat menjadi jurnal pertama."
    for m in (first, second):
        acc = cluster.api("GET", coop.base + "/members/%s/accounts" % m).json["items"]
        assert sorted((a["kind"], a["balance"]) for a in acc if a["kind"] != "time_deposit") == \
            [("mandatory", "150000"), ("principal", "100000"), ("voluntary", "1250000")], acc


def test_each_role_sees_only_what_it_may_do_errors_at_the_field_and_the_keyboard(cluster):
    coop = LoanCoop(cluster, "KSP Peran Jelas", 9700)
    m, m2 = coop.member(), coop.member()
    coop.deposit(m, "voluntary", "500000")
    loan = coop.loan(m, "400000")
    first = cluster.api("GET", f"{coop.base}/members/{m}").json
    for name, role in (("lihat.peran", "viewer"), ("op.peran", "operator")):
        create_user(cluster, name, role, coop.id)
    create_user(cluster, "awas.peran", "supervisor")
    tz = datetime.timezone(datetime.timedelta(hours=7))            # Asia/Jakarta, the default
    tomorrow = datetime.datetime.now(tz).date() + datetime.timedelta(days=1)
    d, _ = run_script("access.mjs", {"LUMBUNG_URL": url(cluster), "COOP": coop.id, "MEMBER": m,
                                     "LOAN": loan, "VIEWER": "lihat.peran", "OPERATOR": "op.peran",
                                     "SUPERVISOR": "awas.peran", "PASSWORD": PASSWORD,
                                     "TOMORROW": tomorrow.strftime("%d/%m/%Y"), "NIK": first["nik"],
                                     "COOP_NAME": "KSP Peran Jelas"})
    c = f"/koperasi/{coop.id}"
    read_tabs = ["Ringkasan", "Anggota", "Pinjaman", "Jurnal", "Laporan"]
    for who in ("viewer", "supervisor"):
        for path in (c, f"{c}/anggota", f"{c}/anggota/{m}", f"{c}/anggota/{m}/mutasi", f"{c}/pinjaman",
                     f"{c}/pinjaman/{loan}", f"{c}/jurnal", f"{c}/laporan", f"{c}/laporan/health?year=2025",
                     f"{c}/laporan/shu?year=2025"):
            seen = d[f"{who} {path}"]
            assert seen["write_links"] == [], (who, path, seen)
            assert seen["tabs"][:5] == read_tabs, (who, path, seen)       # no Simpanan, no Tutup hari
            want_buttons = ["Cetak"] if path.endswith("/mutasi") else []
            assert seen["buttons"] == want_buttons, (who, path, seen)
            # a supervisor records supervision visits and the management questionnaire
            want_forms = {(c, "supervisor"): ["Catat kunjungan pengawasan"],
                          (f"{c}/anggota", "supervisor"): ["Cari"], (f"{c}/anggota", "viewer"): ["Cari"],
                          (f"{c}/laporan/health?year=2025", "supervisor"): ["Simpan"]}.get((path, who), [])
            assert seen["forms"] == want_forms, (who, path, seen)
    # search by name and by NIK; cooperatives by name
    assert d["members_all"] == 2
    assert [r.split(" | ")[1] for r in d["by_name"]] == ["Ibu Hapus 9702"], d["by_name"]
    assert [r.split(" | ")[1] for r in d["by_nik"]] == ["Ibu Hapus 9701"], d["by_nik"]
    assert d["coop_search"] == ["KSP Peran Jelas"]
    # the same member page shows an operator what they may do
    assert d["operator member"]["write_links"] == [f"{c}/simpanan", f"{c}/tutup-hari",  # the tabs
                                                   f"{c}/simpanan", f"{c}/pinjaman/baru",
                                                   f"{c}/anggota/{m}/ubah", f"{c}/anggota/{m}/keluar"]
    assert d["operator member"]["buttons"] == ["Beri akses anggota"], d["operator member"]
    assert d["operator member"]["forms"] == [], d["operator member"]
    assert d["access_error_en"] == "The session does not match; reload the page." and d["access_code_shown"] == 0
    assert d["access_cancelled"] == ["", "Beri akses anggota"]
    assert d["operator member"]["tabs"] == read_tabs[:2] + ["Simpanan"] + read_tabs[2:4] + ["Tutup hari", "Laporan"]
    assert d["future_id"] == ("Tanggal transaksi setelah hari ini: uang dibukukan pada hari uang itu "
                              "bergerak.")
    assert (d["future_invalid"], d["future_focused"]) == ("true", "value_date")
    assert d["future_en"] == "The value date is after today: money is booked on the day it moves."
    assert d["focus_at_start"] == "main" and d["first_tab"] == "Langsung ke isi"
    assert d["after_skip"] == ["main", f"{c}/simpanan?member={m}"]
    assert d["tab_labels"][-3:] == ["Anggota", "Jenis simpanan", "Jumlah"], d["tab_labels"]
    assert d["tab_outlines"] == ["solid"], d["tab_outlines"]
    assert d["keyboard_notice"] == ("Setoran Rp 25.000,00 ke Simpanan sukarela tercatat. Saldo sekarang "
                                    "Rp 525.000,00.")


def test_make_run_prints_the_web_address_and_the_readme_first_session_works_there():
    """`make run` on fresh stores prints the web interface's address and, once, the generated
    admin password; the README's first session is then done in the browser at that address."""
    from test_run_local import Run                      # the `make run` harness
    r = Run(extra_env={"LUMBUNG_ADMIN_PASSWORD": ""})
    try:
        r.wait_log("lumbung: running:")
        r.wait_ready()
        printed = re.search(r"web interface on (http://127\.0\.0\.1:\d+/) \(log in as admin\)", r.log())
        assert printed, r.log()[-3000:]
        assert printed.group(1) == f"http://127.0.0.1:{r.http_port}/"
        password = re.search(r"created user admin with password (\S+) \(shown only now; change it\)",
                             r.log())
        assert password, r.log()[-3000:]
        d, _ = run_script("first_session.mjs", {"LUMBUNG_URL": printed.group(1).rstrip("/"),
                                                "LUMBUNG_ADMIN_PASSWORD": password.group(1)})
    finally:
        r.stop()
    assert d["path_before_login"] == "/login"
    assert d["who"] == "Administrator (administrator)"
    assert d["password_notice"] == "Kata sandi telah diganti. Silakan masuk dengan kata sandi baru."
    assert d["coop_notice"] == "Koperasi telah didaftarkan."
    assert d["reached"] == ["Daftarkan anggota", "Impor anggota dari CSV", "Setoran dan penarikan simpanan",
                            "Ajukan pinjaman"]


def test_member_pages_in_the_browser(cluster):
    """A member's own pages (tests/web/member.mjs) on the fixture cooperative of
    member_books.py, every figure to the sen as member_books.py works them out."""
    import datetime as dt
    import member_books
    k = member_books.build(cluster, extra_settings={"public_profile": True})
    closed = member_books.build(cluster, "Koperasi Tertutup Kenanga", 4400)
    me = member_books.member_record(cluster, k, k.me)
    other = member_books.member_record(cluster, k, k.other)
    people = [member_books.member_record(cluster, c, m) for c in (k, closed) for m in (c.me, c.other)]
    create_user(cluster, "op.sari", "operator", k.id)
    locked = member_books.member_record(cluster, k, k.member())
    member_books.activate(cluster, k, locked["member_number"], member_books.grant(cluster, k, locked["id"]), "135791")
    d, _ = run_script("member.mjs", {"LUMBUNG_URL": url(cluster), "COOP": k.id, "OPERATOR": "op.sari",
                                     "PASSWORD": PASSWORD, "NUMBER": me["member_number"], "ME_ID": me["id"],
                                     "OTHER_ID": other["id"], "OTHER_NAME": other["name"],
                                     "LOCKED_NUMBER": locked["member_number"], "LOCKED_PIN": "135791",
                                     "PEOPLE": json.dumps([{"nik": p["nik"], "name": p["name"]} for p in people + [locked]]),
                                     "CLOSED_NAME": "Koperasi Tertutup Kenanga"})
    # The operator's button: a confirmation saying what ends, then the code once with what the
    # member needs, and a printed slip in Bahasa Indonesia that is all the printed page shows.
    assert d["access_confirm"] == (
        "Kode sekali pakai yang baru dibuat untuk Ibu Sari 3301. Kode sebelumnya tidak berlaku lagi, "
        "PIN anggota dihapus dan semua sesi anggota berakhir; anggota mengaktifkan akunnya lagi dengan "
        "kode baru dan membuat PIN baru.")
    assert re.fullmatch(r"[A-Z0-9]{10}", d["code"]), d["code"]
    assert d["access_title"] == "Kode akses Ibu Sari 3301"
    activation = "%s/anggota/aktivasi?koperasi=%s" % (url(cluster), k.id)
    facts = d["access_facts"]
    assert facts[:6] == ["Nomor koperasi", str(k.id), "Nomor anggota", str(me["member_number"]),
                         "Alamat aktivasi", activation], facts
    assert facts[6] == "Berlaku sampai", facts
    until = dt.datetime.strptime(facts[7], "%d/%m/%Y %H:%M")     # 7 days (LUMBUNG_MEMBER_CODE_TTL_S)
    assert abs((until - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) - dt.timedelta(days=7)) < dt.timedelta(hours=1), facts
    assert d["access_once"] == (
        "Kode ini hanya ditampilkan sekarang: cetak slip atau bacakan kepada anggota. Setelah halaman "
        "ini ditinggalkan, kode tidak dapat dilihat lagi; bila hilang, beri akses lagi.")
    assert d["access_focused"] == "access-result"
    assert d["print_calls"] == 1 and d["slip_on_screen"] is False
    assert d["slip"] == ["Akses anggota Lumbung", "Koperasi Wanita Sari",
                         "Nama", "Ibu Sari 3301", "Nomor koperasi", str(k.id),
                         "Nomor anggota", str(me["member_number"]), "Berlaku sampai", facts[7],
                         "Kode aktivasi", d["code"],
                         "Buka %s, isi nomor anggota dan kode aktivasi, lalu buat PIN 6 angka." % activation,
                         "Kode hanya berlaku satu kali. Jangan berikan kepada orang lain."], d["slip"]
    assert d["print_visible"] == [False, False, False, False], d["print_visible"]
    assert d["pin_mismatch"] == "Kedua PIN tidak sama."
    assert d["activated_path"] == "/anggota"
    assert d["who"] == "Ibu Sari 3301 · No. anggota %s" % me["member_number"]
    assert d["savings_total"] == "Rp 1.241.185,46"
    # The arrears as of the day the page states (joined 02/01/2025, 25,000 a month, 75,000 paid).
    stated = re.search(r"sampai (\d\d)/(\d\d)/(\d{4})", d["arrears_periods"]).groups()
    today = dt.date(int(stated[2]), int(stated[1]), int(stated[0]))
    assert abs((today - dt.date.today()).days) <= 1, d["arrears_periods"]
    arrears = member_books.mandatory_arrears(today)
    rupiah = "{:,}".format(arrears // 100).replace(",", ".")
    assert d["mandatory_arrears"] == "Rp %s,%02d" % (rupiah, arrears % 100), d["mandatory_arrears"]
    periods = member_books.months_between(dt.date(2025, 1, 2), today) + 1
    assert d["arrears_periods"].startswith("%d periode wajib sampai" % periods), d["arrears_periods"]
    assert d["savings_rows"] == ["Simpanan pokok\tRp 100.000,00", "Simpanan wajib\tRp 75.000,00",
                                 "Simpanan sukarela\tRp 1.066.185,46", "Simpanan berjangka\tRp 0,00"]
    assert re.fullmatch(r"Data per urutan #\d+, dimuat \d\d/\d\d/\d{4} \d\d:\d\d\.", d["home_asof"]), d["home_asof"]
    assert d["title"] == "Simpanan saya · Lumbung Anggota"
    assert d["description"] == "Simpanan, pinjaman, SHU dan RAT koperasi Anda."
    # 12 instalments of 100,000 + 12,000 from 10/02/2025; 3 paid, the other 9 all due by now.
    assert (d["loan_outstanding"], d["loan_arrears"], d["loan_payoff"]) == \
        ("Rp 900.000,00", "Rp 1.008.000,00", "Rp 1.008.000,00")
    assert len(d["schedule"]) == 12 and d["overdue_rows"] == 9
    assert d["schedule"][0] == "1\t10/02/2025\tRp 100.000,00\tRp 12.000,00\tRp 112.000,00\tRp 112.000,00\tLunas"
    assert d["schedule"][3] == "4\t10/05/2025\tRp 100.000,00\tRp 12.000,00\tRp 112.000,00\tRp 0,00\tTerlambat"
    assert d["schedule"][11] == "12\t10/01/2026\tRp 100.000,00\tRp 12.000,00\tRp 112.000,00\tRp 0,00\tTerlambat"
    assert d["statement_period"] == "Periode 01/02/2025 – 31/03/2025"
    assert (d["statement_opening"], d["statement_closing"]) == ("Rp 125.000,00", "Rp 1.241.185,46")
    assert [row.split("\t")[0::3] for row in d["statement_lines"]] == [
        ["06/02/2025", "Rp 25.000,00"], ["06/03/2025", "Rp 25.000,00"], ["20/03/2025", "Rp 1.066.185,46"]]
    assert d["pdf_href"] == "/api/v1/member/statement?from=2025-02-01&to=2025-03-31&format=pdf"
    assert d["pdf_status"] == [200, "application/pdf"]
    assert d["print_header_visible"] is False and d["print_form_visible"] is False
    assert d["print_head"] == "Koperasi Wanita Sari — mutasi simpanan Ibu Sari 3301, No. anggota %s" % me["member_number"]
    assert d["shu_default_year"] == str(today.year - 1)       # the last ended fiscal year
    assert d["shu_year"] == "2025"
    assert d["shu_total"] == "Rp 270.061,53"
    assert d["capital_share"] == "20 % × Rp 1.048.000,00 × 175.000,00 ÷ 325.000,00 = Rp 112.861,53"
    assert d["usage_share"] == "20 % × Rp 1.048.000,00 × 36.000,00 ÷ 48.000,00 = Rp 157.200,00"
    assert "Ibu Sari 3302" not in d["shu_how"]
    assert "20/03/2026" in d["rat"] and "RAT tahun buku 2025" in d["rat"]
    assert (d["bs_assets"], d["is_surplus"]) == ("Rp 7.439.185,46", "Rp 1.048.000,00")
    assert d["allocation"][1] == "Jasa modal anggota\tRp 209.599,99"
    assert d["rat_html_has_other"] is False
    assert d["en_total"] == "Rp 1,241,185.46"
    assert d["api_other"] == [[403, "forbidden", "member_id"]] * 4
    assert d["url_other_total"] == "Rp 1.241.185,46"         # an id in the URL changes nothing
    assert d["operator_page_other"] == "Akses ditolak" and d["other_name_visible"] is False
    assert d["wrong"][:4] == ["Nomor koperasi, nomor anggota, kode atau PIN salah."] * 4
    locked_text = "Terlalu banyak percobaan yang salah. Akun dikunci sementara; coba lagi nanti atau minta kode baru ke petugas."
    assert d["wrong"][4] == locked_text and d["locked_right_pin"] == locked_text
    assert d["locked_path"] == "/anggota/masuk"
    # The public face: only the cooperative that opted in, and nobody's NIK or name.
    assert "Koperasi Wanita Sari" in d["directory_links"] and d["closed_listed"] is False
    assert d["profile_title"] == "Koperasi Wanita Sari"
    assert "Jumlah anggota\n3 anggota aktif" in d["profile"], d["profile"]
    assert "RAT tahun buku 2025 diselenggarakan 20/03/2026" in d["profile"], d["profile"]
    assert d["personal_data"] == [] and d["public_scripts"] == 0
