/* dump.c - the model as editable text (spamlr_model_dump) and back
 * (spamlr_model_import). The format is described in include/spamlr.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "mail/contacts.h"
#include "model/model.h"
#include "text/tokenize.h"
#include "text/utf8.h"

#define DUMP_MAGIC "spamlr-dump 1"
#define WORDS_LINE "[words]"
#define MEMORY_LINE "[memory]"
#define LEARNED_LINE "[learned]"
#define MAX_TOKEN 4096 /* the longest token a model file may hold */

static const char *const FEATURES[] = {"binary", "logtf", "tfidf", NULL};
/* solver names by id; the online ones (16, 17) and AUTO are written as
 * numbers, which import reads back the same */
static const char *const SOLVERS[] = {"tron", "lbfgs", "owlqn", NULL};
static const char *const CWEIGHTS[] = {"none", "balanced", "manual", NULL};

/* ------------------------------------------------------------- writing */

typedef struct textbuf {
    spamlr__buf b;
    int err;
} textbuf;

static void emit(textbuf *o, const char *fmt, ...) SPAMLR__PRINTF(2, 3);

static void emit(textbuf *o, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    if (o->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp || spamlr__buf_append(&o->b, tmp, (size_t)n))
        o->err = SPAMLR_ENOMEM;
}

static void emit_name(textbuf *o, const char *key, unsigned v, const char *const *names,
                      unsigned nnames)
{
    if (v < nnames)
        emit(o, "%s=%s\n", key, names[v]);
    else
        emit(o, "%s=%u\n", key, v);
}

static void emit_token(textbuf *o, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len && !o->err) {
        uint32_t cp;
        size_t k = spamlr__utf8_decode(p + i, len - i, &cp);
        if (cp == SPAMLR__UTF8_BAD || p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\') {
            switch (p[i]) {
            case '\\': emit(o, "\\\\"); break;
            case '\t': emit(o, "\\t"); break;
            case '\n': emit(o, "\\n"); break;
            case '\r': emit(o, "\\r"); break;
            default: emit(o, "\\x%02x", p[i]); break;
            }
            i++;
        } else {
            if (spamlr__buf_append(&o->b, p + i, k))
                o->err = SPAMLR_ENOMEM;
            i += k;
        }
    }
}

/* The online learner's settings and counters (the "onln" and "onmm"
 * sections of a model file), as header keys. */
static void emit_online(textbuf *o, const spamlr_model *m)
{
    emit(o, "online=%s\n", m->acc_z ? "ftrl" : "adagrad");
    emit(o, "online_eta=%.17g\nonline_beta=%.17g\nonline_l1=%.17g\nonline_l2=%.17g\n", m->eta,
         m->beta, m->on_l1, m->on_l2);
    emit(o, "online_bias_acc=%.17g\nonline_bias_z=%.17g\n", m->bias_acc, m->bias_z);
    emit(o, "online_updates=%llu\nonline_last_hash=%llu\nonline_last_gz=%.17g\n",
         (unsigned long long)m->updates, (unsigned long long)m->last_hash, m->last_gz);
    emit(o, "online_margin=%.17g\nonline_memory=%u\n", m->margin, m->mem_max);
    emit(o, "online_seen_ham=%llu\nonline_seen_spam=%llu\n",
         (unsigned long long)m->mem_seen[0], (unsigned long long)m->mem_seen[1]);
}

/* The rehearsal memory: "[memory]", then one line per remembered message,
 * "ham" or "spam", a TAB, and its id:value pairs separated by spaces. */
static void emit_memory(textbuf *o, const spamlr_model *m)
{
    size_t c, i, j;

    emit(o, "%s\n", MEMORY_LINE);
    for (c = 0; c < 2; c++)
        for (i = 0; i < m->mem_n[c] && !o->err; i++) {
            const spamlr__memrow *r = &m->mem[c][i];
            emit(o, "%s\t", c ? "spam" : "ham");
            for (j = 0; j < r->k; j++)
                emit(o, j ? " %u:%.9g" : "%u:%.9g", r->ids[j], r->val[j]);
            emit(o, "\n");
        }
}

