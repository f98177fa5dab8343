/* The bounded FIFO and the reorder buffer (queue.h), both plain mutex and
 * condition-variable structures. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "docpipe/alloc.h"
#include "queue.h"

/* Timed waits measure against the monotonic clock, so a change of the
 * wall clock can neither stretch nor cut them. */
static void init_monotonic_cond(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* ---- FIFO ------------------------------------------------------------- */

typedef struct queue_slot {
    void *item;
    size_t bytes;
} queue_slot_t;

struct dp__queue {
    pthread_mutex_t lock;
    size_t push_waiters; /* wake pushers only when one waits */
    size_t batch;        /* wake a popper once this many items wait */
    int linger_ms;       /* a popper looks again after this long anyway */
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
    q->batch = 1;
    pthread_mutex_init(&q->lock, NULL);
    init_monotonic_cond(&q->not_full);
    init_monotonic_cond(&q->not_empty);
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

void dp__queue_set_batch(dp__queue_t *q, size_t batch, int linger_ms)
{
    pthread_mutex_lock(&q->lock);
    q->batch = batch < 1 ? 1 : batch > q->cap ? q->cap : batch;
    q->linger_ms = linger_ms < 1 ? 1 : linger_ms;
    pthread_mutex_unlock(&q->lock);
}

/* An absolute time ms milliseconds from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

dp_status dp__queue_push(dp__queue_t *q, void *item, size_t bytes, bool urgent)
{
    pthread_mutex_lock(&q->lock);
    while (!q->aborted &&
           (q->count == q->cap || (q->count > 0 && q->bytes + bytes > q->max_bytes))) {
        q->push_waiters++;
        pthread_cond_wait(&q->not_full, &q->lock);
        q->push_waiters--;
    }
    if (q->aborted) {
        pthread_mutex_unlock(&q->lock);
        return DP_EINTR;
    }
    q->slots[(q->head + q->count) % q->cap] = (queue_slot_t){item, bytes};
    q->count++;
    q->bytes += bytes;
    if (urgent || q->count >= q->batch || q->count == q->cap || q->bytes >= q->max_bytes)
        pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    return DP_OK;
}

void *dp__queue_pop(dp__queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    while (!q->aborted && !q->closed && q->count == 0) {
        if (q->batch > 1) {
            struct timespec t = deadline_in(q->linger_ms);
            pthread_cond_timedwait(&q->not_empty, &q->lock, &t);
        } else {
            pthread_cond_wait(&q->not_empty, &q->lock);
        }
    }
    void *item = NULL;
    if (!q->aborted && q->count > 0) {
        queue_slot_t slot = q->slots[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        q->bytes -= slot.bytes;
        item = slot.item;
        /* Hysteresis: a blocked producer is woken once the queue has drained
         * to half, not for every item taken, or a slow consumer and the
         * producer would switch places once per document. */
        if (q->push_waiters > 0 && q->count <= q->cap / 2 && q->bytes <= q->max_bytes / 2)
            pthread_cond_broadcast(&q->not_full);
        /* More waiting: let another idle consumer start on them now rather
         * than after its linger. */
        if (q->count > 0 && q->batch > 1)
            pthread_cond_signal(&q->not_empty);
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
    /* Two conditions, so a put wakes the taker only when it brings the next
     * number, and a take wakes putters only when one is waiting: each wake
     * is a context switch, and there is one hand-off per document. */
    pthread_cond_t next_ready;
    pthread_cond_t room;
    size_t room_waiters;
    size_t batch; /* wake the taker once this many numbers from next are in */
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
    r->batch = 1;
    r->slots = dp_calloc(r->cap, sizeof *r->slots);
    r->filled = dp_calloc(r->cap, sizeof *r->filled);
    if (!r->slots || !r->filled) {
        dp__reorder_free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    init_monotonic_cond(&r->next_ready);
    init_monotonic_cond(&r->room);
    return r;
}

void dp__reorder_free(dp__reorder_t *r)
{
    if (!r)
        return;
    if (r->slots && r->filled) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->next_ready);
        pthread_cond_destroy(&r->room);
    }
    dp_free(r->slots);
    dp_free(r->filled);
    dp_free(r);
}

void dp__reorder_set_batch(dp__reorder_t *r, size_t batch)
{
    pthread_mutex_lock(&r->lock);
    r->batch = batch < 1 ? 1 : batch > r->max_items ? r->max_items : batch;
    pthread_mutex_unlock(&r->lock);
}

/* How many consecutive numbers from next are in, counting at most limit. */
static size_t ready_run(const dp__reorder_t *r, size_t limit)
{
    size_t n = 0;
    while (n < limit && n < r->cap && r->filled[(size_t)((r->next + n) % r->cap)])
        n++;
    return n;
}

dp_status dp__reorder_put(dp__reorder_t *r, uint64_t seq, void *item, size_t bytes, bool urgent)
{
    pthread_mutex_lock(&r->lock);
    /* Numbers further ahead than the slots reach must wait too, whatever the
     * bounds say, or two numbers would share a slot. */
    while (!r->aborted && seq != r->next &&
           (seq - r->next >= r->cap || r->count >= r->max_items || r->bytes + bytes > r->max_bytes)) {
        r->room_waiters++;
        pthread_cond_wait(&r->room, &r->lock);
        r->room_waiters--;
    }
    if (r->aborted) {
        pthread_mutex_unlock(&r->lock);
        return DP_EINTR;
    }
    size_t i = (size_t)(seq % r->cap);
    r->slots[i] = (queue_slot_t){item, bytes};
    r->filled[i] = true;
    r->count++;
    r->bytes += bytes;
    /* Wake the taker when this item completes a batch from next; an item
     * that lands before next simply waits for the run to grow. */
    if ((urgent && seq == r->next) || ready_run(r, r->batch) >= r->batch ||
        r->count >= r->max_items || r->bytes >= r->max_bytes)
        pthread_cond_signal(&r->next_ready);
    pthread_mutex_unlock(&r->lock);
    return DP_OK;
}

void *dp__reorder_take(dp__reorder_t *r, int timeout_ms, bool *aborted)
{
    struct timespec deadline;
    if (timeout_ms >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
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
            pthread_cond_wait(&r->next_ready, &r->lock);
        else if (pthread_cond_timedwait(&r->next_ready, &r->lock, &deadline) == ETIMEDOUT)
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
        /* Wake blocked putters once the buffer has drained to half, and
         * always when the new next number is missing: its holder may be
         * among them, waiting for a turn it now has. */
        if (r->room_waiters > 0 &&
            ((r->count <= r->max_items / 2 && r->bytes <= r->max_bytes / 2) ||
             !r->filled[(size_t)(r->next % r->cap)]))
            pthread_cond_broadcast(&r->room);
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
    pthread_cond_broadcast(&r->next_ready);
    pthread_cond_broadcast(&r->room);
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
