# libspamlr - Makefile (GNU make)
#   make            library (static + shared) and the spamlr CLI
#   make check      the whole test suite (installs build deps when root)
#   make demo       fetch the SpamAssassin corpus, train, evaluate, inspect
#   make bench      benchmarks against peers (prints; never fails)
#   make accuracy   quality on fixed splits beside the peers (prints; never fails)
#   make bench-predict  messages/s and latency of one-message prediction
#   make lib-predict  the prediction-only static library (no lib/learn)
#   make install    PREFIX=/usr/local DESTDIR= (also the man pages, under MANDIR)
#   make check SANITIZE=address,undefined   (built in build-san-address-undefined/)
#   make check-valgrind  unit suites under valgrind (leaks, invalid reads)
#   make check-tsan      the threaded prediction, reading and training tests under ThreadSanitizer
#   make fuzz            libFuzzer targets (clang) in $(FUZZ_B)/fuzz/

CC      ?= cc
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin
PCDIR   ?= $(LIBDIR)/pkgconfig
MANDIR  ?= $(PREFIX)/share/man
MAN_PAGES := cli/spamlr.1 include/libspamlr.3 cli/spamlr.5
DESTDIR ?=
# MPI=1: also `spamlr train --mpi` (Open MPI, found through mpicc or
# pkg-config ompi); built into build-mpi/ unless B is given.
ifeq ($(MPI),1)
B       ?= build-mpi
MPI_CFLAGS := $(shell mpicc --showme:compile 2>/dev/null || pkg-config --cflags ompi 2>/dev/null)
MPI_LIBS   := $(shell mpicc --showme:link 2>/dev/null || pkg-config --libs ompi 2>/dev/null)
ifeq ($(strip $(MPI_LIBS)),)
$(error MPI=1: neither mpicc nor pkg-config ompi found; apt-get install libopenmpi-dev openmpi-bin)
endif
endif
# A sanitizer build has a folder of its own (build-san-address-undefined
# for SANITIZE=address,undefined) unless B is given, so that it never
# reuses, nor is taken for, the plain build in build/.
comma   := ,
ifneq ($(SANITIZE),)
B       ?= build-san-$(subst $(comma),-,$(SANITIZE))
endif
B       ?= build
V       ?= 0
ifeq ($(V),0)
Q := @
endif

VMAJOR := $(shell sed -n 's/^\#define SPAMLR_VERSION_MAJOR \([0-9]*\)/\1/p' include/spamlr.h)
VMINOR := $(shell sed -n 's/^\#define SPAMLR_VERSION_MINOR \([0-9]*\)/\1/p' include/spamlr.h)
VPATCH := $(shell sed -n 's/^\#define SPAMLR_VERSION_PATCH \([0-9]*\)/\1/p' include/spamlr.h)
VERSION := $(VMAJOR).$(VMINOR).$(VPATCH)
# The soname names the ABI. From 1.0 it is the major version; before it
# (0.x) a minor release may break the ABI, so the soname holds major and
# minor: libspamlr.so.0.3 (0.1 and 0.2 shared libspamlr.so.0).
ifeq ($(VMAJOR),0)
SONAME  := libspamlr.so.$(VMAJOR).$(VMINOR)
else
SONAME  := libspamlr.so.$(VMAJOR)
endif

CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
ifneq ($(SANITIZE),)
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
# undefined behaviour stops the program (exit status, not a line in a log
# nobody reads): the shell tests capture spamlr's standard error
ifneq ($(findstring undefined,$(SANITIZE)),)
SANFLAGS += -fno-sanitize-recover=undefined
endif
endif
ALL_CPPFLAGS := -Iinclude -Ilib $(CPPFLAGS)
ALL_CFLAGS   := $(WARN) -fPIC -fvisibility=hidden $(CFLAGS) $(SANFLAGS)
ALL_LDFLAGS  := $(LDFLAGS) $(SANFLAGS)
LIBS         := -lutf8proc -ldeflate -lz -lm -lpthread

ifeq ($(MPI),1)
# the MPI headers are not ours to hold to our warnings
ALL_CPPFLAGS += -DSPAMLR_WITH_MPI $(patsubst -I%,-isystem %,$(MPI_CFLAGS))
LIBS         += $(MPI_LIBS)
endif

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

