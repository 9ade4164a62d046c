/*
 * stats_report.c - the text around the statistics engine: query parameters
 * in (with a problem per bad parameter), the answer out as JSON and as CSV
 * tables (see stats.h).
 *
 * It must never compute a statistic itself (the engine does), nor word a
 * share or a duration differently from one output to another.
 */
#include "domain/stats.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "domain/risk.h"

static const char *const flag_names[] = {"advance", "corrected", "inspected", "out_of_order"};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

static const char *const table_names[STATS_TABLES] = {"stages", "hours", "weekdays",
						      "outliers", "targets"};

const char *stats_table_name(enum stats_table t)
{
	return (unsigned)t < STATS_TABLES ? table_names[t] : "?";
}

bool stats_table_parse(const char *s, enum stats_table *out)
{
	for (int i = 0; s && i < STATS_TABLES; i++) {
		if (strcmp(s, table_names[i]) == 0) {
			*out = (enum stats_table)i;
			return true;
		}
	}
	return false;
}

void stats_share(uint64_t a, uint64_t b, char out[8])
{
	if (!b) {
		str_copy(out, "0.0000", 8);
		return;
	}
	if (a > b)
		a = b;
	/* a/b in ten-thousandths, half up: (20000a + b) / 2b; sums of seconds
	 * times 20000 may pass 64 bits */
	uint64_t x = (uint64_t)(((unsigned __int128)a * 20000 + b) / ((unsigned __int128)b * 2));
	snprintf(out, 8, "%u.%04u", (unsigned)(x / 10000) % 10u, (unsigned)(x % 10000) % 10000u);
}

/* ------------------------------------------------------------------ */
/* query parameters                                                    */

/* The next item of a comma list into item[n]; false at the end. An item
 * too long is cut (and reported by the caller through *too_long). */
static bool next_item(const char **s, char *item, size_t n, bool *too_long)
{
	const char *p = *s;
	size_t len = 0;
	if (!p)
		return false;
	while (p[len] && p[len] != ',')
		len++;
	*too_long = len >= n;
	size_t keep = len < n ? len : n - 1;
	memcpy(item, p, keep);
	item[keep] = '\0';
	*s = p[len] ? p + len + 1 : NULL;
	return true;
}

static bool parse_tz(const char *s, int32_t *out)
{
	if (!strcmp(s, "Z") || !strcmp(s, "z")) {
		*out = 0;
		return true;
	}
	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return false;
	for (int i = 1; i < 6; i++)
		if (i != 3 && (s[i] < '0' || s[i] > '9'))
			return false;
	int h = (s[1] - '0') * 10 + (s[2] - '0'), m = (s[4] - '0') * 10 + (s[5] - '0');
	int32_t off = (h * 60 + m) * 60;
	if (m > 59 || off > STATS_TZ_LIMIT)
		return false;
	*out = s[0] == '-' ? -off : off;
	return true;
}

static void format_tz(int32_t off, char out[8])
{
	if (!off) {
		str_copy(out, "Z", 8);
		return;
	}
	unsigned a = (unsigned)(off < 0 ? -off : off);
	snprintf(out, 8, "%c%02u:%02u", off < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
}

/* An instant: RFC 3339, or YYYY-MM-DD for midnight at offset tz. */
static bool parse_instant(const char *s, int32_t tz, int64_t *us)
{
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		char text[40], zone[8];
		format_tz(tz, zone);
		snprintf(text, sizeof text, "%sT00:00:00%s", s, zone);
		return ktime_parse(text, us);
	}
	return ktime_parse(s, us);
}

/* A duration: a decimal number and a unit h, m or s, in whole seconds. */
static bool parse_duration(const char *s, uint32_t *out)
{
	uint64_t units = 0, scale = 1;
	int decimals = -1;
	size_t len = strlen(s), i = 0;
	if (len < 2)
		return false;
	uint64_t unit = s[len - 1] == 'h' ? 3600 : s[len - 1] == 'm' ? 60 : s[len - 1] == 's' ? 1 : 0;
	if (!unit)
		return false;
	for (; i < len - 1; i++) {
		if (s[i] == '.' && decimals < 0 && i > 0) {
			decimals = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || units > 1000000000000ull || decimals >= 4)
			return false;
		units = units * 10 + (uint64_t)(s[i] - '0');
		if (decimals >= 0) {
			decimals++;
			scale *= 10;
		}
	}
	if (decimals == 0) /* "40.h" */
		return false;
	if (units * unit % scale)
		return false;
	uint64_t sec = units * unit / scale;
	if (sec > STATS_MAX_SECONDS)
		return false;
	*out = (uint32_t)sec;
	return true;
}

