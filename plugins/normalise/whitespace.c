/* White-space normalisation of the normalise stage: spaces and tabs inside a
 * line collapse to one space, lines lose their outer white space, runs of
 * blank lines (and form feeds) become one blank line, and the text loses its
 * leading and trailing blank lines. */
#include <string.h>

#include "nz.h"

dp_status nz_ws_line(const char *line, size_t len, dp_buf_t *out)
{
    if (dp_buf_reserve(out, len + 1) != DP_OK)
        return DP_ENOMEM;
    /* Written straight into the reserved space: this runs on every line. */
    char *w = out->data + out->len;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    bool pending = false;
    for (; i < len; i++) {
        char c = line[i];
        if (c == ' ' || c == '\t') {
            pending = true;
            continue;
        }
        if (pending) {
            *w++ = ' ';
            pending = false;
        }
        *w++ = c;
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
