/* White-space normalisation of the normalise stage: spaces and tabs inside a
 * line collapse to one space, lines lose their outer white space, runs of
 * blank lines (and form feeds) become one blank line, and the text loses its
 * leading and trailing blank lines. */
#include <stdint.h>
#include <string.h>

#include "nz.h"

/* High bit of each byte of x that equals c (exact: no carries between bytes). */
static inline uint64_t bytes_equal(uint64_t x, unsigned char c)
{
    const uint64_t ones = 0x0101010101010101ull, low7 = 0x7F7F7F7F7F7F7F7Full;
    uint64_t t = x ^ (ones * c);
    return ~((((t & low7) + low7) | t)) & ~low7;
}

dp_status nz_ws_line(const char *line, size_t len, dp_buf_t *out)
{
    if (dp_buf_reserve(out, len + 1) != DP_OK)
        return DP_ENOMEM;
    size_t a = 0, b = len;
    while (a < b && (line[a] == ' ' || line[a] == '\t'))
        a++;
    while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
        b--;
    /* Written straight into the reserved space: this runs on every line.
     * Eight bytes at a time while they hold no tab and no second space of a
     * run (the usual case), else byte by byte. */
    char *w = out->data + out->len;
    bool space = false;
    size_t i = a;
    while (i < b) {
        if (i + 8 <= b) {
            uint64_t x;
            memcpy(&x, line + i, 8);
            uint64_t sp = bytes_equal(x, ' ');
            uint64_t run = sp & ((sp << 8) | (space ? 0x80u : 0u));
            if (!run && !bytes_equal(x, '\t')) {
                memcpy(w, line + i, 8);
                w += 8;
                space = (sp >> 63) != 0;
                i += 8;
                continue;
            }
        }
        char c = line[i++];
        if (c == ' ' || c == '\t') {
            if (!space)
                *w++ = ' ';
            space = true;
        } else {
            *w++ = c;
            space = false;
        }
    }
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
    return DP_OK;
}

dp_status nz_whitespace(const char *s, size_t len, dp_buf_t *out)
{
    size_t i = 0;
    size_t blank = 0;    /* blank lines (or form feeds) seen since the last text line */
    bool started = false; /* a text line has been written */
    while (i <= len) {
        const char *nl = i < len ? memchr(s + i, '\n', len - i) : NULL;
        size_t end = nl ? (size_t)(nl - s) : len;
        /* A form feed inside a line separates what is around it like a blank line. */
        size_t a = i;
        while (a <= end) {
            const char *ff = a < end ? memchr(s + a, '\f', end - a) : NULL;
            size_t e = ff ? (size_t)(ff - s) : end;
            bool empty = true;
            for (size_t k = a; k < e; k++)
                if (s[k] != ' ' && s[k] != '\t') {
                    empty = false;
                    break;
                }
            if (!empty) {
                if (started) {
                    if (dp_buf_puts(out, blank ? "\n\n" : "\n") != DP_OK)
                        return DP_ENOMEM;
                }
                if (nz_ws_line(s + a, e - a, out) != DP_OK)
                    return DP_ENOMEM;
                started = true;
                blank = 0;
            } else if (started) {
                blank++;
            }
            if (!ff)
                break;
            if (started)
                blank++;
            a = e + 1;
        }
        if (!nl)
            break;
        i = end + 1;
    }
    return DP_OK;
}