static bool name_bit(const char *item, const char *(*name)(int), int n, unsigned *bits)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(item, name(i))) {
			*bits |= 1u << i;
			return true;
		}
	}
	return false;
}

static const char *direction_at(int i)
{
	return stage_direction_name((enum stage_direction)i);
}

static const char *outcome_at(int i)
{
	return stage_outcome_name((enum stage_outcome)i);
}

static const char *total_at(int i)
{
	return stage_total_name((enum stage_total)i);
}

static const char *flag_at(int i)
{
	return (size_t)i < NFLAGS ? flag_names[i] : "?";
}

static bool valid_code(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!((*v >= '0' && *v <= '9') || (*v >= 'A' && *v <= 'Z') ||
		      (*v >= 'a' && *v <= 'z') || *v == '_' || *v == '-' || *v == '.'))
			return false;
	return true;
}

/* A comma list of names into a bit set; false (with a problem) on a bad
 * item. */
static bool parse_names(const char *text, const char *field, const char *(*name)(int),
			int n, const char *accepted, unsigned *bits, struct problems *p)
{
	char item[32];
	bool too_long;
	*bits = 0;
	while (next_item(&text, item, sizeof item, &too_long)) {
		if (too_long || !name_bit(item, name, n, bits)) {
			problems_add(p, field, "\"%s\" is not one of %s", item, accepted);
			return false;
		}
	}
	return true;
}

