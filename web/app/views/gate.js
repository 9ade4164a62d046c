/*
 * gate.js - the terminal's gate (闸口): ask whether a container may be
 * discharged, gated out, gated in or loaded (GET
 * /v1/gate/containers/{number}?action=&call=), and record the yard event
 * (POST /v1/gate/containers/{number}/events). The answer names everything
 * missing (no entry permission, a bill with no declaration, a declaration
 * not released ...); a refused event is answered the same way, and kouan
 * records the refused attempt on the call's timeline.
 *
 * This screen decides nothing: the gate's rule is the server's
 * (docs/transport.md "The gate"). Port operators ask about their own
 * port's calls and record; customs, analysts and administrators ask.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtTime, label, problemText, t } from '../i18n.js';
import { me } from '../session.js';
import { alertBox, errorBox, facts, field, input, pageTitle, section, select, submitting, toast } from '../ui.js';

const ACTIONS = ['discharged', 'gated_out', 'gated_in', 'loaded'];

/** The gate's answer: allowed or not, the call, and what is missing. */
function answerPanel(a, { refused = false, recorded = false } = {}) {
	const verdict = a.allowed && !refused
		? h('div.verdict.valid', { tabindex: '-1', role: 'status' },
			h('strong', t(recorded ? 'gate.recorded' : 'gate.allowed', { container: a.container, action: label('gate', a.action) })))
		: h('div.verdict.invalid', { tabindex: '-1', role: 'alert' },
			h('strong', t(refused ? 'gate.refused' : 'gate.not_allowed', { container: a.container, action: label('gate', a.action) })));
	return h('div.gate-answer', verdict,
		facts([
			[t('gate.container'), h('span.code', a.container)],
			[t('gate.action'), label('gate', a.action)],
			[t('match.call'), a.call ? h('span.code', a.call) : t('gate.no_call')],
			[t('detail.port'), a.port || ''],
			[t('gate.ship_side'), a.ship_side ? t('common.yes') : t('common.no')],
			(refused || recorded) && a.at ? [t('gate.at'), fmtTime(a.at)] : null,
		]),
		a.missing?.length ? [h('h3', t('gate.missing')), h('ul.missing', a.missing.map((m) =>
			h('li', h('span.badge.status-returned', label('missing', m.kind)), ' ', h('span.code', m.subject), ' ', problemText(m.text))))] : null,
		refused ? h('p.hint', t('gate.attempt_recorded')) : null);
}

export async function render(main) {
	const user = me();
	const records = user.role === 'port_operator';
	main.append(pageTitle(t('gate.title')), h('p.lead', t(records ? 'gate.lead' : 'gate.lead_read')));
	const out = h('div.gate-result', { 'aria-live': 'polite' });
	const number = input({ autocomplete: 'off', maxlength: 11, spellcheck: 'false', autocapitalize: 'characters' });
	const action = select(ACTIONS.map((a) => [a, label('gate', a)]), 'gated_out');
	const call = input({ autocomplete: 'off', maxlength: 128 });
	const ask = h('button.primary', { type: 'submit' }, t('gate.ask'));
	const record = h('button', { type: 'button', hidden: true }, t('gate.record'));
	const form = h('form.gate', { novalidate: true },
		h('div.form-grid',
			field({ label: t('gate.container'), control: number, pointer: 'path:number', required: true, hint: t('gate.container_hint') }),
			field({ label: t('gate.action'), control: action, pointer: 'query:action' }),
			field({ label: t('match.call'), control: call, pointer: 'query:call', hint: t('gate.call_hint') })),
		h('div.actions', ask, records ? record : null));
	const asked = () => ({ number: number.value.trim().toUpperCase(), action: action.value, call: call.value.trim() });
	let last = null;

	const describe = (p) => ({ 'path:number': t('gate.container'), 'query:action': t('gate.action'), 'query:call': t('match.call'),
		'/event': t('gate.action'), '/call': t('match.call') }[p] || p);
	const errors = submitting(form, ask, async () => {
		const q = asked();
		last = null;
		record.hidden = true;
		const a = await api('GET', `/v1/gate/containers/${encodeURIComponent(q.number)}`, { query: { action: q.action, call: q.call } });
		last = q;
		replace(out, answerPanel(a));
		record.hidden = !a.call;
		out.querySelector('.verdict').focus();
	}, describe);

	record.addEventListener('click', async () => {
		const q = asked();
		if (!last || q.number !== last.number || q.action !== last.action || q.call !== last.call) {
			form.requestSubmit();
			return;
		}
		errors.clear();
		record.disabled = true;
		try {
			const body = { event: q.action };
			if (q.call) body.call = q.call;
			const r = await api('POST', `/v1/gate/containers/${encodeURIComponent(q.number)}/events`, { body });
			toast(t('gate.recorded', { container: q.number, action: label('gate', q.action) }));
			replace(out, answerPanel({ ...r, container: r.container || q.number, action: r.action || q.action, allowed: true }, { recorded: true }));
			record.hidden = true;
		} catch (err) {
			if (err.status === 409 && Array.isArray(err.problem.missing))
				replace(out, answerPanel(err.problem, { refused: true }));
			else if (err.status === 400 && err.errors.length)
				errors.show(err.errors, t('form.errors_title', { n: err.errors.length }), describe);
			else
				replace(out, errorBox(err));
		} finally {
			record.disabled = false;
		}
		out.querySelector('.verdict')?.focus();
	});

	main.append(section(t('gate.ask_title'), form), out);
	if (!records) out.before(alertBox('info', t('gate.read_only')));
}
