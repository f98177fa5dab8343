/* The growable byte buffer of docpipe/buf.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "docpipe/buf.h"

dp_status dp_buf_reserve(dp_buf_t *buf, size_t extra)
{
    if (extra > SIZE_MAX - buf->len - 1)
        return DP_ENOMEM;
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return DP_OK;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *data = dp_realloc(buf->data, cap);
    if (!data)
        return DP_ENOMEM;
    buf->data = data;
    buf->cap = cap;
    return DP_OK;
}

dp_status dp_buf_append(dp_buf_t *buf, const void *data, size_t len)
{
    if (dp_buf_reserve(buf, len) != DP_OK)
        return DP_ENOMEM;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return DP_OK;
}

dp_status dp_buf_puts(dp_buf_t *buf, const char *s)
{
    return dp_buf_append(buf, s, strlen(s));
}

dp_status dp_buf_putc(dp_buf_t *buf, char c)
{
    return dp_buf_append(buf, &c, 1);
}

dp_status dp_buf_vprintf(dp_buf_t *buf, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return DP_EINVAL;
    if (dp_buf_reserve(buf, (size_t)n) != DP_OK)
        return DP_ENOMEM;
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    buf->len += (size_t)n;
    return DP_OK;
}

dp_status dp_buf_printf(dp_buf_t *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dp_status rc = dp_buf_vprintf(buf, fmt, ap);
    va_end(ap);
    return rc;
}

void dp_buf_clear(dp_buf_t *buf)
{
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

char *dp_buf_steal(dp_buf_t *buf, size_t *len)
{
    char *data = buf->data;
    if (!data) {
        data = dp_malloc(1);
        if (!data)
            return NULL;
        data[0] = '\0';
    }
    if (len)
        *len = buf->len;
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return data;
}

void dp_buf_free(dp_buf_t *buf)
{
    dp_free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}
