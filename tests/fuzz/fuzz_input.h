/* The part the two input targets share: small limits, a sink that frees
 * every document after checking it, and a check that one bundle_end comes. */
#ifndef DOCPIPE_TESTS_FUZZ_INPUT_H
#define DOCPIPE_TESTS_FUZZ_INPUT_H

#include "fuzz.h"
#include "input.h"

/* Writes data to a scratch file named name and reads it with format,
 * limits small enough that bombs and huge entries trip quickly. */
void fuzz_input_run(const char *name, dp__input_format_t format, const uint8_t *data, size_t size);

#endif
