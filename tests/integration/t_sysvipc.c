/* t_sysvipc.c — pids in System V IPC status: msg_lspid/msg_lrpid, shm_cpid/shm_lpid, semctl GETPID (libc and syscall()), and the same in /proc/sysvipc/msg and shm (ipcs -p reads them). */
#include "lib/itest.h"

#include <stdbool.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>

struct msg {
	long type;
	char text[8];
};

/* The pid columns c1 and c2 of object id's row in /proc/sysvipc/<file>
 * (columns named by the header line; the id is the second column). */
static void proc_row(const char *file, int id, const char *c1, const char *c2)
{
	char path[64], line[512], *tok, *save;
	int col1 = -1, col2 = -1, n;
	long v1 = -1, v2 = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", file);
	f = fopen(path, "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
		it_out("%s: %s", path, it_errname(errno));
		if (f != NULL)
			fclose(f);
		return;
	}
	n = 0;
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), n++) {
		if (strcmp(tok, c1) == 0)
			col1 = n;
		if (strcmp(tok, c2) == 0)
			col2 = n;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		bool ours = false;
		n = 0;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), n++) {
			if (n == 1)
				ours = atoi(tok) == id;
			if (ours && n == col1)
				v1 = atol(tok);
			if (ours && n == col2)
				v2 = atol(tok);
		}
		if (ours)
			break;
	}
	fclose(f);
	it_out("%s: %s %s, %s %s", path, c1, v1 < 0 ? "?" : it_l((pid_t)v1), c2,
	       v2 < 0 ? "?" : it_l((pid_t)v2));
}

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
	proc_row("msg", q, "lspid", "lrpid");
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
	proc_row("shm", s, "cpid", "lpid");
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
