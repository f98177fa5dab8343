/* Plugin discovery and loading (loader.h). */
#include <dirent.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "loader.h"

dp_status dp__search_path_add(dp__search_path_t *sp, const char *dir)
{
    char **dirs = dp_realloc(sp->dirs, (sp->count + 1) * sizeof *dirs);
    if (!dirs)
        return DP_ENOMEM;
    sp->dirs = dirs;
    sp->dirs[sp->count] = dp_strdup(dir);
    if (!sp->dirs[sp->count])
        return DP_ENOMEM;
    sp->count++;
    return DP_OK;
}

dp_status dp__search_path_add_list(dp__search_path_t *sp, const char *list)
{
    const char *p = list;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n > 0) {
            char *dir = dp_strndup(p, n);
            if (!dir)
                return DP_ENOMEM;
            dp_status rc = dp__search_path_add(sp, dir);
            dp_free(dir);
            if (rc != DP_OK)
                return rc;
        }
        p += n;
        if (*p == ':')
            p++;
    }
    return DP_OK;
}

void dp__search_path_free(dp__search_path_t *sp)
{
    for (size_t i = 0; i < sp->count; i++)
        dp_free(sp->dirs[i]);
    dp_free(sp->dirs);
    sp->dirs = NULL;
    sp->count = 0;
}

dp_status dp__plugin_load(const char *path, dp__plugin_lib_t *out, dp_buf_t *err)
{
    memset(out, 0, sizeof *out);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        dp_buf_printf(err, "%s: cannot load plugin: %s", path, why ? why : "unknown dlopen error");
        return DP_EIO;
    }
    dlerror();
    const dp_plugin_t *desc = dlsym(handle, DP_PLUGIN_SYMBOL);
    if (!desc) {
        const char *why = dlerror();
        dp_buf_printf(err, "%s: no symbol %s in plugin (%s)", path, DP_PLUGIN_SYMBOL,
                      why ? why : "symbol is NULL");
        dlclose(handle);
        return DP_ENOTFOUND;
    }
    if (desc->abi != DP_ABI_VERSION) {
        dp_buf_printf(err, "%s: plugin ABI %u, host ABI %u (rebuild the plugin against this docpipe)",
                      path, (unsigned)desc->abi, (unsigned)DP_ABI_VERSION);
        dlclose(handle);
        return DP_EABI;
    }
    /* A descriptor too small to hold the fields of ABI 1 is corrupt. */
    if (desc->size < offsetof(dp_plugin_t, reserved) || !desc->name || !desc->process) {
        dp_buf_printf(err, "%s: plugin descriptor is incomplete (size %u, host expects %u)", path,
                      (unsigned)desc->size, (unsigned)sizeof(dp_plugin_t));
        dlclose(handle);
        return DP_EABI;
    }
    out->path = dp_strdup(path);
    if (!out->path) {
        dlclose(handle);
        return DP_ENOMEM;
    }
    out->handle = handle;
    out->desc = desc;
    return DP_OK;
}

void dp__plugin_unload(dp__plugin_lib_t *lib)
{
    /* Sanitizer builds keep plugins mapped, so leak reports can still name
     * their functions. */
#if defined(__SANITIZE_ADDRESS__)
#define DP_KEEP_PLUGINS_MAPPED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_KEEP_PLUGINS_MAPPED 1
#endif
#endif
#ifndef DP_KEEP_PLUGINS_MAPPED
    if (lib->handle)
        dlclose(lib->handle);
#endif
    dp_free(lib->path);
    memset(lib, 0, sizeof *lib);
}

static char *plugin_file(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 5;
    char *path = dp_malloc(n);
    if (path)
        snprintf(path, n, "%s/%s.so", dir, name);
    return path;
}

dp_status dp__plugin_find(const dp__search_path_t *sp, const char *name, dp__plugin_lib_t *out,
                          dp_buf_t *err)
{
    if (strchr(name, '/') || name[0] == '\0' || name[0] == '.') {
        dp_buf_printf(err, "invalid plugin name \"%s\"", name);
        return DP_EINVAL;
    }
    for (size_t i = 0; i < sp->count; i++) {
        char *path = plugin_file(sp->dirs[i], name);
        if (!path)
            return DP_ENOMEM;
        if (access(path, F_OK) == 0) {
            dp_status rc = dp__plugin_load(path, out, err);
            dp_free(path);
            if (rc == DP_OK && strcmp(out->desc->name, name) != 0) {
                dp_buf_printf(err, "%s: the plugin calls itself \"%s\", not \"%s\"", out->path,
                              out->desc->name, name);
                dp__plugin_unload(out);
                return DP_EINVAL;
            }
            return rc;
        }
        dp_free(path);
    }
    dp_buf_printf(err, "no plugin named \"%s\" (looked for %s.so in", name, name);
    for (size_t i = 0; i < sp->count; i++)
        dp_buf_printf(err, "%s %s", i ? "," : "", sp->dirs[i]);
    dp_buf_puts(err, sp->count ? ")" : " no folder)");
    return DP_ENOTFOUND;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void dp__plugin_list(const dp__search_path_t *sp,
                     void (*fn)(void *ctx, const dp__plugin_lib_t *lib),
                     void (*bad)(void *ctx, const char *path, const char *message), void *ctx)
{
    char **names = NULL;
    size_t count = 0;
    for (size_t i = 0; i < sp->count; i++) {
        DIR *dir = opendir(sp->dirs[i]);
        if (!dir)
            continue;
        struct dirent *ent;
        while ((ent = readdir(dir)) != NULL) {
            size_t n = strlen(ent->d_name);
            if (n < 4 || strcmp(ent->d_name + n - 3, ".so") != 0 || ent->d_name[0] == '.')
                continue;
            char *stem = dp_strndup(ent->d_name, n - 3);
            bool seen = false;
            for (size_t k = 0; stem && k < count; k++)
                seen = seen || strcmp(names[k], stem) == 0;
            char **grown = (!stem || seen) ? NULL : dp_realloc(names, (count + 1) * sizeof *names);
            if (!grown) {
                dp_free(stem);
                continue;
            }
            names = grown;
            names[count++] = stem;
        }
        closedir(dir);
    }
    /* qsort's pointer must be valid even for no elements. */
    if (count)
        qsort(names, count, sizeof *names, compare_strings);
    for (size_t k = 0; k < count; k++) {
        dp__plugin_lib_t lib;
        dp_buf_t err = DP_BUF_INIT;
        dp_status rc = dp__plugin_find(sp, names[k], &lib, &err);
        if (rc == DP_OK) {
            fn(ctx, &lib);
            dp__plugin_unload(&lib);
        } else if (bad) {
            bad(ctx, names[k], err.data ? err.data : dp_strerror(rc));
        }
        dp_buf_free(&err);
        dp_free(names[k]);
    }
    dp_free(names);
}
