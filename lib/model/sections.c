/* sections.c - the optional payload sections of the .slr model file:
 * their writers and readers. model_io.c owns the file around them (header,
 * metadata, the required sections "TOKS", "WF32"/"WQ16", "IDF ", zlib,
 * CRC) and hands every lower-case section to this file; nothing here calls
 * back into model_io.c.
 *
 * Every tag here starts with a lower-case letter, so that a reader that
 * does not know it skips it (model_io.c, parse_payload). Each is a 4-byte
 * tag, a u64 length and the bytes below (all integers little-endian,
 * floats IEEE-754 bit patterns; n is the vocabulary size).
 * Optional "prun": a u64, the vocabulary size before the model was first
 * pruned.
 * Optional "onln" (lower-case: a reader that does not know it
 * skips it and still predicts exactly) the online-learning state
 * of lib/learn/online.c: u32 solver (16 AdaGrad, 17 FTRL), u32 0,
 * f64 eta, beta, l1, l2, bias accumulator, bias z, u64 updates,
 * u64 hash of the last message learned, f64 its gradient factor
 * (so that it can be unlearned exactly), then n f32 accumulators (sum of
 * squared gradients, >= 0) and,
 * for FTRL only, n f32 z values. It is optional, not required,
 * because losing it only restarts the step sizes: the weights,
 * and so every prediction, are in "WF32"; a library that cannot
 * learn online must still be able to use the model.
 * Optional "onmm", written after "onln" (a file without it
 * learns with the defaults: margin 2, memory 500): f64 margin
 * (the thick threshold; +inf learns every message), u32 memory
 * (rows kept per class), u32 0, u64 ham and u64 spam messages
 * offered to the memory, u32 ham rows, u32 spam rows, then the
 * rows, ham first: u32 k, k u32 word ids (< n), k f32 feature
 * values. It is ignored without "onln".
 * Optional "unsr" (lower-case: an older reader skips it and
 * predicts as before, with the threshold): the unsure zone of
 * spamlr_model_set_unsure, f64 ham_cutoff, f64 spam_cutoff, with
 * 0 <= ham_cutoff < spam_cutoff <= 1; written only when the model
 * has a zone.
 * Optional "cpth": the regularisation path that chose C
 * (lib/learn/path.c): u32 folds (2 or more), u32 k, then k x (f64 C, f64 mean
 * validation log loss, f64 pooled out-of-fold AUC or NaN).
 * Optional "base": the base model of transfer learning
 * (spamlr_train_opts.prior; lower-case, so that a reader that does
 * not know it skips it and predicts exactly the same): u32 the
 * CRC-32 the base file ends with (0 = unknown), u32 k, i64 the base's
 * trained_at, then k bytes (k <= 4096), the base file's name
 * without its directory (UTF-8, may be empty).
 * Optional "ctct": the contact list the e-mail parser uses
 * (spamlr_model_set_contacts; lower-case, so that a reader that
 * does not know it skips it and predicts as without a list: no
 * sender: tokens, their weights unused): u32 k, then k entries,
 * each a u16 length L (1..320) and L bytes, a normalised address
 * "local@domain" or domain "@domain", in ascending byte order
 * without repeats. Written only when the model has a list (an
 * empty list is k = 0: every sender unknown).
 * Optional "dfrq": the document counts of a tf-idf model made empty
 * (spamlr_model_create), whose idf values are those of the messages
 * it learned (lib/learn/memory.c, spamlr__live_refresh; lower-case, so
 * that an older reader skips it and predicts exactly, with the idf
 * values of "IDF ", and learns with them frozen): u64 the messages
 * counted, u64 their number when the idf values were last worked out
 * from the counts, then n u32 counts, a word's the learned messages
 * that hold it.
 * Optional "seen": the record of learned messages (seen.c, as
 * SpamAssassin's bayes_seen; lower-case, so that an older reader
 * skips it and predicts and learns as before, without the
 * record): u32 k, u32 0, then k u64 entries, oldest first, each a
 * message key (a hash of its normalised row, bit 0 clear) with
 * bit 0 set when it was learned as spam; no key twice, k at most
 * 100,000 (the bound: 8 bytes a message, 800 KB when full; the
 * keys are random bits, which zlib cannot shrink). Written only
 * when the record holds a message.
 * Optional "prio": the prior of online learning (the weights w0 the
 * online step pulls towards; lower-case, so that an older reader skips it
 * and learns as before, without the pull): u32 p, the words that have a
 * prior weight (ids below p; the others' is 0), u32 0, u64 k, then k
 * LEB128 gaps (the first id, then id - previous id - 1) and k f32 prior
 * weights: the words whose prior weight is not their weight in this file
 * (every other word of the first p has its weight as prior weight, so a
 * model whose data moved few words stores few). After the weights.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mail/contacts.h"
#include "model/model.h"
#include "model/sections.h"

#define PATH_MAX_POINTS 256
#define BASE_NAME_MAX 4096
#define ONLN_HEAD SPAMLR__ONLINE_HEAD

void spamlr__online_head_put(const spamlr_model *m, wbuf *pl)
{
    put_u32(pl, m->online);
    put_u32(pl, 0);
    put_f64(pl, m->eta);
    put_f64(pl, m->beta);
    put_f64(pl, m->on_l1);
    put_f64(pl, m->on_l2);
    put_f64(pl, m->bias_acc);
    put_f64(pl, m->bias_z);
    put_u64(pl, m->updates);
    put_u64(pl, m->last_hash);
    put_f64(pl, m->last_gz);
}

void spamlr__online_head_get(spamlr_model *m, const unsigned char *p)
{
    m->online = get_u32(p);
    m->eta = get_f64(p + 8);
    m->beta = get_f64(p + 16);
    m->on_l1 = get_f64(p + 24);
    m->on_l2 = get_f64(p + 32);
    m->bias_acc = get_f64(p + 40);
    m->bias_z = get_f64(p + 48);
    m->updates = get_u64(p + 56);
    m->last_hash = get_u64(p + 64);
    m->last_gz = get_f64(p + 72);
}
#define ONMM_HEAD (8 + 4 + 4 + 8 + 8 + 4 + 4)

/* ------------------------------------------------------------ writing */

