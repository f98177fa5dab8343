/* A stand-in for libFuzzer, so that every fuzz target also builds with gcc
 * as a plain program CTest runs: it feeds each file of a seed corpus folder
 * to LLVMFuzzerTestOneInput, then a fixed number of pseudo-random mutations
 * of them. The generator is seeded with a constant, so a failure reproduces
 * on every run; with DOCPIPE_FUZZ_LAST=FILE each input is written there
 * first, so the one that crashed is left behind for the corpus.
 * It allocates with the C library, not dp_malloc: like libFuzzer, it is
 * harness, not docpipe code, and must not depend on the allocator hook.
 *
 * Usage: fuzz_TARGET CORPUS_DIR [MUTATIONS [SEED]] | fuzz_TARGET FILE... */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define FUZZ_MAX_INPUT 65536 /* mutations never grow an input past this */

typedef struct seed {
    uint8_t *data;
    size_t size;
} seed_t;

static uint64_t rng_state;

/* xorshift64*: small, fast and the same on every platform. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static size_t below(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

static int read_file(const char *path, seed_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *data = malloc(FUZZ_MAX_INPUT);
    size_t n = data ? fread(data, 1, FUZZ_MAX_INPUT, f) : 0;
    int bad = ferror(f) || !data;
    fclose(f);
    if (bad) {
        free(data);
        return -1;
    }
    out->data = data;
    out->size = n;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every regular file of dir, in name order so runs are repeatable. */
static size_t read_corpus(const char *dir, seed_t **out)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fuzz: %s: cannot open the corpus folder (%s)\n", dir, strerror(errno));
        exit(2);
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown)
            abort();
        names = grown;
        size_t len = strlen(dir) + strlen(ent->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            abort();
        snprintf(names[n], len, "%s/%s", dir, ent->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    seed_t *seeds = calloc(n ? n : 1, sizeof *seeds);
    if (!seeds)
        abort();
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
            read_file(names[i], &seeds[kept]) == 0)
            kept++;
        free(names[i]);
    }
    free(names);
    *out = seeds;
    return kept;
}

/* Bytes that often matter to parsers: structure, digits, high bytes. */
static const uint8_t interesting[] = {0,    1,    '\n', '\r', ' ',  '"',  '\\', '{',  '}',  '[',
                                      ']',  ':',  ',',  '-',  '/',  '.',  '0',  '9',  'e',  0x7f,
                                      0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xef, 0xf0, 0xf4, 0xfe, 0xff};

/* One to four edits of src (flip, set, insert, erase, copy a run, splice
 * with another seed) into dst; returns the new size. */
static size_t mutate(const seed_t *seeds, size_t n_seeds, const seed_t *src, uint8_t *dst)
{
    size_t size = src->size;
    memcpy(dst, src->data, size);
    size_t edits = 1 + below(4);
    for (size_t e = 0; e < edits; e++) {
        switch (below(8)) {
        case 0: /* flip a bit */
            if (size)
                dst[below(size)] ^= (uint8_t)(1u << below(8));
            break;
        case 1: /* set a byte to an interesting value */
            if (size)
                dst[below(size)] = interesting[below(sizeof interesting)];
            break;
        case 2: /* set a byte at random */
            if (size)
                dst[below(size)] = (uint8_t)rng();
            break;
        case 3: { /* insert a few bytes */
            size_t k = 1 + below(8);
            if (size + k > FUZZ_MAX_INPUT)
                break;
            size_t at = below(size + 1);
            memmove(dst + at + k, dst + at, size - at);
            for (size_t i = 0; i < k; i++)
                dst[at + i] = below(2) ? interesting[below(sizeof interesting)] : (uint8_t)rng();
            size += k;
            break;
        }
        case 4: { /* erase a run */
            if (!size)
                break;
            size_t at = below(size);
            size_t k = 1 + below(size - at < 16 ? size - at : 16);
            memmove(dst + at, dst + at + k, size - at - k);
            size -= k;
            break;
        }
        case 5: { /* duplicate a run somewhere else */
            if (!size)
                break;
            size_t from = below(size);
            size_t k = 1 + below(size - from < 32 ? size - from : 32);
            if (size + k > FUZZ_MAX_INPUT)
                break;
            size_t at = below(size + 1);
            uint8_t run[32];
            memcpy(run, dst + from, k);
            memmove(dst + at + k, dst + at, size - at);
            memcpy(dst + at, run, k);
            size += k;
            break;
        }
        case 6: /* cut the input short */
            size = below(size + 1);
            break;
        default: { /* splice: the head of this input, the tail of another */
            const seed_t *other = &seeds[below(n_seeds)];
            size_t head = below(size + 1);
            size_t from = below(other->size + 1);
            size_t k = other->size - from;
            if (head + k > FUZZ_MAX_INPUT)
                k = FUZZ_MAX_INPUT - head;
            memcpy(dst + head, other->data + from, k);
            size = head + k;
            break;
        }
        }
    }
    return size;
}

/* Saves the input that is about to run, so a crash leaves it behind. */
static void save_last(const uint8_t *data, size_t size)
{
    const char *path = getenv("DOCPIPE_FUZZ_LAST");
    if (!path || !path[0])
        return;
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(data, 1, size, f);
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS [SEED]] | FILE...\n", argv[0]);
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) == 0 && S_ISREG(st.st_mode)) {
        /* Reproduce: run the given files once each. */
        for (int i = 1; i < argc; i++) {
            seed_t s;
            if (read_file(argv[i], &s) != 0) {
                fprintf(stderr, "fuzz: %s: cannot read\n", argv[i]);
                return 2;
            }
            LLVMFuzzerTestOneInput(s.data, s.size);
            free(s.data);
        }
        return 0;
    }
    seed_t *seeds = NULL;
    size_t n_seeds = read_corpus(argv[1], &seeds);
    if (!n_seeds) {
        fprintf(stderr, "fuzz: %s: the corpus folder holds no seeds\n", argv[1]);
        return 2;
    }
    unsigned long mutations = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 0x9e3779b97f4a7c15ull;
    if (!rng_state)
        rng_state = 1;

    for (size_t i = 0; i < n_seeds; i++) {
        save_last(seeds[i].data, seeds[i].size);
        LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].size);
    }
    uint8_t *buf = malloc(FUZZ_MAX_INPUT);
    if (!buf)
        abort();
    for (unsigned long m = 0; m < mutations; m++) {
        size_t size = mutate(seeds, n_seeds, &seeds[below(n_seeds)], buf);
        /* An exact-size copy, so ASan sees reads past the end. */
        uint8_t *input = malloc(size ? size : 1);
        if (!input)
            abort();
        memcpy(input, buf, size);
        save_last(input, size);
        LLVMFuzzerTestOneInput(input, size);
        free(input);
    }
    free(buf);
    for (size_t i = 0; i < n_seeds; i++)
        free(seeds[i].data);
    free(seeds);
    printf("fuzz: %zu seeds and %lu mutations ran\n", n_seeds, mutations);
    return 0;
}
