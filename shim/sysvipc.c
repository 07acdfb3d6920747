/* sysvipc.c — pids in System V IPC status: msgctl's msg_lspid/msg_lrpid, shmctl's shm_cpid/shm_lpid, semctl GETPID. */
#include "shim.h"

#include <stdarg.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>

/*
 * The kernel records who last sent and received a message, who created and
 * last attached a segment, and who last operated on a semaphore, and shows
 * those pids to anyone allowed to look -- real pids, where the rest of the
 * namespace shows vpids (LTP msgsnd01, msgrcv01, shmctl01, semctl01 compare
 * them with fork's and getpid's answers).  After a successful status
 * command they are translated in place: a process of the tree by its vpid,
 * any other one as 0, which is what a pid namespace shows for a process it
 * cannot see.  Nothing goes in: these calls take no pid.
 */

#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#define IPC_64_FLAG 0x100 /* some ABIs' "new layout" bit, never ours to judge */

static pid_t ipc_r2v(pid_t rpid)
{
	return rpid > 0 ? shim_r2v(rpid) : rpid;
}

static void msg_fix(int cmd, struct msqid_ds *ds)
{
	cmd &= ~IPC_64_FLAG;
	if ((cmd != IPC_STAT && cmd != MSG_STAT && cmd != MSG_STAT_ANY) || ds == NULL)
		return;
	ds->msg_lspid = ipc_r2v(ds->msg_lspid);
	ds->msg_lrpid = ipc_r2v(ds->msg_lrpid);
}

static void shm_fix(int cmd, struct shmid_ds *ds)
{
	cmd &= ~IPC_64_FLAG;
	if ((cmd != IPC_STAT && cmd != SHM_STAT && cmd != SHM_STAT_ANY) || ds == NULL)
		return;
	ds->shm_cpid = ipc_r2v(ds->shm_cpid);
	ds->shm_lpid = ipc_r2v(ds->shm_lpid);
}

static bool ipc_online(void)
{
	shim_init();
	return !shim_offline();
}

SHIM_EXPORT int msgctl(int id, int cmd, struct msqid_ds *ds)
{
	int rc;

	rc = REAL(msgctl)(id, cmd, (void *)ds);
	if (rc >= 0 && ipc_online())
		msg_fix(cmd, ds);
	return rc;
}

SHIM_EXPORT int shmctl(int id, int cmd, struct shmid_ds *ds)
{
	int rc;

	rc = REAL(shmctl)(id, cmd, (void *)ds);
	if (rc >= 0 && ipc_online())
		shm_fix(cmd, ds);
	return rc;
}

/* semctl(id, num, cmd[, union semun]): the fourth argument is one machine
 * word (an int, or a pointer), passed on as it came. */
SHIM_EXPORT int semctl(int id, int num, int cmd, ...)
{
	va_list ap;
	long arg;
	int rc;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	rc = REAL(semctl)(id, num, cmd, arg);
	if (rc > 0 && (cmd & ~IPC_64_FLAG) == GETPID && ipc_online())
		rc = ipc_r2v(rc);
	return rc;
}

/* syscall(SYS_msgctl / SYS_shmctl / SYS_semctl): the kernel's result. */
long shim_sys_ipcctl(long nr, long a0, long a1, long a2, long a3)
{
	long r = shim_raw_syscall(nr, a0, a1, a2, a3, 0, 0);

	if (r < 0 || !ipc_online())
		return r;
	if (nr == SYS_msgctl)
		msg_fix((int)a1, (struct msqid_ds *)a2);
	else if (nr == SYS_shmctl)
		shm_fix((int)a1, (struct shmid_ds *)a2);
	else if (nr == SYS_semctl && r > 0 && (a2 & ~IPC_64_FLAG) == GETPID)
		r = ipc_r2v((pid_t)r);
	return r;
}