int spamlr_model_dump(const spamlr_model *m, char **text, size_t *len)
{
    textbuf o;
    size_t i;
    int online, ftrl;

    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    if (!m || !text)
        return SPAMLR_EINVAL;
    memset(&o, 0, sizeof o);
    spamlr__buf_init(&o.b);
    online = m->online && m->acc;
    ftrl = online && m->acc_z;

    emit(&o, "%s\n# a spamlr model as text: settings, then one 'token<TAB>weight%s%s' line\n",
         DUMP_MAGIC, m->idf ? "<TAB>idf" : "",
         online ? (ftrl ? "<TAB>acc<TAB>z" : "<TAB>acc") : "");
    if (online)
        emit(&o, "# per word, then the online learner's memory (messages as id:value, a\n"
                 "# word's id its place under [words] from 0): all the online state\n");
    emit(&o, "# %sspamlr import turns it back into a model file\n", online ? "" : "per word; ");
    emit(&o, "ngrams=%u\nmax_token_len=%u\nnumber_fold=%u\ncjk_bigrams=%u\n",
         m->text.ngrams, m->text.max_token_len, m->text.number_fold, m->text.cjk_bigrams);
    emit_name(&o, "features", m->text.features, FEATURES, 3);
    emit(&o, "normalize=%u\nmime=%u\nheader_fields=%u\n", m->text.normalize, m->text.mime,
         m->text.header_fields);
    emit(&o, "fold=%u\nsubwords=%u\n", m->text.fold, m->text.subwords);
    emit_name(&o, "solver", m->solver, SOLVERS, 3);
    emit_name(&o, "class_weight", m->class_weight, CWEIGHTS, 3);
    emit(&o, "min_count=%u\niterations=%u\n", m->min_count, m->iterations);
    emit(&o, "l1=%.17g\nl2=%.17g\n", m->l1, m->l2);
    emit(&o, "c=%.17g\ntol=%.17g\nobjective=%.17g\ngrad_norm=%.17g\nthreshold=%.17g\n",
         m->c, m->tol, m->objective, m->grad_norm, m->threshold);
    if (m->ham_cutoff < m->spam_cutoff) /* the unsure zone */
        emit(&o, "ham_cutoff=%.17g\nspam_cutoff=%.17g\n", m->ham_cutoff, m->spam_cutoff);
    if (m->has_bias)
        emit(&o, "bias=%.9g\n", m->bias);
    else
        emit(&o, "bias=none\n");
    emit(&o, "examples=%llu\nspam=%llu\nham=%llu\ntrained_at=%lld\n",
         (unsigned long long)m->examples, (unsigned long long)m->spam,
         (unsigned long long)m->ham, (long long)m->trained_at);
    emit(&o, "weight_bits=%u\n", m->weight_bits == 16 ? 16u : 32u);
    if (m->weight_bits == 16)
        emit(&o, "weight_scale=%.9g\n", m->wscale);
    if (m->path_n)
        emit(&o, "path_folds=%u\n", m->path_folds);
    for (i = 0; i < m->path_n; i++) /* C, validation log loss, AUC */
        emit(&o, "path=%.17g %.17g %.17g\n", m->path[i].c, m->path[i].log_loss,
             m->path[i].auc);
    if (m->base_name) { /* the base model of transfer learning */
        emit(&o, "base_name=");
        emit_token(&o, m->base_name, strlen(m->base_name));
        emit(&o, "\nbase_crc=%lu\nbase_trained_at=%lld\n", (unsigned long)m->base_crc,
             (long long)m->base_trained_at);
    }
    if (m->contacts) { /* the contact list: its size, then one entry a line */
        emit(&o, "contacts=%lu\n", (unsigned long)m->contacts->n);
        for (i = 0; i < m->contacts->n; i++) {
            emit(&o, "contact=");
            emit_token(&o, m->contacts->e[i], strlen(m->contacts->e[i]));
            emit(&o, "\n");
        }
    }
    if (online)
        emit_online(&o, m);
    emit(&o, "pruned_from=%llu\n%s\n", (unsigned long long)m->pruned_from, WORDS_LINE);
    for (i = 0; i < m->vocab.n && !o.err; i++) {
        emit_token(&o, spamlr__vocab_str(&m->vocab, (uint32_t)i), m->vocab.len[i]);
        emit(&o, "\t%.9g", m->w[i]);
        if (m->idf)
            emit(&o, "\t%.9g", m->idf[i]);
        if (online)
            emit(&o, "\t%.9g", m->acc[i]);
        if (ftrl)
            emit(&o, "\t%.9g", m->acc_z[i]);
        emit(&o, "\n");
    }
    if (online)
        emit_memory(&o, m);
    if (m->seen.live) { /* the record of learned messages, oldest first */
        size_t j = 0;
        uint64_t e;
        emit(&o, "%s\n", LEARNED_LINE);
        while (!o.err && (e = spamlr__seen_at(&m->seen, &j)))
            emit(&o, "%s\t%016llx\n", e & 1 ? "spam" : "ham",
                 (unsigned long long)(e & ~(uint64_t)1));
    }
    if (!o.err && !o.b.data && spamlr__buf_reserve(&o.b, 1))
        o.err = SPAMLR_ENOMEM;
    if (o.err) {
        spamlr__buf_free(&o.b);
        return o.err;
    }
    *text = o.b.data;
    if (len)
        *len = o.b.len;
    return SPAMLR_OK;
}

/* ------------------------------------------------------------- reading */

typedef struct reader {
    const char *p, *end;
    long line;
    spamlr_diag *d;
    char buf[64];       /* a value as a NUL-terminated string */
} reader;

