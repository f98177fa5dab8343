/* The scheduler (run.h). One reader thread streams documents into a bounded
 * queue; N workers decode them and run the PARALLEL stages up to the first
 * ORDERED one; a reorder buffer hands them back in input order to this
 * (the calling) thread, which runs the remaining stages, accounts for every
 * document and calls bundle_end/flush. Failed and filtered documents and
 * bundle ends travel the same way, so the sequence never stalls and every
 * document that entered is accounted for. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "docpipe/hash.h"
#include "host_internal.h"
#include "queue.h"
#include "run.h"

/* The longest a document waits at a hand-off for its batch to fill. */
#define LINGER_MS 5

typedef enum item_kind { ITEM_DOC, ITEM_BUNDLE_END, ITEM_END } item_kind_t;

typedef struct item {
    item_kind_t kind;
    uint64_t seq;
    dp_doc_t *doc;
    char *bundle;
    size_t weight;
} item_t;

typedef struct run {
    const dp__config_t *cfg;
    dp__pipeline_t *p;
    const dp__run_options_t *opts;
    dp__queue_t *queue;
    dp__reorder_t *reorder;
    uint64_t next_seq;       /* reader thread only */
    atomic_bool fatal;       /* a worker hit a fatal error */
    atomic_bool reader_done;
    dp_status reader_status;
    /* accounting, drain thread only */
    uint64_t entered, processed, failed, filtered, bytes;
    json_t *failures;
    json_t *bundles;
    pthread_mutex_t fatal_lock; /* guards fatal_message: workers may fail at once */
    char fatal_message[1024];
} run_t;