/* The optional "onmm" section (see the top of the file). */
static void put_memory(const spamlr_model *m, wbuf *pl)
{
    uint64_t len = ONMM_HEAD;
    size_t c, i, j;

    for (c = 0; c < 2; c++)
        for (i = 0; i < m->mem_n[c]; i++)
            len += 4 + (uint64_t)m->mem[c][i].k * 8;
    put_tag(pl, "onmm", len);
    put_f64(pl, m->margin);
    put_u32(pl, m->mem_max);
    put_u32(pl, 0);
    put_u64(pl, m->mem_seen[0]);
    put_u64(pl, m->mem_seen[1]);
    put_u32(pl, (uint32_t)m->mem_n[0]);
    put_u32(pl, (uint32_t)m->mem_n[1]);
    for (c = 0; c < 2; c++)
        for (i = 0; i < m->mem_n[c]; i++) {
            const spamlr__memrow *r = &m->mem[c][i];
            put_u32(pl, r->k);
            for (j = 0; j < r->k; j++)
                put_u32(pl, r->ids[j]);
            for (j = 0; j < r->k; j++)
                put_f32(pl, r->val[j]);
        }
}

int spamlr__prior_changed(const spamlr_model *m, uint32_t **ids, size_t *k)
{
    size_t j;
    float w;

    *k = 0;
    if (!(*ids = malloc((m->prior_n + 1) * sizeof **ids)))
        return SPAMLR_ENOMEM;
    for (j = 0; j < m->prior_n; j++) {
        w = spamlr__saved_weight(m, j);
        if (memcmp(&w, &m->prior_w[j], sizeof w) != 0)
            (*ids)[(*k)++] = (uint32_t)j;
    }
    return SPAMLR_OK;
}

/* The optional "prio" section (see the top of the file). */
static void put_prior(const spamlr_model *m, wbuf *pl)
{
    wbuf s = {0};
    uint32_t *ids;
    size_t i, k;

    if (spamlr__prior_changed(m, &ids, &k)) {
        pl->err = SPAMLR_ENOMEM;
        return;
    }
    put_u32(&s, (uint32_t)m->prior_n);
    put_u32(&s, 0);
    put_u64(&s, k);
    for (i = 0; i < k; i++)
        put_varint(&s, i ? (uint64_t)(ids[i] - ids[i - 1] - 1) : ids[0]);
    for (i = 0; i < k; i++)
        put_f32(&s, m->prior_w[ids[i]]);
    if (s.err)
        pl->err = s.err;
    put_tag(pl, "prio", s.n);
    put(pl, s.p, s.n);
    free(s.p);
    free(ids);
}

