/* htmlout.c - what the HTML pages share: the atomic output file, escaping
 * of untrusted text, the page head with its style sheet, bar chart rows. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "html.h"

/* ------------------------------------------------ the atomic output file */

int out_file_open(out_file *o, const char *path)
{
    static const char suffix[] = ".tmp-XXXXXX";
    spamlr_diag d = SPAMLR_DIAG_INIT;
    mode_t mask;
    size_t n;
    int fd, err;

    memset(o, 0, sizeof *o);
    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    if ((err = spamlr_model_save_path(&o->target, path, &d)) != SPAMLR_OK)
        return report_failure(err, &d, path);
    n = strlen(o->target);
    if (!(o->tmp = malloc(n + sizeof suffix))) {
        out_file_abort(o);
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    }
    memcpy(o->tmp, o->target, n);
    memcpy(o->tmp + n, suffix, sizeof suffix);
    if ((fd = mkstemp(o->tmp)) < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        out_file_abort(o);
        return runtime_error("%s: cannot create a temporary file beside it: %s", path,
                             strerror(e));
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        out_file_abort(o);
        return runtime_error("%s: cannot write: %s", path, strerror(e));
    }
    return 0;
}

void out_file_abort(out_file *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->target);
    memset(o, 0, sizeof *o);
}

int out_file_commit(out_file *o, const char *path)
{
    int bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
    int e = errno;

    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (!bad && rename(o->tmp, o->target) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        out_file_abort(o);
        return runtime_error("%s: cannot write: %s", path, strerror(e ? e : EIO));
    }
    free(o->tmp);
    o->tmp = NULL; /* renamed: nothing to remove */
    out_file_abort(o);
    return 0;
}

/* ------------------------------------------------------------- escaping */

size_t html_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n, i;
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, v = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, v = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, v = c & 0x07;
    else
        return 0;
    if (n > len)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
        (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

void html_text(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    uint32_t cp;

    while (i < len) {
        n = html_utf8(p + i, len - i, &cp);
        if (n == 0) {
            fputs("\xef\xbf\xbd", f); /* U+FFFD */
            i++;
            continue;
        }
        switch (cp) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\t': case '\n': fputc((int)cp, f); break;
        case '\r':
            if (i + 1 < len && p[i + 1] == '\n')
                break;
            fputc('\n', f);
            break;
        default:
            if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
                fputs("\xef\xbf\xbd", f);
            else
                fwrite(p + i, 1, n, f);
        }
        i += n;
    }
}

void html_str(FILE *f, const char *s)
{
    html_text(f, s, strlen(s));
}

void html_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.17g", x);
    else
        fputc('0', f);
}

/* ----------------------------------------------------------- page parts */

static const char style[] =
    "body{font:15px/1.45 sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;"
    "color:#222;background:#fff}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
    "border-bottom:1px solid #ddd}\n"
    ".sub{color:#666;margin:0 0 12px}\n"
    "table.kv td{padding:1px 12px 1px 0;vertical-align:top}table.kv td:first-child{color:#666}\n"
    ".msg{white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.6 monospace;"
    "border:1px solid #ccc;padding:12px;background:#fcfcfc;max-height:70vh;overflow:auto}\n"
    ".tok{border-radius:3px;padding:0 1px}.tok:hover{outline:1px solid #333}\n"
    ".chips .tok{display:inline-block;margin:2px 4px 2px 0;padding:0 4px;"
    "font-family:monospace;border:1px solid #ccc}\n"
    ".score{font-size:18px;margin:8px 0}.spamw{color:#b2182b}.hamw{color:#2166ac}\n"
    "table.bars{border-collapse:collapse;font-size:13px}\n"
    "table.bars td{padding:1px 6px}table.bars td.l{font-family:monospace;text-align:right;"
    "max-width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
    "table.bars td.n,table.bars td.p{width:220px;padding:1px 0}table.bars td.v{"
    "font-family:monospace}\n"
    "td.n div{background:#2166ac;height:12px;margin-left:auto}td.p div{background:#b2182b;"
    "height:12px}td.n{border-right:1px solid #888}\n"
    ".cols{display:flex;flex-wrap:wrap;gap:32px}\n"
    ".key span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px}\n";

void html_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"spamlr ", f);
    fputs(spamlr_version_string(), f);
    fputs("\">\n<title>", f);
    html_str(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

void html_end(FILE *f)
{
    fputs("</body>\n</html>\n", f);
}

void html_bar(FILE *f, const char *label, double value, double scale)
{
    double pct = scale > 0 && isfinite(value) ? fabs(value) / scale * 100 : 0;

    if (pct > 100)
        pct = 100;
    fputs("<tr><td class=\"l\" title=\"", f);
    html_str(f, label);
    fputs("\">", f);
    html_str(f, label);
    fputs("</td><td class=\"n\">", f);
    if (value < 0)
        fprintf(f, "<div style=\"width:%.1f%%\"></div>", pct);
    fputs("</td><td class=\"p\">", f);
    if (value > 0)
        fprintf(f, "<div style=\"width:%.1f%%\"></div>", pct);
    fprintf(f, "</td><td class=\"v\">%+.4f</td></tr>\n", value);
}
