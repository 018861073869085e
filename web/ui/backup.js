/* backup.js -- the Settings page's configuration backup: export the whole
 * configuration as a JSON file (GET /api/v1/config/export), and import one
 * (POST /api/v1/config/import): "Check" runs a dry run and shows what the
 * file holds or the first error, naming the object and field; "Import" is
 * offered only after a clean check of that same file. */

let ctx = null;
let checked = null;             /* the document that passed the dry run */

const KINDS = [
	['spans', 'span', 'spans'], ['sip_trunks', 'SIP trunk', 'SIP trunks'],
	['analog_ports', 'analog port', 'analog ports'],
	['trunk_groups', 'trunk group', 'trunk groups'], ['number_ranges', 'number range', 'number ranges'],
	['manipulation_rules', 'manipulation rule', 'manipulation rules'], ['routes', 'route', 'routes'],
	['bypass_pairs', 'bypass pair', 'bypass pairs'],
];

function stamp() {
	const d = new Date(), p = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function download(doc, name) {
	const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2) + '\n'], { type: 'application/json' }));
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function counts(objects) {
	return KINDS.filter(([k]) => k in objects)     /* analog_ports: only when the file has them */
		.map(([k, one, many]) => `${objects[k]} ${objects[k] === 1 ? one : many}`).join(', ') +
		`, ${objects.settings} setting${objects.settings === 1 ? '' : 's'}`;
}

/* "routes[3].range" -> the object routes[3] of doc, for showing next to the error */
function blamed(doc, field) {
	const m = /^([a-z_]+)\[(\d+)\]/.exec(field || '');
	return m && doc && Array.isArray(doc[m[1]]) ? { at: `${m[1]}[${m[2]}]`, obj: doc[m[1]][Number(m[2])] } : null;
}

function preview(html) {
	const el = ctx.$('#import-preview');
	el.replaceChildren(...html);
	el.hidden = !html.length;
}

function para(text, cls) {
	const p = document.createElement('p');
	if (cls) p.className = cls;
	p.textContent = text;
	return p;
}

function showImportError(form, err, doc) {
	const obj = (err.field || '').split('.')[0];
	const where = obj && !err.message.startsWith(obj) ? `${err.field}: ` : '';
	ctx.showError(form, { ...err, field: err.field === 'file' ? 'file' : null, message: where + err.message });
	const b = blamed(doc, err.field);
	if (b) {
		const pre = document.createElement('pre');
		pre.className = 'blamed';
		pre.textContent = `${b.at} = ${JSON.stringify(b.obj, null, 2)}`;
		preview([para('The object at fault:'), pre]);
	}
}

async function readFile(form) {
	const file = form.elements.file.files[0];
	if (!file)
		throw { field: 'file', message: 'Choose a configuration file first.' };
	const text = await file.text();
	try {
		return JSON.parse(text);
	} catch (e) {
		throw { field: 'file', message: `${file.name} is not JSON: ${e.message}` };
	}
}

export function initBackup(c) {
	ctx = c;
	const { $, api, busy, clearErrors } = c;
	const form = $('#import-form');

	$('#export-config').addEventListener('click', async () => {
		const btn = $('#export-config');
		btn.disabled = true;
		try {
			const secrets = $('#export-secrets').checked;
			const doc = await api('GET', `config/export${secrets ? '?secrets=1' : ''}`);
			const sys = (doc.settings.system_name || 'trunkgate').replace(/[^A-Za-z0-9_.-]+/g, '_');
			download(doc, `${sys}-config-${stamp()}.json`);
			$('#import-status').textContent = `Exported: ${counts(Object.fromEntries(
				[...KINDS.filter(([k]) => doc[k]).map(([k]) => [k, doc[k].length]), ['settings', Object.keys(doc.settings).length]]))}.`;
		} catch (err) {
			if (err.status !== 401) ctx.showError(form, err);
		} finally {
			btn.disabled = false;
		}
	});

	form.elements.file.addEventListener('change', () => {
		checked = null;
		$('#import-apply').disabled = true;
		$('#import-status').textContent = '';
		preview([]);
		clearErrors(form);
	});

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(form);
		checked = null;
		$('#import-apply').disabled = true;
		$('#import-status').textContent = '';
		preview([]);
		busy(form, async () => {
			let doc = null;
			try {
				doc = await readFile(form);
				const r = await api('POST', 'config/import?dry_run=1', doc);
				checked = doc;
				$('#import-apply').disabled = false;
				preview([para(`The file is valid. Importing it replaces the configuration with ${counts(r.objects)}.`, 'ok')]);
				$('#import-status').textContent = 'Checked: nothing changed yet.';
			} catch (err) {
				if (err.status !== 401) showImportError(form, err, doc);
			}
		});
	});

	$('#import-apply').addEventListener('click', async () => {
		const btn = $('#import-apply');
		if (!checked) return;
		btn.disabled = true;
		clearErrors(form);
		try {
			const r = await api('POST', 'config/import', checked);
			preview([para(`Imported: ${counts(r.objects)}.`, 'ok')]);
			$('#import-status').textContent = `Imported as configuration generation ${r.generation}.`;
			checked = null;
			c.imported?.();
		} catch (err) {
			btn.disabled = false;
			if (err.status !== 401) showImportError(form, err, checked);
		}
	});
}

/* Show or hide what a role may do (admins import and export secrets). */
export function backupRole(role) {
	const admin = role === 'admin';
	ctx.$('#import-form').hidden = !admin;
	ctx.$('#export-secrets-label').hidden = !admin;
	if (!admin) ctx.$('#export-secrets').checked = false;
}