# lib/ is one folder a layer (lib/README.md); sources are found by folder.
LIB_DIRS := common kernels text mail data model learn
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.c))
LIB_HDR  := $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.h))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)

STATIC := $(B)/libspamlr.a
# The prediction-only library: every layer but lib/learn (solvers, thread
# pool, regularisation path, CV, metrics, online learning, MPI) -- what
# loads, saves, tokenises, decodes mail, scores and explains.
PREDICT_DIRS := common kernels text mail data model
PREDICT_OBJ  := $(foreach d,$(PREDICT_DIRS),$(filter $(B)/lib/$(d)/%,$(LIB_OBJ)))
PREDICT      := $(B)/libspamlr-predict.a
SHARED := $(B)/libspamlr.so.$(VERSION)
CLI    := $(B)/spamlr

.PHONY: FORCE all lib lib-predict cli check test-man test-layers test-unit test-cli test-build test-integration demo bench accuracy bench-predict \
        install uninstall clean deps corpus fuzz fuzz-bins test-fuzz-replay test-robust \
        check-valgrind check-tsan check-mpi
.DELETE_ON_ERROR:

all: lib cli
lib: $(STATIC) $(SHARED)
cli: $(CLI)
lib-predict: $(PREDICT)

# Per-ISA files (lib/kernels/kernels_<isa>.c, lib/text/scan_<isa>.c) get
# their own flags; everything else stays baseline.
$(B)/lib/%_sse2.o: KFLAGS := -msse2
$(B)/lib/%_avx2.o: KFLAGS := -mavx2 -mfma
$(B)/lib/%_avx512.o: KFLAGS := -mavx512f -mavx512bw -mavx512vl -mavx2 -mfma

