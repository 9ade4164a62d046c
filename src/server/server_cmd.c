/*
 * server_cmd.c - kouan serve, init, demo and admin: open the database,
 * migrate it, load reference data, run the HTTP server until SIGTERM or
 * SIGINT, and administer organisations, users and tokens offline. Offline
 * acts are audited under the operating system user who ran them, and
 * signed with the release key like the server's. Passwords are never taken
 * from the command line.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/secret.h"
#include "common/embedded.h"
#include "common/log.h"
#include "common/netaddr.h"
#include "domain/credentials.h"
#include "http/server.h"
#include "server/commands.h"
#include "server/config.h"
#include "server/demo.h"
#include "server/housekeeping.h"
#include "server/money_load.h"
#include "server/reference_load.h"
#include "service/accounts.h"

static bool want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* Settings: defaults, KOUAN_CONFIG file, environment, then flags. */
static bool load_config(struct config *cfg, int argc, char **argv, int first)
{
	char err[512];
	config_defaults(cfg);
	const char *file = getenv("KOUAN_CONFIG");
	if ((file && !config_load_file(cfg, file, err, sizeof err)) ||
	    !config_load_env(cfg, err, sizeof err) ||
	    !config_load_args(cfg, argc, argv, first, err, sizeof err)) {
		fprintf(stderr, "kouan: %s\n", err);
		return false;
	}
	config_finish(cfg);
	if (cfg->quiet)
		log_set_level(LOG_ERROR);
	return true;
}

static void limits_from(const struct config *cfg, struct app_limits *l)
{
	app_limits_default(l);
	l->max_body = cfg->max_body;
	l->service.token_ttl_s = (int64_t)cfg->token_ttl_hours * 3600;
	l->longpoll_max_s = (int)cfg->longpoll_max_s;
	l->service.declarant_lanes = cfg->declarant_lanes;
	if (!strcmp(cfg->pwhash, "min")) {
		l->service.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
		l->service.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	}
	l->service.pwhash_concurrency = cfg->pwhash_concurrency;
	l->service.statistics_file = cfg->statistics_file;
	/* checked when the setting was read */
	if (!netaddr_list_parse(cfg->trusted_proxies, &l->trusted_proxies, NULL, 0))
		l->trusted_proxies.count = 0;
}

/* What a SQLite store's commits survive, by --sync (docs/architecture.md,
 * "Durability"); PostgreSQL's are its cluster's. */
static enum store_sync sqlite_sync(const struct config *cfg)
{
	return !strcmp(cfg->sync, "process") ? STORE_SYNC_PROCESS : STORE_SYNC_POWER;
}

/* Open and migrate the store, load reference data when empty. */
static int open_store(const struct config *cfg, struct store **out)
{
	struct store_options so = {.url = cfg->db, .sync = sqlite_sync(cfg),
				   .busy_timeout_ms = 10000};
	if (credentials_init()) {
		fprintf(stderr, "kouan: libsodium failed to start\n");
		return 1;
	}
	if (store_open(&so, out)) {
		char shown[sizeof cfg->db];
		store_url_shown(cfg->db, shown, sizeof shown);
		fprintf(stderr, "kouan: cannot open the database %s\n", shown);
		return 1;
	}
	if (store_migrate(*out, kclock_now(&kclock_system)) || store_maintain(*out)) {
		fprintf(stderr, "kouan: migrating the database failed\n");
		store_thread_release();
		store_close(*out);
		return 1;
	}
	const char *iso = getenv("KOUAN_ISO_CODES_DIR");
	size_t added;
	bool loaded;
	if (reference_sync(*out, iso ? iso : ISO_CODES_DIR, kclock_now(&kclock_system),
			   &added, &loaded)) {
		fprintf(stderr, "kouan: loading reference data failed\n");
		store_thread_release();
		store_close(*out);
		return 1;
	}
	if (loaded)
		log_info("reference data updated: %zu entries added", added);
	return 0;
}

/* A demo database's risk secret, before kouan starts on it (demo.h). */
static bool demo_prepared(bool demo, struct store *store)
{
	if (demo && demo_prepare_store(store)) {
		fprintf(stderr, "kouan: preparing the demo database failed\n");
		return false;
	}
	return true;
}

