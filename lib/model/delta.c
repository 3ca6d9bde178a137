/* delta.c - a per-user model kept as its changes to a shared base model
 * (spamlr_model_save_delta, spamlr_model_load_delta).
 *
 * A delta is a model file (model_io.c's framing: magic, format version 3,
 * flags with bit 2 set, the user model's metadata, zlib, CRC-32) whose
 * vocabulary size is the user model's and whose payload holds, instead of
 * the whole model, these sections (little-endian):
 *   "DBAS" u32 the base file's CRC-32, u32 0, u64 the base's vocabulary
 *          size nb, i64 the base's trained_at: which base it applies to.
 *   "DONL" (when the user model learns online) its online scalars, as the
 *          head of a model file's "onln": u32 solver, u32 0, f64 eta,
 *          beta, l1, l2, bias accumulator, bias z, u64 updates, u64 hash of
 *          the last step, f64 its gradient factor.
 *   "DWTS" the base words that changed: u64 k, k LEB128 gaps (the first
 *          id, then id - previous id - 1: ascending ids below nb), k f32
 *          weights and, with "DONL", k f32 accumulators and (FTRL) k f32 z.
 *   "DNEW" the words the base lacks (ids nb and up, in order): u64 k, k
 *          tokens as "TOKS" writes them, k f32 weights, (tf-idf) k f32 idf,
 *          (with "DONL") k f32 accumulators (, k f32 z).
 * then the user's own optional sections, as in a model file: "unsr",
 * "ctct" (only when the list differs from the base's), "seen", "onmm".
 * A base word not in "DWTS" has the base's weight and the online state the
 * user's copy of the base started with: the base's accumulators when the
 * base learns online with the same solver, else 0 (and for FTRL the z that
 * spamlr_model_online_setup derives from the weight). Everything else
 * (vocabulary, idf, weight precision, pruning, path, contact list unless
 * the delta has one) comes from the base. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/contacts.h"
#include "model/model.h"
#include "model/sections.h"
#include "text/tokenize.h"

#define DONL_LEN SPAMLR__ONLINE_HEAD
#define MAX_TOKEN 4096

static int same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The online state a user's copy of base starts with for base word i
 * (see the top of the file); u holds the user's online settings. */
static float start_acc(const spamlr_model *u, const spamlr_model *base, size_t i)
{
    return base->online == u->online && base->acc ? base->acc[i] : 0.0f;
}

static float start_z(const spamlr_model *u, const spamlr_model *base, size_t i)
{
    if (base->online == u->online && base->acc_z)
        return base->acc_z[i];
    return (float)spamlr__ftrl_z_of(u, base->w[i], 1, base->w[i]);
}

/* Whether m was made from base: same settings, base's words first. */
static int check_extends(const spamlr_model *m, const spamlr_model *base, spamlr_diag *d)
{
    size_t i, nb = base->vocab.n;

    if (!base->file_crc)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "the base was not loaded from a "
                            "file: its checksum, which a delta records, is unknown");
    if (!spamlr__text_opts_equal(&m->text, &base->text) || m->has_bias != base->has_bias ||
        !m->idf != !base->idf)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "the model's text options, bias "
                            "or idf setting differ from the base's");
    if (m->vocab.n < nb)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "the model has %zu words, fewer "
                            "than the base's %zu", m->vocab.n, nb);
    for (i = 0; i < nb; i++) {
        if (m->vocab.len[i] != base->vocab.len[i] ||
            memcmp(spamlr__vocab_str(&m->vocab, (uint32_t)i),
                   spamlr__vocab_str(&base->vocab, (uint32_t)i), m->vocab.len[i]) != 0)
            return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "word %zu of the model is not "
                                "the base's: the model was not made from this base", i);
        if (m->idf && !same_bits(m->idf[i], base->idf[i]))
            return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "the idf of word %zu differs "
                                "from the base's", i);
    }
    return SPAMLR_OK;
}

/* Whether two contact lists hold the same entries (NULL = none). */
static int same_contacts(const spamlr_contacts *a, const spamlr_contacts *b)
{
    size_t i;

    if (!a || !b)
        return a == b;
    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++)
        if (strcmp(a->e[i], b->e[i]) != 0)
            return 0;
    return 1;
}

static void put_online_head(const spamlr_model *m, wbuf *pl)
{
    put_tag(pl, "DONL", DONL_LEN);
    spamlr__online_head_put(m, pl);
}

