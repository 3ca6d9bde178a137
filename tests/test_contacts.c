/* test_contacts.c - contact lists: the parser (plain lists, domains,
 * vCards, junk lines with their line numbers), normalisation and matching,
 * the addresses of a mail, the sender: tokens the mail parser gives, and a
 * model trained with a list: save/load and dump/import keep the list and
 * its predictions. */
#include "testutil.h"

#include "common/buf.h"
#include "mail/mime.h"

static spamlr_contacts *parse(const char *text, int want_rc, spamlr_diag *d)
{
    spamlr_contacts *c = NULL;

    ck_assert_int_eq(spamlr_contacts_create(&c), SPAMLR_OK);
    *d = (spamlr_diag)SPAMLR_DIAG_INIT;
    ck_assert_int_eq(spamlr_contacts_parse(c, text, strlen(text), "list.txt", d), want_rc);
    return c;
}

static int match(const spamlr_contacts *c, const char *a)
{
    return spamlr_contacts_match(c, a, strlen(a));
}

START_TEST(plain_list)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_contacts *c = parse("# my contacts\n"
                               "\n"
                               "  Ann.Lee+lists@Example.ORG  \n"
                               "Bob <bob@corp.example.com>   # from work\n"
                               "@Partner.example.net\n"
                               "mailto:carol@x.org\r\n"
                               "ann.lee@example.org\n", SPAMLR_OK, &d);

    ck_assert_uint_eq(spamlr_contacts_count(c), 4); /* ann once */
    ck_assert_str_eq(spamlr_contacts_entry(c, 0), "@partner.example.net");
    ck_assert_str_eq(spamlr_contacts_entry(c, 1), "ann.lee@example.org");
    ck_assert_str_eq(spamlr_contacts_entry(c, 2), "bob@corp.example.com");
    ck_assert_str_eq(spamlr_contacts_entry(c, 3), "carol@x.org");
    ck_assert_ptr_null(spamlr_contacts_entry(c, 4));
    /* addresses: case, +tags and a final dot do not matter; dots do */
    ck_assert_int_eq(match(c, "ANN.LEE@example.org"), SPAMLR_CONTACT_ADDRESS);
    ck_assert_int_eq(match(c, "ann.lee+x@example.org."), SPAMLR_CONTACT_ADDRESS);
    ck_assert_int_eq(match(c, "Ann Lee <ann.lee@EXAMPLE.org>"), SPAMLR_CONTACT_ADDRESS);
    ck_assert_int_eq(match(c, "annlee@example.org"), SPAMLR_CONTACT_DOMAIN);
    /* a domain entry: the domain and its subdomains, nothing else */
    ck_assert_int_eq(match(c, "x@partner.example.net"), SPAMLR_CONTACT_DOMAIN);
    ck_assert_int_eq(match(c, "x@mail.eu.partner.example.net"), SPAMLR_CONTACT_DOMAIN);
    ck_assert_int_eq(match(c, "x@notpartner.example.net"), SPAMLR_CONTACT_NONE);
    ck_assert_int_eq(match(c, "x@example.net"), SPAMLR_CONTACT_NONE);
    /* the domain of a listed address, but not its subdomains */
    ck_assert_int_eq(match(c, "alice@corp.example.com"), SPAMLR_CONTACT_DOMAIN);
    ck_assert_int_eq(match(c, "alice@eu.corp.example.com"), SPAMLR_CONTACT_NONE);
    ck_assert_int_eq(match(c, "stranger@elsewhere.org"), SPAMLR_CONTACT_NONE);
    ck_assert_int_eq(match(c, "not an address"), SPAMLR_CONTACT_NONE);
    ck_assert_int_eq(match(NULL, "ann.lee@example.org"), SPAMLR_CONTACT_NONE);
    /* single entries */
    ck_assert_int_eq(spamlr_contacts_add(c, "no-at-sign", 10), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_contacts_add(c, "a@", 2), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_contacts_add(c, "a b@x.org", 9), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_contacts_add(c, "@x..org", 7), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_contacts_add(c, "@", 1), SPAMLR_EINVAL);
    ck_assert_uint_eq(spamlr_contacts_count(c), 4);
    spamlr_contacts_free(c);
    spamlr_contacts_free(NULL);
}
END_TEST

