/* Boilerplate removal of the normalise stage: paragraphs that a pattern of
 * the pattern files (configs/normalise/boilerplate.txt and the user's) matches
 * from start to end are dropped (navigation crumbs, share/print/cookie lines,
 * image credits), and so is a short line that repeats an earlier line of the
 * same document (a caption printed twice). Also the helper that drops given
 * whole lines (the title echo and date line found by meta.c). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "docpipe/hash.h"
#include "nz.h"

/* Longest line the patterns are tried on (bytes). */
#define NZ_BOILER_MAX_LINE 300

struct nz_boiler {
    pcre2_code **codes;
    size_t n, cap;
};

void nz_report(json_t *removed, const char *why, const char *s, size_t len)
{
    if (!removed)
        return;
    json_t *o = json_object();
    if (!o)
        return;
    json_object_set_new(o, "why", json_string(why));
    json_object_set_new(o, "text", json_stringn(s, len));
    json_array_append_new(removed, o);
}

static dp_status add_code(nz_boiler_t *b, pcre2_code *code)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        pcre2_code **p = dp_realloc(b->codes, cap * sizeof *p);
        if (!p)
            return DP_ENOMEM;
        b->codes = p;
        b->cap = cap;
    }
    b->codes[b->n++] = code;
    return DP_OK;
}

static const uint32_t nz_boiler_flags =
    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_ANCHORED | PCRE2_ENDANCHORED;

dp_status nz_boiler_load(const char *const *paths, size_t n, nz_boiler_t **out, char *err,
                         size_t errcap)
{
    dp_status rc = DP_ENOMEM;
    FILE *f = NULL;
    dp_buf_t all = DP_BUF_INIT; /* every pattern as one alternation */
    nz_boiler_t *b = dp_calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errcap, "out of memory");
        return DP_ENOMEM;
    }
    for (size_t p = 0; p < n; p++) {
        f = fopen(paths[p], "r");
        if (!f) {
            snprintf(err, errcap, "%s: cannot open pattern file", paths[p]);
            rc = DP_EIO;
            goto fail;
        }
        char line[2048];
        unsigned lineno = 0;
        while (fgets(line, sizeof line, f)) {
            lineno++;
            size_t len = strcspn(line, "\r\n");
            line[len] = '\0';
            size_t a = 0;
            while (line[a] == ' ' || line[a] == '\t')
                a++;
            if (line[a] == '\0' || line[a] == '#')
                continue;
            /* Each pattern on its own first, so an error names its line. */
            int code_err;
            PCRE2_SIZE off;
            pcre2_code *code = pcre2_compile((PCRE2_SPTR)(line + a), len - a, nz_boiler_flags,
                                             &code_err, &off, NULL);
            if (!code) {
                PCRE2_UCHAR msg[256];
                pcre2_get_error_message(code_err, msg, sizeof msg);
                snprintf(err, errcap, "%s: line %u, column %zu: %s", paths[p], lineno,
                         (size_t)off + a + 1, (const char *)msg);
                rc = DP_EFORMAT;
                goto fail;
            }
            pcre2_code_free(code);
            if (dp_buf_puts(&all, all.len ? "|(?:" : "(?:") != DP_OK ||
                dp_buf_append(&all, line + a, len - a) != DP_OK || dp_buf_putc(&all, ')') != DP_OK) {
                snprintf(err, errcap, "out of memory");
                rc = DP_ENOMEM;
                goto fail;
            }
        }
        fclose(f);
        f = NULL;
    }
    if (all.len) {
        /* One anchored alternation: a line is tried once, and JIT-compiled
         * PCRE2 rejects most body lines at their first character. */
        int code_err;
        PCRE2_SIZE off;
        pcre2_code *code =
            pcre2_compile((PCRE2_SPTR)all.data, all.len, nz_boiler_flags, &code_err, &off, NULL);
        if (!code || add_code(b, code) != DP_OK) {
            pcre2_code_free(code);
            snprintf(err, errcap, "cannot combine the boilerplate patterns");
            rc = DP_EFORMAT;
            goto fail;
        }
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* best effort: falls back */
    }
    dp_buf_free(&all);
    *out = b;
    return DP_OK;
