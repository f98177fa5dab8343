/* Locating the built-in plugin and data folders (paths.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "paths.h"

#ifndef DOCPIPE_INSTALL_PLUGIN_DIR_REL
#define DOCPIPE_INSTALL_PLUGIN_DIR_REL "lib/docpipe/plugins"
#endif
#ifndef DOCPIPE_INSTALL_DATA_DIR_REL
#define DOCPIPE_INSTALL_DATA_DIR_REL "share/docpipe/configs"
#endif

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *first_dir(const char *exe_dir, const char *in_tree, const char *installed)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", exe_dir, in_tree);
    if (is_dir(path))
        return dp_strdup(path);
    snprintf(path, sizeof path, "%s/../%s", exe_dir, installed);
    char resolved[PATH_MAX];
    if (realpath(path, resolved))
        return dp_strdup(resolved);
    return dp_strdup(path);
}

void dp__paths_find(char **plugin_dir, char **data_dir)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        snprintf(exe, sizeof exe, "./docpipe");
    else
        exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(exe, sizeof exe, ".");
    *plugin_dir = first_dir(exe, "plugins", DOCPIPE_INSTALL_PLUGIN_DIR_REL);
    *data_dir = first_dir(exe, "configs", DOCPIPE_INSTALL_DATA_DIR_REL);
}
