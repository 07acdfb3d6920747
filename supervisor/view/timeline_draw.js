// timeline_draw.js — lay the model out in rows and draw the visible part as SVG (only what is on screen).
"use strict";

const TL = { LABEL_W: 250, AXIS_H: 28, SESSION_H: 22, GROUP_H: 16, ROW_H: 18, MAX_W: 3.0e7 };

// Filter: null, or {kind: "pid"|"group"|"session", n}.
function tlLaneMatches(l, f) {
	if (!f) return true;
	if (f.kind === "pid") return l.proc.vpid === f.n;
	if (f.kind === "group") return l.pgid === f.n;
	return l.sid === f.n;
}

// Rows top to bottom: a header per session, a header per group (band), a
// row per lane.  Sessions and bands in order of appearance, init's first.
function tlLayout(m, filter) {
	const items = [], laneY = new Map(), bandSpan = new Map();
	let y = 0;
	const sessions = Array.from(m.sessions.values()).sort((a, b) => a.t0 - b.t0 || a.sid - b.sid);
	let nb = 0;
	for (const s of sessions) {
		const bands = s.bands.map(b => ({ b: b, lanes: b.lanes.filter(l => tlLaneMatches(l, filter)) }))
			.filter(x => x.lanes.length);
		if (!bands.length) continue;
		items.push({ kind: "session", y: y, h: TL.SESSION_H, s: s });
		y += TL.SESSION_H;
		for (const x of bands) {
			const b = x.b, y0 = y;
			items.push({ kind: "group", y: y, h: TL.GROUP_H, b: b, nb: nb });
			y += TL.GROUP_H;
			x.lanes.sort((p, q) => p.t0 - q.t0 || p.proc.vpid - q.proc.vpid);
			for (const l of x.lanes) {
				items.push({ kind: "lane", y: y, h: TL.ROW_H, l: l, b: b, nb: nb });
				laneY.set(l.id, y + TL.ROW_H / 2);
				y += TL.ROW_H;
			}
			bandSpan.set(b.key, { y0: y0, y1: y, nb: nb });
			nb++;
		}
	}
	// A group's band by pgid (a group lives in one session).
	const bandOf = new Map();
	for (const [key, sp] of bandSpan) bandOf.set(+key.slice(key.indexOf(":") + 1), sp);
	return { items: items, laneY: laneY, bandSpan: bandSpan, bandOf: bandOf, height: y, nbands: nb,
		nsessions: sessions.length, nlanes: laneY.size };
}

// Position of time t on the axis, in units of the mode (seconds or steps).
function tlPos(m, mode, t) {
	if (mode === "time") return t - m.t0;
	const a = m.times;
	let lo = 0, hi = a.length - 1;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (a[mid] < t) lo = mid + 1; else hi = mid;
	}
	return lo;
}
// The earliest time at or after axis position u (inverse of tlPos).
function tlTimeAt(m, mode, u) {
	if (mode === "time") return m.t0 + u;
	const k = Math.max(0, Math.ceil(u));
	return k < m.times.length ? m.times[k] : Infinity;
}
function tlSpan(m, mode) {
	return mode === "time" ? Math.max(m.t1 - m.t0, 1e-6) : Math.max(m.times.length - 1, 1);
}

// First index in a (sorted by .t) whose t >= t.
function tlLower(a, t) {
	let lo = 0, hi = a.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (a[mid].t < t) lo = mid + 1; else hi = mid;
	}
	return lo;
}

