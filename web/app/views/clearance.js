/*
 * views/clearance.js - clearance time by stage (通关时效分析) for the port
 * office's analysts: a selection (period, office, port, direction,
 * transport mode, lane, credit class, trade mode, chapter, targets), and
 * per direction the totals, the share within each target, the table of
 * stages with their party, the slowest stage, charts by stage, hour and
 * weekday of lodging, the outliers with links to their declarations, and
 * a CSV download of each table.
 *
 * Every figure is the API's (GET /v1/statistics/clearance), formatted
 * only; the selection is validated by the server, whose problems are
 * shown at the field they name (query:NAME). The selection lives in the
 * address, so a view can be bookmarked and shared. The figures are kept
 * current: new events in the feed ask again, at most every REFRESH_MS and
 * not while the tab is hidden, and the page changes only when the answer
 * did.
 */
import { ApiError, api } from '../api.js';
import { clearanceCharts, drawClearanceCharts, fmtSeconds, fmtShare, partyName, stageName } from '../clearance.js';
import { download, h, replace } from '../dom.js';
import { fmtCount, label, problemText, t, tz } from '../i18n.js';
import { feedMark, subscribe } from '../feed.js';
import { latestOnly } from '../latest.js';
import { sessionToken } from '../session.js';
import { addDays, offsetLabel, today } from '../time.js';
import { alertBox, errorBox, errorText, field, input, pageTitle, section, select, table, toast } from '../ui.js';

const DIRECTIONS = ['import', 'export'];
const LANES = ['green', 'blue', 'yellow', 'red'];
const CREDIT = ['advanced', 'standard', 'discredited'];
const CODES = ['office', 'port', 'transport_mode', 'trade_mode', 'chapter'];
const PARAMS = ['from', 'to', 'direction', ...CODES, 'lane', 'credit_class', 'target_import', 'target_export'];
const TABLES = ['stages', 'hours', 'weekdays', 'outliers', 'targets'];
const REFRESH_MS = 10000;

/** The port's offset now, as the API takes it (+08:00). */
function offset() {
	return offsetLabel(tz()).replace('UTC', '');
}

/** The selection form; `values` from the address. */
function selectionForm(values, onSubmit) {
	const controls = {};
	const fields = {};
	const add = (name, control, hint) => {
		controls[name] = control;
		fields[name] = field({ label: t(`ct.${name}`), control, hint });
		return fields[name];
	};
	add('from', input({ type: 'date', name: 'from', value: values.from || '' }));
	add('to', input({ type: 'date', name: 'to', value: values.to || '' }));
	add('direction', select([['', t('ct.both')], ...DIRECTIONS.map((d) => [d, label('direction', d)])], values.direction, { name: 'direction' }));
	for (const c of CODES) add(c, input({ name: c, value: values[c] || '' }), t('ct.codes_hint'));
	add('lane', select([['', t('ct.any')], ...LANES.map((l) => [l, label('lane', l)])], values.lane, { name: 'lane' }));
	add('credit_class', select([['', t('ct.any')], ...CREDIT.map((c) => [c, label('credit', c)])], values.credit_class, { name: 'credit_class' }));
	add('target_import', input({ name: 'target_import', value: values.target_import || '' }), t('ct.target_hint'));
	add('target_export', input({ name: 'target_export', value: values.target_export || '' }), t('ct.target_hint'));
	const summary = h('div.error-summary', { role: 'alert', tabindex: '-1', hidden: true });
	const form = h('form.filters.ct-form', {
		onsubmit: (e) => {
			e.preventDefault();
			const v = {};
			for (const p of PARAMS) v[p] = controls[p].value.trim();
			onSubmit(v);
		},
	}, PARAMS.map((p) => fields[p]), h('div.field', h('button.primary', { type: 'submit' }, t('ct.submit'))));
	form.showErrors = (errors) => {
		for (const f of Object.values(fields)) {
			f.errorEl.hidden = true;
			f.errorEl.replaceChildren();
			f.input.removeAttribute('aria-invalid');
		}
		summary.hidden = !errors.length;
		if (!errors.length) return;
		const items = [];
		for (const e of errors) {
			const name = (e.field || '').replace(/^query:/, '');
			const text = problemText(e.problem);
			const f = fields[name];
			if (f) {
				f.errorEl.hidden = false;
				f.errorEl.textContent = text;
				f.input.setAttribute('aria-invalid', 'true');
			}
			items.push(h('li', `${f ? t(`ct.${name}`) : name}: ${text}`));
		}
		replace(summary, h('h2', t('ct.refused')), h('ul', items));
		summary.focus();
	};
	return { form, summary };
}

function tile(title, value, note, key) {
	return h('div.tile', { dataset: { tile: key } }, h('p.tile-title', title), h('p.tile-value', value), note ? h('p.tile-note', note) : null);
}

