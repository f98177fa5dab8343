/* The allocation hook: every allocation of libdocpipe and the built-in
 * plugins goes through these functions, and Jansson is pointed at them too,
 * so a test can fail the N-th allocation and check the error paths. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docpipe/alloc.h"

static dp_malloc_fn hook_malloc = malloc;
static dp_realloc_fn hook_realloc = realloc;
static dp_free_fn hook_free = free;

void dp_set_allocator(dp_malloc_fn m, dp_realloc_fn r, dp_free_fn f)
{
    hook_malloc = m ? m : malloc;
    hook_realloc = r ? r : realloc;
    hook_free = f ? f : free;
    json_set_alloc_funcs(hook_malloc, hook_free);
}

void *dp_malloc(size_t size)
{
    /* malloc(0) may return NULL on success; callers treat NULL as failure. */
    return hook_malloc(size ? size : 1);
}

void *dp_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = dp_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *dp_realloc(void *ptr, size_t size)
{
    return hook_realloc(ptr, size ? size : 1);
}

void dp_free(void *ptr)
{
    if (ptr)
        hook_free(ptr);
}

char *dp_strdup(const char *s)
{
    return dp_strndup(s, strlen(s));
}

char *dp_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = dp_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}
