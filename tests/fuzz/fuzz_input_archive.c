/* Fuzz target: the archive input (core/input.c, core/input_stream.c) on an
 * arbitrary file: libarchive's formats, the gzip/xz/bzip2 decoders, nested
 * archives, names and limits; every document reaches a sink that frees it. */
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input_run("bundle.tar", DP__INPUT_AUTO, data, size);
    return 0;
}
