/*
 * test_accounts.c - the accounts use cases driven by service calls alone,
 * against a real store (SQLite, or PostgreSQL with KOUAN_TEST_STORE), with
 * the manual clock: logins throttled per user name and per address, then
 * locked, and unlocked by an admin; names that do not exist throttled
 * alike; disabling a user stops its tokens; changing and resetting a
 * password; roles that must fit the organisation's kind; token lifetimes;
 * the bound on password hashing; and the audit records all of this leaves,
 * whose chain holds, and breaks where a row is changed in the database.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "server/demo.h"
#include "domain/throttle.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "store/repo_audit.h"

#define S 1000000LL

static int setup(void **state)
{
	struct test_env *env = test_env_new();
	/* time stands still unless a test moves it: waits come out exact */
	env->clock.step_us = 0;
	*state = env;
	return 0;
}

/* The demo's organisations and users, created with every environment, are
 * in the audit log first. */
#define DEMO_ORGS demo_org_count()
#define DEMO_USERS demo_user_count()

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

static void at(struct test_env *env, int64_t us)
{
	__atomic_store_n(&env->clock.fixed_us, us, __ATOMIC_SEQ_CST);
}

static int64_t now(struct test_env *env)
{
	return __atomic_load_n(&env->clock.fixed_us, __ATOMIC_SEQ_CST);
}

/* Run fn in a unit of work from `source`, as the dispatcher does: commit
 * on success, roll back otherwise. */
static kerr run_from(struct test_env *env, const char *source, bool write,
		     kerr (*fn)(struct uow *u, void *arg), void *arg)
{
	struct store_conn *c;
	struct uow u;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	uow_init(&u, &env->app.svc, c, write);
	uow_set_source(&u, source);
	kerr e = fn(&u, arg);
	if (!e && write)
		e = uow_commit(&u);
	uow_free(&u);
	return e;
}

/* --- logging in --- */

struct login_job {
	const char *user, *password;
	struct session s;
	struct throttle_refusal wait;
};

static kerr do_login(struct uow *u, void *arg)
{
	struct login_job *j = arg;
	return accounts_login(u, j->user, j->password, &j->s, &j->wait);
}

static kerr login_from(struct test_env *env, const char *source, const char *user,
		       const char *password, struct throttle_refusal *wait)
{
	struct login_job j = {.user = user, .password = password};
	kerr e = run_from(env, source, true, do_login, &j);
	if (wait)
		*wait = j.wait;
	return e;
}

/* --- the admin's acts --- */

struct admin_job {
	const char *what, *user, *arg;
	struct refusal why;
	struct problems p;
	int64_t count;
	struct user_view view;
};

static kerr do_admin(struct uow *u, void *arg)
{
	struct admin_job *j = arg;
	struct actor a;
	memset(&a, 0, sizeof a);
	a.role = ROLE_ADMIN;
	str_copy(a.username, "admin", sizeof a.username);
	problems_init(&j->p);
	refusal_init(&j->why, &j->p);
	if (!strcmp(j->what, "disable"))
		return accounts_user_set_disabled(u, &a, j->user, true, j->arg, &j->why);
	if (!strcmp(j->what, "enable"))
		return accounts_user_set_disabled(u, &a, j->user, false, NULL, &j->why);
	if (!strcmp(j->what, "unlock"))
		return accounts_user_unlock(u, &a, j->user, &j->why);
	if (!strcmp(j->what, "reset"))
		return accounts_password_reset(u, &a, j->user, j->arg, &j->why);
	if (!strcmp(j->what, "revoke"))
		return accounts_tokens_revoke(u, &a, j->user, &j->count, &j->why);
	return accounts_user_get(u, j->user, &j->view);
}

static kerr admin(struct test_env *env, const char *what, const char *user, const char *arg,
		  struct admin_job *j)
{
	memset(j, 0, sizeof *j);
	j->what = what;
	j->user = user;
	j->arg = arg;
	return run_from(env, "192.0.2.200", strcmp(what, "view") != 0, do_admin, j);
}

/* --- the audit log --- */

