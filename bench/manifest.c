/*
 * manifest.c - the manifest benchmark: what it costs to check a large
 * manifest and to say what its amendment changed, against the cost of
 * parsing the same JSON text (which every request pays anyway), measured
 * alternately in the same run.
 *
 * The manifest is a vessel's original manifest with N bills (2,500 by
 * default, a large container ship's call), each with one to three
 * containers, every tenth container shared by two consolidated bills. The
 * amendment changes the packages of one bill in a hundred, adds a
 * container to another and drops one bill. Everything is generated from a
 * fixed seed; the answers are checked before timing (the amendment must
 * show exactly the changes made), and a wrong answer ends the program with
 * status 1. It also runs at 4N bills: a checker that is n log n takes a
 * little over four times as long there, a quadratic one sixteen.
 * Figures are printed, never asserted. It reads and writes nothing but
 * stdout and stderr.
 *
 *   bench_manifest [--bills N] [--rounds N]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/codes.h"
#include "domain/manifest.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static unsigned below(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Container number k of owner MSKU with its ISO 6346 check digit. */
static void container(unsigned k, char out[12])
{
	char first10[11];
	snprintf(first10, sizeof first10, "MSKU%06u", k % 1000000);
	snprintf(out, 12, "%s%d", first10, codes_container_check_digit(first10));
}

/* The manifest text with n bills; amended: one bill in a hundred with 5
 * fewer packages, one with an extra container, the last bill dropped. */
