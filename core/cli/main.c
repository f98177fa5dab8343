/* The docpipe command line: `run`, `check`, `plugins`, `--help` and
 * `--version`. It turns arguments into a config, a pipeline and a run, and
 * maps every outcome to DESIGN.md's exit codes (0, 1, 2, 3). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "docpipe/docpipe.h"
#include "input.h"
#include "loader.h"
#include "options.h"
#include "paths.h"
#include "pipeline.h"
#include "run.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_FATAL = 3 };

static const char usage_main[] =
    "usage: docpipe COMMAND [OPTIONS]\n"
    "\n"
    "Runs bundles of documents (archives, folders, files, JSON Lines) through a\n"
    "chain of plugin stages configured in JSON.\n"
    "\n"
    "commands:\n"
    "  run [-c CONFIG] [-j N] [--set K=V]... INPUT...   process inputs\n"
    "  check -c CONFIG                                 validate a config, run nothing\n"
    "  plugins [show NAME]                             list plugins, or one plugin's options\n"
    "  --help, --version\n"
    "\n"
    "examples:\n"
    "  docpipe run samples/releases.tar.gz\n"
    "  docpipe run -c configs/default.json -j 4 --set export.path=- inbox/\n"
    "  echo '{\"id\": 1, \"text\": \"Hello.\"}' | docpipe run --input-format jsonl --set export.path=- -\n"
    "\n"
    "`docpipe COMMAND --help` describes each command.\n";

static const char usage_run[] =
    "usage: docpipe run [-c CONFIG] [-j N] [--set STAGE.OPTION=VALUE]... [--input-format auto|jsonl]\n"
    "                   [--stats FILE] [--quiet] INPUT...\n"
    "\n"
    "INPUT is an archive (tar, tar.gz, zip, 7z, ...), a folder, a file, or - for standard\n"
    "input. Without -c the default chain (configs/default.json) is used.\n"
    "\n"
    "  -c, --config FILE        the chain to run\n"
    "  -j, --jobs N             worker threads (default: number of cores)\n"
    "      --set K=V            override a stage option; V is JSON, else a string\n"
    "      --input-format F     auto (archives, folders, files) or jsonl ({\"id\",\"text\"} lines)\n"
    "      --stats FILE         write per-stage counts and times as JSON\n"
    "  -q, --quiet              no progress line and no summary (failures still print)\n"
    "\n"
    "exit codes: 0 all processed, 1 some documents failed, 2 usage or config error,\n"
    "            3 fatal error (on_error: fail, a failed write, interrupted)\n"
    "\n"
    "examples:\n"
    "  docpipe run samples/releases.tar.gz samples/releases.zip\n"
    "  docpipe run -c my-chain.json -j 8 --stats stats.json /data/inbox\n"
    "  docpipe run -c chain.json --input-format jsonl --set export.path=- - < docs.jsonl\n";

static const char usage_check[] =
    "usage: docpipe check [-c CONFIG] [--set STAGE.OPTION=VALUE]...\n"
    "\n"
    "Loads the config and every plugin it names, validates all options and\n"
    "initialises the stages, then exits: 0 when the chain would run, 2 otherwise.\n"
    "\n"
    "example:\n"
    "  docpipe check -c configs/default.json\n";

static const char usage_plugins[] =
    "usage: docpipe plugins [-c CONFIG] [show NAME]\n"
    "\n"
    "Lists the plugins found (DOCPIPE_PLUGIN_PATH, the config's plugin_path, the\n"
    "built-in folder), one a line: name, version, file, description. `show NAME`\n"
    "prints one plugin's options with their type, default and description.\n"
    "\n"
    "examples:\n"
    "  docpipe plugins\n"
    "  docpipe plugins show export\n";

typedef struct cli {
    const char *config_path;
    char *default_config;
    const char **sets;
    size_t n_sets;
    int jobs;
    dp__input_format_t format;
    bool quiet;
    const char *stats_path;
    char *plugin_dir;
    char *data_dir;
} cli_t;

static void on_signal(int sig)
{
    (void)sig;
    dp__run_request_stop();
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "docpipe: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage);
    return EXIT_USAGE;
}

static bool add_set(cli_t *cli, const char *value)
{
    const char **sets = dp_realloc(cli->sets, (cli->n_sets + 1) * sizeof *sets);
    if (!sets)
        return false;
    cli->sets = sets;
    cli->sets[cli->n_sets++] = value;
    return true;
}

/* Parses the options shared by run, check and plugins. Returns -1 to go on,
 * else an exit code. */
