/*
 * live.js - events as they happen (the event feed, long-polled): each new
 * event appears at the top without reloading, for what the user may see:
 * declarations' events, and the calls' own (reports, manifests, the gate).
 */
import { h } from '../dom.js';
import { eventActor, eventDetail, eventTitle } from '../events.js';
import { onFeedState, subscribe } from '../feed.js';
import { fmtTime, fmtTimeFull, t } from '../i18n.js';
import { refLoad } from '../ref.js';
import { pageTitle } from '../ui.js';

const KEEP = 200;

/* what an event is about: its declaration, or the call of a conveyance,
 * manifest or container event (which belongs to no declaration) */
function subject(e) {
	if (e.declaration_number) return h('a', { href: `/declarations/${e.declaration_number}` }, e.declaration_number);
	if (e.call) return h('a.code', { href: `/calls?call=${encodeURIComponent(e.call)}` }, e.call);
	return h('span');
}

export async function render(main) {
	await refLoad('agencies').catch(() => null);
	const status = h('p.feed-status', { role: 'status' });
	const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, t('live.pause'));
	const log = h('ol.live-log', { role: 'log', 'aria-label': t('live.title'), 'aria-live': 'polite' });
	const empty = h('p.hint', t('live.waiting'));
	let paused = false;
	const held = [];

	main.append(pageTitle(t('live.title')), h('p.lead', t('live.lead')),
		h('div.actions', pause, status), empty, log);

	function add(events) {
		empty.hidden = true;
		for (const e of events) {
			log.prepend(h('li.live-event', { dataset: { type: e.type } },
				h('time', { datetime: e.at, title: fmtTimeFull(e.at) }, fmtTime(e.at)),
				subject(e),
				h('strong', eventTitle(e)),
				h('span.actor', eventActor(e)),
				h('span.event-detail', eventDetail(e))));
		}
		while (log.children.length > KEEP) log.lastChild.remove();
	}

	pause.addEventListener('click', () => {
		paused = !paused;
		pause.setAttribute('aria-pressed', String(paused));
		pause.textContent = paused ? t('live.resume') : t('live.pause');
		if (!paused && held.length) add(held.splice(0));
	});

	const stopState = onFeedState((s) => {
		status.textContent = t(`feed.${s}`);
	});
	const stop = subscribe((events) => {
		if (paused) held.push(...events);
		else add(events);
	});
	return () => {
		stop();
		stopState();
	};
}
