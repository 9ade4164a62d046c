/*
 * schedule.js - an inspection site's slots for one day of the port's
 * calendar. The API keeps slots in UTC days (GET
 * /v1/inspection-sites/{code}/schedule?date=YYYY-MM-DD); a local day of a
 * port east of Greenwich spans two of them, so both are read and the slots
 * of the local day kept, shown in local time. In booking mode a slot is a
 * button (free and in the future); otherwise the grid shows who booked
 * (officers, analysts and administrators see that; declarants see places
 * taken and free only).
 */
import { api } from './api.js';
import { h, replace, uid } from './dom.js';
import { fmtTime, t, tz } from './i18n.js';
import { latestOnly } from './latest.js';
import { clockText, dayRange, today, utcDaysOf } from './time.js';
import { errorBox, field, input, loading, select } from './ui.js';

/** The slots of a local day at a site, in order. */
export async function daySlots(site, day) {
	const [start, end] = dayRange(day, tz());
	const days = utcDaysOf(day, tz());
	const answers = await Promise.all(days.map((d) =>
		api('GET', `/v1/inspection-sites/${encodeURIComponent(site)}/schedule`, { query: { date: d } })));
	return answers.flatMap((a) => a.slots)
		.filter((s) => {
			const at = Date.parse(s.start);
			return at >= start && at < end;
		});
}

/**
 * A site, a day and its slots. sites: the sites to offer; onChoose(site,
 * slot): booking mode (null: view only); current: the slot start already
 * booked (marked).
 */
export function scheduleView({ sites, onChoose = null, current = null, initialDay = null }) {
	const siteSel = select(sites.map((s) => [s.code, `${s.code} ${s.name}`]), sites[0]?.code);
	const dayInput = input({ type: 'date', value: initialDay || today(tz()) });
	const grid = h('div.slots');
	const legend = h('p.hint');
	const wrap = h('div.schedule',
		h('div.form-grid',
			field({ label: t('sched.site'), control: siteSel }),
			field({ label: t('sched.day'), control: dayInput, hint: t('sched.day_hint', { zone: tz() }) })),
		legend, grid);

	/* the answer of the latest request only: a day chosen while another
	 * loads is never overwritten by the earlier day's slots */
	const started = latestOnly();
	async function load() {
		if (!siteSel.value || !/^\d{4}-\d\d-\d\d$/.test(dayInput.value)) return;
		const isLatest = started();
		const day = dayInput.value;
		delete grid.dataset.day;
		replace(grid, loading());
		try {
			const slots = await daySlots(siteSel.value, day);
			if (!isLatest()) return;
			grid.dataset.day = day;
			const site = sites.find((s) => s.code === siteSel.value);
			legend.textContent = t('sched.legend', {
				minutes: site?.slot_minutes ?? '', capacity: site?.capacity ?? '',
			});
			const now = Date.now();
			const listId = uid('slots');
			replace(grid, h('ul.slot-list', { id: listId, 'aria-label': t('sched.slots') }, slots.map((s) => {
				const when = `${clockText(s.start, tz())}–${clockText(s.end, tz())}`;
				const avail = t('sched.free', { free: s.free, capacity: s.capacity });
				const mine = current && Date.parse(current) === Date.parse(s.start);
				const past = Date.parse(s.start) <= now;
				const cls = mine ? 'mine' : s.free === 0 ? 'full' : past ? 'past' : 'open';
				if (onChoose) {
					return h('li', h('button.slot', {
						type: 'button', class: cls, disabled: past || s.free === 0 || mine,
						'aria-label': `${when}, ${avail}${mine ? `, ${t('sched.yours')}` : ''}`,
						onclick: () => onChoose(siteSel.value, s),
					}, h('span.slot-time', when), h('span.slot-free', mine ? t('sched.yours') : avail)));
				}
				return h('li.slot', { class: cls },
					h('span.slot-time', when), h('span.slot-free', avail),
					(s.bookings || []).map((b) => h('a.slot-booking', { href: `/declarations/${b.declaration_number}` },
						b.declaration_number)));
			})));
		} catch (err) {
			if (isLatest()) replace(grid, errorBox(err));
		}
	}

	siteSel.addEventListener('change', load);
	dayInput.addEventListener('change', load);
	wrap.load = load;
	load();
	return wrap;
}

/** "2026-11-28 10:00–10:30 at CNNSA-1" for an appointment. */
export function appointmentText(a) {
	return t('sched.appointment', {
		when: fmtTime(a.slot_start), end: clockText(a.slot_end, tz()), site: `${a.site} ${a.site_name || ''}`.trim(),
	});
}
