/* dump_state.h - private to lib/model: the online-learning state and the
 * record of learned messages in the model dump (dump_state.c), for dump.c:
 * the online_* header keys, the [memory] section and the [learned]
 * section. */
#ifndef SPAMLR_MODEL_DUMP_STATE_H
#define SPAMLR_MODEL_DUMP_STATE_H

#include "model/dump_text.h"

#define MEMORY_LINE "[memory]"
#define LEARNED_LINE "[learned]"

/* What import has met in the header, for the checks after it. */
typedef struct header {
    int seen_scale;
    long pruned_line;
    long online_line;   /* the line of an online_* key, 0 = none */
    long path_line;     /* the line of the first path= key, 0 = none */
    int seen_margin, seen_memory;
} header;

/* The online learner's settings and counters (the "onln" and "onmm"
 * sections of a model file), as header keys. */
void spamlr__dump_online(textbuf *o, const spamlr_model *m);
/* The rehearsal memory: "[memory]", then one line per remembered message. */
void spamlr__dump_memory(textbuf *o, const spamlr_model *m);
/* The record of learned messages: "[learned]" and a line a message, oldest
 * first; nothing when the record is empty. */
void spamlr__dump_learned(textbuf *o, const spamlr_model *m);

/* An online_NAME=value line (NAME in name[0..n)): 0, 1 for a bad value,
 * -1 for an unknown name. */
int spamlr__dump_online_key(reader *r, spamlr_model *m, header *h, const char *name, size_t n,
                            const char *v, size_t vn);
/* The lines after [memory], up to [learned] or the end. */
int spamlr__dump_memory_lines(reader *r, spamlr_model *m);
/* The lines after [learned], to the end. */
int spamlr__dump_learned_lines(reader *r, spamlr_model *m);

#endif
