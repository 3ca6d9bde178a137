/* test_dataset.c - the readers: lines (TSV/CSV), files, directories,
 * index files, gzip, and the errors they give. */
#include "testutil.h"
#include <pthread.h>
#include "data/dataset.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <zlib.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


static spamlr_dataset *new_ds(void)
{
    spamlr_dataset *ds = NULL;
    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    return ds;
}

START_TEST(tsv_labels_and_names)
{
    char dir[64], path[128];
    spamlr_dataset *ds = new_ds();
    spamlr_diag d = SPAMLR_DIAG_INIT;
    const char *txt = "spam\tWin a prize now\nham\tlunch at noon?\r\n\n1\tfree money\n0\tsee you\n";

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a.tsv", dir);
    tu_write(path, txt, strlen(txt));
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 4);
    ck_assert_uint_eq(spamlr_dataset_count(ds, SPAMLR_SPAM), 2);
    ck_assert_uint_eq(spamlr_dataset_count(ds, SPAMLR_HAM), 2);
    ck_assert_int_eq(spamlr_dataset_label(ds, 0), SPAMLR_SPAM);
    ck_assert_int_eq(spamlr_dataset_label(ds, 1), SPAMLR_HAM);
    ck_assert_int_eq(spamlr_dataset_label(ds, 3), SPAMLR_HAM);
    /* the blank line 3 is skipped, so the third row is line 4 */
    {
        char want[160];
        snprintf(want, sizeof want, "%s:4", path);
        ck_assert_str_eq(spamlr_dataset_name(ds, 2), want);
    }
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

START_TEST(tsv_errors_name_the_line)
{
    char dir[64], path[128], msg[1200];
    spamlr_dataset *ds = new_ds();
    spamlr_diag d = SPAMLR_DIAG_INIT;
    const char *bad_label = "spam\tok\nham\tfine\nmaybe\tnot a label\n";
    const char *no_tab = "spam\tok\nthis line has no tab\n";

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a.tsv", dir);
    tu_write(path, bad_label, strlen(bad_label));
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_EPARSE);
    ck_assert_int_eq(d.line, 3);
    ck_assert_str_eq(d.path, path);
    ck_assert_ptr_nonnull(strstr(d.message, "maybe"));
    spamlr_diag_format(&d, msg, sizeof msg);
    ck_assert_ptr_nonnull(strstr(msg, ":3: unknown label"));

    tu_write(path, no_tab, strlen(no_tab));
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_EPARSE);
    ck_assert_int_eq(d.line, 2);
    ck_assert_ptr_nonnull(strstr(d.message, "TAB"));

    snprintf(path, sizeof path, "%s/missing.tsv", dir);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_EIO);
    ck_assert_str_eq(d.path, path);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, dir, &d), SPAMLR_EIO);
    ck_assert_ptr_nonnull(strstr(d.message, "directory"));
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

START_TEST(csv_quotes_and_header)
{
    char dir[64], path[128];
    spamlr_dataset *ds = new_ds();
    spamlr_diag d = SPAMLR_DIAG_INIT;
    const char *csv = "label,text\r\nspam,\"free, \"\"really\"\" free\nmoney\"\r\nham,hello there\r\n"
                      "1,\"x\",extra,cols\n";

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a.csv", dir);
    tu_write(path, csv, strlen(csv));
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 3);
    ck_assert_int_eq(spamlr_dataset_label(ds, 0), SPAMLR_SPAM);
    ck_assert_int_eq(spamlr_dataset_label(ds, 1), SPAMLR_HAM);
    {
        char want[160];
        /* the quoted field spans lines 2-3, so "ham" is on line 4 */
        snprintf(want, sizeof want, "%s:4", path);
        ck_assert_str_eq(spamlr_dataset_name(ds, 1), want);
    }
    tu_write(path, "spam,\"never closed\n", 19);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_EPARSE);
    ck_assert_int_eq(d.line, 1);
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

START_TEST(gzip_reads_the_same)
{
    char dir[64], plain[128], gz[128];
    spamlr_dataset *a = new_ds(), *b = new_ds();
    const char *txt = "spam\tcheap pills online\nham\tthe meeting moved to 3pm\n";
    gzFile g;

    tu_tmpdir(dir, sizeof dir);
    snprintf(plain, sizeof plain, "%s/a.tsv", dir);
    snprintf(gz, sizeof gz, "%s/a.tsv.gz", dir);
    tu_write(plain, txt, strlen(txt));
    g = gzopen(gz, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, txt, (unsigned)strlen(txt)), (int)strlen(txt));
    ck_assert_int_eq(gzclose(g), Z_OK);
    ck_assert_int_eq(spamlr_dataset_read_lines(a, plain, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_lines(b, gz, NULL), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(b), 2);
    ck_assert_uint_eq(spamlr_dataset_vocab_size(a), spamlr_dataset_vocab_size(b));
    ck_assert_uint_eq(spamlr_dataset_vocab_size(a), 8);
    spamlr_dataset_free(a);
    spamlr_dataset_free(b);
    tu_rmrf(dir);
}
END_TEST

/* spamlr_read_file of path gives exactly want[0, n), NUL-terminated. */
static void reads_as(const char *path, const char *want, size_t n)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *buf = NULL;
    size_t len = 1;

    ck_assert_msg(spamlr_read_file(path, &buf, &len, &d) == SPAMLR_OK, "%s: %s", path,
                  d.message);
    ck_assert_msg(len == n, "%s: %zu bytes read, %zu written", path, len, n);
    ck_assert_int_eq(memcmp(buf, want, n), 0);
    ck_assert_int_eq(buf[n], '\0');
    free(buf);
}

/* A gzip file of data[0, n) as gzwrite writes it (level 6). */
static void write_gz(const char *path, const char *data, size_t n, const char *mode)
{
    gzFile g = gzopen(path, mode);

    ck_assert_ptr_nonnull(g);
    if (n)
        ck_assert_int_eq(gzwrite(g, data, (unsigned)n), (int)n);
    ck_assert_int_eq(gzclose(g), Z_OK);
}

/* Issue io17: a regular file is read in one read of its size + 1 bytes
 * (a short read of exactly its size is its end) and gzip is told from the
 * bytes read: files of 0 bytes, of a power of two and one either side
 * (up to past the 64 KiB a regrowing buffer starts from), a lone 0x1f,
 * gzip files of those sizes, a file of size 0 in stat that is not empty
 * (/proc), a FIFO, all read whole. */
