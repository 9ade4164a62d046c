/*
 * web.c - the browser interface, served from the files compiled into the
 * binary (see cmake/web.cmake): the page (web/index.html) at "/" and at
 * every client-side route, the scripts, styles and images of web/app/ and
 * the third-party files taken from web/node_modules/<package>/dist/ under
 * /assets/<version>/, and the public settings the page starts from
 * (GET /v1/ui-settings).
 *
 * <version> is a digest of every asset: when one changes, the page names
 * them all under a new version, so a browser may keep an asset for a year
 * (an old version's path is still answered, but not for keeping). The page
 * itself is revalidated with its ETag. Every answer carries a
 * Content-Security-Policy that allows scripts, styles, connections and
 * images from kouan itself only: no inline script, no style attribute, no
 * frame, no plug-in.
 *
 * It must never read the disk or serve anything but the web/ files of the
 * embedded table; it needs no database and no caller.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "common/embedded.h"
#include "common/log.h"

#define WEB_MAX_ASSETS 256
#define ETAG_BYTES 12
#define ETAG_TEXT (2 * ETAG_BYTES + 3) /* quoted hex and NUL */
#define VERSION_BYTES 8
#define ASSETS_PREFIX "/assets/"
#define VERSION_PLACEHOLDER "/assets/_/"
#define DEFAULT_TIMEZONE "Asia/Shanghai"

static const char CSP[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; "
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; "
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
	"form-action 'self'";

struct web_asset {
	char name[128]; /* as requested after /assets/<version>/ */
	const char *data;
	size_t size;
	const char *content_type;
	char etag[ETAG_TEXT];
};

struct web_files {
	struct web_asset assets[WEB_MAX_ASSETS];
	size_t nassets;
	char version[2 * VERSION_BYTES + 1];
	struct web_asset page; /* index.html with the version filled in */
	bool ready;
};

static struct web_files files;
static pthread_once_t files_once = PTHREAD_ONCE_INIT;

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *content_type_of(const char *name)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".json", "application/json"},
		{".png", "image/png"},
		{".woff2", "font/woff2"},
		{".txt", "text/plain; charset=utf-8"},
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (ends(name, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void etag_of(const char *data, size_t size, char out[ETAG_TEXT])
{
	unsigned char d[ETAG_BYTES];
	crypto_generichash(d, sizeof d, (const unsigned char *)data, size, NULL, 0);
	out[0] = '"';
	sodium_bin2hex(out + 1, 2 * ETAG_BYTES + 1, d, sizeof d);
	out[2 * ETAG_BYTES + 1] = '"';
	out[2 * ETAG_BYTES + 2] = '\0';
}

/* The name an embedded file is served under: web/app/X as X, and
 * web/node_modules/<package>/dist/X as vendor/X. False if it is no asset. */
static bool asset_name(const char *path, char *out, size_t n)
{
	const char *name = NULL;
	const char *dist = strstr(path, "/dist/");
	if (starts(path, "web/app/"))
		name = path + strlen("web/app/");
	else if (starts(path, "web/node_modules/") && dist)
		return (size_t)snprintf(out, n, "vendor/%s", dist + strlen("/dist/")) < n;
	return name && str_copy(out, name, n) < n;
}

/* index.html with every VERSION_PLACEHOLDER replaced by this version. */
static char *page_with_version(const char *text, const char *version)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	const char *p = text;
	const char *hit;
	char prefix[sizeof ASSETS_PREFIX + 2 * VERSION_BYTES + 1];
	snprintf(prefix, sizeof prefix, "%s%s/", ASSETS_PREFIX, version);
	while ((hit = strstr(p, VERSION_PLACEHOLDER)) != NULL) {
		if (buf_append(&b, p, (size_t)(hit - p)) || buf_puts(&b, prefix))
			goto fail;
		p = hit + strlen(VERSION_PLACEHOLDER);
	}
	if (buf_puts(&b, p))
		goto fail;
	return buf_take(&b);
fail:
	buf_free(&b);
	return NULL;
}

static void files_load(void)
{
	const struct embedded_file *index = NULL;
	crypto_generichash_state all;
	crypto_generichash_init(&all, NULL, 0, VERSION_BYTES);
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (!strcmp(f->path, "web/index.html")) {
			index = f;
			continue;
		}
		if (files.nassets == WEB_MAX_ASSETS) {
			log_error("web: more than %d assets; %s is not served", WEB_MAX_ASSETS,
				  f->path);
			continue;
		}
		struct web_asset *a = &files.assets[files.nassets];
		if (!asset_name(f->path, a->name, sizeof a->name))
			continue;
		files.nassets++;
		a->data = f->data;
		a->size = f->size;
		a->content_type = content_type_of(a->name);
		etag_of(f->data, f->size, a->etag);
		crypto_generichash_update(&all, (const unsigned char *)a->name,
					  strlen(a->name) + 1);
		crypto_generichash_update(&all, (const unsigned char *)a->etag,
					  strlen(a->etag));
	}
	unsigned char v[VERSION_BYTES];
	crypto_generichash_final(&all, v, sizeof v);
	sodium_bin2hex(files.version, sizeof files.version, v, sizeof v);
	if (!index) {
		log_error("web: web/index.html is not built in");
		return;
	}
	/* kept for the life of the process, like the embedded files */
	char *page = page_with_version(index->data, files.version);
	if (!page) {
		log_error("web: out of memory preparing the page");
		return;
	}
	str_copy(files.page.name, "index.html", sizeof files.page.name);
	files.page.data = page;
	files.page.size = strlen(page);
	files.page.content_type = content_type_of(files.page.name);
	etag_of(files.page.data, files.page.size, files.page.etag);
	files.ready = true;
}

