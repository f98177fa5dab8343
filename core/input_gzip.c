/* gzip decoding for the input reader. libarchive's gzip filter drops the
 * last block it decompressed (up to 64 KiB) when the input breaks off, so a
 * small truncated tar.gz would give no document at all. gzip streams are therefore inflated here with zlib,
 * which hands on every byte it could decode, and libarchive reads the tar
 * (or other data) inside. zlib is the library libarchive itself uses; it is
 * loaded at run time from the same libz.so.1 that libarchive loaded, so
 * libdocpipe needs no link flag of its own. Without it (or without zlib.h
 * at build time: package zlib1g-dev), libarchive's filter does the work. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "input_internal.h"

#if defined(__has_include)
#if __has_include(<zlib.h>)
#define DP_HAVE_ZLIB_H 1
#endif
#endif

#ifndef DP_HAVE_ZLIB_H

bool dp__input_gz_available(void)
{
    return false;
}

dp_status dp__input_gz_init(gz_src_t *g, dp__input_read_fn up, void *up_ctx)
{
    (void)g;
    (void)up;
    (void)up_ctx;
    return DP_ERR;
}

la_ssize_t dp__input_gz_read(struct archive *a, void *data, const void **buf)
{
    (void)a;
    (void)data;
    (void)buf;
    return ARCHIVE_FATAL;
}

void dp__input_gz_fini(gz_src_t *g)
{
    (void)g;
}

#else
#include <zlib.h>

#define CHUNK ((size_t)64 << 10)

typedef struct zlib_api {
    int (*init2_)(z_streamp, int, const char *, int);
    int (*inflate)(z_streamp, int);
    int (*end)(z_streamp);
    int (*reset)(z_streamp);
} zlib_api_t;

static zlib_api_t zlib_fns;
static bool zlib_ok;
static pthread_once_t zlib_once = PTHREAD_ONCE_INIT;

static void zlib_load(void)
{
    void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return;
    /* Function pointers from dlsym: POSIX guarantees the conversion. */
    *(void **)&zlib_fns.init2_ = dlsym(h, "inflateInit2_");
    *(void **)&zlib_fns.inflate = dlsym(h, "inflate");
    *(void **)&zlib_fns.end = dlsym(h, "inflateEnd");
    *(void **)&zlib_fns.reset = dlsym(h, "inflateReset");
    zlib_ok = zlib_fns.init2_ && zlib_fns.inflate && zlib_fns.end && zlib_fns.reset;
}

dp_status dp__input_gz_init(gz_src_t *g, dp__input_read_fn up, void *up_ctx)
{
    memset(g, 0, sizeof *g);
    g->up = up;
    g->up_ctx = up_ctx;
    g->out = dp_malloc(CHUNK);
    z_stream *z = dp_calloc(1, sizeof *z);
    if (!g->out || !z ||
        zlib_fns.init2_(z, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK) {
        dp_free(g->out);
        dp_free(z);
        g->out = NULL;
        return DP_ENOMEM;
    }
    g->zs = z;
    g->live = true;
    return DP_OK;
}

void dp__input_gz_fini(gz_src_t *g)
{
    if (g->live)
        zlib_fns.end(g->zs);
    dp_free(g->zs);
    g->zs = NULL;
    g->live = false;
    dp_free(g->out);
    g->out = NULL;
}

la_ssize_t dp__input_gz_read(struct archive *a, void *data, const void **buf)
{
    gz_src_t *g = data;
    z_stream *z = g->zs;
    if (!g->done && !g->error) {
        z->next_out = g->out;
        z->avail_out = (uInt)CHUNK;
    } else {
        z->avail_out = (uInt)CHUNK; /* nothing decoded in this call */
    }
    while (!g->done && !g->error && z->avail_out > 0) {
        if (g->in_len == 0 && !g->up_eof) {
            const void *p = NULL;
            la_ssize_t n = g->up(a, g->up_ctx, &p);
            if (n < 0) {
                const char *err = archive_error_string(a);
                snprintf(g->message, sizeof g->message, "%s", err ? err : "read error");
                g->error = true;
            } else if (n == 0) {
                g->up_eof = true;
            } else {
                g->in = p;
                g->in_len = (size_t)n;
            }
            continue;
        }
        if (g->between_members) {
            /* Another member may follow; anything else (tape padding) ends
             * the stream. */
            if (g->in_len == 0 || g->in[0] != 0x1f) {
                g->done = true;
                break;
            }
            zlib_fns.reset(z);
            g->between_members = false;
        }
        if (g->in_len == 0) {
            snprintf(g->message, sizeof g->message, "truncated gzip input");
            g->error = true;
            break;
        }
        size_t offer = g->in_len < UINT_MAX ? g->in_len : UINT_MAX;
        z->next_in = (Bytef *)(uintptr_t)g->in;
        z->avail_in = (uInt)offer;
        int ret = zlib_fns.inflate(z, Z_NO_FLUSH);
        size_t used = offer - z->avail_in;
        g->in += used;
        g->in_len -= used;
        g->in_total += used;
        if (ret == Z_STREAM_END) {
            g->between_members = true;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            snprintf(g->message, sizeof g->message, "gzip decompression failed: %s",
                     z->msg ? z->msg : "corrupt data");
            g->error = true;
        }
    }
    size_t produced = CHUNK - z->avail_out;
    g->out_total += produced;
    if (produced > 0) {
        *buf = g->out;
        return (la_ssize_t)produced;
    }
    /* After an error the stream simply ends: libarchive's format bidding
     * would fail on an error, and the reader reports g->message itself
     * (gz_failed) once the data before the break has been read. */
    *buf = g->out;
    return 0;
}


bool dp__input_gz_available(void)
{
    pthread_once(&zlib_once, zlib_load);
    return zlib_ok;
}

#endif
