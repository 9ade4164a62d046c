/*
 * consignments.c - one consignment, one release, and the match of a
 * declaration with its manifest line (see consignments.h).
 *
 * Never: let two live declarations hold the same bill (or part of it) on a
 * call, release a declaration whose manifest line is missing or differs,
 * or read the claims of a bill or a container before locking them with
 * the call (calls_lock_claim).
 */
#include "service/consignments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "service/calls.h"

/* Live declarations that may claim one bill: the parts of a split, at most
 * SPLIT_MAX_PARTS, and one more to say there are too many. */
#define CLAIMS_MAX (SPLIT_MAX_PARTS + 1)

bool consignments_mode_has_manifests(const struct refdata *ref, const char *mode)
{
	return mode && refdata_conveyance_agencies(ref, mode) != 0;
}

static enum manifest_kind matched_kind(bool import)
{
	return import ? MANIFEST_ORIGINAL : MANIFEST_PRE_LOADING;
}

static kerr body_facts(const char *body, struct transport_facts *out)
{
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;
	bool ok = j && matching_declaration_facts(j, out);
	json_decref(j);
	return ok ? KERR_OK : KERR_INTERNAL;
}

kerr consignments_facts(struct uow *u, const char *number, struct transport_facts *out)
{
	struct store_conn *c;
	struct decl_row row;
	memset(&row, 0, sizeof row);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_decl_get(c, number, &row);
	if (!e)
		e = body_facts(row.body, out);
	decl_row_free(&row);
	return e;
}

kerr consignments_lock_for_correction(struct uow *u, const char *number,
				      const struct declaration_facts *f)
{
	struct transport_facts now_tf, new_tf;
	kerr e = consignments_facts(u, number, &now_tf);
	if (e == KERR_NOT_FOUND)
		return KERR_OK; /* clearance_load answers it */
	if (e)
		return e;
	if (!matching_declaration_facts(f->body, &new_tf))
		return KERR_INTERNAL;
	const char *keys[2] = {now_tf.call_key, new_tf.call_key};
	if (strcmp(keys[0], keys[1]) > 0) {
		keys[0] = new_tf.call_key;
		keys[1] = now_tf.call_key;
	}
	e = calls_lock(u, keys[0], f->transport_mode, f->port, 0);
	if (!e && strcmp(keys[0], keys[1]) != 0)
		e = calls_lock(u, keys[1], f->transport_mode, f->port, 0);
	return e;
}

/* --- claims --- */

struct claims {
	const char *self;
	struct bill_claim c[CLAIMS_MAX];
	char numbers[CLAIMS_MAX][DECL_NUMBER_SIZE];
	size_t n;
};

static kerr add_claim(void *arg, const struct consignment_row *r)
{
	struct claims *cl = arg;
	if (!strcmp(r->number, cl->self))
		return KERR_OK;
	if (cl->n >= CLAIMS_MAX)
		return KERR_OK; /* more than a split has parts: the first ones refuse */
	str_copy(cl->numbers[cl->n], r->number, DECL_NUMBER_SIZE);
	cl->c[cl->n] = (struct bill_claim){cl->numbers[cl->n], r->split_part, r->split_of};
	cl->n++;
	return KERR_OK;
}

struct container_holder {
	const char *self;
	const char *bill;
	char number[DECL_NUMBER_SIZE]; /* another bill's declaration holding it */
	char bill_other[BILL_OF_LADING_MAX];
};

static kerr find_holder(void *arg, const struct container_claim *cc)
{
	struct container_holder *h = arg;
	if (!strcmp(cc->number, h->self) || !strcmp(cc->bill_of_lading, h->bill) || *h->number)
		return KERR_OK; /* its own, or a part of the same bill */
	str_copy(h->number, cc->number, sizeof h->number);
	str_copy(h->bill_other, cc->bill_of_lading, sizeof h->bill_other);
	return KERR_OK;
}

