/* Config loading and checking (config.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "docpipe/alloc.h"
#include "docpipe/hash.h"
#include "options.h"

static const char *const top_keys[] = {"name", "input", "stages", "on_error", "quarantine",
                                       "plugin_path", NULL};
static const char *const input_keys[] = {"include", "limits", NULL};
static const char *const limit_keys[] = {"max_entry_bytes", "max_total_bytes", "max_ratio",
                                         "max_depth", NULL};
static const char *const stage_keys[] = {"plugin", "name", "options", NULL};

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        dp_free(v[i]);
    dp_free(v);
}

void dp__config_free(dp__config_t *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_stages; i++) {
        dp_free(cfg->stages[i].name);
        dp_free(cfg->stages[i].plugin);
        json_decref(cfg->stages[i].options);
    }
    dp_free(cfg->stages);
    free_strv(cfg->include);
    free_strv(cfg->plugin_path);
    dp_free(cfg->path);
    dp_free(cfg->dir);
    dp_free(cfg->name);
    dp_free(cfg->quarantine);
    dp_free(cfg);
}

/* Refuses keys of obj not in allowed, naming the allowed ones. */
static dp_status check_keys(const json_t *obj, const char *const *allowed, const char *file,
                            const char *where, dp_buf_t *err)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            ok = ok || strcmp(allowed[i], key) == 0;
        if (!ok) {
            dp_buf_printf(err, "%s: %s%s%s: unknown key (allowed: ", file, where, where[0] ? "." : "",
                          key);
            for (size_t i = 0; allowed[i]; i++)
                dp_buf_printf(err, "%s%s", i ? ", " : "", allowed[i]);
            dp_buf_puts(err, ")");
            return DP_EINVAL;
        }
    }
    return DP_OK;
}

static dp_status expect(const json_t *v, bool ok, const char *file, const char *where,
                        const char *expected, dp_buf_t *err)
{
    if (ok)
        return DP_OK;
    dp_buf_printf(err, "%s: %s: expected %s, found %s", file, where, expected,
                  v ? dp__json_type_name(v) : "nothing");
    return DP_EINVAL;
}

static char *resolve_against(const char *dir, const char *path)
{
    if (path[0] == '/')
        return dp_strdup(path);
    dp_buf_t buf = DP_BUF_INIT;
    if (dp_buf_printf(&buf, "%s/%s", dir, path) != DP_OK) {
        dp_buf_free(&buf);
        return NULL;
    }
    return dp_buf_steal(&buf, NULL);
}

/* A string or an array of strings, as a NULL-terminated vector. */
static dp_status string_vector(const json_t *v, const char *file, const char *where,
                               const char *resolve_dir, char ***out, dp_buf_t *err)
{
    size_t n = json_is_string(v) ? 1 : json_array_size(v);
    if (!json_is_string(v) && !json_is_array(v))
        return expect(v, false, file, where, "string or array of strings", err);
    char **vec = dp_calloc(n + 1, sizeof *vec);
    if (!vec)
        return DP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_is_string(v) ? v : json_array_get(v, i);
        if (!json_is_string(item)) {
            dp_buf_printf(err, "%s: %s[%zu]: expected string, found %s", file, where, i,
                          dp__json_type_name(item));
            free_strv(vec);
            return DP_EINVAL;
        }
        vec[i] = resolve_dir ? resolve_against(resolve_dir, json_string_value(item))
                             : dp_strdup(json_string_value(item));
        if (!vec[i]) {
            free_strv(vec);
            return DP_ENOMEM;
        }
    }
    *out = vec;
    return DP_OK;
}

static dp_status read_limit(const json_t *limits, const char *key, bool integer, const char *file,
                            double *out, dp_buf_t *err)
{
    const json_t *v = json_object_get(limits, key);
    if (!v)
        return DP_OK;
    char where[96];
    snprintf(where, sizeof where, "input.limits.%s", key);
    bool ok = integer ? json_is_integer(v) && json_integer_value(v) >= 0
                      : json_is_number(v) && json_number_value(v) > 0;
    if (expect(v, ok, file, where, integer ? "a non-negative integer" : "a positive number", err))
        return DP_EINVAL;
    *out = json_number_value(v);
    return DP_OK;
}

