/* test_libsvm.c - libsvm input (spamlr_dataset_read_libsvm), training on
 * explicit feature values, and thread-count independence of training
 * through the public API. */
#include "testutil.h"

#include <math.h>
#include <zlib.h>

#include "data/dataset.h"

static char dir[64];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    tu_write(path, text, strlen(text));
    return path;
}

static void setup(void)
{
    tu_tmpdir(dir, sizeof dir);
}

static void teardown(void)
{
    tu_rmrf(dir);
}

START_TEST(test_read_ok)
{
    spamlr_dataset *ds;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    const char *p = write_tmp("a.svm", "+1 1:0.5 3:1.25\n"
                                       "-1 2:1 3:-0.5\r\n"
                                       "\n   \n"
                                       "0 1:0.1\t2:0.2 4:1e-3  \n"
                                       "1 4:2\n"
                                       "1.0\n");

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, p, &d), SPAMLR_OK);
    ck_assert_int_eq(d.code, 0);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 5);
    ck_assert_uint_eq(spamlr_dataset_count(ds, SPAMLR_SPAM), 3);
    ck_assert_uint_eq(spamlr_dataset_count(ds, SPAMLR_HAM), 2);
    ck_assert_uint_eq(spamlr_dataset_vocab_size(ds), 4);
    ck_assert_int_eq(spamlr_dataset_label(ds, 2), SPAMLR_HAM);
    ck_assert(strstr(spamlr_dataset_name(ds, 2), "a.svm:5") != NULL);
    /* messages do not mix with value rows */
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, "hello", 5, NULL), SPAMLR_EINVAL);
    spamlr_dataset_free(ds);

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, "hello", 5, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, p, &d), SPAMLR_EINVAL);
    spamlr_dataset_free(ds);
}
END_TEST

static void expect_error(const char *text, long line, const char *what)
{
    spamlr_dataset *ds;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    const char *p = write_tmp("bad.svm", text);

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, p, &d), SPAMLR_EPARSE);
    ck_assert_int_eq(d.code, SPAMLR_EPARSE);
    ck_assert_int_eq(d.line, line);
    ck_assert_str_eq(d.path, p);
    ck_assert_msg(strstr(d.message, what) != NULL, "'%s' lacks '%s'", d.message, what);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), (size_t)line - 1);
    spamlr_dataset_free(ds);
}

START_TEST(test_read_errors)
{
    expect_error("1 1:1\n1 1:0.5 1:2\n", 2, "must ascend");
    expect_error("1 2:0.5 1:2\n", 1, "must ascend");
    expect_error("1 1:nan\n", 1, "non-finite");
    expect_error("1 1:inf\n", 1, "non-finite");
    expect_error("1 1:1e999\n", 1, "non-finite");
    expect_error("1 1:1e39\n", 1, "non-finite");  /* beyond float */
    expect_error("2 1:1\n", 1, "bad label");
    expect_error("spam 1:1\n", 1, "bad label");
    expect_error("-1 1:1\n1 0:1\n", 2, "index 0");
    expect_error("1 1:1 x\n", 1, "expected INDEX:VALUE");
    expect_error("1 1:\n", 1, "expected INDEX:VALUE");
    expect_error("1 1: 2\n", 1, "expected INDEX:VALUE");
    expect_error("1 -3:2\n", 1, "expected INDEX:VALUE");
    expect_error("1 1:2x\n", 1, "bad value");
    expect_error("1 99999999999:1\n", 1, "too large");
}
END_TEST

/* Trains on explicit values and checks the objective against one
 * computed here from the model's weights, with the values used as given. */
