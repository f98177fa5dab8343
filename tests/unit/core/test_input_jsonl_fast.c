/* Unit tests of the JSON Lines line parser's fast path (core/input_jsonl.c,
 * dp__jsonl_parse_line): for every line, well-formed or not, it must give
 * what json_loadb gives (the same values, types and key order, or the same
 * error to the column), whether it decoded the "text" or "bytes_b64" string
 * itself or handed the line to Jansson whole. Lines are generated from a
 * fixed seed: strings with every escape, surrogate pairs and lone halves,
 * raw UTF-8 valid and not, control characters, duplicate and escaped keys,
 * nested metadata, values of the wrong type, broken structure, and random
 * cuts and byte changes of all of these. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "input_internal.h"

#define FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* ---- comparison ----------------------------------------------------------- */

typedef struct counts {
    size_t lines, fast, ok, failed;
} counts_t;

static dp_buf_t scratch = DP_BUF_INIT;

static char *dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    assert_non_null(s);
    return s;
}

/* Parses line both ways and asserts the same outcome. Returns whether the
 * fast path decoded the big member. */
static bool check_line(const char *line, size_t n, counts_t *c)
{
    json_error_t e_full, e_fast;
    dp__jsonl_big_t big;
    json_t *full = json_loadb(line, n, FLAGS, &e_full);
    json_t *fast = dp__jsonl_parse_line(line, n, &scratch, &e_fast, &big);
    c->lines++;
    if (!full) {
        if (fast) {
            char *d = dump(fast);
            fprintf(stderr, "line Jansson rejects (%s) accepted: [%.*s] -> %s\n", e_full.text,
                    (int)n, line, d);
            free(d);
        }
        assert_null(fast);
        assert_null(big.key);
        assert_null(big.value);
        assert_string_equal(e_fast.text, e_full.text);
        assert_string_equal(e_fast.source, e_full.source);
        assert_int_equal(e_fast.line, e_full.line);
        assert_int_equal(e_fast.column, e_full.column);
        assert_int_equal(e_fast.position, e_full.position);
        c->failed++;
        return false;
    }
    if (!fast)
        fprintf(stderr, "line Jansson accepts rejected (%s): [%.*s]\n", e_fast.text, (int)n, line);
    assert_non_null(fast);
    bool used = big.key != NULL;
    if (used) {
        c->fast++;
        assert_true(strcmp(big.key, "text") == 0 || strcmp(big.key, "bytes_b64") == 0);
        assert_non_null(big.value);
        assert_int_equal(big.value[big.len], '\0');
        json_t *placeholder = json_object_get(fast, big.key);
        assert_true(json_is_string(placeholder));
        assert_int_equal(json_string_length(placeholder), 0);
        /* Put the decoded string in the placeholder's place (same position
         * in the key order) and compare with Jansson's own. */
        json_t *v = json_object_get(full, big.key);
        assert_true(json_is_string(v));
        assert_int_equal(json_string_length(v), big.len);
        assert_memory_equal(json_string_value(v), big.value, big.len);
        assert_int_equal(json_object_set_new(fast, big.key, json_stringn(big.value, big.len)), 0);
        dp_free(big.value);
    } else {
        assert_null(big.value);
    }
    assert_true(json_equal(full, fast));
    char *d_full = dump(full), *d_fast = dump(fast);
    assert_string_equal(d_full, d_fast);
    free(d_full);
    free(d_fast);
    json_decref(full);
    json_decref(fast);
    c->ok++;
    return used;
}

static bool check_str(const char *line, counts_t *c)
{
    return check_line(line, strlen(line), c);
}