void spamlr__sections_put(const spamlr_model *m, wbuf *pl)
{
    spamlr__sections_put_only(m, pl, SPAMLR__SEC_ALL);
}

void spamlr__sections_put_only(const spamlr_model *m, wbuf *pl, unsigned which)
{
    size_t i;

    if ((which & SPAMLR__SEC_PRUN) && m->pruned_from) {
        put_tag(pl, "prun", 8);
        put_u64(pl, m->pruned_from);
    }
    if ((which & SPAMLR__SEC_UNSR) && m->ham_cutoff < m->spam_cutoff) {
        put_tag(pl, "unsr", 16);
        put_f64(pl, m->ham_cutoff);
        put_f64(pl, m->spam_cutoff);
    }
    if ((which & SPAMLR__SEC_CPTH) && m->path_n) {
        put_tag(pl, "cpth", 8 + (uint64_t)m->path_n * 24);
        put_u32(pl, m->path_folds);
        put_u32(pl, (uint32_t)m->path_n);
        for (i = 0; i < m->path_n; i++) {
            put_f64(pl, m->path[i].c);
            put_f64(pl, m->path[i].log_loss);
            put_f64(pl, m->path[i].auc);
        }
    }
    if ((which & SPAMLR__SEC_BASE) && m->base_name) {
        size_t k = strlen(m->base_name);

        if (k > BASE_NAME_MAX)
            k = BASE_NAME_MAX;
        put_tag(pl, "base", 16 + (uint64_t)k);
        put_u32(pl, m->base_crc);
        put_u32(pl, (uint32_t)k);
        put_u64(pl, (uint64_t)m->base_trained_at);
        put(pl, m->base_name, k);
    }
    if ((which & SPAMLR__SEC_CTCT) && m->contacts) {
        uint64_t k = 4;
        for (i = 0; i < m->contacts->n; i++)
            k += 2 + strlen(m->contacts->e[i]);
        put_tag(pl, "ctct", k);
        put_u32(pl, (uint32_t)m->contacts->n);
        for (i = 0; i < m->contacts->n; i++) {
            size_t l = strlen(m->contacts->e[i]);
            unsigned char t[2] = {(unsigned char)l, (unsigned char)(l >> 8)};
            put(pl, t, 2);
            put(pl, m->contacts->e[i], l);
        }
    }
    if ((which & SPAMLR__SEC_SEEN) && m->seen.live) {
        size_t j = 0;
        uint64_t e;
        put_tag(pl, "seen", 8 + (uint64_t)m->seen.live * 8);
        put_u32(pl, (uint32_t)m->seen.live);
        put_u32(pl, 0);
        while ((e = spamlr__seen_at(&m->seen, &j)))
            put_u64(pl, e);
    }
    if ((which & SPAMLR__SEC_PRIO) && m->prior_w)
        put_prior(m, pl);
    if ((which & SPAMLR__SEC_DFRQ) && m->df && m->idf) {
        put_tag(pl, "dfrq", 16 + (uint64_t)m->vocab.n * 4);
        put_u64(pl, m->df_n);
        put_u64(pl, m->df_ref);
        for (i = 0; i < m->vocab.n; i++)
            put_u32(pl, m->df[i]);
    }
    if ((which & SPAMLR__SEC_ONMM) && m->online && m->acc)
        put_memory(m, pl);
    if ((which & SPAMLR__SEC_ONLN) && m->online && m->acc) {
        put_tag(pl, "onln", ONLN_HEAD + (uint64_t)m->vocab.n * (m->acc_z ? 8 : 4));
        spamlr__online_head_put(m, pl);
        for (i = 0; i < m->vocab.n; i++)
            put_f32(pl, m->acc[i]);
        for (i = 0; m->acc_z && i < m->vocab.n; i++)
            put_f32(pl, m->acc_z[i]);
        put_memory(m, pl);
    }
}

/* ------------------------------------------------------------ reading */