START_TEST(junk_lines)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_contacts *c = parse("ann@example.org\n# fine\n\nthis is not an address\nb@x.org\n",
                               SPAMLR_EPARSE, &d);

    ck_assert_int_eq(d.code, SPAMLR_EPARSE);
    ck_assert_int_eq(d.line, 4);
    ck_assert_str_eq(d.path, "list.txt");
    ck_assert_ptr_nonnull(strstr(d.message, "this is not an address"));
    ck_assert_uint_eq(spamlr_contacts_count(c), 1); /* what came before is kept */
    spamlr_contacts_free(c);
    c = parse("a@x.org\nexample.org\n", SPAMLR_EPARSE, &d);
    ck_assert_int_eq(d.line, 2);
    spamlr_contacts_free(c);
    c = parse("a@x.org\n<>\n", SPAMLR_EPARSE, &d);
    ck_assert_int_eq(d.line, 2);
    spamlr_contacts_free(c);
}
END_TEST

START_TEST(vcard)
{
    static const char vcf[] =
        "BEGIN:VCARD\r\n"
        "VERSION:3.0\r\n"
        "FN:Ann Lee\r\n"
        "EMAIL;TYPE=INTERNET;TYPE=HOME:ann@home.example.org\r\n"
        "EMAIL;TYPE=INTERNET;TYPE=WORK:ann.lee@work.examp\r\n"
        " le.com\r\n"
        "item1.EMAIL;type=INTERNET:Ann+news@Lists.Example.ORG\r\n"
        "NOTE:a note folded\r\n"
        "  over two lines\r\n"
        "END:VCARD\r\n"
        "\r\n"
        "BEGIN:VCARD\n"
        "VERSION:2.1\n"
        "N;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=\n"
        "=C3=BCrgen\n"
        "EMAIL;INTERNET;ENCODING=QUOTED-PRINTABLE:j=2Emuller=40example=\n"
        ".de\n"
        "email:mailto:third@example.net\n"
        "END:VCARD\n";
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_contacts *c = parse(vcf, SPAMLR_OK, &d);

    ck_assert_uint_eq(spamlr_contacts_count(c), 5);
    ck_assert_int_eq(match(c, "ann@home.example.org"), SPAMLR_CONTACT_ADDRESS);
    ck_assert_int_eq(match(c, "ann.lee@work.example.com"), SPAMLR_CONTACT_ADDRESS);
    ck_assert_int_eq(match(c, "ann@lists.example.org"), SPAMLR_CONTACT_ADDRESS);
    ck_assert_int_eq(match(c, "j.muller@example.de"), SPAMLR_CONTACT_ADDRESS);
    ck_assert_int_eq(match(c, "third@example.net"), SPAMLR_CONTACT_ADDRESS);
    spamlr_contacts_free(c);

    /* a line that is no property, and an EMAIL that is no address */
    c = parse("BEGIN:VCARD\nVERSION:3.0\nEMAIL:a@x.org\ngarbage here\nEND:VCARD\n",
              SPAMLR_EPARSE, &d);
    ck_assert_int_eq(d.line, 4);
    ck_assert_str_eq(d.path, "list.txt");
    ck_assert_uint_eq(spamlr_contacts_count(c), 1);
    spamlr_contacts_free(c);
    c = parse("BEGIN:VCARD\nVERSION:3.0\nFN:x\nEMAIL;TYPE=WORK:nobody\nEND:VCARD\n",
              SPAMLR_EPARSE, &d);
    ck_assert_int_eq(d.line, 4);
    ck_assert_ptr_nonnull(strstr(d.message, "EMAIL"));
    spamlr_contacts_free(c);
    /* blank EMAIL values, as address-book exports leave them, first in
     * the file and after an address: skipped (the first was found by
     * fuzz_contacts: memchr on a NULL value) */
    c = parse("BEGIN:VCARD\r\nEMAIL;ENCODING=QUOTED-PRINTABLE:\r\nEMAIL:b@y.org\r\n"
              "EMAIL;TYPE=HOME: \r\nEND:VCARD\r\n", SPAMLR_OK, &d);
    ck_assert_uint_eq(spamlr_contacts_count(c), 1);
    ck_assert_int_eq(match(c, "b@y.org"), SPAMLR_CONTACT_ADDRESS);
    /* an empty address is refused, NULL or not */
    ck_assert_int_eq(spamlr_contacts_add(c, NULL, 0), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_contacts_add(c, "", 0), SPAMLR_EINVAL);
    spamlr_contacts_free(c);
}
END_TEST

