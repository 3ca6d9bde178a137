/* bench.h - what the benchmark programs share (each is one .c file that
 * includes this): their clocks, the comparison their medians sort with,
 * and the directory an index's relative paths start from. Needs
 * _POSIX_C_SOURCE 200809L before the first include. */
#ifndef SPAMLR_BENCH_H
#define SPAMLR_BENCH_H

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Seconds on `clock` (CLOCK_MONOTONIC: wall; CLOCK_PROCESS_CPUTIME_ID:
 * this process's CPU). */
static inline double bench_seconds(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* qsort's comparison of doubles, ascending (medians). */
static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The directory of the index file `index`, with its '/', in dir[size]
 * ("" when the index is in the working directory): an index's paths are
 * relative to it. */
static inline void bench_index_dir(const char *index, char *dir, size_t size)
{
    char *slash;

    snprintf(dir, size, "%s", index);
    slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
}

#endif
