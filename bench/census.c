/* census.c — which pages a fork child touches between its fork and its exec (or exit). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * usage: census N CMD [ARG...]
 *
 * Runs CMD traced and follows the Nth fork of its tree: that child is
 * single-stepped from its first instruction to the system call that ends
 * its old image (execve, execveat, exit_group), and just before that call
 * prints one line:
 *
 *   insns N text N text_lib N data N shared N
 *
 * insns: instructions it ran; text: distinct code pages they ran on;
 * text_lib: of those, the ones in a mapping whose name contains "jobshim"
 * (the preload); data: pages of its non-executable mappings that the
 * kernel marks referenced (/proc/PID/clear_refs at the fork, smaps'
 * Referenced at the end: reads and writes, its stack, heap, libraries'
 * data); shared: of those, pages of MAP_SHARED mappings.
 *
 * Why pages: on a machine whose page tables the hypervisor shadows (this
 * project's PVM guest), a fork child pays for the first touch of every
 * page, faulted or not (`cost fault`), and far more than for the
 * instructions it runs; a preload's cost in a shell loop is the pages its
 * fork path adds (docs/internals.md, "What a fork costs").  Referenced
 * bits are not used for code: fault-around maps, and marks, up to 16
 * pages of a file at each fault.
 *
 * Under `jobshim run` the tracer is a process of the tree and its ptrace
 * calls go through the shim: the ids it sees are vpids, which /proc
 * inside the tree also takes.
 */

#define MAX_PAGES 4096

static unsigned long pages[MAX_PAGES];
static int npages;

static void page_add(unsigned long addr)
{
	unsigned long pg = addr >> 12;

	for (int i = npages - 1; i >= 0; i--)
		if (pages[i] == pg)
			return;
	if (npages < MAX_PAGES)
		pages[npages++] = pg;
}

static int proc_open(pid_t pid, const char *what, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	return open(path, flags | O_CLOEXEC);
}

/* Its mappings as they are now: "start end perms name" per line. */
struct map {
	unsigned long start, end;
	char perms[8];
	char name[256];
	long referenced_kb;
};
static struct map maps[512];
static int nmaps;

static int maps_read(pid_t pid)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	nmaps = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct map m = { 0 };
		long kb;
		int n = sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &m.start, &m.end, m.perms, m.name);

		if (n >= 3 && strchr(line, '-') < strchr(line, ' ') && nmaps < 512) {
			maps[nmaps++] = m;
			continue;
		}
		if (nmaps > 0 && sscanf(line, "Referenced: %ld kB", &kb) == 1)
			maps[nmaps - 1].referenced_kb = kb;
	}
	fclose(f);
	return 0;
}

static const struct map *map_of(unsigned long addr)
{
	for (int i = 0; i < nmaps; i++)
		if (addr >= maps[i].start && addr < maps[i].end)
			return &maps[i];
	return NULL;
}

static int verbose; /* CENSUS_MAPS=1: each mapping's pages on stderr */

static int report(pid_t pid, long insns)
{
	long data = 0, shared = 0;
	int lib = 0;

	if (maps_read(pid) < 0) {
		perror("census: smaps");
		return 2;
	}
	for (int i = 0; i < nmaps; i++) {
		if (strchr(maps[i].perms, 'x') != NULL)
			continue;
		data += maps[i].referenced_kb / 4;
		if (verbose && maps[i].referenced_kb > 0)
			fprintf(stderr, "  %5ld pages %s %s\n", maps[i].referenced_kb / 4, maps[i].perms,
				maps[i].name[0] ? maps[i].name : "[anon]");
		if (maps[i].perms[3] == 's')
			shared += maps[i].referenced_kb / 4;
	}
	for (int i = 0; i < npages; i++) {
		const struct map *m = map_of(pages[i] << 12);
		if (m != NULL && strstr(m->name, "jobshim") != NULL)
			lib++;
	}
	printf("insns %ld text %d text_lib %d data %ld shared %ld\n", insns, npages, lib, data, shared);
	return 0;
}

