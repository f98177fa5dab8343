/* Format "html": one self-contained digest page per run, for people to
 * read. A summary of the run (bundles, documents, failures), two inline SVG
 * charts (documents per date, entity mentions per label), tables of the
 * most frequent people, organisations and places linking to their
 * documents, then each document with its title, date, summary, keywords and
 * its text with the entities highlighted. No script, no network, no
 * external asset (a Content-Security-Policy says so too); every piece of
 * document text is escaped. The page is built in memory during the run and
 * written (temporary name, then rename) at flush. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "docpipe/utf8.h"
#include "export.h"

/* Bytes of a document's text shown in the digest; the rest is summarised. */
#define TEXT_SHOWN ((size_t)100 * 1024)
/* Distinct names remembered per label for the frequency tables. */
#define TOP_NAMES_MAX 50000
/* Document links kept per name, and rows per table. */
#define TOP_LINKS 12
#define TOP_ROWS 15
/* Failures listed on the page. */
#define FAILURES_SHOWN 200

typedef struct html {
    ex_out_t docs;   /* <article> of the documents shown in full */
    ex_out_t more;   /* <li> of the rest */
    ex_out_t page;   /* the page, at flush */
    size_t ndocs;
    json_t *bundles; /* {bundle: documents} */
    json_t *dates;   /* {YYYY-MM-DD or "undated": documents} */
    json_t *labels;  /* {label: mentions} */
    json_t *top;     /* {label: {name: [mentions, [doc numbers...]]}} */
    json_t *titles;  /* title of document number i + 1, for link tooltips */
} html_t;

static const char *const top_labels[] = {"PERSON", "ORG", "LOC"};
static const char *const top_titles[] = {"People", "Organisations", "Places"};

/* ---- escaping ----------------------------------------------------------------- */

/* Writes s[0..len) as HTML text: markup characters as entities, NUL and
 * other control characters (but tab, newline, carriage return) as U+FFFD. */
static dp_status esc(ex_out_t *out, const char *s, size_t len)
{
    dp_status rc = DP_OK;
    size_t run = 0;
    for (size_t i = 0; i < len && rc == DP_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                rep = "\xef\xbf\xbd";
        }
        if (rep == NULL)
            continue;
        rc = ex_out_write(out, s + run, i - run);
        if (rc == DP_OK)
            rc = ex_out_puts(out, rep);
        run = i + 1;
    }
    if (rc == DP_OK)
        rc = ex_out_write(out, s + run, len - run);
    return rc;
}

static dp_status escs(ex_out_t *out, const char *s)
{
    return s != NULL ? esc(out, s, strlen(s)) : DP_OK;
}

/* A label as a CSS class name. */
static void css_label(const char *label, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = label != NULL ? label : "X"; *p != '\0' && o + 1 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        out[o++] = ok ? (char)c : '_';
    }
    out[o] = '\0';
}

/* ---- counting ------------------------------------------------------------------- */

static int bump(json_t *counts, const char *key, json_int_t by)
{
    json_t *n = json_object_get(counts, key);
    if (n != NULL)
        return json_integer_set(n, json_integer_value(n) + by);
    return json_object_set_new(counts, key, json_integer(by));
}

/* Counts one mention of name (label) in document number doc. */
static int remember(html_t *h, const char *label, const char *name, size_t doc)
{
    json_t *names = json_object_get(h->top, label);
    if (names == NULL) {
        if (json_object_set_new(h->top, label, json_object()) != 0)
            return -1;
        names = json_object_get(h->top, label);
    }
    json_t *entry = json_object_get(names, name);
    if (entry == NULL) {
        if (json_object_size(names) >= TOP_NAMES_MAX)
            return 0;
        return json_object_set_new(names, name, json_pack("[i,[I]]", 1, (json_int_t)doc));
    }
    json_t *count = json_array_get(entry, 0);
    json_t *docs = json_array_get(entry, 1);
    json_integer_set(count, json_integer_value(count) + 1);
    size_t n = json_array_size(docs);
    if (json_integer_value(json_array_get(docs, n - 1)) != (json_int_t)doc) {
        /* Links to the first TOP_LINKS documents only; mentions still count. */
        if (n < TOP_LINKS)
            return json_array_append_new(docs, json_integer((json_int_t)doc));
    }
    return 0;
}

