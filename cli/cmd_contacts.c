/* cmd_contacts.c - spamlr contacts: a contact list from the user's mail
 * (the addresses the user wrote to, the senders of ham), written as a
 * plain list that train --contacts and the scoring commands read. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "html.h"

enum { OPT_HELP = 1, OPT_ME, OPT_SENT, OPT_FROM_MAIL, OPT_CHAM, OPT_ADD, OPT_OUT, OPT_QUIET };

static const cli_opt contacts_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "me", 0, 1, OPT_ME },
    { "sent", 0, 1, OPT_SENT },
    { "from-mail", 0, 1, OPT_FROM_MAIL },
    { "ham", 0, 1, OPT_CHAM },
    { "add", 0, 1, OPT_ADD },
    { "output", 'o', 1, OPT_OUT },
    { "quiet", 'q', 0, OPT_QUIET },
    { NULL, 0, 0, 0 }
};

typedef struct src {
    int kind;                 /* OPT_SENT, OPT_FROM_MAIL, OPT_CHAM, OPT_ADD */
    const char *path;
} src;

typedef struct contacts_cfg {
    src *src;
    size_t n, cap;
    spamlr_contacts *me;      /* --me and the From of --sent mail */
    int have_me;
    const char *out;
    int quiet, help;
} contacts_cfg;

static void contacts_help(void)
{
    printf("usage: spamlr contacts [--me ADDRESS]... [--sent PATH]... [--from-mail PATH]...\n"
           "                       [--ham PATH]... [--add FILE]... -o FILE\n\n"
           "Builds a contact list for 'spamlr train --contacts' (and the --contacts\n"
           "option of predict, filter, explain, eval, learn and serve): one address\n"
           "a line, normalised (lower-case, without +tags), sorted.\n\n"
           "options:\n"
           "  --me ADDRESS      one of the user's own addresses (repeatable)\n"
           "  --sent PATH       the user's sent mail (a file, a directory, an mbox or\n"
           "                    a maildir): its To and Cc addresses are contacts, its\n"
           "                    From addresses are the user's\n"
           "  --from-mail PATH  any mail: the To and Cc addresses of the messages\n"
           "                    whose From is the user's (--me, or the From of --sent\n"
           "                    mail) are contacts\n"
           "  --ham PATH        mail known to be ham: its senders (From) are contacts\n"
           "  --add FILE        a contact list or vCard to include\n"
           "  -o, --output FILE the list to write ('-': standard output)\n"
           "  -q, --quiet       no summary on standard error\n"
           "  -h, --help        show this help\n\n"
           "The user's own addresses are left out of the list: spam often claims to\n"
           "come from its recipient.\n");
}

static int take(cli_args *a, void *c, int id, const char *v)
{
    contacts_cfg *cfg = c;
    int err;

    switch (id) {
    case OPT_HELP: cfg->help = 1; return 0;
    case OPT_QUIET: cfg->quiet = 1; return 0;
    case OPT_OUT: cfg->out = v; return 0;
    case OPT_ME:
        if ((err = spamlr_contacts_add(cfg->me, v, strlen(v))))
            return err == SPAMLR_EINVAL ? usage_error(a->cmd, "--me: '%s' is not an address", v)
                                        : report_failure(err, NULL, NULL);
        cfg->have_me = 1;
        return 0;
    case OPT_SENT:
    case OPT_FROM_MAIL:
    case OPT_CHAM:
    case OPT_ADD:
        if (cfg->n == cfg->cap) {
            size_t nc = cfg->cap ? 2 * cfg->cap : 16;
            src *ns = realloc(cfg->src, nc * sizeof *ns);
            if (!ns)
                return runtime_error("out of memory");
            cfg->src = ns;
            cfg->cap = nc;
        }
        cfg->src[cfg->n].kind = id;
        cfg->src[cfg->n++].path = v;
        cfg->have_me |= id == OPT_SENT;
        return 0;
    default:
        return usage_error(a->cmd, "unexpected argument '%s'", v);
    }
}

