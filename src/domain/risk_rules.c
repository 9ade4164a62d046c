/*
 * risk_rules.c - the compiler of risk rule sets: the lexer and parser of the
 * rule language (see risk.h), the normalisation of conditions, and the index
 * the evaluator uses to find candidate rules (see risk_internal.h).
 *
 * It reports the first error only, with its line and column, and leaves
 * nothing allocated behind on failure. It must never accept a rule it
 * cannot evaluate exactly (percents and amounts go through decimal_parse,
 * never through floating point; codes are checked for their shape), never
 * keep global state (compiles may run in parallel), and never file a rule
 * in the index under a key a declaration it hits could lack: the index may
 * offer too many candidates, never too few.
 */
#include "domain/risk_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "common/utf8.h"

/* ------------------------------------------------------------------ */
/* growable arrays                                                     */

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return false;
		n *= 2;
	}
	q = realloc(*p, n * size);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

/* ------------------------------------------------------------------ */
/* names                                                               */

static const char *const lane_names[] = { "green", "blue", "yellow", "red" };
static const char *const credit_names[] = { "advanced", "standard",
					    "discredited" };

const char *risk_lane_name(enum risk_lane lane)
{
	if ((unsigned)lane > RISK_LANE_RED)
		return "?";
	return lane_names[lane];
}

const char *credit_class_name(enum credit_class c)
{
	if ((unsigned)c > CREDIT_DISCREDITED)
		return "?";
	return credit_names[c];
}