static int span_order(const void *a, const void *b)
{
    const dp_span_t *x = *(const dp_span_t *const *)a, *y = *(const dp_span_t *const *)b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end ? 1 : 0;
}

/* ---- one document ------------------------------------------------------------------ */

static dp_status write_text(ex_state_t *st, ex_out_t *out, dp_doc_t *doc)
{
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    size_t shown = len;
    if (shown > TEXT_SHOWN) {
        shown = TEXT_SHOWN;
        while (shown > 0 && !dp_utf8_is_boundary((unsigned char)text[shown]))
            shown--;
    }
    const dp_layer_t *layer = dp_doc_layer(doc, "entity");
    size_t n = layer != NULL ? dp_layer_count(layer) : 0;
    const dp_span_t **order = NULL;
    if (n > 0) {
        order = dp_malloc(n * sizeof *order);
        if (order == NULL)
            return ex_fail(st, DP_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            order[i] = &dp_layer_spans(layer)[i];
        qsort(order, n, sizeof *order, span_order);
    }
    dp_status rc = ex_out_puts(out, "<div class=\"text\">");
    size_t at = 0;
    for (size_t i = 0; i < n && rc == DP_OK; i++) {
        const dp_span_t *sp = order[i];
        /* Overlapping or nested entities: the first (longest) one wins. */
        if (sp->start < at || sp->end > shown || sp->end <= sp->start)
            continue;
        char cls[64];
        css_label(sp->label, cls, sizeof cls);
        rc = esc(out, text + at, sp->start - at);
        if (rc == DP_OK)
            rc = ex_out_printf(out, "<mark class=\"e l-%s\" title=\"", cls);
        if (rc == DP_OK)
            rc = escs(out, sp->label);
        const char *canonical = ex_attr_string(sp, "canonical");
        if (rc == DP_OK && canonical != NULL) {
            rc = ex_out_puts(out, ": ");
            if (rc == DP_OK)
                rc = escs(out, canonical);
        }
        if (rc == DP_OK)
            rc = ex_out_puts(out, "\">");
        if (rc == DP_OK)
            rc = esc(out, text + sp->start, sp->end - sp->start);
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</mark>");
        at = sp->end;
    }
    if (rc == DP_OK)
        rc = esc(out, text + at, shown - at);
    if (rc == DP_OK && shown < len)
        rc = ex_out_printf(out, "<span class=\"cut\">\xe2\x80\xa6 (%zu more bytes)</span>", len - shown);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</div>\n");
    dp_free(order);
    return rc;
}

static dp_status write_article(ex_state_t *st, html_t *h, dp_doc_t *doc, const char *title,
                               const char *date)
{
    ex_out_t *out = &h->docs;
    size_t len;
    dp_doc_text(doc, &len);
    dp_status rc = ex_out_printf(out, "<article id=\"d%zu\">\n<h3>", h->ndocs);
    if (rc == DP_OK)
        rc = escs(out, title);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</h3>\n<p class=\"meta\">");
    if (rc == DP_OK && date != NULL) {
        rc = ex_out_puts(out, "<time>");
        if (rc == DP_OK)
            rc = escs(out, date);
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</time> \xc2\xb7 ");
    }
    if (rc == DP_OK)
        rc = ex_out_puts(out, "<code>");
    if (rc == DP_OK)
        rc = escs(out, dp_doc_id(doc));
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</code>");
    const char *language = ex_meta_string(doc, "language");
    if (rc == DP_OK && language != NULL) {
        rc = ex_out_puts(out, " \xc2\xb7 ");
        if (rc == DP_OK)
            rc = escs(out, language);
    }
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</p>\n");
    const char *summary = ex_summary_text(doc);
    if (rc == DP_OK && summary != NULL) {
        rc = ex_out_puts(out, "<p class=\"summary\"><b>Summary</b> ");
        if (rc == DP_OK)
            rc = escs(out, summary);
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</p>\n");
    }
    const char *kw;
    double score;
    for (size_t i = 0; rc == DP_OK && ex_keyword_at(doc, i, &kw, &score); i++) {
        rc = ex_out_puts(out, i == 0 ? "<ul class=\"kw\"><li>" : "<li>");
        if (rc == DP_OK)
            rc = escs(out, kw);
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</li>");
    }
    if (rc == DP_OK && ex_keyword_at(doc, 0, &kw, &score))
        rc = ex_out_puts(out, "</ul>\n");
    /* With a summary to read, the full text folds away; without, it shows. */
    if (rc == DP_OK)
        rc = ex_out_printf(out, "<details%s><summary>Full text (%zu bytes)</summary>\n",
                           summary != NULL ? "" : " open", len);
    if (rc == DP_OK)
        rc = write_text(st, out, doc);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</details>\n</article>\n");
    return rc;
}