/* The next line (without its newline and a trailing CR); 0 at the end. */
static int next_line(reader *r, const char **s, size_t *n)
{
    const char *nl;

    if (r->p >= r->end)
        return 0;
    nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    *s = r->p;
    *n = (size_t)((nl ? nl : r->end) - r->p);
    r->p = nl ? nl + 1 : r->end;
    if (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    r->line++;
    return 1;
}

static int perr(reader *r, const char *what, const char *arg)
{
    return spamlr__diag(r->d, SPAMLR_EPARSE, NULL, r->line, -1, "%s%s%s%s", what,
                        arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

/* Copies v[0..n) into r->buf; -1 when it does not fit. */
static int value(reader *r, const char *v, size_t n)
{
    if (n == 0 || n >= sizeof r->buf)
        return -1;
    memcpy(r->buf, v, n);
    r->buf[n] = '\0';
    return 0;
}

static int num_f64(reader *r, const char *v, size_t n, double *x)
{
    char *e;

    if (value(r, v, n))
        return -1;
    errno = 0;
    *x = strtod(r->buf, &e);
    return *e || e == r->buf ? -1 : 0;
}

static int num_f32(reader *r, const char *v, size_t n, float *x)
{
    char *e;

    if (value(r, v, n))
        return -1;
    *x = strtof(r->buf, &e);
    return *e || e == r->buf || !isfinite(*x) ? -1 : 0;
}

/* A signed decimal (a time in seconds). */
static int num_i64(reader *r, const char *v, size_t n, int64_t *out)
{
    char *e;
    long long t;

    if (value(r, v, n))
        return 1;
    errno = 0;
    t = strtoll(r->buf, &e, 10);
    if (*e || e == r->buf || errno)
        return 1;
    *out = (int64_t)t;
    return 0;
}

static int num_u64(reader *r, const char *v, size_t n, unsigned long long max,
                   unsigned long long *x)
{
    char *e;

    if (value(r, v, n) || r->buf[0] == '-' || r->buf[0] == '+')
        return -1;
    errno = 0;
    *x = strtoull(r->buf, &e, 10);
    return *e || e == r->buf || errno || *x > max ? -1 : 0;
}

static int num_u32(reader *r, const char *v, size_t n, unsigned *x)
{
    unsigned long long u;

    if (num_u64(r, v, n, 0xffffffffULL, &u))
        return -1;
    *x = (unsigned)u;
    return 0;
}

/* A name from names, or a plain number. */
static int name_u32(reader *r, const char *v, size_t n, const char *const *names, unsigned *x)
{
    unsigned i;

    for (i = 0; names[i]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], v, n) == 0) {
            *x = i;
            return 0;
        }
    return num_u32(r, v, n, x);
}

typedef struct header {
    int seen_scale;
    long pruned_line;
    long online_line;   /* the line of an online_* key, 0 = none */
    int seen_margin, seen_memory;
} header;

/* A "path=C LOGLOSS AUC" line: one more point of the C path. */
static int path_point(reader *r, spamlr_model *m, const char *v, size_t n)
{
    spamlr_path_point pt, *np;
    char *e;

    if (value(r, v, n) || m->path_n >= 256)
        return -1;
    pt.c = strtod(r->buf, &e);
    pt.log_loss = strtod(e, &e);
    pt.auc = strtod(e, &e);
    if (*e || !(pt.c > 0) || !isfinite(pt.c) || !(pt.log_loss >= 0) ||
        !isfinite(pt.log_loss) || (!isnan(pt.auc) && !(pt.auc >= 0 && pt.auc <= 1)))
        return -1;
    if (!(np = realloc(m->path, (m->path_n + 1) * sizeof *np)))
        return -1;
    np[m->path_n++] = pt;
    m->path = np;
    return 0;
}

/* An online_NAME=value line (NAME in name[0..n)): 0, 1 for a bad value,
 * -1 for an unknown name. */
static int online_key(reader *r, spamlr_model *m, header *h, const char *name, size_t n,
                      const char *v, size_t vn)
{
    unsigned long long u;
    int bad;
#define NAME(x) (n == sizeof(x) - 1 && memcmp(name, x, n) == 0)
    if (NAME("eta")) return num_f64(r, v, vn, &m->eta) != 0;
    if (NAME("beta")) return num_f64(r, v, vn, &m->beta) != 0;
    if (NAME("l1")) return num_f64(r, v, vn, &m->on_l1) != 0;
    if (NAME("l2")) return num_f64(r, v, vn, &m->on_l2) != 0;
    if (NAME("bias_acc")) return num_f64(r, v, vn, &m->bias_acc) != 0;
    if (NAME("bias_z")) return num_f64(r, v, vn, &m->bias_z) != 0;
    if (NAME("last_gz")) return num_f64(r, v, vn, &m->last_gz) != 0;
    if (NAME("margin")) return h->seen_margin = 1, num_f64(r, v, vn, &m->margin) != 0;
    if (NAME("memory")) return h->seen_memory = 1, num_u32(r, v, vn, &m->mem_max) != 0;
    if (NAME("updates")) bad = num_u64(r, v, vn, ~0ULL, &u), m->updates = u;
    else if (NAME("last_hash")) bad = num_u64(r, v, vn, ~0ULL, &u), m->last_hash = u;
    else if (NAME("seen_ham")) bad = num_u64(r, v, vn, ~0ULL, &u), m->mem_seen[0] = u;
    else if (NAME("seen_spam")) bad = num_u64(r, v, vn, ~0ULL, &u), m->mem_seen[1] = u;
    else return -1;
#undef NAME
    return bad != 0;
}

static int unescape(reader *r, const char *s, size_t n, char *t, size_t *tn);

/* A "base_name=NAME" line (escaped as a token): the model's base. */
static int base_name(reader *r, spamlr_model *m, const char *v, size_t n)
{
    char *t;
    size_t tn;
    int rc;

    if (n > 4 * MAX_TOKEN)
        return perr(r, "base_name longer than 4096 bytes", NULL);
    if (!(t = malloc(n + 1)))
        return SPAMLR_ENOMEM;
    if (!(rc = unescape(r, v, n, t, &tn))) {
        t[tn] = '\0';
        rc = spamlr__model_set_base(m, t, m->base_crc, m->base_trained_at);
    }
    free(t);
    return rc;
}

/* A "contact=ENTRY" line (escaped as a token): one contact list entry. */
static int contact_line(reader *r, spamlr_model *m, const char *v, size_t n)
{
    char *t;
    size_t tn;
    int rc;

    if (n > 4 * MAX_TOKEN)
        return perr(r, "contact longer than 4096 bytes", NULL);
    if (!m->contacts && (rc = spamlr_contacts_create(&m->contacts)))
        return rc;
    if (!(t = malloc(n + 1)))
        return SPAMLR_ENOMEM;
    if (!(rc = unescape(r, v, n, t, &tn))) {
        rc = spamlr_contacts_add(m->contacts, t, tn);
        if (rc == SPAMLR_EINVAL)
            rc = perr(r, "contact is not an address or @domain", NULL);
    }
    free(t);
    return rc;
}

/* One key=value line of the header. */
static int header_line(reader *r, spamlr_model *m, header *h, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    const char *v;
    size_t k, vn;
    unsigned long long u;
    int bad = 0;

    if (!eq)
        return perr(r, "expected key=value or " WORDS_LINE, NULL);
    k = (size_t)(eq - s);
    v = eq + 1;
    vn = n - k - 1;
#define KEY(name) (k == sizeof(name) - 1 && memcmp(s, name, k) == 0)
    if (KEY("ngrams")) bad = num_u32(r, v, vn, &m->text.ngrams);
    else if (KEY("max_token_len")) bad = num_u32(r, v, vn, &m->text.max_token_len);
    else if (KEY("number_fold")) bad = num_u32(r, v, vn, &m->text.number_fold);
    else if (KEY("cjk_bigrams")) bad = num_u32(r, v, vn, &m->text.cjk_bigrams);
    else if (KEY("features")) bad = name_u32(r, v, vn, FEATURES, &m->text.features);
    else if (KEY("normalize")) bad = num_u32(r, v, vn, &m->text.normalize);
    else if (KEY("mime")) bad = num_u32(r, v, vn, &m->text.mime);
    else if (KEY("header_fields")) bad = num_u32(r, v, vn, &m->text.header_fields);
    else if (KEY("fold")) bad = num_u32(r, v, vn, &m->text.fold);
    else if (KEY("subwords")) bad = num_u32(r, v, vn, &m->text.subwords);
    else if (KEY("solver")) bad = name_u32(r, v, vn, SOLVERS, &m->solver);
    else if (KEY("class_weight")) bad = name_u32(r, v, vn, CWEIGHTS, &m->class_weight);
    else if (KEY("min_count")) bad = num_u32(r, v, vn, &m->min_count);
    else if (KEY("iterations")) bad = num_u32(r, v, vn, &m->iterations);
    else if (KEY("c")) bad = num_f64(r, v, vn, &m->c);
    else if (KEY("tol")) bad = num_f64(r, v, vn, &m->tol);
    else if (KEY("l1")) bad = num_f64(r, v, vn, &m->l1) || !(m->l1 >= 0);
    else if (KEY("l2")) bad = num_f64(r, v, vn, &m->l2) || !(m->l2 >= 0);
    else if (KEY("objective")) bad = num_f64(r, v, vn, &m->objective);
    else if (KEY("grad_norm")) bad = num_f64(r, v, vn, &m->grad_norm);
    else if (KEY("threshold"))
        bad = num_f64(r, v, vn, &m->threshold) || !(m->threshold >= 0 && m->threshold <= 1);
    else if (KEY("bias")) {
        m->has_bias = !(vn == 4 && memcmp(v, "none", 4) == 0);
        m->bias = 0;
        bad = m->has_bias && num_f32(r, v, vn, &m->bias);
    } else if (KEY("examples")) bad = num_u64(r, v, vn, ~0ULL, &u), m->examples = u;
    else if (KEY("spam")) bad = num_u64(r, v, vn, ~0ULL, &u), m->spam = u;
    else if (KEY("ham")) bad = num_u64(r, v, vn, ~0ULL, &u), m->ham = u;
    else if (KEY("trained_at"))
        bad = num_i64(r, v, vn, &m->trained_at);
    else if (KEY("weight_bits"))
        bad = num_u32(r, v, vn, &m->weight_bits) ||
              (m->weight_bits != 16 && m->weight_bits != 32);
    else if (KEY("weight_scale"))
        bad = num_f32(r, v, vn, &m->wscale) || !(m->wscale > 0), h->seen_scale = 1;
    else if (KEY("pruned_from")) {
        bad = num_u64(r, v, vn, ~0ULL, &u);
        m->pruned_from = u;
        h->pruned_line = r->line;
    } else if (KEY("ham_cutoff"))
        bad = num_f64(r, v, vn, &m->ham_cutoff) || !(m->ham_cutoff >= 0 && m->ham_cutoff <= 1);
    else if (KEY("spam_cutoff"))
        bad = num_f64(r, v, vn, &m->spam_cutoff) ||
              !(m->spam_cutoff >= 0 && m->spam_cutoff <= 1);
    else if (KEY("path_folds"))
        bad = num_u32(r, v, vn, &m->path_folds) || m->path_folds < 2;
    else if (KEY("path"))
        bad = path_point(r, m, v, vn);
    else if (KEY("contacts")) {
        int rc;
        bad = num_u64(r, v, vn, ~0ULL, &u);
        if (!bad && !m->contacts && (rc = spamlr_contacts_create(&m->contacts)))
            return rc;
    } else if (KEY("contact")) {
        int rc = contact_line(r, m, v, vn);
        if (rc)
            return rc;
    } else if (KEY("base_name")) {
        int rc = base_name(r, m, v, vn);
        if (rc)
            return rc;
    } else if (KEY("base_crc"))
        bad = num_u64(r, v, vn, 0xffffffffULL, &u), m->base_crc = (uint32_t)u;
    else if (KEY("base_trained_at"))
        bad = num_i64(r, v, vn, &m->base_trained_at);
    else if (k > 7 && memcmp(s, "online_", 7) == 0) {
        bad = online_key(r, m, h, s + 7, k - 7, v, vn);
        if (bad < 0)
            return perr(r, "unknown key", (value(r, s, k) ? "?" : r->buf));
        h->online_line = r->line;
    } else if (KEY("online")) {
        m->online = vn == 7 && memcmp(v, "adagrad", 7) == 0 ? SPAMLR_SOLVER_ADAGRAD
                    : vn == 4 && memcmp(v, "ftrl", 4) == 0  ? SPAMLR_SOLVER_FTRL
                                                            : 0;
        bad = !m->online;
        if (!h->online_line)
            h->online_line = r->line;
    } else
        return perr(r, "unknown key", (value(r, s, k) ? "?" : r->buf));
#undef KEY
    if (bad) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(k < 60 ? k : 60), s);
        return spamlr__diag(r->d, SPAMLR_EPARSE, NULL, r->line, -1,
                            "bad value for %s: '%.*s'", key, (int)(vn < 80 ? vn : 80), v);
    }
    return SPAMLR_OK;
}

