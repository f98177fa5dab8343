/* Unit tests of the export plugin's JSON string encoder (ex_json_string),
 * which scans eight bytes at a time: its output is compared byte for byte
 * with a plain one-byte-at-a-time reference escaper on every byte value,
 * NULs, long clean runs across the encoder's internal rounds, lengths that
 * are not a multiple of 8, escapes at every position (first, last, word
 * edges), unaligned starts, and random strings over an alphabet chosen to
 * trip the word tricks (bytes just below and above 0x20, '"' and '\\'). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "export.h"

/* ---- the reference ------------------------------------------------------------ */

/* RFC 8259 as the encoder promises it: '"', '\\' and the bytes below 0x20
 * escaped (the short forms where JSON has them, else \u00XX in lower-case
 * hex), everything else, 0x7f and non-ASCII bytes included, as it is.
 * Writes into ref (at least 6 * len + 2 bytes); returns the length. */
static size_t reference_escape(char *ref, const unsigned char *s, size_t len)
{
    size_t o = 0;
    ref[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        const char *two = NULL;
        switch (c) {
        case '"': two = "\\\""; break;
        case '\\': two = "\\\\"; break;
        case '\n': two = "\\n"; break;
        case '\r': two = "\\r"; break;
        case '\t': two = "\\t"; break;
        case '\b': two = "\\b"; break;
        case '\f': two = "\\f"; break;
        default: break;
        }
        if (two != NULL) {
            memcpy(ref + o, two, 2);
            o += 2;
        } else if (c < 0x20) {
            char hex[7];
            snprintf(hex, sizeof hex, "\\u%04x", (unsigned)c);
            memcpy(ref + o, hex, 6);
            o += 6;
        } else {
            ref[o++] = (char)c;
        }
    }
    ref[o++] = '"';
    return o;
}

/* Encodes s[0..len) with ex_json_string after a prefix of prefix_len bytes
 * (so the output does not start at the buffer's start) and checks it
 * against the reference. */
static void check_prefixed(const unsigned char *s, size_t len, size_t prefix_len)
{
    ex_state_t st;
    memset(&st, 0, sizeof st);
    ex_out_t out;
    ex_out_init_memory(&st, &out);
    for (size_t i = 0; i < prefix_len; i++)
        assert_int_equal(ex_out_putc(&out, 'p'), DP_OK);
    assert_int_equal(ex_json_string(&out, (const char *)s, len), DP_OK);
    char *ref = malloc(6 * len + 2);
    assert_non_null(ref);
    size_t ref_len = reference_escape(ref, s, len);
    assert_int_equal(out.buf.len, prefix_len + ref_len);
    if (memcmp(out.buf.data + prefix_len, ref, ref_len) != 0) {
        size_t k = 0;
        while (out.buf.data[prefix_len + k] == ref[k])
            k++;
        fail_msg("output differs from the reference at byte %zu of %zu (input length %zu)", k,
                 ref_len, len);
    }
    /* The buffer stays NUL-terminated, as dp_buf promises. */
    assert_int_equal(out.buf.data[out.buf.len], '\0');
    free(ref);
    dp_buf_free(&out.buf);
}

static void check(const unsigned char *s, size_t len)
{
    check_prefixed(s, len, 0);
}

/* A fixed-seed generator (xorshift64), so a failure can be replayed. */
static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_empty_and_single_bytes(void **unused)
{
    (void)unused;
    check((const unsigned char *)"", 0);
    for (unsigned c = 0; c < 256; c++) {
        unsigned char b = (unsigned char)c;
        check(&b, 1);
    }
}

static void test_every_byte_value(void **unused)
{
    (void)unused;
    /* All of 0..0x7f in order, then all of 0..0xff, then backwards. */
    unsigned char all[512];
    for (size_t i = 0; i < 256; i++) {
        all[i] = (unsigned char)i;
        all[256 + i] = (unsigned char)(255 - i);
    }
    check(all, 0x80);
    check(all, 256);
    check(all, sizeof all);
    for (size_t start = 1; start < 9; start++)
        check(all + start, 0x80 - start);
}

