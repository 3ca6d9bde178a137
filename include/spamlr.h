/*
 * spamlr.h - the public API of libspamlr, a logistic-regression spam filter
 * whose parameters (one weight per word) can be seen, counted and explained.
 *
 * This header is the whole public API and its reference documentation.
 *
 * Conventions
 *   - Every name starts with spamlr_ / SPAMLR_.
 *   - Functions that can fail return int: SPAMLR_OK (0) on success or a
 *     negative SPAMLR_E* code.
 *   - Parameter order: a function that makes an object (a model, a
 *     dataset, a scratch, a lock, a buffer) returns it through its first
 *     parameter, `**out`; every other function takes the object it works
 *     on first, then its inputs, then its outputs (spamlr_predict: model,
 *     scratch, text, then the probability and the score; a caller's buffer
 *     is followed by its capacity), and the optional spamlr_diag last of
 *     all. (Until 0.3 this said "outputs
 *     first", which most functions did not do; 0.3 moved the three that
 *     did, spamlr_predict_label, spamlr_metrics_compute and
 *     spamlr_threshold_for_fpr, to the common order.) Whatever is
 *     returned through a `**out` parameter belongs to the caller and is
 *     released with the matching *_free() function; a plain buffer
 *     (bytes, a string) with spamlr_free(). Every *_free() accepts
 *     NULL.
 *   - The library never prints and never exits. Where a failure deserves more
 *     than a code (which file, which line, which byte), functions take an
 *     optional caller-owned `spamlr_diag *` and fill it in; pass NULL when
 *     the detail is not wanted. There is no global or thread-local error
 *     state.
 *   - Option structs are initialised with the matching *_init() function and
 *     carry a version field and reserved space, so they can grow without
 *     breaking the ABI. Output structs the caller allocates for the
 *     library to fill start with `size_t size`, set by their *_INIT macro
 *     (see spamlr_diag), for the same reason.
 *
 * Threads
 *   - A spamlr_model is read-only after it is trained or loaded, and may be
 *     shared by any number of threads that call the spamlr_model_* query and
 *     spamlr_predict* functions at the same time. Functions that change a
 *     model (spamlr_model_free, spamlr_model_set_weight_bits,
 *     spamlr_model_set_layout, spamlr_model_set_threshold,
 *     spamlr_model_online_setup,
 *     spamlr_model_learn*) must not run concurrently with any other call
 *     on it.
 *   - spamlr_train, spamlr_model_load*, spamlr_model_save* and
 *     spamlr_model_create may run in many threads at once on different
 *     objects (spamlr_model_save only reads the model: it may run beside
 *     predictions).
 *   - A spamlr_scratch belongs to one thread at a time.
 *   - A spamlr_dataset belongs to one caller; it is not thread-safe.
 *   - Free functions (spamlr_strerror, spamlr_metrics_compute, ...) are
 *     thread-safe.
 *
 * Licence: MIT, see LICENSE.
 */
#ifndef SPAMLR_H
#define SPAMLR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

#define SPAMLR_VERSION_MAJOR 0
#define SPAMLR_VERSION_MINOR 3
#define SPAMLR_VERSION_PATCH 0
#define SPAMLR_VERSION_NUMBER \
    (SPAMLR_VERSION_MAJOR * 10000 + SPAMLR_VERSION_MINOR * 100 + SPAMLR_VERSION_PATCH)
#define SPAMLR__STR2(x) #x
#define SPAMLR__STR(x) SPAMLR__STR2(x)
#define SPAMLR_VERSION_STRING \
    SPAMLR__STR(SPAMLR_VERSION_MAJOR) "." SPAMLR__STR(SPAMLR_VERSION_MINOR) "." \
    SPAMLR__STR(SPAMLR_VERSION_PATCH)

#if defined(_WIN32)
#  define SPAMLR_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SPAMLR_API __attribute__((visibility("default")))
#else
#  define SPAMLR_API
#endif

/* The version of the library that is linked (compare with the macro to
 * detect a header/library mismatch). Thread-safe. */
SPAMLR_API unsigned spamlr_version_number(void);
SPAMLR_API const char *spamlr_version_string(void);

/* Name of the vector-kernel implementation in use ("scalar", "sse2",
 * "avx2"). It is chosen once, on first use, from the CPU's features; the
 * environment variable SPAMLR_SIMD=scalar|sse2|avx2 forces one (an unknown
 * or unsupported name falls back to the best supported one). Thread-safe. */
SPAMLR_API const char *spamlr_simd_name(void);

/* ----------------------------------------------------------------- errors */

enum {
    SPAMLR_OK = 0,
    SPAMLR_ENOMEM = -1,       /* out of memory */
    SPAMLR_EINVAL = -2,       /* invalid argument or option */
    SPAMLR_EIO = -3,          /* a file could not be opened, read or written */
    SPAMLR_EPARSE = -4,       /* malformed input data (see the diag) */
    SPAMLR_EMAGIC = -5,       /* not a spamlr model file */
    SPAMLR_EVERSION = -6,     /* model file from a newer format version */
    SPAMLR_ECRC = -7,         /* model file checksum mismatch */
    SPAMLR_ETRUNC = -8,       /* model file shorter than its sizes say */
    SPAMLR_ESIZE = -9,        /* impossible size or count in a model file */
    SPAMLR_ECORRUPT = -10,    /* model file content inconsistent */
    SPAMLR_EEMPTY = -11,      /* no examples to train or evaluate on */
    SPAMLR_EONECLASS = -12,   /* training data holds only one class */
    SPAMLR_ENOTFOUND = -13,   /* word not in the vocabulary; message never
                                 learned (spamlr_model_learn_ex) */
    SPAMLR_ELIMIT = -14,      /* a documented limit was exceeded */
    SPAMLR_ENOCONVERGE = -15, /* solver stopped at max_iter before tolerance */
    SPAMLR_EUNSUPPORTED = -16, /* feature not available in this build */
    SPAMLR_ECANCELED = -17    /* the caller's progress function asked to
                                 stop (0.3) */
};

/* Releases a plain buffer the library allocated and handed to the caller:
 * the *out of spamlr_read_file, spamlr_model_save_buffer,
 * spamlr_model_save_path and spamlr_model_dump (every other object has
 * its own *_free). NULL is allowed. Use it rather than free(): a program
 * whose C library or allocator differs from the library's (a static
 * runtime, a debugging malloc, another DLL on Windows) must give the
 * buffer back to the allocator that made it. (free() worked before 0.3
 * and still does where both share one C library.) Thread-safe. */
SPAMLR_API void spamlr_free(void *p);

/* A static English message for an error code; never NULL. Thread-safe. */
SPAMLR_API const char *spamlr_strerror(int err);

/* Output structs the caller allocates (spamlr_diag, spamlr_model_info,
 * spamlr_train_report, spamlr_explanation, spamlr_metrics) start with
 * `size_t size`: the sizeof the struct had in the header the program was
 * built with. Set it with the struct's *_INIT macro (or to sizeof the
 * struct) before passing it. The library writes only the fields that fit
 * in `size` (so a struct may gain fields at its end in a later version
 * without breaking programs built before), never changes `size`, and
 * refuses a size smaller than the struct's first sized layout (0.3) with
 * SPAMLR_EINVAL, writing nothing into it. */

/* Detail for a failure: what went wrong and where. Filled in by functions
 * that take a `spamlr_diag *` (when it is not NULL) on failure; on success
 * it is cleared (code 0, empty message), except where a function says it
 * leaves a warning there (code 0, a message: spamlr_model_save,
 * spamlr_train with keep_unconverged). `line` is 1-based, 0 when no line
 * applies; `offset` is a byte offset, -1 when none applies. Functions
 * without a diag parameter never touch one. Declare it with
 * SPAMLR_DIAG_INIT (`spamlr_diag d = SPAMLR_DIAG_INIT;`); a diag whose
 * size is too small (a zeroed one, as 0.2 allowed) makes the function
 * return SPAMLR_EINVAL before doing anything. */
typedef struct spamlr_diag {
    size_t size;            /* sizeof(spamlr_diag), see above */
    int code;               /* the SPAMLR_E* code returned */
    long line;              /* 1-based line number, or 0 */
    long long offset;       /* byte offset, or -1 */
    char path[512];         /* file concerned, or "" */
    char message[512];      /* "what was wrong", without the file name */
} spamlr_diag;

/* The initialiser of an empty spamlr_diag: its size, no code, no line, no
 * offset. */
#define SPAMLR_DIAG_INIT { sizeof(spamlr_diag), 0, 0, -1, "", "" }

/* The initialisers of the other output structs: the size, the rest 0. */
#ifdef __cplusplus
#  define SPAMLR__SIZED_INIT(T) { sizeof(T) }
#else
#  define SPAMLR__SIZED_INIT(T) { .size = sizeof(T) }
#endif
#define SPAMLR_MODEL_INFO_INIT SPAMLR__SIZED_INIT(spamlr_model_info)
#define SPAMLR_TRAIN_REPORT_INIT SPAMLR__SIZED_INIT(spamlr_train_report)
#define SPAMLR_EXPLANATION_INIT SPAMLR__SIZED_INIT(spamlr_explanation)
#define SPAMLR_METRICS_INIT SPAMLR__SIZED_INIT(spamlr_metrics)

/* Formats a diag as "path:line: message" (parts that are unset are left
 * out) into buf, always NUL-terminated. Returns buf. Thread-safe. */
SPAMLR_API char *spamlr_diag_format(const spamlr_diag *d, char *buf, size_t size);

/* ------------------------------------------------------------- tokenizer */

/* The version of the option structs (spamlr_text_opts, spamlr_train_opts,
 * spamlr_online_opts) this header describes. The *_init() functions set
 * it; a struct of an older version (from a program built against an
 * older header) is accepted, the fields it did not have taking their
 * defaults; 0 or a newer version than the library knows is SPAMLR_EINVAL.
 *   1: 0.1.
 *   2: 0.2: spamlr_train_opts.progress, progress_ctx and keep_unconverged
 *      (in 0.1's reserved space); with version 1, spamlr_train returns the
 *      model with SPAMLR_ENOCONVERGE as 0.1 did. */
#define SPAMLR_OPTS_VERSION 2

/* Feature weighting of token counts in a row. */
typedef enum {
    SPAMLR_FEAT_BINARY = 0, /* 1 if the token occurs (default) */
    SPAMLR_FEAT_LOGTF = 1,  /* 1 + log(count) */
    SPAMLR_FEAT_TFIDF = 2   /* (1 + log(count)) * idf, idf = log((1+n)/(1+df)) + 1 */
} spamlr_features;

/* How code points are folded before they form words (spamlr_text_opts.fold). */
typedef enum {
    /* the 0.1 tables: full-width ASCII, mathematical and enclosed Latin
     * letters and other scripts' digits to ASCII, then one-to-one
     * lower-casing */
    SPAMLR_FOLD_SIMPLE = 0,
    /* full compatibility normalisation with case folding (Unicode
     * NFKC_Casefold, through libutf8proc; "İ" is "i" and "™" "℠" are
     * separators), so that "𝔽𝕣𝕖𝕖 ℂ𝕒𝕤𝕙", "ﬁnance", "ｶﾀｶﾅ" and a decomposed
     * "café" give the words of their plain spelling; then, in a word
     * holding Latin letters whose other letters are all Cyrillic or Greek
     * look-alikes of Latin ones, those are written in Latin ("Рaypal" ->
     * "paypal"; "привет" and even "сосо" stay as they are) */
    SPAMLR_FOLD_NFKC = 1
} spamlr_fold;

/* Header fields that give tokens when e-mail is decoded (`mime` = 1), as a
 * bit set in spamlr_text_opts.header_fields. Values are tokenised and
 * prefixed with the field name ("subject:free", "x-mailer:outlook");
 * From and Reply-To also give their address domain ("from:@example.com"),
 * To and Cc a bucketed address count ("to:count:2-5"), Content-Type the
 * MIME structure (content-type:, part:, charset:, attach:, filename:).
 * Verdict fields that other filters add (X-Spam-*, X-Bogosity, ...) never
 * give tokens, and no field gives a token for its mere presence. */
