/* test_clone.c - spamlr_model_clone is a deep copy (same bytes saved, same
 * learning, nothing shared), and spamlr_free releases the library's
 * buffers. */
#include "testutil.h"

#include <math.h>

static spamlr_model *learned_model(void)
{
    static const char *spam[] = { "free money now", "win a free prize", "cheap pills online",
                                  "claim your prize money" };
    static const char *ham[] = { "lunch at noon", "meeting notes attached", "see you at lunch",
                                 "the report for monday" };
    spamlr_text_opts t;
    spamlr_model *m = NULL;
    spamlr_contacts *c = NULL;
    spamlr_scratch *s = NULL;
    size_t i;

    spamlr_text_opts_init(&t);
    t.mime = 0;
    t.features = SPAMLR_FEAT_LOGTF;
    ck_assert_int_eq(spamlr_model_create(&m, &t), SPAMLR_OK);
    ck_assert_int_eq(spamlr_contacts_create(&c), SPAMLR_OK);
    ck_assert_int_eq(spamlr_contacts_add(c, "ann@example.org", 15), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_set_contacts(m, c), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_set_unsure(m, 0.3, 0.7), SPAMLR_OK);
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(spamlr_model_learn(m, s, spam[i], strlen(spam[i]), SPAMLR_SPAM, 1, NULL),
                         SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_learn(m, s, ham[i], strlen(ham[i]), SPAMLR_HAM, 1, NULL),
                         SPAMLR_OK);
    }
    spamlr_scratch_free(s);
    spamlr_contacts_free(c);
    return m;
}

static void saved(const spamlr_model *m, unsigned char **buf, size_t *n)
{
    ck_assert_int_eq(spamlr_model_save_buffer(m, buf, n), SPAMLR_OK);
}

START_TEST(clone_is_deep)
{
    spamlr_model *m = learned_model(), *c = NULL, *c2 = NULL;
    spamlr_scratch *s = NULL;
    unsigned char *a = NULL, *b = NULL, *a2 = NULL, *b2 = NULL;
    size_t na, nb, na2, nb2;
    char *da = NULL, *db = NULL;
    double pa, pb;
    float w;

    ck_assert_int_eq(spamlr_model_clone(NULL, m), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_clone(&c, NULL), SPAMLR_EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(spamlr_model_clone(&c, m), SPAMLR_OK);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_ne(c, m);
    /* everything the file holds is the same ... */
    saved(m, &a, &na);
    saved(c, &b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(a, b, na) == 0);
    ck_assert_int_eq(spamlr_model_dump(m, &da, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_dump(c, &db, NULL), SPAMLR_OK);
    ck_assert_str_eq(da, db);
    ck_assert_ptr_ne(spamlr_model_contacts(c), spamlr_model_contacts(m));
    ck_assert_uint_eq(spamlr_contacts_count(spamlr_model_contacts(c)), 1);
    /* ... and learning goes on alike: both learn one message, both change
     * the same way, and the clone's step leaves the original alone */
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_clone(&c2, m), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_learn(c, s, "free lunch prize zzznew", 23, SPAMLR_SPAM, 1, NULL),
                     SPAMLR_OK);
    saved(m, &a2, &na2);
    ck_assert_uint_eq(na2, na);
    ck_assert(memcmp(a2, a, na) == 0);
    ck_assert_int_eq(spamlr_model_weight(c, "zzznew", &w), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_weight(m, "zzznew", &w), SPAMLR_ENOTFOUND);
    ck_assert_int_eq(spamlr_model_learn(m, s, "free lunch prize zzznew", 23, SPAMLR_SPAM, 1, NULL),
                     SPAMLR_OK);
    spamlr_free(a2);
    saved(m, &a2, &na2);
    saved(c, &b2, &nb2);
    ck_assert_uint_eq(na2, nb2);
    ck_assert(memcmp(a2, b2, na2) == 0);
    /* the record of learned messages was copied: learning it again is a no-op */
    {
        int outcome = 0;
        ck_assert_int_eq(spamlr_model_learn_ex(c2, s, "free money now", 14, SPAMLR_SPAM, 1, NULL,
                                               &outcome),
                         SPAMLR_OK);
        ck_assert_int_eq(outcome, SPAMLR_LEARNED_ALREADY);
    }
    /* freeing the original leaves the clone whole */
    spamlr_model_free(m);
    ck_assert_int_eq(spamlr_predict(c, s, "free prize", 10, &pa, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&m, b2, nb2, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict(m, s, "free prize", 10, &pb, NULL), SPAMLR_OK);
    ck_assert(pa == pb && pa > 0.5);
    spamlr_free(a);
    spamlr_free(b);
    spamlr_free(a2);
    spamlr_free(b2);
    spamlr_free(da);
    spamlr_free(db);
    spamlr_free(NULL);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    spamlr_model_free(c);
    spamlr_model_free(c2);
}
END_TEST

/* A trained model (idf values, the C path) clones too, and a clone of a
 * clone is the same. */
START_TEST(clone_trained)
{
    static const char *t[] = { "free money now", "lunch at noon", "win a free prize",
                               "meeting notes attached", "cheap pills online",
                               "see you at lunch" };
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL, *c = NULL, *cc = NULL;
    unsigned char *a = NULL, *b = NULL;
    size_t na, nb, i;
    const spamlr_path_point *pa, *pc;
    char path[600], dir[64];
    char *target = NULL, *text = NULL;
    size_t len;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    for (i = 0; i < 6; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, i % 2 ? SPAMLR_HAM : SPAMLR_SPAM, t[i],
                                            strlen(t[i]), NULL),
                         SPAMLR_OK);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_clone(&c, m), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_clone(&cc, c), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_model_path(cc, &pc, NULL), spamlr_model_path(m, &pa, NULL));
    ck_assert_ptr_ne(pa, pc);
    saved(m, &a, &na);
    saved(cc, &b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(a, b, na) == 0);
    /* the other buffers spamlr_free releases */
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.slr", dir);
    ck_assert_int_eq(spamlr_model_save(cc, path, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_path(&target, path, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_read_file(target, &text, &len, NULL), SPAMLR_OK);
    ck_assert_uint_eq(len, na);
    spamlr_free(target);
    spamlr_free(text);
    spamlr_free(a);
    spamlr_free(b);
    spamlr_model_free(m);
    spamlr_model_free(c);
    spamlr_model_free(cc);
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

static Suite *clone_suite(void)
{
    Suite *s = suite_create("clone");
    TCase *tc = tcase_create("clone");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, clone_is_deep);
    tcase_add_test(tc, clone_trained);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(clone_suite)