/* The optional "dfrq" section (see the top of the file). */
static int parse_counts(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                        spamlr_diag *d)
{
    size_t i;

    if (m->df)
        return bad(d, SPAMLR_ECORRUPT, -1, "document count section appears twice");
    if (m->text.features != SPAMLR_FEAT_TFIDF)
        return bad(d, SPAMLR_ECORRUPT, -1, "document counts in a model without idf values");
    if (n < 16 || (n - 16) / 4 != count || (n - 16) % 4)
        return bad(d, SPAMLR_ECORRUPT, -1, "document count section has the wrong size");
    m->df_n = get_u64(p);
    m->df_ref = get_u64(p + 8);
    if (m->df_n > SPAMLR__MAX_COUNT || m->df_ref > SPAMLR__MAX_COUNT)
        return bad(d, SPAMLR_ECORRUPT, -1, "document count out of range");
    if (!(m->df = malloc((size_t)(count + 1) * sizeof *m->df)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < count; i++)
        m->df[i] = get_u32(p + 16 + 4 * i);
    return SPAMLR_OK;
}

/* The optional "onln" section (see the top of the file). */
static int parse_online(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                        spamlr_diag *d)
{
    uint32_t solver;
    size_t i, per;

    if (n < ONLN_HEAD)
        return bad(d, SPAMLR_ECORRUPT, -1, "online state section too short");
    solver = get_u32(p);
    if (solver != SPAMLR_SOLVER_ADAGRAD && solver != SPAMLR_SOLVER_FTRL)
        return bad(d, SPAMLR_ECORRUPT, -1, "online state of an unknown solver");
    per = solver == SPAMLR_SOLVER_FTRL ? 8 : 4;
    if (n - ONLN_HEAD != count * per)
        return bad(d, SPAMLR_ECORRUPT, -1, "online state section has the wrong size");
    spamlr__online_head_get(m, p);
    if (!(m->eta > 0) || !(m->eta <= SPAMLR__ETA_MAX) || !(m->beta >= 0) || !isfinite(m->beta) ||
        !(m->on_l1 >= 0) || !isfinite(m->on_l1) || !(m->on_l2 >= 0) || !isfinite(m->on_l2) ||
        !(m->bias_acc >= 0) || !isfinite(m->bias_acc) || !isfinite(m->bias_z) ||
        !isfinite(m->last_gz))
        return bad(d, SPAMLR_ECORRUPT, -1, "online settings out of range");
    if (!(m->acc = malloc((size_t)(count + 1) * sizeof *m->acc)) ||
        (per == 8 && !(m->acc_z = malloc((size_t)(count + 1) * sizeof *m->acc_z))))
        return SPAMLR_ENOMEM;
    p += ONLN_HEAD;
    for (i = 0; i < count; i++) {
        m->acc[i] = get_f32(p + 4 * i);
        if (!(m->acc[i] >= 0) || !isfinite(m->acc[i]))
            return bad(d, SPAMLR_ECORRUPT, -1, "an online accumulator is out of range");
        if (per == 8 && !isfinite(m->acc_z[i] = get_f32(p + 4 * (count + i))))
            return bad(d, SPAMLR_ECORRUPT, -1, "an online z value is not finite");
    }
    m->online = solver;
    m->margin = SPAMLR__DEFAULT_MARGIN;
    m->mem_max = SPAMLR__DEFAULT_MEMORY;
    return SPAMLR_OK;
}

/* The optional "onmm" section (see the top of the file); after "onln". */
static int parse_memory(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                        spamlr_diag *d)
{
    size_t c, i, j, pos = ONMM_HEAD, want[2];

    if (n < ONMM_HEAD)
        return bad(d, SPAMLR_ECORRUPT, -1, "online memory section too short");
    m->margin = get_f64(p);
    m->mem_max = get_u32(p + 8);
    m->mem_seen[0] = get_u64(p + 16);
    m->mem_seen[1] = get_u64(p + 24);
    want[0] = get_u32(p + 32);
    want[1] = get_u32(p + 36);
    if (!(m->margin >= 0) || want[0] > m->mem_max || want[1] > m->mem_max ||
        want[0] > m->mem_seen[0] || want[1] > m->mem_seen[1])
        return bad(d, SPAMLR_ECORRUPT, -1, "online memory settings out of range");
    /* a row takes 4 bytes at least: no room is made for rows the section
     * cannot hold (a file claiming 2^32 rows asked for 96 GB) */
    if (want[0] + want[1] > (n - ONMM_HEAD) / 4)
        return bad(d, SPAMLR_ECORRUPT, -1, "online memory section has the wrong size");
    for (c = 0; c < 2; c++) {
        if (want[c] && !(m->mem[c] = calloc(want[c], sizeof *m->mem[c])))
            return SPAMLR_ENOMEM;
        m->mem_cap[c] = want[c];
        for (i = 0; i < want[c]; i++) {
            spamlr__memrow *r = &m->mem[c][i];
            uint32_t k;
            if (n - pos < 4 || (k = get_u32(p + pos), (n - pos - 4) / 8 < k))
                return bad(d, SPAMLR_ECORRUPT, -1, "online memory section has the wrong size");
            pos += 4;
            if (!(r->ids = malloc((size_t)k * 8 + 1)))
                return SPAMLR_ENOMEM;
            r->k = k;
            r->val = (float *)(void *)(r->ids + k);
            m->mem_n[c]++;
            for (j = 0; j < k; j++) {
                r->ids[j] = get_u32(p + pos + 4 * j);
                r->val[j] = get_f32(p + pos + 4 * (k + j));
                if (r->ids[j] >= count || !isfinite(r->val[j]))
                    return bad(d, SPAMLR_ECORRUPT, -1, "online memory row out of range");
            }
            pos += (size_t)k * 8;
        }
    }
    if (pos != n)
        return bad(d, SPAMLR_ECORRUPT, -1, "online memory section has the wrong size");
    return SPAMLR_OK;
}

/* The optional "seen" section (see the top of the file). */
static int parse_seen(spamlr_model *m, const unsigned char *p, size_t n, spamlr_diag *d)
{
    uint32_t k, i;
    int rc;

    if (m->seen.live)
        return bad(d, SPAMLR_ECORRUPT, -1, "record of learned messages appears twice");
    if (n < 8 || (k = get_u32(p)) > SPAMLR__SEEN_MAX || n != 8 + (size_t)k * 8)
        return bad(d, SPAMLR_ECORRUPT, -1, "record of learned messages has the wrong size");
    for (i = 0; i < k; i++) {
        uint64_t e = get_u64(p + 8 + 8 * (size_t)i), key = e & ~(uint64_t)1;
        if (!key || spamlr__seen_find(&m->seen, key) >= 0)
            return bad(d, SPAMLR_ECORRUPT, -1, "record of learned messages holds a bad key");
        if ((rc = spamlr__seen_put(&m->seen, key, (int)(e & 1))))
            return rc;
    }
    return SPAMLR_OK;
}

/* The optional "prio" section (see the top of the file); after the
 * weights, which give every prior weight it does not list. */
static int parse_prior(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                       spamlr_diag *d)
{
    size_t pos = 16, i, pn;
    uint64_t k, id = 0, gap;
    uint32_t *ids = NULL;
    int rc = SPAMLR_OK;

    if (m->prior_w)
        return bad(d, SPAMLR_ECORRUPT, -1, "prior section appears twice");
    if (!m->w)
        return bad(d, SPAMLR_ECORRUPT, -1, "prior section before the weights");
    if (n < 16 || (pn = get_u32(p)) > count || (k = get_u64(p + 8)) > pn)
        return bad(d, SPAMLR_ECORRUPT, -1, "prior section has the wrong size");
    if (!(m->prior_w = malloc((pn + 1) * sizeof *m->prior_w)) ||
        !(ids = malloc(((size_t)k + 1) * sizeof *ids)))
        return SPAMLR_ENOMEM;
    memcpy(m->prior_w, m->w, pn * sizeof *m->prior_w);
    m->prior_n = pn;
    for (i = 0; i < k && !rc; i++) {
        if (get_varint(p, n, &pos, &gap) || (id = i ? id + gap + 1 : gap) >= pn)
            rc = bad(d, SPAMLR_ECORRUPT, -1, "prior section has the wrong size");
        ids[i] = (uint32_t)id;
    }
    if (!rc && n - pos != k * 4)
        rc = bad(d, SPAMLR_ECORRUPT, -1, "prior section has the wrong size");
    for (i = 0; i < k && !rc; i++)
        if (!isfinite(m->prior_w[ids[i]] = get_f32(p + pos + 4 * i)))
            rc = bad(d, SPAMLR_ECORRUPT, -1, "a prior weight is not finite");
    free(ids);
    return rc;
}

/* The optional "cpth" section: u32 folds, u32 n, n x (f64 C, f64 log
 * loss, f64 AUC or NaN), the regularisation path that chose C. */
static int parse_path(spamlr_model *m, const unsigned char *p, size_t n, spamlr_diag *d)
{
    spamlr_path_point pt[PATH_MAX_POINTS];
    uint32_t k, i;

    if (n < 8 || (k = get_u32(p + 4)) == 0 || k > PATH_MAX_POINTS || n != 8 + (size_t)k * 24)
        return bad(d, SPAMLR_ECORRUPT, -1, "regularisation path section has the wrong size");
    if (get_u32(p) < 2) /* validation folds: a path chose C with 2 or more */
        return bad(d, SPAMLR_ECORRUPT, -1, "regularisation path with fewer than 2 folds");
    for (i = 0; i < k; i++) {
        pt[i].c = get_f64(p + 8 + 24 * i);
        pt[i].log_loss = get_f64(p + 16 + 24 * i);
        pt[i].auc = get_f64(p + 24 + 24 * i);
        if (!(pt[i].c > 0) || !isfinite(pt[i].c) || !(pt[i].log_loss >= 0) ||
            !isfinite(pt[i].log_loss) || (!isnan(pt[i].auc) && !(pt[i].auc >= 0 && pt[i].auc <= 1)))
            return bad(d, SPAMLR_ECORRUPT, -1, "a regularisation path point is out of range");
    }
    return spamlr__model_set_path(m, pt, k, get_u32(p));
}

static int parse_base(spamlr_model *m, const unsigned char *p, size_t n, spamlr_diag *d)
{
    char name[BASE_NAME_MAX + 1];
    uint32_t k;

    if (n < 16 || (k = get_u32(p + 4)) > BASE_NAME_MAX || n != 16 + (size_t)k)
        return bad(d, SPAMLR_ECORRUPT, -1, "base model section has the wrong size");
    memcpy(name, p + 16, k);
    name[k] = '\0';
    if (strlen(name) != k)
        return bad(d, SPAMLR_ECORRUPT, -1, "base model name holds a NUL byte");
    return spamlr__model_set_base(m, name, get_u32(p), (int64_t)get_u64(p + 8));
}

/* The optional "ctct" section (see the top of the file): every entry must
 * be normalised already, and in order, so that a damaged list is refused
 * rather than matched differently. */
static int parse_contacts(spamlr_model *m, const unsigned char *p, size_t n, spamlr_diag *d)
{
    spamlr_contacts *c = NULL;
    char e[SPAMLR__CONTACT_MAX + 1], prev[SPAMLR__CONTACT_MAX + 1] = "";
    size_t pos = 4, i, k;
    int rc;

    if (n < 4)
        return bad(d, SPAMLR_ECORRUPT, -1, "contact section too short");
    k = get_u32(p);
    if (k > (n - 4) / 3)
        return bad(d, SPAMLR_ECORRUPT, -1, "contact section has the wrong size");
    if ((rc = spamlr_contacts_create(&c)))
        return rc;
    for (i = 0; i < k && !rc; i++) {
        size_t l;
        if (n - pos < 2 || (l = (size_t)p[pos] | (size_t)p[pos + 1] << 8) == 0 ||
            l > SPAMLR__CONTACT_MAX || l > n - pos - 2) {
            rc = bad(d, SPAMLR_ECORRUPT, -1, "contact section has the wrong size");
            break;
        }
        if (spamlr__contact_norm((const char *)p + pos + 2, l, e) != l ||
            memcmp(e, p + pos + 2, l) != 0 || (i && strcmp(prev, e) >= 0)) {
            rc = bad(d, SPAMLR_ECORRUPT, -1, "contact list entry not normalised or out of order");
            break;
        }
        memcpy(prev, e, l + 1);
        rc = spamlr_contacts_add(c, e, l);
        pos += 2 + l;
    }
    if (!rc && pos != n)
        rc = bad(d, SPAMLR_ECORRUPT, -1, "contact section has the wrong size");
    if (!rc) {
        spamlr_contacts_free(m->contacts);
        m->contacts = c;
        c = NULL;
    }
    spamlr_contacts_free(c);
    return rc;
}

int spamlr__section_next(const unsigned char *p, size_t n, size_t *pos,
                         const unsigned char **tag, size_t *len, const char *where,
                         spamlr_diag *d)
{
    uint64_t l;

    if (*pos >= n)
        return 0;
    if (n - *pos < 12)
        return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, -1,
                            "section header runs past %s", where);
    l = get_u64(p + *pos + 4);
    if (l > n - *pos - 12)
        return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, -1, "section runs past %s", where);
    *tag = p + *pos;
    *len = (size_t)l;
    *pos += 12 + (size_t)l;
    return 1;
}