enum {
    SPAMLR_HDR_SUBJECT = 1u << 0,
    SPAMLR_HDR_FROM = 1u << 1,
    SPAMLR_HDR_REPLY_TO = 1u << 2,
    SPAMLR_HDR_TO = 1u << 3,
    SPAMLR_HDR_CC = 1u << 4,
    SPAMLR_HDR_CONTENT_TYPE = 1u << 5,
    SPAMLR_HDR_X_MAILER = 1u << 6,
    SPAMLR_HDR_USER_AGENT = 1u << 7,
    SPAMLR_HDR_ORGANIZATION = 1u << 8,
    SPAMLR_HDR_LIST_ID = 1u << 9,
    SPAMLR_HDR_RECEIVED = 1u << 10,
    SPAMLR_HDR_MESSAGE_ID = 1u << 11,
    /* every other field (tokens prefixed by its lower-case name), except
     * the deny-list: what another filter said, what the receiving side
     * concluded, or how a mail store or client kept the message, not what
     * the sender sent: X-Spam-*, X-Bogosity, X-DSPAM-*, X-Virus-*,
     * X-CRM114-*, X-Bayes*, X-MailScanner*, X-Rspamd*, X-Amavis*, X-Razor*,
     * X-Pyzor*, X-Barracuda*, X-Proofpoint*, X-IronPort*,
     * X-Microsoft-Antispam*, X-Forefront-Antispam*,
     * X-MS-Exchange-Organization-*, X-Antispam*, X-Antivirus*, X-Policyd*,
     * X-Greylist*, X-Quarantine*, X-Junk*, X-GMX-Antispam*, X-Yandex-Spam*,
     * X-Sophos*, X-Sieve*, Authentication-Results,
     * ARC-Authentication-Results, Received-SPF, X-SPF, X-Scanned-By,
     * X-Scanner; X-Keywords, X-UID, Status, X-Status, X-Mozilla-*,
     * X-Evolution*, X-IMAP*, X-GM-*, X-Gmail-*, X-Account-Key, X-VM-*,
     * X-MH-*, X-Folder*, X-Label(s), X-TUID, X-Mailbox, Content-Length,
     * Lines, Delivery-Date, Delivered-To, X-Original-To, Envelope-To,
     * X-Envelope-*, X-Apparently-To, X-Loop, X-Original-Date */
    SPAMLR_HDR_OTHER = 1u << 12,
    /* field-aware tokens where a field has structure: Received (the host
     * after "from" and its parent domains, IPv4 /24 and /16, IPv6 first
     * two groups, the shape of its clauses), Message-ID (domain, the shape
     * of the local part), Date (zone, shape), From, Reply-To, Sender,
     * Return-Path (address domain and its parents; whether From and
     * Reply-To domains differ), To/Cc (undisclosed recipients),
     * Content-Type (charset, boundary shape), X-Mailer/User-Agent
     * (product name and major version) */
    SPAMLR_HDR_FIELD_AWARE = 1u << 13,
    /* every field, every Received field, field-aware (the default before
     * 0.4) */
    SPAMLR_HDR_ALL = (1u << 14) - 1,
    /* Received gives tokens for its two earliest fields only (the last two
     * of the header): the hops nearest the sender, not those the receiving
     * side added on the way in, which a corpus gathered from several
     * mailboxes turns into the label (its collectors' relays, addresses
     * and dates; README, "Spam filtering quality") */
    SPAMLR_HDR_RECEIVED_ORIGIN = 1u << 14,
    /* the default: every field but the deny-list, field-aware, Received
     * from its two earliest fields (see the README: on the SpamAssassin
     * split the other fields cost 0.004 of (1-AUC)% one way and gained
     * 0.013 with train and test swapped, and on a chronological stream all
     * fields took it from 0.13 to 0.02; the earliest Received fields alone
     * took the SpamAssassin mails split by date from 0.360 to 0.028 and by
     * source from 1.139 to 0.986); before 0.4 the default was
     * SPAMLR_HDR_ALL, before 0.2 Subject, From, Reply-To, To, Cc,
     * Content-Type and X-Mailer, SPAMLR_HDR_V01 */
    SPAMLR_HDR_DEFAULT = SPAMLR_HDR_ALL | SPAMLR_HDR_RECEIVED_ORIGIN,
    SPAMLR_HDR_V01 = (1u << 7) - 1
};

/* Parses a comma- or space-separated list of field names (case-insensitive:
 * subject, from, reply-to, to, cc, content-type, x-mailer, user-agent,
 * organization, list-id, received, message-id, other, field-aware,
 * received-origin; "default", "all" (every Received field too: the 0.3
 * default), "v0.1" (the 0.1 default) and "none" too) into a
 * SPAMLR_HDR_* bit set. Returns SPAMLR_EINVAL for an unknown
 * name. Thread-safe. */
SPAMLR_API int spamlr_header_fields_parse(const char *list, unsigned *out);

/* How text becomes tokens and tokens become feature values. The settings
 * are stored in the model so that prediction tokenises exactly as training
 * did. Initialise with spamlr_text_opts_init(). */
/* The largest max_token_len (bytes); a larger one is SPAMLR_EINVAL. */
#define SPAMLR_MAX_TOKEN_LEN 1024u

typedef struct spamlr_text_opts {
    unsigned version;       /* SPAMLR_OPTS_VERSION */
    unsigned ngrams;        /* 1 = words; 2 = words + word bigrams. Default 1 */
    unsigned max_token_len; /* longer tokens are dropped (bytes). Default 40,
                               at most SPAMLR_MAX_TOKEN_LEN */
    unsigned number_fold;   /* digit runs of >= this length become the shape
                               token "#nN" (N = length); 0 = never. Default 5 */
    unsigned cjk_bigrams;   /* 1 = Han/Kana/Hangul runs give unigrams and
                               bigrams; 0 = unigrams only. Default 1 */
    unsigned features;      /* spamlr_features. Default SPAMLR_FEAT_TFIDF
                               (measured best on both corpora we have) */
    unsigned normalize;     /* 1 = rows scaled to unit L2 norm. Default 1 */
    unsigned mime;          /* 1 = a message (a file, spamlr_dataset_add,
                               spamlr_predict) is parsed as RFC 5322 e-mail:
                               headers, MIME parts, transfer encodings and
                               charsets decoded, HTML turned into text, and
                               header tokens such as "subject:free" added.
                               Text without a header is read as a body, and
                               so is text whose first line only looks like
                               a field: a header block is one with a field
                               mail uses (From, Subject, Received, X-...)
                               or two fields or more ended by a blank line,
                               so "Reminder: claim your prize" keeps its
                               words (the SpamAssassin corpus reads the same
                               either way).
                               The text column of TSV/CSV lines is always
                               plain text. 0 = every message is plain
                               text. Default 1 */
    unsigned header_fields; /* SPAMLR_HDR_* bits: the header fields that
                               give tokens when mime = 1. Default
                               SPAMLR_HDR_DEFAULT */
    unsigned fold;          /* spamlr_fold: how code points are folded
                               before words are formed. Default
                               SPAMLR_FOLD_NFKC: it closes the gaps
                               spammers used and measured no worse on
                               the SpamAssassin and SMS splits; a model
                               with it is format version 2, which 0.1
                               cannot read. SPAMLR_FOLD_SIMPLE gives the
                               0.1 tokens */
    unsigned subwords;      /* 0 = words only; N (3..6) = each word of more
                               than N characters also gives its character
                               N-grams, with '<' and '>' marking the word's
                               ends, as tokens "cN:<gram>" ("c4:<rol",
                               "c4:role", "c4:olex", "c4:lex>"), so an unseen
                               spelling ("r0lex", "v1agra") still scores by
                               its pieces. Default 0 */
    unsigned idf_power;     /* tf-idf: a word's idf is raised to this power
                               (1..4) before rows are scaled to unit length,
                               so rare, specific words weigh more against
                               common ones. 0 = the default, 2: it measured
                               better than 1 on every split we have
                               (SpamAssassin, SpamAssassin swapped, SMS,
                               and one SpamAssassin source against the
                               other; README). Models from before the
                               field read as 1. Prediction uses the idf
                               values stored in the model, so this is a
                               training setting that the model records */
    unsigned reserved[4];
} spamlr_text_opts;

SPAMLR_API void spamlr_text_opts_init(spamlr_text_opts *o);

/* Called once per token. `tok` is UTF-8, not NUL-terminated, valid only
 * during the call. Return 0 to continue, non-zero to stop tokenising. */
typedef int (*spamlr_token_fn)(void *ctx, const char *tok, size_t len);

/* Tokenises `len` bytes of `text` (any bytes: invalid UTF-8 and NULs are
 * skipped, never read past len) and calls fn for every token, in order.
 * Allocates nothing. Returns SPAMLR_OK, or SPAMLR_EINVAL for bad options.
 * Thread-safe. */
SPAMLR_API int spamlr_tokenize(const spamlr_text_opts *o, const char *text,
                               size_t len, spamlr_token_fn fn, void *ctx);

/* --------------------------------------------------------------- contacts */

/* A contact list: the addresses and domains a user knows. When one is in
 * effect (spamlr_dataset_set_contacts, spamlr_model_set_contacts), the
 * e-mail parser (`mime` = 1) gives every message one token saying how its
 * sender (the address of the first From field) relates to the list:
 *   sender:contact         the address is listed
 *   sender:contact-domain  it is not, but its domain is listed as
 *                          "@domain" (or a parent domain is), or is the
 *                          domain of a listed address
 *   sender:unknown         neither, or the message has no From address
 * and, when the message has a Reply-To address that is not the From
 * address and not listed, "reply-to:not-contact" (the reply goes to a
 * stranger: a known sender's name forged). They are learned like every
 * other word: spamlr_model_weight(m, "sender:unknown", &w) says what "not
 * in the contact list" is worth. Without a list no such token is given.
 *
 * Addresses are compared after normalisation: ASCII lower-cased (the
 * local part too: nearly every mail system treats it so), a "+tag" of the
 * local part removed (user+lists@x is user@x's mailbox), dots kept (only
 * some providers ignore them; elsewhere first.last and firstlast are two
 * people), a final dot of the domain removed. A list is built by one
 * caller (not thread-safe while it changes); once built it is read-only
 * and may be matched by any number of threads. */
typedef struct spamlr_contacts spamlr_contacts;
struct spamlr_dataset;
struct spamlr_model;

/* What spamlr_contacts_match finds. */
enum {
    SPAMLR_CONTACT_NONE = 0,    /* not known */
    SPAMLR_CONTACT_DOMAIN = 1,  /* its domain is known */
    SPAMLR_CONTACT_ADDRESS = 2  /* the address is listed */
};

/* An empty list in *out (free with spamlr_contacts_free, which accepts
 * NULL). SPAMLR_OK or SPAMLR_ENOMEM. */
SPAMLR_API int spamlr_contacts_create(spamlr_contacts **out);
SPAMLR_API void spamlr_contacts_free(spamlr_contacts *c);

/* Adds one entry, s[0..len): an address ("Ann <ann@example.org>",
 * "mailto:ann@example.org" and "ann@example.org" alike) or a whole domain
 * with its subdomains ("@example.org"). An entry already listed is not
 * added twice. SPAMLR_OK, SPAMLR_EINVAL (not an address or domain, see
 * the normalisation above), SPAMLR_ENOMEM. */
SPAMLR_API int spamlr_contacts_add(spamlr_contacts *c, const char *s, size_t len);

/* Adds the entries of a contact file's text[0..len) (`name` names it in
 * the diag; may be NULL). A vCard file (its first line BEGIN:VCARD) gives
 * the value of every EMAIL property (folded lines unfolded, several EMAIL
 * lines per card, ENCODING=QUOTED-PRINTABLE decoded, "item1.EMAIL"
 * groups; a blank EMAIL is skipped); any other text is a plain list: one address or "@domain" a
 * line, blank lines and lines starting with '#' ignored, a '#' after
 * blanks starting a comment. SPAMLR_EPARSE on the first line that is
 * neither (diag: name, its line number, what was wrong; entries before it
 * are kept), SPAMLR_ENOMEM. spamlr_contacts_read reads the file `path`
 * (at most 64 MiB) the same way (SPAMLR_EIO when it cannot be read). */
SPAMLR_API int spamlr_contacts_parse(spamlr_contacts *c, const char *text, size_t len,
                                     const char *name, spamlr_diag *diag);
SPAMLR_API int spamlr_contacts_read(spamlr_contacts *c, const char *path, spamlr_diag *diag);

/* Number of entries, and entry i (normalised, "a@b" or "@b", sorted;
 * NULL when i is out of range; valid until the list changes). */
