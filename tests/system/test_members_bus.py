"""The members service over the bus alone (no gateway): rules, authorisation, concurrency,
imports, and the event stream replayed after a restart."""
import datetime
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from lumbung import DAY_BEFORE_1900, BusClient, Cluster, date_text, pb  # noqa: E402
from members_util import (ADMIN, job_done_bus, SUPERVISOR, call, create_coop, csv_file, csv_rows, err,  # noqa: E402
                          member_body, nik, ok, operator, replay_all, request)


@pytest.fixture(scope="module")
def mc():
    c = Cluster(services=["members"])
    try:
        c.start()
        yield c
    finally:
        c.stop()


def test_cooperative_defaults_and_settings_rules(mc):
    coop = create_coop(mc, name="KSP Defaults")
    s = coop.settings
    assert (s.shu_allocation.reserves_bp, s.shu_allocation.capital_share_bp,
            s.shu_allocation.usage_share_bp, s.shu_allocation.board_bp, s.shu_allocation.staff_bp,
            s.shu_allocation.education_bp, s.shu_allocation.social_bp) == (4000, 2000, 2000, 500, 500, 500, 500)
    assert s.mandatory_period == pb.members_pb2.MANDATORY_PERIOD_MONTHLY
    assert s.fiscal_year_start == 1 and coop.active and coop.version == 1

    bad_shu = {"name": "X", "type": "COOPERATIVE_TYPE_CONSUMER",
               "settings": {"shu_allocation": {"reserves_bp": 3000}}}
    assert err(mc, "create_cooperative", bad_shu) == (
        "ERROR_KIND_INVALID", "invalid_shu_allocation", "settings.shu_allocation")
    cases = [
        ({"type": "COOPERATIVE_TYPE_CONSUMER"}, "required", "name"),
        ({"name": "X"}, "required", "type"),
        ({"name": "X", "type": "COOPERATIVE_TYPE_CONSUMER", "settings": {"fiscal_year_start": 13}},
         "invalid_month", "settings.fiscal_year_start"),
        ({"name": "X", "type": "COOPERATIVE_TYPE_CONSUMER", "settings": {"principal_amount_sen": -1}},
         "invalid_amount", "settings.principal_amount"),
        # A day number no text date names (text dates are the gateway's: test_gateway_http).
        ({"name": "X", "type": "COOPERATIVE_TYPE_CONSUMER", "founded_on": DAY_BEFORE_1900},
         "invalid_date", "founded_on"),
        ({"name": "X", "type": "COOPERATIVE_TYPE_CONSUMER", "phone": "call me"}, "invalid_phone", "phone"),
    ]
    for body, code, field in cases:
        assert err(mc, "create_cooperative", body) == ("ERROR_KIND_INVALID", code, field), body

    # The allocation is the annual meeting's to decide: never PATCHed, even by an admin; the
    # meeting's record carries it (whole, summing to 100 %) and it applies from then on.
    assert err(mc, "update_cooperative", {"cooperative_id": str(coop.id), "settings": {
        "shu_allocation": {"reserves_bp": 3500, "social_bp": 1000}}}) == (
        "ERROR_KIND_RULE", "decided_by_annual_meeting", "settings.shu_allocation")
    rat = {"cooperative_id": str(coop.id), "held_on": "2025-02-20", "fiscal_year": 2024,
           "shu_approved": True, "shu_allocation": {
               "reserves_bp": 3500, "capital_share_bp": 2000, "usage_share_bp": 2000,
               "board_bp": 500, "staff_bp": 500, "education_bp": 500, "social_bp": 1000}}
    ok(mc, "record_annual_meeting", rat)
    got = ok(mc, "get_cooperative", {"cooperative_id": str(coop.id)})
    assert got.settings.shu_allocation.reserves_bp == 3500 and got.version == 2
    assert err(mc, "get_cooperative", {"cooperative_id": "999999"}) == (
        "ERROR_KIND_NOT_FOUND", "not_found", "cooperative_id")