/* Whether the float with bits u is not finite (idf 0), or not a valid idf
 * value (idf 1: spamlr__idf_ok, on the bits: +0 .. 1e9 and -0). */
static inline int f32_bad(uint32_t u, int idf)
{
    return idf ? u > 0x4E6E6B28u && u != 0x80000000u : (u & 0x7F800000u) == 0x7F800000u;
}

int spamlr__read_f32s(float **out, const unsigned char *p, size_t n, long long off, int idf,
                      const char *what, spamlr_diag *d)
{
    size_t i;
    int bad = 0;

    if (!(*out = malloc((n + 1) * sizeof **out)))
        return SPAMLR_ENOMEM;
    /* every value, the test without a branch (a vector loop: a mapped
     * model's 42,000 weights and idf values are read on every load) */
    for (i = 0; i < n; i++) {
        uint32_t u = get_u32(p + 4 * i);

        memcpy(*out + i, &u, 4);
        bad |= f32_bad(u, idf);
    }
    for (i = 0; bad && i < n; i++)      /* which one, for the message */
        if (f32_bad(get_u32(p + 4 * i), idf))
            return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, off < 0 ? -1 : off + 4 * (long long)i,
                                idf ? "an %s value is out of range (0 to 1e9)"
                                    : "a %s value is not finite", what);
    return SPAMLR_OK;
}

