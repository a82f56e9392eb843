/* standard_chart (transactions): what a new cooperative and every report rely on in the
   standard chart — one account per role (31), in code order, with its Indonesian name and
   class (docs/domain.md, "Chart of accounts"); only the four savings roles are kept from manual
   entries; account codes are a digit then [0-9A-Za-z.-], at most TX_CODE_MAX; a balance is
   debit - credit for assets and expenses and credit - debit for the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/transactions/standard_chart.h"
#include "../../services/transactions/store.h"

#define R(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define C(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x

static const tx_chart_row_t *row_of(Lumbung__AccountRole role) {
    size_t n;
    const tx_chart_row_t *rows = tx_chart_standard(&n);
    for (size_t i = 0; i < n; i++)
        if (rows[i].role == role) return &rows[i];
    return NULL;
}

static void every_role_has_one_standard_account_in_code_order(void **state) {
    size_t n = 0;
    const tx_chart_row_t *rows = tx_chart_standard(&n);
    assert_int_equal(n, 31);
    assert_int_equal(n, TX_ROLE_MAX);
    int seen[TX_ROLE_MAX + 1] = { 0 };
    for (size_t i = 0; i < n; i++) {
        assert_true((int) rows[i].role >= 1 && (int) rows[i].role <= (int) TX_ROLE_MAX);
        seen[rows[i].role]++;
        assert_true(tx_chart_code_valid(rows[i].code));
        assert_true(rows[i].name && *rows[i].name);
        assert_int_equal(rows[i].class_, tx_chart_role_class(rows[i].role));
        if (i > 0) assert_true(strcmp(rows[i - 1].code, rows[i].code) < 0);
    }
    for (int r = 1; r <= TX_ROLE_MAX; r++) assert_int_equal(seen[r], 1);
    assert_string_equal(rows[0].code, "1-101");
    assert_string_equal(rows[n - 1].code, "5-301");
}

static void the_accounts_a_cooperative_posts_to_have_their_names(void **state) {
    static const struct { Lumbung__AccountRole role; const char *code, *name; } want[] = {
        { R(CASH), "1-101", "Kas" },
        { R(MEMBER_LOANS), "1-201", "Piutang pinjaman anggota" },
        { R(LOAN_LOSS_ALLOWANCE), "1-203", "Penyisihan penghapusan pinjaman" },
        { R(VOLUNTARY_SAVINGS), "2-101", "Simpanan sukarela" },
        { R(TIME_DEPOSITS), "2-102", "Simpanan berjangka" },
        { R(PRINCIPAL_SAVINGS), "3-101", "Simpanan pokok" },
        { R(MANDATORY_SAVINGS), "3-102", "Simpanan wajib" },
        { R(EQUITY_PARTICIPATION), "3-401", "Modal penyertaan" },
        { R(CURRENT_SURPLUS), "3-501", "SHU tahun berjalan" },
        { R(LOAN_INTEREST_INCOME), "4-101", "Pendapatan jasa pinjaman" },
        { R(LATE_FEE_INCOME), "4-103", "Pendapatan denda" },
        { R(NON_MEMBER_INCOME), "4-201", "Pendapatan dari non-anggota" },
        { R(COST_OF_FUNDS), "5-101", "Beban jasa simpanan" },
        { R(PROVISION_EXPENSE), "5-301", "Beban penyisihan penghapusan pinjaman" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const tx_chart_row_t *r = row_of(want[i].role);
        assert_non_null(r);
        assert_string_equal(r->code, want[i].code);
        assert_string_equal(r->name, want[i].name);
    }
}

static void each_role_belongs_to_its_class(void **state) {
    assert_int_equal(tx_chart_role_class(R(CASH)), C(ASSET));
    assert_int_equal(tx_chart_role_class(R(LOAN_LOSS_ALLOWANCE)), C(ASSET));   /* contra */
    assert_int_equal(tx_chart_role_class(R(BANK_DEPOSITS)), C(ASSET));
    assert_int_equal(tx_chart_role_class(R(VOLUNTARY_SAVINGS)), C(LIABILITY));
    assert_int_equal(tx_chart_role_class(R(SHU_PAYABLE)), C(LIABILITY));
    assert_int_equal(tx_chart_role_class(R(PRINCIPAL_SAVINGS)), C(EQUITY));
    assert_int_equal(tx_chart_role_class(R(MANDATORY_SAVINGS)), C(EQUITY));
    assert_int_equal(tx_chart_role_class(R(RISK_RESERVE)), C(EQUITY));
    assert_int_equal(tx_chart_role_class(R(NON_MEMBER_INCOME)), C(INCOME));
    assert_int_equal(tx_chart_role_class(R(PROVISION_EXPENSE)), C(EXPENSE));
    assert_int_equal(tx_chart_role_class(R(UNSPECIFIED)), C(UNSPECIFIED));
    assert_int_equal(tx_chart_role_class((Lumbung__AccountRole) 32), C(UNSPECIFIED));
}

