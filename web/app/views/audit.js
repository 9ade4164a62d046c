/*
 * audit.js - the audit log, for the auditor: the records of
 * GET /v1/audit with its filters (actor, action or a family of actions
 * such as user.*, target, a period in port time), in id order, a page at
 * a time; each record with who did what to what, from where and when,
 * its reason and the values before and after, and its hashes and
 * signature on demand. Beside them, the signed head of the chain
 * (GET /v1/audit/head), to be kept outside kouan and checked with
 * `kouan audit verify --head ID:HASH`.
 *
 * The filters live in the address, so a search can be bookmarked and
 * reloaded. Nothing here changes anything: the log cannot be changed
 * through kouan.
 */
import { api } from '../api.js';
import { download, h, replace, uid } from '../dom.js';
import { fmtTimeFull, label, t, tz, zoneText } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { MESSAGES } from '../messages.js';
import { isoToLocalInput, localInputToIso } from '../time.js';
import {
	announce, errorBox, facts, field, input, loading, pageTitle, section, select, submitting, table,
} from '../ui.js';

const LIMITS = [50, 100, 500, 1000];
const FILTERS = ['actor', 'action', 'target', 'from', 'to'];

/* Every action kouan records (docs/security.md): those with a label in
 * messages.js (a test holds the two lists equal), and the families a
 * filter may name with ".*". */
const AUDIT_ACTIONS = Object.keys(MESSAGES).filter((k) => k.startsWith('action.')).map((k) => k.slice(7));
const FAMILIES = [...new Set(AUDIT_ACTIONS.map((a) => `${a.split('.')[0]}.*`))];

/* A value for one line of text: strings as they are, the rest as JSON. */
function text(v) {
	if (v === undefined || v === null) return '—';
	return typeof v === 'string' ? v : JSON.stringify(v);
}

/** What a record says happened: its reason, each value before and after,
 * and the rest of its data. */
export function changeView(data) {
	if (!data || typeof data !== 'object') return text(data);
	const lines = [];
	if (data.reason) lines.push(h('li.reason', h('strong', t('audit.reason')), ' ', text(data.reason)));
	const before = data.before && typeof data.before === 'object' ? data.before : null;
	const after = data.after && typeof data.after === 'object' ? data.after : null;
	if ('before' in data || 'after' in data) {
		if (!before && !after) lines.push(h('li', t('audit.nothing')));
		const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
		for (const k of keys) {
			const b = before ? before[k] : undefined;
			const a = after ? after[k] : undefined;
			const changed = text(b) !== text(a);
			lines.push(h('li', { class: changed ? 'changed' : null },
				h('span.key', k), ': ',
				before ? h('span.before', text(b)) : null,
				before && after ? ' → ' : null,
				after ? h('span.after', text(a)) : null,
				!after ? [' ', h('em', t('audit.removed'))] : null));
		}
	}
	for (const [k, v] of Object.entries(data))
		if (k !== 'before' && k !== 'after' && k !== 'reason')
			lines.push(h('li', h('span.key', k), ': ', text(v)));
	return h('ul.plain.change', lines);
}

function actorText(r) {
	if (r.actor_role === 'none') return `${r.actor} (${label('role', 'none')})`;
	return `${r.actor} (${label('role', r.actor_role)})`;
}

function seal(r) {
	return h('details.seal', h('summary', t('audit.seal')), facts([
		[t('audit.prev_hash'), h('code', r.prev_hash)],
		[t('audit.hash'), h('code', r.hash)],
		[t('audit.key_id'), h('code', r.key_id)],
		[t('audit.signature'), h('code', r.signature)],
	]));
}

function headPanel(head) {
	const mark = `${head.last_id}:${head.hash}`;
	return [facts([
		[t('audit.head_row'), String(head.last_id)],
		[t('audit.hash'), h('code', head.hash)],
		[t('audit.key_id'), h('code', head.key_id)],
		[t('audit.signature'), h('code', head.signature)],
		[t('audit.head_mark'), h('code.head-mark', mark)],
	]), h('p.hint', t('audit.head_hint', { mark }))];
}

