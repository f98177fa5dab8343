/* Input: turns one INPUT argument (an archive libarchive reads, a folder, a
 * single file, or "-" for standard input) into documents handed to the sink,
 * enforcing DESIGN.md "Input safety": size, total, ratio and nesting limits,
 * links, devices and unsafe names as failed documents, names repaired to
 * UTF-8, folders walked without following symlinks. The reader holds at
 * most one entry in memory; nested archives are streamed from their outer
 * entry. JSON Lines input lives in input_jsonl.c, the decoding of
 * compressed streams in input_stream.c. */
#include "input.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <iconv.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "docpipe/encoding.h"
#include "docpipe/utf8.h"
#include "input_internal.h"

#define MIB ((uint64_t)1 << 20)
/* Bytes of an entry read before looking for archive magic numbers (tar's
 * "ustar" sits at offset 257). */
#define PEEK_BYTES 512
#define CHUNK ((size_t)64 << 10)
/* The bundle-wide compression bomb guard starts counting after this much
 * decompressed data; below it a high ratio costs nothing. */
#define BOMB_FLOOR ((uint64_t)64 << 20)
/* Data of failed entries is decompressed only to be dropped (a compressed
 * stream cannot be skipped otherwise). That costs time, not memory: one
 * bundle may drop this much, so that a big high-ratio entry fails alone and
 * the entries after it are still read, while a bomb ends in seconds. */
#define SKIP_BUDGET ((uint64_t)512 << 20)

/* Internal result besides the dp_status codes: stop reading this bundle (the
 * failed document explaining why has been emitted). */
#define STOP_BUNDLE 1

void dp__input_limits_default(dp__input_limits_t *limits)
{
    limits->max_entry_bytes = (uint64_t)64 << 20;
    limits->max_total_bytes = (uint64_t)16 << 30;
    limits->max_ratio = 100.0;
    limits->max_depth = 2;
}

dp_status dp__input_check_path(const char *path)
{
    struct stat st;
    if (!path)
        return DP_EINVAL;
    if (strcmp(path, "-") == 0)
        return DP_OK;
    return stat(path, &st) == 0 ? DP_OK : DP_ENOTFOUND;
}

/* ---- documents and the sink --------------------------------------------- */

dp_status dp__input_emit(const dp__input_sink_t *sink, dp_doc_t *doc)
{
    return sink->emit(sink->ctx, doc) ? DP_EINTR : DP_OK;
}

dp_doc_t *dp__input_new_doc(json_t *id_json, const char *bundle, const char *entry,
                            int64_t mtime)
{
    dp_doc_t *doc = dp__doc_new(id_json);
    if (!doc)
        return NULL;
    if (dp__doc_set_source(doc, bundle, entry, mtime) != DP_OK) {
        dp__doc_free(doc);
        return NULL;
    }
    return doc;
}

dp_status dp__input_emit_failed(const dp__input_sink_t *sink, json_t *id_json,
                                const char *bundle, const char *entry, int64_t mtime,
                                const char *fmt, ...)
{
    dp_buf_t msg = DP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    dp_status rc = dp_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    dp_doc_t *doc = dp__input_new_doc(id_json, bundle, entry, mtime);
    if (rc != DP_OK || !doc) {
        dp__doc_free(doc);
        dp_buf_free(&msg);
        return DP_ENOMEM;
    }
    dp__doc_fail(doc, "input", msg.data ? msg.data : "failed");
    dp_buf_free(&msg);
    return dp__input_emit(sink, doc);
}

/* ---- names -------------------------------------------------------------- */

/* Converts a name that is not valid UTF-8: CP437 for zip entries without the
 * UTF-8 flag (the zip specification's default), windows-1252 otherwise.
 * Control characters become '?' so that ids stay one printable line.
 * Caller frees with dp_free; NULL on allocation failure. */
static char *repair_name(const char *raw, size_t len, bool zip)
{
    char *out = NULL;
    size_t out_len = 0;
    if (dp_utf8_valid(raw, len)) {
        out = dp_strndup(raw, len);
        out_len = len;
    } else if (zip) {
        iconv_t cd = iconv_open("UTF-8", "CP437");
        if (cd != (iconv_t)-1) {
            size_t cap = len * 3 + 1;
            out = dp_malloc(cap);
            if (out) {
                char *ip = (char *)(uintptr_t)raw, *op = out;
                size_t il = len, ol = cap - 1;
                while (il > 0 && iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
                    /* CP437 maps every byte; only a broken converter gets here. */
                    *op++ = '?';
                    ol--;
                    ip++;
                    il--;
                }
                *op = 0;
                out_len = (size_t)(op - out);
            }
            iconv_close(cd);
            if (!out)
                return NULL;
        }
    }
    if (!out) {
        const char *label;
        uint64_t repaired;
        if (dp_encoding_decode((const unsigned char *)raw, len, &out, &out_len, &label,
                               &repaired) != DP_OK)
            return NULL;
    }
    for (size_t i = 0; i < out_len; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7F)
            out[i] = '?';
    /* A NUL from a UTF-16 guess would cut the name: it is '?' now too. */
    return out;
}

char *dp__input_bundle_name(const char *path)
{
    if (strcmp(path, "-") == 0)
        return dp_strdup("stdin");
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    const char *base = path + start;
    size_t len = end - start;
    char *resolved = NULL;
    bool dots = (len == 1 && base[0] == '.') || (len == 2 && base[0] == '.' && base[1] == '.');
    if (len == 0 || dots) {
        /* "." or "..": name the folder it stands for. */
        resolved = realpath(path, NULL);
        if (resolved) {
            const char *slash = strrchr(resolved, '/');
            base = slash && slash[1] ? slash + 1 : resolved;
            len = strlen(base);
        }
    }
    char *out = repair_name(base, len, false);
    free(resolved); /* realpath's memory comes from malloc */
    return out;
}

typedef enum name_verdict { NAME_OK, NAME_ABSOLUTE, NAME_DOTDOT, NAME_EMPTY } name_verdict_t;

/* Normalises an entry name ("./a//b" gives "a/b") and judges it: absolute
 * names (also "C:" drive names) and names with a ".." component (with '/'
 * or '\\' as separator, since archives made on Windows use both) are unsafe.
 * *norm receives the normalised name (caller frees) when NAME_OK. */
static name_verdict_t normalise_name(const char *name, char **norm)
{
    *norm = NULL;
    size_t n = strlen(name);
    if (name[0] == '/' || name[0] == '\\')
        return NAME_ABSOLUTE;
    if (n >= 2 && name[1] == ':' &&
        ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
        return NAME_ABSOLUTE;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && name[j] != '/' && name[j] != '\\')
            j++;
        if (j - i == 2 && name[i] == '.' && name[i + 1] == '.')
            return NAME_DOTDOT;
        i = j + 1;
    }
    char *out = dp_malloc(n + 1);
    if (!out)
        return NAME_EMPTY; /* the caller checks *norm for NULL: allocation failure */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && name[j] != '/')
            j++;
        bool skip = j == i || (j - i == 1 && name[i] == '.');
        if (!skip) {
            if (o)
                out[o++] = '/';
            memcpy(out + o, name + i, j - i);
            o += j - i;
        }
        i = j + 1;
    }
    out[o] = 0;
    *norm = out;
    return o ? NAME_OK : NAME_EMPTY;
}