#define MAX_RECORDS 128
struct record {
	int64_t id;
	char actor[80], role[24], source[80], action[48], target[80], data[400];
};
struct records {
	struct record r[MAX_RECORDS];
	size_t n;
};

static kerr keep_record(void *arg, const struct audit_row *row)
{
	struct records *rs = arg;
	if (rs->n == MAX_RECORDS)
		return KERR_OK;
	struct record *r = &rs->r[rs->n++];
	r->id = row->id;
	str_copy(r->actor, row->actor, sizeof r->actor);
	str_copy(r->role, row->actor_role, sizeof r->role);
	str_copy(r->source, row->source, sizeof r->source);
	str_copy(r->action, row->action, sizeof r->action);
	str_copy(r->target, row->target, sizeof r->target);
	str_copy(r->data, row->data, sizeof r->data);
	return KERR_OK;
}

struct list_job {
	struct audit_filter f;
	struct records *out;
};

static kerr do_list(struct uow *u, void *arg)
{
	struct list_job *j = arg;
	return audit_list(u, &j->f, keep_record, j->out);
}

/* Every record with this action (NULL: all), in order. */
static void records(struct test_env *env, const char *action, struct records *out)
{
	memset(out, 0, sizeof *out);
	struct list_job j = {.f = {.action = action, .limit = AUDIT_PAGE_MAX}, .out = out};
	assert_int_equal(run_from(env, "local", false, do_list, &j), KERR_OK);
}

struct verify_job {
	struct audit_keys keys;
	struct audit_finding first;
	int64_t n;
	struct audit_verdict v;
};

static void keep_finding(void *arg, const struct audit_finding *f)
{
	struct verify_job *j = arg;
	if (!j->n++)
		j->first = *f;
}

static kerr do_verify(struct uow *u, void *arg)
{
	struct verify_job *j = arg;
	return audit_verify(u, &j->keys, 0, NULL, keep_finding, j, &j->v);
}

static void verify(struct test_env *env, struct verify_job *j)
{
	memset(j, 0, sizeof *j);
	assert_true(audit_keys_add(&j->keys, env->app.svc.sign_pk));
	assert_int_equal(run_from(env, "local", false, do_verify, j), KERR_OK);
}

/* Run one statement on the database directly, as someone with access to
 * it would. */
static void tamper(struct test_env *env, const struct sql_query *q, int64_t id)
{
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec(c, q, "i", id), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
}

/* ------------------------------------------------------------------------ */

