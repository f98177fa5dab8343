/* UTF-8 helpers shared by the core and the plugins: validation, decoding
 * one code point at a time, encoding, and counting in the offset units the
 * export writes (code points and UTF-16 units). All functions are pure and
 * thread-safe. Texts may contain NUL bytes, so lengths are always explicit. */
#ifndef DOCPIPE_UTF8_H
#define DOCPIPE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF). An ASCII fast path makes this cheap on Latin text. */
bool dp_utf8_valid(const char *s, size_t len);

/* Length in bytes of the longest valid UTF-8 prefix of s[0..len). */
size_t dp_utf8_valid_prefix(const char *s, size_t len);

/* Decodes the code point at s[*pos] and advances *pos past it. On an invalid
 * or truncated sequence returns -1 and advances *pos by one byte, so a loop
 * always terminates. *pos must be < len. */
int32_t dp_utf8_next(const char *s, size_t len, size_t *pos);

/* Decodes the code point that ends just before s[*pos] and moves *pos back
 * to its first byte; -1 (and one byte back) on invalid data. *pos must be > 0. */
int32_t dp_utf8_prev(const char *s, size_t *pos);

/* Writes cp as UTF-8 into out (at least 4 bytes) and returns the number of
 * bytes written, or 0 when cp is not a Unicode scalar value. */
size_t dp_utf8_encode(int32_t cp, char out[4]);

/* Number of code points / UTF-16 code units in valid UTF-8 s[0..len). */
size_t dp_utf8_count_codepoints(const char *s, size_t len);
size_t dp_utf8_count_utf16(const char *s, size_t len);

/* True when the byte is not a UTF-8 continuation byte, i.e. a code point
 * starts here. Byte offsets of spans always fall on such boundaries. */
static inline bool dp_utf8_is_boundary(unsigned char byte)
{
    return (byte & 0xC0u) != 0x80u;
}

#ifdef __cplusplus
}
#endif
#endif
