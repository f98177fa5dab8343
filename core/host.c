/* Host services for plugins (docpipe/host.h): error messages kept per
 * thread, logging on stderr, data-file lookup and run facts. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "host_internal.h"

struct dp_host {
    char *stage_name;
    char *config_dir;
    char *data_dir;
    json_t *run_info;
    int verbosity;
};

/* One message slot per thread: workers fail documents concurrently. */
static _Thread_local char error_message[2048];
static _Thread_local int error_set;
static pthread_mutex_t stderr_mutex = PTHREAD_MUTEX_INITIALIZER;

void dp__stderr_lock(void)
{
    pthread_mutex_lock(&stderr_mutex);
}

void dp__stderr_unlock(void)
{
    pthread_mutex_unlock(&stderr_mutex);
}

dp_host_t *dp__host_new(const char *stage_name, const char *config_dir, const char *data_dir,
                        json_t *run_info, int verbosity)
{
    dp_host_t *host = dp_calloc(1, sizeof *host);
    if (!host)
        return NULL;
    host->stage_name = dp_strdup(stage_name ? stage_name : "");
    host->config_dir = dp_strdup(config_dir ? config_dir : ".");
    host->data_dir = dp_strdup(data_dir ? data_dir : ".");
    host->run_info = run_info;
    host->verbosity = verbosity;
    if (!host->stage_name || !host->config_dir || !host->data_dir) {
        dp__host_free(host);
        return NULL;
    }
    return host;
}

void dp__host_free(dp_host_t *host)
{
    if (!host)
        return;
    dp_free(host->stage_name);
    dp_free(host->config_dir);
    dp_free(host->data_dir);
    dp_free(host);
}

void dp_host_verror(dp_host_t *host, const char *fmt, va_list ap)
{
    (void)host;
    vsnprintf(error_message, sizeof error_message, fmt, ap);
    /* One line: a message with a newline would break the stderr contract. */
    for (char *p = error_message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    error_set = 1;
}

void dp_host_error(dp_host_t *host, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dp_host_verror(host, fmt, ap);
    va_end(ap);
}

void dp__host_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dp_host_verror(NULL, fmt, ap);
    va_end(ap);
}

const char *dp__host_take_error(dp_status status)
{
    if (!error_set)
        snprintf(error_message, sizeof error_message, "%s (status %d, no message given)",
                 dp_strerror(status), status);
    error_set = 0;
    return error_message;
}

void dp__host_clear_error(void)
{
    error_set = 0;
    error_message[0] = '\0';
}

void dp_host_log(dp_host_t *host, dp_log_level_t level, const char *fmt, ...)
{
    if (host && (int)level > host->verbosity)
        return;
    va_list ap;
    va_start(ap, fmt);
    dp__stderr_lock();
    fprintf(stderr, "docpipe: %s: ", host ? host->stage_name : "core");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    dp__stderr_unlock();
    va_end(ap);
}

const char *dp_host_stage_name(const dp_host_t *host)
{
    return host->stage_name;
}

const char *dp_host_data_dir(const dp_host_t *host)
{
    return host->data_dir;
}

const json_t *dp_host_run_info(const dp_host_t *host)
{
    return host->run_info;
}

static char *join_path(const char *dir, const char *relative)
{
    dp_buf_t buf = DP_BUF_INIT;
    if (dp_buf_puts(&buf, dir) != DP_OK || dp_buf_putc(&buf, '/') != DP_OK ||
        dp_buf_puts(&buf, relative) != DP_OK) {
        dp_buf_free(&buf);
        return NULL;
    }
    return dp_buf_steal(&buf, NULL);
}

char *dp_host_find_data(dp_host_t *host, const char *relative)
{
    if (relative[0] == '/') {
        if (access(relative, R_OK) == 0)
            return dp_strdup(relative);
        dp_host_error(host, "%s: cannot read data file", relative);
        return NULL;
    }
    char *path = join_path(host->config_dir, relative);
    if (path && access(path, R_OK) == 0)
        return path;
    dp_free(path);
    path = join_path(host->data_dir, relative);
    if (path && access(path, R_OK) == 0)
        return path;
    dp_free(path);
    dp_host_error(host, "data file %s not found (looked in %s and %s)", relative, host->config_dir,
                  host->data_dir);
    return NULL;
}
