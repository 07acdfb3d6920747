# jobshim — build, test, benchmark.  `make demo` and `make check` do their own set-up.
CC      ?= cc
PREFIX  ?= /usr/local
B       := build
WERROR  ?= 0

WARN    := -Wall -Wextra -Wshadow -Wformat=2
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 $(WARN) -D_GNU_SOURCE -MMD -MP -DJOBSHIM_PREFIX=\"$(PREFIX)\"
CHECK_FLAGS = $(shell pkg-config --cflags --libs check 2>/dev/null || echo -lcheck)

CORE_SRC := $(wildcard core/*.c)
SHIM_SRC := $(wildcard shim/*.c) core/proto.c core/corename.c
SHIM_ASM := $(wildcard shim/*.S)
SUP_SRC  := $(wildcard supervisor/*.c supervisor/view/*.c)
UNIT_SRC := $(filter-out tests/unit/%_lib.c,$(wildcard tests/unit/test_*.c))
ITEST_SRC := $(wildcard tests/integration/*.c)
BENCH_SRC := $(wildcard bench/*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
SHIM_OBJ := $(SHIM_SRC:%.c=$(B)/pic/%.o) $(SHIM_ASM:%.S=$(B)/pic/%.o)
SUP_OBJ  := $(SUP_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
ITEST_BIN := $(ITEST_SRC:tests/integration/%.c=$(B)/itest/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

CORE_LIB := $(B)/libjobshim-core.a
SHIM_LIB := $(B)/libjobshim.so
JOBSHIM  := $(B)/jobshim
# posix_spawn's way to a filtered image (shim/spawn.c), beside the shim.
SPAWN_EXEC := $(B)/jobshim-exec
DEPS_OK  := $(B)/.deps-ok

.PHONY: all deps check unit itest sanitize bench demo install clean
all: $(DEPS_OK) $(CORE_LIB) $(SHIM_LIB) $(JOBSHIM) $(SPAWN_EXEC) $(UNIT_BIN) $(ITEST_BIN) $(BENCH_BIN) diff $(B)/errno/jserrno

# Debian packages, installed once per machine (scripts/deps.sh is idempotent).
deps $(DEPS_OK):
	@sh scripts/deps.sh
	@mkdir -p $(B) && touch $(DEPS_OK)

$(B)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/pic/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(B)/gen -fPIC -fvisibility=hidden -ffunction-sections -c $< -o $@

# The interposed names as a C table (shim/elfscan.c), from the version script
# itself so that they never drift (tests/integration/sup_ownnames.sh).
OWN_NAMES_H := $(B)/gen/own_names.h
$(OWN_NAMES_H): shim/libjobshim.map scripts/ownnames.sh
	@mkdir -p $(dir $@)
	sh scripts/ownnames.sh shim/libjobshim.map >$@.tmp && mv $@.tmp $@
$(B)/pic/shim/elfscan.o $(B)/pic/shim/imgcache.o: $(OWN_NAMES_H)

# The timeline page of `jobshim view`, built into the binary from its
# readable sources in supervisor/view/ (scripts/embed.sh: od, no new tool).
VIEW_PAGE_H := $(B)/gen/view_page.h
VIEW_JS := $(addprefix supervisor/view/timeline_,model.js draw.js ui.js)
$(VIEW_PAGE_H): supervisor/view/timeline.html supervisor/view/timeline.css $(VIEW_JS) scripts/embed.sh
	@mkdir -p $(dir $@)
	{ sh scripts/embed.sh view_html supervisor/view/timeline.html && \
	  sh scripts/embed.sh view_css supervisor/view/timeline.css && \
	  sh scripts/embed.sh view_js $(VIEW_JS); } >$@.tmp && mv $@.tmp $@
$(B)/supervisor/view/view.o: $(VIEW_PAGE_H)
$(B)/supervisor/view/view.o: override CFLAGS += -I$(B)/gen

$(B)/pic/%.o: %.S | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -fPIC -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The shim links only libc: every extra library would be loaded by every exec.
# -z noseparate-code: two loadable segments instead of four (headers and
# read-only data share the text's pages), two mmaps fewer in every image
# the shim is loaded in: 5-6 µs of the 30 µs the shim's load costs more
# than an empty library's (/bin/true spawned 2000 times, 4 Dec 2026).
# Placed on a 64 KiB boundary (scripts/elf-align.sh), with the code a fork
# child runs in its first 64 KiB (shim/hot_text.ld).
$(SHIM_LIB): $(SHIM_OBJ) shim/libjobshim.map shim/hot.ld shim/hot_text.ld scripts/elf-align.sh
	$(CC) -shared -fPIC -Wl,--version-script=shim/libjobshim.map -Wl,-z,now -Wl,-z,noseparate-code -Wl,-T,shim/hot.ld -Wl,-T,shim/hot_text.ld -o $@.tmp $(SHIM_OBJ)
	sh scripts/elf-align.sh $@.tmp 65536
	mv -f $@.tmp $@

$(SPAWN_EXEC): shim/tramp/jobshim-exec.c | $(DEPS_OK)
	$(CC) $(CFLAGS) $< -o $@

$(JOBSHIM): $(SUP_OBJ) $(CORE_LIB)
	$(CC) $(CFLAGS) -o $@ $(SUP_OBJ) $(CORE_LIB)

$(B)/tests/%: tests/unit/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icore $< $(wildcard tests/unit/*_lib.c) $(CORE_LIB) $(CHECK_FLAGS) -o $@

$(B)/itest/%: tests/integration/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@

# Reads and forges decision-cache entries with the shim's own table code.
$(B)/itest/imgcache_tool: tests/integration/imgcache_tool.c shim/imgcache.c $(OWN_NAMES_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(B)/gen $< shim/imgcache.c -o $@

# Asks the kernel who gets the orphan rule's SIGHUP, with the supervisor's own probe.
$(B)/itest/orphan_rule: tests/integration/orphan_rule.c supervisor/kernrule.c supervisor/kernrule.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< supervisor/kernrule.c -o $@

$(B)/bench/%: bench/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icore $< $(CORE_LIB) -o $@

# The test command of the README: unit suites, then integration tests.
check: all
	@sh scripts/check.sh $(B)

unit: all
	@sh scripts/check.sh $(B) unit

itest: all
	@sh scripts/check.sh $(B) integration

# Unit tests again under ASan and UBSan, in a separate build tree.
sanitize: $(DEPS_OK)
	$(MAKE) B=$(B)/san CC=clang WERROR=$(WERROR) \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		$(B)/san/libjobshim-core.a $(UNIT_SRC:tests/unit/%.c=$(B)/san/tests/%)
	@sh scripts/check.sh $(B)/san unit

bench: all
	@sh scripts/bench.sh $(B)

# The main job: build everything and show the engine at work on real processes.
demo: all
	@sh scripts/demo.sh $(B)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/jobshim
	install -m 755 $(JOBSHIM) $(DESTDIR)$(PREFIX)/bin/jobshim
	install -m 644 $(SHIM_LIB) $(DESTDIR)$(PREFIX)/lib/jobshim/libjobshim.so
	install -m 755 $(SPAWN_EXEC) $(DESTDIR)$(PREFIX)/lib/jobshim/jobshim-exec
	if [ -f docs/jobshim.1 ]; then install -d $(DESTDIR)$(PREFIX)/share/man/man1 && \
		install -m 644 docs/jobshim.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

clean:
	rm -rf $(B)

# Our dependency files only: the third-party trees fetched into $(B) (the
# suites of tests/ltp, tests/bash, tests/shells) have files named *.d of
# their own (zsh's completion function _invoke-rc.d).
-include $(shell find $(B) \( -name '*-src' -o -name 'ltp-*' -o -name '*-out' \) -prune -o -name '*.d' -print 2>/dev/null)

# Differential testing against Linux (tests/diff/): diff-fuzz, diff-corpus.
-include tests/diff/diff.mk

# Bad input, errno by errno, native vs jobshim (tests/errno/): errno-check, errno-fuzz.
-include tests/errno/errno.mk

# Protocol fuzzing (tests/fuzz/): make fuzz [SECONDS=60], fuzz-replay.
-include tests/fuzz/fuzz.mk

# LTP's process and signal tests, natively vs under jobshim (tests/ltp/README.md); not part of
# `make check`.  `make ltp` fetches (a local mirror or github) and builds the subset into
# $(B)/ltp-src and $(B)/ltp-posix, then runs it: LTP_JOBS parallel tests, LTP_TESTS a selection;
# LTP_ALL=1 builds every syscall directory and open_posix interface (about 3,100 tests).
LTP_JOBS ?= 2
LTP_TESTS ?=
.PHONY: ltp ltp-build ltp-tree
ltp-build:
	LTP=1 sh scripts/deps.sh
	sh tests/ltp/build.sh $(B)
ltp: all ltp-build
	B=$(B) bash tests/ltp/run.sh -j $(LTP_JOBS) $(LTP_TESTS)
# The same list as a harness runs it: one process tree natively, one `jobshim run` (tests/ltp/tree.sh).
ltp-tree: all ltp-build
	B=$(B) bash tests/ltp/tree.sh -j $(LTP_JOBS) $(LTP_TESTS)

# bash's own test suite, natively vs under jobshim (tests/bash/README.md); not part of
# `make check`.  `make bash-suite` fetches (a local mirror or github) and builds bash into
# $(B)/bash-src, then runs its tests: BASH_JOBS parallel tests, BASH_TESTS a selection.
BASH_JOBS ?= 1
BASH_TESTS ?=
.PHONY: bash-suite bash-suite-build
bash-suite-build:
	LTP=1 sh scripts/deps.sh
	sh tests/bash/build.sh $(B)
bash-suite: all bash-suite-build
	B=$(B) bash tests/bash/run.sh -j $(BASH_JOBS) $(BASH_TESTS)

# The test suites of zsh, mksh, ksh93, yash, fish and GNU make, natively vs under
# jobshim (tests/shells/README.md); not part of `make check`.  `make shells-suite`
# installs the shells, fetches the suites of Debian 12's versions (a local mirror or
# github) into $(B)/shells-src and runs them: SHELLS_JOBS at a time, SHELLS_TESTS a
# selection (zsh, zsh:W02jobs, mksh, ksh93:sigchld, yash:sigtstp3-p, fish:pexpects/fg, make).
SHELLS_JOBS ?= 2
SHELLS_TESTS ?=
.PHONY: shells-suite shells-suite-build
shells-suite-build:
	SHELLS=1 sh scripts/deps.sh
	sh tests/shells/build.sh $(B)
shells-suite: all shells-suite-build
	B=$(B) bash tests/shells/run.sh -j $(SHELLS_JOBS) $(SHELLS_TESTS)

# GNU coreutils' own test suite (9.1, Debian 12's upstream tarball), natively vs under
# jobshim (tests/coreutils/README.md); not part of `make check`.  `make coreutils-suite`
# fetches and builds it into $(B)/coreutils-src and runs `make check` both ways:
# COREUTILS_USER=nobody as that user, COREUTILS_EXPENSIVE=1 with the expensive tests.
.PHONY: coreutils-suite coreutils-suite-build
coreutils-suite-build:
	COREUTILS=1 sh scripts/deps.sh
	sh tests/coreutils/build.sh $(B)
coreutils-suite: all coreutils-suite-build
	B=$(B) bash tests/coreutils/run.sh

# The Go standard library's process and signal tests (os/exec, os/signal, syscall, os, runtime),
# built with the installed Go, cgo and static, natively vs under jobshim
# (tests/go/README.md); not part of `make check`.  GO_JOBS at a time, GO_TESTS a
# selection (static, cgo+tty, syscall, static:os/exec).
GO_JOBS ?= 2
GO_TESTS ?=
.PHONY: go-suite go-suite-build
go-suite-build:
	sh scripts/deps.sh
	sh tests/go/build.sh $(B)
go-suite: all go-suite-build
	B=$(B) bash tests/go/run.sh -j $(GO_JOBS) $(GO_TESTS)

# Node.js's own tests (Debian 12's nodejs 18.20.4 sources) with the installed node,
# natively vs under jobshim (tests/node/README.md); not part of `make check`.
# NODE_JOBS at a time; NODE_TESTS a selection (child-process,
# parallel/test-process-kill-pid.js, all).
NODE_JOBS ?= 2
NODE_TESTS ?=
.PHONY: node-suite node-suite-build
node-suite-build:
	NODE=1 sh scripts/deps.sh
	sh tests/node/build.sh $(B)
node-suite: all node-suite-build
	B=$(B) bash tests/node/run.sh -j $(NODE_JOBS) $(NODE_TESTS)