START_TEST(whole_files_read_exactly)
{
    static const size_t sizes[] = { 0, 1, 2, 3, 4095, 4096, 4097, 65535, 65536,
                                    65537, 131072, 1 << 20 };
    char dir[64], p[256], q[256], *data = malloc(1 << 20 | 1);
    size_t i, k;
    uint32_t x = 12345;

    ck_assert_ptr_nonnull(data);
    for (i = 0; i < (1u << 20); i++) { /* bytes of every value, NUL too */
        x = x * 1664525u + 1013904223u;
        data[i] = (char)(x >> 24);
    }
    data[0] = 'F'; /* not gzip's 0x1f 0x8b */
    tu_tmpdir(dir, sizeof dir);
    for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        snprintf(p, sizeof p, "%s/f%zu", dir, sizes[k]);
        tu_write(p, data, sizes[k]);
        reads_as(p, data, sizes[k]);
        snprintf(p, sizeof p, "%s/f%zu.gz", dir, sizes[k]);
        write_gz(p, data, sizes[k], "wb");
        reads_as(p, data, sizes[k]);
    }
    snprintf(p, sizeof p, "%s/lone", dir);
    tu_write(p, "\x1f", 1);
    reads_as(p, "\x1f", 1);

    /* /proc's files say size 0 in stat and hold more */
    {
        char *buf = NULL;
        size_t len = 0;

        ck_assert_int_eq(spamlr_read_file("/proc/self/status", &buf, &len, NULL), SPAMLR_OK);
        ck_assert_uint_gt(len, 0);
        ck_assert_ptr_nonnull(strstr(buf, "Name:"));
        ck_assert_uint_eq(strlen(buf), len);
        free(buf);
    }

    /* a FIFO named as a path: read until its writer closes it */
    snprintf(q, sizeof q, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(q, 0600), 0);
    {
        pid_t pid = fork();
        int st;

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            int fd = open(q, O_WRONLY);
            size_t done = 0;

            while (fd >= 0 && done < 300000) {
                ssize_t w = write(fd, data + done, 300000 - done);
                if (w <= 0)
                    _exit(1);
                done += (size_t)w;
            }
            _exit(fd < 0);
        }
        reads_as(q, data, 300000);
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    free(data);
    tu_rmrf(dir);
}
END_TEST

/* Gzip read from the bytes in memory reads as zlib's gzread reads the
 * file: members one after the other, bytes after the last member
 * ignored; a stream cut short and damaged data are errors naming the
 * file. */
START_TEST(gzip_as_gzread_reads_it)
{
    char dir[64], p[256], a[256], *raw = NULL, *buf = NULL, want[64];
    const char *one = "first member\n", *two = "second member\n";
    spamlr_diag d = SPAMLR_DIAG_INIT;
    size_t n = 0, len;
    gzFile g;
    int got;

    tu_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/a.gz", dir);
    write_gz(a, one, strlen(one), "wb");
    ck_assert_int_eq(spamlr_read_file(a, &raw, &n, NULL), SPAMLR_OK);
    free(raw);
    raw = NULL;
    /* the compressed bytes of one member */
    {
        FILE *f = fopen(a, "rb");
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(raw = malloc(4096));
        n = fread(raw, 1, 4096, f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/two.gz", dir);
    write_gz(p, two, strlen(two), "wb");
    {
        FILE *f = fopen(p, "ab");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(raw, 1, n, f), n); /* member 2, then member 1 again */
        ck_assert_uint_eq(fwrite("\0\0 trailing junk", 1, 16, f), 16);
        ck_assert_int_eq(fclose(f), 0);
    }
    ck_assert_ptr_nonnull(g = gzopen(p, "rb"));
    ck_assert_int_gt(got = gzread(g, want, sizeof want), 0);
    gzclose(g);
    ck_assert_int_eq(got, (int)(strlen(two) + strlen(one)));
    reads_as(p, want, (size_t)got);

    /* cut short: the file's name and "ends early" */
    snprintf(p, sizeof p, "%s/cut.gz", dir);
    tu_write(p, raw, n - 6);
    ck_assert_int_eq(spamlr_read_file(p, &buf, &len, &d), SPAMLR_EIO);
    ck_assert_str_eq(d.path, p);
    ck_assert_ptr_nonnull(strstr(d.message, "compressed data ends early"));
    ck_assert_ptr_null(buf);
    /* damaged: a deflate block of a reserved type */
    raw[10] = (char)0x07;
    snprintf(p, sizeof p, "%s/bad.gz", dir);
    tu_write(p, raw, n);
    ck_assert_int_eq(spamlr_read_file(p, &buf, &len, &d), SPAMLR_EIO);
    ck_assert_str_eq(d.path, p);
    ck_assert_ptr_nonnull(strstr(d.message, "read error"));
    ck_assert_ptr_null(buf);
    free(raw);
    tu_rmrf(dir);
}
END_TEST

/* A directory's entries are told apart by readdir's type, and by stat
 * where it does not say: links to files and to directories are followed,
 * a FIFO (never opened: it would block) and a dangling link's target are
 * not files; a dangling link is an error naming it. A directory read as
 * a file is refused. */
START_TEST(directory_entries_by_type)
{
    char dir[64], p[256], q[256];
    spamlr_dataset *ds = new_ds();
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *buf = NULL;
    size_t len;

    tu_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/in", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/other", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/other/x.txt", dir);
    tu_write(p, "in another directory", 20);
    snprintf(p, sizeof p, "%s/outside.txt", dir);
    tu_write(p, "outside the tree", 16);
    snprintf(p, sizeof p, "%s/in/a.txt", dir);
    tu_write(p, "a plain file", 12);
    snprintf(p, sizeof p, "%s/in/b-link", dir);
    snprintf(q, sizeof q, "%s/outside.txt", dir);
    ck_assert_int_eq(symlink(q, p), 0);
    snprintf(p, sizeof p, "%s/in/c-dirlink", dir);
    snprintf(q, sizeof q, "%s/other", dir);
    ck_assert_int_eq(symlink(q, p), 0);
    snprintf(p, sizeof p, "%s/in/d-fifo", dir);
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/in", dir);
    ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_SPAM, p, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 3);
    ck_assert_ptr_nonnull(strstr(spamlr_dataset_name(ds, 0), "/in/a.txt"));
    ck_assert_ptr_nonnull(strstr(spamlr_dataset_name(ds, 1), "/in/b-link"));
    ck_assert_ptr_nonnull(strstr(spamlr_dataset_name(ds, 2), "/in/c-dirlink/x.txt"));

    ck_assert_int_eq(spamlr_read_file(p, &buf, &len, &d), SPAMLR_EIO);
    ck_assert_str_eq(d.path, p);
    ck_assert_ptr_nonnull(strstr(d.message, "is a directory, expected a file"));

    snprintf(p, sizeof p, "%s/in/e-dangling", dir);
    ck_assert_int_eq(symlink("/nonexistent/spamlr-test", p), 0);
    snprintf(q, sizeof q, "%s/in", dir);
    ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_SPAM, q, &d), SPAMLR_EIO);
    ck_assert_str_eq(d.path, p);
    ck_assert_ptr_nonnull(strstr(d.message, "cannot open:"));

    /* a directory that cannot be opened is still walked as one, and says
     * so (not for root, who opens everything) */
    if (geteuid() != 0) {
        ck_assert_int_eq(unlink(p), 0);
        snprintf(p, sizeof p, "%s/other", dir);
        ck_assert_int_eq(chmod(p, 0), 0);
        ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_SPAM, p, &d), SPAMLR_EIO);
        ck_assert_ptr_nonnull(strstr(d.message, "cannot open directory"));
        ck_assert_int_eq(spamlr_read_file(p, &buf, &len, &d), SPAMLR_EIO);
        ck_assert_ptr_nonnull(strstr(d.message, "is a directory, expected a file"));
        ck_assert_int_eq(chmod(p, 0755), 0);
    }
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

