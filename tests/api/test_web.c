/*
 * test_web.c - the browser interface as the router serves it (src/api/web.c):
 * the page at "/" and at client-side routes with the version of its assets
 * filled in; every asset under /assets/<version>/ with its type, entity tag
 * and caching (a year for the current version, revalidation otherwise); the
 * security headers on every answer; conditional requests; the methods and
 * paths it refuses; GET /v1/ui-settings; and the API's own paths left to
 * the API.
 */
#include <string.h>
#include <strings.h>

#include "test_support.h"
#include "common/embedded.h"

static const char CSP[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
	"frame-ancestors 'none'; form-action 'self'";

static void get(struct test_env *env, const char *method, const char *path,
		const char *if_none_match, struct http_response *resp)
{
	struct http_request req;
	memset(&req, 0, sizeof req);
	req.method = method;
	req.path = path;
	req.remote = "test";
	if (if_none_match)
		req.headers[req.nheaders++] = (struct http_pair){"If-None-Match", if_none_match};
	http_response_init(resp);
	api_dispatch(&env->app, &req, resp);
}

static const char *header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static void security_headers(const struct http_response *r)
{
	assert_non_null(header(r, "Content-Security-Policy"));
	assert_string_equal(header(r, "Content-Security-Policy"), CSP);
	assert_string_equal(header(r, "Referrer-Policy"), "no-referrer");
	assert_string_equal(header(r, "Cross-Origin-Opener-Policy"), "same-origin");
}

/* The version the page names its assets under ("/assets/<16 hex>/main.js"). */
static void page_version(struct test_env *env, char out[17])
{
	struct http_response r;
	get(env, "GET", "/", NULL, &r);
	assert_int_equal(r.status, 200);
	const char *p = strstr(r.body.data, "/assets/");
	assert_non_null(p);
	memcpy(out, p + 8, 16);
	out[16] = '\0';
	assert_int_equal(strspn(out, "0123456789abcdef"), 16);
	assert_int_equal(p[24], '/');
	http_response_free(&r);
}

static void the_page_at_root_and_at_client_routes(void **state)
{
	(void)state;
	struct test_env *env = test_env_new();
	struct http_response root, route, deep;
	get(env, "GET", "/", NULL, &root);
	assert_int_equal(root.status, 200);
	assert_string_equal(root.content_type, "text/html; charset=utf-8");
	security_headers(&root);
	assert_string_equal(header(&root, "Cache-Control"), "no-cache");
	const char *etag = header(&root, "ETag");
	assert_non_null(etag);
	assert_int_equal(strlen(etag), 26);
	assert_int_equal(etag[0], '"');
	assert_int_equal(etag[25], '"');
	/* the version is filled in everywhere; no placeholder is left */
	assert_null(strstr(root.body.data, "/assets/_/"));
	assert_non_null(strstr(root.body.data, "<script type=\"module\" src=\"/assets/"));
	assert_non_null(strstr(root.body.data, "/main.js\"></script>"));
	/* no inline script: every <script> has a src */
	for (const char *s = strstr(root.body.data, "<script"); s; s = strstr(s + 1, "<script"))
		assert_true(strncmp(s, "<script type=\"module\" src=", 26) == 0);

	get(env, "GET", "/declarations/516720261000000001", NULL, &route);
	assert_int_equal(route.status, 200);
	assert_string_equal(route.body.data, root.body.data);
	assert_string_equal(header(&route, "ETag"), etag);
	get(env, "GET", "/risk/rules", NULL, &deep);
	assert_int_equal(deep.status, 200);
	assert_string_equal(header(&deep, "ETag"), etag);
	http_response_free(&root);
	http_response_free(&route);
	http_response_free(&deep);
	test_env_free(env);
}

static void assets_by_version_with_types_and_caching(void **state)
{
	(void)state;
	struct test_env *env = test_env_new();
	char v[17], path[256];
	page_version(env, v);
	static const struct {
		const char *name, *embedded, *type;
	} files[] = {
		{"main.js", "web/app/main.js", "text/javascript; charset=utf-8"},
		{"views/declare.js", "web/app/views/declare.js", "text/javascript; charset=utf-8"},
		{"app.css", "web/app/app.css", "text/css; charset=utf-8"},
		{"icon.svg", "web/app/icon.svg", "image/svg+xml"},
		{"vendor/echarts.esm.min.mjs", "web/node_modules/echarts/dist/echarts.esm.min.mjs",
		 "text/javascript; charset=utf-8"},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const struct embedded_file *f = embedded_find(files[i].embedded);
		assert_non_null(f);
		snprintf(path, sizeof path, "/assets/%s/%s", v, files[i].name);
		struct http_response r;
		get(env, "GET", path, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.content_type, files[i].type);
		assert_int_equal(r.body.len, f->size);
		assert_memory_equal(r.body.data, f->data, f->size);
		assert_string_equal(header(&r, "Cache-Control"), "public, max-age=31536000, immutable");
		security_headers(&r);
		http_response_free(&r);
	}
	/* an older version's path is answered, but not for keeping */
	struct http_response old;
	get(env, "GET", "/assets/0123456789abcdef/main.js", NULL, &old);
	assert_int_equal(old.status, 200);
	assert_string_equal(header(&old, "Cache-Control"), "no-cache");
	http_response_free(&old);
	test_env_free(env);
}

static void every_web_file_is_served(void **state)
{
	(void)state;
	struct test_env *env = test_env_new();
	char v[17], path[512];
	page_version(env, v);
	size_t n = 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (strncmp(f->path, "web/app/", 8) != 0)
			continue;
		snprintf(path, sizeof path, "/assets/%s/%s", v, f->path + 8);
		struct http_response r;
		get(env, "GET", path, NULL, &r);
		if (r.status != 200)
			print_error("%s: %d\n", path, r.status);
		assert_int_equal(r.status, 200);
		assert_int_equal(r.body.len, f->size);
		assert_string_not_equal(r.content_type, "application/octet-stream");
		http_response_free(&r);
		n++;
	}
	assert_true(n >= 20);
	test_env_free(env);
}

