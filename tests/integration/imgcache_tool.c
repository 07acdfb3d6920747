/* imgcache_tool.c — read or forge an entry of a run's image decision cache (shim/imgcache.h).
 *
 * CACHE is the run's shared file (core/proto.h): the cache is at PROTO_IMGCACHE_OFF.
 *
 *   imgcache_tool get CACHE PATH            print plain, keep or miss for the file at PATH
 *   imgcache_tool put CACHE PATH plain|keep store that verdict for it
 *   imgcache_tool race CACHE MS             writers and readers in separate processes on
 *                                           the same few slots for MS ms: no read may give a
 *                                           verdict other than the one written for its key
 *
 * Linked with the shim's own table code (shim/imgcache.c), so a forged
 * entry is one the shims trust: sup_imgcache.sh proves with it that an exec
 * takes its verdict from the cache without scanning. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../shim/imgcache.h"

static void *map_cache(const char *path)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < PROTO_SHARED_SIZE) {
		perror(path);
		return NULL;
	}
	m = mmap(NULL, IMGCACHE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PROTO_IMGCACHE_OFF);
	close(fd);
	if (m == MAP_FAILED) {
		perror("mmap");
		return NULL;
	}
	return m;
}

/* ---- race ---------------------------------------------------------------- */

#define RACE_WRITERS 2
#define RACE_READERS 2

/* Key n of 32: two files (same st_dev, inodes 1 and 2: one probe window, so
 * writers keep replacing each other's slots) in 16 versions each (sizes);
 * its verdict is a function of the key. */
static void race_key(unsigned n, struct imgcache_key *k, enum imgcache_verdict *v)
{
	memset(k, 0, sizeof(*k));
	k->w[0] = 42;
	k->w[1] = 1 + n % 2;
	k->w[2] = n / 2;
	k->w[3] = 1700000000 + n;
	*v = (n * 2654435761u >> 7) % 2 ? IMGCACHE_PLAIN : IMGCACHE_KEEP;
}

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* A writer or a reader, until the deadline; a reader reports its hits and
 * wrong verdicts on fd out. */
static void race_proc(void *cache, long until, unsigned seed, int out, bool reader)
{
	unsigned long hits = 0, wrong = 0;
	struct imgcache_key k;
	enum imgcache_verdict v, got;

	while (ms_now() < until) {
		for (int i = 0; i < 1000; i++) {
			race_key((unsigned)rand_r(&seed) % 32, &k, &v);
			if (!reader) {
				imgcache_put(cache, &k, v);
				continue;
			}
			got = imgcache_find(cache, &k);
			hits += got != IMGCACHE_MISS;
			wrong += got != IMGCACHE_MISS && got != v;
		}
	}
	if (reader)
		dprintf(out, "%lu %lu\n", hits, wrong);
	_exit(0);
}

static int race(void *cache, long ms)
{
	long until = ms_now() + ms;
	unsigned long hits = 0, wrong = 0, h, w;
	int p[2], st, bad = 0;
	FILE *in;

	if (pipe(p) < 0)
		return 1;
	for (int i = 0; i < RACE_WRITERS + RACE_READERS; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			race_proc(cache, until, (unsigned)i * 7919u + 1, p[1], i >= RACE_WRITERS);
	}
	close(p[1]);
	in = fdopen(p[0], "r");
	while (in != NULL && fscanf(in, "%lu %lu", &h, &w) == 2) {
		hits += h;
		wrong += w;
	}
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	printf("race: %lu hits, %lu wrong\n", hits, wrong);
	return bad || wrong > 0 || hits == 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "miss", "plain", "keep", "alone" };
	struct imgcache_key key;
	struct stat st;
	void *cache;

	if (argc == 4 && strcmp(argv[1], "race") == 0)
		return (cache = map_cache(argv[2])) == NULL ? 1 : race(cache, atol(argv[3]));
	if (argc < 4 || (strcmp(argv[1], "get") != 0 && strcmp(argv[1], "put") != 0) ||
	    (strcmp(argv[1], "put") == 0 &&
	     (argc != 5 || (strcmp(argv[4], "plain") != 0 && strcmp(argv[4], "keep") != 0)))) {
		fprintf(stderr, "usage: imgcache_tool get CACHE PATH | put CACHE PATH plain|keep | "
				"race CACHE MS\n");
		return 2;
	}
	if (stat(argv[3], &st) < 0) {
		perror(argv[3]);
		return 1;
	}
	if ((cache = map_cache(argv[2])) == NULL)
		return 1;
	imgcache_key_of(&key, &st);
	if (strcmp(argv[1], "get") == 0)
		puts(names[imgcache_find(cache, &key)]);
	else
		imgcache_put(cache, &key, strcmp(argv[4], "plain") == 0 ? IMGCACHE_PLAIN : IMGCACHE_KEEP);
	return 0;
}
