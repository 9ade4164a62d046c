/*
 * verify.js - checking a release notice before goods leave the port: by
 * declaration number (the notice is fetched), or from a notice file or
 * pasted text a driver or agent brings. The signature is checked in the
 * browser against the key kouan publishes (GET /v1/release-key); the
 * verdict and what the notice says are shown for comparison with the
 * goods at the gate.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtDecimal, fmtTimeFull, label, t } from '../i18n.js';
import { checkNotice, releaseKey } from '../notice.js';
import { codeWithName, refLoad } from '../ref.js';
import { agencyName } from '../events.js';
import { alertBox, busy, errorBox, facts, field, input, pageTitle, section } from '../ui.js';

/** The verdict and the notice's content. */
export function noticePanel(result, key) {
	const c = result.content || {};
	const verdict = result.valid
		? h('div.verdict.valid', { tabindex: '-1', role: 'status' }, h('strong', t('verify.valid')), ' ',
			t('verify.valid_text', { number: c.declaration_number || '' }))
		: h('div.verdict.invalid', { tabindex: '-1', role: 'alert' }, h('strong', t('verify.invalid')), ' ',
			t(`verify.reason.${result.reason}`));
	return h('div.notice-panel', verdict,
		result.content ? facts([
			[t('verify.number'), c.declaration_number],
			[t('decl.released_at'), fmtTimeFull(c.released_at)],
			[t('decl.direction'), label('direction', c.direction)],
			[t('verify.port'), codeWithName('ports', c.port)],
			[t('decl.port_office'), codeWithName('customs_offices', c.port_office)],
			[t('decl.bill_of_lading'), c.bill_of_lading],
			[t('verify.consignee'), c.consignee_uscc],
			[t('decl.packages'), c.packages === undefined ? '' : fmtDecimal(String(c.packages))],
			[t('decl.containers'), (c.containers || []).join(', ')],
			[t('verify.agencies'), (c.agencies_cleared || []).map(agencyName).join('、')],
			[t('verify.statement'), c.statement],
		]) : null,
		h('p.hint', t('verify.key', { id: key.key_id })));
}

export async function render(main) {
	main.append(pageTitle(t('verify.title')), h('p.lead', t('verify.lead')));
	const out = h('div.verify-result');
	let key;
	try {
		[key] = await Promise.all([releaseKey(), refLoad('ports', 'customs_offices', 'agencies')]);
	} catch (err) {
		main.append(errorBox(err));
		return;
	}
	if (!globalThis.crypto?.subtle) main.append(alertBox('warn', t('verify.reason.no_webcrypto')));

	async function show(n) {
		const r = await checkNotice(n, key);
		replace(out, noticePanel(r, key));
		out.querySelector('.verdict').focus();
	}

	const number = input({ inputmode: 'numeric', maxlength: 18, pattern: '\\d{18}' });
	const byNumberBtn = h('button.primary', { type: 'submit' }, t('verify.check'));
	const byNumber = h('form', {
		onsubmit: (e) => {
			e.preventDefault();
			busy(byNumberBtn, async () => {
				try {
					await show(await api('GET', `/v1/declarations/${encodeURIComponent(number.value.trim())}/release-notice`));
				} catch (err) {
					replace(out, err.status === 404 ? alertBox('error', t('verify.not_released')) : errorBox(err));
				}
			});
		},
	}, field({ label: t('verify.number'), control: number, hint: t('verify.number_hint') }), h('div.actions', byNumberBtn));

	const file = h('input', { type: 'file', accept: 'application/json,.json' });
	const text = h('textarea', { rows: 6, spellcheck: 'false' });
	const byTextBtn = h('button', { type: 'submit' }, t('verify.check'));
	file.addEventListener('change', async () => {
		if (file.files[0]) text.value = await file.files[0].text();
	});
	const byText = h('form', {
		onsubmit: (e) => {
			e.preventDefault();
			busy(byTextBtn, async () => {
				let n;
				try {
					n = JSON.parse(text.value);
				} catch {
					replace(out, alertBox('error', t('verify.reason.shape')));
					return;
				}
				await show(n);
			});
		},
	}, field({ label: t('verify.file'), control: file }),
	field({ label: t('verify.paste'), control: text, wide: true }), h('div.actions', byTextBtn));

	main.append(section(t('verify.by_number'), byNumber), section(t('verify.by_file'), byText),
		h('div', { 'aria-live': 'polite' }, out));
}