static dp_status parse_input(dp__config_t *cfg, const json_t *input, const char *file, dp_buf_t *err)
{
    dp_status rc;
    if ((rc = expect(input, json_is_object(input), file, "input", "object", err)) != DP_OK)
        return rc;
    if ((rc = check_keys(input, input_keys, file, "input", err)) != DP_OK)
        return rc;
    const json_t *include = json_object_get(input, "include");
    if (include && (rc = string_vector(include, file, "input.include", NULL, &cfg->include, err)))
        return rc;
    const json_t *limits = json_object_get(input, "limits");
    if (!limits)
        return DP_OK;
    if ((rc = expect(limits, json_is_object(limits), file, "input.limits", "object", err)) != DP_OK)
        return rc;
    if ((rc = check_keys(limits, limit_keys, file, "input.limits", err)) != DP_OK)
        return rc;
    double v = (double)cfg->limits.max_entry_bytes;
    if ((rc = read_limit(limits, "max_entry_bytes", true, file, &v, err)))
        return rc;
    cfg->limits.max_entry_bytes = (uint64_t)v;
    v = (double)cfg->limits.max_total_bytes;
    if ((rc = read_limit(limits, "max_total_bytes", true, file, &v, err)))
        return rc;
    cfg->limits.max_total_bytes = (uint64_t)v;
    v = cfg->limits.max_ratio;
    if ((rc = read_limit(limits, "max_ratio", false, file, &v, err)))
        return rc;
    cfg->limits.max_ratio = v;
    v = cfg->limits.max_depth;
    if ((rc = read_limit(limits, "max_depth", true, file, &v, err)))
        return rc;
    cfg->limits.max_depth = v > 64 ? 64 : (int)v;
    return DP_OK;
}

static dp_status parse_stages(dp__config_t *cfg, const json_t *stages, const char *file,
                              dp_buf_t *err)
{
    dp_status rc;
    if ((rc = expect(stages, json_is_array(stages), file, "stages", "array", err)) != DP_OK)
        return rc;
    size_t n = json_array_size(stages);
    if (n == 0) {
        dp_buf_printf(err, "%s: stages: expected at least one stage, found an empty array", file);
        return DP_EINVAL;
    }
    cfg->stages = dp_calloc(n, sizeof *cfg->stages);
    if (!cfg->stages)
        return DP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *st = json_array_get(stages, i);
        char where[64];
        snprintf(where, sizeof where, "stages[%zu]", i);
        if ((rc = expect(st, json_is_object(st), file, where, "object", err)) != DP_OK)
            return rc;
        if ((rc = check_keys(st, stage_keys, file, where, err)) != DP_OK)
            return rc;
        const json_t *plugin = json_object_get(st, "plugin");
        char sub[96];
        snprintf(sub, sizeof sub, "%s.plugin", where);
        if ((rc = expect(plugin, json_is_string(plugin), file, sub, "string (a plugin name)", err)))
            return rc;
        const json_t *name = json_object_get(st, "name");
        snprintf(sub, sizeof sub, "%s.name", where);
        if (name && (rc = expect(name, json_is_string(name) && json_string_length(name) > 0, file,
                                 sub, "non-empty string", err)))
            return rc;
        const json_t *options = json_object_get(st, "options");
        snprintf(sub, sizeof sub, "%s.options", where);
        if (options && (rc = expect(options, json_is_object(options), file, sub, "object", err)))
            return rc;
        dp__stage_config_t *sc = &cfg->stages[cfg->n_stages++];
        sc->plugin = dp_strdup(json_string_value(plugin));
        sc->name = dp_strdup(name ? json_string_value(name) : json_string_value(plugin));
        sc->options = options ? json_deep_copy(options) : NULL;
        if (!sc->plugin || !sc->name || (options && !sc->options))
            return DP_ENOMEM;
        for (size_t k = 0; k + 1 < cfg->n_stages; k++) {
            if (strcmp(cfg->stages[k].name, sc->name) == 0) {
                dp_buf_printf(err,
                              "%s: %s: stage name \"%s\" is already used by stages[%zu] (give "
                              "one of them a distinct \"name\")",
                              file, where, sc->name, k);
                return DP_EINVAL;
            }
        }
    }
    return DP_OK;
}

