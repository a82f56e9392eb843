#include "enum_id.h"
#include "envelope.pb-c.h"

#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#define N(a) (sizeof (a) / sizeof (a)[0])
#define ENUM(x) &lumbung__##x##__descriptor

/* Indexed by the enum's value; value 0 (UNSPECIFIED) has no text. The wording is the web
   catalogue's (i18n/id.js) where the web shows the same value. */
static const char *const ACCOUNT_CLASS[] = {
    NULL, "Aset", "Kewajiban", "Ekuitas", "Pendapatan", "Beban",
};

static const char *const ACCOUNT_ROLE[] = {
    NULL, "Kas", "Bank", "Piutang pinjaman anggota", "Piutang pinjaman non-anggota",
    "Penyisihan penghapusan pinjaman", "Pendapatan yang masih harus diterima", "Aset tetap",
    "Investasi", "Simpanan sukarela", "Simpanan berjangka", "Pinjaman diterima",
    "Kewajiban lain", "SHU yang belum dibayar", "Simpanan pokok", "Simpanan wajib", "Cadangan",
    "Cadangan risiko", "Hibah", "Modal penyertaan", "SHU tahun berjalan",
    "Pendapatan bunga pinjaman", "Pendapatan provisi dan administrasi", "Pendapatan denda",
    "Pendapatan lain", "Beban jasa simpanan", "Beban karyawan", "Beban operasional",
    "Beban perkoperasian", "Beban penyisihan pinjaman", "Simpanan di bank dan koperasi lain",
    "Pendapatan dari non-anggota",
};

static const char *const SAVINGS_KIND[] = {
    NULL, "Simpanan pokok", "Simpanan wajib", "Simpanan sukarela", "Simpanan berjangka",
};

static const char *const LOAN_MOVEMENT_KIND[] = {
    NULL, "Pencairan", "Angsuran", "Penyelesaian keluar anggota", "Hapus buku", "Pemulihan",
};

static const char *const ENTRY_KIND[] = {
    NULL, "Jurnal manual", "Setoran", "Penarikan", "Pembalikan", "Penyelesaian keluar anggota",
    "Pencairan pinjaman", "Angsuran pinjaman", "Saldo awal", "Penyisihan pinjaman",
    "Hapus buku pinjaman", "Pemulihan pinjaman",
};

static const char *const LOAN_CLASS[] = {
    NULL, "Lancar", "Kurang lancar", "Diragukan", "Macet",
};

static const char *const HEALTH_RATING[] = {
    NULL, "Sehat", "Cukup sehat", "Dalam pengawasan", "Dalam pengawasan khusus", "Belum dinilai",
};

static const char *const HEALTH_REASON[] = {
    NULL, "Penyebutnya 0, jadi tidak ada rasio",
    "Penyebutnya negatif, jadi tidak ada rasio",
    "Belum ada kuesioner manajemen untuk tahun ini",
    "Promosi ekonomi anggota tidak dicatat oleh sistem",
    "Tidak ada pembukuan untuk tahun buku ini",
};

static const char *const COOPERATIVE_TYPE[] = {
    NULL, "Simpan pinjam", "Konsumen", "Produsen", "Pemasaran", "Jasa", "Serba usaha",
};

static const char *const SEX[] = { NULL, "Perempuan", "Laki-laki" };

static const char *const MEMBER_STATUS[] = { NULL, "Aktif", "Keluar" };

static const char *const LOAN_STATUS[] = {
    NULL, "Diajukan", "Berjalan", "Lunas", "Dihapus buku", "Dibatalkan",
};

static const char *const LOAN_METHOD[] = { NULL, "Flat (tetap)", "Efektif (menurun)", "Anuitas" };

static const char *const LOAN_FREQUENCY[] = {
    NULL, "Harian", "Mingguan", "Bulanan", "Dua bulanan", "Triwulanan", "Semesteran",
};

typedef struct {
    const ProtobufCEnumDescriptor *e;
    const char *const *text;
    size_t n;
} enum_table_t;

