# diff.mk — the differential test tool (tests/diff/README.md); included by the top Makefile.
# Uses the top Makefile's $(B) $(CC) $(CFLAGS).
DIFF_FFI  = $(shell pkg-config --cflags --libs libffi 2>/dev/null || echo -lffi)
DIFF_SRC := $(filter-out tests/diff/jsgen.c,$(wildcard tests/diff/*.c))
DIFF_OBJ := $(DIFF_SRC:tests/diff/%.c=$(B)/diff/obj/%.o)
DIFF_RUN  = B=$(B) tests/diff/run.sh

N    ?= 10000
SEED ?= 1

.PHONY: diff diff-fuzz diff-corpus
diff: $(B)/diff/jsdiff $(B)/diff/jsgen

$(DIFF_OBJ): $(B)/diff/obj/%.o: tests/diff/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags libffi 2>/dev/null) -c $< -o $@

$(B)/diff/jsdiff: $(DIFF_OBJ)
	$(CC) -o $@ $(DIFF_OBJ) $(DIFF_FFI) -ldl

$(B)/diff/jsgen: tests/diff/jsgen.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@

# Every hand-written scenario, natively and under jobshim; fails on any disagreement.
diff-corpus: $(B)/diff/jsdiff $(B)/jobshim $(B)/libjobshim.so $(B)/itest/pidpush
	$(DIFF_RUN) tests/diff/corpus/*.scn

# N random scenarios from SEED; failing ones are kept in $(B)/diff/fail/.
diff-fuzz: $(B)/diff/jsdiff $(B)/diff/jsgen $(B)/jobshim $(B)/libjobshim.so $(B)/itest/pidpush
	B=$(B) tests/diff/fuzz.sh $(N) $(SEED)