/* The instruction at rip is `syscall` and would end the old image. */
static int at_final_syscall(pid_t pid, const struct user_regs_struct *r)
{
	long word;

	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)r->rip, NULL);
	if (errno != 0 || (word & 0xffff) != 0x050f)
		return 0;
	return r->rax == SYS_execve || r->rax == SYS_execveat || r->rax == SYS_exit_group;
}

/* A new child's first stop (SIGSTOP) can come before its parent's fork
 * event names it: such a child waits here until we know whether it is the
 * one to follow, as one whose event came first is let go at its stop. */
#define MAX_PIDS 256
static pid_t held[MAX_PIDS], announced[MAX_PIDS];
static int nheld, nannounced;

static int take(pid_t *set, int *n, pid_t pid)
{
	for (int i = 0; i < *n; i++)
		if (set[i] == pid) {
			set[i] = set[--*n];
			return 1;
		}
	return 0;
}

static void put(pid_t *set, int *n, pid_t pid)
{
	if (*n < MAX_PIDS)
		set[(*n)++] = pid;
}

static pid_t target;
static long insns;
static pid_t top;

/* One stop of the followed child: clear its referenced bits at the
 * first, report at the system call that ends its image, else one step. */
static int step(pid_t pid, int sig)
{
	struct user_regs_struct r;

	if (insns > 0 && sig != SIGTRAP) {
		/* A signal for it: delivered, not counted. */
		ptrace(PTRACE_SINGLESTEP, pid, NULL, (void *)(long)sig);
		return -1;
	}
	if (insns == 0) {
		int fd = proc_open(pid, "clear_refs", O_WRONLY);
		if (fd < 0 || write(fd, "1", 1) != 1) {
			perror("census: clear_refs");
			return 2;
		}
		close(fd);
	}
	ptrace(PTRACE_GETREGS, pid, NULL, &r);
	if (at_final_syscall(pid, &r))
		return report(pid, insns);
	page_add(r.rip);
	insns++;
	ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL);
	return -1;
}

int main(int argc, char **argv)
{
	int want = argc > 2 ? atoi(argv[1]) : 0, forks = 0, st, rc = -1;

	verbose = getenv("CENSUS_MAPS") != NULL;
	if (want <= 0) {
		fprintf(stderr, "usage: census N CMD [ARG...]\n");
		return 2;
	}
	top = fork();
	if (top < 0) {
		perror("census: fork");
		return 2;
	}
	if (top == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid(top, &st, 0) != top || !WIFSTOPPED(st)) {
		fprintf(stderr, "census: the command did not stop for the tracer\n");
		return 2;
	}
	ptrace(PTRACE_SETOPTIONS, top, NULL, (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, top, NULL, NULL);
	while (rc < 0) {
		pid_t p = waitpid(-1, &st, __WALL);
		int sig, event;

		if (p < 0)
			break;
		if (!WIFSTOPPED(st))
			continue;
		sig = WSTOPSIG(st);
		event = st >> 16;
		if (event == PTRACE_EVENT_FORK) {
			unsigned long msg = 0;
			pid_t kid;
			ptrace(PTRACE_GETEVENTMSG, p, NULL, &msg);
			kid = (pid_t)msg;
			if (++forks == want)
				target = kid;
			if (take(held, &nheld, kid)) {
				if (kid == target)
					rc = step(kid, SIGSTOP);
				else
					ptrace(PTRACE_CONT, kid, NULL, NULL);
			} else {
				put(announced, &nannounced, kid);
			}
			ptrace(PTRACE_CONT, p, NULL, NULL);
			continue;
		}
		if (p == target) {
			take(announced, &nannounced, p);
			rc = step(p, sig);
			continue;
		}
		if (event == 0 && sig == SIGSTOP && p != top) {
			if (take(announced, &nannounced, p))
				ptrace(PTRACE_CONT, p, NULL, NULL);
			else
				put(held, &nheld, p);
			continue;
		}
		/* Anyone else: on, with its signal (not the tracer's own stops). */
		ptrace(PTRACE_CONT, p, NULL, (void *)(long)(sig == SIGTRAP ? 0 : sig));
	}
	kill(top, SIGKILL);
	if (rc >= 0)
		return rc;
	fprintf(stderr, "census: the tree ended before its fork number %d exec'd or exited\n", want);
	return 2;
}