static int parse_options(cli_t *cli, int argc, char **argv, const char *usage, bool run_options)
{
    enum { OPT_SET = 256, OPT_FORMAT, OPT_STATS };
    static const struct option long_options[] = {
        {"config", required_argument, NULL, 'c'},
        {"jobs", required_argument, NULL, 'j'},
        {"set", required_argument, NULL, OPT_SET},
        {"input-format", required_argument, NULL, OPT_FORMAT},
        {"stats", required_argument, NULL, OPT_STATS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+c:j:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli->config_path = optarg;
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (!run_options || *end || n < 1 || n > 1024)
                return usage_error(usage, "-j %s: expected a number of jobs from 1 to 1024", optarg);
            cli->jobs = (int)n;
            break;
        }
        case OPT_SET:
            if (!add_set(cli, optarg))
                return EXIT_FATAL;
            break;
        case OPT_FORMAT:
            if (!run_options)
                return usage_error(usage, "%s: applies to `run` only", "--input-format");
            if (strcmp(optarg, "jsonl") == 0)
                cli->format = DP__INPUT_JSONL;
            else if (strcmp(optarg, "auto") == 0)
                cli->format = DP__INPUT_AUTO;
            else
                return usage_error(usage, "--input-format %s: expected auto or jsonl", optarg);
            break;
        case OPT_STATS:
            if (!run_options)
                return usage_error(usage, "%s: applies to `run` only", "--stats");
            cli->stats_path = optarg;
            break;
        case 'q':
            cli->quiet = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            return usage_error(usage, "%s: unknown or incomplete option", argv[optind - 1]);
        }
    }
    return -1;
}

static const char *config_path(cli_t *cli)
{
    if (cli->config_path)
        return cli->config_path;
    size_t n = strlen(cli->data_dir) + 16;
    cli->default_config = dp_malloc(n);
    if (cli->default_config)
        snprintf(cli->default_config, n, "%s/default.json", cli->data_dir);
    return cli->default_config ? cli->default_config : "configs/default.json";
}

/* Loads config and pipeline (not initialised). Returns -1 on success. */
static int load_chain(cli_t *cli, dp__config_t **cfg, dp__pipeline_t **pipeline)
{
    dp_buf_t err = DP_BUF_INIT;
    int code = EXIT_USAGE;
    dp__search_path_t sp = {0};
    dp_status rc = dp__config_load(config_path(cli), cfg, &err);
    for (size_t i = 0; rc == DP_OK && i < cli->n_sets; i++)
        rc = dp__config_apply_set(*cfg, cli->sets[i], &err);
    if (rc == DP_OK)
        rc = dp__pipeline_search_path(*cfg, cli->plugin_dir, &sp);
    if (rc == DP_OK)
        rc = dp__pipeline_load(*cfg, &sp, cli->data_dir, cli->quiet ? DP_LOG_ERROR : DP_LOG_WARN,
                               pipeline, &err);
    if (rc == DP_OK) {
        code = -1;
    } else {
        if (rc == DP_ENOMEM && !err.data)
            dp_buf_puts(&err, "out of memory");
        fprintf(stderr, "docpipe: %s\n", err.data ? err.data : dp_strerror(rc));
        code = rc == DP_ENOMEM ? EXIT_FATAL : EXIT_USAGE;
    }
    dp__search_path_free(&sp);
    dp_buf_free(&err);
    return code;
}

static int init_chain(dp__pipeline_t *pipeline)
{
    dp_buf_t err = DP_BUF_INIT;
    dp_status rc = dp__pipeline_init(pipeline, &err);
    if (rc != DP_OK)
        fprintf(stderr, "docpipe: %s\n", err.data ? err.data : dp_strerror(rc));
    dp_buf_free(&err);
    return rc == DP_OK ? -1 : (rc == DP_ENOMEM ? EXIT_FATAL : EXIT_USAGE);
}

