/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.c - cv-mmap target resolution (docs/contract.md §2). */
#include "ipc/target.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* [A-Za-z0-9][A-Za-z0-9._-]{0,max-1} over exactly n bytes. */
static int name_ok(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max || !name_char(s[0]) || s[0] == '.' ||
	    s[0] == '_' || s[0] == '-')
		return 0;
	for (i = 1; i < n; i++)
		if (!name_char(s[i]))
			return 0;
	return 1;
}

int cvmmap_instance_valid(const char *s)
{
	return name_ok(s, strlen(s), CVMMAP_INSTANCE_MAX);
}

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (errlen)
		snprintf(err, errlen, fmt, arg);
	return -EINVAL;
}

/* Absolute path, no "//", no "." or ".." segment, no backslash; one
 * trailing '/' is stripped (docs/contract.md §2).  Writes the result to out. */
static int prefix_ok(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, seg;

	if (n == 0 || s[0] != '/')
		return 0;
	if (n > 1 && s[n - 1] == '/')
		n--;
	for (i = 0; i < n; i++)
		if (s[i] == '\\' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'))
			return 0;
	for (i = 1, seg = 1; i <= n; i++) {
		if (i == n || s[i] == '/') {
			size_t len = i - seg;

			if ((len == 1 && s[seg] == '.') ||
			    (len == 2 && s[seg] == '.' && s[seg + 1] == '.'))
				return 0;
			seg = i + 1;
		}
	}
	if (n >= cap)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* Fill the derived names from instance, ns and prefix. */
static int derive(struct cvmmap_target *t, char *err, size_t errlen)
{
	const char *sep = strcmp(t->prefix, "/") ? "/" : "";
	char *p;
	int n;

	snprintf(t->base_name, sizeof t->base_name, "%s_%s", t->ns, t->instance);
	if (strlen(t->prefix) + strlen(sep) + strlen(t->base_name) > CVMMAP_SUN_PATH_MAX)
		return fail(err, errlen,
			    "socket path %s/... is longer than 107 characters (sun_path)",
			    t->prefix);
	snprintf(t->shm_name, sizeof t->shm_name, "/%s", t->base_name);
	n = snprintf(t->zmq_endpoint, sizeof t->zmq_endpoint, "ipc://%s%s%s",
		     t->prefix, sep, t->base_name);
	if (n < 0 || (size_t)n >= sizeof t->zmq_endpoint)
		return fail(err, errlen, "endpoint ipc://%s/... does not fit", t->prefix);
	memcpy(t->nats_key, t->base_name, sizeof t->nats_key);
	for (p = t->nats_key; *p; p++)
		if (*p == '.')
			*p = '_';
	memcpy(t->label, t->instance, sizeof t->label);
	return 0;
}

/* Plain names and cvmmap:// URIs.  The URI grammar is tiny, so it is
 * split by hand: "cvmmap://" instance ["@" prefix] ["?namespace=" ns]. */
int cvmmap_target_resolve(const char *s, struct cvmmap_target *t,
			  char *err, size_t errlen)
{
	static const char scheme[] = "cvmmap://";
	const char *inst, *at, *q, *inst_end;

	memset(t, 0, sizeof *t);
	strcpy(t->ns, "cvmmap");
	strcpy(t->prefix, "/tmp");
	if (!s || !*s)
		return fail(err, errlen, "%sempty cv-mmap target", "");

	if (strncmp(s, scheme, sizeof scheme - 1) != 0) {
		if (strpbrk(s, "@?/"))
			return fail(err, errlen,
				    "'%s': plain cvmmap instance names must not contain '@', '?' or '/' (use cvmmap://)",
				    s);
		if (!cvmmap_instance_valid(s))
			return fail(err, errlen,
				    "'%s': instance must match [A-Za-z0-9][A-Za-z0-9._-]{0,22}",
				    s);
		strcpy(t->instance, s);
		return derive(t, err, errlen);
	}

	inst = s + sizeof scheme - 1;
	q = strchr(inst, '?');
	at = strchr(inst, '@');
	if (at && q && at > q)
		at = NULL;  /* '@' inside the query: caught below */
	inst_end = at ? at : q ? q : inst + strlen(inst);
	if (!name_ok(inst, (size_t)(inst_end - inst), CVMMAP_INSTANCE_MAX))
		return fail(err, errlen,
			    "'%s': instance must match [A-Za-z0-9][A-Za-z0-9._-]{0,22}", s);
	memcpy(t->instance, inst, (size_t)(inst_end - inst));

	if (at) {
		const char *pend = q ? q : at + strlen(at);

		if (!prefix_ok(at + 1, (size_t)(pend - at - 1), t->prefix,
			       sizeof t->prefix))
			return fail(err, errlen,
				    "'%s': prefix must be an absolute path without '//', '.', '..' or '\\'",
				    s);
	}
	if (q) {
		static const char key[] = "namespace=";
		const char *ns = q + 1;

		if (strncmp(ns, key, sizeof key - 1) != 0 || strchr(ns, '&'))
			return fail(err, errlen,
				    "'%s': the only allowed query key is 'namespace'", s);
		ns += sizeof key - 1;
		if (!name_ok(ns, strlen(ns), CVMMAP_NAMESPACE_MAX))
			return fail(err, errlen,
				    "'%s': namespace must match [A-Za-z0-9][A-Za-z0-9._-]{0,31}", s);
		strcpy(t->ns, ns);
	}
	return derive(t, err, errlen);
}

int cvmmap_target_explicit(const char *shm_name, const char *zmq_endpoint,
			   const char *label, struct cvmmap_target *t,
			   char *err, size_t errlen)
{
	const char *base;

	memset(t, 0, sizeof *t);
	if (!shm_name || !zmq_endpoint)
		return fail(err, errlen, "%s--shm-name and --zmq-endpoint go together", "");
	base = shm_name[0] == '/' ? shm_name + 1 : shm_name;
	if (!*base || strchr(base, '/') || strlen(base) + 2 > sizeof t->shm_name)
		return fail(err, errlen, "'%s': bad SHM object name", shm_name);
	if (strncmp(zmq_endpoint, "ipc://", 6) != 0 && strncmp(zmq_endpoint, "tcp://", 6) != 0)
		return fail(err, errlen, "'%s': ZMQ endpoint must be ipc:// or tcp://",
			    zmq_endpoint);
	if (strlen(zmq_endpoint) >= sizeof t->zmq_endpoint)
		return fail(err, errlen, "'%s': ZMQ endpoint too long", zmq_endpoint);
	if (label && !cvmmap_instance_valid(label))
		return fail(err, errlen,
			    "'%s': label must match [A-Za-z0-9][A-Za-z0-9._-]{0,22}", label);
	snprintf(t->shm_name, sizeof t->shm_name, "/%s", base);
	snprintf(t->base_name, sizeof t->base_name, "%s", base);
	strcpy(t->zmq_endpoint, zmq_endpoint);
	snprintf(t->nats_key, sizeof t->nats_key, "%s", base);
	for (char *p = t->nats_key; *p; p++)
		if (*p == '.')
			*p = '_';
	if (label) {
		strcpy(t->instance, label);
		strcpy(t->label, label);
	}
	return 0;
}
