"""Report files (docs/reporting.md, "Formats") through the gateway for one fixture cooperative
with savings, a loan with a repayment and income: every CSV has its header as the first row
and every row as wide; what the file reflects is in X-Lumbung-* headers (or a trailing
section on request); headings and file names in Bahasa Indonesia unless lang=en; the
dialect=excel-id file (BOM, `;`, decimal comma) read back as Indonesian Excel would gives
exactly the JSON's figures; health gets a CSV file too; wrong options are 400 naming them."""
import csv
import datetime
import io
import os
import sys
import time
from decimal import Decimal

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from reporting_util import ApiCoop  # noqa: E402

BOM = "\ufeff"


class Coop(ApiCoop):
    GROUP, DISTRICT, BIRTH, FEMALE = "women", "Sukasari", datetime.date(1984, 7, 9), True
    PERSON, VILLAGE, PHONE = "Ibu Format", "Desa Gegerkalong", "0812-5555"

    def get(self, path):
        r = self.c.api("GET", self.base + path)
        assert r.status == 200, r
        return r


@pytest.fixture(scope="module")
def coop(cluster):
    k = Coop(cluster, "KSP Format Mandiri", 3100, legal_number="518/77/BH/2015")
    k.m1, k.m2 = k.member(), k.member()
    k.deposit(k.m1, "principal", "100000")
    k.deposit(k.m1, "voluntary", "1066185.46")
    k.deposit(k.m2, "principal", "100000")
    k.deposit(k.m2, "mandatory", "25000")
    r = cluster.api("POST", k.base + "/loans", {
        "member_id": k.m2, "principal": "600000", "annual_rate": "12", "instalments": 6,
        "frequency": "monthly", "method": "flat", "first_due_on": "2025-02-10",
        "applied_on": "2025-01-05"})
    assert r.status == 201, r
    k.loan = r.json["id"]
    k.post("/loans/%s/disburse" % k.loan, {"value_date": "2025-01-10"})
    k.post("/loans/%s/repayments" % k.loan, {"amount": "106000", "value_date": "2025-02-10"})
    k.post("/journal", {"value_date": "2025-03-01", "memo": "Jasa administrasi",
                        "lines": [{"account": "1-101", "debit": "12500.55"},
                                  {"account": "4-301", "credit": "12500.55"}]})
    # Reports read the members stream too (names, the cooperative): wait until it is there.
    for _ in range(100):
        shu = k.get("/reports/shu?year=2025").json
        if len(shu.get("members") or []) == 2 and all(m.get("name") for m in shu["members"]):
            break
        time.sleep(0.1)
    return k


def rows_of(text, delimiter=","):
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def id_number(text):
    """A number as Indonesian Excel reads it: decimal comma."""
    return Decimal(text.replace(",", ".")) if text else None


PATHS = {
    "balance_sheet": ("/reports/balance-sheet?as_of=2025-12-31", "neraca-koperasi-%(id)s-2025-12-31"),
    "income_statement": ("/reports/income-statement?from=2025-01-01&to=2025-12-31",
                         "hasil-usaha-koperasi-%(id)s-2025-01-01-2025-12-31"),
    "trial_balance": ("/reports/trial-balance?as_of=2025-12-31",
                      "neraca-saldo-koperasi-%(id)s-2025-12-31"),
    "loan_portfolio": ("/reports/loan-portfolio?as_of=2025-12-31",
                       "portofolio-pinjaman-koperasi-%(id)s-2025-12-31"),
    "shu": ("/reports/shu?year=2025", "shu-koperasi-%(id)s-2025"),
    "health": ("/reports/health?year=2025", "kesehatan-koperasi-%(id)s-2025"),
}


