/* Where docpipe finds its built-in plugins and data: next to the binary in
 * the build tree (plugins/, configs/), or in the installed folders relative
 * to the binary (../lib/docpipe/plugins, ../share/docpipe/configs), so
 * neither needs an environment variable. */
#ifndef DOCPIPE_CORE_PATHS_H
#define DOCPIPE_CORE_PATHS_H

/* Fills the two folders for the running executable. Returns new strings the
 * caller frees with dp_free (each falls back to a path that may not exist,
 * never NULL unless out of memory). */
void dp__paths_find(char **plugin_dir, char **data_dir);

#endif
