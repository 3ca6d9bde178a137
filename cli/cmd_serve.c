/* cmd_serve.c - spamlr serve: a spamd-compatible daemon (SpamAssassin's
 * spamc and what is built on it talk to it unchanged). Options, signals,
 * the accept loop and the worker threads; one connection is answered in
 * serve_conn.c, the protocol is spamd.c, the shared model serve_model.c. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

#define SERVE_PORT_ROOT "127.0.0.1:783"
#define SERVE_PORT_USER "127.0.0.1:7830"
#define MAX_WORDS 64
#define MAX_LISTEN 16

enum {
    OPT_HELP = 1, OPT_MODEL, OPT_LISTEN, OPT_ALLOW, OPT_MAX_SIZE, OPT_THREADS, OPT_TIMEOUT,
    OPT_MAX_CONN, OPT_ALLOW_TELL, OPT_LOG, OPT_WORDS, OPT_SOCKET_MODE, OPT_SERVE_STORE
};

static const cli_opt serve_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "listen", 'l', 1, OPT_LISTEN },
    { "allow", 0, 1, OPT_ALLOW },
    { "max-size", 0, 1, OPT_MAX_SIZE },
    { "threads", 't', 1, OPT_THREADS },
    { "timeout", 0, 1, OPT_TIMEOUT },
    { "max-conn", 0, 1, OPT_MAX_CONN },
    { "allow-tell", 0, 0, OPT_ALLOW_TELL },
    { "log", 0, 1, OPT_LOG },
    { "words", 0, 1, OPT_WORDS },
    { "socket-mode", 0, 1, OPT_SOCKET_MODE },
    { "store", 0, 1, OPT_SERVE_STORE },
    CONTACTS_OPTION,
    { NULL, 0, 0, 0 }
};

static void serve_help(void)
{
    printf("usage: spamlr serve -m MODEL|--store DIR [--listen ADDR:PORT|unix:PATH]...\n"
           "                    [--allow CIDR]...\n"
           "                    [--threads N] [--max-size BYTES] [--timeout S]\n"
           "                    [--max-conn N]\n"
           "                    [--allow-tell] [--log stderr|syslog] [--words N]\n"
           "                    [--socket-mode OCTAL]\n\n"
           "A daemon that speaks SpamAssassin's spamd protocol, so that spamc (and\n"
           "Postfix, Exim, procmail, ... through it) classify with MODEL unchanged:\n"
           "  spamc -c       CHECK: 'score/5.0', exit 1 for spam, 0 for ham\n"
           "  spamc          PROCESS: the mail back, byte for byte, with X-Spam-Flag,\n"
           "                 -Level, -Status, -Probability, -Words and -Checker-Version\n"
           "                 added at the end of its header (-E: exit 1 for spam)\n"
           "  spamc -y / -R  SYMBOLS / REPORT: the tokens that moved the score most\n"
           "  spamc -L spam|ham|forget   TELL: learn the mail (needs --allow-tell)\n"
           "The score is on spamd's scale: 5.0 + log-odds - logit(T), T the model's\n"
           "threshold, so 'spam' is score >= 5.0 exactly when probability >= T, and\n"
           "one point is one unit of log-odds. TELL updates MODEL as 'spamlr learn'\n"
           "does (MODEL.lock, atomic replace). MODEL is read again on SIGHUP and when\n"
           "the file changes (checked every second); requests in flight finish on\n"
           "the model they started with. SIGTERM (or SIGINT) stops accepting, lets\n"
           "the requests in hand finish and exits 0; a second one exits at once (1).\n\n"
           "options:\n"
           "  -m, --model MODEL    model file (this or --store is required)\n"
           "  --store DIR          a per-user store (see spamlr learn --store): a\n"
           "                       request's 'User: NAME' (spamc -u NAME) is answered\n"
           "                       with NAME's model, DIR/base.slr plus the delta\n"
           "                       DIR/users/NAME.slr (read again when it changes),\n"
           "                       a user without one (or no User:) with the base;\n"
           "                       TELL needs User: and teaches that user's model;\n"
           "                       a name that is no user name: 67 EX_NOUSER\n"
           "  -l, --listen WHERE   ADDR:PORT, [ADDR6]:PORT, *:PORT (all addresses),\n"
           "                       PORT (127.0.0.1) or unix:PATH; may be repeated\n"
           "                       (default %s as root, else %s)\n"
           "  --allow CIDR         TCP clients allowed, e.g. 10.0.0.0/8; may be repeated\n"
           "                       (default 127.0.0.0/8 and ::1; Unix sockets: any)\n"
           "  -t, --threads N      worker threads (default: the number of CPUs)\n"
           "  --max-size BYTES     largest message, also inflated (default 524288)\n"
           "  --timeout S          seconds a client has to send its request (default 30)\n"
           "  --max-conn N         connections at once, queued or in work; more are\n"
           "                       answered EX_TEMPFAIL (default 256)\n"
           "  --allow-tell         accept TELL (spamc -L); refused otherwise\n"
           "                       (EX_UNAVAILABLE)\n"
           "  --log WHERE          stderr (default) or syslog (facility mail): one line\n"
           "                       per request (peer, command, user, size, verdict,\n"
           "                       score, time, result), never message content\n"
           "  --words N            tokens listed by SYMBOLS, REPORT and the headers,\n"
           "                       0..%d (default 10)\n"
           "  --socket-mode OCTAL  mode of unix:PATH sockets, e.g. 660 (default: umask)\n"
           CONTACTS_HELP
           "  -h, --help           show this help\n\n"
           "Errors answer with spamd's codes: 76 EX_PROTOCOL (malformed request),\n"
           "65 EX_DATAERR (larger than --max-size, bad zlib data), 79 EX_TIMEOUT,\n"
           "69 EX_UNAVAILABLE (TELL refused), 77 EX_NOPERM (not in --allow), 75\n"
           "EX_TEMPFAIL (--max-conn reached), 67 EX_NOUSER (--store: no user name).\n"
           "Exit status: 0 after SIGTERM, 1 error (model, sockets), 2 usage error.\n",
           SERVE_PORT_ROOT, SERVE_PORT_USER, MAX_WORDS);
}

static int take(cli_args *a, void *c, int id, const char *v)
{
    serve_cfg *cfg = c;

    switch (id) {
    case OPT_HELP: cfg->help = 1; return 0;
    case OPT_MODEL: cfg->model = v; return 0;
    case OPT_SERVE_STORE: cfg->store = v; return 0;
    case OPT_CONTACTS: cli_contacts = v; return 0;
    case OPT_LISTEN:
        if (cfg->nlisten == MAX_LISTEN)
            return usage_error(a->cmd, "at most %d --listen", MAX_LISTEN);
        cfg->listen[cfg->nlisten++] = v;
        return 0;
    case OPT_ALLOW: {
        serve_cidr *p = realloc(cfg->allow, (cfg->nallow + 1) * sizeof *p);
        if (!p)
            return report_failure(SPAMLR_ENOMEM, NULL, NULL);
        cfg->allow = p;
        if (net_parse_cidr(v, &p[cfg->nallow]))
            return usage_error(a->cmd, "--allow %s: expected ADDR or ADDR/BITS", v);
        cfg->nallow++;
        return 0;
    }
    case OPT_MAX_SIZE: return args_uint(a, v, 1, 1ul << 30, &cfg->max_size) ? EXIT_USAGE : 0;
    case OPT_THREADS: return args_uint(a, v, 1, 1024, &cfg->threads) ? EXIT_USAGE : 0;
    case OPT_TIMEOUT: return args_uint(a, v, 1, 86400, &cfg->timeout) ? EXIT_USAGE : 0;
    case OPT_MAX_CONN: return args_uint(a, v, 1, 65536, &cfg->max_conn) ? EXIT_USAGE : 0;
    case OPT_WORDS: return args_uint(a, v, 0, MAX_WORDS, &cfg->words) ? EXIT_USAGE : 0;
    case OPT_ALLOW_TELL: cfg->allow_tell = 1; return 0;
    case OPT_SOCKET_MODE: {
        char *end;
        long m = strtol(v, &end, 8);
        if (!*v || *end || m < 0 || m > 0777)
            return usage_error(a->cmd, "--socket-mode %s: expected an octal mode, 0..777", v);
        cfg->socket_mode = m;
        return 0;
    }
    case OPT_LOG: {
        static const char *const where[] = { "stderr", "syslog", NULL };
        int k = args_choice(a, v, where);
        if (k < 0)
            return EXIT_USAGE;
        cfg->syslog = k == 1;
        return 0;
    }
    default:
        return usage_error(a->cmd, "unexpected argument '%s'", v);
    }
}

/* ------------------------------------------------------------ signals */