static dp_status html_process(ex_state_t *st, dp_doc_t *doc)
{
    html_t *h = st->fmt;
    h->ndocs++;
    const char *title = ex_meta_string(doc, "title");
    if (title == NULL || title[0] == '\0')
        title = dp_doc_id(doc);
    char date[16];
    ex_doc_date(doc, date);
    const char *shown_date = ex_meta_string(doc, "date");
    int bad = json_array_append_new(h->titles, json_string(title));
    bad |= bump(h->bundles, dp_doc_source(doc)->bundle != NULL ? dp_doc_source(doc)->bundle : "", 1);
    bad |= bump(h->dates, date, 1);
    const dp_layer_t *layer = dp_doc_layer(doc, "entity");
    size_t n = layer != NULL ? dp_layer_count(layer) : 0;
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    for (size_t i = 0; i < n && bad == 0; i++) {
        const dp_span_t *sp = &dp_layer_spans(layer)[i];
        if (sp->label == NULL)
            continue;
        bad |= bump(h->labels, sp->label, 1);
        for (size_t k = 0; k < 3; k++) {
            if (strcmp(sp->label, top_labels[k]) != 0)
                continue;
            const char *canonical = ex_attr_string(sp, "canonical");
            char *name = canonical != NULL ? dp_strdup(canonical)
                                           : dp_strndup(text + sp->start, sp->end - sp->start);
            bad |= name != NULL ? remember(h, top_labels[k], name, h->ndocs) : -1;
            dp_free(name);
        }
    }
    if (bad != 0)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    if ((long long)h->ndocs <= st->max_documents)
        return write_article(st, h, doc, title, shown_date);
    dp_status rc = ex_out_printf(&h->more, "<li id=\"d%zu\">", h->ndocs);
    if (rc == DP_OK)
        rc = escs(&h->more, title);
    if (rc == DP_OK && shown_date != NULL) {
        rc = ex_out_puts(&h->more, " <time>");
        if (rc == DP_OK)
            rc = escs(&h->more, shown_date);
        if (rc == DP_OK)
            rc = ex_out_puts(&h->more, "</time>");
    }
    if (rc == DP_OK)
        rc = ex_out_puts(&h->more, " <code>");
    if (rc == DP_OK)
        rc = escs(&h->more, dp_doc_id(doc));
    if (rc == DP_OK)
        rc = ex_out_puts(&h->more, "</code></li>\n");
    return rc;
}

/* ---- charts ------------------------------------------------------------------ */

typedef struct bar {
    const char *key;
    json_int_t value;
} bar_t;

static int bar_by_key(const void *a, const void *b)
{
    return strcmp(((const bar_t *)a)->key, ((const bar_t *)b)->key);
}