START_TEST(read_file)
{
    char dir[64], path[128];
    spamlr_contacts *c = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/c.txt", dir);
    tu_write(path, "a@x.org\n\nbroken\n", 16);
    ck_assert_int_eq(spamlr_contacts_create(&c), SPAMLR_OK);
    ck_assert_int_eq(spamlr_contacts_read(c, path, &d), SPAMLR_EPARSE);
    ck_assert_str_eq(d.path, path);
    ck_assert_int_eq(d.line, 3);
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    ck_assert_int_eq(spamlr_contacts_read(c, path, &d), SPAMLR_EIO);
    ck_assert_str_eq(d.path, path);
    spamlr_contacts_free(c);
    tu_rmrf(dir);
}
END_TEST

typedef struct addrs {
    char all[1024];
} addrs;

static int addr_cb(void *ctx, const char *a, size_t n)
{
    addrs *x = ctx;
    ck_assert_uint_eq(strlen(a), n);
    strcat(x->all, a);
    strcat(x->all, " ");
    return 0;
}

START_TEST(mail_addresses)
{
    static const char mail[] =
        "From nobody Mon Jan  1 00:00:00 2026\n"
        "From: \"Lee, Ann\" <Ann@Example.org>\n"
        "To: bob@x.org, \"Carol (work)\" <carol+w@y.org>,\n"
        "  team: dan@z.org, eve@z.org;\n"
        "Cc: undisclosed-recipients:;\n"
        "Reply-To: other@else.net\n"
        "Subject: hi\n\nTo: body@not.header\n";
    addrs x;

    memset(&x, 0, sizeof x);
    ck_assert_int_eq(spamlr_mail_addresses(mail, strlen(mail), SPAMLR_ADDR_TO, addr_cb, &x),
                     SPAMLR_OK);
    ck_assert_str_eq(x.all, "bob@x.org carol@y.org dan@z.org eve@z.org ");
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(spamlr_mail_addresses(mail, strlen(mail),
                                           SPAMLR_ADDR_FROM | SPAMLR_ADDR_REPLY_TO, addr_cb, &x),
                     SPAMLR_OK);
    ck_assert_str_eq(x.all, "ann@example.org other@else.net ");
}
END_TEST

/* The header tokens of a mail, with contact list c, as "tok\n" lines. */
static int tok_cb(void *ctx, const char *t, size_t n)
{
    spamlr__buf *b = ctx;
    ck_assert_int_eq(spamlr__buf_append(b, t, n), 0);
    ck_assert_int_eq(spamlr__buf_putc(b, '\n'), 0);
    return 0;
}

static char *header_tokens(const spamlr_contacts *c, const char *mail)
{
    spamlr__mime_opts mo;
    spamlr_text_opts to;
    spamlr__buf text, toks;
    char fields[SPAMLR__MIME_FIELDS_MAX], *r;

    spamlr_text_opts_init(&to);
    spamlr__mime_opts_for(&mo, &to, fields);
    mo.contacts = (const struct spamlr_contacts *)c;
    spamlr__buf_init(&text);
    spamlr__buf_init(&toks);
    ck_assert_int_eq(spamlr__mime_parse(&mo, &to, mail, strlen(mail), &text, tok_cb, &toks), 0);
    ck_assert_int_eq(spamlr__buf_putc(&toks, '\0'), 0);
    r = strdup(toks.data);
    spamlr__buf_free(&text);
    spamlr__buf_free(&toks);
    return r;
}

static int has(const char *toks, const char *t)
{
    char line[128];
    snprintf(line, sizeof line, "\n%s\n", t);
    return (strncmp(toks, line + 1, strlen(line + 1)) == 0) || strstr(toks, line) != NULL;
}

START_TEST(sender_tokens)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_contacts *c = parse("ann@example.org\n@partner.net\n", SPAMLR_OK, &d);
    char *t;

    t = header_tokens(c, "From: Ann <ANN+x@example.org>\nSubject: hi\n\nbody\n");
    ck_assert(has(t, "sender:contact"));
    ck_assert(!has(t, "sender:unknown") && !has(t, "sender:contact-domain"));
    ck_assert(!has(t, "reply-to:not-contact"));
    free(t);
    t = header_tokens(c, "From: x@mail.partner.net\nSubject: hi\n\nbody\n");
    ck_assert(has(t, "sender:contact-domain"));
    ck_assert(!has(t, "sender:contact") && !has(t, "sender:unknown"));
    free(t);
    t = header_tokens(c, "From: Ann <win@prize.biz>\nSubject: hi\n\nbody\n");
    ck_assert(has(t, "sender:unknown"));
    ck_assert(!has(t, "sender:contact"));
    free(t);
    t = header_tokens(c, "Subject: no sender\n\nbody\n");
    ck_assert(has(t, "sender:unknown"));
    free(t);
    /* a known sender whose replies go to a stranger */
    t = header_tokens(c, "From: ann@example.org\nReply-To: pay@evil.biz\n\nbody\n");
    ck_assert(has(t, "sender:contact"));
    ck_assert(has(t, "reply-to:not-contact"));
    free(t);
    t = header_tokens(c, "From: ann@example.org\nReply-To: Ann <ann@example.org>\n\nbody\n");
    ck_assert(!has(t, "reply-to:not-contact"));
    free(t);
    /* without a list: no such token at all */
    t = header_tokens(NULL, "From: ann@example.org\nReply-To: pay@evil.biz\n\nbody\n");
    ck_assert_ptr_null(strstr(t, "sender:"));
    ck_assert_ptr_null(strstr(t, "not-contact"));
    free(t);
    spamlr_contacts_free(c);
}
END_TEST