static const struct web_files *web_files(void)
{
	pthread_once(&files_once, files_load);
	return &files;
}

bool web_owns(const char *path)
{
	return path[0] == '/' && !starts(path, "/v1/") && strcmp(path, "/v1") != 0 &&
	       strcmp(path, "/openapi.json") != 0;
}

/* Does an If-None-Match header list this entity tag (weak comparison,
 * RFC 9110 section 13.1.2)? */
static bool etag_listed(const char *header, const char *etag)
{
	if (!header)
		return false;
	size_t n = strlen(etag);
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (starts(p, "W/"))
			p += 2;
		if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' ||
					     p[n] == '\t'))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

static void common_headers(struct http_response *resp)
{
	http_response_header(resp, "Content-Security-Policy", CSP);
	http_response_header(resp, "Referrer-Policy", "no-referrer");
	http_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

static void answer_problem(const struct http_request *req, struct http_response *resp,
			   kerr e, const char *detail)
{
	problem_respond(resp, e, req->path, detail, NULL);
	common_headers(resp);
}

static void answer_file(const struct http_request *req, struct http_response *resp,
			const struct web_asset *a, const char *cache_control)
{
	bool unchanged = etag_listed(http_header(req, "If-None-Match"), a->etag);
	buf_reset(&resp->body);
	if (!unchanged && buf_append(&resp->body, a->data, a->size)) {
		answer_problem(req, resp, KERR_NOMEM, NULL);
		return;
	}
	common_headers(resp);
	http_response_header(resp, "ETag", a->etag);
	http_response_header(resp, "Cache-Control", cache_control);
	resp->content_type = a->content_type;
	resp->status = unchanged ? 304 : 200;
}

static const struct web_asset *asset_find(const struct web_files *w, const char *name)
{
	for (size_t i = 0; i < w->nassets; i++)
		if (!strcmp(w->assets[i].name, name))
			return &w->assets[i];
	return NULL;
}

void web_serve(const struct http_request *req, struct http_response *resp)
{
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		http_response_header(resp, "Allow", "GET, HEAD");
		answer_problem(req, resp, KERR_METHOD,
			       "the pages of the browser interface are read with GET");
		return;
	}
	const struct web_files *w = web_files();
	if (!w->ready) {
		answer_problem(req, resp, KERR_NOT_FOUND,
			       "the browser interface is not built into this binary");
		return;
	}
	const char *path = req->path;
	if (starts(path, ASSETS_PREFIX)) {
		const char *version = path + strlen(ASSETS_PREFIX);
		const char *slash = strchr(version, '/');
		const struct web_asset *a = slash ? asset_find(w, slash + 1) : NULL;
		if (!a) {
			answer_problem(req, resp, KERR_NOT_FOUND, "no such file");
			return;
		}
		bool current = (size_t)(slash - version) == strlen(w->version) &&
			       !strncmp(version, w->version, strlen(w->version));
		answer_file(req, resp, a,
			    current ? "public, max-age=31536000, immutable" : "no-cache");
		return;
	}
	/* A client-side route is a path whose last segment names no file. */
	const char *last = strrchr(path, '/');
	if (strchr(last, '.')) {
		answer_problem(req, resp, KERR_NOT_FOUND, "no such file");
		return;
	}
	answer_file(req, resp, &w->page, "no-cache");
}

void api_ui_settings(struct api_ctx *ctx)
{
	const char *tz = ctx->app->timezone && ctx->app->timezone[0] ? ctx->app->timezone
								     : DEFAULT_TIMEZONE;
	api_json(ctx, 200, json_pack("{s:s, s:[s, s], s:s, s:s}", "timezone", tz,
				     "languages", "zh", "en", "default_language", "zh",
				     "assets_version", web_files()->version));
}
