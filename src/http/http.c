/* http.c - look-ups on requests and response bookkeeping (see http.h). */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

static const char *pair_find(const struct http_pair *p, size_t n,
			     const char *name, bool icase)
{
	for (size_t i = 0; i < n; i++)
		if (icase ? strcasecmp(p[i].name, name) == 0
			  : strcmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

const char *http_header(const struct http_request *r, const char *name)
{
	return pair_find(r->headers, r->nheaders, name, true);
}

const char *http_query(const struct http_request *r, const char *name)
{
	return pair_find(r->query, r->nquery, name, false);
}

const char *http_param(const struct http_request *r, const char *name)
{
	return pair_find(r->params, r->nparams, name, false);
}

int64_t http_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void http_response_init(struct http_response *resp)
{
	memset(resp, 0, sizeof *resp);
	resp->status = 200;
	resp->content_type = "application/json";
	buf_init(&resp->body, 64u << 20);
}

void http_response_free(struct http_response *resp)
{
	buf_free(&resp->body);
	for (size_t i = 0; i < resp->nheaders; i++) {
		free((char *)resp->headers[i].name);
		free((char *)resp->headers[i].value);
	}
	resp->nheaders = 0;
}

void http_response_header(struct http_response *resp, const char *name,
			  const char *value)
{
	if (resp->nheaders >= HTTP_MAX_RESPONSE_HEADERS)
		return;
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return;
	}
	resp->headers[resp->nheaders].name = n;
	resp->headers[resp->nheaders].value = v;
	resp->nheaders++;
}