SPAMLR_API size_t spamlr_contacts_count(const spamlr_contacts *c);
SPAMLR_API const char *spamlr_contacts_entry(const spamlr_contacts *c, size_t i);

/* How the address addr[0..len) relates to the list: SPAMLR_CONTACT_*
 * (NONE too when c is NULL or addr is no address). Thread-safe. */
SPAMLR_API int spamlr_contacts_match(const spamlr_contacts *c, const char *addr, size_t len);

/* Called with each address found; `addr` is normalised, NUL-terminated,
 * valid during the call. Return non-zero to stop. */
typedef int (*spamlr_address_fn)(void *ctx, const char *addr, size_t len);

/* Which fields spamlr_mail_addresses reads. */
enum {
    SPAMLR_ADDR_FROM = 1u << 0,     /* From */
    SPAMLR_ADDR_TO = 1u << 1,       /* To and Cc */
    SPAMLR_ADDR_REPLY_TO = 1u << 2  /* Reply-To */
};

/* Calls fn for every address in the top-level header fields `fields`
 * (SPAMLR_ADDR_* bits) of the e-mail msg[0..len), in header order
 * (undecodable ones skipped): what building a contact list from sent mail
 * and ham needs. Returns SPAMLR_OK (also when fn stopped it),
 * SPAMLR_EINVAL, SPAMLR_ENOMEM. Thread-safe. */
SPAMLR_API int spamlr_mail_addresses(const char *msg, size_t len, unsigned fields,
                                     spamlr_address_fn fn, void *ctx);

/* Adds the addresses of the fields `fields` (SPAMLR_ADDR_* bits) of every
 * message under `path` (a file holding one message, an mbox, a directory
 * or maildir, as spamlr_dataset_read_path reads them; gzip too). With
 * only_from not NULL, only messages whose From address is listed in
 * only_from as an address count: the user's own mail, when only_from
 * holds the user's addresses. Returns SPAMLR_OK or the reading error
 * (diag names the file). Not thread-safe on c. */
SPAMLR_API int spamlr_contacts_add_path(spamlr_contacts *c, const char *path, unsigned fields,
                                        const spamlr_contacts *only_from, spamlr_diag *diag);

/* The contact list the e-mail parser of a dataset (for rows read after
 * the call) or of a model (every prediction, explanation and online
 * update) uses: a copy of c is kept (NULL removes the list). spamlr_train
 * stores the dataset's list in the model it makes, so a model predicts
 * with the list it was trained with; the model file keeps it (an optional
 * "ctct" section, which readers before 0.3 skip: they then give no
 * sender: tokens). A list does not change the text options. Returns
 * SPAMLR_OK, SPAMLR_EINVAL (ds or m NULL), SPAMLR_ENOMEM (nothing
 * changed). Not to be called while other threads use ds or m.
 * spamlr_model_contacts gives the model's list (NULL: none), valid until
 * it is changed or the model freed. */
SPAMLR_API int spamlr_dataset_set_contacts(struct spamlr_dataset *ds, const spamlr_contacts *c);
SPAMLR_API int spamlr_model_set_contacts(struct spamlr_model *m, const spamlr_contacts *c);
SPAMLR_API const spamlr_contacts *spamlr_model_contacts(const struct spamlr_model *m);

/* --------------------------------------------------------------- dataset */

/* A set of labelled (or unlabelled) messages, already tokenised: each row
 * holds the ids and counts of its tokens in the dataset's own vocabulary.
 * Readers append to it. Not thread-safe. */
typedef struct spamlr_dataset spamlr_dataset;

#define SPAMLR_HAM 0
#define SPAMLR_SPAM 1
#define SPAMLR_UNLABELLED (-1)

/* Creates an empty dataset that tokenises with the given options (NULL =
 * defaults). */
SPAMLR_API int spamlr_dataset_create(spamlr_dataset **out, const spamlr_text_opts *o);
SPAMLR_API void spamlr_dataset_free(spamlr_dataset *ds);

/* Appends one message of `len` bytes (read as e-mail or plain text as the
 * dataset's `mime` option says). label is SPAMLR_SPAM, SPAMLR_HAM or
 * SPAMLR_UNLABELLED; `name` (may be NULL) identifies the row in output
 * (a path, "file:line"); it is copied. */
SPAMLR_API int spamlr_dataset_add(spamlr_dataset *ds, int label, const char *text,
                                  size_t len, const char *name);

/* Readers. Every file may be gzip-compressed; the path "-" is standard
 * input. A UTF-8 byte order mark (EF BB BF) at the start of a lines, CSV,
 * index or libsvm file is skipped. On failure `diag` (may be NULL) names
 * the file, line and problem; rows read before the failure stay in the
 * dataset.
 *
 * read_lines: lines `label<TAB>text`, labels spam/ham or 1/0; a path ending
 *   in .csv (or .csv.gz) is read as CSV (RFC 4180 quoting, label in the
 *   first column, text in the second). Empty lines are skipped; a line
 *   without a label or with an unknown label is an SPAMLR_EPARSE error,
 *   on every line alike, except a CSV header: a first record whose label
 *   field is label, class, category, type, target or v1 (any case) is
 *   skipped.
 * read_path: `path` is a file holding one message, an mbox file (it starts
 *   with a "From sender Day Mon ..." line; messages are split at such lines
 *   and ">From " is unescaped), or a directory whose regular files
 *   (recursively, in name order, dot-files skipped) are each one message or
 *   mbox; in a maildir (a directory with cur/ and new/) tmp/ is skipped.
 *   All get `label` (SPAMLR_UNLABELLED allowed). Rows are named by path, or
 *   "path:line" for the messages of an mbox holding several.
 * read_index: lines `spam PATH` or `ham PATH`, PATH relative to the
 *   directory of the index file (absolute paths are used as they are);
 *   blank lines and lines starting with '#' are skipped.
 * read_paths (0.3): the n paths, each as read_path reads it, with
 *   labels[i] (labels NULL: all SPAMLR_UNLABELLED), in that order: the
 *   dataset read_path would make one by one, but read as an index is, on
 *   the dataset's threads (spamlr_dataset_set_threads), asking the disk
 *   for files ahead (the thousands of arguments a shell glob gives need no
 *   index file). On failure diag names the path that failed; the rows of
 *   the paths before it stay. */
SPAMLR_API int spamlr_dataset_read_lines(spamlr_dataset *ds, const char *path,
                                         spamlr_diag *diag);
/* How many threads read_path (a directory) and read_index may use to read
 * many files: 0 = every core (the default), 1 = the calling thread only.
 * The dataset is the same, byte for byte, for every count: the files are
 * read in chunks and the chunks joined in order. Not thread-safe (the
 * dataset belongs to one caller). */
SPAMLR_API void spamlr_dataset_set_threads(spamlr_dataset *ds, unsigned threads);

/* Progress of long work, for a caller that shows it (the library itself
 * never prints), and the way to cancel it. The library fills a
 * spamlr_progress and passes it to the caller's function; it is valid
 * only during the call, and may gain fields at the end in later versions
 * (it is never allocated by the caller). The function is called on the
 * thread that called the library function doing the work, never at the
 * same time from two threads; it must not call back into the dataset or
 * training in progress.
 *
 * Cancelling (0.3): the function returns 0 to go on, anything else to
 * stop. The work then stops at once -- no further call of the function,
 * no further file read, C tried or solver iteration -- and the library
 * function returns SPAMLR_ECANCELED (diag says "canceled"): a reader
 * leaves the rows read before in the dataset (as after any reading
 * error; reading threads stop after the file each is reading), training
 * returns no model. A cancel asked for at a reader's last report still
 * gives SPAMLR_ECANCELED, with every row read. Before 0.3 the function
 * returned void. */
typedef enum {
    SPAMLR_PROGRESS_READ = 1,  /* a reader: after each file, mbox or
                                  1024 lines */
    SPAMLR_PROGRESS_PATH = 2,  /* SPAMLR_C_AUTO: after each C tried */
    SPAMLR_PROGRESS_FINAL = 3, /* the final solve on every message begins */
    SPAMLR_PROGRESS_ITER = 4   /* the final solve of a batch solver (TRON,
                                  L-BFGS, OWL-QN): after each outer
                                  iteration (0.3; not with MPI, whose
                                  processes must stop together) */
} spamlr_progress_stage;

typedef struct spamlr_progress {
    unsigned stage;         /* spamlr_progress_stage */
    size_t done;            /* READ: rows in the dataset so far (with
                               those read on other threads); PATH: values
                               of C tried; ITER: iterations done */
    size_t total;           /* READ: files the current directory or index
                               names, 0 when not known (one file); PATH:
                               0, the path's length is not known ahead */
    size_t files;           /* READ: of those, read so far */
    uint64_t bytes;         /* READ: bytes of input read into the dataset
                               (after decompression) */
    double c;               /* PATH: the C just tried ... (FINAL, ITER:
                               the C of the final solve) */
    double log_loss;        /* ... and its validation log loss */
    double grad_norm;       /* ITER: ||grad f(w)|| now (0.3) ... */
    double grad_goal;       /* ... and the value it must reach: tol times
                               the reference (spamlr_train_report) */
} spamlr_progress;

/* Returns 0 to go on, non-zero to cancel (see above). */
typedef int (*spamlr_progress_fn)(void *ctx, const spamlr_progress *p);

/* Calls fn(ctx, ...) as the readers of ds make progress (fn NULL: never,
 * the default); a non-zero return cancels the read in progress
 * (spamlr_dataset_read_lines, _read_path and _read_index then return
 * SPAMLR_ECANCELED). Not thread-safe (the dataset belongs to one
 * caller). */
SPAMLR_API void spamlr_dataset_set_progress(spamlr_dataset *ds, spamlr_progress_fn fn,
                                            void *ctx);
SPAMLR_API int spamlr_dataset_read_path(spamlr_dataset *ds, int label,
                                        const char *path, spamlr_diag *diag);
SPAMLR_API int spamlr_dataset_read_index(spamlr_dataset *ds, const char *path,
                                         spamlr_diag *diag);
SPAMLR_API int spamlr_dataset_read_paths(spamlr_dataset *ds, const int *labels,
                                         const char *const *paths, size_t n,
                                         spamlr_diag *diag);

/* Reads rows of explicit feature values in the libsvm format that
 * LIBLINEAR reads: one row per line, `<label> <index>:<value> ...`, label
 * +1 or 1 (spam), -1 or 0 (ham); indices positive integers in ascending
 * order; values finite numbers. Blank lines are skipped. Feature k becomes
 * the token "k" (its decimal index) of the dataset, so models, inspect and
 * predict name it so. The values are used exactly as given: the
 * dataset's feature weighting and normalisation options do not apply to
 * them (a bias is still added by training unless turned off). Such rows
 * cannot be mixed with messages in one dataset (SPAMLR_EINVAL either way).
 * The file may be gzip-compressed; "-" is standard input. On a malformed
 * line, returns SPAMLR_EPARSE with diag naming file, line and what was
 * wrong (bad label, garbage, index 0 or not ascending, non-finite value);
 * rows before it stay in the dataset. Rows are named "path:line". */
SPAMLR_API int spamlr_dataset_read_libsvm(spamlr_dataset *ds, const char *path,
                                          spamlr_diag *diag);

/* Reads one whole input file as every reader above does: gzip-compressed
 * or plain, "-" = standard input, directories refused, at most 4 GiB
 * (after decompression; the buffer never grows past the limit, so a gzip
 * bomb costs no more memory than the limit, and the compressed bytes of
 * a regular file, read whole first). The environment variable
 * SPAMLR_MAX_INPUT (a number of bytes) lowers the limit for every reader
 * (it is for tests; a larger or malformed value is ignored). *out
 * (spamlr_free() it) receives the bytes followed by a NUL, *len their
 * number. Returns SPAMLR_OK, SPAMLR_EINVAL (an argument NULL), SPAMLR_EIO
 * (cannot open or read, truncated gzip), SPAMLR_ELIMIT (too big),
 * SPAMLR_ENOMEM; diag (may be NULL) names the file. Thread-safe. */
SPAMLR_API int spamlr_read_file(const char *path, char **out, size_t *len,
                                spamlr_diag *diag);

/* Number of rows; of spam rows; of ham rows. */
SPAMLR_API size_t spamlr_dataset_rows(const spamlr_dataset *ds);
SPAMLR_API size_t spamlr_dataset_count(const spamlr_dataset *ds, int label);
/* Label of row i (SPAMLR_SPAM, SPAMLR_HAM or SPAMLR_UNLABELLED); name of
 * row i ("" when none was given), valid while the dataset lives. */