/* ---- generated lines ------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)((rng_state >> 11) % n);
}

static void put(dp_buf_t *b, const char *s)
{
    assert_int_equal(dp_buf_puts(b, s), DP_OK);
}

static void putc_(dp_buf_t *b, int c)
{
    assert_int_equal(dp_buf_putc(b, (char)c), DP_OK);
}

static void put_u(dp_buf_t *b, unsigned v, bool upper)
{
    char tmp[8];
    snprintf(tmp, sizeof tmp, upper ? "\\u%04X" : "\\u%04x", v);
    put(b, tmp);
}

/* A \u escape or a pair of them, mostly valid. */
static void gen_unicode_escape(dp_buf_t *b, bool dirty)
{
    bool upper = rnd(2);
    switch (rnd(dirty ? 12 : 6)) {
    case 0:
        put_u(b, rnd(0x80), upper); /* ASCII, \u0000 and controls included */
        break;
    case 1:
        put_u(b, 0x80 + rnd(0x780), upper);
        break;
    case 2: {
        unsigned v = 0x800 + rnd(0xF800);
        if (v >= 0xD800 && v <= 0xDFFF)
            v -= 0x800;
        put_u(b, v, upper);
        break;
    }
    case 3:
    case 4: /* a surrogate pair */
        put_u(b, 0xD800 + rnd(0x400), upper);
        put_u(b, 0xDC00 + rnd(0x400), rnd(2));
        break;
    case 5:
        put(b, rnd(2) ? "\\u0000" : "\\uFFFF");
        break;
    case 6: /* a lone high surrogate, maybe before another escape */
        put_u(b, 0xD800 + rnd(0x400), upper);
        if (rnd(2))
            put(b, rnd(2) ? "\\n" : "\\u0041");
        break;
    case 7: /* a lone low surrogate */
        put_u(b, 0xDC00 + rnd(0x400), upper);
        break;
    case 8: /* two high surrogates */
        put_u(b, 0xD800 + rnd(0x400), upper);
        put_u(b, 0xD800 + rnd(0x400), upper);
        break;
    case 9:
        put(b, rnd(2) ? "\\u12G4" : "\\uD83D\\uDE0");
        break;
    case 10:
        put(b, rnd(2) ? "\\u12" : "\\uD83D\\x");
        break;
    default:
        put(b, "\\U0041");
        break;
    }
}

static const char *const raw_valid[] = {"\xC3\xA9",         "\xE2\x80\x99", "\xE2\x82\xAC",
                                        "\xF0\x9F\x98\x80", "\xEF\xBF\xBF", "\xC2\x80",
                                        "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xEE\x80\x80"};
static const char *const raw_invalid[] = {
    "\x80",         "\xBF",         "\xC0\xAF",         "\xC1\x81",         "\xE0\x80\x80",
    "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF",
    "\xE2\x82",     "\xC3",         "\xF0\x9F\x98",     "\xC3\x41",         "\xE2\x28\xA1"};

/* The body of a JSON string (no quotes). dirty: may hold what Jansson
 * rejects. */
static void gen_string_body(dp_buf_t *b, bool dirty)
{
    size_t pieces = rnd(4) == 0 ? rnd(40) : rnd(8);
    for (size_t p = 0; p < pieces; p++) {
        uint32_t kind = rnd(dirty ? 12 : 8);
        switch (kind) {
        case 0:
        case 1: { /* a run of ASCII that needs no escape, of any length */
            size_t len = rnd(3) == 0 ? rnd(300) : rnd(20);
            for (size_t i = 0; i < len; i++) {
                int ch = 0x20 + (int)rnd(0x5F);
                if (ch == '"' || ch == '\\')
                    ch = 'x';
                putc_(b, ch);
            }
            break;
        }
        case 2: {
            static const char *const esc[] = {"\\\"", "\\\\", "\\/", "\\b",
                                              "\\f",  "\\n",  "\\r", "\\t"};
            put(b, esc[rnd(8)]);
            break;
        }
        case 3:
            gen_unicode_escape(b, false);
            break;
        case 4:
        case 5:
            put(b, raw_valid[rnd(sizeof raw_valid / sizeof *raw_valid)]);
            break;
        case 6:
            put(b, rnd(2) ? "\x7F" : " {}[]:,");
            break;
        case 7: /* what looks like JSON inside the string */
            put(b, rnd(2) ? "\\\"text\\\": \\\"x\\\"}" : "\\\\\\\"");
            break;
        case 8:
            gen_unicode_escape(b, true);
            break;
        case 9:
            put(b, raw_invalid[rnd(sizeof raw_invalid / sizeof *raw_invalid)]);
            break;
        case 10: /* a raw control character, NUL included */
            putc_(b, (int)rnd(0x20));
            break;
        default: { /* an escape Jansson does not know, or a cut one */
            static const char *const bad[] = {"\\x",        "\\'", "\\a", "\\0",
                                              "\\\xC3\xA9", "\\ ", "\\u"};
            put(b, bad[rnd(7)]);
            break;
        }
        }
    }
}

static void gen_ws(dp_buf_t *b)
{
    static const char *const ws[] = {" ", "\t", "\r", "\n", "  ", "\r\n"};
    if (rnd(4) == 0)
        put(b, ws[rnd(6)]);
}

static void gen_string(dp_buf_t *b, bool dirty)
{
    putc_(b, '"');
    gen_string_body(b, dirty);
    putc_(b, '"');
}