START_TEST(test_train_values_as_given)
{
    static const struct { int y; int n; int k[3]; double v[3]; } rows[] = {
        { 1, 2, { 1, 3 }, { 0.5, 1.25 } },
        { -1, 2, { 2, 3 }, { 1, -0.5 } },
        { -1, 3, { 1, 2, 4 }, { 0.1, 0.2, 1e-3 } },
        { 1, 1, { 4 }, { 2 } },
        { 1, 2, { 2, 4 }, { 3, -1 } },
    };
    spamlr_dataset *ds;
    spamlr_model *m;
    spamlr_train_opts o;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    double f = 0, probs[5];
    float w[5];
    size_t i;
    int j;
    const char *p = write_tmp("t.svm", "+1 1:0.5 3:1.25\n-1 2:1 3:-0.5\n0 1:0.1 2:0.2 4:1e-3\n"
                                       "1 4:2\n1 2:3 4:-1\n");

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, p, NULL), SPAMLR_OK);
    spamlr_train_opts_init(&o);
    o.tol = 1e-10;
    o.c = 2;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &rep, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &info);
    ck_assert(info.has_bias);
    for (j = 1; j <= 4; j++) {
        char tok[4];

        snprintf(tok, sizeof tok, "%d", j);
        ck_assert_int_eq(spamlr_model_weight(m, tok, &w[j]), SPAMLR_OK);
        f += 0.5 * (double)w[j] * w[j];
    }
    ck_assert_int_eq(spamlr_predict_dataset(m, ds, probs, NULL), SPAMLR_OK);
    for (i = 0; i < 5; i++) {
        double z = info.bias;

        for (j = 0; j < rows[i].n; j++)
            z += rows[i].v[j] * (double)w[rows[i].k[j]];
        f += 2 * log1p(exp(-rows[i].y * z));
        ck_assert(fabs(probs[i] - 1 / (1 + exp(-z))) < 1e-6);
    }
    /* weights were stored as float: agreement to float precision */
    ck_assert_msg(fabs(f - rep.objective) < 1e-6 * f, "%.10g vs %.10g", f, rep.objective);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
}
END_TEST

/* A random sparse problem in libsvm form. */
static const char *random_problem(size_t rows, size_t cols, size_t per_row)
{
    static char path[256];
    uint64_t s = 12345;
    FILE *f;
    size_t i, j;

    snprintf(path, sizeof path, "%s/r.svm", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (i = 0; i < rows; i++) {
        size_t k = 0;
        int y;

        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        y = (s >> 40) & 1;
        fprintf(f, "%s", y ? "+1" : "-1");
        for (j = 0; j < per_row; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            k += 1 + (size_t)((s >> 33) % (2 * cols / per_row));
            /* features below 20 lean to the label */
            fprintf(f, " %zu:%.6f", k, k < 20 ? (y ? 1.0 : 0.2) : (double)((s >> 50) % 100) / 50);
        }
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

START_TEST(test_threads_same_objective)
{
    spamlr_dataset *ds;
    spamlr_train_opts o;
    spamlr_train_report r1 = SPAMLR_TRAIN_REPORT_INIT, r2 = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_model *m1, *m2;
    unsigned solver;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, random_problem(3000, 2000, 30), NULL),
                     SPAMLR_OK);
    for (solver = SPAMLR_SOLVER_TRON; solver <= SPAMLR_SOLVER_LBFGS; solver++) {
        spamlr_train_opts_init(&o);
        o.solver = solver;
        o.tol = 1e-8;
        o.threads = 1;
        ck_assert_int_eq(spamlr_train(&m1, ds, &o, &r1, NULL), SPAMLR_OK);
        o.threads = 2;
        ck_assert_int_eq(spamlr_train(&m2, ds, &o, &r2, NULL), SPAMLR_OK);
        ck_assert_msg(fabs(r1.objective - r2.objective) <= 1e-10 * r1.objective,
                      "solver %u: %.17g vs %.17g", solver, r1.objective, r2.objective);
        spamlr_model_free(m1);
        spamlr_model_free(m2);
    }
    spamlr_dataset_free(ds);
}
END_TEST

/* Without a bias, training reads a libsvm dataset's own arrays as the
 * matrix; with an unlabelled row present it builds a copy. Both must give
 * the same weights. */
START_TEST(test_matrix_without_copy)
{
    spamlr_dataset *ds[2];
    spamlr_train_opts o;
    spamlr_train_report r[2] = {SPAMLR_TRAIN_REPORT_INIT, SPAMLR_TRAIN_REPORT_INIT};
    spamlr_model *m[2];
    const char *p = random_problem(500, 300, 12);
    float w0, w1;
    int i;

    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(spamlr_dataset_create(&ds[i], NULL), SPAMLR_OK);
        ck_assert_int_eq(spamlr_dataset_read_libsvm(ds[i], p, NULL), SPAMLR_OK);
    }
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds[1], write_tmp("u.svm", "0 1:1\n"), NULL),
                     SPAMLR_OK);
    ds[1]->labels[ds[1]->rows - 1] = SPAMLR_UNLABELLED;
    spamlr_train_opts_init(&o);
    o.bias = 0;
    o.threads = 1;
    for (i = 0; i < 2; i++)
        ck_assert_int_eq(spamlr_train(&m[i], ds[i], &o, &r[i], NULL), SPAMLR_OK);
    ck_assert_uint_eq(r[0].examples, 500);
    ck_assert_uint_eq(r[1].examples, 500);
    ck_assert(r[0].objective == r[1].objective);
    ck_assert_int_eq(spamlr_model_weight(m[0], "7", &w0), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_weight(m[1], "7", &w1), SPAMLR_OK);
    ck_assert(w0 == w1 && w0 != 0);
    for (i = 0; i < 2; i++) {
        spamlr_model_free(m[i]);
        spamlr_dataset_free(ds[i]);
    }
}
END_TEST

