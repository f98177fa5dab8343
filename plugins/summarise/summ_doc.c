/* The summarise stage's view of one document: its sentences (with whether
 * each may be chosen, from the paragraph layer's attrs.kind) and its tokens
 * (from the token layer, or tokenised here when there is none), each token
 * linked to the worker's vocabulary and given a part of speech in context
 * for the keyphrase chunker. */
#include "summ.h"

#include <string.h>
#include <utf8proc.h>

dp_status summ_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return DP_OK;
    }
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    void *p = dp_realloc(*arr, ncap * elem);
    if (p == NULL) {
        return DP_ENOMEM;
    }
    *arr = p;
    *cap = ncap;
    return DP_OK;
}

void summ_docview_free(summ_docview_t *view)
{
    dp_free(view->sents);
    dp_free(view->toks);
    memset(view, 0, sizeof(*view));
}

/* True when a paragraph of this kind may never give a summary sentence. */
static bool kind_excluded(const json_t *attrs)
{
    const char *kind = json_string_value(json_object_get(attrs, "kind"));
    if (kind == NULL) {
        return false;
    }
    return strcmp(kind, "heading") == 0 || strcmp(kind, "dateline") == 0 ||
           strcmp(kind, "byline") == 0 || strcmp(kind, "caption") == 0;
}

/* A "heading" that reads as a full sentence (ends with . ! or ?, perhaps
 * inside a closing quote, and has at least eight words) is body text that a
 * segmenter took for a title: BBC-style texts start with such a sentence. */
static bool looks_like_sentence(const char *text, size_t start, size_t end)
{
    size_t words = 0;
    bool in_word = false;
    while (end > start && (text[end - 1] == '"' || text[end - 1] == '\'' ||
                           (unsigned char)text[end - 1] >= 0x80)) {
        /* step over closing quotes (ASCII or a multi-byte one) */
        size_t p = end;
        if ((unsigned char)text[end - 1] >= 0x80) {
            int32_t cp = dp_utf8_prev(text, &p);
            if (cp != 0x201D && cp != 0x2019 && cp != 0xBB) {
                break;
            }
            end = p;
        } else {
            end--;
        }
    }
    if (end == start || (text[end - 1] != '.' && text[end - 1] != '!' && text[end - 1] != '?')) {
        return false;
    }
    for (size_t i = start; i < end; i++) {
        bool sp = text[i] == ' ' || text[i] == '\n' || text[i] == '\t';
        if (!sp && !in_word) {
            words++;
        }
        in_word = !sp;
    }
    return words >= 8;
}

static bool is_alnum_cp(int32_t cp)
{
    if (cp < 0x80) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    }
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

