/*
 * statistics.h - clearance time over any selection of declarations: the
 * statistics engine (domain/stats.h) kept in memory by the running system,
 * filled from the stored timelines and kept current by following the
 * event feed, and the use case that answers a selection.
 *
 * How the engine follows the store: it remembers the id of the last event
 * it has read. Before answering, it reads the events committed since (ids
 * follow commit order, see uow_commit), collects the declarations they
 * touch (a declaration's own events; for a call's arrival, departure or
 * manifest, every declaration on the call), and files each again from its
 * whole timeline. The first answer reads every event there is. So every
 * server sharing a database answers from everything committed before the
 * question, whoever committed it. A follower thread does the same as
 * events commit, so the reading left for an answer is small.
 *
 * How a declaration is measured (docs/clearance-time.md): its own timeline
 * (its steps, its match, the copies of its containers' yard events), with
 * its call's arrival, departure and original manifest added from the call
 * its consignment claims (the call's row and manifest hold the times of
 * those events); its dimensions from its row and body (declaring office,
 * port, transport mode, trade mode, the chapter of its item of most value),
 * the strictest lane of its latest risk assessment, and its consignee's
 * credit class.
 *
 * Snapshots (limits.statistics_file): the follower saves the engine, with
 * the id, time and type of the last event it read, to that file (written
 * beside it, synced, then renamed over it) at most every
 * STATISTICS_SAVE_EVERY_S while events come, and when it stops. At start it
 * loads the file and follows the feed from that event instead of filing
 * every declaration again, if the store still holds that very event;
 * otherwise (another or an older database, a damaged or foreign file) it
 * says so in the log and fills the engine from every stored event as
 * without a file. The file is a cache: losing it costs only time.
 *
 * Who may ask: analysts and admins for the statistics (the figures cover
 * every port and office); one declaration's measurement, whoever may read
 * its timeline. Never changes the store.
 */
#ifndef KOUAN_STATISTICS_H
#define KOUAN_STATISTICS_H

#include "domain/stats.h"
#include "service/service.h"

#define STATISTICS_SAVE_EVERY_S 600

/* Made by the app that serves the figures (app_init: empty, filled on
 * first use) after services_init; freed (its follower stopped first)
 * before services_free. Without it, the statistics calls are not made. */
KOUAN_MUST_USE kerr statistics_state_init(struct services *s);
void statistics_state_free(struct services *s);

/* Bring the engine up to date with the events the unit's transaction sees.
 * One catch-up runs at a time; a caller that waited for another finds
 * little or nothing left to read. */
KOUAN_MUST_USE kerr statistics_follow(struct uow *u);

/*
 * Answer the selection *q (stats_query_parse) for actor a, after catching
 * up with the feed: KERR_FORBIDDEN (with *why) unless the actor is an
 * analyst or an admin.
 */
KOUAN_MUST_USE kerr statistics_clearance(struct uow *u, const struct actor *a,
					 const struct stats_query *q,
					 struct stats_result *out, struct refusal *why);

/*
 * The follower: a thread that fills the engine from every stored event as
 * it starts, then catches up each time it is poked (statistics_poke: after
 * a commit that wrote events, here or, through the store's watch, on
 * another server), so that answers find little left to read. Start it
 * once the system serves; stop it before services_free (which stops it
 * too). Starting a running follower does nothing.
 */
KOUAN_MUST_USE kerr statistics_follower_start(struct services *s);
void statistics_poke(struct services *s);
void statistics_follower_stop(struct services *s);

/*
 * One declaration's clearance time, measured now from its timeline as the
 * statistics measure it (whole seconds): to whoever may read the
 * declaration's details (its timeline), else KERR_NOT_FOUND with *why, as
 * for a number that does not exist.
 */
KOUAN_MUST_USE kerr statistics_declaration(struct uow *u, const struct actor *a,
					   const char *number, struct stage_times *out,
					   struct refusal *why);

/* How many claims at a time are read to file again a call's declarations
 * when its arrival, departure or manifest comes (n <= 0: the default,
 * 1,000). Tests make it small to read a call over several pages. */
void statistics_set_call_page(int n);

/* How many events a page of the feed holds, read at a time (n <= 0: the
 * default, 500); a catch-up of the follower reads four pages to a
 * transaction. Tests make it small to fill over many transactions. */
void statistics_set_follow_page(int n);

/* How many declarations the engine holds (after statistics_follow). */
size_t statistics_count(struct services *s);

#endif
