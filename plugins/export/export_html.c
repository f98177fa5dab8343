/* Format "html" (not written yet). */
#include "export.h"

static dp_status html_start(ex_state_t *st)
{
    return ex_fail(st, DP_EINVAL, "format \"html\" is not available yet");
}

static dp_status html_process(ex_state_t *st, dp_doc_t *doc)
{
    (void)doc;
    return ex_fail(st, DP_EINVAL, "format \"html\" is not available yet");
}

static void html_stop(ex_state_t *st)
{
    (void)st;
}

const ex_format_t ex_format_html = {
    .name = "html",
    .start = html_start,
    .process = html_process,
    .stop = html_stop,
};
