/* A stand-alone driver of the normalise plugin for tests and benchmarks: it
 * reads JSON Lines ({"id", "text" or "bytes_b64", "mtime"}) on stdin, runs the
 * plugin's init/process with its default options (plus a JSON object of
 * overrides given as the first argument), and writes {"id", "text", "meta",
 * "encoding"} lines. It links the plugin's code directly, so the stage can be
 * measured and tested without the CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "docpipe/date.h"
#include "docpipe/plugin.h"
#include "host_internal.h"

extern const dp_plugin_t docpipe_plugin;

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

static unsigned char *b64decode(const char *s, size_t *out_len)
{
    size_t n = strlen(s);
    unsigned char *out = dp_malloc(n / 4 * 3 + 4);
    if (!out)
        return NULL;
    size_t k = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (unsigned char)((acc >> bits) & 0xFF);
        }
    }
    *out_len = k;
    return out;
}

int main(int argc, char **argv)
{
    const char *data_dir = getenv("DOCPIPE_DATA_DIR");
    if (!data_dir)
        data_dir = "configs";
    json_t *opts = json_object();
    for (const dp_option_spec_t *o = docpipe_plugin.options; o && o->name; o++)
        json_object_set_new(opts, o->name, json_loads(o->default_json, JSON_DECODE_ANY, NULL));
    if (argc > 1) {
        json_error_t e;
        json_t *over = json_loads(argv[1], 0, &e);
        if (!over) {
            fprintf(stderr, "nz_driver: options: %s\n", e.text);
            return 2;
        }
        json_object_update(opts, over);
        json_decref(over);
    }
    dp_host_t *host = dp__host_new("normalise", data_dir, data_dir, NULL, 1);
    void *state = NULL;
    if (docpipe_plugin.init(opts, host, &state) != DP_OK) {
        fprintf(stderr, "nz_driver: init: %s\n", dp__host_take_error(DP_ERR));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        json_error_t e;
        json_t *in = json_loadb(line, (size_t)n, 0, &e);
        if (!in)
            continue;
        json_t *id = json_object_get(in, "id");
        dp_doc_t *doc = dp__doc_new(json_incref(id ? id : json_string("?")));
        int64_t mtime = 0;
        const char *mt = json_string_value(json_object_get(in, "mtime"));
        if (!mt)
            mt = json_string_value(json_object_get(in, "reference_date"));
        dp_date_t d;
        if (mt && dp_date_parse_iso(mt, strlen(mt), &d) == DP_OK) {
            struct tm tm;
            memset(&tm, 0, sizeof tm);
            tm.tm_year = d.year - 1900;
            tm.tm_mon = (d.month ? d.month : 1) - 1;
            tm.tm_mday = d.day ? d.day : 1;
            tm.tm_hour = 12;
            mtime = (int64_t)timegm(&tm);
        }
        dp__doc_set_source(doc, "stdin", NULL, mtime);
        const char *b64 = json_string_value(json_object_get(in, "bytes_b64"));
        dp_status st;
        if (b64) {
            size_t blen = 0;
            unsigned char *raw = b64decode(b64, &blen);
            dp__doc_take_raw(doc, raw, blen);
            st = dp__doc_decode(doc);
        } else {
            const char *text = json_string_value(json_object_get(in, "text"));
            size_t tl = json_string_length(json_object_get(in, "text"));
            st = dp_doc_set_text(doc, text ? text : "", text ? tl : 0);
        }
        if (st == DP_OK)
            st = docpipe_plugin.process(state, NULL, doc);
        if (st != DP_OK) {
            fprintf(stderr, "nz_driver: %s: %s\n", dp_doc_id(doc), dp__host_take_error(st));
            rc = 1;
        } else {
            size_t tl;
            const char *text = dp_doc_text(doc, &tl);
            json_t *meta = json_deep_copy(dp_doc_meta(doc));
            const char *enc = dp_doc_source(doc)->encoding;
            if (enc)
                json_object_set_new(meta, "encoding", json_string(enc));
            json_t *o = json_pack("{s:O,s:s%,s:O}", "id", id ? id : json_null(), "text", text, tl,
                                  "meta", meta);
            json_decref(meta);
            char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
            puts(s);
            free(s);
            json_decref(o);
        }
        dp__doc_free(doc);
        json_decref(in);
    }
    free(line);
    if (docpipe_plugin.fini)
        docpipe_plugin.fini(state);
    dp__host_free(host);
    json_decref(opts);
    return rc;
}
