/* Hashing and the open-addressing string map of docpipe/hash.h. */
#include <string.h>

#include "docpipe/alloc.h"
#include "docpipe/hash.h"

uint64_t dp_hash64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    /* A final avalanche (from splitmix64) so low bits are well mixed. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

typedef struct map_slot {
    char *key; /* NULL when empty */
    size_t key_len;
    uint64_t hash;
    void *value;
} map_slot_t;

struct dp_map {
    map_slot_t *slots;
    size_t cap; /* a power of two */
    size_t count;
};

dp_map_t *dp_map_new(void)
{
    dp_map_t *map = dp_calloc(1, sizeof *map);
    if (!map)
        return NULL;
    map->cap = 16;
    map->slots = dp_calloc(map->cap, sizeof *map->slots);
    if (!map->slots) {
        dp_free(map);
        return NULL;
    }
    return map;
}

void dp_map_free(dp_map_t *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->cap; i++)
        dp_free(map->slots[i].key);
    dp_free(map->slots);
    dp_free(map);
}

static map_slot_t *find_slot(map_slot_t *slots, size_t cap, const char *key, size_t key_len,
                             uint64_t hash)
{
    size_t i = (size_t)hash & (cap - 1);
    for (;;) {
        map_slot_t *slot = &slots[i];
        if (!slot->key)
            return slot;
        if (slot->hash == hash && slot->key_len == key_len && memcmp(slot->key, key, key_len) == 0)
            return slot;
        i = (i + 1) & (cap - 1);
    }
}

static dp_status grow(dp_map_t *map)
{
    size_t cap = map->cap * 2;
    map_slot_t *slots = dp_calloc(cap, sizeof *slots);
    if (!slots)
        return DP_ENOMEM;
    for (size_t i = 0; i < map->cap; i++) {
        map_slot_t *old = &map->slots[i];
        if (old->key)
            *find_slot(slots, cap, old->key, old->key_len, old->hash) = *old;
    }
    dp_free(map->slots);
    map->slots = slots;
    map->cap = cap;
    return DP_OK;
}

dp_status dp_map_put(dp_map_t *map, const char *key, size_t key_len, void *value)
{
    if ((map->count + 1) * 4 > map->cap * 3 && grow(map) != DP_OK)
        return DP_ENOMEM;
    uint64_t hash = dp_hash64(key, key_len);
    map_slot_t *slot = find_slot(map->slots, map->cap, key, key_len, hash);
    if (slot->key) {
        slot->value = value;
        return DP_OK;
    }
    char *copy = dp_malloc(key_len + 1);
    if (!copy)
        return DP_ENOMEM;
    memcpy(copy, key, key_len);
    copy[key_len] = '\0';
    slot->key = copy;
    slot->key_len = key_len;
    slot->hash = hash;
    slot->value = value;
    map->count++;
    return DP_OK;
}

void *dp_map_get(const dp_map_t *map, const char *key, size_t key_len)
{
    uint64_t hash = dp_hash64(key, key_len);
    map_slot_t *slot = find_slot(map->slots, map->cap, key, key_len, hash);
    return slot->key ? slot->value : NULL;
}

size_t dp_map_count(const dp_map_t *map)
{
    return map->count;
}

int dp_map_next(const dp_map_t *map, size_t *iter, const char **key, size_t *key_len,
                void **value)
{
    while (*iter < map->cap) {
        map_slot_t *slot = &map->slots[(*iter)++];
        if (slot->key) {
            *key = slot->key;
            *key_len = slot->key_len;
            *value = slot->value;
            return 1;
        }
    }
    return 0;
}