function tlEsc(s) {
	return String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function tlFmtTime(u, step, mode) {
	if (mode !== "time") return "#" + Math.round(u);
	if (step >= 1) return u.toFixed(0) + " s";
	if (step >= 1e-3) return (u * 1e3).toFixed(Math.max(0, -Math.floor(Math.log10(step * 1e3) + 1e-9))) + " ms";
	return (u * 1e6).toFixed(Math.max(0, -Math.floor(Math.log10(step * 1e6) + 1e-9))) + " \u00b5s";
}

// Words broken into lines of at most n characters.
function tlWrap(text, n) {
	const out = [];
	let cur = "";
	for (const w of text.split(" ")) {
		if (cur && cur.length + 1 + w.length > n) { out.push(cur); cur = w; } else cur = cur ? cur + " " + w : w;
	}
	if (cur) out.push(cur);
	return out;
}

const TL_SIGSHORT = s => (s || "").replace(/^SIG/, "");

// Draw the viewport: v = {m, lay, mode, scale, sx, sy, w, h}.  Returns
// counts of what was drawn (the structural summary reads them).
function tlDraw(svg, v) {
	const m = v.m, lay = v.lay, out = [];
	const W = v.w, H = v.h, LW = TL.LABEL_W, AH = TL.AXIS_H;
	const X = t => LW + tlPos(m, v.mode, t) * v.scale - v.sx;
	const Y = y => AH + y - v.sy;
	const drawn = { lanes: 0, bands: 0, sessions: 0, arrows: 0, forks: 0, moves: 0, orphans: 0, marks: 0 };
	// Visible time range, a little wider so that labels at the edge show.
	const uLo = (v.sx - 40) / v.scale, uHi = (v.sx + W - LW + 40) / v.scale;
	const tVis = t => { const u = tlPos(m, v.mode, t); return u >= uLo && u <= uHi; };
	// Visible rows.
	const items = lay.items;
	let lo = 0, hi = items.length;
	while (lo < hi) { const mid = (lo + hi) >> 1; if (items[mid].y + items[mid].h < v.sy) lo = mid + 1; else hi = mid; }
	const first = lo;
	let last = first;
	while (last < items.length && items[last].y < v.sy + H - AH) last++;

	out.push('<defs><marker id="ah" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">' +
		'<path d="M0,0 L8,4 L0,8 z" fill="context-stroke"/></marker></defs>');
	// Bands first (backgrounds), one rect per band, clipped to the view.
	const seenBands = new Set();
	for (let k = first; k < last; k++) {
		const it = items[k];
		if (it.kind === "session" || seenBands.has(it.b.key)) continue;
		seenBands.add(it.b.key);
		const sp = lay.bandSpan.get(it.b.key);
		const y0 = Math.max(Y(sp.y0), AH), y1 = Math.min(Y(sp.y1), H);
		out.push('<rect class="band b' + (sp.nb % 2) + '" data-sid="' + it.b.sid + '" data-pgid="' + it.b.pgid +
			'" x="0" y="' + y0 + '" width="' + W + '" height="' + Math.max(0, y1 - y0) + '"/>');
		drawn.bands++;
	}
	// Lanes: state bars.
	const lanesOn = [];
	for (let k = first; k < last; k++) {
		const it = items[k];
		if (it.kind !== "lane") continue;
		const l = it.l, yc = Y(it.y + it.h / 2);
		lanesOn.push(l.id);
		let g = '<g class="lane" data-lane="' + l.id + '" data-vpid="' + l.proc.vpid + '" data-pgid="' + l.pgid +
			'" data-sid="' + l.sid + '" data-cmd="' + tlEsc(l.proc.cmd) + '">';
		for (const s of tlLaneStates(l)) {
			const x0 = Math.max(X(s.t0), LW - 2), x1 = Math.min(X(s.t1), W + 2);
			if (x1 < LW - 2 || x0 > W + 2) continue;
			g += '<rect class="st ' + s.s + '" data-state="' + s.s + '" x="' + x0 + '" y="' + (yc - 4) + '" width="' +
				Math.max(1.5, x1 - x0) + '" height="8"/>';
		}
		out.push(g + "</g>");
		drawn.lanes++;
	}
	const onScreen = new Set(lanesOn);
	const ly = l => (l && lay.laneY.has(l.id) ? Y(lay.laneY.get(l.id)) : null);
	// Links in the visible time range whose vertical extent meets the view.
	let nlinks = 0;
	const LINK_CAP = 4000;
	const labelled = new Set(), crossing = new Set(), labelAt = new Map();
	const tLo = tlTimeAt(m, v.mode, uLo);
	for (let k = tlLower(m.links, tLo); k < m.links.length && nlinks < LINK_CAP; k++) {
		const L = m.links[k];
		if (!tVis(L.t)) { if (tlPos(m, v.mode, L.t) > uHi) break; continue; }
		let y1 = ly(L.from), y2 = ly(L.to);
		if (y1 === null && y2 === null) continue;
		const stub = y1 === null || y2 === null;
		if (y2 === null) continue; // the target is filtered out: nothing to point at
		if (y1 === null) y1 = y2 - 14;
		if (Math.max(y1, y2) < AH || Math.min(y1, y2) > H) continue;
		const x = X(L.t) + (L.k || 0) * 34;
		// A link with an end off screen is one of many lines through the
		// view when zoomed out: one per pixel column and kind is enough.
		// Those are drawn faint ("far"): the lanes on screen stay readable.
		const far = y1 < AH || y1 > H || y2 < AH || y2 > H;
		if (far) {
			const col = L.kind + Math.round(x) + (y1 < y2 ? "v" : "^");
			if (crossing.has(col)) continue;
			crossing.add(col);
		}
		const ev = ' data-ev="' + L.ev.i + '"';
		if (L.kind === "fork" || L.kind === "move") {
			out.push('<path class="' + L.kind + (far ? " far" : "") + '"' + ev + ' data-from="' + (L.from ? L.from.proc.vpid : "") +
				'" data-to="' + L.to.proc.vpid + '" d="M' + x + "," + y1 + " L" + x + "," + y2 + '"/>');
			if (L.kind === "fork") out.push('<circle class="forkdot"' + ev + ' cx="' + x + '" cy="' + y1 + '" r="2.5"/>');
			drawn[L.kind === "fork" ? "forks" : "moves"]++;
		} else {
			const self = L.from && L.from.proc === L.to.proc;
			const cls = "arrow" + (L.kind === "orphan" ? " orphan-sig" : "") + (stub ? " stub" : "") + (far ? " far" : "");
			const d = self ? "M" + x + "," + (y2 - 1) + " c 10,-12 16,0 2,-1" :
				"M" + x + "," + y1 + " Q" + (x + 10) + "," + ((y1 + y2) / 2) + " " + (x + 5) + "," + (y2 + (y2 > y1 ? -4 : 4));
			out.push('<path class="' + cls + '"' + ev + ' data-sig="' + tlEsc(L.sig) + '" data-from="' +
				(L.from ? L.from.proc.vpid : "") + '" data-to="' + L.to.proc.vpid + '" d="' + d + '" marker-end="url(#ah)"/>');
			const key = L.ev.i + ":" + L.to.id + ":" + L.sig;
			if (!labelled.has(key)) {
				labelled.add(key);
				// Labels close together on one lane are stacked, not overprinted.
				const xs = labelAt.get(L.to.id) || [];
				const dy = xs.filter(px => Math.abs(px - x) < 30).length * 10;
				xs.push(x);
				labelAt.set(L.to.id, xs);
				out.push('<text class="siglabel' + (L.kind === "orphan" ? " orphan-sig" : "") + '"' + ev + ' x="' + (x + 8) +
					'" y="' + (y2 + (y2 > y1 ? -5 - dy : 12 + dy)) + '">' + tlEsc(TL_SIGSHORT(L.sig)) + "</text>");
			}
			drawn.arrows++;
		}
		nlinks++;
	}
	// Marks on visible lanes.
	for (let k = tlLower(m.marks, tLo); k < m.marks.length; k++) {
		const M = m.marks[k];
		if (tlPos(m, v.mode, M.t) > uHi) break;
		if (!M.lane || !onScreen.has(M.lane.id)) continue;
		const x = X(M.t), y = ly(M.lane), ev = ' data-ev="' + M.ev.i + '"';
		let s = '<g class="mark ' + M.kind + '"' + ev + ' data-vpid="' + M.lane.proc.vpid + '">';
		if (M.kind === "exec") s += '<path d="M' + x + "," + (y - 7) + " L" + x + "," + (y + 7) + '"/>' +
			'<text x="' + (x + 3) + '" y="' + (y - 6) + '">' + tlEsc(M.text) + "</text>";
		else if (M.kind === "exit") s += '<path d="M' + (x - 4) + "," + (y - 4) + " l8,8 m0,-8 l-8,8" + '"/>' +
			'<text x="' + (x + 5) + '" y="' + (y + 12) + '">' + tlEsc(M.text) + "</text>";
		else if (M.kind === "reap") s += '<rect x="' + (x - 1) + '" y="' + (y - 6) + '" width="3" height="12"/>';
		else if (M.kind === "reparent") s += '<text x="' + (x + 3) + '" y="' + (y + 13) + '">' + tlEsc(M.text) + "</text>" +
			'<circle cx="' + x + '" cy="' + y + '" r="3"/>';
		else if (M.kind === "stop" || M.kind === "cont") s += '<circle cx="' + x + '" cy="' + y + '" r="2.5"/>';
		else if (M.kind === "fg" || M.kind === "hangup") s += '<path d="M' + x + "," + (y - 5) + " l5,5 l-5,5 l-5,-5 z" + '"/>' +
			'<text x="' + (x + 6) + '" y="' + (y - 6) + '">' + tlEsc(M.text) + "</text>";
		else s += '<circle cx="' + x + '" cy="' + y + '" r="3"/>';
		out.push(s + "</g>");
		drawn.marks++;
	}
	// Orphanings: a red column over the exited process and the group's
	// lanes, and the engine's cause in words.
	for (const o of m.orphans) {
		if (!tVis(o.t)) continue;
		const ys = [];
		const sp = lay.bandOf.get(o.pgid);
		const ex = m.procs.get(o.exited);
		if (ex) { const l = ex.lanes[ex.lanes.length - 1]; if (lay.laneY.has(l.id)) ys.push(Y(lay.laneY.get(l.id))); }
		if (sp) { ys.push(Y(sp.y0), Y(sp.y1)); }
		if (!ys.length) continue;
		const y0 = Math.min(...ys) - 6, y1 = Math.max(...ys) + 6;
		if (y1 < AH || y0 > H) continue;
		const x = X(o.t);
		// The words, in lines as wide as the room: right of the column, else
		// left of it (never under the label column), just below the group.
		const roomR = W - x - 24, roomL = x - 24 - LW, right = roomR >= 220 || roomR >= roomL;
		const chars = Math.max(24, Math.min(70, Math.floor((right ? roomR : roomL) / 7.6)));
		const lines = tlWrap("\u26a0 " + o.words, chars), tw = chars * 7.6;
		const tx = right ? x + 24 : x - 24 - tw;
		const ty0 = Math.max(AH + 14, Math.min(H - 8 - 15 * (lines.length - 1), sp ? Y(sp.y1) + 14 : y1 + 14));
		out.push('<g class="orphan" data-ev="' + o.ev.i + '" data-pgid="' + o.pgid + '" data-exited="' + o.exited + '">' +
			'<rect class="orphan-col" x="' + (x - 5) + '" y="' + y0 + '" width="10" height="' + (y1 - y0) + '"/>' +
			'<text class="orphan-text" x="' + tx + '" y="' + ty0 + '">' +
			lines.map((s, n) => '<tspan x="' + tx + '" dy="' + (n ? 15 : 0) + '">' + tlEsc(s) + "</tspan>").join("") +
			"</text></g>");
		drawn.orphans++;
	}
	// The label column over everything scrolled under it, then the axis.
	out.push('<rect class="labelbg" x="0" y="' + AH + '" width="' + LW + '" height="' + H + '"/>');
	for (let k = first; k < last; k++) {
		const it = items[k], y = Y(it.y);
		if (it.kind === "session") {
			out.push('<g class="session" data-sid="' + it.s.sid + '"><line x1="0" x2="' + W + '" y1="' + y + '" y2="' + y +
				'"/><text x="6" y="' + (y + 15) + '">' + (it.s.sid === 0 ? "jobshim" : "session " + it.s.sid) + "</text></g>");
			drawn.sessions++;
		} else if (it.kind === "group") {
			out.push('<text class="glabel" data-pgid="' + it.b.pgid + '" x="14" y="' + (y + 12) + '">' +
				(it.b.sid === 0 ? "init" : "group " + it.b.pgid) + "</text>");
		} else {
			const p = it.l.proc;
			out.push('<text class="lname" data-vpid="' + p.vpid + '" x="26" y="' + (y + 13) + '">' +
				tlEsc(p.vpid + " " + (p.cmd || "?")).slice(0, 38) + "</text>");
		}
	}
	out.push('<rect class="axisbg" x="0" y="0" width="' + W + '" height="' + AH + '"/>');
	const target = 110 / v.scale, p10 = Math.pow(10, Math.floor(Math.log10(target)));
	let step = [1, 2, 5, 10].map(k => k * p10).find(s => s >= target) || 10 * p10;
	if (v.mode !== "time") step = Math.max(1, Math.round(step));
	for (let u = Math.max(0, Math.floor(uLo / step) * step); u <= uHi; u += step) {
		const x = LW + u * v.scale - v.sx;
		if (x < LW) continue;
		out.push('<line class="tick" x1="' + x + '" x2="' + x + '" y1="' + (AH - 6) + '" y2="' + H + '"/>' +
			'<text class="ticklabel" x="' + (x + 3) + '" y="' + (AH - 9) + '">' + tlFmtTime(u, step, v.mode) + "</text>");
	}
	out.push('<text class="axisname" x="6" y="' + (AH - 9) + '">' + (v.mode === "time" ? "time since start" : "event order") + "</text>");
	svg.innerHTML = out.join("");
	return drawn;
}
