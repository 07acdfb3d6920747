// timeline_ui.js — the page's controls: filter, zoom, axis mode, tooltips, details, the orphan list, the summary.
"use strict";

(function () {
	const tStart = performance.now();
	const $ = id => document.getElementById(id);
	const errors = [];
	window.addEventListener("error", e => { errors.push(String(e.message)); writeSummary(); });

	const source = JSON.parse($("source").textContent || '""');
	const parsed = tlParse($("trace").textContent);
	const m = tlBuild(parsed.evs);
	const scroller = $("scroll"), spacer = $("spacer"), svg = $("tl"), tip = $("tip"), details = $("details");
	const v = { m: m, lay: null, mode: "time", scale: 1, sx: 0, sy: 0, w: 0, h: 0, filter: null };
	let drawn = {}, firstDrawMs = null, pending = false;

	document.title = "jobshim timeline \u2014 " + source;
	$("title").textContent = "jobshim timeline \u2014 " + source;
	const ngroups = m.bands.size - 1, nsess = m.sessions.size - 1;
	$("counts").textContent = (m.procs.size - 1) + " processes \u00b7 " + nsess + " sessions \u00b7 " + ngroups +
		" groups \u00b7 " + m.nsignals + " signals \u00b7 " + m.orphans.length + " orphanings \u00b7 " +
		(m.t1 - m.t0).toFixed(3) + " s" + (parsed.bad.length ? " \u00b7 " + parsed.bad.length + " unreadable line(s)" : "");

	function fitScale() {
		const w = Math.max(200, scroller.clientWidth - TL.LABEL_W - 60);
		return w / tlSpan(m, v.mode);
	}
	function clampScale(s) {
		const span = tlSpan(m, v.mode);
		return Math.min(Math.max(s, 50 / span), TL.MAX_W / span);
	}
	function size() {
		v.w = scroller.clientWidth;
		v.h = scroller.clientHeight;
		spacer.style.width = (TL.LABEL_W + tlSpan(m, v.mode) * v.scale + 60) + "px";
		spacer.style.height = (TL.AXIS_H + v.lay.height + 40) + "px";
		svg.setAttribute("width", v.w);
		svg.setAttribute("height", v.h);
	}
	function render() {
		pending = false;
		v.sx = scroller.scrollLeft;
		v.sy = scroller.scrollTop;
		drawn = tlDraw(svg, v);
		if (firstDrawMs === null) firstDrawMs = performance.now();
		writeSummary();
	}
	function later() {
		if (!pending) { pending = true; requestAnimationFrame(render); }
	}
	function relayout() {
		v.lay = tlLayout(m, v.filter);
		size();
	}
	// Zoom about screen x (relative to the scroller), keeping that instant in place.
	function zoom(f, sxAt) {
		const at = sxAt === undefined ? (v.w - TL.LABEL_W) / 2 : Math.max(0, sxAt - TL.LABEL_W);
		const u = (scroller.scrollLeft + at) / v.scale;
		v.scale = clampScale(v.scale * f);
		size();
		scroller.scrollLeft = u * v.scale - at;
		render();
	}

	function writeSummary() {
		const s = $("summary");
		const d = {
			source: source, processes: m.procs.size - 1, lanes: v.lay ? v.lay.nlanes : 0, bands: v.lay ? v.lay.nbands : 0,
			sessions: v.lay ? v.lay.nsessions : 0, signals: m.nsignals, orphans: m.orphans.length,
			forks: m.links.filter(l => l.kind === "fork").length, events: m.evs.length, badLines: parsed.bad.length,
			firstDrawMs: firstDrawMs === null ? "" : firstDrawMs.toFixed(0),
			buildMs: firstDrawMs === null ? "" : (firstDrawMs - tStart).toFixed(0),
			drawnLanes: drawn.lanes || 0, drawnBands: drawn.bands || 0, drawnSessions: drawn.sessions || 0,
			drawnArrows: drawn.arrows || 0, drawnForks: drawn.forks || 0, drawnMoves: drawn.moves || 0,
			drawnOrphans: drawn.orphans || 0, drawnMarks: drawn.marks || 0, errors: errors.join(" | "),
			filter: v.filter ? v.filter.kind + " " + v.filter.n : "",
		};
		for (const k in d) s.dataset[k] = d[k];
	}

	// The filter box: "5", "pid 5", "g3", "group 3", "s2", "session 2".
	function parseFilter(text) {
		const t = text.trim().toLowerCase();
		if (!t) return null;
		let r = /^(?:pid\s*|p\s*)?(\d+)$/.exec(t);
		if (r) return { kind: "pid", n: +r[1] };
		r = /^(?:group|pgid|pgrp|g)\s*(\d+)$/.exec(t);
		if (r) return { kind: "group", n: +r[1] };
		r = /^(?:session|sid|s)\s*(\d+)$/.exec(t);
		if (r) return { kind: "session", n: +r[1] };
		return undefined;
	}
	$("filter").addEventListener("input", e => {
		const f = parseFilter(e.target.value);
		e.target.style.outline = f === undefined ? "2px solid #d3202a" : "";
		if (f === undefined) return;
		v.filter = f;
		relayout();
		scroller.scrollTop = 0;
		render();
	});
	$("mode").addEventListener("change", e => {
		v.mode = e.target.value;
		v.scale = fitScale();
		size();
		scroller.scrollLeft = 0;
		render();
	});
	$("zin").addEventListener("click", () => zoom(2));
	$("zout").addEventListener("click", () => zoom(0.5));
	$("zfit").addEventListener("click", () => { v.scale = fitScale(); size(); scroller.scrollLeft = 0; render(); });
	scroller.addEventListener("wheel", e => {
		if (!e.ctrlKey) return;
		e.preventDefault();
		zoom(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - scroller.getBoundingClientRect().left);
	}, { passive: false });
	scroller.addEventListener("scroll", later);
	window.addEventListener("resize", () => { size(); render(); });

	// Tooltips and details.
	function procWords(vpid) {
		const p = m.procs.get(vpid);
		if (!p) return "pid " + vpid;
		const groups = p.lanes.map(l => "group " + l.pgid + " (session " + l.sid + ") from " + l.t0.toFixed(6) + " s").join("\n  ");
		return "pid " + vpid + " " + (p.cmd || "") + "\nparent: " + (p.parent === null ? "-" : p.parent) +
			"\nborn: " + p.born.toFixed(6) + " s\nin:\n  " + groups +
			"\nexit: " + (p.exitT === null ? "still running at the end" : p.exitWords + " at " + p.exitT.toFixed(6) + " s") +
			(p.reapT !== null ? "\nreaped by " + p.reaper + " at " + p.reapT.toFixed(6) + " s" : "");
	}
	function targetOf(el) {
		const a = el.closest ? el.closest("[data-ev], .lname") : null;
		if (!a) return null;
		if (a.classList.contains("lname")) return { text: procWords(+a.dataset.vpid), json: null };
		const e = m.evs[+a.dataset.ev];
		const o = e.ev === "orphan" ? m.orphans.find(x => x.ev === e) : null;
		return { text: e.t.toFixed(6) + " s: " + (o ? "\u26a0 " + o.words : tlDescribe(e)), json: e };
	}
	svg.addEventListener("mousemove", e => {
		const t = targetOf(e.target);
		if (!t) { tip.hidden = true; return; }
		tip.textContent = t.text.split("\n")[0];
		tip.style.left = (e.clientX + 12) + "px";
		tip.style.top = (e.clientY + 14) + "px";
		tip.hidden = false;
	});
	svg.addEventListener("mouseleave", () => { tip.hidden = true; });
	function show(t) {
		details.textContent = "";
		const p = document.createElement("p");
		p.style.whiteSpace = "pre-wrap";
		p.textContent = t.text;
		details.appendChild(p);
		if (t.json) {
			const pre = document.createElement("pre");
			const j = Object.assign({}, t.json);
			delete j.i;
			pre.textContent = JSON.stringify(j, null, 1);
			details.appendChild(pre);
		}
	}
	svg.addEventListener("click", e => { const t = targetOf(e.target); if (t) show(t); });

	// The orphanings, listed above the timeline: the event this tool is for.
	function goTo(o) {
		v.filter = null;
		$("filter").value = "";
		relayout();
		const sp = v.lay.bandOf.get(o.pgid);
		scroller.scrollLeft = tlPos(m, v.mode, o.t) * v.scale - (v.w - TL.LABEL_W) / 3;
		if (sp) scroller.scrollTop = Math.max(0, sp.y0 - 60);
		render();
		show({ text: o.t.toFixed(6) + " s: \u26a0 " + o.words, json: o.ev });
	}
	const ob = $("orphans");
	if (m.orphans.length) {
		const h = document.createElement("strong");
		h.textContent = "\u26a0 " + m.orphans.length + " orphaned group(s): ";
		ob.appendChild(h);
		if (m.orphans.length === 1) {
			const w = document.createElement("span");
			w.textContent = m.orphans[0].words + " ";
			ob.appendChild(w);
		}
		for (const o of m.orphans.slice(0, 40)) {
			const b = document.createElement("button");
			b.className = "orphan-item";
			b.dataset.pgid = o.pgid;
			b.textContent = o.t.toFixed(6) + " s: group " + o.pgid + ", by the exit of " + o.exited;
			b.title = o.words;
			b.addEventListener("click", () => goTo(o));
			ob.appendChild(b);
		}
		if (m.orphans.length > 40) ob.appendChild(document.createTextNode(" and " + (m.orphans.length - 40) + " more"));
	}

	// The address can ask for a view: #mode=seq&filter=group%204&zoom=2&orphan=1
	// (links to a spot in a trace; the tests use it for their screenshots).
	const want = new URLSearchParams(location.hash.slice(1));
	if (want.get("mode") === "seq") $("mode").value = v.mode = "seq";
	if (want.get("filter") && parseFilter(want.get("filter"))) {
		$("filter").value = want.get("filter");
		v.filter = parseFilter(want.get("filter"));
	}
	relayout();
	v.scale = clampScale(fitScale() * (+want.get("zoom") || 1));
	size();
	const oi = +want.get("orphan");
	if (oi >= 1 && oi <= m.orphans.length) goTo(m.orphans[oi - 1]); else render();
})();
