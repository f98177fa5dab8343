/* Unit tests of config loading and option validation: every error names the
 * file and the JSON path and says what was expected and found. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "docpipe/docpipe.h"
#include "options.h"

static char dir[] = "/tmp/docpipe-test-config-XXXXXX";

static const char *write_config(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fh = fopen(path, "w");
    assert_non_null(fh);
    fputs(text, fh);
    fclose(fh);
    return path;
}

/* Loads text as a config; returns the error message ("" when it loaded). */
static char *load_error(const char *text, dp__config_t **out)
{
    static char message[1024];
    const char *path = write_config("c.json", text);
    dp_buf_t err = DP_BUF_INIT;
    dp__config_t *cfg = NULL;
    dp_status rc = dp__config_load(path, &cfg, &err);
    snprintf(message, sizeof message, "%s", rc == DP_OK ? "" : (err.data ? err.data : "?"));
    dp_buf_free(&err);
    if (out)
        *out = cfg;
    else
        dp__config_free(cfg);
    return message;
}

static void test_parse_error_line_column(void **state)
{
    (void)state;
    char *msg = load_error("{\"stages\": [\n  {\"plugin\": \"export\",\n", NULL);
    assert_non_null(strstr(msg, "c.json: line 3, column"));
}

static void test_good_config(void **state)
{
    (void)state;
    dp__config_t *cfg;
    char *msg = load_error(
        "{\"name\": \"x\", \"input\": {\"include\": [\"*.txt\"], \"limits\": {\"max_entry_bytes\": 10,"
        " \"max_ratio\": 5.5}}, \"stages\": [{\"plugin\": \"export\"}, {\"plugin\": \"export\","
        " \"name\": \"second\", \"options\": {\"path\": \"-\"}}], \"on_error\": \"quarantine\","
        " \"quarantine\": \"q\", \"plugin_path\": \"plugins\"}",
        &cfg);
    assert_string_equal(msg, "");
    assert_int_equal(cfg->n_stages, 2);
    assert_string_equal(cfg->stages[0].name, "export");
    assert_string_equal(cfg->stages[1].name, "second");
    assert_string_equal(cfg->include[0], "*.txt");
    assert_null(cfg->include[1]);
    assert_int_equal(cfg->limits.max_entry_bytes, 10);
    assert_true(cfg->limits.max_ratio == 5.5);
    assert_int_equal(cfg->limits.max_depth, 2);
    assert_int_equal(cfg->on_error, DP__ON_ERROR_QUARANTINE);
    /* plugin_path resolves against the config's folder */
    assert_non_null(strstr(cfg->plugin_path[0], "docpipe-test-config-"));
    dp_buf_t err = DP_BUF_INIT;
    assert_int_equal(dp__config_apply_set(cfg, "second.path=out.jsonl", &err), DP_OK);
    assert_string_equal(json_string_value(json_object_get(cfg->stages[1].options, "path")), "out.jsonl");
    assert_int_equal(dp__config_apply_set(cfg, "export.layers=[\"token\"]", &err), DP_OK);
    assert_true(json_is_array(json_object_get(cfg->stages[0].options, "layers")));
    dp_buf_clear(&err);
    /* a stage name with a dot: the longest name before a '.' wins */
    dp_free(cfg->stages[1].name);
    cfg->stages[1].name = dp_strdup("export.v2");
    assert_int_equal(dp__config_apply_set(cfg, "export.v2.path=b.jsonl", &err), DP_OK);
    assert_string_equal(json_string_value(json_object_get(cfg->stages[1].options, "path")), "b.jsonl");
    assert_int_equal(dp__config_apply_set(cfg, "export.path=a.jsonl", &err), DP_OK);
    assert_string_equal(json_string_value(json_object_get(cfg->stages[0].options, "path")), "a.jsonl");
    assert_int_equal(dp__config_apply_set(cfg, "nostage.x=1", &err), DP_EINVAL);
    assert_non_null(strstr(err.data, "no stage named \"nostage\""));
    dp_buf_clear(&err);
    assert_int_equal(dp__config_apply_set(cfg, "noequals", &err), DP_EINVAL);
    dp_buf_free(&err);
    dp__config_free(cfg);
}