export async function render(main, params, query) {
	const state = { limit: LIMITS.includes(Number(query.get('limit'))) ? Number(query.get('limit')) : 100, after: query.get('after') || '0' };
	const back = [];
	let head = null;
	let page = null;

	const controls = {
		actor: input({ maxlength: 80, value: query.get('actor') || '' }),
		action: input({ maxlength: 80, value: query.get('action') || '', list: uid('actions') }),
		target: input({ maxlength: 200, value: query.get('target') || '' }),
		from: input({ type: 'datetime-local', value: query.get('from') ? isoToLocalInput(query.get('from'), tz()) : '' }),
		to: input({ type: 'datetime-local', value: query.get('to') ? isoToLocalInput(query.get('to'), tz()) : '' }),
	};
	const limitSel = select(LIMITS.map((n) => [n, String(n)]), state.limit);
	const actions = h('datalist', { id: controls.action.getAttribute('list') },
		[...FAMILIES, ...AUDIT_ACTIONS].map((a) => h('option', { value: a, label: a.endsWith('.*') ? t('audit.family', { family: a }) : label('action', a) })));
	const search = h('button.primary', { type: 'submit' }, t('audit.search'));
	const clear = h('button', { type: 'button' }, t('audit.clear'));
	const zone = t('rules.zone_hint', { zone: zoneText() });
	const form = h('form.filters.audit-filters', { role: 'search', novalidate: true },
		field({ label: t('audit.actor'), control: controls.actor, pointer: 'query:actor', hint: t('audit.actor_hint') }),
		field({ label: t('audit.action'), control: controls.action, pointer: 'query:action', hint: t('audit.action_hint') }),
		field({ label: t('audit.target'), control: controls.target, pointer: 'query:target', hint: t('audit.target_hint') }),
		field({ label: t('audit.from'), control: controls.from, pointer: 'query:from', hint: zone }),
		field({ label: t('audit.to'), control: controls.to, pointer: 'query:to', hint: zone }),
		field({ label: t('audit.limit'), control: limitSel, pointer: 'query:limit' }),
		actions,
		h('div.actions', search, clear));

	const headHost = h('div', loading());
	const count = h('p.count', { 'aria-live': 'polite' });
	const results = h('div.results');
	const first = h('button', { type: 'button' }, t('audit.first'));
	const prev = h('button', { type: 'button', disabled: true }, t('list.prev'));
	const next = h('button', { type: 'button', disabled: true }, t('list.next'));
	const newest = h('button', { type: 'button' }, t('audit.newest'));
	const save = h('button', { type: 'button', disabled: true }, t('audit.save'));
	const refreshHead = h('button', { type: 'button' }, t('audit.head_refresh'));
	const saveHead = h('button', { type: 'button', disabled: true }, t('audit.head_save'));

	main.append(pageTitle(t('audit.title')), h('p.lead', t('audit.lead')),
		section(t('audit.head_title'), headHost, h('div.actions', refreshHead, saveHead)),
		section(t('audit.records'), form, count, results, h('div.pager', first, prev, next, newest, save)));

	/* the filters as the API's query; null for an unreadable time */
	function filters() {
		const q = {};
		for (const k of ['actor', 'action', 'target']) if (controls[k].value.trim()) q[k] = controls[k].value.trim();
		for (const k of ['from', 'to']) if (controls[k].value) q[k] = localInputToIso(controls[k].value, tz()) || controls[k].value;
		return q;
	}
	const filtered = () => Object.keys(filters()).length > 0;

	function draw() {
		const rows = page.records;
		count.textContent = rows.length
			? t('audit.count', { n: rows.length, first: rows[0].id, last: rows[rows.length - 1].id })
			: t('audit.none');
		replace(results, table({
			caption: t('audit.records'),
			rows,
			empty: t('audit.none'),
			columns: [
				{ label: t('audit.id'), header: true, className: 'num', value: (r) => String(r.id) },
				{ label: t('audit.at'), className: 'time', value: (r) => h('time', { datetime: r.at }, fmtTimeFull(r.at)) },
				{ label: t('audit.actor'), value: (r) => actorText(r) },
				{ label: t('audit.source'), value: (r) => r.source },
				{ label: t('audit.action'), value: (r) => [label('action', r.action), h('br'), h('span.code', r.action)] },
				{ label: t('audit.target'), value: (r) => h('span.code', r.target) },
				{ label: t('audit.change'), className: 'change-cell', value: (r) => [changeView(r.data), seal(r)] },
			],
		}));
		prev.disabled = back.length === 0;
		next.disabled = rows.length < state.limit;
		save.disabled = rows.length === 0;
		newest.disabled = filtered() || !head;
	}

	/* the page of the latest search or move answers: one that another
	 * overtook neither shows its records nor says it failed */
	const started = latestOnly();
	async function load(announceIt = false) {
		const isLatest = started();
		replace(results, loading());
		const q = filters();
		const shown = new URLSearchParams({ ...q, ...(state.limit !== 100 ? { limit: state.limit } : {}) });
		history.replaceState(null, '', `/audit${shown.toString() ? `?${shown}` : ''}`);
		let answer;
		try {
			answer = await api('GET', '/v1/audit', { query: { ...q, after: state.after, limit: state.limit } });
		} catch (err) {
			if (isLatest()) throw err;
			return;
		}
		if (!isLatest()) return;
		page = answer;
		draw();
		if (announceIt) announce(count.textContent);
	}

	async function loadHead() {
		try {
			head = await api('GET', '/v1/audit/head');
			replace(headHost, headPanel(head));
			saveHead.disabled = false;
		} catch (err) {
			replace(headHost, errorBox(err));
		}
	}

	async function go(after, announceIt = true) {
		state.after = after;
		try {
			await load(announceIt);
		} catch (err) {
			replace(results, errorBox(err));
		}
	}

	submitting(form, search, async () => {
		state.limit = Number(limitSel.value);
		state.after = '0';
		back.length = 0;
		await load(true);
	}, (p) => t(`audit.${p.replace('query:', '')}`));
	clear.addEventListener('click', () => {
		for (const k of FILTERS) controls[k].value = '';
		form.requestSubmit();
	});
	first.addEventListener('click', () => {
		back.length = 0;
		go('0');
	});
	next.addEventListener('click', () => {
		back.push(state.after);
		go(page.cursor);
	});
	prev.addEventListener('click', () => go(back.pop() || '0'));
	newest.addEventListener('click', async () => {
		await loadHead();
		if (!head) return;
		back.length = 0;
		go(String(Math.max(0, head.last_id - state.limit)));
	});
	save.addEventListener('click', () => download(`audit-${page.records[0].id}-${page.records[page.records.length - 1].id}.json`,
		JSON.stringify(page.records, null, 2)));
	refreshHead.addEventListener('click', () => loadHead().then(() => announce(t('audit.head_refreshed'))));
	saveHead.addEventListener('click', () => download(`audit-head-${head.last_id}.json`, JSON.stringify(head, null, 2)));

	await loadHead();
	try {
		await load();
	} catch (err) {
		if (err.status === 400 && err.errors.length) {
			/* an address with a filter the server refuses: say so at the field */
			form.requestSubmit();
		} else {
			replace(results, errorBox(err));
		}
	}
}
