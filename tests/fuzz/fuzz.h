/* What every fuzz target of tests/fuzz shares: the libFuzzer entry point it
 * defines, and a scratch file the targets that read paths write input to. */
#ifndef DOCPIPE_TESTS_FUZZ_H
#define DOCPIPE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Defined once by each target; called by libFuzzer, or by driver.c when the
 * target is built as a plain program. Always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data[0..size) to NAME inside a private temporary folder made on the
 * first call (removed at exit) and returns the file's path (static storage,
 * valid until the next call). Aborts when the file cannot be written: that
 * is a broken test machine, not a finding. */
const char *fuzz_scratch_file(const char *name, const uint8_t *data, size_t size);

#endif
