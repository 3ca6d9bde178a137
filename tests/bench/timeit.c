/* timeit.c - runs a command N times and prints the median wall-clock
 * time and the median CPU time (user + system, of the command and its
 * children) in seconds:
 *
 *   timeit N COMMAND [ARG...]    ->  "WALL CPU"
 *
 * The command's standard output and error go to /dev/null. CPU time is
 * printed too because on a shared machine wall time mostly measures the
 * other processes. With TIMEIT_BEFORE set, that shell command runs before
 * each run, untimed (the cold-cache runs drop the corpus from the page
 * cache with it). Exits 1 when a run fails. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[1]) : 0, i;
    double *wall, *cpu;

    if (n < 1) {
        fprintf(stderr, "usage: timeit N COMMAND [ARG...]\n");
        return 2;
    }
    wall = malloc((size_t)n * sizeof *wall);
    cpu = malloc((size_t)n * sizeof *cpu);
    if (!wall || !cpu)
        return 1;
    for (i = 0; i < n; i++) {
        struct timespec t0, t1;
        struct rusage ru;
        int status;
        pid_t pid;
        const char *before = getenv("TIMEIT_BEFORE");

        if (before && *before && system(before) != 0) {
            fprintf(stderr, "timeit: %s failed\n", before);
            return 1;
        }

        clock_gettime(CLOCK_MONOTONIC, &t0);
        if ((pid = fork()) == 0) {
            int fd = open("/dev/null", O_WRONLY);

            dup2(fd, 1);
            dup2(fd, 2);
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status)
            || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "timeit: %s failed\n", argv[2]);
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        wall[i] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        cpu[i] = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec
                 + (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    }
    qsort(wall, (size_t)n, sizeof *wall, bench_cmp_double);
    qsort(cpu, (size_t)n, sizeof *cpu, bench_cmp_double);
    printf("%.4f %.4f\n", wall[n / 2], cpu[n / 2]);
    return 0;
}
