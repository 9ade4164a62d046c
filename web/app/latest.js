/*
 * latest.js - loads that may overlap, the latest one answering: a list
 * read again for another filter or page while the earlier read is still
 * on its way must show what the filter chosen last asks for, whichever
 * answer comes back first. A view keeps one guard and asks it, as each
 * load starts, for a test of that load:
 *
 *     const started = latestOnly();
 *     async function load() {
 *         const isLatest = started();
 *         const r = await api(...);
 *         if (!isLatest()) return; // a later load answers instead
 *         ...
 *     }
 *
 * An earlier load's answer, or its failure, is then simply not shown.
 */

/** A guard for one view's loads: each call starts a load and returns a
 * function that says whether no later load has started since. */
export function latestOnly() {
	let started = 0;
	return () => {
		const mine = ++started;
		return () => mine === started;
	};
}
