# errno.mk — jserrno, the bad-input errno generator (tests/errno/); included by the top Makefile.
ERRNO_SRC := $(wildcard tests/errno/*.c)
ERRNO_OBJ := $(ERRNO_SRC:tests/errno/%.c=$(B)/errno/obj/%.o)
ERRNO_N    ?= 3000
ERRNO_SEED ?=

.PHONY: errno-check errno-fuzz
$(ERRNO_OBJ): $(B)/errno/obj/%.o: tests/errno/%.c tests/errno/args.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/errno/jserrno: $(ERRNO_OBJ)
	$(CC) -o $@ $(ERRNO_OBJ)

# The make check subset (tests/integration/sup_errno.sh runs the same).
errno-check: $(B)/errno/jserrno $(B)/jobshim $(B)/libjobshim.so
	B=$(B) sh tests/integration/sup_errno.sh $(B)

# ERRNO_N random cases from ERRNO_SEED (random unless given; printed), every uid mode.
errno-fuzz: $(B)/errno/jserrno $(B)/jobshim $(B)/libjobshim.so
	@seed='$(ERRNO_SEED)'; [ -n "$$seed" ] || seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	echo "errno-fuzz: seed $$seed, $(ERRNO_N) cases (again: make errno-fuzz ERRNO_SEED=$$seed)"; \
	B=$(B) sh tests/errno/run.sh random $$seed $(ERRNO_N)
