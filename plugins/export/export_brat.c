/* Format "brat": standoff pairs for the brat rapid annotation tool, so that
 * entities can be reviewed and corrected by hand. Per document a .txt (the
 * text as it is) and a .ann (one "T" line per entity, its canonical name
 * and value as an AnnotatorNotes comment; empty when there are none), named
 * by the sanitised id inside the folder the path names (or by the template
 * when it holds {id}). An entity that runs over a line break is written as
 * brat's discontinuous fragments, because brat's text field is one line.
 * Each folder gets an annotation.conf listing the labels seen, unless the
 * user already has one there. */
#include <string.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "export.h"

typedef struct brat {
    ex_out_t ann;   /* the .ann being built */
    ex_out_t notes; /* scratch for one note */
    json_t *labels; /* {folder: {label: true}} for annotation.conf */
} brat_t;

static dp_status brat_start(ex_state_t *st)
{
    if (strcmp(st->path, "-") == 0)
        return ex_fail(st, DP_EINVAL, "format brat writes files: path must be a folder "
                       "(or a template with {id} naming each pair)");
    brat_t *b = dp_calloc(1, sizeof *b);
    if (b == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    b->labels = json_object();
    if (b->labels == NULL) {
        dp_free(b);
        return ex_fail(st, DP_ENOMEM, "out of memory");
    }
    ex_out_init_memory(st, &b->ann);
    ex_out_init_memory(st, &b->notes);
    st->fmt = b;
    return DP_OK;
}

/* brat type names hold no spaces or punctuation other than "-" and "_". */
static void brat_type(const char *label, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = label != NULL ? label : "ENTITY"; *p != '\0' && o + 1 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        out[o++] = ok ? (char)c : '_';
    }
    if (o == 0)
        out[o++] = '_';
    out[o] = '\0';
}

/* Appends the entity's fragments "S E;S E" (offsets in the chosen unit) and
 * returns through *any whether one is not empty. */
static dp_status fragments(ex_state_t *st, ex_out_t *out, const char *text, size_t start, size_t end,
                           bool text_form, bool *any)
{
    *any = false;
    dp_status rc = DP_OK;
    size_t p = start;
    while (p < end && rc == DP_OK) {
        size_t q = p;
        while (q < end && text[q] != '\n' && text[q] != '\r')
            q++;
        if (q > p) {
            if (*any)
                rc = ex_out_putc(out, text_form ? ' ' : ';');
            if (rc == DP_OK && text_form)
                rc = ex_out_write(out, text + p, q - p);
            else if (rc == DP_OK)
                rc = ex_out_printf(out, "%zu %zu", ex_offmap_get(&st->map, p), ex_offmap_get(&st->map, q));
            *any = true;
        }
        p = q + 1;
    }
    return rc;
}

static dp_status build_ann(ex_state_t *st, brat_t *b, dp_doc_t *doc, json_t *labels)
{
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    dp_status rc = ex_offmap_build(&st->map, text, len, st->unit);
    if (rc != DP_OK)
        return ex_fail(st, rc, "out of memory");
    dp_buf_clear(&b->ann.buf);
    const dp_layer_t *entities = dp_doc_layer(doc, "entity");
    size_t n = entities != NULL ? dp_layer_count(entities) : 0;
    size_t t = 0, notes = 0;
    for (size_t i = 0; i < n && rc == DP_OK; i++) {
        const dp_span_t *sp = &dp_layer_spans(entities)[i];
        char type[64];
        brat_type(sp->label, type, sizeof type);
        /* Skip an entity that is only line breaks: brat cannot show it. */
        bool any;
        dp_buf_clear(&b->notes.buf);
        rc = fragments(st, &b->notes, text, sp->start, sp->end, false, &any);
        if (rc != DP_OK || !any)
            continue;
        t++;
        rc = ex_out_printf(&b->ann, "T%zu\t%s ", t, type);
        if (rc == DP_OK)
            rc = ex_out_write(&b->ann, b->notes.buf.data, b->notes.buf.len);
        if (rc == DP_OK)
            rc = ex_out_putc(&b->ann, '\t');
        if (rc == DP_OK)
            rc = fragments(st, &b->ann, text, sp->start, sp->end, true, &any);
        if (rc == DP_OK)
            rc = ex_out_putc(&b->ann, '\n');
        if (rc == DP_OK && json_object_set_new(labels, type, json_true()) != 0)
            rc = ex_fail(st, DP_ENOMEM, "out of memory");
        /* canonical and value as a note the reviewer sees beside the span. */
        const char *canonical = ex_attr_string(sp, "canonical");
        json_t *value = sp->attrs != NULL ? json_object_get(sp->attrs, "value") : NULL;
        if (rc != DP_OK || (canonical == NULL && value == NULL))
            continue;
        dp_buf_clear(&b->notes.buf);
        if (canonical != NULL)
            rc = ex_out_printf(&b->notes, "canonical: %s", canonical);
        if (rc == DP_OK && value != NULL) {
            rc = ex_out_puts(&b->notes, canonical != NULL ? "; value: " : "value: ");
            if (rc == DP_OK)
                rc = json_is_string(value) ? ex_out_puts(&b->notes, json_string_value(value))
                                           : ex_json_value(&b->notes, value);
        }
        /* A note is one line. */
        for (size_t k = 0; k < b->notes.buf.len; k++)
            if (b->notes.buf.data[k] == '\n' || b->notes.buf.data[k] == '\r' || b->notes.buf.data[k] == '\t')
                b->notes.buf.data[k] = ' ';
        if (rc == DP_OK)
            rc = ex_out_printf(&b->ann, "#%zu\tAnnotatorNotes T%zu\t", ++notes, t);
        if (rc == DP_OK)
            rc = ex_out_write(&b->ann, b->notes.buf.data, b->notes.buf.len);
        if (rc == DP_OK)
            rc = ex_out_putc(&b->ann, '\n');
    }
    return rc;
}

