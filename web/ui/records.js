/*
 * records.js -- the Calls (CDR browser), Events and Users pages.  app.js
 * passes its helpers in (initRecords).  As everywhere in the UI, what the
 * API returns is shown as text, never as HTML.
 */

let ctx;        /* { api, show, clearErrors, showError, busy, $, role } */
const PAGE = 50;
const cdrState = { offset: 0, total: 0, query: '' };

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined) e.textContent = text;
	return e;
}

function table(head, rows) {
	const t = el('table', 'table');
	const tr = el('tr');
	for (const h of head) tr.append(el('th', '', h));
	t.createTHead().append(tr);
	const body = t.createTBody();
	for (const r of rows) {
		const row = el('tr');
		for (const c of r) row.append(c instanceof Node ? (() => { const td = el('td'); td.append(c); return td; })() :
			el('td', '', c));
		body.append(row);
	}
	return t;
}

const when = (ms) => (ms ? new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '–');
const leg = (kind, trunk, ch) => `${trunk || '–'}${ch != null ? ` B${ch}` : ''} (${kind || '?'})`;

/* ---- calls ---- */

function cdrQuery(form) {
	const q = new URLSearchParams();
	const f = form.elements;
	for (const k of ['number', 'trunk', 'cause'])
		if (f[k].value.trim()) q.set(k, f[k].value.trim());
	if (f.from.value)     /* datetime-local: "2026-11-24T09:30" (seconds only if set) */
		q.set('from', f.from.value.length === 16 ? `${f.from.value}:00Z` : `${f.from.value}Z`);
	return q;
}

async function loadCdrs() {
	const form = ctx.$('#cdr-form');
	const q = new URLSearchParams(cdrState.query);
	ctx.$('#cdr-csv').href = `api/v1/cdrs?format=csv&${q}`;
	q.set('limit', PAGE);
	q.set('offset', cdrState.offset);
	try {
		const r = await ctx.api('GET', `cdrs?${q}`);
		cdrState.total = r.total;
		ctx.$('#cdr-count').textContent = r.total ? `${r.offset + 1}–${r.offset + r.cdrs.length} of ${r.total}` : 'No calls match.';
		ctx.$('#cdr-body').replaceChildren(r.cdrs.length ? table(
			['Ended', 'From', 'To', 'In', 'Out', 'Route', 'Talk', 'Cause', 'Cleared by'],
			r.cdrs.map((c) => [when(c.end_at), c.calling,
				c.called_out && c.called_out !== c.called ? `${c.called} → ${c.called_out}` : c.called,
				leg(c.in_kind, c.in_trunk, c.in_channel), leg(c.out_kind, c.out_trunk, c.out_channel),
				c.route || '–', c.answer_at ? `${c.duration_s} s` : 'not answered',
				String(c.cause), c.released_by])) : el('p', 'empty', 'No call records yet.'));
		ctx.$('#cdr-prev').disabled = cdrState.offset === 0;
		ctx.$('#cdr-next').disabled = cdrState.offset + PAGE >= cdrState.total;
	} catch (err) {
		if (err.status !== 401) ctx.showError(form, err);
	}
}

let liveTimer = null;