struct consolidation {
	const char *call_key;
	const char *bills[2];
	bool on[2];
};

static kerr note_line(void *arg, const struct container_line *l)
{
	struct consolidation *s = arg;
	if (strcmp(l->call_key, s->call_key) != 0)
		return KERR_OK;
	for (int i = 0; i < 2; i++)
		if (!strcmp(l->bill_of_lading, s->bills[i]))
			s->on[i] = true;
	return KERR_OK;
}

/* Does the call's manifest show container `number` carrying both bills? */
static kerr consolidated(struct store_conn *c, const struct transport_facts *tf,
			 const char *number, const char *other_bill, bool *yes)
{
	struct consolidation s = {tf->call_key, {tf->bill_of_lading, other_bill}, {false, false}};
	kerr e = repo_container_lines(c, number, matched_kind(tf->import), note_line, &s);
	*yes = s.on[0] && s.on[1];
	return e;
}

/* Is declaration `number` one the company lodging `self` may not see
 * (neither lodged by it nor naming it as consignee)? Its number is then
 * not told. */
static kerr foreign(struct store_conn *c, const char *number, const struct declaration *self,
		    bool *yes)
{
	const char *own = self->has_facts ? self->facts.declarant_uscc : "";
	struct decl_row other;
	kerr e = repo_decl_get(c, number, &other);
	*yes = !e && other.org_id != self->row.org_id && strcmp(other.consignee_uscc, own) != 0;
	if (!e)
		decl_row_free(&other);
	return e == KERR_NOT_FOUND ? KERR_OK : e;
}

/* Is the consignment free for declaration d? Its bill's claims were sent
 * ahead (`sent`). Refuses KERR_CONFLICT naming the declaration that holds
 * the bill, the part or a container (when the declarant may see it). */
static kerr check_claims(struct store_conn *c, const struct declaration *self,
			 const struct transport_facts *tf, struct consignment_claims_ahead *sent,
			 struct claims *cl, struct refusal *why)
{
	cl->self = self->row.number;
	cl->n = 0;
	kerr e = repo_consignment_claims_take(sent, add_claim, cl);
	if (e)
		return e;
	struct problems *p = why->fields;
	struct problems mine;
	problems_init(&mine);
	struct problems first;
	problems_init(&first);
	/* refused: another company's declarations are not named */
	if (!matching_check_claims(tf, cl->c, cl->n, &first)) {
		for (size_t i = 0; !e && i < cl->n; i++) {
			bool other = false;
			e = foreign(c, cl->numbers[i], self, &other);
			if (other)
				cl->numbers[i][0] = '\0';
		}
		if (e)
			return e;
	}
	if (!matching_check_claims(tf, cl->c, cl->n, p ? p : &mine)) {
		refusal_say(why, "this consignment is already declared; a consignment is "
				 "released once");
		if (!p)
			refusal_say(why, "%s", mine.errors[0].problem);
		return KERR_CONFLICT;
	}
	for (size_t i = 0; i < tf->ncontainers; i++) {
		struct container_holder h = {.self = self->row.number, .bill = tf->bill_of_lading};
		e = repo_container_claims(c, tf->call_key, tf->containers[i], find_holder, &h);
		if (e)
			return e;
		if (!*h.number)
			continue;
		bool shared = false;
		e = consolidated(c, tf, tf->containers[i], h.bill_other, &shared);
		if (e)
			return e;
		if (shared)
			continue;
		char at[PROBLEM_FIELD_MAX], on[DECL_NUMBER_SIZE + 16];
		bool other = false;
		if ((e = foreign(c, h.number, self, &other)))
			return e;
		if (other)
			str_copy(on, "another company's declaration", sizeof on);
		else
			snprintf(on, sizeof on, "declaration %s", h.number);
		snprintf(at, sizeof at, "/containers/%zu", i);
		refusal_say(why, "this consignment is already declared; a consignment is "
				 "released once");
		refusal_field(why, at,
			      "container %s is already declared on %s (bill of lading %s); a "
			      "container is declared under one bill, unless the manifest shows "
			      "it carrying both bills",
			      tf->containers[i], on, h.bill_other);
		return KERR_CONFLICT;
	}
	return KERR_OK;
}