static int start_app(const struct config *cfg, struct store *store, struct app *app,
		     bool may_create_key)
{
	struct app_limits l;
	limits_from(cfg, &l);
	if (!may_create_key && access(cfg->release_key, F_OK) != 0) {
		/* servers sharing a database must sign with one key: make it once
		 * (kouan init) and give every server a copy */
		fprintf(stderr, "kouan: no release key at %s; create it once with `kouan init "
				"--db ... --release-key %s` and copy it to every server\n",
			cfg->release_key, cfg->release_key);
		return 1;
	}
	if (app_init(app, store, &kclock_system, &l, cfg->release_key, true)) {
		fprintf(stderr, "kouan: cannot start (release key %s?)\n", cfg->release_key);
		return 1;
	}
	const struct embedded_file *f = embedded_find("docs/openapi.json");
	app->openapi = f ? f->data : NULL;
	app->timezone = cfg->timezone;
	/* the compiled-in tariff, exchange rates and fee catalogues, once */
	bool loaded;
	if (money_sync(&app->svc, &loaded)) {
		fprintf(stderr, "kouan: loading the money tables failed\n");
		app_free(app);
		return 1;
	}
	if (loaded)
		log_info("money tables: the compiled-in tariff, rates and fees are loaded");
	return 0;
}

static void dispatch(void *cls, const struct http_request *req,
		     struct http_response *resp)
{
	api_dispatch(cls, req, resp);
}

/* New events: the parked followers of the feed look again. */
static void wake_parked(void *srv)
{
	http_server_wake(srv);
}

static int serve(struct config *cfg, bool demo)
{
	/* Block the stop signals first, so that every thread started from here
	 * on (the store's, the statistics follower, the HTTP workers) inherits
	 * the block and only the main thread takes them, in sigwait below. A
	 * thread that did not block them would take one with the default
	 * action: the server would end at once, its requests in flight cut. A
	 * stop asked for while the server starts is acted on once it serves. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	struct store *store;
	struct app app;
	if (open_store(cfg, &store))
		return 1;
	/* with PostgreSQL several servers share the database: only init and
	 * demo create the key, serve expects it */
	if (!demo_prepared(demo, store) ||
	    start_app(cfg, store, &app, demo || !store_url_is_postgres(cfg->db))) {
		store_thread_release();
		store_close(store);
		return 1;
	}
	if (demo && demo_seed(&app, stdout)) {
		fprintf(stderr, "kouan: seeding the demo data failed\n");
		app_free(&app);
		store_thread_release();
		store_close(store);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	struct http_server_options ho = {
		.address = cfg->listen,
		.port = (uint16_t)cfg->port,
		.threads = cfg->threads,
		.apart_threads = cfg->apart_threads,
		.max_body = cfg->max_body,
		.timeout_s = cfg->timeout_s,
		.header_timeout_s = cfg->header_timeout_s,
		.conn_limit = cfg->conn_limit,
		.per_ip_limit = cfg->per_ip_limit,
		.conn_memory = 64 * 1024, /* bodies go to our own buffer */
		.access_log = cfg->access_log && !cfg->quiet,
	};
	uint16_t port;
	struct http_server *srv = http_server_start(&ho, dispatch, &app, &port);
	if (!srv) {
		app_free(&app);
		store_thread_release();
		store_close(store);
		return 1;
	}
	app_feed_on_wake(&app, wake_parked, srv);
	struct housekeeping *hk = housekeeping_start(&app.svc);
	if (!hk)
		log_warn("retention: the background purge could not start");
	char hostbuf[80];
	bool v6 = strchr(cfg->listen, ':') != NULL;
	snprintf(hostbuf, sizeof hostbuf, "%s%s%s", v6 ? "[" : "", cfg->listen, v6 ? "]" : "");
	const char *durability =
		store_url_is_postgres(cfg->db) ? ""
		: sqlite_sync(cfg) == STORE_SYNC_POWER
			? "; each commit on the disk before its answer, --sync power"
			: "; each commit in the WAL before its answer, not yet on the disk,"
			  " --sync process";
	char shown[sizeof cfg->db];
	store_url_shown(cfg->db, shown, sizeof shown);
	printf("kouan is serving http://%s:%u/ (database %s%s)\n", hostbuf, port, shown,
	       durability);
	if (demo) {
		demo_print_credentials(stdout);
		printf("Log in: curl -s -X POST http://%s:%u/v1/sessions -H 'Content-Type: "
		       "application/json' -d '{\"username\":\"trader\",\"password\":\"trader-demo-2026\"}'\n",
		       hostbuf, port);
	}
	fflush(stdout);

	int sig = 0;
	while (sigwait(&stop, &sig) != 0)
		;
	log_info("received %s: finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	housekeeping_stop(hk);
	http_server_quiesce(srv);
	app_feed_stop(&app); /* parked followers answer now */
	app_feed_on_wake(&app, NULL, NULL);
	http_server_stop(srv);
	app_free(&app);
	store_thread_release();
	store_close(store);
	log_info("stopped");
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: kouan serve [settings]\n\nRun the HTTP API server. "
		       "Migrates the database and loads reference data first.\n"
		       "Stops cleanly on SIGTERM or SIGINT.\n\n%s", config_help);
		return 0;
	}
	struct config cfg;
	if (!load_config(&cfg, argc, argv, 2))
		return 2;
	return serve(&cfg, false);
}

