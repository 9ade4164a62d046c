/*
 * drafts.js - the declarations being written in this browser, not yet
 * lodged (draftstore.js): open one to go on, or throw it away.
 */
import { h, replace } from '../dom.js';
import { draftDelete, draftsList } from '../draftstore.js';
import { fmtTime, label, t } from '../i18n.js';
import { me } from '../session.js';
import { confirmDialog, pageTitle, table, toast } from '../ui.js';

function summary(d) {
	const b = d.body || {};
	const first = (b.items || [])[0]?.description;
	return [b.bill_of_lading, first].filter(Boolean).join(' · ') || t('drafts.untitled');
}

export function render(main) {
	const user = me();
	const host = h('div');
	main.append(pageTitle(t('drafts.title'), h('a.button.primary', { href: '/declarations/new' }, t('menu.new'))),
		h('p.lead', t('drafts.lead')), host);

	function draw() {
		const drafts = draftsList(user.username);
		replace(host, table({
			caption: t('drafts.title'),
			rows: drafts,
			empty: t('drafts.none'),
			columns: [
				{ label: t('drafts.what'), header: true, value: (d) => h('a', {
					href: d.correcting ? `/declarations/${d.correcting}/correct` : `/drafts/${d.id}`,
				}, summary(d)) },
				{ label: t('decl.direction'), value: (d) => label('direction', d.body?.direction) },
				{ label: t('drafts.kind'), value: (d) => (d.correcting ? t('drafts.correction', { number: d.correcting }) : t('drafts.new')) },
				{ label: t('drafts.updated'), className: 'time', value: (d) => fmtTime(d.updated_at) },
				{ label: t('drafts.actions'), value: (d) => h('button.small.danger', {
					type: 'button',
					'aria-label': `${t('form.discard')} ${summary(d)}`,
					onclick: async () => {
						if (!(await confirmDialog(t('form.discard'), t('form.discard_confirm'), t('form.discard')))) return;
						draftDelete(user.username, d.id);
						toast(t('form.discarded'));
						draw();
						document.getElementById('page-title').focus();
					},
				}, t('form.discard')) },
			],
		}));
	}
	draw();
}
