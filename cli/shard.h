/* shard.h - one process's share of the training input, for train --mpi. */
#ifndef SPAMLR_CLI_SHARD_H
#define SPAMLR_CLI_SHARD_H

#include "common.h"

/* Reads into ds the records r with r % nshard == shard, r counted over all
 * inputs in command-line order: the message lines of --index files and the
 * lines of label<TAB>text files (other kinds of input are refused, since
 * they cannot be split by line). On failure reports it (naming the file)
 * and returns EXIT_RUNTIME or EXIT_USAGE, else 0. */
int shard_read_all(const input_list *l, spamlr_dataset *ds, int shard, int nshard);

#endif