int cmd_demo(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: kouan demo [settings]\n\nInitialise the database with "
		       "reference data and demo organisations, users and declarations,\n"
		       "print the demo credentials, and serve.\n\n%s", config_help);
		return 0;
	}
	struct config cfg;
	if (!load_config(&cfg, argc, argv, 2))
		return 2;
	return serve(&cfg, true);
}

int cmd_init(int argc, char **argv)
{
	bool demo = false;
	int first = 2;
	if (want_help(argc, argv)) {
		printf("Usage: kouan init [--demo] [settings]\n\nCreate or migrate the "
		       "database, load reference data (countries and currencies from\n"
		       "iso-codes, commodities, offices, ports, modes, units), create the "
		       "release signing key.\nWith --demo, add the demo organisations, "
		       "users and declarations.\n\n%s", config_help);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "--demo")) {
		demo = true;
		first = 3;
	}
	struct config cfg;
	if (!load_config(&cfg, argc, argv, first))
		return 2;
	struct store *store;
	struct app app;
	if (open_store(&cfg, &store))
		return 1;
	int rc = demo_prepared(demo, store) ? start_app(&cfg, store, &app, true) : 1;
	if (!rc) {
		if (demo && demo_seed(&app, stdout)) {
			fprintf(stderr, "kouan: seeding the demo data failed\n");
			rc = 1;
		} else {
			char shown[sizeof cfg.db];
			store_url_shown(cfg.db, shown, sizeof shown);
			printf("Database %s is ready; release key %s (key id %s).\n", shown,
			       cfg.release_key, app.svc.key_id);
			if (demo)
				demo_print_credentials(stdout);
		}
		app_free(&app);
	}
	store_thread_release();
	store_close(store);
	return rc;
}

static const char admin_help[] =
	"Usage: kouan admin COMMAND [options] [settings]\n\n"
	"Administer the database directly (no server needed). Every change is\n"
	"recorded in the audit log under the operating system user who runs it\n"
	"(os:NAME) and signed with the release key (--release-key).\n"
	"  org-create --uscc USCC --name NAME --kind trader|broker|agency|port|office\n"
	"             [--port UNLOCODE]   (a port organisation: the port it works at)\n"
	"  user-create --username U --role ROLE --org USCC [--display-name N]\n"
	"             [--supervisor]      (an officer who may waive an inspection)\n"
	"  user-disable --username U --reason TEXT   (its tokens are revoked)\n"
	"  user-enable --username U\n"
	"  user-unlock --username U                  (clears failed logins and lock)\n"
	"  password-reset --username U               (revokes the user's tokens)\n"
	"  tokens-revoke --username U\n"
	"  token-create --username U [--ttl-hours N (1 to 720)] [--label TEXT]\n"
	"  orgs       list organisations\n"
	"  users      list users\n"
	"  tariff-load FILE   load a tariff version (JSON, docs/money.md)\n"
	"  rates-load FILE    load exchange rates\n"
	"  fees-load FILE     load a port's fee catalogue\n"
	"user-create and password-reset ask for the password on the terminal\n"
	"(twice, not shown), or read it from --password-file FILE or\n"
	"--password-stdin (the first line); never from the command line.\n";

/* Pull "--name value" out of argv (marking used slots NULL). */
static const char *take(int argc, char **argv, const char *name)
{
	for (int i = 3; i + 1 < argc; i++) {
		if (argv[i] && !strcmp(argv[i], name)) {
			const char *v = argv[i + 1];
			argv[i] = argv[i + 1] = NULL;
			return v;
		}
	}
	return NULL;
}

