/*
 * payment.c - payment and general guarantee rules (see payment.h). It
 * decides; the payment and release services store what it decides.
 */
#include "domain/payment.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/fields.h"

const char *release_money_name(enum release_money r)
{
	switch (r) {
	case RELEASE_MONEY_NOTHING_DUE:
		return "nothing_due";
	case RELEASE_MONEY_PAID:
		return "paid";
	case RELEASE_MONEY_GUARANTEED:
		return "guaranteed";
	case RELEASE_MONEY_WAITING:
		return "waiting";
	}
	return "?";
}

static bool reference_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_' ||
		      *s == '/'))
			return false;
	return true;
}

/* A reference-like identifier (bank reference, guarantee number). */
static const char *identifier(const json_t *obj, const char *key, const char *at,
			      size_t max, struct problems *p)
{
	struct fields fs = {.p = p};
	const char *s = fields_text(&fs, obj, key, at, true, max);
	char f[PROBLEM_FIELD_MAX];

	if (s && !reference_chars(s)) {
		json_pointer_to(f, sizeof f, at, key);
		problems_add(p, f, "must be letters, digits, '.', '-', '_' or '/'");
		return NULL;
	}
	return s;
}

bool payment_parse(const json_t *body, struct payment *out, struct problems *p)
{
	struct fields fs = {.p = p};
	static const char *const fields[] = { "bank", "bank_reference", "amount", NULL };
	size_t before = p->count + p->dropped;
	const char *ref, *bank;

	memset(out, 0, sizeof *out);
	if (!json_is_object(body)) {
		problems_add(p, "", "a payment must be a JSON object with bank, bank_reference "
				    "and amount");
		return false;
	}
	problems_unknown_fields(p, body, "", fields, "bank, bank_reference, amount (the "
						     "time of payment is the bank's to give)");
	if ((bank = fields_uscc(&fs, body, "bank", "", true)))
		str_copy(out->bank, bank, sizeof out->bank);
	if ((ref = identifier(body, "bank_reference", "", PAYMENT_REFERENCE_MAX - 1, p))) {
		str_copy(out->bank_reference, ref, sizeof out->bank_reference);
		payment_reference_capitals(out->bank_reference);
	}
	fields_decimal_max(&fs, body, "amount", "", 2, true, true, PAYMENT_AMOUNT_MAX,
			   &out->amount);
	return p->count + p->dropped == before;
}

void payment_reference_capitals(char *reference)
{
	for (char *c = reference; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
}

static const char *const status_names[] = {"reported", "paid", "refused"};

const char *payment_status_name(enum payment_status s)
{
	return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s]
									   : "?";
}

bool payment_status_parse(const char *s, enum payment_status *out)
{
	for (size_t i = 0; s && i < sizeof status_names / sizeof status_names[0]; i++)
		if (!strcmp(s, status_names[i])) {
			*out = (enum payment_status)i;
			return true;
		}
	return false;
}

bool payment_answer_parse(const json_t *body, struct payment_answer *out,
			  struct problems *p)
{
	struct fields fs = {.p = p};
	static const char *const fields[] = { "outcome", "amount", "paid_at", "reason", NULL };
	size_t before = p->count + p->dropped;

	memset(out, 0, sizeof *out);
	if (!json_is_object(body)) {
		problems_add(p, "", "a bank's answer must be a JSON object with outcome and, "
				    "for a payment made, amount and paid_at, or for one refused, "
				    "reason");
		return false;
	}
	problems_unknown_fields(p, body, "", fields, "outcome, amount, paid_at, reason");
	const char *outcome = fields_text(&fs, body, "outcome", "", true, 16);
	if (outcome && strcmp(outcome, "paid") && strcmp(outcome, "refused")) {
		problems_add(p, "/outcome", "must be \"paid\" (the account was debited) or "
					    "\"refused\" (the order was not carried out)");
		outcome = NULL;
	}
	if (!outcome)
		return false;
	if (!strcmp(outcome, "paid")) {
		out->outcome = PAYMENT_PAID;
		fields_decimal_max(&fs, body, "amount", "", 2, true, true, PAYMENT_AMOUNT_MAX,
				   &out->amount);
		fields_time(&fs, body, "paid_at", "", true, &out->paid_at);
		fields_absent(&fs, body, "reason", "", "is only for an order the bank refused");
	} else {
		out->outcome = PAYMENT_REFUSED;
		const char *why = fields_text(&fs, body, "reason", "", true,
					      PAYMENT_BANK_REASON_CHARS);
		if (why && !why[strspn(why, " \t")])
			problems_add(p, "/reason", "must say why the bank refused the order");
		else if (why)
			str_copy(out->reason, why, sizeof out->reason);
		fields_absent(&fs, body, "amount", "", "is only for a payment made");
		fields_absent(&fs, body, "paid_at", "", "is only for a payment made");
	}
	return p->count + p->dropped == before;
}

