#include "standard_chart.h"
#include "store.h"

#include <assert.h>
#include <ctype.h>
#include <string.h>

#define ASSET LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_ASSET
#define LIABILITY LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_LIABILITY
#define EQUITY LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_EQUITY
#define INCOME LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_INCOME
#define EXPENSE LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_EXPENSE
#define R(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x

/* Names follow the SAK ETAP-based charts Indonesian cooperatives use. */
static const tx_chart_row_t standard_chart[] = {
    { "1-101", "Kas", ASSET, R(CASH) },
    { "1-102", "Bank", ASSET, R(BANK) },
    { "1-103", "Simpanan di bank dan koperasi lain", ASSET, R(BANK_DEPOSITS) },
    { "1-201", "Piutang pinjaman anggota", ASSET, R(MEMBER_LOANS) },
    { "1-202", "Piutang pinjaman non-anggota", ASSET, R(NON_MEMBER_LOANS) },
    { "1-203", "Penyisihan penghapusan pinjaman", ASSET, R(LOAN_LOSS_ALLOWANCE) },
    { "1-301", "Pendapatan yang masih harus diterima", ASSET, R(ACCRUED_INCOME) },
    { "1-401", "Penyertaan dan investasi", ASSET, R(INVESTMENTS) },
    { "1-501", "Aset tetap", ASSET, R(FIXED_ASSETS) },
    { "2-101", "Simpanan sukarela", LIABILITY, R(VOLUNTARY_SAVINGS) },
    { "2-102", "Simpanan berjangka", LIABILITY, R(TIME_DEPOSITS) },
    { "2-201", "Utang pinjaman diterima", LIABILITY, R(BORROWINGS) },
    { "2-301", "Utang SHU", LIABILITY, R(SHU_PAYABLE) },
    { "2-401", "Utang lain-lain", LIABILITY, R(OTHER_LIABILITIES) },
    { "3-101", "Simpanan pokok", EQUITY, R(PRINCIPAL_SAVINGS) },
    { "3-102", "Simpanan wajib", EQUITY, R(MANDATORY_SAVINGS) },
    { "3-201", "Cadangan", EQUITY, R(RESERVES) },
    { "3-202", "Cadangan risiko", EQUITY, R(RISK_RESERVE) },
    { "3-301", "Hibah", EQUITY, R(GRANTS) },
    { "3-401", "Modal penyertaan", EQUITY, R(EQUITY_PARTICIPATION) },
    { "3-501", "SHU tahun berjalan", EQUITY, R(CURRENT_SURPLUS) },
    { "4-101", "Pendapatan jasa pinjaman", INCOME, R(LOAN_INTEREST_INCOME) },
    { "4-102", "Pendapatan provisi dan administrasi", INCOME, R(FEE_INCOME) },
    { "4-103", "Pendapatan denda", INCOME, R(LATE_FEE_INCOME) },
    { "4-201", "Pendapatan dari non-anggota", INCOME, R(NON_MEMBER_INCOME) },
    { "4-301", "Pendapatan lain-lain", INCOME, R(OTHER_INCOME) },
    { "5-101", "Beban jasa simpanan", EXPENSE, R(COST_OF_FUNDS) },
    { "5-201", "Beban karyawan", EXPENSE, R(STAFF_EXPENSE) },
    { "5-202", "Beban operasional", EXPENSE, R(OPERATING_EXPENSE) },
    { "5-203", "Beban perkoperasian", EXPENSE, R(COOPERATIVE_EXPENSE) },
    { "5-301", "Beban penyisihan penghapusan pinjaman", EXPENSE, R(PROVISION_EXPENSE) },
};
enum { STANDARD_COUNT = sizeof standard_chart / sizeof standard_chart[0] };
_Static_assert((int) STANDARD_COUNT == (int) TX_ROLE_MAX, "one standard account per role");

static const char *const role_names[TX_ROLE_MAX + 1] = {
    "unspecified", "cash", "bank", "member_loans", "non_member_loans", "loan_loss_allowance",
    "accrued_income", "fixed_assets", "investments", "voluntary_savings", "time_deposits",
    "borrowings", "other_liabilities", "shu_payable", "principal_savings", "mandatory_savings",
    "reserves", "risk_reserve", "grants", "equity_participation", "current_surplus",
    "loan_interest_income", "fee_income", "late_fee_income", "other_income", "cost_of_funds",
    "staff_expense", "operating_expense", "cooperative_expense", "provision_expense",
    "bank_deposits", "non_member_income",
};

const tx_chart_row_t *tx_chart_standard(size_t *count) {
    *count = STANDARD_COUNT;
    return standard_chart;
}

Lumbung__AccountClass tx_chart_role_class(Lumbung__AccountRole role) {
    for (size_t i = 0; i < STANDARD_COUNT; i++)
        if (standard_chart[i].role == role) return standard_chart[i].class_;
    return LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_UNSPECIFIED;
}

const char *tx_chart_class_name(Lumbung__AccountClass c) {
    static const char *const names[] = { "unspecified", "asset", "liability", "equity",
                                         "income", "expense" };
    return (int) c >= 0 && (int) c <= EXPENSE ? names[c] : "unspecified";
}

const char *tx_chart_role_name(Lumbung__AccountRole role) {
    return (int) role >= 0 && (int) role <= TX_ROLE_MAX ? role_names[role] : "unspecified";
}

const char *tx_chart_kind_name(Lumbung__SavingsKind kind) {
    static const char *const names[] = { "unspecified", "principal", "mandatory", "voluntary",
                                         "time_deposit" };
    return (int) kind >= 0 && (int) kind <= 4 ? names[kind] : "unspecified";
}

Lumbung__AccountRole tx_chart_kind_role(Lumbung__SavingsKind kind) {
    switch (kind) {
    case LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_PRINCIPAL: return R(PRINCIPAL_SAVINGS);
    case LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_MANDATORY: return R(MANDATORY_SAVINGS);
    case LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_VOLUNTARY: return R(VOLUNTARY_SAVINGS);
    case LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_TIME_DEPOSIT: return R(TIME_DEPOSITS);
    default: return R(UNSPECIFIED);
    }
}

bool tx_chart_role_is_savings(Lumbung__AccountRole role) {
    return role == R(PRINCIPAL_SAVINGS) || role == R(MANDATORY_SAVINGS) ||
           role == R(VOLUNTARY_SAVINGS) || role == R(TIME_DEPOSITS);
}

bool tx_chart_code_valid(const char *code) {
    if (!code) return false;
    size_t n = strlen(code);
    if (n == 0 || n > TX_CODE_MAX || !isdigit((unsigned char) code[0])) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char) code[i];
        if (!isalnum(ch) && ch != '-' && ch != '.') return false;
    }
    return true;
}

int64_t tx_chart_balance(Lumbung__AccountClass c, int64_t debit_total, int64_t credit_total) {
    assert(debit_total >= 0 && credit_total >= 0);
    return c == ASSET || c == EXPENSE ? debit_total - credit_total : credit_total - debit_total;
}
