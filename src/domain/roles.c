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
	       "analyst, admin, carrier";
}