START_TEST(dirs_and_index)
{
    char dir[64], p[256];
    spamlr_dataset *ds = new_ds();
    spamlr_diag d = SPAMLR_DIAG_INIT;

    tu_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/spam", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/spam/sub", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/spam/b.txt", dir);
    tu_write(p, "buy now", 7);
    snprintf(p, sizeof p, "%s/spam/sub/a.txt", dir);
    tu_write(p, "win cash", 8);
    snprintf(p, sizeof p, "%s/spam/.hidden", dir);
    tu_write(p, "ignored", 7);
    snprintf(p, sizeof p, "%s/ham.txt", dir);
    tu_write(p, "see you at dinner", 17);

    snprintf(p, sizeof p, "%s/spam", dir);
    ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_SPAM, p, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 2);
    /* name order: "b.txt" < "sub" */
    ck_assert_ptr_nonnull(strstr(spamlr_dataset_name(ds, 0), "b.txt"));
    ck_assert_ptr_nonnull(strstr(spamlr_dataset_name(ds, 1), "sub/a.txt"));

    snprintf(p, sizeof p, "%s/list.idx", dir);
    tu_write(p, "# comment\nspam spam\n\nham ham.txt\n", 33);
    ck_assert_int_eq(spamlr_dataset_read_index(ds, p, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 5);
    ck_assert_uint_eq(spamlr_dataset_count(ds, SPAMLR_HAM), 1);

    tu_write(p, "spam spam\nham nowhere.txt\n", 26);
    ck_assert_int_eq(spamlr_dataset_read_index(ds, p, &d), SPAMLR_EIO);
    ck_assert_int_eq(d.line, 2);
    ck_assert_str_eq(d.path, p);
    ck_assert_ptr_nonnull(strstr(d.message, "nowhere.txt"));
    tu_write(p, "junk ham.txt\n", 13);
    ck_assert_int_eq(spamlr_dataset_read_index(ds, p, &d), SPAMLR_EPARSE);
    ck_assert_int_eq(d.line, 1);
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

/* Issue 16 item 16: a UTF-8 byte order mark before the first line is
 * skipped by every text reader (the first row is read, with its label);
 * an unknown label is an error on CSV line 1 as on line 2, and only a
 * header naming the column is skipped. */
START_TEST(bom_and_one_rule_for_every_line)
{
    static const char *const ok[][2] = {
        {"a.tsv", "\xef\xbb\xbfspam\tfree prize\nham\tlunch\n"},
        {"b.csv", "\xef\xbb\xbfspam,free prize\nham,lunch\n"},
        {"c.csv", "\xef\xbb\xbfLabel,Text\nspam,free prize\nham,lunch\n"},
        {"d.csv", "\"v1\",\"v2\"\nspam,free prize\nham,lunch\n"},
        {"e.svm", "\xef\xbb\xbf+1 1:1\n-1 2:1\n"},
    };
    static const char *const bad[][2] = {
        {"f.csv", "maybe,free prize\nham,lunch\n"},
        {"g.csv", "ham,lunch\nmaybe,free prize\n"},
        {"h.csv", "\xef\xbb\xbfmaybe,free prize\nham,lunch\n"},
        {"i.tsv", "maybe\tfree prize\nham\tlunch\n"},
    };
    char dir[64], p[256], m[256];
    spamlr_diag d = SPAMLR_DIAG_INIT;
    size_t i;

    tu_tmpdir(dir, sizeof dir);
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        spamlr_dataset *ds = new_ds();
        snprintf(p, sizeof p, "%s/%s", dir, ok[i][0]);
        tu_write(p, ok[i][1], strlen(ok[i][1]));
        ck_assert_int_eq(strstr(p, ".svm") ? spamlr_dataset_read_libsvm(ds, p, &d)
                                           : spamlr_dataset_read_lines(ds, p, &d),
                         SPAMLR_OK);
        ck_assert_msg(spamlr_dataset_rows(ds) == 2, "%s: %zu rows", ok[i][0],
                      spamlr_dataset_rows(ds));
        ck_assert_int_eq(spamlr_dataset_label(ds, 0), SPAMLR_SPAM);
        ck_assert_int_eq(spamlr_dataset_label(ds, 1), SPAMLR_HAM);
        spamlr_dataset_free(ds);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spamlr_dataset *ds = new_ds();
        snprintf(p, sizeof p, "%s/%s", dir, bad[i][0]);
        tu_write(p, bad[i][1], strlen(bad[i][1]));
        ck_assert_int_eq(spamlr_dataset_read_lines(ds, p, &d), SPAMLR_EPARSE);
        ck_assert_int_eq(d.line, strstr(bad[i][1], "\nmaybe") ? 2 : 1);
        ck_assert_ptr_nonnull(strstr(d.message, "unknown label \"maybe\""));
        spamlr_dataset_free(ds);
    }
    {   /* an index file */
        spamlr_dataset *ds = new_ds();
        snprintf(p, sizeof p, "%s/m.txt", dir);
        tu_write(p, "win cash", 8);
        snprintf(m, sizeof m, "%s/list.idx", dir);
        tu_write(m, "\xef\xbb\xbfspam m.txt\nham m.txt\n", 24);
        ck_assert_int_eq(spamlr_dataset_read_index(ds, m, &d), SPAMLR_OK);
        ck_assert_uint_eq(spamlr_dataset_rows(ds), 2);
        ck_assert_int_eq(spamlr_dataset_label(ds, 0), SPAMLR_SPAM);
        spamlr_dataset_free(ds);
    }
    tu_rmrf(dir);
}
END_TEST