static int bar_by_value(const void *a, const void *b)
{
    const bar_t *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Documents per date as vertical bars. Dates are grouped by month or year
 * when there are too many days to draw. */
static dp_status chart_dates(ex_state_t *st, html_t *h, ex_out_t *out)
{
    json_int_t undated = json_integer_value(json_object_get(h->dates, "undated"));
    json_t *groups = json_object();
    if (groups == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    /* Pick the finest grouping (day 10, month 7, year 4 characters) that
     * gives at most 40 bars. */
    size_t width = 10;
    for (;;) {
        json_object_clear(groups);
        const char *key;
        json_t *value;
        json_object_foreach(h->dates, key, value) {
            if (strcmp(key, "undated") == 0)
                continue;
            char k[16];
            size_t kl = strlen(key) < width ? strlen(key) : width;
            memcpy(k, key, kl);
            k[kl] = '\0';
            bump(groups, k, json_integer_value(value));
        }
        if (json_object_size(groups) <= 40 || width == 4)
            break;
        width = width == 10 ? 7 : 4;
    }
    size_t n = json_object_size(groups);
    bar_t *bars = dp_calloc(n + 1, sizeof *bars);
    if (bars == NULL) {
        json_decref(groups);
        return ex_fail(st, DP_ENOMEM, "out of memory");
    }
    size_t i = 0;
    json_int_t max = 1;
    const char *key;
    json_t *value;
    json_object_foreach(groups, key, value) {
        bars[i].key = key;
        bars[i].value = json_integer_value(value);
        if (bars[i].value > max)
            max = bars[i].value;
        i++;
    }
    qsort(bars, n, sizeof *bars, bar_by_key);
    /* Drawn in a 640 x 260 box; the page scales it to the screen. */
    const double left = 44, top = 16, plot_h = 160, plot_w = 586;
    double step = n > 0 ? plot_w / (double)n : plot_w;
    dp_status rc = ex_out_printf(out,
        "<figure><svg class=\"chart\" viewBox=\"0 0 640 260\" role=\"img\" "
        "aria-labelledby=\"c1t\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"c1t\">Documents per %s</title>\n"
        "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"axis\"/>"
        "<text x=\"%.0f\" y=\"%.0f\" class=\"tick\" text-anchor=\"end\">%lld</text>"
        "<text x=\"%.0f\" y=\"%.0f\" class=\"tick\" text-anchor=\"end\">0</text>\n",
        width == 10 ? "date" : width == 7 ? "month" : "year", left, top + plot_h, left + plot_w,
        top + plot_h, left - 4, top + 8, (long long)max, left - 4, top + plot_h);
    for (i = 0; i < n && rc == DP_OK; i++) {
        double bh = plot_h * (double)bars[i].value / (double)max;
        double bw = step * 0.7 < 48 ? step * 0.7 : 48;
        double x = left + step * (double)i + (step - bw) / 2;
        rc = ex_out_printf(out,
            "<g><title>%s: %lld</title><rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
            "<text class=\"lbl\" transform=\"translate(%.1f %.0f) rotate(-45)\" text-anchor=\"end\">%s</text></g>\n",
            bars[i].key, (long long)bars[i].value, x, top + plot_h - bh, bw, bh,
            x + bw / 2, top + plot_h + 16, bars[i].key);
    }
    if (rc == DP_OK && n == 0)
        rc = ex_out_printf(out, "<text x=\"320\" y=\"110\" text-anchor=\"middle\" class=\"none\">"
                                "No document has a date</text>\n");
    if (rc == DP_OK)
        rc = ex_out_printf(out, "</svg><figcaption>Documents per %s%s",
                           width == 10 ? "date" : width == 7 ? "month" : "year",
                           undated > 0 ? " \xc2\xb7 " : "");
    if (rc == DP_OK && undated > 0)
        rc = ex_out_printf(out, "%lld undated", (long long)undated);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</figcaption></figure>\n");
    dp_free(bars);
    json_decref(groups);
    return rc;
}

/* Entity mentions per label as horizontal bars. */
static dp_status chart_labels(ex_state_t *st, html_t *h, ex_out_t *out)
{
    size_t n = json_object_size(h->labels);
    bar_t *bars = dp_calloc(n + 1, sizeof *bars);
    if (bars == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    size_t i = 0;
    json_int_t max = 1;
    const char *key;
    json_t *value;
    json_object_foreach(h->labels, key, value) {
        bars[i].key = key;
        bars[i].value = json_integer_value(value);
        if (bars[i].value > max)
            max = bars[i].value;
        i++;
    }
    qsort(bars, n, sizeof *bars, bar_by_value);
    double row = 26, height = 20 + row * (double)(n > 0 ? n : 1);
    dp_status rc = ex_out_printf(out,
        "<figure><svg class=\"chart\" viewBox=\"0 0 640 %.0f\" role=\"img\" aria-labelledby=\"c2t\" "
        "xmlns=\"http://www.w3.org/2000/svg\"><title id=\"c2t\">Entity mentions per label</title>\n", height);
    for (i = 0; i < n && rc == DP_OK; i++) {
        char cls[64];
        css_label(bars[i].key, cls, sizeof cls);
        double w = 420.0 * (double)bars[i].value / (double)max;
        double y = 10 + row * (double)i;
        rc = ex_out_printf(out, "<g><title>%s: %lld</title><text class=\"lbl\" x=\"110\" y=\"%.0f\" "
                                "text-anchor=\"end\">", cls, (long long)bars[i].value, y + 16);
        if (rc == DP_OK)
            rc = escs(out, bars[i].key);
        if (rc == DP_OK)
            rc = ex_out_printf(out, "</text><rect class=\"bar l-%s\" x=\"118\" y=\"%.0f\" width=\"%.1f\" "
                                    "height=\"20\"/><text class=\"val\" x=\"%.1f\" y=\"%.0f\">%lld</text></g>\n",
                               cls, y + 2, w, 124 + w, y + 17, (long long)bars[i].value);
    }
    if (rc == DP_OK && n == 0)
        rc = ex_out_puts(out, "<text x=\"320\" y=\"26\" text-anchor=\"middle\" class=\"none\">"
                              "No entities (the chain has no tag stage)</text>\n");
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</svg><figcaption>Entity mentions per label</figcaption></figure>\n");
    dp_free(bars);
    return rc;
}

/* ---- the page --------------------------------------------------------------------- */

static const char page_css[] =
    ":root{--fg:#1b1f24;--muted:#5b6470;--bg:#fff;--line:#d8dde3;--accent:#2457a6;"
    "--PERSON:#cfe2ff;--ORG:#ffe3c2;--LOC:#d3f2d8;--DATE:#ecdcff;--X:#eceff2}"
    "*{box-sizing:border-box}"
    "body{margin:0 auto;max-width:62rem;padding:1rem;font:16px/1.55 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Noto Sans',sans-serif;color:var(--fg);background:var(--bg)}"
    "h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.3rem;margin:2rem 0 .6rem;"
    "border-bottom:2px solid var(--line);padding-bottom:.2rem}h3{font-size:1.15rem;margin:0 0 .2rem}"
    ".run{color:var(--muted);font-size:.9rem}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem;margin:1rem 0}"
    ".card{border:1px solid var(--line);border-radius:.5rem;padding:.6rem .8rem}"
    ".card b{display:block;font-size:1.6rem;line-height:1.2}.card span{color:var(--muted);font-size:.85rem}"
    ".card.bad b{color:#b3261e}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1rem}"
    "figure{margin:0;border:1px solid var(--line);border-radius:.5rem;padding:.5rem}"
    "figcaption{color:var(--muted);font-size:.85rem;text-align:center}"
    "svg.chart{width:100%;height:auto;display:block}"
    ".bar{fill:var(--accent)}.axis{stroke:#8a939e}.tick,.lbl,.val{font-size:14px;fill:#39414b}"
    ".none{font-size:14px;fill:#8a939e}"
    ".bar.l-PERSON{fill:#4a7fd4}.bar.l-ORG{fill:#e08a2c}.bar.l-LOC{fill:#3c9a54}.bar.l-DATE{fill:#8a5cc9}"
    ".tops{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:1rem}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:.92rem}"
    "th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td a{margin-right:.3rem}"
    "article{border-top:1px solid var(--line);padding:1rem 0}"
    ".meta{color:var(--muted);font-size:.88rem;margin:0 0 .5rem;overflow-wrap:anywhere}"
    ".summary{background:#f5f7fa;border-left:4px solid var(--accent);padding:.5rem .7rem;margin:.5rem 0}"
    ".kw{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.3rem}"
    ".kw li{background:#eef2f7;border-radius:1rem;padding:0 .6rem;font-size:.85rem}"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.95rem}"
    "details{margin:.4rem 0}summary{cursor:pointer;color:var(--accent)}"
    "mark.e{background:var(--X);border-radius:.2rem;padding:0 .1rem;color:inherit}"
    "mark.l-PERSON{background:var(--PERSON)}mark.l-ORG{background:var(--ORG)}"
    "mark.l-LOC{background:var(--LOC)}mark.l-DATE{background:var(--DATE)}"
    ".legend mark{margin-right:.4rem}"
    ".cut{color:var(--muted)}code{font-size:.85em}"
    "a{color:var(--accent)}"
    "nav{font-size:.9rem;margin:.5rem 0}nav a{margin-right:.8rem}"
    "@media (max-width:40rem){body{padding:.6rem;font-size:15px}h1{font-size:1.4rem}}"
    "@media print{nav{display:none}details>summary{display:none}body{max-width:none;font-size:11pt}a{color:inherit;text-decoration:none}"
    "figure,table,h2,h3{break-inside:avoid}mark.e{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static json_int_t count_of(const json_t *docs, const char *key, json_int_t fallback)
{
    json_t *n = json_object_get(docs, key);
    return json_is_integer(n) ? json_integer_value(n) : fallback;
}

static dp_status card(ex_out_t *out, json_int_t n, const char *what, bool bad)
{
    return ex_out_printf(out, "<div class=\"card%s\"><b>%lld</b><span>%s</span></div>",
                         bad && n > 0 ? " bad" : "", (long long)n, what);
}

static dp_status write_run(ex_state_t *st, html_t *h, ex_out_t *out, const json_t *info)
{
    const json_t *docs = json_object_get(info, "documents");
    const char *started = json_string_value(json_object_get(info, "started"));
    const char *finished = json_string_value(json_object_get(info, "finished"));
    const char *config = json_string_value(json_object_get(info, "config"));
    dp_status rc = ex_out_puts(out, "<p class=\"run\">");
    if (rc == DP_OK && started != NULL) {
        rc = ex_out_puts(out, "Run of <time>");
        if (rc == DP_OK)
            rc = escs(out, started);
        if (rc == DP_OK && finished != NULL) {
            rc = ex_out_puts(out, "</time> to <time>");
            if (rc == DP_OK)
                rc = escs(out, finished);
        }
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</time>");
    }
    if (rc == DP_OK && config != NULL) {
        rc = ex_out_puts(out, " \xc2\xb7 config <code>");
        if (rc == DP_OK)
            rc = escs(out, config);
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</code>");
    }
    const json_t *plugins = json_object_get(info, "plugins");
    for (size_t i = 0; i < json_array_size(plugins) && rc == DP_OK; i++) {
        const json_t *p = json_array_get(plugins, i);
        rc = ex_out_puts(out, i == 0 ? " \xc2\xb7 stages " : ", ");
        if (rc == DP_OK)
            rc = escs(out, json_string_value(json_object_get(p, "stage")));
        if (rc == DP_OK)
            rc = ex_out_puts(out, " ");
        if (rc == DP_OK)
            rc = escs(out, json_string_value(json_object_get(p, "version")));
    }
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</p>\n<div class=\"cards\">");
    const json_t *bundles = json_object_get(info, "bundles");
    json_int_t nbundles = json_is_array(bundles) ? (json_int_t)json_array_size(bundles)
                                                 : (json_int_t)json_object_size(h->bundles);
    if (rc == DP_OK)
        rc = card(out, nbundles, "bundles", false);
    if (rc == DP_OK)
        rc = card(out, count_of(docs, "entered", (json_int_t)h->ndocs), "documents in", false);
    if (rc == DP_OK)
        rc = card(out, count_of(docs, "processed", (json_int_t)h->ndocs), "processed", false);
    if (rc == DP_OK)
        rc = card(out, count_of(docs, "failed", 0), "failed", true);
    if (rc == DP_OK)
        rc = card(out, count_of(docs, "filtered", 0), "filtered out", false);
    if (rc == DP_OK)
        rc = card(out, (json_int_t)h->ndocs, "in this digest", false);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</div>\n");
    (void)st;
    return rc;
}

static int top_order(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    json_int_t cx = json_integer_value(json_array_get(x, 1));
    json_int_t cy = json_integer_value(json_array_get(y, 1));
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(y, 0)));
}

