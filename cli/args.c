/* args.c - a small, strict command-line option parser for the subcommands.
 *
 * Written by hand (not getopt_long) so that options and positional
 * arguments come back in the order given: INPUTs are read in that order. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void args_init(cli_args *a, int argc, char **argv)
{
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
    a->only_positional = 0;
    a->cmd = argc > 0 ? argv[0] : "spamlr";
    a->name[0] = '\0';
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len)
{
    for (; opts->long_name || opts->short_name; opts++)
        if (opts->long_name && strlen(opts->long_name) == len &&
            memcmp(opts->long_name, name, len) == 0)
            return opts;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
    for (; opts->long_name || opts->short_name; opts++)
        if (opts->short_name == c)
            return opts;
    return NULL;
}

/* Takes the option's argument: `attached` (after '=' or the short letter)
 * or the next argv element. */
static int take_value(cli_args *a, const cli_opt *o, const char *attached,
                      const char **value)
{
    *value = NULL;
    if (!o->has_arg) {
        if (attached)
            return usage_error(a->cmd, "option '%s' takes no argument", a->name),
                   ARGS_ERROR;
        return o->id;
    }
    if (attached) {
        *value = attached;
        return o->id;
    }
    if (a->i >= a->argc)
        return usage_error(a->cmd, "option '%s' needs an argument", a->name),
               ARGS_ERROR;
    *value = a->argv[a->i++];
    return o->id;
}

static int next_long(cli_args *a, const cli_opt *opts, const char *arg,
                     const char **value)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *o = find_long(opts, name, len);

    if (!o)
        return usage_error(a->cmd, "unknown option '%.*s'", (int)(len + 2), arg),
               ARGS_ERROR;
    snprintf(a->name, sizeof a->name, "--%s", o->long_name);
    return take_value(a, o, eq ? eq + 1 : NULL, value);
}

static int next_short(cli_args *a, const cli_opt *opts, const char *arg,
                      const char **value)
{
    const cli_opt *o = find_short(opts, arg[1]);

    if (!o)
        return usage_error(a->cmd, "unknown option '-%c'", arg[1]), ARGS_ERROR;
    snprintf(a->name, sizeof a->name, "-%c", o->short_name);
    return take_value(a, o, arg[2] ? arg + 2 : NULL, value);
}

int args_next(cli_args *a, const cli_opt *opts, const char **value)
{
    const char *arg;

    *value = NULL;
    if (a->i >= a->argc)
        return ARGS_END;
    arg = a->argv[a->i++];
    if (a->only_positional || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return ARGS_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        a->only_positional = 1;
        return args_next(a, opts, value);
    }
    if (arg[1] == '-')
        return next_long(a, opts, arg, value);
    return next_short(a, opts, arg, value);
}

/* strtod of all of s: 0, or -1 when s is not a number (NaN is not one;
 * an infinity or a value too large for a double is +-HUGE_VAL, which the
 * callers' ranges refuse; one too small is its subnormal or 0). */
static int parse_number(const char *s, double *x)
{
    char *end = NULL;

    errno = 0;
    *x = strtod(s, &end);
    return end == s || *end != '\0' || isnan(*x) ? -1 : 0;
}

int args_double(const cli_args *a, const char *s, double lo, double hi, double *out)
{
    double x;

    if (parse_number(s, &x)) {
        usage_error(a->cmd, "option '%s': '%s' is not a number", a->name, s);
        return -1;
    }
    if (x < lo || x > hi) {
        usage_error(a->cmd, "option '%s': %s is out of range [%g, %g]",
                    a->name, s, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

int args_threads(const cli_args *a, const char *s, unsigned *out)
{
    unsigned long x;

    if (args_uint(a, s, 0, ARGS_THREADS_MAX, &x))
        return EXIT_USAGE;
    *out = (unsigned)x;
    return 0;
}

int args_positive(const cli_args *a, const char *s, double hi, double *out)
{
    double x;

    if (parse_number(s, &x)) {
        usage_error(a->cmd, "option '%s': '%s' is not a number", a->name, s);
        return -1;
    }
    /* a subnormal (1e-320) is refused with 0 and the negatives: the
     * solvers would divide by it */
    if (!(x >= DBL_MIN) || x > hi) {
        usage_error(a->cmd, "option '%s': %s is out of range: it must be > 0 (at least "
                    "%.3g) and at most %g", a->name, s, DBL_MIN, hi);
        return -1;
    }
    *out = x;
    return 0;
}

int args_uint(const cli_args *a, const char *s, unsigned long lo, unsigned long hi,
              unsigned long *out)
{
    char *end = NULL;
    unsigned long x;

    errno = 0;
    /* strtoul accepts a sign and wraps "-1"; insist on digits only. */
    if (s[0] < '0' || s[0] > '9' || (x = strtoul(s, &end, 10), *end != '\0')) {
        usage_error(a->cmd, "option '%s': '%s' is not a non-negative integer",
                    a->name, s);
        return -1;
    }
    if (errno == ERANGE || x < lo || x > hi) {
        usage_error(a->cmd, "option '%s': %s is out of range [%lu, %lu]",
                    a->name, s, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

const char *const layout_names[] = { "packed", "mapped", NULL };

int args_choice(const cli_args *a, const char *s, const char *const *names)
{
    char list[256] = "";
    size_t used = 0;
    int i;

    for (i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    for (i = 0; names[i] && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 i ? ", " : "", names[i]);
    usage_error(a->cmd, "option '%s': '%s' is not one of: %s", a->name, s, list);
    return -1;
}

int args_scoring(const cli_args *a, scoring_opts *s, int id, const char *v,
                 const char *const *formats)
{
    int i;

    switch (id) {
    case SC_HELP: s->help = 1; return 0;
    case SC_MODEL: s->model = v; return 0;
    case SC_FORMAT:
        if ((i = args_choice(a, v, formats)) < 0)
            return EXIT_USAGE;
        s->format = i;
        return 0;
    case SC_THRESHOLD:
        s->has_threshold = 1;
        return args_double(a, v, 0, 1, &s->threshold) ? EXIT_USAGE : 0;
    default: return -1;
    }
}

int args_parse(cli_args *a, int argc, char **argv, const cli_opt *opts, args_take_fn take,
               void *cfg)
{
    const char *v;
    int id, rc;

    args_init(a, argc, argv);
    while ((id = args_next(a, opts, &v)) != ARGS_END) {
        if (id == ARGS_ERROR)
            return EXIT_USAGE;
        if ((rc = take(a, cfg, id, v)) != 0)
            return rc;
    }
    return 0;
}
