/* problem.c - RFC 9457 problem+json responses (see problem.h). */
#include "http/problem.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

void problems_init(struct problems *p)
{
	p->count = 0;
	p->dropped = 0;
}

void problems_add(struct problems *p, const char *field, const char *fmt, ...)
{
	if (p->count >= PROBLEM_MAX_ERRORS) {
		p->dropped++;
		return;
	}
	struct field_error *fe = &p->errors[p->count++];
	str_copy(fe->field, field, sizeof fe->field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fe->problem, sizeof fe->problem, fmt, ap);
	va_end(ap);
}

void json_pointer_to(char *out, size_t n, const char *prefix, const char *key)
{
	if (!n)
		return;
	size_t len = str_copy(out, prefix, n);
	if (len >= n)
		len = n - 1;
	if (len + 1 < n)
		out[len++] = '/';
	for (const char *k = key; *k && len + 2 < n; k++) {
		if (*k == '~' || *k == '/') {
			out[len++] = '~';
			out[len++] = *k == '~' ? '0' : '1';
		} else {
			out[len++] = *k;
		}
	}
	out[len] = '\0';
}

bool problems_unknown_fields(struct problems *p, const json_t *obj,
			     const char *prefix, const char *const *allowed,
			     const char *accepted)
{
	bool all_known = true;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val)
	{
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = strcmp(allowed[i], key) == 0;
		if (!known) {
			char f[sizeof p->errors[0].field];
			json_pointer_to(f, sizeof f, prefix, key);
			problems_add(p, f, "unknown field; accepted fields are: %s", accepted);
			all_known = false;
		}
	}
	return all_known;
}

void problem_respond(struct http_response *resp, kerr e, const char *instance,
		     const char *detail, const struct problems *errors)
{
	problem_respond_ext(resp, e, instance, detail, errors, NULL);
}

void problem_respond_ext(struct http_response *resp, kerr e, const char *instance,
			 const char *detail, const struct problems *errors,
			 json_t *extra)
{
	char type[96];
	snprintf(type, sizeof type, "urn:kouan:problem:%s", kerr_slug(e));
	json_t *o = json_pack("{s:s, s:s, s:i}", "type", type, "title",
			      kerr_title(e), "status", kerr_http_status(e));
	if (o && detail)
		json_object_set_new(o, "detail", json_string(detail));
	if (o && instance)
		json_object_set_new(o, "instance", json_string(instance));
	if (o && errors && errors->count) {
		json_t *arr = json_array();
		for (size_t i = 0; i < errors->count; i++)
			json_array_append_new(
				arr, json_pack("{s:s, s:s}", "field",
					       errors->errors[i].field, "problem",
					       errors->errors[i].problem));
		json_object_set_new(o, "errors", arr);
		if (errors->dropped)
			json_object_set_new(o, "errors_not_shown",
					    json_integer((json_int_t)errors->dropped));
	}
	if (o && extra)
		json_object_update_missing(o, extra);
	json_decref(extra);
	resp->status = kerr_http_status(e);
	resp->content_type = "application/problem+json";
	buf_reset(&resp->body);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!s || buf_puts(&resp->body, s)) {
		buf_reset(&resp->body);
		if (buf_puts(&resp->body,
			     "{\"type\":\"urn:kouan:problem:internal\","
			     "\"title\":\"Internal error\",\"status\":500}"))
			buf_reset(&resp->body);
		resp->status = 500;
	}
	free(s);
	json_decref(o);
}
