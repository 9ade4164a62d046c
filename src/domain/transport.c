/* transport.c - call keys and clearance flows (see transport.h). */
#include "domain/transport.h"

#include <string.h>

static const char *const flow_names[FLOW_COUNT] = {
	"normal",
	"direct_pickup",
	"direct_loading",
};

const char *clearance_flow_name(enum clearance_flow f)
{
	return f < FLOW_COUNT ? flow_names[f] : "normal";
}

bool clearance_flow_parse(const char *s, enum clearance_flow *out)
{
	for (int i = 0; s && i < FLOW_COUNT; i++) {
		if (strcmp(flow_names[i], s) == 0) {
			*out = (enum clearance_flow)i;
			return true;
		}
	}
	return false;
}

/* Append `s` to out at *len, upper-casing ASCII letters and leaving out
 * spaces, hyphens and U+00B7 (the middle dot of Chinese plates). */
static bool append_normalised(char *out, size_t *len, const char *s)
{
	size_t before = *len;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == ' ' || *c == '-')
			continue;
		if (c[0] == 0xC2 && c[1] == 0xB7) {
			c++;
			continue;
		}
		if (*len + 2 > CALL_KEY_MAX)
			return false;
		out[(*len)++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
	}
	return *len > before;
}

static bool append_raw(char *out, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (!n || *len + n + 1 > CALL_KEY_MAX)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	return true;
}

bool transport_call_key(const char *mode, const char *identity,
			const char *voyage, const char *port,
			char out[CALL_KEY_MAX])
{
	size_t len = 0;
	bool ok = mode && identity && voyage && port &&
		  append_raw(out, &len, mode) && append_raw(out, &len, "|") &&
		  append_normalised(out, &len, identity) &&
		  append_raw(out, &len, "|") &&
		  append_normalised(out, &len, voyage) &&
		  append_raw(out, &len, "|") && append_raw(out, &len, port);
	out[ok ? len : 0] = '\0';
	return ok;
}

bool transport_mode_followed(const char *mode)
{
	return mode && (!strcmp(mode, TRANSPORT_MODE_WATERWAY) || !strcmp(mode, TRANSPORT_MODE_ROAD) ||
			!strcmp(mode, TRANSPORT_MODE_AIR));
}

bool transport_call_key_of_declaration(const json_t *body, char out[CALL_KEY_MAX])
{
	const char *mode = json_string_value(json_object_get(body, "transport_mode"));
	const json_t *c = json_object_get(body, "conveyance");
	const char *dir = json_string_value(json_object_get(body, "direction"));
	const char *port = json_string_value(json_object_get(
		body, dir && strcmp(dir, "export") == 0 ? "exit_port" : "entry_port"));
	const char *identity = json_string_value(json_object_get(c, "imo"));
	if (!mode || strcmp(mode, TRANSPORT_MODE_WATERWAY) != 0 || !identity)
		identity = json_string_value(json_object_get(c, "name"));
	return transport_call_key(mode, identity,
				  json_string_value(json_object_get(c, "voyage")),
				  port, out);
}

int transport_sort_cmp(const void *x, const void *y)
{
	const struct sort_entry *p = x, *q = y;
	int c = strcmp(p->key, q->key);
	if (c)
		return c;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

bool transport_seals_equal(const json_t *a, const json_t *b)
{
	if (json_array_size(a) != json_array_size(b))
		return false;
	size_t i, k;
	json_t *s, *t;
	json_array_foreach(a, i, s)
	{
		bool found = false;
		json_array_foreach(b, k, t) found |= json_equal(s, t);
		if (!found)
			return false;
	}
	return true;
}
