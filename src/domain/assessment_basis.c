/*
 * assessment_basis.c - an assessment kept as what it was computed from,
 * and computed again from it (see assessment_basis.h).
 *
 * Never: use a tariff version or an exchange rate the basis does not
 * name, or return a replayed assessment whose amounts differ from the
 * stored ones.
 */
#include "domain/assessment_basis.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "domain/exchange.h"

void assessment_basis_of(const struct assess_input *in, const struct assessment *a,
			 struct assessment_basis *out)
{
	const struct tariff_version *used[ASSESS_MAX_ITEMS];
	size_t n = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < a->nitems; i++) {
		const struct tariff_version *v = a->items[i].version;
		size_t at = 0;

		while (v && at < n && used[at] != v)
			at++;
		if (!v || at < n)
			continue;
		/* insertion in date order (versions never share a date) */
		for (at = n++; at > 0 && used[at - 1]->effective_from > v->effective_from; at--)
			used[at] = used[at - 1];
		used[at] = v;
	}
	for (size_t i = 0; i < n; i++)
		str_copy(out->versions[i], used[i]->id, sizeof out->versions[i]);
	out->nversions = n;
	out->rate_month = a->rate_month;
	out->cny_per_unit = a->rate;
	for (size_t i = 0; i < in->ndocuments; i++) {
		const char *agreement = in->documents[i].agreement;

		if (!agreement)
			continue;
		out->certificates[out->ncertificates].document = i;
		str_copy(out->certificates[out->ncertificates].agreement, agreement,
			 sizeof out->certificates[0].agreement);
		out->ncertificates++;
	}
	out->duty = a->duty.due;
	out->consumption_tax = a->consumption_tax.due;
	out->vat = a->vat.due;
}

kerr assessment_basis_format(const struct assessment_basis *b, char *versions, size_t vn,
			     char *certificates, size_t cn)
{
	size_t used = 0;
	int w;

	if (!vn || !cn)
		return KERR_INVALID;
	versions[0] = certificates[0] = '\0';
	for (size_t i = 0; i < b->nversions; i++) {
		w = snprintf(versions + used, vn - used, "%s%s", i ? " " : "", b->versions[i]);
		if (w < 0 || (size_t)w >= vn - used)
			return KERR_INVALID;
		used += (size_t)w;
	}
	used = 0;
	for (size_t i = 0; i < b->ncertificates; i++) {
		w = snprintf(certificates + used, cn - used, "%s%zu:%s", i ? " " : "",
			     b->certificates[i].document, b->certificates[i].agreement);
		if (w < 0 || (size_t)w >= cn - used)
			return KERR_INVALID;
		used += (size_t)w;
	}
	return KERR_OK;
}

/* The next space-separated word of *s into word (at most n - 1 bytes);
 * false at the end. A word too long, or an empty one (two spaces, a space
 * at either end), makes *bad true. */
static bool next_word(const char **s, char *word, size_t n, bool *bad)
{
	const char *p = *s;
	size_t len;

	if (!*p)
		return false;
	len = strcspn(p, " ");
	if (!len || len >= n || (p[len] == ' ' && !p[len + 1])) {
		*bad = true;
		return false;
	}
	memcpy(word, p, len);
	word[len] = '\0';
	*s = p + len + (p[len] == ' ');
	return true;
}

static bool all_of(const char *s, const char *allowed)
{
	return *s && strspn(s, allowed) == strlen(s);
}

#define DIGITS "0123456789"
#define CAPITALS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define VERSION_CHARS CAPITALS "abcdefghijklmnopqrstuvwxyz" DIGITS "._-"
#define AGREEMENT_CHARS CAPITALS DIGITS "-"

kerr assessment_basis_parse(const char *versions, const char *certificates,
			    struct assessment_basis *out)
{
	char word[TARIFF_AGREEMENT_MAX + 8];
	bool bad = false;

