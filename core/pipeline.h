/* The chain of stages of a run: each stage's plugin loaded, its options
 * validated and filled, its host handle, its state after init, and its
 * counters. */
#ifndef DOCPIPE_CORE_PIPELINE_H
#define DOCPIPE_CORE_PIPELINE_H

#include <stdatomic.h>

#include "config.h"
#include "loader.h"

typedef struct dp__stage {
    char *name;
    dp__plugin_lib_t lib;
    json_t *options; /* every option, defaults filled */
    dp_host_t *host;
    void *state;
    bool inited;
    /* Counters, updated by workers. */
    atomic_uint_fast64_t documents;
    atomic_uint_fast64_t failed;
    atomic_uint_fast64_t nanoseconds;     /* wall clock in process() */
    atomic_uint_fast64_t cpu_nanoseconds; /* worker CPU time in process(), with --stats only */
} dp__stage_t;

typedef struct dp__pipeline {
    dp__stage_t *stages;
    size_t n_stages;
    size_t first_ordered; /* index of the first ORDERED stage, n_stages when none */
    json_t *run_info;     /* shared with every host */
} dp__pipeline_t;

/* Builds the search path: DOCPIPE_PLUGIN_PATH, the config's plugin_path,
 * then builtin_dir. */
dp_status dp__pipeline_search_path(const dp__config_t *cfg, const char *builtin_dir,
                                   dp__search_path_t *sp);

/* Loads every stage's plugin and validates its options, initialising
 * nothing. On failure writes "FILE: stages[i]...: message" to err. */
dp_status dp__pipeline_load(const dp__config_t *cfg, const dp__search_path_t *sp,
                            const char *data_dir, int verbosity, dp__pipeline_t **out,
                            dp_buf_t *err);

/* Calls every stage's init in chain order. On failure writes
 * "STAGE: message" to err; stages already initialised are finished by
 * dp__pipeline_free. */
dp_status dp__pipeline_init(dp__pipeline_t *p, dp_buf_t *err);

/* Calls fini for every initialised stage (in reverse order), unloads the
 * plugins and frees everything. */
void dp__pipeline_free(dp__pipeline_t *p);

#endif