/* Pull a flag "--name" out of argv (marking its slot NULL). */
static bool take_flag(int argc, char **argv, const char *name)
{
	for (int i = 3; i < argc; i++) {
		if (argv[i] && !strcmp(argv[i], name)) {
			argv[i] = NULL;
			return true;
		}
	}
	return false;
}

/* Compact argv after take() so the rest parses as settings. */
static int compact(int argc, char **argv)
{
	int w = 3;
	for (int i = 3; i < argc; i++)
		if (argv[i])
			argv[w++] = argv[i];
	return w;
}

static void print_problems(const struct problems *p)
{
	for (size_t i = 0; i < p->count; i++)
		fprintf(stderr, "kouan: %s %s\n", p->errors[i].field, p->errors[i].problem);
}

/* The actor behind offline administration: the operating system user. */
static void admin_actor(struct actor *a)
{
	memset(a, 0, sizeof *a);
	a->role = ROLE_ADMIN;
	const struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && *pw->pw_name)
		snprintf(a->username, sizeof a->username, "os:%.48s", pw->pw_name);
	else
		snprintf(a->username, sizeof a->username, "os:uid-%u", (unsigned)geteuid());
}

/* What `kouan admin` was asked to do, and what it got. */
struct admin_job {
	const char *sub;
	struct actor actor;
	struct org_input oi;
	struct user_input ui;
	const char *label;
	const char *reason;
	int64_t ttl_s;
	int64_t id;
	int64_t count;
	char token[TOKEN_TEXT_MAX];
	char expires[TIME_TEXT_SIZE];
	char password[SECRET_MAX];
	struct problems p;
	struct refusal why;
	json_t *list;
	struct money_admin_job money;
};

static kerr list_org(void *arg, const struct org_row *o)
{
	return json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
						    (json_int_t)o->id, "uscc", o->uscc, "name",
						    o->name, "kind", o->kind, "created_at",
						    o->created_at))
		       ? KERR_NOMEM
		       : KERR_OK;
}

static kerr list_user(void *arg, const struct user_row *u)
{
	return json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id",
						    (json_int_t)u->id, "username", u->username,
						    "display_name", u->display_name, "role",
						    u->role, "organisation", u->org_uscc,
						    "disabled", u->disabled))
		       ? KERR_NOMEM
		       : KERR_OK;
}

static kerr admin_run(struct uow *u, void *arg)
{
	struct admin_job *j = arg;
	const struct actor *a = &j->actor;
	const char *name = j->ui.username;
	refusal_init(&j->why, &j->p);
	if (!strcmp(j->sub, "orgs"))
		return accounts_org_list(u, list_org, j->list);
	if (!strcmp(j->sub, "users"))
		return accounts_user_list(u, list_user, j->list);
	if (!strcmp(j->sub, "org-create")) {
		refusal_init(&j->why, NULL); /* a taken USCC: "it exists already" */
		if (!org_input_check(&j->oi, uow_refdata(u), &j->p))
			return KERR_INVALID;
		return accounts_org_create(u, a, &j->oi, &j->id, &j->why);
	}
	if (!strcmp(j->sub, "user-create"))
		return accounts_user_create(u, a, &j->ui, &j->id, &j->why);
	if (!strcmp(j->sub, "user-disable") || !strcmp(j->sub, "user-enable"))
		return accounts_user_set_disabled(u, a, name, !strcmp(j->sub, "user-disable"),
						  j->reason, &j->why);
	if (!strcmp(j->sub, "user-unlock"))
		return accounts_user_unlock(u, a, name, &j->why);
	if (!strcmp(j->sub, "password-reset"))
		return accounts_password_reset(u, a, name, j->password, &j->why);
	if (!strcmp(j->sub, "tokens-revoke"))
		return accounts_tokens_revoke(u, a, name, &j->count, &j->why);
	if (money_admin_command(j->sub))
		return money_admin_run(u, a, &j->money);
	return accounts_token_create(u, a, name, j->label, j->ttl_s, j->token, j->expires);
}

static bool known_sub(const char *sub)
{
	static const char *const subs[] = {
		"org-create",	  "user-create",   "user-disable", "user-enable", "user-unlock",
		"password-reset", "tokens-revoke", "token-create", "orgs",	  "users",
		"tariff-load",	  "rates-load",	   "fees-load",
		NULL};
	for (size_t i = 0; subs[i]; i++)
		if (!strcmp(sub, subs[i]))
			return true;
	return false;
}