static volatile sig_atomic_t got_term, got_hup;
static int wake_fd[2] = { -1, -1 };

static void on_signal(int sig)
{
    int saved = errno;
    char c = 0;
    ssize_t k;

    if (sig == SIGHUP) {
        got_hup = 1;
    } else {
        if (got_term)
            _exit(EXIT_RUNTIME); /* the second one: at once */
        got_term = 1;
    }
    k = write(wake_fd[1], &c, 1);
    (void)k;
    errno = saved;
}

static int setup_signals(void)
{
    struct sigaction sa;

    if (pipe(wake_fd) != 0)
        return -1;
    fcntl(wake_fd[0], F_SETFL, O_NONBLOCK);
    fcntl(wake_fd[1], F_SETFL, O_NONBLOCK);
    fcntl(wake_fd[0], F_SETFD, FD_CLOEXEC);
    fcntl(wake_fd[1], F_SETFD, FD_CLOEXEC);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return 0;
}

/* --------------------------------------------------- connection queue */

typedef struct pending {
    int fd;
    struct sockaddr_storage peer;
} pending;

typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pending *q;
    size_t cap, head, n;
    size_t active; /* queued + being answered */
    int closing;
} queue;

static queue Q;

/* Takes the next connection; 0, or -1 when closing and none is left. */
static int queue_pop(pending *out)
{
    pthread_mutex_lock(&Q.mu);
    while (Q.n == 0 && !Q.closing)
        pthread_cond_wait(&Q.cv, &Q.mu);
    if (Q.n == 0) {
        pthread_mutex_unlock(&Q.mu);
        return -1;
    }
    *out = Q.q[Q.head];
    Q.head = (Q.head + 1) % Q.cap;
    Q.n--;
    pthread_mutex_unlock(&Q.mu);
    return 0;
}

