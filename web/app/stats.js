/*
 * stats.js - clearance figures for the dashboard, per day of the port's
 * calendar, computed in the browser from the declarations
 * (GET /v1/declarations) and the event feed (GET /v1/events).
 *
 * The result has one shape whatever computes it: when kouan serves
 * clearance-time statistics itself, the dashboard takes them in this
 * shape and charts.js draws them unchanged:
 *
 *   { days: ['YYYY-MM-DD', ...],
 *     lodged: { import: [n...], export: [n...] },         by day lodged
 *     lanes: { green: [n...], blue, yellow, red },         agencies' lanes, by day assessed
 *     release: { p50: [h|null...], p90, p95, count: [n...] },  hours lodged -> released, by day released
 *     status: { accepted: n, returned, released, rejected, withdrawn },  of those lodged in the period
 *     totals: { lodged, released, median_hours, automatic } }
 *
 * Percentiles are nearest-rank. Pure: no I/O, no clock (today is passed in).
 */
import { addDays, dayOf } from './time.js';

export const LANES = ['green', 'blue', 'yellow', 'red'];
export const STATUSES = ['accepted', 'returned', 'released', 'rejected', 'withdrawn'];

/** The nearest-rank p-th percentile of sorted numbers (null when none). */
export function percentile(sorted, p) {
	if (!sorted.length) return null;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * declarations: summaries; events: feed events (type, declaration_number,
 * at, actor_role, data); lastDay: the period's last day; days: its length;
 * tz: the port's zone.
 */
export function computeStats({ declarations, events, lastDay, days, tz }) {
	const dayList = Array.from({ length: days }, (_, i) => addDays(lastDay, i - days + 1));
	const index = new Map(dayList.map((d, i) => [d, i]));
	const zeros = () => dayList.map(() => 0);
	const lodged = { import: zeros(), export: zeros() };
	const lanes = Object.fromEntries(LANES.map((l) => [l, zeros()]));
	const durations = dayList.map(() => []);
	const status = Object.fromEntries(STATUSES.map((s) => [s, 0]));
	const all = [];
	let lodgedTotal = 0;

	for (const d of declarations) {
		const i = index.get(dayOf(d.lodged_at, tz));
		if (i !== undefined) {
			lodged[d.direction === 'export' ? 'export' : 'import'][i]++;
			status[d.status] = (status[d.status] || 0) + 1;
			lodgedTotal++;
		}
		if (d.released_at) {
			const j = index.get(dayOf(d.released_at, tz));
			if (j !== undefined) {
				const hours = (Date.parse(d.released_at) - Date.parse(d.lodged_at)) / 3600000;
				durations[j].push(hours);
				all.push(hours);
			}
		}
	}

	/* officers' hands: a declaration released with no decision by a person
	 * was released automatically */
	const touched = new Set();
	const released = new Set();
	for (const e of events) {
		if (e.type === 'declaration.assessed') {
			const i = index.get(dayOf(e.at, tz));
			if (i !== undefined)
				for (const lane of Object.values(e.data?.lanes || {}))
					if (lanes[lane]) lanes[lane][i]++;
		} else if (e.type.startsWith('task.') && e.actor_role !== 'system') {
			touched.add(e.declaration_number);
		} else if (e.type === 'declaration.released' && index.has(dayOf(e.at, tz))) {
			released.add(e.declaration_number);
		}
	}
	let automatic = 0;
	for (const n of released) if (!touched.has(n)) automatic++;

	const sortedDays = durations.map((v) => [...v].sort((a, b) => a - b));
	all.sort((a, b) => a - b);
	return {
		days: dayList,
		lodged,
		lanes,
		release: {
			p50: sortedDays.map((v) => percentile(v, 50)),
			p90: sortedDays.map((v) => percentile(v, 90)),
			p95: sortedDays.map((v) => percentile(v, 95)),
			count: sortedDays.map((v) => v.length),
		},
		status,
		totals: {
			lodged: lodgedTotal,
			released: all.length,
			median_hours: percentile(all, 50),
			automatic,
		},
	};
}
