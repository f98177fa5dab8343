/* Hashing and a string-keyed hash table for plugins that build lookup
 * structures (gazetteers, stem caches, vocabularies). The table is built
 * once and may then be read by many threads at once without locking;
 * writes need one writer at a time. */
#ifndef DOCPIPE_HASH_H
#define DOCPIPE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "docpipe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 64-bit hash of data[0..len) (FNV-1a with a final mix). Stable across runs
 * and platforms, so it may be used where output must be deterministic. */
uint64_t dp_hash64(const void *data, size_t len);

typedef struct dp_map dp_map_t;

/* A new empty map from byte-string keys to pointer-sized values; NULL on
 * allocation failure. Free with dp_map_free. */
dp_map_t *dp_map_new(void);

/* Frees the map and its copies of the keys (not the values). NULL is a no-op. */
void dp_map_free(dp_map_t *map);

/* Sets key (copied) to value, replacing an older value. DP_ENOMEM on failure. */
dp_status dp_map_put(dp_map_t *map, const char *key, size_t key_len, void *value);

/* The value stored under key, or NULL when absent (store non-NULL values). */
void *dp_map_get(const dp_map_t *map, const char *key, size_t key_len);

/* Number of keys. */
size_t dp_map_count(const dp_map_t *map);

/* Iterates: start with *iter = 0; returns 0 when done, else 1 and sets *key,
 * *key_len (borrowed) and *value. Order is unspecified. */
int dp_map_next(const dp_map_t *map, size_t *iter, const char **key, size_t *key_len,
                void **value);

#ifdef __cplusplus
}
#endif
#endif
