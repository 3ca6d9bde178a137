/* dump.c - the model as editable text (spamlr_model_dump) and back
 * (spamlr_model_import). The format is described in include/spamlr.h.
 * This file owns the magic line, the header keys of the settings and
 * metadata, the [words] section and the two entry points; dump_state.c
 * the online state and the learned messages, dump_text.c the text
 * primitives both use. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/contacts.h"
#include "model/dump_state.h"
#include "model/dump_text.h"
#include "model/model.h"
#include "model/sections.h"
#include "text/tokenize.h"

#define DUMP_MAGIC "spamlr-dump 1"
#define WORDS_LINE "[words]"

static const char *const FEATURES[] = {"binary", "logtf", "tfidf", NULL};
/* solver names by id; the online ones (16, 17) and AUTO are written as
 * numbers, which import reads back the same */
static const char *const SOLVERS[] = {"tron", "lbfgs", "owlqn", NULL};
static const char *const CWEIGHTS[] = {"none", "balanced", "manual", NULL};

/* ------------------------------------------------------------- writing */

static void emit_name(textbuf *o, const char *key, unsigned v, const char *const *names,
                      unsigned nnames)
{
    if (v < nnames)
        spamlr__dump_emit(o, "%s=%s\n", key, names[v]);
    else
        spamlr__dump_emit(o, "%s=%u\n", key, v);
}

