/* notif_cmd.c — the command itself a static or Go image: its seccomp filter, installed before the supervisor's exec. */
#include "sup.h"
#include "../shim/seccomp_bpf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Inside the tree the shim's exec wrapper filters alone images
 * (shim/seccomp.c); the command (`jobshim run -- ./static-or-go`) is
 * exec'd by our own child, which the shim is not in.  The child makes the
 * same decision from the ELF headers (no PT_INTERP: static; a Go section:
 * Go), installs the same filter, writes the listener's fd number on a
 * pipe and waits until we took it (pidfd_getfd) before it execs.
 */

/* The file execvp would run for name, into buf; NULL when not found. */
static const char *search(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (strchr(name, '/'))
		return name;
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		int n = snprintf(buf, len, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", name);
		if (n > 0 && (size_t)n < len && access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

static bool rd(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

/* A static or Go x86-64 ELF executable (what elfscan.c calls ALONE or RAW,
 * set-id aside).  The program and section header tables are read whole,
 * one read each: a header at a time was 40 reads for a dynamic command,
 * every `jobshim run`. */
static bool needs_filter(const char *path, bool *setid)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	Elf64_Shdr *sh = NULL;
	struct stat st;
	bool interp = false, go = false;
	char *names = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !rd(fd, &eh, sizeof(eh), 0) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(*ph) || eh.e_phnum > 256)
		goto out;
	*setid = (st.st_mode & (S_ISUID | S_ISGID)) != 0;
	if (eh.e_phnum > 0 &&
	    ((ph = calloc(eh.e_phnum, sizeof(*ph))) == NULL ||
	     !rd(fd, ph, eh.e_phnum * sizeof(*ph), (off_t)eh.e_phoff)))
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_INTERP)
			interp = true;
	if (!interp) {
		go = true;
		goto out;
	}
	if (eh.e_shentsize != sizeof(*sh) || eh.e_shnum == 0 || eh.e_shnum > 4096 ||
	    eh.e_shstrndx >= eh.e_shnum || (sh = calloc(eh.e_shnum, sizeof(*sh))) == NULL ||
	    !rd(fd, sh, eh.e_shnum * sizeof(*sh), (off_t)eh.e_shoff))
		goto out;
	const Elf64_Shdr *ss = &sh[eh.e_shstrndx];
	if (ss->sh_size > 65536 || (names = calloc(1, ss->sh_size + 1)) == NULL ||
	    !rd(fd, names, ss->sh_size, (off_t)ss->sh_offset))
		goto out;
	for (unsigned i = 0; i < eh.e_shnum && !go; i++)
		if (sh[i].sh_name < ss->sh_size &&
		    (strcmp(names + sh[i].sh_name, ".note.go.buildid") == 0 ||
		     strcmp(names + sh[i].sh_name, ".go.buildinfo") == 0))
			go = true;
out:
	free(names);
	free(sh);
	free(ph);
	close(fd);
	return go;
}

/* The filter with its listener (shim/seccomp.c's flags): fd, or -1. */
static long install(struct sock_fprog *prog)
{
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_BPF_FLAGS, prog);

	if (fd < 0 && errno == EINVAL) /* a kernel before 5.19 */
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
	return fd;
}

/* In the command's child, before its exec: 0 when nothing was needed or the
 * supervisor holds the listener. */
void notif_cmd_child(const char *argv0, int syncw, int ackr)
{
	char buf[4096];
	const char *path = search(argv0, buf, sizeof(buf));
	struct sock_filter f[SECCOMP_BPF_MAX];
	struct sock_fprog prog;
	bool setid = false;
	long fd;
	char ack;

	if (path == NULL || !needs_filter(path, &setid))
		return;
	prog.len = (unsigned short)seccomp_bpf_build(f, seccomp_bpf_trace_on());
	prog.filter = f;
	fd = install(&prog);
	if (fd < 0 && errno == EACCES && !setid && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		fd = install(&prog);
	if (fd < 0)
		return;
	int32_t n = (int32_t)fd;
	ack = 1;
	if (write(syncw, &n, sizeof(n)) == (ssize_t)sizeof(n))
		while (read(ackr, &ack, 1) < 0 && errno == EINTR)
			;
	close((int)fd);
	/* Not traced (the ack says why not): its forks fail rather than
	 * return real pids (seccomp_bpf.h, the fork guard). */
	if (ack != 0 && seccomp_bpf_trace_on()) {
		prog.len = (unsigned short)seccomp_bpf_build_guard(f);
		syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	}
}

/* In the supervisor after the fork: take the child's listener if it made
 * one (the pipe ends at its exec otherwise). */
void notif_cmd_parent(struct sup *s, pid_t child, int syncr, int ackw)
{
	struct sup_client c = {.rpid = child, .vpid = s->opt.first_pid};
	int32_t n;
	ssize_t r;

	do
		r = read(syncr, &n, sizeof(n));
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof(n)) {
		int rc = notif_take(s, &c, n);
		char ack = rc < 0; /* 1: not traced, the child adds the fork guard */
		if (rc < 0)
			fprintf(stderr, "jobshim: cannot take the command's seccomp listener: %s\n",
				strerror(-rc));
		while (write(ackw, &ack, 1) < 0 && errno == EINTR)
			;
	}
}
