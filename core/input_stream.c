/* Compressed streams (gzip, xz, bzip2) decoded for the input reader before
 * libarchive reads the archive inside. libarchive's own filters drop the
 * last block they decompressed (up to 64 KiB) when the input breaks off, so
 * a small truncated tar.gz would give no document at all; these decoders
 * hand on every byte they could decode, then report the break.
 *
 * The libraries are the ones libarchive itself uses (zlib, liblzma,
 * libbzip2), linked into libdocpipe (zlib1g-dev, liblzma-dev, libbz2-dev are
 * build dependencies). The calls go through a small table so each decoder
 * below reads the same whatever library it drives. */
#include <bzlib.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "input_internal.h"

#define CHUNK ((size_t)64 << 10)

#include <lzma.h>
#include <zlib.h>
#define DP_HAVE_ZLIB 1
#define DP_HAVE_LZMA 1
#define DP_HAVE_BZIP2 1

/* xz's decoder may use this much memory (its dictionary): enough for
 * `xz -9`; a stream that asks for more is refused rather than let grow. */
#define XZ_MEMLIMIT ((uint64_t)128 << 20)

/* Result of one decoding step. */
typedef enum step_result { STEP_OK, STEP_END, STEP_ERROR } step_result_t;

/* ---- the libraries ------------------------------------------------------- */

typedef struct libs {
#ifdef DP_HAVE_ZLIB
    int (*z_init2_)(z_streamp, int, const char *, int);
    int (*z_inflate)(z_streamp, int);
    int (*z_end)(z_streamp);
    int (*z_reset)(z_streamp);
#endif
#ifdef DP_HAVE_LZMA
    lzma_ret (*xz_decoder)(lzma_stream *, uint64_t, uint32_t);
    lzma_ret (*xz_code)(lzma_stream *, lzma_action);
    void (*xz_end)(lzma_stream *);
#endif
#ifdef DP_HAVE_BZIP2
    int (*bz_init)(bz_stream *, int, int);
    int (*bz_decompress)(bz_stream *);
    int (*bz_end)(bz_stream *);
#endif
    bool have[3]; /* by dp__stream_kind_t */
} libs_t;

static libs_t libs;
static pthread_once_t libs_once = PTHREAD_ONCE_INIT;

static void libs_load(void)
{
    libs.z_init2_ = inflateInit2_;
    libs.z_inflate = inflate;
    libs.z_end = inflateEnd;
    libs.z_reset = inflateReset;
    libs.have[DP__STREAM_GZIP] = true;
    libs.xz_decoder = lzma_stream_decoder;
    libs.xz_code = lzma_code;
    libs.xz_end = lzma_end;
    libs.have[DP__STREAM_XZ] = true;
    libs.bz_init = BZ2_bzDecompressInit;
    libs.bz_decompress = BZ2_bzDecompress;
    libs.bz_end = BZ2_bzDecompressEnd;
    libs.have[DP__STREAM_BZIP2] = true;
}

