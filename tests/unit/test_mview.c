/* test_mview.c — check suite for the model view's layout (shim/mview.h): offsets, seqlock reads under a concurrent writer, the reverse table, a group's members. */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "../../shim/mview.h"

/* An anonymous shared mapping stands for the file: same layout, same code. */
static void *map_view(void)
{
	void *m = mmap(NULL, MVIEW_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	ck_assert_ptr_ne(m, MAP_FAILED);
	return m;
}

/* Mark the pages of vpid's entry and rpid's reverse word backed, as the
 * supervisor does once it has reserved them. */
static void back_ent(void *m, int32_t vpid)
{
	mview_set_backed(m, (uint64_t)((char *)mview_ent(m, vpid) - (char *)m), true);
}

static void back_rev(void *m, int32_t rpid)
{
	mview_set_backed(m, (uint64_t)((char *)mview_rev(m, rpid) - (char *)m), true);
}

START_TEST(test_layout)
{
	/* A page of entries holds whole entries for vpids [k*PER_PAGE,
	 * (k+1)*PER_PAGE): the supervisor punches pages by that rule. */
	ck_assert_uint_eq(MVIEW_ENTS_OFF % 4096, 0);
	ck_assert_uint_eq(4096 % MVIEW_ENT_SIZE, 0);
	ck_assert_uint_eq(MVIEW_PER_PAGE * MVIEW_ENT_SIZE, 4096);
	ck_assert_uint_eq(MVIEW_REV_OFF % 4096, 0);
	ck_assert_uint_ge(MVIEW_REV_OFF, MVIEW_ENTS_OFF + (uint64_t)MVIEW_NVPID * MVIEW_ENT_SIZE);
	ck_assert_uint_ge(MVIEW_SIZE, MVIEW_REV_OFF + (uint64_t)MVIEW_NRPID * 4);
	ck_assert_uint_eq(MVIEW_SIZE % 4096, 0);
	ck_assert_uint_le(sizeof(struct mview_head), MVIEW_HEAD);
	/* The last vpid and rpid are inside the file. */
	static char base[1];
	ck_assert_uint_le((uint64_t)((char *)mview_ent(base, MVIEW_NVPID - 1) - base) + MVIEW_ENT_SIZE,
			  MVIEW_REV_OFF);
}
END_TEST

START_TEST(test_unpublished_and_range)
{
	void *m = map_view();
	struct mview_ids v;

	ck_assert(!mview_read(m, 5, &v));          /* zeros: not published */
	ck_assert(!mview_read(m, 0, &v));          /* out of range */
	ck_assert(!mview_read(m, -3, &v));
	ck_assert(!mview_read(m, MVIEW_NVPID, &v));
	mview_write(m, 5, &(struct mview_ids){MVIEW_LIVE, 1, 5, 2, 1234, 99});
	ck_assert(!mview_read(m, 5, &v)); /* its page is not marked backed: never touched */
	back_ent(m, 5);
	ck_assert(mview_read(m, 5, &v));
	ck_assert_int_eq(v.pgid, 5);
	ck_assert_int_eq(v.sid, 2);
	ck_assert_int_eq(v.rpid, 1234);
	ck_assert_int_eq(v.prpid, 99);
	ck_assert_uint_eq(atomic_load(&mview_ent(m, 5)->seq), 2); /* even: at rest */
	mview_write(m, 5, &(struct mview_ids){0});
	ck_assert(!mview_read(m, 5, &v)); /* cleared: ask */
	/* Released (bit cleared before the punch): unpublished, even for a
	 * reader that finds the old entry still there. */
	mview_write(m, 6, &(struct mview_ids){MVIEW_LIVE, 1, 6, 2, 1235, 99});
	ck_assert(mview_read(m, 6, &v));
	mview_set_backed(m, (uint64_t)((char *)mview_ent(m, 6) - (char *)m), false);
	ck_assert(!mview_read(m, 6, &v));
	/* The bits are per page: the next page's vpids are not backed. */
	back_ent(m, 5);
	ck_assert(!mview_backed(m, (uint64_t)((char *)mview_ent(m, MVIEW_PER_PAGE) - (char *)m)));
	munmap(m, MVIEW_SIZE);
}
END_TEST

START_TEST(test_odd_seq_gives_up)
{
	void *m = map_view();
	struct mview_ids v;

	back_ent(m, 7);
	mview_write(m, 7, &(struct mview_ids){MVIEW_LIVE, 1, 7, 7, 70, 1});
	ck_assert(mview_read(m, 7, &v));
	/* A writer preempted inside its update: the reader asks instead of
	 * spinning forever or trusting half-written fields. */
	atomic_fetch_add(&mview_ent(m, 7)->seq, 1);
	ck_assert(!mview_read(m, 7, &v));
	munmap(m, MVIEW_SIZE);
}
END_TEST

START_TEST(test_reverse)
{
	void *m = map_view();

	back_ent(m, 9);
	mview_write(m, 9, &(struct mview_ids){MVIEW_LIVE, 1, 9, 9, 4321, 1});
	atomic_store(mview_rev(m, 4321), 9);
	ck_assert_int_eq(mview_r2v(m, 4321), 0); /* the word's page is not marked backed */
	back_rev(m, 4321);
	ck_assert_int_eq(mview_r2v(m, 4321), 9);
	/* A stale word (the entry's rpid is another now) reads as unknown. */
	mview_write(m, 9, &(struct mview_ids){MVIEW_LIVE, 1, 9, 9, 5000, 1});
	ck_assert_int_eq(mview_r2v(m, 4321), 0);
	mview_write(m, 9, &(struct mview_ids){0});
	back_rev(m, 5000);
	atomic_store(mview_rev(m, 5000), 9);
	ck_assert_int_eq(mview_r2v(m, 5000), 0); /* entry gone */
	ck_assert_int_eq(mview_r2v(m, 0), 0);
	ck_assert_int_eq(mview_r2v(m, MVIEW_NRPID), 0);
	munmap(m, MVIEW_SIZE);
}
END_TEST

/* One writer publishes entries whose fields are all equal to a counter;
 * readers must never see fields from two different writes. */
#define RACE_WRITES 400000
static void *race_map;
static atomic_int race_done, race_readers;

static void *race_writer(void *arg)
{
	(void)arg;
	/* Not before both readers have read once: on a loaded machine they
	 * could otherwise start after the last write and test nothing. */
	while (atomic_load(&race_readers) < 2)
		sched_yield();
	for (int32_t k = 1; k <= RACE_WRITES; k++)
		mview_write(race_map, 11, &(struct mview_ids){MVIEW_LIVE, k, k, k, k, k});
	atomic_store(&race_done, 1);
	return NULL;
}

static void *race_reader(void *arg)
{
	long torn = 0, reads = 0;
	int32_t last = 0;
	struct mview_ids v;

	(void)arg;
	while (!atomic_load(&race_done)) {
		if (!mview_read(race_map, 11, &v))
			continue;
		if (reads++ == 0)
			atomic_fetch_add(&race_readers, 1);
		if (v.ppid != v.pgid || v.pgid != v.sid || v.sid != v.rpid || v.rpid != v.prpid)
			torn++;
		if (v.pgid < last) /* one writer: values never go back */
			torn++;
		last = v.pgid;
	}
	return (void *)torn;
}

/* A group's live members, by real pid, from every backed page of
 * entries; zombies, other groups and init left out; and the cases where
 * the view cannot say (shim/viewwrite.c asks the supervisor then). */
static void put(void *m, int32_t vpid, uint32_t state, int32_t pgid, int32_t rpid)
{
	struct mview_ids v = {.state = state, .ppid = 1, .pgid = pgid, .sid = 2, .rpid = rpid};

	back_ent(m, vpid);
	mview_write(m, vpid, &v);
}

START_TEST(test_group_members)
{
	void *m = map_view();
	int32_t r[8];

	ck_assert_int_eq(mview_group_rpids(m, 5, r, 8, 16), 0); /* nothing published */
	put(m, 1, MVIEW_LIVE, 5, 901);                            /* init: never a member */
	put(m, 5, MVIEW_LIVE, 5, 905);
	put(m, 6, MVIEW_ZOMBIE, 5, 906);
	put(m, 7, MVIEW_LIVE, 7, 907);
	put(m, 300000, MVIEW_LIVE, 5, 1300); /* a page far away */
	ck_assert_int_eq(mview_group_rpids(m, 5, r, 8, 16), 2);
	ck_assert_int_eq(r[0], 905);
	ck_assert_int_eq(r[1], 1300);
	ck_assert_int_eq(mview_group_rpids(m, 7, r, 8, 16), 1);
	ck_assert_int_eq(r[0], 907);
	ck_assert_int_eq(mview_group_rpids(m, 6, r, 8, 16), 0);
	/* More members than room, or more backed pages than allowed. */
	ck_assert_int_eq(mview_group_rpids(m, 5, r, 1, 16), -1);
	ck_assert_int_eq(mview_group_rpids(m, 5, r, 8, 1), -1);
	/* A member not bound to a real pid yet. */
	put(m, 8, MVIEW_LIVE, 7, 0);
	ck_assert_int_eq(mview_group_rpids(m, 7, r, 8, 16), -1);
	/* An entry its writer stays inside (odd seq). */
	put(m, 8, MVIEW_LIVE, 9, 908);
	atomic_fetch_add(&mview_ent(m, 8)->seq, 1);
	ck_assert_int_eq(mview_group_rpids(m, 7, r, 8, 16), -1);
	atomic_fetch_add(&mview_ent(m, 8)->seq, 1);
	ck_assert_int_eq(mview_group_rpids(m, 7, r, 8, 16), 1);
	/* The last vpid's page, at the end of the entries. */
	put(m, MVIEW_NVPID - 1, MVIEW_LIVE, 7, 2000);
	ck_assert_int_eq(mview_group_rpids(m, 7, r, 8, 16), 2);
	ck_assert_int_eq(r[1], 2000);
	munmap(m, MVIEW_SIZE);
}
END_TEST

START_TEST(test_no_torn_reads)
{
	pthread_t w, r[2];
	void *torn;

	race_map = map_view();
	atomic_store(&race_done, 0);
	atomic_store(&race_readers, 0);
	back_ent(race_map, 11);
	mview_write(race_map, 11, &(struct mview_ids){MVIEW_LIVE, 0, 0, 0, 0, 0});
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&r[i], NULL, race_reader, NULL), 0);
	ck_assert_int_eq(pthread_create(&w, NULL, race_writer, NULL), 0);
	pthread_join(w, NULL);
	for (int i = 0; i < 2; i++) {
		pthread_join(r[i], &torn);
		ck_assert_int_eq((long)torn, 0);
	}
	munmap(race_map, MVIEW_SIZE);
}
END_TEST

static Suite *mview_suite(void)
{
	Suite *s = suite_create("mview");
	TCase *tc = tcase_create("layout");

	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_unpublished_and_range);
	tcase_add_test(tc, test_odd_seq_gives_up);
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_group_members);
	suite_add_tcase(s, tc);
	tc = tcase_create("concurrency");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_torn_reads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mview_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
