/*  import — members from a CSV file, as a background job processed in bounded chunks, and the
    job that reports it.

    The file must be UTF-8 (a byte order mark is skipped) with the header
    `nik,name,sex,birth_date,address,phone,joined_on` (any case, spaces around names ignored)
    and well-formed RFC 4180 quoting, its fields separated by `,` or `;` (what Excel set to
    Indonesian writes), whichever the header line uses; otherwise nothing is imported and the
    request fails with one error naming `body` (a whole-file error). The request checks the
    structure and counts the rows (at most MEMBERS_IMPORT_ROWS_MAX), then stores the job
    (running, rows_total known), the file and a cursor in its own txn and answers the job id.

    The rows are imported afterwards by steps the service posts to itself (service_post_self)
    from a timer on its loop, every MEMBERS_IMPORT_STEP_MS (LUMBUNG_IMPORT_STEP_MS): a step
    imports the next MEMBERS_IMPORT_CHUNK_ROWS rows of one job in its own child txn of a group
    commit, with the job's counts and the cursor, so rows_done moves chunk by chunk and other
    requests are served between chunks. A chunk lost in a crash vanished whole with its txn; at
    start the service finds the cursors left (members_import_resume) and goes on from them, so
    each row is imported once. The last chunk marks the job done, emits import_finished and
    deletes the file and the cursor. The members a step creates are joined by the actor who sent
    the file (kept with the cursor).

    Repeats: a row whose NIK is already an ACTIVE member of the cooperative with the same data
    (nik, name, sex, birth_date, address, phone, joined_on after trimming) counts as already
    imported (rows_existing, part of rows_done), not as an error, so re-running a file imports
    nothing twice. The same NIK with different data is a row error `duplicate_nik` on field nik;
    so is a second row of one file with a NIK an earlier row took, unless it repeats that row.

    The sex column accepts female/male, f/m, p/l (perempuan/laki-laki) in any case; dates are
    YYYY-MM-DD or DD/MM/YYYY (day first, as Indonesian spreadsheets write them; 1 or 2 digits
    for day and month); empty address and phone are allowed.

    Not for: reading CSV itself (csv_reader.h) or the rules of one member's data (validate.h).
    Conventions of every handler: members.h. */
#ifndef LUMBUNG_MEMBERS_IMPORT_H
#define LUMBUNG_MEMBERS_IMPORT_H

#include "members.h"

int members_op_import_members(members_app_t *app, service_call_t *call,
                              const Lumbung__ImportMembers *op);
int members_op_import_step(members_app_t *app, service_call_t *call, const Lumbung__ImportStep *op);
/* The import steps' timer: resume (setup: starts it when the store holds unfinished jobs),
   kick (a job was started), stop (teardown). */
int members_import_resume(members_app_t *app, uv_loop_t *loop);
void members_import_kick(members_app_t *app);
void members_import_stop(members_app_t *app);
int members_op_get_job(members_app_t *app, service_call_t *call, const Lumbung__GetJob *op);

#endif