/* Queues a connection: 0, or -1 when --max-conn are already in hand. */
static int queue_push(int fd, const struct sockaddr_storage *peer)
{
    int rc = -1;

    pthread_mutex_lock(&Q.mu);
    if (Q.active < Q.cap) {
        Q.q[(Q.head + Q.n) % Q.cap].fd = fd;
        Q.q[(Q.head + Q.n) % Q.cap].peer = *peer;
        Q.n++;
        Q.active++;
        pthread_cond_signal(&Q.cv);
        rc = 0;
    }
    pthread_mutex_unlock(&Q.mu);
    return rc;
}

static void *worker_main(void *arg)
{
    serve_worker *w = arg;
    pending p;

    while (queue_pop(&p) == 0) {
        conn_serve(w, p.fd, &p.peer);
        close(p.fd);
        pthread_mutex_lock(&Q.mu);
        Q.active--;
        pthread_mutex_unlock(&Q.mu);
    }
    return NULL;
}

static int worker_init(serve_worker *w, serve_server *srv)
{
    memset(w, 0, sizeof *w);
    w->srv = srv;
    if (spamlr_scratch_create(&w->scratch) || spamd_inflater_new(&w->inflater) ||
        !(w->items = calloc(srv->cfg->words + 1, sizeof *w->items)))
        return -1;
    return 0;
}