static bool is_space_cp(int32_t cp)
{
    if (cp < 0x80) {
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    }
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

static int32_t cp_at(const char *s, size_t len, size_t pos, size_t *next)
{
    size_t p = pos;
    int32_t cp;
    if ((unsigned char)s[p] < 0x80) {
        cp = (unsigned char)s[p];
        p++;
    } else {
        cp = dp_utf8_next(s, len, &p);
    }
    *next = p;
    return cp;
}

static dp_status push_token(summ_docview_t *v, size_t start, size_t end, uint32_t sent)
{
    if (summ_grow((void **)&v->toks, &v->cap_toks, v->n_toks + 1, sizeof(*v->toks)) != DP_OK) {
        return DP_ENOMEM;
    }
    summ_token_t *t = &v->toks[v->n_toks++];
    memset(t, 0, sizeof(*t));
    t->start = start;
    t->end = end;
    t->sent = sent;
    return DP_OK;
}

/* Adds a token, splitting a possessive ending off a word ("Yugoslavia's"
 * -> "Yugoslavia" + "'s"): the ending is a token of its own, so a keyphrase
 * is "Yugoslavia", never "Yugoslavia's", and "SCO's influence" is not read
 * as one phrase. */
static dp_status add_token(summ_docview_t *v, size_t start, size_t end, uint32_t sent)
{
    const char *s = v->text;
    size_t cut = 0;
    if (end - start > 2 && (s[end - 1] == 's' || s[end - 1] == 'S')) {
        if (s[end - 2] == '\'') {
            cut = 2;
        } else if (end - start > 4 && (unsigned char)s[end - 4] == 0xE2 &&
                   (unsigned char)s[end - 3] == 0x80 && (unsigned char)s[end - 2] == 0x99) {
            cut = 4; /* U+2019 */
        }
    }
    if (cut != 0 && end - start > cut) {
        if (push_token(v, start, end - cut, sent) != DP_OK) {
            return DP_ENOMEM;
        }
        v->toks[v->n_toks - 1].poss = 1;
        return push_token(v, end - cut, end, sent);
    }
    return push_token(v, start, end, sent);
}

/* The fallback tokeniser for documents without a token layer: words are runs
 * of letters, digits and marks, joined across an inner hyphen or apostrophe
 * ("oil-rich", "don't"), a dot or comma between digits ("3.5", "10,000") and
 * the dots of single-letter abbreviations ("U.S."); any other non-space
 * character is a token of its own. */
static dp_status tokenise_span(summ_docview_t *v, size_t start, size_t end, uint32_t sent)
{
    const char *s = v->text;
    size_t pos = start;
    while (pos < end) {
        size_t next;
        int32_t cp = cp_at(s, end, pos, &next);
        if (is_space_cp(cp) || cp < 0) {
            pos = next;
            continue;
        }
        if (!is_alnum_cp(cp)) {
            if (add_token(v, pos, next, sent) != DP_OK) {
                return DP_ENOMEM;
            }
            pos = next;
            continue;
        }
        size_t wstart = pos, seg_start = pos;
        pos = next;
        for (;;) {
            while (pos < end) {
                cp = cp_at(s, end, pos, &next);
                if (!is_alnum_cp(cp)) {
                    break;
                }
                pos = next;
            }
            if (pos >= end) {
                break;
            }
            size_t after;
            int32_t j = cp_at(s, end, pos, &after);
            int32_t prev = (unsigned char)s[pos - 1];
            if (after < end) {
                size_t after2;
                int32_t nx = cp_at(s, end, after, &after2);
                bool digits = prev >= '0' && prev <= '9' && nx >= '0' && nx <= '9';
                if (is_alnum_cp(nx) && (j == '-' || j == '\'' || j == 0x2019 ||
                                        ((j == '.' || j == ',') && digits) ||
                                        (j == '.' && pos - seg_start == 1))) {
                    pos = after;
                    seg_start = pos;
                    continue;
                }
            }
            /* "U.S." keeps its last dot: a single letter after a dot-joined
             * letter. */
            if (j == '.' && pos - seg_start == 1 && seg_start > wstart) {
                pos = after;
            }
            break;
        }
        if (add_token(v, wstart, pos, sent) != DP_OK) {
            return DP_ENOMEM;
        }
    }
    return DP_OK;
}

static bool starts_upper(const char *s, size_t len)
{
    size_t next;
    if (len == 0) {
        return false;
    }
    int32_t cp = cp_at(s, len, 0, &next);
    if (cp < 0x80) {
        return cp >= 'A' && cp <= 'Z';
    }
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* Links tokens to the vocabulary and gives each occurrence its reading:
 * a capitalised word inside a sentence is a name (noun); a word that can be
 * a noun right after a noun or adjective is read as a noun ("oil spill",
 * whose "spill" is more often a verb on its own). */
static dp_status link_tokens(summ_docview_t *v, summ_vocab_t *vocab)
{
    uint32_t last_sent = UINT32_MAX;
    uint8_t prev_pos = SUMM_POS_PUNCT;
    bool prev_plural = false;
    bool cap_nouns = summ_vocab_capitalised_nouns(vocab);
    for (size_t i = 0; i < v->n_toks; i++) {
        summ_token_t *t = &v->toks[i];
        uint32_t id = summ_vocab_word(vocab, v->text + t->start, t->end - t->start);
        if (id == UINT32_MAX) {
            return DP_ENOMEM;
        }
        const summ_word_t *w = summ_vocab_get(vocab, id);
        t->word = id;
        t->stem = w->stem;
        t->pos = w->pos;
        if (t->sent != last_sent) {
            last_sent = t->sent;
            prev_pos = SUMM_POS_PUNCT;
            if (w->flags & SUMM_W_WORD) {
                t->first = 1;
            }
        }
        t->cap = starts_upper(v->text + t->start, t->end - t->start);
        if (cap_nouns && t->pos == SUMM_POS_NOUN) {
            /* No lexicon, but nouns are capitalised (German): the capital
             * is the noun mark, a lower-case content word a modifier. */
            t->pos = t->cap ? SUMM_POS_NOUN : SUMM_POS_ADJ;
        } else if (t->pos != SUMM_POS_STOP && t->pos != SUMM_POS_PUNCT && t->pos != SUMM_POS_NUM &&
            t->pos != SUMM_POS_TIME) {
            if (t->cap && !t->first) {
                t->pos = SUMM_POS_NOUN;
            } else if (w->can_noun && (prev_pos == SUMM_POS_NOUN || prev_pos == SUMM_POS_ADJ ||
                                       prev_pos == SUMM_POS_NUM) &&
                       !prev_plural) {
                /* Not after a plural-looking noun: "thunderstorms hit" and
                 * "officials say" are subject and verb. */
                t->pos = SUMM_POS_NOUN;
            }
        }
        if (w->flags & SUMM_W_CONTENT) {
            v->sents[t->sent].n_content++;
        }
        prev_pos = t->pos;
        prev_plural = t->end - t->start > 3 && v->text[t->end - 1] == 's' &&
                      v->text[t->end - 2] != 's';
    }
    return DP_OK;
}

static bool layer_sorted(const dp_span_t *sp, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (sp[i].start < sp[i - 1].start) {
            return false;
        }
    }
    return true;
}

dp_status summ_docview_build(summ_docview_t *view, dp_doc_t *doc, summ_vocab_t *vocab,
                             bool heading_guard)
{
    dp_layer_t *sl = dp_doc_layer(doc, "sentence");
    dp_layer_t *pl = dp_doc_layer(doc, "paragraph");
    dp_layer_t *tl = dp_doc_layer(doc, "token");
    if (sl == NULL) {
        return DP_ENOTFOUND;
    }
    view->text = dp_doc_text(doc, &view->text_len);
    view->n_sents = 0;
    view->n_toks = 0;
    /* Sentence indexes are what summary.sentences refers to, so the layer
     * must be in text order; segment writes it so, and a layer built out of
     * order is sorted once here (export then writes it in that order). */
    if (!layer_sorted(dp_layer_spans(sl), dp_layer_count(sl))) {
        dp_layer_sort(sl);
    }
    if (pl != NULL && !layer_sorted(dp_layer_spans(pl), dp_layer_count(pl))) {
        dp_layer_sort(pl);
    }
    if (tl != NULL && !layer_sorted(dp_layer_spans(tl), dp_layer_count(tl))) {
        dp_layer_sort(tl);
    }
    size_t ns = dp_layer_count(sl);
    const dp_span_t *ss = dp_layer_spans(sl);
    if (summ_grow((void **)&view->sents, &view->cap_sents, ns, sizeof(*view->sents)) != DP_OK) {
        return DP_ENOMEM;
    }
    const dp_span_t *ps = pl ? dp_layer_spans(pl) : NULL;
    size_t np = pl ? dp_layer_count(pl) : 0, pi = 0;
    for (size_t i = 0; i < ns; i++) {
        summ_sentence_t *s = &view->sents[i];
        memset(s, 0, sizeof(*s));
        s->start = ss[i].start;
        s->end = ss[i].end;
        s->eligible = true;
        while (pi < np && ps[pi].end <= s->start) {
            pi++;
        }
        if (pi < np && ps[pi].start <= s->start && s->start < ps[pi].end &&
            kind_excluded(ps[pi].attrs)) {
            const char *kind = json_string_value(json_object_get(ps[pi].attrs, "kind"));
            bool guard = heading_guard && strcmp(kind, "heading") == 0 &&
                         looks_like_sentence(view->text, ps[pi].start, ps[pi].end);
            s->eligible = guard;
        }
    }
    view->n_sents = ns;
    if (tl != NULL) {
        const dp_span_t *ts = dp_layer_spans(tl);
        size_t nt = dp_layer_count(tl), si = 0;
        if (summ_grow((void **)&view->toks, &view->cap_toks, nt, sizeof(*view->toks)) != DP_OK) {
            return DP_ENOMEM;
        }
        for (size_t i = 0; i < nt; i++) {
            while (si < ns && view->sents[si].end <= ts[i].start) {
                si++;
            }
            if (si == ns) {
                break;
            }
            if (ts[i].start < view->sents[si].start || ts[i].end <= ts[i].start) {
                continue; /* between sentences, or empty */
            }
            if (view->n_toks == 0 || view->toks[view->n_toks - 1].sent != si) {
                view->sents[si].tok0 = view->n_toks;
            }
            if (add_token(view, ts[i].start, ts[i].end, (uint32_t)si) != DP_OK) {
                return DP_ENOMEM;
            }
            view->sents[si].tok1 = view->n_toks;
        }
    } else {
        for (size_t i = 0; i < ns; i++) {
            view->sents[i].tok0 = view->n_toks;
            if (tokenise_span(view, view->sents[i].start, view->sents[i].end, (uint32_t)i) !=
                DP_OK) {
                return DP_ENOMEM;
            }
            view->sents[i].tok1 = view->n_toks;
        }
    }
    /* Sentences that got no token keep an empty range at their place. */
    for (size_t i = 0; i < ns; i++) {
        if (view->sents[i].tok1 < view->sents[i].tok0) {
            view->sents[i].tok1 = view->sents[i].tok0;
        }
    }
    return link_tokens(view, vocab);
}