/* Reads every source of `kind` into c. */
static int read_sources(contacts_cfg *cfg, spamlr_contacts *c, int kind)
{
    size_t i;

    for (i = 0; i < cfg->n; i++) {
        const src *s = &cfg->src[i];
        spamlr_diag d = SPAMLR_DIAG_INIT;
        int err = SPAMLR_OK;

        if (s->kind != kind)
            continue;
        d = (spamlr_diag)SPAMLR_DIAG_INIT;
        if (kind == OPT_SENT)
            err = spamlr_contacts_add_path(cfg->me, s->path, SPAMLR_ADDR_FROM, NULL, &d);
        if (!err && kind == OPT_SENT)
            err = spamlr_contacts_add_path(c, s->path, SPAMLR_ADDR_TO, NULL, &d);
        else if (kind == OPT_FROM_MAIL)
            err = spamlr_contacts_add_path(c, s->path, SPAMLR_ADDR_TO, cfg->me, &d);
        else if (kind == OPT_CHAM)
            err = spamlr_contacts_add_path(c, s->path, SPAMLR_ADDR_FROM, NULL, &d);
        else if (kind == OPT_ADD)
            err = spamlr_contacts_read(c, s->path, &d);
        if (err)
            return report_failure(err, &d, s->path);
    }
    return 0;
}

/* The list, without the user's own addresses; returns how many. */
static size_t write_list(FILE *f, const spamlr_contacts *c, const spamlr_contacts *me)
{
    size_t i, k = 0;

    fprintf(f, "# spamlr contacts: one address or @domain a line\n");
    for (i = 0; i < spamlr_contacts_count(c); i++) {
        const char *e = spamlr_contacts_entry(c, i);
        if (spamlr_contacts_match(me, e, strlen(e)) == SPAMLR_CONTACT_ADDRESS)
            continue;
        fprintf(f, "%s\n", e);
        k++;
    }
    return k;
}

int cmd_contacts(int argc, char **argv)
{
    contacts_cfg cfg;
    cli_args a;
    spamlr_contacts *c = NULL;
    size_t k = 0;
    int rc, err;

    memset(&cfg, 0, sizeof cfg);
    if ((err = spamlr_contacts_create(&cfg.me)) || (err = spamlr_contacts_create(&c))) {
        rc = report_failure(err, NULL, NULL);
        goto out;
    }
    if ((rc = args_parse(&a, argc, argv, contacts_opts, take, &cfg)))
        goto out;
    if (cfg.help) {
        contacts_help();
        rc = finish_output(EXIT_OK);
        goto out;
    }
    if (!cfg.out) {
        rc = usage_error(a.cmd, "no output: give -o FILE (or -o - for standard output)");
        goto out;
    }
    if (!cfg.n) {
        rc = usage_error(a.cmd, "no mail: give --sent, --from-mail, --ham or --add");
        goto out;
    }
    if (!cfg.have_me) {
        size_t i;
        for (i = 0; i < cfg.n && cfg.src[i].kind != OPT_FROM_MAIL; i++)
            ;
        if (i < cfg.n) {
            rc = usage_error(a.cmd, "--from-mail needs the user's addresses: --me or --sent");
            goto out;
        }
    }
    if (strcmp(cfg.out, "-") != 0 && (rc = output_check(a.cmd, "-o", cfg.out, "a contact list")))
        goto out;
    /* the Sent folders first: they tell who the user is */
    if ((rc = read_sources(&cfg, c, OPT_SENT)) || (rc = read_sources(&cfg, c, OPT_FROM_MAIL)) ||
        (rc = read_sources(&cfg, c, OPT_CHAM)) || (rc = read_sources(&cfg, c, OPT_ADD)))
        goto out;
    if (!strcmp(cfg.out, "-")) {
        k = write_list(stdout, c, cfg.me);
        rc = finish_output(EXIT_OK);
    } else {
        out_file o;
        if ((rc = out_file_open(&o, cfg.out)))
            goto out;
        k = write_list(o.f, c, cfg.me);
        rc = out_file_commit(&o, cfg.out);
    }
    if (!rc && !cfg.quiet)
        fprintf(stderr, "spamlr contacts: %zu entries\n", k);
out:
    spamlr_contacts_free(c);
    spamlr_contacts_free(cfg.me);
    free(cfg.src);
    return rc;
}
