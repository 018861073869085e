/*
 * topology.js -- the dashboard's topology view: an SVG drawn from the live
 * configuration and status.  Trunk groups of spans (carrier, PBX) on the
 * left, SIP and analog groups on the right, the gateway in the middle; each
 * group lists its members with their state colour (up, alarm, down); each
 * route is an arrow from its source group to where it sends calls (a range
 * owner route: to every group owning a range).  Built with DOM calls only
 * (the CSP allows no inline script or style).
 */

const NS = 'http://www.w3.org/2000/svg';
let cache = { generation: -1, groups: [], routes: [], ranges: [] };

function svg(tag, attrs, text) {
	const e = document.createElementNS(NS, tag);
	for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
	if (text !== undefined) e.textContent = text;
	return e;
}

function stateOf(status, g) {
	const gs = (status.trunk_groups || []).find((x) => x.name === g.name);
	return gs && gs.state === 'down' ? 'down' : 'up';
}

function memberState(status, g, m) {
	if (g.kind === 'span') {
		const sp = (status.spans || []).find((s) => s.name === m.span);
		return sp ? sp.state : 'unknown';
	}
	if (g.kind === 'sip') {
		const t = (status.sip_trunks || []).find((s) => s.name === m.sip_trunk);
		return t && t.state ? t.state : 'configured';
	}
	return 'configured';
}

function memberName(m) {
	return m.span || m.sip_trunk || m.analog_port || '?';
}

/* Fetch the configuration only when its generation changed. */
async function config(api, generation) {
	if (generation === cache.generation)
		return cache;
	const [g, r, n] = await Promise.all([api('GET', 'trunk-groups'), api('GET', 'routes'),
					     api('GET', 'number-ranges')]);
	cache = { generation, groups: g.trunk_groups, routes: r.routes, ranges: n.number_ranges };
	return cache;
}

export async function renderTopology(api, status, box) {
	let c;

	try {
		c = await config(api, status.config.generation);
	} catch {
		return;         /* the next refresh tries again */
	}
	const left = c.groups.filter((g) => g.kind === 'span');
	const right = c.groups.filter((g) => g.kind !== 'span');
	if (!c.groups.length) {
		const p = document.createElement('p');
		p.className = 'empty';
		p.textContent = 'No trunk groups yet: apply a deployment preset or create them under Configuration.';
		box.replaceChildren(p);
		return;
	}
	const W = 900, boxW = 230, rowH = 22, gap = 24;
	const height = (g) => 34 + Math.max(1, g.members.length) * rowH;
	const place = (list, x) => {
		let y = 20;
		return list.map((g) => {
			const p = { g, x, y, w: boxW, h: height(g) };
			y += p.h + gap;
			return p;
		});
	};
	const pl = place(left, 10), pr = place(right, W - boxW - 10);
	const H = Math.max(160, ...pl.concat(pr).map((p) => p.y + p.h + 20));
	const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'topology', role: 'img',
				  'aria-label': 'Topology: trunk groups, their members and the routes between them' });
	const defs = svg('defs');
	const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5',
				       markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
	marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'topo-arrowhead' }));
	defs.append(marker);
	root.append(defs);
	/* the gateway */
	const gx = W / 2 - 70, gy = H / 2 - 30;
	root.append(svg('rect', { x: gx, y: gy, width: 140, height: 60, rx: 10, class: 'topo-gw' }),
		    svg('text', { x: W / 2, y: gy + 35, 'text-anchor': 'middle', class: 'topo-gw-text' }, 'trunkgate'));
	/* routes, drawn first so the boxes sit on top */
	const byName = new Map(pl.concat(pr).map((p) => [p.g.name, p]));
	const anchor = (p, toward) => ({ x: p.x < W / 2 ? p.x + p.w : p.x, y: p.y + Math.min(p.h / 2, 40) + (toward || 0) });
	let n = 0;
	for (const r of c.routes.filter((r) => r.enabled !== false)) {
		const src = byName.get(r.source_group);
		const dests = r.destinations && r.destinations.length ? r.destinations.map((d) => d.group) :
			[...new Set(c.ranges.filter((x) => x.group && (!r.range || x.name === r.range)).map((x) => x.group))];
		for (const d of dests) {
			const dst = byName.get(d);
			if (!src || !dst || src === dst) continue;
			const a = anchor(src, (n % 5) * 6 - 12), b = anchor(dst, (n % 5) * 6 - 12);
			const mid = { x: W / 2, y: H / 2 + ((n % 7) - 3) * 9 };
			root.append(svg('path', { d: `M ${a.x} ${a.y} Q ${mid.x} ${mid.y} ${b.x} ${b.y}`,
						  class: `topo-route${r.destinations && r.destinations.length ? '' : ' is-owner'}`,
						  'marker-end': 'url(#arrow)' }, undefined));
			root.lastChild.append(svg('title', {}, `route ${r.name}: ${r.source_group} → ${d}` +
				(r.range ? ` (range ${r.range})` : r.destinations.length ? '' : ' (to the range owner)')));
			n++;
		}
	}
	/* the groups and their members */
	for (const p of pl.concat(pr)) {
		const st = stateOf(status, p.g);
		root.append(svg('rect', { x: p.x, y: p.y, width: p.w, height: p.h, rx: 8, class: `topo-group is-${st}` }),
			    svg('text', { x: p.x + 12, y: p.y + 22, class: 'topo-group-name' },
				`${p.g.name} · ${p.g.kind}${st === 'down' ? ' · down' : ''}`));
		p.g.members.forEach((m, i) => {
			const ms = memberState(status, p.g, m);
			const y = p.y + 34 + i * rowH;
			root.append(svg('circle', { cx: p.x + 18, cy: y + 10, r: 5, class: `topo-dot is-${ms}` }),
				    svg('text', { x: p.x + 30, y: y + 14, class: 'topo-member' },
					`${memberName(m)}${m.first_channel ? ` B${m.first_channel}-${m.last_channel}` : ''} · ${ms}`));
		});
	}
	box.replaceChildren(root);
}
