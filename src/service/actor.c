/*
 * actor.c - who acts (struct actor: a user, or kouan itself) and how a
 * service says why it refused (struct refusal); see service.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "common/buf.h"
#include "service/service.h"

const struct actor actor_kouan = {.system = true, .role = ROLE_ADMIN,
				  .username = "kouan"};

const char *actor_name(const struct actor *a)
{
	return a->system ? "kouan" : a->username;
}

const char *actor_role_name(const struct actor *a)
{
	return a->system ? "system" : role_name(a->role);
}

const char *actor_agency(const struct actor *a)
{
	return a->system ? NULL : role_agency(a->role);
}

bool actor_lanes_hidden(const struct services *s, const struct actor *a)
{
	if (a->system || s->limits.declarant_lanes)
		return false;
	switch (a->role) {
	case ROLE_DECLARANT: /* and the parties of e-commerce, who trade too */
	case ROLE_CBEC_PLATFORM:
	case ROLE_CBEC_ENTERPRISE:
	case ROLE_CBEC_LOGISTICS:
	case ROLE_CBEC_PAYMENT:
		return true;
	default:
		return false;
	}
}

void refusal_init(struct refusal *r, struct problems *fields)
{
	r->detail[0] = '\0';
	r->fields = fields;
}

void refusal_say(struct refusal *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
}

void refusal_field(struct refusal *r, const char *field, const char *fmt, ...)
{
	char text[PROBLEM_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (r->fields)
		problems_add(r->fields, field, "%s", text);
	else
		str_copy(r->detail, text, sizeof r->detail);
}
