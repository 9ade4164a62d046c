/*
 * transport.js - the carrier's side (docs/transport.md), read: its
 * conveyance reports (GET /v1/conveyance-reports) and manifests (GET
 * /v1/manifests) grouped by what they belong to, the call (GET
 * /v1/calls?call=KEY: arrival, departure, permissions, reports and
 * manifests) and the call's own timeline (GET /v1/calls/events). The
 * server decides what each user sees: a carrier its own calls, a port
 * operator its port's, officers, analysts and administrators every call.
 *
 * Call keys travel in the query (`/calls?call=2|9321378|046E|CNNSA`): a
 * voyage may hold a '/', which a path cannot.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { eventActor, eventDetail, eventTitle } from '../events.js';
import { fmtTime, fmtTimeFull, label, t } from '../i18n.js';
import { refLoad } from '../ref.js';
import { me } from '../session.js';
import { badge, errorBox, facts, loading, pageTitle, section, table } from '../ui.js';

/** A link to a call's screen. */
export function callLink(call) {
	return h('a.code', { href: `/calls?call=${encodeURIComponent(call)}` }, call);
}

const when = (iso) => (iso ? h('time', { datetime: iso, title: fmtTimeFull(iso) }, fmtTime(iso)) : '');

export function reportsTable(reports) {
	return table({
		caption: t('transport.reports'),
		rows: reports,
		empty: t('transport.no_reports'),
		columns: [
			{ label: t('transport.report'), header: true, className: 'num', value: (r) => String(r.id) },
			{ label: t('transport.kind'), value: (r) => label('rkind', r.kind) },
			{ label: t('match.call'), value: (r) => callLink(r.call) },
			{ label: t('transport.permission'), value: (r) => badge('permission', r.permission) },
			{ label: t('decl.version'), className: 'num', value: (r) => String(r.version) },
			{ label: t('decl.updated_at'), value: (r) => when(r.updated_at) },
		],
	});
}

export function manifestsTable(manifests) {
	return table({
		caption: t('transport.manifests'),
		rows: manifests,
		empty: t('transport.no_manifests'),
		columns: [
			{ label: t('transport.manifest'), header: true, value: (r) => h('a', { href: `/manifests/${r.id}` }, t('transport.manifest_n', { id: r.id })) },
			{ label: t('transport.kind'), value: (r) => label('mkind', r.kind) },
			{ label: t('match.call'), value: (r) => callLink(r.call) },
			{ label: t('decl.version'), className: 'num', value: (r) => String(r.version) },
			{ label: t('transport.bills'), className: 'num', value: (r) => String(r.bills) },
			{ label: t('transport.late'), value: (r) => (r.late ? t('common.yes') : t('common.no')) },
			{ label: t('decl.updated_at'), value: (r) => when(r.updated_at) },
		],
	});
}

/** '/transport': the carrier's reports and manifests. */
export async function render(main) {
	const user = me();
	main.append(pageTitle(t('transport.title')), h('p.lead', t('transport.lead')));
	const content = h('div');
	main.append(content);
	replace(content, loading());
	try {
		const [reports, manifests] = await Promise.all([
			api('GET', '/v1/conveyance-reports', { query: { limit: 200 } }),
			api('GET', '/v1/manifests', { query: { limit: 200 } }),
		]);
		const calls = [...new Set([...reports.reports, ...manifests.manifests].map((x) => x.call))].sort();
		replace(content,
			user.role === 'carrier' ? h('div.actions.toolbar', h('a.button.primary', { href: '/manifests/new' }, t('manifest.new'))) : null,
			section(t('transport.calls'), calls.length
				? h('ul.plain.calls', calls.map((c) => h('li', callLink(c))))
				: h('p', t('transport.no_calls'))),
			section(t('transport.manifests'), manifestsTable(manifests.manifests)),
			section(t('transport.reports'), reportsTable(reports.reports)));
	} catch (err) {
		replace(content, errorBox(err));
	}
}

/** '/calls?call=KEY': one call, its documents and its own timeline. */
export async function renderCall(main, params, query) {
	const key = (query || new URLSearchParams(location.search)).get('call') || '';
	main.append(pageTitle(t('call.title', { call: key })));
	const content = h('div');
	main.append(content);
	replace(content, loading());
	try {
		const [call, events] = await Promise.all([
			api('GET', '/v1/calls', { query: { call: key } }),
			api('GET', '/v1/calls/events', { query: { call: key, limit: 500 } }),
			refLoad('agencies'),
		]);
		replace(content,
			section(t('call.state'), facts([
				[t('match.call'), h('span.code', call.call)],
				[t('detail.port'), call.port],
				[t('call.arrived'), when(call.arrived_at)],
				[t('call.entry_permitted'), when(call.entry_permitted_at)],
				[t('call.departure_permitted'), when(call.departure_permitted_at)],
				[t('call.departed'), when(call.departed_at)],
			])),
			section(t('transport.reports'), reportsTable(call.reports || [])),
			section(t('transport.manifests'), manifestsTable(call.manifests || [])),
			section(t('call.timeline'), h('ol.timeline', events.events.map((e) => h('li',
				when(e.at),
				h('div.event', h('strong', eventTitle(e)), h('span.actor', eventActor(e)),
					h('div.event-detail', eventDetail(e))))))));
	} catch (err) {
		replace(content, errorBox(err));
	}
}
