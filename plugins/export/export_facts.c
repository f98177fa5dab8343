/* Facts that the tabular and human-readable formats (csv, sqlite, brat,
 * html) read from a document: title, date and language from metadata, the
 * summary and keywords from result fields, canonical names and values from
 * span attributes. One place, so every format reads them the same way. */
#include <string.h>

#include "export.h"

const char *ex_meta_string(dp_doc_t *doc, const char *key)
{
    return json_string_value(json_object_get(dp_doc_meta(doc), key));
}

const char *ex_summary_text(const dp_doc_t *doc)
{
    json_t *summary = dp_doc_result(doc, "summary");
    if (json_is_string(summary))
        return json_string_value(summary);
    return json_string_value(json_object_get(summary, "text"));
}

bool ex_keyword_at(const dp_doc_t *doc, size_t i, const char **text, double *score)
{
    json_t *keywords = dp_doc_result(doc, "keywords");
    json_t *k = json_array_get(keywords, i);
    if (k == NULL)
        return false;
    *score = 0;
    if (json_is_string(k)) {
        *text = json_string_value(k);
        return true;
    }
    *text = json_string_value(json_object_get(k, "text"));
    if (*text == NULL)
        *text = "";
    json_t *s = json_object_get(k, "score");
    if (json_is_number(s))
        *score = json_number_value(s);
    return true;
}

const char *ex_attr_string(const dp_span_t *span, const char *key)
{
    return span->attrs != NULL ? json_string_value(json_object_get(span->attrs, key)) : NULL;
}