static unsigned hexval(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (unsigned)(c - 'A' + 10);
    return 16;
}

/* Unescapes a token into t (at least n + 1 bytes); its length in *tn. */
static int unescape(reader *r, const char *s, size_t n, char *t, size_t *tn)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        unsigned hi, lo;
        if (s[i] == '\0')
            return perr(r, "a token cannot hold a NUL byte", NULL);
        if (s[i] != '\\') {
            t[k++] = s[i];
            continue;
        }
        if (++i == n)
            return perr(r, "token ends with a lone backslash", NULL);
        switch (s[i]) {
        case '\\': t[k++] = '\\'; break;
        case 't': t[k++] = '\t'; break;
        case 'n': t[k++] = '\n'; break;
        case 'r': t[k++] = '\r'; break;
        case 'x':
            if (n - i < 3 || (hi = hexval(s[i + 1])) > 15 || (lo = hexval(s[i + 2])) > 15)
                return perr(r, "bad \\x escape in a token (two hex digits needed)", NULL);
            if (!(hi | lo))
                return perr(r, "a token cannot hold a NUL byte (\\x00)", NULL);
            t[k++] = (char)(hi << 4 | lo);
            i += 2;
            break;
        default: return perr(r, "unknown escape in a token (use \\\\ \\t \\n \\r \\xHH)", NULL);
        }
    }
    if (k > MAX_TOKEN)
        return perr(r, "token longer than 4096 bytes", NULL);
    *tn = k;
    return SPAMLR_OK;
}