static const char *const HAM[] = {
    "From: Ann <ann@example.org>\nTo: me@home.net\nSubject: lunch\n\nlunch tomorrow at noon?\n",
    "From: bob@corp.example.com\nTo: me@home.net\nSubject: report\n\nthe report is attached\n",
    "From: ann@example.org\nTo: me@home.net\nSubject: photos\n\nphotos from the trip\n",
    "From: carol@friends.org\nTo: me@home.net\nSubject: dinner\n\ndinner on friday?\n",
};
static const char *const SPAM[] = {
    "From: win@prize.biz\nTo: me@home.net\nSubject: you won\n\nclaim your prize now\n",
    "From: deals@cheap.biz\nTo: me@home.net\nSubject: offer\n\ncheap meds offer now\n",
    "From: ann@example.org\nReply-To: x@evil.biz\nSubject: pay\n\nwire money now\n",
    "From: lottery@luck.biz\nTo: me@home.net\nSubject: lottery\n\nyou won the lottery\n",
};
static const char TEST_MAIL[] = "From: Bob <bob@corp.example.com>\nSubject: hello\n\nnow\n";

static void same_predictions(const spamlr_model *a, const spamlr_model *b)
{
    spamlr_scratch *s = NULL;
    double pa, pb, za, zb;
    size_t i;

    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(spamlr_predict(a, s, HAM[i], strlen(HAM[i]), &pa, &za), SPAMLR_OK);
        ck_assert_int_eq(spamlr_predict(b, s, HAM[i], strlen(HAM[i]), &pb, &zb), SPAMLR_OK);
        ck_assert_double_eq_tol(za, zb, 1e-6);
        ck_assert_int_eq(spamlr_predict(a, s, SPAM[i], strlen(SPAM[i]), &pa, &za), SPAMLR_OK);
        ck_assert_int_eq(spamlr_predict(b, s, SPAM[i], strlen(SPAM[i]), &pb, &zb), SPAMLR_OK);
        ck_assert_double_eq_tol(za, zb, 1e-6);
    }
    spamlr_scratch_free(s);
}

static void same_list(const spamlr_model *a, const spamlr_model *b)
{
    const spamlr_contacts *ca = spamlr_model_contacts(a), *cb = spamlr_model_contacts(b);
    size_t i;

    ck_assert_ptr_nonnull(ca);
    ck_assert_ptr_nonnull(cb);
    ck_assert_uint_eq(spamlr_contacts_count(ca), spamlr_contacts_count(cb));
    for (i = 0; i < spamlr_contacts_count(ca); i++)
        ck_assert_str_eq(spamlr_contacts_entry(ca, i), spamlr_contacts_entry(cb, i));
}

