/* The tag stage's gazetteer: loads the TSV name lists of configs/gazetteers
 * into one string-keyed table (dp_map) whose values are entries holding the
 * kinds of a name and its canonical forms. Built once in init; read-only and
 * shared by all workers afterwards. */
#include "tag_gazetteer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "docpipe/alloc.h"
#include "docpipe/utf8.h"

#define ARENA_CHUNK 65536u
#define MAX_KEY 256u

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    char data[];
} arena_chunk_t;

struct tag_gaz {
    uint64_t generation;      /* tells this table from an earlier one at the same address */
    dp_map_t *map;            /* folded key -> (entry index + 1) */
    tag_gaz_entry_t *entries;
    size_t count, cap;
    size_t max_words;
    arena_chunk_t *arena;     /* canonical strings */
    size_t bytes;
};

static const struct {
    const char *name;
    uint32_t flag;
} kinds[] = {
    {"country", TAG_GZ_COUNTRY},     {"subdivision", TAG_GZ_SUBDIV},
    {"city", TAG_GZ_CITY},           {"region", TAG_GZ_REGION},
    {"given", TAG_GZ_GIVEN},         {"title", TAG_GZ_TITLE},
    {"org_head", TAG_GZ_ORG_HEAD},   {"org_legal", TAG_GZ_ORG_LEGAL},
    {"nationality", TAG_GZ_NATIONALITY}, {"common", TAG_GZ_COMMON},
    {"currency", TAG_GZ_CURRENCY},   {"currency_code", TAG_GZ_CURRENCY},
    {"currency_name", 0},            {"loc_head", TAG_GZ_LOC_HEAD},
    {"stop", TAG_GZ_STOP},           {"PERSON", TAG_GZ_PERSON},
    {"person", TAG_GZ_PERSON},       {"ORG", TAG_GZ_ORG},
    {"org", TAG_GZ_ORG},             {"LOC", TAG_GZ_LOC},
    {"loc", TAG_GZ_LOC},             {"place", TAG_GZ_LOC},
    {"particle", TAG_GZ_PARTICLE},   {"org_link", TAG_GZ_ORG_LINK},
    {"org_and", TAG_GZ_ORG_AND},     {"article", TAG_GZ_ARTICLE},
    {"person_verb", TAG_GZ_PERSON_VERB}, {"loc_prep", TAG_GZ_LOC_PREP},
    {"loc_prefix", TAG_GZ_LOC_PREFIX}, {"org_under", TAG_GZ_ORG_UNDER},
    {"date_prep", TAG_GZ_DATE_PREP}, {"month", TAG_GZ_MONTH},
};

/* Each table gets a number never used before, so that the lookup cache
 * below never answers for a freed table. */
static uint64_t generations;

tag_gaz_t *tag_gaz_new(void)
{
    tag_gaz_t *gaz = dp_calloc(1, sizeof *gaz);
    if (!gaz)
        return NULL;
    gaz->generation = __atomic_add_fetch(&generations, 1, __ATOMIC_RELAXED);
    gaz->map = dp_map_new();
    if (!gaz->map) {
        dp_free(gaz);
        return NULL;
    }
    gaz->max_words = 1;
    return gaz;
}

void tag_gaz_free(tag_gaz_t *gaz)
{
    if (!gaz)
        return;
    dp_map_free(gaz->map);
    dp_free(gaz->entries);
    while (gaz->arena) {
        arena_chunk_t *next = gaz->arena->next;
        dp_free(gaz->arena);
        gaz->arena = next;
    }
    dp_free(gaz);
}

size_t tag_gaz_fold(const char *key, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        /* U+2019 (E2 80 99) and U+2018 read as an ASCII apostrophe. */
        if (c == 0xE2 && i + 2 < len && (unsigned char)key[i + 1] == 0x80 &&
            ((unsigned char)key[i + 2] == 0x99 || (unsigned char)key[i + 2] == 0x98)) {
            c = '\'';
            i += 2;
        } else if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c + 32);
        }
        if (n + 1 >= cap)
            return 0;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

static const char *arena_strdup(tag_gaz_t *gaz, const char *s, size_t len)
{
    if (!gaz->arena || gaz->arena->cap - gaz->arena->used < len + 1) {
        size_t cap = len + 1 > ARENA_CHUNK ? len + 1 : ARENA_CHUNK;
        arena_chunk_t *c = dp_malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = gaz->arena;
        c->used = 0;
        c->cap = cap;
        gaz->arena = c;
        gaz->bytes += sizeof *c + cap;
    }
    char *p = gaz->arena->data + gaz->arena->used;
    memcpy(p, s, len);
    p[len] = '\0';
    gaz->arena->used += len + 1;
    return p;
}

