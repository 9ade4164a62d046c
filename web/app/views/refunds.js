/*
 * refunds.js - export tax refund applications (出口退税, docs/money.md):
 * the list (GET /v1/refunds, by status), one application with what the
 * exporter claimed beside customs' data and every difference (GET
 * /v1/refunds/{id}), and the tax office's decision (POST
 * /v1/refunds/{id}/decision): an application that matches customs' data
 * may be approved; any may be rejected, with a reason.
 *
 * The tax office reads applications, not declarations; the exporter reads
 * its own; analysts and administrators read all. The server decides.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtDecimal, fmtMoney, fmtTime, label, problemText, t } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { me } from '../session.js';
import {
	alertBox, badge, errorBox, facts, field, loading, pageTitle, section, select, submitting, table, toast,
} from '../ui.js';

const cny = (a) => fmtMoney(a, 'CNY');
const STATUSES = ['applied', 'approved', 'rejected'];

function applicationsTable(rows) {
	return table({
		caption: t('refund.list'),
		rows,
		empty: t('refund.none'),
		columns: [
			{ label: t('refund.id'), header: true, value: (r) => h('a', { href: `/refunds/${r.id}` }, t('refund.id_n', { id: r.id })) },
			{ label: t('decl.number'), value: (r) => h('span.code', r.declaration_number) },
			{ label: t('refund.exporter'), value: (r) => r.exporter },
			{ label: t('refund.status'), value: (r) => badge('refund', r.status) },
			{ label: t('refund.verdict'), value: (r) => badge('verdict', r.verdict) },
			{ label: t('refund.total'), className: 'num', value: (r) => cny(r.total_refund) },
			{ label: t('refund.applied_at'), value: (r) => fmtTime(r.applied_at) },
		],
	});
}

/** '/refunds' and '/refunds/:id' */
export async function render(main, params, query) {
	if (params.id !== undefined) return renderOne(main, params.id);
	main.append(pageTitle(t('refund.title')), h('p.lead', t('refund.lead')));
	const status = select([['', t('refund.any_status')], ...STATUSES.map((s) => [s, label('refund', s)])], query?.get('status') || '');
	const results = h('div');
	main.append(h('div.filters', field({ label: t('refund.status'), control: status })), results);
	/* the latest load answers: an earlier one (another status) that ends
	 * after it is dropped, so the list always shows the status chosen */
	const started = latestOnly();
	async function load() {
		const isLatest = started();
		replace(results, loading());
		try {
			const r = await api('GET', '/v1/refunds', { query: { status: status.value } });
			if (isLatest()) replace(results, applicationsTable(r.applications));
		} catch (err) {
			if (isLatest()) replace(results, errorBox(err));
		}
	}
	status.addEventListener('change', () => {
		history.replaceState(null, '', status.value ? `/refunds?status=${status.value}` : '/refunds');
		load();
	});
	await load();
	return undefined;
}

function itemsTable(a) {
	const claimed = a.application?.items || [];
	const checked = a.check?.items || [];
	return table({
		caption: t('refund.items'),
		rows: claimed.map((c, i) => ({ c, k: checked[i] || {}, i })),
		columns: [
			{ label: '#', value: (r) => String(r.i + 1) },
			{ label: t('item.hs_code'), header: true, value: (r) => h('span.code', r.c.hs_code) },
			{ label: t('refund.quantity'), className: 'num', value: (r) => fmtDecimal(r.c.quantity) },
			{ label: t('refund.fob_claimed'), className: 'num', value: (r) => cny(r.c.fob_value_cny) },
			{ label: t('refund.fob_customs'), className: 'num', value: (r) => (r.k.fob_value_cny ? cny(r.k.fob_value_cny) : '') },
			{ label: t('refund.percent'), className: 'num', value: (r) => (r.k.refund_percent ? `${r.k.refund_percent}%` : '') },
			{ label: t('refund.amount'), className: 'num', value: (r) => (r.k.refund ? cny(r.k.refund) : '') },
		],
	});
}

/** The tax office's decision: approve (a matching application only) or
 * reject with a reason. Nothing is chosen beforehand. */
function decisionForm(a, reload) {
	const offered = a.verdict === 'matches' ? ['approved', 'rejected'] : ['rejected'];
	const radios = offered.map((d) => h('label.radio', h('input', { type: 'radio', name: `refund-${a.id}`, value: d }), ' ', label('rdecision', d)));
	const group = h('fieldset.field.radio-group', { dataset: { pointer: '/decision' } }, h('legend', t('refund.decision')), ...radios, h('p.field-error', { hidden: true }));
	group.errorEl = group.lastChild;
	group.input = radios[0].querySelector('input');
	const reason = h('textarea', { rows: 3, maxlength: 500 });
	const submit = h('button.primary', { type: 'submit' }, t('refund.submit'));
	const form = h('form.refund-decision', { novalidate: true },
		a.verdict === 'matches' ? null : alertBox('info', t('refund.mismatch_only_reject')),
		group, field({ label: t('refund.reason'), control: reason, pointer: '/reason', wide: true, hint: t('refund.reason_hint') }),
		h('div.actions', submit));
	submitting(form, submit, async () => {
		const body = {};
		const chosen = form.querySelector(`input[name="refund-${a.id}"]:checked`);
		if (chosen) body.decision = chosen.value;
		if (reason.value.trim()) body.reason = reason.value.trim();
		const r = await api('POST', `/v1/refunds/${a.id}/decision`, { body });
		toast(t('refund.decided', { id: a.id, status: label('refund', r.status) }));
		reload();
	}, (p) => (p === '/reason' ? t('refund.reason') : t('refund.decision')));
	return form;
}

async function renderOne(main, id) {
	main.append(pageTitle(t('refund.id_n', { id })));
	const content = h('div');
	main.append(content);
	async function reload() {
		replace(content, loading());
		let a;
		try {
			a = await api('GET', `/v1/refunds/${encodeURIComponent(id)}`);
		} catch (err) {
			replace(content, errorBox(err));
			return;
		}
		document.querySelector('#page-title').replaceChildren(t('refund.id_n', { id }), ' ', badge('refund', a.status));
		const parts = [section(t('refund.summary'), facts([
			[t('refund.status'), badge('refund', a.status)],
			[t('decl.number'), h('span.code', a.declaration_number)],
			[t('refund.exporter'), a.exporter],
			[t('refund.verdict'), badge('verdict', a.verdict)],
			[t('refund.total'), h('strong', cny(a.total_refund))],
			[t('refund.departed'), fmtTime(a.check?.departed_at)],
			[t('refund.applied_at'), `${fmtTime(a.applied_at)} · ${a.applied_by}`],
			a.decided_at ? [t('refund.decided_at'), `${fmtTime(a.decided_at)} · ${a.decided_by}`] : null,
			a.decision_reason ? [t('refund.reason'), a.decision_reason] : null,
		])), section(t('refund.items'), itemsTable(a))];
		if (a.differences?.length) {
			parts.push(section(t('refund.differences'), alertBox('warn', t('refund.differs')), table({
				caption: t('refund.differences'),
				rows: a.differences,
				columns: [
					{ label: t('match.field'), header: true, value: (r) => h('span.code', r.field) },
					{ label: t('refund.problem'), value: (r) => problemText(r.problem) },
				],
			})));
		}
		if (me().role === 'tax_office' && a.status === 'applied')
			parts.push(section(t('refund.decide'), decisionForm(a, reload)));
		parts.push(h('p', h('a', { href: '/refunds' }, t('refund.back'))));
		replace(content, parts);
	}
	await reload();
}