static void wrong_passwords_wait_then_lock(void **state)
{
	struct test_env *env = *state;
	struct throttle_refusal w;
	const char *ip = "203.0.113.7";
	struct verify_job v;
	verify(env, &v);
	int64_t set_up = v.v.rows; /* what the demo's set-up audited */
	/* five wrong passwords are each checked */
	for (int i = 0; i < 5; i++)
		assert_int_equal(login_from(env, ip, "broker", "not-the-password", &w),
				 KERR_UNAUTHENTICATED);
	/* the sixth at once must wait, even with the right password */
	assert_int_equal(login_from(env, ip, "broker", "broker-demo-2026", &w), KERR_THROTTLED);
	assert_int_equal(w.retry_after_s, 1);
	assert_false(w.locked);
	assert_false(w.by_address);
	/* from another address too: the count is the name's */
	assert_int_equal(login_from(env, "198.51.100.4", "broker", "broker-demo-2026", &w),
			 KERR_THROTTLED);
	/* on to the 20th failure, each as soon as allowed */
	int64_t t = now(env);
	for (int n = 5; n < 20; n++) {
		t += throttle_delay_s(THROTTLE_USER, n) * S;
		at(env, t);
		assert_int_equal(login_from(env, ip, "broker", "not-the-password", &w),
				 KERR_UNAUTHENTICATED);
	}
	/* locked: the right password is refused for 24 hours */
	at(env, t + 3600 * S);
	assert_int_equal(login_from(env, ip, "broker", "broker-demo-2026", &w), KERR_THROTTLED);
	assert_true(w.locked);
	assert_int_equal(w.retry_after_s, 23 * 3600);
	char until[TIME_TEXT_SIZE];
	ktime_format(t + 24 * 3600 * S, until);
	assert_string_equal(w.locked_until, until);
	struct admin_job j;
	assert_int_equal(admin(env, "view", "broker", NULL, &j), KERR_OK);
	assert_int_equal(j.view.failed_logins, 20);
	assert_string_equal(j.view.locked_until, until);
	/* the admin unlocks; the right password works again */
	assert_int_equal(admin(env, "unlock", "broker", NULL, &j), KERR_OK);
	assert_int_equal(login_from(env, ip, "broker", "broker-demo-2026", &w), KERR_OK);
	assert_int_equal(admin(env, "unlock", "broker", NULL, &j), KERR_CONFLICT);
	assert_string_equal(j.why.detail, "broker is not locked and has no failed logins counted");
	/* the audit log tells the story: 20 failures, a lock, an unlock, a login */
	struct records rs;
	records(env, "session.failed", &rs);
	assert_int_equal(rs.n, 20);
	assert_string_equal(rs.r[0].actor, "anonymous");
	assert_string_equal(rs.r[0].role, "none");
	assert_string_equal(rs.r[0].source, ip);
	assert_string_equal(rs.r[0].target, "broker");
	assert_string_equal(rs.r[0].data,
			    "{\"address_failures\":1,\"failures\":1,\"reason\":\"wrong password\"}");
	records(env, "account.locked", &rs);
	assert_int_equal(rs.n, 1);
	char want[160];
	snprintf(want, sizeof want, "{\"failures\":20,\"locked_until\":\"%s\"}", until);
	assert_string_equal(rs.r[0].data, want);
	records(env, "user.unlocked", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].actor, "admin");
	assert_string_equal(rs.r[0].source, "192.0.2.200");
	snprintf(want, sizeof want,
		 "{\"after\":{\"failed_logins\":0,\"locked_until\":null},"
		 "\"before\":{\"failed_logins\":20,\"locked_until\":\"%s\"}}",
		 until);
	assert_string_equal(rs.r[0].data, want);
	records(env, "session.created", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].actor, "broker");
	assert_string_equal(rs.r[0].role, "declarant");
	assert_string_equal(rs.r[0].source, ip);
	/* throttled attempts checked nothing and left no record */
	verify(env, &v);
	assert_int_equal(v.n, 0);
	assert_int_equal(v.v.rows, set_up + 23);
}

static void a_lock_runs_out_and_success_clears(void **state)
{
	struct test_env *env = *state;
	struct throttle_refusal w;
	const char *ip = "203.0.113.8";
	int64_t t = now(env);
	for (int n = 0; n < 20; n++) {
		t += throttle_delay_s(THROTTLE_USER, n) * S;
		at(env, t);
		assert_int_equal(login_from(env, ip, "trader2", "wrong-wrong-wrong", &w),
				 KERR_UNAUTHENTICATED);
	}
	at(env, t + 24 * 3600 * S - S);
	assert_int_equal(login_from(env, ip, "trader2", "trader2-demo-2026", &w), KERR_THROTTLED);
	assert_int_equal(w.retry_after_s, 1);
	at(env, t + 24 * 3600 * S);
	assert_int_equal(login_from(env, ip, "trader2", "trader2-demo-2026", &w), KERR_OK);
	/* the success cleared the count: five more are free again */
	for (int i = 0; i < 5; i++)
		assert_int_equal(login_from(env, ip, "trader2", "wrong-wrong-wrong", &w),
				 KERR_UNAUTHENTICATED);
	assert_int_equal(login_from(env, ip, "trader2", "wrong-wrong-wrong", &w), KERR_THROTTLED);
}

static void unknown_names_are_throttled_alike(void **state)
{
	struct test_env *env = *state;
	struct throttle_refusal w;
	for (int i = 0; i < 5; i++)
		assert_int_equal(login_from(env, "203.0.113.9", "nobody.here", "whatever-it-is", &w),
				 KERR_UNAUTHENTICATED);
	assert_int_equal(login_from(env, "203.0.113.9", "nobody.here", "whatever-it-is", &w),
			 KERR_THROTTLED);
	assert_int_equal(w.retry_after_s, 1);
	struct records rs;
	records(env, "session.failed", &rs);
	assert_int_equal(rs.n, 5);
	assert_string_equal(rs.r[4].data, "{\"address_failures\":5,\"failures\":5,"
					  "\"reason\":\"unknown user name\"}");
}