/* "DWTS": the base words whose saved weight or online state differ. */
static int put_changed(const spamlr_model *m, const spamlr_model *base, int online, wbuf *pl)
{
    wbuf s = {0};
    uint32_t *ids = NULL;
    size_t i, k = 0, nb = base->vocab.n;

    if (!(ids = malloc((nb + 1) * sizeof *ids)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < nb; i++)
        if (!same_bits(spamlr__saved_weight(m, i), base->w[i]) ||
            (online && !same_bits(m->acc[i], start_acc(m, base, i))) ||
            (online && m->acc_z && !same_bits(m->acc_z[i], start_z(m, base, i))))
            ids[k++] = (uint32_t)i;
    put_u64(&s, k);
    for (i = 0; i < k; i++)
        put_varint(&s, i ? (uint64_t)(ids[i] - ids[i - 1] - 1) : ids[0]);
    for (i = 0; i < k; i++)
        put_f32(&s, spamlr__saved_weight(m, ids[i]));
    for (i = 0; online && i < k; i++)
        put_f32(&s, m->acc[ids[i]]);
    for (i = 0; online && m->acc_z && i < k; i++)
        put_f32(&s, m->acc_z[ids[i]]);
    put_tag(pl, "DWTS", s.n);
    put(pl, s.p, s.n);
    free(ids);
    free(s.p);
    return s.err ? s.err : pl->err;
}

/* "DNEW": the words the base lacks. */
static void put_new(const spamlr_model *m, size_t nb, int online, wbuf *pl)
{
    size_t i, n = m->vocab.n, k = n - nb;
    uint64_t len = 8 + (uint64_t)k * 4 * (1 + (m->idf != NULL) +
                                          (online ? (m->acc_z ? 2 : 1) : 0));

    for (i = nb; i < n; i++)
        len += m->vocab.len[i] + (m->vocab.len[i] < 128 ? 1 : 2);
    put_tag(pl, "DNEW", len);
    put_u64(pl, k);
    for (i = nb; i < n; i++) {
        uint32_t l = m->vocab.len[i];
        unsigned char v[2] = {(unsigned char)((l & 0x7f) | (l > 0x7f ? 0x80 : 0)),
                              (unsigned char)(l >> 7)};
        put(pl, v, l > 0x7f ? 2 : 1);
        put(pl, spamlr__vocab_str(&m->vocab, (uint32_t)i), l);
    }
    for (i = nb; i < n; i++)
        put_f32(pl, spamlr__saved_weight(m, i));
    for (i = nb; m->idf && i < n; i++)
        put_f32(pl, m->idf[i]);
    for (i = nb; online && i < n; i++)
        put_f32(pl, m->acc[i]);
    for (i = nb; online && m->acc_z && i < n; i++)
        put_f32(pl, m->acc_z[i]);
}

int spamlr_model_save_delta_buffer(const spamlr_model *m, const spamlr_model *base,
                                   unsigned char **out, size_t *size, spamlr_diag *d)
{
    wbuf pl = {0};
    int rc, online;
    unsigned which = SPAMLR__SEC_UNSR | SPAMLR__SEC_SEEN | SPAMLR__SEC_ONMM;

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (out)
        *out = NULL;
    if (size)
        *size = 0;
    if (!m || !base || !out || !size || m->predict_only)
        return SPAMLR_EINVAL;
    if ((rc = check_extends(m, base, d)))
        return rc;
    online = m->online && m->acc;
    put_tag(&pl, "DBAS", 24);
    put_u32(&pl, base->file_crc);
    put_u32(&pl, 0);
    put_u64(&pl, base->vocab.n);
    put_u64(&pl, (uint64_t)base->trained_at);
    if (online)
        put_online_head(m, &pl);
    if ((rc = put_changed(m, base, online, &pl)))
        goto out;
    put_new(m, base->vocab.n, online, &pl);
    if (!same_contacts(m->contacts, base->contacts))
        which |= SPAMLR__SEC_CTCT;
    spamlr__sections_put_only(m, &pl, which);
    if ((rc = pl.err))
        goto out;
    rc = spamlr__model_frame(m, pl.p, pl.n, m->vocab.n, SPAMLR__DELTA_VERSION,
                             SPAMLR__FLAG_DELTA, out, size);
out:
    free(pl.p);
    return rc;
}

int spamlr_model_save_delta(const spamlr_model *m, const spamlr_model *base, const char *path,
                            spamlr_diag *d)
{
    unsigned char *buf = NULL;
    size_t size;
    int rc;

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!m || !base || !path || !*path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr_model_save_delta_buffer(m, base, &buf, &size, d))) {
        if (d)
            snprintf(d->path, sizeof d->path, "%s", path);
        return rc;
    }
    rc = spamlr__save_bytes(buf, size, path, d);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------ reading */

