/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nats_parse.c - the NATS protocol parser and writers (pure). */
#include "unit.h"
#include "nats/nats_parse.h"
#include "nats/nats_write.h"

#include <stdio.h>

/* Captured from nats-server 2.9.10 (verbose CONNECT, a no-responders
 * request, an HPUB, a PUB with reply, an empty PUB, PING), followed by a
 * server PING and the -ERR it sent for a garbled line. */
static const char capture[] =
	"INFO {\"server_id\":\"NDXHNA232DXHWGGSPGUA2R6AT5WF6A3HFRBJ6CSZCQKJZHOE3IPPULK6\","
	"\"server_name\":\"NDXHNA232DXHWGGSPGUA2R6AT5WF6A3HFRBJ6CSZCQKJZHOE3IPPULK6\","
	"\"version\":\"2.9.10\",\"proto\":1,\"go\":\"go1.19.8\",\"host\":\"127.0.0.1\","
	"\"port\":24222,\"headers\":true,\"max_payload\":1048576,\"client_id\":5,"
	"\"client_ip\":\"127.0.0.1\"} \r\n"
	"+OK\r\n+OK\r\n+OK\r\n+OK\r\n"
	"HMSG _INBOX.x.7 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"
	"+OK\r\n"
	"HMSG foo 5 20 25\r\nNATS/1.0\r\nX-K: v\r\n\r\nhello\r\n"
	"+OK\r\n"
	"MSG foo 5 r.1 3\r\nabc\r\n"
	"+OK\r\n"
	"MSG foo 5 0\r\n\r\n"
	"PONG\r\n"
	"PING\r\n"
	"MSG cvmmap.cvmmap_default.status 2 21\r\n"
	"\x08\x01\x12\x07" "default" "\x18\x80\x80\xa8\xb1\xe3\x9f\xe7\xcb\x17\r\n"
	"-ERR 'Unknown Protocol Operation'\r\n";

#define CAPTURE_EVENTS 16

/* Records every callback as one text line so two runs can be compared. */
struct rec {
	char log[8192];
	size_t len;
	int n;
	int stop_at;              /* return 1 from event number stop_at (1-based) */
};

static int rec_fn(void *arg, const struct nats_event *ev)
{
	struct rec *r = arg;
	char *o = r->log + r->len;
	size_t cap = sizeof r->log - r->len, i;
	int k;

	if (ev->op == NATS_OP_MSG) {
		k = snprintf(o, cap, "MSG %.*s %llu %.*s h%zu:", (int)ev->subject_len,
			     ev->subject, (unsigned long long)ev->sid, ev->reply ? (int)ev->reply_len : 1,
			     ev->reply ? ev->reply : "-", ev->hdr_len);
		for (i = 0; i < ev->hdr_len && k > 0 && (size_t)k < cap - 3; i++)
			k += snprintf(o + k, cap - (size_t)k, "%02x", ev->hdr[i]);
		k += snprintf(o + k, cap - (size_t)k, " d%zu:", ev->len);
		for (i = 0; i < ev->len && (size_t)k < cap - 3; i++)
			k += snprintf(o + k, cap - (size_t)k, "%02x", ev->data[i]);
		k += snprintf(o + k, cap - (size_t)k, "\n");
	} else {
		k = snprintf(o, cap, "op%d %.*s\n", ev->op, (int)ev->text_len,
			     ev->text ? ev->text : "");
	}
	if (k > 0 && (size_t)k < cap)
		r->len += (size_t)k;
	r->n++;
	return r->stop_at && r->n == r->stop_at;
}

static uint8_t pbuf[4096];

static void run(struct rec *r, const uint8_t *d, size_t n, size_t split, int bytewise)
{
	struct nats_parser *p = malloc(sizeof *p);
	size_t i;

	memset(r, 0, sizeof *r);
	nats_parse_init(p, pbuf, sizeof pbuf, rec_fn, r);
	if (bytewise) {
		for (i = 0; i < n; i++)
			CHECK_EQ(nats_parse(p, d + i, 1), 0);
	} else {
		CHECK_EQ(nats_parse(p, d, split), 0);
		CHECK_EQ(nats_parse(p, d + split, n - split), 0);
	}
	free(p);
}

