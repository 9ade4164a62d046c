/*
 * consignment.js - what a declaration's release waits for besides the
 * agencies, as parts of the declaration screen: its match with the
 * carrier's manifest line (GET /v1/declarations/{n}/match,
 * docs/transport.md), its duties and taxes with what is paid or secured
 * (GET /v1/declarations/{n}/assessment, docs/money.md), the declarant's
 * payment order to its bank (POST /v1/declarations/{n}/payments, the banks
 * from GET /v1/banks) and why a release is held.
 *
 * A payment counts once its bank confirms it: an order is "reported" until
 * the bank answers "paid" (with the time it debited the account) or
 * "refused" (with its reason). While one is reported no other is offered.
 *
 * Amounts stay the decimal strings the API gives: nothing here computes
 * money, it only shows it. Nothing here decides who may pay: the form is
 * offered to the declarant and the server answers.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { fmtDecimal, fmtMoney, fmtTime, fmtTimeFull, label, problemText, t } from '../i18n.js';
import {
	alertBox, badge, errorText, facts, field, input, submitting, table, toast,
} from '../ui.js';

/** The fields a difference names, in the form's words. */
const DIFFERENCE_FIELDS = {
	'/consignee_uscc': 'decl.consignee_uscc',
	'/items': 'decl.items',
	'/packages': 'decl.packages',
	'/gross_weight_kg': 'decl.gross_weight_kg',
	'/containers': 'decl.containers',
	'/bill_of_lading': 'decl.bill_of_lading',
};

function fieldName(pointer) {
	const key = DIFFERENCE_FIELDS[pointer] || DIFFERENCE_FIELDS[pointer.replace(/\/\d+$/, '')];
	return key ? t(key) : pointer;
}

/** The consignment and its match with the manifest line. */
export function matchPanel(m) {
	const parts = [facts([
		[t('match.state'), badge('match', m.match)],
		[t('match.call'), m.call ? h('span.code', m.call) : ''],
		[t('decl.bill_of_lading'), m.bill_of_lading],
		[t('match.manifest'), m.manifest ? t('match.manifest_version', { id: m.manifest, v: m.manifest_version }) : t('match.no_manifest')],
		[t('decl.advance'), m.advance ? t('common.yes') : t('common.no')],
		m.split ? [t('match.split'), t('match.split_part', { part: m.split.part, of: m.split.of })] : null,
		m.flow && m.flow !== 'normal' ? [t('match.flow'), label('flow', m.flow)] : null,
	])];
	if (m.match === 'waiting')
		parts.push(alertBox('info', t('match.waiting_text')));
	if (m.differences?.length) {
		parts.push(alertBox('warn', t('match.mismatched_text')), table({
			caption: t('match.differences'),
			rows: m.differences,
			columns: [
				{ label: t('match.field'), header: true, value: (r) => fieldName(r.field || '') },
				{ label: t('match.declared'), value: (r) => fmtValue(r.declared) },
				{ label: t('match.manifested'), value: (r) => fmtValue(r.manifested) },
			],
		}));
	}
	return parts;
}

function fmtValue(v) {
	if (v === null || v === undefined) return '—';
	if (Array.isArray(v)) return v.join(', ');
	return /^\d+(\.\d+)?$/.test(String(v)) ? fmtDecimal(String(v)) : String(v);
}

const cny = (a) => fmtMoney(a, 'CNY');

/* The banks kouan knows, by USCC, as last read (names do not change
 * while a page is open; a new bank appears with the next payment form). */
const bankNames = new Map();
let banksRead = null;

function readBanks() {
	const read = api('GET', '/v1/banks').then((r) => {
		for (const b of r.banks) bankNames.set(b.uscc, b.name);
		return r.banks;
	});
	read.catch(() => {
		if (banksRead === read) banksRead = null; /* the next one reads again */
	});
	banksRead = read;
	return read;
}

/** A bank's name from its USCC: at once when known, else once the list
 * is read (the USCC meanwhile, or for good when it cannot be read). */
function bankName(uscc) {
	if (!uscc) return '—';
	if (bankNames.has(uscc)) return bankNames.get(uscc);
	const el = h('span', uscc);
	(banksRead || readBanks()).then(() => {
		if (bankNames.has(uscc)) el.textContent = bankNames.get(uscc);
	}, () => {});
	return el;
}

