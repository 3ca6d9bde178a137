/* bench_serve.c - a spamd-protocol load generator for `spamlr serve` (or
 * SpamAssassin's spamd): CLIENTS threads, each with one connection per
 * request as spamc makes them, send CHECK requests for the messages of
 * INDEX in turn until REQUESTS are done; prints messages/s and the
 * latency of a request (connect to last byte of the answer), median and
 * p99, and how many failed.
 *
 *   bench_serve PORT INDEX CLIENTS REQUESTS
 *
 * INDEX holds lines "spam PATH" / "ham PATH" (paths relative to INDEX);
 * the messages are read into memory first. Prints; exit 1 only when it
 * cannot run. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

typedef struct msg {
    char *data;
    size_t len;
} msg;

static msg *msgs;
static size_t nmsgs;
static int port;
static size_t requests;
static size_t next_req;
static size_t failed;
static double *lat;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int read_index(const char *index)
{
    FILE *f = fopen(index, "r");
    char line[4096], path[8192], dir[4096];
    const char *slash = strrchr(index, '/');
    size_t cap = 0;

    if (!f)
        return -1;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - index) : 1, slash ? index : ".");
    while (fgets(line, sizeof line, f)) {
        char *sp = strchr(line, ' '), *nl = strchr(line, '\n');
        FILE *m;
        long n;

        if (!sp)
            continue;
        if (nl)
            *nl = '\0';
        snprintf(path, sizeof path, "%s/%s", dir, sp + 1);
        if (!(m = fopen(path, "rb")))
            continue;
        fseek(m, 0, SEEK_END);
        n = ftell(m);
        fseek(m, 0, SEEK_SET);
        if (nmsgs == cap) {
            cap = cap ? 2 * cap : 1024;
            msgs = realloc(msgs, cap * sizeof *msgs);
        }
        msgs[nmsgs].data = malloc(n > 0 ? (size_t)n : 1);
        msgs[nmsgs].len = n > 0 ? fread(msgs[nmsgs].data, 1, (size_t)n, m) : 0;
        nmsgs++;
        fclose(m);
    }
    fclose(f);
    return nmsgs ? 0 : -1;
}

/* One CHECK; 0, or -1 when it failed. */
static int one(const msg *m)
{
    struct sockaddr_in a;
    char head[128], buf[4096];
    size_t got = 0;
    ssize_t k;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, hn;

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    hn = snprintf(head, sizeof head, "CHECK SPAMC/1.5\r\nContent-length: %zu\r\n\r\n", m->len);
    if (send(fd, head, (size_t)hn, MSG_NOSIGNAL) != hn ||
        send(fd, m->data, m->len, MSG_NOSIGNAL) != (ssize_t)m->len) {
        close(fd);
        return -1;
    }
    shutdown(fd, SHUT_WR);
    while ((k = read(fd, buf + got, sizeof buf - 1 - got)) > 0 && got < sizeof buf - 1)
        got += (size_t)k;
    close(fd);
    buf[got] = '\0';
    return strncmp(buf, "SPAMD/1.1 0 EX_OK", 17) == 0 && strstr(buf, "Spam: ") ? 0 : -1;
}

static void *client(void *arg)
{
    size_t i;
    double t;

    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        i = next_req++;
        pthread_mutex_unlock(&mu);
        if (i >= requests)
            return NULL;
        t = bench_seconds(CLOCK_MONOTONIC);
        if (one(&msgs[i % nmsgs])) {
            pthread_mutex_lock(&mu);
            failed++;
            pthread_mutex_unlock(&mu);
        }
        lat[i] = bench_seconds(CLOCK_MONOTONIC) - t;
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    pthread_t *th;
    unsigned long clients, i;
    double t0, wall;

    if (argc != 5) {
        fprintf(stderr, "usage: bench_serve PORT INDEX CLIENTS REQUESTS\n");
        return 1;
    }
    port = atoi(argv[1]);
    clients = strtoul(argv[3], NULL, 10);
    requests = strtoul(argv[4], NULL, 10);
    if (read_index(argv[2]) || clients == 0 || requests == 0) {
        fprintf(stderr, "bench_serve: cannot read %s\n", argv[2]);
        return 1;
    }
    lat = calloc(requests, sizeof *lat);
    th = calloc(clients, sizeof *th);
    t0 = bench_seconds(CLOCK_MONOTONIC);
    for (i = 0; i < clients; i++)
        pthread_create(&th[i], NULL, client, NULL);
    for (i = 0; i < clients; i++)
        pthread_join(th[i], NULL);
    wall = bench_seconds(CLOCK_MONOTONIC) - t0;
    qsort(lat, requests, sizeof *lat, cmp);
    printf("%3lu clients: %6zu requests in %.2f s: %7.0f messages/s, latency median %.2f ms, "
           "p99 %.2f ms, %zu failed\n", clients, requests, wall, (double)requests / wall,
           lat[requests / 2] * 1e3, lat[requests * 99 / 100] * 1e3, failed);
    for (i = 0; i < nmsgs; i++)
        free(msgs[i].data);
    free(msgs);
    free(lat);
    free(th);
    return 0;
}
