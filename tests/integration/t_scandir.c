/* t_scandir.c — scandir, scandir64, scandirat, readdir_r, readdir64_r and glob of /proc list the pids a process can name: itself, its children, each entry's stat naming it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * glibc's scandir reads the directory with its own readdir (node's
 * fs.readdir is libuv's scandir), and so do its readdir_r and glob.  Natively this runs in a pid namespace
 * with its own /proc, as jobshim's tree is one: the listing holds our pid
 * and our children's, and every numeric entry's stat names that pid.
 * Printed as facts, not pids.
 */

static int numeric(const struct dirent *e)
{
	return e->d_name[0] >= '1' && e->d_name[0] <= '9';
}

static int numeric64(const struct dirent64 *e)
{
	return e->d_name[0] >= '1' && e->d_name[0] <= '9';
}

static int none(const struct dirent *e)
{
	(void)e;
	return 0;
}

static int by_number(const struct dirent **a, const struct dirent **b)
{
	return atoi((*a)->d_name) - atoi((*b)->d_name);
}

/* Facts about a listing of pids: ours and the children in it, each
 * entry's stat naming its own pid, sorted. */
static void facts(const char *what, struct dirent **list, int n, const pid_t *kids, int nkids)
{
	int self = 0, found = 0, named = 0, sorted = 1;

	if (n < 0) {
		printf("%s: %s\n", what, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char path[64];
		FILE *f;
		int pid = atoi(list[i]->d_name), got = -1;

		self += pid == getpid();
		for (int k = 0; k < nkids; k++)
			found += pid == kids[k];
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (f != NULL && fscanf(f, "%d", &got) == 1 && got == pid)
			named++;
		if (f != NULL)
			fclose(f);
		if (i > 0 && atoi(list[i - 1]->d_name) > pid)
			sorted = 0;
		free(list[i]);
	}
	free(list);
	printf("%s: ourselves %s, children %d of %d, stat names each %s, %s\n", what, self == 1 ? "once" : "not",
	       found, nkids, named == n ? "yes" : "no", sorted ? "sorted" : "unsorted");
}

/* The numeric entries of dir by readdir_r (or readdir64_r), sorted, in
 * the shape scandir gives; -1 with errno. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int list_r(const char *dir, int is64, struct dirent ***out)
{
	DIR *d = opendir(dir);
	struct dirent **list = NULL;
	int n = 0, rc;

	if (d == NULL)
		return -1;
	for (;;) {
		struct dirent64 ent, *res;
		rc = is64 ? readdir64_r(d, &ent, &res)
			  : readdir_r(d, (struct dirent *)&ent, (struct dirent **)&res);
		if (rc != 0 || res == NULL)
			break;
		if (res != &ent || !numeric((struct dirent *)res))
			continue;
		list = realloc(list, (size_t)(n + 1) * sizeof(*list));
		list[n] = malloc(sizeof(struct dirent));
		memcpy(list[n++], res, sizeof(struct dirent));
	}
	closedir(d);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	if (n > 0)
		qsort(list, (size_t)n, sizeof(*list), (int (*)(const void *, const void *))by_number);
	*out = list;
	return n;
}

/* glob's matches as a list of entries named by their last component. */
static int list_glob(const char *pattern, struct dirent ***out)
{
	glob_t g;
	struct dirent **list;
	int rc = glob(pattern, 0, NULL, &g);

	if (rc != 0) {
		errno = rc == GLOB_NOMATCH ? ENOENT : EIO;
		return -1;
	}
	list = calloc(g.gl_pathc + 1, sizeof(*list));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		list[i] = calloc(1, sizeof(struct dirent));
		const char *slash = strrchr(g.gl_pathv[i], '/');
		snprintf(list[i]->d_name, sizeof(list[i]->d_name), "%s", slash ? slash + 1 : g.gl_pathv[i]);
	}
	qsort(list, g.gl_pathc, sizeof(*list), (int (*)(const void *, const void *))by_number);
	*out = list;
	rc = (int)g.gl_pathc;
	globfree(&g);
	return rc;
}