/* ---- archive magic ------------------------------------------------------ */

/* Whether an entry's first bytes are those of a compressed stream or an
 * archive libarchive reads, so that it is opened instead of decoded as text. */
static bool has_archive_magic(const unsigned char *p, size_t n)
{
    static const struct {
        size_t off, len;
        const char *magic;
    } magics[] = {
        {0, 2, "\x1f\x8b"},                 /* gzip */
        {0, 3, "BZh"},                      /* bzip2 */
        {0, 6, "\xfd" "7zXZ\0"},            /* xz */
        {0, 4, "\x28\xb5\x2f\xfd"},         /* zstd */
        {0, 4, "\x04\x22\x4d\x18"},         /* lz4 */
        {0, 4, "LZIP"},                     /* lzip */
        {0, 2, "\x1f\x9d"},                 /* compress (.Z) */
        {0, 4, "PK\x03\x04"},               /* zip */
        {0, 4, "PK\x05\x06"},               /* empty zip */
        {0, 6, "7z\xbc\xaf\x27\x1c"},       /* 7z */
        {0, 6, "Rar!\x1a\x07"},             /* rar */
        {0, 8, "!<arch>\n"},                /* ar */
        {0, 6, "070707"},                   /* cpio odc */
        {0, 6, "070701"},                   /* cpio newc */
        {0, 6, "070702"},                   /* cpio crc */
        {0, 2, "\xc7\x71"},                 /* cpio binary, little-endian */
        {0, 2, "\x71\xc7"},                 /* cpio binary, big-endian */
        {0, 4, "xar!"},                     /* xar */
        {0, 4, "MSCF"},                     /* cab */
        {257, 5, "ustar"},                  /* tar (POSIX and GNU) */
    };
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (n >= magics[i].off + magics[i].len &&
            memcmp(p + magics[i].off, magics[i].magic, magics[i].len) == 0)
            return true;
    return false;
}

/* 7z keeps its index at the end and must seek: from a pipe or from inside
 * another archive it is read from memory. */
static bool is_7z(const unsigned char *p, size_t n)
{
    return n >= 6 && memcmp(p, "7z\xbc\xaf\x27\x1c", 6) == 0;
}

/* ---- the reader --------------------------------------------------------- */

typedef struct reader {
    const dp__input_options_t *opt;
    const dp__input_sink_t *sink;
    char *bundle;          /* the bundle's name, owned */
    uint64_t total;        /* entry bytes read in this bundle */
    unsigned char *scratch; /* CHUNK bytes for data that is skipped */
    bool abandon;          /* a bundle-wide limit stopped reading: nothing more is read */
} reader_t;

/* One archive being read: the bundle itself, an archive file in a folder
 * bundle, or a nested archive streamed from an outer entry. */
typedef struct arch {
    reader_t *r;
    struct archive *a;
    struct arch *outer;    /* NULL for an archive read from a file descriptor */
    struct arch *root;     /* the outermost archive: its file bytes anchor the bomb guard */
    int level;             /* 0 for the bundle's own archive; +1 per nesting */
    const char *prefix;    /* entry path of this archive inside the bundle ("" at the top) */
    bool zip;              /* names without the UTF-8 flag are CP437 */
    bool cheap_skip;       /* skipping data seeks rather than decompresses */
    uint64_t work;         /* entry bytes read here and in archives inside (root only) */
    uint64_t skipped;      /* bytes of failed entries read to be dropped (root only) */
    const char *plain_name; /* when not NULL: a single plain file, this is its id */
    /* An entry whose data failed with a fatal status: whether the archive
     * broke there or only the entry did shows at the next header. */
    char *pending_path;
    char *pending_msg;
    int64_t pending_mtime;
    int64_t file_size; /* size of the file read (root only); 0 when unknown */
    dp__stream_t *gz;  /* when the stream is decoded here rather than by libarchive */
} arch_t;

/* Compressed bytes read so far by an archive: what libarchive took from its
 * source, or what our stream decoder took from it. */
static int64_t packed_bytes(const arch_t *ar)
{
    return ar->gz ? (int64_t)ar->gz->in_total : archive_filter_bytes(ar->a, -1);
}

/* When the stream decoder of ar stopped on an error, puts its message on
 * the archive and returns true. */
static bool gz_failed(const arch_t *ar)
{
    if (!ar->gz || !ar->gz->error)
        return false;
    archive_set_error(ar->a, EIO, "%s", ar->gz->message);
    return true;
}

/* Whether the archive's bytes come through a decompressor. */
static bool is_compressed(const arch_t *ar)
{
    return ar->gz || archive_filter_count(ar->a) > 1;
}

/* Source of a nested archive's bytes: the peeked start of the outer entry,
 * then the rest of the outer entry. */
typedef struct nested_src {
    arch_t *outer;
    const unsigned char *peek;
    size_t peek_len, peek_pos;
    unsigned char *buf;
    uint64_t consumed;      /* bytes of the outer entry handed on */
    int64_t packed_start;   /* outer packed bytes when the entry began */
    int outer_error;        /* libarchive status of a failed outer read */
    bool ratio_exceeded;
} nested_src_t;

static dp_status read_archive(arch_t *ar);
static dp_status data_error(arch_t *ar, const char *id_path, int64_t mtime, la_ssize_t n);

/* Forgets a pending failure when reading ended for another reason. */
static void drop_pending(arch_t *ar)
{
    dp_free(ar->pending_path);
    dp_free(ar->pending_msg);
    ar->pending_path = ar->pending_msg = NULL;
}

static char *join_path(const char *a, const char *b)
{
    dp_buf_t buf = DP_BUF_INIT;
    if (a && *a) {
        if (dp_buf_puts(&buf, a) != DP_OK || dp_buf_putc(&buf, '/') != DP_OK)
            goto fail;
    }
    if (dp_buf_puts(&buf, b) != DP_OK)
        goto fail;
    return dp_buf_steal(&buf, NULL);
fail:
    dp_buf_free(&buf);
    return NULL;
}

/* Emits a failed document for entry path `path` of the bundle (path NULL:
 * the bundle itself). */
