/*
 * objects.js -- the Configuration page: list, create, edit and delete every
 * configuration object (spans, SIP trunks, analog ports (configuration
 * only: no analog driver yet), trunk groups, number ranges, manipulation
 * rules, routes, bypass pairs).  The forms are built from the
 * server's own OpenAPI document (GET /api/v1/openapi.json): the XCreate and
 * XUpdate schemas say which fields exist, their types, choices, limits and
 * help texts, so the UI never drifts from what the server checks.  Edits
 * send If-Match with the ETag read, so a change someone else made meanwhile
 * is refused (412) rather than overwritten.  Server errors show next to the
 * field they name, also inside lists ("members[1].span").
 *
 * Number ranges get one more action, made for moving a department: "Move"
 * gives the range to another trunk group and shows the route tester's
 * verdict for its first number before and after.  SIP trunks get
 * "Self-test" (operators too): POST .../self-test, its checks as a table
 * and the Set-CsTrunkConfiguration line for the Lync side.
 */

let ctx;        /* { api, apiRaw, show, $, role } */
let doc = null; /* the OpenAPI document, loaded once */

const KINDS = [
	{ path: 'spans', list: 'spans', schema: 'Span', title: 'Spans', key: 'name',
	  cols: ['name', 'type', 'pri_side', 'switch_type', 'enabled'] },
	{ path: 'sip-trunks', list: 'sip_trunks', schema: 'SipTrunk', title: 'SIP trunks', key: 'name',
	  cols: ['name', 'profile', 'transport', 'enabled'], sub: 'next_hops', selftest: true },
	{ path: 'analog-ports', list: 'analog_ports', schema: 'AnalogPort', title: 'Analog ports', key: 'name',
	  cols: ['name', 'kind', 'driver', 'position', 'number', 'enabled'],
	  note: 'Configuration only: no analog driver exists yet, so a call routed to an analog trunk group is refused (cause 34).' },
	{ path: 'trunk-groups', list: 'trunk_groups', schema: 'TrunkGroup', title: 'Trunk groups', key: 'name',
	  cols: ['name', 'kind', 'hunting', 'max_calls'], sub: 'members' },
	{ path: 'number-ranges', list: 'number_ranges', schema: 'NumberRange', title: 'Number ranges', key: 'name',
	  cols: ['name', 'first', 'last', 'prefix', 'group'], move: true },
	{ path: 'manipulation-rules', list: 'manipulation_rules', schema: 'ManipulationRule',
	  title: 'Manipulation rules', key: 'id', cols: ['id', 'group', 'direction', 'field', 'match', 'pattern'] },
	{ path: 'routes', list: 'routes', schema: 'Route', title: 'Routes', key: 'name',
	  cols: ['name', 'position', 'source_group', 'range', 'called_prefix'], sub: 'destinations' },
	{ path: 'bypass-pairs', list: 'bypass_pairs', schema: 'BypassPair', title: 'Bypass pairs', key: 'name',
	  cols: ['name', 'span_a', 'span_b', 'mode'] },
];
let kind = KINDS[0];

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined) e.textContent = text;
	return e;
}

function schema(name) {
	const s = doc.components.schemas[name];
	return s && s.$ref ? schema(s.$ref.split('/').pop()) : s;
}

function resolve(s) {
	return s && s.$ref ? schema(s.$ref.split('/').pop()) : s;
}

function show(v) {
	if (v === null || v === undefined || v === '') return '–';
	if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? Object.values(x)[0] : x)).join(', ');
	return String(v);
}

/* ---- forms from schemas ---- */

function typeOf(p) {
	const t = Array.isArray(p.type) ? p.type.find((x) => x !== 'null') : p.type;
	return t || (p.enum ? 'string' : 'string');
}

/* One input for a scalar property; name is its JSON path ("members[0].span"). */
function input(name, p, value) {
	const t = typeOf(p);
	let e;

	if (p.enum) {
		e = el('select');
		const nullable = Array.isArray(p.type) && p.type.includes('null');
		for (const v of (nullable ? [''] : []).concat(p.enum.filter((x) => x !== null))) {
			const o = el('option', '', v === '' ? '(none)' : v);
			o.value = v;
			e.append(o);
		}
		e.value = value ?? p.default ?? (nullable ? '' : p.enum[0]);
	} else if (t === 'boolean') {
		e = el('input');
		e.type = 'checkbox';
		e.checked = value ?? p.default ?? false;
	} else {
		e = el('input');
		if (t === 'integer') e.inputMode = 'numeric';
		e.value = value ?? '';
		if (p.default !== undefined && value === undefined) e.placeholder = String(p.default);
	}
	e.name = name;
	e.id = `obj-${name}`;
	e.dataset.type = t;
	return e;
}