fail:
    if (f)
        fclose(f);
    dp_buf_free(&all);
    nz_boiler_free(b);
    return rc;
}

void nz_boiler_free(nz_boiler_t *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        pcre2_code_free(b->codes[i]);
    dp_free(b->codes);
    dp_free(b);
}

static bool boiler_match(const nz_boiler_t *b, const char *s, size_t n, pcre2_match_data *md)
{
    for (size_t i = 0; i < b->n; i++)
        if (pcre2_match(b->codes[i], (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0)
            return true;
    return false;
}

/* A line that may be dropped when it repeats: short, and not a sentence of
 * the body (those may repeat on purpose, as quotes do). */
static bool caption_like(const char *s, size_t n)
{
    if (n < 12 || n > 200)
        return false;
    size_t letters = 0;
    for (size_t i = 0; i < n; i++)
        letters += (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                   ((unsigned char)s[i] >= 0xC0);
    return letters * 2 >= n;
}

static dp_status put_line(dp_buf_t *out, const char *s, size_t n, const char *sep)
{
    if (dp_buf_puts(out, sep) != DP_OK)
        return DP_ENOMEM;
    return dp_buf_append(out, s, n);
}

dp_status nz_boiler_apply(const nz_boiler_t *b, bool dedupe, const char *s, size_t len,
                          dp_buf_t *out, nz_counts_t *c, json_t *removed)
{
    dp_status rc = DP_OK;
    pcre2_match_data *md = NULL;
    dp_map_t *seen = NULL;
    if (b && b->n && !(md = pcre2_match_data_create(4, NULL)))
        return DP_ENOMEM;
    size_t base = out->len;
    size_t i = 0;
    bool gap = false;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        const char *ln = s + i;
        size_t n = e - i;
        i = nl ? e + 1 : len;
        if (n == 0) {
            gap = true;
            continue;
        }
        /* Boilerplate lines are short; body paragraphs skip the patterns. */
        if (md && n <= NZ_BOILER_MAX_LINE && boiler_match(b, ln, n, md)) {
            c->boilerplate++;
            nz_report(removed, "boilerplate", ln, n);
            continue;
        }
        if (dedupe && caption_like(ln, n)) {
            /* made on the first caption-like line: most texts have none */
            if (!seen && !(seen = dp_map_new())) {
                rc = DP_ENOMEM;
                goto done;
            }
            if (dp_map_get(seen, ln, n)) {
                c->duplicates++;
                nz_report(removed, "duplicate", ln, n);
                continue;
            }
            if ((rc = dp_map_put(seen, ln, n, (void *)1)) != DP_OK)
                goto done;
        }
        const char *sep = out->len > base ? (gap ? "\n\n" : "\n") : "";
        if ((rc = dp_buf_puts(out, sep)) != DP_OK || (rc = dp_buf_append(out, ln, n)) != DP_OK)
            goto done;
        gap = false;
    }
done:
    dp_map_free(seen);
    pcre2_match_data_free(md);
    return rc;
}

dp_status nz_drop_ranges(const char *s, size_t len, const size_t *start, const size_t *end,
                         size_t n, dp_buf_t *out, json_t *removed, const char *why)
{
    size_t i = 0, k = 0;
    size_t base = out->len;
    bool gap = false;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        size_t a = i;
        i = nl ? e + 1 : len;
        while (k < n && end[k] <= a)
            k++;
        if (k < n && start[k] <= a && end[k] >= e) {
            if (e > a)
                nz_report(removed, why, s + a, e - a);
            continue;
        }
        if (e == a) {
            gap = true;
            continue;
        }
        if (put_line(out, s + a, e - a, out->len > base ? (gap ? "\n\n" : "\n") : "") != DP_OK)
            return DP_ENOMEM;
        gap = false;
    }
    return DP_OK;
}
