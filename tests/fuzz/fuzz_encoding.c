/* Fuzz target: the encoding decoder (docpipe/encoding.h) on arbitrary bytes.
 * Beyond "no crash", it checks the contract the pipeline relies on: the text
 * is valid UTF-8 of the stated length, NUL-terminated, and detection alone
 * agrees with the label decoding reports. */
#include <stdlib.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "docpipe/encoding.h"
#include "docpipe/utf8.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = NULL;
    size_t text_len = 0;
    const char *label = NULL;
    uint64_t repaired = 0;
    if (dp_encoding_decode(data, size, &text, &text_len, &label, &repaired) != DP_OK)
        return 0; /* only DP_ENOMEM, which is no finding */
    if (!text || !label || text[text_len] != '\0' || !dp_utf8_valid(text, text_len))
        abort();
    if (strcmp(label, dp_encoding_detect(data, size)) != 0)
        abort();
    dp_free(text);
    return 0;
}