/* Read the options of an admin subcommand from argv. */
static void admin_take(struct admin_job *j, int argc, char **argv, const char **ttl)
{
	if (money_admin_command(j->sub)) { /* kouan admin tariff-load FILE */
		j->money.sub = j->sub;
		j->money.p = &j->p;
		if (argc > 3 && argv[3] && strncmp(argv[3], "--", 2) != 0) {
			j->money.file = argv[3];
			argv[3] = NULL;
		}
		return;
	}
	if (!strcmp(j->sub, "org-create")) {
		j->oi.uscc = take(argc, argv, "--uscc");
		j->oi.name = take(argc, argv, "--name");
		j->oi.kind = take(argc, argv, "--kind");
		j->oi.port = take(argc, argv, "--port");
		return;
	}
	j->ui.username = take(argc, argv, "--username");
	if (!strcmp(j->sub, "user-create")) {
		j->ui.role = take(argc, argv, "--role");
		j->ui.org_uscc = take(argc, argv, "--org");
		j->ui.display_name = take(argc, argv, "--display-name");
		j->ui.supervisor = take_flag(argc, argv, "--supervisor");
	} else if (!strcmp(j->sub, "user-disable")) {
		j->reason = take(argc, argv, "--reason");
	} else if (!strcmp(j->sub, "token-create")) {
		*ttl = take(argc, argv, "--ttl-hours");
		const char *label = take(argc, argv, "--label");
		if (label)
			j->label = label;
	}
}

/* Check the options of an admin subcommand; false (2) after saying why. */
static bool admin_options(struct admin_job *j, const struct config *cfg, const char *ttl,
			  struct secret_source *src)
{
	bool listing = !strcmp(j->sub, "orgs") || !strcmp(j->sub, "users");
	if (money_admin_command(j->sub)) {
		if (!j->money.file)
			fprintf(stderr, "kouan admin %s: give the FILE to load\n", j->sub);
		return j->money.file != NULL;
	}
	if (!strcmp(j->sub, "org-create")) {
		if (!j->oi.uscc || !j->oi.name || !j->oi.kind) {
			fprintf(stderr, "kouan admin org-create: --uscc, --name and --kind are "
					"required\n");
			return false;
		}
		if (!org_input_check(&j->oi, NULL, &j->p)) {
			print_problems(&j->p);
			return false;
		}
		return true;
	}
	if (listing)
		return true;
	if (!j->ui.username) {
		fprintf(stderr, "kouan admin %s: --username is required\n", j->sub);
		return false;
	}
	if (!strcmp(j->sub, "user-disable") && (!j->reason || !*j->reason)) {
		fprintf(stderr, "kouan admin user-disable: --reason is required (say why the "
				"account is stopped)\n");
		return false;
	}
	if (!strcmp(j->sub, "user-create") && (!j->ui.role || !j->ui.org_uscc)) {
		fprintf(stderr, "kouan admin user-create: --username, --role and --org are "
				"required\n");
		return false;
	}
	if (!strcmp(j->sub, "user-create") && !user_input_check(&j->ui, &j->p)) {
		print_problems(&j->p); /* before asking for a password */
		return false;
	}
	if (!strcmp(j->sub, "user-create") || !strcmp(j->sub, "password-reset")) {
		char cmd[48];
		snprintf(cmd, sizeof cmd, "kouan admin %s", j->sub);
		if (!secret_read(cmd, src, "New password: ", true, j->password))
			return false;
		j->ui.password = j->password;
		const char *bad = password_problem(j->password, j->ui.username);
		if (bad) {
			fprintf(stderr, "kouan: /password %s\n", bad);
			return false;
		}
	}
	if (!strcmp(j->sub, "token-create")) {
		char *end = NULL;
		long hours = ttl ? strtol(ttl, &end, 10) : (long)cfg->token_ttl_hours;
		if ((ttl && (!*ttl || *end)) || hours < 1 || hours > ISSUED_TOKEN_TTL_MAX_S / 3600) {
			fprintf(stderr, "kouan admin token-create: --ttl-hours must be 1 to %d "
					"(30 days)\n",
				ISSUED_TOKEN_TTL_MAX_S / 3600);
			return false;
		}
		j->ttl_s = (int64_t)hours * 3600;
	}
	return true;
}

