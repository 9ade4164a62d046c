/*
 * pack.c - the packing benchmark: what storing a declaration's texts
 * packed (src/store/packed.c) costs one core, per lodgement: its body, its
 * risk outcome and six event data packed, and the same unpacked, in
 * microseconds, beside the bytes kept. Figures are printed, never
 * asserted. It must never read or write anything but stdout and stderr.
 *
 *   bench_pack [--rounds N]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/packed.h"

static const char BODY[] =
	"{\"advance\":true,\"bill_of_lading\":\"BN-6b093fd86573-1-47\",\"consignee_uscc\":"
	"\"91440101MA59TRAD00\",\"conveyance\":{\"name\":\"CZ3098\",\"voyage\":\"20261120\"},"
	"\"currency\":\"USD\",\"declarant_uscc\":\"91440101MA59TRAD00\",\"declaration_office\":"
	"\"5141\",\"departure_country\":\"VN\",\"direction\":\"import\",\"documents\":[{\"number\":"
	"\"HN-INV-55012\",\"type\":\"invoice\"},{\"number\":\"HN-PL-55012\",\"type\":"
	"\"packing_list\"}],\"entry_port\":\"CNCAN\",\"freight\":\"1250.00\",\"gross_weight_kg\":"
	"\"412.500\",\"incoterm\":\"FCA\",\"insurance\":\"96.40\",\"items\":[{\"description\":"
	"\"便携式电脑 14-inch notebook computers\",\"hs_code\":\"8471300000\",\"origin_country\":"
	"\"VN\",\"quantity\":\"400\",\"unit\":\"001\",\"unit_price\":\"389.00\"}],\"packages\":40,"
	"\"port_office\":\"5141\",\"trade_mode\":\"0110\",\"trading_country\":\"VN\","
	"\"transport_mode\":\"5\"}";
static const char OUTCOME[] =
	"{\"agencies\":{\"customs\":{\"base_lane\":\"green\",\"because\":[{\"base\":\"green\"}],"
	"\"lane\":\"green\",\"random\":{\"draw\":711810,\"rate\":\"2.4\",\"rate_ppm\":24000,"
	"\"selected\":false},\"rules_hit\":0,\"rules_selected\":0}},\"consignee_credit\":"
	"\"standard\",\"credit_applied\":\"standard\",\"declarant_credit\":\"standard\","
	"\"new_importer\":false,\"relodged_after_withdrawal\":0,\"rules_hit\":[],"
	"\"rules_hit_total\":0,\"value_cny\":\"1105117.88\",\"version\":1}";
static const char *const DATA[] = {
	"{\"agencies\":[\"customs\"],\"version\":1}",
	"{\"currency\":\"CNY\",\"status\":\"assessed\",\"total_due\":\"71592741.52\",\"version\":1}",
	"{\"declaration_version\":1,\"lanes\":{\"customs\":\"green\"},\"rules_version\":1}",
	"{\"bill_of_lading\":\"BN-6b093fd86573-1-47\",\"call\":\"5|CZ3098|20261120|CNCAN\","
	"\"reason\":\"no manifest line yet\",\"version\":1}",
	"{\"reason\":\"cleared by kouan\",\"version\":1}",
	"{\"lane\":\"green\",\"reason\":\"green lane: released by risk assessment\","
	"\"rules_version\":1,\"version\":1}",
};
#define NDATA (sizeof DATA / sizeof DATA[0])

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Pack (and unpack) one lodgement's texts; the bytes kept. */
static size_t lodgement(bool unpack)
{
	const char *texts[NDATA + 2] = {BODY, OUTCOME};
	enum packed_kind kinds[NDATA + 2] = {PACKED_DECLARATION, PACKED_RISK};
	size_t kept = 0;
	for (size_t i = 0; i < NDATA; i++) {
		texts[i + 2] = DATA[i];
		kinds[i + 2] = PACKED_EVENT;
	}
	for (size_t i = 0; i < NDATA + 2; i++) {
		char *p, *t;
		if (packed_pack(kinds[i], texts[i], &p)) {
			fprintf(stderr, "bench_pack: packing failed\n");
			exit(1);
		}
		kept += strlen(p);
		if (unpack && (packed_unpack(p, &t) || strcmp(t, texts[i]))) {
			fprintf(stderr, "bench_pack: unpacking gave another text\n");
			exit(1);
		}
		if (unpack)
			free(t);
		free(p);
	}
	return kept;
}

int main(int argc, char **argv)
{
	long rounds = 20000;
	if (argc == 3 && !strcmp(argv[1], "--rounds"))
		rounds = strtol(argv[2], NULL, 10);
	if (rounds <= 0) {
		fprintf(stderr, "usage: bench_pack [--rounds N]\n");
		return 2;
	}
	size_t raw = strlen(BODY) + strlen(OUTCOME), kept = lodgement(true);
	for (size_t i = 0; i < NDATA; i++)
		raw += strlen(DATA[i]);
	double t0 = now_us();
	for (long r = 0; r < rounds; r++)
		lodgement(false);
	double t1 = now_us();
	for (long r = 0; r < rounds; r++)
		lodgement(true);
	double t2 = now_us();
	printf("texts of one lodgement   %zu bytes as JSON, %zu kept\n", raw, kept);
	printf("pack                     %.1f us per lodgement\n", (t1 - t0) / (double)rounds);
	printf("pack and unpack          %.1f us per lodgement\n", (t2 - t1) / (double)rounds);
	return 0;
}