def test_member_rules_name_their_fields(mc):
    coop = create_coop(mc, name="KSP Rules")
    cid = coop.id
    base = member_body(cid, 100)
    cases = [
        ({"nik": None}, "required", "nik"),
        ({"nik": "12345"}, "invalid_nik", "nik"),
        ({"nik": "32041057078A0001"}, "invalid_nik", "nik"),
        ({"nik": "3204103213850001"}, "invalid_nik", "nik"),       # month 13
        ({"nik": "3204103102850001"}, "invalid_nik", "nik"),       # 31 February
        ({"nik": "3204105707850000"}, "invalid_nik", "nik"),       # serial 0000
        ({"name": "   "}, "required", "name"),
        ({"name": "x" * 201}, "too_long", "name"),
        ({"sex": None}, "required", "sex"),
        ({"birth_date": None}, "required", "birth_date"),
        ({"birth_date": DAY_BEFORE_1900}, "invalid_date", "birth_date"),   # text: test_members_http
        ({"birth_date": "2999-01-01"}, "in_future", "birth_date"),
        ({"phone": "08x"}, "invalid_phone", "phone"),
        ({"joined_on": None}, "required", "joined_on"),
        ({"joined_on": "1980-01-01"}, "before_birth", "joined_on"),
    ]
    for change, code, field in cases:
        body = dict(base)
        for k, v in change.items():
            if v is None:
                body.pop(k)
            else:
                body[k] = v
        assert err(mc, "create_member", body) == ("ERROR_KIND_INVALID", code, field), change
    # An unknown enum value from a bus peer (the gateway rejects it earlier in JSON).
    # Python refuses to set an unknown closed enum, so append the field's bytes (4: varint 7)
    # and let the parser keep it as an unknown field that serializes again.
    without_sex = dict(base)
    without_sex.pop("sex")
    req = request("create_member", without_sex)
    raw = req.members.create_member.SerializeToString() + b"\x20\x07"
    req.members.create_member.ParseFromString(raw)
    reply = mc.bus("members").call(req)
    assert (reply.error.code, reply.error.field) == ("invalid_sex", "sex")
    assert err(mc, "create_member", dict(base, cooperative_id="424242")) == (
        "ERROR_KIND_NOT_FOUND", "not_found", "cooperative_id")


def test_nik_mismatch_is_a_warning_and_numbers_are_sequential(mc):
    coop = create_coop(mc, name="KSP Warnings")
    first = ok(mc, "create_member", member_body(coop.id, 1))
    assert first.member_number == 1 and not first.warnings
    # The NIK says a woman born 1985-07-17; the record says a man born 1986-07-17.
    body = member_body(coop.id, 2, sex="SEX_MALE", birth_date="1986-07-17")
    second = ok(mc, "create_member", body)
    assert second.member_number == 2
    assert sorted((w.code, w.field) for w in second.warnings) == [
        ("nik_birth_date_mismatch", "birth_date"), ("nik_sex_mismatch", "sex")]
    stored = ok(mc, "get_member", {"cooperative_id": str(coop.id), "id": str(second.id)})
    assert not stored.warnings and stored.sex == pb.members_pb2.SEX_MALE


def test_duplicate_nik_and_rejoin_after_exit(mc):
    coop = create_coop(mc, name="KSP Duplicates")
    other = create_coop(mc, name="KSP Other")
    m = ok(mc, "create_member", member_body(coop.id, 5))
    assert err(mc, "create_member", member_body(coop.id, 5, name="Someone Else")) == (
        "ERROR_KIND_CONFLICT", "duplicate_nik", "nik")
    # The same person may belong to another cooperative.
    ok(mc, "create_member", member_body(other.id, 5))
    # Exit, then the NIK is free again in this cooperative; the old record stays, exited.
    exited = ok(mc, "exit_member", {"cooperative_id": str(coop.id), "id": str(m.id),
                                    "reason": "EXIT_REASON_RESIGNED", "exit_on": "2024-06-30"})
    assert exited.status == pb.members_pb2.MEMBER_STATUS_EXITED
    assert exited.exit_reason == pb.members_pb2.EXIT_REASON_RESIGNED and date_text(exited.exit_on) == "2024-06-30"
    assert err(mc, "exit_member", {"cooperative_id": str(coop.id), "id": str(m.id),
                                   "reason": "EXIT_REASON_RESIGNED", "exit_on": "2024-06-30"}) == (
        "ERROR_KIND_RULE", "member_not_active", "id")
    again = ok(mc, "create_member", member_body(coop.id, 5))
    assert again.id != m.id and again.member_number == 2
    found = ok(mc, "list_members", {"cooperative_id": str(coop.id), "q": again.nik})
    assert sorted(x.status for x in found.items) == [1, 2]
    active = ok(mc, "list_members", {"cooperative_id": str(coop.id), "status": "MEMBER_STATUS_ACTIVE"})
    assert [x.id for x in active.items] == [again.id]


