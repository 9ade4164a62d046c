/* repo_risk.c - queries of risk-based clearance (see repo_risk.h). */
#include "store/repo_risk.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

#define Q(name, sql) static const struct sql_query name = {sql}

Q(Q_CREDIT_GET, "SELECT id, credit_class FROM organisations WHERE uscc = ?");
Q(Q_CREDIT_SET, "UPDATE organisations SET credit_class = ? WHERE id = ?");
Q(Q_CREDIT_LOG, "INSERT INTO credit_history (org_id, from_class, to_class, reason,"
		" changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)");
Q(Q_CREDIT_HISTORY, "SELECT from_class, to_class, reason, changed_by, changed_at"
		    " FROM credit_history WHERE org_id = ? ORDER BY id");
Q(Q_KNOWN_IMPORTER, "SELECT 1 FROM declarations WHERE consignee_uscc = ?"
		    " AND direction = 'import' AND number <> ? LIMIT 1");

kerr repo_credit_get(struct store_conn *c, const char *uscc, int64_t *org_id,
		     char *class_out, size_t n)
{
	struct store_stmt *st = store_query(c, &Q_CREDIT_GET, "s", uscc);
	if (!st)
		return KERR_STORE;
	enum store_step r = stmt_step(st);
	if (r == STORE_ROW) {
		*org_id = stmt_int(st, 0);
		str_copy(class_out, stmt_text(st, 1), n);
	}
	stmt_done(st);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

kerr repo_credit_set(struct store_conn *c, int64_t org_id, const char *from,
		     const char *to, const char *reason, const char *by, const char *at)
{
	kerr e = store_exec(c, &Q_CREDIT_SET, "si", to, org_id);
	if (!e)
		e = store_exec(c, &Q_CREDIT_LOG, "isssss", org_id, from, to, reason, by, at);
	return e;
}

json_t *repo_credit_history(struct store_conn *c, int64_t org_id)
{
	struct store_stmt *st = store_query(c, &Q_CREDIT_HISTORY, "i", org_id);
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "from",
						   stmt_text(st, 0), "to", stmt_text(st, 1),
						   "reason", stmt_text(st, 2), "changed_by",
						   stmt_text(st, 3), "changed_at",
						   stmt_text(st, 4)));
	stmt_done(st);
	return a;
}

kerr repo_known_importer(struct store_conn *c, const char *uscc, const char *number,
			 bool *known)
{
	struct store_stmt *st = store_query(c, &Q_KNOWN_IMPORTER, "ss", uscc, number);
	if (!st)
		return KERR_STORE;
	enum store_step r = stmt_step(st);
	*known = r == STORE_ROW;
	stmt_done(st);
	return r == STORE_ERROR ? KERR_STORE : KERR_OK;
}

Q(Q_RULES_NEXT, "SELECT COALESCE(MAX(version), 0) + 1 FROM risk_rule_sets");
Q(Q_RULES_ADD, "INSERT INTO risk_rule_sets (version, text, rules, effective_from, note,"
	       " created_by, created_role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
Q(Q_RULES_ACTIVE, "SELECT version FROM risk_rule_sets WHERE effective_from <= ?"
		  " ORDER BY effective_from DESC, version DESC LIMIT 1");
Q(Q_RULES_GET, "SELECT text, version, rules, effective_from, note, created_by,"
	       " created_role, created_at FROM risk_rule_sets WHERE version = ?");
Q(Q_RULES_LIST, "SELECT version, rules, effective_from, note, created_by,"
		" created_role, created_at FROM risk_rule_sets ORDER BY version DESC");

kerr repo_rules_latest(struct store_conn *c, int64_t *version)
{
	struct store_stmt *st = store_query(c, &Q_RULES_NEXT, "");
	if (!st)
		return KERR_STORE;
	enum store_step r = stmt_step(st);
	if (r == STORE_ROW)
		*version = stmt_int(st, 0) - 1;
	stmt_done(st);
	return r == STORE_ROW ? KERR_OK : KERR_STORE;
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
	struct store_stmt *st = store_query(c, &Q_RULES_ACTIVE, "s", at);
	if (!st)
		return KERR_STORE;
	enum store_step r = stmt_step(st);
	if (r == STORE_ROW)
		*version = stmt_int(st, 0);
	stmt_done(st);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

static json_t *rules_meta(struct store_stmt *st, int first)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "version",
			 (json_int_t)stmt_int(st, first), "rules",
			 (json_int_t)stmt_int(st, first + 1), "effective_from",
			 stmt_text(st, first + 2), "note", stmt_text(st, first + 3),
			 "created_by", stmt_text(st, first + 4), "created_role",
			 stmt_text(st, first + 5), "created_at", stmt_text(st, first + 6));
}

kerr repo_rules_get(struct store_conn *c, int64_t version, char **text, json_t **meta)
{
	struct store_stmt *st = store_query(c, &Q_RULES_GET, "i", version);
	if (!st)
		return KERR_STORE;
	enum store_step r = stmt_step(st);
	kerr e = r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
	if (r == STORE_ROW) {
		*text = strdup(stmt_text(st, 0));
		if (meta)
			*meta = rules_meta(st, 1);
		if (!*text)
			e = KERR_NOMEM;
	}
	stmt_done(st);
	return e;
}

