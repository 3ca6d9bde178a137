/* contacts.h - the contact list: addresses and domains the user knows,
 * read from plain lists and vCards, and the sender's relation to it
 * (contacts.c). The public functions are spamlr_contacts_* (spamlr.h). */
#ifndef SPAMLR_CONTACTS_H
#define SPAMLR_CONTACTS_H

#include "common/common.h"

/* Entries are normalised (spamlr__contact_norm) and kept sorted, unique:
 * "local@domain" for an address, "@domain" for a domain. dom[] holds the
 * domains of the address entries, sorted, unique. Immutable once built,
 * so any number of threads may match against it. */
struct spamlr_contacts {
    char **e;
    size_t n, cap;
    char **dom;
    size_t ndom, domcap;
};

/* The longest normalised entry (bytes, without the NUL). */
#define SPAMLR__CONTACT_MAX 320

/* Normalises an address "Local+tag@Example.ORG." or a domain entry
 * "@Example.org" (s[0..n), blanks around it and <> or "mailto:" are
 * stripped) into out (at least SPAMLR__CONTACT_MAX + 1 bytes,
 * NUL-terminated): ASCII lower-cased, a "+tag" of the local part
 * removed, a final dot of the domain removed. Returns the length, 0 when
 * it is no address (no '@', an empty part, blanks, control bytes, a
 * domain without a dot-separated name). */
size_t spamlr__contact_norm(const char *s, size_t n, char *out);

/* A deep copy of c into *out (NULL when c is NULL). 0 or SPAMLR_ENOMEM. */
int spamlr__contacts_copy(spamlr_contacts **out, const spamlr_contacts *c);

#endif