/* Two datasets hold the same rows, names, labels, token ids and counts,
 * and the same vocabulary in the same order. */
static void same_dataset(const spamlr_dataset *a, const spamlr_dataset *b)
{
    size_t i;

    ck_assert_uint_eq(a->rows, b->rows);
    ck_assert_uint_eq(a->nnz, b->nnz);
    ck_assert_uint_eq(a->vocab.n, b->vocab.n);
    for (i = 0; i < a->vocab.n; i++) {
        ck_assert_str_eq(spamlr__vocab_str(&a->vocab, (uint32_t)i),
                         spamlr__vocab_str(&b->vocab, (uint32_t)i));
        ck_assert_uint_eq(a->vocab.count[i], b->vocab.count[i]);
    }
    for (i = 0; i < a->rows; i++) {
        ck_assert_int_eq(a->labels[i], b->labels[i]);
        ck_assert_str_eq(spamlr_dataset_name(a, i), spamlr_dataset_name(b, i));
        ck_assert_uint_eq(a->ptr[i + 1], b->ptr[i + 1]);
    }
    ck_assert(memcmp(a->ids, b->ids, a->nnz * sizeof *a->ids) == 0);
    ck_assert(memcmp(a->cnt, b->cnt, a->nnz * sizeof *a->cnt) == 0);
}

/* Writes 150 short mails under dir/m and an index of them (a third
 * spam) named `name` in dir (path in idx); with `only`, the index lists
 * only the mails i with i % 2 == only - 1. */
static void write_notes(const char *dir, const char *name, int only, char *idx, size_t size)
{
    static const char *const words[] = {
        "prize", "meeting", "viagra", "lunch", "invoice", "winner", "report", "cash",
        "中奖", "会议", "deal", "family", "offer", "project", "免费", "review",
    };
    char path[160], body[400];
    struct stat st;
    FILE *f;
    int i, k;

    snprintf(idx, size, "%s/%s", dir, name);
    ck_assert_ptr_nonnull(f = fopen(idx, "w"));
    snprintf(path, sizeof path, "%s/m", dir);
    if (stat(path, &st) != 0)
        ck_assert_int_eq(mkdir(path, 0700), 0);
    for (i = 0; i < 150; i++) {
        int n = 0;
        /* each file brings words no earlier file had (w<i>), so token ids
         * depend on the order files are read in */
        n += snprintf(body + n, sizeof body - (size_t)n, "Subject: note %d w%d\n\n", i, i);
        for (k = 0; k < 6; k++)
            n += snprintf(body + n, sizeof body - (size_t)n, "%s w%d ",
                          words[(i * 7 + k * 3) % 16], (i * 13 + k) % 97);
        snprintf(path, sizeof path, "%s/m/%03d.eml", dir, i);
        tu_write(path, body, strlen(body));
        if (!only || i % 2 == only - 1)
            fprintf(f, "%s m/%03d.eml\n", i % 3 ? "ham" : "spam", i);
    }
    ck_assert_int_eq(fclose(f), 0);
}

/* Drops the file's pages from the page cache (written back first), as a
 * cache that let them go would; returns whether they are gone (they stay
 * where the file system keeps files in memory, as tmpfs does). */
static int drop_cached(const char *path)
{
    int fd = open(path, O_RDONLY), gone = 0;
    unsigned char vec[64];
    struct stat st;
    void *p;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fstat(fd, &st), 0);
    (void)fdatasync(fd);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED && st.st_size > 0 && st.st_size <= 64 * 4096 &&
        mincore(p, (size_t)st.st_size, vec) == 0)
        gone = !(vec[0] & 1);
    if (p != MAP_FAILED)
        munmap(p, (size_t)st.st_size);
    close(fd);
    return gone;
}

/* Descriptors this process has open. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Files the page cache has let go are read ahead (spamlr__prefetch: once
 * a read finds its file only partly cached, the next ones are opened and
 * asked for, and their descriptors read from later): the dataset is the
 * one read from the cache, byte for byte, on 1 and 2 threads, and no
 * descriptor stays open, also when the list stops at a missing file. */
START_TEST(cold_files_read_ahead)
{
    char dir[64], idx[160], path[160], bad[160];
    spamlr_dataset *warm = new_ds();
    int fds = open_fds(), t, gone = 0;
    unsigned threads;
    FILE *f;

    tu_tmpdir(dir, sizeof dir);
    write_notes(dir, "all.idx", 0, idx, sizeof idx);
    spamlr_dataset_set_threads(warm, 1);
    ck_assert_int_eq(spamlr_dataset_read_index(warm, idx, NULL), SPAMLR_OK);
    for (threads = 1; threads <= 2; threads++) {
        spamlr_dataset *cold = new_ds();

        for (t = 0; t < 150; t++) {
            snprintf(path, sizeof path, "%s/m/%03d.eml", dir, t);
            gone += drop_cached(path);
        }
        spamlr_dataset_set_threads(cold, threads);
        ck_assert_int_eq(spamlr_dataset_read_index(cold, idx, NULL), SPAMLR_OK);
        same_dataset(warm, cold);
        /* read ahead when the files were gone (not on tmpfs) */
        if (gone && threads == 1)
            ck_assert_int_eq(cold->rbuf.cold, 1);
        spamlr_dataset_free(cold);
    }
    /* a list that stops at a missing file, with files opened ahead */
    snprintf(bad, sizeof bad, "%s/bad.idx", dir);
    ck_assert_ptr_nonnull(f = fopen(bad, "w"));
    for (t = 0; t < 100; t++)
        fprintf(f, t == 40 ? "spam m/missing.eml\n" : "ham m/%03d.eml\n", t);
    ck_assert_int_eq(fclose(f), 0);
    for (threads = 1; threads <= 2; threads++) {
        spamlr_dataset *ds = new_ds();

        for (t = 0; t < 150; t++) {
            snprintf(path, sizeof path, "%s/m/%03d.eml", dir, t);
            drop_cached(path);
        }
        spamlr_dataset_set_threads(ds, threads);
        ck_assert_int_eq(spamlr_dataset_read_index(ds, bad, NULL), SPAMLR_EIO);
        spamlr_dataset_free(ds);
    }
    ck_assert_int_eq(open_fds(), fds);
    spamlr_dataset_free(warm);
    tu_rmrf(dir);
}
END_TEST

