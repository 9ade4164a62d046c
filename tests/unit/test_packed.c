/*
 * test_packed.c - unit tests for src/store/packed.c: a declaration body
 * and a risk outcome packed and unpacked to the same bytes, each with its
 * own dictionary and shorter than the text, as are an event's data and a
 * replayed answer; values in the earlier form (the whole frame, 'z') and
 * JSON kept as it is (rows written before packing) read back as they
 * are; a text that packing would not shorten kept as it is; and every
 * kind of damaged value refused with KERR_INVALID, never a crash or
 * another text; a text packed ahead is taken by the packing of the same
 * kind and text on its thread, and by no other.
 */
#include "test_support.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/packed.h"

static const char BODY[] =
	"{\"advance\":true,\"bill_of_lading\":\"COSU6291830410\",\"consignee_uscc\":"
	"\"91440101MA59TRAD00\",\"containers\":[\"COSU8001236\"],\"conveyance\":{\"imo\":"
	"\"9321378\",\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\"},\"currency\":\"USD\","
	"\"declarant_uscc\":\"91440101MA59TRAD00\",\"declaration_office\":\"5167\","
	"\"departure_country\":\"US\",\"direction\":\"import\",\"documents\":[{\"number\":"
	"\"WA-2026-11873\",\"type\":\"invoice\"}],\"entry_port\":\"CNNSA\",\"freight\":\"0\","
	"\"gross_weight_kg\":\"19850.000\",\"incoterm\":\"CIF\",\"insurance\":\"0\",\"items\":"
	"[{\"description\":\"鲜苹果 Fresh Gala apples, 18 kg cartons\",\"hs_code\":\"0808100000\","
	"\"origin_country\":\"US\",\"quantity\":\"18000\",\"unit\":\"035\",\"unit_price\":"
	"\"1.85\"}],\"packages\":1800,\"port_office\":\"5167\",\"trade_mode\":\"0110\","
	"\"trading_country\":\"US\",\"transport_mode\":\"2\"}";

static const char OUTCOME[] =
	"{\"agencies\":{\"customs\":{\"base_lane\":\"green\",\"because\":[{\"base\":\"green\"}],"
	"\"lane\":\"green\",\"random\":{\"draw\":711810,\"rate\":\"2.4\",\"rate_ppm\":24000,"
	"\"selected\":false},\"rules_hit\":0,\"rules_selected\":0}},\"consignee_credit\":"
	"\"standard\",\"credit_applied\":\"standard\",\"declarant_credit\":\"standard\","
	"\"new_importer\":false,\"relodged_after_withdrawal\":0,\"rules_hit\":[],"
	"\"rules_hit_total\":0,\"value_cny\":\"1105117.88\",\"version\":1}";

static char *packed(enum packed_kind kind, const char *text)
{
	char *out = NULL;
	assert_int_equal(packed_pack(kind, text, &out), KERR_OK);
	assert_non_null(out);
	return out;
}

static void unpacks_to(const char *stored, const char *text)
{
	char *out = NULL;
	assert_int_equal(packed_unpack(stored, &out), KERR_OK);
	assert_string_equal(out, text);
	free(out);
}

static void refused(const char *stored)
{
	char *out = (char *)"unchanged";
	print_message("refused: %.60s\n", stored);
	assert_int_equal(packed_unpack(stored, &out), KERR_INVALID);
	assert_null(out);
}

static void test_round_trip(void **state)
{
	(void)state;
	char *b = packed(PACKED_DECLARATION, BODY);
	assert_memory_equal(b, "y1:", 3);
	assert_true(strlen(b) < strlen(BODY) / 2);
	unpacks_to(b, BODY);

	char *o = packed(PACKED_RISK, OUTCOME);
	assert_memory_equal(o, "y2:", 3);
	assert_true(strlen(o) < strlen(OUTCOME) / 2);
	unpacks_to(o, OUTCOME);

	static const char DATA[] = "{\"lane\":\"green\",\"reason\":\"green lane: released by "
				   "risk assessment\",\"rules_version\":1,\"version\":1}";
	char *d = packed(PACKED_EVENT, DATA);
	assert_memory_equal(d, "y3:", 3);
	assert_true(strlen(d) < strlen(DATA));
	unpacks_to(d, DATA);
	free(d);

	/* an Idempotency-Key record's answer, with the events' dictionary */
	static const char REPLY[] =
		"{\"status\":\"accepted\",\"updated_at\":\"2026-11-27T16:59:58.616737Z\","
		"\"released_at\":null,\"tasks\":[{\"agency\":\"customs\",\"status\":\"cleared\","
		"\"opened_at\":\"2026-11-27T16:59:58.616274Z\",\"decided_at\":"
		"\"2026-11-27T16:59:58.616737Z\",\"decided_by\":\"kouan\",\"decision\":"
		"\"cleared\",\"reason\":\"cleared by kouan\"}]}";
	char *r = packed(PACKED_REPLY, REPLY);
	assert_memory_equal(r, "y3:", 3);
	assert_true(strlen(r) < strlen(REPLY) * 3 / 4);
	unpacks_to(r, REPLY);
	free(r);

	/* the same text packs the same way every time */
	char *again = packed(PACKED_DECLARATION, BODY);
	assert_string_equal(again, b);
	free(again);
	free(b);
	free(o);
}