def test_exit_rules(mc):
    coop = create_coop(mc, name="KSP Exit")
    m = ok(mc, "create_member", member_body(coop.id, 9))
    key = {"cooperative_id": str(coop.id), "id": str(m.id)}
    assert err(mc, "exit_member", dict(key, exit_on="2024-01-01"))[1:] == ("required", "reason")
    assert err(mc, "exit_member", dict(key, reason="EXIT_REASON_DECEASED"))[1:] == ("required", "exit_on")
    assert err(mc, "exit_member", dict(key, reason="EXIT_REASON_DECEASED", exit_on="2019-01-01"))[1:] == (
        "before_joining", "exit_on")
    assert err(mc, "exit_member", dict(key, reason="EXIT_REASON_DECEASED", exit_on="2999-01-01"))[1:] == (
        "in_future", "exit_on")
    assert err(mc, "exit_member", {"cooperative_id": str(coop.id), "id": "77777", "reason": "EXIT_REASON_EXPELLED",
                                   "exit_on": "2024-01-01"}) == ("ERROR_KIND_NOT_FOUND", "not_found", "id")


def test_update_member_patch(mc):
    coop = create_coop(mc, name="KSP Patch")
    a = ok(mc, "create_member", member_body(coop.id, 11))
    b = ok(mc, "create_member", member_body(coop.id, 12))
    key = {"cooperative_id": str(coop.id), "id": str(a.id)}
    u = ok(mc, "update_member", dict(key, address="Jl. Baru 1", name="Siti Rahayu"))
    assert (u.address, u.name, u.nik, u.version) == ("Jl. Baru 1", "Siti Rahayu", a.nik, 2)
    # Renaming moves the name index: the old prefix no longer finds her.
    assert [x.id for x in ok(mc, "list_members", {"cooperative_id": str(coop.id), "q": "siti rah"}).items] == [a.id]
    assert err(mc, "update_member", dict(key, nik=b.nik)) == ("ERROR_KIND_CONFLICT", "duplicate_nik", "nik")
    assert err(mc, "update_member", dict(key, phone="12"))[1:] == ("invalid_phone", "phone")
    same = ok(mc, "update_member", dict(key, address="Jl. Baru 1"))
    assert same.version == 2      # nothing changed, nothing written


def test_authorisation_from_the_actor(mc):
    coop = create_coop(mc, name="KSP Auth A")
    other = create_coop(mc, name="KSP Auth B")
    body = member_body(coop.id, 21)
    # An operator of another cooperative, a viewer, a supervisor: no writes here.
    for actor in (operator(other.id), operator(coop.id, "ROLE_VIEWER"), SUPERVISOR):
        assert err(mc, "create_member", body, actor=actor)[:2] == ("ERROR_KIND_FORBIDDEN", "forbidden")
    m = ok(mc, "create_member", body, actor=operator(coop.id))
    assert ok(mc, "get_member", {"cooperative_id": str(coop.id), "id": str(m.id)},
              actor=operator(coop.id, "ROLE_VIEWER")).id == m.id
    assert err(mc, "get_member", {"cooperative_id": str(coop.id), "id": str(m.id)},
               actor=operator(other.id, "ROLE_VIEWER"))[0] == "ERROR_KIND_FORBIDDEN"
    assert err(mc, "create_cooperative", {"name": "X", "type": "COOPERATIVE_TYPE_CONSUMER"},
               actor=operator(coop.id))[0] == "ERROR_KIND_FORBIDDEN"
    assert err(mc, "create_member", body, actor=None)[0] == "ERROR_KIND_FORBIDDEN"
    # Operators see only their own cooperative in the list.
    mine = ok(mc, "list_cooperatives", {}, actor=operator(other.id))
    assert [c.id for c in mine.items] == [other.id]


