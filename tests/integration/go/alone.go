// alone.go — a Go program (raw system calls, with or without cgo) under jobshim: its ids and pid calls.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

func errname(err error) string {
	switch err {
	case nil:
		return "0"
	case syscall.ESRCH:
		return "-1 ESRCH"
	case syscall.EINVAL:
		return "-1 EINVAL"
	case syscall.EPERM:
		return "-1 EPERM"
	case syscall.ECHILD:
		return "-1 ECHILD"
	}
	return fmt.Sprintf("-1 %v", err)
}

func main() {
	mode := "ids"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	pid, ppid := os.Getpid(), os.Getppid()
	switch mode {
	case "ids", "child":
		sid, _, _ := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0)
		pg, _ := syscall.Getpgid(ppid)
		fmt.Printf("go: pid %d ppid %d pgrp %d sid %d tid==pid %v\n", pid, ppid,
			syscall.Getpgrp(), sid, syscall.Gettid() == pid)
		fmt.Printf("go: getpgid(ppid) == getpgrp %v\n", pg == syscall.Getpgrp())
		fmt.Printf("go: setpgid(0, 0) = %s\n", errname(syscall.Setpgid(0, 0)))
		fmt.Printf("go: pgrp now %d\n", syscall.Getpgrp())
		if mode == "child" && syscall.Kill(ppid, syscall.SIGUSR1) != nil {
			os.Exit(8)
		}
		os.Exit(7)
	case "pid":
		fmt.Printf("%d %d\n", os.Getpid(), os.Getppid())
	case "fork":
		// os/exec forks with a raw clone(CLONE_VFORK|CLONE_VM): the pid
		// it returns must be the one the child says it has.
		cmd := exec.Command(os.Args[0], "pid")
		out, err := cmd.Output()
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		var cpid, cppid int
		fmt.Sscan(string(out), &cpid, &cppid)
		fmt.Printf("go: fork returned == child's getpid: %v\n", cmd.Process.Pid == cpid)
		fmt.Printf("go: child's getppid == getpid: %v\n", cppid == pid)
		fmt.Printf("go: wait gave the same pid: %v\n", cmd.ProcessState.Pid() == cpid)
		var ws syscall.WaitStatus
		_, err = syscall.Wait4(-1, &ws, 0, nil)
		fmt.Printf("go: wait4(-1) with no child = %s\n", errname(err))
		_, err = syscall.Wait4(99999, &ws, 0, nil)
		fmt.Printf("go: wait4(99999) = %s\n", errname(err))
	case "spawn":
		// scripts/bench.sh: start N subprocesses one after the other.
		n, _ := strconv.Atoi(os.Args[2])
		for i := 0; i < n; i++ {
			if err := exec.Command("/bin/true").Run(); err != nil {
				fmt.Println(err)
				os.Exit(1)
			}
		}
	case "errno":
		fmt.Printf("kill(99999, 0) = %s\n", errname(syscall.Kill(99999, 0)))
		fmt.Printf("kill(ppid, 65) = %s\n", errname(syscall.Kill(ppid, 65)))
		fmt.Printf("kill(ppid, 0) = %s\n", errname(syscall.Kill(ppid, 0)))
		fmt.Printf("tgkill(pid, pid, 0) = %s\n", errname(syscall.Tgkill(pid, pid, 0)))
		_, err := syscall.Getpgid(99999)
		fmt.Printf("getpgid(99999) = %s\n", errname(err))
		fmt.Printf("setpgid(99999, 0) = %s\n", errname(syscall.Setpgid(99999, 0)))
		sid, err := syscall.Setsid()
		fmt.Printf("setsid() = %d %s, == pid %v\n", sid, errname(err), sid == pid)
	}
}
