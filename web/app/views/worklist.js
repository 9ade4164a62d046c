/*
 * worklist.js - an agency's tasks (GET /v1/tasks), oldest first: officers
 * see their own agency's, analysts and administrators choose the agency.
 * Filtered by task status on the server, and by direction, port office
 * and number or bill of lading on the page. New tasks appear as they
 * arrive (the event feed).
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { agencyName } from '../events.js';
import { feedMark, subscribe } from '../feed.js';
import { fmtDuration, fmtTime, label, t } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { codeWithName, refLoad } from '../ref.js';
import { agencyOf, me } from '../session.js';
import { announce, badge, errorBox, field, input, loading, pageTitle, select, table } from '../ui.js';

const STATUSES = ['open', 'inspecting', 'cleared', 'returned', 'rejected', 'closed'];
const AGENCIES = ['customs', 'quarantine', 'border', 'maritime'];

export async function render(main, params, query) {
	const user = me();
	const own = agencyOf(user);
	await refLoad('agencies', 'customs_offices').catch(() => null);
	const state = {
		agency: own || query.get('agency') || 'customs',
		status: query.get('status') || 'open',
		limit: 100,
		direction: '',
		office: '',
		text: '',
	};
	let tasks = [];

	const agencySel = select(AGENCIES.map((a) => [a, agencyName(a)]), state.agency, { disabled: Boolean(own) });
	const statusSel = select(STATUSES.map((s) => [s, label('task', s)]), state.status);
	const dirSel = select([['', t('list.any_direction')], ['import', label('direction', 'import')], ['export', label('direction', 'export')]], '');
	const officeSel = select([['', t('work.any_office')]], '');
	const limitSel = select([[100, '100'], [500, '500'], [1000, '1000']], state.limit);
	const search = input({ type: 'search', placeholder: t('list.search_hint') });
	const count = h('p.count', { 'aria-live': 'polite' });
	const results = h('div.results');

	main.append(pageTitle(own ? t('work.title_agency', { agency: agencyName(own) }) : t('work.title')),
		h('form.filters', { role: 'search', onsubmit: (e) => e.preventDefault() },
			field({ label: t('task.agency'), control: agencySel }),
			field({ label: t('task.status'), control: statusSel }),
			field({ label: t('list.direction'), control: dirSel }),
			field({ label: t('decl.port_office'), control: officeSel }),
			field({ label: t('work.limit'), control: limitSel }),
			field({ label: t('list.search'), control: search })),
		count, results);

	function shown() {
		const q = state.text.trim().toUpperCase();
		return tasks.filter((r) => (!state.direction || r.declaration.direction === state.direction) &&
			(!state.office || r.declaration.port_office === state.office) &&
			(!q || r.declaration_number.includes(q) || (r.declaration.bill_of_lading || '').toUpperCase().includes(q)));
	}

	function draw() {
		const list = shown();
		const now = Date.now();
		count.textContent = t('work.count', { shown: list.length, total: tasks.length });
		replace(results, table({
			caption: t('work.caption', { agency: agencyName(state.agency), status: label('task', state.status) }),
			rows: list,
			empty: t('work.empty'),
			columns: [
				{ label: t('decl.number'), header: true, value: (r) => h('a', { href: `/declarations/${r.declaration_number}` }, r.declaration_number) },
				{ label: t('task.status'), value: (r) => badge('task', r.status) },
				{ label: t('decl.status'), value: (r) => badge('status', r.declaration.status) },
				{ label: t('decl.direction'), value: (r) => label('direction', r.declaration.direction) },
				{ label: t('decl.port_office'), value: (r) => codeWithName('customs_offices', r.declaration.port_office) },
				{ label: t('decl.bill_of_lading'), value: (r) => r.declaration.bill_of_lading },
				{ label: t('task.opened'), className: 'time', value: (r) => fmtTime(r.opened_at) },
				{ label: t('work.waiting'), className: 'num time', value: (r) => (r.decided_at ? '' : fmtDuration(now - Date.parse(r.opened_at))) },
			],
		}));
	}

	function offices() {
		const codes = [...new Set(tasks.map((r) => r.declaration.port_office))].sort();
		const keep = state.office;
		replace(officeSel, h('option', { value: '' }, t('work.any_office')),
			codes.map((c) => h('option', { value: c, selected: c === keep }, codeWithName('customs_offices', c))));
	}

	/* the latest load answers; a refresh that finds nothing changed
	 * leaves the page alone */
	const started = latestOnly();
	let shownTasks = null;
	async function load() {
		const isLatest = started();
		if (!tasks.length) replace(results, loading());
		try {
			const r = await api('GET', '/v1/tasks', { query: { agency: own ? null : state.agency, status: state.status, limit: state.limit } });
			if (!isLatest()) return;
			const text = JSON.stringify(r.tasks);
			if (text === shownTasks && tasks.length) return;
			shownTasks = text;
			tasks = r.tasks;
			offices();
			draw();
		} catch (err) {
			if (!isLatest()) return;
			shownTasks = null;
			replace(results, errorBox(err));
		}
	}

	const reload = () => {
		tasks = [];
		history.replaceState(null, '', `/worklist?status=${state.status}${own ? '' : `&agency=${state.agency}`}`);
		load();
	};
	agencySel.addEventListener('change', () => {
		state.agency = agencySel.value;
		reload();
	});
	statusSel.addEventListener('change', () => {
		state.status = statusSel.value;
		reload();
	});
	limitSel.addEventListener('change', () => {
		state.limit = Number(limitSel.value);
		reload();
	});
	dirSel.addEventListener('change', () => {
		state.direction = dirSel.value;
		draw();
	});
	officeSel.addEventListener('change', () => {
		state.office = officeSel.value;
		draw();
	});
	search.addEventListener('input', () => {
		state.text = search.value;
		draw();
	});

	const mark = feedMark(); /* see declarations.js */
	await load();

	let timer = null;
	return subscribe((events) => {
		/* null: the feed cannot say what was missed while the list loaded */
		if (events && !events.some((e) => e.type.startsWith('task.') && e.agency === state.agency)) return;
		clearTimeout(timer);
		timer = setTimeout(async () => {
			const before = tasks.length;
			await load();
			if (tasks.length > before) announce(t('work.new_tasks', { n: tasks.length - before }));
		}, 400);
	}, mark);
}
