/* config.c - settings from defaults, file, environment and flags (see config.h). */
#include "server/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/netaddr.h"

const char config_help[] =
	"Settings (flag, or KOUAN_<NAME> in the environment, or name = value in\n"
	"the file given with --config):\n"
	"  --listen ADDR          address to bind (default 127.0.0.1)\n"
	"  --port N               TCP port, 0 for any free one (default 8080)\n"
	"  --db PATH|URL          SQLite database file (default kouan.db), or a\n"
	"                         PostgreSQL URL: postgresql://user@host/dbname\n"
	"  --release-key PATH     release notice signing key (default DB.release.key;\n"
	"                         kouan.release.key with PostgreSQL: give every server\n"
	"                         the same key file)\n"
	"  --threads N            worker threads (default 16)\n"
	"  --apart-threads N      threads for long requests (batches of declarations,\n"
	"                         manifests, table loads, statistics; password hashes\n"
	"                         when one is idle), run apart from the connections'\n"
	"                         workers (default 4; 0: on them)\n"
	"  --max-body BYTES       largest request body (default 1048576)\n"
	"  --timeout-s N          idle connection timeout (default 30)\n"
	"  --header-timeout-s N   a request head must arrive whole within (default 10)\n"
	"  --conn-limit N         connections in all (default 1024)\n"
	"  --per-ip-limit N       connections per client address (default 256)\n"
	"  --sync power|process   SQLite's durability: power (default): each commit\n"
	"                         flushed to the disk before its answer, so it\n"
	"                         survives power loss; process: survives a crash\n"
	"                         of kouan only, with faster writes\n"
	"  --token-ttl-hours N    session token lifetime, 1 to 24 (default 12)\n"
	"  --longpoll-max-s N     longest wait on GET /v1/events (default 25)\n"
	"  --pwhash interactive|min  Argon2id cost for new passwords (min: tests)\n"
	"  --pwhash-concurrency auto|N  password hashes computed at once, 1 to 64;\n"
	"                         auto (default): 2, or 1 with fewer than 3 cores;\n"
	"                         a few more wait up to 0.25 s, the rest get 503\n"
	"  --trusted-proxies LIST addresses or networks (10.0.0.0/8) of proxies whose\n"
	"                         X-Forwarded-For names the client (default none)\n"
	"  --access-log on|off    one log line per request (default on)\n"
	"  --quiet on|off         log nothing but errors (default off)\n"
	"  --declarant-lanes on|off  show declarants the lanes risk assessment gave\n"
	"                         their goods (default off: only officers see lanes;\n"
	"                         the rules and their reasons are never shown)\n"
	"  --timezone NAME        the port's time zone (IANA name), in which the\n"
	"                         browser interface shows times (default Asia/Shanghai)\n"
	"  --statistics-file PATH|off  where the clearance-time statistics are kept\n"
	"                         between starts, so that a start does not measure\n"
	"                         every declaration again (default DB.statistics;\n"
	"                         kouan.statistics with PostgreSQL); off: nowhere\n"
	"  --config FILE          read settings from FILE\n";

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	str_copy(c->listen, "127.0.0.1", sizeof c->listen);
	c->port = 8080;
	str_copy(c->db, "kouan.db", sizeof c->db);
	c->threads = 16;
	c->apart_threads = 4;
	c->max_body = 1u << 20;
	c->timeout_s = 30;
	c->header_timeout_s = 10;
	c->conn_limit = 1024;
	c->per_ip_limit = 256;
	str_copy(c->sync, "power", sizeof c->sync);
	c->token_ttl_hours = 12;
	c->longpoll_max_s = 25;
	str_copy(c->pwhash, "interactive", sizeof c->pwhash);
	c->pwhash_concurrency = 0; /* auto */
	c->access_log = true;
	str_copy(c->timezone, "Asia/Shanghai", sizeof c->timezone);
}

static bool parse_uint(const char *v, unsigned long long lo, unsigned long long hi,
		       unsigned long long *out)
{
	if (!v || !isdigit((unsigned char)*v))
		return false;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return false;
	*out = x;
	return true;
}

/* An IANA time zone name as the tz database spells them ("Asia/Shanghai",
 * "UTC", "Etc/GMT-8"): whether it exists is for the browser to know. */
