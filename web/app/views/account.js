/*
 * account.js - the user's own account, for every role: who kouan thinks
 * the user is, changing the password (PUT /v1/me/password: the current
 * one is checked and throttled like a login; every other session of the
 * user ends) and logging out everywhere (DELETE /v1/me/tokens: every
 * token of the user, this one included). Passwords are never kept in the
 * page after they are sent.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { feedReset } from '../feed.js';
import { fmtTime, label, t } from '../i18n.js';
import { navigate } from '../router.js';
import { forget, me, session } from '../session.js';
import {
	alertBox, busy, confirmDialog, errorText, facts, field, input, pageTitle, section, submitting, toast,
} from '../ui.js';

function passwordInput(autocomplete) {
	return input({ type: 'password', autocomplete, maxlength: 1024 });
}

function passwordForm() {
	const current = passwordInput('current-password');
	const fresh = passwordInput('new-password');
	const again = passwordInput('new-password');
	const ok = h('button.primary', { type: 'submit' }, t('account.change'));
	const done = h('div.form-done');
	const form = h('form.password', { novalidate: true }, h('div.form-grid',
		field({ label: t('account.current_password'), control: current, pointer: '/current_password', required: true }),
		field({ label: t('account.password'), control: fresh, pointer: '/password', required: true, hint: t('account.password_hint') }),
		field({ label: t('account.password_again'), control: again, pointer: '/password_again', required: true })),
	h('div.actions', ok), done);
	submitting(form, ok, async (errors) => {
		done.replaceChildren();
		/* the one check made here: the server never sees the repetition */
		if (fresh.value !== again.value) {
			errors.show([{ field: '/password_again', problem: t('account.mismatch') }],
				t('form.errors_title', { n: 1 }), (p) => t(`account.${p.slice(1)}`));
			return;
		}
		try {
			await api('PUT', '/v1/me/password', { body: { current_password: current.value, password: fresh.value } });
		} finally {
			current.value = '';
		}
		fresh.value = '';
		again.value = '';
		done.append(alertBox('ok', t('account.changed')));
		toast(t('account.changed'));
	}, (p) => t(`account.${p.slice(1)}`));
	return form;
}

export function render(main) {
	const user = me();
	const everywhere = h('button.danger', {
		type: 'button',
		onclick: async (e) => {
			const btn = e.currentTarget;
			if (!(await confirmDialog(t('account.everywhere'), t('account.everywhere_confirm'), t('account.everywhere')))) return;
			await busy(btn, async () => {
				try {
					await api('DELETE', '/v1/me/tokens');
				} catch (err) {
					if (err.status !== 401) {
						toast(errorText(err), 'error');
						return;
					}
				}
				forget();
				feedReset();
				toast(t('account.everywhere_done'));
				navigate('/login', { replace: true });
			});
		},
	}, t('account.everywhere'));

	main.append(pageTitle(t('account.title')),
		section(t('account.who'), facts([
			[t('users.username'), user.username],
			[t('users.display_name'), user.display_name],
			[t('users.role'), label('role', user.role)],
			[t('users.organisation'), `${user.organisation_name || ''} (${user.organisation})`],
			user.agency ? [t('users.supervisor'), user.supervisor ? t('common.yes') : t('common.no')] : null,
			[t('account.session_ends'), fmtTime(session()?.expires_at)],
		])),
		section(t('account.password_title'), h('p.hint', t('account.password_lead')), passwordForm()),
		section(t('account.sessions'), h('p.hint', t('account.sessions_lead')), h('div.actions', everywhere)));
}