static dp_status write_tops(ex_state_t *st, html_t *h, ex_out_t *out)
{
    dp_status rc = ex_out_puts(out, "<h2 id=\"top\">Most mentioned</h2>\n<div class=\"tops\">\n");
    for (size_t k = 0; k < 3 && rc == DP_OK; k++) {
        json_t *names = json_object_get(h->top, top_labels[k]);
        size_t n = json_object_size(names);
        rc = ex_out_printf(out, "<div class=\"scroll\"><table><caption><mark class=\"e l-%s\">%s</mark>"
                                "</caption><tr><th>Name</th><th>Mentions</th><th>Documents</th></tr>\n",
                           top_labels[k], top_titles[k]);
        if (n == 0 && rc == DP_OK)
            rc = ex_out_puts(out, "<tr><td colspan=\"3\">None found</td></tr>\n");
        /* [name, mentions, docs] triples, sorted by mentions then name. */
        json_t **rows = n > 0 ? dp_malloc(n * sizeof *rows) : NULL;
        if (n > 0 && rows == NULL)
            return ex_fail(st, DP_ENOMEM, "out of memory");
        size_t i = 0;
        const char *name;
        json_t *entry;
        json_object_foreach(names, name, entry) {
            rows[i++] = json_pack("[s,O,O]", name, json_array_get(entry, 0), json_array_get(entry, 1));
        }
        bool ok = true;
        for (i = 0; i < n; i++)
            ok = ok && rows[i] != NULL;
        if (ok && n > 0)
            qsort(rows, n, sizeof *rows, top_order);
        for (i = 0; ok && i < n && i < TOP_ROWS && rc == DP_OK; i++) {
            rc = ex_out_puts(out, "<tr><td>");
            if (rc == DP_OK)
                rc = escs(out, json_string_value(json_array_get(rows[i], 0)));
            if (rc == DP_OK)
                rc = ex_out_printf(out, "</td><td class=\"n\">%lld</td><td>",
                                   (long long)json_integer_value(json_array_get(rows[i], 1)));
            json_t *docs = json_array_get(rows[i], 2);
            for (size_t d = 0; d < json_array_size(docs) && rc == DP_OK; d++) {
                long long doc = (long long)json_integer_value(json_array_get(docs, d));
                rc = ex_out_printf(out, "<a href=\"#d%lld\" title=\"", doc);
                if (rc == DP_OK)
                    rc = escs(out, json_string_value(json_array_get(h->titles, (size_t)doc - 1)));
                if (rc == DP_OK)
                    rc = ex_out_printf(out, "\">%lld</a>", doc);
            }
            if (rc == DP_OK)
                rc = ex_out_puts(out, "</td></tr>\n");
        }
        for (i = 0; i < n; i++)
            json_decref(rows[i]);
        dp_free(rows);
        if (!ok)
            return ex_fail(st, DP_ENOMEM, "out of memory");
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</table></div>\n");
    }
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</div>\n");
    return rc;
}

