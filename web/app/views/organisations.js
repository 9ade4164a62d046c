/*
 * organisations.js - the organisations registered with the single window
 * (企业/单位): traders, brokers, agencies, ports, offices; administrators
 * register new ones (the USCC is checked by the server, check character
 * included). A port organisation names the port it runs: its users see
 * releases there only.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { picker } from '../combobox.js';
import { fmtTime, label, t } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { codeWithName, refLoad } from '../ref.js';
import {
	errorBox, field, input, loading, openDialog, pageTitle, select, submitting, table, toast,
} from '../ui.js';

const KINDS = ['trader', 'broker', 'agency', 'port', 'office', 'carrier', 'ecommerce_platform',
	'ecommerce_enterprise', 'payment_company', 'logistics_company', 'bank'];

function createDialog(done) {
	return openDialog(t('orgs.add'), (close) => {
		const uscc = input({ maxlength: 18, class: 'upper' });
		const name = input({ maxlength: 200 });
		const kind = select(KINDS.map((k) => [k, label('kind', k)]), 'trader');
		const port = picker({ list: 'ports' });
		const portField = field({ label: t('orgs.port'), control: port, pointer: '/port', required: true, hint: t('orgs.port_hint') });
		portField.hidden = true;
		kind.addEventListener('change', () => {
			portField.hidden = kind.value !== 'port';
		});
		const ok = h('button.primary', { type: 'submit' }, t('orgs.add'));
		const form = h('form', { novalidate: true }, h('div.form-grid',
			field({ label: t('orgs.uscc'), control: uscc, pointer: '/uscc', required: true, hint: t('orgs.uscc_hint') }),
			field({ label: t('orgs.name'), control: name, pointer: '/name', required: true, wide: true }),
			field({ label: t('orgs.kind'), control: kind, pointer: '/kind', required: true }),
			portField),
		h('div.actions', ok));
		submitting(form, ok, async () => {
			const body = { uscc: uscc.value.trim().toUpperCase(), name: name.value.trim(), kind: kind.value };
			if (kind.value === 'port') body.port = port.value.trim().toUpperCase();
			await api('POST', '/v1/organisations', { body });
			toast(t('orgs.added', { name: body.name }));
			close(true);
			done();
		}, (p) => t(`orgs.${p.slice(1)}`));
		return form;
	});
}

export async function render(main) {
	const host = h('div');
	const filter = input({ type: 'search' });
	main.append(pageTitle(t('orgs.title'), h('button.primary', { type: 'button', onclick: () => createDialog(load) }, t('orgs.add'))),
		h('form.filters', { role: 'search', onsubmit: (e) => e.preventDefault() }, field({ label: t('list.search'), control: filter })),
		host);
	let rows = [];
	function draw() {
		const q = filter.value.trim().toLowerCase();
		replace(host, table({
			caption: t('orgs.title'),
			rows: rows.filter((o) => !q || o.uscc.toLowerCase().includes(q) || o.name.toLowerCase().includes(q)),
			columns: [
				{ label: t('orgs.uscc'), header: true, value: (o) => h('span.code', o.uscc) },
				{ label: t('orgs.name'), value: (o) => o.name },
				{ label: t('orgs.kind'), value: (o) => label('kind', o.kind) },
				{ label: t('orgs.port'), value: (o) => codeWithName('ports', o.port) },
				{ label: t('orgs.created'), className: 'time', value: (o) => fmtTime(o.created_at) },
			],
		}));
	}
	/* a read again after a registration overtakes the one before */
	const started = latestOnly();
	async function load() {
		const isLatest = started();
		replace(host, loading());
		try {
			const [orgs] = await Promise.all([api('GET', '/v1/organisations').then((r) => r.organisations),
				refLoad('ports').catch(() => null)]);
			if (!isLatest()) return;
			rows = orgs;
			draw();
		} catch (err) {
			if (isLatest()) replace(host, errorBox(err));
		}
	}
	filter.addEventListener('input', draw);
	await load();
}
