/*
 * app.js -- the trunkgate admin UI: one ES module, no build step, no
 * dependencies.  The page holds every view (index.html); this module shows one
 * at a time, chosen by the session and the URL hash (#/dashboard, #/settings,
 * #/password).  The server's CSP forbids inline script and style, so all DOM
 * changes go through textContent, classes and the hidden attribute, never
 * innerHTML: everything the API returns is shown as text.
 *
 * Auth: the session cookie is HttpOnly; the CSRF token that writes must echo
 * lives in sessionStorage (per tab, gone when the tab closes).  A cookie
 * session without a stored CSRF token cannot write, so it counts as logged out.
 */

import { initRouting, showDeployment, showRouteTest } from './routing.js';
import { initRecords, showCalls, showEvents, showUsers, leaveEvents } from './records.js';
import { initObjects, showObjects } from './objects.js';
import { renderTopology } from './topology.js';
import { initBackup, backupRole } from './backup.js';

const API = 'api/v1/';
const CSRF_KEY = 'trunkgate.csrf';
const REFRESH_MS = 2000;

const $ = (sel) => document.querySelector(sel);
const state = { session: null, timer: null, events: null, live: '', systemName: '' };

class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message);
		this.status = status;
		this.code = code;
		this.field = field;
	}
}

/* One fetch wrapper: JSON in and out, CSRF on writes, errors as ApiError. */
async function api(method, path, body, opts = {}) {
	return (await apiRaw(method, path, body, opts)).data;
}