async function loadLive() {
	if (ctx.$('[data-view=calls]').hidden) {
		clearInterval(liveTimer);
		liveTimer = null;
		return;
	}
	try {
		const r = await ctx.api('GET', 'calls');
		const mayHang = ctx.role() === 'admin' || ctx.role() === 'operator';
		ctx.$('#live-count').textContent = r.active ? String(r.active) : '';
		ctx.$('#live-body').replaceChildren(r.calls.length ? table(
			['Since', 'From', 'To', 'In', 'Out', 'State', 'Talk', 'Audio (MOS)', ''],
			r.calls.map((c) => {
				const m = c.media.out || c.media.in;
				const b = mayHang ? el('button', 'btn btn-danger btn-small', 'Hang up') : el('span');
				if (mayHang) {
					b.type = 'button';
					b.addEventListener('click', async () => {
						try {
							await ctx.api('DELETE', `calls/${encodeURIComponent(c.id)}`);
						} catch (err) {
							if (err.status !== 401 && err.status !== 404) window.alert(err.message);
						}
						loadLive();
					});
				}
				return [when(c.setup_at), c.calling, c.called_out || c.called,
					c.in ? leg(c.in.kind, c.in.trunk, c.in.channel) : '–',
					c.out ? leg(c.out.kind, c.out.trunk, c.out.channel) : '–', c.state,
					c.answer_at ? `${c.duration_s} s` : '–',
					m ? `${m.mos.toFixed(2)} · ${m.lost} lost · ${m.jitter_ms.toFixed(1)} ms jitter` :
						c.media_connected ? 'B channel ↔ B channel' : '–', b];
			})) : el('p', 'empty', 'No calls up now.'));
	} catch (err) {
		if (err.status !== 401) ctx.$('#live-body').replaceChildren(el('p', 'alert alert-error', err.message));
	}
}

export function showCalls() {
	ctx.show('calls');
	ctx.clearErrors(ctx.$('#cdr-form'));
	loadCdrs();
	loadLive();
	if (!liveTimer)
		liveTimer = setInterval(loadLive, 2000);
}

/* ---- events ---- */

/* While the page is up, the status stream's "events" frames (a new event
 * was written) reload it; leaving the page closes the stream. */
let evSource = null;

function followEvents() {
	if (evSource || !window.EventSource)
		return;
	const es = new EventSource('api/v1/status/stream');
	evSource = es;
	es.addEventListener('events', () => {
		if (ctx.$('[data-view="events"]').hidden) {
			es.close();
			if (evSource === es) evSource = null;
			return;
		}
		loadEvents();
	});
	es.addEventListener('error', () => {
		if (es.readyState === EventSource.CLOSED && evSource === es) evSource = null;
	});
}

export function leaveEvents() {
	if (evSource) {
		evSource.close();
		evSource = null;
	}
}

export async function showEvents() {
	ctx.show('events');
	followEvents();
	await loadEvents();
}

async function loadEvents() {
	try {
		const ev = await ctx.api('GET', 'events?limit=100');
		ctx.$('#ev-count').textContent = String(ev.total);
		ctx.$('#ev-body').replaceChildren(ev.events.length ? table(['When', 'Severity', 'Kind', 'Source', 'What'],
			ev.events.map((e) => {
				const b = el('span', `badge sev-${e.severity}`, e.severity);
				return [when(e.at), b, e.kind, e.source, e.message];
			})) : el('p', 'empty', 'No events.'));
		const au = await ctx.api('GET', 'audit?limit=100');
		ctx.$('#au-count').textContent = String(au.total);
		ctx.$('#au-body').replaceChildren(au.audit.length ? table(['When', 'Who', 'From', 'Did', 'What'],
			au.audit.map((a) => [when(a.at), a.actor, a.remote || '–', a.action,
				`${a.object_type}${a.object_id ? ' ' + a.object_id : ''}`])) :
			el('p', 'empty', 'No changes yet.'));
	} catch (err) {
		if (err.status !== 401)
			ctx.$('#ev-body').replaceChildren(el('p', 'alert alert-error', err.message));
	}
}

/* ---- users and tokens ---- */

function button(text, cls, fn) {
	const b = el('button', `btn ${cls}`, text);
	b.type = 'button';
	b.addEventListener('click', fn);
	return b;
}

async function act(fn) {
	try {
		await fn();
	} catch (err) {
		if (err.status !== 401) window.alert(err.message);   /* a 409 such as "the last admin" */
	}
	showUsers();
}

