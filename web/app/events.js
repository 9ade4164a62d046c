/*
 * events.js - one event of a timeline or of the feed, told in the user's
 * language: what happened, which agency, who did it, and the details that
 * matter (reasons, lanes, slots in the port's local time).
 */
import { h } from './dom.js';
import { fmtMoney, fmtTime, label, problemText, t } from './i18n.js';
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

/* duties, payments, guarantees and refunds (docs/money.md): amounts in CNY */
function moneyDetail(type, d) {
	const out = [];
	if (type === 'duties.assessed' && d.status === 'held') out.push(t('event.held_assessment'));
	if (d.total_due) out.push(t('event.due', { amount: fmtMoney(d.total_due, 'CNY') }));
	if (d.total_refund) out.push(t('event.amount', { amount: fmtMoney(d.total_refund, 'CNY') }));
	if (d.guarantee) out.push(t('event.guarantee', { number: d.guarantee }));
	if (d.amount && /^(duties|guarantee)\./.test(type)) out.push(t('event.amount', { amount: fmtMoney(d.amount, 'CNY') }));
	if (d.available && type === 'guarantee.drawn') out.push(t('event.available', { amount: fmtMoney(d.available, 'CNY') }));
	if (d.bank_reference) out.push(t('event.bank_reference', { ref: d.bank_reference }));
	return out;
}

/* the transport side (docs/transport.md): the call, the bill, the
 * container, what differs and what the gate missed */
function transportDetail(type, d) {
	const out = [];
	if (d.container) out.push(t('event.container', { container: d.container }));
	if (d.bill_of_lading) out.push(t('event.bill', { bill: d.bill_of_lading }));
	if (d.call && !type.startsWith('container.')) out.push(t('event.call', { call: d.call }));
	if (d.manifest && d.version && type.startsWith('declaration.'))
		out.push(t('event.manifest_version', { v: d.version }));
	if (Array.isArray(d.differences) && d.differences.length) out.push(t('event.differences', { n: d.differences.length }));
	if (d.ship_side) out.push(t('event.ship_side'));
	if (Array.isArray(d.missing) && d.missing.length)
		out.push(t('event.missing', { list: d.missing.map((m) => m.text).join('；') }));
	return out;
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
	parts.push(...moneyDetail(e.type, d), ...transportDetail(e.type, d));
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
