/* fuzz_contacts.c - the contact list parser (spamlr_contacts_parse, plain
 * lists and vCards) and the matcher on any bytes. Beyond "no crash": a
 * parse error names the file and a line; every entry is normalised (adding
 * it again changes nothing), listed in ascending order, and matches
 * itself; the sender: tokens of the bytes read as a mail come out. */
#include "fuzz.h"
#include "mail/contacts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr_contacts *c = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    size_t i, n;
    int rc;

    if (spamlr_contacts_create(&c) != SPAMLR_OK)
        return 0;
    rc = spamlr_contacts_parse(c, (const char *)data, size, "in.txt", &d);
    if (rc != SPAMLR_OK && rc != SPAMLR_ENOMEM &&
        (rc != SPAMLR_EPARSE || d.code != rc || d.line <= 0 || strcmp(d.path, "in.txt")))
        abort();
    n = spamlr_contacts_count(c);
    for (i = 0; i < n; i++) {
        const char *e = spamlr_contacts_entry(c, i);
        if (i && strcmp(spamlr_contacts_entry(c, i - 1), e) >= 0)
            abort();
        if (spamlr_contacts_add(c, e, strlen(e)) != SPAMLR_OK || spamlr_contacts_count(c) != n)
            abort();
        if (e[0] != '@' && spamlr_contacts_match(c, e, strlen(e)) != SPAMLR_CONTACT_ADDRESS)
            abort();
    }
    spamlr_contacts_match(c, (const char *)data, size);
    spamlr_contacts_free(c);
    return 0;
}
