/* The date parser that normalise (meta.date) and tag (DATE values) share.
 * It reads the date styles press releases use and returns a broken-down date
 * with its precision, which dp_date_format turns into ISO 8601. All functions
 * are pure and thread-safe. */
#ifndef DOCPIPE_DATE_H
#define DOCPIPE_DATE_H

#include <stdbool.h>
#include <stddef.h>

#include "docpipe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How much of a date is known. */
typedef enum dp_date_precision {
    DP_DATE_NONE = 0,
    DP_DATE_YEAR = 1,
    DP_DATE_MONTH = 2,
    DP_DATE_DAY = 3,
    DP_DATE_MINUTE = 4, /* date and HH:MM */
    DP_DATE_SECOND = 5  /* date and HH:MM:SS */
} dp_date_precision_t;

typedef struct dp_date {
    int year, month, day;      /* month and day 1-based; 0 when unknown */
    int hour, minute, second;  /* valid when precision >= DP_DATE_MINUTE */
    int tz_offset_minutes;     /* valid when has_tz: minutes east of UTC */
    bool has_tz;               /* the text gave a numeric offset, Z, UTC/GMT or a known zone */
    dp_date_precision_t precision;
} dp_date_t;

/* Parses one date that starts at s[0] (leading spaces allowed). ref, when
 * not NULL and ref->year != 0, is the document's date (its mtime): it gives a
 * year to year-less dates ("June 26") and anchors relative ones. On success
 * fills *out, sets *consumed to the bytes read and returns DP_OK; returns
 * DP_EFORMAT when s does not start with a date. */
dp_status dp_date_parse(const char *s, size_t len, const dp_date_t *ref, dp_date_t *out,
                        size_t *consumed);

/* Finds the first date inside s[0..len) (a word boundary before it) and
 * returns its byte span in *start, *end. DP_ENOTFOUND when there is none.
 * Numbers that only look like dates (versions "2.10.3", phone numbers,
 * "41.2 million") are not dates. */
dp_status dp_date_find(const char *s, size_t len, const dp_date_t *ref, dp_date_t *out,
                       size_t *start, size_t *end);

/* Writes d as ISO 8601 at its precision: "2020", "2020-06", "2020-06-26",
 * "2020-06-26T16:57", "2020-06-26T16:57:03", plus "Z" or "+03:00" when has_tz.
 * Returns the length written (out is NUL-terminated; 32 bytes always
 * suffice), or 0 when d has no precision. */
size_t dp_date_format(const dp_date_t *d, char *out, size_t cap);

/* Parses an ISO 8601 date or date-time ("2020-06-30", "2020-06-30T12:00:00Z").
 * DP_EFORMAT when s is not exactly one such value. */
dp_status dp_date_parse_iso(const char *s, size_t len, dp_date_t *out);

#ifdef __cplusplus
}
#endif
#endif
