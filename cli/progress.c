/* progress.c - one refreshed progress line on standard error, only when
 * it is a terminal and -q was not given: the library reports (through
 * spamlr_progress callbacks), this file draws. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* What standard error is told and how: -q, the command the messages
 * name (util.c prefixes them with it), and the clock the progress line
 * and train's report of its times read. */
int cli_quiet = 0;
const char *cli_command = NULL;

double cli_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct {
    int state;         /* 0 not decided, 1 on, -1 off */
    double t0;         /* when the current stage began */
    double last;       /* when the line was last drawn */
    double delay;      /* nothing is drawn before this many seconds */
    int shown;         /* a line is on the screen */
    unsigned stage;
} pg;

static int progress_on(void)
{
    if (pg.state == 0) {
        const char *e = getenv("SPAMLR_PROGRESS_DELAY");

        pg.state = !cli_quiet && isatty(STDERR_FILENO) ? 1 : -1;
        pg.delay = e && *e ? atof(e) : 0.3;
        pg.t0 = cli_now();
    }
    return pg.state > 0 && !cli_quiet;
}

static void draw_read(const spamlr_progress *p, double t, double el)
{
    double mb = (double)p->bytes / 1e6;

    fprintf(stderr, "\rspamlr %s: reading: %zu message%s, %.1f MB, %.1f MB/s",
            cli_command ? cli_command : "", p->done, p->done == 1 ? "" : "s", mb,
            el > 0 ? mb / el : 0.0);
    if (p->total) {
        fprintf(stderr, ", %zu of %zu files", p->files, p->total);
        if (p->files && p->files < p->total)
            fprintf(stderr, ", %.0f s left", el / (double)p->files * (double)(p->total - p->files));
    }
    (void)t;
}

int progress_report(void *ctx, const spamlr_progress *p)
{
    double t, el;

    (void)ctx;
    if (!progress_on())
        return 0;
    t = cli_now();
    if (p->stage != pg.stage) {
        /* reading goes on across files; the final solve's iterations
         * belong to its stage */
        if (!(pg.stage == SPAMLR_PROGRESS_READ && p->stage == SPAMLR_PROGRESS_READ) &&
            !(pg.stage == SPAMLR_PROGRESS_FINAL && p->stage == SPAMLR_PROGRESS_ITER))
            pg.t0 = t;
        pg.stage = p->stage;
    }
    el = t - pg.t0;
    /* at most ten lines a second, none for work that ends at once */
    if (el < pg.delay || (pg.shown && t - pg.last < 0.1 && p->stage == SPAMLR_PROGRESS_READ))
        return 0;
    pg.last = t;
    switch (p->stage) {
    case SPAMLR_PROGRESS_READ: draw_read(p, t, el); break;
    case SPAMLR_PROGRESS_PATH:
        fprintf(stderr, "\rspamlr %s: choosing C: %zu tried, C=%g (log loss %.4f), "
                "%.1f s each", cli_command ? cli_command : "", p->done, p->c, p->log_loss,
                p->done ? el / (double)p->done : 0.0);
        break;
    case SPAMLR_PROGRESS_FINAL:
        fprintf(stderr, "\rspamlr %s: training on every message with C=%g",
                cli_command ? cli_command : "", p->c);
        break;
    case SPAMLR_PROGRESS_ITER:
        fprintf(stderr, "\rspamlr %s: training on every message with C=%g: iteration %zu, "
                "gradient %.3g (goal %.3g)", cli_command ? cli_command : "", p->c, p->done,
                p->grad_norm, p->grad_goal);
        break;
    default: return 0;
    }
    fputs("\033[K", stderr); /* clear what a longer line left */
    fflush(stderr);
    pg.shown = 1;
    return 0;
}

void progress_end(void)
{
    if (pg.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pg.shown = 0;
    pg.stage = 0;
}