/* Any value, nested up to depth. */
static void gen_value(dp_buf_t *b, int depth, bool dirty)
{
    switch (rnd(depth > 0 ? 10 : 7)) {
    case 0:
    case 1:
        gen_string(b, dirty);
        break;
    case 2: {
        static const char *const nums[] = {
            "0", "-1", "42", "3.5", "-0.0", "1e10", "2E-3", "9223372036854775807", "1.5e308"};
        put(b, nums[rnd(9)]);
        break;
    }
    case 3:
        put(b, rnd(2) ? "true" : "false");
        break;
    case 4:
        put(b, "null");
        break;
    case 5:
        put(b, "\"{\\\"text\\\":1}\""); /* braces and a key inside a string */
        break;
    case 6:
        put(b, "\"]}\"");
        break;
    case 7:
    case 8: {
        putc_(b, '{');
        size_t k = rnd(4);
        for (size_t i = 0; i < k; i++) {
            if (i)
                putc_(b, ',');
            gen_ws(b);
            put(b, rnd(3) == 0 ? "\"text\"" : (rnd(2) ? "\"k\"" : "\"bytes_b64\""));
            gen_ws(b);
            putc_(b, ':');
            gen_value(b, depth - 1, dirty);
        }
        putc_(b, '}');
        break;
    }
    default: {
        putc_(b, '[');
        size_t k = rnd(4);
        for (size_t i = 0; i < k; i++) {
            if (i)
                putc_(b, ',');
            gen_ws(b);
            gen_value(b, depth - 1, dirty);
        }
        putc_(b, ']');
        break;
    }
    }
}

/* A member's key: mostly the ones the reader knows, some escaped. */
static void gen_key(dp_buf_t *b, bool dirty)
{
    static const char *const keys[] = {"\"id\"",
                                       "\"mtime\"",
                                       "\"title\"",
                                       "\"lang\"",
                                       "\"text\"",
                                       "\"bytes_b64\"",
                                       "\"te\\u0078t\"",
                                       "\"\\u0074ext\"",
                                       "\"texts\"",
                                       "\"tex\"",
                                       "\"bytes_b64\\u0000\"",
                                       "\"\"",
                                       "\"a\\\"b\"",
                                       "\"k\xC3\xA9y\""};
    if (dirty && rnd(10) == 0) {
        gen_string(b, true);
        return;
    }
    put(b, keys[rnd(sizeof keys / sizeof *keys)]);
}

static void gen_line(dp_buf_t *b)
{
    bool dirty = rnd(4) == 0;
    dp_buf_clear(b);
    gen_ws(b);
    if (rnd(40) == 0) { /* not an object */
        gen_value(b, 2, dirty);
        return;
    }
    putc_(b, '{');
    gen_ws(b);
    size_t members = rnd(6);
    bool text_done = false;
    for (size_t m = 0; m < members + 1; m++) {
        if (m)
            putc_(b, ',');
        gen_ws(b);
        if (!text_done && (m == members || rnd(3) == 0)) {
            /* The member the fast path is for, usually a string. */
            put(b, rnd(8) == 0 ? "\"bytes_b64\"" : "\"text\"");
            gen_ws(b);
            putc_(b, ':');
            gen_ws(b);
            if (rnd(12) == 0)
                gen_value(b, 2, dirty);
            else
                gen_string(b, dirty);
            text_done = rnd(6) != 0; /* else a second one may follow */
        } else {
            gen_key(b, dirty);
            gen_ws(b);
            putc_(b, ':');
            gen_ws(b);
            gen_value(b, 3, dirty);
        }
        gen_ws(b);
    }
    putc_(b, '}');
    if (dirty && rnd(8) == 0)
        put(b, rnd(2) ? "x" : ",");
    gen_ws(b);
}

/* A random change of the line: a cut, a byte changed, added or removed. */
static void mutate(dp_buf_t *b)
{
    if (b->len == 0)
        return;
    size_t at = rnd((uint32_t)b->len);
    static const char interesting[] = "\"\\{}[],: \n\x01\x80\xC3\xEDu0dD";
    char ch = rnd(2) ? interesting[rnd(sizeof interesting - 1)] : (char)rnd(256);
    switch (rnd(4)) {
    case 0:
        b->len = at;
        break;
    case 1:
        b->data[at] = ch;
        break;
    case 2:
        memmove(b->data + at, b->data + at + 1, b->len - at - 1);
        b->len--;
        break;
    default:
        assert_int_equal(dp_buf_putc(b, ch), DP_OK);
        memmove(b->data + at + 1, b->data + at, b->len - at - 1);
        b->data[at] = ch;
        break;
    }
}

