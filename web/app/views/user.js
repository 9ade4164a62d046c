/*
 * user.js - one user's account, for administrators
 * (GET /v1/users/{username}): role, organisation, supervisor, whether it
 * is disabled or locked, failed logins, when its password last changed and
 * its live tokens; and what an administrator does to an account: disable
 * it with a reason (its tokens are revoked at once) or enable it, unlock
 * its name after failed logins, reset its password (every token revoked)
 * and revoke its tokens. Each act is in the audit log with the values
 * before and after. An administrator cannot disable itself.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtTime, label, t } from '../i18n.js';
import { me } from '../session.js';
import {
	busy, confirmDialog, errorBox, errorText, facts, field, input, loading, openDialog, pageTitle,
	section, submitting, toast,
} from '../ui.js';
import { agencyRole } from './users.js';

/* A dialog with one form; resolves true once `send` succeeded. */
function formDialog(title, fields, okText, okClass, send, describe) {
	return openDialog(title, (close) => {
		const ok = h(`button.${okClass}`, { type: 'submit' }, okText);
		const form = h('form', { novalidate: true }, fields,
			h('div.actions', ok, h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
		submitting(form, ok, async (errors) => {
			if (await send(errors) !== false) close(true);
		}, describe);
		return form;
	});
}

export async function render(main, params) {
	const username = params.username;
	const self = me().username === username;
	const path = `/v1/users/${encodeURIComponent(username)}`;
	const content = h('div', loading());
	main.append(pageTitle(t('user.title', { username })),
		h('p', h('a', { href: '/admin/users' }, t('user.back'))), content);
	let user = null;
	let org = null;

	function draw() {
		const locked = Boolean(user.locked_until);
		document.querySelector('#page-title').replaceChildren(t('user.title', { username }), ' ',
			h('span.badge', { class: user.disabled ? 'user-disabled' : 'user-active' },
				user.disabled ? t('users.disabled') : t('users.active')),
			locked ? [' ', h('span.badge.user-locked', t('user.locked'))] : null);
		const acts = h('div.actions.toolbar');
		if (user.disabled)
			acts.append(act(t('user.enable'), 'primary', enable));
		else if (!self)
			acts.append(act(t('user.disable'), 'danger', disable));
		acts.append(act(t('user.unlock'), '', unlock, !(user.failed_logins > 0 || locked)),
			act(t('user.reset'), '', reset),
			act(t('user.revoke'), 'danger', revoke, user.live_tokens === 0));
		replace(content,
			section(t('user.account'), facts([
				[t('users.display_name'), user.display_name],
				[t('users.role'), label('role', user.role)],
				agencyRole(user.role) ? [t('users.supervisor'), user.supervisor ? t('common.yes') : t('common.no')] : null,
				[t('users.organisation'), org ? `${org.name} (${org.uscc}) · ${label('kind', org.kind)}` : user.organisation],
				[t('users.state'), user.disabled ? t('users.disabled') : t('users.active')],
				[t('user.failed_logins'), String(user.failed_logins)],
				[t('user.locked_until'), locked ? fmtTime(user.locked_until) : t('user.not_locked')],
				[t('user.password_changed'), user.password_changed_at ? fmtTime(user.password_changed_at) : t('user.never')],
				[t('user.live_tokens'), String(user.live_tokens)],
			])),
			section(t('user.acts'), h('p.hint', t(self ? 'user.acts_self' : 'user.acts_lead')), acts));
	}

	function act(text, kind, run, disabled = false) {
		return h(`button${kind ? `.${kind}` : ''}`, {
			type: 'button', disabled,
			onclick: async (e) => {
				const btn = e.currentTarget;
				await busy(btn, async () => {
					try {
						await run();
					} catch (err) {
						toast(errorText(err), 'error');
					}
				});
			},
		}, text);
	}

	/* after an act: the account as it now is, and the focus back on top */
	async function shown(view, message) {
		user = view || await api('GET', path);
		draw();
		toast(message);
		document.getElementById('page-title').focus();
	}

	async function disable() {
		const reason = h('textarea', { rows: 3, maxlength: 500 });
		let view = null;
		const done = await formDialog(t('user.disable_title', { username }), [
			h('p', t('user.disable_lead')),
			field({ label: t('user.reason'), control: reason, pointer: '/reason', required: true, wide: true }),
		], t('user.disable'), 'danger', async () => {
			const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
			view = await api('POST', `${path}/disable`, { body });
		}, () => t('user.reason'));
		if (done) await shown(view, t('user.disabled_done', { username }));
	}

	async function enable() {
		if (!(await confirmDialog(t('user.enable'), t('user.enable_confirm', { username }), t('user.enable')))) return;
		await shown(await api('POST', `${path}/enable`), t('user.enabled_done', { username }));
	}

	async function unlock() {
		await shown(await api('POST', `${path}/unlock`), t('user.unlocked_done', { username }));
	}

	async function reset() {
		const pass = input({ type: 'password', autocomplete: 'new-password', maxlength: 1024 });
		const again = input({ type: 'password', autocomplete: 'new-password', maxlength: 1024 });
		const done = await formDialog(t('user.reset_title', { username }), [
			h('p', t('user.reset_lead')),
			field({ label: t('account.password'), control: pass, pointer: '/password', required: true, hint: t('account.password_hint') }),
			field({ label: t('account.password_again'), control: again, pointer: '/password_again', required: true }),
		], t('user.reset'), 'primary', async (errors) => {
			if (pass.value !== again.value) {
				errors.show([{ field: '/password_again', problem: t('account.mismatch') }],
					t('form.errors_title', { n: 1 }), (p) => t(`account.${p.slice(1)}`));
				return false;
			}
			try {
				await api('PUT', `${path}/password`, { body: { password: pass.value } });
			} finally {
				pass.value = '';
				again.value = '';
			}
			return true;
		}, (p) => t(`account.${p.slice(1)}`));
		if (done) await shown(null, t('user.reset_done', { username }));
	}

	async function revoke() {
		if (!(await confirmDialog(t('user.revoke'), t('user.revoke_confirm', { username, n: user.live_tokens }), t('user.revoke')))) return;
		const r = await api('DELETE', `${path}/tokens`);
		await shown(null, t('user.revoked_done', { n: r.revoked }));
	}

	try {
		const [u, o] = await Promise.all([api('GET', path), api('GET', '/v1/organisations')]);
		user = u;
		org = o.organisations.find((x) => x.uscc === u.organisation) || null;
		draw();
	} catch (err) {
		replace(content, errorBox(err));
	}
}
