/* Source encoding detection and decoding to UTF-8, the rule DESIGN.md fixes,
 * extended: a BOM; else UTF-32 or UTF-16 recognised by its NUL-byte
 * pattern; else valid UTF-8 (7-bit ISO-2022-JP/KR/CN recognised by its
 * escape sequences); else UTF-8 with a few stray windows-1252 bytes
 * ("mixed", repaired byte by byte); else windows-1252 -- unless the bytes
 * make no sense as Western windows-1252 (a quarter of them high, or symbols
 * inside words), when uchardet names the code page (Greek, Cyrillic,
 * Hebrew, Arabic, Turkish, Chinese, Japanese, Korean...), or their accented
 * letters form a Central European alphabet rather than a Western one
 * (windows-1250, ISO-8859-2). The core runs this on every document's raw
 * bytes so that no stage ever sees invalid UTF-8. Thread-safe. */
#ifndef DOCPIPE_ENCODING_H
#define DOCPIPE_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "docpipe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decodes bytes[0..len) to UTF-8. On success *text is a NUL-terminated UTF-8
 * string the caller frees with dp_free, *text_len its length, *label a
 * string that lives as long as the process ("utf-8", "utf-16le",
 * "utf-16be", "windows-1252", "mixed", or another code page in lowercase as
 * iconv and Python name it: "windows-1251", "iso-8859-7", "koi8-r", "big5",
 * "cp949"...)
 * and *repaired the number of bytes that were not valid in the detected
 * encoding and were repaired. A BOM is dropped. DP_ENOMEM on allocation
 * failure; never fails on data. */
dp_status dp_encoding_decode(const unsigned char *bytes, size_t len, char **text,
                             size_t *text_len, const char **label, uint64_t *repaired);

/* The label dp_encoding_decode gives the bytes (it decodes them to be sure). */
const char *dp_encoding_detect(const unsigned char *bytes, size_t len);

#ifdef __cplusplus
}
#endif
#endif
