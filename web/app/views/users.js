/*
 * users.js - the people who log in, with their role, organisation and
 * state; each opens to its account (user.js). Administrators create users
 * here: the password is sent once, stored by the server as an Argon2id
 * hash, and never shown again. A role must fit its organisation's kind
 * (the form says which roles fit, and the server refuses the others at
 * the role field); only an agency's officer may be a supervisor, who may
 * waive its agency's inspections.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { label, t } from '../i18n.js';
import { latestOnly } from '../latest.js';
import {
	errorBox, field, input, loading, openDialog, pageTitle, select, submitting, table, toast,
} from '../ui.js';

export const ROLES = ['declarant', 'customs', 'quarantine', 'border', 'maritime', 'port_operator',
	'analyst', 'admin', 'auditor', 'tax_office', 'carrier', 'cbec_platform', 'cbec_enterprise',
	'cbec_payment', 'cbec_logistics', 'bank'];
const AGENCY_ROLES = ['customs', 'quarantine', 'border', 'maritime'];

/* The organisation kinds a role is for (src/domain/roles.c, role_fits_org_kind). */
const ROLE_KINDS = {
	declarant: ['trader', 'broker'],
	customs: ['agency'], quarantine: ['agency'], border: ['agency'], maritime: ['agency'],
	port_operator: ['port'],
	analyst: ['office'], admin: ['office'], auditor: ['office'],
	tax_office: ['agency'], carrier: ['carrier'],
	cbec_platform: ['ecommerce_platform'], cbec_enterprise: ['ecommerce_enterprise'],
	cbec_payment: ['payment_company'], cbec_logistics: ['logistics_company'],
	bank: ['bank'],
};

/** The roles a user of an organisation of this kind may have. */
export function rolesFor(kind) {
	return ROLES.filter((r) => ROLE_KINDS[r].includes(kind));
}

/** Is the role an agency officer's (who alone may be a supervisor)? */
export function agencyRole(role) {
	return AGENCY_ROLES.includes(role);
}

function createDialog(orgs, done) {
	return openDialog(t('users.add'), (close) => {
		const username = input({ maxlength: 64, autocapitalize: 'none' });
		const display = input({ maxlength: 128 });
		const password = input({ type: 'password', autocomplete: 'new-password', maxlength: 128 });
		const org = select(orgs.map((o) => [o.uscc, `${o.name} (${o.uscc}) · ${label('kind', o.kind)}`]), orgs[0]?.uscc);
		const role = select(ROLES.map((r) => [r, label('role', r)]), 'declarant');
		const supervisor = h('input', { type: 'checkbox' });
		const supField = h('div.field.check', { dataset: { pointer: '/supervisor' } },
			h('label', supervisor, ' ', t('users.supervisor')), h('p.hint', t('users.supervisor_hint')),
			h('p.field-error', { hidden: true }));
		supField.errorEl = supField.lastChild;
		supField.input = supervisor;
		const roleField = field({ label: t('users.role'), control: role, pointer: '/role', required: true, hint: ' ' });
		const roleHint = roleField.querySelector('.hint');
		const kindOf = () => orgs.find((o) => o.uscc === org.value)?.kind;
		/* the roles that fit the organisation, said beside the role; a
		 * new organisation takes the first role that fits it */
		function fit(orgChanged) {
			const roles = rolesFor(kindOf());
			if (orgChanged && roles.length && !roles.includes(role.value)) role.value = roles[0];
			roleHint.textContent = t('users.role_hint', {
				kind: label('kind', kindOf()), roles: roles.map((r) => label('role', r)).join('、'),
			});
			supField.hidden = !agencyRole(role.value);
			if (supField.hidden) supervisor.checked = false;
		}
		org.addEventListener('change', () => fit(true));
		role.addEventListener('change', () => fit(false));
		const ok = h('button.primary', { type: 'submit' }, t('users.add'));
		const form = h('form', { novalidate: true }, h('div.form-grid',
			field({ label: t('users.username'), control: username, pointer: '/username', required: true, hint: t('users.username_hint') }),
			field({ label: t('users.display_name'), control: display, pointer: '/display_name' }),
			field({ label: t('users.password'), control: password, pointer: '/password', required: true, hint: t('users.password_hint') }),
			field({ label: t('users.organisation'), control: org, pointer: '/organisation', required: true, wide: true }),
			roleField, supField),
		h('div.actions', ok));
		fit(true);
		submitting(form, ok, async () => {
			const body = { username: username.value.trim(), password: password.value, role: role.value, organisation: org.value };
			if (display.value.trim()) body.display_name = display.value.trim();
			if (supervisor.checked) body.supervisor = true;
			await api('POST', '/v1/users', { body });
			password.value = '';
			toast(t('users.added', { name: body.username }));
			close(true);
			done();
		}, (p) => t(`users.${p.slice(1)}`));
		return form;
	});
}

export async function render(main) {
	const host = h('div');
	const filter = input({ type: 'search' });
	const roleSel = select([['', t('users.any_role')], ...ROLES.map((r) => [r, label('role', r)])], '');
	let orgs = [];
	let rows = [];
	const addBtn = h('button.primary', { type: 'button', onclick: () => createDialog(orgs, load) }, t('users.add'));
	main.append(pageTitle(t('users.title'), addBtn),
		h('form.filters', { role: 'search', onsubmit: (e) => e.preventDefault() },
			field({ label: t('list.search'), control: filter }),
			field({ label: t('users.role'), control: roleSel })),
		host);
	function draw() {
		const q = filter.value.trim().toLowerCase();
		const orgName = new Map(orgs.map((o) => [o.uscc, o.name]));
		replace(host, table({
			caption: t('users.title'),
			rows: rows.filter((u) => (!roleSel.value || u.role === roleSel.value) &&
				(!q || u.username.includes(q) || (u.display_name || '').toLowerCase().includes(q))),
			columns: [
				{ label: t('users.username'), header: true, value: (u) => h('a', { href: `/admin/users/${encodeURIComponent(u.username)}` }, u.username) },
				{ label: t('users.display_name'), value: (u) => u.display_name },
				{ label: t('users.role'), value: (u) => [label('role', u.role),
					u.supervisor ? [' ', h('span.badge.supervisor', t('users.supervisor'))] : null] },
				{ label: t('users.organisation'), value: (u) => orgName.get(u.organisation) || u.organisation },
				{ label: t('users.state'), value: (u) => h('span.badge', { class: u.disabled ? 'user-disabled' : 'user-active' },
					u.disabled ? t('users.disabled') : t('users.active')) },
			],
		}));
	}
	/* a read again after a user is added overtakes the one before */
	const started = latestOnly();
	async function load() {
		const isLatest = started();
		replace(host, loading());
		try {
			const [u, o] = await Promise.all([api('GET', '/v1/users'), api('GET', '/v1/organisations')]);
			if (!isLatest()) return;
			rows = u.users;
			orgs = o.organisations;
			draw();
		} catch (err) {
			if (isLatest()) replace(host, errorBox(err));
		}
	}
	filter.addEventListener('input', draw);
	roleSel.addEventListener('change', draw);
	await load();
}
