/* test_wordscan.c — check suite for shim/wordscan.h: strlen and memchr(s, 0, n) a word at a time, against libc, at every alignment, up to a page nobody may read. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../shim/wordscan.h"

/* Two pages: the first readable, the second not.  A scan that read past
 * the first page's end would die of SIGSEGV. */
static char *page_before_hole(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	return m;
}

START_TEST(test_strlen_every_alignment)
{
	char buf[96] __attribute__((aligned(8)));

	/* Every start offset within a word, every length up to several words,
	 * with non-zero bytes before the start (they must not count) and
	 * zeros after the end (only the first counts). */
	for (size_t start = 0; start < 16; start++)
		for (size_t len = 0; len < 40; len++) {
			memset(buf, 'x', sizeof(buf));
			buf[start + len] = '\0';
			buf[start + len + 1] = '\0';
			ck_assert_uint_eq(shim_strlen(buf + start), strlen(buf + start));
		}
	/* A zero byte before the start is not the string's end. */
	memset(buf, 'y', sizeof(buf));
	buf[2] = '\0';
	buf[20] = '\0';
	ck_assert_uint_eq(shim_strlen(buf + 3), 17);
	/* Bytes with the high bit set (UTF-8) are not zeros. */
	memset(buf, 0x80, sizeof(buf));
	buf[11] = (char)0xff;
	buf[12] = 0x01;
	buf[13] = '\0';
	ck_assert_uint_eq(shim_strlen(buf + 1), 12);
}
END_TEST

START_TEST(test_memnul_limits)
{
	char buf[64] __attribute__((aligned(8)));

	for (size_t start = 0; start < 16; start++)
		for (size_t n = 0; n < 40; n++)
			for (size_t zero = 0; zero < 48; zero++) {
				memset(buf, 'z', sizeof(buf));
				buf[start + zero] = '\0';
				const char *want = memchr(buf + start, '\0', n);
				ck_assert_ptr_eq(shim_memnul(buf + start, n), want);
			}
}
END_TEST

START_TEST(test_page_end)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = page_before_hole(), *end = m + pg;

	memset(m, 'a', (size_t)pg);
	/* Strings ending at the last byte of the page, from every offset of
	 * the last words: the aligned loads stop at the page's end. */
	end[-1] = '\0';
	for (size_t len = 0; len < 24; len++)
		ck_assert_uint_eq(shim_strlen(end - 1 - len), len);
	/* No zero up to the page's end: memnul says so without reading on. */
	end[-1] = 'a';
	for (size_t n = 1; n < 24; n++)
		ck_assert_ptr_null(shim_memnul(end - n, n));
	ck_assert_ptr_eq(shim_memnul(m, (size_t)pg), NULL);
	m[pg / 2] = '\0';
	ck_assert_ptr_eq(shim_memnul(m + 1, (size_t)pg - 1), m + pg / 2);
	munmap(m, 2 * (size_t)pg);
}
END_TEST

static Suite *wordscan_suite(void)
{
	Suite *s = suite_create("wordscan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_strlen_every_alignment);
	tcase_add_test(tc, test_memnul_limits);
	tcase_add_test(tc, test_page_end);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wordscan_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