static void an_address_waits_after_twenty_failures(void **state)
{
	struct test_env *env = *state;
	struct throttle_refusal w;
	const char *ip = "198.51.100.77";
	char name[32];
	/* twenty names, one failure each, from one address */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "guess%02d", i);
		assert_int_equal(login_from(env, ip, name, "wrong-wrong-wrong", &w),
				 KERR_UNAUTHENTICATED);
	}
	/* the next attempt from there waits, whatever the name or password */
	assert_int_equal(login_from(env, ip, "customs", "customs-demo-2026", &w), KERR_THROTTLED);
	assert_true(w.by_address);
	assert_int_equal(w.retry_after_s, 1);
	/* another address is not held up */
	assert_int_equal(login_from(env, "198.51.100.78", "customs", "customs-demo-2026", &w),
			 KERR_OK);
	at(env, now(env) + S);
	assert_int_equal(login_from(env, ip, "customs", "customs-demo-2026", &w), KERR_OK);
	/* an hour without a failure and the address starts again */
	at(env, now(env) + 3600 * S);
	assert_int_equal(login_from(env, ip, "guess99", "wrong-wrong-wrong", &w),
			 KERR_UNAUTHENTICATED);
	struct records rs;
	records(env, "session.failed", &rs);
	assert_int_equal(rs.n, 21);
	assert_non_null(strstr(rs.r[20].data, "\"address_failures\":1,"));
}

struct auth_job {
	const char *token;
	struct actor a;
	char hash[TOKEN_HASH_HEX];
};

static kerr do_auth(struct uow *u, void *arg)
{
	struct auth_job *j = arg;
	return accounts_authenticate(u, j->token, &j->a, j->hash);
}

static kerr authenticate(struct test_env *env, const char *token)
{
	struct auth_job j = {.token = token};
	return run_from(env, "local", false, do_auth, &j);
}

static void disabling_stops_tokens_at_once(void **state)
{
	struct test_env *env = *state;
	char t1[TOKEN_TEXT_MAX], t2[TOKEN_TEXT_MAX];
	test_new_token(env, "quarantine", 3600, t1);
	test_new_token(env, "quarantine", 3600, t2);
	assert_int_equal(authenticate(env, t1), KERR_OK);
	struct admin_job j;
	assert_int_equal(admin(env, "disable", "quarantine", "on leave until March", &j), KERR_OK);
	assert_int_equal(authenticate(env, t1), KERR_NOT_FOUND);
	assert_int_equal(authenticate(env, t2), KERR_NOT_FOUND);
	assert_int_equal(login_from(env, "192.0.2.9", "quarantine", "quarantine-demo-2026", NULL),
			 KERR_UNAUTHENTICATED);
	assert_int_equal(admin(env, "disable", "quarantine", "again", &j), KERR_CONFLICT);
	assert_string_equal(j.why.detail, "quarantine is already disabled");
	assert_int_equal(admin(env, "disable", "admin", "by mistake", &j), KERR_CONFLICT);
	assert_string_equal(j.why.detail, "an administrator may not disable their own account");
	assert_int_equal(admin(env, "disable", "nobody.here", "x", &j), KERR_NOT_FOUND);
	assert_int_equal(admin(env, "view", "quarantine", NULL, &j), KERR_OK);
	assert_true(j.view.user.disabled);
	assert_int_equal(j.view.live_tokens, 0);
	/* enabled again: the old tokens stay revoked, a login works */
	assert_int_equal(admin(env, "enable", "quarantine", NULL, &j), KERR_OK);
	assert_int_equal(authenticate(env, t1), KERR_NOT_FOUND);
	assert_int_equal(login_from(env, "192.0.2.9", "quarantine", "quarantine-demo-2026", NULL),
			 KERR_OK);
	assert_int_equal(admin(env, "enable", "quarantine", NULL, &j), KERR_CONFLICT);
	struct records rs;
	records(env, "user.disabled", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].target, "quarantine");
	assert_string_equal(rs.r[0].data,
			    "{\"after\":{\"disabled\":true,\"tokens_revoked\":2},"
			    "\"before\":{\"disabled\":false},\"reason\":\"on leave until March\"}");
	records(env, "user.enabled", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].data,
			    "{\"after\":{\"disabled\":false},\"before\":{\"disabled\":true}}");
}