int spamlr__sections_read(spamlr_model *m, const unsigned char tag[4], const unsigned char *p,
                          size_t len, uint64_t count, spamlr__sections_met *met,
                          spamlr_diag *d)
{
    /* loaded to predict (SPAMLR_LOAD_PREDICT): the learner's state is not
     * read (it would be most of the work for one mail) */
    if (m->predict_only && (memcmp(tag, "onln", 4) == 0 || memcmp(tag, "onmm", 4) == 0 ||
                            memcmp(tag, "seen", 4) == 0 || memcmp(tag, "dfrq", 4) == 0 ||
                            memcmp(tag, "prio", 4) == 0))
        return SPAMLR_OK;
    if (memcmp(tag, "prun", 4) == 0 && len == 8) {
        m->pruned_from = get_u64(p);
        return m->pruned_from < count ? bad(d, SPAMLR_ECORRUPT, -1,
                                            "pruned from fewer words than it holds")
                                      : SPAMLR_OK;
    } else if (memcmp(tag, "onln", 4) == 0) {
        if (met->online++)
            return bad(d, SPAMLR_ECORRUPT, -1, "online state section appears twice");
        return parse_online(m, p, len, count, d);
    } else if (memcmp(tag, "onmm", 4) == 0) {
        if (met->memory++)
            return bad(d, SPAMLR_ECORRUPT, -1, "online memory section appears twice");
        if (!met->online)
            return SPAMLR_OK; /* without "onln" (before it): ignored */
        return parse_memory(m, p, len, count, d);
    } else if (memcmp(tag, "seen", 4) == 0) {
        return parse_seen(m, p, len, d);
    } else if (memcmp(tag, "dfrq", 4) == 0) {
        return parse_counts(m, p, len, count, d);
    } else if (memcmp(tag, "unsr", 4) == 0 && len == 16) {
        m->ham_cutoff = get_f64(p);
        m->spam_cutoff = get_f64(p + 8);
        return m->ham_cutoff >= 0 && m->ham_cutoff < m->spam_cutoff && m->spam_cutoff <= 1
               ? SPAMLR_OK : bad(d, SPAMLR_ECORRUPT, -1, "unsure zone out of range");
    } else if (memcmp(tag, "cpth", 4) == 0) {
        return m->path_n ? bad(d, SPAMLR_ECORRUPT, -1, "path section appears twice")
                         : parse_path(m, p, len, d);
    } else if (memcmp(tag, "base", 4) == 0) {
        return m->base_name ? bad(d, SPAMLR_ECORRUPT, -1, "base model section appears twice")
                            : parse_base(m, p, len, d);
    } else if (memcmp(tag, "prio", 4) == 0) {
        return parse_prior(m, p, len, count, d);
    } else if (memcmp(tag, "ctct", 4) == 0) {
        return m->contacts ? bad(d, SPAMLR_ECORRUPT, -1, "contact section appears twice")
                           : parse_contacts(m, p, len, d);
    }
    return SPAMLR_OK; /* optional section of a later version */
}