$(B)/%.o: %.c include/spamlr.h $(LIB_HDR) $(wildcard cli/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(KFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(AR) rcs $@ $^

$(PREDICT): $(PREDICT_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(AR) rcs $@ $^

$(SHARED): $(LIB_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
	$(Q)ln -sf libspamlr.so.$(VERSION) $(B)/$(SONAME)
	$(Q)ln -sf libspamlr.so.$(VERSION) $(B)/libspamlr.so

$(CLI): $(CLI_OBJ) $(STATIC)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(LIBS)

# Unit suites link the static library, so they can reach private helpers.
$(B)/tests/%: tests/%.c $(STATIC) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(CHECK_CFLAGS) $(ALL_CFLAGS) -Itests $< -o $@ $(STATIC) \
	    $(ALL_LDFLAGS) $(CHECK_LIBS) $(LIBS)

# spamlr.pc names the directories relative to ${prefix} where they lie
# under it, and is written again whenever PREFIX, LIBDIR or INCDIR differ
# from the last time ($(B)/pc-dirs remembers them), so that `make install
# PREFIX=/x` after a default build installs a .pc for /x.
PC_DIRS := $(PREFIX) $(LIBDIR) $(INCDIR)
PC_LIBDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCDIR))

$(B)/pc-dirs: FORCE
	@mkdir -p $(B)
	@echo '$(PC_DIRS)' | cmp -s - $@ || echo '$(PC_DIRS)' > $@

FORCE:

$(B)/spamlr.pc: Makefile include/spamlr.h $(B)/pc-dirs
	@mkdir -p $(B)
	$(Q)printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(PC_LIBDIR)' 'includedir=$(PC_INCDIR)' '' \
	  'Name: spamlr' 'Description: logistic-regression spam filter with visible parameters' \
	  'Version: $(VERSION)' 'Libs: -L$${libdir} -lspamlr' 'Libs.private: -lutf8proc -ldeflate -lz -lm -lpthread' \
	  'Cflags: -I$${includedir}' > $@

deps:
	@sh tests/deps.sh

check: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(REPLAY_BIN) $(SHIM)
	@$(MAKE) --no-print-directory test-layers test-unit test-cli test-fuzz-replay test-robust \
	    test-build test-man test-integration

# The man pages: mandoc -Tlint (or groff's warnings) must find nothing.
test-man:
	@sh tests/man.sh $(MAN_PAGES)

# The layout: includes and calls between lib/ files follow the layers.
test-layers: $(LIB_OBJ)
	@sh tests/layers.sh $(B)

# SPAMLR_TEST_CLI: test_lock runs `spamlr learn` beside the library's writers.
test-unit: $(TEST_BIN) $(CLI)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; CK_DEFAULT_TIMEOUT=120 SPAMLR_TEST_DATA=data \
	    SPAMLR_TEST_CLI=$(abspath $(CLI)) $$t || fail=1; \
	done; exit $$fail

test-cli: $(CLI)
	@sh tests/cli.sh $(CLI)
	@sh tests/cli_inspect.sh $(CLI)
	@sh tests/cli_online.sh $(CLI)
	@sh tests/serve.sh $(CLI)
	@sh tests/cli_mail.sh $(CLI)
	@sh tests/cli_html.sh $(CLI)
	@sh tests/cli_rules.sh $(CLI)
	@sh tests/cli_contacts.sh $(CLI)
	@sh tests/store.sh $(CLI)
	@sh tests/syscalls.sh $(CLI)

test-build: $(B)/spamlr.pc lib $(PREDICT) $(CLI)
	@sh tests/build.sh "$(CC) $(SANFLAGS)" "$(MAKE) B=$(B)"
	@sh tests/predict_only.sh "$(CC) $(SANFLAGS)" $(PREDICT) $(CLI)

test-integration: $(CLI)
	@sh tests/integration.sh $(CLI)

# ---------------------------------------------------------- robustness
# Fuzz targets (tests/fuzz/fuzz_*.c, libFuzzer entry points). `make fuzz`
# builds them with clang, libFuzzer, ASan and UBSan in $(FUZZ_B); `make
# check` links each with tests/fuzz/replay.c instead (any compiler) and
# runs its seed corpus tests/fuzz/corpus/<target>/.
FUZZ_CC    ?= clang
FUZZ_B     ?= build-fuzz
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
REPLAY_BIN := $(FUZZ_NAMES:%=$(B)/fuzz-replay/%)
FUZZ_BIN   := $(FUZZ_NAMES:%=$(B)/fuzz/%)

$(B)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(STATIC)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Itests/fuzz $< tests/fuzz/replay.c -o $@ \
	    $(filter %.o,$^) $(STATIC) $(ALL_LDFLAGS) $(LIBS)

$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(STATIC)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Itests/fuzz $< -o $@ $(filter %.o,$^) $(STATIC) \
	    $(ALL_LDFLAGS) -fsanitize=fuzzer $(LIBS)

# fuzz_spamd reaches into cli/: the request parser of `spamlr serve`.
$(B)/fuzz-replay/fuzz_spamd $(B)/fuzz/fuzz_spamd: $(B)/cli/spamd.o $(B)/cli/mailhdr.o

fuzz:
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) SANITIZE=address,undefined \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link -fno-sanitize-recover=all" fuzz-bins
	@echo "fuzz targets in $(FUZZ_B)/fuzz/; run e.g. $(FUZZ_B)/fuzz/fuzz_mime" \
	    "-jobs=1 tests/fuzz/corpus/fuzz_mime (see tests/fuzz/README.md)"

fuzz-bins: $(FUZZ_BIN)

# fuzz_predict also reads fuzz_mime's mails (tests/fuzz/README.md).
test-fuzz-replay: $(REPLAY_BIN)
	@fail=0; for n in $(FUZZ_NAMES); do \
	  extra=; [ $$n = fuzz_predict ] && extra=tests/fuzz/corpus/fuzz_mime; \
	  $(B)/fuzz-replay/$$n tests/fuzz/corpus/$$n $$extra || fail=1; \
	done; exit $$fail

# The fault-injection shim of tests/faults.sh: LD_PRELOADed into the CLI,
# so built without the sanitizers (it only counts calls).
SHIM := $(B)/tests/faultshim.so
$(SHIM): tests/faultshim.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared $(CFLAGS) $< -o $@ -ldl

# Crash-safety, limits, fault injection and the bad-input catalogue
# (tests/README.md).
test-robust: $(CLI) $(SHIM)
	@sh tests/badinput.sh $(CLI)
	@sh tests/writes.sh $(CLI)
	@sh tests/faults.sh $(CLI) $(SHIM)
	@sh tests/crashsafe.sh $(CLI) 24

# The unit suites under valgrind (no fork, so leaks are seen per binary).
check-valgrind: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== valgrind $$t"; CK_FORK=no CK_DEFAULT_TIMEOUT=1200 SPAMLR_TEST_DATA=data \
	    SPAMLR_TEST_VALGRIND=1 valgrind -q --error-exitcode=1 --leak-check=full \
	    --suppressions=tests/valgrind.supp \
	    --errors-for-leak-kinds=definite,indirect $$t || fail=1; \
	done; exit $$fail

# Threaded prediction on one shared model, threaded reading and training,
# and models saved and loaded meanwhile, under ThreadSanitizer.
TSAN_B ?= build-tsan
check-tsan:
	@$(MAKE) --no-print-directory B=$(TSAN_B) SANITIZE=thread CFLAGS="-O1 -g" \
	    $(TSAN_B)/tests/test_concurrency $(TSAN_B)/tests/test_dataset $(TSAN_B)/tests/test_cancel \
	    $(TSAN_B)/tests/test_model
	CK_FORK=no TSAN_OPTIONS="halt_on_error=1 exitcode=66" SPAMLR_TEST_DATA=data \
	    $(TSAN_B)/tests/test_concurrency
	CK_FORK=no TSAN_OPTIONS="halt_on_error=1 exitcode=66" SPAMLR_TEST_DATA=data \
	    $(TSAN_B)/tests/test_dataset
	CK_FORK=no TSAN_OPTIONS="halt_on_error=1 exitcode=66" SPAMLR_TEST_DATA=data \
	    $(TSAN_B)/tests/test_cancel
	CK_FORK=no CK_RUN_CASE=large TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
	    $(TSAN_B)/tests/test_model

# Data-parallel training agrees with one process (needs Open MPI).
check-mpi:
	@$(MAKE) --no-print-directory MPI=1 B=build-mpi all
	@sh tests/mpi.sh build-mpi/spamlr

corpus:
	@sh data/get-spamassassin.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@SPAMLR_DEMO_DIR=$(abspath $(B))/demo sh data/demo.sh $(CLI)

# Benchmark helpers (tests/bench/*.c) link the static library.
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)