bool stats_query_parse(struct stats_query *q, const char *(*get)(void *ctx, const char *name),
		       void *ctx, struct problems *p)
{
	size_t before = p->count + p->dropped;
	const char *v;
	char item[STATS_VALUE_MAX];
	bool too_long;

	stats_query_init(q);
	if ((v = get(ctx, "tz")) && !parse_tz(v, &q->tz_offset_s))
		problems_add(p, "query:tz",
			     "must be Z or an offset such as +08:00, at most 14:00 from UTC");
	if ((v = get(ctx, "from")) && !parse_instant(v, q->tz_offset_s, &q->from_us))
		problems_add(p, "query:from",
			     "must be a date (YYYY-MM-DD, midnight at the offset tz) or an "
			     "RFC 3339 time");
	if ((v = get(ctx, "to")) && !parse_instant(v, q->tz_offset_s, &q->to_us))
		problems_add(p, "query:to",
			     "must be a date (YYYY-MM-DD, midnight at the offset tz) or an "
			     "RFC 3339 time");
	if (q->from_us > q->to_us)
		problems_add(p, "query:to", "must not be before from");
	if ((v = get(ctx, "direction"))) {
		enum stage_direction d;
		if (stage_direction_parse(v, &d))
			q->directions = 1u << d;
		else
			problems_add(p, "query:direction", "must be import or export");
	}
	if ((v = get(ctx, "outcome")))
		parse_names(v, "query:outcome", outcome_at, OUTCOME_COUNT,
			    "released, in_progress, withdrawn, rejected", &q->outcomes, p);
	if ((v = get(ctx, "total")))
		parse_names(v, "query:total", total_at, TOTAL_KINDS, "border, declaration, none",
			    &q->totals, p);
	if ((v = get(ctx, "flags"))) {
		char flag[32];
		while (next_item(&v, flag, sizeof flag, &too_long)) {
			bool not = flag[0] == '!';
			unsigned bit = 0;
			if (too_long || !name_bit(flag + not, flag_at, (int)NFLAGS, &bit)) {
				problems_add(p, "query:flags",
					     "\"%s\" is not one of advance, corrected, inspected, "
					     "out_of_order (each may start with ! for \"not\")",
					     flag);
				break;
			}
			if (not)
				q->flags_clear |= bit;
			else
				q->flags_set |= bit;
		}
	}
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		char field[48];
		snprintf(field, sizeof field, "query:%s", stats_dim_name(d));
		if (!(v = get(ctx, stats_dim_name(d))))
			continue;
		while (next_item(&v, item, sizeof item, &too_long)) {
			if (too_long || !valid_code(item)) {
				problems_add(p, field,
					     "each value must be a code of 1 to %d letters, digits, "
					     "'_', '-' or '.', separated by commas",
					     STATS_VALUE_MAX - 1);
				break;
			}
			/* the two dimensions whose values are a closed list */
			enum risk_lane lane;
			enum credit_class credit;
			if (d == STATS_DIM_LANE && !risk_lane_parse(item, &lane)) {
				problems_add(p, field, "\"%s\" is not one of green, blue, yellow, red",
					     item);
				break;
			}
			if (d == STATS_DIM_CREDIT_CLASS && !credit_class_parse(item, &credit)) {
				problems_add(p, field,
					     "\"%s\" is not one of advanced, standard, discredited",
					     item);
				break;
			}
			if (q->nvalues[d] == STATS_MAX_VALUES) {
				problems_add(p, field, "takes at most %d values", STATS_MAX_VALUES);
				break;
			}
			str_copy(q->values[d][q->nvalues[d]++], item, STATS_VALUE_MAX);
		}
	}
	for (int dir = 0; dir < STAGE_DIRECTIONS; dir++) {
		char name[32], field[48], target[24];
		snprintf(name, sizeof name, "target_%s", stage_direction_name(dir));
		snprintf(field, sizeof field, "query:%s", name);
		if (!(v = get(ctx, name)))
			continue;
		q->ntargets[dir] = 0;
		while (next_item(&v, target, sizeof target, &too_long)) {
			if (too_long || q->ntargets[dir] == STATS_MAX_TARGETS ||
			    !parse_duration(target, &q->target_s[dir][q->ntargets[dir]])) {
				problems_add(p, field,
					     "must be at most %d durations such as 40h, 32.02h, 90m "
					     "or 3600s, in whole seconds, separated by commas",
					     STATS_MAX_TARGETS);
				break;
			}
			q->ntargets[dir]++;
		}
	}
	if ((v = get(ctx, "outliers"))) {
		unsigned n = 0;
		size_t len = strlen(v);
		bool ok = len > 0 && len <= 3;
		for (size_t i = 0; ok && i < len; i++) {
			ok = v[i] >= '0' && v[i] <= '9';
			n = n * 10 + (unsigned)(v[i] - '0');
		}
		if (ok && n <= STATS_MAX_OUTLIERS)
			q->outliers = n;
		else
			problems_add(p, "query:outliers", "must be a whole number from 0 to %d",
				     STATS_MAX_OUTLIERS);
	}
	return p->count + p->dropped == before;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static json_t *time_or_null(int64_t us)
{
	char text[KTIME_TEXT_MAX];
	if (us == INT64_MIN || us == INT64_MAX)
		return json_null();
	ktime_format(us, text);
	return json_string(text);
}

static json_t *share_json(uint64_t a, uint64_t b)
{
	char text[8];
	stats_share(a, b, text);
	return json_string(text);
}

static json_t *bits_json(unsigned bits, const char *(*name)(int), int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		if (bits >> i & 1)
			json_array_append_new(a, json_string(name(i)));
	return a;
}

static json_t *query_json(const struct stats_query *q)
{
	char tz[8];
	json_t *o = json_object(), *dims = json_object(), *targets = json_object();
	json_t *flags = json_array();
	format_tz(q->tz_offset_s, tz);
	for (size_t i = 0; i < NFLAGS; i++) {
		if (q->flags_set >> i & 1)
			json_array_append_new(flags, json_string(flag_names[i]));
		if (q->flags_clear >> i & 1) {
			char text[40];
			snprintf(text, sizeof text, "!%s", flag_names[i]);
			json_array_append_new(flags, json_string(text));
		}
	}
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		if (!q->nvalues[d])
			continue;
		json_t *a = json_array();
		for (size_t i = 0; i < q->nvalues[d]; i++)
			json_array_append_new(a, json_string(q->values[d][i]));
		json_object_set_new(dims, stats_dim_name(d), a);
	}
	for (int dir = 0; dir < STAGE_DIRECTIONS; dir++) {
		json_t *a = json_array();
		for (size_t i = 0; i < q->ntargets[dir]; i++)
			json_array_append_new(a, json_integer(q->target_s[dir][i]));
		json_object_set_new(targets, stage_direction_name(dir), a);
	}
	json_object_set_new(o, "from", time_or_null(q->from_us));
	json_object_set_new(o, "to", time_or_null(q->to_us));
	json_object_set_new(o, "tz", json_string(tz));
	json_object_set_new(o, "direction",
			    bits_json(q->directions ? q->directions : 3u, direction_at,
				      STAGE_DIRECTIONS));
	json_object_set_new(o, "outcome", bits_json(q->outcomes, outcome_at, OUTCOME_COUNT));
	json_object_set_new(o, "total", bits_json(q->totals, total_at, TOTAL_KINDS));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "dimensions", dims);
	json_object_set_new(o, "targets_s", targets);
	json_object_set_new(o, "outliers", json_integer((json_int_t)q->outliers));
	return o;
}

