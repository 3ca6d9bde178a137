/* serve_conn.c - one connection of `spamlr serve`: read a spamd request
 * within the deadline, answer it with the shared model, log one line. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve.h"

/* Waits until fd is ready for ev or the deadline passes: 1, 0 (time out). */
static int wait_for(int fd, short ev, double deadline)
{
    struct pollfd p;
    double left;
    int r;

    for (;;) {
        left = deadline - cli_now();
        if (left <= 0)
            return 0;
        p.fd = fd;
        p.events = ev;
        r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return 1; /* let the read or write report it */
    }
}

enum { READ_EOF = 0, READ_TIMEOUT = -1, READ_ERROR = -2, READ_NOMEM = -3 };

/* Reads what is there (at most up to `limit` bytes in b) before the
 * deadline: the byte count, or a READ_* code. */
static long read_some(int fd, spamd_buf *b, size_t limit, double deadline)
{
    size_t room;
    ssize_t k;

    if (b->len >= limit)
        return READ_ERROR;
    if (spamd_buf_reserve(b, limit - b->len < 65536 ? limit - b->len : 65536))
        return READ_NOMEM;
    room = b->cap - b->len;
    if (room > limit - b->len)
        room = limit - b->len;
    for (;;) {
        if (!wait_for(fd, POLLIN, deadline))
            return READ_TIMEOUT;
        k = read(fd, b->p + b->len, room);
        if (k >= 0)
            break;
        if (errno != EINTR && errno != EAGAIN)
            return READ_ERROR;
    }
    b->len += (size_t)k;
    return (long)k;
}

static int send_reply(int fd, spamd_reply *r, double deadline)
{
    struct msghdr mh;
    struct iovec *v = r->part;
    int n = r->nparts;
    ssize_t k;

    while (n > 0) {
        if (!wait_for(fd, POLLOUT, deadline))
            return -1;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = v;
        mh.msg_iovlen = (size_t)n;
        k = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        while (n > 0 && (size_t)k >= v->iov_len) {
            k -= (ssize_t)v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + k;
            v->iov_len -= (size_t)k;
        }
    }
    return 0;
}

/* After answering: no more output, and what the client still sends is
 * read away for a moment, so that closing does not reset the connection
 * before the client has read the answer. */
static void finish(int fd, double deadline)
{
    char junk[4096];
    double until = cli_now() + 1.0;
    size_t total = 0;

    if (until > deadline)
        until = deadline;
    shutdown(fd, SHUT_WR);
    while (total < (1u << 20) && wait_for(fd, POLLIN, until)) {
        ssize_t k = read(fd, junk, sizeof junk);
        if (k <= 0)
            break;
        total += (size_t)k;
    }
}