def test_concurrent_duplicate_nik_exactly_one_wins(mc):
    coop = create_coop(mc, name="KSP Race")
    body = member_body(coop.id, 31)
    clients = [BusClient(mc, "members") for _ in range(24)]
    results = [None] * len(clients)
    barrier = threading.Barrier(len(clients))

    def run(i):
        barrier.wait()
        results[i] = call(mc, "create_member", body, client=clients[i])[0]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    wins = [r for r in results if not r.HasField("error")]
    losses = [r for r in results if r.HasField("error")]
    assert len(wins) == 1
    assert {(r.error.kind, r.error.code) for r in losses} == {(pb.envelope_pb2.ERROR_KIND_CONFLICT, "duplicate_nik")}
    listed = ok(mc, "list_members", {"cooperative_id": str(coop.id)})
    assert len(listed.items) == 1


def import_csv(mc, coop_id, data, actor=ADMIN):
    req = request("import_members", {"cooperative_id": str(coop_id)}, actor)
    req.members.import_members.body = data
    return mc.bus("members").call(req, timeout=60)


def test_import_counts_errors_and_rerun(mc):
    coop = create_coop(mc, name="KSP Import")
    rows = csv_rows(3000)
    lines = [line for _, line in rows]
    # Bad rows at known places (row = line number; the header is row 1).
    bad = {
        5: ("9999", "invalid_nik", "nik"),
        100: ("{nik},,female,1980-01-01,,,2021-01-01", "required", "name"),
        700: ("{nik},Dewi,X,1980-01-01,,,2021-01-01", "invalid_sex", "sex"),
        1200: ("{nik},Dewi,female,1980-02-30,,,2021-01-01", "invalid_date", "birth_date"),
        2500: ("{nik},Dewi,female,1980-01-01,,,2021-01-01,extra", "field_count", None),
        2999: ("{nik},Dewi,female,1980-01-01,,0812,2021-01-01", "invalid_phone", "phone"),
    }
    for row, (text, _, _) in bad.items():
        lines[row - 2] = text.format(nik=nik(datetime.date(1980, 1, 1), True, 9000 + row % 1000)) if text != "9999" else "9999,A,female,1980-01-01,,,2021-01-01"
    # A repeat of row 2 with other data is a duplicate; an exact repeat is "already there".
    first_nik = rows[0][0]
    lines.append("%s,Somebody Else,female,1970-01-01,,,2021-01-01" % first_nik)
    lines.append(lines[0])
    reply = import_csv(mc, coop.id, csv_file(lines))
    assert not reply.HasField("error"), reply.error
    started = reply.members.import_started
    # The answer comes before the rows: the job runs in chunks of 200 after it.
    assert started.rows_total == 3002 and started.state == pb.members_pb2.JOB_STATE_RUNNING
    job = job_done_bus(mc, started.job_id)
    assert (job.rows_total, job.rows_done, job.rows_failed, job.rows_imported, job.rows_existing) == (
        3002, 2995, 7, 2994, 1)
    got = {(e.row, e.code, e.field or None) for e in job.errors}
    want = {(row, code, field) for row, (_, code, field) in bad.items()}
    want.add((3002, "duplicate_nik", "nik"))
    assert got == want
    assert ok(mc, "list_members", {"cooperative_id": str(coop.id), "limit": 1}).next_cursor

    # The same file again: nothing new, nothing counted twice.
    again = import_csv(mc, coop.id, csv_file(lines)).members.import_started
    job2 = job_done_bus(mc, again.job_id)
    assert (job2.rows_imported, job2.rows_existing, job2.rows_failed) == (0, 2995, 7)
    # Paging walks every member exactly once.
    seen, cursor = [], None
    while True:
        body = {"cooperative_id": str(coop.id), "limit": 500}
        if cursor:
            body["cursor"] = cursor
        page = ok(mc, "list_members", body)
        seen += [m.id for m in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 2994


def test_import_whole_file_errors_import_nothing(mc):
    coop = create_coop(mc, name="KSP Broken Files")
    good = [line for _, line in csv_rows(3, start_serial=500)]
    cases = [
        (b"nik,name,sex\r\n", "invalid_csv_header"),
        (b"nik,nama,sex,birth_date,address,phone,joined_on\r\n", "invalid_csv_header"),
        (csv_file(good[:1] + ['3204105707850999,"Siti,female,1985-07-17,,,2021-01-01']), "invalid_csv"),
        (csv_file(good[:1] + ['3204105707850999,Si"ti,female,1985-07-17,,,2021-01-01']), "invalid_csv"),
        (csv_file(good[:1] + ['3204105707850999,"Siti"x,female,1985-07-17,,,2021-01-01']), "invalid_csv"),
        (csv_file(good[:1]) + b"3204105707850998,Sit\xff,female,1985-07-17,,,2021-01-01\r\n", "invalid_utf8"),
        (b"", "required"),
    ]
    for data, code in cases:
        reply = import_csv(mc, coop.id, data)
        assert (reply.error.kind, reply.error.code, reply.error.field) == (
            pb.envelope_pb2.ERROR_KIND_INVALID, code, "body"), (data[:80], reply.error)
    too_many = csv_file([line for _, line in csv_rows(50001, start_serial=1)])
    reply = import_csv(mc, coop.id, too_many)
    assert (reply.error.kind, reply.error.code) == (pb.envelope_pb2.ERROR_KIND_TOO_LARGE, "too_many_rows")
    assert not ok(mc, "list_members", {"cooperative_id": str(coop.id)}).items
    # A byte order mark and LF line ends are fine.
    reply = import_csv(mc, coop.id, b"\xef\xbb\xbf" + csv_file(good).replace(b"\r\n", b"\n"))
    assert reply.members.import_started.rows_total == 3 and reply.members.import_started.rows_failed == 0


def test_board_meetings_supervision_trainings(mc):
    women = create_coop(mc, name="KSP Wanita Tani", group="women")
    multi = create_coop(mc, name="KSU Maju", type_="COOPERATIVE_TYPE_MULTI_PURPOSE", group="farmers")
    board = ok(mc, "put_board", {"cooperative_id": str(women.id), "chair": "Ibu Ani",
                                 "secretary": "Ibu Rina", "treasurer": "Ibu Wati",
                                 "supervisors": ["Pak Dedi", "Ibu Yuli"], "elected_on": "2024-02-10"})
    assert list(board.supervisors) == ["Pak Dedi", "Ibu Yuli"]
    assert ok(mc, "get_cooperative", {"cooperative_id": str(women.id)}).board.chair == "Ibu Ani"
    assert err(mc, "put_board", {"cooperative_id": str(women.id), "secretary": "x"})[1:] == ("required", "chair")

    rat = {"cooperative_id": str(women.id), "held_on": "2024-03-20", "fiscal_year": 2023,
           "members_present": 120, "quorum": True, "accounts_approved": True, "shu_approved": True}
    meeting = ok(mc, "record_annual_meeting", rat)
    assert meeting.fiscal_year == 2023 and meeting.quorum and not meeting.plan_approved
    assert err(mc, "record_annual_meeting", rat) == (
        "ERROR_KIND_CONFLICT", "duplicate_annual_meeting", "fiscal_year")
    assert err(mc, "record_annual_meeting", dict(rat, fiscal_year=2025))[1:] == (
        "invalid_fiscal_year", "fiscal_year")
    assert err(mc, "record_annual_meeting", dict(rat, fiscal_year=2022, shu_allocation={"reserves_bp": 100}))[1:] == (
        "invalid_shu_allocation", "shu_allocation")
    assert len(ok(mc, "list_annual_meetings", {"cooperative_id": str(women.id)}).items) == 1

    visit = ok(mc, "record_supervision", {
        "cooperative_id": str(women.id), "visited_on": "2024-05-02", "findings": "Kas tidak dihitung harian",
        "recommendations": [{"text": "Hitung kas setiap hari", "due_on": "2024-06-01"},
                            {"text": "Lengkapi buku anggota"}]}, actor=SUPERVISOR)
    assert visit.supervisor == "pengawas" and visit.open_recommendations == 2
    assert [r.number for r in visit.recommendations] == [1, 2]
    closed = ok(mc, "update_supervision", {"cooperative_id": str(women.id), "id": str(visit.id),
                                           "recommendations": [{"number": 1, "done_on": "2024-05-30"}]},
                actor=SUPERVISOR)
    assert closed.open_recommendations == 1 and date_text(closed.recommendations[0].done_on) == "2024-05-30"
    assert err(mc, "update_supervision", {"cooperative_id": str(women.id), "id": str(visit.id),
                                          "recommendations": [{"number": 9, "done_on": "2024-05-30"}]},
               actor=SUPERVISOR) == ("ERROR_KIND_NOT_FOUND", "not_found", "recommendations[0].number")
    assert err(mc, "record_supervision", {"cooperative_id": str(women.id), "visited_on": "2024-05-02"},
               actor=operator(women.id))[0] == "ERROR_KIND_FORBIDDEN"
    assert len(ok(mc, "list_supervisions", {"cooperative_id": str(women.id)},
                  actor=operator(women.id, "ROLE_VIEWER")).items) == 1

    participants = [{"cooperative_id": str(women.id), "name": "Peserta W%d" % i, "role": "member"}
                    for i in range(31)]
    participants += [{"cooperative_id": str(multi.id), "name": "Peserta M%d" % i, "role": "staff"}
                     for i in range(5)]
    training = ok(mc, "record_training", {
        "title": "Pelatihan Bisnis Digital", "held_from": "2024-08-12", "held_to": "2024-08-13",
        "place": "Aula Dinas", "trainers": ["Dr. Hendra"], "participants": participants}, actor=SUPERVISOR)
    assert training.days == 2 and training.participants_total == 36
    assert {(t.name, t.participants, t.cooperatives) for t in training.by_group} == {
        ("women", 31, 1), ("farmers", 5, 1)}
    assert {(t.name, t.participants) for t in training.by_type} == {
        ("savings_loan", 31), ("multi_purpose", 5)}
    assert err(mc, "record_training", {"title": "T", "held_from": "2024-08-12", "held_to": "2024-08-11"},
               actor=SUPERVISOR)[1:] == ("before_start", "held_to")
    assert err(mc, "record_training", {"title": "T", "held_from": "2024-08-12",
                                       "participants": [{"cooperative_id": "99999", "name": "A"}]},
               actor=SUPERVISOR) == ("ERROR_KIND_NOT_FOUND", "not_found", "participants[0].cooperative_id")
    listed = ok(mc, "list_trainings", {"from": "2024-08-01", "to": "2024-08-31"}, actor=SUPERVISOR)
    assert [t.id for t in listed.items] == [training.id]


def test_idempotent_create_returns_the_first_reply(mc):
    coop = create_coop(mc, name="KSP Idem")
    body = member_body(coop.id, 41)
    first = ok(mc, "create_member", body, idempotency_key="k-41")
    second = ok(mc, "create_member", body, idempotency_key="k-41")
    assert first.id == second.id and first.member_number == second.member_number


def test_events_replayed_after_restart_match_what_was_done(mc):
    coop = create_coop(mc, name="KSP Events")
    a = ok(mc, "create_member", member_body(coop.id, 51))
    ok(mc, "update_member", {"cooperative_id": str(coop.id), "id": str(a.id), "phone": "0813-0000-0051"})
    ok(mc, "exit_member", {"cooperative_id": str(coop.id), "id": str(a.id),
                           "reason": "EXIT_REASON_DECEASED", "exit_on": "2025-01-02"})
    before = replay_all(mc)
    assert [e.seq for e in before] == list(range(1, len(before) + 1))
    mine = [e.members for e in before
            if e.members.WhichOneof("body") in ("member_joined", "member_updated", "member_exited")
            and getattr(e.members, e.members.WhichOneof("body")).id == a.id]
    assert [m.WhichOneof("body") for m in mine] == ["member_joined", "member_updated", "member_exited"]
    final = mine[-1].member_exited
    assert (final.status, final.exit_reason, date_text(final.exit_on), final.phone, final.version) == (
        pb.members_pb2.MEMBER_STATUS_EXITED, pb.members_pb2.EXIT_REASON_DECEASED, "2025-01-02",
        "0813-0000-0051", 3)
    created = [e for e in before if e.members.WhichOneof("body") == "cooperative_created"
               and e.members.cooperative_created.id == coop.id]
    assert created[0].members.cooperative_created.settings.shu_allocation.reserves_bp == 4000
    assert created[0].actor.role == pb.envelope_pb2.ROLE_ADMIN

    # Every member the stream says is active is active in the store, and the reverse.
    assert mc.stop_service("members") == 0
    mc.start_service("members")
    after = replay_all(mc)
    assert [e.SerializeToString() for e in after] == [e.SerializeToString() for e in before]
    state = {}
    for e in after:
        body = e.members.WhichOneof("body")
        if body in ("member_joined", "member_updated", "member_exited"):
            m = getattr(e.members, body)
            state[m.id] = m
    for coop_id in {m.cooperative_id for m in state.values()}:
        stream_active = sorted(m.id for m in state.values()
                               if m.cooperative_id == coop_id and m.status == pb.members_pb2.MEMBER_STATUS_ACTIVE)
        store_active, cursor = [], None
        while True:
            body = {"cooperative_id": str(coop_id), "status": "MEMBER_STATUS_ACTIVE", "limit": 500}
            if cursor:
                body["cursor"] = cursor
            page = ok(mc, "list_members", body)
            store_active += [m.id for m in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
        assert sorted(store_active) == stream_active


def test_an_integrator_is_judged_by_its_key_not_by_its_claims(mc):
    coop = create_coop(mc, name="KSP Bank Partner")
    mc.ctl("keys", "add", "bankjabar", "integrator", "--cooperatives", str(coop.id),
           "--operations", "create_cooperative,create_member,record_supervision")
    mc.restart("members")                      # the allow-list is read at start
    bank = BusClient(mc, "members", key_name="bankjabar")
    try:
        # It claims to be an admin; the service makes it an integrator named after its key.
        reply, _ = call(mc, "create_cooperative", {"name": "Fake", "type": "COOPERATIVE_TYPE_CONSUMER"},
                        actor=ADMIN, client=bank)
        # and a cooperative's creation names no cooperative: not for integrators, whatever the scope
        assert (reply.error.kind, reply.error.code, reply.error.field) == (
            pb.envelope_pb2.ERROR_KIND_FORBIDDEN, "operation_not_allowed", "create_cooperative")
        reply, m = call(mc, "create_member", member_body(coop.id, 61), actor=ADMIN, client=bank)
        assert not reply.HasField("error"), reply.error
        events = replay_all(mc)
        joined = [e for e in events if e.members.WhichOneof("body") == "member_joined"
                  and e.members.member_joined.id == m.id]
        assert joined[0].actor.user == "bankjabar"
        assert joined[0].actor.role == pb.envelope_pb2.ROLE_INTEGRATOR
        reply, _ = call(mc, "record_supervision", {"cooperative_id": str(coop.id), "visited_on": "2024-01-02",
                                                   "supervisor": "x"}, actor=SUPERVISOR, client=bank)
        assert reply.error.kind == pb.envelope_pb2.ERROR_KIND_FORBIDDEN
    finally:
        bank.close()