/* Appends v to a growable float array. */
static int push_f32(float **a, size_t *cap, size_t n, float v)
{
    if (spamlr__grow((void **)a, cap, n + 1, sizeof **a))
        return SPAMLR_ENOMEM;
    (*a)[n] = v;
    return SPAMLR_OK;
}

/* The columns after the token: weight, then idf (tf-idf), then the
 * online accumulator and, with FTRL, z. */
static const char *columns_wanted(const spamlr_model *m)
{
    static const char *const what[2][3] = {
        {"expected token<TAB>weight (an idf column needs features=tfidf)",
         "expected token<TAB>weight<TAB>acc (online=adagrad)",
         "expected token<TAB>weight<TAB>acc<TAB>z (online=ftrl)"},
        {"expected token<TAB>weight<TAB>idf (features=tfidf)",
         "expected token<TAB>weight<TAB>idf<TAB>acc (features=tfidf, online=adagrad)",
         "expected token<TAB>weight<TAB>idf<TAB>acc<TAB>z (features=tfidf, online=ftrl)"}};
    return what[m->text.features == SPAMLR_FEAT_TFIDF]
               [m->online == SPAMLR_SOLVER_FTRL ? 2 : m->online ? 1 : 0];
}

/* The word lines after [words], up to [memory] or the end. */
static int word_lines(reader *r, spamlr_model *m)
{
    size_t wcap = 0, icap = 0, acap = 0, zcap = 0, n;
    char *tok = NULL;
    const char *s;
    int rc = SPAMLR_OK, tfidf = m->text.features == SPAMLR_FEAT_TFIDF;
    int online = m->online != 0, ftrl = m->online == SPAMLR_SOLVER_FTRL;
    size_t ncol = 1 + (size_t)tfidf + (size_t)online + (size_t)ftrl;

    while (rc == SPAMLR_OK && next_line(r, &s, &n)) {
        const char *t1 = memchr(s, '\t', n), *c, *e;
        float col[4] = {0, 0, 0, 0}, w, idf;
        size_t tn = 0, j;
        uint32_t id;
        int added;

        if (n == 0)
            continue;
        if ((n == strlen(MEMORY_LINE) && memcmp(s, MEMORY_LINE, n) == 0) ||
            (n == strlen(LEARNED_LINE) && memcmp(s, LEARNED_LINE, n) == 0)) {
            r->p = s; /* the caller reads it again */
            r->line--;
            break;
        }
        if (!t1)
            return free(tok), perr(r, columns_wanted(m), NULL);
        for (j = 0, c = t1 + 1; j < ncol; j++, c = e + 1) {
            e = memchr(c, '\t', (size_t)(s + n - c));
            if (!e)
                e = s + n;
            if ((e == s + n) != (j + 1 == ncol)) {
                free(tok);
                return perr(r, columns_wanted(m), NULL);
            }
            if (num_f32(r, c, (size_t)(e - c), &col[j])) {
                free(tok);
                return perr(r, "bad number", NULL);
            }
        }
        w = col[0];
        idf = tfidf ? col[1] : 0;
        free(tok);
        if (!(tok = malloc((size_t)(t1 - s) + 1)))
            return SPAMLR_ENOMEM;
        if ((rc = unescape(r, s, (size_t)(t1 - s), tok, &tn)))
            break;
        if ((rc = spamlr__vocab_intern(&m->vocab, tok, tn, &id, &added)))
            break;
        if (!added) {
            tok[tn] = '\0';
            rc = spamlr__diag(r->d, SPAMLR_EPARSE, NULL, r->line, -1,
                              "token '%.100s' appears twice", tok);
            break;
        }
        if ((rc = push_f32(&m->w, &wcap, id, w)) ||
            (tfidf && (rc = push_f32(&m->idf, &icap, id, idf))) ||
            (online && (rc = push_f32(&m->acc, &acap, id, col[1 + tfidf]))) ||
            (ftrl && (rc = push_f32(&m->acc_z, &zcap, id, col[2 + tfidf]))))
            break;
        if (online && (!(m->acc[id] >= 0) || (ftrl && !isfinite(m->acc_z[id])))) {
            rc = perr(r, "online accumulator out of range", NULL);
            break;
        }
    }
    free(tok);
    if (rc == SPAMLR_OK && !m->w && !(m->w = malloc(sizeof *m->w)))
        rc = SPAMLR_ENOMEM;
    if (rc == SPAMLR_OK && online && !m->acc && !(m->acc = malloc(sizeof *m->acc)))
        rc = SPAMLR_ENOMEM;
    if (rc == SPAMLR_OK && ftrl && !m->acc_z && !(m->acc_z = malloc(sizeof *m->acc_z)))
        rc = SPAMLR_ENOMEM;
    if (rc == SPAMLR_OK && tfidf && !m->idf && !(m->idf = malloc(sizeof *m->idf)))
        rc = SPAMLR_ENOMEM;
    return rc;
}

