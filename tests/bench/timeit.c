/* timeit.c - runs a command N times and prints the median wall-clock
 * time and the median CPU time (user + system, of the command and its
 * children) in seconds:
 *
 *   timeit N COMMAND [ARG...]                    ->  "WALL CPU"
 *   timeit N COMMAND [ARG...] --vs OTHER [ARG...] ->  "WALL CPU WALL2 CPU2 RATIO"
 *
 * The command's standard output and error go to /dev/null. CPU time is
 * printed too because on a shared machine wall time mostly measures the
 * other processes. With TIMEIT_BEFORE set, that shell command runs before
 * each run, untimed (the cold-cache runs drop the corpus from the page
 * cache with it). Exits 1 when a run fails.
 *
 * With --vs the two commands run in turn, N times each (COMMAND first in
 * the first pair, OTHER in the next, and so on); TIMEIT_BEFORE runs
 * before COMMAND and TIMEIT_BEFORE_VS (or, when unset, TIMEIT_BEFORE)
 * before OTHER. RATIO is the median over the N
 * pairs of COMMAND's wall time over OTHER's: how many times faster OTHER
 * is. A pair's two runs are seconds apart, so a stretch in which the
 * machine runs slower (a virtual machine's neighbours) slows both of a
 * pair and moves its ratio little, where two medians taken one after the
 * other would each meet it at another time. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* Runs argv (after the shell command `before`, untimed) and stores its wall
 * and CPU seconds. 0, or 1 when it or `before` failed. */
static int run_once(char **argv, const char *before, double *wall, double *cpu)
{
    struct timespec t0, t1;
    struct rusage ru;
    int status;
    pid_t pid;

    if (before && *before && (status = system(before)) != 0) {
        if (status == -1)
            fprintf(stderr, "timeit: could not start the command run before each run (%s): %s\n",
                    strerror(errno), before);
        else
            fprintf(stderr, "timeit: the command run before each run %s %d: %s\n",
                    WIFEXITED(status) ? "exited with status" : "was killed by signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), before);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((pid = fork()) == 0) {
        int fd = open("/dev/null", O_WRONLY);

        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
        fprintf(stderr, "timeit: could not run %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* 127: the exec failed (or the command's own shell found no command) */
        fprintf(stderr, "timeit: %s%s%s %s %d (its output goes to /dev/null: run it alone to "
                "see why)\n", argv[0], argv[1] ? " " : "", argv[1] ? argv[1] : "",
                WIFEXITED(status) ? "exited with status" : "was killed by signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    *cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return 0;
}

/* The median of x[0..n) (sorts x). */
static double median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, bench_cmp_double);
    return x[n / 2];
}

int main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[1]) : 0, i, k;
    char **other = NULL;
    const char *before = getenv("TIMEIT_BEFORE"), *before_vs = getenv("TIMEIT_BEFORE_VS");
    double *t;

    for (k = 2; k < argc; k++)
        if (strcmp(argv[k], "--vs") == 0) {
            argv[k] = NULL;     /* ends COMMAND's arguments */
            other = argv + k + 1;
            break;
        }
    if (n < 1 || argv[2] == NULL || (other && *other == NULL)) {
        fprintf(stderr, "usage: timeit N COMMAND [ARG...] [--vs OTHER [ARG...]]\n");
        return 2;
    }
    if (!before_vs)
        before_vs = before;
    /* wall, cpu, other's wall, other's cpu, ratio: n each */
    if (!(t = malloc(5 * (size_t)n * sizeof *t)))
        return 1;
    for (i = 0; i < n; i++) {
        /* every other pair OTHER first, so that neither always runs on
         * what the one before left (caches, the machine's pace) */
        int swap = other && (i & 1);

        if (swap && run_once(other, before_vs, &t[2 * n + i], &t[3 * n + i]))
            return 1;
        if (run_once(argv + 2, before, &t[i], &t[n + i]))
            return 1;
        if (other && !swap && run_once(other, before_vs, &t[2 * n + i], &t[3 * n + i]))
            return 1;
        if (other)
            t[4 * n + i] = t[2 * n + i] > 0 ? t[i] / t[2 * n + i] : 0;
    }
    if (!other) {
        printf("%.4f %.4f\n", median(t, n), median(t + n, n));
        return 0;
    }
    printf("%.4f %.4f %.4f %.4f %.2f\n", median(t, n), median(t + n, n), median(t + 2 * n, n),
           median(t + 3 * n, n), median(t + 4 * n, n));
    return 0;
}
