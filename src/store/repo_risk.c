/* repo_risk.c - queries of risk-based clearance (see repo_risk.h). */
#include "store/repo_risk.h"

#include <stdlib.h>
#include <string.h>

#include "store/packed.h"
#include "store/repo_internal.h"

/* --- credit --- */

Q(Q_CREDIT_GET, "SELECT id, credit_class FROM organisations WHERE uscc = ?");
Q(Q_CREDIT_SET, "UPDATE organisations SET credit_class = ? WHERE id = ?");
Q(Q_CREDIT_LOG, "INSERT INTO credit_history (org_id, from_class, to_class, reason,"
		" changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)");
Q(Q_CREDIT_HISTORY, "SELECT from_class, to_class, reason, changed_by, changed_at"
		    " FROM credit_history WHERE org_id = ? ORDER BY id");
/* The consignees that have imported (migration 0025): 1 when the import
 * kept for the consignee is another declaration than `number`, 0 when it
 * is that one, no row when there is none. */
#define IMPORTER_SEEN "SELECT CASE WHEN declaration_number <> CAST(? AS BIGINT) THEN 1 ELSE 0 END" \
		      " FROM importers WHERE consignee_uscc = ?"
Q(Q_IMPORTER_SEEN, IMPORTER_SEEN);
/* Asked of the declarations only when the import kept is `number` itself. */
Q(Q_ANOTHER_IMPORT, "SELECT 1 FROM declarations WHERE consignee_uscc = ?"
		    " AND direction = 'import' AND number <> ? LIMIT 1");

struct credit_out {
	int64_t *org_id;
	char *class_out;
	size_t n;
};

static kerr read_credit(void *arg, struct store_stmt *st)
{
	struct credit_out *o = arg;
	*o->org_id = stmt_int(st, 0);
	str_copy(o->class_out, stmt_text(st, 1), o->n);
	return KERR_OK;
}

kerr repo_credit_get(struct store_conn *c, const char *uscc, int64_t *org_id,
		     char *class_out, size_t n)
{
	struct credit_out o = {org_id, class_out, n};
	return store_first(c, &Q_CREDIT_GET, read_credit, &o, "s", uscc);
}

kerr repo_credit_set(struct store_conn *c, int64_t org_id, const char *from,
		     const char *to, const char *reason, const char *by, const char *at)
{
	kerr e = store_exec(c, &Q_CREDIT_SET, "si", to, org_id);
	if (!e)
		e = store_exec(c, &Q_CREDIT_LOG, "isssss", org_id, from, to, reason, by, at);
	return e;
}

struct credit_visit {
	credit_change_fn fn;
	void *arg;
};

static kerr visit_credit(void *arg, struct store_stmt *st)
{
	struct credit_visit *v = arg;
	struct credit_change ch = {stmt_text(st, 0), stmt_text(st, 1), stmt_text(st, 2),
				   stmt_text(st, 3), stmt_text(st, 4)};
	return v->fn(v->arg, &ch);
}

kerr repo_credit_history(struct store_conn *c, int64_t org_id, credit_change_fn fn,
			 void *arg)
{
	struct credit_visit v = {fn, arg};
	return store_each(c, &Q_CREDIT_HISTORY, visit_credit, &v, "i", org_id);
}

/* What column `col` of IMPORTER_SEEN's answer says (NULL: no row). */
static enum importer_seen importer_at(struct store_stmt *st, int col)
{
	if (stmt_is_null(st, col))
		return IMPORTER_NONE;
	return stmt_int(st, col) ? IMPORTER_ELSEWHERE : IMPORTER_HERE;
}

static kerr read_importer(void *arg, struct store_stmt *st)
{
	*(enum importer_seen *)arg = importer_at(st, 0);
	return KERR_OK;
}

kerr repo_known_importer(struct store_conn *c, const char *uscc, const char *number,
			 enum importer_seen seen, bool *known)
{
	*known = false;
	kerr e = KERR_OK;
	if (seen == IMPORTER_UNASKED) {
		seen = IMPORTER_NONE; /* unless a row says otherwise */
		e = store_first(c, &Q_IMPORTER_SEEN, read_importer, &seen, "ss", number, uscc);
		if (e == KERR_NOT_FOUND)
			e = KERR_OK;
	}
	if (e || seen == IMPORTER_NONE)
		return e;
	if (seen == IMPORTER_ELSEWHERE) {
		*known = true;
		return KERR_OK;
	}
	e = store_first(c, &Q_ANOTHER_IMPORT, NULL, NULL, "ss", uscc, number);
	*known = e == KERR_OK;
	return e == KERR_NOT_FOUND ? KERR_OK : e;
}

/* --- rule sets --- */