struct change_job {
	struct actor a;
	const char *token_hash, *current, *password;
	struct refusal why;
	struct problems p;
	struct throttle_refusal wait;
};

static kerr do_change(struct uow *u, void *arg)
{
	struct change_job *j = arg;
	problems_init(&j->p);
	refusal_init(&j->why, &j->p);
	return accounts_password_change(u, &j->a, j->token_hash, j->current, j->password,
					&j->why, &j->wait);
}

static void changing_and_resetting_a_password(void **state)
{
	struct test_env *env = *state;
	char used[TOKEN_TEXT_MAX], other[TOKEN_TEXT_MAX];
	test_new_token(env, "border", 3600, used);
	test_new_token(env, "border", 3600, other);
	struct auth_job who = {.token = used};
	assert_int_equal(run_from(env, "local", false, do_auth, &who), KERR_OK);
	struct change_job c = {.a = who.a, .token_hash = who.hash};
	/* a wrong current password: refused on its field, and counted */
	c.current = "not-my-password";
	c.password = "harbour-lantern-7731";
	assert_int_equal(run_from(env, "192.0.2.31", true, do_change, &c), KERR_INVALID);
	assert_int_equal(c.p.count, 1);
	assert_string_equal(c.p.errors[0].field, "/current_password");
	assert_string_equal(c.p.errors[0].problem, "is not your current password");
	/* a new password that breaks the rules is refused before anything */
	c.current = "border-demo-2026";
	c.password = "Border2026!!";
	assert_int_equal(run_from(env, "192.0.2.31", true, do_change, &c), KERR_INVALID);
	assert_string_equal(c.p.errors[0].field, "/password");
	assert_string_equal(c.p.errors[0].problem,
			    "must not be the user name with digits or punctuation added");
	c.password = "border-demo-2026";
	assert_int_equal(run_from(env, "192.0.2.31", true, do_change, &c), KERR_INVALID);
	assert_string_equal(c.p.errors[0].problem, "must differ from the current password");
	c.password = "harbour-lantern-7731";
	assert_int_equal(run_from(env, "192.0.2.31", true, do_change, &c), KERR_OK);
	/* the token used stays; the other one is revoked; the new password
	 * logs in and the old one does not */
	assert_int_equal(authenticate(env, used), KERR_OK);
	assert_int_equal(authenticate(env, other), KERR_NOT_FOUND);
	assert_int_equal(login_from(env, "192.0.2.31", "border", "border-demo-2026", NULL),
			 KERR_UNAUTHENTICATED);
	assert_int_equal(login_from(env, "192.0.2.31", "border", "harbour-lantern-7731", NULL),
			 KERR_OK);
	struct records rs;
	records(env, "password.change_failed", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].actor, "border");
	assert_string_equal(rs.r[0].data, "{\"address_failures\":1,\"failures\":1,"
					  "\"reason\":\"wrong current password\"}");
	records(env, "user.password_changed", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].data, "{\"by\":\"self\",\"tokens_revoked\":1}");
	/* the admin resets it: every token revoked, old password gone */
	struct admin_job j;
	assert_int_equal(admin(env, "reset", "border", "password", &j), KERR_INVALID);
	assert_string_equal(j.p.errors[0].field, "/password");
	assert_int_equal(admin(env, "reset", "border", "quayside-amber-0419", &j), KERR_OK);
	assert_int_equal(authenticate(env, used), KERR_NOT_FOUND);
	assert_int_equal(login_from(env, "192.0.2.31", "border", "harbour-lantern-7731", NULL),
			 KERR_UNAUTHENTICATED);
	assert_int_equal(login_from(env, "192.0.2.31", "border", "quayside-amber-0419", NULL),
			 KERR_OK);
	records(env, "user.password_reset", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].data, "{\"by\":\"admin\",\"tokens_revoked\":2}");
	/* no record holds a password */
	records(env, NULL, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		assert_null(strstr(rs.r[i].data, "lantern"));
		assert_null(strstr(rs.r[i].data, "amber"));
		assert_null(strstr(rs.r[i].data, "argon2"));
	}
	/* revoking every token of a user */
	test_new_token(env, "border", 3600, used);
	test_new_token(env, "border", 3600, other);
	assert_int_equal(admin(env, "revoke", "border", NULL, &j), KERR_OK);
	assert_int_equal(j.count, 3); /* the two, and the last login's session */
	assert_int_equal(authenticate(env, used), KERR_NOT_FOUND);
}

