/*
 * charts.js - the dashboard's charts, drawn with Apache ECharts (served by
 * kouan from its own binary, loaded only when a dashboard opens) from the
 * statistics shape of stats.js. Every chart has a text summary for screen
 * readers and its numbers in a table beside it.
 */
import { h } from './dom.js';
import { fmtCount, fmtHours, label, t } from './i18n.js';
import { LANES, STATUSES } from './stats.js';
import { table } from './ui.js';

const COLOURS = {
	import: '#1a5fb4', export: '#26a269',
	green: '#2e7d32', blue: '#1565c0', yellow: '#d4a000', red: '#c62828',
	p50: '#1a5fb4', p90: '#c64600', p95: '#a51d2d',
	accepted: '#1a5fb4', returned: '#d4a000', released: '#2e7d32', rejected: '#c62828', withdrawn: '#77767b',
};
const FONT = '"Noto Sans CJK SC", "Noto Sans SC", system-ui, sans-serif';

let echartsModule = null;
function loadECharts() {
	if (!echartsModule) echartsModule = import('./vendor/echarts.esm.min.mjs');
	return echartsModule;
}

function shortDay(d) {
	return d.slice(5);
}

function base(title) {
	return {
		animation: false,
		textStyle: { fontFamily: FONT },
		tooltip: { trigger: 'axis', confine: true },
		legend: { type: 'scroll', top: 0, textStyle: { fontFamily: FONT } },
		grid: { left: 48, right: 16, top: 40, bottom: 32, containLabel: false },
		aria: { enabled: false },
		title: { show: false, text: title },
	};
}

function barsByDay(stats, series) {
	return {
		xAxis: { type: 'category', data: stats.days.map(shortDay) },
		yAxis: { type: 'value', minInterval: 1 },
		series: series.map(([key, name, data]) => ({
			type: 'bar', stack: 'all', name, data, itemStyle: { color: COLOURS[key] }, emphasis: { focus: 'series' },
		})),
	};
}

/** The chart definitions: id, title, summary text, ECharts option, table. */
function charts(stats) {
	const sum = (a) => a.reduce((x, y) => x + y, 0);
	const dayCol = { label: t('dash.day'), header: true, value: (r) => r.day };
	const rowsByDay = (f) => stats.days.map((day, i) => ({ day, i, ...f(i) }));
	return [
		{
			id: 'lodged',
			title: t('dash.lodged_title'),
			summary: t('dash.lodged_summary', {
				n: fmtCount(sum(stats.lodged.import) + sum(stats.lodged.export)),
				imp: fmtCount(sum(stats.lodged.import)), exp: fmtCount(sum(stats.lodged.export)), days: stats.days.length,
			}),
			option: { ...base(t('dash.lodged_title')), ...barsByDay(stats, [
				['import', label('direction', 'import'), stats.lodged.import],
				['export', label('direction', 'export'), stats.lodged.export],
			]) },
			table: {
				rows: rowsByDay((i) => ({ imp: stats.lodged.import[i], exp: stats.lodged.export[i] })),
				columns: [dayCol,
					{ label: label('direction', 'import'), className: 'num', value: (r) => fmtCount(r.imp) },
					{ label: label('direction', 'export'), className: 'num', value: (r) => fmtCount(r.exp) }],
			},
		},
		{
			id: 'lanes',
			title: t('dash.lanes_title'),
			summary: t('dash.lanes_summary', Object.fromEntries(LANES.map((l) => [l, fmtCount(sum(stats.lanes[l]))]))),
			option: { ...base(t('dash.lanes_title')), ...barsByDay(stats, LANES.map((l) => [l, label('lane', l), stats.lanes[l]])) },
			table: {
				rows: rowsByDay((i) => Object.fromEntries(LANES.map((l) => [l, stats.lanes[l][i]]))),
				columns: [dayCol, ...LANES.map((l) => ({ label: label('lane', l), className: 'num', value: (r) => fmtCount(r[l]) }))],
			},
		},
		{
			id: 'release',
			title: t('dash.release_title'),
			summary: stats.totals.median_hours === null ? t('dash.release_none')
				: t('dash.release_summary', { n: fmtCount(stats.totals.released), median: fmtHours(stats.totals.median_hours) }),
			option: {
				...base(t('dash.release_title')),
				xAxis: { type: 'category', data: stats.days.map(shortDay) },
				yAxis: { type: 'value', name: t('dash.hours'), nameTextStyle: { fontFamily: FONT } },
				series: ['p50', 'p90', 'p95'].map((p) => ({
					type: 'line', name: t(`dash.${p}`), data: stats.release[p].map((v) => (v === null ? null : Number(v.toFixed(2)))),
					connectNulls: true, symbolSize: 6, itemStyle: { color: COLOURS[p] }, lineStyle: { color: COLOURS[p] },
				})),
			},
			table: {
				rows: rowsByDay((i) => ({ n: stats.release.count[i], p50: stats.release.p50[i], p90: stats.release.p90[i], p95: stats.release.p95[i] })),
				columns: [dayCol,
					{ label: t('dash.released_n'), className: 'num', value: (r) => fmtCount(r.n) },
					...['p50', 'p90', 'p95'].map((p) => ({ label: t(`dash.${p}`), className: 'num', value: (r) => (r[p] === null ? '—' : fmtHours(r[p])) }))],
			},
		},
		{
			id: 'status',
			title: t('dash.status_title'),
			summary: t('dash.status_summary', Object.fromEntries(STATUSES.map((s) => [s, fmtCount(stats.status[s] || 0)]))),
			option: {
				...base(t('dash.status_title')),
				tooltip: { trigger: 'item', confine: true },
				series: [{
					type: 'pie', radius: ['40%', '70%'], top: 28,
					data: STATUSES.map((s) => ({ name: label('status', s), value: stats.status[s] || 0, itemStyle: { color: COLOURS[s] } })),
					label: { formatter: '{b}: {c}', fontFamily: FONT },
				}],
			},
			table: {
				rows: STATUSES.map((s) => ({ s, n: stats.status[s] || 0 })),
				columns: [{ label: t('decl.status'), header: true, value: (r) => label('status', r.s) },
					{ label: t('dash.count'), className: 'num', value: (r) => fmtCount(r.n) }],
			},
		},
	];
}

/** Draw every chart into host; resolves to a function that disposes them. */
export async function drawCharts(host, stats) {
	const echarts = await loadECharts();
	const made = [];
	for (const c of charts(stats)) {
		const canvas = h('div.chart-canvas', { role: 'img', 'aria-label': `${c.title}: ${c.summary}`, dataset: { chart: c.id } });
		host.append(h('figure.chart', h('figcaption', h('h2', c.title), h('p.hint', c.summary)), canvas,
			h('details', h('summary', t('dash.table')), table({ caption: c.title, ...c.table }))));
		const chart = echarts.init(canvas, null, { renderer: 'canvas' });
		chart.setOption(c.option);
		made.push(chart);
	}
	const resize = () => made.forEach((m) => m.resize());
	window.addEventListener('resize', resize);
	return () => {
		window.removeEventListener('resize', resize);
		made.forEach((m) => m.dispose());
	};
}
