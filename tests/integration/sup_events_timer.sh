#!/bin/bash
# sup_events_timer.sh BUILD — the event FIFO is read on the supervisor's timer, never from its epoll set: a write to it (a parent's BIND, inside fork) must not wake the supervisor.
# Such a wakeup brought the supervisor onto the writer's CPU, which
# preempted the parent just after fork and let the child run first
# (supervisor/events.c; bash's nameref test under load).  Read from
# outside the tree: the supervisor's descriptors (/proc/PID/fd) and the
# targets of its epoll instances (/proc/PID/fdinfo, "tfd:" lines).
set -u
. "$(dirname "$0")/lib/sup.sh" "${1:-build}" 60
"$J" run -- sh -c 'sleep 0.05 & wait; sleep 30' &
run=$!
evfd= eps=
for _ in $(seq 3000); do
	for f in /proc/$run/fd/*; do
		case "$(readlink "$f" 2>/dev/null)" in
		*/events) evfd=${f##*/} ;;
		"anon_inode:[eventpoll]") eps="$eps ${f##*/}" ;;
		esac
	done
	[ -n "$evfd" ] && [ -n "$eps" ] && break
	evfd= eps=
	sleep 0.01
done
if [ -z "$evfd" ] || [ -z "$eps" ]; then
	bad "supervisor $run: no event FIFO or no epoll instance among its descriptors"
else
	ok "supervisor's event FIFO is fd $evfd, epoll instance(s):$eps"
	watched=$(for e in $eps; do sed -n 's/^tfd: *\([0-9]*\).*/\1/p' "/proc/$run/fdinfo/$e"; done | sort -n | tr '\n' ' ')
	case " $watched" in
	*" $evfd "*) bad "the event FIFO (fd $evfd) is in an epoll set: a write wakes the supervisor (watched: $watched)" ;;
	*) [ -n "$watched" ] && ok "the FIFO is not among the epoll targets ($watched)" ||
		bad "no epoll target found at all: the check read nothing" ;;
	esac
fi
kill -TERM "$run" 2>/dev/null
wait "$run" 2>/dev/null
exit $fail
