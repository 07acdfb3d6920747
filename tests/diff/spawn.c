/* spawn.c — vfork and posix_spawn steps: the child is a new image of the executor. */
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "calls.h"
#include "jsd.h"
#include "log.h"
#include "scn.h"
#include "shared.h"
#include "sigrec.h"
#include "token.h"

extern char **environ;

/* The parent side once C exists: publish its pid and wait until the new
 * image has registered (a later step may stop it at once). */
static void spawn_created(struct jsd *j, int proc, pid_t pid)
{
	shared_set(j->sh, proc, (int)pid, 0);
	shared_rpid_wait(j->sh, proc);
}

long spawn_run(struct jsd *j, const struct scn_step *st, int idx)
{
	const struct calls_row *row = calls_row(st->call);
	bool vf = strcmp(row->name, "vfork") == 0;
	char *argv[] = {j->exe, "start", (char *)j->scn_path, (char *)j->logdir,
			j->scn.procs[st->proc].name, NULL};
	char res[96], lab[32], args[3 * SCN_TOKLEN + 8];
	bool unresolved = false;
	sigset_t old;
	pid_t pid = -1;
	int err = 0;

	/* Blocked across the exec, as for an exec step: the new image installs
	 * its handlers before any of these can be delivered. */
	sigrec_block(&old);
	if (vf) {
		snprintf(args, sizeof args, "%s", st->argv[0]);
		pid = vfork();
		if (pid == 0) {
			execv(j->exe, argv);
			_exit(127);
		}
		err = pid < 0 ? errno : 0;
	} else {
		short flags = (short)token_value(CALLS_SPAWNF, st->argv[1], &j->scn, j->sh, j->self, &unresolved);
		pid_t pgroup = (pid_t)token_value(CALLS_PID, st->argv[2], &j->scn, j->sh, j->self, &unresolved);
		posix_spawnattr_t at;
		snprintf(args, sizeof args, "%s, %s, %s", st->argv[0], st->argv[1], st->argv[2]);
		posix_spawnattr_init(&at);
		posix_spawnattr_setflags(&at, flags);
		posix_spawnattr_setpgroup(&at, pgroup);
		err = posix_spawn(&pid, j->exe, NULL, &at, argv, environ);
		posix_spawnattr_destroy(&at);
	}
	if (err == 0) {
		spawn_created(j, st->proc, pid);
		log_pid(j, (int)pid, lab, sizeof lab);
		snprintf(res, sizeof res, vf ? "%s" : "0 pid=%s", lab);
		log_line(j, idx, "%s(%s) = %s%s", row->name, args, res, unresolved ? " (unresolved name)" : "");
		sigrec_restore(&old);
		return pid;
	}
	/* Failed: say so, and make C by fork so the scenario keeps its process. */
	const char *e = strerrorname_np(err) ? strerrorname_np(err) : "E?";
	pid = fork();
	if (pid == 0) {
		jsd_child_start(j, st->proc);
		sigrec_restore(&old);
		return 0;
	}
	if (pid < 0)
		jsd_die("fork: %s", strerror(errno));
	spawn_created(j, st->proc, pid);
	log_pid(j, (int)pid, lab, sizeof lab);
	log_line(j, idx, "%s(%s) = %s%s%s; fork(%s) = %s", row->name, args, vf ? "-1 " : "", e,
		 unresolved ? " (unresolved name)" : "", st->argv[0], lab);
	sigrec_restore(&old);
	return pid;
}
