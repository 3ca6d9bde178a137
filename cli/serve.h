/* serve.h - the parts of `spamlr serve` (cmd_serve.c: options, signals,
 * threads; serve_conn.c: one connection; serve_net.c: sockets and --allow;
 * serve_model.c: the shared model, its reloads and TELL). Private to cli/. */
#ifndef SPAMLR_CLI_SERVE_H
#define SPAMLR_CLI_SERVE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common.h"
#include "spamd.h"

/* ------------------------------------------------------------ network */

typedef struct serve_cidr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned bits;
} serve_cidr;

/* "127.0.0.0/8", "::1", "10.1.2.3" (a host); 0, or -1 when malformed. */
int net_parse_cidr(const char *s, serve_cidr *out);

/* Whether the peer of a TCP connection is in list[0..n) (an IPv4-mapped
 * IPv6 address counts as IPv4). Unix-socket peers are always allowed. */
int net_allowed(const serve_cidr *list, size_t n, const struct sockaddr_storage *peer);

/* Opens a listening socket for "unix:PATH", "ADDR:PORT", "[ADDR6]:PORT"
 * or "PORT" (on 127.0.0.1), non-blocking, close-on-exec. A stale Unix
 * socket file at PATH is replaced; its mode is socket_mode when that is
 * not negative (else the umask's). Returns the descriptor, or -1 after
 * reporting the failure. */
int net_listen(const char *spec, long socket_mode);

/* "ADDR:PORT" of a TCP peer, "unix" for a Unix-socket one. */
void net_peer_name(const struct sockaddr_storage *peer, char *buf, size_t size);

/* -------------------------------------------------------------- model */

/* One loaded model, shared read-only by the requests that hold it. */
typedef struct served_model {
    spamlr_model *m;
    double threshold;
    unsigned refs;          /* the slot's own reference + requests' */
    int user;               /* a store user's (its references under the
                               user cache's lock), not the slot's */
} served_model;

/* The model being served: swapped whole on a reload or a TELL; a request
 * keeps the one it started with until it has answered. */
typedef struct model_slot {
    pthread_mutex_t mu;
    served_model *cur;
    const char *path;
    struct stat id;         /* the file cur was read from (or saved as) */
    unsigned long gen;      /* installs so far */
} model_slot;

/* Loads path; 0, or an exit code after reporting. */
int slot_init(model_slot *s, const char *path);
void slot_fini(model_slot *s);
served_model *slot_get(model_slot *s);
void slot_put(model_slot *s, served_model *sm);

/* Loads the file again when it changed since (always with force). Returns
 * 1 when a new model was installed, 0 when nothing changed, -1 when the
 * file could not be read (reported; the old model stays). */
int slot_reload(model_slot *s, int force);

/* TELL: unlearns (req->remove has SPAMD_DB_LOCAL) and/or learns (set) the
 * message with req->msg_class (an unlearn without a class takes the class
 * of one of the last 256 TELLs of the same bytes, else the one the model
 * predicts), through model_update() as `spamlr learn`,
 * and serves the saved model. *did_set / *did_remove get SPAMD_DB_LOCAL
 * for what was done. Returns SPAMD_EX_OK, or a SPAMD_EX_* code with *why. */
int slot_tell(model_slot *s, spamlr_scratch *scratch, const char *msg, size_t len,
              const spamd_request *req, unsigned *did_set, unsigned *did_remove,
              const char **why);

/* ---------------------------------------------------- per-user models */

/* --store DIR: the slot serves the base, DIR/base.slr; a request with
 * "User: NAME" gets user NAME's model (the base plus DIR/users/NAME.slr),
 * kept in a small cache and read again when its file or the base changed;
 * a user without a model gets the base. */
#define USER_CACHE 64
typedef struct user_entry {
    char name[66];
    struct stat id;         /* the delta file sm was read from (or saved as) */
    unsigned long base_gen; /* the base it was read on */
    served_model *sm;
} user_entry;

typedef struct user_cache {
    pthread_mutex_t mu;
    const char *dir;        /* NULL: no store */
    user_entry e[USER_CACHE];
    unsigned next;          /* the entry replaced next */
} user_cache;

struct serve_server;
void users_init(user_cache *c, const char *dir);
void users_fini(user_cache *c);

/* The model for a request from `user` ("" = none): the slot's (the base)
 * or the user's, a reference the caller drops with served_put. NULL with
 * a SPAMD_EX_* code in *code and *why when the name is no user name
 * (EX_NOUSER) or the user's model cannot be read (EX_SOFTWARE, logged). */
served_model *served_get(struct serve_server *srv, const char *user, int *code,
                         const char **why);
void served_put(struct serve_server *srv, served_model *sm);

/* TELL for a store user: as slot_tell, on the user's model (created from
 * the base on the first TELL), saved as a delta under its lock. */
int users_tell(struct serve_server *srv, spamlr_scratch *scratch, const char *msg,
               size_t len, const spamd_request *req, unsigned *did_set,
               unsigned *did_remove, const char **why);

/* ------------------------------------------------------------- server */

typedef struct serve_cfg {
    const char *model;
    const char *store;      /* --store DIR, or NULL */
    const char **listen;
    size_t nlisten;
    serve_cidr *allow;
    size_t nallow;
    unsigned long max_size, threads, timeout, max_conn, words;
    long socket_mode;       /* --socket-mode, or -1 */
    int allow_tell, syslog, help;
} serve_cfg;

/* What one worker thread owns: buffers reused from request to request. */
typedef struct serve_worker {
    pthread_t thread;
    struct serve_server *srv;
    spamlr_scratch *scratch;
    spamd_inflater *inflater;
    spamd_buf in, inflated, extra;
    spamlr_contribution *items; /* cfg.words of them */
} serve_worker;

typedef struct serve_server {
    const serve_cfg *cfg;
    model_slot slot;
    user_cache users;
} serve_server;

/* Answers one connection (the caller closes fd). */
void conn_serve(serve_worker *w, int fd, const struct sockaddr_storage *peer);

/* One line per request: on stderr, or syslog with --log syslog. */
void serve_log(const serve_server *srv, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Answers a refused connection at once (non-blocking) and logs it. */
void conn_refuse(const serve_server *srv, int fd, const char *peer, int code,
                 const char *why);

#endif /* SPAMLR_CLI_SERVE_H */
