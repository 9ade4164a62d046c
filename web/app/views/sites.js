/*
 * sites.js - inspection sites and their appointment slots around the
 * clock, shown day by day in the port's local time. Administrators add
 * sites here.
 */
import { api } from '../api.js';
import { picker } from '../combobox.js';
import { h, replace } from '../dom.js';
import { fmtTime, t } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { codeWithName, refLoad } from '../ref.js';
import { scheduleView } from '../schedule.js';
import { me } from '../session.js';
import {
	errorBox, field, input, loading, openDialog, pageTitle, section, submitting, table, toast,
} from '../ui.js';

function createDialog(done) {
	return openDialog(t('sites.add'), (close) => {
		const code = input({ maxlength: 16, class: 'upper' });
		const name = input({ maxlength: 200 });
		const port = picker({ list: 'ports' });
		const minutes = input({ inputmode: 'numeric', value: '30' });
		const capacity = input({ inputmode: 'numeric', value: '4' });
		const ok = h('button.primary', { type: 'submit' }, t('sites.add'));
		const form = h('form', { novalidate: true },
			h('div.form-grid',
				field({ label: t('sites.code'), control: code, pointer: '/code', required: true, hint: t('sites.code_hint') }),
				field({ label: t('sites.name'), control: name, pointer: '/name', required: true }),
				field({ label: t('sites.port'), control: port, pointer: '/port', required: true }),
				field({ label: t('sites.slot_minutes'), control: minutes, pointer: '/slot_minutes', required: true, hint: t('sites.minutes_hint') }),
				field({ label: t('sites.capacity'), control: capacity, pointer: '/capacity', required: true })),
			h('div.actions', ok));
		submitting(form, ok, async () => {
			const num = (v) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim());
			const body = { code: code.value.trim().toUpperCase(), name: name.value.trim(), port: port.value,
				slot_minutes: num(minutes.value), capacity: num(capacity.value) };
			await api('POST', '/v1/inspection-sites', { body });
			toast(t('sites.added', { code: body.code }));
			close(true);
			done();
		});
		return form;
	});
}

export async function render(main) {
	const user = me();
	const listHost = h('div');
	const schedHost = h('div');
	main.append(pageTitle(t('sites.title'), user.role === 'admin'
		? h('button.primary', { type: 'button', onclick: () => createDialog(load) }, t('sites.add')) : null),
	h('p.lead', t('sites.lead')),
	section(t('sites.list'), listHost), section(t('sites.schedule'), schedHost));

	/* a read again after a site is added overtakes the one before */
	const started = latestOnly();
	async function load() {
		const isLatest = started();
		replace(listHost, loading());
		try {
			await refLoad('ports');
			const { sites } = await api('GET', '/v1/inspection-sites');
			if (!isLatest()) return;
			replace(listHost, table({
				caption: t('sites.list'),
				rows: sites,
				empty: t('sites.none'),
				columns: [
					{ label: t('sites.code'), header: true, value: (s) => s.code },
					{ label: t('sites.name'), value: (s) => s.name },
					{ label: t('sites.port'), value: (s) => codeWithName('ports', s.port) },
					{ label: t('sites.slot_minutes'), className: 'num', value: (s) => String(s.slot_minutes) },
					{ label: t('sites.capacity'), className: 'num', value: (s) => String(s.capacity) },
					{ label: t('sites.created'), className: 'time', value: (s) => fmtTime(s.created_at) },
				],
			}));
			replace(schedHost, sites.length ? scheduleView({ sites }) : h('p', t('sites.none')));
		} catch (err) {
			if (isLatest()) replace(listHost, errorBox(err));
		}
	}
	await load();
}
