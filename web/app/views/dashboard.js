/*
 * dashboard.js - the port office's clearance figures (统计分析): how many
 * declarations were lodged, the lanes the agencies drew, how long release
 * took (median, 90th and 95th percentile) day by day, and where the
 * declarations of the period stand; it follows new events.
 *
 * loadStats() reads the declarations and the event feed (kept for the
 * session, so a second visit reads only what is new) and computes the
 * figures in the browser (stats.js). When kouan serves clearance-time
 * statistics itself, loadStats() becomes one call returning the same
 * shape, and the rest of this screen stays as it is.
 */
import { api, apiAllPages } from '../api.js';
import { drawCharts } from '../charts.js';
import { h, replace } from '../dom.js';
import { feedMark, subscribe } from '../feed.js';
import { fmtCount, fmtHours, t, tz } from '../i18n.js';
import { computeStats } from '../stats.js';
import { today } from '../time.js';
import { errorBox, field, pageTitle, select } from '../ui.js';

const PERIODS = [7, 30, 90];
/* the feed read so far, kept for the session */
const feedCache = { cursor: '0', events: [] };

function slim(e) {
	return { type: e.type, declaration_number: e.declaration_number, at: e.at, actor_role: e.actor_role,
		data: e.type === 'declaration.assessed' ? { lanes: e.data?.lanes } : undefined };
}

async function readFeed(progress) {
	for (;;) {
		const r = await api('GET', '/v1/events', { query: { after: feedCache.cursor, limit: 1000 } });
		feedCache.events.push(...r.events.map(slim));
		feedCache.cursor = r.cursor;
		progress(feedCache.events.length);
		if (r.events.length < 1000) return;
	}
}

/** The figures for the `days` days ending today. */
async function loadStats(days, progress) {
	const [declarations] = await Promise.all([
		apiAllPages('/v1/declarations', 'declarations', {}, 200000, (n) => progress('decl', n)),
		readFeed((n) => progress('events', n)),
	]);
	return computeStats({ declarations, events: feedCache.events, lastDay: today(tz()), days, tz: tz() });
}

function tile(title, value, note) {
	return h('div.tile', h('p.tile-title', title), h('p.tile-value', value), note ? h('p.tile-note', note) : null);
}

export async function render(main, params, query) {
	let days = Number(query.get('days')) || 30;
	if (!PERIODS.includes(days)) days = 30;
	const periodSel = select(PERIODS.map((d) => [d, t('dash.days', { n: d })]), days);
	const status = h('p.loading', { role: 'status' });
	const tiles = h('div.tiles');
	const chartsHost = h('div.charts');
	main.append(pageTitle(t('dash.title')), h('p.lead', t('dash.lead', { zone: tz() })),
		h('p', h('a', { href: '/clearance' }, t('ct.dashboard_link'))),
		h('form.filters', { onsubmit: (e) => e.preventDefault() }, field({ label: t('dash.period'), control: periodSel })),
		status, tiles, chartsHost);
	let dispose = null;
	let drawing = Promise.resolve();

	let drawn = null; /* the figures on the page, as text */
	/* quiet: a refresh after new events, which leaves the charts as they
	 * are when the figures did not change */
	async function draw(quiet = false) {
		const progress = { decl: 0, events: 0 };
		status.hidden = false;
		status.textContent = t('common.loading');
		let stats;
		try {
			stats = await loadStats(days, (k, n) => {
				progress[k] = n;
				status.textContent = t('dash.reading', { decl: fmtCount(progress.decl), events: fmtCount(progress.events) });
			});
		} catch (err) {
			replace(chartsHost, errorBox(err));
			drawn = null;
			status.hidden = true;
			return;
		}
		status.hidden = true;
		const text = JSON.stringify(stats);
		if (quiet && text === drawn) return;
		drawn = text;
		const tot = stats.totals;
		replace(tiles,
			tile(t('dash.tile_lodged'), fmtCount(tot.lodged), t('dash.days', { n: days })),
			tile(t('dash.tile_released'), fmtCount(tot.released)),
			tile(t('dash.tile_median'), tot.median_hours === null ? '—' : `${fmtHours(tot.median_hours)} ${t('dash.h')}`),
			tile(t('dash.tile_automatic'), tot.released ? `${Math.round((100 * tot.automatic) / tot.released)}%` : '—',
				t('dash.tile_automatic_note', { n: fmtCount(tot.automatic) })));
		if (dispose) dispose();
		chartsHost.replaceChildren();
		chartsHost.dataset.ready = 'false';
		dispose = await drawCharts(chartsHost, stats);
		chartsHost.dataset.ready = 'true';
		chartsHost.dataset.lodged = String(tot.lodged);
	}

	const redraw = (quiet = false) => {
		drawing = drawing.then(() => draw(quiet));
		return drawing;
	};
	periodSel.addEventListener('change', () => {
		days = Number(periodSel.value);
		history.replaceState(null, '', `/dashboard?days=${days}`);
		redraw();
	});
	const mark = feedMark(); /* an event during the first read refreshes too */
	await redraw();

	let timer = null;
	const stop = subscribe(() => {
		clearTimeout(timer);
		timer = setTimeout(() => redraw(true), 3000);
	}, mark);
	return () => {
		stop();
		clearTimeout(timer);
		if (dispose) dispose();
	};
}
