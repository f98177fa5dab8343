/* Helpers shared by the unit tests of the normalise plugin: run one step of
 * nz.h on a C string and compare, or run the whole plugin (its descriptor,
 * linked in) on a document built in memory. */
#ifndef NZ_TEST_H
#define NZ_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "docpipe/plugin.h"
#include "host_internal.h"
#include "nz.h"

extern const dp_plugin_t docpipe_plugin;

/* The plugin with its default options plus overrides (JSON text or NULL),
 * data from configs/ of the source tree (tests run from the source root). */
typedef struct nz_plugin_fixture {
    dp_host_t *host;
    json_t *options;
    void *state;
} nz_fx_t;

static inline void nz_fx_init(nz_fx_t *fx, const char *overrides)
{
    fx->options = json_object();
    for (const dp_option_spec_t *o = docpipe_plugin.options; o->name; o++)
        json_object_set_new(fx->options, o->name, json_loads(o->default_json, JSON_DECODE_ANY, NULL));
    if (overrides) {
        json_t *over = json_loads(overrides, 0, NULL);
        assert_non_null(over);
        json_object_update(fx->options, over);
        json_decref(over);
    }
    fx->host = dp__host_new("normalise", "configs", "configs", NULL, 0);
    assert_non_null(fx->host);
    assert_int_equal(docpipe_plugin.init(fx->options, fx->host, &fx->state), DP_OK);
}

static inline void nz_fx_fini(nz_fx_t *fx)
{
    docpipe_plugin.fini(fx->state);
    dp__host_free(fx->host);
    json_decref(fx->options);
}

/* Runs the plugin on text[0..len); returns the new text (caller frees with
 * dp_free), its length in *out_len, and the document's meta (a new
 * reference) in *meta when meta is not NULL. */
static inline char *nz_fx_run(nz_fx_t *fx, const char *text, size_t len, size_t *out_len,
                              json_t **meta)
{
    dp_doc_t *doc = dp__doc_new(json_string("t"));
    assert_non_null(doc);
    assert_int_equal(dp__doc_set_source(doc, "test", NULL, 0), DP_OK);
    assert_int_equal(dp_doc_set_text(doc, text, len), DP_OK);
    assert_int_equal(docpipe_plugin.process(fx->state, NULL, doc), DP_OK);
    size_t n;
    const char *t = dp_doc_text(doc, &n);
    char *copy = dp_malloc(n + 1);
    memcpy(copy, t, n + 1);
    if (out_len)
        *out_len = n;
    if (meta)
        *meta = json_incref(dp_doc_meta(doc));
    dp__doc_free(doc);
    return copy;
}

/* The plugin's output for a C string, compared with expected. */
static inline void nz_fx_expect(nz_fx_t *fx, const char *in, const char *expected)
{
    size_t n;
    char *out = nz_fx_run(fx, in, strlen(in), &n, NULL);
    assert_string_equal(out, expected);
    dp_free(out);
}

#endif
