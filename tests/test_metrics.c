/* test_metrics.c - metrics against values computed by hand. */
#include "testutil.h"
#include <math.h>


START_TEST(confusion_and_ratios)
{
    /* 4 spam, 6 ham. At 0.5: spam .9 .8 .4 .7 -> tp 3 fn 1;
     * ham .1 .6 .2 .3 .05 .45 -> fp 1 tn 5. */
    int y[] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, -1};
    double p[] = {.9, .8, .4, .7, .1, .6, .2, .3, .05, .45, .99};
    spamlr_metrics m = SPAMLR_METRICS_INIT;

    ck_assert_int_eq(spamlr_metrics_compute(y, p, 11, 0.5, &m), SPAMLR_OK);
    ck_assert_uint_eq(m.n, 10);
    ck_assert_uint_eq(m.tp, 3);
    ck_assert_uint_eq(m.fn, 1);
    ck_assert_uint_eq(m.fp, 1);
    ck_assert_uint_eq(m.tn, 5);
    ck_assert_double_eq_tol(m.accuracy, 0.8, 1e-12);
    ck_assert_double_eq_tol(m.precision, 0.75, 1e-12);
    ck_assert_double_eq_tol(m.recall, 0.75, 1e-12);
    ck_assert_double_eq_tol(m.f1, 0.75, 1e-12);
    /* mcc = (3*5 - 1*1) / sqrt(4*4*6*6) = 14/24 */
    ck_assert_double_eq_tol(m.mcc, 14.0 / 24.0, 1e-12);
    ck_assert_double_eq_tol(m.ham_fpr, 1.0 / 6.0, 1e-12);
    ck_assert_double_eq_tol(m.spam_fnr, 0.25, 1e-12);
    /* AUC: pairs (spam, ham) with spam ranked higher. spam .9,.8,.7 beat all
     * 6 ham (18); .4 beats .1 .2 .3 .05 (4) -> 22/24 */
    ck_assert_double_eq_tol(m.auc, 22.0 / 24.0, 1e-12);
    ck_assert_double_eq_tol(m.one_minus_auc_pct, 100.0 * 2.0 / 24.0, 1e-9);
    {
        double ll = -(log(.9) + log(.8) + log(.4) + log(.7) + log(.9) + log(.4) + log(.8) +
                      log(.7) + log(.95) + log(.55)) / 10.0;
        ck_assert_double_eq_tol(m.log_loss, ll, 1e-12);
    }
}
END_TEST

START_TEST(ties_count_half)
{
    int y[] = {1, 0, 1, 0};
    double p[] = {.5, .5, .7, .2};
    spamlr_metrics m = SPAMLR_METRICS_INIT;

    /* pairs: (.5,.5) tie 0.5, (.5,.2) 1, (.7,.5) 1, (.7,.2) 1 -> 3.5/4 */
    ck_assert_int_eq(spamlr_metrics_compute(y, p, 4, 0.5, &m), SPAMLR_OK);
    ck_assert_double_eq_tol(m.auc, 3.5 / 4.0, 1e-12);
    /* threshold is inclusive: p >= 0.5 is spam */
    ck_assert_uint_eq(m.tp, 2);
    ck_assert_uint_eq(m.fp, 1);
}
END_TEST

/* The AUC against the count over every (spam, ham) pair, on random
 * probabilities: spread over many magnitudes, or apart only in their
 * last bits (so that the sort meets keys differing in every byte), with
 * ties, 0 and 1, at several sizes. */
START_TEST(auc_against_all_pairs)
{
    static int y[3000];
    static double p[3000];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t sizes[] = { 2, 7, 33, 300, 3000 }, z, i, j;

    for (z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        size_t n = sizes[z];
        double good = 0, pairs = 0;
        spamlr_metrics m = SPAMLR_METRICS_INIT;

        for (i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            y[i] = (int)(x >> 60) % 3 == 0; /* a third spam */
            switch ((x >> 20) % 4) {
            case 0: p[i] = (double)((x >> 24) % 5) / 4; break;          /* ties, 0, 1 */
            case 1: p[i] = ldexp((double)((x >> 8) & 0xFFFFF), -(int)((x >> 40) % 60) - 20); break;
            case 2: p[i] = 0.25 + (double)((x >> 30) & 0xFFFF) * 0x1.0p-52; break; /* low bytes */
            default: p[i] = (double)(x >> 11) * 0x1.0p-53;
            }
        }
        y[0] = 1, y[1] = 0;
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                if (y[i] && !y[j]) {
                    pairs += 1;
                    good += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                }
        ck_assert_int_eq(spamlr_metrics_compute(y, p, n, 0.5, &m), SPAMLR_OK);
        ck_assert_msg(fabs(m.auc - good / pairs) < 1e-12, "n %zu: auc %.17g, pairs say %.17g", n,
                      m.auc, good / pairs);
    }
}
END_TEST

START_TEST(degenerate_inputs)
{
    int y[] = {1, 1};
    double p[] = {.2, .9};
    spamlr_metrics m = SPAMLR_METRICS_INIT;

    ck_assert_int_eq(spamlr_metrics_compute(y, p, 0, 0.5, &m), SPAMLR_EEMPTY);
    ck_assert_int_eq(spamlr_metrics_compute(y, p, 2, 1.5, &m), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_metrics_compute(y, p, 2, 0.5, &m), SPAMLR_OK);
    ck_assert_double_eq(m.precision, 1.0);
    ck_assert_double_eq(m.ham_fpr, 0.0); /* no ham: a zero denominator gives 0 */
    ck_assert_double_eq(m.mcc, 0.0);
    /* one class: no spam-ham pair to order, so the AUC is undefined, not 0 */
    ck_assert(isnan(m.auc));
    ck_assert(isnan(m.one_minus_auc_pct));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *t = tcase_create("metrics");
    tcase_add_test(t, confusion_and_ratios);
    tcase_add_test(t, ties_count_half);
    tcase_add_test(t, degenerate_inputs);
    tcase_add_test(t, auc_against_all_pairs);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