/* --- matching --- */

/* A stored line as the domain's manifest line (containers point into l). */
struct line_view {
	struct manifest_bill bill;
	struct manifest_container *containers;
};

static kerr line_view_of(const struct manifest_line_row *l, struct line_view *v)
{
	memset(v, 0, sizeof *v);
	if (l->ncontainers &&
	    !(v->containers = calloc(l->ncontainers, sizeof *v->containers)))
		return KERR_NOMEM;
	for (size_t i = 0; i < l->ncontainers; i++) {
		v->containers[i].number = l->containers[i];
		v->containers[i].index = i;
	}
	v->bill.bill_of_lading = l->bill_of_lading;
	v->bill.party_uscc = *l->party_uscc ? l->party_uscc : NULL;
	v->bill.hs_heading = *l->hs_heading ? l->hs_heading : NULL;
	v->bill.packages = l->packages;
	v->bill.gross_weight_g = l->gross_weight_g;
	v->bill.containers = v->containers;
	v->bill.ncontainers = l->ncontainers;
	return KERR_OK;
}

static json_t *match_data(const struct transport_facts *tf, int64_t manifest_id,
			  int64_t version)
{
	json_t *d = json_pack("{s:s, s:s}", "call", tf->call_key, "bill_of_lading",
			      tf->bill_of_lading);
	if (d && manifest_id > 0) {
		json_object_set_new(d, "manifest", json_integer((json_int_t)manifest_id));
		json_object_set_new(d, "version", json_integer((json_int_t)version));
	}
	if (d && tf->split_of) {
		json_object_set_new(d, "split", json_pack("{s:i, s:i}", "part", tf->split_part,
							  "of", tf->split_of));
	}
	return d;
}

/* The parts of a split bill declared so far (other than self) and self,
 * against the line: refuse (problems) when they do not fit together. */
static kerr check_split(struct uow *u, const struct transport_facts *self,
			const struct claims *cl, const struct manifest_bill *line,
			struct refusal *why)
{
	if (!self->split_of)
		return KERR_OK;
	struct transport_facts *others = calloc(cl->n ? cl->n : 1, sizeof *others);
	const struct transport_facts **parts = calloc(cl->n + 1, sizeof *parts);
	kerr e = others && parts ? KERR_OK : KERR_NOMEM;
	size_t n = 0;
	for (size_t i = 0; !e && i < cl->n; i++) {
		e = consignments_facts(u, cl->c[i].declaration, &others[i]);
		if (!e)
			parts[n++] = &others[i];
	}
	if (!e) {
		parts[n++] = self;
		struct match_result r;
		if (matching_splits(line, parts, n, WEIGHT_TOLERANCE_DEFAULT, &r) ==
		    SPLIT_INCONSISTENT) {
			refusal_say(why, "the parts of bill %s do not fit its manifest line",
				    self->bill_of_lading);
			if (why->fields)
				matching_result_problems(&r, self->bill_of_lading,
							 WEIGHT_TOLERANCE_DEFAULT, why->fields);
			e = KERR_INVALID;
		}
	}
	free(others);
	free(parts);
	return e;
}

