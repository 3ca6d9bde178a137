/* util.c - error reporting, JSON output and small helpers for the CLI. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---------------------------------------------------------------- errors */

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "spamlr %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'spamlr %s --help'.\n", cmd);
    return EXIT_USAGE;
}

/* "spamlr CMD: " (or "spamlr: " before a subcommand is known) */
static void put_prefix(void)
{
    progress_end();
    if (cli_command)
        fprintf(stderr, "spamlr %s: ", cli_command);
    else
        fputs("spamlr: ", stderr);
}

int runtime_error(const char *fmt, ...)
{
    va_list ap;

    put_prefix();
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_RUNTIME;
}

void warning(const char *fmt, ...)
{
    va_list ap;

    put_prefix();
    fputs("warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int report_failure(int err, const spamlr_diag *d, const char *path)
{
    spamlr_diag copy = SPAMLR_DIAG_INIT;
    char buf[1200];

    if (!d || (d->message[0] == '\0' && d->path[0] == '\0')) {
        if (path)
            return runtime_error("%s: %s", path, spamlr_strerror(err));
        return runtime_error("%s", spamlr_strerror(err));
    }
    copy = *d;
    if (copy.path[0] == '\0' && path)
        snprintf(copy.path, sizeof copy.path, "%s", path);
    if (copy.message[0] == '\0')
        snprintf(copy.message, sizeof copy.message, "%s", spamlr_strerror(err));
    spamlr_diag_format(&copy, buf, sizeof buf);
    return runtime_error("%s", buf);
}

void report_diag_warning(const spamlr_diag *d)
{
    char buf[1200];

    if (d->message[0] == '\0')
        return;
    spamlr_diag_format(d, buf, sizeof buf);
    warning("%s", buf);
}

int finish_output(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return runtime_error("error writing to standard output");
    return rc;
}

/* ------------------------------------------------------------------- json */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_valid_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t len, i;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL terminator */
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    fputc('"', f);
    while (*p) {
        size_t len = utf8_valid_len(p);

        if (len == 0) {
            fputs("\\ufffd", f);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fputc('\\', f);
            fputc(*p++, f);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, len, f);
            p += len;
        }
    }
    fputc('"', f);
}

void token_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t len = utf8_valid_len(p);

        if (len == 0 || *p < 0x20 || *p == 0x7f || *p == '\\' ||
            (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)) { /* C1 controls too */
            switch (*p) {
            case '\\': fputs("\\\\", f); break;
            case '\t': fputs("\\t", f); break;
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            default: fprintf(f, "\\x%02x", *p); break;
            }
            p++;
        } else {
            fwrite(p, 1, len, f);
            p += len;
        }
    }
}

void json_number(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.17g", x);
    else
        fputs("null", f);
}

/* ---------------------------------------------------------------- names */

const char *solver_name(unsigned solver)
{
    switch (solver) {
    case SPAMLR_SOLVER_TRON: return "tron";
    case SPAMLR_SOLVER_LBFGS: return "lbfgs";
    case SPAMLR_SOLVER_OWLQN: return "owlqn";
    case SPAMLR_SOLVER_ADAGRAD: return "adagrad";
    case SPAMLR_SOLVER_FTRL: return "ftrl";
    default: return "unknown";
    }
}

const char *features_name(unsigned features)
{
    switch (features) {
    case SPAMLR_FEAT_BINARY: return "binary";
    case SPAMLR_FEAT_LOGTF: return "logtf";
    case SPAMLR_FEAT_TFIDF: return "tfidf";
    default: return "unknown";
    }
}

const char *class_weight_name(unsigned cw)
{
    switch (cw) {
    case SPAMLR_CW_NONE: return "none";
    case SPAMLR_CW_BALANCED: return "balanced";
    case SPAMLR_CW_MANUAL: return "manual";
    default: return "unknown";
    }
}

const char *label_name(int label)
{
    if (label == SPAMLR_SPAM)
        return "spam";
    if (label == SPAMLR_HAM)
        return "ham";
    return "-";
}

void print_path(FILE *f, const spamlr_model *m)
{
    const spamlr_path_point *pt;
    unsigned folds, i, best = 0;
    size_t n = spamlr_model_path(m, &pt, &folds);

    if (n == 0)
        return;
    for (i = 1; i < n; i++)
        if (pt[i].log_loss < pt[best].log_loss)
            best = i;
    fprintf(f, "  C chosen       %g: the least %u-fold validation log loss on a warm-started path\n"
               "  %14s  %10s  %9s  %9s\n", pt[best].c, folds, "C", "log loss", "ROC AUC",
            "(1-AUC)%");
    for (i = 0; i < n; i++)
        fprintf(f, "  %14g  %10.6f  %9.6f  %9.4f%s\n", pt[i].c, pt[i].log_loss, pt[i].auc,
                (1 - pt[i].auc) * 100, i == best ? "  <- chosen" : "");
}

void json_path(FILE *f, const spamlr_model *m)
{
    const spamlr_path_point *pt;
    unsigned folds, i;
    size_t n = spamlr_model_path(m, &pt, &folds);

    if (n == 0) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"folds\": %u, \"criterion\": \"log_loss\", \"points\": [", folds);
    for (i = 0; i < n; i++) {
        fputs(i ? ", {\"c\": " : "{\"c\": ", f);
        json_number(f, pt[i].c);
        fputs(", \"log_loss\": ", f);
        json_number(f, pt[i].log_loss);
        fputs(", \"auc\": ", f);
        json_number(f, pt[i].auc);
        fputs("}", f);
    }
    fputs("]}", f);
}

const char *auc_text(double x, int digits, char *buf)
{
    if (x != x)
        return strcpy(buf, "undefined (one class)");
    snprintf(buf, 32, "%.*f", digits, x);
    return buf;
}