static bool timezone_name(const char *v, size_t max)
{
	size_t n = strlen(v);
	if (n == 0 || n >= max || v[0] == '/' || v[n - 1] == '/' || strstr(v, "..") || strstr(v, "//"))
		return false;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return false;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "0") ||
		 !strcmp(v, "no"))
		*out = false;
	else
		return false;
	return true;
}

bool config_set(struct config *c, const char *name, const char *v, char *err,
		size_t errn)
{
	unsigned long long x;
	bool ok = true;
	/* accept both release-key and release_key */
	char key[64];
	str_copy(key, name, sizeof key);
	for (char *p = key; *p; p++)
		if (*p == '_')
			*p = '-';
	if (!strcmp(key, "listen"))
		ok = str_copy(c->listen, v, sizeof c->listen) < sizeof c->listen;
	else if (!strcmp(key, "port") && (ok = parse_uint(v, 0, 65535, &x)))
		c->port = (unsigned)x;
	else if (!strcmp(key, "db"))
		ok = str_copy(c->db, v, sizeof c->db) < sizeof c->db;
	else if (!strcmp(key, "release-key"))
		ok = str_copy(c->release_key, v, sizeof c->release_key) < sizeof c->release_key;
	else if (!strcmp(key, "statistics-file")) {
		c->statistics_file_set = true;
		ok = *v && str_copy(c->statistics_file, strcmp(v, "off") ? v : "",
				    sizeof c->statistics_file) < sizeof c->statistics_file;
	}
	else if (!strcmp(key, "threads") && (ok = parse_uint(v, 1, 1024, &x)))
		c->threads = (unsigned)x;
	else if (!strcmp(key, "apart-threads") && (ok = parse_uint(v, 0, 256, &x)))
		c->apart_threads = (unsigned)x;
	else if (!strcmp(key, "max-body") && (ok = parse_uint(v, 1024, 1u << 30, &x)))
		c->max_body = (size_t)x;
	else if (!strcmp(key, "timeout-s") && (ok = parse_uint(v, 1, 3600, &x)))
		c->timeout_s = (unsigned)x;
	else if (!strcmp(key, "header-timeout-s") && (ok = parse_uint(v, 1, 600, &x)))
		c->header_timeout_s = (unsigned)x;
	else if (!strcmp(key, "conn-limit") && (ok = parse_uint(v, 1, 1000000, &x)))
		c->conn_limit = (unsigned)x;
	else if (!strcmp(key, "per-ip-limit") && (ok = parse_uint(v, 0, 1000000, &x)))
		c->per_ip_limit = (unsigned)x;
	else if (!strcmp(key, "sync"))
		ok = (!strcmp(v, "process") || !strcmp(v, "power")) &&
		     str_copy(c->sync, v, sizeof c->sync) < sizeof c->sync;
	else if (!strcmp(key, "token-ttl-hours") && (ok = parse_uint(v, 1, 24, &x)))
		c->token_ttl_hours = (unsigned)x;
	else if (!strcmp(key, "longpoll-max-s") && (ok = parse_uint(v, 0, 300, &x)))
		c->longpoll_max_s = (unsigned)x;
	else if (!strcmp(key, "pwhash"))
		ok = (!strcmp(v, "interactive") || !strcmp(v, "min")) &&
		     str_copy(c->pwhash, v, sizeof c->pwhash) < sizeof c->pwhash;
	else if (!strcmp(key, "pwhash-concurrency") && !strcmp(v, "auto"))
		c->pwhash_concurrency = 0;
	else if (!strcmp(key, "pwhash-concurrency") && (ok = parse_uint(v, 1, 64, &x)))
		c->pwhash_concurrency = (unsigned)x;
	else if (!strcmp(key, "trusted-proxies")) {
		struct netaddr_list l;
		char bad[64];
		ok = str_copy(c->trusted_proxies, v, sizeof c->trusted_proxies) <
		     sizeof c->trusted_proxies;
		if (ok && !netaddr_list_parse(v, &l, bad, sizeof bad)) {
			snprintf(err, errn,
				 "setting 'trusted-proxies': '%s' is not an IP address or "
				 "network (ADDRESS/BITS)",
				 bad);
			return false;
		}
	} else if (!strcmp(key, "access-log"))
		ok = parse_bool(v, &c->access_log);
	else if (!strcmp(key, "quiet"))
		ok = parse_bool(v, &c->quiet);
	else if (!strcmp(key, "declarant-lanes"))
		ok = parse_bool(v, &c->declarant_lanes);
	else if (!strcmp(key, "timezone"))
		ok = timezone_name(v, sizeof c->timezone) &&
		     str_copy(c->timezone, v, sizeof c->timezone) < sizeof c->timezone;
	else if (!strcmp(key, "port") || !strcmp(key, "threads") ||
		 !strcmp(key, "apart-threads") ||
		 !strcmp(key, "max-body") || !strcmp(key, "timeout-s") ||
		 !strcmp(key, "header-timeout-s") ||
		 !strcmp(key, "conn-limit") || !strcmp(key, "per-ip-limit") ||
		 !strcmp(key, "token-ttl-hours") || !strcmp(key, "longpoll-max-s") ||
		 !strcmp(key, "pwhash-concurrency"))
		ok = false;
	else {
		snprintf(err, errn, "unknown setting '%s' (see --help)", name);
		return false;
	}
	if (!ok)
		snprintf(err, errn, "setting '%s': value '%s' is not acceptable (see --help)",
			 name, v);
	return ok;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool config_load_file(struct config *c, const char *path, char *err, size_t errn)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errn, "cannot read %s: %s", path, strerror(errno));
		return false;
	}
	char line[2048];
	int lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errn, "%s:%d: expected name = value", path, lineno);
			ok = false;
			break;
		}
		*eq = '\0';
		char msg[256];
		if (!config_set(c, trim(s), trim(eq + 1), msg, sizeof msg)) {
			snprintf(err, errn, "%s:%d: %s", path, lineno, msg);
			ok = false;
		}
	}
	fclose(f);
	return ok;
}

