/* A growable byte buffer, the string builder every stage uses to produce
 * new text. The buffer is always NUL-terminated (the NUL is not counted in
 * len), so data can be used as a C string when it holds no NUL bytes. */
#ifndef DOCPIPE_BUF_H
#define DOCPIPE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "docpipe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dp_buf {
    char *data; /* owned; NULL until the first append */
    size_t len; /* bytes used, without the terminating NUL */
    size_t cap; /* bytes allocated */
} dp_buf_t;

#define DP_BUF_INIT {NULL, 0, 0}

/* Makes room for at least extra more bytes. DP_ENOMEM on failure (the buffer
 * is unchanged). */
dp_status dp_buf_reserve(dp_buf_t *buf, size_t extra);

/* Appends bytes, a C string, one byte or a formatted string. DP_ENOMEM on
 * failure, leaving the earlier contents intact. */
dp_status dp_buf_append(dp_buf_t *buf, const void *data, size_t len);
dp_status dp_buf_puts(dp_buf_t *buf, const char *s);
dp_status dp_buf_putc(dp_buf_t *buf, char c);
dp_status dp_buf_printf(dp_buf_t *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
dp_status dp_buf_vprintf(dp_buf_t *buf, const char *fmt, va_list ap);

/* Empties the buffer, keeping its allocation. */
void dp_buf_clear(dp_buf_t *buf);

/* Hands the data over: returns the NUL-terminated bytes (an empty string for
 * an empty buffer, NULL only when that allocation fails), sets *len if len is
 * not NULL, and leaves the buffer empty. The caller frees with dp_free. */
char *dp_buf_steal(dp_buf_t *buf, size_t *len);

/* Frees the buffer's data and resets it to DP_BUF_INIT. */
void dp_buf_free(dp_buf_t *buf);

#ifdef __cplusplus
}
#endif
#endif