static json_t *measure_json(const struct stats_measure *m)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)m->count,
			 "sum_s", (json_int_t)m->sum, "mean_s", (json_int_t)m->mean, "median_s",
			 (json_int_t)m->median, "p90_s", (json_int_t)m->p90, "p95_s",
			 (json_int_t)m->p95, "max_s", (json_int_t)m->max);
}

static json_t *group_json(const char *key, json_t *label, const struct stats_group *g)
{
	return json_pack("{s:o, s:I, s:I, s:I}", key, label, "count", (json_int_t)g->count,
			 "mean_s", (json_int_t)g->mean, "median_s", (json_int_t)g->median);
}

static json_t *direction_json(enum stage_direction dir, const struct stats_direction *d)
{
	json_t *o = json_object(), *totals = json_object(), *targets = json_array();
	json_t *stages = json_array(), *parties = json_object(), *hours = json_array();
	json_t *days = json_array(), *listed = json_array();
	json_t *total = measure_json(&d->total);
	uint64_t stage_sum = 0;

	for (int k = 0; k < TOTAL_KINDS; k++)
		json_object_set_new(totals, stage_total_name(k), json_integer((json_int_t)d->by_total[k]));
	json_object_set_new(total, "p25_s", json_integer(d->p25));
	json_object_set_new(total, "p75_s", json_integer(d->p75));
	for (size_t i = 0; i < d->ntargets; i++)
		json_array_append_new(targets,
				      json_pack("{s:I, s:I, s:o}", "target_s",
						(json_int_t)d->target_s[i], "within",
						(json_int_t)d->within[i], "share",
						share_json(d->within[i], d->total.count)));
	for (int p = 0; p < PARTY_COUNT; p++)
		stage_sum += d->party_s[p];
	for (int s = 0; s < STAGE_COUNT; s++) {
		if (!stage_applies(dir, s))
			continue;
		json_t *m = measure_json(&d->stage[s]);
		json_object_set_new(m, "stage", json_string(stage_name(s)));
		json_object_set_new(m, "title", json_string(stage_title(s)));
		json_object_set_new(m, "party", json_string(stage_party_name(stage_party_of(s))));
		json_object_set_new(m, "share_of_time", share_json(d->stage[s].sum, stage_sum));
		json_array_append_new(stages, m);
	}
	for (int p = 0; p < PARTY_COUNT; p++)
		json_object_set_new(parties, stage_party_name(p),
				    json_pack("{s:I, s:o}", "sum_s", (json_int_t)d->party_s[p],
					      "share", share_json(d->party_s[p], stage_sum)));
	for (int h = 0; h < STATS_HOURS; h++)
		json_array_append_new(hours, group_json("hour", json_integer(h), &d->hour[h]));
	for (int w = 0; w < STATS_WEEKDAYS; w++)
		json_array_append_new(days, group_json("weekday", json_string(stats_weekday_name(w)),
						       &d->weekday[w]));
	for (size_t i = 0; i < d->noutliers; i++) {
		const struct stats_outlier *x = &d->outlier[i];
		json_array_append_new(listed,
				      json_pack("{s:s, s:I, s:s, s:I}", "number", x->number,
						"total_s", (json_int_t)x->total_s, "slowest_stage",
						stage_name(x->slowest), "slowest_s",
						(json_int_t)x->slowest_s));
	}
	json_object_set_new(o, "declarations", json_integer((json_int_t)d->declarations));
	json_object_set_new(o, "totals", totals);
	json_object_set_new(o, "total", total);
	json_object_set_new(o, "targets", targets);
	json_object_set_new(o, "stages", stages);
	json_object_set_new(o, "slowest_stage",
			    d->slowest < 0 ? json_null() : json_string(stage_name(d->slowest)));
	json_object_set_new(o, "parties", parties);
	json_object_set_new(o, "hour_of_day", hours);
	json_object_set_new(o, "weekday", days);
	json_object_set_new(o, "outliers",
			    json_pack("{s:I, s:I, s:o}", "fence_s", (json_int_t)d->fence_s, "count",
				      (json_int_t)d->outliers, "listed", listed));
	return o;
}

