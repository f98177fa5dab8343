/* Unit tests of the bounded queue and the reorder buffer: input order is
 * restored whatever order workers finish in, bounds hold, the next number is
 * always accepted (no deadlock), and abort wakes everybody. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "queue.h"

static void test_reorder_in_order(void **state)
{
    (void)state;
    dp__reorder_t *r = dp__reorder_new(8, 1 << 20);
    static int items[5];
    /* put 2, 0, 1 (out of order); takes come back 0, 1, 2 */
    assert_int_equal(dp__reorder_put(r, 2, &items[2], 10, false), 0);
    assert_null(dp__reorder_take(r, 0, NULL)); /* 0 not there yet */
    assert_int_equal(dp__reorder_put(r, 0, &items[0], 10, false), 0);
    assert_int_equal(dp__reorder_put(r, 1, &items[1], 10, false), 0);
    size_t bytes;
    assert_int_equal(dp__reorder_waiting(r, &bytes), 3);
    assert_int_equal(bytes, 30);
    assert_ptr_equal(dp__reorder_take(r, 0, NULL), &items[0]);
    assert_ptr_equal(dp__reorder_take(r, 0, NULL), &items[1]);
    assert_ptr_equal(dp__reorder_take(r, 0, NULL), &items[2]);
    assert_int_equal(dp__reorder_waiting(r, &bytes), 0);
    dp__reorder_free(r);
}

static void test_next_always_accepted(void **state)
{
    (void)state;
    /* Bounded to 100 bytes: a 1000-byte item that is next still goes in. */
    dp__reorder_t *r = dp__reorder_new(2, 100);
    static int item;
    assert_int_equal(dp__reorder_put(r, 0, &item, 1000, false), 0);
    assert_ptr_equal(dp__reorder_take(r, -1, NULL), &item);
    dp__reorder_free(r);
}

typedef struct stress {
    dp__queue_t *queue;
    dp__reorder_t *reorder;
    uintptr_t *items;
} stress_t;

static void *worker(void *arg)
{
    stress_t *s = arg;
    uintptr_t *item;
    unsigned seed = (unsigned)(uintptr_t)pthread_self();
    while ((item = dp__queue_pop(s->queue)) != NULL) {
        /* finish in a random order */
        struct timespec ts = {0, (long)(rand_r(&seed) % 50) * 1000L};
        nanosleep(&ts, NULL);
        assert_int_equal(dp__reorder_put(s->reorder, *item, item, 64, false), 0);
    }
    return NULL;
}

enum { N = 20000, THREADS = 4 };

static void *pusher(void *arg)
{
    stress_t *s = arg;
    uintptr_t *items = s->items;
    for (uintptr_t i = 0; i < N; i++) {
        items[i] = i;
        assert_int_equal(dp__queue_push(s->queue, &items[i], 64, false), 0);
    }
    dp__queue_close(s->queue);
    return NULL;
}

static void test_stress_many_threads(void **state)
{
    (void)state;
    /* The same shape as a run: a reader pushes, workers finish in random
     * order, this thread takes in order. */
    stress_t s = {dp__queue_new(6, 1024), dp__reorder_new(10, 256), calloc(N, sizeof(uintptr_t))};
    pthread_t threads[THREADS], push;
    pthread_create(&push, NULL, pusher, &s);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, worker, &s);
    for (uintptr_t taken = 0; taken < N; taken++) {
        uintptr_t *got = dp__reorder_take(s.reorder, 5000, NULL);
        assert_non_null(got);
        assert_int_equal(*got, taken);
        size_t bytes;
        /* the bounds, plus the one next item that is always let in */
        assert_true(dp__reorder_waiting(s.reorder, &bytes) <= 11);
    }
    pthread_join(push, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    dp__queue_free(s.queue);
    dp__reorder_free(s.reorder);
    free(s.items);
}

static int dropped;
static void drop(void *item)
{
    (void)item;
    dropped++;
}

static void *blocked_put(void *arg)
{
    dp__reorder_t *r = arg;
    static int item;
    /* seq 5 while 0 is missing and the buffer is full: blocks until abort */
    return (void *)(intptr_t)dp__reorder_put(r, 5, &item, 1, false);
}

static void test_abort_wakes(void **state)
{
    (void)state;
    dp__reorder_t *r = dp__reorder_new(1, 1000);
    static int a;
    assert_int_equal(dp__reorder_put(r, 1, &a, 1, false), 0);
    pthread_t t;
    pthread_create(&t, NULL, blocked_put, r);
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
    dropped = 0;
    dp__reorder_abort(r, drop);
    void *ret;
    pthread_join(t, &ret);
    assert_int_equal((int)(intptr_t)ret, -11); /* DP_EINTR */
    assert_int_equal(dropped, 1);
    bool aborted = false;
    assert_null(dp__reorder_take(r, -1, &aborted));
    assert_true(aborted);
    dp__reorder_free(r);

    dp__queue_t *q = dp__queue_new(2, 100);
    assert_int_equal(dp__queue_push(q, &a, 1, false), 0);
    dropped = 0;
    dp__queue_abort(q, drop);
    assert_int_equal(dropped, 1);
    assert_null(dp__queue_pop(q));
    assert_int_equal(dp__queue_push(q, &a, 1, false), -11);
    dp__queue_free(q);
}

static void test_queue_fifo_close(void **state)
{
    (void)state;
    dp__queue_t *q = dp__queue_new(4, 1000);
    static int a, b;
    assert_int_equal(dp__queue_push(q, &a, 10, false), 0);
    assert_ptr_equal(dp__queue_pop(q), &a);
    /* heavier than the bound: accepted because the queue is empty */
    assert_int_equal(dp__queue_push(q, &b, 5000, false), 0);
    dp__queue_close(q);
    assert_ptr_equal(dp__queue_pop(q), &b);
    assert_null(dp__queue_pop(q));
    dp__queue_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reorder_in_order),   cmocka_unit_test(test_next_always_accepted),
        cmocka_unit_test(test_stress_many_threads), cmocka_unit_test(test_abort_wakes),
        cmocka_unit_test(test_queue_fifo_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