static int corrupt(spamlr_diag *d, const char *what)
{
    return bad(d, SPAMLR_ECORRUPT, -1, what);
}

/* u (the delta's metadata) becomes a copy of base's words, settings and
 * online starting state, before the delta's sections apply. */
static int start_from_base(spamlr_model *u, const spamlr_model *base, uint64_t count)
{
    size_t i, nb = base->vocab.n;
    int rc;

    if ((rc = spamlr__vocab_clone(&u->vocab, &base->vocab)))
        return rc;
    if (!(u->w = malloc((size_t)(count + 1) * sizeof *u->w)) ||
        (base->idf && !(u->idf = malloc((size_t)(count + 1) * sizeof *u->idf))))
        return SPAMLR_ENOMEM;
    memcpy(u->w, base->w, nb * sizeof *u->w);
    if (base->idf)
        memcpy(u->idf, base->idf, nb * sizeof *u->idf);
    u->weight_bits = base->weight_bits;
    u->wscale = base->wscale;
    u->layout = base->layout;
    u->pruned_from = base->pruned_from;
    if (spamlr__model_set_path(u, base->path, base->path_n, base->path_folds))
        return SPAMLR_ENOMEM;
    if (u->online) {
        if (!(u->acc = malloc((size_t)(count + 1) * sizeof *u->acc)) ||
            (u->online == SPAMLR_SOLVER_FTRL &&
             !(u->acc_z = malloc((size_t)(count + 1) * sizeof *u->acc_z))))
            return SPAMLR_ENOMEM;
        for (i = 0; i < nb; i++) {
            u->acc[i] = start_acc(u, base, i);
            if (u->acc_z)
                u->acc_z[i] = start_z(u, base, i);
        }
    }
    return SPAMLR_OK;
}

/* "DONL" (see the top of the file). */
static int read_online(spamlr_model *u, const unsigned char *p, size_t n, spamlr_diag *d)
{
    if (n != DONL_LEN)
        return corrupt(d, "delta: online state section has the wrong size");
    spamlr__online_head_get(u, p);
    u->margin = SPAMLR__DEFAULT_MARGIN;
    u->mem_max = SPAMLR__DEFAULT_MEMORY;
    if (u->online != SPAMLR_SOLVER_ADAGRAD && u->online != SPAMLR_SOLVER_FTRL)
        return corrupt(d, "delta: online state of an unknown solver");
    return SPAMLR_OK; /* the values are checked with the metadata */
}

/* One f32 value of an array (what: for the message): finite, and >= 0
 * for accumulators. */
static int read_value(float *dst, const unsigned char *p, int nonneg, spamlr_diag *d)
{
    float v = get_f32(p);

    if (!isfinite(v) || (nonneg && !(v >= 0)))
        return corrupt(d, "delta: a weight, idf or online value is out of range");
    *dst = v;
    return SPAMLR_OK;
}

/* A weight (read_value) of u, on its grid when 16-bit, as the writer
 * leaves it (spamlr__saved_weight). */
static int read_weight(spamlr_model *u, size_t j, const unsigned char *p, spamlr_diag *d)
{
    int rc = read_value(&u->w[j], p, 0, d);

    if (!rc && u->weight_bits == 16 && u->w[j] != spamlr__saved_weight(u, j))
        return corrupt(d, "delta: a 16-bit weight lies off its grid");
    return rc;
}

