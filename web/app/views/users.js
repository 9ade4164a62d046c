/*
 * users.js - the people who log in, with their role and organisation;
 * administrators create users (the password is sent once, stored by the
 * server as an Argon2id hash, and never shown again).
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { label, t } from '../i18n.js';
import {
	errorBox, field, input, loading, openDialog, pageTitle, select, submitting, table, toast,
} from '../ui.js';

const ROLES = ['declarant', 'customs', 'quarantine', 'border', 'maritime', 'port_operator', 'analyst', 'admin'];

function createDialog(orgs, done) {
	return openDialog(t('users.add'), (close) => {
		const username = input({ maxlength: 64, autocapitalize: 'none' });
		const display = input({ maxlength: 128 });
		const password = input({ type: 'password', autocomplete: 'new-password', maxlength: 128 });
		const role = select(ROLES.map((r) => [r, label('role', r)]), 'declarant');
		const org = select(orgs.map((o) => [o.uscc, `${o.name} (${o.uscc})`]), orgs[0]?.uscc);
		const ok = h('button.primary', { type: 'submit' }, t('users.add'));
		const form = h('form', { novalidate: true }, h('div.form-grid',
			field({ label: t('users.username'), control: username, pointer: '/username', required: true, hint: t('users.username_hint') }),
			field({ label: t('users.display_name'), control: display, pointer: '/display_name' }),
			field({ label: t('users.password'), control: password, pointer: '/password', required: true, hint: t('users.password_hint') }),
			field({ label: t('users.role'), control: role, pointer: '/role', required: true }),
			field({ label: t('users.organisation'), control: org, pointer: '/organisation', required: true, wide: true })),
		h('div.actions', ok));
		submitting(form, ok, async () => {
			const body = { username: username.value.trim(), password: password.value, role: role.value, organisation: org.value };
			if (display.value.trim()) body.display_name = display.value.trim();
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
	let orgs = [];
	let rows = [];
	const addBtn = h('button.primary', { type: 'button', onclick: () => createDialog(orgs, load) }, t('users.add'));
	main.append(pageTitle(t('users.title'), addBtn),
		h('form.filters', { role: 'search', onsubmit: (e) => e.preventDefault() }, field({ label: t('list.search'), control: filter })),
		host);
	function draw() {
		const q = filter.value.trim().toLowerCase();
		const orgName = new Map(orgs.map((o) => [o.uscc, o.name]));
		replace(host, table({
			caption: t('users.title'),
			rows: rows.filter((u) => !q || u.username.includes(q) || (u.display_name || '').toLowerCase().includes(q)),
			columns: [
				{ label: t('users.username'), header: true, value: (u) => u.username },
				{ label: t('users.display_name'), value: (u) => u.display_name },
				{ label: t('users.role'), value: (u) => label('role', u.role) },
				{ label: t('users.organisation'), value: (u) => orgName.get(u.organisation) || u.organisation },
				{ label: t('users.state'), value: (u) => (u.disabled ? t('users.disabled') : t('users.active')) },
			],
		}));
	}
	async function load() {
		replace(host, loading());
		try {
			const [u, o] = await Promise.all([api('GET', '/v1/users'), api('GET', '/v1/organisations')]);
			rows = u.users;
			orgs = o.organisations;
			draw();
		} catch (err) {
			replace(host, errorBox(err));
		}
	}
	filter.addEventListener('input', draw);
	await load();
}
