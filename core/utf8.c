/* UTF-8 validation, decoding, encoding and counting (docpipe/utf8.h). The
 * validator follows RFC 3629's table, with an 8-bytes-at-a-time ASCII fast
 * path because most press-release text is ASCII. */
#include <string.h>

#include "docpipe/utf8.h"

/* Length of the valid sequence starting at s[i], or 0 when invalid. */
static size_t sequence_length(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        if (i + 1 < len && (s[i + 1] & 0xC0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (i + 2 >= len)
            return 0;
        unsigned char c1 = s[i + 1], c2 = s[i + 2];
        if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && c1 < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && c1 > 0x9F)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (i + 3 >= len)
            return 0;
        unsigned char c1 = s[i + 1], c2 = s[i + 2], c3 = s[i + 3];
        if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 || (c3 & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && c1 < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && c1 > 0x8F)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

size_t dp_utf8_valid_prefix(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII 32 bytes at a time (four words tested at once), then 8. */
        while (i + 32 <= len) {
            uint64_t w[4];
            memcpy(w, s + i, 32);
            if (((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull) != 0)
                break;
            i += 32;
        }
        if (i + 8 <= len) {
            uint64_t word;
            memcpy(&word, s + i, 8);
            if ((word & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        if (i >= len)
            break;
        size_t n = sequence_length(s, len, i);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

bool dp_utf8_valid(const char *s, size_t len)
{
    return dp_utf8_valid_prefix(s, len) == len;
}

int32_t dp_utf8_next(const char *str, size_t len, size_t *pos)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = *pos;
    size_t n = sequence_length(s, len, i);
    switch (n) {
    case 1:
        *pos = i + 1;
        return s[i];
    case 2:
        *pos = i + 2;
        return (int32_t)(((s[i] & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu));
    case 3:
        *pos = i + 3;
        return (int32_t)(((s[i] & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu));
    case 4:
        *pos = i + 4;
        return (int32_t)(((s[i] & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) |
                         ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu));
    default:
        *pos = i + 1;
        return -1;
    }
}

int32_t dp_utf8_prev(const char *str, size_t *pos)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t end = *pos;
    size_t start = end - 1;
    /* Walk back over at most three continuation bytes. */
    while (start > 0 && end - start < 4 && (s[start] & 0xC0) == 0x80)
        start--;
    size_t p = start;
    int32_t cp = dp_utf8_next(str, end, &p);
    if (cp < 0 || p != end) {
        *pos = end - 1;
        return -1;
    }
    *pos = start;
    return cp;
}

size_t dp_utf8_encode(int32_t cp, char out[4])
{
    if (cp < 0)
        return 0;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return 0;
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

size_t dp_utf8_count_codepoints(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += (s[i] & 0xC0) != 0x80;
    return count;
}

size_t dp_utf8_count_utf16(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t count = 0;
    for (size_t i = 0; i < len; i++) {
        count += (s[i] & 0xC0) != 0x80;
        count += s[i] >= 0xF0; /* a four-byte sequence is a surrogate pair */
    }
    return count;
}
