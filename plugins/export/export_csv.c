/* Format "csv" (not written yet). */
#include "export.h"

static dp_status csv_start(ex_state_t *st)
{
    return ex_fail(st, DP_EINVAL, "format \"csv\" is not available yet");
}

static dp_status csv_process(ex_state_t *st, dp_doc_t *doc)
{
    (void)doc;
    return ex_fail(st, DP_EINVAL, "format \"csv\" is not available yet");
}

static void csv_stop(ex_state_t *st)
{
    (void)st;
}

const ex_format_t ex_format_csv = {
    .name = "csv",
    .start = csv_start,
    .process = csv_process,
    .stop = csv_stop,
};