static dp_status brat_process(ex_state_t *st, dp_doc_t *doc)
{
    brat_t *b = st->fmt;
    char *path = ex_template_expand(st->path, dp_doc_source(doc)->bundle, doc, st->stage);
    char *name = ex_sanitise(dp_doc_id(doc));
    dp_buf_t file = DP_BUF_INIT;
    dp_status rc = DP_OK;
    if (path == NULL || name == NULL) {
        rc = ex_fail(st, DP_ENOMEM, "out of memory");
        goto done;
    }
    /* The folder whose annotation.conf lists the labels: path itself, or the
     * template's folder with {id}. */
    char *slash = strrchr(path, '/');
    json_t *labels = NULL;
    if ((st->fields & EX_T_ID) != 0) {
        if (slash != NULL)
            *slash = '\0';
        const char *folder = slash != NULL ? path : ".";
        labels = json_object_get(b->labels, folder);
        if (labels == NULL && json_object_set_new(b->labels, folder, labels = json_object()) != 0)
            labels = NULL;
        if (slash != NULL)
            *slash = '/';
        rc = dp_buf_puts(&file, path);
    } else {
        labels = json_object_get(b->labels, path);
        if (labels == NULL && json_object_set_new(b->labels, path, labels = json_object()) != 0)
            labels = NULL;
        rc = dp_buf_printf(&file, "%s/%s", path, name);
        /* "x.txt" gives the pair x.txt + x.ann, as brat expects, not x.txt.txt. */
        if (rc == DP_OK && file.len > 4 && strcmp(file.data + file.len - 4, ".txt") == 0)
            file.data[file.len -= 4] = '\0';
    }
    if (rc != DP_OK || labels == NULL) {
        rc = ex_fail(st, DP_ENOMEM, "out of memory");
        goto done;
    }
    rc = build_ann(st, b, doc, labels);
    if (rc != DP_OK)
        goto done;
    size_t stem = file.len;
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    bool fail_if_exists = st->if_exists == EX_IF_FAIL;
    rc = dp_buf_puts(&file, ".txt");
    if (rc == DP_OK)
        rc = ex_write_file(st, file.data, text, len, fail_if_exists);
    if (rc == DP_OK) {
        file.len = stem;
        rc = dp_buf_puts(&file, ".ann");
    }
    if (rc == DP_OK)
        rc = ex_write_file(st, file.data, b->ann.buf.data != NULL ? b->ann.buf.data : "",
                           b->ann.buf.len, fail_if_exists);
done:
    dp_buf_free(&file);
    dp_free(path);
    dp_free(name);
    return rc;
}

/* Writes annotation.conf into every folder used so far that has none. */
static dp_status write_confs(ex_state_t *st, brat_t *b)
{
    const char *folder;
    json_t *labels;
    dp_status rc = DP_OK;
    dp_buf_t path = DP_BUF_INIT;
    dp_buf_t conf = DP_BUF_INIT;
    json_object_foreach(b->labels, folder, labels) {
        dp_buf_clear(&path);
        dp_buf_clear(&conf);
        rc = dp_buf_printf(&path, "%s/annotation.conf", folder);
        if (rc != DP_OK)
            break;
        if (access(path.data, F_OK) == 0)
            continue;
        rc = dp_buf_puts(&conf, "# Entity types written by docpipe's export (format brat).\n[entities]\n");
        const char *label;
        json_t *unused;
        json_object_foreach(labels, label, unused) {
            if (rc == DP_OK)
                rc = dp_buf_printf(&conf, "%s\n", label);
        }
        if (rc == DP_OK)
            rc = dp_buf_puts(&conf, "[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
                                    "[events]\n[attributes]\n");
        if (rc != DP_OK)
            break;
        rc = ex_write_file(st, path.data, conf.data, conf.len, false);
        if (rc != DP_OK)
            break;
    }
    if (rc == DP_ENOMEM)
        ex_fail(st, rc, "out of memory");
    dp_buf_free(&path);
    dp_buf_free(&conf);
    json_object_clear(b->labels);
    return rc;
}

static dp_status brat_bundle_end(ex_state_t *st, const char *bundle)
{
    (void)bundle;
    return (st->fields & EX_T_BUNDLE) != 0 ? write_confs(st, st->fmt) : DP_OK;
}

static dp_status brat_flush(ex_state_t *st)
{
    return write_confs(st, st->fmt);
}

static void brat_stop(ex_state_t *st)
{
    brat_t *b = st->fmt;
    if (b == NULL)
        return;
    json_decref(b->labels);
    dp_buf_free(&b->ann.buf);
    dp_buf_free(&b->notes.buf);
    dp_free(b);
    st->fmt = NULL;
}

const ex_format_t ex_format_brat = {
    .name = "brat",
    .start = brat_start,
    .process = brat_process,
    .bundle_end = brat_bundle_end,
    .flush = brat_flush,
    .stop = brat_stop,
};
