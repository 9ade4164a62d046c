/*
 * payments.js - a bank's payment orders (缴款指令, docs/money.md): the
 * duties and taxes that declarants ordered this bank to pay, as the bank
 * sees them (GET /v1/payments, by status: those awaiting its answer first),
 * and its answer to each (POST /v1/payments/{bank_reference}/answer): it
 * debited the paying account, for the amount ordered and at a time it
 * gives, or it refused the order, saying why. A declaration's duties count
 * as paid only once its bank has confirmed the payment.
 *
 * The server decides what a bank may see and answer: only the orders that
 * name its own organisation.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtMoney, fmtTime, label, t, tz } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { isoToLocalInput, localInputToIso } from '../time.js';
import {
	alertBox, badge, errorBox, facts, field, input, loading, openDialog, pageTitle, select,
	submitting, table, toast,
} from '../ui.js';

const cny = (a) => fmtMoney(a, 'CNY');
const STATUSES = ['reported', 'paid', 'refused'];
/* the longest page the server gives; a bank's desk answers orders as
 * they come, so the orders awaiting an answer stay few */
const PAGE = 500;

/** When and by whom: '2026-11-29 10:30 · trader2'. */
const byWhom = (at, who) => (at ? `${fmtTime(at)} · ${who || ''}` : '');

/**
 * The bank confirms it debited the account: the amount (the order's,
 * which is all the server takes) and when, in port time, now unless the
 * clerk says otherwise.
 */
function paidDialog(p, done) {
	return openDialog(t('bankpay.confirm_title', { ref: p.bank_reference }), (close) => {
		const amount = input({ inputmode: 'decimal', value: p.amount });
		const paidAt = input({ type: 'datetime-local',
			value: isoToLocalInput(new Date().toISOString(), tz()) });
		const ok = h('button.primary', { type: 'submit' }, t('bankpay.submit_paid'));
		const form = h('form.bank-paid', { novalidate: true },
			orderFacts(p),
			h('div.form-grid',
				field({ label: t('bankpay.amount'), control: amount, pointer: '/amount', required: true,
					hint: t('bankpay.amount_hint', { amount: cny(p.amount) }) }),
				field({ label: t('bankpay.paid_at'), control: paidAt, pointer: '/paid_at', required: true,
					hint: t('bankpay.paid_at_hint', { zone: tz() }) })),
			h('div.actions', ok,
				h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
		const names = { '/amount': t('bankpay.amount'), '/paid_at': t('bankpay.paid_at') };
		submitting(form, ok, async () => {
			const body = { outcome: 'paid', amount: amount.value.trim(),
				paid_at: localInputToIso(paidAt.value, tz()) || paidAt.value };
			const r = await answer(p, body);
			toast(t('bankpay.paid_done', { ref: r.bank_reference, number: r.declaration_number,
				status: label('status', r.declaration_status) }));
			close(true);
			done();
		}, (ptr) => names[ptr] || ptr.slice(1));
		return form;
	});
}

/** The bank refuses the order, with its reason (the declarant reads it). */
function refuseDialog(p, done) {
	return openDialog(t('bankpay.refuse_title', { ref: p.bank_reference }), (close) => {
		const reason = h('textarea', { rows: 3, maxlength: 120 });
		const ok = h('button.danger', { type: 'submit' }, t('bankpay.submit_refused'));
		const form = h('form.bank-refused', { novalidate: true },
			orderFacts(p),
			field({ label: t('bankpay.reason'), control: reason, pointer: '/reason', required: true,
				wide: true, hint: t('bankpay.reason_hint') }),
			h('div.actions', ok,
				h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
		submitting(form, ok, async () => {
			const r = await answer(p, { outcome: 'refused', reason: reason.value.trim() });
			toast(t('bankpay.refused_done', { ref: r.bank_reference }));
			close(true);
			done();
		}, (ptr) => (ptr === '/reason' ? t('bankpay.reason') : ptr.slice(1)));
		return form;
	});
}

function answer(p, body) {
	return api('POST', `/v1/payments/${encodeURIComponent(p.bank_reference)}/answer`, { body });
}

/** What the order says, at the head of an answer. */
function orderFacts(p) {
	return facts([
		[t('decl.number'), h('span.code', p.declaration_number)],
		[t('bankpay.amount_ordered'), h('strong', cny(p.amount))],
		[t('bankpay.reported'), byWhom(p.recorded_at, p.recorded_by)],
	]);
}

function ordersTable(rows, reload) {
	return table({
		caption: t('bankpay.title'),
		rows,
		empty: t('bankpay.none'),
		columns: [
			{ label: t('pay.bank_reference'), header: true, value: (r) => h('span.code', r.bank_reference) },
			{ label: t('decl.number'), value: (r) => h('span.code', r.declaration_number) },
			{ label: t('bankpay.amount_ordered'), className: 'num', value: (r) => cny(r.amount) },
			{ label: t('bankpay.status'), value: (r) => badge('payment', r.status) },
			{ label: t('bankpay.reported'), value: (r) => byWhom(r.recorded_at, r.recorded_by) },
			{ label: t('bankpay.paid_at'), value: (r) => (r.paid_at ? fmtTime(r.paid_at) : '—') },
			{ label: t('bankpay.reason'), value: (r) => r.reason || '' },
			{ label: t('bankpay.answered'), value: (r) => byWhom(r.answered_at, r.answered_by) },
			{ label: t('bankpay.action'), value: (r) => (r.status !== 'reported' ? '' : h('div.row-actions',
				h('button.primary', { type: 'button', onclick: () => paidDialog(r, reload) },
					t('bankpay.confirm')),
				h('button', { type: 'button', onclick: () => refuseDialog(r, reload) },
					t('bankpay.refuse')))) },
		],
	});
}

/** '/payments' and '/payments?status=paid' ('all': any status) */
export async function render(main, params, query) {
	const asked = query?.get('status');
	const chosen = STATUSES.includes(asked) || asked === 'all' ? asked : 'reported';
	const status = select([...STATUSES.map((s) => [s, label('payment', s)]),
		['all', t('bankpay.any_status')]], chosen);
	const results = h('div');
	main.append(pageTitle(t('bankpay.title')), h('p.lead', t('bankpay.lead')),
		h('div.filters', field({ label: t('bankpay.status'), control: status })), results);
	/* the list shows the status chosen last, whichever read ends last */
	const started = latestOnly();
	async function load() {
		const isLatest = started();
		replace(results, loading());
		try {
			const q = { limit: PAGE, status: status.value === 'all' ? null : status.value };
			const r = await api('GET', '/v1/payments', { query: q });
			if (!isLatest()) return;
			replace(results, ordersTable(r.payments, load),
				r.payments.length === PAGE ? alertBox('info', t('bankpay.more', { n: PAGE })) : null);
		} catch (err) {
			if (isLatest()) replace(results, errorBox(err));
		}
	}
	status.addEventListener('change', () => {
		history.replaceState(null, '',
			status.value === 'reported' ? '/payments' : `/payments?status=${status.value}`);
		load();
	});
	await load();
}