SPAMLR_API int spamlr_dataset_label(const spamlr_dataset *ds, size_t i);
SPAMLR_API const char *spamlr_dataset_name(const spamlr_dataset *ds, size_t i);
/* Number of distinct tokens seen so far. */
SPAMLR_API size_t spamlr_dataset_vocab_size(const spamlr_dataset *ds);

/* ------------------------------------------------------------------ train */

typedef enum {
    SPAMLR_SOLVER_TRON = 0,  /* trust-region Newton, as LIBLINEAR -s 0 */
    SPAMLR_SOLVER_LBFGS = 1, /* limited-memory BFGS */
    SPAMLR_SOLVER_OWLQN = 2, /* orthant-wise L-BFGS; the one for l1 > 0 */
    /* Online solvers (see "Online learning" below): `epochs` passes over
     * the labelled rows, one message at a time, in an order shuffled with
     * a fixed seed (so runs are reproducible). The model keeps their state
     * and can go on learning with spamlr_model_learn(). */
    SPAMLR_SOLVER_ADAGRAD = 16, /* AdaGrad: per-weight step eta/sqrt(sum g^2) */
    SPAMLR_SOLVER_FTRL = 17,    /* FTRL-Proximal (McMahan et al. 2013) */
    SPAMLR_SOLVER_AUTO = 255 /* default: TRON when l1 == 0, else OWL-QN */
} spamlr_solver;

/* A trained model; see "model" below. */
typedef struct spamlr_model spamlr_model;

typedef enum {
    SPAMLR_CW_NONE = 0,      /* every example weighs 1 (default) */
    SPAMLR_CW_BALANCED = 1,  /* class weight n / (2 * n_class) */
    SPAMLR_CW_MANUAL = 2     /* weight_spam, weight_ham below */
} spamlr_class_weight;

/* Training settings. The objective minimised is
 *   f(w) = l2/2 ||w||^2 + l1 ||w||_1 + C * sum_i s_i * log(1 + exp(-y_i w.x_i))
 * with y_i = +1 for spam, -1 for ham and s_i the class weight of example i.
 * The defaults (l2 = 1, l1 = 0) give LIBLINEAR's -s 0 objective; l2 = 0,
 * l1 = 1 gives LIBLINEAR's -s 6 (L1) objective; both > 0 is the elastic
 * net. With a bias, x_i gets an extra constant feature 1; its weight is NOT
 * regularised (by either term) unless regularize_bias is set (LIBLINEAR's
 * -B 1 does regularise it). l1 > 0 needs SPAMLR_SOLVER_OWLQN (chosen by
 * SPAMLR_SOLVER_AUTO); TRON and L-BFGS then give SPAMLR_EINVAL. */
#define SPAMLR_MIN_COUNT_AUTO 0u
#define SPAMLR_MIN_COUNT_AUTO_N 100u

typedef struct spamlr_train_opts {
    unsigned version;       /* SPAMLR_OPTS_VERSION */
    unsigned solver;        /* spamlr_solver, default SPAMLR_SOLVER_AUTO */
    double c;               /* C > 0, or SPAMLR_C_AUTO (0, the default):
                               chosen by validation on a warm-started
                               regularisation path (spamlr_model_path
                               tells what it tried); the online solvers
                               ignore it */
    double l1;              /* L1 weight >= 0, default 0 */
    double l2;              /* L2 weight >= 0, default 1; l1 + l2 > 0 */
    double tol;             /* stop when ||grad f|| <= tol * ||grad f(w0)||
                               (default 1e-4; LIBLINEAR's -e 0.01 also scales
                               by min(#pos,#neg)/n); with l1 > 0 the norms
                               are of the pseudo-gradient */
    unsigned max_iter;      /* outer iterations, default 1000 */
    unsigned threads;       /* 0 = all cores (default), except that
                               problems under 50,000 non-zeros then run
                               on one (threads would cost more than they
                               save). Results do not depend on the
                               count: a batch solve cuts rows into the
                               same blocks on any number of threads and
                               sums them in order, so the model is the
                               same bit for bit. */
    unsigned bias;          /* 1 = learn a bias (default) */
    unsigned regularize_bias; /* 1 = include the bias in ||w||^2. Default 0 */
    unsigned class_weight;  /* spamlr_class_weight */
    double weight_spam;     /* for SPAMLR_CW_MANUAL */
    double weight_ham;
    unsigned min_count;     /* tokens in fewer than this many training
                               messages are left out; 0 (the default) =
                               SPAMLR_MIN_COUNT_AUTO: 2 from
                               SPAMLR_MIN_COUNT_AUTO_N labelled messages
                               up, else 1 (and always 1 for libsvm value
                               rows: every feature is kept, as LIBLINEAR
                               does). A word seen once cannot
                               generalise, and leaving those out measured
                               better on both corpora (README) with half
                               the parameters; a few dozen messages are
                               mostly such words, so they keep them */
    const spamlr_model *init;     /* warm start (may be NULL, the default):
                               the batch solvers start from this model's
                               weight for every column whose token it has
                               (0 for the others) and from its bias; the
                               online solvers continue from a copy of it,
                               state included. Its text options must equal
                               the dataset's (else SPAMLR_EINVAL). */
    unsigned epochs;        /* online solvers: passes over the data (5) */
    double eta;             /* online solvers: AdaGrad learning rate or FTRL
                               alpha, at most 1000; 0 (default) = the
                               solver's default (see spamlr_online_opts) */
    unsigned folds;         /* SPAMLR_C_AUTO: validation folds (0 = 3;
                               fewer when a class has fewer messages) */
    unsigned keep_unconverged; /* 1 = a solver that stops at max_iter
                               before the tolerance still gives its
                               model: spamlr_train returns SPAMLR_OK with
                               a warning in diag->message (code 0). 0
                               (the default) = SPAMLR_ENOCONVERGE and no
                               model. (0.1's reserved space) */
    union {                 /* (the union keeps the struct's size and layout
                               on 32- and 64-bit systems alike) */
        /* Transfer learning (may be NULL, the default): a base model whose
         * weights w0 centre the penalty, so that the batch solvers minimise
         *   l2/2 ||w - w0||^2 + l1 |w - w0|_1 + C sum loss
         * (the bias unpenalised unless regularize_bias): a few messages
         * adapt the base instead of replacing it, and how far they move
         * it is C's choice (SPAMLR_C_AUTO: by validation, like any C;
         * l2 is the pull's strength for a given C). w0 is the base's
         * weight of a column's token, 0 for words the base lacks; words
         * of the base that the data lacks keep their base weight in the
         * model (their optimum), and data words that the base has are
         * columns even below min_count. Training starts from w0 and the
         * base's bias (unless `init` is given). Its text options must
         * equal the dataset's (else SPAMLR_EINVAL); the online solvers
         * and MPI training refuse it (SPAMLR_EINVAL, SPAMLR_EUNSUPPORTED).
         * The model records the base (spamlr_model_base) and keeps w0 (an
         * optional section of the file, sparse: only where w0 is not the
         * word's weight), so that online learning on it
         * (spamlr_model_learn*) keeps pulling towards the base: each step
         * takes the penalty lambda/2 (w_j - w0_j)^2 of the message's words
         * in closed form (a proximal step, see spamlr_online_opts.l2),
         * lambda = l2 / C unless spamlr_online_opts.l2 says
         * otherwise (see there). An older file, without the section, learns
         * as before, without the pull. */
        const spamlr_model *prior;
        uint64_t prior_pad_;
    };
    /* Progress of training (may be NULL, the default): called with
     * SPAMLR_PROGRESS_PATH after each C of the SPAMLR_C_AUTO path,
     * SPAMLR_PROGRESS_FINAL before the final solve and
     * SPAMLR_PROGRESS_ITER after each of its iterations, on the calling
     * thread; a non-zero return cancels training (SPAMLR_ECANCELED, no
     * model). The online solvers report nothing.
     * (These two unions take the place of 0.1's reserved space: the struct
     * keeps its size and layout.) */
    union {
        spamlr_progress_fn progress;
        uint64_t progress_pad_;
    };
    union {
        void *progress_ctx;
        uint64_t progress_ctx_pad_;
    };
} spamlr_train_opts;

/* spamlr_train_opts.c: choose C by validation (the default). */
#define SPAMLR_C_AUTO 0.0

SPAMLR_API void spamlr_train_opts_init(spamlr_train_opts *o);

/* What training did. */
typedef struct spamlr_train_report {
    size_t size;            /* sizeof(spamlr_train_report):
                               SPAMLR_TRAIN_REPORT_INIT */
    double objective;       /* f(w) at the end */
    double grad_norm;       /* ||grad f(w)|| at the end (pseudo-gradient
                               with OWL-QN, here and below) */
    double grad_norm0;      /* the reference of the stopping test: ||grad
                               f(w0)|| at the start, or ||grad f(0)|| when
                               the final solve started from the C path's
                               solutions (so that it stops where a cold
                               start would) */
    unsigned iterations;    /* outer iterations */
    unsigned inner_iterations; /* CG steps (TRON) or line-search steps */
    size_t examples, spam, ham;
    size_t features;        /* vocabulary size of the model */
    double seconds;         /* wall-clock time of the solve alone (with
                               SPAMLR_C_AUTO: the C path and the final
                               solve) */
    double path_seconds;    /* (0.4) of that, the C path's (0 with C
                               given and for the online solvers) */
} spamlr_train_report;

/* Trains a model on every labelled row of ds (unlabelled rows are
 * skipped). report and diag may be NULL (SPAMLR_EINVAL when either's
 * size is too small). A model comes back in *out only
 * with SPAMLR_OK; on every error *out is NULL, so `if (rc) return rc;`
 * leaks nothing. Returns SPAMLR_EEMPTY without labelled rows,
 * SPAMLR_EONECLASS when only one class is present, SPAMLR_ENOCONVERGE
 * when max_iter was reached before the tolerance (the report still tells
 * how far it got); set o->keep_unconverged to get that model instead,
 * with SPAMLR_OK and a warning in diag. (Before 0.2, and still for option
 * structs of version 1, SPAMLR_ENOCONVERGE came with a model the caller
 * had to free.) The dataset is not changed. */
SPAMLR_API int spamlr_train(spamlr_model **out, const spamlr_dataset *ds,
                            const spamlr_train_opts *o, spamlr_train_report *report,
                            spamlr_diag *diag);

/* spamlr_train for a caller that is done with ds's rows (0.3): the batch
 * solvers build their matrix in the dataset's own row arrays instead of a
 * copy, which saves 8 bytes a non-zero and the time to fault that memory
 * in, and ds's word table is freed while the model is solved (rebuilt if
 * ds takes rows again). Training on SpamAssassin's 4550 mails: peak
 * memory 43 -> 24 MB. The model is the same, bit for bit, as
 * spamlr_train's. Once building the matrix begins -- after the checks
 * that give SPAMLR_EINVAL, SPAMLR_EEMPTY and SPAMLR_EONECLASS, which leave
 * ds as it was -- ds keeps its vocabulary and options but has no rows,
 * whether training then succeeds or not; it may take more rows, or be
 * freed. Explicit-value rows (spamlr_dataset_read_libsvm) are already
 * used without a copy when they can be, and online solvers read the rows
 * as they are: ds then keeps them. */
SPAMLR_API int spamlr_train_consume(spamlr_model **out, spamlr_dataset *ds,
                                    const spamlr_train_opts *o, spamlr_train_report *report,
                                    spamlr_diag *diag);

/* ------------------------------------------ training on several processes */

/* Data-parallel training with MPI, for builds made with `make MPI=1`; in
 * other builds each function returns SPAMLR_EUNSUPPORTED. Every process of
 * the MPI job calls them, in the same order (they are collective).
 *
 * spamlr_mpi_init: initialises MPI unless the caller already has, and
 *   gives this process's rank (0-based) and the number of processes.
 * spamlr_mpi_all_ok: *all = 1 when `ok` is non-zero in every process, else
 *   0. Call it after each process has read its data, so that one that
 *   failed stops them all instead of leaving them waiting.
 * spamlr_train_mpi: spamlr_train on the rows of all processes together; ds
 *   holds this process's share (any split, an empty one too). The processes
 *   add up their token counts and apply min_count to the totals, then the
 *   solver sums gradients, objective and Hessian-vector products over them
 *   (one MPI_Allreduce of (vocabulary size + 1) doubles each). Every process
 *   gets the same model, the optimum of the whole data; options must be the
 *   same in every process.
 * spamlr_mpi_finalize: ends MPI if spamlr_mpi_init started it. */