/** A duration cell carrying the API's seconds. */
function secs(s, shown = true) {
	return h('span', { dataset: { s: String(s) } }, shown ? fmtSeconds(s) : '—');
}

function stagesTable(dir, d) {
	const rows = [...d.stages, { stage: null, party: null, ...d.total, share_of_time: d.total.count ? '1.0000' : null }];
	const dur = (k) => ({ label: t(`ct.${k}`), className: 'num', value: (r) => secs(r[`${k}_s`], r.count > 0) });
	return table({
		caption: `${t(`ct.dir_title.${dir}`)}: ${t('ct.stages_title')}`,
		columns: [
			{ label: t('ct.stage'), header: true, value: (r) => (r.stage ? stageName(r.stage) : t('ct.total_row')) },
			{ label: t('ct.party'), value: (r) => (r.party ? partyName(r.party) : '') },
			{ label: t('ct.count'), className: 'num', value: (r) => fmtCount(r.count) },
			dur('mean'), dur('median'), dur('p90'), dur('p95'), dur('max'),
			{ label: t('ct.share'), className: 'num', value: (r) => fmtShare(r.share_of_time) },
		],
		rows,
		rowClass: (r) => (r.stage === null ? 'ct-total-row' : r.stage === d.slowest_stage ? 'ct-slowest' : null),
	});
}

function groupTable(caption, groups, name, keyLabel) {
	return table({
		caption,
		columns: [
			{ label: keyLabel, header: true, value: name },
			{ label: t('ct.count'), className: 'num', value: (g) => fmtCount(g.count) },
			{ label: t('ct.mean'), className: 'num', value: (g) => secs(g.mean_s, g.count > 0) },
			{ label: t('ct.median'), className: 'num', value: (g) => secs(g.median_s, g.count > 0) },
		],
		rows: groups,
	});
}

function outliersPart(dir, d) {
	const o = d.outliers;
	if (!o.count) return h('p.ct-outliers-none', t('ct.outliers_none'));
	return [
		h('p', t('ct.outliers_lead', { n: fmtCount(o.count), fence: fmtSeconds(o.fence_s) })),
		table({
			caption: `${t(`ct.dir_title.${dir}`)}: ${t('ct.outliers_title')}`,
			columns: [
				{ label: t('ct.number'), header: true, value: (x) => h('a', { href: `/declarations/${encodeURIComponent(x.number)}` }, x.number) },
				{ label: t('ct.total'), className: 'num', value: (x) => secs(x.total_s) },
				{ label: t('ct.slowest_stage'), value: (x) => stageName(x.slowest_stage) },
				{ label: t('ct.decl_time'), className: 'num', value: (x) => secs(x.slowest_s) },
			],
			rows: o.listed,
		}),
	];
}

/** One direction's figures; resolves to a disposer of its charts. */
async function directionPart(host, dir, d) {
	const tot = d.total;
	const tiles = h('div.tiles',
		tile(t('ct.measured'), fmtCount(tot.count), t('ct.measured_note', { border: fmtCount(d.totals.border), declaration: fmtCount(d.totals.declaration) }), 'count'),
		tile(t('ct.total_median'), tot.count ? fmtSeconds(tot.median_s) : '—', null, 'median'),
		tile(t('ct.total_p90'), tot.count ? fmtSeconds(tot.p90_s) : '—', null, 'p90'),
		tile(t('ct.total_mean'), tot.count ? fmtSeconds(tot.mean_s) : '—', null, 'mean'),
		...d.targets.map((g) => tile(t('ct.within', { target: fmtSeconds(g.target_s) }), tot.count ? fmtShare(g.share) : '—',
			t('ct.within_note', { n: fmtCount(g.within), of: fmtCount(tot.count) }), `target-${g.target_s}`)));
	const slowest = d.stages.find((s) => s.stage === d.slowest_stage);
	const pct = (p) => fmtShare(d.parties[p]?.share);
	const sec = section(t(`ct.dir_title.${dir}`), tiles,
		h('p.ct-slowest-line', slowest
			? t('ct.slowest', { stage: stageName(slowest.stage), party: partyName(slowest.party), share: fmtShare(slowest.share_of_time) })
			: t('ct.slowest_none')),
		h('p.ct-parties', t('ct.parties', { trader: pct('trader'), agency: pct('agency'), terminal: pct('terminal') })),
		h('h3', t('ct.stages_title')), stagesTable(dir, d));
	sec.dataset.direction = dir;
	const charts = h('div.charts');
	const outliers = h('div.ct-outliers', h('h3', t('ct.outliers_title')), outliersPart(dir, d));
	sec.append(charts, outliers);
	host.append(sec);
	if (!tot.count) return () => {};
	const hourName = (g) => `${String(g.hour).padStart(2, '0')}:00`;
	const tables = {
		hours: () => groupTable(t('ct.chart_hours'), d.hour_of_day.filter((g) => g.count), hourName, t('ct.hour')),
		weekdays: () => groupTable(t('ct.chart_weekdays'), d.weekday, (g) => label('weekday', g.weekday), t('ct.weekday')),
	};
	return drawClearanceCharts(charts, clearanceCharts(d),
		(c) => (tables[c.id] ? h('details', h('summary', t('dash.table')), tables[c.id]()) : null));
}