static char *folder_of(const char *path)
{
    char *copy = dp_strdup(path);
    if (!copy)
        return NULL;
    char *slash = strrchr(copy, '/');
    if (slash == copy)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else {
        dp_free(copy);
        copy = dp_strdup(".");
    }
    if (!copy)
        return NULL;
    char *abs = realpath(copy, NULL);
    dp_free(copy);
    if (!abs)
        return NULL;
    char *out = dp_strdup(abs);
    free(abs);
    return out;
}

dp_status dp__config_load(const char *path, dp__config_t **out, dp_buf_t *err)
{
    *out = NULL;
    dp_status rc = DP_ENOMEM;
    json_error_t jerr;
    json_t *root = NULL;
    dp__config_t *cfg = dp_calloc(1, sizeof *cfg);
    if (!cfg)
        return DP_ENOMEM;
    dp__input_limits_default(&cfg->limits);
    cfg->path = dp_strdup(path);
    if (!cfg->path)
        goto fail;

    FILE *fh = fopen(path, "rb");
    if (!fh) {
        dp_buf_printf(err, "%s: cannot read config: %s", path, strerror(errno));
        rc = errno == ENOENT ? DP_ENOTFOUND : DP_EIO;
        goto fail;
    }
    dp_buf_t bytes = DP_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fh)) > 0) {
        if (dp_buf_append(&bytes, chunk, n) != DP_OK) {
            fclose(fh);
            dp_buf_free(&bytes);
            goto fail;
        }
    }
    /* A read error (a folder opens but does not read) must not pass for an
     * empty file, or the message would be a JSON syntax error. */
    if (ferror(fh)) {
        int e = errno;
        fclose(fh);
        dp_buf_free(&bytes);
        dp_buf_printf(err, "%s: cannot read config: %s", path, strerror(e));
        rc = DP_EIO;
        goto fail;
    }
    fclose(fh);
    cfg->hash = dp_hash64(bytes.data ? bytes.data : "", bytes.len);
    root = json_loadb(bytes.data ? bytes.data : "", bytes.len, JSON_REJECT_DUPLICATES, &jerr);
    dp_buf_free(&bytes);
    if (!root) {
        dp_buf_printf(err, "%s: line %d, column %d: %s", path, jerr.line, jerr.column, jerr.text);
        rc = DP_EINVAL;
        goto fail;
    }
    cfg->dir = folder_of(path);
    if (!cfg->dir)
        goto fail;
    if ((rc = expect(root, json_is_object(root), path, "(top level)", "object", err)) != DP_OK)
        goto fail;
    if ((rc = check_keys(root, top_keys, path, "", err)) != DP_OK)
        goto fail;
    const json_t *v = json_object_get(root, "name");
    if (v) {
        if ((rc = expect(v, json_is_string(v), path, "name", "string", err)) != DP_OK)
            goto fail;
        if (!(cfg->name = dp_strdup(json_string_value(v)))) {
            rc = DP_ENOMEM;
            goto fail;
        }
    }
    v = json_object_get(root, "input");
    if (v && (rc = parse_input(cfg, v, path, err)) != DP_OK)
        goto fail;
    v = json_object_get(root, "stages");
    if (!v) {
        dp_buf_printf(err, "%s: stages: missing (expected an array of stages)", path);
        rc = DP_EINVAL;
        goto fail;
    }
    if ((rc = parse_stages(cfg, v, path, err)) != DP_OK)
        goto fail;
    v = json_object_get(root, "on_error");
    if (v) {
        const char *s = json_string_value(v);
        if (s && strcmp(s, "skip") == 0)
            cfg->on_error = DP__ON_ERROR_SKIP;
        else if (s && strcmp(s, "fail") == 0)
            cfg->on_error = DP__ON_ERROR_FAIL;
        else if (s && strcmp(s, "quarantine") == 0)
            cfg->on_error = DP__ON_ERROR_QUARANTINE;
        else {
            dp_buf_printf(err, "%s: on_error: expected one of skip|fail|quarantine, found %s%s%s",
                          path, s ? "\"" : "", s ? s : dp__json_type_name(v), s ? "\"" : "");
            rc = DP_EINVAL;
            goto fail;
        }
    }
    v = json_object_get(root, "quarantine");
    if (v) {
        if ((rc = expect(v, json_is_string(v) && json_string_length(v) > 0, path, "quarantine",
                         "non-empty string (a folder)", err)) != DP_OK)
            goto fail;
        if (!(cfg->quarantine = dp_strdup(json_string_value(v)))) {
            rc = DP_ENOMEM;
            goto fail;
        }
    }
    if (cfg->on_error == DP__ON_ERROR_QUARANTINE && !cfg->quarantine) {
        dp_buf_printf(err, "%s: quarantine: missing (on_error \"quarantine\" needs a folder)", path);
        rc = DP_EINVAL;
        goto fail;
    }
    v = json_object_get(root, "plugin_path");
    if (v && (rc = string_vector(v, path, "plugin_path", cfg->dir, &cfg->plugin_path, err)))
        goto fail;
    json_decref(root);
    *out = cfg;
    return DP_OK;