int spamlr_model_dump(const spamlr_model *m, char **text, size_t *len)
{
    textbuf o;
    size_t i;
    int online, ftrl, live;

    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    if (!m || !text || m->predict_only)
        return SPAMLR_EINVAL;
    memset(&o, 0, sizeof o);
    spamlr__buf_init(&o.b);
    online = m->online && m->acc;
    ftrl = online && m->acc_z;
    live = m->df && m->idf;

    spamlr__dump_emit(
        &o, "%s\n# a spamlr model as text: settings, then one 'token<TAB>weight%s%s%s' line\n",
        DUMP_MAGIC, m->idf ? "<TAB>idf" : "", live ? "<TAB>docs" : "",
        online ? (ftrl ? "<TAB>acc<TAB>z" : "<TAB>acc") : "");
    if (online)
        spamlr__dump_emit(&o,
                          "# per word, then the online learner's memory (messages as id:value, a\n"
                          "# word's id its place under [words] from 0): all the online state\n");
    spamlr__dump_emit(&o, "# %sspamlr import turns it back into a model file\n",
                      online ? "" : "per word; ");
    spamlr__dump_emit(&o, "ngrams=%u\nmax_token_len=%u\nnumber_fold=%u\ncjk_bigrams=%u\n",
                      m->text.ngrams, m->text.max_token_len, m->text.number_fold,
                      m->text.cjk_bigrams);
    emit_name(&o, "features", m->text.features, FEATURES, 3);
    spamlr__dump_emit(&o, "normalize=%u\nmime=%u\nheader_fields=%u\n", m->text.normalize,
                      m->text.mime, m->text.header_fields);
    spamlr__dump_emit(&o, "fold=%u\nsubwords=%u\nidf_power=%u\n", m->text.fold, m->text.subwords,
                      m->text.idf_power);
    emit_name(&o, "solver", m->solver, SOLVERS, 3);
    emit_name(&o, "class_weight", m->class_weight, CWEIGHTS, 3);
    spamlr__dump_emit(&o, "min_count=%u\niterations=%u\n", m->min_count, m->iterations);
    spamlr__dump_emit(&o, "l1=%.17g\nl2=%.17g\n", m->l1, m->l2);
    spamlr__dump_emit(&o, "c=%.17g\ntol=%.17g\nobjective=%.17g\ngrad_norm=%.17g\nthreshold=%.17g\n",
                      m->c, m->tol, m->objective, m->grad_norm, m->threshold);
    if (m->ham_cutoff < m->spam_cutoff) /* the unsure zone */
        spamlr__dump_emit(&o, "ham_cutoff=%.17g\nspam_cutoff=%.17g\n", m->ham_cutoff,
                          m->spam_cutoff);
    if (m->has_bias)
        spamlr__dump_emit(&o, "bias=%.9g\n", m->bias);
    else
        spamlr__dump_emit(&o, "bias=none\n");
    spamlr__dump_emit(&o, "examples=%llu\nspam=%llu\nham=%llu\ntrained_at=%lld\n",
                      (unsigned long long)m->examples, (unsigned long long)m->spam,
                      (unsigned long long)m->ham, (long long)m->trained_at);
    spamlr__dump_emit(&o, "weight_bits=%u\n", m->weight_bits == 16 ? 16u : 32u);
    if (m->weight_bits == 16)
        spamlr__dump_emit(&o, "weight_scale=%.9g\n", m->wscale);
    if (m->layout == SPAMLR_LAYOUT_MAPPED) /* (absent: packed, as before there was a choice) */
        spamlr__dump_emit(&o, "layout=mapped\n");
    if (m->path_n)
        spamlr__dump_emit(&o, "path_folds=%u\n", m->path_folds);
    for (i = 0; i < m->path_n; i++) /* C, validation log loss, AUC */
        spamlr__dump_emit(&o, "path=%.17g %.17g %.17g\n", m->path[i].c, m->path[i].log_loss,
                          m->path[i].auc);
    if (m->base_name) { /* the base model of transfer learning */
        spamlr__dump_emit(&o, "base_name=");
        spamlr__dump_token(&o, m->base_name, strlen(m->base_name));
        spamlr__dump_emit(&o, "\nbase_crc=%lu\nbase_trained_at=%lld\n", (unsigned long)m->base_crc,
                          (long long)m->base_trained_at);
    }
    if (m->prior_w) { /* the prior of online learning, where it is not the weight */
        uint32_t *ids;
        size_t k;
        if (spamlr__prior_changed(m, &ids, &k))
            o.err = SPAMLR_ENOMEM;
        else {
            spamlr__dump_emit(&o, "prior_words=%zu\n", m->prior_n);
            for (i = 0; i < k; i++)
                spamlr__dump_emit(&o, "prior=%lu %.9g\n", (unsigned long)ids[i],
                                  m->prior_w[ids[i]]);
            free(ids);
        }
    }
    if (m->contacts) { /* the contact list: its size, then one entry a line */
        spamlr__dump_emit(&o, "contacts=%lu\n", (unsigned long)m->contacts->n);
        for (i = 0; i < m->contacts->n; i++) {
            spamlr__dump_emit(&o, "contact=");
            spamlr__dump_token(&o, m->contacts->e[i], strlen(m->contacts->e[i]));
            spamlr__dump_emit(&o, "\n");
        }
    }
    if (live) /* the idf values are those of the messages learned */
        spamlr__dump_emit(&o, "docs=%llu\ndocs_ref=%llu\n", (unsigned long long)m->df_n,
                          (unsigned long long)m->df_ref);
    if (online)
        spamlr__dump_online(&o, m);
    spamlr__dump_emit(&o, "pruned_from=%llu\n%s\n", (unsigned long long)m->pruned_from, WORDS_LINE);
    for (i = 0; i < m->vocab.n && !o.err; i++) {
        spamlr__dump_token(&o, spamlr__vocab_str(&m->vocab, (uint32_t)i), m->vocab.len[i]);
        spamlr__dump_emit(&o, "\t%.9g", m->w[i]);
        if (m->idf)
            spamlr__dump_emit(&o, "\t%.9g", m->idf[i]);
        if (live)
            spamlr__dump_emit(&o, "\t%lu", (unsigned long)m->df[i]);
        if (online)
            spamlr__dump_emit(&o, "\t%.9g", m->acc[i]);
        if (ftrl)
            spamlr__dump_emit(&o, "\t%.9g", m->acc_z[i]);
        spamlr__dump_emit(&o, "\n");
    }
    if (online)
        spamlr__dump_memory(&o, m);
    spamlr__dump_learned(&o, m);
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

/* A name from names, or a plain number. */
static int name_u32(reader *r, const char *v, size_t n, const char *const *names, unsigned *x)
{
    unsigned i;

    for (i = 0; names[i]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], v, n) == 0) {
            *x = i;
            return 0;
        }
    return spamlr__dump_u32(r, v, n, x);
}

/* A "path=C LOGLOSS AUC" line: one more point of the C path. */
static int path_point(reader *r, spamlr_model *m, const char *v, size_t n)
{
    spamlr_path_point pt, *np;
    char *e, *s;

    if (spamlr__dump_value(r, v, n) || m->path_n >= 256)
        return -1;
    /* three numbers, none left out */
    pt.c = strtod(r->buf, &e);
    if (e == r->buf || (pt.log_loss = strtod(s = e, &e), e == s) ||
        (pt.auc = strtod(s = e, &e), e == s))
        return -1;
    if (*e || !(pt.c > 0) || !isfinite(pt.c) || !(pt.log_loss >= 0) ||
        !isfinite(pt.log_loss) || (!isnan(pt.auc) && !(pt.auc >= 0 && pt.auc <= 1)))
        return -1;
    if (!(np = realloc(m->path, (m->path_n + 1) * sizeof *np)))
        return -1;
    np[m->path_n++] = pt;
    m->path = np;
    return 0;
}

