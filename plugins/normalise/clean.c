/* Unicode clean-up of the normalise stage: line ends to LF, space separators
 * to a plain space, zero-width characters, soft hyphens, stray BOMs and
 * control characters removed, and NFC through utf8proc. The text is mostly
 * ASCII, so ASCII runs are copied in one go and only the code points that NFC
 * can change (found with a quick-check table built once) are recomposed, a
 * few characters at a time, instead of mapping the whole text. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "docpipe/utf8.h"
#include "nz.h"

/* Bytes copied unchanged: printable ASCII, tab, newline, form feed. */
static unsigned char ascii_plain[256];
/* BMP code points whose NFC form differs from themselves (singletons,
 * exclusions): one bit each. */
static unsigned char nfc_unstable[0x10000 / 8];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    for (int b = 0x20; b < 0x7F; b++)
        ascii_plain[b] = 1;
    ascii_plain['\t'] = ascii_plain['\n'] = ascii_plain['\f'] = 1;
    for (int32_t cp = 0x80; cp < 0x10000; cp++) {
        const utf8proc_property_t *p = utf8proc_get_property(cp);
        if (p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0)
            continue;
        utf8proc_int32_t buf[8];
        /* Normalise the single code point and see whether it comes back. */
        utf8proc_ssize_t n =
            utf8proc_decompose_char(cp, buf, 8, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE, NULL);
        if (n <= 0 || n > 8)
            continue;
        n = utf8proc_normalize_utf32(buf, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (n != 1 || buf[0] != cp)
            nfc_unstable[cp >> 3] |= (unsigned char)(1u << (cp & 7));
    }
}

/* True when NFC may change cp or its neighbours: a combining mark, a second
 * element of a composition pair, a conjoining jamo, or an unstable code point. */
static bool nfc_sensitive(int32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    if (p->combining_class != 0)
        return true;
    if (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000)
        return true;
    if (cp >= 0x1100 && cp < 0x1200)
        return true;
    if (cp < 0x10000)
        return (nfc_unstable[cp >> 3] >> (cp & 7)) & 1u;
    return p->decomp_seqindex != UINT16_MAX;
}

static bool is_invisible(int32_t cp)
{
    /* Zero-width space, word joiner and invisible operators, BOM / ZWNBSP,
     * soft hyphen, Mongolian vowel separator. ZWJ and ZWNJ are kept: they
     * change how emoji and Persian or Indic words are written. */
    return cp == 0x200B || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF || cp == 0x00AD ||
           cp == 0x180E;
}

static const char *fold_punct(int32_t cp)
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
        return "'";
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x00AB: case 0x00BB:
        return "\"";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
        return "-";
    case 0x2026:
        return "...";
    default:
        return NULL;
    }
}

/* Recomposes the runs of out[from..) that hold an NFC-sensitive code point:
 * each run spans from the ASCII byte before it to the next ASCII byte. */
static dp_status nfc_pass(dp_buf_t *out, size_t from, nz_counts_t *c)
{
    dp_buf_t tmp = DP_BUF_INIT;
    const char *s = out->data;
    size_t len = out->len, i = from, copied = from;
    dp_status rc = DP_OK;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t run = i;
        bool sensitive = false;
        while (i < len && (unsigned char)s[i] >= 0x80) {
            int32_t cp = dp_utf8_next(s, len, &i);
            if (cp >= 0 && nfc_sensitive(cp))
                sensitive = true;
        }
        if (!sensitive)
            continue;
        /* A combining mark may belong to the ASCII letter before the run. */
        if (run > copied && run > 0 && (unsigned char)s[run - 1] > 0x20 && s[run - 1] != 0x7F)
            run--;
        if (!tmp.data && (rc = dp_buf_reserve(&tmp, len)) != DP_OK)
            goto fail;
        if ((rc = dp_buf_append(&tmp, s + copied, run - copied)) != DP_OK)
            goto fail;
        utf8proc_uint8_t *mapped = NULL;
        utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s + run,
                                          (utf8proc_ssize_t)(i - run), &mapped,
                                          UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (n < 0) {
            /* Cannot happen on valid UTF-8; keep the run unchanged then. */
            rc = dp_buf_append(&tmp, s + run, i - run);
        } else {
            if ((size_t)n != i - run || memcmp(mapped, s + run, (size_t)n) != 0)
                c->nfc++;
            rc = dp_buf_append(&tmp, mapped, (size_t)n);
            free(mapped); /* utf8proc allocates with malloc */
        }
        if (rc != DP_OK)
            goto fail;
        copied = i;
    }
    if (tmp.data) {
        if ((rc = dp_buf_append(&tmp, s + copied, len - copied)) != DP_OK)
            goto fail;
        dp_buf_free(out);
        *out = tmp;
    }
    return DP_OK;