static dp_status write_failures(ex_out_t *out, const json_t *info)
{
    const json_t *failures = json_object_get(info, "failures");
    size_t n = json_array_size(failures);
    if (n == 0)
        return DP_OK;
    dp_status rc = ex_out_printf(out, "<h2 id=\"failures\">Failures (%zu)</h2>\n<div class=\"scroll\"><table>"
                                      "<tr><th>Document</th><th>Stage</th><th>Message</th></tr>\n", n);
    for (size_t i = 0; i < n && i < FAILURES_SHOWN && rc == DP_OK; i++) {
        const json_t *f = json_array_get(failures, i);
        const json_t *id = json_object_get(f, "id");
        rc = ex_out_puts(out, "<tr><td><code>");
        if (rc == DP_OK && json_is_string(id))
            rc = escs(out, json_string_value(id));
        else if (rc == DP_OK && json_is_integer(id))
            rc = ex_out_printf(out, "%lld", (long long)json_integer_value(id));
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</code></td><td>");
        if (rc == DP_OK)
            rc = escs(out, json_string_value(json_object_get(f, "stage")));
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</td><td>");
        if (rc == DP_OK)
            rc = escs(out, json_string_value(json_object_get(f, "message")));
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</td></tr>\n");
    }
    if (rc == DP_OK && n > FAILURES_SHOWN)
        rc = ex_out_printf(out, "<tr><td colspan=\"3\">\xe2\x80\xa6 and %zu more</td></tr>\n", n - FAILURES_SHOWN);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</table></div>\n");
    return rc;
}

