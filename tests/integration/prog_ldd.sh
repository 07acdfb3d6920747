#!/bin/bash
# prog_ldd.sh BUILD — ldd, `ld.so --list` and LD_TRACE_LOADED_OBJECTS list a program's libraries as natively: the shim's preload is not among them.
# shellcheck disable=SC2016  # single-quoted scripts expand in the shell under test
#
# The loader only lists when LD_TRACE_LOADED_OBJECTS is set (ldd's way)
# or when run as `ld.so --list`, and LD_PRELOAD entries are listed too: a
# script that bundles what ldd prints copied libjobshim.so.  Such an exec
# (execve, and posix_spawn) now runs without the preload (shim/exec.c,
# shim_exec_lists_only).
B=$(cd "${1:-build}" && pwd) || exit 1
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
why=$(it_shim_missing); [ -n "$why" ] && { echo "FAIL: $why"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/spawn_trace.c" <<'C'
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
/* posix_spawn of a dynamic program with LD_TRACE_LOADED_OBJECTS set. */
int main(int argc, char **argv)
{
	char *env[] = { "LD_TRACE_LOADED_OBJECTS=1", NULL };
	char *av[] = { argv[1], NULL };
	pid_t c;
	int st;
	if (argc < 2 || posix_spawn(&c, argv[1], NULL, NULL, av, env) != 0)
		return 2;
	waitpid(c, &st, 0);
	return WEXITSTATUS(st);
}
C
cc -O1 -o "$dir/spawn_trace" "$dir/spawn_trace.c" || { echo "FAIL: cc"; exit 1; }
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)

# The library names each way lists, without their load addresses.
names() { sed -n 's/^[[:space:]]*\([^ ]*\).*/\1/p' | sort | tr '\n' ' '; }
want=$(ldd /bin/sh | names)
case $want in *libc.so.6*) ;; *) echo "FAIL: ldd /bin/sh lists no libc: $want"; exit 1 ;; esac
for how in ldd 'ld.so --list' 'ld.so --list as the command' 'LD_TRACE_LOADED_OBJECTS' 'posix_spawn with LD_TRACE_LOADED_OBJECTS'; do
	case $how in
	ldd) cmd=(bash -c 'ldd /bin/sh') ;;
	'ld.so --list') cmd=(bash -c '"$1" --list /bin/sh' _ "$loader") ;;
	# the run's own command (supervisor/run.c command_lists_only)
	'ld.so --list as the command') cmd=("$loader" --list /bin/sh) ;;
	LD_TRACE_LOADED_OBJECTS) cmd=(bash -c 'LD_TRACE_LOADED_OBJECTS=1 /bin/sh') ;;
	*) cmd=("$dir/spawn_trace" /bin/sh) ;;
	esac
	n=$(it_native "${cmd[@]}" | names)
	s=$(it_shim -- "${cmd[@]}" | names)
	it_expect "$how (native)" "$n" "$want"
	it_expect "$how (jobshim)" "$s" "$want"
done
# The loader run as a program still runs it, with the shim: virtual ids.
it_both 'ld.so PROG keeps the shim' '1 2' bash -c '"$1" /bin/sh -c "echo \$PPID \$\$"' _ "$loader"
exit "$it_failures"
