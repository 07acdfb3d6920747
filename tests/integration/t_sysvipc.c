/* t_sysvipc.c — pids in System V IPC status: msg_lspid/msg_lrpid, shm_cpid/shm_lpid, semctl GETPID (libc and syscall()). */
#include "lib/itest.h"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>

struct msg {
	long type;
	char text[8];
};

static void messages(void)
{
	struct msqid_ds ds;

	it_out("-- message queue");
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (q < 0)
		it_die("msgget");
	IT_RC("msgctl IPC_STAT (fresh)", msgctl(q, IPC_STAT, &ds));
	it_out("lspid %s, lrpid %s", it_l(ds.msg_lspid), it_l(ds.msg_lrpid));
	pid_t c = it_fork("sender");
	if (c == 0) {
		struct msg m = { 1, "hi" };
		IT_RC("sender: msgsnd", msgsnd(q, &m, sizeof(m.text), 0));
		_exit(0);
	}
	it_out("sender: %s", it_status(it_reap(c)));
	struct msg m;
	IT_RC("msgrcv", msgrcv(q, &m, sizeof(m.text), 0, 0) > 0 ? 0 : -1);
	IT_RC("msgctl IPC_STAT", msgctl(q, IPC_STAT, &ds));
	it_out("lspid %s, lrpid %s", it_l(ds.msg_lspid), it_l(ds.msg_lrpid));
	memset(&ds, 0, sizeof(ds));
	IT_RC("syscall(msgctl IPC_STAT)", syscall(SYS_msgctl, q, IPC_STAT, &ds));
	it_out("lspid %s, lrpid %s", it_l(ds.msg_lspid), it_l(ds.msg_lrpid));
	IT_RC("msgctl IPC_STAT bad pointer", msgctl(q, IPC_STAT, (void *)8));
	IT_RC("msgctl IPC_RMID", msgctl(q, IPC_RMID, NULL));
	IT_RC("msgctl IPC_STAT (removed)", msgctl(q, IPC_STAT, &ds));
}

static void segments(void)
{
	struct shmid_ds ds;

	it_out("-- shared memory segment");
	int s = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (s < 0)
		it_die("shmget");
	pid_t c = it_fork("attacher");
	if (c == 0) {
		void *p = shmat(s, NULL, 0);
		IT_RC("attacher: shmat", p == (void *)-1 ? -1 : 0);
		_exit(0);
	}
	it_out("attacher: %s", it_status(it_reap(c)));
	IT_RC("shmctl IPC_STAT", shmctl(s, IPC_STAT, &ds));
	it_out("cpid %s, lpid %s", it_l(ds.shm_cpid), it_l(ds.shm_lpid));
	memset(&ds, 0, sizeof(ds));
	IT_RC("syscall(shmctl IPC_STAT)", syscall(SYS_shmctl, s, IPC_STAT, &ds));
	it_out("cpid %s, lpid %s", it_l(ds.shm_cpid), it_l(ds.shm_lpid));
	IT_RC("shmctl IPC_RMID", shmctl(s, IPC_RMID, NULL));
}

static void semaphores(void)
{
	it_out("-- semaphore set");
	int s = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (s < 0)
		it_die("semget");
	IT_PID("semctl GETPID (never operated)", semctl(s, 0, GETPID));
	pid_t c = it_fork("operator");
	if (c == 0) {
		struct sembuf op = { 1, 1, 0 };
		IT_RC("operator: semop on #1", semop(s, &op, 1));
		_exit(0);
	}
	it_out("operator: %s", it_status(it_reap(c)));
	IT_PID("semctl GETPID #1", semctl(s, 1, GETPID));
	IT_PID("syscall(semctl GETPID #1)", syscall(SYS_semctl, s, 1, GETPID, 0));
	struct sembuf op = { 0, 1, 0 };
	IT_RC("semop on #0", semop(s, &op, 1));
	IT_PID("semctl GETPID #0", semctl(s, 0, GETPID));
	IT_RC("semctl GETPID #5", semctl(s, 5, GETPID));
	IT_RC("semctl IPC_RMID", semctl(s, 0, IPC_RMID));
}

int main(int argc, char **argv)
{
	it_child_modes(argc, argv);
	it_init();
	messages();
	segments();
	semaphores();
	return 0;
}