/* The entry for a folded key, created empty when missing. */
static tag_gaz_entry_t *entry_for(tag_gaz_t *gaz, const char *key, size_t len)
{
    void *v = dp_map_get(gaz->map, key, len);
    if (v)
        return &gaz->entries[(uintptr_t)v - 1];
    if (gaz->count == gaz->cap) {
        size_t cap = gaz->cap ? gaz->cap * 2 : 1024;
        tag_gaz_entry_t *e = dp_realloc(gaz->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        gaz->bytes += (cap - gaz->cap) * sizeof *e;
        gaz->entries = e;
        gaz->cap = cap;
    }
    if (dp_map_put(gaz->map, key, len, (void *)(uintptr_t)(gaz->count + 1)) != DP_OK)
        return NULL;
    gaz->bytes += len + 48; /* key copy and slot, roughly */
    tag_gaz_entry_t *e = &gaz->entries[gaz->count++];
    memset(e, 0, sizeof *e);
    return e;
}

/* Ranks place kinds so that a country's canonical name wins over a city's. */
static int place_rank(uint32_t flag)
{
    if (flag & (TAG_GZ_COUNTRY | TAG_GZ_LOC))
        return 4;
    if (flag & TAG_GZ_REGION)
        return 3;
    if (flag & TAG_GZ_SUBDIV)
        return 2;
    return 1;
}

dp_status tag_gaz_add(tag_gaz_t *gaz, const char *name, size_t len, const char *kind,
                      const char *canonical, uint32_t population)
{
    uint32_t flag = 0;
    size_t k;
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (strcmp(kinds[k].name, kind) == 0) {
            flag = kinds[k].flag;
            break;
        }
    }
    if (k == sizeof kinds / sizeof kinds[0])
        return DP_EINVAL;
    if (flag == 0)
        return DP_OK; /* a kind we know but do not use (currency names) */
    char key[MAX_KEY];
    size_t klen = tag_gaz_fold(name, len, key, sizeof key);
    if (klen == 0)
        return DP_OK; /* empty or over-long names cannot match a mention */
    tag_gaz_entry_t *e = entry_for(gaz, key, klen);
    if (!e)
        return DP_ENOMEM;
    uint32_t old = e->flags;
    e->flags |= flag;
    if (flag & TAG_GZ_PLACE) {
        int rank = place_rank(flag);
        int old_rank = (old & TAG_GZ_PLACE) ? place_rank(old & TAG_GZ_PLACE) : 0;
        if (!e->place_canon || rank > old_rank) {
            const char *c = canonical && *canonical ? canonical : NULL;
            e->place_canon = arena_strdup(gaz, c ? c : name, c ? strlen(c) : len);
            if (!e->place_canon)
                return DP_ENOMEM;
        }
        if (population > e->population)
            e->population = population;
    } else if (canonical && *canonical && !e->other_canon) {
        e->other_canon = arena_strdup(gaz, canonical, strlen(canonical));
        if (!e->other_canon)
            return DP_ENOMEM;
    }
    /* A key of several words marks its first word, so that lookups of
     * longer spans are tried only where one may start. */
    size_t words = 1;
    const char *sp = memchr(key, ' ', klen);
    if (sp) {
        for (size_t i = 0; i < klen; i++)
            words += key[i] == ' ';
        if (words > gaz->max_words)
            gaz->max_words = words;
        /* e is not used below: entry_for may move the entry array. */
        tag_gaz_entry_t *first = entry_for(gaz, key, (size_t)(sp - key));
        if (!first)
            return DP_ENOMEM;
        first->flags |= TAG_GZ_PREFIX;
    }
    return DP_OK;
}