kerr consignments_accept(struct uow *u, struct declaration *d, const char *at,
			 struct refusal *why, const struct claims_read_hook *then)
{
	const struct declaration_facts *f = declaration_facts_of(d);
	struct transport_facts tf;
	if (!f || !matching_declaration_facts(f->body, &tf))
		return KERR_INTERNAL;
	const struct refdata *ref = uow_refdata(u);
	bool needs = consignments_mode_has_manifests(ref, f->transport_mode);
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	if (at)
		str_copy(now, at, sizeof now);
	else
		uow_now(u, now);
	kerr e = calls_lock_claim(u, tf.call_key, f->transport_mode, f->port, tf.bill_of_lading,
				  tf.containers, tf.ncontainers);
	if (!e)
		e = uow_conn(u, &c);
	/* a correction (version 2 on) claims anew; a new declaration has no
	 * claim to drop */
	if (!e && d->row.version > 1)
		e = repo_consignment_drop(c, d->row.number);
	struct claims *cl = calloc(1, sizeof *cl);
	if (!e && !cl)
		e = KERR_NOMEM;
	/* the manifest's line, the bill's claims and the caller's read go
	 * together, once the bill's lock is granted; sent after the claims'
	 * read, the caller's sees every claim and withdrawal that it saw */
	struct manifest_line_ahead ahead = {0};
	struct consignment_claims_ahead claims = {0};
	if (!e && needs)
		repo_manifest_line_send(c, tf.call_key, matched_kind(tf.import), tf.bill_of_lading,
					&ahead);
	if (!e) {
		repo_consignment_claims_send(c, tf.call_key, tf.bill_of_lading, &claims);
		if (then)
			then->fn(then->arg);
		e = check_claims(c, d, &tf, &claims, cl, why);
	}
	struct consignment_row row = {
		.import = tf.import,
		.split_part = tf.split_part,
		.split_of = tf.split_of,
		.flow = tf.flow,
		.advance = tf.advance,
		.state = needs ? CONSIGNMENT_WAITING : CONSIGNMENT_NOT_REQUIRED,
		.live = true,
	};
	str_copy(row.number, d->row.number, sizeof row.number);
	str_copy(row.call_key, tf.call_key, sizeof row.call_key);
	str_copy(row.bill_of_lading, tf.bill_of_lading, sizeof row.bill_of_lading);
	str_copy(row.updated_at, now, sizeof row.updated_at);
	enum match_state stored = row.state;
	/* sent ahead: under the bill's lock, the claims just read are all
	 * there are */
	if (!e)
		e = repo_consignment_claim(c, &row);
	if (!e)
		e = repo_consignment_containers_add(c, d->row.number, tf.call_key,
						    tf.bill_of_lading, tf.containers, tf.ncontainers);
	if (e || !needs)
		goto out;
	struct manifest_line_row line;
	struct line_view view = {0};
	e = repo_manifest_line_take(&ahead, &line);
	if (e == KERR_NOT_FOUND) {
		/* the call's manifest is there without this bill: an unknown bill,
		 * unless the declarant said it declares ahead of the carrier (then
		 * whether the manifest is there does not matter) */
		struct manifest_row m;
		e = tf.advance ? KERR_NOT_FOUND
			       : repo_manifest_find(c, tf.call_key, matched_kind(tf.import), &m);
		if (e == KERR_OK && !tf.advance) {
			struct match_result r;
			struct problems mine;
			problems_init(&mine);
			(void)matching_on_lodging(&tf, NULL, WEIGHT_TOLERANCE_DEFAULT, &r,
						  why->fields ? why->fields : &mine);
			refusal_say(why, "the %s manifest of call %s has no line for bill of lading "
					 "%s",
				    manifest_kind_name(m.kind), tf.call_key, tf.bill_of_lading);
			e = KERR_INVALID;
			goto out;
		}
		if (e != KERR_NOT_FOUND && e != KERR_OK)
			goto out;
		/* no manifest yet (or an advance declaration): accepted and
		 * worked; the release waits for the line */
		e = uow_call_event(u, &actor_kouan, EVENT_DECLARATION_AWAITING_MANIFEST,
				   tf.call_key, d->row.number, d->row.org_id, NULL, now,
				   json_pack("{s:s, s:s, s:b}", "call", tf.call_key,
					     "bill_of_lading", tf.bill_of_lading, "advance",
					     tf.advance));
		goto out;
	}
	if (!e)
		e = line_view_of(&line, &view);
	if (!e) {
		struct match_result r;
		struct problems mine;
		problems_init(&mine);
		struct problems *p = why->fields ? why->fields : &mine;
		enum match_action act =
			matching_on_lodging(&tf, &view.bill, WEIGHT_TOLERANCE_DEFAULT, &r, p);
		if (act == MATCH_REFUSE) {
			refusal_say(why, "the declaration does not match the manifest line of "
					 "bill %s",
				    tf.bill_of_lading);
			e = KERR_INVALID;
		}
		if (!e)
			e = check_split(u, &tf, cl, &view.bill, why);
		if (!e)
			e = repo_consignment_set_match(c, d->row.number, CONSIGNMENT_MATCHED,
						       line.manifest_id, line.version, NULL, now);
		if (!e)
			stored = CONSIGNMENT_MATCHED;
		if (!e)
			e = uow_call_event(u, &actor_kouan, EVENT_DECLARATION_MATCHED,
					   tf.call_key, d->row.number, d->row.org_id, NULL, now,
					   match_data(&tf, line.manifest_id, line.version));
	}
	free(view.containers);
	manifest_line_row_free(&line);
out:
	repo_consignment_claims_drop(&claims);
	repo_manifest_line_drop(&ahead);
	free(cl);
	if (!e) {
		d->claim.known = true;
		d->claim.state = stored;
		str_copy(d->claim.call_key, row.call_key, sizeof d->claim.call_key);
		str_copy(d->claim.bill_of_lading, row.bill_of_lading,
			 sizeof d->claim.bill_of_lading);
	}
	return e;
}