static void names_for_messages_are_lower_case_and_never_null(void **state) {
    assert_string_equal(tx_chart_class_name(C(ASSET)), "asset");
    assert_string_equal(tx_chart_class_name(C(LIABILITY)), "liability");
    assert_string_equal(tx_chart_class_name(C(EQUITY)), "equity");
    assert_string_equal(tx_chart_class_name(C(INCOME)), "income");
    assert_string_equal(tx_chart_class_name(C(EXPENSE)), "expense");
    assert_string_equal(tx_chart_class_name((Lumbung__AccountClass) 6), "unspecified");
    assert_string_equal(tx_chart_class_name((Lumbung__AccountClass) -1), "unspecified");
    assert_string_equal(tx_chart_role_name(R(CASH)), "cash");
    assert_string_equal(tx_chart_role_name(R(LOAN_LOSS_ALLOWANCE)), "loan_loss_allowance");
    assert_string_equal(tx_chart_role_name(R(NON_MEMBER_INCOME)), "non_member_income");
    assert_string_equal(tx_chart_role_name(R(BANK_DEPOSITS)), "bank_deposits");
    assert_string_equal(tx_chart_role_name((Lumbung__AccountRole) 32), "unspecified");
    assert_string_equal(tx_chart_role_name((Lumbung__AccountRole) -3), "unspecified");
    assert_string_equal(tx_chart_kind_name(K(PRINCIPAL)), "principal");
    assert_string_equal(tx_chart_kind_name(K(MANDATORY)), "mandatory");
    assert_string_equal(tx_chart_kind_name(K(VOLUNTARY)), "voluntary");
    assert_string_equal(tx_chart_kind_name(K(TIME_DEPOSIT)), "time_deposit");
    assert_string_equal(tx_chart_kind_name((Lumbung__SavingsKind) 5), "unspecified");
}

/* Each role name is the proto's enum name in lower case ("ACCOUNT_ROLE_CASH" -> "cash"). */
static void role_names_are_the_proto_names(void **state) {
    const ProtobufCEnumDescriptor *d = &lumbung__account_role__descriptor;
    for (unsigned i = 0; i < d->n_values; i++) {
        const char *full = d->values[i].name;            /* "ACCOUNT_ROLE_CASH" */
        const char *tail = full + strlen("ACCOUNT_ROLE_");
        char lower[64];
        size_t j = 0;
        for (; tail[j] && j < sizeof lower - 1; j++)
            lower[j] = (char) (tail[j] >= 'A' && tail[j] <= 'Z' ? tail[j] + 32 : tail[j]);
        lower[j] = 0;
        assert_string_equal(tx_chart_role_name((Lumbung__AccountRole) d->values[i].value), lower);
    }
}

static void savings_kinds_map_to_their_roles_and_only_those_are_savings(void **state) {
    assert_int_equal(tx_chart_kind_role(K(PRINCIPAL)), R(PRINCIPAL_SAVINGS));
    assert_int_equal(tx_chart_kind_role(K(MANDATORY)), R(MANDATORY_SAVINGS));
    assert_int_equal(tx_chart_kind_role(K(VOLUNTARY)), R(VOLUNTARY_SAVINGS));
    assert_int_equal(tx_chart_kind_role(K(TIME_DEPOSIT)), R(TIME_DEPOSITS));
    assert_int_equal(tx_chart_kind_role(K(UNSPECIFIED)), R(UNSPECIFIED));
    int savings = 0;
    for (int r = 0; r <= TX_ROLE_MAX; r++) savings += tx_chart_role_is_savings(r);
    assert_int_equal(savings, 4);
    assert_true(tx_chart_role_is_savings(R(PRINCIPAL_SAVINGS)));
    assert_true(tx_chart_role_is_savings(R(TIME_DEPOSITS)));
    assert_false(tx_chart_role_is_savings(R(CASH)));
    assert_false(tx_chart_role_is_savings(R(SHU_PAYABLE)));
}

static void account_codes_start_with_a_digit_and_stay_short(void **state) {
    assert_true(tx_chart_code_valid("1-101"));
    assert_true(tx_chart_code_valid("1.1.01"));
    assert_true(tx_chart_code_valid("1-101a"));
    assert_true(tx_chart_code_valid("7"));
    assert_true(tx_chart_code_valid("1234567890123456"));      /* TX_CODE_MAX = 16 */
    assert_false(tx_chart_code_valid("12345678901234567"));
    assert_false(tx_chart_code_valid(""));
    assert_false(tx_chart_code_valid(NULL));
    assert_false(tx_chart_code_valid("A-101"));
    assert_false(tx_chart_code_valid("-101"));
    assert_false(tx_chart_code_valid("1 101"));
    assert_false(tx_chart_code_valid("1_101"));
    assert_false(tx_chart_code_valid("1/101"));
    assert_false(tx_chart_code_valid("1-10\xc3\xa9"));
    assert_int_equal(TX_CODE_MAX, 16);
}

static void balances_follow_the_normal_side_of_the_class(void **state) {
    assert_int_equal(tx_chart_balance(C(ASSET), 100000, 30000), 70000);
    assert_int_equal(tx_chart_balance(C(EXPENSE), 100000, 30000), 70000);
    assert_int_equal(tx_chart_balance(C(LIABILITY), 100000, 30000), -70000);
    assert_int_equal(tx_chart_balance(C(EQUITY), 30000, 100000), 70000);
    assert_int_equal(tx_chart_balance(C(INCOME), 30000, 100000), 70000);
    /* the allowance, a contra asset, shows a negative balance */
    assert_int_equal(tx_chart_balance(C(ASSET), 0, 12500), -12500);
    assert_true(tx_chart_balance(C(ASSET), INT64_MAX, 0) == INT64_MAX);
    assert_true(tx_chart_balance(C(INCOME), INT64_MAX, 0) == -INT64_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_role_has_one_standard_account_in_code_order),
        cmocka_unit_test(the_accounts_a_cooperative_posts_to_have_their_names),
        cmocka_unit_test(each_role_belongs_to_its_class),
        cmocka_unit_test(names_for_messages_are_lower_case_and_never_null),
        cmocka_unit_test(role_names_are_the_proto_names),
        cmocka_unit_test(savings_kinds_map_to_their_roles_and_only_those_are_savings),
        cmocka_unit_test(account_codes_start_with_a_digit_and_stay_short),
        cmocka_unit_test(balances_follow_the_normal_side_of_the_class),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
