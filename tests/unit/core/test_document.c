/* Unit tests of the document model: text, layers and spans (bounds, UTF-8
 * boundaries, sorting), results and their reserved names, interning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "doc_internal.h"
#include "docpipe/docpipe.h"

static dp_doc_t *new_doc(const char *text)
{
    dp_doc_t *doc = dp__doc_new(json_string("b/x.txt"));
    assert_non_null(doc);
    assert_int_equal(dp_doc_set_text(doc, text, strlen(text)), DP_OK);
    return doc;
}

static void test_id_types(void **state)
{
    (void)state;
    dp_doc_t *doc = dp__doc_new(json_integer(42));
    assert_string_equal(dp_doc_id(doc), "42");
    assert_true(json_is_integer(dp_doc_id_json(doc)));
    assert_string_equal(dp_doc_text(doc, NULL), "");
    assert_true(json_is_object(dp_doc_meta(doc)));
    dp__doc_free(doc);
}

static void test_text_refused_after_layers(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("Hello world.");
    assert_int_equal(dp_doc_set_text(doc, "Bye.", 4), DP_OK);
    dp_layer_t *layer = dp_doc_add_layer(doc, "sentence");
    assert_non_null(layer);
    assert_int_equal(dp_doc_set_text(doc, "Again.", 6), DP_ESTATE);
    assert_string_equal(dp_doc_text(doc, NULL), "Bye.");
    dp__doc_free(doc);
}

static void test_invalid_utf8_text_refused(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("ok");
    assert_int_equal(dp_doc_set_text(doc, "caf\xe9", 4), DP_EUTF8);
    assert_int_equal(dp_doc_set_text(doc, "a\0b", 3), DP_OK); /* NUL bytes are text */
    size_t len;
    dp_doc_text(doc, &len);
    assert_int_equal(len, 3);
    dp__doc_free(doc);
}

static void test_span_bounds(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("caf\xc3\xa9 au lait"); /* é is two bytes */
    dp_layer_t *layer = dp_doc_add_layer(doc, "token");
    assert_int_equal(dp_layer_add(layer, 0, 5, "WORD", NULL), DP_OK);
    assert_int_equal(dp_layer_add(layer, 0, 4, "WORD", NULL), DP_EINVAL); /* inside é */
    assert_int_equal(dp_layer_add(layer, 5, 3, NULL, NULL), DP_EINVAL);   /* start > end */
    assert_int_equal(dp_layer_add(layer, 6, 100, NULL, json_object()), DP_EINVAL);
    assert_int_equal(dp_layer_count(layer), 1);
    const dp_span_t *spans = dp_layer_spans(layer);
    assert_ptr_equal(spans[0].label, dp_intern("WORD"));
    dp__doc_free(doc);
}

static void test_layers_by_name(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("a b c");
    dp_layer_t *a = dp_doc_add_layer(doc, "paragraph");
    dp_layer_t *b = dp_doc_add_layer(doc, "sentence");
    assert_ptr_equal(dp_doc_add_layer(doc, "paragraph"), a);
    assert_ptr_equal(dp_doc_layer(doc, "sentence"), b);
    assert_null(dp_doc_layer(doc, "entity"));
    assert_int_equal(dp_doc_layer_count(doc), 2);
    assert_string_equal(dp_layer_name(dp_doc_layer_at(doc, 1)), "sentence");
    assert_int_equal(dp_doc_remove_layer(doc, "paragraph"), DP_OK);
    assert_int_equal(dp_doc_remove_layer(doc, "paragraph"), DP_ENOTFOUND);
    assert_int_equal(dp_doc_layer_count(doc), 1);
    dp__doc_free(doc);
}

static void test_sort_is_stable(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("abcdefghijklmnopqrstuvwxyz");
    dp_layer_t *layer = dp_doc_add_layer(doc, "entity");
    assert_int_equal(dp_layer_add(layer, 5, 7, "B", NULL), DP_OK);
    assert_int_equal(dp_layer_add(layer, 0, 2, "A", NULL), DP_OK);
    assert_int_equal(dp_layer_add(layer, 5, 7, "C", json_integer(1)), DP_OK);
    assert_int_equal(dp_layer_add(layer, 5, 9, "D", NULL), DP_OK);
    dp_layer_sort(layer);
    const dp_span_t *s = dp_layer_spans(layer);
    assert_string_equal(s[0].label, "A");
    assert_string_equal(s[1].label, "D"); /* longer first at the same start */
    assert_string_equal(s[2].label, "B"); /* B before C: the order they were added */
    assert_string_equal(s[3].label, "C");
    assert_int_equal(json_integer_value(s[3].attrs), 1);
    dp_layer_clear(layer);
    assert_int_equal(dp_layer_count(layer), 0);
    dp__doc_free(doc);
}

static void test_many_spans(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("x");
    dp_layer_t *layer = dp_doc_add_layer(doc, "token");
    for (int i = 0; i < 1000000; i++)
        assert_int_equal(dp_layer_add(layer, 0, 1, "T", NULL), DP_OK);
    assert_int_equal(dp_layer_count(layer), 1000000);
    dp__doc_free(doc);
}

static void test_results(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("x");
    assert_int_equal(dp_doc_set_result(doc, "summary", json_object()), DP_OK);
    assert_int_equal(dp_doc_set_result(doc, "keywords", json_array()), DP_OK);
    assert_int_equal(dp_doc_set_result(doc, "text", json_string("no")), DP_EINVAL);
    assert_int_equal(dp_doc_set_result(doc, "meta", json_object()), DP_EINVAL);
    assert_int_equal(json_object_size(dp_doc_results(doc)), 2);
    assert_true(json_is_array(dp_doc_result(doc, "keywords")));
    assert_null(dp_doc_result(doc, "nothing"));
    dp__doc_free(doc);
}

static void test_fail_keeps_first(void **state)
{
    (void)state;
    dp_doc_t *doc = new_doc("x");
    assert_int_equal(dp__doc_state(doc), DP__DOC_OK);
    assert_null(dp__doc_fail_stage(doc));
    dp__doc_fail(doc, "tag", "first");
    dp__doc_fail(doc, "export", "second");
    assert_string_equal(dp__doc_fail_stage(doc), "tag");
    assert_string_equal(dp__doc_fail_message(doc), "first");
    dp__doc_free(doc);
}

static void test_decode_sets_encoding(void **state)
{
    (void)state;
    dp_doc_t *doc = dp__doc_new(json_string("x"));
    unsigned char *raw = dp_malloc(4);
    memcpy(raw, "Caf\xe9", 4);
    dp__doc_take_raw(doc, raw, 4);
    assert_int_equal(dp__doc_decode(doc), DP_OK);
    assert_string_equal(dp_doc_text(doc, NULL), "Caf\xc3\xa9");
    assert_string_equal(dp_doc_source(doc)->encoding, "windows-1252");
    assert_int_equal(dp_doc_source(doc)->bytes, 4);
    dp__doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_types),
        cmocka_unit_test(test_text_refused_after_layers),
        cmocka_unit_test(test_invalid_utf8_text_refused),
        cmocka_unit_test(test_span_bounds),
        cmocka_unit_test(test_layers_by_name),
        cmocka_unit_test(test_sort_is_stable),
        cmocka_unit_test(test_many_spans),
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_fail_keeps_first),
        cmocka_unit_test(test_decode_sets_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
