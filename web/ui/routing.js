/*
 * routing.js -- the Deployment (presets) and Route tester views.  app.js
 * passes its helpers in (initRouting); this module owns the two forms.  As
 * in app.js, everything from the API is shown as text, never as HTML.
 */

let ctx;        /* { api, show, clearErrors, showError, busy, $ } */

/* Which parts of the form each preset asks for. */
const NEEDS = {
	'ev-in-front-of-pbx': ['carrier', 'pbx', 'ev', 'pbxrange'],
	'ev-behind-pbx': ['pbx', 'ev'],
	'voip-only': ['carrier', 'ev'],
};

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined) e.textContent = text;
	return e;
}

/* A table from a header row and rows of cell texts. */
function table(head, rows) {
	const t = el('table', 'table');
	const tr = el('tr');
	for (const h of head) tr.append(el('th', '', h));
	t.append(el('thead'));
	t.tHead.append(tr);
	const body = el('tbody');
	for (const r of rows) {
		const row = el('tr');
		for (const c of r) row.append(el('td', '', c));
		body.append(row);
	}
	t.append(body);
	return t;
}

function fillSelect(select, names, keep) {
	const old = keep ? select.value : '';
	select.replaceChildren(...names.map((n) => {
		const o = el('option', '', n);
		o.value = n;
		return o;
	}));
	if (names.includes(old)) select.value = old;
}

/* ---- deployment ---- */

function deployPreset(form) {
	return form.querySelector('input[name="preset"]:checked').value;
}

function showNeeds(form) {
	const needs = NEEDS[deployPreset(form)];
	for (const part of form.querySelectorAll('[data-needs]'))
		part.hidden = !needs.includes(part.dataset.needs);
	const surv = form.elements.survivability;
	if (surv.value === 'pbx' && !needs.includes('pbx')) surv.value = 'none';
	form.elements['survivability-number'].hidden = surv.value !== 'forward';
}

function range(form, key) {
	const v = (n) => form.elements[`${key}.${n}`].value.trim();
	if (v('prefix')) return { prefix: v('prefix') };
	if (v('first') || v('last')) return { first: v('first'), last: v('last') };
	return undefined;
}

function deployBody(form, dryRun) {
	const preset = deployPreset(form), needs = NEEDS[preset];
	const f = form.elements;
	const body = { sip_trunk: f.sip_trunk.value.trim(), sip_e164_plus: f.sip_e164_plus.checked,
		       replace: f.replace.checked, dry_run: dryRun };
	if (needs.includes('carrier')) body.carrier_span = f.carrier_span.value;
	if (needs.includes('pbx')) body.pbx_span = f.pbx_span.value;
	const host = f['sip_next_hop.host'].value.trim();
	if (host) {
		body.sip_next_hop = { host, transport: f['sip_next_hop.transport'].value };
		const port = f['sip_next_hop.port'].value.trim();
		if (port) body.sip_next_hop.port = /^\d+$/.test(port) ? Number(port) : port;
	}
	const ev = range(form, 'ev_range'), pbx = range(form, 'pbx_range');
	if (ev && needs.includes('ev')) body.ev_range = ev;
	if (pbx && needs.includes('pbxrange')) body.pbx_range = pbx;
	const surv = f.survivability.value;
	body.survivability = surv === 'forward' ? f['survivability-number'].value.trim() : surv;
	return { preset, body };
}

function renderPlan(plan) {
	const box = ctx.$('#plan-body');
	const routes = plan.routes.map((r) => [r.name, r.source_group, r.destination ? r.range || 'any number' :
		'a number in a range', r.destination || "the range's owner",
		r.survivability_group ? `to ${r.survivability_group}` : r.survivability_forward ?
			`forward to ${r.survivability_forward}` : '–']);
	box.replaceChildren(
		el('p', 'muted', `${plan.title}${plan.dry_run ? ' — preview, nothing written yet' :
			`, applied as configuration generation ${plan.generation}`}.`),
		el('h3', '', 'Trunk groups'),
		table(['Group', 'Kind', 'Member'], plan.trunk_groups.map((g) => [g.name, g.kind, g.member])),
		el('h3', '', 'Number ranges'),
		plan.number_ranges.length ? table(['Range', 'Numbers', 'Owner'], plan.number_ranges.map((r) =>
			[r.name, r.prefix ? `${r.prefix}…` : `${r.first} – ${r.last}`, r.group])) :
			el('p', 'muted', 'None: every call from the carrier goes to the SIP trunk.'),
		el('h3', '', 'Routes'),
		table(['Route', 'From', 'Called number', 'To', 'If Lync is down'], routes),
		el('p', 'muted', `${plan.manipulation_rules.length} number manipulation rules` +
			(plan.manipulation_rules.length ? ' put + on numbers going to the SIP side and take it off numbers coming from it.' : '.')));
	ctx.$('#deploy-plan').hidden = false;
}

async function deploySubmit(form, dryRun) {
	ctx.clearErrors(form);
	const status = ctx.$('#deploy-status');
	status.textContent = '';
	const { preset, body } = deployBody(form, dryRun);
	await ctx.busy(form, async () => {
		try {
			const plan = await ctx.api('POST', `presets/${preset}`, body);
			renderPlan(plan);
			status.textContent = dryRun ? 'Preview ready: nothing was written.' :
				`Applied as configuration generation ${plan.generation}.`;
		} catch (err) {
			if (err.status === 401) return;
			ctx.$('#deploy-plan').hidden = true;
			ctx.showError(form, err);
		}
	});
}

