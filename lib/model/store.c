/* store.c - a per-user model store's names: which file holds user NAME's
 * model (DIR/users/NAME.slr), and which names are refused. The models
 * themselves are deltas on the store's base (delta.c). */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

/* Why user[0..len) is not a user name (a phrase after "the user name"),
 * or NULL when it is one. */
static const char *user_error(const char *user, size_t len)
{
    size_t i;

    if (len == 0)
        return "is empty";
    if (len > SPAMLR_STORE_USER_MAX)
        return "is longer than 240 bytes (it names a file, with .slr and the lock and "
               "temporary files' suffixes)";
    if (user[0] == '.')
        return "starts with '.' (no hidden files, no '.' or '..')";
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)user[i];
        if (c == '/')
            return "holds '/' (a user name is one file name, not a path)";
        if (c == 0)
            return "holds a NUL byte";
        if (c < 0x20 || c == 0x7f)
            return "holds a control character";
    }
    return NULL;
}

int spamlr_store_user_path(char **out, const char *dir, const char *user, size_t len,
                           spamlr_diag *d)
{
    const char *why;
    size_t n;

    spamlr__diag_clear(d);
    if (out)
        *out = NULL;
    if (!out || !dir || (!user && len))
        return SPAMLR_EINVAL;
    if (!*dir)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "the store's directory name is "
                            "empty");
    if ((why = user_error(user, len)))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "the user name %s", why);
    n = strlen(dir);
    if (!(*out = malloc(n + len + 12)))
        return spamlr__diag(d, SPAMLR_ENOMEM, NULL, 0, -1, "out of memory");
    memcpy(*out, dir, n);
    memcpy(*out + n, "/users/", 7);
    memcpy(*out + n + 7, user, len);
    memcpy(*out + n + 7 + len, ".slr", 5);
    return SPAMLR_OK;
}