	out->nversions = out->ncertificates = 0;
	if (!versions)
		return KERR_INVALID;
	while (!bad && next_word(&versions, word, TARIFF_ID_MAX, &bad)) {
		if (out->nversions == ASSESS_MAX_ITEMS || !all_of(word, VERSION_CHARS))
			return KERR_INVALID;
		for (size_t i = 0; i < out->nversions; i++)
			if (!strcmp(out->versions[i], word))
				return KERR_INVALID;
		str_copy(out->versions[out->nversions++], word, TARIFF_ID_MAX);
	}
	while (!bad && certificates && next_word(&certificates, word, sizeof word, &bad)) {
		char *colon = strchr(word, ':');
		size_t document = 0;

		if (!colon || colon == word || colon - word > 2 || !all_of(colon + 1, AGREEMENT_CHARS) ||
		    strlen(colon + 1) >= TARIFF_AGREEMENT_MAX ||
		    out->ncertificates == ASSESS_MAX_DOCUMENTS)
			return KERR_INVALID;
		for (const char *d = word; d < colon; d++) {
			if (*d < '0' || *d > '9')
				return KERR_INVALID;
			document = document * 10 + (size_t)(*d - '0');
		}
		if (document >= ASSESS_MAX_DOCUMENTS ||
		    (out->ncertificates &&
		     out->certificates[out->ncertificates - 1].document >= document))
			return KERR_INVALID;
		out->certificates[out->ncertificates].document = document;
		str_copy(out->certificates[out->ncertificates].agreement, colon + 1,
			 TARIFF_AGREEMENT_MAX);
		out->ncertificates++;
	}
	return bad ? KERR_INVALID : KERR_OK;
}

kerr assessment_replay(struct assess_input *in, const struct tariff *tariff,
		       const struct assessment_basis *b, struct assessment *out,
		       struct problems *p)
{
	struct tariff_version *named[ASSESS_MAX_ITEMS];
	struct tariff only = {0, named};
	struct exchange_rate rate;
	struct exchange_table rates = {1, &rate};
	kerr e;

	/* the named versions, in the tariff's (date) order */
	for (size_t i = 0; tariff && i < tariff->nversions; i++)
		for (size_t k = 0; k < b->nversions; k++)
			if (!strcmp(tariff->versions[i]->id, b->versions[k]))
				named[only.nversions++] = tariff->versions[i];
	for (size_t k = 0; k < b->nversions; k++) {
		size_t i = 0;

		while (i < only.nversions && strcmp(named[i]->id, b->versions[k]))
			i++;
		if (i == only.nversions) {
			problems_add(p, "", "tariff version %s is not loaded", b->versions[k]);
			return KERR_NOT_FOUND;
		}
	}
	for (size_t i = 0; i < in->ndocuments; i++)
		in->documents[i].agreement = NULL;
	for (size_t i = 0; i < b->ncertificates; i++) {
		if (b->certificates[i].document >= in->ndocuments) {
			problems_add(p, "", "the basis names document %zu of %zu",
				     b->certificates[i].document, in->ndocuments);
			return KERR_CONFLICT;
		}
		in->documents[b->certificates[i].document].agreement =
			b->certificates[i].agreement;
	}
	memset(&rate, 0, sizeof rate);
	str_copy(rate.currency, in->currency ? in->currency : "", sizeof rate.currency);
	rate.month = b->rate_month;
	rate.cny_per_unit = b->cny_per_unit;
	e = assessment_compute(in, &only, &rates, out, p);
	if (e)
		return e;
	if (out->status != ASSESS_ASSESSED || out->rate_month != b->rate_month ||
	    out->rate != b->cny_per_unit || out->duty.due != b->duty ||
	    out->consumption_tax.due != b->consumption_tax || out->vat.due != b->vat) {
		problems_add(p, "", "the assessment computed again does not give the "
				    "amounts stored for it");
		return KERR_CONFLICT;
	}
	return KERR_OK;
}