static void t_capture_whole(void)
{
	struct rec r;

	run(&r, (const uint8_t *)capture, sizeof capture - 1, sizeof capture - 1, 0);
	CHECK_EQ(r.n, CAPTURE_EVENTS);
	CHECK(strstr(r.log, "MSG _INBOX.x.7 1 - h16:4e4154532f312e30203530330d0a0d0a d0:\n"));
	CHECK(strstr(r.log, "MSG foo 5 - h20:4e4154532f312e300d0a582d4b3a20760d0a0d0a d5:68656c6c6f\n"));
	CHECK(strstr(r.log, "MSG foo 5 r.1 h0: d3:616263\n"));
	CHECK(strstr(r.log, "MSG foo 5 - h0: d0:\n"));
	CHECK(strstr(r.log, "MSG cvmmap.cvmmap_default.status 2 - h0: d21:"
		      "0801120764656661756c74188080a8b1e39fe7cb17\n"));
	CHECK(strstr(r.log, "op6 Unknown Protocol Operation\n"));
	CHECK(!strncmp(r.log, "op1 {\"server_id\"", 16));
}

/* The same callbacks whatever the split: two pieces at every position,
 * and one byte at a time. */
static void t_capture_every_split(void)
{
	static struct rec whole, part;
	size_t n = sizeof capture - 1, i;

	run(&whole, (const uint8_t *)capture, n, n, 0);
	for (i = 0; i <= n; i++) {
		run(&part, (const uint8_t *)capture, n, i, 0);
		if (part.len != whole.len || memcmp(part.log, whole.log, whole.len))
			printf("    split at %zu differs\n", i);
		CHECK_EQ(part.len, whole.len);
		CHECK_MEM(part.log, whole.log, whole.len);
	}
	run(&part, (const uint8_t *)capture, n, 0, 1);
	CHECK_EQ(part.n, CAPTURE_EVENTS);
	CHECK_MEM(part.log, whole.log, whole.len);
}

static int parse_str(const char *s, size_t cap, struct rec *r, uint64_t *skipped)
{
	static struct nats_parser p;
	int rc;

	memset(r, 0, sizeof *r);
	nats_parse_init(&p, pbuf, cap, rec_fn, r);
	rc = nats_parse(&p, (const uint8_t *)s, strlen(s));
	if (skipped)
		*skipped = p.skipped;
	return rc;
}

static void t_malformed(void)
{
	static const char *const bad[] = {
		"FOO\r\n", "\r\n", " PING\r\n", "PINGX\r\n", "PINGPONG\r\n",
		"INFO\r\n", "INFO \r\n", "MSG\r\n", "MSG a\r\n", "MSG a 1\r\n",
		"MSG a x 3\r\nabc\r\n", "MSG a 1 x\r\n", "MSG a 1 -3\r\n",
		"MSG a 1 3\r\nabcX\r\n", "MSG a 1 3\r\nabc\rX", "MSG a 1 r 2 3\r\n",
		"HMSG a 1 5\r\n", "HMSG a 1 9 5\r\n", "MSG a 1 99999999999\r\n",
		"MSG a 1 12345678901234567890\r\n", "PING\rX", "-ERR 'x'\x01\r\n",
		"INFO {\x01}\r\n", "MSG a 1 r x y z 3\r\n", "\x80\r\n",
	};
	struct rec r;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse_str(bad[i], sizeof pbuf, &r, NULL);

		if (rc != NATS_EPROTO)
			printf("    accepted: %zu\n", i);
		CHECK_EQ(rc, NATS_EPROTO);
		CHECK_EQ(r.n, 0);
	}
}