const lastPayment = (x) => (x.payments?.length ? x.payments[x.payments.length - 1] : null);

function taxRows(a) {
	const taxes = a.taxes || {};
	return ['duty', 'consumption_tax', 'vat'].filter((k) => taxes[k]).map((k) => ({ kind: k, ...taxes[k] }));
}

/** Per item: its customs value and each tax as computed (the explanation). */
function itemsExplained(a) {
	return table({
		caption: t('duties.items'),
		rows: a.items || [],
		columns: [
			{ label: '#', value: (r) => String(r.item + 1) },
			{ label: t('item.hs_code'), value: (r) => h('span.code', r.hs_code) },
			{ label: t('duties.customs_value'), className: 'num', value: (r) => cny(r.customs_value_cny) },
			{ label: t('duties.duty'), value: (r) => (r.duty ? [r.duty.computation, h('br'), h('span.hint', r.duty.reason || '')] : '') },
			{ label: t('duties.consumption_tax'), value: (r) => r.consumption_tax?.computation || '' },
			{ label: t('duties.vat'), value: (r) => r.vat?.computation || '' },
		],
	});
}

/**
 * The duties and taxes: what is due (each tax, waived or not), paid and
 * outstanding, the guarantee that secures them, the payments, and the
 * computation; `pay` (or null) is the payment form to add.
 */
export function dutiesPanel(d, pay) {
	const x = d.taxes || {};
	const a = d.assessment || {};
	const parts = [];
	if (d.status === 'held') {
		parts.push(alertBox('warn', t('duties.held', { reason: problemText(d.reason || '') })));
		return parts;
	}
	const g = x.guarantee;
	parts.push(facts([
		[t('duties.status'), badge('duties', d.status)],
		[t('duties.assessed_at'), h('time', { datetime: d.assessed_at, title: fmtTimeFull(d.assessed_at) }, fmtTime(d.assessed_at))],
		a.exchange_rate ? [t('duties.rate'), t('duties.rate_text', { currency: a.exchange_rate.currency, rate: a.exchange_rate.cny_per_unit, month: a.exchange_rate.month })] : null,
		[t('duties.customs_value'), a.customs_value_cny ? cny(a.customs_value_cny) : ''],
		[t('duties.due'), h('strong', cny(x.due))],
		[t('duties.paid'), cny(x.paid)],
		[t('duties.outstanding'), cny(x.outstanding)],
		[t('duties.guarantee'), g ? [t('duties.guarantee_text', { number: g.guarantee, amount: cny(g.amount), when: fmtTime(g.drawn_at) }),
			g.restored_at ? [' · ', t('duties.restored', { when: fmtTime(g.restored_at) })] : ''] : t('duties.no_guarantee')],
		d.declared_differs ? [t('duties.declared'), h('span.badge.status-returned', t('duties.declared_differs'))] : null,
	]));
	const taxes = taxRows(a);
	if (taxes.length) {
		parts.push(table({
			caption: t('duties.taxes'),
			rows: taxes,
			columns: [
				{ label: t('duties.tax'), header: true, value: (r) => t(`duties.${r.kind}`) },
				{ label: t('duties.computed'), className: 'num', value: (r) => cny(r.computed) },
				{ label: t('duties.due'), className: 'num', value: (r) => cny(r.due) },
				{ label: t('duties.waived'), value: (r) => (r.waived ? t('duties.waived_text') : '') },
			],
		}));
	}
	if (x.payments?.length) {
		parts.push(table({
			caption: t('duties.payments'),
			rows: x.payments,
			columns: [
				{ label: t('pay.bank_reference'), header: true, value: (r) => h('span.code', r.bank_reference) },
				{ label: t('pay.bank'), value: (r) => bankName(r.bank) },
				{ label: t('pay.amount'), className: 'num', value: (r) => cny(r.amount) },
				{ label: t('pay.status'), value: (r) => badge('payment', r.status) },
				{ label: t('pay.paid_at'), value: (r) => (r.paid_at ? fmtTime(r.paid_at) : '—') },
				{ label: t('pay.reason'), value: (r) => r.reason || '' },
				{ label: t('pay.recorded_by'), value: (r) => r.recorded_by || '' },
			],
		}));
	}
	const last = lastPayment(x);
	/* the last order awaits its bank, or was refused: the declarant orders again */
	if (last?.status === 'reported')
		parts.push(alertBox('info', t('duties.awaiting_bank',
			{ ref: last.bank_reference, amount: cny(last.amount) })));
	else if (last?.status === 'refused' && pay)
		parts.push(alertBox('warn', t('duties.refused_by_bank',
			{ ref: last.bank_reference, reason: last.reason || '' })));
	if (a.items?.length)
		parts.push(h('details.explain', h('summary', t('duties.explain')), itemsExplained(a)));
	if (pay) parts.push(pay);
	return parts;
}