/* Records the first fatal error's message and stops the run. */
static void set_fatal(run_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_fatal(run_t *run, const char *fmt, ...)
{
    pthread_mutex_lock(&run->fatal_lock);
    if (!run->fatal_message[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(run->fatal_message, sizeof run->fatal_message, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&run->fatal_lock);
    atomic_store(&run->fatal, true);
}

/* Written by the signal handler, read by every thread: a lock-free atomic
 * is both async-signal-safe and free of data races. */
static atomic_int stop_flag;

void dp__run_request_stop(void)
{
    atomic_store(&stop_flag, 1);
}

bool dp__run_stop_requested(void)
{
    return atomic_load(&stop_flag) != 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static void item_free(item_t *item)
{
    if (!item)
        return;
    dp__doc_free(item->doc);
    dp_free(item->bundle);
    dp_free(item);
}

static void item_drop(void *item)
{
    item_free(item);
}

static item_t *item_new(item_kind_t kind, uint64_t seq)
{
    item_t *item = dp_calloc(1, sizeof *item);
    if (item) {
        item->kind = kind;
        item->seq = seq;
        item->weight = sizeof *item;
    }
    return item;
}

/* ---- reader thread -------------------------------------------------------- */

static int sink_emit(void *ctx, dp_doc_t *doc)
{
    run_t *run = ctx;
    if (atomic_load(&stop_flag) || atomic_load(&run->fatal)) {
        dp__doc_free(doc);
        return 1;
    }
    item_t *item = item_new(ITEM_DOC, run->next_seq);
    if (!item) {
        dp__doc_free(doc);
        return 1;
    }
    item->doc = doc;
    item->weight += dp__doc_weight(doc);
    if (dp__queue_push(run->queue, item, item->weight, false) != DP_OK) {
        item_free(item);
        return 1;
    }
    run->next_seq++;
    return 0;
}

static int sink_bundle_end(void *ctx, const char *bundle)
{
    run_t *run = ctx;
    if (atomic_load(&stop_flag) || atomic_load(&run->fatal))
        return 1;
    item_t *item = item_new(ITEM_BUNDLE_END, run->next_seq);
    if (!item || !(item->bundle = dp_strdup(bundle))) {
        item_free(item);
        return 1;
    }
    if (dp__queue_push(run->queue, item, item->weight, true) != DP_OK) {
        item_free(item);
        return 1;
    }
    run->next_seq++;
    return 0;
}

static void *reader_main(void *arg)
{
    run_t *run = arg;
    dp__input_options_t in = {0};
    in.format = run->opts->format;
    in.limits = run->cfg->limits;
    in.include = (const char *const *)run->cfg->include;
    dp__input_sink_t sink = {run, sink_emit, sink_bundle_end};
    dp_status rc = DP_OK;
    for (size_t i = 0; i < run->opts->n_inputs && rc == DP_OK; i++)
        rc = dp__input_read(&in, run->opts->inputs[i], &sink);
    run->reader_status = rc;
    if (rc == DP_OK) {
        item_t *end = item_new(ITEM_END, run->next_seq);
        if (!end || dp__queue_push(run->queue, end, end->weight, true) != DP_OK) {
            item_free(end);
            run->reader_status = DP_ENOMEM;
        }
    }
    /* Without an END item the ordered thread would wait for ever, so any
     * reader failure (interrupts included) stops the run. */
    if (run->reader_status != DP_OK)
        atomic_store(&run->fatal, true);
    dp__queue_close(run->queue);
    atomic_store(&run->reader_done, true);
    return NULL;
}

/* ---- stages ----------------------------------------------------------------- */

/* Runs stage i on doc; returns false when the document failed there. */
static bool run_stage(run_t *run, size_t i, dp_doc_t *doc, void *worker)
{
    dp__stage_t *st = &run->p->stages[i];
    dp__doc_set_current_stage(doc, st->name);
    dp__host_clear_error();
    /* The wall clock counts time a worker waits for a core (more threads
     * than cores); --stats also reports the CPU time a stage really took,
     * which costs two system calls per document and stage. */
    bool cpu = run->opts->stats_path != NULL;
    uint64_t c0 = cpu ? clock_ns(CLOCK_THREAD_CPUTIME_ID) : 0;
    uint64_t t0 = now_ns();
    dp_status rc = st->lib.desc->process(st->state, worker, doc);
    atomic_fetch_add(&st->nanoseconds, now_ns() - t0);
    if (cpu)
        atomic_fetch_add(&st->cpu_nanoseconds, clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0);
    atomic_fetch_add(&st->documents, 1);
    dp__doc_set_current_stage(doc, NULL);
    if (rc == DP_OK)
        return true;
    const char *message = dp__host_take_error(rc);
    if (rc == DP_ESTATE && strstr(message, "layer") == NULL) {
        char tmp[1200];
        snprintf(tmp, sizeof tmp, "%s (the text cannot be replaced once layers exist)", message);
        dp__doc_fail(doc, st->name, tmp);
    } else {
        dp__doc_fail(doc, st->name, message);
    }
    atomic_fetch_add(&st->failed, 1);
    /* A writer that cannot write ends the run: its output would be wrong. */
    if (rc == DP_EIO && st->lib.desc->threading == DP_THREADING_ORDERED) {
        set_fatal(run, "%s: %s", st->name, message);
    }
    return false;
}

static void **worker_states_new(run_t *run, size_t from, size_t to, bool *ok)
{
    *ok = true;
    void **states = dp_calloc(run->p->n_stages + 1, sizeof *states);
    if (!states) {
        *ok = false;
        return NULL;
    }
    for (size_t i = from; i < to; i++) {
        dp__stage_t *st = &run->p->stages[i];
        if (!st->lib.desc->worker_init)
            continue;
        dp__host_clear_error();
        dp_status rc = st->lib.desc->worker_init(st->state, &states[i]);
        if (rc != DP_OK) {
            set_fatal(run, "%s: worker_init: %s", st->name, dp__host_take_error(rc));
            *ok = false;
        }
    }
    return states;
}

static void worker_states_free(run_t *run, void **states, size_t from, size_t to)
{
    if (!states)
        return;
    for (size_t i = from; i < to; i++) {
        dp__stage_t *st = &run->p->stages[i];
        if (states[i] && st->lib.desc->worker_fini)
            st->lib.desc->worker_fini(st->state, states[i]);
    }
    dp_free(states);
}

static void prepare_document(dp_doc_t *doc)
{
    if (dp__doc_state(doc) != DP__DOC_OK || dp_doc_source(doc)->encoding)
        return;
    if (dp__doc_decode(doc) != DP_OK)
        dp__doc_fail(doc, "input", "out of memory while decoding the text");
}

static void *worker_main(void *arg)
{
    run_t *run = arg;
    size_t n_parallel = run->p->first_ordered;
    bool ok;
    void **states = worker_states_new(run, 0, n_parallel, &ok);
    if (!ok) {
        atomic_store(&run->fatal, true);
        worker_states_free(run, states, 0, n_parallel);
        return NULL;
    }
    item_t *item;
    while ((item = dp__queue_pop(run->queue)) != NULL) {
        if (item->kind == ITEM_DOC) {
            prepare_document(item->doc);
            for (size_t i = 0; i < n_parallel && dp__doc_state(item->doc) == DP__DOC_OK; i++)
                if (!run_stage(run, i, item->doc, states[i]))
                    break;
            item->weight = sizeof *item + dp__doc_weight(item->doc);
        }
        if (dp__reorder_put(run->reorder, item->seq, item, item->weight,
                            item->kind != ITEM_DOC) != DP_OK) {
            item_free(item);
            break;
        }
    }
    worker_states_free(run, states, 0, n_parallel);
    return NULL;
}

/* ---- accounting ---------------------------------------------------------------- */

dp_status dp__mkdirs(const char *dir)
{
    if (dir[0] == '\0')
        return DP_EINVAL;
    char *path = dp_strdup(dir);
    if (!path)
        return DP_ENOMEM;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            dp_free(path);
            return DP_EIO;
        }
        *p = '/';
    }
    int rc = mkdir(path, 0777);
    dp_free(path);
    return (rc == 0 || errno == EEXIST) ? DP_OK : DP_EIO;
}

/* A file name for an id: safe characters kept, the rest as '_', plus a hash
 * so that ids differing only in unsafe characters do not collide. */
static void quarantine_name(const char *id, uint64_t number, char *out, size_t cap)
{
    /* The document's number in the run comes first: JSONL ids may repeat,
     * and two failures must never overwrite each other's files. */
    int lead = snprintf(out, cap, "%06llu-", (unsigned long long)number);
    size_t n = lead > 0 ? (size_t)lead : 0;
    for (const char *p = id; *p && n + 24 < cap && n < 120; p++) {
        char c = *p;
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || (c == '.' && n > 0);
        out[n++] = safe ? c : '_';
    }
    snprintf(out + n, cap - n, "-%08llx",
             (unsigned long long)(dp_hash64(id, strlen(id)) & 0xffffffffull));
}

static bool write_file(const char *path, const void *data, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *fh = fopen(tmp, "wb");
    if (!fh)
        return false;
    bool ok = fwrite(data, 1, len, fh) == len;
    ok = (fclose(fh) == 0) && ok;
    if (ok && rename(tmp, path) == 0)
        return true;
    unlink(tmp);
    return false;
}

static void quarantine(run_t *run, dp_doc_t *doc)
{
    const char *folder = run->cfg->quarantine;
    if (dp__mkdirs(folder) != DP_OK) {
        dp__stderr_lock();
        fprintf(stderr, "docpipe: %s: cannot create quarantine folder: %s\n", folder, strerror(errno));
        dp__stderr_unlock();
        return;
    }
    char name[200];
    quarantine_name(dp_doc_id(doc), run->entered, name, sizeof name);
    char path[4096];
    size_t len;
    const unsigned char *raw = dp_doc_raw(doc, &len);
    if (!raw)
        raw = (const unsigned char *)dp_doc_text(doc, &len);
    snprintf(path, sizeof path, "%s/%s", folder, name);
    bool ok = write_file(path, raw, len);
    json_t *record = json_pack("{s:O,s:s,s:s,s:s?,s:s?}", "id", dp_doc_id_json(doc), "stage",
                               dp__doc_fail_stage(doc), "message", dp__doc_fail_message(doc),
                               "bundle", dp_doc_source(doc)->bundle, "entry",
                               dp_doc_source(doc)->entry);
    char *dump = record ? json_dumps(record, JSON_COMPACT) : NULL;
    snprintf(path, sizeof path, "%s/%s.error.json", folder, name);
    ok = dump && write_file(path, dump, strlen(dump)) && ok;
    free(dump);
    json_decref(record);
    if (!ok) {
        dp__stderr_lock();
        fprintf(stderr, "docpipe: %s: cannot write quarantine file for %s: %s\n", folder,
                dp_doc_id(doc), strerror(errno));
        dp__stderr_unlock();
    }
}

static void account(run_t *run, dp_doc_t *doc)
{
    run->entered++;
    run->bytes += dp_doc_source(doc)->bytes;
    switch (dp__doc_state(doc)) {
    case DP__DOC_OK:
        run->processed++;
        break;
    case DP__DOC_FILTERED:
        run->filtered++;
        break;
    case DP__DOC_FAILED: {
        run->failed++;
        const char *stage = dp__doc_fail_stage(doc);
        const char *message = dp__doc_fail_message(doc);
        dp__stderr_lock();
        if (run->opts->progress)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "docpipe: %s: %s: %s\n", dp_doc_id(doc), stage, message);
        dp__stderr_unlock();
        json_array_append_new(run->failures,
                              json_pack("{s:O,s:s,s:s}", "id", dp_doc_id_json(doc), "stage", stage,
                                        "message", message));
        if (run->cfg->on_error == DP__ON_ERROR_QUARANTINE)
            quarantine(run, doc);
        break;
    }
    }
}

static void draw_progress(run_t *run, double started)
{
    double elapsed = now_seconds() - started;
    dp__stderr_lock();
    fprintf(stderr, "\r\033[Kdocpipe: %llu documents, %.1f MB, %.0f documents/s",
            (unsigned long long)run->entered, (double)run->bytes / 1e6,
            elapsed > 0 ? (double)run->entered / elapsed : 0.0);
    fflush(stderr);
    dp__stderr_unlock();
}

static json_t *counts_json(const run_t *run)
{
    return json_pack("{s:I,s:I,s:I,s:I}", "entered", (json_int_t)run->entered, "processed",
                     (json_int_t)run->processed, "failed", (json_int_t)run->failed, "filtered",
                     (json_int_t)run->filtered);
}

static void iso_time_now(char *out, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fill_run_info_start(run_t *run)
{
    json_t *info = run->p->run_info;
    char when[32];
    iso_time_now(when, sizeof when);
    char hash[20];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)run->cfg->hash);
    json_object_set_new(info, "started", json_string(when));
    json_object_set_new(info, "config", json_string(run->cfg->path));
    json_object_set_new(info, "config_hash", json_string(hash));
    json_object_set_new(info, "jobs", json_integer(run->opts->jobs));
    json_t *plugins = json_array();
    for (size_t i = 0; i < run->p->n_stages; i++) {
        const dp__stage_t *st = &run->p->stages[i];
        json_array_append_new(plugins, json_pack("{s:s,s:s,s:s}", "stage", st->name, "plugin",
                                                 st->lib.desc->name, "version",
                                                 st->lib.desc->version ? st->lib.desc->version : ""));
    }
    json_object_set_new(info, "plugins", plugins);
}

