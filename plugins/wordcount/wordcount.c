/* wordcount: the example plugin of docpipe. It counts the words and the
 * characters of each document's text and records them in its metadata
 * (meta.words and meta.characters by default). It is written only against
 * the public header <docpipe/docpipe.h>, so the same file builds in-tree
 * (plugins/wordcount/CMakeLists.txt) and out-of-tree against an installed
 * docpipe (examples/wordcount/Makefile, with pkg-config). */
#include <docpipe/docpipe.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* What init() keeps for process(). It is read-only after init(), which is
 * what lets the plugin declare itself PARALLEL: every worker thread calls
 * process() on the same state at once without locking. */
typedef struct wordcount {
    dp_host_t *host;   /* borrowed: valid until fini, used for error messages */
    const char *field; /* borrowed from the options object, valid until fini */
} wordcount_t;

/* The options table: the host validates a stage's options against it before
 * any document is read, fills in the defaults, and prints it in
 * `docpipe plugins show wordcount`. It ends with a row whose name is NULL. */
static const dp_option_spec_t wordcount_options[] = {
    {.name = "field",
     .type = DP_OPT_STRING,
     .default_json = "\"words\"",
     .description = "metadata key that receives the number of words"},
    {.name = NULL}};

/* Unicode's White_Space property (PropList.txt); a word is a maximal run of
 * code points that are not white space, as `wc -w` counts but for all of
 * Unicode, so that no-break spaces and ideographic spaces separate words. */
static bool is_white_space(int32_t cp)
{
    if (cp <= 0x20) {
        return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
    }
    switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* Counts words and code points of valid UTF-8 text[0..len). ASCII bytes,
 * the bulk of most texts, are classified without decoding. */
static void count_text(const char *text, size_t len, size_t *words, size_t *chars)
{
    size_t pos = 0;
    size_t n_words = 0;
    size_t n_chars = 0;
    bool in_word = false;

    while (pos < len) {
        unsigned char byte = (unsigned char)text[pos];
        int32_t cp;
        if (byte < 0x80) {
            cp = byte;
            pos++;
        } else {
            cp = dp_utf8_next(text, len, &pos);
        }
        n_chars++;
        if (is_white_space(cp)) {
            in_word = false;
        } else if (!in_word) {
            in_word = true;
            n_words++;
        }
    }
    *words = n_words;
    *chars = n_chars;
}

static dp_status wordcount_init(const json_t *options, dp_host_t *host, void **state)
{
    /* The host has validated the options and filled in the defaults, so
     * "field" is always a string here; an empty key is still ours to refuse. */
    const char *field = json_string_value(json_object_get(options, "field"));
    if (field == NULL || field[0] == '\0') {
        dp_host_error(host, "option field: expected a non-empty metadata key");
        return DP_EINVAL;
    }
    if (strcmp(field, "characters") == 0) {
        dp_host_error(host, "option field: \"characters\" is where the character count goes; "
                            "choose another key");
        return DP_EINVAL;
    }
    wordcount_t *wc = dp_malloc(sizeof *wc);
    if (wc == NULL) {
        dp_host_error(host, "out of memory");
        return DP_ENOMEM;
    }
    wc->host = host;
    wc->field = field;
    *state = wc;
    return DP_OK;
}

static dp_status wordcount_process(void *state, void *worker, dp_doc_t *doc)
{
    const wordcount_t *wc = state;
    size_t len = 0;
    size_t words = 0;
    size_t chars = 0;
    (void)worker; /* no per-thread scratch needed */

    const char *text = dp_doc_text(doc, &len);
    count_text(text, len, &words, &chars);

    /* json_object_set_new takes the new reference also when it fails, and
     * json_integer returning NULL makes it fail, so one check covers both. */
    json_t *meta = dp_doc_meta(doc);
    if (json_object_set_new(meta, wc->field, json_integer((json_int_t)words)) != 0 ||
        json_object_set_new(meta, "characters", json_integer((json_int_t)chars)) != 0) {
        dp_host_error(wc->host, "out of memory while setting meta.%s", wc->field);
        return DP_ENOMEM;
    }
    return DP_OK;
}

static void wordcount_fini(void *state)
{
    dp_free(state);
}

/* The one exported symbol: the host finds it by name (DP_PLUGIN_SYMBOL),
 * checks abi and size first, and uses the rest only if they match. */
DP_PLUGIN_DEFINE = {
    .abi = DP_ABI_VERSION,
    .size = sizeof(dp_plugin_t),
    .name = "wordcount",
    .version = "1.0.0",
    .description = "counts words and characters into meta.words and meta.characters",
    .options = wordcount_options,
    .threading = DP_THREADING_PARALLEL,
    .init = wordcount_init,
    .process = wordcount_process,
    .fini = wordcount_fini,
};
