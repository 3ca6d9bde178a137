/* addresses.c - the addresses of every message under a path, for
 * building contact lists (spamlr_contacts_add_path). */
#include <string.h>

#include "data/dataset.h"
#include "mail/contacts.h"

typedef struct collect {
    spamlr_contacts *c;
    const spamlr_contacts *only_from;
    unsigned fields;
    int mine;             /* the message's From is in only_from */
    int rc;
} collect;

static int from_cb(void *ctx, const char *addr, size_t len)
{
    collect *k = ctx;

    k->mine = spamlr_contacts_match(k->only_from, addr, len) == SPAMLR_CONTACT_ADDRESS;
    return 1; /* the first From address decides */
}

static int add_cb(void *ctx, const char *addr, size_t len)
{
    collect *k = ctx;

    k->rc = spamlr_contacts_add(k->c, addr, len);
    if (k->rc == SPAMLR_EINVAL)
        k->rc = SPAMLR_OK; /* normalised already; cannot happen */
    return k->rc != SPAMLR_OK;
}

static int on_message(void *ctx, const char *msg, size_t len)
{
    collect *k = ctx;
    int rc;

    if (k->only_from) {
        k->mine = 0;
        if ((rc = spamlr_mail_addresses(msg, len, SPAMLR_ADDR_FROM, from_cb, k)))
            return rc;
        if (!k->mine)
            return SPAMLR_OK;
    }
    if ((rc = spamlr_mail_addresses(msg, len, k->fields, add_cb, k)))
        return rc;
    return k->rc;
}

int spamlr_contacts_add_path(spamlr_contacts *c, const char *path, unsigned fields,
                             const spamlr_contacts *only_from, spamlr_diag *diag)
{
    spamlr_dataset *ds = NULL;
    collect k;
    int rc;

    if (spamlr__diag_bad(diag))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(diag);
    if (!c || !path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr_dataset_create(&ds, NULL)))
        return rc;
    memset(&k, 0, sizeof k);
    k.c = c;
    k.only_from = only_from;
    k.fields = fields;
    ds->threads = 1; /* one reader: the callback adds to c */
    ds->on_message = on_message;
    ds->on_ctx = &k;
    rc = spamlr_dataset_read_path(ds, SPAMLR_UNLABELLED, path, diag);
    spamlr_dataset_free(ds);
    return rc;
}