struct create_job {
	struct user_input in;
	struct refusal why;
	struct problems p;
	int64_t id;
};

static kerr do_create(struct uow *u, void *arg)
{
	struct create_job *j = arg;
	struct actor a = {.role = ROLE_ADMIN, .username = "admin"};
	problems_init(&j->p);
	refusal_init(&j->why, &j->p);
	return accounts_user_create(u, &a, &j->in, &j->id, &j->why);
}

static void roles_must_fit_the_organisation(void **state)
{
	struct test_env *env = *state;
	static const struct {
		const char *role, *org, *problem;
	} refused[] = {
		{"customs", "91440101MA59TRAD00",
		 "the role customs is for an organisation of kind agency; 91440101MA59TRAD00 is "
		 "of kind trader"},
		{"declarant", "11440000MB2C7CU516",
		 "the role declarant is for an organisation of kind trader or broker; "
		 "11440000MB2C7CU516 is of kind agency"},
		{"port_operator", "11440000MB2D1PA06K",
		 "the role port_operator is for an organisation of kind port; 11440000MB2D1PA06K "
		 "is of kind office"},
		{"admin", "91440115MA5CBR0K1D",
		 "the role admin is for an organisation of kind office; 91440115MA5CBR0K1D is of "
		 "kind broker"},
		{"auditor", "91440101MA5DP0RT5G",
		 "the role auditor is for an organisation of kind office; 91440101MA5DP0RT5G is "
		 "of kind port"},
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		struct create_job j = {.in = {.username = "new.user",
					      .password = "harbour-lantern-7731",
					      .role = refused[i].role,
					      .org_uscc = refused[i].org}};
		assert_int_equal(run_from(env, "local", true, do_create, &j), KERR_INVALID);
		assert_int_equal(j.p.count, 1);
		assert_string_equal(j.p.errors[0].field, "/role");
		assert_string_equal(j.p.errors[0].problem, refused[i].problem);
	}
	static const struct {
		const char *name, *role, *org;
	} fits[] = {
		{"new.broker", "declarant", "91440115MA5CBR0K1D"},
		{"new.officer", "maritime", "11440000MB2D0M5A45"},
		{"new.desk", "port_operator", "91440101MA5DP0RT5G"},
		{"new.auditor", "auditor", "11440000MB2D1PA06K"},
	};
	for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++) {
		struct create_job j = {.in = {.username = fits[i].name,
					      .password = "harbour-lantern-7731",
					      .role = fits[i].role,
					      .org_uscc = fits[i].org}};
		assert_int_equal(run_from(env, "local", true, do_create, &j), KERR_OK);
	}
	struct records rs;
	records(env, "user.created", &rs);
	assert_int_equal(rs.n, DEMO_USERS + 4);
	assert_string_equal(rs.r[DEMO_USERS + 3].target, "new.auditor");
	assert_string_equal(rs.r[DEMO_USERS + 3].data,
			    "{\"after\":{\"disabled\":false,\"display_name\":\"new.auditor\","
			    "\"organisation\":\"11440000MB2D1PA06K\",\"role\":\"auditor\","
			    "\"username\":\"new.auditor\"}}");
}

struct token_job {
	int64_t ttl_s;
	char token[TOKEN_TEXT_MAX], expires[TIME_TEXT_SIZE];
};

static kerr do_token(struct uow *u, void *arg)
{
	struct token_job *j = arg;
	struct actor a = {.role = ROLE_ADMIN, .username = "os:root"};
	return accounts_token_create(u, &a, "analyst", "integration", j->ttl_s, j->token,
				     j->expires);
}