/* The online solvers learn from the explicit values too (rows that differ
 * only in a value are told apart), as prediction reads them. */
START_TEST(test_online_uses_values)
{
    spamlr_dataset *ds;
    spamlr_train_opts o;
    spamlr_model *m;
    double probs[4];
    unsigned solver;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, write_tmp("o.svm", "+1 1:5\n-1 1:0.1\n"
                                                                       "+1 1:4\n-1 1:0.2\n"),
                                                NULL), SPAMLR_OK);
    for (solver = SPAMLR_SOLVER_ADAGRAD; solver <= SPAMLR_SOLVER_FTRL; solver++) {
        spamlr_train_opts_init(&o);
        o.solver = solver;
        o.epochs = 20;
        ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
        ck_assert_int_eq(spamlr_predict_dataset(m, ds, probs, NULL), SPAMLR_OK);
        ck_assert_msg(probs[0] > probs[1] + 0.1 && probs[2] > probs[3] + 0.1,
                      "solver %u: %g %g %g %g", solver, probs[0], probs[1], probs[2], probs[3]);
        spamlr_model_free(m);
    }
    spamlr_dataset_free(ds);
}
END_TEST

/* The reader's quick number parser gives the float strtod would (through
 * double, as LIBLINEAR reads them) for every spelling. */
START_TEST(test_values_like_strtod)
{
    static const char *fixed[] = { "1", "-1", "+2.5", "0", "-0", "0.0", "1.", ".5", "-.25",
                                   "00012.50", "1e5", "1E+05", "2.5e-3", "1e-30", "3e22",
                                   "3e23", "123456789012345678", "1234567890123456789012",
                                   "0.000000000000000000000000001", "9007199254740993",
                                   "0.1", "0.30000000000000004", "1e-45", "0x1p3",
                                   "4.9406564584124654e-324", NULL };
    char *text = malloc(200000), *p = text, expect[64][40];
    spamlr_dataset *ds;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    uint64_t st = 99;
    size_t i, n = 0, j;

    ck_assert_ptr_nonnull(text);
    p += sprintf(p, "1");
    for (i = 0; fixed[i]; i++, n++)
        p += sprintf(p, " %zu:%s", n + 1, fixed[i]);
    p += sprintf(p, "\n");
    ck_assert_uint_lt(n, 64);
    for (i = 0; i < n; i++)
        snprintf(expect[i], sizeof expect[i], "%s", fixed[i]);
    /* random values in %.9g and %.17g */
    for (j = 0; j < 2000; j++) {
        double v;

        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        v = ldexp((double)(st >> 11), -53 - (int)(st % 40)) * ((st >> 7) & 1 ? -1 : 1);
        p += sprintf(p, j % 2 ? "-1 1:%.9g\n" : "-1 1:%.17g\n", v);
    }
    write_tmp("n.svm", text);
    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_msg(spamlr_dataset_read_libsvm(ds, write_tmp("n.svm", text), &d) == SPAMLR_OK,
                  "%ld: %s", d.line, d.message);
    ck_assert_uint_eq(ds->rows, 2001);
    for (i = 0; i < n; i++) {
        float want = (float)strtod(expect[i], NULL);

        ck_assert_msg(memcmp(&ds->val[i], &want, sizeof want) == 0, "%s: %.9g vs %.9g",
                      expect[i], (double)ds->val[i], (double)want);
    }
    /* rows 1.. each hold one value; compare with strtod on the text */
    p = strchr(text, '\n') + 1;
    for (j = 0; j < 2000; j++) {
        float want = (float)strtod(strchr(p, ':') + 1, NULL);

        ck_assert(memcmp(&ds->val[ds->ptr[j + 1]], &want, sizeof want) == 0);
        p = strchr(p, '\n') + 1;
    }
    spamlr_dataset_free(ds);
    free(text);
}
END_TEST