/* One id:value pair of a memory row (at most 63 bytes) into *id, *val. */
static int memory_pair(reader *r, const spamlr_model *m, const char *s, size_t n, uint32_t *id,
                       float *val)
{
    unsigned long u;
    char *e;

    if (value(r, s, n) || r->buf[0] < '0' || r->buf[0] > '9')
        return -1;
    errno = 0;
    u = strtoul(r->buf, &e, 10);
    if (errno || *e != ':' || u >= m->vocab.n)
        return -1;
    *id = (uint32_t)u;
    s = e + 1;
    *val = strtof(s, &e);
    return *e || e == s || !isfinite(*val) ? -1 : 0;
}

/* The lines after [memory]: "ham" or "spam", a TAB, id:value pairs. */
static int memory_lines(reader *r, spamlr_model *m)
{
    const char *s;
    size_t n;

    while (next_line(r, &s, &n)) {
        const char *t = memchr(s, '\t', n), *p, *end = s + n;
        spamlr__memrow *row;
        uint32_t k = 0;
        int c;

        if (n == 0)
            continue;
        if (n == strlen(LEARNED_LINE) && memcmp(s, LEARNED_LINE, n) == 0) {
            r->p = s; /* the caller reads it again */
            r->line--;
            break;
        }
        c = t && t - s == 4 && memcmp(s, "spam", 4) == 0 ? 1
            : t && t - s == 3 && memcmp(s, "ham", 3) == 0 ? 0 : -1;
        if (c < 0)
            return perr(r, "expected ham or spam, a TAB and id:value pairs", NULL);
        for (p = t + 1; p < end; p++)
            k += *p == ':';
        if (m->mem_n[c] >= m->mem_max || m->mem_n[c] >= m->mem_seen[c])
            return perr(r, "more remembered messages than online_memory and online_seen_* "
                           "allow", NULL);
        if (spamlr__grow((void **)&m->mem[c], &m->mem_cap[c], m->mem_n[c] + 1, sizeof *row))
            return SPAMLR_ENOMEM;
        row = &m->mem[c][m->mem_n[c]];
        if (!(row->ids = malloc((size_t)k * 8 + 1)))
            return SPAMLR_ENOMEM;
        row->k = 0;
        row->val = (float *)(void *)(row->ids + k);
        m->mem_n[c]++;
        for (p = t + 1; p < end;) {
            const char *sp = memchr(p, ' ', (size_t)(end - p));
            if (!sp)
                sp = end;
            if (row->k == k || memory_pair(r, m, p, (size_t)(sp - p), &row->ids[row->k],
                                           &row->val[row->k]))
                return perr(r, "bad id:value pair (an id is a word's place under [words], "
                               "from 0)", NULL);
            row->k++;
            p = sp + (sp < end);
        }
        if (row->k != k)
            return perr(r, "bad id:value pair", NULL);
    }
    return SPAMLR_OK;
}

