/* The bounded FIFO and the reorder buffer (queue.h), both plain mutex and
 * condition-variable structures. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "docpipe/alloc.h"
#include "queue.h"

/* ---- FIFO ------------------------------------------------------------- */

typedef struct queue_slot {
    void *item;
    size_t bytes;
} queue_slot_t;

struct dp__queue {
    pthread_mutex_t lock;
    pthread_cond_t not_full;
    pthread_cond_t not_empty;
    queue_slot_t *slots;
    size_t cap, head, count;
    size_t bytes, max_bytes;
    bool closed, aborted;
};

dp__queue_t *dp__queue_new(size_t max_items, size_t max_bytes)
{
    dp__queue_t *q = dp_calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->cap = max_items ? max_items : 1;
    q->slots = dp_calloc(q->cap, sizeof *q->slots);
    if (!q->slots) {
        dp_free(q);
        return NULL;
    }
    q->max_bytes = max_bytes;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_full, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    return q;
}

void dp__queue_free(dp__queue_t *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    dp_free(q->slots);
    dp_free(q);
}

dp_status dp__queue_push(dp__queue_t *q, void *item, size_t bytes)
{
    pthread_mutex_lock(&q->lock);
    while (!q->aborted &&
           (q->count == q->cap || (q->count > 0 && q->bytes + bytes > q->max_bytes)))
        pthread_cond_wait(&q->not_full, &q->lock);
    if (q->aborted) {
        pthread_mutex_unlock(&q->lock);
        return DP_EINTR;
    }
    q->slots[(q->head + q->count) % q->cap] = (queue_slot_t){item, bytes};
    q->count++;
    q->bytes += bytes;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    return DP_OK;
}

void *dp__queue_pop(dp__queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    while (!q->aborted && !q->closed && q->count == 0)
        pthread_cond_wait(&q->not_empty, &q->lock);
    void *item = NULL;
    if (!q->aborted && q->count > 0) {
        queue_slot_t slot = q->slots[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        q->bytes -= slot.bytes;
        item = slot.item;
        pthread_cond_broadcast(&q->not_full);
    }
    pthread_mutex_unlock(&q->lock);
    return item;
}

void dp__queue_close(dp__queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

void dp__queue_abort(dp__queue_t *q, void (*drop)(void *item))
{
    pthread_mutex_lock(&q->lock);
    q->aborted = true;
    while (q->count > 0) {
        if (drop)
            drop(q->slots[q->head].item);
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
    q->bytes = 0;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

/* ---- reorder buffer ------------------------------------------------------ */

struct dp__reorder {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    queue_slot_t *slots; /* indexed by seq % cap */
    bool *filled;
    size_t cap;          /* > max_items, so waiting numbers never collide */
    size_t max_items, max_bytes;
    size_t count, bytes;
    uint64_t next;
    bool aborted;
};

dp__reorder_t *dp__reorder_new(size_t max_items, size_t max_bytes)
{
    dp__reorder_t *r = dp_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->max_items = max_items ? max_items : 1;
    r->max_bytes = max_bytes;
    r->cap = r->max_items + 1;
    r->slots = dp_calloc(r->cap, sizeof *r->slots);
    r->filled = dp_calloc(r->cap, sizeof *r->filled);
    if (!r->slots || !r->filled) {
        dp__reorder_free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    return r;
}

void dp__reorder_free(dp__reorder_t *r)
{
    if (!r)
        return;
    if (r->slots && r->filled) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->changed);
    }
    dp_free(r->slots);
    dp_free(r->filled);
    dp_free(r);
}

dp_status dp__reorder_put(dp__reorder_t *r, uint64_t seq, void *item, size_t bytes)
{
    pthread_mutex_lock(&r->lock);
    /* Numbers further ahead than the slots reach must wait too, whatever the
     * bounds say, or two numbers would share a slot. */
    while (!r->aborted && seq != r->next &&
           (seq - r->next >= r->cap || r->count >= r->max_items || r->bytes + bytes > r->max_bytes))
        pthread_cond_wait(&r->changed, &r->lock);
    if (r->aborted) {
        pthread_mutex_unlock(&r->lock);
        return DP_EINTR;
    }
    size_t i = (size_t)(seq % r->cap);
    r->slots[i] = (queue_slot_t){item, bytes};
    r->filled[i] = true;
    r->count++;
    r->bytes += bytes;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    return DP_OK;
}

void *dp__reorder_take(dp__reorder_t *r, int timeout_ms, bool *aborted)
{
    struct timespec deadline;
    if (timeout_ms >= 0) {
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    void *item = NULL;
    pthread_mutex_lock(&r->lock);
    size_t i = (size_t)(r->next % r->cap);
    while (!r->aborted && !r->filled[i]) {
        if (timeout_ms < 0)
            pthread_cond_wait(&r->changed, &r->lock);
        else if (pthread_cond_timedwait(&r->changed, &r->lock, &deadline) == ETIMEDOUT)
            break;
    }
    if (aborted)
        *aborted = r->aborted;
    if (!r->aborted && r->filled[i]) {
        item = r->slots[i].item;
        r->bytes -= r->slots[i].bytes;
        r->filled[i] = false;
        r->count--;
        r->next++;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    return item;
}

void dp__reorder_abort(dp__reorder_t *r, void (*drop)(void *item))
{
    pthread_mutex_lock(&r->lock);
    r->aborted = true;
    for (size_t i = 0; i < r->cap; i++) {
        if (r->filled[i] && drop)
            drop(r->slots[i].item);
        r->filled[i] = false;
    }
    r->count = 0;
    r->bytes = 0;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

size_t dp__reorder_waiting(dp__reorder_t *r, size_t *bytes)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->count;
    if (bytes)
        *bytes = r->bytes;
    pthread_mutex_unlock(&r->lock);
    return n;
}
