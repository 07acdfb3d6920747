/* wordscan.h — strlen and memchr(s, 0, n) a word at a time, without libc, for the environment of every child about to exec. */
#ifndef JOBSHIM_WORDSCAN_H
#define JOBSHIM_WORDSCAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * They read the environment of every shell child about to exec (env.c,
 * uaccess.c), where libc's would fault its pages in (the child has not
 * run them), and where a byte loop was 5 µs of a 1.5 KB environment.
 * Each load is of an aligned word, so it never crosses into the next
 * page: what is read beyond the string is on a page the string is on
 * (hence no_sanitize: those bytes are outside the object).  Little-endian.
 */
typedef uint64_t __attribute__((may_alias)) wordscan_word;

/* The first zero byte of the aligned word at wa at or after `from`, or
 * NULL.  (x - 0x01..) & ~x & 0x80.. marks every zero byte exactly up to
 * the first one (a borrow can mark later bytes only). */
static inline __attribute__((always_inline, no_sanitize_address)) const char *
wordscan_nul(uintptr_t wa, uintptr_t from)
{
	uint64_t x = *(const wordscan_word *)wa, z;

	if (wa < from) /* the bytes before the string: not zero */
		x |= ((uint64_t)1 << ((from - wa) * 8)) - 1;
	z = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
	return z != 0 ? (const char *)(wa + ((unsigned)__builtin_ctzll(z) >> 3)) : NULL;
}

/* memchr(s, 0, n) for s + n at most the end of s's page. */
static inline __attribute__((no_sanitize_address)) const char *shim_memnul(const char *s, size_t n)
{
	uintptr_t from = (uintptr_t)s, end = from + n;

	for (uintptr_t wa = from & ~(uintptr_t)7; wa < end; wa += 8) {
		const char *nul = wordscan_nul(wa, from);
		if (nul != NULL)
			return (uintptr_t)nul < end ? nul : NULL;
	}
	return NULL;
}

static inline __attribute__((no_sanitize_address)) size_t shim_strlen(const char *s)
{
	uintptr_t from = (uintptr_t)s;

	for (uintptr_t wa = from & ~(uintptr_t)7;; wa += 8) {
		const char *nul = wordscan_nul(wa, from);
		if (nul != NULL)
			return (size_t)(nul - s);
	}
}

#endif