/* Whether a claim in `state` holds the release, and why. */
static void claim_holds(enum match_state state, const char *call_key, const char *bill,
			const char *number, bool *held, char *reason, size_t reason_size)
{
	if (state == CONSIGNMENT_WAITING) {
		*held = true;
		snprintf(reason, reason_size,
			 "no manifest of call %s has a line for bill of lading %s yet; the "
			 "release follows when the carrier's manifest brings it",
			 call_key, bill);
	} else if (state == CONSIGNMENT_MISMATCHED) {
		*held = true;
		snprintf(reason, reason_size,
			 "the manifest line of bill of lading %s differs from the declaration "
			 "(GET /v1/declarations/%s/match says how); a correction or an "
			 "amendment of the manifest resolves it",
			 bill, number);
	}
}

kerr consignments_holds(struct uow *u, struct declaration *d, bool *held, char *reason,
			size_t reason_size)
{
	*held = false;
	if (d->claim.known) {
		claim_holds(d->claim.state, d->claim.call_key, d->claim.bill_of_lading,
			    d->row.number, held, reason, reason_size);
		return KERR_OK;
	}
	struct store_conn *c;
	struct consignment_row row;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_consignment_get(c, d->row.number, &row);
	if (e == KERR_NOT_FOUND)
		return KERR_OK; /* lodged before consignments were claimed */
	if (e)
		return e;
	claim_holds(row.state, row.call_key, row.bill_of_lading, d->row.number, held, reason,
		    reason_size);
	consignment_row_free(&row);
	return KERR_OK;
}

kerr consignments_ended(struct uow *u, struct declaration *d, const char *now, const char *why)
{
	(void)why;
	struct store_conn *c;
	d->claim.known = false; /* freed: as stored from here on */
	kerr e = uow_conn(u, &c);
	return e ? e : repo_consignment_free(c, d->row.number, now);
}

static bool every_agency_cleared(const struct declaration *d)
{
	enum task_status ts[TASKS_MAX];
	for (size_t i = 0; i < d->ntasks; i++)
		ts[i] = d->tasks[i].status;
	return workflow_status_from_tasks(ts, d->ntasks) == DECL_RELEASED;
}

