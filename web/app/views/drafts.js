/*
 * drafts.js - the declarations being written in this browser, not yet
 * lodged (draftstore.js): open one to go on, or throw it away; or lodge
 * every new one at once (batch.js), each under the key its draft was made
 * with, each accepted or refused on its own. A lodged draft is thrown away;
 * a refused one stays, with what was wrong and a link to open it.
 */
import { lodgeAll, outcome } from '../batch.js';
import { h, replace } from '../dom.js';
import { draftDelete, draftsList } from '../draftstore.js';
import { fmtTime, label, t } from '../i18n.js';
import { me } from '../session.js';
import { busy, confirmDialog, errorBox, pageTitle, section, table, toast } from '../ui.js';

function summary(d) {
	const b = d.body || {};
	const first = (b.items || [])[0]?.description;
	return [b.bill_of_lading, first].filter(Boolean).join(' · ') || t('drafts.untitled');
}

export function render(main) {
	const user = me();
	const host = h('div');
	const all = h('div.actions');
	const out = h('div', { 'aria-live': 'polite' });
	main.append(pageTitle(t('drafts.title'), h('a.button.primary', { href: '/declarations/new' }, t('menu.new'))),
		h('p.lead', t('drafts.lead')), host, all, out);

	/* every new draft (not a correction) lodged together */
	async function lodgeEvery(button) {
		const drafts = draftsList(user.username).filter((d) => !d.correcting);
		if (!(await confirmDialog(t('drafts.lodge_all'), t('drafts.lodge_all_confirm', { n: drafts.length }),
			t('drafts.lodge_all_ok')))) return;
		await busy(button, async () => {
			const items = drafts.map((d) => ({ key: d.key, body: d.body, draft: d }));
			const failure = await lodgeAll(items, (from, to, n) => replace(out,
				h('p', { role: 'status' }, t('import.sending', { from, to, n }))));
			for (const r of items) if (r.number) draftDelete(user.username, r.draft.id);
			const lodged = items.filter((r) => r.number).length;
			draw();
			replace(out, section(t('drafts.results'),
				failure ? errorBox(failure) : null,
				h('p', { role: 'status' }, t('import.summary', { n: items.length, lodged, refused: items.length - lodged })),
				table({
					caption: t('drafts.results'),
					rows: items,
					columns: [
						{ label: t('drafts.what'), header: true, value: (r) => summary(r.draft) },
						{ label: t('import.outcome'), value: (r) => outcome(r, () => h('a', {
							href: `/drafts/${r.draft.id}`, 'aria-label': `${t('drafts.open')} ${summary(r.draft)}`,
						}, t('drafts.open'))) },
					],
				})));
		});
	}

	function draw() {
		const drafts = draftsList(user.username);
		const fresh = drafts.filter((d) => !d.correcting).length;
		const button = h('button', { type: 'button', onclick: () => lodgeEvery(button) },
			t('drafts.lodge_all_n', { n: fresh }));
		replace(all, fresh ? button : null);
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