static void token_lifetimes_are_bounded(void **state)
{
	struct test_env *env = *state;
	struct token_job j = {.ttl_s = 30 * 24 * 3600 + 1};
	assert_int_equal(run_from(env, "local", true, do_token, &j), KERR_INVALID);
	j.ttl_s = 0;
	assert_int_equal(run_from(env, "local", true, do_token, &j), KERR_INVALID);
	j.ttl_s = 30 * 24 * 3600;
	at(env, TEST_EPOCH_US);
	assert_int_equal(run_from(env, "local", true, do_token, &j), KERR_OK);
	assert_string_equal(j.expires, "2026-12-23T08:00:00.000000Z");
	struct records rs;
	records(env, "token.created", &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].actor, "os:root");
	assert_string_equal(rs.r[0].source, "local");
	assert_string_equal(rs.r[0].data, "{\"expires_at\":\"2026-12-23T08:00:00.000000Z\","
					  "\"label\":\"integration\"}");
	/* a session lives as configured, never more than 24 hours */
	struct service_limits l;
	service_limits_default(&l);
	assert_int_equal(l.token_ttl_s, 12 * 3600);
	assert_int_equal(env->app.svc.limits.token_ttl_s, 12 * 3600);
	struct services svc;
	l.token_ttl_s = 48 * 3600;
	assert_int_equal(services_init(&svc, env->store, &env->clock, &l, NULL, false), KERR_OK);
	assert_int_equal(svc.limits.token_ttl_s, 24 * 3600);
	services_free(&svc);
}

/* --- the bound on hashing --- */

struct waiter {
	struct services *svc;
	kerr e;
};

static void *wait_turn(void *arg)
{
	struct waiter *w = arg;
	int64_t turn;
	w->e = services_hash_begin(w->svc, &turn);
	if (!w->e)
		services_hash_done(w->svc, turn);
	return NULL;
}

static unsigned waiting(struct services *s)
{
	pthread_mutex_lock(&s->hashing.lock);
	unsigned n = s->hashing.waiting;
	pthread_mutex_unlock(&s->hashing.lock);
	return n;
}

static void hashing_is_bounded(void **state)
{
	struct test_env *env = *state;
	struct services *svc = &env->app.svc;
	/* as many turns as the machine allows (at most 2); four times as many
	 * may wait */
	unsigned n = svc->hashing.max_running;
	assert_int_equal(n, service_hash_concurrency(0));
	assert_true(n == 1 || n == 2);
	assert_int_equal(svc->hashing.max_waiting, 4 * n);
	assert_int_equal(service_hash_concurrency(3), 3);
	/* every turn taken; with no hash timed yet, the queue fills; one more
	 * is turned away at once */
	int64_t turns[2], t;
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(services_hash_begin(svc, &turns[i]), KERR_OK);
	pthread_t th[8];
	struct waiter w[8];
	for (unsigned i = 0; i < 4 * n; i++) {
		w[i] = (struct waiter){svc, KERR_INTERNAL};
		assert_int_equal(pthread_create(&th[i], NULL, wait_turn, &w[i]), 0);
	}
	while (waiting(svc) < 4 * n)
		sched_yield();
	assert_int_equal(services_hash_begin(svc, &t), KERR_BUSY);
	/* a login now checks nothing, says so, and counts nothing */
	struct throttle_refusal r;
	assert_int_equal(login_from(env, "192.0.2.50", "analyst", "wrong-wrong-wrong", &r),
			 KERR_BUSY);
	assert_int_equal(r.retry_after_s, 1);
	struct admin_job j;
	assert_int_equal(admin(env, "view", "analyst", NULL, &j), KERR_OK);
	assert_int_equal(j.view.failed_logins, 0);
	/* the turns come back: every waiter gets one */
	for (unsigned i = 0; i < n; i++)
		services_hash_done(svc, turns[i]);
	for (unsigned i = 0; i < 4 * n; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].e, KERR_OK);
	}
	assert_true(svc->hashing.average_us > 0);
	assert_int_equal(login_from(env, "192.0.2.50", "analyst", "analyst-demo-2026", &r),
			 KERR_OK);
	/* when hashes take 200 ms on average, one waiter per turn may hope to
	 * be served within the quarter second; the next is turned away at once */
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(services_hash_begin(svc, &turns[i]), KERR_OK);
	pthread_mutex_lock(&svc->hashing.lock);
	svc->hashing.average_us = 200000;
	pthread_mutex_unlock(&svc->hashing.lock);
	for (unsigned i = 0; i < n; i++) {
		w[i] = (struct waiter){svc, KERR_INTERNAL};
		assert_int_equal(pthread_create(&th[i], NULL, wait_turn, &w[i]), 0);
	}
	while (waiting(svc) < n)
		sched_yield();
	assert_int_equal(services_hash_begin(svc, &t), KERR_BUSY);
	assert_int_equal(waiting(svc), n);
	/* and a waiter whose turn does not come in time gives up */
	for (unsigned i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].e, KERR_BUSY); /* after a quarter second */
	}
	for (unsigned i = 0; i < n; i++)
		services_hash_done(svc, turns[i]);
}