/* "DWTS" (see the top of the file). */
static int read_changed(spamlr_model *u, size_t nb, const unsigned char *p, size_t n,
                        spamlr_diag *d)
{
    size_t i, pos = 8, per = 1 + (u->online ? 1 : 0) + (u->acc_z ? 1 : 0), *ids = NULL;
    uint64_t k, id = 0;
    int rc = SPAMLR_OK;

    if (n < 8 || (k = get_u64(p)) > nb)
        return corrupt(d, "delta: changed-word section has the wrong size");
    if (!(ids = malloc(((size_t)k + 1) * sizeof *ids)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < k && !rc; i++) {
        uint64_t gap;
        if (get_varint(p, n, &pos, &gap)) {
            rc = corrupt(d, "delta: changed-word section has the wrong size");
            break;
        }
        id = i ? id + gap + 1 : gap;
        if (!rc && id >= nb)
            rc = corrupt(d, "delta: a changed word lies outside the base");
        ids[i] = (size_t)id;
    }
    if (!rc && (n - pos) / 4 != k * per)
        rc = corrupt(d, "delta: changed-word section has the wrong size");
    if (!rc && (n - pos) % 4)
        rc = corrupt(d, "delta: changed-word section has the wrong size");
    for (i = 0; i < k && !rc; i++) {
        rc = read_weight(u, ids[i], p + pos + 4 * i, d);
        if (!rc && u->online)
            rc = read_value(&u->acc[ids[i]], p + pos + 4 * (k + i), 1, d);
        if (!rc && u->acc_z)
            rc = read_value(&u->acc_z[ids[i]], p + pos + 4 * (2 * k + i), 0, d);
    }
    free(ids);
    return rc;
}

/* "DNEW" (see the top of the file): exactly count - nb new words. */
static int read_new(spamlr_model *u, size_t nb, uint64_t count, const unsigned char *p,
                    size_t n, spamlr_diag *d)
{
    size_t i, pos = 8, k, per = 1 + (u->idf ? 1 : 0) + (u->online ? 1 : 0) + (u->acc_z ? 1 : 0);
    uint32_t id;
    int rc, added;

    if (n < 8 || get_u64(p) != count - nb)
        return corrupt(d, "delta: new-word section has the wrong size");
    k = (size_t)(count - nb);
    for (i = 0; i < k; i++) {
        uint32_t len;
        if (pos >= n)
            return corrupt(d, "delta: new-word section has the wrong size");
        len = p[pos] & 0x7f;
        if (p[pos++] & 0x80) {
            if (pos >= n)
                return corrupt(d, "delta: new-word section has the wrong size");
            len |= (uint32_t)p[pos++] << 7;
        }
        if (len > MAX_TOKEN || len > n - pos)
            return corrupt(d, "delta: a new word is longer than its section allows");
        if ((rc = spamlr__vocab_intern(&u->vocab, (const char *)p + pos, len, &id, &added)))
            return rc;
        if (!added)
            return corrupt(d, "delta: a new word is already in the base or appears twice");
        pos += len;
    }
    if ((n - pos) % 4 || (n - pos) / 4 != k * per)
        return corrupt(d, "delta: new-word section has the wrong size");
    p += pos;
    for (i = 0; i < k; i++) {
        size_t j = nb + i, at = 0;
        if ((rc = read_weight(u, j, p + 4 * i, d)))
            return rc;
        if (u->idf && (rc = read_value(&u->idf[j], p + 4 * (k * ++at + i), 1, d)))
            return rc;
        if (u->idf && !spamlr__idf_ok(u->idf[j]))
            return corrupt(d, "delta: an idf value is out of range (0 to 1e9)");
        if (u->online && (rc = read_value(&u->acc[j], p + 4 * (k * ++at + i), 1, d)))
            return rc;
        if (u->acc_z && (rc = read_value(&u->acc_z[j], p + 4 * (k * ++at + i), 0, d)))
            return rc;
    }
    return SPAMLR_OK;
}

/* "DBAS": the delta must be on this base. */
static int read_base(const spamlr_model *base, const unsigned char *p, size_t n,
                     spamlr_diag *d)
{
    uint32_t crc;
    uint64_t nb;

    if (n != 24)
        return corrupt(d, "delta: base section has the wrong size");
    crc = get_u32(p);
    nb = get_u64(p + 8);
    if (crc != base->file_crc || nb != base->vocab.n)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "a delta on the base with checksum "
                            "%08x (%llu words); the base given (%s) is %08x (%zu words): the "
                            "user's changes apply to that base only (restore it, or remove "
                            "the user's model to start again from this base)",
                            (unsigned)crc, (unsigned long long)nb,
                            base->file_name ? base->file_name : "in memory",
                            (unsigned)base->file_crc, base->vocab.n);
    return SPAMLR_OK;
}