static dp_status write_page(ex_state_t *st, html_t *h, ex_out_t *out)
{
    const json_t *info = st->host != NULL ? dp_host_run_info(st->host) : NULL;
    dp_status rc = ex_out_puts(out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n<meta name=\"generator\" content=\"docpipe export\">\n");
    if (rc == DP_OK)
        rc = ex_out_printf(out, "<title>Digest: %zu documents</title>\n<style>", h->ndocs);
    if (rc == DP_OK)
        rc = ex_out_puts(out, page_css);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</style>\n</head>\n<body>\n<header>\n<h1>Document digest</h1>\n");
    if (rc == DP_OK)
        rc = write_run(st, h, out, info);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "<nav><a href=\"#charts\">Charts</a><a href=\"#top\">Most mentioned</a>"
                              "<a href=\"#documents\">Documents</a>");
    if (rc == DP_OK && json_array_size(json_object_get(info, "failures")) > 0)
        rc = ex_out_puts(out, "<a href=\"#failures\">Failures</a>");
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</nav>\n</header>\n<main>\n<h2 id=\"charts\">Overview</h2>\n<div class=\"charts\">\n");
    if (rc == DP_OK)
        rc = chart_dates(st, h, out);
    if (rc == DP_OK)
        rc = chart_labels(st, h, out);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</div>\n");
    if (rc == DP_OK)
        rc = write_tops(st, h, out);
    if (rc == DP_OK)
        rc = ex_out_printf(out, "<h2 id=\"documents\">Documents (%zu)</h2>\n<p class=\"legend\">"
                                "<mark class=\"e l-PERSON\">person</mark><mark class=\"e l-ORG\">organisation"
                                "</mark><mark class=\"e l-LOC\">place</mark><mark class=\"e l-DATE\">date</mark>"
                                "<mark class=\"e\">other</mark></p>\n", h->ndocs);
    if (rc == DP_OK && h->docs.buf.len > 0)
        rc = ex_out_write(out, h->docs.buf.data, h->docs.buf.len);
    if (rc == DP_OK && h->more.buf.len > 0) {
        rc = ex_out_printf(out, "<h2>More documents (%zu)</h2>\n<ol class=\"more\" start=\"%lld\">\n",
                           h->ndocs - (size_t)st->max_documents, st->max_documents + 1);
        if (rc == DP_OK)
            rc = ex_out_write(out, h->more.buf.data, h->more.buf.len);
        if (rc == DP_OK)
            rc = ex_out_puts(out, "</ol>\n");
    }
    if (rc == DP_OK)
        rc = write_failures(out, info);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "</main>\n</body>\n</html>\n");
    return rc;
}

