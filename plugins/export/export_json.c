/* Format "json" (not written yet). */
#include "export.h"

static dp_status json_start(ex_state_t *st)
{
    return ex_fail(st, DP_EINVAL, "format \"json\" is not available yet");
}

static dp_status json_process(ex_state_t *st, dp_doc_t *doc)
{
    (void)doc;
    return ex_fail(st, DP_EINVAL, "format \"json\" is not available yet");
}

static void json_stop(ex_state_t *st)
{
    (void)st;
}

const ex_format_t ex_format_json = {
    .name = "json",
    .start = json_start,
    .process = json_process,
    .stop = json_stop,
};
