/* Validating a stage's options against its plugin's options table, and
 * filling in defaults, before any document is read. */
#ifndef DOCPIPE_CORE_OPTIONS_H
#define DOCPIPE_CORE_OPTIONS_H

#include "docpipe/buf.h"
#include "docpipe/plugin.h"

/* Checks given (an object, or NULL for none) against specs. On success
 * *filled is a new object holding every option of the table (given values,
 * else defaults), which the caller frees with json_decref. On failure writes
 * "WHERE.NAME: what was expected, what was found" to err (where is the JSON
 * path of the options object, e.g. "stages[1].options") and returns
 * DP_EINVAL (or DP_ENOMEM). */
dp_status dp__options_validate(const dp_option_spec_t *specs, const json_t *given,
                               const char *where, json_t **filled, dp_buf_t *err);

/* A short name for an option type ("string", "integer", ...) and for the
 * type of a JSON value. */
const char *dp__option_type_name(dp_option_type_t type);
const char *dp__json_type_name(const json_t *value);

#endif
