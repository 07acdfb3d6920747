/* imgcache.c — the image decision cache's table: open addressing over the mapped file, lock-free slots. */
#include "imgcache.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "own_names.h" /* generated: OWN_NAMES_SUM */

/*
 * A slot is one cache line: the checksum word, then the six key words and
 * the verdict.  tag == 0 means empty; otherwise it must equal slot_sum() of
 * the other seven words or the slot is ignored.  A key lives in one of
 * IC_PROBES consecutive slots from the home slot of its (st_dev, st_ino),
 * so that a new version of a file lands where the old one was and
 * replaces it.
 */
struct slot {
	_Atomic uint64_t tag;
	_Atomic uint64_t w[7]; /* key words 0..5, verdict */
};
_Static_assert(sizeof(struct slot) == 64, "a slot is one cache line");

#define IC_NSLOTS (IMGCACHE_SIZE / sizeof(struct slot))
#define IC_PROBES 4
#define IC_VERDICT 6
_Static_assert((IC_NSLOTS & (IC_NSLOTS - 1)) == 0, "a power of two");

/* The rules the verdicts were made with: another shim's entries differ. */
#define IC_SEED (0x6a6f627368696d00ull ^ ((uint64_t)IMGCACHE_VERSION << 32) ^ OWN_NAMES_SUM)

/* A 64-bit mixer (the splitmix64 finaliser): every input bit reaches every
 * output bit, so a garbage or torn slot matches its tag with probability
 * about 2^-64. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t slot_sum(const uint64_t w[7])
{
	uint64_t h = IC_SEED;

	for (int i = 0; i < 7; i++)
		h = mix(h ^ w[i]);
	return h != 0 ? h : 1; /* 0 is "empty" */
}

void imgcache_key_of(struct imgcache_key *k, const struct stat *st)
{
	k->w[0] = (uint64_t)st->st_dev;
	k->w[1] = (uint64_t)st->st_ino;
	k->w[2] = (uint64_t)st->st_size;
	k->w[3] = (uint64_t)st->st_mtim.tv_sec;
	k->w[4] = (uint64_t)st->st_ctim.tv_sec;
	k->w[5] = (uint64_t)st->st_mtim.tv_nsec | (uint64_t)st->st_ctim.tv_nsec << 32;
}

static struct slot *probe(void *map, const struct imgcache_key *k, int i)
{
	size_t home = (size_t)mix(k->w[0] ^ mix(k->w[1]));

	return (struct slot *)map + ((home + (size_t)i) & (IC_NSLOTS - 1));
}

/* Copy a slot's words out: true when they are a complete, checked entry.
 * The tag is read before (acquire) and after (behind an acquire fence) the
 * words, as a seqlock reader does: a writer clears it first. */
static bool slot_read(struct slot *s, uint64_t w[7])
{
	uint64_t tag = atomic_load_explicit(&s->tag, memory_order_acquire);

	if (tag == 0)
		return false;
	for (int i = 0; i < 7; i++)
		w[i] = atomic_load_explicit(&s->w[i], memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->tag, memory_order_relaxed) != tag)
		return false;
	return slot_sum(w) == tag;
}

/* Clear the tag, write the words, publish the new tag last. */
static void slot_write(struct slot *s, const uint64_t w[7])
{
	atomic_store_explicit(&s->tag, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (int i = 0; i < 7; i++)
		atomic_store_explicit(&s->w[i], w[i], memory_order_relaxed);
	atomic_store_explicit(&s->tag, slot_sum(w), memory_order_release);
}

static bool key_eq(const uint64_t w[7], const struct imgcache_key *k, int nwords)
{
	for (int i = 0; i < nwords; i++)
		if (w[i] != k->w[i])
			return false;
	return true;
}

enum imgcache_verdict imgcache_find(void *map, const struct imgcache_key *k)
{
	uint64_t w[7];

	for (int i = 0; i < IC_PROBES; i++) {
		if (!slot_read(probe(map, k, i), w) || !key_eq(w, k, 6))
			continue;
		if (w[IC_VERDICT] >= IMGCACHE_PLAIN && w[IC_VERDICT] <= IMGCACHE_RAW)
			return (enum imgcache_verdict)w[IC_VERDICT];
	}
	return IMGCACHE_MISS;
}

/* Where k goes: the slot of an older version of the same file, else a free
 * (or unreadable) slot, else one of the window picked by the key. */
static struct slot *victim(void *map, const struct imgcache_key *k)
{
	struct slot *free_slot = NULL;
	uint64_t w[7];

	for (int i = 0; i < IC_PROBES; i++) {
		struct slot *s = probe(map, k, i);
		if (!slot_read(s, w)) {
			if (free_slot == NULL)
				free_slot = s;
		} else if (key_eq(w, k, 2)) {
			return s;
		}
	}
	if (free_slot != NULL)
		return free_slot;
	return probe(map, k, (int)(mix(k->w[2] ^ k->w[5]) % IC_PROBES));
}

void imgcache_put(void *map, const struct imgcache_key *k, enum imgcache_verdict v)
{
	uint64_t w[7];

	if (v < IMGCACHE_PLAIN || v > IMGCACHE_RAW)
		return;
	for (int i = 0; i < 6; i++)
		w[i] = k->w[i];
	w[IC_VERDICT] = (uint64_t)v;
	slot_write(victim(map, k), w);
}