def test_every_csv_has_its_header_first_and_rows_as_wide(cluster, coop):
    for report, (path, name) in PATHS.items():
        r = coop.get(path + "&format=csv")
        assert r.headers["Content-Type"].startswith("text/csv"), (report, r.headers)
        assert 'filename="%s.csv"' % (name % {"id": coop.id}) in r.headers["Content-Disposition"]
        assert r.headers["X-Lumbung-Report"] == report, r.headers
        assert r.headers["X-Lumbung-Cooperative"] == str(coop.id), r.headers
        assert int(r.headers["X-Lumbung-As-Of-Seq"]) > 0, r.headers
        rows = rows_of(r.text)
        assert len({len(x) for x in rows}) == 1, (report, rows)
        assert not r.text.startswith(BOM)
    sheet = rows_of(coop.get(PATHS["balance_sheet"][0] + "&format=csv").text)
    assert sheet[0] == ["Kelompok", "Kode", "Nama Akun", "Peran", "Saldo"]
    en = rows_of(coop.get(PATHS["balance_sheet"][0] + "&format=csv&lang=en").text)
    assert en[0] == ["class", "code", "name", "role", "balance"]
    st = coop.get("/members/%s/statement?to=2025-12-31&format=csv" % coop.m2)
    assert 'filename="buku-simpanan-koperasi-%s-anggota-%s-2025-12-31.csv"' % (coop.id, coop.m2) \
        in st.headers["Content-Disposition"]
    rows = rows_of(st.text)
    assert len({len(x) for x in rows}) == 1 and len(rows[0]) == 9, rows
    assert ["No. Pinjaman", "Tanggal", "Jenis", "No. Jurnal", "Jumlah", "Denda", "Bunga", "Pokok",
            "Sisa Pokok"] in rows
    for path in ("/api/v1/district/dashboard?as_of=2025-12-31&format=csv",
                 "/api/v1/district/ods?year=2025&format=csv"):
        r = cluster.api("GET", path)
        assert r.status == 200 and "X-Lumbung-Cooperative" not in r.headers, r
        assert len({len(x) for x in rows_of(r.text)}) == 1


def test_excel_id_balance_sheet_gives_the_json_figures(cluster, coop):
    path = PATHS["balance_sheet"][0]
    js = coop.get(path).json
    r = coop.get(path + "&format=csv&dialect=excel-id")
    assert r.text.startswith(BOM), r.text[:10]
    rows = rows_of(r.text[1:], ";")
    assert rows[0] == ["Kelompok", "Kode", "Nama Akun", "Peran", "Saldo"]
    want = {a.get("code", ""): Decimal(a["balance"])
            for s in js["sections"] for a in s.get("accounts", [])}
    got = {x[1]: id_number(x[4]) for x in rows[1:] if x[0] != "jumlah"}
    assert got == want
    totals = {x[2]: id_number(x[4]) for x in rows[1:] if x[0] == "jumlah"}
    assert totals == {"Jumlah Aset": Decimal(js["total_assets"]),
                      "Jumlah Kewajiban": Decimal(js["total_liabilities"]),
                      "Jumlah Ekuitas": Decimal(js["total_equity"]),
                      "Pinjaman bruto": Decimal(js["loans_gross"]),
                      "Penyisihan penghapusan pinjaman": Decimal(js["loan_loss_allowance"]),
                      "Pinjaman neto": Decimal(js["loans_net"])}
    # savings 1,291,185.46 + interest 6,000 + fees 12,500.55; cash 809,686.01 + loan 500,000
    assert js["total_assets"] == "1309686.01"
    # enum values in Bahasa Indonesia (lang=id): the class and the role of the account
    assert ["Aset", "1-101", "Kas", "Kas", "809686,01"] in rows
    assert ["Aset", "1-201", "Piutang pinjaman anggota", "Piutang pinjaman anggota", "500000"] in rows


def test_excel_id_portfolio_shu_and_health_give_the_json_figures(cluster, coop):
    p = coop.get(PATHS["loan_portfolio"][0]).json
    rows = rows_of(coop.get(PATHS["loan_portfolio"][0] + "&format=csv&dialect=excel-id").text[1:], ";")
    classes = {x[0]: (int(x[1]), id_number(x[2]), id_number(x[6])) for x in rows[1:]
               if x[0] != "jumlah"}
    assert classes == {CLASS_ID[c["class"]]: (c["loans"], Decimal(c["outstanding_principal"]),
                                              Decimal(c["allowance"])) for c in p["classes"]}
    assert ["jumlah", "Sisa Pokok", "500000", "", "", "", ""] in rows
    assert p["outstanding_principal"] == "500000"

    s = coop.get(PATHS["shu"][0]).json
    rows = rows_of(coop.get(PATHS["shu"][0] + "&format=csv&dialect=excel-id").text[1:], ";")
    members = {x[0]: (x[2], id_number(x[3]), id_number(x[5]), id_number(x[6]), id_number(x[7]))
               for x in rows[1:] if x[0] != "jumlah"}
    assert members == {m["member_id"]: (m["name"], Decimal(m["capital"]),
                                        Decimal(m["capital_share"]), Decimal(m["usage_share"]),
                                        Decimal(m["total"])) for m in s["members"]}
    totals = {x[2]: id_number(x[3]) for x in rows[1:] if x[0] == "jumlah"}
    assert totals["Sisa Hasil Usaha"] == Decimal(s["surplus"]) == Decimal("18500.55")
    assert totals["Cadangan"] == Decimal(s["allocation"]["reserves"])

    h = coop.get(PATHS["health"][0]).json
    rows = rows_of(coop.get(PATHS["health"][0] + "&format=csv&dialect=excel-id").text[1:], ";")
    scores = {x[0]: id_number(x[5]) for x in rows[1:] if x[0] != "jumlah"}
    assert scores == {c["code"]: Decimal(c["score"]) if c.get("score") else None
                      for c in h["components"]}
    assert ["jumlah", "Skor Total", "", "", "", h["total"].replace(".", ","), "", ""] in rows


