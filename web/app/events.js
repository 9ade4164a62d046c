/*
 * events.js - one event of a timeline or of the feed, told in the user's
 * language: what happened, which agency, who did it, and the details that
 * matter (reasons, lanes, slots in the port's local time).
 */
import { h } from './dom.js';
import { fmtTime, label, problemText, t } from './i18n.js';
import { refName } from './ref.js';

/** An agency's name ('海关' / 'Customs') from the loaded agencies list. */
export function agencyName(code) {
	return refName('agencies', code) || code || '';
}

function lanes(map) {
	return Object.entries(map || {}).map(([a, lane]) =>
		h('span.lane-pair', agencyName(a), ' ', h('span.badge', { class: `lane-${lane}` }, label('lane', lane))));
}

/** A decision's reason for people: kouan's own are translated; a waiver's
 * keeps the supervisor's words after a translated "inspection waived". */
export function reasonText(reason, byKouan) {
	if (!reason) return '';
	if (byKouan) return problemText(reason);
	const waived = /^inspection waived: ([\s\S]*)$/.exec(reason);
	return waived ? t('task.waived', { reason: waived[1] }) : reason;
}

/** The detail line of an event (may be empty). */
export function eventDetail(e) {
	const d = e.data || {};
	const parts = [];
	if (d.lanes) parts.push(...lanes(d.lanes));
	if (d.agencies && Array.isArray(d.agencies))
		parts.push(t('event.agencies', { list: d.agencies.map(agencyName).join('、') }));
	if (d.lane && !d.lanes) parts.push(h('span.badge', { class: `lane-${d.lane}` }, label('lane', d.lane)));
	if (d.advance) parts.push(t('decl.advance'));
	if (d.slot_start) parts.push(t('event.slot', { site: d.site, when: fmtTime(d.slot_start) }));
	if (d.from && d.from.slot_start) parts.push(t('event.moved_from', { when: fmtTime(d.from.slot_start) }));
	if (d.result) parts.push(label('result', d.result));
	if (d.recognised_from) parts.push(t('event.recognised_from', { agency: agencyName(d.recognised_from) }));
	if (d.outcome) parts.push(label('outcome', d.outcome));
	if (d.version && e.type === 'declaration.corrected') parts.push(t('event.version', { v: d.version }));
	if (d.waiting_for) parts.push(t('event.waiting_for', { part: label('hold', d.waiting_for) }));
	if (d.reason) parts.push(t('event.reason', { reason: reasonText(d.reason, e.actor_role === 'system') }));
	if (d.because) parts.push(t('event.because', { because: d.because }));
	const out = [];
	parts.forEach((p, i) => {
		if (i) out.push(' · ');
		out.push(p);
	});
	return out;
}

/** Who did it: a person's user name and role, or kouan itself. */
export function eventActor(e) {
	return e.actor_role === 'system' ? t('event.by_kouan')
		: `${e.actor} (${label('role', e.actor_role)})`;
}

/** The event's title: its type, with the agency for task events. */
export function eventTitle(e) {
	const type = label('event', e.type);
	return e.agency ? `${type} · ${agencyName(e.agency)}` : type;
}