/* ---- tests ---------------------------------------------------------------- */

static void test_known_lines(void **state)
{
    (void)state;
    counts_t c = {0};
    /* A plain release line goes the fast way, escapes and all. */
    assert_true(check_str("{\"id\":1,\"text\":\"Caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" a\\/b\\n\","
                          "\"mtime\":\"2020-10-16\"}",
                          &c));
    assert_true(
        check_str("{\"id\":\"x\",\"text\":\"\\u0000nul\\u0000\",\"meta\":{\"text\":[1]}}", &c));
    assert_true(check_str("{\"id\":1,\"bytes_b64\":\"aGVsbG8=\"}", &c));
    assert_true(check_str(" \t{ \"text\" : \"\" , \"id\" : 2 } \r", &c));
    assert_true(check_str("{\"text\":\"\xE2\x80\x99 raw UTF-8 \xF0\x9F\x98\x80\"}", &c));
    /* Lines Jansson takes whole: the same key twice (the last one wins),
     * both keys, an escaped key, text not a string. */
    assert_false(check_str("{\"id\":1,\"text\":\"a\",\"text\":\"b\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"a\",\"bytes_b64\":\"YQ==\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"a\",\"te\\u0078t\":\"b\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":42}", &c));
    assert_false(check_str("[{\"text\":\"a\"}]", &c));
    /* Errors stay Jansson's, columns included. */
    assert_false(check_str("{\"id\":1,\"text\":\"bad \\x escape\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"lone \\ud800 half\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"lone \\udc00 half\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"bad \xC3\x28 byte\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"ctl \x01\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"cut", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"ok\"} trailing", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"ok\",}", &c));
    assert_false(check_str("{\"id\":01,\"text\":\"ok\"}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"ok\",\"k\":[1,}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"ok\",\"k\\u0000\":1}", &c));
    assert_false(check_str("{\"id\":1,\"text\":\"\xC3\"}", &c));
    assert_int_equal(c.failed, 12);
    /* NUL bytes inside the line (raw) are Jansson's to reject too. */
    static const char nul_line[] = "{\"id\":1,\"text\":\"a\0b\"}";
    assert_false(check_line(nul_line, sizeof nul_line - 1, &c));
}

/* Long strings of every length around the eight-byte steps, with the
 * special bytes at every offset. */
static void test_lengths(void **state)
{
    (void)state;
    counts_t c = {0};
    dp_buf_t b = DP_BUF_INIT;
    static const char *const specials[] = {"\\\"", "\\n", "\\u00e9", "\xC3\xA9",
                                           "\x01", "\\",  "\xC3",    "\\ud83d\\ude00"};
    for (size_t len = 0; len < 40; len++) {
        for (size_t at = 0; at <= len; at++) {
            for (size_t k = 0; k < sizeof specials / sizeof *specials; k++) {
                dp_buf_clear(&b);
                put(&b, "{\"id\":1,\"text\":\"");
                for (size_t i = 0; i < len; i++) {
                    if (i == at)
                        put(&b, specials[k]);
                    putc_(&b, 'a' + (int)(i % 26));
                }
                put(&b, "\",\"m\":\"x\"}");
                check_line(b.data, b.len, &c);
                /* and cut off inside the string */
                check_line(b.data, b.len - 10 + rnd(3), &c);
            }
        }
    }
    dp_buf_free(&b);
    assert_true(c.fast > c.lines / 3);
}

static void test_generated(void **state)
{
    (void)state;
    counts_t c = {0};
    dp_buf_t b = DP_BUF_INIT;
    for (int i = 0; i < 100000; i++) {
        gen_line(&b);
        check_line(b.data, b.len, &c);
        if (rnd(3) == 0) {
            int times = 1 + (int)rnd(3);
            for (int t = 0; t < times; t++)
                mutate(&b);
            check_line(b.data, b.len, &c);
        }
    }
    dp_buf_free(&b);
    /* The generator is only useful if both ways and both outcomes occur
     * often. */
    fprintf(stderr, "lines %zu: fast %zu, ok %zu, failed %zu\n", c.lines, c.fast, c.ok, c.failed);
    assert_true(c.fast > c.lines / 5);
    assert_true(c.ok - c.fast > c.lines / 20);
    assert_true(c.failed > c.lines / 5);
}

static int teardown(void **state)
{
    (void)state;
    dp_buf_free(&scratch);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_lines),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_generated),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
