/* The gazetteer lists the tag stage ships and loads by default, relative to
 * the data folder (configs/), written once: tag.c builds the "gazetteers"
 * option's default from it, and the unit tests and bench/tag_stage.c load
 * the same files. TAG_SHIPPED_LISTS(ITEM, SEP) expands ITEM("file") for
 * each, with SEP between them. */
#ifndef TAG_LISTS_H
#define TAG_LISTS_H

#define TAG_SHIPPED_LISTS(ITEM, SEP)                                                          \
    ITEM("gazetteers/countries.tsv") SEP ITEM("gazetteers/place_aliases.tsv")                 \
    SEP ITEM("gazetteers/subdivisions.tsv") SEP ITEM("gazetteers/cities.tsv")                 \
    SEP ITEM("gazetteers/currencies.tsv") SEP ITEM("gazetteers/currency_words.tsv")           \
    SEP ITEM("gazetteers/given_names.txt") SEP ITEM("gazetteers/person_titles.txt")           \
    SEP ITEM("gazetteers/org_keywords.tsv") SEP ITEM("gazetteers/nationalities.txt")          \
    SEP ITEM("gazetteers/name_words.tsv") SEP ITEM("gazetteers/stop_words.txt")               \
    SEP ITEM("gazetteers/common_words.txt")

/* The lists as a C array of paths from the repository root, NULL-ended:
 * static const char *const lists[] = {TAG_SHIPPED_PATHS}; */
#define TAG_LIST_PATH(file) "configs/" file
#define TAG_LIST_COMMA ,
#define TAG_SHIPPED_PATHS TAG_SHIPPED_LISTS(TAG_LIST_PATH, TAG_LIST_COMMA), NULL

/* One list as a JSON string, for the option's default. */
#define TAG_JSON_STRING(file) "\"" file "\""

#endif