static void t_error_is_sticky_until_reset(void)
{
	static struct nats_parser p;
	struct rec r;

	memset(&r, 0, sizeof r);
	nats_parse_init(&p, pbuf, sizeof pbuf, rec_fn, &r);
	CHECK_EQ(nats_parse(&p, (const uint8_t *)"BOGUS\r\n", 7), NATS_EPROTO);
	CHECK_EQ(nats_parse(&p, (const uint8_t *)"PING\r\n", 6), NATS_EPROTO);
	CHECK_EQ(r.n, 0);
	nats_parse_reset(&p);
	CHECK_EQ(nats_parse(&p, (const uint8_t *)"PING\r\n", 6), 0);
	CHECK_EQ(r.n, 1);
}

static void t_long_line_rejected(void)
{
	static char s[NATS_LINE_MAX + 16];
	struct rec r;

	memcpy(s, "INFO {", 6);
	memset(s + 6, 'x', sizeof s - 6 - 3);
	memcpy(s + sizeof s - 3, "\r\n", 3);
	CHECK_EQ(parse_str(s, sizeof pbuf, &r, NULL), NATS_EPROTO);
}

static void t_oversized_skipped(void)
{
	struct rec r;
	uint64_t skipped;

	CHECK_EQ(parse_str("MSG big 2 20\r\n0123456789abcdefghij\r\n"
			   "HMSG big 2 10 12\r\nNATS/1.0\r\nhi\r\n"
			   "MSG small 2 3\r\nxyz\r\nPING\r\n", 8, &r, &skipped), 0);
	CHECK_EQ(skipped, 2);
	CHECK_EQ(r.n, 2);
	CHECK_STR(r.log, "MSG small 2 - h0: d3:78797a\nop3 \n");
}

static void t_lenient_case_and_lf(void)
{
	struct rec r;

	CHECK_EQ(parse_str("ping\r\npong\n+ok\r\nmsg a 1  2 \r\nhi\r\n", sizeof pbuf, &r, NULL), 0);
	CHECK_STR(r.log, "op3 \nop4 \nop5 \nMSG a 1 - h0: d2:6869\n");
}

static void t_callback_stops(void)
{
	static struct nats_parser p;
	struct rec r;

	memset(&r, 0, sizeof r);
	r.stop_at = 2;
	nats_parse_init(&p, pbuf, sizeof pbuf, rec_fn, &r);
	CHECK_EQ(nats_parse(&p, (const uint8_t *)"PING\r\nMSG a 1 1\r\nx\r\nPONG\r\n", 26), 1);
	CHECK_EQ(r.n, 2);
	/* the parser is at a clean boundary and can go on */
	r.stop_at = 0;
	CHECK_EQ(nats_parse(&p, (const uint8_t *)"PONG\r\n", 6), 0);
	CHECK_EQ(r.n, 3);
}

static void t_info_fields(void)
{
	struct nats_info in;
	const char *s = capture + 5;
	const char *e = strstr(capture, "\r\n");
	static const char nested[] =
		"{\"a\":{\"max_payload\":1,\"x\":[1,{\"y\":\"}\"}]},\"s\":\"\\\"max_payload\\\":2\","
		" \"auth_required\" : true, \"max_payload\" : 4096 ,\"server_id\":\"S\\\"1\"}";

	CHECK_EQ(nats_info_parse(s, (size_t)(e - s), &in), 0);
	CHECK_EQ(in.max_payload, 1048576);
	CHECK_EQ(in.headers, 1);
	CHECK_EQ(in.auth_required, 0);
	CHECK_STR(in.server_id, "NDXHNA232DXHWGGSPGUA2R6AT5WF6A3HFRBJ6CSZCQKJZHOE3IPPULK6");
	CHECK_EQ(nats_info_parse(nested, strlen(nested), &in), 0);
	CHECK_EQ(in.max_payload, 4096);
	CHECK_EQ(in.auth_required, 1);
	CHECK_STR(in.server_id, "S\\\"1");
	CHECK_EQ(nats_info_parse("[1]", 3, &in), -1);
	CHECK_EQ(nats_info_parse("{\"a\" 1}", 7, &in), -1);
	CHECK_EQ(nats_info_parse("{\"a\":\"x", 7, &in), -1);
	CHECK_EQ(nats_info_parse("{\"a\":1,", 7, &in), -1);
	CHECK_EQ(nats_info_parse("{}", 2, &in), 0);
}