bool config_load_env(struct config *c, char *err, size_t errn)
{
	static const char *const names[] = {
		"listen", "port", "db", "release_key", "threads", "apart_threads", "max_body",
		"timeout_s", "header_timeout_s", "conn_limit", "per_ip_limit", "sync",
		"token_ttl_hours", "longpoll_max_s", "pwhash", "pwhash_concurrency",
		"trusted_proxies", "access_log", "quiet", "declarant_lanes", "timezone",
		"statistics_file", NULL};
	for (size_t i = 0; names[i]; i++) {
		char env[64] = "KOUAN_";
		size_t n = 6;
		for (const char *p = names[i]; *p && n < sizeof env - 1; p++)
			env[n++] = (char)toupper((unsigned char)*p);
		env[n] = '\0';
		const char *v = getenv(env);
		if (v && !config_set(c, names[i], v, err, errn))
			return false;
	}
	return true;
}

bool config_load_args(struct config *c, int argc, char **argv, int first,
		      char *err, size_t errn)
{
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, errn, "unexpected argument '%s' (see --help)", a);
			return false;
		}
		char name[64];
		const char *value;
		const char *eq = strchr(a, '=');
		if (eq) {
			size_t n = (size_t)(eq - a - 2);
			if (n >= sizeof name)
				n = sizeof name - 1;
			memcpy(name, a + 2, n);
			name[n] = '\0';
			value = eq + 1;
		} else {
			str_copy(name, a + 2, sizeof name);
			if (i + 1 >= argc) {
				snprintf(err, errn, "--%s needs a value", name);
				return false;
			}
			value = argv[++i];
		}
		bool ok = !strcmp(name, "config") ? config_load_file(c, value, err, errn)
						  : config_set(c, name, value, err, errn);
		if (!ok)
			return false;
	}
	return true;
}

void config_finish(struct config *c)
{
	const char *db = c->db;
	bool pg = !strncmp(db, "postgres://", 11) || !strncmp(db, "postgresql://", 13);
	if (!strncmp(db, "sqlite:", 7))
		db += 7;
	/* servers sharing a database must share the key: name it */
	if (!c->release_key[0] && pg)
		str_copy(c->release_key, "kouan.release.key", sizeof c->release_key);
	else if (!c->release_key[0])
		snprintf(c->release_key, sizeof c->release_key, "%.1000s.release.key", db);
	/* each server keeps its own statistics (any of them will do for any
	 * server of the same database) */
	if (!c->statistics_file_set && pg)
		str_copy(c->statistics_file, "kouan.statistics", sizeof c->statistics_file);
	else if (!c->statistics_file_set)
		snprintf(c->statistics_file, sizeof c->statistics_file, "%.1000s.statistics", db);
}
