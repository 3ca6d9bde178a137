/* testutil.h - shared helpers for the Check suites. */
#ifndef SPAMLR_TESTUTIL_H
#define SPAMLR_TESTUTIL_H

#define _DEFAULT_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spamlr.h"

#define SPAMLR_TEST_MAIN(make_suite)                        \
    int main(void)                                          \
    {                                                       \
        SRunner *sr = srunner_create(make_suite());         \
        int nf;                                             \
        srunner_run_all(sr, CK_ENV);                        \
        nf = srunner_ntests_failed(sr);                     \
        srunner_free(sr);                                   \
        return nf ? EXIT_FAILURE : EXIT_SUCCESS;            \
    }

/* A fresh temporary directory (static buffer per call site). */
static inline char *tu_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/spamlr-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
    return buf;
}

static inline void tu_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static inline void tu_rmrf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Path of a file in the source tree's data/ directory. */
static inline const char *tu_data(char *buf, size_t n, const char *name)
{
    const char *d = getenv("SPAMLR_TEST_DATA");
    snprintf(buf, n, "%s/%s", d ? d : "data", name);
    return buf;
}

#endif