/* The lines after [learned]: "ham" or "spam", a TAB, a message key as 16
 * hex digits (bit 0 clear), oldest first. */
static int learned_lines(reader *r, spamlr_model *m)
{
    const char *s;
    size_t n;
    int rc;

    while (next_line(r, &s, &n)) {
        const char *t = memchr(s, '\t', n);
        char hex[17], *e;
        uint64_t key;
        int c;

        if (n == 0)
            continue;
        c = t && t - s == 4 && memcmp(s, "spam", 4) == 0 ? 1
            : t && t - s == 3 && memcmp(s, "ham", 3) == 0 ? 0 : -1;
        if (c < 0 || s + n - (t + 1) != 16)
            return perr(r, "expected ham or spam, a TAB and a 16-digit hex key", NULL);
        memcpy(hex, t + 1, 16);
        hex[16] = '\0';
        key = strtoull(hex, &e, 16);
        if (*e || strspn(hex, "0123456789abcdefABCDEF") != 16 || !key || (key & 1))
            return perr(r, "bad message key (16 hex digits, even, not 0)", NULL);
        if (spamlr__seen_find(&m->seen, key) >= 0)
            return perr(r, "message key listed twice", NULL);
        if (m->seen.live >= SPAMLR__SEEN_MAX)
            return perr(r, "more learned messages than the record holds (100000)", NULL);
        if ((rc = spamlr__seen_put(&m->seen, key, c)))
            return rc;
    }
    return SPAMLR_OK;
}

/* Puts the weights on the 16-bit grid the dump names (or a new one when an
 * edited weight no longer fits it). */
static int apply_bits(reader *r, spamlr_model *m, const header *h)
{
    size_t i;

    if (m->weight_bits != 16) {
        m->wscale = 0;
        return SPAMLR_OK;
    }
    if (!h->seen_scale)
        return perr(r, "weight_bits=16 needs a weight_scale line", NULL);
    for (i = 0; i < m->vocab.n; i++)
        if (fabs((double)m->w[i] / m->wscale) > 32767.5)
            return spamlr_model_set_weight_bits(m, 16);
    spamlr__model_quantize(m, m->wscale);
    return SPAMLR_OK;
}

