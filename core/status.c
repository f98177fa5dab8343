/* Messages for status codes and the library's version string. */
#include "docpipe/docpipe.h"

const char *dp_strerror(dp_status status)
{
    switch (status) {
    case DP_OK: return "success";
    case DP_ERR: return "failed";
    case DP_ENOMEM: return "out of memory";
    case DP_EINVAL: return "invalid argument";
    case DP_EIO: return "input/output error";
    case DP_EUTF8: return "invalid UTF-8";
    case DP_ESTATE: return "not allowed in this state";
    case DP_ENOTFOUND: return "not found";
    case DP_ELIMIT: return "limit exceeded";
    case DP_EFORMAT: return "malformed input";
    case DP_EABI: return "plugin ABI mismatch";
    case DP_EINTR: return "interrupted";
    default: return "unknown error";
    }
}

const char *dp_version(void)
{
    return DOCPIPE_VERSION;
}