SPAMLR_API int spamlr_mpi_init(int *rank, int *size);
SPAMLR_API int spamlr_mpi_all_ok(int ok, int *all);
SPAMLR_API int spamlr_train_mpi(spamlr_model **out, const spamlr_dataset *ds,
                                const spamlr_train_opts *o, spamlr_train_report *report,
                                spamlr_diag *diag);
SPAMLR_API int spamlr_mpi_finalize(void);

/* ------------------------------------------------------------------ model */

SPAMLR_API void spamlr_model_free(spamlr_model *m);

/* A deep copy of m in *out (free it with spamlr_model_free): the same
 * vocabulary, weights, idf values, settings, metadata, C path, base,
 * contact list, online state, rehearsal memory and record of learned
 * messages, sharing nothing with m, so either may then learn, be changed
 * or be freed without the other. The copy predicts, saves and learns
 * exactly as m does (its saved bytes are m's). Only reads m: it may run
 * beside predicting threads. Returns SPAMLR_OK, SPAMLR_EINVAL (out or m
 * NULL), SPAMLR_ENOMEM (*out NULL). */
SPAMLR_API int spamlr_model_clone(spamlr_model **out, const spamlr_model *m);

/* Loads a model file. Each kind of damage has its own code: SPAMLR_EMAGIC,
 * SPAMLR_EVERSION, SPAMLR_ECRC, SPAMLR_ETRUNC, SPAMLR_ESIZE,
 * SPAMLR_ECORRUPT; SPAMLR_EIO when it cannot be read. Every size is checked
 * against the file before memory is allocated; nothing is returned on
 * failure. */
SPAMLR_API int spamlr_model_load(spamlr_model **out, const char *path, spamlr_diag *diag);

/* Flags of spamlr_model_load_ex. */
enum {
    /* Only what prediction reads: a model that learns online keeps its
     * learner's state in the file (the online state, the rehearsal memory,
     * the record of learned messages, the document counts, the online
     * prior), and this load does not read it. The model predicts,
     * explains and is inspected exactly as when loaded whole (but
     * spamlr_model_info reports no memory); saving it, dumping it,
     * pruning it, making a delta of it, learning with it or setting up
     * its online learner fail with SPAMLR_EINVAL, since they would lose that state (a clone
     * is predict-only too). For a program started to judge one mail with
     * a model that learns: after the SpamAssassin bootstrap of a folder
     * of each class, mapped, a load of 1.5 ms instead of 2.6. (0.4) */
    SPAMLR_LOAD_PREDICT = 1
};

/* spamlr_model_load with flags (SPAMLR_LOAD_*; 0 is spamlr_model_load).
 * Unknown flags: SPAMLR_EINVAL. */
SPAMLR_API int spamlr_model_load_ex(spamlr_model **out, const char *path, unsigned flags,
                                    spamlr_diag *diag);

/* Saves a model in place of the file `path` names. Symbolic links are
 * followed (spamlr_model_save_path): a link stays a link and its target
 * gets the model. That target must be a regular file or missing: a
 * directory, device, FIFO or socket is refused (SPAMLR_EIO), never
 * replaced. The model is written to TARGET.tmp-HOST-PID-XXXXXX (HOST
 * this host's name, PID this process's id; TARGET.tmp-XXXXXX when that
 * would not fit in 255 bytes) in the target's directory, fsynced, given the old file's mode and owner (the owner only
 * where permitted; a new file gets 0666 & ~umask), renamed over TARGET, and
 * the directory is fsynced. On any failure (SPAMLR_EIO, the diag naming
 * `path` and the system's reason) the temporary file is removed and an
 * existing file is left untouched. When only the final fsync of the
 * directory fails, the model is saved and SPAMLR_OK is returned with a
 * warning in diag->message (code 0). Takes no lock: writers that update
 * a model in place use spamlr_model_update (or spamlr_model_lock), as
 * every spamlr command does. */
SPAMLR_API int spamlr_model_save(const spamlr_model *m, const char *path, spamlr_diag *diag);

/* The file spamlr_model_save(m, path) writes: `path` with its symbolic
 * links followed (at most 40), each relative link target taken from the
 * link's directory; `path` itself when it is not a link or does not exist.
 * *out is the caller's (spamlr_free() it). A writer that locks a model should lock a
 * name derived from this one, so that a link and its target share a lock.
 * SPAMLR_EIO when a link cannot be read or the chain is too long. */
SPAMLR_API int spamlr_model_save_path(char **out, const char *path, spamlr_diag *diag);

/* Writers of one model file, serialised (0.3). Every spamlr command that
 * rewrites a model (learn, filter and serve learning, train, prune,
 * import, eval --online) holds the model's lock from loading to saving;
 * a program that does the same loses no update made beside it by the CLI,
 * by another process or by another of its threads.
 *
 * spamlr_model_lock takes the exclusive lock of the model file `path`:
 * an flock(2) on TARGET.lock, TARGET being `path` with its symbolic links
 * followed (spamlr_model_save_path), so that a link and its target share
 * one lock. The lock file is created when missing (0666 & ~umask), opened
 * without following a symbolic link and refused unless it is a regular
 * file (SPAMLR_EIO, the diag naming it); it stays after the unlock. The
 * call waits while another holder has it. Once it holds the lock it
 * removes the temporary files that saves of TARGET by processes of this
 * host that no longer exist left behind (a save killed before its
 * rename); files of living processes, of other hosts and without a
 * writer in their name stay. The lock belongs to the handle
 * (*out), not to the thread or process: two handles exclude each other
 * even in one thread (so never take a second lock on the model you hold),
 * and it ends when the process does. spamlr_model_unlock releases it
 * (NULL allowed).
 *
 * spamlr_model_update is the locked update in one call: it takes the
 * lock, loads `path` -- or, when the file does not exist and `create` is
 * not NULL, calls create(ctx, &m) for the starting model (an empty one
 * from spamlr_model_create, a clone of a base ...) --, calls change(ctx,
 * m) (learn, set the threshold, ...), saves m atomically
 * (spamlr_model_save), calls saved(ctx, m) with the lock still held
 * (saved may be NULL; a non-zero return takes m: the caller then owns it
 * and frees it, else the library frees it), and unlocks. A non-zero
 * return of create or change stops it there, the file unchanged, and is
 * returned as it is (a positive value cannot be mistaken for a
 * SPAMLR_E* code). Returns SPAMLR_OK (diag may hold a warning of the
 * save), an error of the lock, load or save (diag says which file and
 * why), SPAMLR_EINVAL (path or change NULL, or create gave no model).
 * Thread-safe: any number of threads and processes may update one model
 * at once; their updates are applied one after another. */
typedef struct spamlr_lock spamlr_lock;
typedef int (*spamlr_model_create_fn)(void *ctx, spamlr_model **out);
typedef int (*spamlr_model_change_fn)(void *ctx, spamlr_model *m);

SPAMLR_API int spamlr_model_lock(spamlr_lock **out, const char *path, spamlr_diag *diag);
SPAMLR_API void spamlr_model_unlock(spamlr_lock *lock);
SPAMLR_API int spamlr_model_update(const char *path, spamlr_model_create_fn create,
                                   spamlr_model_change_fn change, spamlr_model_change_fn saved,
                                   void *ctx, spamlr_diag *diag);

/* Serialises the model into a new buffer (*out, *size; spamlr_free() it) or
 * reads one from memory; the bytes are exactly those of the file. */
SPAMLR_API int spamlr_model_save_buffer(const spamlr_model *m, unsigned char **out,
                                        size_t *size);
SPAMLR_API int spamlr_model_load_buffer(spamlr_model **out, const unsigned char *buf,
                                        size_t size, spamlr_diag *diag);
/* spamlr_model_load_buffer with flags, as spamlr_model_load_ex. (0.4) */
SPAMLR_API int spamlr_model_load_buffer_ex(spamlr_model **out, const unsigned char *buf,
                                           size_t size, unsigned flags, spamlr_diag *diag);

/* Everything countable about a model. */
typedef struct spamlr_model_info {
    size_t size;            /* sizeof(spamlr_model_info):
                               SPAMLR_MODEL_INFO_INIT */
    size_t parameters;      /* vocabulary size = number of word weights */
    size_t nonzero;         /* word weights that are not 0 */
    int has_bias;
    double bias;            /* the bias weight (0 without one) */
    size_t memory_bytes;    /* heap bytes the loaded model holds */
    unsigned solver;        /* spamlr_solver used (never AUTO) */
    double c;               /* regularisation C used */
    double tol;
    double objective, grad_norm;
    unsigned iterations;
    size_t examples, spam, ham;
    int64_t trained_at;     /* Unix time of training */
    double threshold;       /* spam when probability >= threshold (0.5) */
    spamlr_text_opts text;  /* tokenizer and feature settings */
    unsigned min_count;
    unsigned class_weight;
    unsigned weight_bits;   /* precision of the weights in the file: 32
                               (float32) or 16 (16-bit grid, see
                               spamlr_model_set_weight_bits) */
    size_t pruned_from;     /* vocabulary size before spamlr_model_prune
                               first shrank this model; 0 = never pruned */
    double l1, l2;          /* penalty weights used (0 and 1 for files
                               written before they were recorded) */
    unsigned layout;        /* spamlr_layout its file has or will have */
    unsigned idf_learned;   /* 1: a tf-idf model made empty
                               (spamlr_model_create), whose idf values are
                               those of the messages it learned, worked out
                               again by each spamlr_model_learn_batch; 0:
                               frozen as training measured them, or no idf */
    /* (0.4) The rehearsal memory of a model that learns (0 and zeros for
     * one that has no online state): how many messages of each class it
     * keeps at most (spamlr_online_opts.memory), how many it holds, and
     * how many of each class were learned into it (offered); while held
     * equals offered it holds every message it learned, else a uniform
     * sample of them. [0] ham, [1] spam. */
    unsigned memory;
    size_t remembered[2];
    uint64_t memory_offered[2];
} spamlr_model_info;

/* Fills *info (its size set, see the output structs above) with what m
 * holds. Returns SPAMLR_OK, or SPAMLR_EINVAL (m or info NULL, or
 * info->size too small; nothing written). (void before 0.3.) Thread-safe
 * on a shared model. */
SPAMLR_API int spamlr_model_info_get(const spamlr_model *m, spamlr_model_info *info);

/* One C that training with SPAMLR_C_AUTO tried: the mean log loss of the
 * folds' models on their held-out messages (the criterion) and the ROC AUC
 * of those out-of-fold probabilities pooled (NaN when not measured). */
typedef struct spamlr_path_point {
    double c;
    double log_loss;
    double auc;
} spamlr_path_point;

/* The base model a model was trained from with spamlr_train_opts.prior.
 * Returns 1 and fills *b when there is one, else 0 (b cleared). `name` is
 * the base file's name without its directory as the base was loaded
 * ("" when it was not loaded from a file), `crc` the base file's CRC-32
 * (spamlr_model_file_crc; 0 when not loaded from a file), `trained_at` the base's
 * training time. The strings live as long as the model. */
typedef struct spamlr_model_base_info {
    const char *name;
    uint32_t crc;
    int64_t trained_at;
} spamlr_model_base_info;

SPAMLR_API int spamlr_model_base(const spamlr_model *m, spamlr_model_base_info *b);

/* The CRC-32 that the file a model was loaded from ends with, that of
 * every byte before it, which identifies the file (0 for a model that was
 * not loaded from a file or buffer): what a model trained with it as a
 * base records (spamlr_model_base). */
SPAMLR_API uint32_t spamlr_model_file_crc(const spamlr_model *m);

/* The regularisation path that chose the model's C, in the order tried:
 * returns the number of points (0 when C was given, or for a model saved
 * before paths were recorded), sets *points (valid while the model lives;
 * may be NULL) and *folds (may be NULL). The chosen C is the point with
 * the smallest log loss, and spamlr_model_info's c. */
SPAMLR_API size_t spamlr_model_path(const spamlr_model *m, const spamlr_path_point **points,
                                    unsigned *folds);

/* Weight of one token (as the tokenizer emits it: lower-case, e.g. "中奖",
 * "viagra"). Returns SPAMLR_ENOTFOUND when the token is not in the
 * vocabulary (then *w is 0). */