static dp_status fail_entry(reader_t *r, const char *path, int64_t mtime, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static dp_status fail_entry(reader_t *r, const char *path, int64_t mtime, const char *fmt, ...)
{
    dp_buf_t msg = DP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    dp_status rc = dp_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    char *id = path ? join_path(r->bundle, path) : dp_strdup(r->bundle);
    if (rc != DP_OK || !id) {
        dp_free(id);
        dp_buf_free(&msg);
        return DP_ENOMEM;
    }
    rc = dp__input_emit_failed(r->sink, json_string(id), r->bundle, path, mtime, "%s",
                               msg.data ? msg.data : "failed");
    dp_free(id);
    dp_buf_free(&msg);
    return rc;
}

static bool include_matches(const reader_t *r, const char *path)
{
    const char *const *g = r->opt->include;
    if (!g || !*g)
        return true;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    for (; *g; g++)
        if (fnmatch(*g, path, 0) == 0 || fnmatch(*g, base, 0) == 0)
            return true;
    return false;
}

static dp_status emit_filtered(reader_t *r, const char *path, int64_t mtime)
{
    char *id = join_path(r->bundle, path);
    if (!id)
        return DP_ENOMEM;
    dp_doc_t *doc = dp__input_new_doc(json_string(id), r->bundle, path, mtime);
    dp_free(id);
    if (!doc)
        return DP_ENOMEM;
    dp__doc_filter(doc);
    return dp__input_emit(r->sink, doc);
}

/* Emits an entry's bytes as a document; takes ownership of data. id_path is
 * the path after the bundle name, or NULL for a single plain file whose id
 * is the bundle name. */
static dp_status emit_raw(reader_t *r, const char *id_path, const char *entry, int64_t mtime,
                          unsigned char *data, size_t len)
{
    char *id = id_path ? join_path(r->bundle, id_path) : dp_strdup(r->bundle);
    dp_doc_t *doc = id ? dp__input_new_doc(json_string(id), r->bundle, entry, mtime) : NULL;
    dp_free(id);
    if (!doc) {
        dp_free(data);
        return DP_ENOMEM;
    }
    dp__doc_take_raw(doc, data, len);
    return dp__input_emit(r->sink, doc);
}

/* The bundle-wide guard against compression bombs, per archive file
 * (nested archives count with the file they are in):
 * - entry data read (documents, nested archives) may not exceed max_ratio
 *   times the bytes read from the file, once past BOMB_FLOOR;
 * - data dropped from failed entries gets SKIP_BUDGET at such a ratio;
 * - the decompressed stream without the dropped data, tar headers included,
 *   gets ten times max_ratio: tar headers of tiny entries compress far
 *   better than text (100,000 entries of a few bytes make a tar.xz 400
 *   times smaller than the tar), yet a stream of nothing but headers must
 *   end too. */
static bool bomb_tripped(const arch_t *ar)
{
    const arch_t *root = ar->root;
    double ratio = ar->r->opt->limits.max_ratio;
    int64_t packed = packed_bytes(root);
    /* Formats that seek may read the same bytes twice (zip entries can
     * share their data): the file's size bounds what was really packed. */
    if (root->file_size > 0 && packed > root->file_size)
        packed = root->file_size;
    double p = (double)(packed > 0 ? packed : 1);
    if (root->work > BOMB_FLOOR && (double)root->work > ratio * p)
        return true;
    if (root->skipped > SKIP_BUDGET && (double)root->skipped > ratio * p)
        return true;
    if (is_compressed(root)) {
        int64_t stream = root->gz ? (int64_t)root->gz->out_total : archive_filter_bytes(root->a, 0);
        uint64_t kept = stream > 0 && (uint64_t)stream > root->skipped
                            ? (uint64_t)stream - root->skipped
                            : 0;
        if (kept > BOMB_FLOOR && (double)kept > 10 * ratio * p)
            return true;
    }
    return false;
}

static dp_status bomb_stop(arch_t *ar)
{
    const arch_t *root = ar->root;
    ar->r->abandon = true;
    dp_status rc = fail_entry(ar->r, root->prefix[0] ? root->prefix : NULL, 0,
                              "archive decompresses to more than max_ratio (%g) times its "
                              "size: reading stopped (compression bomb)",
                              ar->r->opt->limits.max_ratio);
    return rc != DP_OK ? rc : STOP_BUNDLE;
}

/* The bundle is broken at this archive: one failed document for the bundle
 * (or for the nested archive, which ends only that archive). */
static dp_status archive_broken(arch_t *ar, const char *what, int code)
{
    const char *err = archive_error_string(ar->a);
    dp_status rc = fail_entry(ar->r, ar->prefix[0] ? ar->prefix : NULL, 0, "%s: %s", what,
                              err ? err : (code == ARCHIVE_EOF ? "unexpected end" : "read error"));
    return rc != DP_OK ? rc : STOP_BUNDLE;
}

static void add_work(arch_t *ar, size_t n)
{
    ar->root->work += n;
}

/* Reads and drops the rest of the current entry. Compressed data is read
 * through our own loop so that the bomb guard sees it. */
static dp_status skip_rest(arch_t *ar)
{
    if (ar->cheap_skip) {
        int rc = archive_read_data_skip(ar->a);
        return rc == ARCHIVE_FATAL ? archive_broken(ar, "archive breaks off", rc) : DP_OK;
    }
    for (;;) {
        la_ssize_t n = archive_read_data(ar->a, ar->r->scratch, CHUNK);
        if (n == 0)
            return DP_OK;
        if (n < 0) {
            if (n == ARCHIVE_FATAL)
                return archive_broken(ar, "archive breaks off", (int)n);
            return DP_OK; /* a bad checksum of an entry already given up */
        }
        ar->root->skipped += (uint64_t)n;
        if (bomb_tripped(ar))
            return bomb_stop(ar);
    }
}

/* ---- nested archives ---------------------------------------------------- */

static la_ssize_t nested_read(struct archive *a, void *data, const void **buf)
{
    nested_src_t *s = data;
    if (s->peek_pos < s->peek_len) {
        *buf = s->peek + s->peek_pos;
        size_t n = s->peek_len - s->peek_pos;
        s->peek_pos = s->peek_len;
        return (la_ssize_t)n;
    }
    la_ssize_t n = archive_read_data(s->outer->a, s->buf, CHUNK);
    if (n < 0) {
        s->outer_error = (int)n;
        const char *err = archive_error_string(s->outer->a);
        archive_set_error(a, EIO, "%s", err ? err : "read error in the outer archive");
        return -1;
    }
    s->consumed += (uint64_t)n;
    add_work(s->outer, (size_t)n);
    /* The nested archive is an entry of its outer archive, so the entry
     * ratio applies to it too (double compression hides bombs from the
     * outer level). */
    int64_t packed = packed_bytes(s->outer) - s->packed_start;
    if (s->consumed > MIB &&
        (double)s->consumed >
            s->outer->r->opt->limits.max_ratio * (double)(packed > 0 ? packed : 1)) {
        s->ratio_exceeded = true;
        archive_set_error(a, EIO, "entry exceeds max_ratio");
        return -1;
    }
    *buf = s->buf;
    return n;
}

/* The name a single compressed file gets inside its bundle: its own base
 * name without the compression suffix ("a.txt.gz" gives "a.txt"). */
static char *stripped_name(const char *path)
{
    static const char *const suffixes[] = {".gz", ".tgz", ".bz2", ".xz", ".zst", ".zstd", ".lz4",
                                           ".lz", ".lzma", ".Z", ".z"};
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && strcmp(base + n - k, suffixes[i]) == 0)
            return dp_strndup(base, n - k);
    }
    return dp_strdup("data");
}

/* A reader for every archive format and compression libarchive has built
 * in, named one by one instead of with the _all() calls: those also enable
 * mtree, whose entries name files on this machine that libarchive would
 * then read (a text file starting "#mtree" could pull in any local file),
 * and filters that run external programs. Raw comes last, so anything
 * else is one plain (possibly compressed) file. */
