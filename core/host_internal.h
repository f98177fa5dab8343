/* The host handle each stage gets (docpipe/host.h), as the core creates and
 * reads it: the per-thread error message a plugin leaves, and the shared
 * run facts. */
#ifndef DOCPIPE_CORE_HOST_INTERNAL_H
#define DOCPIPE_CORE_HOST_INTERNAL_H

#include "docpipe/host.h"

/* A handle for one stage. stage_name, config_dir and data_dir are copied;
 * run_info is borrowed (the run owns it and may update it before flush).
 * verbosity: the highest dp_log_level_t printed. NULL on allocation failure. */
dp_host_t *dp__host_new(const char *stage_name, const char *config_dir, const char *data_dir,
                        json_t *run_info, int verbosity);
void dp__host_free(dp_host_t *host);

/* The message the last failing plugin call in this thread left, or a
 * fallback naming the status when it left none. Borrowed until the next call
 * that sets or clears it. */
const char *dp__host_take_error(dp_status status);
void dp__host_clear_error(void);

/* Sets the message from core code (same per-thread slot). */
void dp__host_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Serialises every line the core and plugins write to stderr, so lines from
 * workers never interleave. */
void dp__stderr_lock(void);
void dp__stderr_unlock(void);

#endif
