// timeline_model.js — the trace's lines turned into processes, lanes, bands and links (no drawing here).
"use strict";

// The engine's events (docs/trace.md) replayed in file order, which is the
// order the supervisor applied them.  A process has one lane per stay in a
// process group: setpgid and setsid end a lane and start one in another
// band, joined by a "move" link.  Signals are links from the sender's lane
// to each target's lane at the same instant; so are forks.

function tlParse(text) {
	const evs = [], bad = [];
	const lines = text.split("\n");
	// Fast path: the whole trace as one array (one parser call); a line
	// that does not parse sends every line through the careful path.
	try {
		const all = JSON.parse("[" + lines.filter(s => s.trim()).join(",") + "]");
		if (all.every(e => e && typeof e === "object" && typeof e.t === "number" && typeof e.ev === "string")) {
			for (let k = 0; k < all.length; k++) all[k].i = k;
			return { evs: all, bad: bad };
		}
	} catch (err) {
		// fall through
	}
	for (let n = 0; n < lines.length; n++) {
		const s = lines[n].trim();
		if (!s) continue;
		try {
			const e = JSON.parse(s);
			if (e && typeof e === "object" && typeof e.t === "number" && typeof e.ev === "string") {
				e.i = evs.length;
				evs.push(e);
			} else bad.push(n + 1);
		} catch (err) {
			bad.push(n + 1);
		}
	}
	return { evs: evs, bad: bad };
}

function tlBase(path) {
	if (!path) return "";
	const i = path.lastIndexOf("/");
	return i >= 0 ? path.slice(i + 1) : path;
}

// A wait status or exit event in words.
function tlExitWords(e) {
	if (e.signal) return "killed by " + e.signal + (e.core ? " (core dumped)" : "");
	if (typeof e.code === "number") return "exit " + e.code;
	if (typeof e.status === "number") return "status " + e.status;
	return "status unknown";
}

// Linux x86 signal numbers, for wait statuses (the trace names signals elsewhere).
const TL_SIGNAMES = [null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
	"USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
	"XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"];

const TL_ORPHAN_CAUSE = {
	parent_exit: "it was the parent of a member, in another group of the same session",
	self_exit: "it was the group's last link to another group of its session",
};

