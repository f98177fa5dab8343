/* Fuzz target: the date parser (docpipe/date.h) over arbitrary bytes. The
 * input is not NUL-terminated, so any read past len shows under ASan. The
 * first byte picks a reference date (none, or one), the rest is the text.
 * Checks: spans lie inside the text, parsed fields are in range, and
 * dp_date_format's output re-parses with dp_date_parse_iso. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docpipe/date.h"
#include "fuzz.h"

static void check_date(const dp_date_t *d)
{
    if (d->precision < DP_DATE_NONE || d->precision > DP_DATE_SECOND)
        abort();
    if (d->precision >= DP_DATE_MONTH && (d->month < 1 || d->month > 12))
        abort();
    if (d->precision >= DP_DATE_DAY && (d->day < 1 || d->day > 31))
        abort();
    if (d->precision >= DP_DATE_MINUTE &&
        (d->hour < 0 || d->hour > 23 || d->minute < 0 || d->minute > 59))
        abort();
    char iso[64];
    size_t n = dp_date_format(d, iso, sizeof iso);
    if (n >= 32 || (n == 0 && d->precision != DP_DATE_NONE) || strlen(iso) != n)
        abort();
    dp_date_t back;
    if (n && dp_date_parse_iso(iso, n, &back) != DP_OK) {
        fprintf(stderr, "fuzz_date: \"%s\" does not parse back\n", iso);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    dp_date_t ref = {0};
    const dp_date_t *refp = NULL;
    if (data[0] & 1) {
        ref.year = 2020 + (data[0] >> 4);
        ref.month = 1 + (data[0] >> 1) % 12;
        ref.day = 1 + data[0] % 28;
        ref.precision = DP_DATE_DAY;
        refp = &ref;
    }
    size_t len = size - 1;
    /* An exact-size copy of the text, so a read past its end is caught. */
    char *s = malloc(len ? len : 1);
    if (!s)
        return 0;
    if (len)
        memcpy(s, data + 1, len);

    dp_date_t d;
    size_t consumed = 0;
    if (dp_date_parse(s, len, refp, &d, &consumed) == DP_OK) {
        if (consumed == 0 || consumed > len)
            abort();
        check_date(&d);
    }
    size_t start = 0, end = 0;
    if (dp_date_find(s, len, refp, &d, &start, &end) == DP_OK) {
        if (start >= end || end > len)
            abort();
        check_date(&d);
    }
    if (dp_date_parse_iso(s, len, &d) == DP_OK)
        check_date(&d);
    free(s);
    return 0;
}