/* Say what was done, or why not; the exit status. */
static int admin_report(const struct admin_job *j, kerr e)
{
	const char *sub = j->sub, *name = j->ui.username;
	if (!e && j->list) {
		json_dumpf(j->list, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (!e && !strcmp(sub, "token-create")) {
		printf("%s\n", j->token);
		fprintf(stderr, "token for %s expires %s\n", name, j->expires);
	} else if (!e && !strcmp(sub, "tokens-revoke")) {
		printf("revoked %lld token%s of %s\n", (long long)j->count,
		       j->count == 1 ? "" : "s", name);
	} else if (!e && money_admin_command(sub)) {
		printf("loaded %s%s%zu added, %zu unchanged; %zu declarations assessed again\n",
		       j->money.loaded.id, j->money.loaded.id[0] ? ": " : "", j->money.loaded.added,
		       j->money.loaded.unchanged, j->money.reassessed);
	} else if (!e && (!strcmp(sub, "org-create") || !strcmp(sub, "user-create"))) {
		printf("created %s (id %lld)\n", !strcmp(sub, "org-create") ? j->oi.uscc : name,
		       (long long)j->id);
	} else if (!e) {
		static const struct {
			const char *sub, *done;
		} said[] = {{"user-disable", "disabled"},
			    {"user-enable", "enabled"},
			    {"user-unlock", "unlocked"},
			    {"password-reset", "set the password of"}};
		for (size_t i = 0; i < sizeof said / sizeof said[0]; i++)
			if (!strcmp(sub, said[i].sub))
				printf("%s %s\n", said[i].done, name);
	} else if (problems_any(&j->p)) {
		print_problems(&j->p);
	} else if (money_admin_command(sub) && j->money.detail[0]) {
		fprintf(stderr, "kouan admin %s: %s\n", sub, j->money.detail);
	} else if (*j->why.detail) {
		fprintf(stderr, "kouan admin: %s\n", j->why.detail);
	} else if (e == KERR_NOT_FOUND) {
		fprintf(stderr, "kouan admin: no user named %s\n", name);
	} else if (e == KERR_CONFLICT) {
		fprintf(stderr, "kouan admin: it exists already\n");
	} else {
		fprintf(stderr, "kouan admin: %s\n", kerr_title(e));
	}
	return e ? 1 : 0;
}

int cmd_admin(int argc, char **argv)
{
	if (argc < 3 || want_help(argc, argv)) {
		printf("%s\n%s", admin_help, config_help);
		return argc < 3 ? 2 : 0;
	}
	struct admin_job j = {.sub = argv[2], .label = "admin"};
	problems_init(&j.p);
	refusal_init(&j.why, NULL);
	admin_actor(&j.actor);
	if (!known_sub(j.sub)) {
		fprintf(stderr, "kouan admin: unknown command '%s'\n\n%s", j.sub, admin_help);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--password") || !strncmp(argv[i], "--password=", 11)) {
			fprintf(stderr, "kouan admin %s: passwords are not taken on the command "
					"line, where other users of the machine can see them; "
					"answer the prompt, or use --password-file FILE or "
					"--password-stdin\n",
				j.sub);
			return 2;
		}
	}
	struct secret_source src = {0};
	argc = secret_options(argc, argv, 3, &src);
	const char *ttl = NULL;
	admin_take(&j, argc, argv, &ttl);
	argc = compact(argc, argv);
	struct config cfg;
	bool ok = load_config(&cfg, argc, argv, 3) && admin_options(&j, &cfg, ttl, &src);
	secret_close(&src);
	if (!ok) {
		secret_wipe(j.password, sizeof j.password);
		return 2;
	}
	struct store *store;
	if (open_store(&cfg, &store)) {
		secret_wipe(j.password, sizeof j.password);
		return 1;
	}
	struct app_limits limits;
	limits_from(&cfg, &limits);
	struct services svc;
	int rc = 1;
	bool listing = !strcmp(j.sub, "orgs") || !strcmp(j.sub, "users");
	j.list = listing ? json_array() : NULL;
	/* changes are audited, and the audit log is signed with the release key */
	kerr e = services_init(&svc, store, &kclock_system, &limits.service,
			       listing ? NULL : cfg.release_key, false);
	if (e && !listing)
		fprintf(stderr, "kouan admin: the release key %s is needed to sign the audit "
				"log (give --release-key FILE)\n",
			cfg.release_key);
	if (!e) {
		e = uow_run(&svc, !listing, admin_run, &j);
		services_free(&svc);
		rc = admin_report(&j, e);
	}
	secret_wipe(j.password, sizeof j.password);
	json_decref(j.list);
	store_thread_release();
	store_close(store);
	return rc;
}
