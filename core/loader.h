/* Finding and loading plugin shared objects: the search path
 * (DOCPIPE_PLUGIN_PATH, the config's plugin_path, the built-in folder), the
 * dlopen/dlsym step and the ABI check. */
#ifndef DOCPIPE_CORE_LOADER_H
#define DOCPIPE_CORE_LOADER_H

#include "docpipe/buf.h"
#include "docpipe/plugin.h"

typedef struct dp__plugin_lib {
    char *path;                /* the file loaded */
    void *handle;              /* dlopen handle */
    const dp_plugin_t *desc;   /* the plugin's descriptor */
} dp__plugin_lib_t;

/* A list of folders searched in order. */
typedef struct dp__search_path {
    char **dirs;
    size_t count;
} dp__search_path_t;

/* Appends a folder (copied). DP_ENOMEM on failure. */
dp_status dp__search_path_add(dp__search_path_t *sp, const char *dir);
/* Appends every folder of a colon-separated list. */
dp_status dp__search_path_add_list(dp__search_path_t *sp, const char *list);
void dp__search_path_free(dp__search_path_t *sp);

/* Loads one plugin file and checks its descriptor. On failure writes a
 * one-line message to err naming the file, the symbol or both ABIs, and what
 * dlerror said, and returns DP_EIO (dlopen failed), DP_ENOTFOUND (no
 * descriptor symbol) or DP_EABI. */
dp_status dp__plugin_load(const char *path, dp__plugin_lib_t *out, dp_buf_t *err);

/* Finds NAME.so in the search path and loads it. DP_ENOTFOUND with a message
 * listing the folders when no file is found; a file that exists but does not
 * load is that file's error (a broken plugin is never silently skipped). */
dp_status dp__plugin_find(const dp__search_path_t *sp, const char *name, dp__plugin_lib_t *out,
                          dp_buf_t *err);

/* Unloads (dlclose) and frees. */
void dp__plugin_unload(dp__plugin_lib_t *lib);

/* Calls fn for every loadable plugin in the search path, sorted by name, the
 * first folder winning for a name found twice; files that fail to load are
 * reported through bad(ctx, path, message). */
void dp__plugin_list(const dp__search_path_t *sp,
                     void (*fn)(void *ctx, const dp__plugin_lib_t *lib),
                     void (*bad)(void *ctx, const char *path, const char *message), void *ctx);

#endif