function tlBuild(evs) {
	const m = {
		evs: evs,
		procs: new Map(),   // vpid -> process
		lanes: [],          // {id, proc, key, t0, t1, pgid, sid}
		bands: new Map(),   // "sid:pgid" -> {key, sid, pgid, t0, lanes: []}
		sessions: new Map(),// sid -> {sid, t0, bands: []}
		links: [],          // {kind: fork|move|signal|orphan, t, from: lane, to: lane, sig, ev}
		marks: [],          // {kind: exec|exit|reap|reparent|stop|cont|leftover|ignored|fg|hangup, t, lane, text, ev}
		orphans: [],        // orphan events, with their words
		t0: 0, t1: 0,
		times: [],          // distinct event times, sorted (sequence mode)
		nsignals: 0,
	};
	const t1 = evs.length ? evs[evs.length - 1].t : 0;
	m.t1 = t1 > 0 ? t1 : 1e-6;

	function band(sid, pgid, t) {
		const key = sid + ":" + pgid;
		let b = m.bands.get(key);
		if (!b) {
			b = { key: key, sid: sid, pgid: pgid, t0: t, lanes: [] };
			m.bands.set(key, b);
			let s = m.sessions.get(sid);
			if (!s) {
				s = { sid: sid, t0: t, bands: [] };
				m.sessions.set(sid, s);
			}
			s.bands.push(b);
		}
		return b;
	}
	function openLane(p, t, sid, pgid) {
		const b = band(sid, pgid, t);
		const l = { id: m.lanes.length, proc: p, key: b.key, t0: t, t1: null, pgid: pgid, sid: sid };
		m.lanes.push(l);
		b.lanes.push(l);
		p.lanes.push(l);
		return l;
	}
	function proc(vpid, t, ev) {
		let p = m.procs.get(vpid);
		if (!p) {
			p = { vpid: vpid, parent: null, cmd: "", execs: [], lanes: [], states: [{ t: t, s: "run" }],
				born: t, exitT: null, exitWords: null, reapT: null, reaper: null, firstEv: ev };
			m.procs.set(vpid, p);
		}
		return p;
	}
	function laneAt(p) {
		return p.lanes.length ? p.lanes[p.lanes.length - 1] : null;
	}
	// A process named by an event before (or without) its fork: give it a lane.
	function known(vpid, e) {
		const p = proc(vpid, e.t, e);
		if (!p.lanes.length) openLane(p, e.t, e.sid != null ? e.sid : vpid === 1 ? 0 : -1,
			e.pgid != null ? e.pgid : vpid === 1 ? 1 : -1);
		return p;
	}
	function setState(p, t, s) {
		const last = p.states[p.states.length - 1];
		if (last.s === s) return;
		if (last.t === t) last.s = s; else p.states.push({ t: t, s: s });
	}
	function move(p, e, sid, pgid) {
		const old = laneAt(p);
		if (old && old.sid === sid && old.pgid === pgid) return;
		if (old) old.t1 = e.t;
		const l = openLane(p, e.t, sid, pgid);
		if (old) m.links.push({ kind: "move", t: e.t, from: old, to: l, ev: e });
	}
	function mark(kind, p, e, text) {
		m.marks.push({ kind: kind, t: e.t, lane: laneAt(p), text: text, ev: e });
	}
	let lastEv = null, nth = new Map();
	function signal(from, toVpid, sig, e, kind) {
		const tp = known(toVpid, e);
		// The k-th signal of one event to one target is drawn k steps to the right.
		if (lastEv !== e) { lastEv = e; nth = new Map(); }
		const k = nth.get(toVpid) || 0;
		nth.set(toVpid, k + 1);
		m.links.push({ kind: kind, t: e.t, from: from ? laneAt(from) : null, to: laneAt(tp), sig: sig, ev: e, k: k });
		m.nsignals++;
		// What the signal does to the lane's state, when that is certain.
		if (tp.exitT !== null) return;
		if (sig === "SIGCONT") setState(tp, e.t, "run");
		else if (sig === "SIGSTOP") setState(tp, e.t, "stop");
	}

	const init = known(1, { t: 0, ev: "init" });
	init.cmd = "jobshim (init)";
	for (const e of evs) {
		// Times only go forward in a trace (docs/trace.md).
		if (!m.times.length || m.times[m.times.length - 1] !== e.t) m.times.push(e.t);
		const v = typeof e.vpid === "number" ? e.vpid : null;
		switch (e.ev) {
		case "fork": {
			const parent = known(typeof e.parent === "number" ? e.parent : 1, e);
			const p = proc(v, e.t, e);
			p.parent = parent.vpid;
			p.born = e.t;
			p.via = e.via || null;
			p.cmd = e.path ? tlBase(e.path) : parent.cmd === "jobshim (init)" ? "" : parent.cmd;
			const l = openLane(p, e.t, e.sid != null ? e.sid : -1, e.pgid != null ? e.pgid : -1);
			m.links.push({ kind: "fork", t: e.t, from: laneAt(parent), to: l, ev: e });
			break;
		}
		case "exec": {
			const p = known(v, e);
			p.cmd = e.path ? tlBase(e.path) : p.cmd;
			p.execs.push(e);
			mark("exec", p, e, e.path ? tlBase(e.path) : "exec");
			break;
		}
		case "setsid":
			move(known(v, e), e, e.sid, e.pgid);
			break;
		case "setpgid": {
			const p = known(v, e);
			move(p, e, laneAt(p).sid, e.pgid);
			break;
		}
		case "stop":
		case "cont": {
			const p = known(v, e);
			setState(p, e.t, e.ev === "stop" ? "stop" : "run");
			mark(e.ev, p, e, e.ev === "stop" ? "stopped" : "continued");
			break;
		}
		case "exit": {
			const p = known(v, e);
			p.exitT = e.t;
			p.exitWords = tlExitWords(e);
			setState(p, e.t, "zombie");
			mark("exit", p, e, p.exitWords);
			p.exitMark = m.marks[m.marks.length - 1];
			break;
		}
		case "reap": {
			const p = known(v, e);
			p.reapT = e.t;
			p.reaper = e.parent;
			if (p.exitT === null) {
				p.exitT = e.t;
				setState(p, e.t, "zombie");
			}
			laneAt(p).t1 = e.t;
			// The reaper's wait status tells what the pidfd could not.
			if (typeof e.status === "number" && p.exitMark && p.exitMark.text === "status unknown") {
				const sig = e.status & 0x7f;
				p.exitWords = p.exitMark.text = sig === 0 ? "exit " + ((e.status >> 8) & 0xff)
					: "killed by " + (TL_SIGNAMES[sig] ? "SIG" + TL_SIGNAMES[sig] : "signal " + sig);
			}
			mark("reap", p, e, "reaped by " + e.parent);
			break;
		}
		case "reparent": {
			const p = known(v, e);
			p.parent = e.to;
			mark("reparent", p, e, "parent " + e.from + " \u2192 " + e.to);
			break;
		}
		case "kill": {
			if (v === null) {
				mark("ignored", init, e, e.sig + " to jobshim, ignored");
				break;
			}
			const from = known(v, e);
			if (e.sig === "0") break; // a probe delivers nothing
			const to = Array.isArray(e.to) ? e.to : (e.pid > 0 ? [e.pid] : []);
			for (const tv of to) signal(from, tv, e.sig, e, "signal");
			if (to.length < (e.targets || 0))
				mark("more", from, e, (e.targets - to.length) + " more targets of " + e.sig);
			break;
		}
		case "orphan": {
			const cause = known(e.exited, e);
			const o = {
				ev: e, t: e.t, pgid: e.pgid, exited: e.exited, cause: e.cause,
				words: "group " + e.pgid + " orphaned when pid " + e.exited + " exited (" +
					(TL_ORPHAN_CAUSE[e.cause] || e.cause) + "); stopped: " + (e.stopped || []).join(", ") +
					" \u2192 SIGHUP, SIGCONT to " + (e.members || []).join(", "),
			};
			m.orphans.push(o);
			for (const mv of e.members || [])
				for (const sig of e.signals || ["SIGHUP", "SIGCONT"]) signal(cause, mv, sig, e, "orphan");
			break;
		}
		case "leftover":
			if (v !== null) {
				const p = known(v, e);
				if (e.cmdline && !p.cmd) p.cmd = e.cmdline.split(" ")[0];
				mark("leftover", p, e, "leftover: " + (e.cmdline || ""));
			}
			break;
		case "foreground":
			mark("fg", known(v, e), e, "terminal: group " + e.pgid + " in front");
			break;
		case "hangup":
			mark("hangup", init, e, e.how === "leader" ? "terminal hung up: SIGHUP, SIGCONT \u2192 the command (its controlling process)"
				: e.how === "exit" ? "the command, the terminal's controlling process, exited: SIGHUP \u2192 group " + e.pgid
				: "SIGHUP from outside" + (e.kernel ? " (the kernel signals group 2)" : " \u2192 group 2"));
			break;
		case "teardown": {
			// Every process alive at that moment gets it (teardown.c).
			for (const p of m.procs.values())
				if (p.vpid !== 1 && p.exitT === null) signal(init, p.vpid, e.signal, e, "signal");
			break;
		}
		default:
			// "call" and events this page does not know: details only.
			break;
		}
	}
	for (const p of m.procs.values()) {
		const l = laneAt(p);
		if (l && l.t1 === null) l.t1 = m.t1;
		for (const x of p.lanes) if (x.t1 === null) x.t1 = x.t0;
	}
	if (!m.times.length) m.times = [0];
	return m;
}

