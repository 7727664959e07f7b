/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_url.c - URL and host:port parsing, name lookup without NSS,
 * the reconnect backoff rule and the PRNG (src/util). */
#include "unit.h"
#include "util/backoff.h"
#include "util/net.h"
#include "util/prng.h"
#include "util/url.h"

#include <errno.h>
#include <netinet/in.h>

struct urow {
	const char *in;
	int rc;
	const char *scheme, *user, *pass, *host;
	unsigned port;
	const char *rest;
};

static const struct urow urows[] = {
	{ "rtmp://h/app/s", 0, "rtmp", "", "", "h", 0, "/app/s" },
	{ "rtmp://u:p@h:1936/a/b?k=1", 0, "rtmp", "u", "p", "h", 1936, "/a/b?k=1" },
	{ "nats://bob:s3cr:et@127.0.0.1:5000/", 0, "nats", "bob", "s3cr:et", "127.0.0.1", 5000, "/" },
	{ "nats://T0KEN@[::1]:4223", 0, "nats", "T0KEN", "", "::1", 4223, "" },
	{ "example.org", 0, "", "", "", "example.org", 0, "" },
	{ "[::1]", 0, "", "", "", "::1", 0, "" },
	{ "h:65535", 0, "", "", "", "h", 65535, "" },
	{ "h:1", 0, "", "", "", "h", 1, "" },
	{ "h:0", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "h:65536", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "h:", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "h:12x", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "::1:5004", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "[::1", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "[::1]9", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "rtmp:///app", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "a@b@h", -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "@h", -EINVAL, 0, 0, 0, 0, 0, 0 },
};

static void t_url(void)
{
	size_t i;

	for (i = 0; i < sizeof urows / sizeof urows[0]; i++) {
		const struct urow *r = &urows[i];
		struct url u;
		int rc = url_parse(r->in, &u);

		if (rc != r->rc)
			printf("    '%s' -> %d\n", r->in, rc);
		CHECK_EQ(rc, r->rc);
		if (rc)
			continue;
		CHECK_STR(u.scheme, r->scheme);
		CHECK_STR(u.user, r->user);
		CHECK_STR(u.pass, r->pass);
		CHECK_STR(u.host, r->host);
		CHECK_EQ(u.port, r->port);
		CHECK_STR(u.rest, r->rest);
	}
}

static void t_hostport(void)
{
	char host[64];
	unsigned port;

	CHECK(hostport_parse("127.0.0.1:5004", host, sizeof host, &port) == 0);
	CHECK_STR(host, "127.0.0.1");
	CHECK_EQ(port, 5004);
	CHECK(hostport_parse("[::1]:9", host, sizeof host, &port) == 0);
	CHECK_STR(host, "::1");
	CHECK_EQ(port, 9);
	CHECK(hostport_parse("localhost:65535", host, sizeof host, &port) == 0);
	CHECK(hostport_parse("[::1]9", host, sizeof host, &port) < 0);
	CHECK(hostport_parse(":5004", host, sizeof host, &port) < 0);
	CHECK(hostport_parse("h:0", host, sizeof host, &port) < 0);
	CHECK(hostport_parse("h", host, sizeof host, &port) < 0);          /* port required */
	CHECK(hostport_parse("h:1/x", host, sizeof host, &port) < 0);
	CHECK(hostport_parse("u@h:1", host, sizeof host, &port) < 0);
	CHECK(hostport_parse("udp://h:1", host, sizeof host, &port) < 0);
	CHECK(hostport_parse("abcdefgh:1", host, 8, &port) < 0);           /* too long */
	/* a listening address: [HOST:]PORT (--metrics-listen) */
	CHECK(listen_parse("9464", host, sizeof host, &port) == 0);
	CHECK_STR(host, "0.0.0.0");
	CHECK_EQ(port, 9464);
	CHECK(listen_parse("[::1]:65535", host, sizeof host, &port) == 0);
	CHECK_STR(host, "::1");
	CHECK_EQ(port, 65535);
	CHECK(listen_parse("1", host, sizeof host, &port) == 0);
	CHECK(listen_parse("0", host, sizeof host, &port) < 0);
	CHECK(listen_parse("65536", host, sizeof host, &port) < 0);
	CHECK(listen_parse("", host, sizeof host, &port) < 0);
	CHECK(listen_parse("12ab", host, sizeof host, &port) < 0);
	CHECK(listen_parse("127.0.0.1:", host, sizeof host, &port) < 0);
	CHECK(listen_parse("9464", host, 7, &port) < 0);                    /* no room */
}