SPAMLR_API int spamlr_model_weight(const spamlr_model *m, const char *token, float *w);

/* One vocabulary entry. `token` points into the model and lives as long as
 * the model. */
typedef struct spamlr_word {
    const char *token;
    float weight;
    uint32_t id;
} spamlr_word;

/* A word as a user writes it ("FREE", "Viagra", "ｆｒｅｅ", "𝐅𝐑𝐄𝐄", "中奖"):
 * the token `text` itself when the model has it (so "subject:free" or
 * "url:example.com" are found as stored), else the one token the model's
 * own tokenizer makes of it (its case folding, NFKC and look-alike
 * folding), so the caller need not fold exactly as the tokenizer does.
 * Fills *out (token NULL, weight 0, id UINT32_MAX when not found).
 * Returns SPAMLR_OK, SPAMLR_ENOTFOUND (no such word, or text that makes
 * no token), or SPAMLR_EINVAL (text that makes several tokens, such as
 * "free prize"; look each word up alone). Thread-safe on a shared
 * model. */
SPAMLR_API int spamlr_model_lookup(const spamlr_model *m, const char *text, size_t len,
                                   spamlr_word *out);

/* Number of vocabulary entries, and entry `id` (0 <= id < parameters). */
SPAMLR_API size_t spamlr_model_vocab_size(const spamlr_model *m);
SPAMLR_API int spamlr_model_word(const spamlr_model *m, size_t id, spamlr_word *out);

/* The k words with the largest weights (direction > 0: most spammy first)
 * or the smallest (direction < 0: most hammy first) into out[0..k-1]; ties
 * are broken by token. Returns the number written (<= k). Words whose
 * weight has the wrong sign are not listed. */
SPAMLR_API size_t spamlr_model_top(const spamlr_model *m, int direction,
                                   spamlr_word *out, size_t k);

/* Sets the model's decision threshold (spam when probability >= t, saved
 * in the model file), 0 <= t <= 1, else SPAMLR_EINVAL. Changes the model:
 * not to be called while other threads use it. */
SPAMLR_API int spamlr_model_set_threshold(spamlr_model *m, double t);

/* The model's decision threshold (spamlr_model_info.threshold without the
 * rest): spam when the probability is >= it; 0.5 unless set. NaN for a
 * NULL model. Thread-safe. */
SPAMLR_API double spamlr_model_threshold(const spamlr_model *m);

/* The unsure zone, as bogofilter has it: a message is ham when its
 * probability p < ham_cutoff, spam when p >= spam_cutoff, unsure between.
 * spamlr_model_set_unsure sets it (saved in the model file, beside the
 * threshold; 0 <= ham_cutoff <= spam_cutoff <= 1, else SPAMLR_EINVAL;
 * equal cutoffs remove the zone). Changes the model: not to be called
 * while other threads use it. spamlr_model_unsure returns 1 and the
 * cutoffs when the model has a zone, else 0 with both cutoffs set to the
 * threshold (so the same comparisons give the two-way verdict). The
 * threshold is not changed by either: spamlr_predict's callers and `eval`
 * keep using it. Thread-safe (the getter). */
SPAMLR_API int spamlr_model_set_unsure(spamlr_model *m, double ham_cutoff, double spam_cutoff);
SPAMLR_API int spamlr_model_unsure(const spamlr_model *m, double *ham_cutoff,
                                   double *spam_cutoff);

/* ------------------------------------------------------------- predicting */

/* Per-thread working memory for prediction, so that predicting one message
 * allocates nothing once the scratch has grown to the largest message seen.
 * Belongs to one thread at a time; usable with any model. */
typedef struct spamlr_scratch spamlr_scratch;

SPAMLR_API int spamlr_scratch_create(spamlr_scratch **out);
SPAMLR_API void spamlr_scratch_free(spamlr_scratch *s);

/* Spam probability of one message (len bytes of text, tokenised with the
 * model's settings). `score` (may be NULL) receives w.x + b, the log-odds.
 * Thread-safe on a shared model with one scratch per thread. */
SPAMLR_API int spamlr_predict(const spamlr_model *m, spamlr_scratch *s, const char *text,
                              size_t len, double *prob, double *score);

/* spamlr_predict with the verdict: *label (may be NULL) is SPAMLR_SPAM
 * when the probability is >= the model's threshold
 * (spamlr_model_threshold), else SPAMLR_HAM; prob (may be NULL) receives
 * the probability. Inputs first, outputs last, as the conventions above
 * say. Thread-safe on a shared model with one scratch per thread. */
SPAMLR_API int spamlr_predict_label(const spamlr_model *m, spamlr_scratch *s, const char *text,
                                    size_t len, int *label, double *prob);

/* Keeps ds, which must hold no rows or words yet and have m's text
 * options, to m's words: the rows read from then on hold only tokens m
 * knows (the others are dropped as they are read, nothing is added to the
 * vocabulary), so that reading mail for spamlr_predict_dataset skips the
 * words only the data has. The probabilities are the same bit for bit as
 * with an open dataset; reading is faster and takes less memory, above
 * all on several threads. ds reads m's words where they are (nothing is
 * copied; m may be freed first, and a model that learns new words
 * afterwards copies its words for itself first, so ds keeps the words it
 * was kept to); spamlr_predict_dataset on m finds them without a look-up
 * while m's words stay the same. Several threads may keep datasets to one
 * model at once. Such a dataset reads messages, text and indexes,
 * not libsvm rows. Returns SPAMLR_OK, SPAMLR_EINVAL (NULL, not empty,
 * other text options, already kept) or SPAMLR_ENOMEM (ds unchanged). */
SPAMLR_API int spamlr_dataset_keep_model_words(spamlr_dataset *ds, const spamlr_model *m);

/* Probabilities of every row of ds (tokens are looked up by string, so the
 * dataset may have been read with any vocabulary; it should have used the
 * model's text options, see spamlr_model_info). probs and scores (log-odds
 * w.x + b) have one slot per row; either may be NULL. A row read from a
 * message gets exactly the probability and score spamlr_predict gives
 * that message, to the bit, whatever the dataset (open, kept to m's
 * words, or m's own training data). */
SPAMLR_API int spamlr_predict_dataset(const spamlr_model *m, const spamlr_dataset *ds,
                                      double *probs, double *scores);

/* ------------------------------------------------------- cross-validation */

/* Stratified k-fold cross-validation: the labelled rows of ds are dealt to
 * k folds (per class, in a fixed pseudo-random order, so the same on every
 * run); for each fold a model is trained with `o` on the other folds
 * (min_count and idf counted on them alone) and predicts the fold. probs
 * (one slot per row) receives every labelled row's out-of-fold probability
 * and NaN for unlabelled rows; feed it to spamlr_metrics_compute with the
 * row labels. Returns SPAMLR_EINVAL for k < 2, SPAMLR_EONECLASS when a
 * class has fewer than k rows, or an error of spamlr_train. Not
 * thread-safe on ds (it is read only, but not locked). */
SPAMLR_API int spamlr_cross_validate(const spamlr_dataset *ds, const spamlr_train_opts *o,
                                     unsigned k, double *probs, spamlr_diag *diag);

/* --------------------------------------------------- explain, prune, dump */

/* One token's part in a message's score. `token` points into the model and
 * lives as long as the model. */
typedef struct spamlr_contribution {
    const char *token;
    uint32_t count;         /* occurrences in the message */
    float value;            /* feature value after normalisation */
    float weight;           /* the token's weight */
    double contribution;    /* value * weight, added to the score */
} spamlr_contribution;

/* A message's score taken apart. score = bias + the sum of every known
 * token's contribution (to rounding; the sum is taken in double, in the
 * same order spamlr_predict uses, so score equals its log-odds exactly). */
typedef struct spamlr_explanation {
    size_t size;            /* sizeof(spamlr_explanation):
                               SPAMLR_EXPLANATION_INIT */
    double score;           /* log-odds w.x + b, as spamlr_predict gives */
    double prob;            /* sigmoid(score) */
    double bias;            /* the bias (0 without one) */
    size_t tokens;          /* token occurrences in the message */
    size_t known;           /* ... of which the vocabulary holds */
    size_t unknown;         /* ... of which it does not (they add nothing) */
    size_t total;           /* distinct known tokens = contributions */
    size_t n;               /* contributions written to items (<= cap) */
} spamlr_explanation;

/* Explains the score of one message: tokenises `len` bytes of `text`
 * exactly as spamlr_predict does (the same e-mail decoding, feature values
 * and normalisation) and writes the `cap` largest contributions into the
 * caller-owned array items[0..cap) (items may be NULL when cap is 0),
 * sorted by |contribution| descending, ties by token (bytewise). out->total
 * tells how many there were in all. Returns SPAMLR_OK, SPAMLR_EINVAL (m, s
 * or out NULL, out->size too small, or text NULL with len > 0), SPAMLR_ENOMEM. Thread-safe on a
 * shared model with one scratch per thread; allocates only to grow s. */
SPAMLR_API int spamlr_explain(const spamlr_model *m, spamlr_scratch *s, const char *text,
                              size_t len, spamlr_explanation *out,
                              spamlr_contribution *items, size_t cap);

/* A smaller copy of m in *out (free it with spamlr_model_free): a word is
 * kept when it is among the `keep` words of largest |weight| (ties broken
 * by token, bytewise, so the result is deterministic) AND |weight| >=
 * min_abs. Pass keep = SIZE_MAX for no count limit, min_abs = 0 for no
 * threshold. The other words leave the vocabulary (and the file); kept
 * words keep their order, weights, idf values and every setting and piece
 * of metadata, and when words were dropped the copy records the vocabulary
 * size before the first pruning (spamlr_model_info.pruned_from). Weight precision is kept. The
 * online learner's state and remembered messages, which name words by
 * their place, are kept only when no word is dropped (the copy is then
 * all of m, as spamlr_model_clone makes it). m is
 * not changed (it may be shared with predicting threads meanwhile).
 * Returns SPAMLR_OK, SPAMLR_EINVAL (out or m NULL, min_abs negative or not
 * a number), SPAMLR_ENOMEM. */
SPAMLR_API int spamlr_model_prune(spamlr_model **out, const spamlr_model *m, size_t keep,
                                  double min_abs);

/* Sets the precision the weights are stored with: 32 (float32, the
 * default) or 16. With 16 the weights are rounded, in the model itself, to
 * a grid of 65535 levels: w = q * scale, q an integer in [-32767, 32767],
 * scale = max|w| / 32767 (stored in the file), so that save -> load gives
 * exactly the same weights and the file's weight section is half the size.
 * Going back to 32 does not undo the rounding. A weight changed later is
 * rounded to the grid (and clamped to it) when saved. Changes m: not to be
 * called while other threads use m. Returns SPAMLR_OK, SPAMLR_EINVAL (m
 * NULL or bits not 16 or 32). */
SPAMLR_API int spamlr_model_set_weight_bits(spamlr_model *m, unsigned bits);

/* How a model's file is laid out (spamlr_model_set_layout). */
typedef enum spamlr_layout {
    /* the words, weights and idf values compressed (zlib): the smallest
     * file (the SpamAssassin model 384 KB); a load inflates it and builds
     * the word table (4 ms for 42,000 words) */
    SPAMLR_LAYOUT_PACKED = 0,
    /* the word table, the words, weights and idf values as they lie in
     * memory (format version 4: spamlr 0.3 and earlier refuse it): about
     * 6.5 times the packed size (2.6 MB), loaded by mapping the file and
     * reading the table in place (0.5 ms). While a process has such a
     * model loaded from a file, the file must not be truncated or
     * rewritten in place (spamlr replaces model files by renaming a new
     * one over them, which is safe); spamlr_model_load_buffer copies. */
    SPAMLR_LAYOUT_MAPPED = 1
} spamlr_layout;

/* Sets the layout spamlr_model_save and spamlr_model_save_buffer write m
 * in (a loaded model keeps its file's; a trained one is packed). Changes m: not to be called while
 * other threads use m. Returns SPAMLR_OK, or SPAMLR_EINVAL (m NULL or an
 * unknown layout). */
SPAMLR_API int spamlr_model_set_layout(spamlr_model *m, unsigned layout);