static int name_index(const char *const *names, size_t n, const char *s,
		      size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

bool risk_lane_parse(const char *s, enum risk_lane *out)
{
	int i = s ? name_index(lane_names, 4, s, strlen(s)) : -1;

	if (i < 0)
		return false;
	*out = (enum risk_lane)i;
	return true;
}

bool credit_class_parse(const char *s, enum credit_class *out)
{
	int i = s ? name_index(credit_names, 3, s, strlen(s)) : -1;

	if (i < 0)
		return false;
	*out = (enum credit_class)i;
	return true;
}

struct field_def {
	const char *name;
	enum rfield field;
};

/* Fields named by one word; "consignee credit" and "declarant credit" are
 * recognised after "consignee" / "declarant". */
static const struct field_def field_defs[] = {
	{ "hs", F_HS },
	{ "origin", F_ORIGIN },
	{ "trading_country", F_TRADING_COUNTRY },
	{ "trade_mode", F_TRADE_MODE },
	{ "transport_mode", F_TRANSPORT_MODE },
	{ "port", F_PORT },
	{ "office", F_OFFICE },
	{ "consignee", F_CONSIGNEE },
	{ "declarant", F_DECLARANT },
	{ "value_cny", F_VALUE },
	{ "new_importer", F_NEW_IMPORTER },
};

static const char *field_name(enum rfield f)
{
	if (f == F_CONSIGNEE_CREDIT)
		return "consignee credit";
	if (f == F_DECLARANT_CREDIT)
		return "declarant credit";
	for (size_t i = 0; i < sizeof field_defs / sizeof field_defs[0]; i++)
		if (field_defs[i].field == f)
			return field_defs[i].name;
	return "?";
}

static bool is_string_field(enum rfield f)
{
	return f <= F_DECLARANT;
}

static bool is_item_field(enum rfield f)
{
	return f == F_HS || f == F_ORIGIN;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	return utf8_decode(s, n, &cp);
}

/* ------------------------------------------------------------------ */
/* lexer                                                               */

enum tok {
	T_END, /* end of line or a comment */
	T_WORD,
	T_STRING,
	T_NUMBER,
	T_PERCENT, /* a number immediately followed by '%' */
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_EQ,
	T_NE,
	T_GT,
	T_GE,
	T_LT,
	T_LE,
};

struct lexer {
	const char *s; /* the line, without its end */
	size_t len;
	size_t pos;
	unsigned line;
	struct risk_error *err;
	/* the current token: bytes [ts, te) of the line; for T_PERCENT the
	 * number without its '%'; for T_STRING the decoded value in sval */
	enum tok t;
	size_t ts, te;
	char sval[RISK_MAX_LINE + 1];
	size_t slen;
};

static unsigned column_of(const struct lexer *lx, size_t at)
{
	unsigned col = 1;

	for (size_t i = 0; i < at && i < lx->len; i++)
		if (((unsigned char)lx->s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static void set_error(struct risk_error *err, unsigned line, unsigned column,
		      const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void set_error(struct risk_error *err, unsigned line, unsigned column,
		      const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->line = line;
	err->column = column;
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	if (line)
		snprintf(err->text, sizeof err->text, "line %u, column %u: %s",
			 line, column, err->message);
	else
		snprintf(err->text, sizeof err->text, "%s", err->message);
}

/* Record an error at byte `at` of the current line; returns false. */
static bool fail(struct lexer *lx, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct lexer *lx, size_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(lx->err, lx->line, column_of(lx, at), fmt, ap);
	va_end(ap);
	return false;
}

static void error_at(struct risk_error *err, unsigned line, unsigned column,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void error_at(struct risk_error *err, unsigned line, unsigned column,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(err, line, column, fmt, ap);
	va_end(ap);
}

static bool is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_word_char(char c)
{
	return is_word_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool lex_string(struct lexer *lx)
{
	size_t start = lx->pos;

	lx->pos++;
	lx->slen = 0;
	for (;;) {
		unsigned char c;

		if (lx->pos >= lx->len)
			return fail(lx, start, "unterminated string");
		c = (unsigned char)lx->s[lx->pos];
		if (c == '"') {
			lx->pos++;
			break;
		}
		if (c == '\\') {
			char e;

			if (lx->pos + 1 >= lx->len)
				return fail(lx, start, "unterminated string");
			e = lx->s[lx->pos + 1];
			if (e != '"' && e != '\\') {
				if ((unsigned char)e >= 0x20 &&
				    (unsigned char)e < 0x7F)
					return fail(lx, lx->pos,
						    "unknown escape \\%c in string "
						    "(only \\\" and \\\\ are allowed)",
						    e);
				return fail(lx, lx->pos,
					    "unknown escape in string "
					    "(only \\\" and \\\\ are allowed)");
			}
			lx->sval[lx->slen++] = e;
			lx->pos += 2;
			continue;
		}
		if (c < 0x20 || c == 0x7F)
			return fail(lx, lx->pos, "control character in string");
		if (c >= 0x80) {
			size_t n = utf8_seq((const unsigned char *)lx->s + lx->pos,
					    lx->len - lx->pos);
			if (!n)
				return fail(lx, lx->pos, "invalid UTF-8 in string");
			memcpy(lx->sval + lx->slen, lx->s + lx->pos, n);
			lx->slen += n;
			lx->pos += n;
			continue;
		}
		lx->sval[lx->slen++] = (char)c;
		lx->pos++;
	}
	lx->sval[lx->slen] = '\0';
	lx->t = T_STRING;
	lx->te = lx->pos;
	return true;
}

static bool lex_comment(struct lexer *lx)
{
	size_t p = lx->pos + 1;

	while (p < lx->len) {
		unsigned char c = (unsigned char)lx->s[p];
		size_t n;

		if ((c < 0x20 && c != '\t') || c == 0x7F)
			return fail(lx, p, "control character in comment");
		n = utf8_seq((const unsigned char *)lx->s + p, lx->len - p);
		if (!n)
			return fail(lx, p, "invalid UTF-8 in comment");
		p += n;
	}
	lx->t = T_END;
	lx->te = lx->pos = lx->len;
	return true;
}

/* Read the next token into lx->t. False (with the error set) on a lexical
 * error. */
static bool next(struct lexer *lx)
{
	const char *s = lx->s;
	char c;

	while (lx->pos < lx->len && (s[lx->pos] == ' ' || s[lx->pos] == '\t'))
		lx->pos++;
	lx->ts = lx->pos;
	if (lx->pos >= lx->len) {
		lx->t = T_END;
		lx->te = lx->pos;
		return true;
	}
	c = s[lx->pos];
	if (c == '#')
		return lex_comment(lx);
	if (c == '"')
		return lex_string(lx);
	if (is_word_start(c)) {
		while (lx->pos < lx->len && is_word_char(s[lx->pos]))
			lx->pos++;
		lx->t = T_WORD;
		lx->te = lx->pos;
		return true;
	}
	if (is_digit(c) ||
	    (c == '-' && lx->pos + 1 < lx->len && is_digit(s[lx->pos + 1]))) {
		lx->pos++;
		while (lx->pos < lx->len &&
		       (is_digit(s[lx->pos]) || s[lx->pos] == '.'))
			lx->pos++;
		lx->te = lx->pos;
		if (lx->pos < lx->len && s[lx->pos] == '%') {
			lx->pos++;
			lx->t = T_PERCENT;
		} else {
			lx->t = T_NUMBER;
		}
		return true;
	}
	lx->pos++;
	lx->te = lx->pos;
	switch (c) {
	case '(':
		lx->t = T_LPAREN;
		return true;
	case ')':
		lx->t = T_RPAREN;
		return true;
	case ',':
		lx->t = T_COMMA;
		return true;
	case '=':
		lx->t = T_EQ;
		return true;
	case '!':
		if (lx->pos < lx->len && s[lx->pos] == '=') {
			lx->pos++;
			lx->te = lx->pos;
			lx->t = T_NE;
			return true;
		}
		break;
	case '>':
	case '<':
		lx->t = c == '>' ? T_GT : T_LT;
		if (lx->pos < lx->len && s[lx->pos] == '=') {
			lx->pos++;
			lx->te = lx->pos;
			lx->t = c == '>' ? T_GE : T_LE;
		}
		return true;
	default:
		break;
	}
	if ((unsigned char)c < 0x20 || c == 0x7F)
		return fail(lx, lx->ts, "unexpected control character 0x%02X",
			    (unsigned)(unsigned char)c);
	if ((unsigned char)c >= 0x80) {
		size_t n = utf8_seq((const unsigned char *)s + lx->ts,
				    lx->len - lx->ts);
		if (!n)
			return fail(lx, lx->ts, "invalid UTF-8");
		return fail(lx, lx->ts, "unexpected character \"%.*s\"", (int)n,
			    s + lx->ts);
	}
	return fail(lx, lx->ts, "unexpected character \"%c\"", c);
}

static bool tok_is(const struct lexer *lx, const char *word)
{
	size_t n = strlen(word);

	return lx->t == T_WORD && lx->te - lx->ts == n &&
	       memcmp(lx->s + lx->ts, word, n) == 0;
}

/* What the current token is, for "found ..." in messages. */
static const char *describe(const struct lexer *lx, char *buf, size_t n)
{
	size_t len = lx->te - lx->ts;

	switch (lx->t) {
	case T_END:
		return "end of line";
	case T_STRING:
		return "a string";
	case T_PERCENT:
		len++;
		break;
	default:
		break;
	}
	if (len > 40)
		len = 40;
	snprintf(buf, n, "\"%.*s\"", (int)len, lx->s + lx->ts);
	return buf;
}

/* Copy the current token's bytes into buf (NUL-terminated); false when it
 * does not fit. */
static bool tok_text(const struct lexer *lx, char *buf, size_t n)
{
	size_t len = lx->te - lx->ts;

	if (len >= n)
		return false;
	memcpy(buf, lx->s + lx->ts, len);
	buf[len] = '\0';
	return true;
}

/* ------------------------------------------------------------------ */
/* the compiler's state                                                */

struct compiler {
	struct risk_rules *rs;
	size_t pool_cap, strs_cap, conds_cap, rules_cap, texts_cap;
	struct risk_error *err;
	/* the rule being parsed: its conditions, declaration-level and
	 * item-level kept apart, and its values before sorting */
	struct rcond dconds[RISK_MAX_LINE / 4];
	size_t ndconds;
	struct rcond iconds[RISK_MAX_LINE / 4];
	size_t niconds;
	struct rstr vals[RISK_MAX_LINE / 2];
	size_t nvals;
	struct lexer lx;
};

/* Append n bytes and a NUL to the pool; the offset in *off. */
static bool pool_add(struct compiler *c, const char *s, size_t n,
		     uint32_t *off)
{
	struct risk_rules *rs = c->rs;

	if (rs->pool_len + n + 1 > UINT32_MAX)
		return false;
	if (!grow((void **)&rs->pool, &c->pool_cap, rs->pool_len + n + 1, 1))
		return false;
	memcpy(rs->pool + rs->pool_len, s, n);
	rs->pool[rs->pool_len + n] = '\0';
	*off = (uint32_t)rs->pool_len;
	rs->pool_len += n + 1;
	return true;
}

static int rstr_cmp(const struct risk_rules *rs, const struct rstr *a,
		    const struct rstr *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(rs->pool + a->off, rs->pool + b->off, n);

	if (r)
		return r;
	return (a->len > b->len) - (a->len < b->len);
}

/* The parse of one line failed for lack of memory (not a rule error). */
#define NOMEM_LINE 2

/* ------------------------------------------------------------------ */
/* parser                                                              */

static const char *op_list(enum rfield f)
{
	switch (f) {
	case F_HS:
		return "starts, =, != or in";
	case F_VALUE:
		return ">, >=, <, <=, = or !=";
	case F_NEW_IMPORTER:
		return "= or !=";
	default:
		return "=, != or in";
	}
}

/* Check a string value's shape for its field. */
static bool check_value(struct compiler *c, enum rfield f, size_t at)
{
	struct lexer *lx = &c->lx;
	const char *v = lx->sval;
	size_t n = lx->slen;

	if (f == F_HS) {
		bool digits = n >= 1 && n <= 10;

		for (size_t i = 0; i < n && digits; i++)
			digits = is_digit(v[i]);
		if (!digits)
			return fail(lx, at, "hs needs 1 to 10 digits, found \"%.*s\"",
				    (int)(n > 40 ? 40 : n), v);
		return true;
	}
	if (f == F_ORIGIN || f == F_TRADING_COUNTRY) {
		if (n != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' ||
		    v[1] > 'Z')
			return fail(lx, at,
				    "%s needs an ISO 3166 alpha-2 code such as "
				    "\"US\"",
				    field_name(f));
		return true;
	}
	if (!n)
		return fail(lx, at, "%s needs a non-empty string",
			    field_name(f));
	return true;
}

/* One string value at the current token into c->vals. */
static int parse_string_value(struct compiler *c, enum rfield f)
{
	struct lexer *lx = &c->lx;
	char what[64];
	uint32_t off;

	if (lx->t != T_STRING)
		return fail(lx, lx->ts, "expected a string in double quotes, found %s",
			    describe(lx, what, sizeof what));
	if (!check_value(c, f, lx->ts))
		return false;
	if (c->nvals >= sizeof c->vals / sizeof c->vals[0])
		return fail(lx, lx->ts, "too many values");
	if (!pool_add(c, lx->sval, lx->slen, &off))
		return NOMEM_LINE;
	c->vals[c->nvals].off = off;
	c->vals[c->nvals].len = (uint32_t)lx->slen;
	c->nvals++;
	return true;
}

static int parse_credit_value(struct compiler *c, uint8_t *mask)
{
	struct lexer *lx = &c->lx;
	char what[64];
	int i = -1;

	if (lx->t == T_WORD)
		i = name_index(credit_names, 3, lx->s + lx->ts, lx->te - lx->ts);
	if (i < 0)
		return fail(lx, lx->ts,
			    "credit needs advanced, standard or discredited, "
			    "found %s",
			    describe(lx, what, sizeof what));
	*mask |= (uint8_t)(1u << i);
	return true;
}

/* Sort and de-duplicate c->vals, append them to rs->strs. */
static int commit_values(struct compiler *c, struct rcond *cd)
{
	struct risk_rules *rs = c->rs;
	size_t n = 0;

	/* insertion sort: lists are short and this keeps compile reentrant */
	for (size_t i = 1; i < c->nvals; i++) {
		struct rstr x = c->vals[i];
		size_t j = i;

		while (j > 0 && rstr_cmp(rs, &c->vals[j - 1], &x) > 0) {
			c->vals[j] = c->vals[j - 1];
			j--;
		}
		c->vals[j] = x;
	}
	for (size_t i = 0; i < c->nvals; i++)
		if (!n || rstr_cmp(rs, &c->vals[n - 1], &c->vals[i]) != 0)
			c->vals[n++] = c->vals[i];
	if (rs->nstrs + n > UINT32_MAX)
		return NOMEM_LINE;
	if (!grow((void **)&rs->strs, &c->strs_cap, rs->nstrs + n,
		  sizeof *rs->strs))
		return NOMEM_LINE;
	cd->vals = (uint32_t)rs->nstrs;
	cd->nvals = (uint32_t)n;
	memcpy(rs->strs + rs->nstrs, c->vals, n * sizeof *c->vals);
	rs->nstrs += n;
	if (n == 1 && c->vals[0].len <= RCOND_INLINE) {
		cd->inl = 1;
		cd->ilen = (uint8_t)c->vals[0].len;
		memcpy(cd->ival, rs->pool + c->vals[0].off, cd->ilen);
	}
	return true;
}

static int parse_value_cny(struct compiler *c, enum tok op, struct rcond *cd)
{
	struct lexer *lx = &c->lx;
	char what[64], buf[48];
	int64_t v;
	enum decimal_result r;

	if (lx->t != T_NUMBER)
		return fail(lx, lx->ts,
			    "value_cny needs a number in CNY such as 500000 or "
			    "1234.50, found %s",
			    describe(lx, what, sizeof what));
	if (!tok_text(lx, buf, sizeof buf))
		return fail(lx, lx->ts, "value_cny is out of range");
	r = decimal_parse(buf, 2, &v);
	if (r == DECIMAL_PRECISION)
		return fail(lx, lx->ts,
			    "value_cny has at most 2 decimals (fen), found %s",
			    describe(lx, what, sizeof what));
	if (r == DECIMAL_RANGE)
		return fail(lx, lx->ts, "value_cny is out of range");
	if (r != DECIMAL_OK)
		return fail(lx, lx->ts,
			    "value_cny needs a number in CNY such as 500000 or "
			    "1234.50, found %s",
			    describe(lx, what, sizeof what));
	cd->kind = K_RANGE;
	cd->lo = INT64_MIN;
	cd->hi = INT64_MAX;
	switch (op) {
	case T_GT:
		if (v == INT64_MAX) {
			cd->lo = 1;
			cd->hi = 0; /* empty */
		} else {
			cd->lo = v + 1;
		}
		break;
	case T_GE:
		cd->lo = v;
		break;
	case T_LT:
		if (v == INT64_MIN) {
			cd->lo = 1;
			cd->hi = 0;
		} else {
			cd->hi = v - 1;
		}
		break;
	case T_LE:
		cd->hi = v;
		break;
	case T_NE:
		cd->negate = 1;
		cd->lo = cd->hi = v;
		break;
	default:
		cd->lo = cd->hi = v;
		break;
	}
	return true;
}

/* Parse "( item (, item)* )" where the current token should be '('. */
static int parse_list(struct compiler *c, enum rfield f, uint8_t *mask)
{
	struct lexer *lx = &c->lx;
	char what[64];
	int r;

	if (lx->t != T_LPAREN)
		return fail(lx, lx->ts, "expected ( after in, found %s",
			    describe(lx, what, sizeof what));
	for (;;) {
		if (!next(lx))
			return false;
		if (mask)
			r = parse_credit_value(c, mask);
		else
			r = parse_string_value(c, f);
		if (r != true)
			return r;
		if (!next(lx))
			return false;
		if (lx->t == T_RPAREN)
			return true;
		if (lx->t != T_COMMA)
			return fail(lx, lx->ts,
				    "expected , or ) in the list, found %s",
				    describe(lx, what, sizeof what));
	}
}

static const char *op_text(enum tok t)
{
	switch (t) {
	case T_EQ:
		return "=";
	case T_NE:
		return "!=";
	case T_GT:
		return ">";
	case T_GE:
		return ">=";
	case T_LT:
		return "<";
	case T_LE:
		return "<=";
	default:
		return "?";
	}
}

/* One condition, starting at the current token (the field). On success the
 * current token is the last one of the condition. */
static int parse_cond(struct compiler *c)
{
	struct lexer *lx = &c->lx;
	struct rcond cd;
	enum rfield f = F_COUNT;
	char what[64];
	enum tok op;
	bool is_in = false, is_starts = false;
	size_t op_at;
	int r;

	memset(&cd, 0, sizeof cd);
	if (lx->t != T_WORD)
		return fail(lx, lx->ts,
			    "expected a field (hs, origin, trading_country, "
			    "trade_mode, transport_mode, port, office, consignee, "
			    "declarant, value_cny, consignee credit, declarant "
			    "credit or new_importer), found %s",
			    describe(lx, what, sizeof what));
	for (size_t i = 0; i < sizeof field_defs / sizeof field_defs[0]; i++)
		if (tok_is(lx, field_defs[i].name))
			f = field_defs[i].field;
	if (f == F_COUNT)
		return fail(lx, lx->ts, "unknown field %s",
			    describe(lx, what, sizeof what));
	if (!next(lx))
		return false;
	if ((f == F_CONSIGNEE || f == F_DECLARANT) && tok_is(lx, "credit")) {
		f = f == F_CONSIGNEE ? F_CONSIGNEE_CREDIT : F_DECLARANT_CREDIT;
		if (!next(lx))
			return false;
	}
	cd.field = (uint8_t)f;
	op = lx->t;
	op_at = lx->ts;
	if (tok_is(lx, "in"))
		is_in = true;
	else if (tok_is(lx, "starts"))
		is_starts = true;
	else if (op < T_EQ || op > T_LE)
		return fail(lx, lx->ts, "expected an operator after %s (%s), found %s",
			    field_name(f), op_list(f),
			    describe(lx, what, sizeof what));
	if (is_starts && f != F_HS)
		return fail(lx, op_at, "operator starts applies to hs only");
	if (!is_in && !is_starts && op >= T_GT && f != F_VALUE)
		return fail(lx, op_at, "operator %s applies to value_cny only",
			    op_text(op));
	if (is_in && (f == F_VALUE || f == F_NEW_IMPORTER))
		return fail(lx, op_at, "operator in does not apply to %s",
			    field_name(f));
	if (!next(lx))
		return false;

	c->nvals = 0;
	if (is_string_field(f)) {
		if (is_in)
			r = parse_list(c, f, NULL);
		else
			r = parse_string_value(c, f);
		if (r != true)
			return r;
		cd.kind = is_starts ? K_PREFIX : K_MEMBER;
		cd.negate = !is_in && op == T_NE;
		r = commit_values(c, &cd);
		if (r != true)
			return r;
	} else if (f == F_VALUE) {
		r = parse_value_cny(c, op, &cd);
		if (r != true)
			return r;
	} else if (f == F_NEW_IMPORTER) {
		bool v;

		if (tok_is(lx, "true"))
			v = true;
		else if (tok_is(lx, "false"))
			v = false;
		else
			return fail(lx, lx->ts,
				    "new_importer needs true or false, found %s",
				    describe(lx, what, sizeof what));
		if (op == T_NE)
			v = !v;
		cd.kind = K_MASK;
		cd.mask = (uint8_t)(1u << v);
	} else {
		uint8_t mask = 0;

		if (is_in)
			r = parse_list(c, f, &mask);
		else
			r = parse_credit_value(c, &mask);
		if (r != true)
			return r;
		if (!is_in && op == T_NE)
			mask = (uint8_t)(~mask & 7u);
		cd.kind = K_MASK;
		cd.mask = mask;
	}

	if (is_item_field(f)) {
		if (c->niconds >= sizeof c->iconds / sizeof c->iconds[0])
			return fail(lx, lx->ts, "too many conditions");
		c->iconds[c->niconds++] = cd;
	} else {
		if (c->ndconds >= sizeof c->dconds / sizeof c->dconds[0])
			return fail(lx, lx->ts, "too many conditions");
		c->dconds[c->ndconds++] = cd;
	}
	return true;
}

/* The agency list for messages: "customs, quarantine or border". */
static void agency_list(const struct risk_rules *rs, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < rs->nagencies && len < n; i++) {
		const char *sep = i == 0 ? "" :
				  i + 1 == rs->nagencies ? " or " : ", ";
		int w = snprintf(buf + len, n - len, "%s%s", sep, rs->agency[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* Parse one line. Returns true (a rule was added or the line is blank),
 * false (a rule error, set in c->err), or NOMEM_LINE. */
static int parse_line(struct compiler *c, const char *s, size_t len,
		      unsigned line)
{
	struct risk_rules *rs = c->rs;
	struct lexer *lx = &c->lx;
	struct rrule rule;
	struct rtext text;
	char what[64], list[200];
	size_t a, b;
	int r, i;

	lx->s = s;
	lx->len = len;
	lx->pos = 0;
	lx->line = line;
	lx->err = c->err;
	if (!next(lx))
		return false;
	if (lx->t == T_END)
		return true;
	if (!tok_is(lx, "when"))
		return fail(lx, lx->ts,
			    "expected \"when\" at the start of a rule, found %s",
			    describe(lx, what, sizeof what));
	if (rs->nrules >= RISK_MAX_RULES)
		return fail(lx, lx->ts, "more than %d rules", RISK_MAX_RULES);

	memset(&rule, 0, sizeof rule);
	memset(&text, 0, sizeof text);
	text.line = line;
	c->ndconds = c->niconds = 0;
	for (;;) {
		if (!next(lx))
			return false;
		r = parse_cond(c);
		if (r != true)
			return r;
		if (!next(lx))
			return false;
		if (tok_is(lx, "then"))
			break;
		if (!tok_is(lx, "and"))
			return fail(lx, lx->ts,
				    "expected \"and\" or \"then\", found %s",
				    describe(lx, what, sizeof what));
	}

	if (!next(lx))
		return false;
	agency_list(rs, list, sizeof list);
	if (lx->t != T_WORD)
		return fail(lx, lx->ts, "expected an agency (%s), found %s", list,
			    describe(lx, what, sizeof what));
	i = -1;
	for (size_t k = 0; k < rs->nagencies; k++)
		if (tok_is(lx, rs->agency[k]))
			i = (int)k;
	if (i < 0)
		return fail(lx, lx->ts, "unknown agency %s (known: %s)",
			    describe(lx, what, sizeof what), list);
	rule.agency = (uint8_t)i;

	if (!next(lx))
		return false;
	i = lx->t == T_WORD ?
		    name_index(lane_names, 4, lx->s + lx->ts, lx->te - lx->ts) :
		    -1;
	if (i < 0)
		return fail(lx, lx->ts,
			    "expected a lane (green, blue, yellow or red), found %s",
			    describe(lx, what, sizeof what));
	rule.lane = (uint8_t)i;

	if (!next(lx))
		return false;
	if (lx->t == T_NUMBER)
		return fail(lx, lx->te, "expected %% right after the percent %s",
			    describe(lx, what, sizeof what));
	if (lx->t != T_PERCENT)
		return fail(lx, lx->ts, "expected a percent such as 30%%, found %s",
			    describe(lx, what, sizeof what));
	{
		char buf[48];
		int64_t v = -1;

		if (!tok_text(lx, buf, sizeof buf) ||
		    decimal_parse(buf, 4, &v) != DECIMAL_OK || v < 0 ||
		    v > (int64_t)RISK_PPM)
			return fail(lx, lx->ts,
				    "percent must be 0 to 100 with at most 4 "
				    "decimals");
		rule.ppm = (uint32_t)v;
	}

	if (!next(lx))
		return false;
	text.reason = UINT32_MAX;
	if (tok_is(lx, "reason")) {
		if (!next(lx))
			return false;
		if (lx->t != T_STRING)
			return fail(lx, lx->ts,
				    "expected a string in double quotes after "
				    "reason, found %s",
				    describe(lx, what, sizeof what));
		if (!pool_add(c, lx->sval, lx->slen, &text.reason))
			return NOMEM_LINE;
		if (!next(lx))
			return false;
	}
	if (lx->t != T_END)
		return fail(lx, lx->ts, "expected \"reason\" or end of line, found %s",
			    describe(lx, what, sizeof what));

	/* the rule is good: store its conditions, source and reason */
	if (text.reason == UINT32_MAX && !pool_add(c, "", 0, &text.reason))
		return NOMEM_LINE;
	a = 0;
	while (a < len && (s[a] == ' ' || s[a] == '\t'))
		a++;
	b = len;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (!pool_add(c, s + a, b - a, &text.source))
		return NOMEM_LINE;
	if (!grow((void **)&rs->conds, &c->conds_cap,
		  rs->nconds + c->ndconds + c->niconds, sizeof *rs->conds) ||
	    !grow((void **)&rs->rules, &c->rules_cap, rs->nrules + 1,
		  sizeof *rs->rules) ||
	    !grow((void **)&rs->texts, &c->texts_cap, rs->nrules + 1,
		  sizeof *rs->texts))
		return NOMEM_LINE;
	rule.cond = (uint32_t)rs->nconds;
	rule.ndecl = (uint16_t)c->ndconds;
	rule.nitem = (uint16_t)c->niconds;
	memcpy(rs->conds + rs->nconds, c->dconds, c->ndconds * sizeof c->dconds[0]);
	rs->nconds += c->ndconds;
	memcpy(rs->conds + rs->nconds, c->iconds, c->niconds * sizeof c->iconds[0]);
	rs->nconds += c->niconds;
	rs->texts[rs->nrules] = text;
	rs->rules[rs->nrules++] = rule;
	return true;
}

/* ------------------------------------------------------------------ */
/* the index                                                           */

uint64_t risk_key_hash(unsigned field, const char *s, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (field * UINT64_C(0x9E37));

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h ^ (h >> 29);
}

/* Where one rule is filed: the kind of key and, per kind, its detail. */
enum ikind {
	I_NEVER,    /* a condition can never hold: the rule is not filed */
	I_RESIDUAL, /* no indexable condition */
	I_HS,       /* trie nodes of the cond's values */
	I_KEY,      /* equality keys of the cond's values (or value_cny) */
	I_LOWER,    /* value_cny >= lo */
	I_UPPER,    /* value_cny <= hi */
	I_MASK,     /* credit or new_importer lists */
};

/* Expected share (ppm) of declarations or items a key of a field matches:
 * a rough model to pick the most selective condition of a rule. */
static uint64_t key_share(enum rfield f, size_t prefix_len)
{
	switch (f) {
	case F_HS: {
		static const uint64_t by_len[] = { 1000000, 300000, 20000, 6000,
						   2000,    800,    300,   120,
						   50,      20,     10 };
		return 3 * by_len[prefix_len > 10 ? 10 : prefix_len];
	}
	case F_ORIGIN:
		return 150000;
	case F_TRADING_COUNTRY:
	case F_PORT:
	case F_OFFICE:
		return 50000;
	case F_TRADE_MODE:
	case F_TRANSPORT_MODE:
		return 250000;
	case F_CONSIGNEE:
	case F_DECLARANT:
		return 100;
	case F_VALUE:
		return 1000;
	default:
		return 1000000;
	}
}

/* The share of a string condition: the sum over its values. */
static uint64_t string_share(const struct risk_rules *rs,
			     const struct rcond *cd)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < cd->nvals; i++)
		sum += key_share((enum rfield)cd->field,
				 cd->field == F_HS ? rs->strs[cd->vals + i].len :
						     0);
	return sum;
}

/* How a condition could file its rule, and the expected share (ppm) of
 * declarations that would then be candidates. */
static enum ikind cond_choice(const struct risk_rules *rs,
			      const struct rcond *cd, uint64_t *share)
{
	static const uint64_t credit_share[3] = { 100000, 880000, 20000 };

	*share = RISK_PPM;
	switch (cd->kind) {
	case K_MEMBER:
	case K_PREFIX:
		if (cd->negate)
			return I_RESIDUAL;
		if (cd->nvals == 0)
			return I_NEVER;
		*share = string_share(rs, cd);
		return cd->field == F_HS ? I_HS : I_KEY;
	case K_RANGE:
		if (cd->lo > cd->hi)
			return cd->negate ? I_RESIDUAL : I_NEVER;
		if (cd->negate)
			return I_RESIDUAL;
		if (cd->lo == cd->hi) {
			*share = key_share(F_VALUE, 0);
			return I_KEY;
		}
		if (cd->hi == INT64_MAX && cd->lo != INT64_MIN) {
			*share = 300000;
			return I_LOWER;
		}
		if (cd->lo == INT64_MIN && cd->hi != INT64_MAX) {
			*share = 500000;
			return I_UPPER;
		}
		return I_RESIDUAL;
	case K_MASK: {
		uint64_t sum = 0;

		if (cd->mask == 0)
			return I_NEVER;
		if (cd->field == F_NEW_IMPORTER) {
			if (cd->mask == 3)
				return I_RESIDUAL;
			*share = cd->mask == 2 ? 50000 : 950000;
			return I_MASK;
		}
		if (cd->mask == 7)
			return I_RESIDUAL;
		for (int i = 0; i < 3; i++)
			if (cd->mask & (1u << i))
				sum += credit_share[i];
		*share = sum;
		return I_MASK;
	}
	default:
		return I_RESIDUAL;
	}
}

/* A (key, rule) pair before the posting lists are laid out. The key is a
 * tag in the top bits and an index below. */
#define TAG_TRIE (1u << 28)
#define TAG_KEY (2u << 28)
#define TAG_CREDIT (3u << 28)
#define TAG_NEWIMP (4u << 28)
#define TAG_RESIDUAL (5u << 28)
#define TAG_MASK (15u << 28)

struct pair {
	uint32_t key;
	uint32_t rule;
};

/* The trie while it is built: ten child links a node (0: none). */
struct btnode {
	uint32_t child[10];
	struct rpost post;
};

struct builder {
	struct compiler *c;
	struct pair *pairs;
	size_t npairs, pairs_cap;
	struct btnode *trie;
	size_t ntrie, trie_cap;
	size_t keys_cap, lower_cap, upper_cap;
};

static bool add_pair(struct builder *b, uint32_t key, uint32_t rule)
{
	if (!grow((void **)&b->pairs, &b->pairs_cap, b->npairs + 1,
		  sizeof *b->pairs))
		return false;
	b->pairs[b->npairs].key = key;
	b->pairs[b->npairs].rule = rule;
	b->npairs++;
	return true;
}

/* The trie node for a digit string, created on the way. 0 on no memory. */
static uint32_t trie_node(struct builder *b, const char *s, size_t len)
{
	uint32_t node = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		uint32_t next_node = b->trie[node].child[d];

		if (!next_node) {
			if (b->ntrie >= TAG_TRIE - 1 ||
			    !grow((void **)&b->trie, &b->trie_cap, b->ntrie + 1,
				  sizeof *b->trie))
				return 0;
			memset(&b->trie[b->ntrie], 0, sizeof *b->trie);
			next_node = (uint32_t)b->ntrie++;
			b->trie[node].child[d] = next_node;
		}
		node = next_node;
	}
	return node;
}

/* Lay the built trie out breadth first into rs->trie (see rtnode). */
static bool trie_compact(struct risk_rules *rs, struct builder *b)
{
	uint32_t *order = malloc(b->ntrie * sizeof *order);
	size_t head = 0, tail = 0;

	rs->trie = calloc(b->ntrie, sizeof *rs->trie);
	if (!order || !rs->trie) {
		free(order);
		return false;
	}
	rs->ntrie = b->ntrie;
	/* order[k] = the built node that becomes node k; children of a node
	 * are queued together, so they get consecutive indexes */
	order[tail++] = 0;
	while (head < tail) {
		const struct btnode *n = &b->trie[order[head]];
		struct rtnode *out = &rs->trie[head];

		out->post = n->post;
		out->first = (uint32_t)tail;
		for (unsigned d = 0; d < 10; d++) {
			if (n->child[d]) {
				out->mask |= (uint16_t)(1u << d);
				order[tail++] = n->child[d];
			}
		}
		head++;
	}
	free(order);
	return true;
}

static size_t key_find(const struct risk_rules *rs, unsigned field,
		       const char *s, size_t len, uint64_t h, bool *found)
{
	size_t mask = rs->nslots - 1;
	size_t i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t k = rs->slots[i];
		const struct rkey *key;

		if (!k) {
			*found = false;
			return i;
		}
		key = &rs->keys[k - 1];
		if (key->hash == h && key->field == field && key->s.len == len &&
		    memcmp(rs->pool + key->s.off, s, len) == 0) {
			*found = true;
			return i;
		}
	}
}

/* The equality key (field, s) as an index into keys[], created if new.
 * -1 on no memory. */
static int64_t key_intern(struct risk_rules *rs, struct builder *b,
			  unsigned field, struct rstr s)
{
	const char *p = rs->pool + s.off;
	uint64_t h = risk_key_hash(field, p, s.len);
	bool found;
	size_t slot = key_find(rs, field, p, s.len, h, &found);

	if (found)
		return rs->slots[slot] - 1;
	if (!grow((void **)&rs->keys, &b->keys_cap, rs->nkeys + 1,
		  sizeof *rs->keys))
		return -1;
	rs->keys[rs->nkeys].hash = h;
	rs->keys[rs->nkeys].s = s;
	rs->keys[rs->nkeys].field = (uint8_t)field;
	rs->keys[rs->nkeys].post.off = 0;
	rs->keys[rs->nkeys].post.n = 0;
	rs->nkeys++;
	rs->slots[slot] = (uint32_t)rs->nkeys;
	rs->key_fields |= 1u << field;
	return (int64_t)rs->nkeys - 1;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->rule > y->rule) - (x->rule < y->rule);
}

static int cmp_lower(const void *a, const void *b)
{
	const struct rbound *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return (x->rule > y->rule) - (x->rule < y->rule);
}

static int cmp_upper(const void *a, const void *b)
{
	return cmp_lower(b, a);
}

static struct rpost *post_target(struct risk_rules *rs, struct builder *b,
				  uint32_t key)
{
	uint32_t idx = key & ~TAG_MASK;

	switch (key & TAG_MASK) {
	case TAG_TRIE:
		return &b->trie[idx].post;
	case TAG_KEY:
		return &rs->keys[idx].post;
	case TAG_CREDIT:
		return &rs->credit[idx / 3][idx % 3];
	case TAG_NEWIMP:
		return &rs->new_importer[idx];
	default:
		return &rs->residual;
	}
}

/* File one rule under the keys of its chosen condition. */
static bool file_rule(struct risk_rules *rs, struct builder *b, uint32_t ri)
{
	const struct rrule *r = &rs->rules[ri];
	const struct rcond *best = NULL;
	enum ikind kind = I_RESIDUAL;
	uint64_t best_share = UINT64_MAX;

	for (uint32_t i = 0; i < (uint32_t)r->ndecl + r->nitem; i++) {
		const struct rcond *cd = &rs->conds[r->cond + i];
		uint64_t share;
		enum ikind k = cond_choice(rs, cd, &share);

		if (k == I_NEVER)
			return true;
		if (k == I_RESIDUAL)
			continue;
		if (share < best_share) {
			best_share = share;
			best = cd;
			kind = k;
		}
	}

	switch (kind) {
	case I_HS:
		for (uint32_t i = 0; i < best->nvals; i++) {
			struct rstr v = rs->strs[best->vals + i];
			uint32_t node = trie_node(b, rs->pool + v.off, v.len);

			if (!node || !add_pair(b, TAG_TRIE | node, ri))
				return false;
		}
		return true;
	case I_KEY:
		if (best->kind == K_RANGE) {
			char bytes[8];
			uint64_t u = (uint64_t)best->lo;
			struct rstr s;
			int64_t k;

			/* the key's bytes live in the pool like strings */
			for (int i = 0; i < 8; i++)
				bytes[i] = (char)(u >> (8 * i));
			if (!pool_add(b->c, bytes, 8, &s.off))
				return false;
			s.len = 8;
			k = key_intern(rs, b, F_VALUE, s);
			return k >= 0 && add_pair(b, TAG_KEY | (uint32_t)k, ri);
		}
		for (uint32_t i = 0; i < best->nvals; i++) {
			int64_t k = key_intern(rs, b, best->field,
					       rs->strs[best->vals + i]);

			if (k < 0 || !add_pair(b, TAG_KEY | (uint32_t)k, ri))
				return false;
		}
		return true;
	case I_LOWER:
		if (!grow((void **)&rs->lower, &b->lower_cap, rs->nlower + 1,
			  sizeof *rs->lower))
			return false;
		rs->lower[rs->nlower].v = best->lo;
		rs->lower[rs->nlower].rule = ri;
		rs->nlower++;
		return true;
	case I_UPPER:
		if (!grow((void **)&rs->upper, &b->upper_cap, rs->nupper + 1,
			  sizeof *rs->upper))
			return false;
		rs->upper[rs->nupper].v = best->hi;
		rs->upper[rs->nupper].rule = ri;
		rs->nupper++;
		return true;
	case I_MASK:
		if (best->field == F_NEW_IMPORTER)
			return add_pair(b, TAG_NEWIMP | (best->mask == 2 ? 1u : 0u),
					ri);
		for (uint32_t i = 0; i < 3; i++) {
			uint32_t who = best->field == F_CONSIGNEE_CREDIT ? 0 : 1;

			if ((best->mask & (1u << i)) &&
			    !add_pair(b, TAG_CREDIT | (who * 3 + i), ri))
				return false;
		}
		return true;
	default:
		return add_pair(b, TAG_RESIDUAL, ri);
	}
}

static bool build_index(struct compiler *c)
{
	struct risk_rules *rs = c->rs;
	struct builder b;
	size_t nslots = 16;
	bool ok = false;

	memset(&b, 0, sizeof b);
	b.c = c;
	/* room for every value as a key, at most half full */
	while (nslots < 2 * (rs->nstrs + rs->nrules + 1))
		nslots *= 2;
	rs->slots = calloc(nslots, sizeof *rs->slots);
	if (!rs->slots)
		goto out;
	rs->nslots = nslots;
	b.trie = calloc(1, sizeof *b.trie);
	if (!b.trie)
		goto out;
	b.ntrie = 1;
	b.trie_cap = 1;

	for (size_t i = 0; i < rs->nrules; i++)
		if (!file_rule(rs, &b, (uint32_t)i))
			goto out;

	if (b.npairs)
		qsort(b.pairs, b.npairs, sizeof *b.pairs, cmp_pair);
	rs->post = malloc((b.npairs ? b.npairs : 1) * sizeof *rs->post);
	if (!rs->post)
		goto out;
	for (size_t i = 0; i < b.npairs; i++) {
		struct rpost *p = post_target(rs, &b, b.pairs[i].key);

		if (i == 0 || b.pairs[i].key != b.pairs[i - 1].key)
			p->off = (uint32_t)i;
		p->n++;
		rs->post[i] = b.pairs[i].rule;
	}
	rs->npost = b.npairs;
	if (rs->nlower)
		qsort(rs->lower, rs->nlower, sizeof *rs->lower, cmp_lower);
	if (rs->nupper)
		qsort(rs->upper, rs->nupper, sizeof *rs->upper, cmp_upper);
	ok = trie_compact(rs, &b);
out:
	free(b.pairs);
	free(b.trie);
	return ok;
}

/* ------------------------------------------------------------------ */
/* compile                                                             */

static bool agency_code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= sizeof(((struct risk_rules *)0)->agency[0]))
		return false;
	if (!(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) ||
		      s[i] == '_'))
			return false;
	return true;
}

void risk_rules_free(struct risk_rules *rs)
{
	if (!rs)
		return;
	free(rs->pool);
	free(rs->strs);
	free(rs->conds);
	free(rs->rules);
	free(rs->texts);
	free(rs->post);
	free(rs->trie);
	free(rs->keys);
	free(rs->slots);
	free(rs->lower);
	free(rs->upper);
	free(rs);
}

kerr risk_rules_compile(const char *text, size_t len, int64_t version,
			const char *const *agencies, size_t nagencies,
			struct risk_rules **out, struct risk_error *err)
{
	struct compiler *c = NULL;
	struct risk_rules *rs = NULL;
	kerr e = KERR_NOMEM;
	size_t pos = 0;
	unsigned line = 0;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof *err);
	if (nagencies > RISK_MAX_AGENCIES) {
		error_at(err, 0, 0, "more than %d agencies", RISK_MAX_AGENCIES);
		return KERR_INVALID;
	}
	for (size_t i = 0; i < nagencies; i++) {
		if (!agency_code_ok(agencies[i])) {
			error_at(err, 0, 0,
				 "agency code \"%.40s\" is not a lower-case word "
				 "of at most 15 characters",
				 agencies[i] ? agencies[i] : "");
			return KERR_INVALID;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(agencies[i], agencies[j]) == 0) {
				error_at(err, 0, 0, "agency code \"%s\" given twice",
					 agencies[i]);
				return KERR_INVALID;
			}
		}
	}
	if (!text && len)
		return KERR_INVALID;

	rs = calloc(1, sizeof *rs);
	c = calloc(1, sizeof *c);
	if (!rs || !c)
		goto out;
	rs->version = version;
	rs->nagencies = nagencies;
	for (size_t i = 0; i < nagencies; i++) {
		size_t n = strlen(agencies[i]);

		memcpy(rs->agency[i], agencies[i], n + 1);
		rs->agency_len[i] = (uint8_t)n;
	}
	c->rs = rs;
	c->err = err;

	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		size_t body = n;
		int r;

		line++;
		pos += n + (nl ? 1 : 0);
		if (body && s[body - 1] == '\r')
			body--;
		if (body > RISK_MAX_LINE) {
			c->lx.s = s;
			c->lx.len = body;
			c->lx.line = line;
			c->lx.err = err;
			fail(&c->lx, RISK_MAX_LINE, "line longer than %d bytes",
			     RISK_MAX_LINE);
			e = KERR_INVALID;
			goto out;
		}
		r = parse_line(c, s, body, line);
		if (r == NOMEM_LINE)
			goto out;
		if (!r) {
			e = KERR_INVALID;
			goto out;
		}
	}
	if (!build_index(c))
		goto out;
	*out = rs;
	rs = NULL;
	e = KERR_OK;
