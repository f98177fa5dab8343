/* Format "sqlite" (not written yet). */
#include "export.h"

static dp_status sqlite_start(ex_state_t *st)
{
    return ex_fail(st, DP_EINVAL, "format \"sqlite\" is not available yet");
}

static dp_status sqlite_process(ex_state_t *st, dp_doc_t *doc)
{
    (void)doc;
    return ex_fail(st, DP_EINVAL, "format \"sqlite\" is not available yet");
}

static void sqlite_stop(ex_state_t *st)
{
    (void)st;
}

const ex_format_t ex_format_sqlite = {
    .name = "sqlite",
    .start = sqlite_start,
    .process = sqlite_process,
    .stop = sqlite_stop,
};