/* A "base_name=NAME" line (escaped as a token): the model's base. */
static int base_name(reader *r, spamlr_model *m, const char *v, size_t n)
{
    char *t;
    size_t tn;
    int rc;

    if (n > 4 * MAX_TOKEN)
        return spamlr__dump_err(r, "base_name longer than 4096 bytes", NULL);
    if (!(t = malloc(n + 1)))
        return SPAMLR_ENOMEM;
    if (!(rc = spamlr__dump_unescape(r, v, n, t, &tn, 0))) {
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
        return spamlr__dump_err(r, "contact longer than 4096 bytes", NULL);
    if (!m->contacts && (rc = spamlr_contacts_create(&m->contacts)))
        return rc;
    if (!(t = malloc(n + 1)))
        return SPAMLR_ENOMEM;
    if (!(rc = spamlr__dump_unescape(r, v, n, t, &tn, 0))) {
        rc = spamlr_contacts_add(m->contacts, t, tn);
        if (rc == SPAMLR_EINVAL)
            rc = spamlr__dump_err(r, "contact is not an address or @domain", NULL);
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
        return spamlr__dump_err(r, "expected key=value or " WORDS_LINE, NULL);
    k = (size_t)(eq - s);
    v = eq + 1;
    vn = n - k - 1;
#define KEY(name) (k == sizeof(name) - 1 && memcmp(s, name, k) == 0)
    if (KEY("ngrams")) bad = spamlr__dump_u32(r, v, vn, &m->text.ngrams);
    else if (KEY("max_token_len")) bad = spamlr__dump_u32(r, v, vn, &m->text.max_token_len);
    else if (KEY("number_fold")) bad = spamlr__dump_u32(r, v, vn, &m->text.number_fold);
    else if (KEY("cjk_bigrams")) bad = spamlr__dump_u32(r, v, vn, &m->text.cjk_bigrams);
    else if (KEY("features")) bad = name_u32(r, v, vn, FEATURES, &m->text.features);
    else if (KEY("normalize")) bad = spamlr__dump_u32(r, v, vn, &m->text.normalize);
    else if (KEY("mime")) bad = spamlr__dump_u32(r, v, vn, &m->text.mime);
    else if (KEY("header_fields")) bad = spamlr__dump_u32(r, v, vn, &m->text.header_fields);
    else if (KEY("fold")) bad = spamlr__dump_u32(r, v, vn, &m->text.fold);
    else if (KEY("subwords")) bad = spamlr__dump_u32(r, v, vn, &m->text.subwords);
    else if (KEY("idf_power")) bad = spamlr__dump_u32(r, v, vn, &m->text.idf_power);
    else if (KEY("solver")) bad = name_u32(r, v, vn, SOLVERS, &m->solver);
    else if (KEY("class_weight")) bad = name_u32(r, v, vn, CWEIGHTS, &m->class_weight);
    else if (KEY("min_count")) bad = spamlr__dump_u32(r, v, vn, &m->min_count);
    else if (KEY("iterations")) bad = spamlr__dump_u32(r, v, vn, &m->iterations);
    else if (KEY("c")) bad = spamlr__dump_f64(r, v, vn, &m->c);
    else if (KEY("tol")) bad = spamlr__dump_f64(r, v, vn, &m->tol);
    else if (KEY("l1")) bad = spamlr__dump_f64(r, v, vn, &m->l1) || !(m->l1 >= 0);
    else if (KEY("l2")) bad = spamlr__dump_f64(r, v, vn, &m->l2) || !(m->l2 >= 0);
    else if (KEY("objective")) bad = spamlr__dump_f64(r, v, vn, &m->objective);
    else if (KEY("grad_norm")) bad = spamlr__dump_f64(r, v, vn, &m->grad_norm);
    else if (KEY("threshold"))
        bad =
            spamlr__dump_f64(r, v, vn, &m->threshold) || !(m->threshold >= 0 && m->threshold <= 1);
    else if (KEY("bias")) {
        m->has_bias = !(vn == 4 && memcmp(v, "none", 4) == 0);
        m->bias = 0;
        bad = m->has_bias && spamlr__dump_f32(r, v, vn, &m->bias);
    } else if (KEY("examples"))
        bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u), m->examples = u;
    else if (KEY("spam")) bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u), m->spam = u;
    else if (KEY("ham")) bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u), m->ham = u;
    else if (KEY("trained_at"))
        bad = spamlr__dump_i64(r, v, vn, &m->trained_at);
    else if (KEY("weight_bits"))
        bad = spamlr__dump_u32(r, v, vn, &m->weight_bits) ||
              (m->weight_bits != 16 && m->weight_bits != 32);
    else if (KEY("layout")) {
        bad = !(vn == 6 && memcmp(v, "mapped", 6) == 0) && !(vn == 6 && memcmp(v, "packed", 6) == 0);
        m->layout = vn == 6 && memcmp(v, "mapped", 6) == 0 ? SPAMLR_LAYOUT_MAPPED
                                                          : SPAMLR_LAYOUT_PACKED;
    } else if (KEY("weight_scale"))
        bad = spamlr__dump_f32(r, v, vn, &m->wscale) || !(m->wscale > 0), h->seen_scale = 1;
    else if (KEY("pruned_from")) {
        bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u);
        m->pruned_from = u;
        h->pruned_line = r->line;
    } else if (KEY("ham_cutoff"))
        bad = spamlr__dump_f64(r, v, vn, &m->ham_cutoff) ||
              !(m->ham_cutoff >= 0 && m->ham_cutoff <= 1);
    else if (KEY("spam_cutoff"))
        bad = spamlr__dump_f64(r, v, vn, &m->spam_cutoff) ||
              !(m->spam_cutoff >= 0 && m->spam_cutoff <= 1);
    else if (KEY("path_folds"))
        bad = spamlr__dump_u32(r, v, vn, &m->path_folds) || m->path_folds < 2;
    else if (KEY("path")) {
        bad = path_point(r, m, v, vn);
        if (!h->path_line)
            h->path_line = r->line;
    }
    else if (KEY("contacts")) {
        int rc;
        bad = spamlr__dump_u64(r, v, vn, ~0ULL, &u);
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
        bad = spamlr__dump_u64(r, v, vn, 0xffffffffULL, &u), m->base_crc = (uint32_t)u;
    else if (KEY("base_trained_at"))
        bad = spamlr__dump_i64(r, v, vn, &m->base_trained_at);
    else if (KEY("docs") || KEY("docs_ref")) {
        /* a model that learns with the idf of what it learned: its words
         * then have a docs column */
        bad = spamlr__dump_u64(r, v, vn, SPAMLR__MAX_COUNT, &u);
        *(KEY("docs") ? &m->df_n : &m->df_ref) = u;
        if (!bad && !m->df && !(m->df = calloc(1, sizeof *m->df)))
            return SPAMLR_ENOMEM;
    }
    else if (KEY("prior_words")) { /* NaN until a prior= line or the weight */
        bad = m->prior_w || spamlr__dump_u64(r, v, vn, UINT32_MAX - 2, &u);
        /* a word is a line of 4 bytes at least: more words than the rest
         * of the text can hold are refused before their array is made */
        if (!bad && u > (uint64_t)(r->end - r->p) / 4)
            return spamlr__dump_err(r, "prior_words is larger than the number of words", NULL);
        if (!bad) {
            if (!(m->prior_w = malloc(((size_t)u + 1) * sizeof *m->prior_w)))
                return SPAMLR_ENOMEM;
            m->prior_n = (size_t)u;
            for (size_t j = 0; j < m->prior_n; j++)
                m->prior_w[j] = NAN;
        }
    } else if (KEY("prior")) {
        const char *sp = memchr(v, ' ', vn);
        float w0;
        bad = !m->prior_w || !sp || spamlr__dump_u64(r, v, (size_t)(sp - v), ~0ULL, &u) ||
              u >= m->prior_n || spamlr__dump_f32(r, sp + 1, vn - (size_t)(sp + 1 - v), &w0) ||
              !isfinite(w0) || !isnan(m->prior_w[u]);
        if (!bad)
            m->prior_w[u] = w0;
    }
    else if (k > 7 && memcmp(s, "online_", 7) == 0) {
        bad = spamlr__dump_online_key(r, m, h, s + 7, k - 7, v, vn);
        if (bad < 0)
            return spamlr__dump_err(r, "unknown key", (spamlr__dump_value(r, s, k) ? "?" : r->buf));
        h->online_line = r->line;
    } else if (KEY("online")) {
        m->online = vn == 7 && memcmp(v, "adagrad", 7) == 0 ? SPAMLR_SOLVER_ADAGRAD
                    : vn == 4 && memcmp(v, "ftrl", 4) == 0  ? SPAMLR_SOLVER_FTRL
                                                            : 0;
        bad = !m->online;
        if (!h->online_line)
            h->online_line = r->line;
    } else
        return spamlr__dump_err(r, "unknown key", (spamlr__dump_value(r, s, k) ? "?" : r->buf));
#undef KEY
    if (bad) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(k < 60 ? k : 60), s);
        return spamlr__diag(r->d, SPAMLR_EPARSE, NULL, r->line, -1,
                            "bad value for %s: '%.*s'", key, (int)(vn < 80 ? vn : 80), v);
    }
    return SPAMLR_OK;
}