void conn_refuse(const serve_server *srv, int fd, const char *peer, int code, const char *why)
{
    spamd_reply r;
    ssize_t k;

    spamd_reply_error(&r, code, why);
    k = send(fd, r.part[0].iov_base, r.part[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)k;
    serve_log(srv, "%s - user=- size=0 refused %s (%s)", peer, spamd_ex_name(code), why);
}

/* What happened to a request, for the log line. */
typedef struct outcome {
    int verb;
    int code;
    const char *why;
    size_t size;
    int has_verdict, spam;
    double prob, score;
    const char *tell;
} outcome;

/* Reads the head and the message into w->in; *msg, *len the message
 * (inflated into w->inflated when compressed). Returns SPAMD_EX_OK,
 * SPAMD_MORE for a connection closed before any byte, or an error code. */
static int read_request(serve_worker *w, int fd, double deadline, spamd_request *req,
                        const char **msg, size_t *len, outcome *o)
{
    const serve_cfg *cfg = w->srv->cfg;
    size_t limit, need;
    long k;
    int rc;

    w->in.len = 0;
    w->in.oom = 0;
    for (;;) {
        rc = spamd_parse_head(req, w->in.p ? w->in.p : "", w->in.len, &o->why);
        if (rc != SPAMD_MORE)
            break;
        k = read_some(fd, &w->in, SPAMD_HEAD_MAX + 65536, deadline);
        if (k == READ_EOF && w->in.len == 0)
            return SPAMD_MORE;
        if (k <= 0) {
            o->why = k == READ_TIMEOUT ? "timed out reading the request"
                   : k == READ_NOMEM ? "out of memory" : "incomplete request";
            return k == READ_TIMEOUT ? SPAMD_EX_TIMEOUT
                 : k == READ_NOMEM ? SPAMD_EX_OSERR : SPAMD_EX_PROTOCOL;
        }
    }
    if (rc)
        return rc;
    o->verb = req->verb;
    if (req->verb == SPAMD_PING || req->verb == SPAMD_SKIP)
        return SPAMD_EX_OK;
    if (req->length > (long long)cfg->max_size) {
        o->why = "message larger than --max-size";
        o->size = (size_t)req->length;
        return SPAMD_EX_DATAERR;
    }
    /* the message ends at Content-length, or else at the end of input */
    limit = req->head_len + (req->length >= 0 ? (size_t)req->length : cfg->max_size + 1);
    need = req->length >= 0 ? limit : (size_t)-1;
    while (w->in.len < need) {
        k = read_some(fd, &w->in, limit, deadline);
        if (k == READ_EOF && req->length < 0)
            break;
        if (k == READ_ERROR && w->in.len >= limit) { /* no Content-length, too long */
            o->why = "message larger than --max-size";
            return SPAMD_EX_DATAERR;
        }
        if (k <= 0) {
            o->why = k == READ_TIMEOUT ? "timed out reading the message"
                   : k == READ_NOMEM ? "out of memory"
                   : "message shorter than its Content-length";
            return k == READ_TIMEOUT ? SPAMD_EX_TIMEOUT
                 : k == READ_NOMEM ? SPAMD_EX_OSERR : SPAMD_EX_PROTOCOL;
        }
    }
    if (req->length >= 0 && w->in.len > limit)
        w->in.len = limit; /* bytes after the message are not read as it */
    *msg = w->in.p + req->head_len;
    *len = w->in.len - req->head_len;
    o->size = *len;
    if (req->zlib) {
        if ((rc = spamd_inflate(w->inflater, &w->inflated, *msg, *len, cfg->max_size,
                                &o->why)))
            return rc;
        *msg = w->inflated.p ? w->inflated.p : "";
        *len = w->inflated.len;
        o->size = *len;
    }
    return SPAMD_EX_OK;
}

/* Scans the message: fills the reply (pointing into the model's tokens,
 * hence the reference *sm the caller drops after sending). */
static int scan(serve_worker *w, const spamd_request *req, const char *msg, size_t len,
                served_model **sm, spamd_reply *r, outcome *o)
{
    spamd_verdict v;
    spamlr_explanation ex = SPAMLR_EXPLANATION_INIT;
    int err;

    if (!(*sm = served_get(w->srv, req->user, &err, &o->why)))
        return err;
    memset(&v, 0, sizeof v);
    v.threshold = (*sm)->threshold;
    if (req->verb == SPAMD_CHECK) {
        err = spamlr_predict((*sm)->m, w->scratch, msg, len, &v.prob, &v.logodds);
    } else {
        err = spamlr_explain((*sm)->m, w->scratch, msg, len, &ex, w->items,
                             w->srv->cfg->words);
        v.prob = ex.prob;
        v.logodds = ex.score;
        v.items = w->items;
        v.n = ex.n;
        v.total = ex.total;
    }
    if (err) {
        o->why = spamlr_strerror(err);
        return err == SPAMLR_ENOMEM ? SPAMD_EX_OSERR : SPAMD_EX_SOFTWARE;
    }
    o->has_verdict = 1;
    o->prob = v.prob;
    o->spam = v.prob >= v.threshold;
    o->score = spamd_score(v.logodds, v.threshold);
    if (spamd_reply_scan(r, &w->extra, req, &v, msg, len)) {
        o->why = "out of memory";
        return SPAMD_EX_OSERR;
    }
    return SPAMD_EX_OK;
}

void conn_serve(serve_worker *w, int fd, const struct sockaddr_storage *peer)
{
    const serve_cfg *cfg = w->srv->cfg;
    double t0 = cli_now(), deadline = t0 + (double)cfg->timeout;
    spamd_request req;
    spamd_reply r;
    served_model *sm = NULL;
    const char *msg = NULL;
    size_t len = 0;
    unsigned did_set = 0, did_remove = 0;
    outcome o;
    char name[80];
    int code;

    memset(&o, 0, sizeof o);
    o.verb = -1;
    o.why = "";
    code = read_request(w, fd, deadline, &req, &msg, &len, &o);
    if (code == SPAMD_MORE)
        return; /* connected and left: nothing to answer or log */
    if (code == SPAMD_EX_OK) {
        switch (req.verb) {
        case SPAMD_SKIP: break;
        case SPAMD_PING: spamd_reply_pong(&r); break;
        case SPAMD_TELL:
            if (!cfg->allow_tell) {
                code = SPAMD_EX_UNAVAILABLE;
                o.why = "TELL commands are not enabled, set the --allow-tell switch.";
                break;
            }
            code = cfg->store ? users_tell(w->srv, w->scratch, msg, len, &req, &did_set,
                                           &did_remove, &o.why)
                              : slot_tell(&w->srv->slot, w->scratch, msg, len, &req, &did_set,
                                          &did_remove, &o.why);
            if (code == SPAMD_EX_OK)
                spamd_reply_tell(&r, did_set, did_remove);
            o.tell = did_set && did_remove ? "relearned" : did_set ? "learned"
                   : did_remove ? "forgot" : "unchanged";
            break;
        default: code = scan(w, &req, msg, len, &sm, &r, &o); break;
        }
    }
    if (code != SPAMD_EX_OK)
        spamd_reply_error(&r, code, o.why);
    if (!(code == SPAMD_EX_OK && req.verb == SPAMD_SKIP) && send_reply(fd, &r, deadline) &&
        code == SPAMD_EX_OK) {
        code = SPAMD_EX_IOERR;
        o.why = "could not send the reply";
    }
    if (sm)
        served_put(w->srv, sm);
    finish(fd, deadline);
    net_peer_name(peer, name, sizeof name);
    if (o.has_verdict)
        serve_log(w->srv, "%s %s user=%s size=%zu %s score=%.1f/%.1f p=%.4f %.2fms %s", name,
                  spamd_verb_name(o.verb), req.user[0] ? req.user : "-", o.size,
                  o.spam ? "spam" : "ham", o.score, SPAMD_REQUIRED, o.prob,
                  (cli_now() - t0) * 1e3, spamd_ex_name(code));
    else
        serve_log(w->srv, "%s %s user=%s size=%zu %s %.2fms %s%s%s%s", name,
                  spamd_verb_name(o.verb), req.user[0] ? req.user : "-", o.size, o.tell ? o.tell : "-", (cli_now() - t0) * 1e3, spamd_ex_name(code),
                  *o.why ? " (" : "", o.why, *o.why ? ")" : "");
}