kerr consignments_rematch(struct uow *u, struct declaration *d, const struct manifest_bill *line,
			  int64_t manifest_id, int64_t version, const struct match_result *split,
			  enum match_state *state, bool *settle)
{
	*settle = false;
	d->claim.known = false; /* the stored claim says, and changes below */
	struct store_conn *c;
	struct consignment_row row;
	struct transport_facts tf;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	const struct declaration_facts *f = declaration_facts_of(d);
	kerr e = f && matching_declaration_facts(f->body, &tf) ? KERR_OK : KERR_INTERNAL;
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = repo_consignment_get(c, d->row.number, &row);
	if (e)
		return e;
	*state = row.state;
	enum event_type ev = EVENT_TYPE_COUNT;
	json_t *data = match_data(&tf, manifest_id, version);
	if (!line) {
		/* the amendment took the line away */
		if (row.state == CONSIGNMENT_MATCHED || row.state == CONSIGNMENT_MISMATCHED) {
			e = repo_consignment_set_match(c, d->row.number, CONSIGNMENT_WAITING, 0, 0, NULL,
						       now);
			*state = CONSIGNMENT_WAITING;
			json_object_set_new(data, "reason",
					    json_string("the manifest no longer has a line for "
							"this bill"));
			ev = EVENT_DECLARATION_UNMATCHED;
		}
		goto out;
	}
	struct match_result r;
	enum match_action act = matching_on_line(&tf, line, every_agency_cleared(d),
						 WEIGHT_TOLERANCE_DEFAULT, &r);
	if (act != MATCH_MISMATCH && split && !split->matched) {
		r = *split;
		act = MATCH_MISMATCH;
	}
	if (act == MATCH_MISMATCH) {
		json_t *diffs = matching_result_json(&r);
		char *text = diffs ? json_dumps(diffs, JSON_COMPACT) : NULL;
		bool same = row.state == CONSIGNMENT_MISMATCHED && row.differences && text &&
			    !strcmp(row.differences, text) && row.manifest_version == version;
		if (!text)
			e = KERR_NOMEM;
		if (!e && !same)
			e = repo_consignment_set_match(c, d->row.number, CONSIGNMENT_MISMATCHED,
						       manifest_id, version, text, now);
		*state = CONSIGNMENT_MISMATCHED;
		/* the line names another company: the bill is not this
		 * declaration's to hold, and gives way to the company's own (a
		 * claim no longer live is never matched again; a correction
		 * claims anew) */
		bool not_theirs = false;
		for (size_t k = 0; k < r.n; k++)
			not_theirs = not_theirs || r.d[k].kind == DIFF_PARTY;
		if (!e && not_theirs)
			e = repo_consignment_free(c, d->row.number, now);
		if (!e && !same) {
			json_object_set(data, "differences", diffs);
			if (not_theirs)
				json_object_set_new(data, "bill_given_up", json_true());
			ev = row.state == CONSIGNMENT_MATCHED ? EVENT_DECLARATION_UNMATCHED
							: EVENT_DECLARATION_MISMATCHED;
		}
		free(text);
		json_decref(diffs);
		goto out;
	}
	if (row.state != CONSIGNMENT_MATCHED || row.manifest_version != version) {
		bool was = row.state == CONSIGNMENT_MATCHED;
		e = repo_consignment_set_match(c, d->row.number, CONSIGNMENT_MATCHED, manifest_id,
					       version, NULL, now);
		if (!was)
			ev = EVENT_DECLARATION_MATCHED;
	}
	*state = CONSIGNMENT_MATCHED;
	*settle = !e && d->row.status == DECL_ACCEPTED && act == MATCH_RELEASE;
out:
	if (!e && ev != EVENT_TYPE_COUNT)
		e = uow_call_event(u, &actor_kouan, ev, tf.call_key, d->row.number,
				   d->row.org_id, NULL, now, json_incref(data));
	json_decref(data);
	consignment_row_free(&row);
	return e;
}
