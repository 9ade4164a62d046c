/*
 * clearance.js - clearance time (通关时效) as kouan measures it
 * (docs/clearance-time.md): durations in hours and minutes, the names of
 * stages, parties and weekdays, the charts of the clearance-time screen,
 * and the small section of a declaration's screen showing its own stages
 * (GET /v1/declarations/{number}/clearance-time).
 *
 * It computes no figure: every number shown is one the API answered,
 * only formatted. It never shows the section to someone the API refuses
 * (403/404: the section stays empty and hidden).
 */
import { api } from './api.js';
import { h, replace } from './dom.js';
import { fmtCount, has, label, t } from './i18n.js';
import { section, table } from './ui.js';

/**
 * Whole seconds as hours and minutes ('41 h 05 min' / '41小时05分'),
 * minutes rounded to the nearest; under a minute in seconds. null: '—'.
 */
export function fmtSeconds(s) {
	if (s === null || s === undefined || !Number.isFinite(s)) return '—';
	if (s < 60) return t('ct.seconds', { s });
	const min = Math.round(s / 60);
	const hh = Math.floor(min / 60);
	const mm = min % 60;
	if (!hh) return t('ct.mins', { m: mm });
	return t('ct.hmins', { h: fmtCount(hh), m: String(mm).padStart(2, '0') });
}

/** A stage's name in the current language (the API's id otherwise). */
export function stageName(stage) {
	return has(`stage.${stage}`) ? t(`stage.${stage}`) : stage;
}

/** A party's name (trader, agency, terminal). */
export function partyName(party) {
	return label('party', party);
}

/** A share of the API ('0.4250') as a percentage with one decimal. */
export function fmtShare(share) {
	if (share === null || share === undefined || share === '') return '—';
	const n = Number(share);
	if (!Number.isFinite(n)) return String(share);
	return `${(Math.round(n * 1000) / 10).toFixed(1)}%`;
}

/* --- charts (Apache ECharts, loaded only when a chart is drawn) --- */

const FONT = '"Noto Sans CJK SC", "Noto Sans SC", system-ui, sans-serif';
const COLOURS = { median: '#1a5fb4', p90: '#c64600', count: '#77767b' };
let echartsModule = null;

function loadECharts() {
	if (!echartsModule) echartsModule = import('./vendor/echarts.esm.min.mjs');
	return echartsModule;
}

const hours = (s) => (s === null || s === undefined ? null : Math.round(s / 36) / 100);

function option(categories, series, yName) {
	return {
		animation: false,
		textStyle: { fontFamily: FONT },
		tooltip: { trigger: 'axis', confine: true },
		legend: { type: 'scroll', top: 0, textStyle: { fontFamily: FONT } },
		grid: { left: 48, right: 16, top: 40, bottom: 56 },
		aria: { enabled: false },
		xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 8 ? 40 : 0, fontFamily: FONT } },
		yAxis: { type: 'value', name: yName, nameTextStyle: { fontFamily: FONT } },
		series,
	};
}

function bars(key, name, data) {
	return { type: 'bar', name, data, itemStyle: { color: COLOURS[key] }, emphasis: { focus: 'series' } };
}

/**
 * The charts of one direction's figures (d: the API's answer for it):
 * [{id, title, summary, option}]. Charted values are hours.
 */
export function clearanceCharts(d) {
	const stages = d.stages.filter((s) => s.count > 0);
	const slowest = d.stages.find((s) => s.stage === d.slowest_stage);
	const longest = (groups, name) => {
		const g = groups.filter((x) => x.count > 0).reduce((a, b) => (b.median_s > (a?.median_s ?? -1) ? b : a), null);
		return g ? t('ct.chart_summary_groups', { n: fmtCount(groups.reduce((a, x) => a + x.count, 0)), group: name(g), median: fmtSeconds(g.median_s) })
			: t('ct.none');
	};
	const hourName = (g) => `${String(g.hour).padStart(2, '0')}:00`;
	const dayName = (g) => label('weekday', g.weekday);
	return [
		{
			id: 'stages',
			title: t('ct.chart_stages'),
			summary: slowest ? t('ct.chart_summary_stages', { stage: stageName(slowest.stage), median: fmtSeconds(slowest.median_s) }) : t('ct.slowest_none'),
			option: option(stages.map((s) => stageName(s.stage)), [
				bars('median', t('ct.median'), stages.map((s) => hours(s.median_s))),
				bars('p90', t('ct.p90'), stages.map((s) => hours(s.p90_s))),
			], t('dash.hours')),
		},
		{
			id: 'hours',
			title: t('ct.chart_hours'),
			summary: longest(d.hour_of_day, hourName),
			option: option(d.hour_of_day.map((g) => String(g.hour).padStart(2, '0')),
				[bars('median', t('ct.median'), d.hour_of_day.map((g) => (g.count ? hours(g.median_s) : null)))], t('dash.hours')),
		},
		{
			id: 'weekdays',
			title: t('ct.chart_weekdays'),
			summary: longest(d.weekday, dayName),
			option: option(d.weekday.map(dayName),
				[bars('median', t('ct.median'), d.weekday.map((g) => (g.count ? hours(g.median_s) : null)))], t('dash.hours')),
		},
	];
}

/**
 * Draw charts into figures appended to host; each figure gets `extra`(c)
 * (e.g. its data table). Resolves to a function that disposes them.
 */
export async function drawClearanceCharts(host, charts, extra = () => null) {
	const echarts = await loadECharts();
	const made = [];
	for (const c of charts) {
		const canvas = h('div.chart-canvas', { role: 'img', 'aria-label': `${c.title}: ${c.summary}`, dataset: { chart: c.id } });
		host.append(h('figure.chart', h('figcaption', h('h3', c.title), h('p.hint', c.summary)), canvas, extra(c)));
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

/* --- one declaration --- */

function declarationTable(m) {
	return table({
		caption: t('ct.decl_title'),
		columns: [
			{ label: t('ct.stage'), header: true, value: (s) => stageName(s.stage) },
			{ label: t('ct.party'), value: (s) => partyName(s.party) },
			{ label: t('ct.decl_time'), className: 'num', value: (s) => h('span', { dataset: { s: String(s.seconds) } }, fmtSeconds(s.seconds)) },
		],
		rows: m.stages,
	});
}

/**
 * The clearance-time section of a declaration's screen: returned at once
 * (hidden), filled when the measurement arrives; stays hidden for those
 * the API refuses.
 */
export function clearanceSection(number) {
	const body = h('div.clearance-time');
	const sec = section(t('ct.decl_title'), body);
	sec.hidden = true;
	api('GET', `/v1/declarations/${encodeURIComponent(number)}/clearance-time`).then((m) => {
		const head = m.total_s === null || m.total_kind === 'none'
			? h('p', t('ct.decl_open'))
			: h('p.ct-total', { dataset: { s: String(m.total_s) } },
				t('ct.decl_total', { time: fmtSeconds(m.total_s), kind: t(`ct.kind.${m.total_kind}`) }));
		const flags = m.flags?.length ? h('p.hint', `${t('ct.flags')}: ${m.flags.map((f) => label('ctflag', f)).join(t('ct.list_sep'))}`) : null;
		replace(body, head, flags, declarationTable(m));
		sec.hidden = false;
	}, () => {
		/* not the caller's to read (403/404) or unavailable: nothing shown */
	});
	return sec;
}