json_t *stats_result_json(const struct stats_query *q, const struct stats_result *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "query", query_json(q));
	for (int dir = 0; dir < STAGE_DIRECTIONS; dir++)
		if (r->dir[dir].asked)
			json_object_set_new(o, stage_direction_name(dir),
					    direction_json((enum stage_direction)dir, &r->dir[dir]));
	return o;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

static kerr csv_measure(struct buf *b, const char *dir, const char *stage, const char *party,
			const struct stats_measure *m)
{
	return buf_printf(b, "%s,%s,%s,%llu,%llu,%u,%u,%u,%u,%u\r\n", dir, stage, party,
			  (unsigned long long)m->count, (unsigned long long)m->sum, m->mean,
			  m->median, m->p90, m->p95, m->max);
}

kerr stats_result_csv(const struct stats_result *r, enum stats_table t, struct buf *out)
{
	static const char *const header[STATS_TABLES] = {
		"direction,stage,party,count,sum_s,mean_s,median_s,p90_s,p95_s,max_s",
		"direction,hour,count,mean_s,median_s",
		"direction,weekday,count,mean_s,median_s",
		"direction,number,total_s,slowest_stage,slowest_s",
		"direction,target_s,count,within,share",
	};
	if ((unsigned)t >= STATS_TABLES)
		return KERR_INVALID;
	kerr e = buf_printf(out, "%s\r\n", header[t]);
	for (int dir = 0; dir < STAGE_DIRECTIONS && !e; dir++) {
		const struct stats_direction *d = &r->dir[dir];
		const char *dn = stage_direction_name(dir);
		if (!d->asked)
			continue;
		switch (t) {
		case STATS_TABLE_STAGES:
			for (int s = 0; s < STAGE_COUNT && !e; s++)
				if (stage_applies(dir, s))
					e = csv_measure(out, dn, stage_name(s),
							stage_party_name(stage_party_of(s)),
							&d->stage[s]);
			if (!e)
				e = csv_measure(out, dn, "total", "", &d->total);
			break;
		case STATS_TABLE_HOURS:
			for (int h = 0; h < STATS_HOURS && !e; h++)
				e = buf_printf(out, "%s,%d,%llu,%u,%u\r\n", dn, h,
					       (unsigned long long)d->hour[h].count,
					       d->hour[h].mean, d->hour[h].median);
			break;
		case STATS_TABLE_WEEKDAYS:
			for (int w = 0; w < STATS_WEEKDAYS && !e; w++)
				e = buf_printf(out, "%s,%s,%llu,%u,%u\r\n", dn,
					       stats_weekday_name(w),
					       (unsigned long long)d->weekday[w].count,
					       d->weekday[w].mean, d->weekday[w].median);
			break;
		case STATS_TABLE_OUTLIERS:
			for (size_t i = 0; i < d->noutliers && !e; i++)
				e = buf_printf(out, "%s,%s,%u,%s,%u\r\n", dn, d->outlier[i].number,
					       d->outlier[i].total_s,
					       stage_name(d->outlier[i].slowest),
					       d->outlier[i].slowest_s);
			break;
		case STATS_TABLE_TARGETS:
			for (size_t i = 0; i < d->ntargets && !e; i++) {
				char share[8];
				stats_share(d->within[i], d->total.count, share);
				e = buf_printf(out, "%s,%u,%llu,%llu,%s\r\n", dn, d->target_s[i],
					       (unsigned long long)d->total.count,
					       (unsigned long long)d->within[i], share);
			}
			break;
		default:
			break;
		}
	}
	return e;
}
