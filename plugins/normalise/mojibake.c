/* stub */
#include "nz.h"
dp_status nz_mojibake_init(void) { return DP_OK; }
dp_status nz_mojibake_fix(const char *s, size_t len, dp_buf_t *out, size_t *repairs)
{ (void)repairs; return dp_buf_append(out, s, len); }
