/*
 * test_openapi.c - the OpenAPI document served at /openapi.json describes
 * exactly the routes the router has (same paths, same methods), marks
 * exactly the public ones as needing no token, and is what the server
 * serves.
 */
#include <string.h>
#include <strings.h>

#include "test_support.h"
#include "common/embedded.h"

static json_t *document(void)
{
	const struct embedded_file *f = embedded_find("docs/openapi.json");
	assert_non_null(f);
	json_error_t err;
	json_t *doc = json_loadb(f->data, f->size, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		print_error("docs/openapi.json: line %d: %s\n", err.line, err.text);
	assert_non_null(doc);
	return doc;
}

static void every_route_is_documented_and_nothing_else(void **state)
{
	(void)state;
	json_t *doc = document();
	assert_non_null(strstr(json_string_value(json_object_get(doc, "openapi")), "3."));
	json_t *paths = json_object_get(doc, "paths");
	size_t n;
	const struct route *r = api_routes(&n);
	size_t documented = 0;
	const char *path;
	json_t *item;
	json_object_foreach(paths, path, item)
	{
		const char *method;
		json_t *op;
		json_object_foreach(item, method, op)
		{
			if (!strcmp(method, "parameters") || !strcmp(method, "summary") ||
			    !strcmp(method, "description"))
				continue;
			documented++;
			bool found = false;
			for (size_t i = 0; i < n && !found; i++)
				found = !strcmp(r[i].pattern, path) && !strcasecmp(r[i].method, method);
			if (!found)
				print_error("documented but not routed: %s %s\n", method, path);
			assert_true(found);
		}
	}
	for (size_t i = 0; i < n; i++) {
		char method[16];
		size_t k = 0;
		for (; r[i].method[k] && k < sizeof method - 1; k++)
			method[k] = (char)(r[i].method[k] | 0x20);
		method[k] = '\0';
		json_t *op = json_object_get(json_object_get(paths, r[i].pattern), method);
		if (!op)
			print_error("routed but not documented: %s %s\n", r[i].method, r[i].pattern);
		assert_non_null(op);
		/* public routes say so with an empty security list; others do not */
		json_t *sec = json_object_get(op, "security");
		bool open = json_is_array(sec) && json_array_size(sec) == 0;
		if (open != (r[i].roles == ROLES_PUBLIC))
			print_error("security of %s %s is wrong in the document\n", r[i].method,
				    r[i].pattern);
		assert_int_equal(open, r[i].roles == ROLES_PUBLIC);
	}
	assert_int_equal(documented, n);
	json_decref(doc);
}

static void served_as_is(void **state)
{
	struct test_env *env = test_env_new();
	(void)state;
	const struct embedded_file *f = embedded_find("docs/openapi.json");
	env->app.openapi = f->data;
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/openapi.json", NULL, NULL, NULL, &r), 200);
	assert_string_equal(r.text, f->data);
	loopback_result_free(&r);
	test_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_is_documented_and_nothing_else),
		cmocka_unit_test(served_as_is),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
