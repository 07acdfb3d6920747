// alone.go — a Go program (raw system calls, with or without cgo) under jobshim: its ids and pid calls.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
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
	case "pgrp":
		// Groups and a session made by Go's forkExec child (raw calls
		// before the exec), as a shell makes them; a group kill and two
		// group waits that must name exactly the group.
		a := exec.Command("/bin/sleep", "30")
		a.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := a.Start(); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		ap := a.Process.Pid
		b := exec.Command("/bin/sleep", "30")
		b.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: ap}
		if err := b.Start(); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		bp := b.Process.Pid
		pa, _ := syscall.Getpgid(ap)
		pb, _ := syscall.Getpgid(bp)
		fmt.Printf("go: getpgid(a) == a %v, getpgid(b) == a %v\n", pa == ap, pb == ap)
		fmt.Printf("go: kill(-a, SIGTERM) = %s\n", errname(syscall.Kill(-ap, syscall.SIGTERM)))
		var w1, w2 syscall.WaitStatus
		r1, e1 := syscall.Wait4(-ap, &w1, 0, nil)
		r2, e2 := syscall.Wait4(-ap, &w2, 0, nil)
		both := (r1 == ap && r2 == bp) || (r1 == bp && r2 == ap)
		fmt.Printf("go: wait4(-a) twice: both %v, %v %v (%s, %s)\n", both, w1.Signal(), w2.Signal(),
			errname(e1), errname(e2))
		s := exec.Command(os.Args[0], "sid")
		s.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		out, err := s.Output()
		fmt.Printf("%s(%v)\n", out, err)
	case "sid":
		sid, _, _ := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0)
		fmt.Printf("go: sid == pid %v\n", int(sid) == pid)
		// /proc/self/stat is the kernel's: is the real session its own?
		st, _ := os.ReadFile("/proc/self/stat")
		f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+2:]))
		rpid := strings.Fields(string(st))[0]
		fmt.Printf("go: leads its real group %v and real session %v\n", f[2] == rpid, f[3] == rpid)
	case "sigtrap":
		// Go's runtime ignores a SIGTRAP that signal.Ignore covers only
		// when it comes from kill (SI_USER); any other it takes for a trap.
		signal.Ignore(syscall.SIGTRAP)
		fmt.Printf("go: kill(pid, SIGTRAP) = %s\n", errname(syscall.Kill(pid, syscall.SIGTRAP)))
		fmt.Println("go: still here")
	case "flock":
		// A lock's holder as a child sees it (F_GETLK's l_pid): its parent.
		if len(os.Args) > 2 {
			lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
			err := syscall.FcntlFlock(3, syscall.F_GETLK, &lk)
			fmt.Printf("go: child: F_GETLK %s, held by the parent %v\n", errname(err), int(lk.Pid) == ppid)
			return
		}
		f, err := os.CreateTemp("", "jobshim-go-flock")
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Remove(f.Name())
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
		fmt.Printf("go: F_SETLK = %s\n", errname(syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)))
		c := exec.Command(os.Args[0], "flock", "child")
		c.ExtraFiles = []*os.File{f}
		c.Stdout = os.Stdout
		fmt.Printf("go: child ran: %v\n", c.Run())
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
