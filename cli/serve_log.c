/* serve_log.c - the daemon's log: one line per event, to syslog or to
 * standard error with a UTC time stamp (used by the connections and by
 * the model store alike). */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "serve.h"

void serve_log(const serve_server *srv, const char *fmt, ...)
{
    char line[1024], stamp[32];
    struct tm tm;
    time_t t;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (srv->cfg->syslog) {
        syslog(LOG_INFO, "%s", line);
        return;
    }
    t = time(NULL);
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s spamlr serve: %s\n", stamp, line); /* one call: one line */
}
