/*
 * manifest.js - one manifest (舱单) as the carrier lodged it (GET
 * /v1/manifests/{id}: header, every bill with its parties, packages,
 * weight and containers), and the carrier's form to lodge one (POST
 * /v1/manifests with an Idempotency-Key kept for the form, so that a
 * second press after a lost answer lodges it once). Errors are shown at
 * the field the API names, down to one bill's one field
 * (/bills/2/packages).
 *
 * The rules of a manifest are the server's (docs/transport.md); this form
 * only gathers the fields. A bill's containers are typed one a line, with
 * their seals after the number ("CSQU3054383 SL-1 SL-2").
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtDecimal, fmtTime, label, t } from '../i18n.js';
import { navigate } from '../router.js';
import { errorBox, facts, field, input, loading, pageTitle, section, select, submitting, table, toast } from '../ui.js';
import { callLink } from './transport.js';

/* a bill's fields in the form's words, for the error summary */
const BILL_FIELDS = {
	bill_of_lading: 'decl.bill_of_lading', consignor: 'manifest.consignor', consignee: 'manifest.consignee',
	goods_description: 'manifest.goods', packages: 'decl.packages', package_kind: 'manifest.package_kind',
	gross_weight_kg: 'decl.gross_weight_kg', containers: 'decl.containers',
};

const party = (p) => (p ? [p.name, p.uscc ? ` (${p.uscc})` : '', p.country ? ` · ${p.country}` : ''].join('') : '');

function billsTable(bills) {
	return table({
		caption: t('transport.bills'),
		rows: bills.map((b, i) => ({ ...b, i })),
		columns: [
			{ label: '#', value: (r) => String(r.i + 1) },
			{ label: t('decl.bill_of_lading'), header: true, value: (r) => h('span.code', r.bill_of_lading) },
			{ label: t('manifest.consignor'), value: (r) => party(r.consignor) },
			{ label: t('manifest.consignee'), value: (r) => party(r.consignee) },
			{ label: t('manifest.goods'), value: (r) => r.goods_description },
			{ label: t('decl.packages'), className: 'num', value: (r) => `${fmtDecimal(String(r.packages))} ${r.package_kind}` },
			{ label: t('decl.gross_weight_kg'), className: 'num', value: (r) => fmtDecimal(r.gross_weight_kg) },
			{ label: t('decl.containers'), value: (r) => (r.containers || []).map((c) => `${c.number}${c.seals?.length ? ` (${c.seals.join(', ')})` : ''}`).join('; ') },
		],
	});
}

/** '/manifests/:id' */
export async function render(main, params) {
	if (params.id === undefined) return renderNew(main);
	main.append(pageTitle(t('transport.manifest_n', { id: params.id })));
	const content = h('div');
	main.append(content);
	replace(content, loading());
	try {
		const m = await api('GET', `/v1/manifests/${encodeURIComponent(params.id)}`);
		const body = m.manifest;
		replace(content,
			section(t('manifest.header'), facts([
				[t('transport.kind'), label('mkind', m.kind)],
				[t('match.call'), callLink(m.call)],
				[t('manifest.carrier'), body.carrier],
				[t('decl.conveyance_name'), body.conveyance?.name],
				[t('decl.conveyance_voyage'), body.conveyance?.voyage],
				body.conveyance?.imo ? [t('decl.conveyance_imo'), body.conveyance.imo] : null,
				[t('detail.port'), m.port],
				[t('decl.version'), String(m.version)],
				[t('transport.late'), m.late ? t('common.yes') : t('common.no')],
				[t('decl.lodged_at'), fmtTime(m.lodged_at)],
				[t('decl.updated_at'), fmtTime(m.updated_at)],
			])),
			section(t('transport.bills'), billsTable(body.bills || [])));
	} catch (err) {
		replace(content, errorBox(err));
	}
}

/* one bill's fields, each with its pointer under /bills/N */
function billFieldset(n, remove) {
	const at = (f) => `/bills/${n}/${f}`;
	const c = {
		bill: input({ autocomplete: 'off', maxlength: 64 }),
		consignor: input({ autocomplete: 'off', maxlength: 200 }),
		consignee: input({ autocomplete: 'off', maxlength: 200 }),
		goods: input({ autocomplete: 'off', maxlength: 512 }),
		packages: input({ inputmode: 'numeric' }),
		kind: input({ autocomplete: 'off', maxlength: 2, value: 'CT' }),
		weight: input({ inputmode: 'decimal' }),
		containers: h('textarea', { rows: 2 }),
	};
	const fs = h('fieldset.bill', h('legend', t('manifest.bill_n', { n: n + 1 })), h('div.form-grid',
		field({ label: t('decl.bill_of_lading'), control: c.bill, pointer: at('bill_of_lading'), required: true }),
		field({ label: t('manifest.consignor'), control: c.consignor, pointer: at('consignor'), required: true }),
		field({ label: t('manifest.consignee'), control: c.consignee, pointer: at('consignee'), required: true }),
		field({ label: t('manifest.goods'), control: c.goods, pointer: at('goods_description'), required: true }),
		field({ label: t('decl.packages'), control: c.packages, pointer: at('packages'), required: true }),
		field({ label: t('manifest.package_kind'), control: c.kind, pointer: at('package_kind'), required: true, hint: t('manifest.package_kind_hint') }),
		field({ label: t('decl.gross_weight_kg'), control: c.weight, pointer: at('gross_weight_kg'), required: true }),
		field({ label: t('decl.containers'), control: c.containers, pointer: at('containers'), wide: true, hint: t('manifest.containers_hint') })),
	remove ? h('div.actions', h('button', { type: 'button', onclick: remove }, t('manifest.remove_bill'))) : null);
	fs.read = () => {
		const b = {
			bill_of_lading: c.bill.value.trim(),
			consignor: { name: c.consignor.value.trim() },
			consignee: { name: c.consignee.value.trim() },
			goods_description: c.goods.value.trim(),
			packages: /^\d+$/.test(c.packages.value.trim()) ? Number(c.packages.value.trim()) : c.packages.value.trim(),
			package_kind: c.kind.value.trim().toUpperCase(),
			gross_weight_kg: c.weight.value.trim(),
		};
		const lines = c.containers.value.split('\n').map((l) => l.trim()).filter(Boolean);
		if (lines.length) {
			b.containers = lines.map((l) => {
				const [number, ...seals] = l.split(/[\s,]+/);
				return seals.length ? { number: number.toUpperCase(), seals: seals.map((x) => x.toUpperCase()) } : { number: number.toUpperCase() };
			});
		}
		return b;
	};
	return fs;
}