START_TEST(model_round_trip)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_contacts *c = parse("ann@example.org\n@corp.example.com\n", SPAMLR_OK, &d);
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL, *l = NULL, *im = NULL, *bare = NULL;
    spamlr_train_opts o;
    spamlr_scratch *s = NULL;
    spamlr_explanation ex = SPAMLR_EXPLANATION_INIT;
    spamlr_contribution items[64];
    unsigned char *buf = NULL;
    char *dump = NULL;
    size_t size, i, len;
    float w;
    double z1, z2, p;
    int found = 0;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_set_contacts(ds, c), SPAMLR_OK);
    spamlr_contacts_free(c); /* the dataset keeps a copy */
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, HAM[i], strlen(HAM[i]), NULL), 0);
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, SPAM[i], strlen(SPAM[i]), NULL), 0);
    }
    spamlr_train_opts_init(&o);
    o.c = 10;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_OK);
    /* the list went into the model; its features have learned weights */
    ck_assert_ptr_nonnull(spamlr_model_contacts(m));
    ck_assert_uint_eq(spamlr_contacts_count(spamlr_model_contacts(m)), 2);
    ck_assert_int_eq(spamlr_model_weight(m, "sender:unknown", &w), SPAMLR_OK);
    ck_assert_float_gt(w, 0);
    ck_assert_int_eq(spamlr_model_weight(m, "sender:contact-domain", &w), SPAMLR_OK);
    ck_assert_float_lt(w, 0);
    ck_assert_int_eq(spamlr_model_weight(m, "sender:contact", &w), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_weight(m, "reply-to:not-contact", &w), SPAMLR_OK);
    ck_assert_float_gt(w, 0);

    /* explain shows the contacts feature among the contributions */
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    ck_assert_int_eq(spamlr_explain(m, s, TEST_MAIL, strlen(TEST_MAIL), &ex, items, 64),
                     SPAMLR_OK);
    for (i = 0; i < ex.n; i++)
        found |= !strcmp(items[i].token, "sender:contact-domain");
    ck_assert(found);

    /* save/load */
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, &d), SPAMLR_OK);
    same_list(m, l);
    same_predictions(m, l);
    /* dump/import */
    ck_assert_int_eq(spamlr_model_dump(m, &dump, &len), SPAMLR_OK);
    ck_assert_ptr_nonnull(strstr(dump, "\ncontact=ann@example.org\n"));
    ck_assert_ptr_nonnull(strstr(dump, "\ncontact=@corp.example.com\n"));
    ck_assert_int_eq(spamlr_model_import(&im, dump, len, &d), SPAMLR_OK);
    same_list(m, im);
    same_predictions(m, im);

    /* the list is what predicts: without it the score changes, and a list
     * set on the model (an override) changes it again */
    ck_assert_int_eq(spamlr_model_load_buffer(&bare, buf, size, &d), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict(m, s, TEST_MAIL, strlen(TEST_MAIL), &p, &z1), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_set_contacts(bare, NULL), SPAMLR_OK);
    ck_assert_ptr_null(spamlr_model_contacts(bare));
    ck_assert_int_eq(spamlr_predict(bare, s, TEST_MAIL, strlen(TEST_MAIL), &p, &z2), SPAMLR_OK);
    ck_assert(z1 < z2); /* sender:contact-domain no longer counts */
    c = parse("# nobody\n", SPAMLR_OK, &d);
    ck_assert_int_eq(spamlr_model_set_contacts(bare, c), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict(bare, s, TEST_MAIL, strlen(TEST_MAIL), &p, &z2), SPAMLR_OK);
    ck_assert(z1 < z2); /* now an unknown sender */
    spamlr_contacts_free(c);

    spamlr_model_free(bare);

    free(buf);
    free(dump);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    spamlr_model_free(l);
    spamlr_model_free(im);
    spamlr_dataset_free(ds);
}
END_TEST

START_TEST(import_refuses_bad_contact)
{
    spamlr_model *m = NULL, *im = NULL;
    spamlr_dataset *ds = NULL;
    spamlr_train_opts o;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_contacts *c = parse("ann@example.org\n", SPAMLR_OK, &d);
    char *dump = NULL, *bad, *at;
    size_t len, i;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_set_contacts(ds, c), SPAMLR_OK);
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, HAM[i], strlen(HAM[i]), NULL), 0);
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, SPAM[i], strlen(SPAM[i]), NULL), 0);
    }
    spamlr_train_opts_init(&o);
    o.c = 1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_dump(m, &dump, &len), SPAMLR_OK);
    bad = strdup(dump);
    at = strstr(bad, "contact=ann@example.org");
    ck_assert_ptr_nonnull(at);
    memcpy(at + 8, "annexample", 10); /* "contact=annexample.org": no '@' */
    ck_assert_int_eq(spamlr_model_import(&im, bad, strlen(bad), &d), SPAMLR_EPARSE);
    ck_assert_ptr_null(im);
    ck_assert_int_gt(d.line, 0);
    free(bad);
    free(dump);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
    spamlr_contacts_free(c);
}
END_TEST

static Suite *contacts_suite(void)
{
    Suite *s = suite_create("contacts");
    TCase *tc = tcase_create("contacts");

    tcase_add_test(tc, plain_list);
    tcase_add_test(tc, junk_lines);
    tcase_add_test(tc, vcard);
    tcase_add_test(tc, read_file);
    tcase_add_test(tc, mail_addresses);
    tcase_add_test(tc, sender_tokens);
    tcase_add_test(tc, model_round_trip);
    tcase_add_test(tc, import_refuses_bad_contact);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(contacts_suite)