static void fill_run_info_end(run_t *run)
{
    json_t *info = run->p->run_info;
    char when[32];
    iso_time_now(when, sizeof when);
    json_object_set_new(info, "finished", json_string(when));
    json_object_set_new(info, "documents", counts_json(run));
    json_object_set(info, "bundles", run->bundles);
    json_object_set(info, "failures", run->failures);
}

/* json_dump_callback sink that appends to a dp_buf_t. */
static int append_to_buf(const char *data, size_t size, void *ctx)
{
    return dp_buf_append(ctx, data, size) == DP_OK ? 0 : -1;
}

static void write_stats(run_t *run, double seconds)
{
    json_t *stages = json_array();
    for (size_t i = 0; i < run->p->n_stages; i++) {
        dp__stage_t *st = &run->p->stages[i];
        json_array_append_new(
            stages, json_pack("{s:s,s:s,s:I,s:I,s:f,s:f}", "name", st->name, "plugin",
                              st->lib.desc->name, "documents",
                              (json_int_t)atomic_load(&st->documents), "failed",
                              (json_int_t)atomic_load(&st->failed), "seconds",
                              (double)atomic_load(&st->nanoseconds) / 1e9, "cpu_seconds",
                              (double)atomic_load(&st->cpu_nanoseconds) / 1e9));
    }
    json_t *stats = json_pack("{s:o,s:I,s:f,s:o,s:O}", "documents", counts_json(run), "bytes",
                              (json_int_t)run->bytes, "seconds", seconds, "stages", stages,
                              "failures", run->failures);
    /* Dumped straight into one buffer, with the newline a text file ends in. */
    dp_buf_t out = DP_BUF_INIT;
    bool ok = stats && json_dump_callback(stats, append_to_buf, &out, JSON_INDENT(1)) == 0 &&
              dp_buf_putc(&out, '\n') == DP_OK &&
              write_file(run->opts->stats_path, out.data, out.len);
    json_decref(stats);
    dp_buf_free(&out);
    if (!ok) {
        dp__stderr_lock();
        fprintf(stderr, "docpipe: %s: cannot write stats: %s\n", run->opts->stats_path,
                strerror(errno));
        dp__stderr_unlock();
    }
}

