/* Option validation against a plugin's table (options.h): unknown keys are
 * refused with the allowed keys listed, wrong types and values say what was
 * expected and what was found, and every message carries the JSON path. */
#include <math.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "options.h"

const char *dp__option_type_name(dp_option_type_t type)
{
    switch (type) {
    case DP_OPT_STRING: return "string";
    case DP_OPT_INTEGER: return "integer";
    case DP_OPT_NUMBER: return "number";
    case DP_OPT_BOOLEAN: return "boolean";
    case DP_OPT_STRING_LIST: return "array of strings";
    case DP_OPT_ARRAY: return "array";
    case DP_OPT_OBJECT: return "object";
    case DP_OPT_ANY: return "any";
    }
    return "?";
}

const char *dp__json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

static bool type_matches(dp_option_type_t type, const json_t *v)
{
    switch (type) {
    case DP_OPT_STRING: return json_is_string(v);
    case DP_OPT_INTEGER: return json_is_integer(v);
    case DP_OPT_NUMBER: return json_is_number(v);
    case DP_OPT_BOOLEAN: return json_is_boolean(v);
    case DP_OPT_ARRAY: return json_is_array(v);
    case DP_OPT_OBJECT: return json_is_object(v);
    case DP_OPT_ANY: return true;
    case DP_OPT_STRING_LIST: {
        if (!json_is_array(v))
            return false;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (!json_is_string(item))
                return false;
        }
        return true;
    }
    }
    return false;
}

static bool choice_allowed(const char *choices, const char *value)
{
    size_t n = strlen(value);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, value, n) == 0)
            return true;
        p += len;
        if (*p == '|')
            p++;
    }
    return false;
}

static void describe_found(dp_buf_t *err, const json_t *v)
{
    char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (dump && strlen(dump) <= 60)
        dp_buf_printf(err, "%s %s", dp__json_type_name(v), dump);
    else
        dp_buf_puts(err, dp__json_type_name(v));
    free(dump);
}

static dp_status check_value(const dp_option_spec_t *spec, const json_t *v, const char *where,
                             dp_buf_t *err)
{
    if (!type_matches(spec->type, v)) {
        /* null is accepted where the default itself is null (an unset option). */
        if (json_is_null(v) && spec->default_json && strcmp(spec->default_json, "null") == 0)
            return DP_OK;
        dp_buf_printf(err, "%s.%s: expected %s, found ", where, spec->name,
                      dp__option_type_name(spec->type));
        describe_found(err, v);
        return DP_EINVAL;
    }
    if (spec->type == DP_OPT_STRING && spec->choices && !choice_allowed(spec->choices, json_string_value(v))) {
        dp_buf_printf(err, "%s.%s: expected one of %s, found \"%s\"", where, spec->name,
                      spec->choices, json_string_value(v));
        return DP_EINVAL;
    }
    if (spec->type == DP_OPT_STRING_LIST && spec->choices) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (!choice_allowed(spec->choices, json_string_value(item))) {
                dp_buf_printf(err, "%s.%s[%zu]: expected one of %s, found \"%s\"", where,
                              spec->name, i, spec->choices, json_string_value(item));
                return DP_EINVAL;
            }
        }
    }
    if ((spec->type == DP_OPT_INTEGER || spec->type == DP_OPT_NUMBER) && json_is_number(v)) {
        double x = json_number_value(v);
        if (((spec->flags & DP_OPT_HAS_MIN) && x < spec->min) ||
            ((spec->flags & DP_OPT_HAS_MAX) && x > spec->max) || isnan(x)) {
            const char *type = dp__option_type_name(spec->type);
            dp_buf_printf(err, "%s.%s: expected %s %s", where, spec->name,
                          strchr("aeiou", type[0]) ? "an" : "a", type);
            if (spec->flags & DP_OPT_HAS_MIN)
                dp_buf_printf(err, " >= %g", spec->min);
            if ((spec->flags & DP_OPT_HAS_MIN) && (spec->flags & DP_OPT_HAS_MAX))
                dp_buf_puts(err, " and");
            if (spec->flags & DP_OPT_HAS_MAX)
                dp_buf_printf(err, " <= %g", spec->max);
            dp_buf_puts(err, ", found ");
            describe_found(err, v);
            return DP_EINVAL;
        }
    }
    return DP_OK;
}

dp_status dp__options_validate(const dp_option_spec_t *specs, const json_t *given,
                               const char *where, json_t **filled, dp_buf_t *err)
{
    *filled = NULL;
    if (given && !json_is_object(given)) {
        dp_buf_printf(err, "%s: expected object, found ", where);
        describe_found(err, given);
        return DP_EINVAL;
    }
    json_t *out = json_object();
    if (!out)
        return DP_ENOMEM;
    const char *key;
    json_t *value;
    if (given) {
        json_object_foreach((json_t *)given, key, value) {
            const dp_option_spec_t *spec = NULL;
            for (const dp_option_spec_t *s = specs; s && s->name; s++)
                if (strcmp(s->name, key) == 0)
                    spec = s;
            if (!spec) {
                dp_buf_printf(err, "%s.%s: unknown option (allowed: ", where, key);
                if (!specs || !specs->name)
                    dp_buf_puts(err, "none");
                for (const dp_option_spec_t *s = specs; s && s->name; s++)
                    dp_buf_printf(err, "%s%s", s == specs ? "" : ", ", s->name);
                dp_buf_puts(err, ")");
                goto fail;
            }
            if (check_value(spec, value, where, err) != DP_OK)
                goto fail;
            if (json_object_set(out, key, value) != 0)
                goto nomem;
        }
    }
    for (const dp_option_spec_t *s = specs; s && s->name; s++) {
        if (json_object_get(out, s->name))
            continue;
        json_error_t jerr;
        json_t *def = json_loads(s->default_json ? s->default_json : "null",
                                 JSON_DECODE_ANY, &jerr);
        if (!def) {
            /* A broken default is the plugin's bug; say so plainly. */
            dp_buf_printf(err, "%s.%s: the plugin's default is not JSON (%s)", where, s->name,
                          s->default_json ? s->default_json : "NULL");
            goto fail;
        }
        if (json_object_set_new(out, s->name, def) != 0)
            goto nomem;
    }
    *filled = out;
    return DP_OK;
nomem:
    json_decref(out);
    return DP_ENOMEM;
fail:
    json_decref(out);
    return DP_EINVAL;
}
