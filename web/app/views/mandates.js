/*
 * mandates.js - electronic mandates (委托) of a declarant's organisation
 * (GET /v1/mandates): those it gave, as consignee, to a customs broker or
 * another trader that declares its goods, and those it holds from the
 * companies it declares for. A consignee gives a mandate (the agent's
 * USCC, imports, exports or both, until a day of the port's calendar) and
 * revokes one; the holder only reads. Validity is entered in port days:
 * a mandate runs to the end of its last day, port time.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtTime, fmtTimeFull, label, t, tz } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { me } from '../session.js';
import { addDays, dayRange, today } from '../time.js';
import {
	busy, confirmDialog, errorBox, errorText, field, input, loading, pageTitle, section, select,
	submitting, table, toast,
} from '../ui.js';

const SCOPES = ['import', 'export', 'both'];

/** in_force, not_yet, expired or revoked, now. */
export function mandateState(m, now = Date.now()) {
	if (m.revoked_at) return 'revoked';
	if (Date.parse(m.valid_to) <= now) return 'expired';
	if (Date.parse(m.valid_from) > now) return 'not_yet';
	return 'in_force';
}

/* A port day ('YYYY-MM-DD') as the RFC 3339 instant it starts or ends. */
function dayEdge(day, end) {
	if (!/^\d{4}-\d\d-\d\d$/.test(day)) return null;
	const [start, next] = dayRange(day, tz());
	return new Date(end ? next : start).toISOString().replace('.000Z', 'Z');
}

function when(iso) {
	return iso ? h('time', { datetime: iso, title: fmtTimeFull(iso) }, fmtTime(iso)) : '';
}

function giveForm(done) {
	const agent = input({ maxlength: 18, class: 'upper', autocapitalize: 'characters' });
	const scope = select(SCOPES.map((s) => [s, label('scope', s)]), 'import');
	const from = h('input', { type: 'date' });
	const to = h('input', { type: 'date', value: addDays(today(tz()), 365) });
	const ok = h('button.primary', { type: 'submit' }, t('mandates.give'));
	const form = h('form.give-mandate', { novalidate: true }, h('div.form-grid',
		field({ label: t('mandates.agent_uscc'), control: agent, pointer: '/agent_uscc', required: true, hint: t('mandates.agent_hint') }),
		field({ label: t('mandates.scope'), control: scope, pointer: '/scope', required: true }),
		field({ label: t('mandates.valid_from'), control: from, pointer: '/valid_from', hint: t('mandates.from_hint') }),
		field({ label: t('mandates.valid_to'), control: to, pointer: '/valid_to', required: true, hint: t('mandates.to_hint', { zone: tz() }) })),
	h('div.actions', ok));
	submitting(form, ok, async () => {
		const body = { agent_uscc: agent.value.trim().toUpperCase(), scope: scope.value };
		/* from the start of a later day; today (or nothing) means from now */
		if (from.value && from.value > today(tz())) body.valid_from = dayEdge(from.value, false);
		const end = dayEdge(to.value, true);
		if (end) body.valid_to = end;
		const m = await api('POST', '/v1/mandates', { body });
		toast(t('mandates.given', { name: m.agent_name }));
		agent.value = '';
		done();
	}, (p) => t(`mandates.${p.slice(1)}`));
	return form;
}

export async function render(main) {
	const user = me();
	const host = h('div', loading());
	main.append(pageTitle(t('mandates.title')), h('p.lead', t('mandates.lead')),
		section(t('mandates.give_title'), giveForm(() => load())), host);

	async function revoke(m, btn) {
		if (!(await confirmDialog(t('mandates.revoke'),
			t('mandates.revoke_confirm', { name: m.agent_name }), t('mandates.revoke')))) return;
		await busy(btn, async () => {
			try {
				await api('DELETE', `/v1/mandates/${m.id}`);
				toast(t('mandates.revoked', { name: m.agent_name }));
				await load();
				document.getElementById('page-title').focus();
			} catch (err) {
				toast(errorText(err), 'error');
			}
		});
	}

	const common = [
		{ label: t('mandates.scope'), value: (m) => label('scope', m.scope) },
		{ label: t('mandates.valid_from'), className: 'time', value: (m) => when(m.valid_from) },
		{ label: t('mandates.valid_to'), className: 'time', value: (m) => when(m.valid_to) },
		{ label: t('mandates.state'), value: (m) => h('span.badge', { class: `mandate-${mandateState(m)}` },
			label('mandate', mandateState(m))) },
	];

	function draw(list) {
		const gave = list.filter((m) => m.consignee_uscc === user.organisation);
		const holds = list.filter((m) => m.agent_uscc === user.organisation);
		replace(host,
			section(t('mandates.gave_title'), h('p.hint', t('mandates.gave_lead')), table({
				caption: t('mandates.gave_title'),
				rows: gave,
				empty: t('mandates.none_given'),
				columns: [
					{ label: t('mandates.agent'), header: true, value: (m) => [m.agent_name, h('br'), h('span.code', m.agent_uscc)] },
					...common,
					{ label: t('mandates.given_by'), value: (m) => [m.created_by, ' · ', when(m.created_at)] },
					{ label: t('mandates.actions'), value: (m) => (m.revoked_at ? when(m.revoked_at)
						: h('button.small.danger', {
							type: 'button', 'aria-label': `${t('mandates.revoke')} ${m.agent_name}`,
							onclick: (e) => revoke(m, e.currentTarget),
						}, t('mandates.revoke'))) },
				],
			})),
			section(t('mandates.held_title'), h('p.hint', t('mandates.held_lead')), table({
				caption: t('mandates.held_title'),
				rows: holds,
				empty: t('mandates.none_held'),
				columns: [
					{ label: t('mandates.consignee'), header: true, value: (m) => [m.consignee_name, h('br'), h('span.code', m.consignee_uscc)] },
					...common,
				],
			})));
	}

	/* mandates given or revoked in quick succession: the read after the
	 * last of them is the one shown */
	const started = latestOnly();
	async function load() {
		const isLatest = started();
		try {
			const r = await api('GET', '/v1/mandates');
			if (isLatest()) draw(r.mandates);
		} catch (err) {
			if (isLatest()) replace(host, errorBox(err));
		}
	}
	await load();
}