dp_status tag_gaz_load_file(tag_gaz_t *gaz, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t line_cap = 0;
    char default_kind[32] = "";
    size_t lineno = 0;
    dp_status rc = DP_OK;
    if (!f) {
        snprintf(err, errcap, "%s: cannot open gazetteer", path);
        return DP_EIO;
    }
    ssize_t n;
    while ((n = getline(&line, &line_cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (line[0] == '#') {
            if (strncmp(line, "#kind:", 6) == 0) {
                const char *k = line + 6;
                while (*k == ' ')
                    k++;
                snprintf(default_kind, sizeof default_kind, "%s", k);
            }
            continue;
        }
        /* name, kind, canonical, country, population */
        char *fields[5] = {line, NULL, NULL, NULL, NULL};
        int nf = 1;
        for (char *p = line; *p && nf < 5; p++) {
            if (*p == '\t') {
                *p = '\0';
                fields[nf++] = p + 1;
            }
        }
        const char *kind = nf > 1 && *fields[1] ? fields[1] : default_kind;
        if (!*kind) {
            snprintf(err, errcap, "%s: line %zu: no kind (a second column or a '#kind:' line)",
                     path, lineno);
            rc = DP_EFORMAT;
            break;
        }
        if (!dp_utf8_valid(line, len)) {
            snprintf(err, errcap, "%s: line %zu: not valid UTF-8", path, lineno);
            rc = DP_EUTF8;
            break;
        }
        uint32_t pop = 0;
        if (nf > 4) {
            unsigned long v = strtoul(fields[4], NULL, 10);
            pop = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
        }
        rc = tag_gaz_add(gaz, fields[0], strlen(fields[0]), kind, nf > 2 ? fields[2] : NULL, pop);
        if (rc == DP_EINVAL) {
            snprintf(err, errcap, "%s: line %zu: unknown kind '%s'", path, lineno, kind);
            rc = DP_EFORMAT;
            break;
        }
        if (rc != DP_OK) {
            snprintf(err, errcap, "%s: out of memory", path);
            break;
        }
    }
    free(line); /* getline's buffer comes from the C library */
    fclose(f);
    return rc;
}

/* A small per-thread cache of recent lookups. Words in text follow Zipf's
 * law ("The", "SCO", "Mr"), so most lookups hit it and stay in the CPU's
 * cache instead of reaching into a table of a hundred thousand keys. Each
 * thread has its own, so reading stays lock-free. */
#define CACHE_SLOTS 8192u
#define CACHE_KEY 22u

typedef struct cache_slot {
    uint64_t generation; /* 0: empty */
    uint64_t hash;
    const tag_gaz_entry_t *entry; /* NULL: known to be absent */
    uint8_t len;
    char key[CACHE_KEY];
} cache_slot_t;

struct tag_gaz_cache {
    cache_slot_t slots[CACHE_SLOTS];
};

/* The calling thread's cache, set by tag_gaz_use_cache (the plugin does it
 * in worker_init); NULL: no caching. */
static _Thread_local tag_gaz_cache_t *lookup_cache;

tag_gaz_cache_t *tag_gaz_cache_new(void)
{
    return dp_calloc(1, sizeof(tag_gaz_cache_t));
}

void tag_gaz_cache_free(tag_gaz_cache_t *cache)
{
    if (lookup_cache == cache)
        lookup_cache = NULL;
    dp_free(cache);
}

void tag_gaz_use_cache(tag_gaz_cache_t *cache)
{
    lookup_cache = cache;
}

const tag_gaz_entry_t *tag_gaz_lookup(const tag_gaz_t *gaz, const char *key, size_t len)
{
    char buf[MAX_KEY];
    size_t n = tag_gaz_fold(key, len, buf, sizeof buf);
    if (n == 0)
        return NULL;
    cache_slot_t *cache = n <= CACHE_KEY && lookup_cache ? lookup_cache->slots : NULL;
    uint64_t h = 0;
    cache_slot_t *slot = NULL;
    if (cache) {
        h = dp_hash64(buf, n);
        slot = &cache[h & (CACHE_SLOTS - 1)];
        if (slot->generation == gaz->generation && slot->hash == h && slot->len == n &&
            memcmp(slot->key, buf, n) == 0)
            return slot->entry;
    }
    void *v = dp_map_get(gaz->map, buf, n);
    const tag_gaz_entry_t *e = v ? &gaz->entries[(uintptr_t)v - 1] : NULL;
    if (slot) {
        slot->generation = gaz->generation;
        slot->hash = h;
        slot->entry = e;
        slot->len = (uint8_t)n;
        memcpy(slot->key, buf, n);
    }
    return e;
}

size_t tag_gaz_max_words(const tag_gaz_t *gaz) { return gaz->max_words; }
size_t tag_gaz_count(const tag_gaz_t *gaz) { return gaz->count; }
size_t tag_gaz_bytes(const tag_gaz_t *gaz) { return gaz->bytes; }
