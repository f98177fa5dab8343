/* The single allocation hook of docpipe. Every allocation of libdocpipe and
 * of the built-in plugins goes through dp_malloc and friends, and Jansson is
 * routed through the same hook, so tests can fail the N-th allocation and
 * embedders can supply their own allocator. */
#ifndef DOCPIPE_ALLOC_H
#define DOCPIPE_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void *(*dp_malloc_fn)(size_t size);
typedef void *(*dp_realloc_fn)(void *ptr, size_t size);
typedef void (*dp_free_fn)(void *ptr);

/* Replaces the allocator. Call before any other docpipe function and before
 * threads start; NULL for any argument restores the C library's function.
 * Also installs the hook into Jansson (json_set_alloc_funcs). Not thread-safe. */
void dp_set_allocator(dp_malloc_fn m, dp_realloc_fn r, dp_free_fn f);

/* Allocate through the hook. Return NULL on failure (dp_malloc(0) returns a
 * unique pointer, never NULL on success). The caller frees with dp_free.
 * Thread-safe if the installed hook is. */
void *dp_malloc(size_t size);
void *dp_calloc(size_t count, size_t size); /* zeroed; NULL on overflow */
void *dp_realloc(void *ptr, size_t size);   /* on failure ptr stays valid */
void dp_free(void *ptr);                    /* NULL is a no-op */

/* Copies of strings; the caller frees with dp_free. NULL on failure. */
char *dp_strdup(const char *s);
char *dp_strndup(const char *s, size_t n); /* copies at most n bytes, NUL-terminates */

#ifdef __cplusplus
}
#endif
#endif
