/* The gazetteer lookup of the tag stage: name lists (places, given names,
 * titles, organisation keywords, currencies, common words) loaded from plain
 * TSV files into one hash table, built once in init and read by every worker
 * without locking. This module knows nothing of rules or documents, so a
 * statistical model can use the same lookups later. */
#ifndef TAG_GAZETTEER_H
#define TAG_GAZETTEER_H

#include <stddef.h>
#include <stdint.h>

#include "docpipe/hash.h"
#include "docpipe/status.h"

/* What a key is known as; one key may carry several kinds ("china" is a
 * country and a common word). */
enum {
    TAG_GZ_COUNTRY = 1u << 0,
    TAG_GZ_SUBDIV = 1u << 1,
    TAG_GZ_CITY = 1u << 2,
    TAG_GZ_REGION = 1u << 3,
    TAG_GZ_GIVEN = 1u << 4,
    TAG_GZ_TITLE = 1u << 5,
    TAG_GZ_ORG_HEAD = 1u << 6,
    TAG_GZ_ORG_LEGAL = 1u << 7,
    TAG_GZ_NATIONALITY = 1u << 8,
    TAG_GZ_COMMON = 1u << 9,
    TAG_GZ_CURRENCY = 1u << 10,
    TAG_GZ_LOC_HEAD = 1u << 11,
    TAG_GZ_STOP = 1u << 12,
    TAG_GZ_PERSON = 1u << 13, /* a user list's known person */
    TAG_GZ_ORG = 1u << 14,    /* a known organisation */
    TAG_GZ_LOC = 1u << 15,    /* a known place of no finer kind */
    TAG_GZ_PREFIX = 1u << 16, /* first word of a longer key */
    TAG_GZ_PARTICLE = 1u << 17,
    TAG_GZ_ORG_LINK = 1u << 18,
    TAG_GZ_ORG_AND = 1u << 19,
    TAG_GZ_ARTICLE = 1u << 20,
    TAG_GZ_PERSON_VERB = 1u << 21,
    TAG_GZ_LOC_PREP = 1u << 22,
    TAG_GZ_LOC_PREFIX = 1u << 23, /* "North", "West": before a place's name */
    TAG_GZ_ORG_UNDER = 1u << 24,  /* "under" in "Institute ... under the President of ..." */
    TAG_GZ_DATE_PREP = 1u << 25,  /* "in", "since": a lone month or year after it is a date */
    TAG_GZ_MONTH = 1u << 26
};

#define TAG_GZ_PLACE (TAG_GZ_COUNTRY | TAG_GZ_SUBDIV | TAG_GZ_CITY | TAG_GZ_REGION | TAG_GZ_LOC)

typedef struct tag_gaz_entry {
    uint32_t flags;
    uint32_t population;      /* the largest city of that name; 0 otherwise */
    const char *place_canon;  /* canonical place name, or NULL */
    const char *other_canon;  /* currency code, or a user list's canonical, or NULL */
} tag_gaz_entry_t;

typedef struct tag_gaz tag_gaz_t;

/* A new empty gazetteer; NULL on allocation failure. Free with tag_gaz_free. */
tag_gaz_t *tag_gaz_new(void);
void tag_gaz_free(tag_gaz_t *gaz);

/* Loads one list file (see configs/gazetteers/SOURCES.md for the format).
 * On failure returns a negative status and writes a one-line reason naming
 * the file and line into err[0..errcap). */
dp_status tag_gaz_load_file(tag_gaz_t *gaz, const char *path, char *err, size_t errcap);

/* Adds one name of kind (a kind word as in the files: "city", "given", ...).
 * DP_EINVAL for an unknown kind. canonical may be NULL. */
dp_status tag_gaz_add(tag_gaz_t *gaz, const char *name, size_t len, const char *kind,
                      const char *canonical, uint32_t population);

/* The entry for a key, matched without regard to ASCII case and with "’"
 * read as "'", or NULL. key is a word or words separated by single spaces.
 * Thread-safe once loading is over. */
const tag_gaz_entry_t *tag_gaz_lookup(const tag_gaz_t *gaz, const char *key, size_t len);

/* A per-thread cache of recent lookups: words of text follow Zipf's law, so
 * most lookups are answered from a small table that stays in the CPU's
 * cache. tag_gaz_use_cache sets the calling thread's cache (NULL: none);
 * the cache must outlive its use and be freed by its thread's owner. A cache
 * never answers for another table, nor for a freed one. */
typedef struct tag_gaz_cache tag_gaz_cache_t;
tag_gaz_cache_t *tag_gaz_cache_new(void);
void tag_gaz_cache_free(tag_gaz_cache_t *cache);
void tag_gaz_use_cache(tag_gaz_cache_t *cache);

/* The most words any key has (at least 1). */
size_t tag_gaz_max_words(const tag_gaz_t *gaz);

/* Number of keys, and bytes held by the loaded lists (for the benchmark's
 * memory figure). */
size_t tag_gaz_count(const tag_gaz_t *gaz);
size_t tag_gaz_bytes(const tag_gaz_t *gaz);

/* Writes the lookup form of key into out (ASCII lower case, "’" as "'"),
 * returning its length, or 0 when it does not fit in cap bytes. */
size_t tag_gaz_fold(const char *key, size_t len, char *out, size_t cap);

#endif