/* Appends the element v (size bytes) to a growable array *a (room *cap,
 * n held). */
static int push(void **a, size_t *cap, size_t n, const void *v, size_t size)
{
    if (spamlr__grow(a, cap, n + 1, size))
        return SPAMLR_ENOMEM;
    memcpy((unsigned char *)*a + n * size, v, size);
    return SPAMLR_OK;
}

static int push_f32(float **a, size_t *cap, size_t n, float v)
{
    return push((void **)a, cap, n, &v, sizeof v);
}

/* The columns after the token: weight, then idf (tf-idf), then the
 * document count (docs=), then the online accumulator and, with FTRL, z. */
static const char *columns_wanted(const spamlr_model *m)
{
    static const char *const docs[3] = {
        "expected token<TAB>weight<TAB>idf<TAB>docs (docs= given)",
        "expected token<TAB>weight<TAB>idf<TAB>docs<TAB>acc (docs= given, online=adagrad)",
        "expected token<TAB>weight<TAB>idf<TAB>docs<TAB>acc<TAB>z (docs= given, online=ftrl)"};
    static const char *const what[2][3] = {
        {"expected token<TAB>weight (an idf column needs features=tfidf)",
         "expected token<TAB>weight<TAB>acc (online=adagrad)",
         "expected token<TAB>weight<TAB>acc<TAB>z (online=ftrl)"},
        {"expected token<TAB>weight<TAB>idf (features=tfidf)",
         "expected token<TAB>weight<TAB>idf<TAB>acc (features=tfidf, online=adagrad)",
         "expected token<TAB>weight<TAB>idf<TAB>acc<TAB>z (features=tfidf, online=ftrl)"}};
    unsigned o = m->online == SPAMLR_SOLVER_FTRL ? 2 : m->online ? 1 : 0;

    if (m->df) /* docs= given */
        return m->text.features != SPAMLR_FEAT_TFIDF ? "docs= needs features=tfidf" : docs[o];
    return what[m->text.features == SPAMLR_FEAT_TFIDF][o];
}