static void t_hdr_status(void)
{
	CHECK_EQ(nats_hdr_status((const uint8_t *)"NATS/1.0 503\r\n\r\n", 16), 503);
	CHECK_EQ(nats_hdr_status((const uint8_t *)"NATS/1.0 408 Request Timeout\r\n\r\n", 32), 408);
	CHECK_EQ(nats_hdr_status((const uint8_t *)"NATS/1.0\r\nX-K: v\r\n\r\n", 20), 0);
	CHECK_EQ(nats_hdr_status((const uint8_t *)"NATS/1.0 5", 10), 0);
}

/* ---- writers ------------------------------------------------------------ */

static void t_connect(void)
{
	uint8_t b[512], *p;
	struct nats_connect_opts o;
	static const char want_user[] =
		"CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"cvmmap \\\"s\\\"\","
		"\"lang\":\"c\",\"version\":\"0.1.0\",\"protocol\":1,\"headers\":true,"
		"\"no_responders\":true,\"user\":\"u\",\"pass\":\"p\\\\w\\u000a\"}\r\n";
	static const char want_tok[] =
		"CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"c\",\"protocol\":1,"
		"\"auth_token\":\"tok\"}\r\n";

	memset(&o, 0, sizeof o);
	o.name = "cvmmap \"s\"";
	o.version = "0.1.0";
	o.user = "u";
	o.pass = "p\\w\n";
	o.headers = o.no_responders = 1;
	p = nats_put_connect(b, b + sizeof b, &o);
	CHECK(p);
	CHECK_EQ(p - b, sizeof want_user - 1);
	CHECK_MEM(b, want_user, sizeof want_user - 1);
	/* exactly enough room fits; one byte less does not */
	CHECK(nats_put_connect(b, b + sizeof want_user - 1, &o));
	CHECK(!nats_put_connect(b, b + sizeof want_user - 2, &o));

	memset(&o, 0, sizeof o);
	o.token = "tok";
	o.user = "ignored-when-token";
	p = nats_put_connect(b, b + sizeof b, &o);
	CHECK(p);
	CHECK_EQ(p - b, sizeof want_tok - 1);
	CHECK_MEM(b, want_tok, sizeof want_tok - 1);
}

/* p (the writer's cursor) ends exactly the literal `want` at b. */
#define CHECK_OUT(want) \
	do { CHECK(p != NULL); CHECK_EQ(p - b, sizeof want - 1); \
	     CHECK_MEM(b, want, sizeof want - 1); } while (0)

static void t_pub_sub_unsub(void)
{
	uint8_t b[128], *p;

	p = nats_put_pub_msg(b, b + sizeof b, "cvmmap.k.status", "_INBOX.a.1", "\x08\x01", 2);
	CHECK(p);
	CHECK_OUT("PUB cvmmap.k.status _INBOX.a.1 2\r\n\x08\x01\r\n");
	p = nats_put_pub_msg(b, b + sizeof b, "a", NULL, "", 0);
	CHECK_OUT("PUB a 0\r\n\r\n");
	p = nats_put_sub(b, b + sizeof b, "_INBOX.abc.*", 1);
	CHECK_OUT("SUB _INBOX.abc.* 1\r\n");
	p = nats_put_sub(b, b + sizeof b, "cvmmap.>", 12);
	CHECK_OUT("SUB cvmmap.> 12\r\n");
	p = nats_put_unsub(b, b + sizeof b, 7, 0);
	CHECK_OUT("UNSUB 7\r\n");
	p = nats_put_unsub(b, b + sizeof b, 7, 1);
	CHECK_OUT("UNSUB 7 1\r\n");
	p = nats_put_ping(b, b + sizeof b);
	p = nats_put_pong(p, b + sizeof b);
	CHECK_OUT("PING\r\nPONG\r\n");
	CHECK(!nats_put_ping(b, b + 5));
}