// The lane's states over [lane.t0, lane.t1]: [{t0, t1, s}].
function tlLaneStates(l) {
	const out = [], st = l.proc.states;
	for (let k = 0; k < st.length; k++) {
		const a = Math.max(st[k].t, l.t0), b = Math.min(k + 1 < st.length ? st[k + 1].t : l.t1, l.t1);
		if (b > a || (b === a && a === l.t0 && a === l.t1)) out.push({ t0: a, t1: b, s: st[k].s });
	}
	return out;
}

// An event in one sentence, for tooltips and the details panel.
function tlDescribe(e) {
	const p = "pid " + e.vpid;
	switch (e.ev) {
	case "fork":
		return p + " " + (e.via === "command" ? "started as the command" + (e.path ? " " + e.path : "")
			: e.via === "lazy" ? "found running (registered late)" : "forked by pid " + e.parent) +
			", group " + e.pgid + ", session " + e.sid;
	case "exec": return p + " exec " + (e.path || "(seen by setpgid EACCES)");
	case "setsid": return p + " setsid: leads session " + e.sid;
	case "setpgid": return p + " moved from group " + e.from + " to group " + e.pgid + " (setpgid by " + e.by + ")";
	case "stop": return p + " stopped";
	case "cont": return p + " continued";
	case "exit": return p + " exited: " + tlExitWords(e) + (e.via ? " (via " + e.via + ")" : "");
	case "reap": return p + " reaped by " + e.parent + (e.via ? " via " + e.via : "");
	case "reparent": return p + " reparented from " + e.from + " to " + e.to;
	case "kill":
		if (e.vpid == null) return e.sig + " to jobshim from real pid " + e.sender_rpid + ": ignored";
		return p + " kill(" + e.pid + ", " + e.sig + "): " + e.targets + " target(s)" +
			(Array.isArray(e.to) ? " " + e.to.join(", ") : "");
	case "orphan":
		return "ORPHANED: group " + e.pgid + " by the exit of pid " + e.exited + " (" +
			(TL_ORPHAN_CAUSE[e.cause] || e.cause) + "); stopped " + (e.stopped || []).join(", ") +
			"; SIGHUP and SIGCONT to " + (e.members || []).join(", ");
	case "leftover": return p + " left over: " + (e.cmdline || "");
	case "foreground":
		return p + " tcsetpgrp: session " + e.sid + "'s foreground group " + e.from + " \u2192 " + e.pgid;
	case "hangup":
		if (e.how === "leader")
			return "the terminal hung up; jobshim, its real controlling process, sends SIGHUP and SIGCONT to the command, the virtual one";
		if (e.how === "exit")
			return "the command, the terminal's controlling process, exited: SIGHUP to foreground group " + e.pgid +
				" (" + e.processes + " process(es))";
		return "SIGHUP to jobshim from real pid " + e.sender_rpid + " (outside): " + (e.kernel
			? "the terminal hung up and group 2 is in front: the kernel signals it, nothing passed on"
			: "passed on to group 2 (" + e.processes + " process(es))");
	case "teardown": return "teardown (" + e.reason + "): " + e.signal + " to " + e.processes + " process(es)";
	case "call":
		return p + " " + e.op + "(" + (e.args || []).join(", ") + ") = " + (e.errno ? "-1 " + e.errno : e.result);
	default: return e.ev + (e.vpid != null ? " " + p : "");
	}
}