fail:
    dp_buf_free(&tmp);
    return rc;
}

dp_status nz_clean(const char *s, size_t len, const nz_clean_opts_t *o, dp_buf_t *out,
                   nz_counts_t *c)
{
    pthread_once(&tables_once, build_tables);
    size_t start = out->len;
    bool need_nfc = false;
    if (dp_buf_reserve(out, len + 1) != DP_OK)
        return DP_ENOMEM;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        /* Eight bytes at a time while they are all printable ASCII or
         * newlines (the usual case), then byte by byte. */
        while (j + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + j, 8);
            const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull,
                           low7 = 0x7F7F7F7F7F7F7F7Full;
            if (w & high)
                break;
            /* Exact per-byte tests without carries between bytes: */
            uint64_t ge20 = ((w & low7) + ones * 0x60) & high; /* byte >= 0x20 */
            uint64_t t = w ^ (ones * '\n');
            uint64_t not_nl = (((t & low7) + low7) | t) & high; /* byte != '\n' */
            uint64_t u = w ^ (ones * 0x7F);
            uint64_t not_del = (((u & low7) + low7) | u) & high; /* byte != DEL */
            if ((ge20 | (~not_nl & high)) != high || not_del != high)
                break;
            j += 8;
        }
        while (j < len && ascii_plain[(unsigned char)s[j]])
            j++;
        if (j > i && dp_buf_append(out, s + i, j - i) != DP_OK)
            return DP_ENOMEM;
        i = j;
        if (i >= len)
            break;
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            i++;
            if (b == '\r') {
                if (i < len && s[i] == '\n')
                    i++;
                if (dp_buf_putc(out, '\n') != DP_OK)
                    return DP_ENOMEM;
            } else if (o->drop_controls) {
                c->controls++;
            } else if (dp_buf_putc(out, (char)b) != DP_OK) {
                return DP_ENOMEM;
            }
            continue;
        }
        size_t at = i;
        int32_t cp = dp_utf8_next(s, len, &i);
        const char *rep = NULL;
        size_t *counter = NULL;
        bool drop = false;
        if (cp == 0x2028 || cp == 0x0085) {
            rep = "\n";
        } else if (cp == 0x2029) {
            rep = "\n\n";
        } else if (o->drop_controls && cp >= 0x80 && cp < 0xA0) {
            drop = true;
            counter = &c->controls;
        } else if (o->drop_invisible && is_invisible(cp)) {
            drop = true;
            counter = &c->invisible;
        } else if (o->plain_spaces && cp != 0x20 &&
                   utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS) {
            rep = " ";
            counter = &c->spaces;
        } else if (o->ascii_punctuation && (rep = fold_punct(cp)) != NULL) {
            counter = &c->punctuation;
        } else if (o->nfc && !need_nfc && cp >= 0 && nfc_sensitive(cp)) {
            need_nfc = true;
        }
        if (counter)
            (*counter)++;
        if (drop)
            continue;
        if (rep ? dp_buf_puts(out, rep) : dp_buf_append(out, s + at, i - at))
            return DP_ENOMEM;
    }
    if (need_nfc)
        return nfc_pass(out, start, c);
    return DP_OK;
}