int dp__stream_kind(const unsigned char *p, size_t n)
{
    int kind = -1;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        kind = DP__STREAM_GZIP;
    else if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
        kind = DP__STREAM_XZ;
    else if (n >= 4 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9')
        kind = DP__STREAM_BZIP2;
    if (kind < 0)
        return -1;
    pthread_once(&libs_once, libs_load);
    return libs.have[kind] ? kind : -1;
}

/* ---- one decoder per format ---------------------------------------------- */

static dp_status dec_init(dp__stream_t *g)
{
    switch (g->kind) {
#ifdef DP_HAVE_ZLIB
    case DP__STREAM_GZIP: {
        z_stream *z = dp_calloc(1, sizeof *z);
        if (!z)
            return DP_ENOMEM;
        /* 16 + MAX_WBITS: a gzip header and trailer around deflate data. */
        if (libs.z_init2_(z, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK) {
            dp_free(z);
            return DP_ENOMEM;
        }
        g->state = z;
        return DP_OK;
    }
#endif
#ifdef DP_HAVE_LZMA
    case DP__STREAM_XZ: {
        lzma_stream *x = dp_malloc(sizeof *x);
        if (!x)
            return DP_ENOMEM;
        *x = (lzma_stream)LZMA_STREAM_INIT;
        if (libs.xz_decoder(x, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
            dp_free(x);
            return DP_ENOMEM;
        }
        g->state = x;
        return DP_OK;
    }
#endif
#ifdef DP_HAVE_BZIP2
    case DP__STREAM_BZIP2: {
        bz_stream *b = dp_calloc(1, sizeof *b);
        if (!b)
            return DP_ENOMEM;
        if (libs.bz_init(b, 0, 0) != BZ_OK) {
            dp_free(b);
            return DP_ENOMEM;
        }
        g->state = b;
        return DP_OK;
    }
#endif
    default:
        return DP_ERR;
    }
}

static void dec_end(dp__stream_t *g)
{
    if (!g->state)
        return;
    switch (g->kind) {
#ifdef DP_HAVE_ZLIB
    case DP__STREAM_GZIP:
        libs.z_end(g->state);
        break;
#endif
#ifdef DP_HAVE_LZMA
    case DP__STREAM_XZ:
        libs.xz_end(g->state);
        break;
#endif
#ifdef DP_HAVE_BZIP2
    case DP__STREAM_BZIP2:
        libs.bz_end(g->state);
        break;
#endif
    default:
        break;
    }
    dp_free(g->state);
    g->state = NULL;
}

/* Whether another member starts at p (gzip and bzip2 files may be several
 * streams one after another; xz's decoder handles that itself). */
static bool next_member(const dp__stream_t *g, const unsigned char *p, size_t n)
{
    if (g->kind == DP__STREAM_GZIP)
        return n >= 1 && p[0] == 0x1f;
    if (g->kind == DP__STREAM_BZIP2)
        return n >= 1 && p[0] == 'B';
    return false;
}

/* Decodes from in[0..*in_len) into out[0..*out_len); on return both hold
 * the bytes used and produced. finish: no more input will come. */
static step_result_t dec_step(dp__stream_t *g, const unsigned char *in, size_t *in_len,
                              unsigned char *out, size_t *out_len, bool finish)
{
    size_t offer = *in_len < UINT_MAX ? *in_len : UINT_MAX;
    size_t room = *out_len < UINT_MAX ? *out_len : UINT_MAX;
    /* Used or not depending on which headers the build found. */
    (void)in;
    (void)out;
    (void)finish;
    (void)offer;
    (void)room;
    switch (g->kind) {
#ifdef DP_HAVE_ZLIB
    case DP__STREAM_GZIP: {
        z_stream *z = g->state;
        z->next_in = (Bytef *)(uintptr_t)in;
        z->avail_in = (uInt)offer;
        z->next_out = out;
        z->avail_out = (uInt)room;
        int ret = libs.z_inflate(z, Z_NO_FLUSH);
        *in_len = offer - z->avail_in;
        *out_len = room - z->avail_out;
        if (ret == Z_STREAM_END)
            return STEP_END;
        if (ret == Z_OK || (ret == Z_BUF_ERROR && !finish))
            return STEP_OK;
        snprintf(g->message, sizeof g->message, "%s",
                 ret == Z_BUF_ERROR ? "truncated gzip input"
                                    : (z->msg ? z->msg : "gzip data corrupt"));
        return STEP_ERROR;
    }
#endif
#ifdef DP_HAVE_LZMA
    case DP__STREAM_XZ: {
        lzma_stream *x = g->state;
        x->next_in = in;
        x->avail_in = offer;
        x->next_out = out;
        x->avail_out = room;
        lzma_ret ret = libs.xz_code(x, finish ? LZMA_FINISH : LZMA_RUN);
        *in_len = offer - x->avail_in;
        *out_len = room - x->avail_out;
        if (ret == LZMA_STREAM_END)
            return STEP_END;
        if (ret == LZMA_OK || (ret == LZMA_BUF_ERROR && !finish))
            return STEP_OK;
        snprintf(g->message, sizeof g->message, "%s",
                 ret == LZMA_BUF_ERROR     ? "truncated xz input"
                 : ret == LZMA_MEMLIMIT_ERROR ? "xz stream needs more memory than allowed"
                                              : "xz data corrupt");
        return STEP_ERROR;
    }
#endif
#ifdef DP_HAVE_BZIP2
    case DP__STREAM_BZIP2: {
        bz_stream *b = g->state;
        b->next_in = (char *)(uintptr_t)in;
        b->avail_in = (unsigned)offer;
        b->next_out = (char *)out;
        b->avail_out = (unsigned)room;
        int ret = libs.bz_decompress(b);
        *in_len = offer - b->avail_in;
        *out_len = room - b->avail_out;
        if (ret == BZ_STREAM_END)
            return STEP_END;
        if (ret == BZ_OK && !(finish && *in_len == 0 && *out_len == 0))
            return STEP_OK;
        snprintf(g->message, sizeof g->message, "%s",
                 ret == BZ_OK ? "truncated bzip2 input" : "bzip2 data corrupt");
        return STEP_ERROR;
    }
#endif
    default:
        snprintf(g->message, sizeof g->message, "no decoder");
        return STEP_ERROR;
    }
}

/* ---- the stream ---------------------------------------------------------- */

dp_status dp__stream_init(dp__stream_t *g, int kind, dp__input_read_fn up, void *up_ctx)
{
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->up = up;
    g->up_ctx = up_ctx;
    g->out = dp_malloc(CHUNK);
    if (!g->out)
        return DP_ENOMEM;
    dp_status rc = dec_init(g);
    if (rc != DP_OK) {
        dp_free(g->out);
        g->out = NULL;
    }
    return rc;
}

void dp__stream_fini(dp__stream_t *g)
{
    dec_end(g);
    dp_free(g->out);
    g->out = NULL;
}

la_ssize_t dp__stream_read(struct archive *a, void *data, const void **buf)
{
    dp__stream_t *g = data;
    size_t produced = 0;
    *buf = g->out;
    while (!g->done && !g->error && produced < CHUNK) {
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
            /* Another member may follow; anything else (padding) ends the
             * stream. */
            if (g->in_len == 0 || !next_member(g, g->in, g->in_len)) {
                g->done = true;
                break;
            }
            dec_end(g);
            if (dec_init(g) != DP_OK) {
                snprintf(g->message, sizeof g->message, "out of memory");
                g->error = true;
                break;
            }
            g->between_members = false;
        }
        size_t used = g->in_len, made = CHUNK - produced;
        step_result_t res = dec_step(g, g->in, &used, g->out + produced, &made, g->up_eof);
        g->in += used;
        g->in_len -= used;
        g->in_total += used;
        produced += made;
        if (res == STEP_END) {
            if (g->kind == DP__STREAM_XZ)
                g->done = true; /* the decoder has read every stream */
            else
                g->between_members = true;
        } else if (res == STEP_ERROR) {
            g->error = true;
        } else if (used == 0 && made == 0 && g->up_eof) {
            snprintf(g->message, sizeof g->message, "truncated compressed input");
            g->error = true;
        }
    }
    g->out_total += produced;
    /* After an error the stream simply ends: libarchive's format bidding
     * fails on an error, and the reader reports g->message itself once the
     * data before the break has been read. */
    return (la_ssize_t)produced;
}
