"""The cooperatives' public face (issue 15): /publik/koperasi lists only the cooperatives whose
day-to-day setting public_profile is on (off by default), searchable by name, district and type;
/publik/koperasi/{id} is one profile. Server-rendered HTML without script, with a title and a meta
description, every stored text escaped, and no personal data: the test greps the pages for every
member's NIK and name."""
import datetime
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import coop_body, create_user, login  # noqa: E402
from test_gateway_member import add_member  # noqa: E402

# The fiscal year that ended last (calendar years): the one whose RAT the profile looks for.
LAST_YEAR = datetime.date.today().year - 1
HOSTILE = 'Koperasi <script>alert("x")</script> & \'Co\''


def make_coop(cluster, name, **extra):
    r = cluster.api("POST", "/api/v1/cooperatives", coop_body(name, **extra))
    assert r.status == 201, r
    return r.json


def opt_in(cluster, coop, token=None, on=True):
    r = cluster.http("PATCH", "/api/v1/cooperatives/%s" % coop, {"settings": {"public_profile": on}},
                     token=token or cluster.admin_token())
    assert r.status == 200, r
    return r.json


@pytest.fixture(scope="module")
def world(cluster):
    a = make_coop(cluster, "Koperasi Wanita Mawar", district="Coblong", address="Jl. Dago 12",
                  phone="022-2500-111")
    b = make_coop(cluster, "Koperasi Tertutup Melati", district="Coblong")
    c = make_coop(cluster, HOSTILE, district="Sukajadi", type="consumer")
    create_user(cluster, "pub.opa", "operator", coop=a["id"])
    opt_in(cluster, a["id"], login(cluster, "pub.opa"))        # a day-to-day setting: the operator's
    opt_in(cluster, c["id"])
    people = [add_member(cluster, coop["id"], 40 + i) for i, coop in enumerate((a, a, b, c))]
    r = cluster.api("POST", "/api/v1/cooperatives/%s/annual-meetings" % a["id"],
                    {"fiscal_year": LAST_YEAR, "held_on": "%d-01-01" % (LAST_YEAR + 1),
                     "members_present": 2, "quorum": True, "accounts_approved": True})
    assert r.status == 201, r
    return {"a": a, "b": b, "c": c, "people": people}


def page(cluster, path):
    r = cluster.http("GET", path)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8", r.headers
    return r.status, r.text


def assert_no_personal_data(html, world):
    for p in world["people"]:
        assert p["nik"] not in html and p["name"] not in html and p["phone"] not in html, p["name"]
    assert "<script" not in html
    # The gateway's CSP allows no inline style: the pages link their stylesheet.
    assert "<style" not in html and '<link rel="stylesheet" href="/publik.css">' in html


def test_the_stylesheet_is_served(cluster, world):
    r = cluster.http("GET", "/publik.css")
    assert r.status == 200 and r.headers["Content-Type"] == "text/css; charset=utf-8", r
    assert "font-family" in r.text


def test_public_profile_is_off_by_default(cluster, world):
    r = cluster.api("GET", "/api/v1/cooperatives/%s" % world["b"]["id"])
    assert r.status == 200 and not r.json["settings"].get("public_profile", False), r
    r = cluster.api("GET", "/api/v1/cooperatives/%s" % world["a"]["id"])
    assert r.json["settings"]["public_profile"] is True, r


def test_the_directory_lists_only_opted_in_cooperatives(cluster, world):
    status, html = page(cluster, "/publik/koperasi")
    assert status == 200
    assert "<title>Direktori Koperasi</title>" in html
    assert '<meta name="description" content="Koperasi di kabupaten' in html
    assert 'href="/publik/koperasi/%s">Koperasi Wanita Mawar</a>' % world["a"]["id"] in html
    assert "Koperasi Tertutup Melati" not in html and "/publik/koperasi/%s\"" % world["b"]["id"] not in html
    # The hostile name is there, escaped, never as markup.
    assert "Koperasi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;" in html
    assert_no_personal_data(html, world)


