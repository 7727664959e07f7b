/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_target.c - cv-mmap target resolution (docs/contract.md §2, TV-19,
 * upstream uri_targets.json). */
#include "unit.h"
#include "ipc/target.h"

static struct cvmmap_target t;
static char err[160];

static void ok(const char *in)
{
	err[0] = 0;
	if (cvmmap_target_resolve(in, &t, err, sizeof err) != 0) {
		printf("    %s: %s\n", in, err);
		CHECK(0);
	}
}

static void t_tv19_default(void)
{
	ok("default");
	CHECK_STR(t.shm_name, "/cvmmap_default");
	CHECK_STR(t.zmq_endpoint, "ipc:///tmp/cvmmap_default");
	CHECK_STR(t.nats_key, "cvmmap_default");
	CHECK_STR(t.label, "default");
	CHECK_STR(t.base_name, "cvmmap_default");
	CHECK_STR(t.prefix, "/tmp");
}

static void t_tv19_uri(void)
{
	ok("cvmmap://camera0@/run/cvmmap?namespace=zed");
	CHECK_STR(t.shm_name, "/zed_camera0");
	CHECK_STR(t.zmq_endpoint, "ipc:///run/cvmmap/zed_camera0");
	CHECK_STR(t.nats_key, "zed_camera0");
	CHECK_STR(t.label, "camera0");
	CHECK_STR(t.ns, "zed");
	CHECK_STR(t.prefix, "/run/cvmmap");
}

static void t_tv19_dot(void)
{
	ok("cam.1");
	CHECK_STR(t.shm_name, "/cvmmap_cam.1");
	CHECK_STR(t.zmq_endpoint, "ipc:///tmp/cvmmap_cam.1");
	CHECK_STR(t.nats_key, "cvmmap_cam_1");
}

static void t_uri_forms(void)
{
	ok("cvmmap://cam");
	CHECK_STR(t.zmq_endpoint, "ipc:///tmp/cvmmap_cam");
	ok("cvmmap://cam@/run/x/");          /* one trailing '/' stripped */
	CHECK_STR(t.zmq_endpoint, "ipc:///run/x/cvmmap_cam");
	ok("cvmmap://cam?namespace=a.b");
	CHECK_STR(t.shm_name, "/a.b_cam");
	CHECK_STR(t.nats_key, "a_b_cam");
	ok("cvmmap://cam@/");
	CHECK_STR(t.zmq_endpoint, "ipc:///cvmmap_cam");
	ok("abcdefghijklmnopqrstuvw");       /* 23 characters */
}

static void bad(const char *in, const char *needle)
{
	err[0] = 0;
	CHECK(cvmmap_target_resolve(in, &t, err, sizeof err) < 0);
	CHECK(err[0] != 0);
	if (needle && !strstr(err, needle)) {
		printf("    %s: '%s' lacks '%s'\n", in, err, needle);
		CHECK(0);
	}
}

static void t_tv19_rejects(void)
{
	bad("bad/name", "plain cvmmap instance names");      /* uri_targets.json */
	bad("cvmmap://camera0@tmp", "absolute path");         /* uri_targets.json */
	bad("abcdefghijklmnopqrstuvwx", NULL);                /* 24 characters */
	bad("cvmmap://x?foo=1", "namespace");
}

static void t_more_rejects(void)
{
	char longp[200];

	bad("", NULL);
	bad("a@b", NULL);
	bad("a?b", NULL);
	bad("-lead", NULL);
	bad(".hidden", NULL);
	bad("sp ace", NULL);
	bad("cvmmap://", NULL);
	bad("cvmmap://x@/a//b", NULL);
	bad("cvmmap://x@/a/./b", NULL);
	bad("cvmmap://x@/a/..", NULL);
	bad("cvmmap://x@/a\\b", NULL);
	bad("cvmmap://x?namespace=", NULL);
	bad("cvmmap://x?namespace=a&namespace=b", NULL);
	bad("cvmmap://x?namespace=abcdefghijklmnopqrstuvwxyz0123456", NULL);  /* 33 */
	bad("cvmmap://x/y", NULL);
	/* sun_path: <prefix>/<base_name> longer than 107 characters */
	memset(longp, 'p', sizeof longp);
	memcpy(longp, "cvmmap://abc@/", 14);
	longp[14 + 100] = '\0';     /* prefix "/" + 100 chars; + "/cvmmap_abc" > 107 */
	bad(longp, "107");
	longp[14 + 90] = '\0';      /* 91 + 1 + 10 = 102 */
	ok(longp);
}

static void t_explicit(void)
{
	CHECK_EQ(cvmmap_target_explicit("cvmmap_x", "ipc:///tmp/cvmmap_x", "x", &t,
					err, sizeof err), 0);
	CHECK_STR(t.shm_name, "/cvmmap_x");
	CHECK_STR(t.label, "x");
	CHECK_EQ(cvmmap_target_explicit("/y", "ipc:///tmp/y", NULL, &t, err, sizeof err), 0);
	CHECK_STR(t.shm_name, "/y");
	CHECK_STR(t.label, "");
	CHECK(cvmmap_target_explicit("a/b", "ipc:///tmp/y", NULL, &t, err, sizeof err) < 0);
	CHECK(cvmmap_target_explicit("y", "http://x", NULL, &t, err, sizeof err) < 0);
	CHECK(cvmmap_target_explicit("y", NULL, NULL, &t, err, sizeof err) < 0);
}

static const struct unit_case cases[] = {
	UNIT(t_tv19_default), UNIT(t_tv19_uri), UNIT(t_tv19_dot), UNIT(t_uri_forms),
	UNIT(t_tv19_rejects), UNIT(t_more_rejects), UNIT(t_explicit),
};
UNIT_MAIN(cases)
