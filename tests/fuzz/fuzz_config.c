/* Fuzz target: the config loader (core/config.c) on an arbitrary file, then
 * each stage's options checked by dp__options_validate against a table that
 * has every option type, and a --set override applied. A failure must leave
 * a message; success must give a config whose parts are consistent. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "docpipe/alloc.h"
#include "fuzz.h"
#include "options.h"

static const dp_option_spec_t specs[] = {
    {"mode", DP_OPT_STRING, "\"fast\"", "a choice", "fast|slow|none", 0, 0, 0},
    {"label", DP_OPT_STRING, "\"x\"", "a free string", NULL, 0, 0, 0},
    {"count", DP_OPT_INTEGER, "3", "a bounded integer", NULL, DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, 0,
     1000},
    {"ratio", DP_OPT_NUMBER, "0.5", "a bounded number", NULL, DP_OPT_HAS_MIN, -1, 0},
    {"on", DP_OPT_BOOLEAN, "true", "a flag", NULL, 0, 0, 0},
    {"words", DP_OPT_STRING_LIST, "[]", "a list", NULL, 0, 0, 0},
    {"items", DP_OPT_ARRAY, "[1, \"a\"]", "any array", NULL, 0, 0, 0},
    {"map", DP_OPT_OBJECT, "{}", "an object", NULL, 0, 0, 0},
    {"any", DP_OPT_ANY, "null", "anything", NULL, 0, 0, 0},
    {NULL, DP_OPT_STRING, NULL, NULL, NULL, 0, 0, 0},
};

static void validate(const json_t *given)
{
    json_t *filled = NULL;
    dp_buf_t err = DP_BUF_INIT;
    dp_status rc = dp__options_validate(specs, given, "stages[0].options", &filled, &err);
    if (rc == DP_OK) {
        if (!json_is_object(filled) || json_object_size(filled) != 9)
            abort();
        json_decref(filled);
    } else if (rc == DP_EINVAL && err.len == 0) {
        abort(); /* a refusal must say why */
    }
    dp_buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file("config.json", data, size);
    dp__config_t *cfg = NULL;
    dp_buf_t err = DP_BUF_INIT;
    dp_status rc = dp__config_load(path, &cfg, &err);
    if (rc == DP_OK) {
        if (!cfg || (cfg->n_stages && !cfg->stages))
            abort();
        for (size_t i = 0; i < cfg->n_stages; i++) {
            if (!cfg->stages[i].name || !cfg->stages[i].plugin)
                abort();
            validate(cfg->stages[i].options);
        }
        dp_buf_clear(&err);
        if (cfg->n_stages) {
            /* Overrides name a stage by its name; a JSON value and a bare string. */
            char assignment[300];
            snprintf(assignment, sizeof assignment, "%.200s.count=7", cfg->stages[0].name);
            (void)dp__config_apply_set(cfg, assignment, &err);
            dp_buf_clear(&err);
            snprintf(assignment, sizeof assignment, "%.200s.label=plain text", cfg->stages[0].name);
            (void)dp__config_apply_set(cfg, assignment, &err);
            validate(cfg->stages[0].options);
        }
        dp__config_free(cfg);
    } else if (rc == DP_EINVAL && err.len == 0) {
        abort();
    }
    dp_buf_free(&err);

    /* The same bytes as an options object straight away. */
    json_error_t jerr;
    json_t *given = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    if (given) {
        validate(json_is_object(given) ? given : NULL);
        json_decref(given);
    }
    return 0;
}