static void worker_fini(serve_worker *w)
{
    spamlr_scratch_free(w->scratch);
    spamd_inflater_free(w->inflater);
    spamd_buf_free(&w->in);
    spamd_buf_free(&w->inflated);
    spamd_buf_free(&w->extra);
    free(w->items);
}

/* ------------------------------------------------------------ the loop */

/* Accepts what is waiting on listener fd. */
static void accept_all(serve_server *srv, int lfd)
{
    const serve_cfg *cfg = srv->cfg;
    struct sockaddr_storage peer;
    socklen_t plen;
    char name[80];
    int fd;

    for (;;) {
        plen = sizeof peer;
        memset(&peer, 0, sizeof peer);
        fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or a connection that went away */
        if (plen == 0 || peer.ss_family == AF_UNSPEC)
            peer.ss_family = AF_UNIX;
        if (!net_allowed(cfg->allow, cfg->nallow, &peer)) {
            net_peer_name(&peer, name, sizeof name);
            conn_refuse(srv, fd, name, SPAMD_EX_NOPERM, "client not in --allow");
            close(fd);
        } else if (queue_push(fd, &peer)) {
            net_peer_name(&peer, name, sizeof name);
            conn_refuse(srv, fd, name, SPAMD_EX_TEMPFAIL, "too many connections (--max-conn)");
            close(fd);
        }
    }
}

static void main_loop(serve_server *srv, const int *lfd, size_t nl)
{
    struct pollfd p[MAX_LISTEN + 1];
    time_t last = time(NULL);
    size_t i;
    char junk[64];

    while (!got_term) {
        for (i = 0; i < nl; i++) {
            p[i].fd = lfd[i];
            p[i].events = POLLIN;
        }
        p[nl].fd = wake_fd[0];
        p[nl].events = POLLIN;
        if (poll(p, nl + 1, 1000) < 0 && errno != EINTR)
            break;
        while (read(wake_fd[0], junk, sizeof junk) > 0)
            ;
        if (got_term)
            break;
        if (got_hup) {
            got_hup = 0;
            if (slot_reload(&srv->slot, 1) > 0)
                serve_log(srv, "reloaded %s (SIGHUP)", srv->cfg->model);
        }
        if (time(NULL) != last) {
            last = time(NULL);
            if (slot_reload(&srv->slot, 0) > 0)
                serve_log(srv, "reloaded %s (file changed)", srv->cfg->model);
        }
        for (i = 0; i < nl; i++)
            if (p[i].revents & POLLIN)
                accept_all(srv, lfd[i]);
    }
}

static int run(serve_cfg *cfg)
{
    serve_server srv;
    serve_worker *w = NULL;
    int lfd[MAX_LISTEN];
    size_t nl = 0, nw = 0, i;
    int rc = EXIT_RUNTIME;

    memset(&srv, 0, sizeof srv);
    srv.cfg = cfg;
    pthread_mutex_init(&Q.mu, NULL);
    pthread_cond_init(&Q.cv, NULL);
    Q.cap = cfg->max_conn;
    if (!(Q.q = calloc(Q.cap, sizeof *Q.q)) || setup_signals()) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out_q;
    }
    users_init(&srv.users, cfg->store);
    if ((rc = slot_init(&srv.slot, cfg->model)))
        goto out_slot;
    rc = EXIT_RUNTIME;
    for (nl = 0; nl < cfg->nlisten; nl++)
        if ((lfd[nl] = net_listen(cfg->listen[nl], cfg->socket_mode)) < 0)
            goto out_listen;
    if (!(w = calloc(cfg->threads, sizeof *w)))
        goto out_listen;
    if (cfg->syslog)
        openlog("spamlr", LOG_PID, LOG_MAIL);
    for (nw = 0; nw < cfg->threads; nw++) {
        if (worker_init(&w[nw], &srv) || pthread_create(&w[nw].thread, NULL, worker_main,
                                                        &w[nw])) {
            worker_fini(&w[nw]);
            runtime_error("cannot start worker threads");
            got_term = 1;
            break;
        }
    }
    if (!got_term) {
        size_t active;

        serve_log(&srv, "serving %s on %zu socket%s (%s%s), %lu thread%s", cfg->model, nl,
                  nl == 1 ? "" : "s", cfg->listen[0], nl > 1 ? ", ..." : "", cfg->threads,
                  cfg->threads == 1 ? "" : "s");
        main_loop(&srv, lfd, nl);
        pthread_mutex_lock(&Q.mu);
        active = Q.active;
        pthread_mutex_unlock(&Q.mu);
        serve_log(&srv, "stopping: finishing %zu connection%s", active, active == 1 ? "" : "s");
        rc = EXIT_OK;
    }
    for (i = 0; i < nl; i++) {
        close(lfd[i]);
        lfd[i] = -1;
    }
    pthread_mutex_lock(&Q.mu);
    Q.closing = 1;
    pthread_cond_broadcast(&Q.cv);
    pthread_mutex_unlock(&Q.mu);
    for (i = 0; i < nw; i++) {
        pthread_join(w[i].thread, NULL);
        worker_fini(&w[i]);
    }
    if (rc == EXIT_OK)
        serve_log(&srv, "stopped");
