/* The one header a plugin author includes: the whole public API of
 * libdocpipe. Build out-of-tree plugins with
 *     cc -shared -fPIC $(pkg-config --cflags --libs docpipe) myplugin.c -o myplugin.so */
#ifndef DOCPIPE_DOCPIPE_H
#define DOCPIPE_DOCPIPE_H

#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "docpipe/date.h"
#include "docpipe/document.h"
#include "docpipe/encoding.h"
#include "docpipe/hash.h"
#include "docpipe/host.h"
#include "docpipe/plugin.h"
#include "docpipe/status.h"
#include "docpipe/utf8.h"

/* The library's version, for `docpipe --version`. */
#define DOCPIPE_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the loaded libdocpipe ("0.1.0"). Static; thread-safe. */
const char *dp_version(void);

#ifdef __cplusplus
}
#endif
#endif