/** May a payment be offered? Something is outstanding on an assessed,
 * live declaration, and no payment order awaits its bank's answer. */
export function payable(d, status) {
	return d && d.status === 'assessed' && /^\d+(\.\d+)?$/.test(d.taxes?.outstanding || '') &&
		Number(d.taxes.outstanding.replace('.', '')) > 0 &&
		status !== 'withdrawn' && status !== 'rejected' &&
		lastPayment(d.taxes)?.status !== 'reported';
}

/** Fill the bank chooser once the banks are read; say so when they
 * cannot be. */
function offerBanks(select, form) {
	readBanks().then((banks) => {
		select.replaceChildren(
			h('option', { value: '' }, t(banks.length ? 'pay.choose_bank' : 'pay.no_banks')),
			...banks.map((b) => h('option', { value: b.uscc }, b.name)));
		select.disabled = false;
	}, (err) => {
		select.replaceChildren(h('option', { value: '' }, t('pay.no_banks')));
		form.querySelector('.form-message')?.append(alertBox('error', errorText(err)));
	});
}

/**
 * The declarant orders the payment: the bank that holds the paying
 * account, the bank's reference of the order and the amount (what is
 * outstanding, which is all the server takes). The bank gives the time it
 * debited the account when it confirms; until then nothing is paid.
 */
export function paymentForm(number, outstanding, reload) {
	const bank = h('select', { disabled: true }, h('option', { value: '' }, t('common.loading')));
	const ref = input({ autocomplete: 'off', maxlength: 63 });
	const amount = input({ inputmode: 'decimal', value: outstanding });
	const submit = h('button.primary', { type: 'submit' }, t('pay.submit'));
	const form = h('form.pay', { novalidate: true },
		h('p.hint', t('pay.lead')),
		h('div.form-grid',
			field({ label: t('pay.bank'), control: bank, pointer: '/bank', required: true,
				hint: t('pay.bank_hint') }),
			field({ label: t('pay.bank_reference'), control: ref, pointer: '/bank_reference',
				required: true, hint: t('pay.reference_hint') }),
			field({ label: t('pay.amount'), control: amount, pointer: '/amount', required: true,
				hint: t('pay.amount_hint', { amount: cny(outstanding) }) })),
		h('div.actions', submit));
	const names = {
		'/bank': t('pay.bank'), '/bank_reference': t('pay.bank_reference'), '/amount': t('pay.amount'),
	};
	submitting(form, submit, async () => {
		const body = { bank: bank.value, bank_reference: ref.value.trim(), amount: amount.value.trim() };
		const p = await api('POST', `/v1/declarations/${number}/payments`, { body });
		toast(t('pay.reported', { ref: p.bank_reference }));
		reload();
	}, (p) => names[p] || p.slice(1));
	offerBanks(bank, form);
	return h('div.payment', h('h3', t('pay.title')), form);
}

/**
 * Why an accepted declaration that every agency has cleared is not
 * released: the latest `declaration.release_held`, or null. A line that
 * came since and differs is said as the match now stands (kouan writes
 * the hold once, when the last agency clears).
 */
export function heldNotice(view, events, match) {
	if (view.status !== 'accepted' || !view.tasks.length || !view.tasks.every((x) => x.status === 'cleared')) return null;
	const held = [...events].reverse().find((e) => e.type === 'declaration.release_held');
	if (!held) return null;
	const d = held.data || {};
	const why = d.waiting_for === 'manifest' && match?.match === 'mismatched'
		? t('match.mismatched_text') : problemText(d.reason || '');
	return alertBox('warn', h('strong', t('held.title', { part: label('hold', d.waiting_for) })), ' ', why);
}