$(B)/bench/%: tests/bench/%.c tests/bench/bench.h $(STATIC)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(STATIC) $(ALL_LDFLAGS) $(LIBS)

bench: all $(BENCH_BIN)
	@sh tests/bench/run.sh $(CLI) $(B)/bench || true
	@sh tests/bench/quality.sh $(CLI) $(B)/bench || true
	@sh tests/bench/serve_bench.sh $(CLI) $(B)/bench || true

# Quality on fixed splits beside bogofilter, scikit-learn and the byte-4-gram
# online filter (prints; never fails).
accuracy: all $(BENCH_BIN)
	@sh tests/bench/quality.sh $(CLI) $(B)/bench || true
	@sh tests/bench/transfer.sh $(CLI) || true
	@sh tests/bench/contacts.sh $(CLI) || true

# Prediction speed on the SpamAssassin test split, with a model trained on
# the train split (prints; never fails).
bench-predict: all $(B)/tests/bench/bench_predict
	@sh data/get-spamassassin.sh >/dev/null 2>&1 && \
	  $(CLI) train -q -o $(B)/bench-sa.slr --index data/spamassassin/train.idx && \
	  $(B)/tests/bench/bench_predict $(B)/bench-sa.slr data/spamassassin/test.idx \
	    $$(nproc 2>/dev/null || echo 2) 5 || true

install: lib $(CLI) $(B)/spamlr.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PCDIR)
	install -m 644 include/spamlr.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf libspamlr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf libspamlr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libspamlr.so
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	install -m 644 $(B)/spamlr.pc $(DESTDIR)$(PCDIR)/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5
	install -m 644 cli/spamlr.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 include/libspamlr.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 cli/spamlr.5 $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(INCDIR)/spamlr.h $(DESTDIR)$(LIBDIR)/libspamlr.a \
	  $(DESTDIR)$(LIBDIR)/libspamlr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libspamlr.so $(DESTDIR)$(BINDIR)/spamlr $(DESTDIR)$(PCDIR)/spamlr.pc \
	  $(DESTDIR)$(MANDIR)/man1/spamlr.1 $(DESTDIR)$(MANDIR)/man3/libspamlr.3 \
	  $(DESTDIR)$(MANDIR)/man5/spamlr.5

clean:
	rm -rf $(B)