/* The line of the last "key=" line before [words] (key up to a '/'), for
 * an error about that field; 0 when there is none (a default value). */
static long key_line(const char *text, size_t len, const char *key)
{
    const char *p = text, *end = text + len, *nl;
    size_t k = strcspn(key, "/");
    long line = 0, found = 0;

    for (; p < end; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        line++;
        if ((size_t)(nl - p) >= strlen(WORDS_LINE) && memcmp(p, WORDS_LINE, strlen(WORDS_LINE)) == 0)
            break;
        if ((size_t)(nl - p) > k && memcmp(p, key, k) == 0 && p[k] == '=')
            found = line;
    }
    return found;
}

/* Every field within the rules the file loader applies. */
static int check_meta(reader *r, const spamlr_model *m, const char *text, size_t len)
{
    const char *what = spamlr__model_meta_check(m);

    if (!what)
        return SPAMLR_OK;
    return spamlr__diag(r->d, SPAMLR_EPARSE, NULL, key_line(text, len, what), -1,
                        "%s out of range%s", what,
                        strcmp(what, "examples") == 0 ? " (examples must be spam + ham)"
                        : strcmp(what, "spam") == 0 || strcmp(what, "ham") == 0
                            ? " (at most 2^62)" : "");
}

int spamlr_model_import(spamlr_model **out, const char *text, size_t len, spamlr_diag *d)
{
    spamlr_model *m = NULL;
    reader r;
    header h = {0, 0, 0, 0, 0};
    const char *s;
    size_t n;
    int rc, words = 0, more;

    spamlr__diag_clear(d);
    if (out)
        *out = NULL;
    if (!out || (!text && len))
        return SPAMLR_EINVAL;
    r.p = text ? text + spamlr__bom_len(text, len) : text;
    r.end = text + len;
    r.line = 0;
    r.d = d;
    if (!next_line(&r, &s, &n) || n != strlen(DUMP_MAGIC) || memcmp(s, DUMP_MAGIC, n) != 0)
        return spamlr__diag(d, SPAMLR_EPARSE, NULL, 1, -1,
                            "not a spamlr dump (the first line must be '%s')", DUMP_MAGIC);
    if ((rc = spamlr__model_new(&m, NULL)))
        return rc;
    /* a dump without features= (one written by hand) has plain
     * token<TAB>weight lines: binary features, whatever the default */
    m->text.features = SPAMLR_FEAT_BINARY;
    /* and, like a dump from before these keys, the 0.1 tokens */
    m->text.fold = SPAMLR_FOLD_SIMPLE;
    m->text.subwords = 0;
    m->has_bias = 1;
    while (rc == SPAMLR_OK && next_line(&r, &s, &n)) {
        if (n == strlen(WORDS_LINE) && memcmp(s, WORDS_LINE, n) == 0) {
            words = 1;
            break;
        }
        if (n && s[0] != '#')
            rc = header_line(&r, m, &h, s, n);
    }
    if (rc)
        goto out;
    if (!words) {
        rc = perr(&r, "the '" WORDS_LINE "' line is missing", NULL);
        goto out;
    }
    if (spamlr__text_opts_check(&m->text) != SPAMLR_OK) {
        rc = perr(&r, "tokenizer settings out of range", NULL);
        goto out;
    }
    if (!m->online && h.online_line) {
        r.line = h.online_line;
        rc = perr(&r, "online_* keys need an online=adagrad|ftrl line", NULL);
        goto out;
    }
    if (m->online) {
        if (!h.seen_margin)
            m->margin = SPAMLR__DEFAULT_MARGIN;
        if (!h.seen_memory)
            m->mem_max = SPAMLR__DEFAULT_MEMORY;
    }
    if ((rc = word_lines(&r, m)) || (rc = apply_bits(&r, m, &h)))
        goto out;
    more = next_line(&r, &s, &n);
    if (more && n == strlen(MEMORY_LINE) && memcmp(s, MEMORY_LINE, n) == 0) { /* [memory] */
        if (!m->online) {
            rc = perr(&r, "[memory] needs an online=adagrad|ftrl line", NULL);
            goto out;
        }
        if ((rc = memory_lines(&r, m)))
            goto out;
        more = next_line(&r, &s, &n);
    }
    if (more && (rc = learned_lines(&r, m))) /* [learned], all word_lines leaves */
        goto out;
    if (m->pruned_from && m->pruned_from < m->vocab.n) {
        r.line = h.pruned_line;
        rc = perr(&r, "pruned_from is smaller than the number of words", NULL);
        goto out;
    }
    if ((rc = check_meta(&r, m, text, len)))
        goto out;
    *out = m;
    m = NULL;
out:
    if (rc == SPAMLR_ENOMEM)
        spamlr__diag(d, rc, NULL, 0, -1, "out of memory importing the model");
    spamlr_model_free(m);
    return rc;
}
