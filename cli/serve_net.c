/* serve_net.c - `spamlr serve`'s sockets: --listen addresses, --allow
 * networks, peer names. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "serve.h"

int net_parse_cidr(const char *s, serve_cidr *out)
{
    char host[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    unsigned long bits;
    char *end;

    memset(out, 0, sizeof *out);
    if (n == 0 || n >= sizeof host)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    if (inet_pton(AF_INET, host, out->addr) == 1) {
        out->family = AF_INET;
        out->bits = 32;
    } else if (inet_pton(AF_INET6, host, out->addr) == 1) {
        out->family = AF_INET6;
        out->bits = 128;
    } else {
        return -1;
    }
    if (slash) {
        errno = 0;
        bits = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || errno || bits > out->bits)
            return -1;
        out->bits = (unsigned)bits;
    }
    return 0;
}

static int prefix_match(const unsigned char *a, const unsigned char *b, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;

    if (memcmp(a, b, full) != 0)
        return 0;
    return rest == 0 || ((a[full] ^ b[full]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

int net_allowed(const serve_cidr *list, size_t n, const struct sockaddr_storage *peer)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    unsigned char addr[16];
    int family = peer->ss_family;
    size_t i;

    if (family == AF_UNIX)
        return 1;
    if (family == AF_INET) {
        memcpy(addr, &((const struct sockaddr_in *)peer)->sin_addr, 4);
    } else if (family == AF_INET6) {
        memcpy(addr, &((const struct sockaddr_in6 *)peer)->sin6_addr, 16);
        if (memcmp(addr, mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            family = AF_INET;
        }
    } else {
        return 0;
    }
    for (i = 0; i < n; i++)
        if (list[i].family == family && prefix_match(list[i].addr, addr, list[i].bits))
            return 1;
    return 0;
}

void net_peer_name(const struct sockaddr_storage *peer, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];

    if (peer->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)peer;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(buf, size, "%s:%u", host, (unsigned)ntohs(a->sin_port));
    } else if (peer->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)peer;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(buf, size, "[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
    } else {
        snprintf(buf, size, "unix");
    }
}

static int listen_unix(const char *path, long mode)
{
    struct sockaddr_un a;
    struct stat st;
    int fd;

    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) {
        runtime_error("%s: socket path too long", path);
        return -1;
    }
    strcpy(a.sun_path, path);
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a socket left by an earlier run */
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        (mode >= 0 && chmod(path, (mode_t)mode) != 0) || listen(fd, 128) != 0) {
        runtime_error("unix:%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int listen_tcp(const char *spec)
{
    char host[256];
    const char *port, *h = spec;
    size_t hn;
    struct addrinfo hints, *res = NULL;
    int fd = -1, one = 1, err;

    port = strrchr(spec, ':');
    if (!port) { /* "PORT" alone */
        h = "127.0.0.1";
        hn = strlen(h);
        port = spec;
    } else {
        hn = (size_t)(port - spec);
        port++;
        if (hn >= 2 && spec[0] == '[' && spec[hn - 1] == ']') {
            h = spec + 1;
            hn -= 2;
        }
    }
    if (hn == 0 || hn >= sizeof host || !*port) {
        runtime_error("--listen %s: expected ADDR:PORT, [ADDR6]:PORT, PORT or unix:PATH", spec);
        return -1;
    }
    memcpy(host, h, hn);
    host[hn] = '\0';
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (strcmp(host, "*") == 0)
        hints.ai_family = AF_INET6; /* [::] takes IPv4 too */
    if ((err = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, port, &hints, &res)) != 0) {
        runtime_error("--listen %s: %s", spec, gai_strerror(err));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd >= 0 && res->ai_family == AF_INET6 && strcmp(host, "*") == 0) {
        int zero = 0;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        runtime_error("--listen %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int net_listen(const char *spec, long socket_mode)
{
    if (strncmp(spec, "unix:", 5) == 0)
        return listen_unix(spec + 5, socket_mode);
    return listen_tcp(spec);
}
