/* dump_state.c - the online-learning state and the record of learned
 * messages in the model dump (dump.c owns the rest of the format): the
 * online_* header keys, the [memory] section of remembered messages and
 * the [learned] section of message keys, written and read back. The acc
 * and z columns of the word lines stay with the words, in dump.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/dump_state.h"
#include "model/model.h"

/* ------------------------------------------------------------- writing */

/* The online learner's settings and counters (the "onln" and "onmm"
 * sections of a model file), as header keys. */
void spamlr__dump_online(textbuf *o, const spamlr_model *m)
{
    spamlr__dump_emit(o, "online=%s\n", m->acc_z ? "ftrl" : "adagrad");
    spamlr__dump_emit(o, "online_eta=%.17g\nonline_beta=%.17g\nonline_l1=%.17g\nonline_l2=%.17g\n",
                      m->eta, m->beta, m->on_l1, m->on_l2);
    spamlr__dump_emit(o, "online_bias_acc=%.17g\nonline_bias_z=%.17g\n", m->bias_acc, m->bias_z);
    spamlr__dump_emit(o, "online_updates=%llu\nonline_last_hash=%llu\nonline_last_gz=%.17g\n",
                      (unsigned long long)m->updates, (unsigned long long)m->last_hash, m->last_gz);
    spamlr__dump_emit(o, "online_margin=%.17g\nonline_memory=%u\n", m->margin, m->mem_max);
    spamlr__dump_emit(o, "online_seen_ham=%llu\nonline_seen_spam=%llu\n",
                      (unsigned long long)m->mem_seen[0], (unsigned long long)m->mem_seen[1]);
}

/* The rehearsal memory: "[memory]", then one line per remembered message,
 * "ham" or "spam", a TAB, and its id:value pairs separated by spaces. */
void spamlr__dump_memory(textbuf *o, const spamlr_model *m)
{
    size_t c, i, j;

    spamlr__dump_emit(o, "%s\n", MEMORY_LINE);
    for (c = 0; c < 2; c++)
        for (i = 0; i < m->mem_n[c] && !o->err; i++) {
            const spamlr__memrow *r = &m->mem[c][i];
            spamlr__dump_emit(o, "%s\t", c ? "spam" : "ham");
            for (j = 0; j < r->k; j++)
                spamlr__dump_emit(o, j ? " %u:%.9g" : "%u:%.9g", r->ids[j], r->val[j]);
            spamlr__dump_emit(o, "\n");
        }
}

/* The record of learned messages, oldest first: "[learned]", then "ham" or
 * "spam", a TAB and the message key as 16 hex digits. */
void spamlr__dump_learned(textbuf *o, const spamlr_model *m)
{
    size_t j = 0;
    uint64_t e;

    if (!m->seen.live)
        return;
    spamlr__dump_emit(o, "%s\n", LEARNED_LINE);
    while (!o->err && (e = spamlr__seen_at(&m->seen, &j)))
        spamlr__dump_emit(o, "%s\t%016llx\n", e & 1 ? "spam" : "ham",
                          (unsigned long long)(e & ~(uint64_t)1));
}

/* ------------------------------------------------------------- reading */

/* An online_NAME=value line (NAME in name[0..n)): 0, 1 for a bad value,
 * -1 for an unknown name. */
