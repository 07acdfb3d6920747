# fuzz.mk — the supervisor's protocol fuzz target (tests/fuzz/); included by the top Makefile
# after its variables (uses $(B) $(CC) $(CFLAGS) $(SUP_OBJ) $(CORE_LIB) $(CORE_SRC)).
#
#   make fuzz [SECONDS=60]  libFuzzer (clang, ASan+UBSan) for SECONDS; new inputs go to
#                           $(B)/fuzz/corpus, crashes to $(B)/fuzz/crash-*
#   make fuzz-replay        the replay driver (gcc, no libFuzzer), built by `all`; it runs
#                           tests/fuzz/regress/ and tests/fuzz/seeds/ in `make check`
#                           (tests/integration/sup_fuzz_regress.sh)
FUZZ_CC     ?= clang
SECONDS     ?= 60
FUZZ_FLAGS  ?= -max_len=4096
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_REPLAY := $(B)/fuzz/fuzz_replay
FUZZ_BIN    := $(B)/fuzz/fuzz_dispatch
FUZZ_ALL    := $(FUZZ_REPLAY)

# The handlers under test: every supervisor file but main.c (libFuzzer has
# its main) and sysio.c (replaced by the fake kernel).
FUZZ_SUP_SRC := $(filter-out supervisor/main.c supervisor/sysio.c,$(wildcard supervisor/*.c))
FUZZ_TEST_SRC := tests/fuzz/fuzz_dispatch.c tests/fuzz/fake_sysio.c

.PHONY: fuzz fuzz-replay
all: $(FUZZ_REPLAY)
fuzz-replay: $(FUZZ_REPLAY)

# ---- replay driver: the production objects + the harness, built with $(CC)
FUZZ_REPLAY_OBJ := $(FUZZ_SUP_SRC:%.c=$(B)/%.o) \
	$(FUZZ_TEST_SRC:tests/fuzz/%.c=$(B)/fuzz/obj/%.o) $(B)/fuzz/obj/replay.o

$(B)/fuzz/obj/%.o: tests/fuzz/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(FUZZ_REPLAY): $(FUZZ_REPLAY_OBJ) $(CORE_LIB)
	$(CC) $(CFLAGS) -o $@ $(FUZZ_REPLAY_OBJ) $(CORE_LIB)

# ---- libFuzzer build: everything again with clang and the sanitizers
FUZZ_LF_OBJ := $(patsubst %.c,$(B)/fuzz/lf/%.o,$(CORE_SRC) $(FUZZ_SUP_SRC) $(FUZZ_TEST_SRC))

$(B)/fuzz/lf/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BIN): $(FUZZ_LF_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(FUZZ_LF_OBJ)

fuzz: $(FUZZ_BIN)
	@mkdir -p $(B)/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(SECONDS) -artifact_prefix=$(B)/fuzz/ $(FUZZ_FLAGS) \
		$(B)/fuzz/corpus tests/fuzz/seeds tests/fuzz/regress
