/* Internal helpers of source encoding detection (core/encoding.c). */
#ifndef DOCPIPE_ENCODING_INTERNAL_H
#define DOCPIPE_ENCODING_INTERNAL_H

#include <stddef.h>

/* For bytes that are not UTF-8 and read as plausible windows-1252: the
 * Central European page ("windows-1250" or "iso-8859-2") they are in, when
 * their accented letters form one Central European alphabet clearly better
 * than one Western alphabet, with its iconv name in *iconv_name; NULL when
 * windows-1252 stands (core/latin_pages.c). Thread-safe. */
const char *dp__latin_page_guess(const unsigned char *p, size_t n, const char **iconv_name);

#endif