/* A lossless text form of the model, for reading and editing by hand.
 * *out (NUL-terminated, spamlr_free() it) receives the text, *len its
 * length without the NUL (len may be NULL). The text is UTF-8 lines:
 *   spamlr-dump 1
 *   # comments
 *   key=value            one line per setting and metadata field:
 *                        ngrams, max_token_len, number_fold, cjk_bigrams,
 *                        features (binary|logtf|tfidf), normalize, mime,
 *                        header_fields (SPAMLR_HDR_* bits, a number),
 *                        solver (tron|lbfgs|owlqn, or a number), l1, l2,
 *                        class_weight
 *                        (none|balanced|manual), min_count, iterations, c,
 *                        tol, objective, grad_norm, threshold, bias (a
 *                        number, or "none"), examples, spam, ham,
 *                        trained_at (Unix time), weight_bits (32|16),
 *                        weight_scale (16-bit only), pruned_from;
 *                        path_folds and path (the C path); with a base
 *                        model (spamlr_model_base): base_name (escaped as
 *                        a token), base_crc, base_trained_at; with a
 *                        prior for online learning: prior_words (how
 *                        many words have a prior weight) and one
 *                        "prior=ID W0" line for each whose prior weight is
 *                        not its weight (ID its place under [words]); with
 *                        online state (see online learning below):
 *                        online (adagrad|ftrl), online_eta, online_beta,
 *                        online_l1, online_l2, online_bias_acc,
 *                        online_bias_z, online_updates, online_last_hash,
 *                        online_last_gz, online_margin, online_memory,
 *                        online_seen_ham, online_seen_spam
 *   [words]
 *   token<TAB>weight[<TAB>idf][<TAB>acc[<TAB>z]]   one line per word, in
 *                        vocabulary order; acc (the sum of squared
 *                        gradients) with online state, z with FTRL
 *   [memory]             with online state: the remembered messages,
 *   ham|spam<TAB>id:value id:value ...   one a line, id = a word's place
 *                        under [words] from 0
 *   [learned]            with a record of learned messages (see
 *   ham|spam<TAB>KEY     spamlr_model_learn): one a line, oldest first,
 *                        KEY 16 hex digits
 * So the dump holds every section of a model file: dump -> import ->
 * save gives the same bytes, and the imported model learns as the
 * original would.
 * Numbers are printed so that they read back exactly (%.9g for float,
 * %.17g for double). In tokens, backslash, tab, CR, LF, other control bytes
 * and bytes that are not valid UTF-8 are escaped as \\, \t, \r, \n and \xHH.
 * Returns SPAMLR_OK, SPAMLR_EINVAL, SPAMLR_ENOMEM. Thread-safe on a shared
 * model. */
SPAMLR_API int spamlr_model_dump(const spamlr_model *m, char **out, size_t *len);

/* The reverse of spamlr_model_dump: a new model in *out from `len` bytes of
 * dump text. Keys may come in any order; a missing key keeps its default
 * (as a new model's), except that `[words]` must be there. The idf column
 * is required with features=tfidf and refused otherwise. With
 * weight_bits=16 the weights are rounded to the grid of weight_scale (or,
 * when an edited weight falls outside it, of a new scale). Saving the
 * imported model gives a file byte-identical to saving the dumped one.
 * Every field is held to the rules spamlr_model_load applies: a known
 * solver and class_weight; c, tol, l1, l2, objective and grad_norm finite
 * and >= 0; examples = spam + ham, each at most 2^62; the online settings
 * in range. A UTF-8 byte order mark before the first line is skipped.
 * Returns SPAMLR_OK, SPAMLR_EPARSE with diag (may be NULL) naming the
 * 1-based line and what was wrong (unknown key, bad number, bad escape,
 * duplicate token, a field out of range, ...), SPAMLR_EINVAL,
 * SPAMLR_ENOMEM. Thread-safe. */
SPAMLR_API int spamlr_model_import(spamlr_model **out, const char *text, size_t len,
                                   spamlr_diag *diag);

/* -------------------------------------------------------- online learning
 *
 * A model can learn one message at a time (a user's "this is spam" / "this
 * is not spam"), the way bogofilter -s/-n and sa-learn do: new words enter
 * the vocabulary and weights move by one step of an online solver.
 *
 * The solver is AdaGrad by default: each weight w_j has its own step size
 * eta / sqrt(G_j), G_j the sum of its squared gradients so far, so a word
 * seen for the first time moves fast and a frequent word settles. Its only
 * state is G (one float per word), its only setting eta, and it needs no
 * schedule, which suits learning that never ends. FTRL-Proximal is
 * available too (two floats per word; with l1 > 0 it keeps rare words at
 * exactly 0, giving smaller models). Loss: the logistic loss of
 * spamlr_train; the bias is learned, never penalised. Online updates do not
 * minimise spamlr_train's objective; a batch solver on all the data does.
 *
 * A model with a prior (trained with spamlr_train_opts.prior, or a store
 * user's model loaded by spamlr_model_load_delta, whose prior is the base)
 * learns towards it: the L2 term of a step pulls each word of the message
 * towards its prior weight w0_j, not towards 0, with strength
 * spamlr_online_opts.l2, by default l2 / C of the model's training (the
 * prior's weight in that objective, a message's loss weighing C). Words the
 * user's messages never hold keep their prior weights exactly; a word they
 * all hold is held near its prior weight instead of drifting freely.
 *
 * The state (G, or FTRL's z and n, plus settings and counters) is part of
 * the model and saved with it (an optional section of the file: older
 * readers still predict with such a model), so learning continues across
 * runs. A model trained by a batch solver can learn too: it starts with an
 * empty state (AdaGrad) or a state derived from its weights (FTRL).
 * A tf-idf model learns with its idf values frozen as batch training
 * measured them; a word it meets first while learning gets the idf of a
 * word that one training message held (the largest). A tf-idf model made
 * empty (spamlr_model_create) counts, for each word, the learned messages
 * that hold it (unlearning takes them back), and each
 * spamlr_model_learn_batch works every idf value out again from these
 * counts before it learns (the remembered messages' values move with
 * them): its idf values are those of the messages it learned, as batch
 * training's are of its data. A single step (spamlr_model_learn,
 * spamlr_model_learn_dataset) only counts, so that a stream learned
 * message by message keeps the features it started with (all idf 1 before
 * the first batch: log-tf); a word met after a batch gets the idf of a
 * word one of those messages held. spamlr_model_info.idf_learned tells.
 * (Measured on the bogofilter bootstrap, README: a folder of each class
 * in turn, 1.44 and 2.38 (1-AUC)% with idf 1, 0.70 and 0.86 with these in
 * passes of online steps, 0.62 trained: see spamlr_model_learn_batch.)
 *
 * Threads: a model that is learning is NOT thread-safe. spamlr_model_learn
 * and spamlr_model_learn_dataset change the model (weights, vocabulary,
 * even the storage of spamlr_model_word() tokens): no other call may use
 * the model at the same time. Learn in one thread, or copy with
 * spamlr_model_clone (or save_buffer/load_buffer) and swap the pointer
 * when no reader is left.
 */

typedef struct spamlr_online_opts {
    unsigned version;       /* SPAMLR_OPTS_VERSION */
    unsigned solver;        /* SPAMLR_SOLVER_ADAGRAD (default) or _FTRL */
    double eta;             /* AdaGrad step / FTRL alpha, at most 1000; 0
                               (default) = the solver's default: 0.5 for
                               AdaGrad, 5 for FTRL (the best on the
                               SpamAssassin online run) */
    double beta;            /* FTRL beta. Default 1 */
    double l1;              /* FTRL L1 penalty per update. Default 0 */
    double l2;              /* L2 penalty per update (AdaGrad: the step of
                               every word of the message is the proximal
                               one, w_j = (w_j - r g + r lambda w0_j) /
                               (1 + r lambda), r the word's AdaGrad rate,
                               which never overshoots w0_j; FTRL: its l2
                               term), centred
                               on the model's prior weights w0 (0 without a
                               prior). Default 0, which for a model with a
                               prior (spamlr_train_opts.prior, a store
                               user's base) means the prior's own pull,
                               l2 / C of the model's training */
    double margin;          /* thick threshold: a message is learned only
                               when its score (log-odds, positive = spam) is
                               on the wrong side or less than margin on the
                               right side; messages already classified with
                               confidence leave the model alone. INFINITY
                               learns every message (spamlr 0.1). Default 2 */
    unsigned memory;        /* rehearsal memory: how many learned messages
                               of each class the model keeps (a uniform
                               sample, saved with it) for
                               spamlr_model_learn_batch to replay; 0 keeps
                               none. Default 500; each one kept adds about
                               1 KB (packed) to 1.7 KB (mapped) to the
                               file (mail) */
    unsigned reserved[5];
} spamlr_online_opts;

SPAMLR_API void spamlr_online_opts_init(spamlr_online_opts *o);

/* An empty model (no words, bias 0: every message scores 0.5) that learns
 * with the given text options (NULL = defaults) and the default online
 * solver. */
SPAMLR_API int spamlr_model_create(spamlr_model **out, const spamlr_text_opts *o);

/* Chooses the online solver and its settings for m (o = NULL: defaults).
 * The weights are kept; the solver state is reset (FTRL derives its state
 * from the weights). Not thread-safe (see above). */
SPAMLR_API int spamlr_model_online_setup(spamlr_model *m, const spamlr_online_opts *o);

/* One online step on one message: len bytes of text, read with the model's
 * text options; label SPAMLR_SPAM or SPAMLR_HAM.
 *
 * direction +1 learns: tokens not yet in the vocabulary are added (weight
 * 0), then the solver steps on the logistic loss of the message at the
 * current weights; the spam or ham count of the model goes up.
 *
 * direction -1 unlearns a message that was learned by mistake (e.g. with
 * the wrong label): it inverts a solver step on this message. The model
 * remembers its last step (a hash of the message's row and label, and its
 * gradient; saved in the file), so unlearning the message learned LAST,
 * with the same label, restores the weights, the bias and the accumulators
 * to their earlier values up to float rounding (words the message added
 * stay in the vocabulary, at weight 0). For any other message the step is
 * inverted approximately: the message's gradient g is found (a root search
 * in one dimension: g is the feature vector times one number) such that a
 * step with g leads to the current state, choosing the root nearest to the
 * message's gradient now when there are several; the model is put back to
 * the state before that step. As with any gradient method this does not
 * reproduce the model that never saw the message. With AdaGrad's l2 > 0
 * the inverse ignores the l2 term. Tokens not in the vocabulary are
 * ignored; the count of the class goes down.
 *
 * The record of learned messages: the model keeps, as SpamAssassin's
 * bayes_seen does, a 64-bit key of each message it learned and the class
 * it learned it as (the last 100,000 messages, oldest dropped first; 8
 * bytes each in the file, 800 KB when full, about 24 bytes each in
 * memory; saved in an optional section, kept by dump/import and prune).
 * The key is a hash of the message's normalised row (its tokens and their
 * counts, as the model's text options give them), not of its bytes: the
 * same mail with CRLF or LF lines, another Received: or Date: field, or
 * learned from a file once and through `spamlr serve` once, is one
 * message, and the dataset calls, which see rows and no bytes, key it the
 * same way. Messages with the same tokens are one message to the record
 * (they would teach the model the same thing). With it:
 *   - direction +1 of a message already learned with `label` does
 *     nothing (SPAMLR_LEARNED_ALREADY); learned with the other class, it
 *     is unlearned and then learned with `label` (SPAMLR_LEARNED_RELEARNED);
 *   - direction -1 unlearns with the class the message was learned as
 *     (`label` may be SPAMLR_UNLABELLED) and returns SPAMLR_ENOTFOUND,
 *     changing nothing, for a message the record does not hold (never
 *     learned, learned by a spamlr without the record (0.2 and older)
 *     or dropped as the oldest of 100,000, or a training message);
 *   - direction SPAMLR_RELEARN is the one-call correction (bogofilter's
 *     -Sn / -Ns): the message must be in the record (else
 *     SPAMLR_ENOTFOUND, nothing changed); with the other class it is
 *     relearned, with `label` already nothing happens.
 * Unlearning a class whose count is 0 returns SPAMLR_EINVAL and changes
 * nothing.
 *
 * s is the caller's scratch (as for spamlr_predict). prob (may be NULL)
 * receives the spam probability of the message BEFORE the step (with
 * direction +1 its new words, still at weight 0, already count in the
 * row's L2 normalisation, so it can differ slightly from spamlr_predict;
 * TREC-style evaluation should call spamlr_predict first). Returns
 * SPAMLR_OK, SPAMLR_EINVAL, SPAMLR_EUNSUPPORTED (tf-idf weights without
 * idf values, which no model file holds),
 * SPAMLR_ENOMEM / SPAMLR_ELIMIT (then the vocabulary may hold new words
 * with weight 0, and the weights are unchanged). NOT thread-safe. */