#define TABLE(desc, t) { ENUM(desc), t, N(t) }

static const enum_table_t TABLES[] = {
    TABLE(account_class, ACCOUNT_CLASS),   TABLE(account_role, ACCOUNT_ROLE),
    TABLE(savings_kind, SAVINGS_KIND),     TABLE(loan_movement_kind, LOAN_MOVEMENT_KIND),
    TABLE(entry_kind, ENTRY_KIND),         TABLE(loan_class, LOAN_CLASS),
    TABLE(health_rating, HEALTH_RATING),   TABLE(health_reason, HEALTH_REASON),
    TABLE(cooperative_type, COOPERATIVE_TYPE), TABLE(sex, SEX),
    TABLE(member_status, MEMBER_STATUS),   TABLE(loan_status, LOAN_STATUS),
    TABLE(loan_method, LOAN_METHOD),       TABLE(loan_frequency, LOAN_FREQUENCY),
};

const char *reporting_enum_id(const ProtobufCEnumDescriptor *e, int value) {
    assert(e);
    for (size_t i = 0; i < N(TABLES); i++) {
        if (TABLES[i].e != e) continue;
        return value > 0 && (size_t) value < TABLES[i].n ? TABLES[i].text[value] : NULL;
    }
    return NULL;
}

static const struct {
    const char *code, *name;
} COMPONENTS[] = {
    { "1a", "Modal sendiri terhadap total aset" },
    { "1b", "Modal sendiri terhadap pinjaman berisiko" },
    { "1c", "Kecukupan modal (CAR)" },
    { "2a", "Pinjaman kepada anggota terhadap seluruh pinjaman" },
    { "2b", "Risiko pinjaman bermasalah terhadap seluruh pinjaman" },
    { "2c", "Cadangan risiko terhadap pinjaman bermasalah" },
    { "2d", "Pinjaman berisiko terhadap seluruh pinjaman" },
    { "3", "Manajemen" },
    { "4a", "Beban operasi anggota terhadap partisipasi bruto" },
    { "4b", "Beban usaha terhadap SHU kotor" },
    { "4c", "Efisiensi pelayanan" },
    { "5a", "Rasio kas" },
    { "5b", "Pinjaman terhadap dana yang diterima" },
    { "6a", "Rentabilitas aset" },
    { "6b", "Rentabilitas modal sendiri" },
    { "6c", "Kemandirian operasional pelayanan" },
    { "7a", "Rasio partisipasi bruto" },
    { "7b", "Rasio promosi ekonomi anggota" },
};

const char *reporting_health_component_id(const char *code) {
    if (!code) return NULL;
    for (size_t i = 0; i < N(COMPONENTS); i++)
        if (!strcmp(COMPONENTS[i].code, code)) return COMPONENTS[i].name;
    return NULL;
}

/* Every enum of the contract names its value 0 PREFIX_UNSPECIFIED; that gives the prefix. */
static size_t enum_prefix_len(const ProtobufCEnumDescriptor *e) {
    const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(e, 0);
    static const char unspecified[] = "UNSPECIFIED";
    size_t n = zero ? strlen(zero->name) : 0;
    if (n < sizeof unspecified - 1 || strcmp(zero->name + n - (sizeof unspecified - 1), unspecified))
        return 0;
    return n - (sizeof unspecified - 1);
}

bool reporting_enum_json_name(const ProtobufCEnumDescriptor *e, int value, char *buf,
                              size_t size) {
    assert(e && buf && size > 0);
    const ProtobufCEnumValue *v = value ? protobuf_c_enum_descriptor_get_value(e, value) : NULL;
    buf[0] = '\0';
    if (!v) return false;
    size_t skip = enum_prefix_len(e);
    const char *name = strlen(v->name) > skip ? v->name + skip : v->name;
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++) buf[i] = (char) tolower((unsigned char) name[i]);
    buf[i] = '\0';
    return true;
}