bool payment_answer_same(const struct payment_answer *a, enum payment_status kept,
			 int64_t kept_amount, int64_t kept_paid_at, const char *kept_reason)
{
	if (a->outcome != kept)
		return false;
	if (kept == PAYMENT_PAID)
		return a->amount == kept_amount && a->paid_at == kept_paid_at;
	return !strcmp(a->reason, kept_reason);
}

static const char *cny(int64_t fen, char *buf, size_t n)
{
	decimal_format(fen, 2, buf, n);
	return buf;
}

kerr payment_check(const struct tax_position *t, int64_t amount, struct problems *p)
{
	char a[32], b[32];
	int64_t outstanding = t->due - t->paid;

	if (amount <= 0) {
		problems_add(p, "/amount", "must be greater than zero");
		return KERR_INVALID;
	}
	if (t->due <= 0) {
		problems_add(p, "/amount", "nothing is due on this declaration: no duty or "
					   "tax was assessed, or all of it was waived");
		return KERR_CONFLICT;
	}
	if (outstanding <= 0) {
		problems_add(p, "/amount", "the duties and taxes of this declaration (%s "
					   "CNY) are already paid", cny(t->due, a, sizeof a));
		return KERR_CONFLICT;
	}
	if (t->released && t->guaranteed <= 0) {
		problems_add(p, "/amount", "the declaration is released and nothing is "
					   "outstanding on it");
		return KERR_CONFLICT;
	}
	if (amount != outstanding) {
		problems_add(p, "/amount",
			     "must equal the amount due, %s CNY; %s CNY was offered "
			     "(partial and excess payments are refused)",
			     cny(outstanding, a, sizeof a), cny(amount, b, sizeof b));
		return KERR_INVALID;
	}
	return KERR_OK;
}

void payment_apply(struct tax_position *t, int64_t amount, int64_t *restore)
{
	t->paid += amount;
	*restore = t->guaranteed;
	t->guaranteed = 0;
}

enum payment_replay payment_match(const struct payment_record *existing,
				  const char *declaration, int64_t amount)
{
	if (!existing)
		return PAYMENT_NEW;
	return declaration && !strcmp(existing->declaration, declaration) &&
			       existing->amount == amount
		       ? PAYMENT_REPLAY
		       : PAYMENT_MISMATCH;
}

bool guarantee_parse(const json_t *j, const char *at, struct guarantee *out,
		     struct problems *p)
{
	struct fields fs = {.p = p};
	static const char *const fields[] = { "number", "ceiling", "valid_from",
					      "valid_until", NULL };
	size_t before = p->count + p->dropped;
	const char *num;
	char f[PROBLEM_FIELD_MAX];

	memset(out, 0, sizeof *out);
	if (!json_is_object(j)) {
		problems_add(p, at, "must be an object with number, ceiling, valid_from "
				    "and valid_until");
		return false;
	}
	problems_unknown_fields(p, j, at, fields, "number, ceiling, valid_from, valid_until");
	if ((num = identifier(j, "number", at, GUARANTEE_NUMBER_MAX - 1, p)))
		str_copy(out->number, num, sizeof out->number);
	fields_decimal_max(&fs, j, "ceiling", at, 2, true, true, PAYMENT_AMOUNT_MAX,
			   &out->ceiling);
	if (fields_date(&fs, j, "valid_from", at, true, &out->valid_from) == FIELDS_VALID &&
	    fields_date(&fs, j, "valid_until", at, true, &out->valid_until) == FIELDS_VALID &&
	    out->valid_until < out->valid_from) {
		json_pointer_to(f, sizeof f, at, "valid_until");
		problems_add(p, f, "must not be before valid_from");
	}
	return p->count + p->dropped == before;
}