def test_metadata_section_on_request(cluster, coop):
    r = coop.get(PATHS["balance_sheet"][0] + "&format=csv&lang=en&metadata=true")
    rows = rows_of(r.text)
    at = rows.index(["", "", "", "", ""])
    meta = {x[0]: x[1] for x in rows[at + 1:]}
    assert meta == {"report": "balance_sheet", "cooperative_id": str(coop.id),
                    "period": "2025-12-31", "as_of_seq": r.headers["X-Lumbung-As-Of-Seq"],
                    "members_seq": r.headers["X-Lumbung-Members-Seq"]}
    assert all(len(x) == 5 for x in rows)


def test_wrong_options_name_their_field(cluster, coop):
    for query, code, field in (("dialect=excel", "invalid_dialect", "dialect"),
                               ("lang=fr", "invalid_lang", "lang")):
        r = cluster.api("GET", coop.base + "/reports/balance-sheet?format=csv&" + query)
        assert r.status == 400, r
        assert (r.json["error"]["code"], r.json["error"]["field"]) == (code, field), r


# ---------------------------------------------------------------- XLSX

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '"Rp "#,##0.00'
HEAD = 5          # the header row, under the block that says what the sheet is


def workbook(r):
    import openpyxl
    assert r.status == 200 and r.headers["Content-Type"] == XLSX, r
    return openpyxl.load_workbook(io.BytesIO(r.body), data_only=False)


def sheet_rows(ws):
    """The rows under the header, as values; money must be numbers in the rupiah format."""
    rows = []
    for row in ws.iter_rows(min_row=HEAD + 1):
        for c in row:
            if isinstance(c.value, float) and c.number_format == MONEY_FORMAT:
                assert c.value == round(c.value, 2)
        rows.append([c.value for c in row])
    return rows


def rupiah(v):
    return Decimal(str(round(v, 2))).normalize() if v is not None else None


def test_xlsx_balance_sheet_is_numbers_with_the_json_figures(cluster, coop):
    path = PATHS["balance_sheet"][0]
    js = coop.get(path).json
    r = cluster.http("GET", coop.base + path + "&format=xlsx", token=cluster.admin_token())
    assert 'filename="neraca-koperasi-%s-2025-12-31.xlsx"' % coop.id in r.headers["Content-Disposition"]
    wb = workbook(r)
    assert wb.sheetnames == ["Neraca"]
    ws = wb["Neraca"]
    assert ws.freeze_panes == "A%d" % (HEAD + 1)
    assert [c.value for c in ws[HEAD]] == ["Kelompok", "Kode", "Nama Akun", "Peran", "Saldo"]
    assert all(c.font.b for c in ws[HEAD])
    assert ws["A1"].value == "Neraca"
    assert "KSP Format Mandiri" in ws["A2"].value and "518/77/BH/2015" in ws["A2"].value
    assert ws["A3"].value == "Periode 2025-12-31, as_of_seq %s" % r.headers["X-Lumbung-As-Of-Seq"]
    assert ws.column_dimensions["C"].width >= 30
    kas = [c for c in ws["E"] if c.row > HEAD and ws.cell(c.row, 2).value == "1-101"][0]
    assert isinstance(kas.value, float) and kas.number_format == MONEY_FORMAT
    rows = sheet_rows(ws)
    want = {a.get("code"): Decimal(a["balance"]).normalize()
            for s in js["sections"] for a in s.get("accounts", [])}
    assert {x[1]: rupiah(x[4]) for x in rows if x[0] != "jumlah"} == want
    assert {x[2]: rupiah(x[4]) for x in rows if x[0] == "jumlah"} == {
        "Jumlah Aset": Decimal("1309686.01"), "Jumlah Kewajiban": Decimal(js["total_liabilities"]),
        "Jumlah Ekuitas": Decimal(js["total_equity"]).normalize(),
        "Pinjaman bruto": Decimal("500000"), "Penyisihan penghapusan pinjaman": Decimal("0"),
        "Pinjaman neto": Decimal("500000")}
    assert wb.properties.title == "Neraca" and wb.properties.subject == "2025-12-31"
    en = workbook(cluster.http("GET", coop.base + path + "&format=xlsx&lang=en",
                               token=cluster.admin_token()))
    assert en.sheetnames == ["Balance sheet"]
    assert [c.value for c in en["Balance sheet"][HEAD]] == ["class", "code", "name", "role", "balance"]