int spamlr__dump_online_key(reader *r, spamlr_model *m, header *h, const char *name, size_t n,
                            const char *v, size_t vn)
{
    unsigned long long u;
    int bad;
#define NAME(x) (n == sizeof(x) - 1 && memcmp(name, x, n) == 0)
    if (NAME("eta")) return spamlr__dump_f64(r, v, vn, &m->eta) != 0;
    if (NAME("beta")) return spamlr__dump_f64(r, v, vn, &m->beta) != 0;
    if (NAME("l1")) return spamlr__dump_f64(r, v, vn, &m->on_l1) != 0;
    if (NAME("l2")) return spamlr__dump_f64(r, v, vn, &m->on_l2) != 0;
    if (NAME("bias_acc")) return spamlr__dump_f64(r, v, vn, &m->bias_acc) != 0;
    if (NAME("bias_z")) return spamlr__dump_f64(r, v, vn, &m->bias_z) != 0;
    if (NAME("last_gz")) return spamlr__dump_f64(r, v, vn, &m->last_gz) != 0;
    if (NAME("margin")) return h->seen_margin = 1, spamlr__dump_f64(r, v, vn, &m->margin) != 0;
    if (NAME("memory")) return h->seen_memory = 1, spamlr__dump_u32(r, v, vn, &m->mem_max) != 0;
    if (NAME("updates")) bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u), m->updates = u;
    else if (NAME("last_hash")) bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u), m->last_hash = u;
    else if (NAME("seen_ham")) bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u), m->mem_seen[0] = u;
    else if (NAME("seen_spam")) bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u), m->mem_seen[1] = u;
    else return -1;
#undef NAME
    return bad != 0;
}

/* One id:value pair of a memory row (at most 63 bytes) into *id, *val. */
static int memory_pair(reader *r, const spamlr_model *m, const char *s, size_t n, uint32_t *id,
                       float *val)
{
    unsigned long u;
    char *e;

    if (spamlr__dump_value(r, s, n) || r->buf[0] < '0' || r->buf[0] > '9')
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
int spamlr__dump_memory_lines(reader *r, spamlr_model *m)
{
    const char *s;
    size_t n;

    while (spamlr__dump_line(r, &s, &n)) {
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
            return spamlr__dump_err(r, "expected ham or spam, a TAB and id:value pairs", NULL);
        for (p = t + 1; p < end; p++)
            k += *p == ':';
        if (m->mem_n[c] >= m->mem_max || m->mem_n[c] >= m->mem_seen[c])
            return spamlr__dump_err(r,
                                    "more remembered messages than online_memory and online_seen_* "
                                    "allow",
                                    NULL);
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
                return spamlr__dump_err(r,
                                        "bad id:value pair (an id is a word's place under [words], "
                                        "from 0)",
                                        NULL);
            row->k++;
            p = sp + (sp < end);
        }
        if (row->k != k)
            return spamlr__dump_err(r, "bad id:value pair", NULL);
    }
    return SPAMLR_OK;
}

/* The lines after [learned]: "ham" or "spam", a TAB, a message key as 16
 * hex digits (bit 0 clear), oldest first. */
int spamlr__dump_learned_lines(reader *r, spamlr_model *m)
{
    const char *s;
    size_t n;
    int rc;

    while (spamlr__dump_line(r, &s, &n)) {
        const char *t = memchr(s, '\t', n);
        char hex[17], *e;
        uint64_t key;
        int c;

        if (n == 0)
            continue;
        c = t && t - s == 4 && memcmp(s, "spam", 4) == 0 ? 1
            : t && t - s == 3 && memcmp(s, "ham", 3) == 0 ? 0 : -1;
        if (c < 0 || s + n - (t + 1) != 16)
            return spamlr__dump_err(r, "expected ham or spam, a TAB and a 16-digit hex key", NULL);
        memcpy(hex, t + 1, 16);
        hex[16] = '\0';
        key = strtoull(hex, &e, 16);
        if (*e || strspn(hex, "0123456789abcdefABCDEF") != 16 || !key || (key & 1))
            return spamlr__dump_err(r, "bad message key (16 hex digits, even, not 0)", NULL);
        if (spamlr__seen_find(&m->seen, key) >= 0)
            return spamlr__dump_err(r, "message key listed twice", NULL);
        if (m->seen.live >= SPAMLR__SEEN_MAX)
            return spamlr__dump_err(r, "more learned messages than the record holds (100000)",
                                    NULL);
        if ((rc = spamlr__seen_put(&m->seen, key, c)))
            return rc;
    }
    return SPAMLR_OK;
}
