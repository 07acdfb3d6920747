#!/bin/bash
# prog_static.sh BUILD — a statically linked program under jobshim: not interposed, its exit still handled.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/static.c" <<'C'
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
/* With an argument: fork a dynamic program (registered lazily by jobshim). */
int main(int argc, char **argv)
{
	(void)argv;
	int st;
	pid_t c = fork();
	if (c == 0) {
		if (argc > 1)
			execl("/bin/sh", "sh", "-c", "echo dynamic child $$ $PPID", (char *)0);
		_exit(3);
	}
	waitpid(c, &st, 0);
	printf("static: child exit %d\n", WEXITSTATUS(st));
	return argc > 1 ? 4 : 5;
}
C
if ! cc -static -O2 -o "$dir/static" "$dir/static.c" 2>"$dir/cc.err"; then
	echo "FAIL: cannot link statically (glibc's libc.a is in libc6-dev):"
	cat "$dir/cc.err"
	exit 1
fi
S=$dir/static

it_both 'static command: exit status' $'static: child exit 3\nrc 5' sh -c '"$1"; echo rc $?' _ "$S"
out=$(it_shim -- "$S"); rc=$?
it_expect 'static command run directly: jobshim passes its exit status' "$out rc $rc" 'static: child exit 3 rc 5'
it_both 'dynamic child of a static command' $'dynamic child 4 3\nstatic: child exit 0\nrc 4' \
	sh -c '"$1" x; echo rc $?' _ "$S"

# The parent shell stopped right after its fork or vfork, before it could
# tell the supervisor about the static child: the child's own children
# must still find it under its vpid (the shim says "I exist" for a static
# image before exec'ing it).  The static program stops its parent (a real
# pid, never a group), forks the dynamic child, then continues the parent.
cat >"$dir/stopper.c" <<'C'
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	pid_t pp = getppid(), c;
	int st;
	if (pp > 1)
		kill(pp, SIGSTOP);
	c = fork();
	if (c == 0) {
		execl("/bin/sh", "sh", "-c", "echo dynamic child $$ $PPID", (char *)0);
		_exit(3);
	}
	waitpid(c, &st, 0);
	if (pp > 1)
		kill(pp, SIGCONT);
	return 4;
}
C
if cc -static -O2 -o "$dir/stopper" "$dir/stopper.c" 2>"$dir/cc.err"; then
	for shell in sh bash; do
		it_both "dynamic child of a static command whose $shell parent is stopped" \
			$'dynamic child 4 3\nrc 4' "$shell" -c '"$1"; echo rc $?' _ "$dir/stopper"
		got=$(for i in 1 2 3 4 5 6 7 8 9 10; do it_shim -- "$shell" -c '"$1"; true' _ "$dir/stopper"; done | sort | uniq -c | tr -s ' ')
		it_expect "... ten times in a row ($shell)" "$got" ' 10 dynamic child 4 3'
	done
else
	it_expect 'static stopper builds' "$(cat "$dir/cc.err")" ''
fi
# A static image exec'd through a descriptor (fexecve, execveat with
# AT_EMPTY_PATH: a memfd, an O_PATH or a plain descriptor) is scanned
# through it and filtered like one named by path; it kept real ids before.
cat >"$dir/ids.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	printf("%d %d\n", (int)getpid(), (int)getppid());
	return 0;
}
C
if cc -static -O2 -o "$dir/ids" "$dir/ids.c" 2>"$dir/cc.err"; then
	PY=/usr/bin/python3
	[ -x "$PY" ] || PY=$(command -v python3)
	for how in O_RDONLY O_PATH; do
		it_both "static image by descriptor: fexecve of an $how descriptor" '2 1' \
			"$PY" -c 'import os, sys; os.execve(os.open(sys.argv[1], getattr(os, sys.argv[2])), ["ids"], os.environ)' \
			"$dir/ids" "$how"
	done
	# Not root (no CAP_SYS_ADMIN: the filter needs no_new_privs, which
	# the shim sets only for an image it knows is not set-id): execvp's
	# search (env) and fexecve.  Both ran unfiltered, with real ids.
	chmod 755 "$dir"
	it_both 'static image found by execvp, as uid 65534' '2 1' \
		setpriv --reuid 65534 --regid 65534 --clear-groups env PATH="$dir:/usr/bin:/bin" ids
	it_both 'static image by an O_PATH descriptor, as uid 65534' '2 1' \
		setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$PY" -c 'import os, sys; os.execve(os.open(sys.argv[1], os.O_PATH), ["ids"], os.environ)' "$dir/ids"
	it_both 'static image by descriptor: fexecve of a memfd, in a fork child' '3 2' \
		"$PY" -c '
import os, sys
fd = os.memfd_create("ids")
os.write(fd, open(sys.argv[1], "rb").read())
if os.fork() == 0:
    os.execve(fd, ["ids"], os.environ)
os.wait()' "$dir/ids"
	# posix_spawn of ./ids with file actions (a redirection, as Rust's
	# Command and pipes make): scanned, filtered; with a chdir among
	# them the path names another file, here none.
	cat >"$dir/spawnfa.c" <<'C'
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	char *args[] = { "ids", NULL };
	pid_t p;
	int st, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, 1, 1);
	if (argc > 1 && strcmp(argv[1], "chdir") == 0)
		posix_spawn_file_actions_addchdir_np(&fa, "/");
	fflush(stdout);
	rc = posix_spawn(&p, "./ids", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		printf("spawn: %s\n", strerror(rc));
		return 1;
	}
	waitpid(p, &st, 0);
	return WEXITSTATUS(st);
}
C
	if cc -O2 -o "$dir/spawnfa" "$dir/spawnfa.c" 2>"$dir/cc.err"; then
		it_both 'static image spawned by a relative path with file actions' '3 2' \
			sh -c 'cd "$1" && exec ./spawnfa' _ "$dir"
		it_both '... with a chdir among them: another file (none)' \
			'spawn: No such file or directory' sh -c 'cd "$1" && exec ./spawnfa chdir' _ "$dir"
	else
		it_expect 'spawnfa builds' "$(cat "$dir/cc.err")" ''
	fi
else
	it_expect 'static ids program builds' "$(cat "$dir/cc.err")" ''
fi
[ "$it_failures" -eq 0 ]