/* The delta's payload p[0..n) applied to u (its metadata). */
static int read_delta(spamlr_model *u, const spamlr_model *base, const unsigned char *p,
                      size_t n, uint64_t count, int has_idf, spamlr_diag *d)
{
    spamlr__sections_met met = {0, 0};
    size_t pos = 0, nb = base->vocab.n, len;
    const unsigned char *tag;
    int rc = SPAMLR_OK, more, step = 0, ctct = 0;

    while (!rc && (more = spamlr__section_next(p, n, &pos, &tag, &len, "the delta's payload",
                                               d)) != 0) {
        if (more < 0)
            return more;
        if (step == 0) { /* "DBAS" first, then the settings are checked */
            if (memcmp(tag, "DBAS", 4) != 0)
                return corrupt(d, "delta: the base section is not first");
            if ((rc = read_base(base, tag + 12, len, d)))
                return rc;
            if (!spamlr__text_opts_equal(&u->text, &base->text) || u->has_bias != base->has_bias ||
                has_idf != (base->idf != NULL) || count < nb)
                return corrupt(d, "delta: settings or size disagree with its base");
            /* a new word takes at least 5 bytes (length and weight): no
             * room is made for words the payload cannot hold */
            if (count - nb > n / 5)
                return corrupt(d, "delta: more new words than its payload can hold");
            step = 1;
        } else if (memcmp(tag, "DONL", 4) == 0 && step == 1) {
            rc = read_online(u, tag + 12, len, d);
            step = 2;
        } else if (memcmp(tag, "DWTS", 4) == 0 && step <= 2) {
            if (!(rc = start_from_base(u, base, count)))
                rc = read_changed(u, nb, tag + 12, len, d);
            step = 3;
        } else if (memcmp(tag, "DNEW", 4) == 0 && step == 3) {
            rc = read_new(u, nb, count, tag + 12, len, d);
            met.online = u->online != 0;
            step = 4;
        } else if (tag[0] >= 'A' && tag[0] <= 'Z') {
            return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, -1, "delta: unknown or misplaced "
                                "section \"%.4s\"", (const char *)tag);
        } else if (step == 4 && (memcmp(tag, "unsr", 4) == 0 || memcmp(tag, "seen", 4) == 0 ||
                                 memcmp(tag, "onmm", 4) == 0 || memcmp(tag, "ctct", 4) == 0)) {
            ctct |= memcmp(tag, "ctct", 4) == 0;
            rc = spamlr__sections_read(u, tag, tag + 12, len, count, &met, d);
        } /* other optional sections: of a later version, skipped */
    }
    if (rc)
        return rc;
    if (step != 4)
        return corrupt(d, "delta: a required section is missing");
    if (!ctct && base->contacts && spamlr_model_set_contacts(u, base->contacts))
        return SPAMLR_ENOMEM;
    return SPAMLR_OK;
}

int spamlr_model_load_delta_buffer(spamlr_model **out, const spamlr_model *base,
                                   const unsigned char *buf, size_t size, spamlr_diag *d)
{
    spamlr_model *u = NULL;
    unsigned char *raw = NULL;
    uint32_t flags;
    uint64_t count;
    size_t ulen;
    const char *what;
    int rc;

    if (out)
        *out = NULL;
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!out || !base || (!buf && size))
        return SPAMLR_EINVAL;
    /* a whole model, of either layout: itself */
    if (!(spamlr__model_flags(buf, size) & SPAMLR__FLAG_DELTA))
        return spamlr_model_load_buffer(out, buf, size, d);
    if ((rc = spamlr__model_unframe(buf, size, &u, &raw, &ulen, &count, &flags, d)))
        goto out;
    if ((rc = read_delta(u, base, raw, ulen, count, (flags & 2) != 0, d)))
        goto out;
    if ((what = spamlr__model_meta_check(u))) {
        rc = spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, 20, "metadata out of range: %s", what);
        goto out;
    }
    if ((rc = spamlr__model_set_base(u, base->file_name ? base->file_name : "",
                                     base->file_crc, base->trained_at)))
        goto out;
    /* its online learning pulls towards the base (see spamlr_model_learn) */
    if (!(u->prior_w = malloc((base->vocab.n + 1) * sizeof *u->prior_w))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    memcpy(u->prior_w, base->w, base->vocab.n * sizeof *u->prior_w);
    u->prior_n = base->vocab.n;
    *out = u;
    u = NULL;
out:
    if (rc == SPAMLR_ENOMEM)
        spamlr__diag(d, rc, NULL, 0, -1, "out of memory loading the model");
    free(raw);
    spamlr_model_free(u);
    return rc;
}

int spamlr_model_load_delta(spamlr_model **out, const spamlr_model *base, const char *path,
                            spamlr_diag *d)
{
    unsigned char *buf;
    size_t n;
    int rc;

    if (out)
        *out = NULL;
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!out || !base || !path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__model_read_file(path, &buf, &n, d)))
        return rc;
    rc = spamlr_model_load_delta_buffer(out, base, buf, n, d);
    free(buf);
    return spamlr__model_loaded_from(out, rc, path, d);
}
