/* Services the host offers to plugins: error messages, logging, finding data
 * files, and facts about the run. Each stage gets its own dp_host_t handle
 * (it knows the stage's name and its config file's folder). The handle is
 * opaque and these functions are looked up by name by the dynamic linker, so
 * new services are added as new functions and never shift anything that a
 * built plugin uses. */
#ifndef DOCPIPE_HOST_H
#define DOCPIPE_HOST_H

#include <jansson.h>
#include <stdarg.h>

#include "docpipe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dp_host dp_host_t;

typedef enum dp_log_level {
    DP_LOG_ERROR = 0,
    DP_LOG_WARN = 1,
    DP_LOG_INFO = 2,
    DP_LOG_DEBUG = 3
} dp_log_level_t;

/* Sets the message that explains the failure the calling plugin function is
 * about to return (one line, no trailing newline, no "docpipe:" prefix: the
 * host adds the document id and stage name). The message is kept per thread,
 * so workers may call this concurrently. Later calls replace earlier ones. */
void dp_host_error(dp_host_t *host, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dp_host_verror(dp_host_t *host, const char *fmt, va_list ap);

/* Writes a diagnostic line on stderr as "docpipe: STAGE: MESSAGE" when level
 * is at or below the run's verbosity (errors and warnings by default, none
 * of them under --quiet except errors). Thread-safe. */
void dp_host_log(dp_host_t *host, dp_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The stage's name in the chain ("export", or its "name" in the config).
 * Borrowed; valid while the host lives. */
const char *dp_host_stage_name(const dp_host_t *host);

/* Resolves a data file a plugin reads (a gazetteer, a pattern file, a
 * language pack): an absolute path is kept; a relative one is looked up
 * against the config file's folder, then against docpipe's data folder (the
 * configs/ folder of the build tree or of the installation), and the first
 * that exists is returned. Returns a path the caller frees with dp_free, or
 * NULL when the file exists in neither place (the host has set an error
 * message naming both places). Thread-safe. */
char *dp_host_find_data(dp_host_t *host, const char *relative);

/* docpipe's data folder (configs/ of the build tree or the installation).
 * Borrowed; never NULL. */
const char *dp_host_data_dir(const dp_host_t *host);

/* Facts about the run, as a JSON object, borrowed and read-only:
 * {"started": "ISO time", "config": "path", "config_hash": "hex",
 *  "plugins": [{"stage", "plugin", "version"}...], "jobs": N}
 * and, when flush() is called, also "finished", "documents" ({"entered",
 * "processed", "failed", "filtered"}), "bundles" (names) and "failures"
 * ([{"id", "stage", "message"}...]). Writers use it for run summaries. */
const json_t *dp_host_run_info(const dp_host_t *host);

#ifdef __cplusplus
}
#endif
#endif