/* spamlr_dataset_read_paths: the dataset read_path makes path by path,
 * on 1 and 2 threads, with each path's label; a missing path stops it
 * with the rows before it kept and the diag naming the path; bad
 * arguments are SPAMLR_EINVAL. */
START_TEST(read_paths_is_read_path_in_turn)
{
    char dir[64], idx[160], names[150][160];
    const char *paths[150];
    int labels[150], i;
    unsigned threads;
    spamlr_dataset *one = new_ds();
    spamlr_diag d = SPAMLR_DIAG_INIT;

    tu_tmpdir(dir, sizeof dir);
    write_notes(dir, "all.idx", 0, idx, sizeof idx);
    for (i = 0; i < 150; i++) {
        snprintf(names[i], sizeof names[i], "%s/m/%03d.eml", dir, i);
        paths[i] = names[i];
        labels[i] = i % 3 ? SPAMLR_HAM : i % 2 ? SPAMLR_SPAM : SPAMLR_UNLABELLED;
        ck_assert_int_eq(spamlr_dataset_read_path(one, labels[i], paths[i], NULL), SPAMLR_OK);
    }
    for (threads = 1; threads <= 2; threads++) {
        spamlr_dataset *all = new_ds(), *cut = new_ds();

        spamlr_dataset_set_threads(all, threads);
        ck_assert_int_eq(spamlr_dataset_read_paths(all, labels, paths, 150, NULL), SPAMLR_OK);
        same_dataset(one, all);
        /* path 100 missing: the 100 before it read, the diag names it */
        snprintf(names[100], sizeof names[100], "%s/m/missing.eml", dir);
        spamlr_dataset_set_threads(cut, threads);
        ck_assert_int_eq(spamlr_dataset_read_paths(cut, labels, paths, 150, &d), SPAMLR_EIO);
        ck_assert_str_eq(d.path, names[100]);
        ck_assert_uint_eq(spamlr_dataset_rows(cut), 100);
        snprintf(names[100], sizeof names[100], "%s/m/%03d.eml", dir, 100);
        spamlr_dataset_free(all);
        spamlr_dataset_free(cut);
    }
    labels[7] = 5;
    ck_assert_int_eq(spamlr_dataset_read_paths(one, labels, paths, 150, NULL), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_dataset_read_paths(one, NULL, NULL, 3, NULL), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_dataset_read_paths(one, NULL, paths, 0, NULL), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(one), 150);
    spamlr_dataset_free(one);
    tu_rmrf(dir);
}
END_TEST

/* Reading many files on several threads gives the dataset one thread
 * gives, byte for byte, and stops at the same failing line. */
START_TEST(parallel_reading_is_exact)
{
    char dir[64], path[160], idx[160];
    spamlr_dataset *one = new_ds(), *two = new_ds(), *three = new_ds();
    spamlr_diag d1 = SPAMLR_DIAG_INIT, d2 = SPAMLR_DIAG_INIT;

    tu_tmpdir(dir, sizeof dir);
    write_notes(dir, "all.idx", 0, idx, sizeof idx);
    spamlr_dataset_set_threads(one, 1);
    spamlr_dataset_set_threads(two, 2);
    spamlr_dataset_set_threads(three, 3);
    ck_assert_int_eq(spamlr_dataset_read_index(one, idx, &d1), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_index(two, idx, &d2), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_index(three, idx, &d2), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(one), 150);
    same_dataset(one, two);
    same_dataset(one, three);
    /* a directory, after what was read: the same again */
    snprintf(path, sizeof path, "%s/m", dir);
    ck_assert_int_eq(spamlr_dataset_read_path(one, SPAMLR_SPAM, path, &d1), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_read_path(two, SPAMLR_SPAM, path, &d2), SPAMLR_OK);
    same_dataset(one, two);
    spamlr_dataset_free(one);
    spamlr_dataset_free(two);
    spamlr_dataset_free(three);

    /* a file that is missing at line 101: the same error, and the same
     * 100 rows kept */
    snprintf(path, sizeof path, "%s/m/100.eml", dir);
    ck_assert_int_eq(unlink(path), 0);
    one = new_ds();
    two = new_ds();
    spamlr_dataset_set_threads(one, 1);
    spamlr_dataset_set_threads(two, 2);
    ck_assert_int_eq(spamlr_dataset_read_index(one, idx, &d1), SPAMLR_EIO);
    ck_assert_int_eq(spamlr_dataset_read_index(two, idx, &d2), SPAMLR_EIO);
    ck_assert_int_eq(d1.line, 101);
    ck_assert_str_eq(d1.message, d2.message);
    ck_assert_str_eq(d1.path, d2.path);
    ck_assert_int_eq(d2.line, 101);
    ck_assert_uint_eq(spamlr_dataset_rows(one), 100);
    same_dataset(one, two);
    spamlr_dataset_free(one);
    spamlr_dataset_free(two);
    tu_rmrf(dir);
}
END_TEST

/* The notes of write_notes in dir: train.idx (half of them, labelled)
 * read into tr and a model m trained on it with opts o; all.idx, every
 * note, for the datasets kept to m. */
static spamlr_model *train_notes(char *dir, size_t dn, char *train_idx, char *all_idx,
                                 size_t in, spamlr_dataset *tr, spamlr_train_opts *o)
{
    spamlr_model *m = NULL;

    tu_tmpdir(dir, dn);
    write_notes(dir, "train.idx", 1, train_idx, in);
    write_notes(dir, "all.idx", 0, all_idx, in);
    ck_assert_int_eq(spamlr_dataset_read_index(tr, train_idx, NULL), SPAMLR_OK);
    spamlr_train_opts_init(o);
    ck_assert_int_eq(spamlr_train(&m, tr, o, NULL, NULL), SPAMLR_OK);
    return m;
}

