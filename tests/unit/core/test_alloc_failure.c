/* The allocation-failure test: the allocation hook fails the N-th
 * allocation, for every N until the work succeeds, over config loading,
 * option validation and building a document with layers and results. Each
 * attempt must end in an error status (or success), never a crash or a
 * leak (the sanitizer build checks the leaks). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "doc_internal.h"
#include "docpipe/docpipe.h"
#include "options.h"

static long countdown = -1; /* allocations left before one fails; -1: never */
static long failures;

static void *failing_malloc(size_t size)
{
    if (countdown == 0) {
        failures++;
        return NULL;
    }
    if (countdown > 0)
        countdown--;
    return malloc(size);
}

static void *failing_realloc(void *ptr, size_t size)
{
    if (countdown == 0) {
        failures++;
        return NULL;
    }
    if (countdown > 0)
        countdown--;
    return realloc(ptr, size);
}

static char config_path[] = "/tmp/docpipe-test-alloc-XXXXXX";

static const dp_option_spec_t specs[] = {
    {"format", DP_OPT_STRING, "\"jsonl\"", "format", "jsonl|csv", 0, 0, 0},
    {"layers", DP_OPT_STRING_LIST, "[\"sentence\", \"entity\"]", "layers", NULL, 0, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0, 0},
};

/* The work under test; returns DP_OK only when every step succeeded. */
static dp_status work(void)
{
    dp_status rc;
    dp_buf_t err = DP_BUF_INIT;
    dp__config_t *cfg = NULL;
    json_t *filled = NULL;
    dp_doc_t *doc = NULL;

    rc = dp__config_load(config_path, &cfg, &err);
    if (rc != DP_OK)
        goto done;
    rc = dp__config_apply_set(cfg, "export.format=\"csv\"", &err);
    if (rc != DP_OK)
        goto done;
    rc = dp__options_validate(specs, cfg->stages[0].options, "stages[0].options", &filled, &err);
    if (rc != DP_OK)
        goto done;
    doc = dp__doc_new(json_string("bundle/entry.txt"));
    rc = DP_ENOMEM;
    if (!doc)
        goto done;
    unsigned char *raw = dp_malloc(12);
    if (!raw)
        goto done;
    memcpy(raw, "Caf\xe9 au lait", 12);
    dp__doc_take_raw(doc, raw, 12);
    if ((rc = dp__doc_decode(doc)) != DP_OK)
        goto done;
    dp_layer_t *layer = dp_doc_add_layer(doc, "token");
    rc = DP_ENOMEM;
    if (!layer)
        goto done;
    for (size_t i = 0; i < 40; i++)
        if ((rc = dp_layer_add(layer, 0, 3, "WORD", json_pack("{s:i}", "n", (int)i))) != DP_OK)
            goto done;
    if ((rc = dp_doc_set_result(doc, "summary", json_pack("{s:[i]}", "sentences", 0))) != DP_OK)
        goto done;
    rc = DP_OK;
done:
    dp__doc_free(doc);
    json_decref(filled);
    dp__config_free(cfg);
    dp_buf_free(&err);
    return rc;
}

static void test_every_allocation_can_fail(void **state)
{
    (void)state;
    dp_set_allocator(failing_malloc, failing_realloc, free);
    long n;
    dp_status rc = DP_ENOMEM;
    for (n = 0; n < 100000; n++) {
        countdown = n;
        failures = 0;
        rc = work();
        if (failures == 0)
            break; /* nothing failed: the work is done */
        assert_int_not_equal(rc, DP_OK);
    }
    countdown = -1;
    dp_set_allocator(NULL, NULL, NULL);
    assert_int_equal(rc, DP_OK);
    assert_true(n > 20); /* the work really allocates; each point was tried */
    printf("allocation failure test: %ld allocation points each failed once, all handled\n", n);
}

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(config_path);
    if (fd < 0)
        return -1;
    const char *text = "{\"stages\": [{\"plugin\": \"export\", \"options\": {\"layers\": [\"token\"]}}]}";
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(config_path);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_can_fail),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