static void t_subject_rules(void)
{
	uint8_t b[64];
	static const char *const bad_pub[] = {
		"", "a b", "a\r\nPUB x 1", "a..b", ".a", "a.", "a.*", ">", "a\tb", "\x7f",
	};
	size_t i;

	for (i = 0; i < sizeof bad_pub / sizeof bad_pub[0]; i++)
		CHECK(!nats_put_pub(b, b + sizeof b, bad_pub[i], NULL, 1));
	CHECK(!nats_put_pub(b, b + sizeof b, "a", "r y", 1));
	CHECK(nats_subject_valid("a.*.c", 1));
	CHECK(nats_subject_valid("a.>", 1));
	CHECK(!nats_subject_valid("a.>.c", 1));
	CHECK(!nats_subject_valid("a.b*", 1));
	CHECK(!nats_subject_valid("a.*b", 1));
	CHECK(!nats_put_sub(b, b + sizeof b, "a b", 1));
}

static void t_url(void)
{
	struct nats_url u;

	CHECK_EQ(nats_url_parse("nats://localhost:4222", &u), 0);
	CHECK_STR(u.host, "localhost");
	CHECK_EQ(u.port, 4222);
	CHECK_STR(u.user, "");
	CHECK_EQ(nats_url_parse("nats://bob:s3cr:et@127.0.0.1:5000/", &u), 0);
	CHECK_STR(u.user, "bob");
	CHECK_STR(u.pass, "s3cr:et");
	CHECK_STR(u.host, "127.0.0.1");
	CHECK_EQ(u.port, 5000);
	CHECK_EQ(nats_url_parse("nats://T0KEN@[::1]:4223", &u), 0);
	CHECK_STR(u.token, "T0KEN");
	CHECK_STR(u.host, "::1");
	CHECK_EQ(u.port, 4223);
	CHECK_EQ(nats_url_parse("example.org", &u), 0);
	CHECK_STR(u.host, "example.org");
	CHECK_EQ(u.port, 4222);
	CHECK_EQ(nats_url_parse("[::1]", &u), 0);
	CHECK_EQ(u.port, 4222);
	CHECK_EQ(nats_url_parse("tls://h:1", &u), -1);
	CHECK_EQ(nats_url_parse("nats://h:0", &u), -1);
	CHECK_EQ(nats_url_parse("nats://h:65536", &u), -1);
	CHECK_EQ(nats_url_parse("nats://h:", &u), -1);
	CHECK_EQ(nats_url_parse("nats://h:12x", &u), -1);
	CHECK_EQ(nats_url_parse("nats://", &u), -1);
	CHECK_EQ(nats_url_parse("nats://@h", &u), -1);
	CHECK_EQ(nats_url_parse("nats://a@b@h", &u), -1);
	CHECK_EQ(nats_url_parse("nats://[::1", &u), -1);
	CHECK_EQ(nats_url_parse("nats://[::1]x", &u), -1);
	CHECK_EQ(nats_url_parse("nats://h:1/path", &u), -1);
}

static const struct unit_case cases[] = {
	UNIT(t_capture_whole),
	UNIT(t_capture_every_split),
	UNIT(t_malformed),
	UNIT(t_error_is_sticky_until_reset),
	UNIT(t_long_line_rejected),
	UNIT(t_oversized_skipped),
	UNIT(t_lenient_case_and_lf),
	UNIT(t_callback_stops),
	UNIT(t_info_fields),
	UNIT(t_hdr_status),
	UNIT(t_connect),
	UNIT(t_pub_sub_unsub),
	UNIT(t_subject_rules),
	UNIT(t_url),
};

UNIT_MAIN(cases)