static struct archive *new_archive(void)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_lzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_lz4(a);
    archive_read_support_filter_compress(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_ar(a);
    archive_read_support_format_cab(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_empty(a);
    archive_read_support_format_iso9660(a);
    archive_read_support_format_lha(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_xar(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_raw(a);
    return a;
}

/* Opens the entry being read from ar (whose first bytes are peek) as an
 * archive and reads its entries under path. */
static dp_status read_nested(arch_t *ar, const char *path, const unsigned char *peek,
                             size_t peek_len, int64_t packed_start)
{
    reader_t *r = ar->r;
    nested_src_t src = {ar, peek, peek_len, 0, NULL, 0, packed_start, 0, false};
    dp__stream_t gz;
    bool gz_live = false;
    dp_status rc = DP_OK;
    src.buf = dp_malloc(CHUNK);
    struct archive *a = new_archive();
    if (!src.buf || !a) {
        rc = DP_ENOMEM;
        goto done;
    }
    int kind = dp__stream_kind(peek, peek_len);
    bool use_gz = kind >= 0;
    if (use_gz) {
        rc = dp__stream_init(&gz, kind, nested_read, &src);
        if (rc != DP_OK)
            goto done;
        gz_live = true;
    }
    if ((use_gz ? archive_read_open(a, &gz, NULL, dp__stream_read, NULL)
                : archive_read_open(a, &src, NULL, nested_read, NULL)) != ARCHIVE_OK) {
        rc = fail_entry(r, path, 0, "cannot open nested archive: %s",
                        archive_error_string(a) ? archive_error_string(a) : "unknown error");
        goto after;
    }
    arch_t inner = {.r = r,
                    .a = a,
                    .outer = ar,
                    .root = ar->root,
                    .level = ar->level + 1,
                    .prefix = path,
                    .gz = use_gz ? &gz : NULL};
    rc = read_archive(&inner);
    drop_pending(&inner);
after:
    /* When only the nested archive broke (or its entry exceeded max_ratio),
     * the outer one goes on. */
    if (rc == STOP_BUNDLE && !r->abandon && src.outer_error == 0)
        rc = DP_OK;
    if (rc == DP_OK) {
        if (src.outer_error == ARCHIVE_FATAL)
            rc = data_error(ar, path, 0, ARCHIVE_FATAL);
        else if (src.outer_error == 0)
            rc = skip_rest(ar);
    }
done:
    if (a)
        archive_read_free(a);
    if (gz_live)
        dp__stream_fini(&gz);
    dp_free(src.buf);
    return rc;
}

/* Reads a nested archive held in memory (data, len: the whole entry), for
 * formats that must seek. */
static dp_status read_nested_memory(arch_t *ar, const char *path, const unsigned char *data,
                                    size_t len)
{
    reader_t *r = ar->r;
    dp_status rc;
    struct archive *a = new_archive();
    if (!a)
        return DP_ENOMEM;
    /* Small reads keep the packed-byte deltas of the ratio check honest. */
    if (archive_read_open_memory2(a, data, len, CHUNK) != ARCHIVE_OK) {
        rc = fail_entry(r, path, 0, "cannot open nested archive: %s",
                        archive_error_string(a) ? archive_error_string(a) : "unknown error");
    } else {
        arch_t inner = {
            .r = r, .a = a, .outer = ar, .root = ar->root, .level = ar->level + 1, .prefix = path};
        rc = read_archive(&inner);
        drop_pending(&inner);
    }
    archive_read_free(a);
    return rc == STOP_BUNDLE && !r->abandon ? DP_OK : rc;
}

/* ---- entries ------------------------------------------------------------ */

/* A failed read of entry data. A fatal status may mean that the archive is
 * broken from here on (a truncated tar.gz) or only this entry (zip
 * decompresses entries one by one): the next header tells, so the failure
 * is kept pending until then. Anything else fails only this entry. */
static dp_status data_error(arch_t *ar, const char *id_path, int64_t mtime, la_ssize_t n)
{
    reader_t *r = ar->r;
    const char *err = archive_error_string(ar->a);
    dp_status rc;
    if (n == ARCHIVE_FATAL) {
        /* When the compressed stream broke, say so rather than what the
         * format reader made of the missing bytes. */
        if (ar->gz && ar->gz->error)
            err = ar->gz->message;
        dp_free(ar->pending_path);
        dp_free(ar->pending_msg);
        ar->pending_path = dp_strdup(id_path ? id_path : "");
        ar->pending_msg = dp_strdup(err ? err : "read error");
        ar->pending_mtime = mtime;
        return ar->pending_path && ar->pending_msg ? DP_OK : DP_ENOMEM;
    }
    rc = fail_entry(r, id_path, mtime, "cannot read entry: %s", err ? err : "read error");
    return rc != DP_OK ? rc : skip_rest(ar);
}

/* Settles a pending entry failure once the next header has been read:
 * broken is true when the archive could not go on. */
static dp_status settle_pending(arch_t *ar, bool broken)
{
    dp_status rc = DP_OK;
    if (!ar->pending_path)
        return DP_OK;
    if (broken)
        rc = fail_entry(ar->r, ar->prefix[0] ? ar->prefix : NULL, 0,
                        "archive breaks off at entry '%s': %s", ar->pending_path,
                        ar->pending_msg);
    else
        rc = fail_entry(ar->r, ar->pending_path[0] ? ar->pending_path : NULL,
                        ar->pending_mtime, "cannot read entry: %s", ar->pending_msg);
    dp_free(ar->pending_path);
    dp_free(ar->pending_msg);
    ar->pending_path = ar->pending_msg = NULL;
    if (rc == DP_OK && broken)
        rc = STOP_BUNDLE;
    return rc;
}

/* One read of the entry's data into dst (at most want bytes): *got bytes,
 * 0 at its end. A read error, or a single compressed file whose stream
 * breaks off, reports the entry failed: *failed is set and the status is
 * data_error's. */
static dp_status read_data(arch_t *ar, unsigned char *dst, size_t want, const char *id_path,
                           int64_t mtime, size_t *got, bool *failed)
{
    *got = 0;
    *failed = false;
    la_ssize_t n = archive_read_data(ar->a, dst, want);
    if (n == 0 && ar->plain_name && gz_failed(ar))
        n = ARCHIVE_FATAL;
    if (n < 0) {
        *failed = true;
        return data_error(ar, id_path, mtime, n);
    }
    *got = (size_t)n;
    add_work(ar, *got);
    return DP_OK;
}

/* Reads the data of a regular entry (path: its path inside the bundle;
 * id_path: the same, or NULL for a single plain file named by the bundle)
 * into one document, or opens it when its first bytes are an archive's.
 * wanted is false when input.include leaves the entry out. */
static dp_status read_regular(arch_t *ar, const char *path, const char *id_path,
                              const char *entry, int64_t mtime, int64_t declared, bool wanted)
{
    reader_t *r = ar->r;
    const dp__input_limits_t *lim = &r->opt->limits;
    int64_t packed_start = packed_bytes(ar);
    size_t cap = declared >= 0 ? (size_t)declared + 1 : CHUNK;
    if (cap < PEEK_BYTES)
        cap = PEEK_BYTES;
    if (cap > MIB)
        cap = (size_t)MIB; /* a declared size may lie: grow as data comes */
    unsigned char *data = dp_malloc(cap);
    size_t len = 0;
    bool eof = false;
    dp_status rc = DP_OK;
    if (!data)
        return DP_ENOMEM;
    /* The first bytes tell an archive from a document. */
    while (len < PEEK_BYTES) {
        size_t got;
        bool failed;
        rc = read_data(ar, data + len, PEEK_BYTES - len, id_path, mtime, &got, &failed);
        if (failed) {
            dp_free(data);
            return rc;
        }
        if (got == 0) {
            eof = true;
            break;
        }
        len += got;
    }
    bool hold_archive = false; /* a nested archive read from memory */
    if (!ar->plain_name && has_archive_magic(data, len)) {
        if (ar->level + 1 > lim->max_depth) {
            dp_free(data);
            rc = fail_entry(r, id_path, mtime, "nested archive deeper than max_depth (%d)",
                            lim->max_depth);
            return rc != DP_OK || eof ? rc : skip_rest(ar);
        }
        if (!is_7z(data, len)) {
            rc = read_nested(ar, path, data, len, packed_start);
            dp_free(data);
            return rc;
        }
        hold_archive = true;
        wanted = true;
        declared = -1;
    }
    if (!wanted) {
        dp_free(data);
        rc = emit_filtered(r, path, mtime);
        return rc != DP_OK || eof ? rc : skip_rest(ar);
    }
    if (declared >= 0 && (uint64_t)declared > lim->max_entry_bytes) {
        dp_free(data);
        rc = fail_entry(r, id_path, mtime, "entry exceeds max_entry_bytes (%llu)",
                        (unsigned long long)lim->max_entry_bytes);
        return rc != DP_OK || eof ? rc : skip_rest(ar);
    }
    while (!eof) {
        if (len == cap) {
            size_t ncap = cap * 2;
            if (ncap > lim->max_entry_bytes + 1 && lim->max_entry_bytes + 1 > cap)
                ncap = (size_t)lim->max_entry_bytes + 1;
            unsigned char *nd = dp_realloc(data, ncap);
            if (!nd) {
                dp_free(data);
                return DP_ENOMEM;
            }
            data = nd;
            cap = ncap;
        }
        size_t want = cap - len;
        if (want > CHUNK)
            want = CHUNK;
        size_t got;
        bool failed;
        rc = read_data(ar, data + len, want, id_path, mtime, &got, &failed);
        if (failed) {
            dp_free(data);
            return rc;
        }
        if (got == 0)
            break;
        len += got;
        if (len > lim->max_entry_bytes) {
            dp_free(data);
            rc = fail_entry(r, id_path, mtime, "entry exceeds max_entry_bytes (%llu)",
                            (unsigned long long)lim->max_entry_bytes);
            return rc != DP_OK ? rc : skip_rest(ar);
        }
        int64_t packed = packed_bytes(ar) - packed_start;
        if (len > MIB && (double)len > lim->max_ratio * (double)(packed > 0 ? packed : 1)) {
            dp_free(data);
            rc = fail_entry(r, id_path, mtime,
                            "entry exceeds max_ratio (%g): %zu bytes unpacked from %lld",
                            lim->max_ratio, len, (long long)(packed > 0 ? packed : 0));
            return rc != DP_OK ? rc : skip_rest(ar);
        }
        if (r->total + len > lim->max_total_bytes) {
            dp_free(data);
            r->abandon = true;
            rc = fail_entry(r, id_path, mtime,
                            "bundle exceeds max_total_bytes (%llu): reading stopped",
                            (unsigned long long)lim->max_total_bytes);
            return rc != DP_OK ? rc : STOP_BUNDLE;
        }
        if (bomb_tripped(ar)) {
            dp_free(data);
            return bomb_stop(ar);
        }
    }
    /* The same checks for an entry that ended within the first bytes. */
    if (len > lim->max_entry_bytes) {
        dp_free(data);
        return fail_entry(r, id_path, mtime, "entry exceeds max_entry_bytes (%llu)",
                          (unsigned long long)lim->max_entry_bytes);
    }
    if (r->total + len > lim->max_total_bytes) {
        dp_free(data);
        r->abandon = true;
        rc = fail_entry(r, id_path, mtime, "bundle exceeds max_total_bytes (%llu): reading stopped",
                        (unsigned long long)lim->max_total_bytes);
        return rc != DP_OK ? rc : STOP_BUNDLE;
    }
    if (hold_archive) {
        rc = read_nested_memory(ar, path, data, len);
        dp_free(data);
        return rc;
    }
    r->total += len;
    return emit_raw(r, id_path, entry, mtime, data, len);
}

/* Judges one archive entry by its type and name, then reads it. */
static dp_status read_entry(arch_t *ar, struct archive_entry *e)
{
    reader_t *r = ar->r;
    const char *raw = archive_entry_pathname(e);
    if (!raw)
        raw = archive_entry_pathname_utf8(e);
    char *name = repair_name(raw ? raw : "", raw ? strlen(raw) : 0, ar->zip);
    char *norm = NULL, *path = NULL, *shown = NULL;
    dp_status rc = DP_OK;
    if (!name)
        return DP_ENOMEM;
    int64_t mtime = archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : 0;
    unsigned type = archive_entry_filetype(e);
    name_verdict_t v = normalise_name(name, &norm);
    if (v == NAME_EMPTY && !norm) {
        rc = DP_ENOMEM;
        goto done;
    }
    if (type == AE_IFDIR)
        goto done; /* directories are not documents */
    /* The id of an entry with an unsafe name shows the name as given. */
    shown = join_path(ar->prefix, v == NAME_OK ? norm : name);
    if (!shown) {
        rc = DP_ENOMEM;
        goto done;
    }
    if (v == NAME_ABSOLUTE) {
        rc = fail_entry(r, shown, mtime, "unsafe entry name (absolute path)");
        goto skip;
    }
    if (v == NAME_DOTDOT) {
        rc = fail_entry(r, shown, mtime, "unsafe entry name ('..' component)");
        goto skip;
    }
    if (v == NAME_EMPTY) {
        rc = fail_entry(r, shown, mtime, "entry has no name");
        goto skip;
    }
    path = shown;
    shown = NULL;
    if (archive_entry_hardlink(e)) {
        rc = fail_entry(r, path, mtime, "hard link entry (to '%s') not followed",
                        archive_entry_hardlink(e));
        goto skip;
    }
    switch (type) {
    case AE_IFREG:
        break;
    case AE_IFLNK:
        rc = fail_entry(r, path, mtime, "symbolic link entry (to '%s') not followed",
                        archive_entry_symlink(e) ? archive_entry_symlink(e) : "?");
        goto skip;
    case AE_IFCHR:
    case AE_IFBLK:
        rc = fail_entry(r, path, mtime, "device entry not read");
        goto skip;
    case AE_IFIFO:
        rc = fail_entry(r, path, mtime, "FIFO entry not read");
        goto skip;
    case AE_IFSOCK:
        rc = fail_entry(r, path, mtime, "socket entry not read");
        goto skip;
    default:
        rc = fail_entry(r, path, mtime, "entry of unknown type (0%o) not read", type);
        goto skip;
    }
    if (archive_entry_is_encrypted(e)) {
        rc = fail_entry(r, path, mtime, "encrypted entry cannot be read");
        goto skip;
    }
    /* Archives inside are opened whatever include says (their entries are
     * the documents include is about), so read_regular peeks first. */
    int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
    rc = read_regular(ar, path, path, path, mtime, declared, include_matches(r, path));
    goto done;
skip:
    if (rc == DP_OK)
        rc = skip_rest(ar);
done:
    dp_free(name);
    dp_free(norm);
    dp_free(path);
    dp_free(shown);
    return rc;
}

/* Reads every entry of an archive. Returns DP_OK, STOP_BUNDLE (after the
 * failed document that explains it), DP_EINTR or DP_ENOMEM. */
static dp_status read_archive(arch_t *ar)
{
    reader_t *r = ar->r;
    int retries = 0;
    bool first = true;
    for (;;) {
        struct archive_entry *e = NULL;
        int h = archive_read_next_header(ar->a, &e);
        if (h == ARCHIVE_RETRY && ++retries < 100)
            continue;
        bool broken = h == ARCHIVE_FATAL || h == ARCHIVE_RETRY || (h != ARCHIVE_EOF && !e) ||
                      (h == ARCHIVE_EOF && gz_failed(ar));
        if (ar->pending_path) {
            dp_status rc = settle_pending(ar, broken);
            if (rc != DP_OK)
                return rc;
        }
        if (broken)
            return archive_broken(ar, first ? "cannot read archive" : "archive breaks off", h);
        if (h == ARCHIVE_EOF)
            return DP_OK;
        retries = 0;
        if (first) {
            first = false;
            ar->zip = (archive_format(ar->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;
            int base = archive_format(ar->a) & ARCHIVE_FORMAT_BASE_MASK;
            if (ar->cheap_skip)
                ar->cheap_skip = !is_compressed(ar) &&
                                 (base == ARCHIVE_FORMAT_TAR || base == ARCHIVE_FORMAT_CPIO ||
                                  base == ARCHIVE_FORMAT_AR || base == ARCHIVE_FORMAT_RAW);
            if (base == ARCHIVE_FORMAT_RAW) {
                /* Not an archive: a plain file (its own document) or one
                 * compressed file (a document inside the bundle). */
                int64_t mtime =
                    archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : 0;
                if (!is_compressed(ar)) {
                    if (ar->level > 0)
                        return fail_entry(r, ar->prefix, 0,
                                          "looks like an archive but cannot be read as one");
                    ar->plain_name = r->bundle;
                    /* A plain file's size is known before reading it. */
                    int64_t size = ar->file_size > 0 ? ar->file_size : -1;
                    dp_status rc = read_regular(ar, r->bundle, NULL, r->bundle, mtime, size,
                                                include_matches(r, r->bundle));
                    return rc == DP_OK ? settle_pending(ar, true) : rc;
                }
                char *inner = stripped_name(ar->prefix[0] ? ar->prefix : r->bundle);
                char *path = inner ? join_path(ar->prefix, inner) : NULL;
                dp_free(inner);
                if (!path)
                    return DP_ENOMEM;
                ar->plain_name = path;
                dp_status rc =
                    read_regular(ar, path, path, path, mtime, -1, include_matches(r, path));
                dp_free(path);
                return rc == DP_OK ? settle_pending(ar, true) : rc;
            }
        }
        dp_status rc = read_entry(ar, e);
        if (rc != DP_OK)
            return rc;
        if (bomb_tripped(ar))
            return bomb_stop(ar);
    }
}

static dp_status emit_empty(reader_t *r, int64_t mtime);

/* A pipe's bytes for libarchive: the peeked start, then the rest. */
typedef struct pipe_src {
    int fd;
    unsigned char *peek;
    size_t peek_len;
    bool peek_done;
    unsigned char *buf;
} pipe_src_t;

static la_ssize_t pipe_read(struct archive *a, void *data, const void **buf)
{
    pipe_src_t *s = data;
    if (!s->peek_done) {
        s->peek_done = true;
        if (s->peek_len) {
            *buf = s->peek;
            return (la_ssize_t)s->peek_len;
        }
    }
    for (;;) {
        ssize_t n = read(s->fd, s->buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            archive_set_error(a, errno, "read error: %s", strerror(errno));
            return -1;
        }
        *buf = s->buf;
        return (la_ssize_t)n;
    }
}

/* Reads up to cap bytes from fd into buf; returns the count or -1. */
static ssize_t read_full(int fd, unsigned char *buf, size_t cap)
{
    size_t len = 0;
    while (len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    return (ssize_t)len;
}

/* Opens a pipe (standard input) for libarchive. Plain data and most
 * archives stream; 7z, which must seek, is read into memory first, up to
 * max_entry_bytes. On success *mem holds that copy (caller frees). */
static dp_status open_pipe(reader_t *r, struct archive *a, pipe_src_t *src,
                           unsigned char **mem, const char *prefix, bool *opened, dp__stream_t *gz,
                           bool *use_gz)
{
    *opened = false;
    *mem = NULL;
    *use_gz = false;
    ssize_t n = read_full(src->fd, src->peek, PEEK_BYTES);
    if (n < 0)
        return fail_entry(r, prefix[0] ? prefix : NULL, 0, "cannot read: %s", strerror(errno));
    src->peek_len = (size_t)n;
    if (n == 0 && prefix[0] == 0)
        return emit_empty(r, 0); /* like an empty file: one empty document */
    if (is_7z(src->peek, src->peek_len)) {
        uint64_t limit = r->opt->limits.max_entry_bytes;
        size_t cap = (size_t)MIB, len = src->peek_len;
        unsigned char *buf = dp_malloc(cap);
        if (!buf)
            return DP_ENOMEM;
        memcpy(buf, src->peek, len);
        for (;;) {
            if (len == cap) {
                if (cap > limit) {
                    dp_free(buf);
                    return fail_entry(r, prefix[0] ? prefix : NULL, 0,
                                      "7z archive from a pipe exceeds max_entry_bytes (%llu): "
                                      "7z must be held in memory to be read from a pipe",
                                      (unsigned long long)limit);
                }
                unsigned char *nb = dp_realloc(buf, cap * 2);
                if (!nb) {
                    dp_free(buf);
                    return DP_ENOMEM;
                }
                buf = nb;
                cap *= 2;
            }
            ssize_t k = read_full(src->fd, buf + len, cap - len);
            if (k < 0) {
                dp_free(buf);
                return fail_entry(r, prefix[0] ? prefix : NULL, 0, "cannot read: %s",
                                  strerror(errno));
            }
            len += (size_t)k;
            if (len < cap)
                break;
        }
        *mem = buf;
        if (archive_read_open_memory2(a, buf, len, CHUNK) != ARCHIVE_OK)
            return DP_OK;
        *opened = true;
        return DP_OK;
    }
    int kind = dp__stream_kind(src->peek, src->peek_len);
    if (kind >= 0) {
        dp_status rc = dp__stream_init(gz, kind, pipe_read, src);
        if (rc != DP_OK)
            return rc;
        *use_gz = true;
        if (archive_read_open(a, gz, NULL, dp__stream_read, NULL) == ARCHIVE_OK)
            *opened = true;
        return DP_OK;
    }
    if (archive_read_open(a, src, NULL, pipe_read, NULL) == ARCHIVE_OK)
        *opened = true;
    return DP_OK;
}

/* Reads an archive (or plain file) from an open descriptor; takes fd. */
static dp_status read_fd(reader_t *r, int fd, const char *prefix, int level, bool seekable)
{
    struct archive *a = new_archive();
    pipe_src_t src = {fd, NULL, 0, false, NULL};
    unsigned char *mem = NULL;
    dp_status rc;
    if (!a) {
        close(fd);
        return DP_ENOMEM;
    }
    bool opened = false, use_gz = false;
    dp__stream_t gz;
    memset(&gz, 0, sizeof gz);
    /* A compressed file is read like a pipe, through our decoder (see
     * input_stream.c). */
    unsigned char magic[8];
    ssize_t mn = seekable ? pread(fd, magic, sizeof magic, 0) : -1;
    if (mn > 0 && dp__stream_kind(magic, (size_t)mn) >= 0)
        seekable = false;
    if (seekable) {
        opened = archive_read_open_fd(a, fd, CHUNK) == ARCHIVE_OK;
    } else {
        src.peek = dp_malloc(PEEK_BYTES);
        src.buf = dp_malloc(CHUNK);
        rc = src.peek && src.buf
                 ? open_pipe(r, a, &src, &mem, prefix, &opened, &gz, &use_gz)
                 : DP_ENOMEM;
        if (rc != DP_OK)
            goto done;
        if (!opened && !archive_error_string(a))
            goto done; /* open_pipe has emitted the failure */
    }
    if (!opened) {
        const char *err = archive_error_string(a);
        rc = fail_entry(r, prefix[0] ? prefix : NULL, 0, "cannot read: %s",
                        err ? err : "unknown error");
        goto done;
    }
    arch_t ar = {.r = r, .a = a, .level = level, .prefix = prefix, .cheap_skip = seekable};
    ar.root = &ar;
    if (use_gz)
        ar.gz = &gz;
    struct stat st;
    if (seekable && fstat(fd, &st) == 0)
        ar.file_size = (int64_t)st.st_size;
    rc = read_archive(&ar);
    drop_pending(&ar);
done:
    archive_read_free(a);
    dp__stream_fini(&gz);
    dp_free(mem);
    dp_free(src.peek);
    dp_free(src.buf);
    close(fd);
    return rc;
}

/* ---- folders ------------------------------------------------------------ */

typedef struct dir_level {
    char **names; /* sorted bytewise */
    size_t count, next;
    dev_t dev;
    ino_t ino;
    size_t path_len; /* length of the entry path prefix for this folder */
} dir_level_t;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void level_free(dir_level_t *l)
{
    for (size_t i = 0; i < l->count; i++)
        dp_free(l->names[i]);
    dp_free(l->names);
    l->names = NULL;
    l->count = l->next = 0;
}

/* Lists a folder (fd stays open; the listing gets its own descriptor). */
static dp_status list_dir(int fd, dir_level_t *l)
{
    int dfd = dup(fd);
    if (dfd < 0)
        return DP_EIO;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return DP_EIO;
    }
    size_t cap = 0;
    struct dirent *de;
    dp_status rc = DP_OK;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (l->count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = dp_realloc(l->names, ncap * sizeof *nn);
            if (!nn) {
                rc = DP_ENOMEM;
                break;
            }
            l->names = nn;
            cap = ncap;
        }
        l->names[l->count] = dp_strdup(de->d_name);
        if (!l->names[l->count]) {
            rc = DP_ENOMEM;
            break;
        }
        l->count++;
    }
    closedir(d);
    if (rc == DP_OK && l->count)
        qsort(l->names, l->count, sizeof *l->names, cmp_names);
    return rc;
}

/* Reads one regular file of a folder bundle: an archive is opened, anything
 * else is a document. Takes fd. */
static dp_status read_folder_file(reader_t *r, int fd, const char *path, const struct stat *st)
{
    const dp__input_limits_t *lim = &r->opt->limits;
    int64_t mtime = (int64_t)st->st_mtime;
    unsigned char peek[PEEK_BYTES];
    ssize_t pn = pread(fd, peek, sizeof peek, 0);
    if (pn < 0) {
        close(fd);
        return fail_entry(r, path, mtime, "cannot read: %s", strerror(errno));
    }
    if (has_archive_magic(peek, (size_t)pn)) {
        if (lim->max_depth < 1) {
            close(fd);
            return fail_entry(r, path, mtime, "nested archive deeper than max_depth (%d)",
                              lim->max_depth);
        }
        dp_status rc = read_fd(r, fd, path, 1, true);
        return rc == STOP_BUNDLE && !r->abandon ? DP_OK : rc;
    }
    if (!include_matches(r, path)) {
        close(fd);
        return emit_filtered(r, path, mtime);
    }
    if ((uint64_t)st->st_size > lim->max_entry_bytes) {
        close(fd);
        return fail_entry(r, path, mtime, "entry exceeds max_entry_bytes (%llu)",
                          (unsigned long long)lim->max_entry_bytes);
    }
    size_t cap = (size_t)st->st_size + 1, len = 0;
    unsigned char *data = dp_malloc(cap);
    if (!data) {
        close(fd);
        return DP_ENOMEM;
    }
    for (;;) {
        if (len == cap) {
            /* The file grew while we read it. */
            if (len > lim->max_entry_bytes) {
                dp_free(data);
                close(fd);
                return fail_entry(r, path, mtime, "entry exceeds max_entry_bytes (%llu)",
                                  (unsigned long long)lim->max_entry_bytes);
            }
            unsigned char *nd = dp_realloc(data, cap * 2);
            if (!nd) {
                dp_free(data);
                close(fd);
                return DP_ENOMEM;
            }
            data = nd;
            cap *= 2;
        }
        ssize_t n = read(fd, data + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            dp_free(data);
            close(fd);
            return fail_entry(r, path, mtime, "cannot read: %s", strerror(err));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (len > lim->max_entry_bytes) {
        dp_free(data);
        return fail_entry(r, path, mtime, "entry exceeds max_entry_bytes (%llu)",
                          (unsigned long long)lim->max_entry_bytes);
    }
    if (r->total + len > lim->max_total_bytes) {
        dp_free(data);
        dp_status rc = fail_entry(r, path, mtime,
                                  "bundle exceeds max_total_bytes (%llu): reading stopped",
                                  (unsigned long long)lim->max_total_bytes);
        return rc != DP_OK ? rc : STOP_BUNDLE;
    }
    r->total += len;
    return emit_raw(r, path, path, mtime, data, len);
}

/* Walks a folder depth first in bytewise order, holding one descriptor: a
 * subfolder is entered with openat and left through its "..", checked
 * against the device and inode recorded on the way down. */
static dp_status read_folder(reader_t *r, int fd)
{
    dir_level_t *stack = NULL;
    size_t depth = 0, cap = 0;
    dp_buf_t path = DP_BUF_INIT;
    dp_status rc = DP_OK;
    struct stat st;
    if (fstat(fd, &st) != 0 || dp_buf_reserve(&path, 256) != DP_OK) {
        rc = fstat(fd, &st) != 0 ? fail_entry(r, NULL, 0, "cannot read folder") : DP_ENOMEM;
        goto done;
    }
    path.data[0] = 0;
    cap = 16;
    stack = dp_calloc(cap, sizeof *stack);
    if (!stack) {
        rc = DP_ENOMEM;
        goto done;
    }
    stack[0].dev = st.st_dev;
    stack[0].ino = st.st_ino;
    rc = list_dir(fd, &stack[0]);
    if (rc == DP_EIO)
        rc = fail_entry(r, NULL, 0, "cannot list folder: %s", strerror(errno));
    if (rc != DP_OK)
        goto done;
    depth = 1;
    while (depth > 0 && rc == DP_OK) {
        dir_level_t *l = &stack[depth - 1];
        if (l->next == l->count) {
            /* Done with this folder: back to its parent. */
            level_free(l);
            depth--;
            if (depth == 0)
                break;
            int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            struct stat ust;
            if (up < 0 || fstat(up, &ust) != 0 || ust.st_dev != stack[depth - 1].dev ||
                ust.st_ino != stack[depth - 1].ino) {
                if (up >= 0)
                    close(up);
                rc = fail_entry(r, NULL, 0, "folder changed while it was read: reading stopped");
                if (rc == DP_OK)
                    rc = STOP_BUNDLE;
                break;
            }
            close(fd);
            fd = up;
            path.len = stack[depth - 1].path_len;
            path.data[path.len] = 0;
            continue;
        }
        const char *raw = l->names[l->next++];
        size_t base_len = l->path_len;
        path.len = base_len;
        char *shown = repair_name(raw, strlen(raw), false);
        if (!shown || (base_len && dp_buf_putc(&path, '/') != DP_OK) ||
            dp_buf_puts(&path, shown) != DP_OK) {
            dp_free(shown);
            rc = DP_ENOMEM;
            break;
        }
        dp_free(shown);
        if (fstatat(fd, raw, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = fail_entry(r, path.data, 0, "cannot read: %s", strerror(errno));
            continue;
        }
        int64_t mtime = (int64_t)st.st_mtime;
        if (S_ISLNK(st.st_mode)) {
            rc = fail_entry(r, path.data, mtime, "symbolic link not followed");
        } else if (S_ISDIR(st.st_mode)) {
            for (size_t i = 0; i < depth; i++) {
                if (stack[i].dev == st.st_dev && stack[i].ino == st.st_ino) {
                    rc = fail_entry(r, path.data, mtime, "folder loop not followed");
                    goto next;
                }
            }
            int sub = openat(fd, raw, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                rc = fail_entry(r, path.data, mtime, "cannot open folder: %s", strerror(errno));
                continue;
            }
            if (depth == cap) {
                dir_level_t *ns = dp_realloc(stack, cap * 2 * sizeof *ns);
                if (!ns) {
                    close(sub);
                    rc = DP_ENOMEM;
                    break;
                }
                memset(ns + cap, 0, cap * sizeof *ns);
                stack = ns;
                cap *= 2;
            }
            dir_level_t *child = &stack[depth];
            memset(child, 0, sizeof *child);
            struct stat sst;
            if (fstat(sub, &sst) != 0 || sst.st_dev != st.st_dev || sst.st_ino != st.st_ino) {
                close(sub);
                rc = fail_entry(r, path.data, mtime, "folder changed while it was read");
                continue;
            }
            child->dev = sst.st_dev;
            child->ino = sst.st_ino;
            child->path_len = path.len;
            rc = list_dir(sub, child);
            if (rc == DP_EIO) {
                close(sub);
                level_free(child);
                rc = fail_entry(r, path.data, mtime, "cannot list folder: %s", strerror(errno));
                continue;
            }
            if (rc != DP_OK) {
                close(sub);
                level_free(child);
                break;
            }
            close(fd);
            fd = sub;
            depth++;
        } else if (S_ISREG(st.st_mode)) {
            int ffd = openat(fd, raw, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
            struct stat fst;
            if (ffd < 0) {
                rc = fail_entry(r, path.data, mtime, "cannot open: %s", strerror(errno));
                continue;
            }
            if (fstat(ffd, &fst) != 0 || !S_ISREG(fst.st_mode) || fst.st_ino != st.st_ino) {
                close(ffd);
                rc = fail_entry(r, path.data, mtime, "file changed while it was read");
                continue;
            }
            rc = read_folder_file(r, ffd, path.data, &fst);
        } else if (S_ISFIFO(st.st_mode)) {
            rc = fail_entry(r, path.data, mtime, "FIFO not read");
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            rc = fail_entry(r, path.data, mtime, "device not read");
        } else {
            rc = fail_entry(r, path.data, mtime, "special file not read");
        }
    next:;
    }
done:
    /* Levels past depth are empty or were freed: freeing them is a no-op. */
    if (stack)
        for (size_t i = 0; i < cap; i++)
            level_free(&stack[i]);
    dp_free(stack);
    dp_buf_free(&path);
    close(fd);
    return rc;
}

/* ---- the entry point ---------------------------------------------------- */

/* A single empty file: one empty document (or a filtered one). */
static dp_status emit_empty(reader_t *r, int64_t mtime)
{
    if (!include_matches(r, r->bundle)) {
        dp_doc_t *doc = dp__input_new_doc(json_string(r->bundle), r->bundle, r->bundle, mtime);
        if (!doc)
            return DP_ENOMEM;
        dp__doc_filter(doc);
        return dp__input_emit(r->sink, doc);
    }
    unsigned char *data = dp_malloc(1);
    if (!data)
        return DP_ENOMEM;
    return emit_raw(r, NULL, r->bundle, mtime, data, 0);
}

dp_status dp__input_read(const dp__input_options_t *options, const char *path,
                         const dp__input_sink_t *sink)
{
    if (options->format == DP__INPUT_JSONL)
        return dp__input_read_jsonl(options, path, sink);

    reader_t r = {options, sink, NULL, 0, NULL, false};
    dp_status rc = DP_OK;
    /* libarchive converts entry names to the calling thread's locale; a
     * UTF-8 locale for this thread alone keeps UTF-8 names (zip's UTF-8
     * flag, pax headers, 7z) intact without touching the process locale. */
    locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    locale_t old = loc ? uselocale(loc) : (locale_t)0;
    r.bundle = dp__input_bundle_name(path);
    r.scratch = dp_malloc(CHUNK);
    if (!r.bundle || !r.scratch) {
        rc = DP_ENOMEM;
        goto done;
    }
    if (strcmp(path, "-") == 0) {
        int fd = dup(0);
        if (fd < 0)
            rc = fail_entry(&r, NULL, 0, "cannot read standard input: %s", strerror(errno));
        else {
            struct stat st;
            bool seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
            if (seekable && st.st_size == 0) {
                close(fd);
                rc = emit_empty(&r, 0);
            } else {
                rc = read_fd(&r, fd, "", 0, seekable);
            }
        }
    } else {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            rc = fail_entry(&r, NULL, 0, "cannot open %s: %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
        } else if (S_ISDIR(st.st_mode)) {
            rc = read_folder(&r, fd);
        } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
            /* An empty file is an empty document (libarchive would see no
             * entries in it). */
            close(fd);
            rc = emit_empty(&r, (int64_t)st.st_mtime);
        } else {
            rc = read_fd(&r, fd, "", 0, S_ISREG(st.st_mode));
        }
    }
    if (rc == STOP_BUNDLE)
        rc = DP_OK;
    if (rc == DP_OK && sink->bundle_end && sink->bundle_end(sink->ctx, r.bundle))
        rc = DP_EINTR;
done:
    dp_free(r.scratch);
    dp_free(r.bundle);
    if (loc) {
        uselocale(old);
        freelocale(loc);
    }
    return rc;
}