int main(void)
{
	struct dirent **list;
	struct dirent64 **list64;
	pid_t kids[3];
	int procfd, n, self;
	char task[64];

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	n = scandir("/proc", &list, numeric, by_number);
	facts("scandir(/proc)", list, n, kids, 3);
	n = scandir("/proc/", &list, numeric, alphasort);
	if (n > 0)
		qsort(list, (size_t)n, sizeof(*list), (int (*)(const void *, const void *))by_number);
	facts("scandir(/proc/), alphasort", list, n, kids, 3);
	n = scandir64("/proc", &list64, numeric64, NULL);
	if (n > 0)
		qsort(list64, (size_t)n, sizeof(*list64), (int (*)(const void *, const void *))by_number);
	facts("scandir64(/proc)", (struct dirent **)list64, n, kids, 3);
	procfd = open("/proc", O_RDONLY | O_DIRECTORY);
	n = scandirat(procfd, ".", &list, numeric, by_number);
	facts("scandirat(/proc fd, .)", list, n, kids, 3);
	n = list_r("/proc", 0, &list);
	facts("readdir_r(/proc)", list, n, kids, 3);
	n = list_r("/proc", 1, &list);
	facts("readdir64_r(/proc)", list, n, kids, 3);
	n = list_glob("/proc/[1-9]*", &list);
	facts("glob(/proc/[1-9]*)", list, n, kids, 3);
	n = scandirat(AT_FDCWD, "/proc", &list, none, NULL);
	printf("scandirat(AT_FDCWD, /proc), nothing kept: %d\n", n);
	free(n >= 0 ? list : NULL);

	/* our own task directory, by path and relative to /proc */
	snprintf(task, sizeof(task), "/proc/%d/task", getpid());
	n = scandir(task, &list, numeric, NULL);
	self = n == 1 && atoi(list[0]->d_name) == getpid();
	printf("scandir(/proc/<pid>/task): %s\n", n < 0 ? strerror(errno) : self ? "our pid" : "other names");
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(n >= 0 ? list : NULL);
	n = list_r(task, 0, &list);
	self = n == 1 && atoi(list[0]->d_name) == getpid();
	printf("readdir_r(/proc/<pid>/task): %s\n", n < 0 ? strerror(errno) : self ? "our pid" : "other names");
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(n > 0 ? list : NULL);
	snprintf(task, sizeof(task), "%d/task", getpid());
	n = scandirat(procfd, task, &list, numeric, NULL);
	self = n == 1 && atoi(list[0]->d_name) == getpid();
	printf("scandirat(/proc fd, <pid>/task): %s\n", n < 0 ? strerror(errno) : self ? "our pid" : "other names");
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(n >= 0 ? list : NULL);

	/* errors: the kernel's */
	n = scandir("/proc/2147483647", &list, NULL, NULL);
	printf("scandir(/proc/2147483647): %d %s\n", n, strerror(errno));
	n = scandir("/proc/self/stat", &list, NULL, NULL);
	printf("scandir(/proc/self/stat): %d %s\n", n, strerror(errno));
	n = scandirat(-1, task, &list, NULL, NULL);
	printf("scandirat(-1, <pid>/task): %d %s\n", n, strerror(errno));

	if (chdir("/proc") < 0)
		return 2;
	n = scandir(".", &list, numeric, by_number);
	facts("scandir(.) in /proc", list, n, kids, 3);
	n = list_glob("[1-9]*", &list);
	facts("glob([1-9]*) in /proc", list, n, kids, 3);

	for (int i = 0; i < 3; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	n = scandir("/proc", &list, numeric, by_number);
	facts("scandir(/proc) after the reaps", list, n, kids, 3);
	snprintf(task, sizeof(task), "/proc/%d/stat", kids[0]);
	n = list_glob(task, &list);
	printf("glob(/proc/<reaped child>/stat): %s\n", n < 0 ? strerror(errno) : "a match");
	return 0;
}
