/* Running a loaded chain over the inputs: the reader thread, the worker
 * pool, the reorder buffer feeding the ordered stages, accounting, stats,
 * quarantine and the end-of-run summary. */
#ifndef DOCPIPE_CORE_RUN_H
#define DOCPIPE_CORE_RUN_H

#include "config.h"
#include "pipeline.h"

typedef struct dp__run_options {
    const char *const *inputs;
    size_t n_inputs;
    dp__input_format_t format;
    int jobs;               /* worker threads, >= 1 */
    bool quiet;             /* no progress line, no summary */
    bool progress;          /* draw the progress line (stderr is a terminal) */
    const char *stats_path; /* --stats FILE, or NULL */
} dp__run_options_t;

/* Runs the (initialised) pipeline over the inputs and returns the exit
 * code: 0 every document processed, 1 some failed, 3 a fatal error (on_error
 * "fail", a failed write, an interrupt). Calls every stage's flush on a
 * complete run; on a fatal error it does not, so fini removes temporaries. */
int dp__run(const dp__config_t *cfg, dp__pipeline_t *p, const dp__run_options_t *opts);

/* Asks a running dp__run to stop (SIGINT/SIGTERM). Async-signal-safe. */
void dp__run_request_stop(void);

/* True once a stop was requested. */
bool dp__run_stop_requested(void);

/* Creates dir and its missing parents (mode 0777 & ~umask). DP_EIO with errno
 * kept on failure. */
dp_status dp__mkdirs(const char *dir);

#endif