/** '/manifests/new': the carrier lodges a manifest. */
async function renderNew(main) {
	main.append(pageTitle(t('manifest.new')), h('p.lead', t('manifest.lead')));
	const key = `kouan-manifest-${crypto.randomUUID()}`;
	const kind = select(['original', 'pre_loading', 'loading', 'departure'].map((k) => [k, label('mkind', k)]), 'original');
	const mode = select([['2', t('manifest.mode_2')], ['5', t('manifest.mode_5')], ['4', t('manifest.mode_4')]], '2');
	const name = input({ autocomplete: 'off', maxlength: 100 });
	const voyage = input({ autocomplete: 'off', maxlength: 32 });
	const imo = input({ autocomplete: 'off', inputmode: 'numeric', maxlength: 7 });
	const port = input({ autocomplete: 'off', maxlength: 5 });
	const carrier = input({ autocomplete: 'organization', maxlength: 100 });
	const bills = h('div.bills');
	const submit = h('button.primary', { type: 'submit' }, t('manifest.lodge'));
	const addBill = h('button', { type: 'button' }, t('manifest.add_bill'));

	/* bills are numbered by position, as the API's pointers are */
	function renumber() {
		[...bills.children].forEach((fs, i) => {
			fs.querySelector('legend').textContent = t('manifest.bill_n', { n: i + 1 });
			for (const f of fs.querySelectorAll('.field[data-pointer]'))
				f.dataset.pointer = f.dataset.pointer.replace(/^\/bills\/\d+\//, `/bills/${i}/`);
		});
	}
	function add() {
		const fs = billFieldset(bills.children.length, bills.children.length ? () => {
			fs.remove();
			renumber();
		} : null);
		bills.append(fs);
		return fs;
	}
	add();
	addBill.addEventListener('click', () => add().querySelector('input').focus());

	const form = h('form.manifest', { novalidate: true },
		h('fieldset', h('legend', t('manifest.header')), h('div.form-grid',
			field({ label: t('transport.kind'), control: kind, pointer: '/kind', required: true }),
			field({ label: t('decl.transport_mode'), control: mode, pointer: '/transport_mode', required: true }),
			field({ label: t('decl.conveyance_name'), control: name, pointer: '/conveyance/name', required: true }),
			field({ label: t('decl.conveyance_voyage'), control: voyage, pointer: '/conveyance/voyage', required: true }),
			field({ label: t('decl.conveyance_imo'), control: imo, pointer: '/conveyance/imo', hint: t('form.hint.imo') }),
			field({ label: t('detail.port'), control: port, pointer: '/port', required: true, hint: t('manifest.port_hint') }),
			field({ label: t('manifest.carrier'), control: carrier, pointer: '/carrier', required: true }))),
		bills, h('div.actions', addBill), h('div.actions', submit));
	submitting(form, submit, async () => {
		const conveyance = { name: name.value.trim(), voyage: voyage.value.trim() };
		if (imo.value.trim()) conveyance.imo = imo.value.trim();
		const body = {
			kind: kind.value, transport_mode: mode.value, conveyance, port: port.value.trim().toUpperCase(),
			carrier: carrier.value.trim(), bills: [...bills.children].map((fs) => fs.read()),
		};
		const r = await api('POST', '/v1/manifests', { body, headers: { 'Idempotency-Key': key } });
		toast(t('manifest.lodged', { id: r.id, n: body.bills.length }));
		navigate(`/manifests/${r.id}`);
	}, (p) => {
		const m = /^\/bills\/(\d+)\/([a-z_]+)/.exec(p);
		const head = { '/kind': 'transport.kind', '/transport_mode': 'decl.transport_mode', '/conveyance/name': 'decl.conveyance_name',
			'/conveyance/voyage': 'decl.conveyance_voyage', '/conveyance/imo': 'decl.conveyance_imo', '/port': 'detail.port', '/carrier': 'manifest.carrier' }[p];
		if (!m) return head ? t(head) : p.slice(1);
		return `${t('manifest.bill_n', { n: Number(m[1]) + 1 })} ${BILL_FIELDS[m[2]] ? t(BILL_FIELDS[m[2]]) : m[2]}`;
	});
	main.append(form);
}
