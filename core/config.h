/* The run's config file: parsing it with Jansson, checking its shape
 * (everything but the stages' options, which options.c checks against each
 * plugin), and applying --set overrides. */
#ifndef DOCPIPE_CORE_CONFIG_H
#define DOCPIPE_CORE_CONFIG_H

#include "docpipe/buf.h"
#include "input.h"

typedef enum dp__on_error {
    DP__ON_ERROR_SKIP = 0,
    DP__ON_ERROR_FAIL = 1,
    DP__ON_ERROR_QUARANTINE = 2
} dp__on_error_t;

typedef struct dp__stage_config {
    char *name;      /* unique in the chain; defaults to the plugin's name */
    char *plugin;
    json_t *options; /* the object given (a new reference), or NULL */
} dp__stage_config_t;

typedef struct dp__config {
    char *path;       /* the file as given */
    char *dir;        /* its folder, absolute: where read paths resolve */
    char *name;       /* top-level "name", or NULL */
    uint64_t hash;    /* dp_hash64 of the file's bytes */
    dp__stage_config_t *stages;
    size_t n_stages;
    char **include;   /* NULL-terminated, or NULL */
    dp__input_limits_t limits;
    dp__on_error_t on_error;
    char *quarantine; /* folder, or NULL */
    char **plugin_path; /* resolved folders, NULL-terminated, or NULL */
} dp__config_t;

/* Loads and checks a config. On failure writes "FILE: line L, column C: ..."
 * or "FILE: JSON.PATH: expected ..., found ..." to err and returns DP_EINVAL,
 * DP_EIO or DP_ENOMEM. The caller frees *out with dp__config_free. */
dp_status dp__config_load(const char *path, dp__config_t **out, dp_buf_t *err);

/* Applies "STAGE.OPTION=VALUE" (VALUE parsed as JSON, else a string). On
 * failure writes a message to err and returns DP_EINVAL. */
dp_status dp__config_apply_set(dp__config_t *cfg, const char *assignment, dp_buf_t *err);

void dp__config_free(dp__config_t *cfg);

#endif