def test_the_directory_searches_by_name_district_and_type(cluster, world):
    a, c = "Koperasi Wanita Mawar", "Koperasi &lt;script&gt;"
    _, html = page(cluster, "/publik/koperasi?q=mawar")
    assert a in html and c not in html
    _, html = page(cluster, "/publik/koperasi?district=Sukajadi")
    assert c in html and a not in html
    _, html = page(cluster, "/publik/koperasi?type=savings_loan")
    assert a in html and c not in html
    _, html = page(cluster, "/publik/koperasi?district=Coblong&q=Melati")      # b: not opted in
    assert "Tidak ada koperasi yang cocok." in html and "Melati" not in html.split("<ul>")[1]
    # The form keeps what was searched, escaped.
    _, html = page(cluster, "/publik/koperasi?q=%22%3E%3Cb%3E")
    assert 'value="&quot;&gt;&lt;b&gt;"' in html and '"><b>' not in html


def test_a_profile_shows_the_public_registry_and_services_in_words(cluster, world):
    a = world["a"]
    status, html = page(cluster, "/publik/koperasi/%s" % a["id"])
    assert status == 200
    assert "<title>Koperasi Wanita Mawar</title>" in html
    assert ('<meta name="description" content="Koperasi Wanita Mawar, Koperasi Simpan Pinjam di '
            'Kecamatan Coblong: profil, layanan dan kontak.">') in html
    for text in ("<dt>Nomor badan hukum</dt><dd>518.08/96/BH/XIV.10/VIII/2008</dd>",
                 "<dt>Tanggal badan hukum</dt><dd>14/08/2008</dd>",
                 "<dt>Jumlah anggota</dt><dd>2 anggota aktif</dd>",
                 "<dt>Rapat anggota tahunan (RAT) terakhir</dt><dd>RAT tahun buku %d diselenggarakan "
                 "01/01/%d</dd>" % (LAST_YEAR, LAST_YEAR + 1), "<dt>Kelompok</dt><dd>women</dd>",
                 "<dt>Alamat</dt><dd>Jl. Dago 12</dd>", "<dt>Kecamatan</dt><dd>Coblong</dd>",
                 "<dt>Telepon</dt><dd>022-2500-111</dd>",
                 "<li>Simpanan pokok Rp 100.000,00, dibayar sekali saat menjadi anggota</li>",
                 "<li>Simpanan wajib Rp 25.000,00 per bulan</li>"):
        assert text in html, text
    assert_no_personal_data(html, world)
    status, html = page(cluster, "/publik/koperasi/%s" % world["c"]["id"])
    assert status == 200 and "<h1>Koperasi &lt;script&gt;alert(&quot;x&quot;)" in html
    assert "<dt>Jumlah anggota</dt><dd>1 anggota aktif</dd>" in html
    assert ("<dt>Rapat anggota tahunan (RAT) terakhir</dt><dd>Belum ada RAT yang dicatat; RAT tahun "
            "buku %d belum diselenggarakan</dd>" % LAST_YEAR) in html
    assert_no_personal_data(html, world)


def test_a_cooperative_that_did_not_opt_in_has_no_profile(cluster, world):
    for path in ("/publik/koperasi/%s" % world["b"]["id"], "/publik/koperasi/987654321"):
        status, html = page(cluster, path)
        assert status == 404 and "Koperasi tidak ditemukan" in html, path
        assert "Melati" not in html
    # Opting out again takes the profile down at once.
    opt_in(cluster, world["c"]["id"], on=False)
    try:
        assert page(cluster, "/publik/koperasi/%s" % world["c"]["id"])[0] == 404
        assert "&lt;script&gt;" not in page(cluster, "/publik/koperasi")[1]
    finally:
        opt_in(cluster, world["c"]["id"])
