/* The plugin ABI. A plugin is a shared object that exports one constant
 * descriptor named docpipe_plugin (DP_PLUGIN_SYMBOL). The host checks the
 * descriptor's abi and size before using anything else in it, validates the
 * stage's options against the descriptor's options table, then calls init
 * once, process for each document, and fini at the end.
 *
 * Growing the ABI: new descriptor fields are only ever added at the end
 * (taking the place of reserved slots), and the host reads a field only when
 * the descriptor's size says the plugin has it. */
#ifndef DOCPIPE_PLUGIN_H
#define DOCPIPE_PLUGIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "docpipe/document.h"
#include "docpipe/host.h"
#include "docpipe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. The host refuses plugins built for another. */
#define DP_ABI_VERSION 1u

/* The name of the exported descriptor symbol. */
#define DP_PLUGIN_SYMBOL "docpipe_plugin"

#if defined(__GNUC__)
#define DP_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define DP_PLUGIN_EXPORT
#endif

/* How the host may call process(). */
typedef enum dp_threading {
    /* process() may run on many documents at once on one instance (state is
     * read-only after init, or locked by the plugin; per-thread scratch goes
     * in worker_init's state). */
    DP_THREADING_PARALLEL = 0,
    /* process() is called for one document at a time, in input order
     * (writers). */
    DP_THREADING_ORDERED = 1
} dp_threading_t;

/* Types an option may have. */
typedef enum dp_option_type {
    DP_OPT_STRING = 0,
    DP_OPT_INTEGER = 1,
    DP_OPT_NUMBER = 2,      /* an integer is accepted too */
    DP_OPT_BOOLEAN = 3,
    DP_OPT_STRING_LIST = 4, /* an array of strings */
    DP_OPT_ARRAY = 5,       /* any array */
    DP_OPT_OBJECT = 6,
    DP_OPT_ANY = 7
} dp_option_type_t;

/* Flags of an option. */
#define DP_OPT_HAS_MIN 0x1u /* min is enforced (numbers) */
#define DP_OPT_HAS_MAX 0x2u /* max is enforced (numbers) */

/* One row of a plugin's options table. The table ends with a row whose name
 * is NULL. The host fills in defaults, so init() receives every option. */
typedef struct dp_option_spec {
    const char *name;
    dp_option_type_t type;
    const char *default_json; /* the default as JSON text ("3", "\"jsonl\"", "null") */
    const char *description;  /* one sentence for `docpipe plugins show` */
    const char *choices;      /* strings only: allowed values separated by '|', or NULL */
    unsigned flags;           /* DP_OPT_HAS_MIN | DP_OPT_HAS_MAX */
    double min, max;
} dp_option_spec_t;

typedef struct dp_plugin {
    uint32_t abi;  /* DP_ABI_VERSION */
    uint32_t size; /* sizeof(dp_plugin_t) as the plugin was built */
    const char *name;        /* the name configs use: "normalise" */
    const char *version;     /* the plugin's own version: "1.0.0" */
    const char *description; /* one line */
    const dp_option_spec_t *options; /* table ending with {NULL}; may be NULL */
    dp_threading_t threading;

    /* Called once before any document. options is an object holding every
     * option of the table (defaults filled in), borrowed and valid until
     * fini; host is valid until fini. Sets *state (may be NULL). On failure
     * sets a message with dp_host_error and returns a negative status: the run
     * does not start. */
    dp_status (*init)(const json_t *options, dp_host_t *host, void **state);

    /* Processes one document. worker is what worker_init made for the calling
     * thread (NULL without worker_init). On failure sets a message with
     * dp_host_error and returns a negative status: the document fails at this
     * stage and the run goes on (unless on_error is "fail"). An ORDERED stage
     * that returns DP_EIO (a write failed) ends the run instead (exit 3):
     * its output could not be trusted. */
    dp_status (*process)(void *state, void *worker, dp_doc_t *doc);

    /* Frees the state. Called once, after flush or after an aborted run (then
     * without flush: a writer removes its temporary files here). May be NULL. */
    void (*fini)(void *state);

    /* Optional (NULL when not needed). bundle_end runs after the last
     * document of a bundle has passed every stage, in the ordered thread;
     * flush runs once at the end of a complete run. A failure of either is
     * fatal (exit 3). */
    dp_status (*bundle_end)(void *state, const char *bundle);
    dp_status (*flush)(void *state);

    /* Optional per-thread scratch for PARALLEL plugins: worker_init runs once
     * in each worker thread before its first document; worker_fini frees. */
    dp_status (*worker_init)(void *state, void **worker);
    void (*worker_fini)(void *state, void *worker);

    /* Reserved for fields added by later ABI versions: leave zero. */
    void *reserved[8];
} dp_plugin_t;

/* Declares the descriptor of a plugin:
 *     DP_PLUGIN_DEFINE = { .abi = DP_ABI_VERSION, .size = sizeof(dp_plugin_t), ... };
 */
#define DP_PLUGIN_DEFINE DP_PLUGIN_EXPORT const dp_plugin_t docpipe_plugin

#ifdef __cplusplus
}
#endif
#endif
