/* spamlr.c - the spamlr command: dispatch to the subcommands. */
#include <string.h>

#include "common.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "train", cmd_train, "learn a model from labelled messages" },
    { "predict", cmd_predict, "print the spam probability of messages" },
    { "eval", cmd_eval, "measure a model on labelled messages" },
    { "inspect", cmd_inspect, "show a model's parameters and word weights" },
    { "explain", cmd_explain, "show why a message got its score, word by word" },
    { "prune", cmd_prune, "keep only the largest weights of a model" },
    { "import", cmd_import, "turn an 'inspect --dump' text back into a model" },
    { "curve", cmd_curve, "model size versus quality: prune and evaluate" },
    { "learn", cmd_learn, "update a model in place from messages (online)" },
    { "filter", cmd_filter, "pass a mail through, adding X-Spam-* headers" },
    { "serve", cmd_serve, "a spamd-compatible daemon for spamc and mail servers" },
    { "contacts", cmd_contacts, "a contact list from sent mail and ham" },
    { NULL, NULL, NULL }
};

static void print_usage(FILE *f)
{
    const command *c;

    fputs("usage: spamlr COMMAND [options] [args]\n"
          "       spamlr --version | --help | help [COMMAND]\n\n"
          "A logistic-regression spam filter whose parameters (one weight per word)\n"
          "can be seen, counted and explained.\n\ncommands:\n", f);
    for (c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fputs("\nRun 'spamlr COMMAND --help' for the options of a command.\n"
          "Exit status: 0 success, 1 error (bad data, I/O, damaged model),\n"
          "2 usage error.\n", f);
}

static const command *find_command(const char *name)
{
    const command *c;

    for (c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static int print_version(void)
{
    printf("spamlr %s (simd: %s)\n", spamlr_version_string(), spamlr_simd_name());
    return finish_output(EXIT_OK);
}

/* "spamlr help [COMMAND]" */
static int run_help(int argc, char **argv)
{
    const command *c;
    char help_opt[] = "--help";
    char *sub_argv[3];

    if (argc < 2) {
        print_usage(stdout);
        return finish_output(EXIT_OK);
    }
    c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "spamlr: unknown command '%s'\n", argv[1]);
        return EXIT_USAGE;
    }
    cli_command = c->name;
    sub_argv[0] = argv[1];
    sub_argv[1] = help_opt;
    sub_argv[2] = NULL;
    return c->run(2, sub_argv);
}

int main(int argc, char **argv)
{
    const command *c;
    const char *name;

    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        return print_version();
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_usage(stdout);
        return finish_output(EXIT_OK);
    }
    if (strcmp(name, "help") == 0)
        return run_help(argc - 1, argv + 1);
    c = find_command(name);
    if (!c) {
        fprintf(stderr, "spamlr: unknown command '%s'\n"
                        "Run 'spamlr --help' for the list of commands.\n", name);
        return EXIT_USAGE;
    }
    cli_command = c->name;
    return c->run(argc - 1, argv + 1);
}