bool guarantee_class_allowed(enum credit_class c)
{
	return c == CREDIT_ADVANCED || c == CREDIT_STANDARD;
}

int64_t guarantee_available(const struct guarantee *g)
{
	return g->ceiling - g->drawn;
}

kerr guarantee_check_draw(const struct guarantee *g, enum credit_class c,
			  int32_t date, int64_t amount, struct problems *p)
{
	char a[32], b[32], d[32], from[KDATE_TEXT_MAX], until[KDATE_TEXT_MAX],
		day[KDATE_TEXT_MAX];

	if (amount <= 0) {
		problems_add(p, "/amount", "must be greater than zero");
		return KERR_INVALID;
	}
	if (!guarantee_class_allowed(c)) {
		problems_add(p, "", "a general guarantee is open to the advanced and "
				    "standard credit classes; the enterprise is %s",
			     credit_class_name(c));
		return KERR_CONFLICT;
	}
	if (date < g->valid_from || date > g->valid_until) {
		kdate_format(g->valid_from, from);
		kdate_format(g->valid_until, until);
		kdate_format(date, day);
		problems_add(p, "", "guarantee %s is valid from %s to %s, not on %s",
			     g->number, from, until, day);
		return KERR_CONFLICT;
	}
	if (amount > guarantee_available(g)) {
		problems_add(p, "", "guarantee %s has %s CNY left of its %s CNY ceiling; "
				    "%s CNY is needed", g->number,
			     cny(guarantee_available(g), a, sizeof a),
			     cny(g->ceiling, b, sizeof b), cny(amount, d, sizeof d));
		return KERR_CONFLICT;
	}
	return KERR_OK;
}

kerr guarantee_draw(struct guarantee *g, enum credit_class c, int32_t date,
		    int64_t amount, struct problems *p)
{
	kerr e = guarantee_check_draw(g, c, date, amount, p);

	if (!e)
		g->drawn += amount;
	return e;
}

kerr guarantee_restore(struct guarantee *g, int64_t amount, struct problems *p)
{
	char a[32], b[32];

	if (amount <= 0) {
		problems_add(p, "/amount", "must be greater than zero");
		return KERR_INVALID;
	}
	if (amount > g->drawn) {
		problems_add(p, "", "guarantee %s has %s CNY drawn; %s CNY cannot be "
				    "restored", g->number, cny(g->drawn, a, sizeof a),
			     cny(amount, b, sizeof b));
		return KERR_CONFLICT;
	}
	g->drawn -= amount;
	return KERR_OK;
}

enum release_money payment_release_condition(const struct tax_position *t,
					     const struct guarantee *g,
					     enum credit_class c, int32_t date,
					     char *why, size_t n)
{
	struct problems p;
	int64_t outstanding = t->due - t->paid;
	char a[32];

	if (t->due <= 0) {
		snprintf(why, n, "nothing is due");
		return RELEASE_MONEY_NOTHING_DUE;
	}
	if (outstanding <= 0) {
		snprintf(why, n, "paid");
		return RELEASE_MONEY_PAID;
	}
	problems_init(&p);
	if (g && guarantee_check_draw(g, c, date, outstanding, &p) == KERR_OK) {
		snprintf(why, n, "released against guarantee %s for %s CNY", g->number,
			 cny(outstanding, a, sizeof a));
		return RELEASE_MONEY_GUARANTEED;
	}
	snprintf(why, n, "awaiting payment of %s CNY: %s", cny(outstanding, a, sizeof a),
		 g ? p.errors[0].problem : "no general guarantee is on file");
	return RELEASE_MONEY_WAITING;
}

json_t *guarantee_to_json(const struct guarantee *g)
{
	char from[KDATE_TEXT_MAX], until[KDATE_TEXT_MAX];

	kdate_format(g->valid_from, from);
	kdate_format(g->valid_until, until);
	return json_pack("{s:s, s:o, s:o, s:o, s:s, s:s}", "number", g->number,
			 "ceiling", fields_decimal_json(g->ceiling, 2), "drawn",
			 fields_decimal_json(g->drawn, 2), "available",
			 fields_decimal_json(guarantee_available(g), 2), "valid_from", from,
			 "valid_until", until);
}
