/* Fuzz target: the JSON Lines input (core/input_jsonl.c) on an arbitrary
 * file; every document reaches a sink that frees it. */
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input_run("docs.jsonl", DP__INPUT_JSONL, data, size);
    return 0;
}