static void test_kept_as_it_is(void **state)
{
	(void)state;
	/* written in the earlier form (the whole frame, with the magic number
	 * and the dictionary's id): read as it is */
	unpacks_to("z3:KLUv_SdcJfFAYUUAAAABAP7s0wECNd4bVA",
		   "{\"lane\":\"green\",\"reason\":\"green lane: released by risk assessment\","
		   "\"rules_version\":1,\"version\":1}");
	/* written before packing: JSON, read as it is */
	unpacks_to(BODY, BODY);
	unpacks_to("[]", "[]");
	/* shorter than PACKED_MIN: kept as it is, not even tried */
	char *t = packed(PACKED_EVENT, "{\"reason\":\"invoice checked\",\"version\":1}");
	assert_string_equal(t, "{\"reason\":\"invoice checked\",\"version\":1}");
	free(t);
	/* too short to gain: kept as it is */
	char *s = packed(PACKED_RISK, "{}");
	assert_string_equal(s, "{}");
	free(s);
	s = packed(PACKED_DECLARATION, "");
	assert_string_equal(s, "");
	free(s);
	/* not JSON, and would read back as packed: refused */
	s = (char *)"unchanged";
	assert_int_equal(packed_pack(PACKED_EVENT, "z1:KLUv_Q", &s), KERR_INVALID);
	assert_null(s);
	s = (char *)"unchanged";
	assert_int_equal(packed_pack(PACKED_REPLY, "y3:KLUv_Q", &s), KERR_INVALID);
	assert_null(s);
}

static void test_damaged_refused(void **state)
{
	(void)state;
	char *b = packed(PACKED_DECLARATION, BODY);
	char *o = packed(PACKED_RISK, OUTCOME);
	size_t n = strlen(b);
	char *copy = malloc(n + 8);
	assert_non_null(copy);

	refused("z");
	refused("z1");
	refused("z1:");
	refused("z9:KLUv_Q");                  /* no such dictionary */
	refused("z01:KLUv_Q");                 /* not how a number is written */
	refused("z1:not base64 at all!");
	refused("z1:KLUv_Q==");                /* padding is not written */
	refused("z1:AAAAAAAAAAAAAAAAAAAAAAAA"); /* base64, but no zstd frame */
	refused("y");
	refused("y1:");                        /* the magic number alone */
	refused("y9:J_E");                     /* no such dictionary */
	refused("y1:AAAAAAAAAAAAAAAAAAAAAAAA");
	/* a whole frame under the short form's prefix, and the reverse */
	refused("y3:KLUv_SdcJfFAYUUAAAABAP7s0wECNd4bVA");
	memcpy(copy, b, n + 1);
	copy[0] = 'z';
	refused(copy);

	/* the body's frame under the outcome's dictionary number */
	memcpy(copy, b, n + 1);
	copy[1] = '2';
	refused(copy);
	(void)o;

	/* cut short */
	memcpy(copy, b, n + 1);
	copy[n - 6] = '\0';
	refused(copy);

	/* one character changed in the middle of the frame */
	memcpy(copy, b, n + 1);
	copy[n / 2] = copy[n / 2] == 'A' ? 'B' : 'A';
	refused(copy);

	/* something after the frame */
	memcpy(copy, b, n);
	memcpy(copy + n, "AAAA", 5);
	refused(copy);

	free(copy);
	free(b);
	free(o);
}

static void *ahead_and_end(void *arg)
{
	(void)arg;
	packed_ahead(PACKED_DECLARATION, BODY);
	return (void *)(packed_ahead_held() ? "held" : NULL);
}

/* A text packed ahead is what packing it then gives, taken once, by the
 * same kind and text on the same thread only; one left when its thread
 * ends is freed with it (the leak checker would say otherwise). */
static void test_packed_ahead(void **state)
{
	(void)state;
	char *plain = packed(PACKED_DECLARATION, BODY);
	assert_false(packed_ahead_held());
	packed_ahead(PACKED_DECLARATION, BODY);
	assert_true(packed_ahead_held());
	/* another text, or the same text of another kind, packs on its own */
	char *other = packed(PACKED_DECLARATION, OUTCOME);
	unpacks_to(other, OUTCOME);
	char *as_risk = packed(PACKED_RISK, BODY);
	unpacks_to(as_risk, BODY);
	assert_true(packed_ahead_held());
	char *taken = packed(PACKED_DECLARATION, BODY);
	assert_false(packed_ahead_held());
	assert_string_equal(taken, plain);
	unpacks_to(taken, BODY);
	/* a second ahead replaces the first */
	packed_ahead(PACKED_RISK, OUTCOME);
	packed_ahead(PACKED_DECLARATION, BODY);
	char *risk = packed(PACKED_RISK, OUTCOME);
	assert_true(packed_ahead_held());
	unpacks_to(risk, OUTCOME);
	free(packed(PACKED_DECLARATION, BODY));
	assert_false(packed_ahead_held());
	/* held by the thread that packed it, not by this one */
	pthread_t t;
	void *held = NULL;
	assert_int_equal(pthread_create(&t, NULL, ahead_and_end, NULL), 0);
	assert_int_equal(pthread_join(t, &held), 0);
	assert_non_null(held);
	assert_false(packed_ahead_held());
	free(plain);
	free(other);
	free(as_risk);
	free(taken);
	free(risk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_kept_as_it_is),
		cmocka_unit_test(test_damaged_refused),
		cmocka_unit_test(test_packed_ahead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