static void test_nuls(void **unused)
{
    (void)unused;
    unsigned char zeros[40];
    memset(zeros, 0, sizeof zeros);
    for (size_t n = 0; n <= sizeof zeros; n++)
        check(zeros, n);
    /* NULs between clean bytes, at word edges. */
    unsigned char mixed[33];
    for (size_t i = 0; i < sizeof mixed; i++)
        mixed[i] = (i % 7 == 0 || i % 8 == 7) ? 0 : (unsigned char)('a' + i % 26);
    for (size_t n = 0; n <= sizeof mixed; n++)
        check(mixed, n);
}

static void test_one_escape_at_every_position(void **unused)
{
    (void)unused;
    /* Every length 1..40, each escapable byte at each position, among
     * bytes that sit right beside the escaped ranges (0x20, 0x21, 0x23,
     * 0x5b, 0x5d), so a wrong borrow or mask shows. */
    static const unsigned char escapes[] = {0x00, 0x01, '\b', '\t', '\n', '\f', '\r', 0x1f, '"', '\\'};
    static const unsigned char fillers[] = {' ', '!', '#', '[', ']', 'a', 0x7f, 0x80, 0xff};
    unsigned char s[48];
    for (size_t f = 0; f < sizeof fillers; f++) {
        for (size_t len = 1; len <= 40; len++) {
            for (size_t pos = 0; pos < len; pos++) {
                for (size_t e = 0; e < sizeof escapes; e++) {
                    memset(s, fillers[f], len);
                    s[pos] = escapes[e];
                    check(s, len);
                }
            }
        }
    }
}

static void test_ending_in_escape(void **unused)
{
    (void)unused;
    unsigned char s[64];
    for (size_t len = 1; len <= sizeof s; len++) {
        memset(s, 'x', len);
        s[len - 1] = '\\';
        check(s, len);
        s[len - 1] = '\n';
        check(s, len);
        s[len - 1] = 0;
        check(s, len);
        /* Two escapes at the end, and a whole string of escapes. */
        if (len >= 2) {
            s[len - 2] = '"';
            check(s, len);
        }
        memset(s, '"', len);
        check(s, len);
    }
}

static void test_long_clean_runs(void **unused)
{
    (void)unused;
    /* Longer than the encoder's rounds (8 KiB of input each), with escapes
     * placed just before, at and after round and word boundaries, and
     * started at every alignment. */
    size_t len = 70000;
    unsigned char *s = malloc(len);
    assert_non_null(s);
    for (size_t i = 0; i < len; i++)
        s[i] = (unsigned char)('a' + i % 26);
    check(s, len);
    for (size_t start = 0; start < 8; start++)
        check(s + start, len - start - (start * 3) % 8);
    static const size_t places[] = {0, 7, 8, 8191, 8192, 8193, 16383, 16384, 16385, 65535, 69999};
    for (size_t k = 0; k < sizeof places / sizeof places[0]; k++)
        s[places[k]] = k % 2 == 0 ? '"' : 0x1f;
    check(s, len);
    check(s, 8192);
    check(s, 8193);
    check(s + 1, len - 1);
    /* A run made only of escapes: the output is six times the input. */
    memset(s, 0x01, len);
    check(s, len);
    free(s);
}

static void test_random_strings(void **unused)
{
    (void)unused;
    /* An alphabet of the bytes at the edges of the escaped ranges. */
    static const unsigned char edgy[] = {0x00, 0x01, 0x0a, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b,
                                         0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0xa2, 0xdc, 0xff};
    unsigned char s[300];
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(rng_next() % sizeof s);
        int kind = round % 3;
        for (size_t i = 0; i < len; i++) {
            uint64_t r = rng_next();
            if (kind == 0)
                s[i] = (unsigned char)(r & 0xffu); /* any byte */
            else if (kind == 1)
                s[i] = edgy[(r >> 8) % sizeof edgy];
            else /* mostly clean text with a rare escape */
                s[i] = (r & 63u) == 0 ? edgy[(r >> 8) % sizeof edgy] : (unsigned char)(0x20 + (r >> 16) % 0x60);
        }
        size_t start = len > 0 ? (size_t)(rng_next() % 8) % len : 0;
        check_prefixed(s + start, len - start, (size_t)round % 5);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_single_bytes),
        cmocka_unit_test(test_every_byte_value),
        cmocka_unit_test(test_nuls),
        cmocka_unit_test(test_one_escape_at_every_position),
        cmocka_unit_test(test_ending_in_escape),
        cmocka_unit_test(test_long_clean_runs),
        cmocka_unit_test(test_random_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