# The Bahasa Indonesia a lang=id file gives these enum values (services/reporting/enum_id.c).
CLASS_ID = {"current": "Lancar", "substandard": "Kurang lancar", "doubtful": "Diragukan", "loss": "Macet"}
MOVEMENT_ID = {"disbursement": "Pencairan", "repayment": "Angsuran"}
RATING_ID = {"healthy": "Sehat", "fairly_healthy": "Cukup sehat", "under_supervision": "Dalam pengawasan",
             "under_special_supervision": "Dalam pengawasan khusus", "not_rated": "Belum dinilai"}


def xlsx_of(cluster, path):
    return workbook(cluster.http("GET", path, token=cluster.admin_token()))


def test_xlsx_of_every_report_shows_the_json_figures(cluster, coop):
    p = coop.get(PATHS["loan_portfolio"][0]).json
    ws = xlsx_of(cluster, coop.base + PATHS["loan_portfolio"][0] + "&format=xlsx")["Portofolio Pinjaman"]
    rows = sheet_rows(ws)
    assert {x[0]: (x[1], rupiah(x[2]), rupiah(x[6])) for x in rows if x[0] != "jumlah"} == \
        {CLASS_ID[c["class"]]: (c["loans"], Decimal(c["outstanding_principal"]),
                                Decimal(c["allowance"]).normalize())
         for c in p["classes"]}

    s = coop.get(PATHS["shu"][0]).json
    rows = sheet_rows(xlsx_of(cluster, coop.base + PATHS["shu"][0] + "&format=xlsx")["SHU"])
    assert {str(x[0]): (x[2], rupiah(x[5]), rupiah(x[6]), rupiah(x[7])) for x in rows
            if x[0] != "jumlah"} == \
        {m["member_id"]: (m["name"], Decimal(m["capital_share"]).normalize(),
                          Decimal(m["usage_share"]).normalize(), Decimal(m["total"]).normalize())
         for m in s["members"]}
    assert {x[2]: rupiah(x[3]) for x in rows if x[0] == "jumlah"}["Sisa Hasil Usaha"] == \
        Decimal(s["surplus"])

    t = coop.get(PATHS["trial_balance"][0]).json
    rows = sheet_rows(xlsx_of(cluster, coop.base + PATHS["trial_balance"][0] + "&format=xlsx")["Neraca Saldo"])
    assert {x[0]: (rupiah(x[4]), rupiah(x[5])) for x in rows if x[0] != "jumlah"} == \
        {a["code"]: (Decimal(a["debit_total"]).normalize(), Decimal(a["credit_total"]).normalize())
         for a in t["items"]}

    i = coop.get(PATHS["income_statement"][0]).json
    rows = sheet_rows(xlsx_of(cluster, coop.base + PATHS["income_statement"][0] + "&format=xlsx")
                      ["Perhitungan Hasil Usaha"])
    assert {x[2]: rupiah(x[4]) for x in rows if x[0] == "jumlah"}["Sisa Hasil Usaha"] == \
        Decimal(i["surplus"]) == Decimal("18500.55")

    h = coop.get(PATHS["health"][0]).json
    rows = sheet_rows(xlsx_of(cluster, coop.base + PATHS["health"][0] + "&format=xlsx")["Kesehatan Koperasi"])
    assert {x[0]: x[5] for x in rows if x[0] != "jumlah"} == \
        {c["code"]: float(c["score"]) if c.get("score") else None for c in h["components"]}

    st = coop.get("/members/%s/statement?to=2025-12-31" % coop.m2).json
    wb = xlsx_of(cluster, coop.base + "/members/%s/statement?to=2025-12-31&format=xlsx" % coop.m2)
    assert wb.sheetnames == ["Simpanan", "Kartu Angsuran"]
    savings = sheet_rows(wb["Simpanan"])
    assert [rupiah(x[5]) for x in savings if x[0] not in ("awal", "akhir")] == \
        [Decimal(l["amount"]).normalize() for l in st["lines"]]
    card = sheet_rows(wb["Kartu Angsuran"])
    assert [(x[1], x[2], rupiah(x[4]), rupiah(x[6]), rupiah(x[7]), rupiah(x[8]))
            for x in card if x[1] not in ("awal", "akhir")] == \
        [(l["value_date"], MOVEMENT_ID[l["kind"]], Decimal(l["amount"]).normalize(),
          Decimal(l.get("interest", "0")).normalize(), Decimal(l.get("principal", "0")).normalize(),
          Decimal(l["outstanding_principal"]).normalize())
         for l in st["loans"][0]["lines"]]

    for path, sheet in (("/api/v1/district/dashboard?as_of=2025-12-31&format=xlsx", "Koperasi"),
                        ("/api/v1/district/ods?year=2025&format=xlsx", "ODS")):
        wb = xlsx_of(cluster, path)
        mine = [x for x in sheet_rows(wb[sheet]) if x[0] == int(coop.id)]
        assert len(mine) == 1 and mine[0][1] == "KSP Format Mandiri", mine
    ods = [x for x in cluster.api("GET", "/api/v1/district/ods?year=2025").json["items"]
           if x["cooperative_id"] == coop.id][0]
    row = [x for x in sheet_rows(xlsx_of(cluster, "/api/v1/district/ods?year=2025&format=xlsx")["ODS"])
           if x[0] == int(coop.id)][0]
    assert (rupiah(row[14]), rupiah(row[16]), rupiah(row[17])) == (
        Decimal(ods["own_capital"]).normalize(), Decimal(ods["total_assets"]).normalize(),
        Decimal(ods["surplus"]).normalize())


