/* Unit tests of the UTF-8 helpers, buffers and the hash map. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "docpipe/docpipe.h"

static void test_valid(void **state)
{
    (void)state;
    assert_true(dp_utf8_valid("", 0));
    assert_true(dp_utf8_valid("plain ASCII text that is long enough", 36));
    assert_true(dp_utf8_valid("\xe2\x80\x99 \xf0\x9f\x98\x80", 8));
    assert_false(dp_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(dp_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(dp_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(dp_utf8_valid("abc\xe2\x80", 5));      /* truncated */
    assert_int_equal(dp_utf8_valid_prefix("abcdefgh\xff", 9), 8);
}

static void test_next_prev(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    size_t len = strlen(s), pos = 0;
    assert_int_equal(dp_utf8_next(s, len, &pos), 'a');
    assert_int_equal(dp_utf8_next(s, len, &pos), 0xE9);
    assert_int_equal(dp_utf8_next(s, len, &pos), 0x20AC);
    assert_int_equal(dp_utf8_next(s, len, &pos), 0x1F600);
    assert_int_equal(pos, len);
    assert_int_equal(dp_utf8_prev(s, &pos), 0x1F600);
    assert_int_equal(dp_utf8_prev(s, &pos), 0x20AC);
    assert_int_equal(pos, 3);
    pos = 0;
    assert_int_equal(dp_utf8_next("\xff" "a", 2, &pos), -1);
    assert_int_equal(pos, 1);
}

static void test_encode_count(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(dp_utf8_encode(0x20AC, out), 3);
    assert_memory_equal(out, "\xe2\x82\xac", 3);
    assert_int_equal(dp_utf8_encode(0xD800, out), 0);
    assert_int_equal(dp_utf8_encode(0x110000, out), 0);
    const char *s = "a\xc3\xa9\xf0\x9f\x98\x80";
    assert_int_equal(dp_utf8_count_codepoints(s, strlen(s)), 3);
    assert_int_equal(dp_utf8_count_utf16(s, strlen(s)), 4);
}

static void test_buf(void **state)
{
    (void)state;
    dp_buf_t buf = DP_BUF_INIT;
    assert_int_equal(dp_buf_puts(&buf, "abc"), DP_OK);
    assert_int_equal(dp_buf_printf(&buf, "-%d-", 42), DP_OK);
    assert_int_equal(dp_buf_putc(&buf, '\0'), DP_OK);
    assert_int_equal(buf.len, 8);
    assert_string_equal(buf.data, "abc-42-");
    size_t len;
    char *s = dp_buf_steal(&buf, &len);
    assert_int_equal(len, 8);
    assert_null(buf.data);
    dp_free(s);
    s = dp_buf_steal(&buf, NULL);
    assert_string_equal(s, "");
    dp_free(s);
}

static void test_map(void **state)
{
    (void)state;
    dp_map_t *map = dp_map_new();
    static int values[5000];
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "key%d", i);
        assert_int_equal(dp_map_put(map, key, strlen(key), &values[i]), DP_OK);
    }
    assert_int_equal(dp_map_count(map), 5000);
    assert_ptr_equal(dp_map_get(map, "key4711", 7), &values[4711]);
    assert_null(dp_map_get(map, "nokey", 5));
    size_t iter = 0, n = 0, klen;
    const char *k;
    void *v;
    while (dp_map_next(map, &iter, &k, &klen, &v))
        n++;
    assert_int_equal(n, 5000);
    dp_map_free(map);
    assert_true(dp_hash64("abc", 3) == dp_hash64("abc", 3));
    assert_true(dp_hash64("abc", 3) != dp_hash64("abd", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),      cmocka_unit_test(test_next_prev),
        cmocka_unit_test(test_encode_count), cmocka_unit_test(test_buf),
        cmocka_unit_test(test_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
