/*
 * roles.h - who may act: the fixed roles of kouan's users, and the agency an
 * officer's role works for.
 *
 * A role is a word stored with the user ("declarant", "customs", ...). The
 * route table grants routes to sets of roles (ROLE_BIT); services narrow
 * further by data (own organisation, own agency). Which kind of
 * organisation each role may belong to is decided here too. Pure: names
 * and sets only.
 */
#ifndef KOUAN_ROLES_H
#define KOUAN_ROLES_H

#include <stdbool.h>

/* X(NAME, "wire name", is an agency officer) */
#define ROLE_MAP(X)                                                            \
	X(DECLARANT, "declarant", false)                                       \
	X(CUSTOMS, "customs", true)                                            \
	X(QUARANTINE, "quarantine", true)                                      \
	X(BORDER, "border", true)                                              \
	X(MARITIME, "maritime", true)                                          \
	X(PORT_OPERATOR, "port_operator", false)                               \
	X(ANALYST, "analyst", false)                                           \
	X(ADMIN, "admin", false)                                               \
	X(AUDITOR, "auditor", false)                                           \
	X(TAX_OFFICE, "tax_office", false)                                     \
	X(CARRIER, "carrier", false)                                           \
	X(CBEC_PLATFORM, "cbec_platform", false)                               \
	X(CBEC_ENTERPRISE, "cbec_enterprise", false)                           \
	X(CBEC_PAYMENT, "cbec_payment", false)                                 \
	X(CBEC_LOGISTICS, "cbec_logistics", false)                             \
	X(BANK, "bank", false)

enum role {
#define ROLE_ENUM(name, text, agency) ROLE_##name,
	ROLE_MAP(ROLE_ENUM)
#undef ROLE_ENUM
	ROLE_COUNT
};

#define ROLE_BIT(name) (1u << ROLE_##name)
#define ROLES_AGENCY                                                           \
	(ROLE_BIT(CUSTOMS) | ROLE_BIT(QUARANTINE) | ROLE_BIT(BORDER) |       \
	 ROLE_BIT(MARITIME))
#define ROLES_ANY ((1u << ROLE_COUNT) - 1)
#define ROLES_PUBLIC 0u

/* "declarant", ...; "?" when out of range. */
const char *role_name(enum role r);
/* Parse a role's name; false when unknown. */
bool role_parse(const char *s, enum role *out);
/* The agency an officer of this role works for (its code is the role's
 * name), or NULL for roles that are not agencies. */
const char *role_agency(enum role r);
/* The names of every role, comma-separated, for messages. */
const char *role_names_text(void);

/* May a user with role r belong to an organisation of this kind (trader,
 * broker, agency, port, office, carrier, ecommerce_platform,
 * ecommerce_enterprise, payment_company, logistics_company)? A declarant
 * works for a trader or a broker, an officer for an agency, a port
 * operator for a port, an analyst, an admin and an auditor for an office,
 * each cross-border e-commerce role for its own kind of company. */
bool role_fits_org_kind(enum role r, const char *kind);
/* The kinds a role may belong to, for messages: "trader or broker". */
const char *role_org_kinds_text(enum role r);

#endif
