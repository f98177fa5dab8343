/* The bounded FIFO between the reader thread and the workers, and the
 * reorder buffer between the workers and the ordered stages. Both are
 * bounded in items and in bytes, so memory stays bounded by the documents in
 * flight, never by the size of a bundle. */
#ifndef DOCPIPE_CORE_QUEUE_H
#define DOCPIPE_CORE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docpipe/status.h"

/* ---- FIFO ------------------------------------------------------------- */

typedef struct dp__queue dp__queue_t;

/* A queue holding at most max_items items and (beyond the first item) at
 * most max_bytes bytes. NULL on allocation failure. */
dp__queue_t *dp__queue_new(size_t max_items, size_t max_bytes);
void dp__queue_free(dp__queue_t *q);

/* Batching: a waiting consumer is woken only once batch items wait (or the
 * queue is full, or an urgent item comes), and otherwise picks items up
 * after at most linger_ms. One wake-up per batch instead of one per
 * document saves a context switch per document; linger_ms bounds the
 * latency a streaming filter sees. Default: batch 1 (wake on every push). */
void dp__queue_set_batch(dp__queue_t *q, size_t batch, int linger_ms);

/* Appends item, blocking while the queue is full. An item heavier than
 * max_bytes is still accepted once the queue is empty. urgent wakes a
 * consumer at once (bundle ends, the end of input). DP_EINTR when the
 * queue was aborted (the item is not taken). */
dp_status dp__queue_push(dp__queue_t *q, void *item, size_t bytes, bool urgent);

/* Removes the oldest item, blocking while the queue is empty. NULL once the
 * queue is closed and empty, or aborted. */
void *dp__queue_pop(dp__queue_t *q);

/* No more pushes: poppers drain what is left, then get NULL. */
void dp__queue_close(dp__queue_t *q);

/* Wakes everybody; pushes fail and pops return NULL from now on. Items
 * still inside are handed to drop (which frees them). */
void dp__queue_abort(dp__queue_t *q, void (*drop)(void *item));

/* ---- reorder buffer ------------------------------------------------------ */

typedef struct dp__reorder dp__reorder_t;

/* Items carry sequence numbers 0, 1, 2...; every number must be put exactly
 * once (failed and filtered documents too, so the sequence never stalls).
 * At most max_items items and max_bytes bytes wait inside; the item whose
 * number is next is always accepted, so the buffer cannot deadlock. */
dp__reorder_t *dp__reorder_new(size_t max_items, size_t max_bytes);
void dp__reorder_free(dp__reorder_t *r);

/* Wake the taker only once batch consecutive numbers from the next one are
 * in (or an urgent item is); the taker's time-out picks up the rest. */
void dp__reorder_set_batch(dp__reorder_t *r, size_t batch);

/* Inserts item number seq, blocking while the buffer is over a bound and
 * seq is not the next number. urgent wakes the taker as soon as the item is
 * next. DP_EINTR when aborted (item not taken). */
dp_status dp__reorder_put(dp__reorder_t *r, uint64_t seq, void *item, size_t bytes, bool urgent);

/* Takes the item with the next number, waiting at most timeout_ms for it
 * (negative: forever). Returns it, or NULL on time-out or abort (*aborted
 * tells which, when not NULL). */
void *dp__reorder_take(dp__reorder_t *r, int timeout_ms, bool *aborted);

/* Wakes everybody; puts fail from now on; items inside go to drop. */
void dp__reorder_abort(dp__reorder_t *r, void (*drop)(void *item));

/* Items and bytes waiting now (for tests and the progress line). */
size_t dp__reorder_waiting(dp__reorder_t *r, size_t *bytes);

#endif
