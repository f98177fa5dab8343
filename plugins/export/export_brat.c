/* Format "brat" (not written yet). */
#include "export.h"

static dp_status brat_start(ex_state_t *st)
{
    return ex_fail(st, DP_EINVAL, "format \"brat\" is not available yet");
}

static dp_status brat_process(ex_state_t *st, dp_doc_t *doc)
{
    (void)doc;
    return ex_fail(st, DP_EINVAL, "format \"brat\" is not available yet");
}

static void brat_stop(ex_state_t *st)
{
    (void)st;
}

const ex_format_t ex_format_brat = {
    .name = "brat",
    .start = brat_start,
    .process = brat_process,
    .stop = brat_stop,
};