def test_the_import_template_as_xlsx(cluster, coop):
    wb = xlsx_of(cluster, coop.base + "/members/import-template?format=xlsx")
    assert [c.value for c in wb["Anggota"][HEAD]] == \
        ["nik", "name", "sex", "birth_date", "address", "phone", "joined_on"]


# ---------------------------------------------------------------- PDF

def pdf_text(r, tmp_path, name="r"):
    """The text of every page as pdftotext reads it (after pdftoppm rendered it), pages split."""
    import subprocess
    assert r.status == 200 and r.headers["Content-Type"] == "application/pdf", r
    path = tmp_path / (name + ".pdf")
    path.write_bytes(r.body)
    png = subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(path),
                          str(tmp_path / name)], capture_output=True)
    assert png.returncode == 0, png.stderr
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\f")[:-1]


def idr(text):
    """Decimal "1066185.46" as a person writes it: "Rp 1.066.185,46"."""
    d = Decimal(text)
    whole, frac = ("%.2f" % abs(d)).split(".")
    groups = "{:,}".format(int(whole)).replace(",", ".")
    return "%sRp %s,%s" % ("-" if d < 0 else "", groups, frac)


def test_pdf_balance_sheet_pages_show_the_json_figures(cluster, coop, tmp_path):
    path = PATHS["balance_sheet"][0]
    js = coop.get(path).json
    r = cluster.http("GET", coop.base + path + "&format=pdf", token=cluster.admin_token())
    assert 'filename="neraca-koperasi-%s-2025-12-31.pdf"' % coop.id in r.headers["Content-Disposition"]
    pages = pdf_text(r, tmp_path)
    assert len(pages) == 1
    text = pages[0]
    for want in ("KSP Format Mandiri", "No. Badan Hukum: 518/77/BH/2015", "Neraca",
                 "Periode: 31/12/2025", "Halaman 1 dari 1", "Jumlah Aset"):
        assert want in text, (want, text)
    for s in js["sections"]:
        for a in s.get("accounts", []):
            assert idr(a["balance"]) in text, (a, text)
    assert idr(js["total_assets"]) == "Rp 1.309.686,01" and "Rp 1.309.686,01" in text
    assert "Rp 809.686,01" in text


