/* feed.c - the event feed as each actor may see it (see feed.h). */
#include "service/feed.h"

#include "service/calls.h"

kerr feed_read(struct uow *u, const struct actor *a, int64_t after, int limit,
	       event_row_fn fn, void *arg)
{
	struct feed_view view = {0};
	switch (a->role) {
	case ROLE_DECLARANT: /* its declarations, and those lodged for it */
		view.org_id = a->org_id;
		view.consignee_uscc = a->org_uscc;
		break;
	case ROLE_PORT_OPERATOR: /* releases at its port, and its port's calls */
		if (!*a->org_port)
			return KERR_OK;
		view.only_type = event_type_name(EVENT_DECLARATION_RELEASED);
		view.port = a->org_port;
		view.calls = true;
		view.call_port = a->org_port;
		break;
	case ROLE_CARRIER: /* its own calls, no declarations */
		view.no_declarations = true;
		view.calls = true;
		view.call_org_id = a->org_id;
		break;
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		view.calls = true;
		break;
	default: /* officers: declarations with their task, and every call */
		view.agency = role_agency(a->role);
		if (!view.agency)
			return KERR_FORBIDDEN;
		view.calls = true;
		break;
	}
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	struct carrier_events ce = {fn, arg};
	if (!e && !a->system && a->role == ROLE_CARRIER)
		return repo_events_feed(c, after, limit, &view, calls_event_for_carrier, &ce);
	return e ? e : repo_events_feed(c, after, limit, &view, fn, arg);
}
