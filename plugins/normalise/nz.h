/* Internal interface of the normalise plugin: the steps of the stage, each in
 * its own module (mojibake.c, clean.c, whitespace.c, lexicon.c, unwrap.c,
 * boiler.c), shared by the plugin (normalise.c) and the unit tests. Every step
 * reads a text and appends its result to a dp_buf_t, so the orchestration
 * chains them through two buffers. Nothing here keeps global mutable state
 * except the mojibake tables, built once and read-only afterwards. */
#ifndef NZ_H
#define NZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docpipe/buf.h"
#include "docpipe/status.h"

/* What a run of the stage repaired or removed; written to meta.normalise. */
typedef struct nz_counts {
    size_t mojibake;       /* character sequences repaired */
    size_t nfc;            /* code point runs recomposed by NFC */
    size_t spaces;         /* no-break and other space separators made plain */
    size_t invisible;      /* zero-width characters, soft hyphens and BOMs removed */
    size_t controls;       /* control characters removed */
    size_t punctuation;    /* typographic quotes and dashes folded (ascii_punctuation) */
    size_t lines_joined;   /* line breaks inside a paragraph removed */
    size_t hyphens_joined; /* line-end hyphens removed ("pan-\ndemic") */
    size_t hyphens_kept;   /* line-end hyphens of compounds kept ("ten-\nyear") */
    size_t furniture;      /* page headers, footers and page numbers removed */
    size_t boilerplate;    /* lines removed by a boilerplate pattern */
    size_t duplicates;     /* repeated caption/credit lines removed */
    size_t meta_lines;     /* title echo and date lines removed */
} nz_counts_t;

/* Appends a removed line to the report (removed may be NULL: not reporting). */
void nz_report(json_t *removed, const char *why, const char *s, size_t len);

/* ---- mojibake.c ----------------------------------------------------------- */

/* Builds the single-byte code page tables (through iconv) once per process.
 * Thread-safe; DP_ERR when iconv lacks a code page. */
dp_status nz_mojibake_init(void);

/* Repairs text that was decoded with the wrong code page (UTF-8 read as
 * windows-1252, latin-1, windows-1251, windows-1250 or MacRoman, up to three
 * times, possibly in part of a line), and C1 control characters that stand
 * for windows-1252 punctuation. A line changes only when the repaired line is
 * clearly more plausible than the original. Appends the whole text, repaired,
 * to out; adds the number of repaired sequences to *repairs. */
dp_status nz_mojibake_fix(const char *s, size_t len, dp_buf_t *out, size_t *repairs);

/* ---- clean.c -------------------------------------------------------------- */

typedef struct nz_clean_opts {
    bool nfc;               /* recompose to NFC */
    bool plain_spaces;      /* space separators (NBSP ...) to U+0020 */
    bool drop_invisible;    /* zero-width characters, soft hyphens, BOMs */
    bool drop_controls;     /* Cc other than \n and \t (and \f, kept for unwrap) */
    bool ascii_punctuation; /* fold curly quotes and dashes to ASCII */
} nz_clean_opts_t;

/* Unicode clean-up: CRLF and CR to LF, then the options above. Appends to
 * out. Input must be valid UTF-8. */
dp_status nz_clean(const char *s, size_t len, const nz_clean_opts_t *o, dp_buf_t *out,
                   nz_counts_t *c);

/* ---- whitespace.c --------------------------------------------------------- */

/* Appends line[0..len) with runs of spaces and tabs collapsed to one space
 * and both ends trimmed. */
dp_status nz_ws_line(const char *line, size_t len, dp_buf_t *out);

/* Whole-text white space: every line collapsed and trimmed, form feeds and
 * runs of blank lines to one blank line, no blank lines at either end, no
 * final newline. */
dp_status nz_whitespace(const char *s, size_t len, dp_buf_t *out);

/* ---- lexicon.c ------------------------------------------------------------ */

typedef struct nz_lexicon nz_lexicon_t;

/* Loads a word list (one word a line, '#' comments) and Liang hyphenation
 * patterns (the hyph_*.dic format of Debian's hyphen packages). Either path
 * may be NULL. On failure writes a message to err and returns an error.
 * The lexicon is read-only after loading; caller frees with nz_lexicon_free. */
dp_status nz_lexicon_load(const char *words_path, const char *patterns_path, nz_lexicon_t **out,
                          char *err, size_t errcap);
void nz_lexicon_free(nz_lexicon_t *lex);

/* True when the word (UTF-8, any case) is in the list, directly or through a
 * regular English inflection (-s, -es, -ed, -ing, -ly...). */
bool nz_lexicon_has(const nz_lexicon_t *lex, const char *w, size_t len);

/* True when the patterns allow a hyphen in word (letters only) before byte
 * offset at. False when the lexicon has no patterns. */
bool nz_lexicon_can_break(const nz_lexicon_t *lex, const char *w, size_t len, size_t at);

/* ---- unwrap.c ------------------------------------------------------------- */

typedef struct nz_unwrap_opts {
    bool unwrap;              /* join hard-wrapped lines into paragraphs */
    bool hyphens;             /* decide line-end hyphens */
    bool furniture;           /* remove page headers, footers, page numbers */
    const nz_lexicon_t *lex;  /* may be NULL: then only the document decides */
} nz_unwrap_opts_t;

/* Turns cleaned text (LF line ends, form feeds kept) into paragraphs: one a
 * line, separated by one blank line, white space collapsed. Appends to out;
 * removed lines go to removed (may be NULL). */
dp_status nz_unwrap(const char *s, size_t len, const nz_unwrap_opts_t *o, dp_buf_t *out,
                    nz_counts_t *c, json_t *removed);

/* ---- boiler.c ------------------------------------------------------------- */

typedef struct nz_boiler nz_boiler_t;

/* Compiles the patterns of the given files (one PCRE2 pattern a line, '#'
 * comments, blank lines ignored). Read-only afterwards; caller frees with
 * nz_boiler_free. On failure writes a message naming file and line to err. */
dp_status nz_boiler_load(const char *const *paths, size_t n, nz_boiler_t **out, char *err,
                         size_t errcap);
void nz_boiler_free(nz_boiler_t *b);

/* Removes paragraphs (lines of the normalised text) that a pattern matches
 * entirely (b may be NULL), and with dedupe a line that repeats an earlier
 * caption or credit line. Appends the rest to out in the same layout. */
dp_status nz_boiler_apply(const nz_boiler_t *b, bool dedupe, const char *s, size_t len,
                          dp_buf_t *out, nz_counts_t *c, json_t *removed);

/* Drops whole lines given as sorted byte ranges [start, end) of s and then
 * restores the paragraph layout. */
dp_status nz_drop_ranges(const char *s, size_t len, const size_t *start, const size_t *end,
                         size_t n, dp_buf_t *out, json_t *removed, const char *why);

#endif
