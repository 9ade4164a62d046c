/* events.c - event type names (see events.h). */
#include "domain/events.h"

#include <string.h>

static const struct {
	const char *name;
	bool system;
	int code;
} types[EVENT_TYPE_COUNT] = {
#define EVENT_TYPE_ROW(name, text, system, code) {text, system, code},
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

int event_type_code(enum event_type t)
{
	return (unsigned)t < EVENT_TYPE_COUNT ? types[t].code : 0;
}

bool event_type_from_code(int64_t code, enum event_type *out)
{
	/* the codes were given in the map's order, so most are where they
	 * were given; a type moved in the map is found by its code */
	if (code >= 1 && code <= EVENT_TYPE_COUNT && types[code - 1].code == code) {
		*out = (enum event_type)(code - 1);
		return true;
	}
	for (int i = 0; i < EVENT_TYPE_COUNT; i++) {
		if (types[i].code == code) {
			*out = (enum event_type)i;
			return true;
		}
	}
	return false;
}