Q(Q_RULES_NEXT, "SELECT COALESCE(MAX(version), 0) + 1 FROM risk_rule_sets");
Q(Q_RULES_ADD, "INSERT INTO risk_rule_sets (version, text, rules, effective_from, note,"
	       " created_by, created_role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
Q(Q_RULES_ACTIVE, "SELECT version FROM risk_rule_sets WHERE effective_from <= ?"
		  " ORDER BY effective_from DESC, version DESC LIMIT 1");
#define META_COLS "version, rules, effective_from, note, created_by, created_role, created_at"
Q(Q_RULES_GET, "SELECT " META_COLS ", text FROM risk_rule_sets WHERE version = ?");
Q(Q_RULES_LIST, "SELECT " META_COLS " FROM risk_rule_sets ORDER BY version DESC");

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

kerr repo_rules_latest(struct store_conn *c, int64_t *version)
{
	int64_t next = 0;
	kerr e = store_first(c, &Q_RULES_NEXT, read_int, &next, "");
	*version = next - 1;
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

kerr repo_rules_add(struct store_conn *c, const char *text, int64_t rules,
		    const char *effective_from, const char *note, const char *by,
		    const char *role, const char *at, int64_t *version)
{
	int64_t latest;
	kerr e = repo_rules_latest(c, &latest);
	if (e)
		return e;
	*version = latest + 1;
	return store_exec(c, &Q_RULES_ADD, "isisssss", *version, text, rules,
			  effective_from, note, by, role, at);
}

kerr repo_rules_active(struct store_conn *c, const char *at, int64_t *version)
{
	return store_first(c, &Q_RULES_ACTIVE, read_int, version, "s", at);
}

static void meta_from(struct store_stmt *st, struct rules_meta *m)
{
	memset(m, 0, sizeof *m);
	m->version = stmt_int(st, 0);
	m->rules = stmt_int(st, 1);
	col_copy(st, 2, m->effective_from, sizeof m->effective_from);
	col_copy(st, 3, m->note, sizeof m->note);
	col_copy(st, 4, m->created_by, sizeof m->created_by);
	col_copy(st, 5, m->created_role, sizeof m->created_role);
	col_copy(st, 6, m->created_at, sizeof m->created_at);
}

struct rules_out {
	char **text;
	struct rules_meta *meta;
};

static kerr read_rules(void *arg, struct store_stmt *st)
{
	struct rules_out *o = arg;
	if (o->meta)
		meta_from(st, o->meta);
	*o->text = strdup(stmt_text(st, 7));
	return *o->text ? KERR_OK : KERR_NOMEM;
}

kerr repo_rules_get(struct store_conn *c, int64_t version, char **text,
		    struct rules_meta *meta)
{
	struct rules_out o = {text, meta};
	*text = NULL;
	kerr e = store_first(c, &Q_RULES_GET, read_rules, &o, "i", version);
	if (e) {
		free(*text);
		*text = NULL;
	}
	return e;
}

struct meta_visit {
	rules_meta_fn fn;
	void *arg;
};

static kerr visit_meta(void *arg, struct store_stmt *st)
{
	struct meta_visit *v = arg;
	struct rules_meta m;
	meta_from(st, &m);
	return v->fn(v->arg, &m);
}

kerr repo_rules_list(struct store_conn *c, rules_meta_fn fn, void *arg)
{
	struct meta_visit v = {fn, arg};
	return store_each(c, &Q_RULES_LIST, visit_meta, &v, "");
}

/* --- profiles --- */

#define PROFILE_COLS "office, agency, random_ppm, base_lane, updated_by, updated_at"
Q(Q_PROFILES_OF, "SELECT " PROFILE_COLS " FROM risk_profiles WHERE office = ?");
Q(Q_PROFILE_PUT, "INSERT INTO risk_profiles (office, agency, random_ppm, base_lane,"
		 " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
		 " ON CONFLICT (office, agency) DO UPDATE SET random_ppm = excluded.random_ppm,"
		 " base_lane = excluded.base_lane, updated_by = excluded.updated_by,"
		 " updated_at = excluded.updated_at");
Q(Q_PROFILES_LIST, "SELECT " PROFILE_COLS " FROM risk_profiles ORDER BY office, agency");

struct profile_visit {
	profile_row_fn fn;
	void *arg;
};

static kerr visit_profile(void *arg, struct store_stmt *st)
{
	struct profile_visit *v = arg;
	struct profile_row p = {stmt_text(st, 0), stmt_text(st, 1), stmt_int(st, 2),
				stmt_text(st, 3), stmt_text(st, 4), stmt_text(st, 5)};
	return v->fn(v->arg, &p);
}

kerr repo_profiles_of(struct store_conn *c, const char *office, profile_row_fn fn,
		      void *arg)
{
	struct profile_visit v = {fn, arg};
	return store_each(c, &Q_PROFILES_OF, visit_profile, &v, "s", office);
}

kerr repo_profile_put(struct store_conn *c, const char *office, const char *agency,
		      int64_t ppm, const char *lane, const char *by, const char *at)
{
	return store_exec(c, &Q_PROFILE_PUT, "ssisss", office, agency, ppm, lane, by, at);
}

/* --- what one assessment reads --- */

/* One row of scalars joined to the office's profiles: the six lookups of
 * an assessment in one statement, so one round trip. Q_RULES_ACTIVE,
 * Q_SETTINGS_TWO, Q_CREDIT_GET, Q_KNOWN_IMPORTER and Q_PROFILES_OF are
 * the same lookups one at a time, for the other callers. */
Q(Q_RISK_INPUTS,
  "SELECT f.rules, f.setting1, f.setting2, f.consignee_credit, f.declarant_credit, f.known,"
  " f.withdrawn, p.office, p.agency, p.random_ppm, p.base_lane, p.updated_by, p.updated_at"
  " FROM (SELECT"
  " (SELECT version FROM risk_rule_sets WHERE effective_from <= ?"
  " ORDER BY effective_from DESC, version DESC LIMIT 1) AS rules,"
  " (SELECT value FROM settings WHERE name = ?) AS setting1,"
  " (SELECT value FROM settings WHERE name = ?) AS setting2,"
  " (SELECT credit_class FROM organisations WHERE uscc = ?) AS consignee_credit,"
  " (SELECT credit_class FROM organisations WHERE uscc = ?) AS declarant_credit,"
  " (" IMPORTER_SEEN ") AS known,"
  " (SELECT COUNT(*) FROM withdrawals WHERE consignee_uscc = ? AND bill_of_lading = ?"
  " AND declaration_number <> CAST(? AS BIGINT)) AS withdrawn) AS f"
  " LEFT JOIN risk_profiles AS p ON p.office = ?");

struct inputs_visit {
	risk_inputs_fn fn;
	void *arg;
};

static const char *text_or_null(struct store_stmt *st, int i)
{
	return stmt_is_null(st, i) ? NULL : stmt_text(st, i);
}

static kerr visit_inputs(void *arg, struct store_stmt *st)
{
	struct inputs_visit *v = arg;
	struct risk_inputs in = {
		.rules_version = stmt_is_null(st, 0) ? 0 : stmt_int(st, 0),
		.setting1 = text_or_null(st, 1),
		.setting2 = text_or_null(st, 2),
		.consignee_credit = text_or_null(st, 3),
		.declarant_credit = text_or_null(st, 4),
		.importer = importer_at(st, 5),
		.withdrawn = stmt_int(st, 6),
	};
	struct profile_row p = {stmt_text(st, 7), stmt_text(st, 8), stmt_int(st, 9),
				stmt_text(st, 10), stmt_text(st, 11), stmt_text(st, 12)};
	return v->fn(v->arg, &in, stmt_is_null(st, 7) ? NULL : &p);
}

void repo_risk_inputs_send(struct store_conn *c, const struct risk_inputs_key *k,
			   struct store_ahead *a)
{
	store_ahead_send(a, c, &Q_RISK_INPUTS, "sssssssssss", k->now, k->setting1, k->setting2,
			 k->consignee, k->declarant, k->number, k->consignee, k->consignee,
			 k->bill, k->number, k->office);
}

kerr repo_risk_inputs_take(struct store_ahead *a, risk_inputs_fn fn, void *arg)
{
	struct inputs_visit v = {fn, arg};
	return store_ahead_each(a, visit_inputs, &v);
}

kerr repo_profiles_list(struct store_conn *c, profile_row_fn fn, void *arg)
{
	struct profile_visit v = {fn, arg};
	return store_each(c, &Q_PROFILES_LIST, visit_profile, &v, "");
}

/* --- assessments --- */

/* Kept smaller than shown (migration 0018): the number as its value, the
 * time as microseconds. */
#define ASSESS_INSERT                                                                  \
	"INSERT INTO risk_assessments (declaration_number, declaration_version, rules_version," \
	" assessed_at, outcome) VALUES (CAST(? AS BIGINT), ?, ?, ?, ?)"
/* the first of a version: a plain insert (see repo_duty_assessment_put) */
Q(Q_ASSESS_ADD, ASSESS_INSERT);
Q(Q_ASSESS_PUT, ASSESS_INSERT
		" ON CONFLICT (declaration_number, declaration_version) DO UPDATE SET"
		" rules_version = excluded.rules_version, assessed_at = excluded.assessed_at,"
		" outcome = excluded.outcome");
Q(Q_ASSESS_GET, "SELECT declaration_version, rules_version, assessed_at, outcome"
		" FROM risk_assessments WHERE declaration_number = CAST(? AS BIGINT)"
		" ORDER BY declaration_version DESC LIMIT 1");
Q(Q_HIT_PUT, "INSERT INTO risk_rule_hits (rules_version, rule_line, agency,"
	     " declaration_number, selected) VALUES (?, ?, ?, ?, ?)"
	     " ON CONFLICT (rules_version, rule_line, declaration_number) DO UPDATE"
	     " SET selected = excluded.selected");
Q(Q_EFFECTIVENESS,
  "SELECT h.rule_line, h.agency, COUNT(*), SUM(h.selected),"
  " SUM(CASE WHEN f.result IS NOT NULL AND h.selected = 1 THEN 1 ELSE 0 END),"
  " SUM(CASE WHEN f.result = 'problem' AND h.selected = 1 THEN 1 ELSE 0 END)"
  " FROM risk_rule_hits h LEFT JOIN inspection_findings f"
  " ON f.declaration_number = h.declaration_number AND f.agency = h.agency"
  " WHERE h.rules_version = ? GROUP BY h.rule_line, h.agency"
  " ORDER BY h.rule_line, h.agency");
Q(Q_LODGED, "SELECT number, body FROM declarations WHERE lodged_at >= ? AND lodged_at < ?"
	    " ORDER BY lodged_at, number LIMIT ?");

kerr repo_assessment_put(struct store_conn *c, const char *number,
			 int64_t declaration_version, int64_t rules_version,
			 const char *at, const char *outcome, bool first)
{
	char *packed = NULL;
	int64_t us;
	kerr e = repo_time_us(at, &us);
	if (!e)
		e = packed_pack(PACKED_RISK, outcome, &packed);
	if (!e)
		e = store_exec_later(c, first ? &Q_ASSESS_ADD : &Q_ASSESS_PUT, "siiis", number,
				     declaration_version, rules_version, us, packed);
	free(packed);
	return e;
}

static kerr read_assessment(void *arg, struct store_stmt *st)
{
	struct assessment_row *a = arg;
	a->declaration_version = stmt_int(st, 0);
	a->rules_version = stmt_int(st, 1);
	col_time(st, 2, a->assessed_at);
	kerr e = packed_unpack(stmt_text(st, 3), &a->outcome);
	return e == KERR_INVALID ? KERR_STORE : e;
}

kerr repo_assessment_get(struct store_conn *c, const char *number,
			 struct assessment_row *out)
{
	memset(out, 0, sizeof *out);
	kerr e = store_first(c, &Q_ASSESS_GET, read_assessment, out, "s", number);
	if (e) {
		free(out->outcome);
		out->outcome = NULL;
	}
	return e;
}

kerr repo_rule_hit_put(struct store_conn *c, int64_t rules_version, int64_t line,
		       const char *agency, const char *number, bool selected)
{
	return store_exec(c, &Q_HIT_PUT, "iissi", rules_version, line, agency, number,
			  (int64_t)selected);
}

struct effect_visit {
	rule_effect_fn fn;
	void *arg;
};

static kerr visit_effect(void *arg, struct store_stmt *st)
{
	struct effect_visit *v = arg;
	struct rule_effect_row r = {stmt_int(st, 0), stmt_text(st, 1), stmt_int(st, 2),
				    stmt_int(st, 3), stmt_int(st, 4), stmt_int(st, 5)};
	return v->fn(v->arg, &r);
}

kerr repo_rule_effectiveness(struct store_conn *c, int64_t rules_version,
			     rule_effect_fn fn, void *arg)
{
	struct effect_visit v = {fn, arg};
	return store_each(c, &Q_EFFECTIVENESS, visit_effect, &v, "i", rules_version);
}

struct lodged_visit {
	kerr (*fn)(void *arg, const char *number, const char *body);
	void *arg;
};

static kerr visit_lodged(void *arg, struct store_stmt *st)
{
	struct lodged_visit *v = arg;
	char *body;
	kerr e = packed_unpack(stmt_text(st, 1), &body);
	if (e)
		return e == KERR_INVALID ? KERR_STORE : e;
	e = v->fn(v->arg, stmt_text(st, 0), body);
	free(body);
	return e;
}

kerr repo_declarations_lodged(struct store_conn *c, int64_t from_us, int64_t to_us,
			      int limit,
			      kerr (*fn)(void *arg, const char *number, const char *body),
			      void *arg)
{
	struct lodged_visit v = {fn, arg};
	return store_each(c, &Q_LODGED, visit_lodged, &v, "iii", from_us, to_us, (int64_t)limit);
}