export async function showUsers() {
	ctx.show('users');
	try {
		const users = (await ctx.api('GET', 'users')).users;
		ctx.$('#users-count').textContent = String(users.length);
		ctx.$('#users-body').replaceChildren(table(['User', 'Role', 'State', 'Last login', ''],
			users.map((u) => {
				const acts = el('span', 'row-actions');
				const locked = u.locked_until > Date.now();
				if (locked)
					acts.append(button('Unlock', 'btn-secondary btn-small', () =>
						act(() => ctx.api('PUT', `users/${encodeURIComponent(u.username)}`, { unlock: true }))));
				acts.append(button(u.disabled ? 'Enable' : 'Disable', 'btn-secondary btn-small', () =>
					act(() => ctx.api('PUT', `users/${encodeURIComponent(u.username)}`, { disabled: !u.disabled }))));
				acts.append(button('Delete', 'btn-danger btn-small', () => {
					if (window.confirm(`Delete user ${u.username}?`))
						act(() => ctx.api('DELETE', `users/${encodeURIComponent(u.username)}`));
				}));
				return [u.username, u.role, u.disabled ? 'disabled' : locked ? 'locked' :
					u.must_change_password ? 'must change password' : 'active', when(u.last_login_at), acts];
			})));
		const tokens = (await ctx.api('GET', 'tokens')).tokens;
		ctx.$('#tokens-count').textContent = String(tokens.filter((t) => !t.revoked_at).length);
		ctx.$('#tokens-body').replaceChildren(tokens.length ? table(['Name', 'Role', 'Made by', 'Expires', 'Last used', ''],
			tokens.map((t) => [t.name, t.role, t.created_by || '–', t.expires_at ? when(t.expires_at) : 'never',
				when(t.last_used_at), t.revoked_at ? el('span', 'muted', 'revoked') :
					button('Revoke', 'btn-danger btn-small', () => {
						if (window.confirm(`Revoke token ${t.name}? Scripts using it stop working.`))
							act(() => ctx.api('DELETE', `tokens/${t.id}`));
					})])) : el('p', 'empty', 'No API tokens.'));
	} catch (err) {
		if (err.status === 403)
			ctx.$('#users-body').replaceChildren(el('p', 'note', 'Only administrators manage users and tokens.'));
		else if (err.status !== 401)
			ctx.$('#users-body').replaceChildren(el('p', 'alert alert-error', err.message));
	}
}

export function initRecords(c) {
	ctx = c;
	const cdr = ctx.$('#cdr-form');
	cdr.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ctx.clearErrors(cdr);
		cdrState.query = cdrQuery(cdr).toString();
		cdrState.offset = 0;
		loadCdrs();
	});
	ctx.$('#cdr-prev').addEventListener('click', () => {
		cdrState.offset = Math.max(0, cdrState.offset - PAGE);
		loadCdrs();
	});
	ctx.$('#cdr-next').addEventListener('click', () => {
		cdrState.offset += PAGE;
		loadCdrs();
	});

	const uf = ctx.$('#user-form');
	uf.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ctx.clearErrors(uf);
		const f = uf.elements;
		ctx.busy(uf, async () => {
			try {
				await ctx.api('POST', 'users', { username: f.username.value.trim(), password: f.password.value,
								 role: f.role.value });
				ctx.$('#user-status').textContent = `Added ${f.username.value.trim()}: they choose their own password at the first login.`;
				uf.reset();
				showUsers();
			} catch (err) {
				if (err.status !== 401) ctx.showError(uf, err);
			}
		});
	});
	const tf = ctx.$('#token-form');
	tf.addEventListener('submit', (ev) => {
		ev.preventDefault();
		ctx.clearErrors(tf);
		const f = tf.elements;
		const days = f.expires_days.value.trim();
		ctx.busy(tf, async () => {
			try {
				const t = await ctx.api('POST', 'tokens', { name: f.name.value.trim(), role: f.role.value,
					expires_days: /^\d+$/.test(days) ? Number(days) : days });
				const once = ctx.$('#token-once');
				once.textContent = `Token for ${t.name}: ${t.token} — copy it now, it is not shown again.`;
				once.hidden = false;
				showUsers();
			} catch (err) {
				if (err.status !== 401) ctx.showError(tf, err);
			}
		});
	});
}