static void test_shape_errors(void **state)
{
    (void)state;
    assert_non_null(strstr(load_error("{\"stages\": []}", NULL), "stages: expected at least one stage"));
    assert_non_null(strstr(load_error("{}", NULL), "stages: missing"));
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": 3}]}", NULL),
                           "stages[0].plugin: expected string (a plugin name), found integer"));
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": \"a\", \"opts\": {}}]}", NULL),
                           "stages[0].opts: unknown key (allowed: plugin, name, options)"));
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": \"a\"}, {\"plugin\": \"a\"}]}", NULL),
                           "stage name \"a\" is already used by stages[0]"));
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": \"a\"}], \"on_error\": \"ignore\"}", NULL),
                           "on_error: expected one of skip|fail|quarantine, found \"ignore\""));
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": \"a\"}], \"input\": {\"limits\": "
                                      "{\"max_depth\": \"2\"}}}", NULL),
                           "input.limits.max_depth: expected a non-negative integer, found string"));
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": \"a\"}], \"on_error\": \"quarantine\"}", NULL),
                           "quarantine: missing"));
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": \"a\"}], \"colour\": 1}", NULL),
                           "colour: unknown key (allowed: name, input, stages"));
    assert_non_null(strstr(load_error("[1]", NULL), "expected object, found array"));
    /* duplicate keys are refused rather than silently taking the last */
    assert_non_null(strstr(load_error("{\"stages\": [{\"plugin\": \"a\"}], \"name\": \"a\", \"name\": \"b\"}", NULL),
                           "duplicate"));
}

static void test_unreadable(void **state)
{
    (void)state;
    /* A folder opens but does not read: the message says so, not "JSON". */
    dp_buf_t err = DP_BUF_INIT;
    dp__config_t *cfg = NULL;
    assert_int_equal(dp__config_load(dir, &cfg, &err), DP_EIO);
    assert_null(cfg);
    assert_non_null(strstr(err.data, "cannot read config"));
    dp_buf_clear(&err);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing.json", dir);
    assert_int_equal(dp__config_load(missing, &cfg, &err), DP_ENOTFOUND);
    assert_non_null(strstr(err.data, "missing.json: cannot read config"));
    dp_buf_free(&err);
}

static const dp_option_spec_t specs[] = {
    {"format", DP_OPT_STRING, "\"jsonl\"", "output format", "jsonl|csv", 0, 0, 0},
    {"sentences", DP_OPT_INTEGER, "3", "summary length", NULL, DP_OPT_HAS_MIN, 1, 0},
    {"ratio", DP_OPT_NUMBER, "null", "share of sentences", NULL, DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, 0, 1},
    {"layers", DP_OPT_STRING_LIST, "[\"sentence\"]", "layers", NULL, 0, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0, 0},
};

static char *validate(const char *json)
{
    static char message[512];
    json_t *given = json_loads(json, 0, NULL);
    assert_non_null(given);
    json_t *filled = NULL;
    dp_buf_t err = DP_BUF_INIT;
    dp_status rc = dp__options_validate(specs, given, "stages[1].options", &filled, &err);
    snprintf(message, sizeof message, "%s", rc == DP_OK ? "" : err.data);
    dp_buf_free(&err);
    json_decref(filled);
    json_decref(given);
    return message;
}

static void test_options(void **state)
{
    (void)state;
    assert_string_equal(validate("{\"bogus\": 1}"),
                        "stages[1].options.bogus: unknown option (allowed: format, sentences, ratio, layers)");
    assert_string_equal(validate("{\"format\": 3}"), "stages[1].options.format: expected string, found integer 3");
    assert_string_equal(validate("{\"format\": \"xml\"}"),
                        "stages[1].options.format: expected one of jsonl|csv, found \"xml\"");
    assert_string_equal(validate("{\"sentences\": 0}"),
                        "stages[1].options.sentences: expected an integer >= 1, found integer 0");
    assert_string_equal(validate("{\"sentences\": 2.5}"),
                        "stages[1].options.sentences: expected integer, found number 2.5");
    assert_string_equal(validate("{\"ratio\": 2}"),
                        "stages[1].options.ratio: expected a number >= 0 and <= 1, found integer 2");
    assert_string_equal(validate("{\"layers\": [\"a\", 1]}"),
                        "stages[1].options.layers: expected array of strings, found array [\"a\",1]");
    assert_string_equal(validate("{\"ratio\": null, \"sentences\": 5}"), "");

    json_t *filled = NULL;
    dp_buf_t err = DP_BUF_INIT;
    assert_int_equal(dp__options_validate(specs, NULL, "x", &filled, &err), DP_OK);
    assert_string_equal(json_string_value(json_object_get(filled, "format")), "jsonl");
    assert_int_equal(json_integer_value(json_object_get(filled, "sentences")), 3);
    assert_true(json_is_null(json_object_get(filled, "ratio")));
    json_decref(filled);
    dp_buf_free(&err);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_error_line_column),
        cmocka_unit_test(test_good_config),
        cmocka_unit_test(test_shape_errors),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