/* The same, with the answer's ETag: { data, etag }. */
async function apiRaw(method, path, body, { quiet401 = false, headers: extra = {} } = {}) {
	const headers = { Accept: 'application/json', ...extra };
	const csrf = sessionStorage.getItem(CSRF_KEY);
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (method !== 'GET' && csrf)
		headers['X-CSRF-Token'] = csrf;
	let res;
	try {
		res = await fetch(API + path, {
			method, headers, cache: 'no-store', credentials: 'same-origin',
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	} catch {
		throw new ApiError(0, 'network', 'Cannot reach the gateway.');
	}
	if (res.status === 204)
		return { data: null, etag: null };
	const data = await res.json().catch(() => null);
	if (res.ok)
		return { data, etag: res.headers.get('ETag') };
	const e = (data && data.error) || {};
	const err = new ApiError(res.status, e.code || 'http', e.message || `HTTP ${res.status}`, e.field);
	if (res.status === 401 && !quiet401)
		sessionLost('Your session has ended. Please sign in again.');
	throw err;
}

/* ---- formatting ---- */

function fmtDuration(sec) {
	const d = Math.floor(sec / 86400), h = Math.floor(sec / 3600) % 24;
	const m = Math.floor(sec / 60) % 60, s = Math.floor(sec % 60);
	if (d) return `${d} d ${h} h ${m} min`;
	if (h) return `${h} h ${m} min`;
	if (m) return `${m} min ${s} s`;
	return `${s} s`;
}

function fmtBytes(n) {
	if (n < 0) return 'unknown';
	const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;
	while (n >= 1024 && i < units.length - 1) {
		n /= 1024;
		i++;
	}
	return i ? `${n.toFixed(1)} ${units[i]}` : `${n} ${units[0]}`;
}

function fmtWhen(ms) {
	if (!ms) return 'never';
	const ago = Math.max(0, Math.round((Date.now() - ms) / 1000));
	const at = new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
	return `${at} (${ago < 5 ? 'just now' : fmtDuration(ago) + ' ago'})`;
}

/* ---- views ---- */

function show(view) {
	for (const el of document.querySelectorAll('[data-view]'))
		el.hidden = el.dataset.view !== view;
	const s = state.session;
	$('#topbar').hidden = !s;
	$('#banner').hidden = !(s && s.must_change_password);
	$('#nav').hidden = !s || s.must_change_password;
	for (const a of document.querySelectorAll('#nav a[data-admin]'))
		a.hidden = !s || s.role !== 'admin';
	for (const a of document.querySelectorAll('#nav a')) {
		if (a.dataset.route === view) a.setAttribute('aria-current', 'page');
		else a.removeAttribute('aria-current');
	}
	const titles = { login: 'Sign in', password: 'Change password', dashboard: 'Dashboard', settings: 'Settings',
			 deployment: 'Deployment', 'route-test': 'Route tester', calls: 'Call records',
			 events: 'Events', users: 'Users', config: 'Configuration' };
	document.title = `${titles[view]} · ${state.systemName || 'trunkgate'}`;
	if (view !== 'dashboard')
		stopRefresh();
	if (view !== 'events')
		leaveEvents();
}

function setSystemName(name) {
	state.systemName = name || '';
	const el = $('#top-system');
	el.textContent = name || 'unnamed system';
	el.classList.toggle('is-unset', !name);
}

function setSession(s) {
	state.session = s;
	if (s) {
		$('#top-user-name').textContent = s.username;
		$('#top-user-role').textContent = s.role;
	}
}

function route() {
	if (!state.session)
		return showLogin();
	if (state.session.must_change_password)
		return showPassword(true);
	const r = location.hash.replace(/^#\/?/, '');
	if (r === 'settings') return showSettings();
	if (r === 'deployment') return showDeployment();
	if (r === 'route-test') return showRouteTest();
	if (r === 'calls') return showCalls();
	if (r === 'events') return showEvents();
	if (r === 'users') return showUsers();
	if (r === 'config' || r.startsWith('config/')) return showObjects(r.split('/')[1]);
	if (r === 'password') return showPassword(false);
	if (r !== 'dashboard') history.replaceState(null, '', '#/dashboard');
	return showDashboard();
}

function sessionLost(note) {
	stopRefresh();
	sessionStorage.removeItem(CSRF_KEY);
	setSession(null);
	showLogin(note);
}

/* ---- forms: field errors sit next to the field the server names ---- */

function clearErrors(form) {
	for (const el of form.querySelectorAll('.field-error')) {
		el.hidden = true;
		el.textContent = '';
	}
	for (const el of form.querySelectorAll('[aria-invalid]'))
		el.removeAttribute('aria-invalid');
	const fe = form.querySelector('.form-error');
	fe.hidden = true;
	fe.textContent = '';
}

/* "system_name: longer than ..." next to the System name box reads better as
 * "Longer than ...": drop a leading field name, spell any other one as its label. */
function fieldMessage(msg, field, label) {
	const name = label ? label.textContent.toLowerCase() : field;
	msg = msg.replace(new RegExp(`^${field}:\\s*`), '').replaceAll(field, name);
	return msg.charAt(0).toUpperCase() + msg.slice(1);
}

function showError(form, err) {
	const input = err.field && form.querySelector(`[name="${CSS.escape(err.field)}"]`);
	const slot = input && form.querySelector(`#${CSS.escape(err.field)}-error`);
	if (slot) {
		slot.textContent = fieldMessage(err.message, err.field, form.querySelector(`label[for="${input.id}"]`));
		slot.hidden = false;
		input.setAttribute('aria-invalid', 'true');
		input.focus();
	} else {
		const fe = form.querySelector('.form-error');
		fe.textContent = err.message;
		fe.hidden = false;
	}
}

async function busy(form, fn) {
	const btn = form.querySelector('button[type="submit"]');
	btn.disabled = true;
	try {
		await fn();
	} finally {
		btn.disabled = false;
	}
}

/* ---- sign in / out ---- */

function showLogin(note) {
	show('login');
	const n = $('#login-note');
	n.textContent = note || '';
	n.hidden = !note;
	$('#login-error').hidden = true;
	const pw = $('#login-password');
	pw.value = '';
	($('#login-username').value ? pw : $('#login-username')).focus();
}

$('#login-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const form = ev.currentTarget;
	const errEl = $('#login-error');
	errEl.hidden = true;
	$('#login-note').hidden = true;
	busy(form, async () => {
		try {
			const r = await api('POST', 'login', {
				username: $('#login-username').value.trim(),
				password: $('#login-password').value,
			}, { quiet401: true });
			sessionStorage.setItem(CSRF_KEY, r.csrf_token);
			setSession({ username: r.username, role: r.role, must_change_password: r.must_change_password });
			$('#login-password').value = '';
			$('#login-note').hidden = true;
			await loadSystemName();
			route();
		} catch (err) {
			errEl.textContent = err.status === 401 ? 'Wrong username or password.' : err.message;
			errEl.hidden = false;
			$('#login-password').value = '';
			$('#login-password').focus();
		}
	});
});

$('#logout').addEventListener('click', async () => {
	try {
		await api('POST', 'logout', undefined, { quiet401: true });
	} catch {
		/* the session is gone either way */
	}
	history.replaceState(null, '', '#/dashboard');  /* whoever signs in next starts there */
	sessionLost('You have signed out.');
});

/* ---- password ---- */

function showPassword(forced) {
	show('password');
	const form = $('#password-form');
	form.reset();
	clearErrors(form);
	$('#password-intro').textContent = (forced
		? 'Before you continue, replace the generated initial password. '
		: '') + 'The new password must be 10 to 128 characters long and differ from the current one.';
	$('#current_password').focus();
}

$('#password-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const form = ev.currentTarget;
	clearErrors(form);
	const cur = $('#current_password').value, neu = $('#new_password').value;
	if (neu !== $('#confirm_password').value)
		return showError(form, { field: 'confirm_password', message: 'The two new passwords do not match.' });
	busy(form, async () => {
		try {
			await api('POST', 'account/password', { current_password: cur, new_password: neu });
			state.session.must_change_password = false;
			form.reset();
			location.hash = '#/dashboard';
			route();
		} catch (err) {
			if (err.status !== 401) showError(form, err);
		}
	});
});

/* ---- dashboard ---- */

async function loadSystemName() {
	try {
		setSystemName((await api('GET', 'settings')).system_name);
	} catch {
		/* the dashboard will fill it in */
	}
}

function renderList(bodyEl, countEl, items, noun) {
	countEl.textContent = items.length ? String(items.length) : '';
	const empty = bodyEl.querySelector('.empty');
	if (!items.length) {
		if (!empty) {
			const p = document.createElement('p');
			p.className = 'empty';
			p.textContent = `No ${noun} configured yet.`;
			bodyEl.replaceChildren(p);
		}
		return;
	}
	const ul = document.createElement('ul');
	ul.className = 'items';
	for (const it of items) {
		const li = document.createElement('li');
		const left = document.createElement('div');
		const name = document.createElement('span');
		name.className = 'item-name';
		name.textContent = it.name ?? it.id ?? JSON.stringify(it);
		left.append(name);
		if (noun === 'spans') left.append(spanDetail(it));
		else if (it.detail) {
			const d = document.createElement('div');
			d.className = 'item-detail';
			d.textContent = it.detail;
			left.append(d);
		}
		const st = document.createElement('span');
		const state = it.state ?? it.status ?? '';
		st.className = `badge state-${state}`;
		st.textContent = state === 'alarm' && it.alarms?.length ? it.alarms.join(' ') : it.label ?? state;
		li.append(left, st);
		ul.append(li);
	}
	bodyEl.replaceChildren(ul);
}

/* "E1 euroisdn · user side · 3/30 channels busy · 12 calls", plus an
 * occupancy bar with one cell per B channel. */
function spanDetail(sp) {
	const box = document.createElement('div');
	box.className = 'item-detail';
	const busy = (sp.channels || []).filter((c) => c.state === 'busy').length;
	const text = document.createElement('span');
	text.textContent = `${sp.type} ${sp.switch_type} · ${sp.pri_side} side · ` +
		`${busy}/${(sp.channels || []).length} channels busy · ${sp.total_calls} calls`;
	if (sp.error) text.textContent += ` · ${sp.error}`;
	const bar = document.createElement('div');
	bar.className = 'chanbar';
	for (const c of sp.channels || []) {
		const cell = document.createElement('span');
		cell.className = `chan chan-${c.state}`;
		cell.title = `B${c.channel}: ${c.state}`;
		bar.append(cell);
	}
	box.append(text, bar);
	return box;
}

/* "2 calls · 10.0.0.5:5068/tcp up 1.2 ms · 10.0.0.6:5068/tcp down since 14:02" */
/* Calls per minute, and ASR and ACD over the last 15 minutes (status call_stats). */
function callFigures(cs) {
	if (!cs) return [];
	const w = cs.last_15m, out = [`${cs.calls_per_minute}/min`];
	if (w.asr != null) out.push(`ASR ${Math.round(w.asr * 100)} %`);
	if (w.acd_seconds != null) out.push(`ACD ${fmtDuration(Math.round(w.acd_seconds))}`);
	return out;
}

function sipTrunkItem(t) {
	const hops = (t.next_hops || []).map((h) => {
		let s = `${h.host}${h.port ? `:${h.port}` : ''}/${h.transport} ${h.state}`;
		if (h.state === 'up' && h.rtt_ms != null) s += ` ${h.rtt_ms} ms`;
		if (h.state === 'down' && h.last_change) s += ` since ${fmtWhen(h.last_change)}`;
		return s;
	});
	const reg = t.registration ? [`registration ${t.registration.state}`] : [];
	return {
		name: t.name, state: t.state,
		detail: [`${t.active_calls} call${t.active_calls === 1 ? '' : 's'}`, ...callFigures(t.call_stats),
			...hops, ...reg].join(' · '),
	};
}

function renderStatus(st) {
	const sys = st.system, cfg = st.config;
	setSystemName(sys.system_name);
	const sub = [sys.system_name || 'Unnamed system', sys.location, sys.contact].filter(Boolean);
	$('#dash-sub').textContent = sub.join(' · ');
	$('#demo-badge').hidden = !sys.demo;
	$('#s-version').textContent = sys.version;
	$('#s-uptime').textContent = fmtDuration(sys.uptime_seconds);
	$('#s-generation').textContent = String(cfg.generation);
	$('#s-changed').textContent = fmtWhen(cfg.changed_at);
	$('#s-calls').textContent = `${st.calls.active} / ${st.calls.total}`;
	$('#s-db').textContent = fmtBytes(sys.db_size_bytes);
	const ce = $('#config-error');
	ce.hidden = !cfg.last_error;
	ce.textContent = cfg.last_error ? `Configuration generation ${cfg.generation} was not applied: ${cfg.last_error}` : '';
	renderList($('#spans-body'), $('#spans-count'), st.spans || [], 'spans');
	renderList($('#trunks-body'), $('#trunks-count'), (st.sip_trunks || []).map(sipTrunkItem), 'SIP trunks');
	/* survivability: group health and the bypass relays */
	renderList($('#groups-body'), $('#groups-count'), (st.trunk_groups || []).map((g) => ({
		name: g.name, state: g.state, detail: g.reason ? `${g.kind} · ${g.reason}` : g.kind,
	})), 'trunk groups');
	renderList($('#bypass-body'), $('#bypass-count'), (st.bypass_pairs || []).map((b) => ({
		name: b.name, state: b.relay === 'engaged' ? 'down' : 'up', label: `relay ${b.relay}`,
		detail: `${b.span_a} ↔ ${b.span_b} · mode ${b.mode}${b.error ? ` · ${b.error}` : ''}`,
	})), 'bypass pairs');
}

function setLive(ok, text) {
	const live = $('#live');
	live.classList.toggle('is-down', !ok);
	$('#live-text').textContent = text;
}

function render(st) {
	renderStatus(st);
	renderTopology(api, st, $('#topo-body'));
	setLive(true, `Live · updated ${new Date().toLocaleTimeString()}`);
}

async function refresh() {
	try {
		const st = await api('GET', 'status');
		if (!state.timer) return;       /* left the dashboard meanwhile */
		render(st);
	} catch (err) {
		if (err.status !== 401)
			setLive(false, `Connection problem: ${err.message} Retrying…`);
	}
}

function startPolling() {
	if (!state.timer) {
		state.timer = setInterval(refresh, REFRESH_MS);
		refresh();
	}
}

/* The dashboard listens to the status stream (Server-Sent Events: a new
 * snapshot when something changes, at most once a second); when the stream
 * is refused (too many streams, the session ended) or EventSource is
 * missing, it polls instead. */
function startLive() {
	if (state.events || state.timer)
		return;
	if (!window.EventSource)
		return startPolling();
	const es = new EventSource(API + 'status/stream');
	state.events = es;
	state.live = 'stream';
	es.addEventListener('status', (ev) => {
		if (state.events !== es) return;
		try {
			render(JSON.parse(ev.data));
		} catch (err) {
			setLive(false, `Bad status frame: ${err.message}`);
		}
	});
	es.addEventListener('error', () => {
		if (state.events !== es) return;
		if (es.readyState === EventSource.CLOSED) {     /* refused: poll (a 401 logs out there) */
			es.close();
			state.events = null;
			state.live = 'polling';
			startPolling();
		} else {
			setLive(false, 'Connection problem: reconnecting…');
		}
	});
}

function stopRefresh() {
	clearInterval(state.timer);
	state.timer = null;
	if (state.events) {
		state.events.close();
		state.events = null;
	}
}

function showDashboard() {
	show('dashboard');
	startLive();
}

/* ---- settings ---- */

const SETTINGS = ['system_name', 'location', 'contact', 'no_answer_timeout', 'max_call_duration',
		  'cdr_retention_days', 'cdr_retention_max', 'event_retention_days', 'event_retention_max'];
const NUMBERS = new Set(SETTINGS.slice(3));
let loadedSettings = {};

async function showSettings() {
	show('settings');
	const form = $('#settings-form');
	clearErrors(form);
	$('#settings-status').textContent = '';
	const readonly = state.session.role !== 'admin';
	$('#settings-readonly').hidden = !readonly;
	backupRole(state.session.role);
	for (const el of form.elements)
		el.disabled = readonly;
	try {
		loadedSettings = await api('GET', 'settings');
		for (const k of SETTINGS)
			form.elements[k].value = String(loadedSettings[k] ?? '');
		if (!readonly) form.elements.system_name.focus();
	} catch (err) {
		if (err.status !== 401) showError(form, err);
	}
}

$('#settings-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const form = ev.currentTarget;
	const status = $('#settings-status');
	clearErrors(form);
	status.textContent = '';
	const changes = {};
	for (const k of SETTINGS) {
		const v = form.elements[k].value.trim();
		if (v !== String(loadedSettings[k] ?? ''))    /* numbers as numbers; the server names a bad one */
			changes[k] = NUMBERS.has(k) && /^\d+$/.test(v) ? Number(v) : v;
	}
	if (!Object.keys(changes).length) {
		status.textContent = 'No changes to save.';
		return;
	}
	busy(form, async () => {
		try {
			const r = await api('PUT', 'settings', changes);
			loadedSettings = r;
			setSystemName(r.system_name);
			status.textContent = `Saved as configuration generation ${r.generation}.`;
		} catch (err) {
			if (err.status !== 401) showError(form, err);
		}
	});
});

/* ---- start ---- */

initRouting({ api, show, clearErrors, showError, busy, $, role: () => state.session?.role });
initRecords({ api, show, clearErrors, showError, busy, $, role: () => state.session?.role });
initObjects({ api, apiRaw, show, $, role: () => state.session?.role });
initBackup({ api, clearErrors, showError, busy, $, imported: () => { loadSystemName(); showSettings(); } });
window.addEventListener('hashchange', route);

(async function boot() {
	if (sessionStorage.getItem(CSRF_KEY)) {
		try {
			setSession(await api('GET', 'session', undefined, { quiet401: true }));
			await loadSystemName();
		} catch {
			sessionStorage.removeItem(CSRF_KEY);
		}
	}
	route();
})();
