/*
 * declarations.js - the list of declarations the user may see
 * (GET /v1/declarations): a declarant's own, an officer's agency's, a
 * terminal's released ones, everything for analysts and administrators.
 * Filtered by status on the server; by direction and by number or bill of
 * lading within the page; paged with the API's `next`; the page can be
 * saved as a CSV file for a spreadsheet. New events refresh it.
 */
import { api } from '../api.js';
import { download, h, replace } from '../dom.js';
import { feedMark, subscribe } from '../feed.js';
import { fmtTime, label, t } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { codeWithName, refLoad } from '../ref.js';
import { navigate } from '../router.js';
import { me } from '../session.js';
import { announce, badge, errorBox, field, input, loading, pageTitle, select, table } from '../ui.js';

const STATUSES = ['accepted', 'returned', 'released', 'rejected', 'withdrawn'];
const PAGE = 100;

/* The columns of the CSV file: a port operator's rows hold the release
 * notice's fields only. */
const CSV_COLUMNS = ['number', 'status', 'direction', 'declaration_office', 'port_office',
	'bill_of_lading', 'version', 'lodged_at', 'updated_at', 'released_at', 'declarant_organisation'];
const CSV_NOTICE = ['number', 'status', 'port', 'bill_of_lading', 'released_at'];

function csv(rows, head) {
	const cell = (v) => {
		const s = String(v ?? '');
		return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
	};
	return [head.join(','), ...rows.map((r) => head.map((k) => cell(r[k])).join(','))].join('\n');
}