typedef struct keeper {
    spamlr_dataset *ds;
    const spamlr_model *m;
    int rc;
} keeper;

static void *keep_words(void *arg)
{
    keeper *k = arg;

    k->rc = spamlr_dataset_keep_model_words(k->ds, k->m);
    return NULL;
}

/* A kept dataset reads the model's words where they are (nothing is
 * copied): datasets kept to one model on several threads at once, a model
 * that learns new words afterwards (it copies its words first: the
 * datasets keep reading the words they were kept to, and still predict as
 * open datasets do), and a model freed before its datasets (ASan and
 * ThreadSanitizer, make check-tsan, run this). */
START_TEST(kept_words_are_shared)
{
    char dir[64], train_idx[160], all_idx[160];
    const char *nonsense = "qzxv kwyjibo zblorf qzxv";
    spamlr_train_opts o;
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    spamlr_dataset *tr = new_ds(), *open = new_ds();
    keeper k[3];
    pthread_t th[3];
    double po[150], pk[150];
    size_t words, i;

    m = train_notes(dir, sizeof dir, train_idx, all_idx, sizeof train_idx, tr, &o);
    words = spamlr_model_vocab_size(m);
    for (i = 0; i < 3; i++) {
        k[i].ds = new_ds();
        k[i].m = m;
        ck_assert_int_eq(pthread_create(&th[i], NULL, keep_words, &k[i]), 0);
    }
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(k[i].rc, SPAMLR_OK);
        spamlr_dataset_set_threads(k[i].ds, 2);
        ck_assert_int_eq(spamlr_dataset_read_index(k[i].ds, all_idx, NULL), SPAMLR_OK);
        ck_assert_uint_eq(spamlr_dataset_vocab_size(k[i].ds), words);
    }
    /* the model learns words no mail has: its own copy grows, the kept
     * datasets' words stay, and they predict as an open dataset does */
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_learn(m, s, nonsense, strlen(nonsense), SPAMLR_SPAM, 1, NULL),
                     SPAMLR_OK);
    ck_assert_uint_eq(spamlr_model_vocab_size(m), words + 3);
    spamlr_dataset_set_threads(open, 1);
    ck_assert_int_eq(spamlr_dataset_read_index(open, all_idx, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict_dataset(m, open, po, NULL), SPAMLR_OK);
    for (i = 0; i < 3; i++) {
        ck_assert_uint_eq(spamlr_dataset_vocab_size(k[i].ds), words);
        ck_assert_int_eq(spamlr_predict_dataset(m, k[i].ds, pk, NULL), SPAMLR_OK);
        ck_assert(memcmp(po, pk, sizeof po) == 0);
    }
    /* one dataset freed, then the model: the others still read their words */
    spamlr_dataset_free(k[0].ds);
    spamlr_model_free(m);
    for (i = 1; i < 3; i++) {
        ck_assert_int_eq(spamlr_dataset_read_index(k[i].ds, all_idx, NULL), SPAMLR_OK);
        ck_assert_uint_eq(spamlr_dataset_rows(k[i].ds), 300);
        ck_assert_uint_eq(spamlr_dataset_vocab_size(k[i].ds), words);
        spamlr_dataset_free(k[i].ds);
    }
    spamlr_scratch_free(s);
    spamlr_dataset_free(tr);
    spamlr_dataset_free(open);
    tu_rmrf(dir);
}
END_TEST

/* A dataset kept to a model's words (spamlr_dataset_keep_model_words)
 * gives the probabilities and scores of an open one bit for bit, read on
 * 1, 2 or 3 threads, with nothing added to its words and fewer entries. */
START_TEST(kept_to_model_words)
{
    char dir[64], train_idx[160], all_idx[160];
    spamlr_train_opts o;
    spamlr_model *m = NULL, *other = NULL;
    spamlr_dataset *tr = new_ds(), *open = new_ds(), *rev = new_ds(), *kept_other_ref;
    double po[150], so[150], pk[150], sk[150], pk2[150];
    unsigned t;

    m = train_notes(dir, sizeof dir, train_idx, all_idx, sizeof train_idx, tr, &o);
    spamlr_dataset_set_threads(open, 1);
    ck_assert_int_eq(spamlr_dataset_read_index(open, all_idx, NULL), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(open), 150);
    ck_assert_int_eq(spamlr_predict_dataset(m, open, po, so), SPAMLR_OK);
    /* a model of the same mails read in the opposite order: the same
     * words, other ids */
    {
        char lines[75][64], rev_idx[160];
        FILE *in, *out;
        int nl = 0;

        ck_assert_ptr_nonnull(in = fopen(train_idx, "r"));
        while (nl < 75 && fgets(lines[nl], sizeof lines[nl], in))
            nl++;
        fclose(in);
        snprintf(rev_idx, sizeof rev_idx, "%s/rev.idx", dir);
        ck_assert_ptr_nonnull(out = fopen(rev_idx, "w"));
        while (nl > 0)
            fputs(lines[--nl], out);
        ck_assert_int_eq(fclose(out), 0);
        ck_assert_int_eq(spamlr_dataset_read_index(rev, rev_idx, NULL), SPAMLR_OK);
        ck_assert_int_eq(spamlr_train(&other, rev, &o, NULL, NULL), SPAMLR_OK);
    }
    ck_assert_uint_eq(spamlr_model_vocab_size(other), spamlr_model_vocab_size(m));
    {
        spamlr_word a, b;
        size_t id, moved = 0;

        for (id = 0; id < spamlr_model_vocab_size(m); id++) {
            ck_assert_int_eq(spamlr_model_word(other, id, &a), SPAMLR_OK);
            ck_assert_int_eq(spamlr_model_word(m, id, &b), SPAMLR_OK);
            moved += strcmp(a.token, b.token) != 0;
        }
        ck_assert_uint_gt(moved, 0); /* ids that name other words */
    }
    kept_other_ref = open;
    for (t = 1; t <= 3; t++) {
        spamlr_dataset *kept = new_ds();

        ck_assert_int_eq(spamlr_dataset_keep_model_words(kept, m), SPAMLR_OK);
        ck_assert_int_eq(spamlr_dataset_keep_model_words(kept, m), SPAMLR_EINVAL);
        spamlr_dataset_set_threads(kept, t);
        ck_assert_int_eq(spamlr_dataset_read_index(kept, all_idx, NULL), SPAMLR_OK);
        ck_assert_uint_eq(spamlr_dataset_rows(kept), 150);
        ck_assert_uint_eq(spamlr_dataset_vocab_size(kept), spamlr_model_vocab_size(m));
        ck_assert_uint_lt(kept->nnz, open->nnz); /* the test half's own words dropped */
        ck_assert_int_eq(spamlr_predict_dataset(m, kept, pk, sk), SPAMLR_OK);
        ck_assert_msg(memcmp(po, pk, sizeof po) == 0 && memcmp(so, sk, sizeof so) == 0,
                      "%u threads: the probabilities differ from an open dataset's", t);
        /* another model with the same words under other ids: looked up
         * by string, as with an open dataset */
        ck_assert_int_eq(spamlr_predict_dataset(other, kept, pk, NULL), SPAMLR_OK);
        ck_assert_int_eq(spamlr_predict_dataset(other, kept_other_ref, pk2, NULL), SPAMLR_OK);
        ck_assert(memcmp(pk, pk2, sizeof pk) == 0);
        spamlr_dataset_free(kept);
    }
    /* not an empty dataset: refused */
    ck_assert_int_eq(spamlr_dataset_keep_model_words(open, m), SPAMLR_EINVAL);
    spamlr_model_free(m);
    spamlr_model_free(other);
    spamlr_dataset_free(rev);
    spamlr_dataset_free(tr);
    spamlr_dataset_free(open);
    tu_rmrf(dir);
}
END_TEST

