/*
 * report_commands.c - `kouan report clearance`: clearance-time statistics
 * from a running server (GET /v1/statistics/clearance), printed as a table
 * for a terminal, as CSV (--csv TABLE) or as the server's JSON (--json).
 * The server computes every figure; this file only asks and lays out. It
 * never touches the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"

/* Options that are query parameters as they are (--transport-mode is
 * transport_mode). */
static const char *const passed[] = {
	"from", "to", "direction", "outcome", "total", "flags", "office", "port",
	"transport_mode", "lane", "credit_class", "trade_mode", "chapter", "tz",
	"target_import", "target_export", "outliers", NULL,
};

/* "3h20m", "45m10s", "12s". */
static void duration(json_int_t s, char *out, size_t n)
{
	if (s >= 3600)
		snprintf(out, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(out, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(out, n, "%llds", (long long)s);
}

static json_int_t get_int(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *get_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "0.9612" as "96.12%". */
static void percent(const char *share, char *out, size_t n)
{
	if (strlen(share) == 6 && share[1] == '.')
		snprintf(out, n, "%s%.2s.%.2s%%", share[0] == '1' ? "1" : "", share + 2, share + 4);
	else
		snprintf(out, n, "%s", share);
	if (out[0] == '0' && out[1] != '.')
		memmove(out, out + 1, strlen(out));
}

static void print_direction(const char *name, const json_t *d, const char *tz)
{
	char a[24], b[24], c[24], e[24], f[24], pc[16];
	const json_t *totals = json_object_get(d, "totals");
	printf("%s: %lld declarations (border total %lld, lodgement to release %lld, "
	       "no total %lld)\n",
	       name, (long long)get_int(d, "declarations"), (long long)get_int(totals, "border"),
	       (long long)get_int(totals, "declaration"), (long long)get_int(totals, "none"));
	const json_t *t = json_object_get(d, "total");
	if (get_int(t, "count") == 0) {
		printf("  no total measured\n\n");
		return;
	}
	duration(get_int(t, "median_s"), a, sizeof a);
	duration(get_int(t, "p90_s"), b, sizeof b);
	duration(get_int(t, "p95_s"), c, sizeof c);
	duration(get_int(t, "mean_s"), e, sizeof e);
	duration(get_int(t, "max_s"), f, sizeof f);
	printf("  total: median %s  p90 %s  p95 %s  mean %s  max %s\n", a, b, c, e, f);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(d, "targets"), i, x)
	{
		duration(get_int(x, "target_s"), a, sizeof a);
		percent(get_str(x, "share"), pc, sizeof pc);
		printf("  within %s: %lld of %lld (%s)\n", a, (long long)get_int(x, "within"),
		       (long long)get_int(t, "count"), pc);
	}
	printf("\n  %-18s %-9s %7s %9s %9s %9s %8s\n", "stage", "party", "count", "median",
	       "p90", "max", "of time");
	json_array_foreach(json_object_get(d, "stages"), i, x)
	{
		if (get_int(x, "count") == 0)
			continue;
		duration(get_int(x, "median_s"), a, sizeof a);
		duration(get_int(x, "p90_s"), b, sizeof b);
		duration(get_int(x, "max_s"), c, sizeof c);
		percent(get_str(x, "share_of_time"), pc, sizeof pc);
		printf("  %-18s %-9s %7lld %9s %9s %9s %8s\n", get_str(x, "stage"),
		       get_str(x, "party"), (long long)get_int(x, "count"), a, b, c, pc);
	}
	const json_t *slowest = json_object_get(d, "slowest_stage");
	printf("\n  slowest stage: %s\n", json_is_string(slowest) ? json_string_value(slowest)
								 : "none");
	/* the hour of day as a row of bars, tallest = most lodged */
	static const char *const bars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	json_int_t most = 0;
	json_array_foreach(json_object_get(d, "hour_of_day"), i, x)
		if (get_int(x, "count") > most)
			most = get_int(x, "count");
	printf("  lodged by hour (%s): |", tz);
	json_array_foreach(json_object_get(d, "hour_of_day"), i, x)
	{
		json_int_t n = get_int(x, "count");
		printf("%s", bars[most ? (n * 8 + most - 1) / most : 0]);
	}
	printf("| 0-23 h\n");
	const json_t *out = json_object_get(d, "outliers");
	duration(get_int(out, "fence_s"), a, sizeof a);
	printf("  outliers above %s: %lld\n", a, (long long)get_int(out, "count"));
	json_array_foreach(json_object_get(out, "listed"), i, x)
	{
		duration(get_int(x, "total_s"), b, sizeof b);
		duration(get_int(x, "slowest_s"), c, sizeof c);
		printf("    %s  %9s  slowest %s %s\n", get_str(x, "number"), b,
		       get_str(x, "slowest_stage"), c);
	}
	printf("\n");
}

int cmd_clearance_report(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan report clearance [--from DATE] [--to DATE] [--direction DIR]\n"
		"       [--office CODES] [--port CODES] [--transport-mode CODES] [--lane LANES]\n"
		"       [--credit-class CLASSES] [--trade-mode CODES] [--chapter CHAPTERS]\n"
		"       [--target-import 40h,32.02h] [--target-export 18h] [--tz +08:00]\n"
		"       [--outcome LIST] [--total LIST] [--flags LIST] [--outliers N]\n"
		"       [--csv [stages|hours|weekdays|outliers|targets]] [--json]\n\n"
		"Clearance time stage by stage over a selection of declarations\n"
		"(analysts and admins): per direction the total's median, p90, p95, mean\n"
		"and maximum, the share within each target, a table of stages with their\n"
		"party, the slowest stage, the hour of lodging and the outliers. Lists\n"
		"are comma-separated; dates are YYYY-MM-DD (from inclusive, to exclusive).\n"
		"--csv prints one table as CSV, --json the server's answer.";
	if (cli_help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	char path[4096] = "/v1/statistics/clearance";
	const char *table = NULL, *tz = "+08:00";
	bool json = false;
	for (int i = 2; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--json")) {
			json = true;
			continue;
		}
		if (!strcmp(arg, "--csv")) {
			table = i + 1 < argc && strncmp(argv[i + 1], "--", 2) ? argv[++i]
									     : "stages";
			continue;
		}
		char name[32];
		bool known = false;
		if (!strncmp(arg, "--", 2) && strlen(arg + 2) < sizeof name) {
			snprintf(name, sizeof name, "%s", arg + 2);
			for (char *p = name; *p; p++)
				if (*p == '-')
					*p = '_';
			for (size_t k = 0; passed[k] && !known; k++)
				known = !strcmp(passed[k], name);
		}
		if (!known || i + 1 >= argc) {
			fprintf(stderr, "kouan report clearance: %s %s\n%s\n", arg,
				known ? "needs a value" : "is not an option", usage);
			return 2;
		}
		if (!strcmp(name, "tz"))
			tz = argv[i + 1];
		if (!client_add_query(path, sizeof path, name, argv[++i])) {
			fprintf(stderr, "kouan report clearance: the options are too long\n");
			return 2;
		}
	}
	if (table && (!client_add_query(path, sizeof path, "format", "csv") ||
		      !client_add_query(path, sizeof path, "table", table))) {
		fprintf(stderr, "kouan report clearance: the options are too long\n");
		return 2;
	}
	struct client_response r;
	if (!client_call(&c, "GET", path, NULL, NULL, &r))
		return 3;
	if (r.status != 200 || json)
		return cli_finish(&r, 200);
	if (table) {
		fwrite(r.body.data, 1, r.body.len, stdout);
	} else {
		static const char *const dirs[] = {"import", "export"};
		static const char *const titles[] = {"Imports", "Exports"};
		for (size_t d = 0; d < 2; d++) {
			const json_t *dj = json_object_get(r.json, dirs[d]);
			if (dj)
				print_direction(titles[d], dj, tz);
		}
	}
	client_response_free(&r);
	return 0;
}