out_listen:
    while (nl-- > 0) {
        if (strncmp(cfg->listen[nl], "unix:", 5) == 0)
            unlink(cfg->listen[nl] + 5);
        if (lfd[nl] >= 0)
            close(lfd[nl]);
    }
    free(w);
out_slot:
    users_fini(&srv.users);
    slot_fini(&srv.slot);
out_q:
    free(Q.q);
    pthread_cond_destroy(&Q.cv);
    pthread_mutex_destroy(&Q.mu);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    static char store_base[4096];
    serve_cfg cfg;
    const char *listen[MAX_LISTEN];
    cli_args a;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.listen = listen;
    cfg.max_size = 512 * 1024;
    cfg.threads = ncpu > 0 ? (unsigned long)ncpu : 2;
    cfg.timeout = 30;
    cfg.max_conn = 256;
    cfg.words = 10;
    cfg.socket_mode = -1;
    rc = args_parse(&a, argc, argv, serve_opts, take, &cfg);
    if (rc == 0 && cfg.help) {
        serve_help();
        rc = finish_output(EXIT_OK);
    } else if (rc == 0 && cfg.store && cfg.model) {
        rc = usage_error(a.cmd, "give either -m MODEL or --store DIR, not both");
    } else if (rc == 0 && cfg.store && (!*cfg.store || cli_contacts)) {
        rc = usage_error(a.cmd, *cfg.store ? "--contacts is for -m MODEL; a store's users "
                                             "learn with the lists their models keep"
                                           : "option '--store': the directory name is empty");
    } else if (rc == 0 && cfg.store &&
               (snprintf(store_base, sizeof store_base, "%s/base.slr", cfg.store) >=
                (int)sizeof store_base)) {
        rc = usage_error(a.cmd, "--store: the directory name is too long");
    } else if (rc == 0 && !cfg.model && !cfg.store) {
        rc = usage_error(a.cmd, "no model given (-m MODEL or --store DIR)");
    } else if (rc == 0) {
        if (cfg.store)
            cfg.model = store_base; /* the slot serves the base */
        if (cfg.nlisten == 0)
            listen[cfg.nlisten++] = geteuid() == 0 ? SERVE_PORT_ROOT : SERVE_PORT_USER;
        if (cfg.nallow == 0) { /* loopback only */
            if (!(cfg.allow = calloc(2, sizeof *cfg.allow)))
                return report_failure(SPAMLR_ENOMEM, NULL, NULL);
            net_parse_cidr("127.0.0.0/8", &cfg.allow[0]);
            net_parse_cidr("::1", &cfg.allow[1]);
            cfg.nallow = 2;
        }
        rc = run(&cfg);
    }
    free(cfg.allow);
    return rc;
}