/* Row r of ds holds exactly the features k[0..n) with values v (order of
 * the row's entries aside: ids ascend, tokens need not). */
static void expect_row(const spamlr_dataset *ds, size_t r, const unsigned long *k,
                       const double *v, size_t n)
{
    size_t j, i, found = 0;

    ck_assert_uint_eq(ds->ptr[r + 1] - ds->ptr[r], n);
    for (j = ds->ptr[r]; j < ds->ptr[r + 1]; j++) {
        unsigned long tok = strtoul(spamlr__vocab_str(&ds->vocab, ds->ids[j]), NULL, 10);

        if (j > ds->ptr[r])
            ck_assert_uint_lt(ds->ids[j - 1], ds->ids[j]);
        ck_assert_ptr_null(ds->cnt);
        for (i = 0; i < n; i++)
            if (k[i] == tok) {
                ck_assert_msg(ds->val[j] == (float)v[i], "row %zu feature %lu: %g vs %g", r,
                              tok, (double)ds->val[j], v[i]);
                found++;
            }
    }
    ck_assert_uint_eq(found, n);
}

/* Files are read in pieces of 256 KiB: lines across piece boundaries, a line
 * longer than a piece, and the same rows from a gzip file. */
START_TEST(test_read_streaming)
{
    size_t cap = 8u << 20, len = 0, rows = 0, r;
    char *text = malloc(cap), path[300];
    spamlr_dataset *ds[2];
    spamlr_diag d = SPAMLR_DIAG_INIT;
    unsigned long k[3];
    double v[3];
    gzFile gz;
    int f;

    ck_assert_ptr_nonnull(text);
    /* 60,000 short rows, then one of 150,000 features, then short rows */
    for (r = 0; r < 60000; r++, rows++)
        len += (size_t)sprintf(text + len, "%s %zu:%zu.5 %zu:-0.25 %zu:1e-3\n",
                               r % 3 ? "-1" : "+1", r % 97 + 1, r % 97 + 1, r % 89 + 100,
                               r + 1000);
    len += (size_t)sprintf(text + len, "1");
    for (r = 1; r <= 150000; r++)
        len += (size_t)sprintf(text + len, " %zu:%zu", r, r % 7);
    len += (size_t)sprintf(text + len, "\n");
    rows++;
    for (r = 0; r < 1000; r++, rows++)
        len += (size_t)sprintf(text + len, "0 %zu:2\n", r + 5);
    ck_assert_uint_lt(len, cap);
    ck_assert_uint_gt(len, 3u << 20);
    snprintf(path, sizeof path, "%s/big.svm", dir);
    tu_write(path, text, len);
    snprintf(path, sizeof path, "%s/big.svm.gz", dir);
    ck_assert_ptr_nonnull(gz = gzopen(path, "wb1"));
    ck_assert_int_eq(gzwrite(gz, text, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    for (f = 0; f < 2; f++) {
        snprintf(path, sizeof path, "%s/big.svm%s", dir, f ? ".gz" : "");
        ck_assert_int_eq(spamlr_dataset_create(&ds[f], NULL), SPAMLR_OK);
        ck_assert_msg(spamlr_dataset_read_libsvm(ds[f], path, &d) == SPAMLR_OK, "%s:%ld: %s",
                      d.path, d.line, d.message);
        ck_assert_uint_eq(spamlr_dataset_rows(ds[f]), rows);
        ck_assert_uint_eq(spamlr_dataset_count(ds[f], SPAMLR_SPAM), 20000 + 1);
        ck_assert_uint_eq(spamlr_dataset_vocab_size(ds[f]), 150000);
        for (r = 0; r < 60000; r += 997) {
            k[0] = r % 97 + 1;
            k[1] = r % 89 + 100, v[1] = -0.25;
            k[2] = r + 1000, v[2] = 1e-3;
            v[0] = (double)(r % 97 + 1) + 0.5;
            expect_row(ds[f], r, k, v, 3);
        }
        ck_assert_uint_eq(ds[f]->ptr[60001] - ds[f]->ptr[60000], 150000);
        ck_assert(ds[f]->val[ds[f]->ptr[60000] + 149999] == 150000 % 7);
        k[0] = 1004, v[0] = 2;
        expect_row(ds[f], rows - 1, k, v, 1);
        ck_assert(strstr(spamlr_dataset_name(ds[f], rows - 1), ":61001") != NULL);
    }
    ck_assert_int_eq(memcmp(ds[0]->ids, ds[1]->ids, ds[0]->nnz * sizeof *ds[0]->ids), 0);
    spamlr_dataset_free(ds[0]);
    spamlr_dataset_free(ds[1]);
    free(text);
}
END_TEST

/* A second file adds to the tokens of the first (rows are sorted again by
 * id); indices far apart; long values; rows before a bad line keep their
 * features. */
START_TEST(test_read_append)
{
    spamlr_dataset *ds;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    static const unsigned long k0[] = { 5, 9 }, k1[] = { 3, 5, 100 },
                               k2[] = { 7, 4000000000UL }, k3[] = { 7 }, k4[] = { 2, 3 };
    static const double v0[] = { 1, 2 }, v1[] = { 1, 2, 3 }, v2[] = { 2, 1 }, v3[] = { 1 },
                        v4[] = { 1.00000000000000000000000000001, 4 };
    char longval[300];

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, write_tmp("a.svm", "1 5:1 9:2\n"), &d),
                     SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, write_tmp("b.svm", "0 3:1 5:2 100:3"), &d),
                     SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, write_tmp("c.svm", "1 7:2 4000000000:1\n"
                                                                       "-1 7:1\n"), &d),
                     SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, write_tmp("d.svm",
                         "1 2:1.00000000000000000000000000001 3:4\n"), &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 5);
    ck_assert_uint_eq(spamlr_dataset_vocab_size(ds), 7);
    expect_row(ds, 0, k0, v0, 2);
    expect_row(ds, 1, k1, v1, 3);
    expect_row(ds, 2, k2, v2, 2);
    expect_row(ds, 3, k3, v3, 1);
    expect_row(ds, 4, k4, v4, 2);
    /* a value longer than the reader takes; the rows before it stay */
    memset(longval, '1', sizeof longval);
    memcpy(longval, "-1 6:1\n1 8:0.", 13);
    longval[sizeof longval - 1] = '\0';
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, write_tmp("e.svm", longval), &d),
                     SPAMLR_EPARSE);
    ck_assert_int_eq(d.line, 2);
    ck_assert_msg(strstr(d.message, "bad value") != NULL, "%s", d.message);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 6);
    expect_row(ds, 5, (const unsigned long[]){ 6 }, (const double[]){ 1 }, 1);
    spamlr_dataset_free(ds);
}
END_TEST

