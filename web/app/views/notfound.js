/* notfound.js - a path the interface does not know. */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageTitle } from '../ui.js';

export function render(main) {
	main.append(pageTitle(t('notfound.title')), h('p', t('notfound.text')),
		h('p', h('a', { href: '/' }, t('notfound.home'))));
}