json_t *repo_rules_list(struct store_conn *c)
{
	struct store_stmt *st = store_query(c, &Q_RULES_LIST, "");
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(a, rules_meta(st, 0));
	stmt_done(st);
	return a;
}

Q(Q_PROFILES_OF, "SELECT agency, random_ppm, base_lane FROM risk_profiles WHERE office = ?");
Q(Q_PROFILE_PUT, "INSERT INTO risk_profiles (office, agency, random_ppm, base_lane,"
		 " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
		 " ON CONFLICT (office, agency) DO UPDATE SET random_ppm = excluded.random_ppm,"
		 " base_lane = excluded.base_lane, updated_by = excluded.updated_by,"
		 " updated_at = excluded.updated_at");
Q(Q_PROFILES_LIST, "SELECT office, agency, random_ppm, base_lane, updated_by, updated_at"
		   " FROM risk_profiles ORDER BY office, agency");

kerr repo_profiles_of(struct store_conn *c, const char *office,
		      void (*fn)(void *arg, const char *agency, int64_t ppm,
				 const char *lane),
		      void *arg)
{
	struct store_stmt *st = store_query(c, &Q_PROFILES_OF, "s", office);
	if (!st)
		return KERR_STORE;
	enum store_step r;
	while ((r = stmt_step(st)) == STORE_ROW)
		fn(arg, stmt_text(st, 0), stmt_int(st, 1), stmt_text(st, 2));
	stmt_done(st);
	return r == STORE_DONE ? KERR_OK : KERR_STORE;
}

kerr repo_profile_put(struct store_conn *c, const char *office, const char *agency,
		      int64_t ppm, const char *lane, const char *by, const char *at)
{
	return store_exec(c, &Q_PROFILE_PUT, "ssisss", office, agency, ppm, lane, by, at);
}

json_t *repo_profiles_list(struct store_conn *c)
{
	struct store_stmt *st = store_query(c, &Q_PROFILES_LIST, "");
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "office",
				     stmt_text(st, 0), "agency", stmt_text(st, 1),
				     "random_ppm", (json_int_t)stmt_int(st, 2), "base_lane",
				     stmt_text(st, 3), "updated_by", stmt_text(st, 4),
				     "updated_at", stmt_text(st, 5)));
	stmt_done(st);
	return a;
}

Q(Q_ASSESS_PUT, "INSERT INTO risk_assessments (declaration_number, declaration_version,"
		" rules_version, assessed_at, outcome) VALUES (?, ?, ?, ?, ?)"
		" ON CONFLICT (declaration_number, declaration_version) DO UPDATE SET"
		" rules_version = excluded.rules_version, assessed_at = excluded.assessed_at,"
		" outcome = excluded.outcome");
Q(Q_ASSESS_GET, "SELECT declaration_version, rules_version, assessed_at, outcome"
		" FROM risk_assessments WHERE declaration_number = ?"
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
			 const char *at, const char *outcome)
{
	return store_exec(c, &Q_ASSESS_PUT, "siiss", number, declaration_version,
			  rules_version, at, outcome);
}

json_t *repo_assessment_get(struct store_conn *c, const char *number)
{
	struct store_stmt *st = store_query(c, &Q_ASSESS_GET, "s", number);
	if (!st)
		return NULL;
	json_t *o = NULL;
	if (stmt_step(st) == STORE_ROW) {
		json_t *outcome = json_loads(stmt_text(st, 3), 0, NULL);
		o = json_pack("{s:I, s:I, s:s, s:o}", "declaration_version",
			      (json_int_t)stmt_int(st, 0), "rules_version",
			      (json_int_t)stmt_int(st, 1), "assessed_at", stmt_text(st, 2),
			      "outcome", outcome ? outcome : json_null());
	}
	stmt_done(st);
	return o;
}

kerr repo_rule_hit_put(struct store_conn *c, int64_t rules_version, int64_t line,
		       const char *agency, const char *number, bool selected)
{
	return store_exec(c, &Q_HIT_PUT, "iissi", rules_version, line, agency, number,
			  (int64_t)selected);
}

json_t *repo_rule_effectiveness(struct store_conn *c, int64_t rules_version)
{
	struct store_stmt *st = store_query(c, &Q_EFFECTIVENESS, "i", rules_version);
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(
			a, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "line",
				     (json_int_t)stmt_int(st, 0), "agency", stmt_text(st, 1),
				     "hits", (json_int_t)stmt_int(st, 2), "selected",
				     (json_int_t)stmt_int(st, 3), "inspected",
				     (json_int_t)stmt_int(st, 4), "problems_found",
				     (json_int_t)stmt_int(st, 5)));
	stmt_done(st);
	return a;
}

kerr repo_declarations_lodged(struct store_conn *c, const char *from, const char *to,
			      int limit,
			      void (*fn)(void *arg, const char *number, const char *body),
			      void *arg)
{
	struct store_stmt *st = store_query(c, &Q_LODGED, "ssi", from, to, (int64_t)limit);
	if (!st)
		return KERR_STORE;
	enum store_step r;
	while ((r = stmt_step(st)) == STORE_ROW)
		fn(arg, stmt_text(st, 0), stmt_text(st, 1));
	stmt_done(st);
	return r == STORE_DONE ? KERR_OK : KERR_STORE;
}