static int cmd_run(cli_t *cli, int argc, char **argv)
{
    int code = parse_options(cli, argc, argv, usage_run, true);
    if (code >= 0)
        return code;
    if (optind >= argc)
        return usage_error(usage_run, "run: %sno INPUT given (an archive, folder, file or -)", "");
    for (int i = optind; i < argc; i++) {
        if (dp__input_check_path(argv[i]) != DP_OK) {
            fprintf(stderr, "docpipe: %s: no such file or directory (expected an archive, folder, "
                            "file or -)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    dp__config_t *cfg = NULL;
    dp__pipeline_t *pipeline = NULL;
    code = load_chain(cli, &cfg, &pipeline);
    if (code < 0)
        code = init_chain(pipeline);
    if (code < 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        dp__run_options_t opts = {0};
        opts.inputs = (const char *const *)&argv[optind];
        opts.n_inputs = (size_t)(argc - optind);
        opts.format = cli->format;
        opts.jobs = cli->jobs > 0 ? cli->jobs : (cores > 0 ? (int)cores : 1);
        opts.quiet = cli->quiet;
        opts.progress = !cli->quiet && isatty(STDERR_FILENO);
        opts.stats_path = cli->stats_path;
        code = dp__run(cfg, pipeline, &opts);
    }
    dp__pipeline_free(pipeline);
    dp__config_free(cfg);
    return code;
}

static int cmd_check(cli_t *cli, int argc, char **argv)
{
    int code = parse_options(cli, argc, argv, usage_check, false);
    if (code >= 0)
        return code;
    if (optind < argc)
        return usage_error(usage_check, "check: unexpected argument %s", argv[optind]);
    dp__config_t *cfg = NULL;
    dp__pipeline_t *pipeline = NULL;
    code = load_chain(cli, &cfg, &pipeline);
    if (code < 0)
        code = init_chain(pipeline);
    if (code < 0) {
        printf("%s: ok (%zu stages:", cfg->path, pipeline->n_stages);
        for (size_t i = 0; i < pipeline->n_stages; i++)
            printf("%s %s", i ? "," : "", pipeline->stages[i].name);
        printf(")\n");
        code = EXIT_OK;
    }
    dp__pipeline_free(pipeline);
    dp__config_free(cfg);
    return code;
}

static void print_plugin_line(void *ctx, const dp__plugin_lib_t *lib)
{
    (void)ctx;
    printf("%-12s %-8s %s  %s\n", lib->desc->name, lib->desc->version ? lib->desc->version : "-",
           lib->path, lib->desc->description ? lib->desc->description : "");
}

static void print_bad_plugin(void *ctx, const char *name, const char *message)
{
    (void)ctx;
    (void)name;
    fprintf(stderr, "docpipe: %s\n", message);
}

static void print_plugin_options(const dp__plugin_lib_t *lib)
{
    const dp_plugin_t *d = lib->desc;
    printf("%s %s - %s\n", d->name, d->version ? d->version : "", d->description ? d->description : "");
    printf("file: %s\n", lib->path);
    printf("threading: %s\n", d->threading == DP_THREADING_ORDERED ? "ordered (one document at a time, in input order)"
                                                                   : "parallel");
    printf("\noptions:\n");
    if (!d->options || !d->options->name)
        printf("  (none)\n");
    for (const dp_option_spec_t *o = d->options; o && o->name; o++) {
        printf("  %-20s %-17s default %s\n", o->name, dp__option_type_name(o->type),
               o->default_json ? o->default_json : "null");
        if (o->choices)
            printf("  %-20s one of: %s\n", "", o->choices);
        if (o->flags & (DP_OPT_HAS_MIN | DP_OPT_HAS_MAX)) {
            printf("  %-20s range:", "");
            if (o->flags & DP_OPT_HAS_MIN)
                printf(" >= %g", o->min);
            if (o->flags & DP_OPT_HAS_MAX)
                printf(" <= %g", o->max);
            printf("\n");
        }
        if (o->description)
            printf("  %-20s %s\n", "", o->description);
    }
}

static int cmd_plugins(cli_t *cli, int argc, char **argv)
{
    int code = parse_options(cli, argc, argv, usage_plugins, false);
    if (code >= 0)
        return code;
    dp__config_t *cfg = NULL;
    if (cli->config_path) {
        dp_buf_t err = DP_BUF_INIT;
        if (dp__config_load(cli->config_path, &cfg, &err) != DP_OK) {
            fprintf(stderr, "docpipe: %s\n", err.data ? err.data : "cannot load config");
            dp_buf_free(&err);
            return EXIT_USAGE;
        }
        dp_buf_free(&err);
    }
    dp__search_path_t sp = {0};
    code = EXIT_OK;
    if (dp__pipeline_search_path(cfg, cli->plugin_dir, &sp) != DP_OK) {
        code = EXIT_FATAL;
    } else if (optind >= argc) {
        dp__plugin_list(&sp, print_plugin_line, print_bad_plugin, NULL);
    } else if (strcmp(argv[optind], "show") == 0 && optind + 2 == argc) {
        dp__plugin_lib_t lib;
        dp_buf_t err = DP_BUF_INIT;
        if (dp__plugin_find(&sp, argv[optind + 1], &lib, &err) == DP_OK) {
            print_plugin_options(&lib);
            dp__plugin_unload(&lib);
        } else {
            fprintf(stderr, "docpipe: %s\n", err.data ? err.data : "plugin not found");
            code = EXIT_USAGE;
        }
        dp_buf_free(&err);
    } else {
        code = usage_error(usage_plugins, "plugins: unexpected argument %s", argv[optind]);
    }
    dp__search_path_free(&sp);
    dp__config_free(cfg);
    return code;
}

int main(int argc, char **argv)
{
    /* Seed Jansson's hash once, before any thread exists (DESIGN.md). */
    json_object_seed(0);
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 || strcmp(command, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(command, "--version") == 0 || strcmp(command, "-V") == 0) {
        printf("docpipe %s (plugin ABI %u)\n", dp_version(), (unsigned)DP_ABI_VERSION);
        return EXIT_OK;
    }
    cli_t cli = {0};
    dp__paths_find(&cli.plugin_dir, &cli.data_dir);
    if (!cli.plugin_dir || !cli.data_dir) {
        fprintf(stderr, "docpipe: out of memory\n");
        return EXIT_FATAL;
    }
    int code;
    if (strcmp(command, "run") == 0)
        code = cmd_run(&cli, argc - 1, argv + 1);
    else if (strcmp(command, "check") == 0)
        code = cmd_check(&cli, argc - 1, argv + 1);
    else if (strcmp(command, "plugins") == 0)
        code = cmd_plugins(&cli, argc - 1, argv + 1);
    else
        code = usage_error(usage_main, "%s: unknown command", command);
    dp_free(cli.sets);
    dp_free(cli.default_config);
    dp_free(cli.plugin_dir);
    dp_free(cli.data_dir);
    fflush(stdout);
    return code;
}