/* libsvm rows are features, not words: the automatic min_count keeps a
 * feature only one row has, as LIBLINEAR does, even past the message
 * count where words seen once are left out. */
START_TEST(test_auto_min_count_keeps_features)
{
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL;
    char *text = malloc(200 * 40), *p = text;
    float w;
    int i;

    ck_assert_ptr_nonnull(text);
    for (i = 0; i < 200; i++)
        p += sprintf(p, "%s 1:%d 2:1%s\n", i % 2 ? "+1" : "-1", 1 + i % 2,
                     i == 7 ? " 999:1" : "");
    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_libsvm(ds, write_tmp("once.svm", text), NULL),
                     SPAMLR_OK);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_weight(m, "999", &w), SPAMLR_OK);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
    free(text);
}
END_TEST

static Suite *libsvm_suite(void)
{
    Suite *s = suite_create("libsvm");
    TCase *tc = tcase_create("all");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_read_ok);
    tcase_add_test(tc, test_read_errors);
    tcase_add_test(tc, test_read_streaming);
    tcase_add_test(tc, test_read_append);
    tcase_add_test(tc, test_values_like_strtod);
    tcase_add_test(tc, test_train_values_as_given);
    tcase_add_test(tc, test_threads_same_objective);
    tcase_add_test(tc, test_matrix_without_copy);
    tcase_add_test(tc, test_online_uses_values);
    tcase_add_test(tc, test_auto_min_count_keeps_features);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(libsvm_suite)
