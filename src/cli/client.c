/* client.c - HTTP calls for the command-line client (see client.h). */
#include "cli/client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int client_setup(struct client *c, int argc, char **argv)
{
	const char *url = getenv("KOUAN_URL");
	const char *token = getenv("KOUAN_TOKEN");
	int w = 0;
	for (int i = 0; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--url"))
			url = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--token"))
			token = argv[++i];
		else
			argv[w++] = argv[i];
	}
	str_copy(c->url, url ? url : "http://127.0.0.1:8080", sizeof c->url);
	size_t n = strlen(c->url);
	while (n && c->url[n - 1] == '/')
		c->url[--n] = '\0';
	str_copy(c->token, token ? token : "", sizeof c->token);
	return w;
}

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
	struct buf *b = cls;
	return buf_append(b, p, size * n) == KERR_OK ? size * n : 0;
}

bool client_call(const struct client *c, const char *method, const char *path,
		 const char *body, const char *idem, struct client_response *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body, 64u << 20);
	CURL *h = curl_easy_init();
	if (!h)
		return false;
	char url[1024], auth[200], key[200];
	snprintf(url, sizeof url, "%s%s", c->url, path);
	struct curl_slist *hdr = NULL;
	if (c->token[0]) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
		hdr = curl_slist_append(hdr, auth);
	}
	if (body)
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	if (idem) {
		snprintf(key, sizeof key, "Idempotency-Key: %s", idem);
		hdr = curl_slist_append(hdr, key);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	else
		fprintf(stderr, "kouan: cannot reach %s: %s\n", c->url, curl_easy_strerror(rc));
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		return false;
	if (r->body.len)
		r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
	return true;
}

void client_response_free(struct client_response *r)
{
	json_decref(r->json);
	buf_free(&r->body);
}

void client_print_problem(const struct client_response *r)
{
	const char *title = json_string_value(json_object_get(r->json, "title"));
	const char *detail = json_string_value(json_object_get(r->json, "detail"));
	fprintf(stderr, "kouan: %ld %s%s%s\n", r->status, title ? title : "error",
		detail ? ": " : "", detail ? detail : "");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r->json, "errors"), i, e)
	{
		fprintf(stderr, "  %s: %s\n",
			json_string_value(json_object_get(e, "field")),
			json_string_value(json_object_get(e, "problem")));
	}
	if (!r->json && r->body.len)
		fprintf(stderr, "%s\n", r->body.data);
}

bool client_add_query(char *path, size_t n, const char *name, const char *value)
{
	char *v = curl_easy_escape(NULL, value, 0);
	if (!v)
		return false;
	size_t len = strlen(path);
	int w = snprintf(path + len, n - len, "%s%s=%s", strchr(path, '?') ? "&" : "?", name, v);
	curl_free(v);
	return w > 0 && (size_t)w < n - len;
}

bool client_segment(char *out, size_t n, const char *value)
{
	char *v = curl_easy_escape(NULL, value, 0);
	if (!v)
		return false;
	int w = snprintf(out, n, "%s", v);
	curl_free(v);
	return *value && w > 0 && (size_t)w < n;
}
