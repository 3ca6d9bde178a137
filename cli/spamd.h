/* spamd.h - SpamAssassin's spamc/spamd protocol (versions 1.0 to 1.5) as
 * `spamlr serve` speaks it: a request head parsed from bytes, a
 * compressed body inflated, replies laid out as a few byte ranges for
 * writev (the message itself is never copied). No sockets and no model
 * here: cmd_serve.c does the I/O and brings the verdict.
 *
 * Request:  VERB SPAMC/1.5\r\n (Header: value\r\n)* \r\n message
 * Reply:    SPAMD/1.1 0 EX_OK\r\n Content-length: N\r\n
 *           Spam: True ; 7.3 / 5.0\r\n \r\n body
 * Errors:   SPAMD/1.0 76 why\r\n, then the connection is closed. */
#ifndef SPAMLR_CLI_SPAMD_H
#define SPAMLR_CLI_SPAMD_H

#include <stddef.h>
#include <sys/uio.h>

#include "spamlr.h"

enum spamd_verb {
    SPAMD_CHECK, SPAMD_SYMBOLS, SPAMD_REPORT, SPAMD_REPORT_IFSPAM, SPAMD_PROCESS,
    SPAMD_HEADERS, SPAMD_PING, SPAMD_SKIP, SPAMD_TELL
};

/* The sysexits.h codes spamd answers with. */
enum {
    SPAMD_EX_OK = 0,
    SPAMD_EX_USAGE = 64,       /* TELL without anything to do */
    SPAMD_EX_DATAERR = 65,     /* message over --max-size, bad zlib data */
    SPAMD_EX_NOUSER = 67,      /* --store: a User: that is no user name */
    SPAMD_EX_UNAVAILABLE = 69, /* TELL without --allow-tell */
    SPAMD_EX_SOFTWARE = 70,    /* the model failed (learning refused, ...) */
    SPAMD_EX_OSERR = 71,       /* out of memory */
    SPAMD_EX_IOERR = 74,
    SPAMD_EX_TEMPFAIL = 75,    /* --max-conn reached, shutting down */
    SPAMD_EX_PROTOCOL = 76,    /* malformed request */
    SPAMD_EX_NOPERM = 77,      /* peer not in --allow */
    SPAMD_EX_TIMEOUT = 79      /* no complete request within --timeout */
};

#define SPAMD_HEAD_MAX 16384 /* bytes of request line and header fields */
#define SPAMD_FIELDS_MAX 64  /* header fields in one request */
#define SPAMD_MORE (-1)      /* spamd_parse_head: the head is not complete */
#define SPAMD_REQUIRED 5.0   /* spamd's threshold, which the score is scaled to */

/* Set: and Remove: name databases; spamlr's model is "local". */
enum { SPAMD_DB_LOCAL = 1, SPAMD_DB_REMOTE = 2 };

typedef struct spamd_request {
    int verb;              /* enum spamd_verb */
    int major, minor;      /* SPAMC/major.minor */
    long long length;      /* Content-length, -1 when absent */
    int zlib;              /* Compress: zlib */
    int msg_class;         /* Message-class: SPAMLR_SPAM, SPAMLR_HAM, or -1 */
    unsigned set, remove;  /* Set: and Remove: as SPAMD_DB_* bits */
    char user[65];         /* User: ([-+=.@_A-Za-z0-9], at most 64), or "" */
    size_t head_len;       /* bytes before the message */
} spamd_request;

/* Parses the request head at buf[0..len). Returns 0 with *req filled in,
 * SPAMD_MORE when more bytes are needed (never once len >= SPAMD_HEAD_MAX),
 * or a SPAMD_EX_* code with *why (a static string) saying what was wrong.
 * SPAMC/1.0 requests have no header fields: the message follows the
 * request line. Unknown header fields are ignored, as the protocol asks. */
int spamd_parse_head(spamd_request *req, const char *buf, size_t len, const char **why);

const char *spamd_verb_name(int verb);
const char *spamd_ex_name(int code); /* "EX_OK", "EX_PROTOCOL", ... */

/* A growable byte buffer; oom is set (and further output dropped) when it
 * cannot grow. Zero-initialised = empty. */
typedef struct spamd_buf {
    char *p;
    size_t len, cap;
    int oom;
} spamd_buf;

/* Makes room for n more bytes; 0, or -1 (oom set). */
int spamd_buf_reserve(spamd_buf *b, size_t n);
void spamd_buf_free(spamd_buf *b);

/* zlib inflation with its state kept between requests (one per thread). */
typedef struct spamd_inflater spamd_inflater;
int spamd_inflater_new(spamd_inflater **out); /* 0 or -1 (out of memory) */
void spamd_inflater_free(spamd_inflater *z);

/* Inflates the zlib stream in[0..n) into out (emptied first). Returns 0,
 * or SPAMD_EX_DATAERR with *why when the data are not a whole zlib stream
 * or inflate to more than max bytes (a zlib bomb stops there), or
 * SPAMD_EX_OSERR. */
int spamd_inflate(spamd_inflater *z, spamd_buf *out, const char *in, size_t n, size_t max,
                  const char **why);

/* What the model said about a message. */
typedef struct spamd_verdict {
    double prob;      /* spam probability */
    double logodds;   /* w.x + b */
    double threshold; /* the model's: spam when prob >= threshold */
    const spamlr_contribution *items; /* the largest contributions first */
    size_t n;         /* ... how many */
    size_t total;     /* distinct known tokens of the message */
} spamd_verdict;

/* The score on spamd's scale: SPAMD_REQUIRED + logodds - logit(threshold)
 * (the threshold clamped to [1e-9, 1 - 1e-9]), so that score >= 5.0 exactly
 * when prob >= threshold, and one point is one unit of log-odds. */
double spamd_score(double logodds, double threshold);

/* A reply: the status line and header fields in head, then the body as
 * up to four ranges (pointing into head, the message or the buffer given
 * to the builder), ready for writev: part[0..nparts). */
typedef struct spamd_reply {
    char head[256];
    struct iovec part[5];
    int nparts;
    size_t body_len;
} spamd_reply;

/* The reply to req (CHECK, SYMBOLS, REPORT, REPORT_IFSPAM, PROCESS or
 * HEADERS) for msg[0..len) with verdict v, laid out as spamd does for the
 * client's protocol version. Generated text goes into extra (emptied
 * first; it must outlive the reply, as must msg). Returns 0, or -1 when
 * extra could not grow (reply then unusable). */
int spamd_reply_scan(spamd_reply *r, spamd_buf *extra, const spamd_request *req,
                     const spamd_verdict *v, const char *msg, size_t len);
void spamd_reply_error(spamd_reply *r, int code, const char *why);
void spamd_reply_pong(spamd_reply *r);
/* TELL done: DidSet / DidRemove name the databases changed (SPAMD_DB_*). */
void spamd_reply_tell(spamd_reply *r, unsigned did_set, unsigned did_remove);

#endif /* SPAMLR_CLI_SPAMD_H */
