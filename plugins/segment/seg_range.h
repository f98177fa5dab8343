/* A growable array of byte ranges: what the paragraph, sentence and token
 * splitters hand back. One per worker, cleared and reused for every
 * document, so steady state allocates nothing. */
#ifndef DOCPIPE_SEG_RANGE_H
#define DOCPIPE_SEG_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "docpipe/alloc.h"
#include "docpipe/status.h"

typedef struct seg_range {
    size_t start;
    size_t end;
    uint32_t kind; /* paragraph kind, token kind, or 0 */
} seg_range_t;

typedef struct seg_ranges {
    seg_range_t *v; /* owned; free with seg_ranges_free */
    size_t n;
    size_t cap;
} seg_ranges_t;

#define SEG_RANGES_INIT {NULL, 0, 0}

static inline dp_status seg_ranges_push(seg_ranges_t *r, size_t start, size_t end, uint32_t kind)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 64;
        seg_range_t *nv = dp_realloc(r->v, ncap * sizeof *nv);
        if (!nv)
            return DP_ENOMEM;
        r->v = nv;
        r->cap = ncap;
    }
    r->v[r->n].start = start;
    r->v[r->n].end = end;
    r->v[r->n].kind = kind;
    r->n++;
    return DP_OK;
}

static inline void seg_ranges_free(seg_ranges_t *r)
{
    dp_free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

#endif