/* ---- the format --------------------------------------------------------------------- */

static void html_stop(ex_state_t *st)
{
    html_t *h = st->fmt;
    if (h == NULL)
        return;
    ex_out_abort(&h->page); /* after an aborted flush: removes the temporary */
    dp_buf_free(&h->docs.buf);
    dp_buf_free(&h->more.buf);
    json_decref(h->bundles);
    json_decref(h->dates);
    json_decref(h->labels);
    json_decref(h->top);
    json_decref(h->titles);
    dp_free(h);
    st->fmt = NULL;
}

static dp_status html_start(ex_state_t *st)
{
    if (strcmp(st->path, "-") == 0 || (st->fields & (EX_T_BUNDLE | EX_T_ID | EX_T_DATE)) != 0)
        return ex_fail(st, DP_EINVAL, "format html writes one page per run: path must be a file "
                       "(it may use {stage}, not {bundle}, {id} or {date})");
    html_t *h = dp_calloc(1, sizeof *h);
    if (h == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    st->fmt = h;
    ex_out_init_memory(st, &h->docs);
    ex_out_init_memory(st, &h->more);
    ex_out_init_memory(st, &h->page);
    h->bundles = json_object();
    h->dates = json_object();
    h->labels = json_object();
    h->top = json_object();
    h->titles = json_array();
    if (h->bundles == NULL || h->dates == NULL || h->labels == NULL || h->top == NULL ||
        h->titles == NULL) {
        html_stop(st);
        return ex_fail(st, DP_ENOMEM, "out of memory");
    }
    if (st->if_exists == EX_IF_FAIL) {
        char *path = ex_template_expand(st->path, NULL, NULL, st->stage);
        dp_status rc = path == NULL ? ex_fail(st, DP_ENOMEM, "out of memory")
                       : access(path, F_OK) == 0 ? ex_fail(st, DP_ESTATE, "%s exists (if_exists is \"fail\")", path)
                                                 : DP_OK;
        dp_free(path);
        if (rc != DP_OK) {
            html_stop(st);
            return rc;
        }
    }
    return DP_OK;
}

static dp_status html_flush(ex_state_t *st)
{
    html_t *h = st->fmt;
    char *path = ex_template_expand(st->path, NULL, NULL, st->stage);
    if (path == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    dp_status rc = ex_out_open_file(st, &h->page, path, st->if_exists == EX_IF_FAIL);
    dp_free(path);
    if (rc == DP_OK)
        rc = write_page(st, h, &h->page);
    if (rc == DP_OK)
        rc = ex_out_commit(&h->page);
    else
        ex_out_abort(&h->page);
    return rc;
}

const ex_format_t ex_format_html = {
    .name = "html",
    .start = html_start,
    .process = html_process,
    .flush = html_flush,
    .stop = html_stop,
};