/* A row's entries are sorted by id, with their counts, at every size of
 * id: ids under 512 (one radix pass), under 2^17 (two), and past 2^18
 * (three passes of uneven widths), rows of 33 entries and more taking the
 * radix sort and shorter ones insertion. The rows are read in first-seen
 * order, so every id but the first row's comes unsorted. */
START_TEST(rows_sorted_at_every_id_size)
{
    const size_t big = ((size_t)1 << 18) + 1000;
    spamlr_text_opts o;
    spamlr_dataset *ds = NULL;
    char *text = malloc(big * 9 + 1);
    size_t n = 0, i, r, row;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t tops[3] = {400, 100000, big};

    ck_assert_ptr_nonnull(text);
    spamlr_text_opts_init(&o);
    o.mime = 0;
    o.number_fold = 0;
    o.cjk_bigrams = 0;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &o), SPAMLR_OK);
    for (i = 0; i < big; i++)   /* word i gets id i */
        n += (size_t)snprintf(text + n, 10, "w%07zx ", i);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, text, n, NULL), SPAMLR_OK);
    for (r = 0; r < 3; r++)
        for (size_t len = 20; len <= 2000; len *= 10) {
            uint32_t want[3000];
            size_t k = 0;

            n = 0;
            for (i = 0; i < len; i++) {  /* random ids below tops[r], some twice */
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                want[k] = (uint32_t)(x % tops[r]);
                n += (size_t)snprintf(text + n, 10, "w%07x ", want[k]);
                if (i % 5 == 0)
                    n += (size_t)snprintf(text + n, 10, "w%07x ", want[k]);
                k++;
            }
            ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, text, n, NULL), SPAMLR_OK);
            row = spamlr_dataset_rows(ds) - 1;
            ck_assert_uint_eq(spamlr_dataset_vocab_size(ds), big);
            for (i = ds->ptr[row]; i < ds->ptr[row + 1]; i++) {
                size_t c = 0;
                if (i > ds->ptr[row])
                    ck_assert_msg(ds->ids[i - 1] < ds->ids[i], "ids below %zu, %zu tokens",
                                  tops[r], len);
                for (size_t q = 0; q < k; q++)
                    c += want[q] == ds->ids[i] ? (q % 5 == 0 ? 2 : 1) : 0;
                ck_assert_uint_eq(ds->cnt[i], c);
            }
        }
    free(text);
    spamlr_dataset_free(ds);
}
END_TEST

START_TEST(hostile_bytes)
{
    spamlr_dataset *ds = new_ds();
    char buf[4096];
    size_t i;

    for (i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 7919u >> 3);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, buf, sizeof buf, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, "", 0, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, NULL, 0, "empty"), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_add(ds, 7, "x", 1, NULL), SPAMLR_EINVAL);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 3);
    ck_assert_str_eq(spamlr_dataset_name(ds, 2), "empty");
    spamlr_dataset_free(ds);
    spamlr_dataset_free(NULL);
}
END_TEST

START_TEST(mbox_and_maildir)
{
    char dir[64], p[256];
    spamlr_dataset *ds = new_ds();
    spamlr_diag d = SPAMLR_DIAG_INIT;
    const char *mbox =
        "From alice@example.com Mon Jan  6 10:00:00 2025\n"
        "Subject: first\n\nhello\n>From here on, a quoted From line\n\n"
        "From the desk of nobody: this line is body text, not a separator\n"
        "From bob@example.com Tue Feb  4 11:00:00 2025\n"
        "Subject: =?UTF-8?B?5Lit5aWW?=\n\nsecond\n"
        "From carol@example.com Wed Mar  5 12:00:00 2025\n"
        "Subject: third\n\n>>From a twice quoted line\nbye\n";

    tu_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/box.mbox", dir);
    tu_write(p, mbox, strlen(mbox));
    ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_SPAM, p, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 3);
    {
        char want[300];
        snprintf(want, sizeof want, "%s:1", p);
        ck_assert_str_eq(spamlr_dataset_name(ds, 0), want);
        snprintf(want, sizeof want, "%s:8", p); /* the second From_ line */
        ck_assert_str_eq(spamlr_dataset_name(ds, 1), want);
        snprintf(want, sizeof want, "%s:12", p); /* after a message read in place */
        ck_assert_str_eq(spamlr_dataset_name(ds, 2), want);
    }
    /* a maildir: cur/ and new/ are read, tmp/ is not */
    snprintf(p, sizeof p, "%s/md", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/md/cur", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/md/new", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/md/tmp", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/md/cur/1.host:2,S", dir);
    tu_write(p, "Subject: a\n\nx\n", 15);
    snprintf(p, sizeof p, "%s/md/new/2.host", dir);
    tu_write(p, "Subject: b\n\ny\n", 15);
    snprintf(p, sizeof p, "%s/md/tmp/3.host", dir);
    tu_write(p, "Subject: c\n\nz\n", 15);
    snprintf(p, sizeof p, "%s/md", dir);
    ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_HAM, p, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 5);
    ck_assert_uint_eq(spamlr_dataset_count(ds, SPAMLR_HAM), 2);
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