SPAMLR_API int spamlr_model_learn(spamlr_model *m, spamlr_scratch *s, const char *text,
                                  size_t len, int label, int direction, double *prob);

/* What learning did with a message (spamlr_model_learn_ex,
 * spamlr_model_learn_batch_ex). */
#define SPAMLR_LEARNED_NEW 1       /* not in the record: learned */
#define SPAMLR_LEARNED_ALREADY 2   /* learned before with this class: nothing done */
#define SPAMLR_LEARNED_RELEARNED 3 /* learned before with the other class:
                                      unlearned, then learned */
#define SPAMLR_LEARNED_UNLEARNED 4 /* direction -1: unlearned */
/* direction of a correction: relearn a message the record holds */
#define SPAMLR_RELEARN 2

/* spamlr_model_learn that says what it did: *outcome (may be NULL) gets
 * one of SPAMLR_LEARNED_* on success. direction +1, -1 or SPAMLR_RELEARN;
 * label may be SPAMLR_UNLABELLED with -1. spamlr_model_learn is this
 * function with outcome NULL (and so keeps the record too). NOT
 * thread-safe. */
SPAMLR_API int spamlr_model_learn_ex(spamlr_model *m, spamlr_scratch *s, const char *text,
                                     size_t len, int label, int direction, double *prob,
                                     int *outcome);

/* spamlr_model_learn for the labelled rows of ds (a training stream):
 * rows order[0..n) in that order (order may repeat rows), or, when order
 * is NULL, rows 0..n-1 (n must then be <= the row count); unlabelled rows
 * are skipped. ds may have been read with any vocabulary but should use
 * the model's text options. probs (may be NULL) has one slot per row of
 * ds; each labelled row learned gets its probability before its own step
 * (the TREC online protocol in one call), other slots are left alone.
 * NOT thread-safe. */
SPAMLR_API int spamlr_model_learn_dataset(spamlr_model *m, const spamlr_dataset *ds,
                                          const size_t *order, size_t n, int direction,
                                          double *probs);

/* Learns the labelled rows order[0..n) of ds (order NULL: rows 0..n-1)
 * the way training on them would, not as a stream: a batch that holds
 * one class (a user's Junk folder) must not erase what earlier batches of
 * the other class taught. The rows are shuffled (a fixed order made from
 * the model's state) together with the messages the model remembers (see
 * spamlr_online_opts.memory) and learned in passes, each message stepped
 * only while it lies inside the margin, until a pass changes nothing (at
 * most 5 passes); then the rows join the memory and the counts. When a
 * class's memory has had to drop messages, each one it keeps stands for
 * the class's messages learned over those kept (at most 8), and its steps
 * are scaled by that: a batch of one class meets the other with the
 * weight it was learned with. The
 * result does not depend on the order of the rows within the call.
 * A model made empty (spamlr_model_create, AdaGrad) whose memory holds
 * every message it learned, and will hold these too (up to
 * spamlr_online_opts.memory of each class), is instead trained on all of
 * them: L2-regularised logistic regression with an unpenalised bias, C
 * chosen on the 3-fold validation path as spamlr_train chooses it, on
 * their tf-idf values under the idf of all of them; its weights and bias
 * are the solution's, its solver state starts again (as a batch-trained
 * model's does). The messages learned in any order and in any split into
 * calls then give the same model (to float rounding): a bootstrap of a
 * folder of each class in turn is training on both. Its solver
 * (spamlr_model_info.solver) is then SPAMLR_SOLVER_TRON, and unlearning
 * rows with spamlr_model_learn_batch_ex (direction -1) trains it again on
 * the messages it still remembers: the model of the others alone.
 * Unlearning a row learned this way (spamlr_model_learn_dataset with
 * direction -1) is approximate and drops it from the memory. A call with
 * one labelled row is one step of spamlr_model_learn_dataset (so that
 * unlearning it is exact). Returns as
 * spamlr_model_learn_dataset. NOT thread-safe. */
SPAMLR_API int spamlr_model_learn_batch(spamlr_model *m, const spamlr_dataset *ds,
                                        const size_t *order, size_t n);

/* The record of learned messages (see spamlr_model_learn) applied to rows:
 * direction +1 learns the labelled rows order[0..n) (order NULL: rows
 * 0..n-1) as spamlr_model_learn_batch does, after leaving out the rows
 * already learned with their label (and repeats of a row within the call)
 * and unlearning those learned with the other class; -1 unlearns each row
 * with the class it was learned as (its label is not used), and
 * SPAMLR_RELEARN relearns as +1 does; with -1 and SPAMLR_RELEARN every
 * row must be in the record, once, else SPAMLR_ENOTFOUND and nothing is
 * changed. outcomes (may be NULL) has one slot per row of ds: each row
 * handled gets a SPAMLR_LEARNED_* value, other slots are left alone.
 * spamlr_model_learn_batch is this with +1 and outcomes NULL;
 * spamlr_model_learn_dataset keeps the record too (its rows one at a
 * time). NOT thread-safe. */
SPAMLR_API int spamlr_model_learn_batch_ex(spamlr_model *m, const spamlr_dataset *ds,
                                           const size_t *order, size_t n, int direction,
                                           int *outcomes);

/* ------------------------------------------- per-user models on a base
 *
 * Many users can share one base model and keep only what their own
 * learning changed: a delta. A user's model is made from the base (a copy,
 * then spamlr_model_learn*), and saved as its difference from the base:
 * the words whose weight or online state differ (sparse: a word's place
 * in the base and its values), the words the base lacks, the bias and
 * metadata, and the user's online memory, record of learned messages,
 * unsure zone and contact list (when it differs from the base's). The
 * delta is a model file (zlib, CRC-32) of format version 3, which older
 * readers refuse as newer; it records the base's file checksum
 * (spamlr_model_file_crc) and vocabulary size, and loading it on any
 * other base is refused (SPAMLR_EINVAL, the diag naming both checksums):
 * the user's changes were learned on top of that base's scores (the
 * thick threshold skipped what the base already knew), so on another
 * base they mean nothing. The base must be the same file, not a retrained
 * one. */

/* Writes m as a delta on base into path, atomically as spamlr_model_save
 * does (symbolic links followed, temporary file, fsync, rename; an
 * existing file is never damaged). base must have been loaded from a file
 * or buffer (its checksum identifies it) and m must extend it: the same
 * text options, bias and idf settings, and base's words first, in base's
 * order (as a model loaded by spamlr_model_load_delta, or a copy of the
 * base, has them), else SPAMLR_EINVAL with the reason in diag. Returns
 * SPAMLR_OK, SPAMLR_EINVAL, SPAMLR_EIO, SPAMLR_ENOMEM. Reads m and base
 * only. spamlr_model_save_delta_buffer gives the bytes instead (*out
 * malloc'ed, free() it). */
SPAMLR_API int spamlr_model_save_delta(const spamlr_model *m, const spamlr_model *base,
                                       const char *path, spamlr_diag *diag);
SPAMLR_API int spamlr_model_save_delta_buffer(const spamlr_model *m, const spamlr_model *base,
                                              unsigned char **out, size_t *size,
                                              spamlr_diag *diag);

/* Loads the user model that the delta file path (or buf[0..size)) holds on
 * base: a new model, base's words with the delta applied, that predicts
 * and learns exactly as the model that was saved. Its base record
 * (spamlr_model_base) names base, and base's weights are its prior: its
 * online learning pulls towards them (see online learning). A user's
 * first model is the delta of base on itself (save base as a delta on
 * base, load that), which has the base as prior from the start. A file holding a whole model (not a
 * delta: a store written before deltas) is loaded as it is, base unused.
 * Returns SPAMLR_OK, SPAMLR_EINVAL (a delta on another base: the diag
 * names the delta's base checksum and this base's), the codes of
 * spamlr_model_load for a damaged file (the diag names the file and what
 * was wrong). base is only read: many threads may load deltas on one
 * base at once. */
SPAMLR_API int spamlr_model_load_delta(spamlr_model **out, const spamlr_model *base,
                                       const char *path, spamlr_diag *diag);
SPAMLR_API int spamlr_model_load_delta_buffer(spamlr_model **out, const spamlr_model *base,
                                              const unsigned char *buf, size_t size,
                                              spamlr_diag *diag);

/* A store user's locked update, as spamlr_model_update for a whole model:
 * takes path's lock, loads the user's delta on base (a missing file: the
 * user's first model, base itself with base as its prior, as an empty
 * delta gives it), calls change(ctx, m), saves m as a delta on base
 * (spamlr_model_save_delta), calls saved(ctx, m) with the lock still held
 * (as in spamlr_model_update), and unlocks. Returns as spamlr_model_update
 * does; SPAMLR_EINVAL also for a NULL base or a delta on another base
 * (diag names both checksums). Thread-safe as spamlr_model_update. */
SPAMLR_API int spamlr_model_update_delta(const char *path, const spamlr_model *base,
                                         spamlr_model_change_fn change,
                                         spamlr_model_change_fn saved, void *ctx,
                                         spamlr_diag *diag);

/* A store of per-user models is a directory DIR holding the base
 * (DIR/base.slr, by convention) and each user's delta in
 * DIR/users/NAME.slr. spamlr_store_user_path gives that file for the user
 * name user[0..len) in *out (malloc'ed, free() it), after checking the
 * name: one file name of 1 to SPAMLR_STORE_USER_MAX bytes (so that
 * NAME.slr.tmp-XXXXXX, the temporary file of the atomic save, and
 * NAME.slr.lock fit in 255), without '/', NUL or other control bytes
 * (below 0x20, 0x7f), not starting with '.' (so no "..", no hidden file).
 * Any other name is SPAMLR_EINVAL with the reason in diag->message ("the
 * user name holds '/' ...") and *out NULL; the name is never used to
 * build a path then. Returns SPAMLR_OK, SPAMLR_EINVAL, SPAMLR_ENOMEM.
 * Thread-safe. */
#define SPAMLR_STORE_USER_MAX 240
SPAMLR_API int spamlr_store_user_path(char **out, const char *dir, const char *user,
                                      size_t len, spamlr_diag *diag);

/* ---------------------------------------------------------------- metrics */

typedef struct spamlr_metrics {
    size_t size;            /* sizeof(spamlr_metrics): SPAMLR_METRICS_INIT */
    size_t n, tp, fp, tn, fn;    /* positive = spam */
    double accuracy, precision, recall, f1, mcc;
    double auc;                  /* ROC AUC, ties counted one half; NaN
                                    (undefined) when the data hold one class */
    double one_minus_auc_pct;    /* (1 - AUC) * 100; NaN with auc */
    double ham_fpr;              /* fp / (fp + tn) */
    double spam_fnr;             /* fn / (fn + tp) */
    double log_loss;             /* mean, natural log, probs clipped to 1e-15 */
    double threshold;
} spamlr_metrics;

/* Metrics of probabilities against labels (SPAMLR_SPAM / SPAMLR_HAM; rows
 * with other labels are skipped) at `threshold` (spam when p >= threshold).
 * Ratios with a zero denominator are 0. out->size must be set
 * (SPAMLR_METRICS_INIT; else SPAMLR_EINVAL). Returns SPAMLR_EEMPTY without
 * labelled rows, SPAMLR_ENOMEM. Thread-safe. */
SPAMLR_API int spamlr_metrics_compute(const int *labels, const double *probs, size_t n,
                                      double threshold, spamlr_metrics *out);

/* The smallest threshold t (spam when p >= t) at which at most a fraction
 * `max_fpr` (0 <= max_fpr < 1) of the ham rows are called spam: with h
 * ham rows, at most floor(max_fpr * h) of them have p >= t. The spam
 * recall at t is then as high as that constraint allows on these data.
 * Rows with labels other than SPAMLR_SPAM / SPAMLR_HAM are skipped.
 * Returns SPAMLR_EEMPTY without ham rows, SPAMLR_EINVAL for bad arguments,
 * SPAMLR_ELIMIT when even t = 1 lets too many ham through (*threshold is
 * then 1), SPAMLR_ENOMEM. Thread-safe. */
SPAMLR_API int spamlr_threshold_for_fpr(const int *labels, const double *probs, size_t n,
                                        double max_fpr, double *threshold);

#ifdef __cplusplus
}
#endif
#endif /* SPAMLR_H */