/* The word lines after [words], up to [memory] or the end. */
static int word_lines(reader *r, spamlr_model *m)
{
    size_t wcap = 0, icap = 0, acap = 0, zcap = 0, dcap = 0, n;
    char *tok = NULL;
    const char *s;
    int rc = SPAMLR_OK, tfidf = m->text.features == SPAMLR_FEAT_TFIDF;
    int online = m->online != 0, ftrl = m->online == SPAMLR_SOLVER_FTRL, live = m->df != NULL;
    size_t ncol = 1 + (size_t)tfidf + (size_t)live + (size_t)online + (size_t)ftrl;
    uint32_t docs = 0;

    /* (with docs=, m->df holds a placeholder that the pushes grow) */
    if (live && !tfidf)
        return spamlr__dump_err(r, columns_wanted(m), NULL);

    while (rc == SPAMLR_OK && spamlr__dump_line(r, &s, &n)) {
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
            return free(tok), spamlr__dump_err(r, columns_wanted(m), NULL);
        for (j = 0, c = t1 + 1; j < ncol; j++, c = e + 1) {
            e = memchr(c, '\t', (size_t)(s + n - c));
            if (!e)
                e = s + n;
            if ((e == s + n) != (j + 1 == ncol)) {
                free(tok);
                return spamlr__dump_err(r, columns_wanted(m), NULL);
            }
            if (live && j == 2) { /* the document count, an integer */
                if (spamlr__dump_u32(r, c, (size_t)(e - c), &docs)) {
                    free(tok);
                    return spamlr__dump_err(r, "bad document count (a whole number, 0 to 4294967295)", NULL);
                }
                continue;
            }
            if (spamlr__dump_f32(r, c, (size_t)(e - c), &col[j > 2 && live ? j - 1 : j])) {
                free(tok);
                return spamlr__dump_err(r, "bad number", NULL);
            }
        }
        w = col[0];
        idf = tfidf ? col[1] : 0;
        if (!spamlr__idf_ok(idf)) {
            free(tok);
            return spamlr__dump_err(r, "idf out of range (0 to 1e9)", NULL);
        }
        free(tok);
        if (!(tok = malloc((size_t)(t1 - s) + 1)))
            return SPAMLR_ENOMEM;
        if ((rc = spamlr__dump_unescape(r, s, (size_t)(t1 - s), tok, &tn, 1)))
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
            (live && (rc = push((void **)&m->df, &dcap, id, &docs, sizeof docs))) ||
            (online && (rc = push_f32(&m->acc, &acap, id, col[1 + tfidf]))) ||
            (ftrl && (rc = push_f32(&m->acc_z, &zcap, id, col[2 + tfidf]))))
            break;
        if (online && (!(m->acc[id] >= 0) || (ftrl && !isfinite(m->acc_z[id])))) {
            rc = spamlr__dump_err(r, "online accumulator out of range", NULL);
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
        return spamlr__dump_err(r, "weight_bits=16 needs a weight_scale line", NULL);
    for (i = 0; i < m->vocab.n; i++)
        if (fabs((double)m->w[i] / m->wscale) > 32767.5)
            return spamlr_model_set_weight_bits(m, 16);
    spamlr__model_quantize(m, m->wscale);
    return SPAMLR_OK;
}

/* The line of the last "key=" line before [words] (key up to a '/'), for
 * an error about that field; when there is none (a default value), the
 * line of [words], where the header was judged whole. */
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
    return found ? found : line;
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
    header h = {0};
    const char *s;
    size_t n, i;
    int rc, words = 0, more;

    spamlr__diag_clear(d);
    if (out)
        *out = NULL;
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    if (!out || (!text && len))
        return SPAMLR_EINVAL;
    r.p = text ? text + spamlr__bom_len(text, len) : text;
    r.end = text + len;
    r.line = 0;
    r.d = d;
    if (!spamlr__dump_line(&r, &s, &n) || n != strlen(DUMP_MAGIC) || memcmp(s, DUMP_MAGIC, n) != 0)
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
    m->text.idf_power = 1; /* (recorded only: the idf column is read) */
    m->has_bias = 1;
    while (rc == SPAMLR_OK && spamlr__dump_line(&r, &s, &n)) {
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
        rc = spamlr__dump_err(&r, "the '" WORDS_LINE "' line is missing", NULL);
        goto out;
    }
    if (spamlr__text_opts_check(&m->text) != SPAMLR_OK) {
        rc = spamlr__dump_err(&r, "tokenizer settings out of range", NULL);
        goto out;
    }
    m->text.idf_power = spamlr__idf_power(m->text.idf_power);
    if (m->path_n && m->path_folds < 2) {
        r.line = h.path_line;
        rc = spamlr__dump_err(&r, "path= lines need a path_folds= line (2 or more)", NULL);
        goto out;
    }
    if (!m->online && h.online_line) {
        r.line = h.online_line;
        rc = spamlr__dump_err(&r, "online_* keys need an online=adagrad|ftrl line", NULL);
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
    if (m->prior_w && m->prior_n > m->vocab.n) {
        rc = spamlr__dump_err(&r, "prior_words is larger than the number of words", NULL);
        goto out;
    }
    for (i = 0; i < m->prior_n; i++) /* a word not listed: its weight */
        if (isnan(m->prior_w[i]))
            m->prior_w[i] = spamlr__saved_weight(m, i);
    more = spamlr__dump_line(&r, &s, &n);
    if (more && n == strlen(MEMORY_LINE) && memcmp(s, MEMORY_LINE, n) == 0) { /* [memory] */
        if (!m->online) {
            rc = spamlr__dump_err(&r, "[memory] needs an online=adagrad|ftrl line", NULL);
            goto out;
        }
        if ((rc = spamlr__dump_memory_lines(&r, m)))
            goto out;
        more = spamlr__dump_line(&r, &s, &n);
    }
    if (more && (rc = spamlr__dump_learned_lines(&r, m))) /* [learned], all word_lines leaves */
        goto out;
    if (m->pruned_from && m->pruned_from < m->vocab.n) {
        r.line = h.pruned_line;
        rc = spamlr__dump_err(&r, "pruned_from is smaller than the number of words", NULL);
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