/* Calls hook (bundle_end or flush) on every stage that has it. */
static bool call_stage_hooks(run_t *run, const char *bundle)
{
    for (size_t i = 0; i < run->p->n_stages; i++) {
        dp__stage_t *st = &run->p->stages[i];
        dp__host_clear_error();
        dp_status rc = DP_OK;
        if (bundle && st->lib.desc->bundle_end)
            rc = st->lib.desc->bundle_end(st->state, bundle);
        else if (!bundle && st->lib.desc->flush)
            rc = st->lib.desc->flush(st->state);
        else
            continue;
        if (rc != DP_OK) {
            set_fatal(run, "%s: %s", st->name, dp__host_take_error(rc));
            return false;
        }
    }
    return true;
}

/* ---- the run ------------------------------------------------------------------- */

static void join_reader(pthread_t reader, run_t *run, bool *leak_queue)
{
    /* The reader may sit in a blocking read of standard input after an
     * interrupt; give it a moment, then leave it (the process is ending). */
    for (int i = 0; i < 40 && !atomic_load(&run->reader_done); i++) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&run->reader_done)) {
        pthread_join(reader, NULL);
        *leak_queue = false;
    } else {
        pthread_detach(reader);
        *leak_queue = true;
    }
}

int dp__run(const dp__config_t *cfg, dp__pipeline_t *p, const dp__run_options_t *opts)
{
    /* On the heap: after an interrupt, a reader blocked on standard input is
     * left behind with the run and its queue, which must then outlive this
     * function (they are leaked, the process is ending). */
    run_t *runp = dp_calloc(1, sizeof *runp);
    if (!runp) {
        fprintf(stderr, "docpipe: out of memory starting the run\n");
        return 3;
    }
    pthread_mutex_init(&runp->fatal_lock, NULL);
    runp->cfg = cfg;
    runp->p = p;
    runp->opts = opts;
    size_t jobs = opts->jobs > 0 ? (size_t)opts->jobs : 1;
    /* Documents move in batches (one wake-up per batch, not per document);
     * a streaming filter waits at most LINGER_MS per hand-off for a batch
     * to fill. Both buffers are bounded in bytes as well as items. */
    runp->queue = dp__queue_new(16 * jobs + 16, 32u << 20);
    runp->reorder = dp__reorder_new(32 * jobs + 32, 64u << 20);
    runp->failures = json_array();
    runp->bundles = json_array();
    pthread_t *workers = dp_calloc(jobs, sizeof *workers);
    if (runp->queue && runp->reorder) {
        dp__queue_set_batch(runp->queue, 8, LINGER_MS);
        dp__reorder_set_batch(runp->reorder, 16);
    }
    if (!runp->queue || !runp->reorder || !runp->failures || !runp->bundles || !workers) {
        fprintf(stderr, "docpipe: out of memory starting the run\n");
        dp__queue_free(runp->queue);
        dp__reorder_free(runp->reorder);
        json_decref(runp->failures);
        json_decref(runp->bundles);
        dp_free(workers);
        pthread_mutex_destroy(&runp->fatal_lock);
        dp_free(runp);
        return 3;
    }
    fill_run_info_start(runp);
    double started = now_seconds();

    /* Workers and the reader must not take SIGINT/SIGTERM: this thread
     * handles them and stops the others in order. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_t reader;
    size_t started_workers = 0;
    bool reader_started = pthread_create(&reader, NULL, reader_main, runp) == 0;
    for (size_t i = 0; reader_started && i < jobs; i++)
        if (pthread_create(&workers[i], NULL, worker_main, runp) == 0)
            started_workers++;
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    bool ok = reader_started && started_workers > 0;
    bool interrupted = false;
    bool on_error_stop = false;
    bool ordered_ok;
    void **states = worker_states_new(runp, p->first_ordered, p->n_stages, &ordered_ok);
    ok = ok && ordered_ok;
    double last_progress = 0;
    while (ok) {
        if (atomic_load(&stop_flag)) {
            interrupted = true;
            break;
        }
        if (atomic_load(&runp->fatal))
            break;
        if (opts->progress && now_seconds() - last_progress > 0.25) {
            draw_progress(runp, started);
            last_progress = now_seconds();
        }
        item_t *item = dp__reorder_take(runp->reorder, LINGER_MS, NULL);
        if (!item)
            continue;
        if (atomic_load(&stop_flag)) {
            /* An interrupt wins over anything that arrived meanwhile: no
             * bundle may be completed (renamed into place) after it. */
            item_free(item);
            interrupted = true;
            break;
        }
        if (item->kind == ITEM_END) {
            item_free(item);
            break;
        }
        if (item->kind == ITEM_BUNDLE_END) {
            json_array_append_new(runp->bundles, json_string(item->bundle));
            bool hooks_ok = call_stage_hooks(runp, item->bundle);
            item_free(item);
            if (!hooks_ok) {
                atomic_store(&runp->fatal, true);
                break;
            }
            continue;
        }
        dp_doc_t *doc = item->doc;
        for (size_t i = p->first_ordered; i < p->n_stages && dp__doc_state(doc) == DP__DOC_OK; i++)
            if (!run_stage(runp, i, doc, states[i]))
                break;
        account(runp, doc);
        bool doc_failed = dp__doc_state(doc) == DP__DOC_FAILED;
        item_free(item);
        if (atomic_load(&runp->fatal))
            break;
        if (doc_failed && cfg->on_error == DP__ON_ERROR_FAIL) {
            on_error_stop = true;
            break;
        }
    }
    bool complete = ok && !interrupted && !on_error_stop && !atomic_load(&runp->fatal);

    /* Stop the other threads: on a complete run they have finished already. */
    if (!complete) {
        atomic_store(&runp->fatal, true);
        dp__queue_abort(runp->queue, item_drop);
        dp__reorder_abort(runp->reorder, item_drop);
    }
    for (size_t i = 0; i < started_workers; i++)
        pthread_join(workers[i], NULL);
    bool leak_queue = false;
    if (reader_started)
        join_reader(reader, runp, &leak_queue);
    worker_states_free(runp, states, p->first_ordered, p->n_stages);
    if (complete && runp->reader_status != DP_OK)
        complete = false;

    if (complete) {
        fill_run_info_end(runp);
        if (!call_stage_hooks(runp, NULL))
            complete = false;
    }
    double seconds = now_seconds() - started;
    if (opts->progress) {
        dp__stderr_lock();
        fputs("\r\033[K", stderr);
        dp__stderr_unlock();
    }
    if (opts->stats_path)
        write_stats(runp, seconds);

    int code;
    dp__stderr_lock();
    if (interrupted) {
        fprintf(stderr, "docpipe: interrupted; partial output removed\n");
        code = 3;
    } else if (on_error_stop) {
        fprintf(stderr, "docpipe: stopped at the first failure (on_error: fail)\n");
        code = 3;
    } else if (!complete) {
        fprintf(stderr, "docpipe: fatal: %s\n",
                runp->fatal_message[0] ? runp->fatal_message
                : runp->reader_status == DP_ENOMEM ? "out of memory while reading input"
                                                   : "the run could not complete");
        code = 3;
    } else {
        code = runp->failed > 0 ? 1 : 0;
    }
    if (!opts->quiet && code != 3)
        fprintf(stderr,
                "docpipe: %llu documents: %llu processed, %llu failed, %llu filtered in %.2f s "
                "(%.1f MB/s)\n",
                (unsigned long long)runp->entered, (unsigned long long)runp->processed,
                (unsigned long long)runp->failed, (unsigned long long)runp->filtered, seconds,
                seconds > 0 ? (double)runp->bytes / 1e6 / seconds : 0.0);
    dp__stderr_unlock();

    dp__reorder_free(runp->reorder);
    json_decref(runp->failures);
    json_decref(runp->bundles);
    dp_free(workers);
    if (!leak_queue) {
        dp__queue_free(runp->queue);
        pthread_mutex_destroy(&runp->fatal_lock);
        dp_free(runp);
    }
    return code;
}