static void conditional_requests(void **state)
{
	(void)state;
	struct test_env *env = test_env_new();
	char v[17], path[128], weak[64], list[96];
	page_version(env, v);
	snprintf(path, sizeof path, "/assets/%s/app.css", v);
	struct http_response r;
	get(env, "GET", path, NULL, &r);
	char etag[32];
	str_copy(etag, header(&r, "ETag"), sizeof etag);
	http_response_free(&r);

	snprintf(weak, sizeof weak, "W/%s", etag);
	snprintf(list, sizeof list, "\"0000\", %s", etag);
	const char *same[] = {etag, weak, list, "*"};
	for (size_t i = 0; i < 4; i++) {
		get(env, "GET", path, same[i], &r);
		assert_int_equal(r.status, 304);
		assert_int_equal(r.body.len, 0);
		assert_string_equal(header(&r, "ETag"), etag);
		http_response_free(&r);
	}
	get(env, "GET", path, "\"00000000000000000000000a\"", &r);
	assert_int_equal(r.status, 200);
	assert_true(r.body.len > 0);
	http_response_free(&r);
	/* the page too */
	get(env, "GET", "/", NULL, &r);
	str_copy(etag, header(&r, "ETag"), sizeof etag);
	http_response_free(&r);
	get(env, "GET", "/worklist", etag, &r);
	assert_int_equal(r.status, 304);
	http_response_free(&r);
	test_env_free(env);
}

static void methods_and_missing_files(void **state)
{
	(void)state;
	struct test_env *env = test_env_new();
	char v[17], path[256];
	page_version(env, v);
	struct http_response r;

	get(env, "HEAD", "/", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	http_response_free(&r);

	get(env, "POST", "/declarations", NULL, &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	assert_string_equal(r.content_type, "application/problem+json");
	security_headers(&r);
	http_response_free(&r);

	static const char *const missing[] = {
		"/favicon.ico", "/robots.txt", "/assets/main.js", "/assets/", "/index.html",
		NULL};
	for (size_t i = 0; missing[i]; i++) {
		get(env, "GET", missing[i], NULL, &r);
		assert_int_equal(r.status, 404);
		assert_string_equal(r.content_type, "application/problem+json");
		security_headers(&r);
		http_response_free(&r);
	}
	/* only the embedded web files: nothing outside web/app, no path tricks */
	static const char *const outside[] = {
		"../../docs/openapi.json", "../index.html", "package.json", "nope.js",
		"vendor/../main.js", "/main.js", "", NULL};
	for (size_t i = 0; outside[i]; i++) {
		snprintf(path, sizeof path, "/assets/%s/%s", v, outside[i]);
		get(env, "GET", path, NULL, &r);
		assert_int_equal(r.status, 404);
		http_response_free(&r);
	}
	test_env_free(env);
}

static void the_api_keeps_its_paths(void **state)
{
	(void)state;
	struct test_env *env = test_env_new();
	struct http_response r;
	get(env, "GET", "/v1/nothing-here", NULL, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.content_type, "application/problem+json");
	assert_null(header(&r, "Content-Security-Policy"));
	http_response_free(&r);
	get(env, "GET", "/v1", NULL, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.content_type, "application/problem+json");
	http_response_free(&r);
	get(env, "GET", "/openapi.json", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	http_response_free(&r);
	test_env_free(env);
}

static void ui_settings(void **state)
{
	(void)state;
	struct test_env *env = test_env_new();
	char v[17];
	page_version(env, v);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/ui-settings", NULL, NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "timezone")), "Asia/Shanghai");
	json_t *langs = json_object_get(r.json, "languages");
	assert_int_equal(json_array_size(langs), 2);
	assert_string_equal(json_string_value(json_array_get(langs, 0)), "zh");
	assert_string_equal(json_string_value(json_array_get(langs, 1)), "en");
	assert_string_equal(json_string_value(json_object_get(r.json, "default_language")), "zh");
	assert_string_equal(json_string_value(json_object_get(r.json, "assets_version")), v);
	loopback_result_free(&r);
	/* the server's setting */
	env->app.timezone = "Asia/Hong_Kong";
	assert_int_equal(test_call(env, "GET", "/v1/ui-settings", NULL, NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "timezone")), "Asia/Hong_Kong");
	loopback_result_free(&r);
	test_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_page_at_root_and_at_client_routes),
		cmocka_unit_test(assets_by_version_with_types_and_caching),
		cmocka_unit_test(every_web_file_is_served),
		cmocka_unit_test(conditional_requests),
		cmocka_unit_test(methods_and_missing_files),
		cmocka_unit_test(the_api_keeps_its_paths),
		cmocka_unit_test(ui_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
