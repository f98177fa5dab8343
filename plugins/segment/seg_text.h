/* Small inline helpers over valid UTF-8 text shared by the segment modules:
 * decoding one code point forwards or backwards, and the character classes
 * the rules ask about (space, letter case, digit, opening and closing
 * punctuation). Character properties come from utf8proc, with ASCII answered
 * from the byte itself so the common case stays fast. */
#ifndef DOCPIPE_SEG_TEXT_H
#define DOCPIPE_SEG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <utf8proc.h>

/* Decodes the code point at s[*pos] (the text is valid UTF-8; a stray byte
 * is returned as itself so a loop always advances) and moves *pos past it. */
static inline int32_t seg_next(const char *s, size_t end, size_t *pos)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t p = *pos;
    unsigned c = u[p];
    if (c < 0x80u || p + 1 >= end) {
        *pos = p + 1;
        return (int32_t)c;
    }
    if ((c & 0xE0u) == 0xC0u) {
        *pos = p + 2;
        return (int32_t)(((c & 0x1Fu) << 6) | (u[p + 1] & 0x3Fu));
    }
    if ((c & 0xF0u) == 0xE0u && p + 2 < end) {
        *pos = p + 3;
        return (int32_t)(((c & 0x0Fu) << 12) | ((u[p + 1] & 0x3Fu) << 6) | (u[p + 2] & 0x3Fu));
    }
    if ((c & 0xF8u) == 0xF0u && p + 3 < end) {
        *pos = p + 4;
        return (int32_t)(((c & 0x07u) << 18) | ((u[p + 1] & 0x3Fu) << 12) |
                         ((u[p + 2] & 0x3Fu) << 6) | (u[p + 3] & 0x3Fu));
    }
    *pos = p + 1;
    return (int32_t)c;
}

/* The code point that ends just before s[*pos]; *pos moves to its first
 * byte. begin bounds the walk back. */
static inline int32_t seg_prev(const char *s, size_t begin, size_t *pos)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t p = *pos - 1;
    while (p > begin && (u[p] & 0xC0u) == 0x80u)
        p--;
    size_t q = p;
    *pos = p;
    /* The caller's text is valid UTF-8 up to the old *pos, so the sequence
     * that starts at p is complete. */
    return seg_next(s, (size_t)-1, &q);
}

static inline bool seg_is_space(int32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= 0x09 && c <= 0x0D);
    if (c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
        c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000)
        return true;
    return false;
}

static inline utf8proc_category_t seg_cat(int32_t c)
{
    return utf8proc_category(c);
}

static inline bool seg_is_upper(int32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    utf8proc_category_t k = seg_cat(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LT;
}

static inline bool seg_is_lower(int32_t c)
{
    if (c < 0x80)
        return c >= 'a' && c <= 'z';
    return seg_cat(c) == UTF8PROC_CATEGORY_LL;
}

static inline bool seg_is_letter(int32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    utf8proc_category_t k = seg_cat(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

static inline bool seg_is_digit(int32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    return seg_cat(c) == UTF8PROC_CATEGORY_ND;
}

static inline bool seg_is_alnum(int32_t c)
{
    return seg_is_letter(c) || seg_is_digit(c);
}

/* Characters that close a quotation or a bracket and stay with the sentence
 * that ends before them: '"', '\'', ')', ']', '}', and the typographic
 * closing quotes (Pf, Pe) and guillemets. */
static inline bool seg_is_closer(int32_t c)
{
    if (c < 0x80)
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}';
    utf8proc_category_t k = seg_cat(c);
    return k == UTF8PROC_CATEGORY_PE || k == UTF8PROC_CATEGORY_PF || c == 0x201C ||
           c == 0x2018 || c == 0xAB;
}

/* Characters that open a quotation or bracket in front of a sentence's first
 * word: '"', '\'', '(', '[', '{', Ps, Pi, the German low quotes and the
 * Spanish inverted marks. */
static inline bool seg_is_opener(int32_t c)
{
    if (c < 0x80)
        return c == '"' || c == '\'' || c == '(' || c == '[' || c == '{' || c == '`';
    utf8proc_category_t k = seg_cat(c);
    return k == UTF8PROC_CATEGORY_PS || k == UTF8PROC_CATEGORY_PI || c == 0x201D ||
           c == 0x2019 || c == 0xBB || c == 0xBF || c == 0xA1;
}

/* Characters that end a sentence (besides the full stop, handled apart). */
static inline bool seg_is_stop_mark(int32_t c)
{
    return c == '!' || c == '?' || c == 0x203C || c == 0x2047 || c == 0x2048 || c == 0x2049 ||
           c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF0E || c == 0x061F ||
           c == 0x0964 || c == 0x0965 || c == 0x06D4 || c == 0x037E || c == 0x1362;
}

/* Full-width and script-specific stops after which no space is needed. */
static inline bool seg_is_spaceless_stop(int32_t c)
{
    return c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF0E;
}

#endif
