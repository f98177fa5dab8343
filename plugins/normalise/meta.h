/* Title and date of a release (meta.title, meta.date) read from the top of
 * its normalised text, and the lines that only carry that date.
 *
 * For the normalise engineer: call nz_meta_extract on the text after clean-up
 * and unwrapping (one paragraph a line, blank lines between paragraphs; NBSP
 * may still be there, it is read as a space), with the document's mtime as
 * ref (or NULL), then remove the drop ranges (nz_drop_ranges in nz.h takes
 * them as they are), write meta.title and meta.date (dp_date_format), and
 * free with nz_meta_free. Pure function: thread-safe, no state, no data
 * files. */
#ifndef NZ_META_H
#define NZ_META_H

#include <stdbool.h>
#include <stddef.h>

#include "docpipe/date.h"
#include "docpipe/status.h"

enum { NZ_META_MAX_DROP = 8 };

typedef struct nz_meta {
    char *title;  /* the heading (first paragraph), white space collapsed;
                     dp_malloc'd, freed by nz_meta_free; NULL when the text
                     starts with body text or is empty */
    dp_date_t date;   /* valid when has_date */
    bool has_date;
    /* Whole lines to remove, sorted, not overlapping: [drop_start, drop_end)
     * runs from the first byte of a line to the byte after its last
     * character (its '\n' is not included). These are lines that only carry
     * the date ("Published: Sep 16, 2022 09:23 AM", "26.06.2020 17:38") and a
     * title repeated with a timestamp ("Title<NBSP>16.10.2020 16:57"). The
     * title line itself is never in them. */
    size_t drop_start[NZ_META_MAX_DROP], drop_end[NZ_META_MAX_DROP];
    size_t n_drop;
} nz_meta_t;

/* Reads the title and the publication date from the top of text[0..len).
 * meta.date comes only from the title block (the first paragraph, when it is
 * short enough to be a heading), a dateline at the start of a body paragraph
 * ("MOSCOW, June 26 —", "NEW YORK, June 26, 2020 /PRNewswire/ --"), or a
 * date line near the top ("Published: ...", "Posted on ...", "Updated:
 * ..."); a publication date wins over an "Updated" one; a date inside a body
 * sentence never counts. ref is the document's mtime (borrowed, may be
 * NULL): it gives year-less datelines their year. Fills *out (zeroed first);
 * returns DP_OK, DP_EINVAL for NULL arguments or DP_ENOMEM. */
dp_status nz_meta_extract(const char *text, size_t len, const dp_date_t *ref, nz_meta_t *out);

/* Frees what nz_meta_extract allocated (the title); m itself is the
 * caller's. NULL is a no-op. */
void nz_meta_free(nz_meta_t *m);

#endif