static char *manifest_text(unsigned n, bool amended)
{
	rng = 0x9E3779B97F4A7C15ULL;
	struct buf b;
	buf_init(&b, 1u << 30);
	kerr e = buf_puts(&b, "{\"kind\":\"original\",\"transport_mode\":\"2\","
			      "\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\","
			      "\"voyage\":\"046E\",\"imo\":\"9321378\"},\"port\":\"CNNSA\","
			      "\"carrier\":\"COSCO SHIPPING Lines\",\"bills\":[");
	unsigned next = 1;
	for (unsigned i = 0; i < n && !e; i++) {
		unsigned packages = 10 + below(2000), weight = 1000 + below(25000);
		unsigned nc = 1 + below(3);
		if (amended && i == n - 1)
			break;
		if (amended && i % 100 == 7)
			packages -= 5;
		e = buf_printf(&b,
			       "%s{\"bill_of_lading\":\"COSU%010lu\",\"consignor\":{\"name\":"
			       "\"Shipper %u\",\"country\":\"US\"},\"consignee\":{\"name\":"
			       "\"Consignee %u\"},\"goods_description\":\"General cargo\","
			       "\"packages\":%u,\"package_kind\":\"CT\",\"gross_weight_kg\":"
			       "\"%u.500\",\"containers\":[",
			       i ? "," : "", 6291830000ul + i, i, i, packages, weight);
		for (unsigned c = 0; c < nc && !e; c++) {
			char num[12];
			/* every tenth bill shares its first container with the one before */
			unsigned k = (i % 10 == 9 && c == 0) ? next - 1 : next++;
			container(k, num);
			e = buf_printf(&b, "%s{\"number\":\"%s\",\"seals\":[\"S%u\"]}",
				       c ? "," : "", num, k);
		}
		if (!e && amended && i % 100 == 42) {
			char num[12];
			container(900000 + i, num);
			e = buf_printf(&b, ",{\"number\":\"%s\",\"seals\":[\"X%u\"]}", num, i);
		}
		if (!e)
			e = buf_puts(&b, "]}");
	}
	if (!e)
		e = buf_puts(&b, "]}");
	if (e) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

struct run {
	const char *text, *amended_text;
	struct refdata *ref;
};

static double time_parse(const struct run *r)
{
	double t = now_s();
	json_t *j = json_loads(r->text, 0, NULL);
	t = now_s() - t;
	json_decref(j);
	return t;
}

static double time_validate(const struct run *r)
{
	json_t *j = json_loads(r->text, 0, NULL);
	struct problems p;
	struct manifest m;
	problems_init(&p);
	double t = now_s();
	kerr e = manifest_validate(j, r->ref, &p, &m);
	t = now_s() - t;
	if (e) {
		fprintf(stderr, "the generated manifest is not valid: %s: %s\n",
			p.count ? p.errors[0].field : "", p.count ? p.errors[0].problem : "");
		exit(1);
	}
	manifest_free(&m);
	json_decref(j);
	return t;
}

/* Validate both versions and say what changed; checks the answer. */
static double time_changes(const struct run *r, unsigned n)
{
	json_t *a = json_loads(r->text, 0, NULL), *b = json_loads(r->amended_text, 0, NULL);
	struct problems p;
	struct manifest ma, mb;
	json_t *changes = NULL;
	problems_init(&p);
	if (manifest_validate(a, r->ref, &p, &ma) || manifest_validate(b, r->ref, &p, &mb)) {
		fprintf(stderr, "a generated manifest is not valid\n");
		exit(1);
	}
	double t = now_s();
	kerr e = manifest_changes(&ma, &mb, &changes);
	t = now_s() - t;
	json_int_t changed = json_integer_value(json_object_get(changes, "changed"));
	json_int_t removed = json_integer_value(json_object_get(changes, "removed"));
	json_int_t want = 0;
	for (unsigned i = 0; i + 1 < n; i++)
		want += i % 100 == 7 || i % 100 == 42;
	if (e || changed != want || removed != 1) {
		fprintf(stderr, "wrong changes: %lld changed (want %lld), %lld removed\n",
			(long long)changed, (long long)want, (long long)removed);
		exit(1);
	}
	json_decref(changes);
	manifest_free(&ma);
	manifest_free(&mb);
	json_decref(a);
	json_decref(b);
	return t;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

struct figures {
	double parse, validate, changes;
};

/* Medians of `rounds` alternating rounds at n bills. */
static struct figures measure(struct refdata *ref, unsigned n, unsigned rounds)
{
	char *text = manifest_text(n, false), *amended = manifest_text(n, true);
	if (!text || !amended) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	struct run r = {text, amended, ref};
	double *p = calloc(rounds, sizeof *p), *v = calloc(rounds, sizeof *v),
	       *c = calloc(rounds, sizeof *c);
	if (!p || !v || !c)
		exit(1);
	for (unsigned i = 0; i < rounds; i++) {
		p[i] = time_parse(&r);
		v[i] = time_validate(&r);
		c[i] = time_changes(&r, n);
	}
	qsort(p, rounds, sizeof *p, cmp_double);
	qsort(v, rounds, sizeof *v, cmp_double);
	qsort(c, rounds, sizeof *c, cmp_double);
	struct figures f = {p[rounds / 2], v[rounds / 2], c[rounds / 2]};
	printf("  %6u bills, %8zu bytes: parse %8.2f ms   validate %8.2f ms (%.2fx parse)"
	       "   changes %8.2f ms (%.2fx parse)\n",
	       n, strlen(text), f.parse * 1e3, f.validate * 1e3, f.validate / f.parse,
	       f.changes * 1e3, f.changes / f.parse);
	free(p);
	free(v);
	free(c);
	free(text);
	free(amended);
	return f;
}

int main(int argc, char **argv)
{
	unsigned bills = 2500, rounds = 7;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bills"))
			bills = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = (unsigned)strtoul(argv[i + 1], NULL, 10);
	}
	if (bills < 100 || bills > MANIFEST_MAX_BILLS / 4 || !rounds) {
		fprintf(stderr, "usage: bench_manifest [--bills 100..%d] [--rounds N>0]\n",
			MANIFEST_MAX_BILLS / 4);
		return 2;
	}
	static const char *const extra[][2] = {{"countries", "US"}};
	struct refdata *ref = refdata_builtin(extra, 1);
	if (!ref)
		return 1;
	printf("manifest benchmark (median of %u rounds, machine cores %ld)\n", rounds,
	       sysconf(_SC_NPROCESSORS_ONLN));
	struct figures one = measure(ref, bills, rounds);
	struct figures four = measure(ref, bills * 4, rounds);
	printf("  at four times the bills: parse %.2fx, validate %.2fx, changes %.2fx "
	       "the time\n",
	       four.parse / one.parse, four.validate / one.validate,
	       four.changes / one.changes);
	printf("  validate: %.0f bills/s\n", bills / one.validate);
	refdata_release(ref);
	return 0;
}