out:
	if (e == KERR_NOMEM && err && !err->message[0])
		error_at(err, 0, 0, "out of memory");
	risk_rules_free(rs);
	free(c);
	return e;
}

/* ------------------------------------------------------------------ */
/* accessors                                                           */

int64_t risk_rules_version(const struct risk_rules *rs)
{
	return rs->version;
}

size_t risk_rules_count(const struct risk_rules *rs)
{
	return rs->nrules;
}

size_t risk_rules_agency_count(const struct risk_rules *rs)
{
	return rs->nagencies;
}

const char *risk_rules_agency(const struct risk_rules *rs, size_t agency)
{
	return agency < rs->nagencies ? rs->agency[agency] : NULL;
}

const char *risk_rule_source(const struct risk_rules *rs, size_t index)
{
	return index < rs->nrules ? rs->pool + rs->texts[index].source : NULL;
}

unsigned risk_rule_line(const struct risk_rules *rs, size_t index)
{
	return index < rs->nrules ? rs->texts[index].line : 0;
}

const char *risk_rule_reason(const struct risk_rules *rs, size_t index)
{
	return index < rs->nrules ? rs->pool + rs->texts[index].reason : NULL;
}

int risk_rule_agency(const struct risk_rules *rs, size_t index)
{
	return index < rs->nrules ? rs->rules[index].agency : -1;
}