START_TEST(mail_is_decoded)
{
    /* with mime (the default) a base64 body and an encoded Subject become
     * words; without it they are opaque */
    const char *mail = "Subject: =?UTF-8?B?5oGt5Zac5oKo5Lit5aWW?=\n"
                       "Content-Type: text/plain; charset=utf-8\n"
                       "Content-Transfer-Encoding: base64\n\n"
                       "5YWN6LS55Luj5byA5Y+R56Wo\n";
    spamlr_dataset *ds = new_ds(), *raw = NULL;
    spamlr_text_opts o;
    spamlr_model *m = NULL;
    float w;

    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, mail, strlen(mail), NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, "Subject: hi\n\nlunch?", 20, NULL), 0);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), 0);
    ck_assert_int_eq(spamlr_model_weight(m, "subject:中奖", &w), SPAMLR_OK);
    ck_assert(w > 0);
    ck_assert_int_eq(spamlr_model_weight(m, "发票", &w), SPAMLR_OK); /* body: 免费代开发票 */
    ck_assert_int_eq(spamlr_model_weight(m, "5ywn6ls55luj5bya5y", &w), SPAMLR_ENOTFOUND);
    spamlr_model_free(m);
    spamlr_text_opts_init(&o);
    o.mime = 0;
    ck_assert_int_eq(spamlr_dataset_create(&raw, &o), 0);
    ck_assert_int_eq(spamlr_dataset_add(raw, SPAMLR_SPAM, mail, strlen(mail), NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(raw, SPAMLR_HAM, "lunch?", 6, NULL), 0);
    ck_assert_int_eq(spamlr_train(&m, raw, NULL, NULL, NULL), 0);
    ck_assert_int_eq(spamlr_model_weight(m, "发票", &w), SPAMLR_ENOTFOUND);
    spamlr_model_free(m);
    spamlr_dataset_free(raw);
    spamlr_dataset_free(ds);
}
END_TEST

START_TEST(header_fields_are_configurable)
{
    const char *mail = "From: Prize Team <win@lucky.example>\nSubject: claim now\n"
                       "List-Id: <deals.lucky.example>\n\nhello\n";
    spamlr_text_opts o;
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL;
    unsigned bits;
    float w;

    ck_assert_int_eq(spamlr_header_fields_parse("subject, List-Id", &bits), SPAMLR_OK);
    ck_assert_uint_eq(bits, SPAMLR_HDR_SUBJECT | SPAMLR_HDR_LIST_ID);
    ck_assert_int_eq(spamlr_header_fields_parse("default,received", &bits), SPAMLR_OK);
    ck_assert_uint_eq(bits, SPAMLR_HDR_DEFAULT | SPAMLR_HDR_RECEIVED);
    ck_assert_int_eq(spamlr_header_fields_parse("none", &bits), SPAMLR_OK);
    ck_assert_uint_eq(bits, 0);
    /* "all" is every Received field too (the 0.3 default); the default
     * keeps the two earliest */
    ck_assert_int_eq(spamlr_header_fields_parse("all", &bits), SPAMLR_OK);
    ck_assert_uint_eq(bits, SPAMLR_HDR_ALL);
    ck_assert_uint_eq(bits & SPAMLR_HDR_RECEIVED_ORIGIN, 0);
    ck_assert_int_eq(spamlr_header_fields_parse("all,received-origin", &bits), SPAMLR_OK);
    ck_assert_uint_eq(bits, SPAMLR_HDR_DEFAULT);
    ck_assert_int_eq(spamlr_header_fields_parse("subject,x-spam-status", &bits), SPAMLR_EINVAL);

    spamlr_text_opts_init(&o);
    ck_assert_uint_eq(o.header_fields, SPAMLR_HDR_DEFAULT);
    o.header_fields = SPAMLR_HDR_SUBJECT | SPAMLR_HDR_LIST_ID;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &o), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, mail, strlen(mail), NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, "Subject: lunch\n\nok", 19, NULL), 0);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), 0);
    ck_assert_int_eq(spamlr_model_weight(m, "subject:claim", &w), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_weight(m, "list-id:deals", &w), SPAMLR_OK);
    /* From is not in the set: neither its name nor its domain */
    ck_assert_int_eq(spamlr_model_weight(m, "from:@lucky.example", &w), SPAMLR_ENOTFOUND);
    ck_assert_int_eq(spamlr_model_weight(m, "from:prize", &w), SPAMLR_ENOTFOUND);
    {
        /* the set travels with the model, so prediction reads mail the same way */
        unsigned char *buf = NULL;
        size_t size;
        spamlr_model *l = NULL;
        spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
        ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
        ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), 0);
        spamlr_model_info_get(l, &info);
        ck_assert_uint_eq(info.text.header_fields, SPAMLR_HDR_SUBJECT | SPAMLR_HDR_LIST_ID);
        spamlr_model_free(l);
        free(buf);
    }
    o.header_fields = 1u << 20;
    spamlr_dataset_free(ds);
    ds = NULL;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &o), SPAMLR_EINVAL);
    spamlr_model_free(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *t = tcase_create("readers");
    tcase_add_test(t, tsv_labels_and_names);
    tcase_add_test(t, tsv_errors_name_the_line);
    tcase_add_test(t, csv_quotes_and_header);
    tcase_add_test(t, gzip_reads_the_same);
    tcase_add_test(t, whole_files_read_exactly);
    tcase_add_test(t, gzip_as_gzread_reads_it);
    tcase_add_test(t, directory_entries_by_type);
    tcase_add_test(t, dirs_and_index);
    tcase_add_test(t, bom_and_one_rule_for_every_line);
    tcase_add_test(t, hostile_bytes);
    tcase_add_test(t, parallel_reading_is_exact);
    tcase_add_test(t, cold_files_read_ahead);
    tcase_add_test(t, read_paths_is_read_path_in_turn);
    tcase_add_test(t, kept_to_model_words);
    tcase_add_test(t, kept_words_are_shared);
    tcase_add_test(t, rows_sorted_at_every_id_size);
    tcase_add_test(t, mbox_and_maildir);
    tcase_add_test(t, mail_is_decoded);
    tcase_add_test(t, header_fields_are_configurable);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