export async function showDeployment() {
	ctx.show('deployment');
	const form = ctx.$('#deploy-form');
	ctx.clearErrors(form);
	ctx.$('#deploy-status').textContent = '';
	const readonly = ctx.role() !== 'admin';
	for (const e of form.elements) e.disabled = readonly;
	if (readonly) ctx.showError(form, { message: 'Only administrators can apply a deployment.' });
	try {
		const spans = (await ctx.api('GET', 'spans')).spans.map((s) => s.name);
		fillSelect(form.elements.carrier_span, spans, true);
		fillSelect(form.elements.pbx_span, spans, true);
		if (!form.elements.pbx_span.dataset.touched && spans.length > 1)
			form.elements.pbx_span.value = spans.find((n) => /pbx/i.test(n)) || spans[1];
		if (!form.elements.carrier_span.dataset.touched)
			form.elements.carrier_span.value = spans.find((n) => /carrier|pstn/i.test(n)) || spans[0] || '';
		const routes = (await ctx.api('GET', 'routes')).routes;
		if (routes.length && !readonly)
			ctx.$('#deploy-status').textContent = `${routes.length} routes are configured now: ` +
				'tick “Replace” to replace them.';
	} catch (err) {
		if (err.status !== 401) ctx.showError(form, err);
	}
	showNeeds(form);
}

/* ---- route tester ---- */

function renderDecision(d) {
	const badge = ctx.$('#rt-outcome');
	badge.textContent = d.outcome === 'ok' ? 'routed' : d.outcome.replace('_', ' ');
	badge.className = `badge ${d.outcome === 'ok' ? 'state-up' : 'state-alarm'}`;
	const facts = [
		['Route', d.route || '–'], ['Number range', d.range || '–'],
		['Called number after inbound rules', d.called_in || '–'],
		['Calling number after inbound rules', d.calling_in || '–'],
		['Refusal cause', d.cause == null ? '–' : `Q.850 ${d.cause}`],
		['Decided under', `generation ${d.generation}, ${d.time}`],
	];
	if (d.forward) facts.push(['Forwarded to', d.forward]);
	ctx.$('#rt-facts').replaceChildren(...facts.map(([k, v]) => {
		const div = el('div');
		div.append(el('dt', '', k), el('dd', '', v));
		return div;
	}));
	ctx.$('#rt-targets').replaceChildren(d.targets.length ?
		table(['#', 'Trunk group', 'Called number sent', 'Calling number sent', ''],
		      d.targets.map((t, i) => [String(i + 1), t.group, t.called, t.calling,
					       t.survivability ? 'survivability alternative' : ''])) :
		el('p', 'empty', 'No destination: the call is refused.'));
	ctx.$('#rt-steps').replaceChildren(...d.steps.map((s) => el('li', '', s)));
	ctx.$('#rt-result').hidden = false;
}

export async function showRouteTest() {
	ctx.show('route-test');
	const form = ctx.$('#rt-form');
	ctx.clearErrors(form);
	try {
		const groups = (await ctx.api('GET', 'trunk-groups')).trunk_groups.map((g) => g.name);
		fillSelect(form.elements.source_group, groups, true);
		const down = ctx.$('#rt-down');
		const was = new Set([...down.querySelectorAll('input:checked')].map((i) => i.value));
		down.replaceChildren(...groups.map((g) => {
			const l = el('label', 'check');
			const i = el('input');
			i.type = 'checkbox';
			i.value = g;
			i.checked = was.has(g);
			l.append(i, ` ${g}`);
			return l;
		}));
		if (!groups.length)
			ctx.showError(form, { message: 'No trunk groups yet: set up a deployment first.' });
		const st = await ctx.api('GET', 'status');
		const live = (st.trunk_groups || []).filter((g) => g.state === 'down');
		ctx.$('#rt-live-down').textContent = live.length ?
			`(${live.map((g) => `${g.name}: ${g.reason}`).join('; ')})` : '(none is down now)';
	} catch (err) {
		if (err.status !== 401) ctx.showError(form, err);
	}
}

export function initRouting(c) {
	ctx = c;
	const form = ctx.$('#deploy-form');
	form.addEventListener('change', (ev) => {
		if (ev.target.name === 'carrier_span' || ev.target.name === 'pbx_span')
			ev.target.dataset.touched = '1';
		showNeeds(form);
	});
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		deploySubmit(form, false);
	});
	ctx.$('#deploy-preview').addEventListener('click', () => deploySubmit(form, true));

	const rt = ctx.$('#rt-form');
	rt.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ctx.clearErrors(rt);
		const f = rt.elements;
		const body = { source_group: f.source_group.value, called: f.called.value.trim(),
			       calling: f.calling.value.trim(),
			       down_groups: [...ctx.$('#rt-down').querySelectorAll('input:checked')].map((i) => i.value) };
		if (f.time.value) body.time = f.time.value;
		body.live_down = f.live_down.checked;
		ctx.busy(rt, async () => {
			try {
				renderDecision(await ctx.api('POST', 'route-test', body));
			} catch (err) {
				if (err.status !== 401) {
					ctx.$('#rt-result').hidden = true;
					ctx.showError(rt, err);
				}
			}
		});
	});
}