/** Fetch a CSV table of the selection and offer it as a file. */
async function downloadCsv(query, name) {
	const q = new URLSearchParams({ ...query, format: 'csv', table: name });
	const resp = await fetch(`/v1/statistics/clearance?${q}`, {
		headers: { Accept: 'text/csv', Authorization: `Bearer ${sessionToken()}` },
		cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
	});
	const text = await resp.text();
	if (!resp.ok) {
		let problem = null;
		try {
			problem = JSON.parse(text);
		} catch {
			problem = null;
		}
		throw new ApiError(resp.status, problem);
	}
	const file = `clearance-${name}.csv`;
	download(file, text, 'text/csv;charset=utf-8');
	toast(t('ct.csv_downloaded', { file }));
}

export async function render(main, params, query) {
	const values = {};
	for (const p of PARAMS) values[p] = query.get(p) || '';
	if (!query.toString()) {
		values.from = addDays(today(tz()), -29);
		values.to = addDays(today(tz()), 1);
	}
	const status = h('p.loading', { role: 'status' });
	const results = h('div.ct-results');
	const csvBar = h('div.actions.ct-csv');
	const { form, summary } = selectionForm(values, (v) => {
		const q = new URLSearchParams(Object.entries(v).filter(([, x]) => x));
		history.replaceState(null, '', `/clearance?${q}`);
		Object.assign(values, v);
		load();
	});
	main.append(pageTitle(t('ct.title')), h('p.lead', t('ct.lead', { offset: offset() })),
		summary, form, csvBar, status, results);
	let dispose = [];

	function apiQuery() {
		const q = { tz: offset() };
		for (const p of PARAMS) if (values[p]) q[p] = values[p];
		return q;
	}

	let shown = null; /* the answer on the page, as text */
	/* quiet: a refresh that leaves the page as it is unless the figures
	 * changed, and says nothing of a failure (the next event tries again).
	 * A load that a later one overtook stops where it is. */
	const started = latestOnly();
	async function load({ quiet = false } = {}) {
		const isLatest = started();
		const q = apiQuery();
		let r;
		if (quiet) {
			try {
				r = await api('GET', '/v1/statistics/clearance', { query: q });
			} catch {
				return;
			}
			if (!isLatest() || JSON.stringify(r) === shown) return;
		}
		dispose.forEach((f) => f());
		dispose = [];
		shown = null; /* the figures drawn are gone */
		results.dataset.ready = 'false';
		if (!quiet) {
			status.hidden = false;
			status.textContent = t('common.loading');
		}
		try {
			if (!quiet) r = await api('GET', '/v1/statistics/clearance', { query: q });
		} catch (err) {
			if (!isLatest()) return;
			status.hidden = true;
			if (err instanceof ApiError && err.status === 400 && err.errors.length) {
				form.showErrors(err.errors);
				replace(results);
			} else {
				replace(results, errorBox(err));
			}
			replace(csvBar);
			return;
		}
		if (!isLatest()) return;
		form.showErrors([]);
		status.hidden = true;
		replace(csvBar, h('span', t('ct.csv')), TABLES.map((name) => h('button', {
			type: 'button', dataset: { table: name },
			onclick: (e) => {
				const b = e.currentTarget;
				b.disabled = true;
				downloadCsv(q, name).catch((err) => toast(errorText(err), 'error')).finally(() => {
					b.disabled = false;
				});
			},
		}, t(`ct.csv_table.${name}`))));
		replace(results);
		const dirs = DIRECTIONS.filter((dir) => r[dir]);
		if (dirs.every((dir) => !r[dir].total.count)) results.append(alertBox('info', t('ct.none')));
		for (const dir of dirs) {
			dispose.push(await directionPart(results, dir, r[dir]));
			if (!isLatest()) return;
		}
		shown = JSON.stringify(r);
		results.dataset.ready = 'true';
	}

	const mark = feedMark(); /* an event during the first read refreshes too */
	await load();
	let timer = null;
	let last = Date.now();
	const refresh = () => {
		timer = null;
		if (document.hidden) return;
		last = Date.now();
		load({ quiet: true });
	};
	const stop = subscribe(() => {
		if (!timer) timer = setTimeout(refresh, Math.max(0, last + REFRESH_MS - Date.now()));
	}, mark);
	return () => {
		stop();
		clearTimeout(timer);
		dispose.forEach((f) => f());
	};
}
