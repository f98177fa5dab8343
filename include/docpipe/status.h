/* Status codes shared by every docpipe function that can fail, and their
 * messages. A status is 0 on success and negative on error; the detailed
 * message for the user is kept on the host (see host.h), not in the code. */
#ifndef DOCPIPE_STATUS_H
#define DOCPIPE_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* 0 = success, negative = error. Plugins return these from every call. */
typedef int dp_status;

enum {
    DP_OK = 0,
    DP_ERR = -1,        /* generic failure; the message says more */
    DP_ENOMEM = -2,     /* an allocation failed */
    DP_EINVAL = -3,     /* an argument or option is invalid */
    DP_EIO = -4,        /* reading or writing a file failed */
    DP_EUTF8 = -5,      /* text is not valid UTF-8 */
    DP_ESTATE = -6,     /* the call is not allowed now (e.g. text replaced after layers exist) */
    DP_ENOTFOUND = -7,  /* a named thing (file, layer, plugin) does not exist */
    DP_ELIMIT = -8,     /* an input exceeds a configured limit */
    DP_EFORMAT = -9,    /* input is malformed (JSON, archive, date) */
    DP_EABI = -10,      /* a plugin was built for another ABI */
    DP_EINTR = -11      /* the run was interrupted (SIGINT/SIGTERM) */
};

/* A static English description of a status code. Never NULL; thread-safe. */
const char *dp_strerror(dp_status status);

#ifdef __cplusplus
}
#endif
#endif