def test_pdf_statement_and_loan_card(cluster, coop, tmp_path):
    st = coop.get("/members/%s/statement?from=2025-01-01&to=2025-12-31" % coop.m2).json
    r = cluster.http("GET", coop.base + "/members/%s/statement?from=2025-01-01&to=2025-12-31&format=pdf"
                     % coop.m2, token=cluster.admin_token())
    text = "\n".join(pdf_text(r, tmp_path))
    assert "Buku Simpanan Anggota" in text and "Kartu Angsuran" in text
    assert "Periode: 01/01/2025 s.d. 31/12/2025" in text
    for l in st["lines"]:
        assert idr(l["amount"]) in text and idr(l["total_balance"]) in text
    for l in st["loans"][0]["lines"]:
        assert idr(l["amount"]) in text and idr(l["outstanding_principal"]) in text
        d = datetime.date.fromisoformat(l["value_date"])
        assert d.strftime("%d/%m/%Y") in text


def line_with(text, *parts):
    """The one line of pdftotext -layout output holding every part, in order."""
    def in_order(line):
        at = 0
        for p in parts:
            at = line.find(p, at)
            if at < 0:
                return False
            at += len(p)
        return True
    found = [l for l in text.splitlines() if in_order(l)]
    assert found, (parts, text)
    return found[0]


def test_rat_pack_pdf_has_every_paper_with_the_json_figures(cluster, coop, tmp_path):
    b = coop.get("/reports/balance-sheet?as_of=2025-12-31").json
    i = coop.get("/reports/income-statement?from=2025-01-01&to=2025-12-31").json
    s = coop.get("/reports/shu?year=2025").json
    p = coop.get("/reports/loan-portfolio?as_of=2025-12-31").json
    h = coop.get("/reports/health?year=2025").json
    r = cluster.http("GET", coop.base + "/reports/rat-pack?year=2025", token=cluster.admin_token())
    assert 'filename="laporan-rat-koperasi-%s-2025.pdf"' % coop.id in r.headers["Content-Disposition"]
    pages = pdf_text(r, tmp_path)
    n = len(pages)
    for k, page in enumerate(pages):
        assert "KSP Format Mandiri" in page and "No. Badan Hukum: 518/77/BH/2015" in page
        assert "Periode: 01/01/2025 s.d. 31/12/2025" in page
        assert "Halaman %d dari %d" % (k + 1, n) in page
    text = "\n".join(pages)
    for title in ("Laporan Rapat Anggota Tahunan (RAT)", "Neraca", "Perhitungan Hasil Usaha", "SHU",
                  "Portofolio Pinjaman", "Kesehatan Koperasi"):
        assert title in text, title
    for sec in b["sections"]:
        for a in sec.get("accounts", []):
            if a.get("code"):
                line_with(text, a["code"], a["name"], idr(a["balance"]))
    line_with(text, "Jumlah Aset", idr(b["total_assets"]))
    line_with(text, "Jumlah Pendapatan", idr(i["total_income"]))
    line_with(text, "Sisa Hasil Usaha", idr(i["surplus"]))
    for m in s["members"]:
        line_with(text, m["name"], idr(m["capital"]), idr(m["capital_share"]), idr(m["usage_share"]),
                  idr(m["total"]))
    for part, label in (("reserves", "Cadangan"), ("board", "Dana Pengurus"),
                        ("education", "Dana Pendidikan"), ("social", "Dana Sosial")):
        line_with(text, label, idr(s["allocation"][part]))
    for c in p["classes"]:
        if c["loans"]:
            line_with(text, CLASS_ID[c["class"]], str(c["loans"]), idr(c["outstanding_principal"]),
                      idr(c["allowance"]))
    for c in h["components"]:
        if c.get("score"):
            line_with(text, c["code"], c["score"].replace(".", ","))
    line_with(text, "Skor Total", h["total"].replace(".", ","))
    line_with(text, "Predikat", RATING_ID[h["rating"]])


def test_rat_pack_as_xlsx_and_a_wrong_year(cluster, coop):
    wb = xlsx_of(cluster, coop.base + "/reports/rat-pack?year=2025&format=xlsx")
    assert wb.sheetnames == ["Neraca", "Perhitungan Hasil Usaha", "SHU", "Portofolio Pinjaman",
                             "Kesehatan Koperasi"]
    r = cluster.api("GET", coop.base + "/reports/rat-pack")
    assert (r.status, r.json["error"]["field"]) == (400, "year"), r