fail:
    json_decref(root);
    dp__config_free(cfg);
    return rc;
}

dp_status dp__config_apply_set(dp__config_t *cfg, const char *assignment, dp_buf_t *err)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = eq ? memchr(assignment, '.', (size_t)(eq - assignment)) : NULL;
    if (!eq || !dot || dot == assignment || dot + 1 == eq) {
        dp_buf_printf(err, "--set %s: expected STAGE.OPTION=VALUE", assignment);
        return DP_EINVAL;
    }
    /* A stage name may itself hold dots ("export.v2"): the longest stage
     * name followed by '.' wins. */
    size_t stage_len = (size_t)(dot - assignment);
    dp__stage_config_t *stage = NULL;
    for (size_t i = 0; i < cfg->n_stages; i++) {
        size_t n = strlen(cfg->stages[i].name);
        if (assignment + n < eq && assignment[n] == '.' &&
            strncmp(cfg->stages[i].name, assignment, n) == 0 && (!stage || n > stage_len)) {
            stage = &cfg->stages[i];
            stage_len = n;
        }
    }
    dot = assignment + stage_len;
    if (!stage) {
        stage_len = (size_t)(strchr(assignment, '.') - assignment);
        dp_buf_printf(err, "--set %s: no stage named \"%.*s\" in %s (stages:", assignment,
                      (int)stage_len, assignment, cfg->path);
        for (size_t i = 0; i < cfg->n_stages; i++)
            dp_buf_printf(err, "%s %s", i ? "," : "", cfg->stages[i].name);
        dp_buf_puts(err, ")");
        return DP_EINVAL;
    }
    char *option = dp_strndup(dot + 1, (size_t)(eq - dot - 1));
    if (!option)
        return DP_ENOMEM;
    json_error_t jerr;
    json_t *value = json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
    if (!value)
        value = json_string(eq + 1);
    if (!value || (!stage->options && !(stage->options = json_object())) ||
        json_object_set_new(stage->options, option, value) != 0) {
        dp_free(option);
        return DP_ENOMEM;
    }
    dp_free(option);
    return DP_OK;
}