/* Numeric addresses and "localhost" never reach the C library's resolver
 * (a static binary without /etc/hosts still finds the loopback). */
static void t_resolve_local(void)
{
	struct net_addr a[NET_ADDR_MAX];
	char b[64];
	int n;

	n = net_resolve("localhost", 5004, SOCK_DGRAM, a, NET_ADDR_MAX);
	CHECK_EQ(n, 2);
	CHECK_EQ(a[0].family, AF_INET);
	CHECK_STR(net_addr_str(&a[0], b, sizeof b), "127.0.0.1");
	CHECK_EQ(ntohs(((struct sockaddr_in *)&a[0].sa)->sin_port), 5004);
	CHECK_STR(net_addr_str(&a[1], b, sizeof b), "::1");
	CHECK_EQ(net_resolve("LOCALHOST.", 1, SOCK_STREAM, a, 1), 1);
	CHECK_EQ(net_resolve("10.1.2.3", 9, SOCK_DGRAM, a, NET_ADDR_MAX), 1);
	CHECK_STR(net_addr_str(&a[0], b, sizeof b), "10.1.2.3");
	CHECK_EQ(net_resolve("fe80::1", 9, SOCK_DGRAM, a, NET_ADDR_MAX), 1);
	CHECK_EQ(a[0].family, AF_INET6);
	CHECK_EQ(net_resolve("", 9, SOCK_DGRAM, a, NET_ADDR_MAX), -EINVAL);
	/* RFC 6761 6.4: .invalid never resolves */
	n = net_resolve("no-such-host.invalid", 9, SOCK_DGRAM, a, NET_ADDR_MAX);
	CHECK(n == -ENOENT || n == -EAGAIN);
}

static void t_unescape(void)
{
	char a[] = "pw%20x%3a%2F", b[] = "100%", c[] = "%zz", d[] = "a%00b", e[] = "plain";

	CHECK_EQ(url_unescape(a), 0);
	CHECK_STR(a, "pw x:/");
	CHECK_EQ(url_unescape(b), -1);
	CHECK_EQ(url_unescape(c), -1);
	CHECK_EQ(url_unescape(d), -1);          /* NUL would cut the secret short */
	CHECK_EQ(url_unescape(e), 0);
	CHECK_STR(e, "plain");
}

static void t_backoff(void)
{
	struct backoff b;
	struct prng r;
	unsigned i, d, step;

	prng_seed(&r, 42);
	backoff_init(&b, 100, 1000);
	for (i = 0; i < 2000; i++) {
		step = b.cur_ms;
		d = backoff_next(&b, &r);
		CHECK(d >= step / 2 && d <= step);       /* equal jitter */
		CHECK(b.cur_ms == (step * 2 > 1000 ? 1000 : step * 2));
	}
	CHECK_EQ(b.cur_ms, 1000);
	backoff_reset(&b);
	CHECK_EQ(b.cur_ms, 100);
	backoff_init(&b, 0, 0);                  /* clamped, never 0 or inverted */
	CHECK(b.min_ms >= 1 && b.max_ms >= b.min_ms);
}

static void t_prng(void)
{
	struct prng a, b;
	uint32_t x[8];
	int i, same = 0;

	prng_seed(&a, 7);
	prng_seed(&b, 7);
	for (i = 0; i < 8; i++) {
		x[i] = prng_u32(&a);
		CHECK_EQ(x[i], prng_u32(&b));     /* repeatable from a seed */
	}
	prng_seed(&a, 0);                       /* zero is not a stuck state */
	for (i = 0; i < 8; i++)
		same += prng_u32(&a) == 0;
	CHECK(same < 8);
	CHECK(prng_random_seed() != prng_random_seed());
}

static const struct unit_case cases[] = {
	UNIT(t_url),
	UNIT(t_hostport),
	UNIT(t_resolve_local),
	UNIT(t_unescape),
	UNIT(t_backoff),
	UNIT(t_prng),
};
UNIT_MAIN(cases)
