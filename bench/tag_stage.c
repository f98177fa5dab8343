/* tag_stage: times the tag stage's steps in-process (CPU time, one thread),
 * without the pipeline around them: loading the lists, then patterns,
 * tokens, rules and linking over the texts of a JSON Lines file
 * ({"text": ...} per line). Used by bench/tag; run from the repository root:
 *     build/plugins/tag/tag_stage_bench FILE.jsonl */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tag_pipeline.h"
#include "tag_lists.h"

static const char *const lists[] = {
    TAG_SHIPPED_PATHS};

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tag_stage_bench FILE.jsonl\n");
        return 2;
    }
    char err[512];
    double t0 = cpu_now();
    tag_gaz_t *gaz = tag_gaz_new();
    tag_patterns_t *pat = tag_patterns_new();
    if (!gaz || !pat)
        return 1;
    for (size_t i = 0; lists[i]; i++)
        if (tag_gaz_load_file(gaz, lists[i], err, sizeof err) != DP_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    if (tag_patterns_load_file(pat, "configs/tag/patterns.txt", err, sizeof err) != DP_OK ||
        tag_patterns_compile(pat, err, sizeof err) != DP_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t_load = cpu_now() - t0;
    tag_gaz_cache_t *cache = tag_gaz_cache_new();
    tag_gaz_use_cache(cache);

    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", argv[1]);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0, bytes = 0, mentions = 0, docs = 0;
    double t_run = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *d = json_loadb(line, (size_t)n, 0, NULL);
        const char *text = json_string_value(json_object_get(d, "text"));
        if (text) {
            size_t len = json_string_length(json_object_get(d, "text"));
            tag_mentions_t m = {NULL, 0, 0};
            double a = cpu_now();
            if (tag_run(gaz, pat, text, len, NULL, 0, NULL, 1, &m) != DP_OK) {
                fprintf(stderr, "tag_run failed\n");
                return 1;
            }
            t_run += cpu_now() - a;
            mentions += m.n;
            bytes += len;
            docs++;
            tag_mentions_free(&m);
        }
        json_decref(d);
    }
    free(line);
    fclose(f);
    printf("tag steps in-process: %zu documents, %.1f MB, %zu mentions, %.2f s CPU: %.1f MB/s "
           "(loading lists and patterns: %.2f s, %.1f MiB of tables)\n",
           docs, (double)bytes / 1e6, mentions, t_run, (double)bytes / 1e6 / t_run, t_load,
           (double)tag_gaz_bytes(gaz) / 1048576.0);
    tag_gaz_use_cache(NULL);
    tag_gaz_cache_free(cache);
    tag_gaz_free(gaz);
    tag_patterns_free(pat);
    return 0;
}
