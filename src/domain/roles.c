/* roles.c - role names and agencies (see roles.h). */
#include "domain/roles.h"

#include <string.h>

static const struct {
	const char *name;
	bool agency;
} roles[ROLE_COUNT] = {
#define ROLE_ROW(name, text, agency) {text, agency},
	ROLE_MAP(ROLE_ROW)
#undef ROLE_ROW
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? roles[r].name : "?";
}

bool role_parse(const char *s, enum role *out)
{
	for (int i = 0; s && i < ROLE_COUNT; i++) {
		if (strcmp(s, roles[i].name) == 0) {
			*out = (enum role)i;
			return true;
		}
	}
	return false;
}

const char *role_agency(enum role r)
{
	return (unsigned)r < ROLE_COUNT && roles[r].agency ? roles[r].name : NULL;
}

const char *role_names_text(void)
{
	return "declarant, customs, quarantine, border, maritime, port_operator, "
	       "analyst, admin, auditor, tax_office, carrier, cbec_platform, cbec_enterprise, "
	       "cbec_payment, cbec_logistics, bank";
}

/* The kinds of organisation a role may belong to, '|'-separated. No
 * default: a new role does not compile until its kinds are decided. */
static const char *kinds_of(enum role r)
{
	switch (r) {
	case ROLE_DECLARANT:
		return "trader|broker";
	case ROLE_CUSTOMS:
	case ROLE_QUARANTINE:
	case ROLE_BORDER:
	case ROLE_MARITIME:
	case ROLE_TAX_OFFICE:
		return "agency";
	case ROLE_PORT_OPERATOR:
		return "port";
	case ROLE_CARRIER:
		return "carrier";
	case ROLE_CBEC_PLATFORM:
		return "ecommerce_platform";
	case ROLE_CBEC_ENTERPRISE:
		return "ecommerce_enterprise";
	case ROLE_CBEC_PAYMENT:
		return "payment_company";
	case ROLE_CBEC_LOGISTICS:
		return "logistics_company";
	case ROLE_BANK:
		return "bank";
	case ROLE_ANALYST:
	case ROLE_ADMIN:
	case ROLE_AUDITOR:
		return "office";
	case ROLE_COUNT:
		break;
	}
	return "";
}

bool role_fits_org_kind(enum role r, const char *kind)
{
	if ((unsigned)r >= ROLE_COUNT || !kind || !*kind)
		return false;
	const char *k = kinds_of(r);
	size_t n = strlen(kind);
	while (*k) {
		size_t len = strcspn(k, "|");
		if (len == n && strncmp(k, kind, n) == 0)
			return true;
		k += len;
		if (*k == '|')
			k++;
	}
	return false;
}

const char *role_org_kinds_text(enum role r)
{
	if ((unsigned)r >= ROLE_COUNT)
		return "";
	return r == ROLE_DECLARANT ? "trader or broker" : kinds_of(r);
}