def test_member_and_loan_registers_in_every_format(cluster, coop, tmp_path):
    js = coop.get("/reports/members").json
    assert [m["id"] for m in js["items"]] == [str(coop.m1), str(coop.m2)]
    rows = rows_of(coop.get("/reports/members?format=csv&dialect=excel-id").text[1:], ";")
    assert rows[0][:4] == ["No. Anggota", "ID Anggota", "NIK", "Nama"]
    assert [(x[1], x[2], x[3], x[5], x[9]) for x in rows[1:]] == [
        (m["id"], m["nik"], m["name"], m["birth_date"], {"active": "Aktif"}[m["status"]])
        for m in js["items"]]
    ws = xlsx_of(cluster, coop.base + "/reports/members?format=xlsx")["Anggota"]
    assert [(str(x[1]), x[2], x[3]) for x in sheet_rows(ws)] == \
        [(m["id"], m["nik"], m["name"]) for m in js["items"]]

    loans = coop.get("/reports/loans?as_of=2025-12-31").json
    assert [(l["loan_id"], l["member_id"], l["status"], l["outstanding_principal"])
            for l in loans["items"]] == [(str(coop.loan), str(coop.m2), "active", "500000")]
    assert loans["outstanding_principal"] == "500000"
    assert not coop.get("/reports/loans?as_of=2025-01-09").json.get("items")
    r = coop.get("/reports/loans?as_of=2025-12-31&format=csv")
    assert 'filename="daftar-pinjaman-koperasi-%s-2025-12-31.csv"' % coop.id in r.headers["Content-Disposition"]
    rows = rows_of(r.text)
    assert rows[1][:6] == [str(coop.loan), "2", loans["items"][0]["name"], "Berjalan", "Lancar", "500000"]
    text = "\n".join(pdf_text(cluster.http("GET", coop.base + "/reports/loans?as_of=2025-12-31&format=pdf",
                                           token=cluster.admin_token()), tmp_path))
    line_with(text, loans["items"][0]["name"], "Berjalan", "Rp 500.000,00", "10/02/2025")


def test_loan_card_with_schedule_and_payments(cluster, coop, tmp_path):
    js = coop.get("/loans/%s/card" % coop.loan).json
    schedule = js["loan"]["schedule"]
    assert [(s["due_on"], s["principal"], s["interest"], s["balance_after"]) for s in schedule] == [
        ("2025-%02d-10" % (2 + i), "100000", "6000", str(500000 - 100000 * i)) for i in range(6)]
    assert [(l["kind"], l["amount"]) for l in js["card"]["lines"]] == [
        ("disbursement", "600000"), ("repayment", "106000")]
    r = cluster.http("GET", coop.base + "/loans/%s/card?format=pdf" % coop.loan,
                     token=cluster.admin_token())
    assert 'filename="kartu-angsuran-koperasi-%s-pinjaman-%s.pdf"' % (coop.id, coop.loan) in \
        r.headers["Content-Disposition"]
    pages = pdf_text(r, tmp_path)
    text = "\n".join(pages)
    assert "Kartu Angsuran Pinjaman" in text and "Halaman 1 dari %d" % len(pages) in text
    line_with(text, "Pokok Pinjaman", "Rp 600.000,00")
    for s in schedule:
        d = datetime.date.fromisoformat(s["due_on"]).strftime("%d/%m/%Y")
        line_with(text, d, idr(s["principal"]), idr(s["interest"]), idr(s["total"]),
                  idr(s["balance_after"]))
    line_with(text, "10/02/2025", "Angsuran", "Rp 106.000,00", "Rp 6.000,00", "Rp 100.000,00",
              "Rp 500.000,00")
    r = cluster.api("GET", coop.base + "/loans/999999/card")
    assert (r.status, r.json["error"]["code"]) == (404, "loan_not_found"), r
    # A cooperative that does not exist is named as such, and the service is still there after.
    r = cluster.api("GET", coop.base.rsplit("/", 1)[0] + "/999999/loans/%s/card" % coop.loan)
    assert (r.status, r.json["error"]["code"], r.json["error"]["field"]) == \
        (404, "cooperative_not_found", "cooperative_id"), r
    assert coop.get("/loans/%s/card" % coop.loan).json["loan_id"] == str(coop.loan)


