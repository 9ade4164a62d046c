/* events.c - event type names (see events.h). */
#include "domain/events.h"

#include <string.h>

static const struct {
	const char *name;
	bool system;
} types[EVENT_TYPE_COUNT] = {
#define EVENT_TYPE_ROW(name, text, system) {text, system},
	EVENT_TYPE_MAP(EVENT_TYPE_ROW)
#undef EVENT_TYPE_ROW
};

const char *event_type_name(enum event_type t)
{
	return (unsigned)t < EVENT_TYPE_COUNT ? types[t].name : "?";
}

bool event_type_parse(const char *s, enum event_type *out)
{
	for (int i = 0; s && i < EVENT_TYPE_COUNT; i++) {
		if (strcmp(s, types[i].name) == 0) {
			*out = (enum event_type)i;
			return true;
		}
	}
	return false;
}

bool event_type_is_system(enum event_type t)
{
	return (unsigned)t < EVENT_TYPE_COUNT && types[t].system;
}
