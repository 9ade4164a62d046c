/*
 * login.js - logging in (POST /v1/sessions). The password field is never
 * kept; the token goes to session.js only.
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { login, session } from '../session.js';
import { alertBox, busy, errorText, field, input, pageTitle } from '../ui.js';

export function render(main, params, query) {
	if (session()) {
		navigate('/', { replace: true });
		return;
	}
	const user = input({ name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
	const pass = input({ name: 'password', type: 'password', autocomplete: 'current-password', required: true });
	const msg = h('div.login-message');
	const submit = h('button.primary', { type: 'submit' }, t('login.submit'));
	const form = h('form.login', {
		novalidate: true,
		onsubmit: async (e) => {
			e.preventDefault();
			msg.replaceChildren();
			if (!user.value.trim() || !pass.value) {
				msg.append(alertBox('error', t('login.missing')));
				(user.value.trim() ? pass : user).focus();
				return;
			}
			try {
				await busy(submit, () => login(user.value.trim(), pass.value));
				pass.value = '';
				const next = query.get('next');
				navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
			} catch (err) {
				pass.value = '';
				msg.append(alertBox('error', err.status === 401 ? t('login.wrong') : errorText(err)));
				pass.focus();
			}
		},
	},
	field({ label: t('login.username'), control: user, required: true }),
	field({ label: t('login.password'), control: pass, required: true }),
	msg,
	h('div.actions', submit));
	main.append(h('div.login-page', pageTitle(t('login.title')), h('p.lead', t('login.lead')), form));
}