/* --- the chain, tampered with in the database --- */

static const struct sql_query Q_ALTER = {"UPDATE audit_log SET target = 'mallory' WHERE id = ?"};
static const struct sql_query Q_DELETE = {"DELETE FROM audit_log WHERE id = ?"};
static const struct sql_query Q_FORGE = {
	"INSERT INTO audit_log (id, at, actor, actor_role, source, action, target, data,"
	" prev_hash, hash, signature, key_id) SELECT CAST(? AS BIGINT) + 1000, at, actor, actor_role, source,"
	" action, 'mallory', data, hash, hash, signature, key_id FROM audit_log"
	" WHERE id = (SELECT MAX(id) FROM audit_log)"};

static void the_chain_holds_and_breaks_where_changed(void **state)
{
	struct test_env *env = *state;
	struct admin_job j;
	/* some history: logins, a failure, a disabling */
	assert_int_equal(login_from(env, "192.0.2.1", "trader", "trader-demo-2026", NULL), KERR_OK);
	assert_int_equal(login_from(env, "192.0.2.1", "trader", "wrong-wrong-wrong", NULL),
			 KERR_UNAUTHENTICATED);
	assert_int_equal(admin(env, "disable", "trader2", "left", &j), KERR_OK);
	assert_int_equal(login_from(env, "192.0.2.2", "customs", "customs-demo-2026", NULL),
			 KERR_OK);
	struct verify_job v;
	verify(env, &v);
	assert_int_equal(v.n, 0);
	int64_t rows = v.v.rows;
	assert_true(rows >= 4); /* and the demo accounts' creation before them */
	int64_t victim = rows - 2;
	/* a row changed in the database is named */
	tamper(env, &Q_ALTER, victim);
	verify(env, &v);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.first.flaw, AUDIT_ALTERED);
	assert_int_equal(v.first.id, victim);
	assert_int_equal(v.v.first_id, victim);
	/* a row deleted is named (the altered one is still first) */
	tamper(env, &Q_DELETE, rows - 1);
	verify(env, &v);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.first.id, victim);
	/* a forged row far past the end, copied from the last with a new
	 * target: the rows before it missing, its content not its hash, and
	 * the head in the database ending before it */
	tamper(env, &Q_FORGE, rows);
	verify(env, &v);
	assert_int_equal(v.v.last_id, rows + 1000);
	assert_int_equal(v.n, 5);
	assert_int_equal(v.first.id, victim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(wrong_passwords_wait_then_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(a_lock_runs_out_and_success_clears, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unknown_names_are_throttled_alike, setup, teardown),
		cmocka_unit_test_setup_teardown(an_address_waits_after_twenty_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(disabling_stops_tokens_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(changing_and_resetting_a_password, setup,
						teardown),
		cmocka_unit_test_setup_teardown(roles_must_fit_the_organisation, setup, teardown),
		cmocka_unit_test_setup_teardown(token_lifetimes_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(hashing_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(the_chain_holds_and_breaks_where_changed, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