def test_journal_of_a_period_in_every_format(cluster, coop, tmp_path):
    js = coop.get("/reports/journal?from=2025-01-01&to=2025-12-31").json
    tx = coop.get("/journal?limit=500").json["items"]
    assert sorted(e["id"] for e in js["entries"]) == sorted(e["id"] for e in tx)
    assert js["total_debit"] == js["total_credit"]
    lines = [(e["id"], l["account"], Decimal(l.get("debit", "0")), Decimal(l.get("credit", "0")))
             for e in js["entries"] for l in e["lines"]]
    rows = rows_of(coop.get("/reports/journal?from=2025-01-01&to=2025-12-31&format=csv"
                            "&dialect=excel-id").text[1:], ";")
    assert rows[0] == ["No. Jurnal", "Tanggal", "Jenis", "Keterangan", "Akun", "Debit", "Kredit"]
    assert [(x[0], x[4], id_number(x[5]), id_number(x[6])) for x in rows[1:-1]] == lines
    assert rows[-1][5:] == [js["total_debit"].replace(".", ",")] * 2
    ws = xlsx_of(cluster, coop.base + "/reports/journal?from=2025-01-01&to=2025-12-31&format=xlsx")["Jurnal"]
    assert [(str(x[0]), x[4], rupiah(x[5]), rupiah(x[6])) for x in sheet_rows(ws)[:-1]] == \
        [(i, a, d.normalize(), c.normalize()) for i, a, d, c in lines]
    text = "\n".join(pdf_text(cluster.http("GET", coop.base + "/reports/journal?from=2025-01-01"
                                           "&to=2025-12-31&format=pdf", token=cluster.admin_token()),
                              tmp_path))
    line_with(text, "01/03/2025", "Jasa administrasi", "4-301", "Rp 0,00", "Rp 12.500,55")
    march = coop.get("/reports/journal?from=2025-03-01&to=2025-03-31").json["entries"]
    assert [e["memo"] for e in march] == ["Jasa administrasi"]


def test_enum_values_in_bahasa_indonesia_unless_lang_en(cluster, coop, tmp_path):
    """lang=id (the default) files give every enum value in Bahasa Indonesia, each health
    component its Indonesian name and each reason its Indonesian; lang=en keeps the JSON's."""
    ws = xlsx_of(cluster, coop.base + "/reports/members?format=xlsx")["Anggota"]
    assert [(x[4], x[9]) for x in sheet_rows(ws)] == [("Perempuan", "Aktif"), ("Perempuan", "Aktif")]
    en = xlsx_of(cluster, coop.base + "/reports/members?format=xlsx&lang=en")["Members"]
    assert [(x[4], x[9]) for x in sheet_rows(en)] == [("female", "active"), ("female", "active")]

    rows = sheet_rows(xlsx_of(cluster, coop.base + PATHS["loan_portfolio"][0] + "&format=xlsx")
                      ["Portofolio Pinjaman"])
    assert [x[0] for x in rows if x[0] != "jumlah"] == ["Lancar", "Kurang lancar", "Diragukan", "Macet"]

    h = coop.get(PATHS["health"][0]).json
    rows = rows_of(coop.get(PATHS["health"][0] + "&format=csv").text)
    by_code = {x[0]: x for x in rows[1:] if x[0] != "jumlah"}
    assert by_code["1a"][1] == "Modal sendiri terhadap total aset"
    assert by_code["2b"][1] == "Risiko pinjaman bermasalah terhadap seluruh pinjaman"
    assert by_code["3"][1:2] + by_code["3"][6:] == ["Manajemen", "tidak",
                                                   "Belum ada kuesioner manajemen untuk tahun ini"]
    assert by_code["7b"][6:] == ["tidak", "Promosi ekonomi anggota tidak dicatat oleh sistem"]
    assert [x[7] for x in rows if x[1] == "Predikat"] == [RATING_ID[h["rating"]]]
    three = [c for c in h["components"] if c["code"] == "3"][0]
    assert (three["reason_code"], three["reason"]) == (
        "no_questionnaire", "no management questionnaire is recorded for this year")
    rows_en = rows_of(coop.get(PATHS["health"][0] + "&format=csv&lang=en").text)
    en3 = [x for x in rows_en if x[0] == "3"][0]
    assert en3[1:2] + en3[6:] == ["management", "false", three["reason"]]
    assert [x[7] for x in rows_en if x[1] == "rating"] == [h["rating"]]

    text = "\n".join(pdf_text(cluster.http("GET", coop.base + PATHS["health"][0] + "&format=pdf",
                                           token=cluster.admin_token()), tmp_path, "health"))
    line_with(text, "1a", "Modal sendiri terhadap total aset")
    line_with(text, "Predikat", RATING_ID[h["rating"]])
    assert "Belum ada kuesioner manajemen" in text
    sheet = rows_of(coop.get(PATHS["balance_sheet"][0] + "&format=csv&lang=en").text)
    assert ["asset", "1-101", "Kas", "cash", "809686.01"] in sheet
