/* meta.language: which language a text is written in, by character n-gram
 * profiles (Cavnar & Trenkle's "N-Gram-Based Text Categorization", the method
 * of libtextcat/libexttextcat), compared against the language fingerprints
 * shipped under configs/lang/profiles/ (one "<code>.lm" file a language:
 * an n-gram and its count a line, most frequent first; source and licence in
 * configs/lang/profiles/README.md).
 *
 * For the normalise engineer: load the profiles once in init and keep them
 * in the plugin state (read-only afterwards, shared by all workers):
 *
 *     char *dir = dp_host_find_data(host, "lang/profiles");   // caller frees
 *     nz_language_t *lang = NULL;
 *     char err[256];
 *     if (!dir || nz_language_load(dir, &lang, err, sizeof err) != DP_OK) ... fail
 *     dp_free(dir);
 *
 * then per document, on the final text:
 *
 *     const char *code = nz_language_detect(lang, text, len);  // may be NULL
 *     if (code) json_object_set_new(meta, "language", json_string(code));
 *
 * and nz_language_free(lang) in fini. */
#ifndef NZ_LANGUAGE_H
#define NZ_LANGUAGE_H

#include <stddef.h>

#include "docpipe/status.h"

typedef struct nz_language nz_language_t;

/* Loads every "<code>.lm" file of the folder dir (the code is the file name
 * without ".lm": "de", "pt", "sr-Cyrl"). On success *out is the loaded set,
 * which the caller frees with nz_language_free. On failure returns DP_EIO
 * (folder or file unreadable), DP_EFORMAT (a malformed line) or DP_ENOMEM,
 * and writes a one-line message naming the file to err. */
dp_status nz_language_load(const char *dir, nz_language_t **out, char *err, size_t errcap);

/* Frees a set from nz_language_load; NULL is a no-op. */
void nz_language_free(nz_language_t *lang);

/* The language of text[0..len) as its profile's code (ISO 639-1 where there
 * is one: "en", "fr", "ru"), or NULL when lang is NULL, the text has too few
 * letters to tell (under 20), or no profile is close. Reads at most the first
 * 1 KB of text, which is enough to tell the language of a release and keeps
 * the cost per document bounded. Chinese, Japanese and Korean are told by
 * their scripts ("zh", "ja", "ko"). The string is owned by lang (or static)
 * and lives as long as lang. Thread-safe: lang is only read. */
const char *nz_language_detect(const nz_language_t *lang, const char *text, size_t len);

#endif