export async function render(main, params, query) {
	const user = me();
	const terminal = user.role === 'port_operator';
	const declarant = user.role === 'declarant';
	const state = {
		status: terminal ? 'released' : query.get('status') || '',
		after: query.get('after') || '',
		direction: '',
		by: '',
		text: '',
	};
	/* the organisations that may lodge for this declarant's company (its
	 * mandates), to name who lodged what */
	const agents = new Map();
	const back = []; /* the `after` of earlier pages, for "previous" */
	let rows = [];
	let next = null;

	const title = terminal ? t('list.released_title') : user.role === 'declarant'
		? t('list.mine_title') : t('list.title');
	const statusSel = select([['', t('list.any_status')], ...STATUSES.map((s) => [s, label('status', s)])],
		state.status, { disabled: terminal });
	const dirSel = select([['', t('list.any_direction')], ['import', label('direction', 'import')],
		['export', label('direction', 'export')]], '');
	const search = input({ type: 'search', placeholder: t('list.search_hint') });
	const openBtn = h('button', { type: 'button', hidden: true }, t('list.open'));
	const count = h('p.count', { 'aria-live': 'polite' });
	const results = h('div.results');
	const prev = h('button', { type: 'button', disabled: true }, t('list.prev'));
	const more = h('button', { type: 'button', disabled: true }, t('list.next'));
	const csvBtn = h('button', { type: 'button' }, t('list.csv'));

	const bySel = select([['', t('list.by_anyone')], ['us', t('list.by_us')], ['agent', t('list.by_agent')]], '');
	const filters = h('form.filters', { role: 'search', onsubmit: (e) => e.preventDefault() },
		field({ label: t('list.status'), control: statusSel }),
		terminal ? null : field({ label: t('list.direction'), control: dirSel }),
		declarant ? field({ label: t('list.lodged_by'), control: bySel }) : null,
		field({ label: t('list.search'), control: search }),
		h('div.field.button-field', openBtn));
	const ours = (r) => r.declarant_organisation === user.organisation;

	main.append(pageTitle(title, user.role === 'declarant'
		? h('a.button.primary', { href: '/declarations/new' }, t('menu.new')) : null),
	filters, count, results, h('div.pager', prev, more, csvBtn));

	function shown() {
		const q = state.text.trim().toUpperCase();
		return rows.filter((r) => (!state.direction || r.direction === state.direction) &&
			(!state.by || (state.by === 'us') === ours(r)) &&
			(!q || r.number.includes(q) || (r.bill_of_lading || '').toUpperCase().includes(q)));
	}

	const number = { label: t('decl.number'), header: true,
		value: (r) => h('a', { href: `/declarations/${r.number}` }, r.number) };
	const status = { label: t('decl.status'), value: (r) => badge('status', r.status) };
	const bill = { label: t('decl.bill_of_lading'), value: (r) => r.bill_of_lading };
	/* a terminal's rows are release notices: where and when, not what */
	const columns = terminal ? [number, status,
		{ label: t('detail.port'), value: (r) => codeWithName('ports', r.port) }, bill,
		{ label: t('decl.released_at'), className: 'time', value: (r) => h('time', { datetime: r.released_at }, fmtTime(r.released_at)) },
	] : [number, status,
		{ label: t('decl.direction'), value: (r) => label('direction', r.direction) },
		{ label: t('decl.declaration_office'), value: (r) => codeWithName('customs_offices', r.declaration_office) },
		{ label: t('decl.port_office'), value: (r) => codeWithName('customs_offices', r.port_office) },
		bill,
		declarant ? { label: t('list.declared_by'), value: (r) => (ours(r) ? t('list.declared_by_us')
			: h('span', h('span.badge.for-us', t('list.for_us')), ' ', agents.get(r.declarant_organisation) || r.declarant_organisation)) } : null,
		{ label: t('decl.lodged_at'), className: 'time', value: (r) => h('time', { datetime: r.lodged_at }, fmtTime(r.lodged_at)) },
		{ label: t('decl.updated_at'), className: 'time', value: (r) => fmtTime(r.updated_at) },
	].filter(Boolean);

	function draw() {
		const list = shown();
		count.textContent = t('list.count', { shown: list.length, page: rows.length });
		replace(results, table({
			caption: title,
			rows: list,
			empty: t('list.empty'),
			columns,
		}));
		prev.disabled = back.length === 0;
		more.disabled = !next;
		const q = state.text.trim();
		openBtn.hidden = !/^\d{18}$/.test(q);
	}

	/* quiet: a refresh the user did not ask for keeps the page on screen
	 * while it loads, and leaves it alone when nothing changed */
	const started = latestOnly();
	let shownPage = null;
	async function load({ quiet = false } = {}) {
		const isLatest = started();
		if (!quiet) {
			/* the page is gone: a quiet refresh that overtakes this
			 * load draws its answer even if it is the page it was */
			shownPage = null;
			replace(results, loading());
		}
		try {
			const page = await api('GET', '/v1/declarations', {
				query: { status: state.status, after: state.after, limit: PAGE },
			});
			if (!isLatest()) return; /* a later load answers instead */
			const text = JSON.stringify(page);
			if (quiet && text === shownPage) return;
			shownPage = text;
			rows = page.declarations;
			next = page.next;
			draw();
		} catch (err) {
			if (!isLatest()) return;
			shownPage = null;
			replace(results, errorBox(err));
		}
	}

	statusSel.addEventListener('change', () => {
		state.status = statusSel.value;
		state.after = '';
		back.length = 0;
		const q = state.status ? `?status=${state.status}` : '';
		history.replaceState(null, '', `/declarations${q}`);
		load();
	});
	bySel.addEventListener('change', () => {
		state.by = bySel.value;
		draw();
	});
	dirSel.addEventListener('change', () => {
		state.direction = dirSel.value;
		draw();
	});
	search.addEventListener('input', () => {
		state.text = search.value;
		draw();
	});
	search.addEventListener('keydown', (e) => {
		if (e.key === 'Enter' && /^\d{18}$/.test(search.value.trim()))
			navigate(`/declarations/${search.value.trim()}`);
	});
	openBtn.addEventListener('click', () => navigate(`/declarations/${search.value.trim()}`));
	more.addEventListener('click', () => {
		back.push(state.after);
		state.after = next;
		load().then(() => announce(t('list.page_loaded')));
	});
	prev.addEventListener('click', () => {
		state.after = back.pop() || '';
		load().then(() => announce(t('list.page_loaded')));
	});
	csvBtn.addEventListener('click', () => download(`declarations-${Date.now()}.csv`,
		csv(shown(), terminal ? CSV_NOTICE : CSV_COLUMNS), 'text/csv'));

	await refLoad(terminal ? 'ports' : 'customs_offices').catch(() => null);
	if (declarant) {
		try {
			for (const m of (await api('GET', '/v1/mandates')).mandates)
				if (m.consignee_uscc === user.organisation) agents.set(m.agent_uscc, `${m.agent_name} (${m.agent_uscc})`);
		} catch {
			/* the codes will do */
		}
	}
	/* where the feed stood before the list was read: an event that comes
	 * while it loads refreshes it too */
	const mark = feedMark();
	await load();

	/* new events: refresh the page in place (debounced) */
	let timer = null;
	return subscribe(() => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			if (!results.contains(document.activeElement)) load({ quiet: true });
		}, 500);
	}, mark);
}