function field(name, label, p, value, required) {
	const f = el('div', 'field');
	const l = el('label', '', label + (required ? ' *' : ''));
	const i = input(name, p, value);
	l.htmlFor = i.id;
	const err = el('p', 'field-error');
	err.id = `obj-${name}-error`;
	err.hidden = true;
	f.append(l, i);
	if (p.description) f.append(el('p', 'hint', p.description.replace(/`/g, '')));
	f.append(err);
	return f;
}

/* The rows of an array-of-objects property, each a small grid of fields. */
function listField(name, p, values) {
	const box = el('fieldset', 'group');
	box.name = name;
	box.append(el('legend', '', name.replace(/_/g, ' ')));
	const rows = el('div', 'sub-rows');
	const item = resolve(p.items);
	const add = (v) => {
		const row = el('div', 'sub-row');
		const i = rows.children.length;
		for (const [k, sp] of Object.entries(item.properties || {}))
			row.append(field(`${name}[${i}].${k}`, k.replace(/_/g, ' '), resolve(sp), v ? v[k] : undefined,
					 (item.required || []).includes(k)));
		const rm = el('button', 'btn btn-danger btn-small', 'Remove');
		rm.type = 'button';
		rm.addEventListener('click', () => { row.remove(); renumber(rows, name); });
		row.append(rm);
		rows.append(row);
	};
	for (const v of values || []) add(v);
	const more = el('button', 'btn btn-secondary btn-small', `Add ${name.replace(/_/g, ' ').replace(/s$/, '')}`);
	more.type = 'button';
	more.addEventListener('click', () => add(null));
	const err = el('p', 'field-error');
	err.id = `obj-${name}-error`;
	err.hidden = true;
	box.append(rows, more, err);
	return box;
}

function renumber(rows, name) {
	[...rows.children].forEach((row, i) => {
		for (const e of row.querySelectorAll('[name]')) {
			const rest = e.name.replace(/^[^\]]*\]/, '');
			e.name = `${name}[${i}]${rest}`;
			e.id = `obj-${e.name}`;
		}
		for (const e of row.querySelectorAll('.field-error'))
			e.id = e.id.replace(/\[\d+\]/, `[${i}]`);
	});
}

function buildForm(schemaName, values, isCreate) {
	const s = schema(schemaName);
	const form = el('form', 'card form obj-form');
	form.noValidate = true;
	const fe = el('p', 'alert alert-error form-error');
	fe.hidden = true;
	form.append(el('h2', '', isCreate ? `New ${kind.title.toLowerCase().replace(/s$/, '')}` :
		`${kind.title.replace(/s$/, '')} ${values[kind.key]}`), fe);
	const grid = el('div', 'form-grid');
	for (const [k, p0] of Object.entries(s.properties || {})) {
		const p = resolve(p0);
		if (p.readOnly) continue;
		if (typeOf(p) === 'array' && resolve(p.items).type === 'object')
			form.append(listField(k, p, values ? values[k] : []));
		else
			grid.append(field(k, k.replace(/_/g, ' '), p, values ? values[k] : undefined,
					  (s.required || []).includes(k)));
	}
	form.insertBefore(grid, form.children[2] || null);
	const actions = el('div', 'actions');
	const save = el('button', 'btn btn-primary', isCreate ? 'Create' : 'Save');
	save.type = 'submit';
	const cancel = el('button', 'btn btn-secondary', 'Cancel');
	cancel.type = 'button';
	cancel.addEventListener('click', () => ctx.$('#obj-editor').replaceChildren());
	actions.append(save, cancel);
	form.append(actions);
	return form;
}

/* The form back to JSON: only what was filled in (a create), or what changed (an edit). */
function formJson(form, before) {
	const out = {};
	for (const e of form.querySelectorAll('[name]')) {
		if (e.tagName === 'FIELDSET') continue;
		let v = e.dataset.type === 'boolean' ? e.checked : e.value.trim();
		if (e.dataset.type === 'integer' && v !== '' && /^-?\d+$/.test(v)) v = Number(v);
		const m = e.name.match(/^(\w+)\[(\d+)\]\.(\w+)$/);
		if (m) {
			out[m[1]] = out[m[1]] || [];
			out[m[1]][m[2]] = out[m[1]][m[2]] || {};
			if (v !== '') out[m[1]][m[2]][m[3]] = v;
		} else if (v !== '' || (before && before[e.name] !== undefined && before[e.name] !== '' &&
					 before[e.name] !== null)) {
			out[e.name] = v === '' && e.tagName === 'SELECT' ? null : v;
		}
	}
	for (const fs of form.querySelectorAll('fieldset[name]'))
		out[fs.name] = (out[fs.name] || []).filter(Boolean);
	if (!before) return out;
	const changed = {};
	for (const [k, v] of Object.entries(out))
		if (JSON.stringify(v) !== JSON.stringify(before[k])) changed[k] = v;
	return changed;
}

function fieldError(form, err) {
	for (const e of form.querySelectorAll('.field-error')) e.hidden = true;
	const fe = form.querySelector('.form-error');
	fe.hidden = true;
	const slot = err.field && form.querySelector(`#${CSS.escape(`obj-${err.field}-error`)}`);
	if (slot) {
		slot.textContent = err.message;
		slot.hidden = false;
		const i = form.querySelector(`#${CSS.escape(`obj-${err.field}`)}`);
		if (i) { i.setAttribute('aria-invalid', 'true'); i.focus(); }
	} else {
		fe.textContent = err.message;
		fe.hidden = false;
	}
}

function openEditor(values, etag) {
	const isCreate = !values;
	const form = buildForm(`${kind.schema}${isCreate ? 'Create' : 'Update'}`, values, isCreate);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const body = formJson(form, values);
		try {
			if (isCreate)
				await ctx.api('POST', kind.path, body);
			else
				await ctx.api('PUT', `${kind.path}/${encodeURIComponent(values[kind.key])}`, body,
					      { headers: { 'If-Match': etag } });
			ctx.$('#obj-editor').replaceChildren();
			ctx.$('#obj-status').textContent = `${isCreate ? 'Created' : 'Saved'}; ${kind.note ? 'stored (configuration only).' : 'applied live.'}`;
			loadList();
		} catch (err) {
			if (err.status === 412)
				err.message = 'Someone changed this meanwhile: close the form and open it again to see their change.';
			if (err.status !== 401) fieldError(form, err);
		}
	});
	ctx.$('#obj-editor').replaceChildren(form);
	form.querySelector('input, select')?.focus();
}

/* ---- moving a number range (a department) ---- */

async function verdict(called, source) {
	const d = await ctx.api('POST', 'route-test', { source_group: source, called, live_down: false });
	return d.targets.length ? `${d.targets[0].group} (route ${d.route || '–'})` : `refused, cause ${d.cause}`;
}

async function moveRange(r, groups) {
	const box = el('div', 'card move');
	const sel = el('select');
	for (const g of groups.filter((g) => g !== r.group)) {
		const o = el('option', '', g);
		o.value = g;
		sel.append(o);
	}
	const from = el('select');
	for (const g of groups) {
		const o = el('option', '', g);
		o.value = g;
		from.append(o);
	}
	const go = el('button', 'btn btn-primary btn-small', 'Move');
	go.type = 'button';
	const out = el('p', 'note');
	out.hidden = true;
	box.append(el('h2', '', `Move ${r.name} (now ${r.group || 'no owner'})`), el('label', '', 'to'), sel,
		   el('label', '', 'verdict for calls from'), from, go, out);
	const number = r.prefix || r.first;
	go.addEventListener('click', async () => {
		try {
			const before = await verdict(number, from.value);
			const { etag } = await ctx.apiRaw('GET', `number-ranges/${encodeURIComponent(r.name)}`);
			await ctx.api('PUT', `number-ranges/${encodeURIComponent(r.name)}`, { group: sel.value },
				      { headers: { 'If-Match': etag } });
			const after = await verdict(number, from.value);
			out.textContent = `${number} from ${from.value}: before, to ${before}; now, to ${after}. ` +
				'The next call follows it; calls up now stay up.';
			out.hidden = false;
			loadList();
		} catch (err) {
			out.textContent = err.message;
			out.hidden = false;
		}
	});
	ctx.$('#obj-editor').replaceChildren(box);
}

/* ---- a SIP trunk's self-test ---- */

async function selfTest(t) {
	const box = el('div', 'card selftest');
	box.append(el('h2', '', `Self-test of ${t.name}`), el('p', 'note', 'Testing the next hops…'));
	ctx.$('#obj-editor').replaceChildren(box);
	try {
		const d = await ctx.api('POST', `sip-trunks/${encodeURIComponent(t.name)}/self-test`);
		const tab = el('table', 'table');
		const hr = el('tr');
		for (const c of ['next hop', 'check', 'result', 'detail', 'ms']) hr.append(el('th', '', c));
		tab.createTHead().append(hr);
		const tb = tab.createTBody();
		for (const c of d.checks) {
			const tr = el('tr');
			tr.append(el('td', '', c.hop), el('td', '', c.name),
				  el('td', c.ok ? 'ok' : 'bad', c.ok ? 'ok' : 'failed'), el('td', '', c.detail),
				  el('td', '', String(c.ms)));
			tb.append(tr);
		}
		const cmd = el('pre', 'lync-command');
		cmd.append(el('code', '', d.lync_command));
		box.replaceChildren(el('h2', '', `Self-test of ${t.name}: ${d.ok ? 'all checks passed' : 'some checks failed'}`),
				    d.checks.length ? tab : el('p', 'empty', 'No next hops to test.'),
				    el('p', 'note', 'On the Lync server (Lync Server Management Shell):'), cmd);
	} catch (err) {
		box.replaceChildren(el('p', 'alert alert-error', err.message));
	}
}

/* ---- the list ---- */

async function loadList() {
	const body = ctx.$('#obj-body');
	try {
		const items = (await ctx.api('GET', kind.path))[kind.list];
		const groups = kind.move ? (await ctx.api('GET', 'trunk-groups')).trunk_groups.map((g) => g.name) : [];
		const admin = ctx.role() === 'admin';
		const t = el('table', 'table');
		const hr = el('tr');
		for (const c of kind.cols) hr.append(el('th', '', c.replace(/_/g, ' ')));
		hr.append(el('th'));
		t.createTHead().append(hr);
		const tb = t.createTBody();
		for (const it of items) {
			const tr = el('tr');
			for (const c of kind.cols) tr.append(el('td', '', show(it[c])));
			const td = el('td', 'row-actions');
			if (kind.selftest && (admin || ctx.role() === 'operator')) {
				const st = el('button', 'btn btn-secondary btn-small', 'Self-test');
				st.type = 'button';
				st.addEventListener('click', () => selfTest(it));
				td.append(st);
			}
			if (admin) {
				const key = encodeURIComponent(it[kind.key]);
				const edit = el('button', 'btn btn-secondary btn-small', 'Edit');
				edit.type = 'button';
				edit.addEventListener('click', async () => {
					const { data, etag } = await ctx.apiRaw('GET', `${kind.path}/${key}`);
					openEditor(data, etag);
				});
				td.append(edit);
				if (kind.move) {
					const mv = el('button', 'btn btn-secondary btn-small', 'Move');
					mv.type = 'button';
					mv.addEventListener('click', () => moveRange(it, groups));
					td.append(mv);
				}
				const del = el('button', 'btn btn-danger btn-small', 'Delete');
				del.type = 'button';
				del.addEventListener('click', async () => {
					if (!window.confirm(`Delete ${kind.title.toLowerCase().replace(/s$/, '')} ${it[kind.key]}?`))
						return;
					try {
						const { etag } = await ctx.apiRaw('GET', `${kind.path}/${key}`);
						await ctx.api('DELETE', `${kind.path}/${key}`, undefined, { headers: { 'If-Match': etag } });
						ctx.$('#obj-status').textContent = kind.note ? 'Deleted.' : 'Deleted; applied live.';
						loadList();
					} catch (err) {
						ctx.$('#obj-status').textContent = err.message;   /* e.g. 409: still used by ... */
					}
				});
				td.append(del);
			}
			tr.append(td);
			tb.append(tr);
		}
		body.replaceChildren(items.length ? t : el('p', 'empty', `No ${kind.title.toLowerCase()} yet.`));
		ctx.$('#obj-new').hidden = !admin;
	} catch (err) {
		if (err.status !== 401) body.replaceChildren(el('p', 'alert alert-error', err.message));
	}
}

export async function showObjects(which) {
	ctx.show('config');
	kind = KINDS.find((k) => k.path === which) || KINDS[0];
	const tabs = ctx.$('#obj-tabs');
	tabs.replaceChildren(...KINDS.map((k) => {
		const a = el('a', k === kind ? 'tab is-current' : 'tab', k.title);
		a.href = `#/config/${k.path}`;
		return a;
	}));
	ctx.$('#obj-editor').replaceChildren();
	ctx.$('#obj-status').textContent = kind.note || '';
	if (!doc) {
		try {
			doc = await ctx.api('GET', 'openapi.json');
		} catch (err) {
			ctx.$('#obj-body').replaceChildren(el('p', 'alert alert-error', err.message));
			return;
		}
	}
	loadList();
}

export function initObjects(c) {
	ctx = c;
	ctx.$('#obj-new').addEventListener('click', () => openEditor(null, null));
}
