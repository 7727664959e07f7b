/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_zmtp.c - the ZMTP 3.0/3.1 subscriber session (src/ipc/zmtp.c):
 * golden greeting / READY / SUBSCRIBE bytes, the handshake with 3.0 and
 * 3.1 peers, every split of the input, long and multipart frames,
 * PING/PONG, truncation, malformed input, endpoints. */
#include "unit.h"
#include "ipc/zmtp.h"

#include <errno.h>

static const char greet31[] =
	"ff 00 00 00 00 00 00 00 01 7f 03 01 4e 55 4c 4c"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
/* READY, Socket-Type = SUB */
static const char ready_sub[] =
	"04 19 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d"
	"54 79 70 65 00 00 00 03 53 55 42";
static const char sub30[] = "00 01 01";                              /* message 01 "" */
static const char sub31[] = "04 0a 09 53 55 42 53 43 52 49 42 45";  /* command */

#define MAXF 16
struct seen {
	int n, rc;
	uint64_t size[MAXF];
	size_t len[MAXF];
	int more[MAXF];
	uint8_t head[MAXF][4];
};

/* Feed stream in pieces of chunk bytes, collecting every data frame;
 * stops at the first error (kept in sn->rc). */
static void feed(struct zmtp_sub *s, const uint8_t *p, size_t n, size_t chunk, struct seen *sn)
{
	size_t off = 0, piece, used;
	int r;

	memset(sn, 0, sizeof *sn);
	while (off < n) {
		piece = n - off < chunk ? n - off : chunk;
		r = zmtp_sub_input(s, p + off, piece, &used);
		if (used > piece) {
			sn->rc = -100;
			return;
		}
		off += used;
		if (r < 0) {
			sn->rc = r;
			return;
		}
		if (r == 1 && sn->n < MAXF) {
			sn->size[sn->n] = s->msg_size;
			sn->len[sn->n] = s->msg_len;
			sn->more[sn->n] = s->msg_more;
			memcpy(sn->head[sn->n], s->msg, s->msg_len < 4 ? s->msg_len : 4);
			sn->n++;
		}
	}
}

/* A PUB's side: greeting 3.minor, READY, then the frames the tests add. */
static size_t peer_start(uint8_t *b, size_t cap, unsigned minor, const char *type)
{
	size_t n;

	zmtp_greeting_build(b, minor);
	n = ZMTP_GREETING_SIZE;
	n += zmtp_ready_build(b + n, cap - n, type);
	return n;
}

static void t_golden_greeting(void)
{
	uint8_t want[64], got[64];
	struct zmtp_greeting g;

	CHECK_EQ(unit_hex(greet31, want, sizeof want), 64);
	zmtp_greeting_build(got, 1);
	CHECK_MEM(got, want, 64);
	CHECK_EQ(zmtp_greeting_parse(got, 64, &g), ZMTP_OK);
	CHECK_EQ(g.major, 3);
	CHECK_EQ(g.minor, 1);
	CHECK_STR(g.mechanism, "NULL");
	CHECK_EQ(zmtp_greeting_parse(got, 63, &g), ZMTP_BAD_SIGNATURE);
}

static void t_golden_ready_subscribe(void)
{
	uint8_t want[64], got[64];
	int n;

	n = unit_hex(ready_sub, want, sizeof want);
	CHECK_EQ(zmtp_ready_build(got, sizeof got, "SUB"), (size_t)n);
	CHECK_MEM(got, want, (size_t)n);
	n = unit_hex(sub30, want, sizeof want);
	CHECK_EQ(zmtp_subscribe_build(got, sizeof got, "", 0, 0), (size_t)n);
	CHECK_MEM(got, want, (size_t)n);
	n = unit_hex(sub31, want, sizeof want);
	CHECK_EQ(zmtp_subscribe_build(got, sizeof got, "", 0, 1), (size_t)n);
	CHECK_MEM(got, want, (size_t)n);
	CHECK_EQ(zmtp_ready_build(got, 20, "SUB"), 0);   /* does not fit */
}

static void t_bad_greetings(void)
{
	uint8_t g[64];
	struct zmtp_greeting pg;

	zmtp_greeting_build(g, 0);
	g[0] = 0x7F;
	CHECK_EQ(zmtp_greeting_parse(g, 64, &pg), ZMTP_BAD_SIGNATURE);
	zmtp_greeting_build(g, 0);
	g[9] = 0x7E;
	CHECK_EQ(zmtp_greeting_parse(g, 64, &pg), ZMTP_BAD_SIGNATURE);
	zmtp_greeting_build(g, 0);
	g[10] = 2;
	CHECK_EQ(zmtp_greeting_parse(g, 64, &pg), ZMTP_BAD_VERSION);
	zmtp_greeting_build(g, 0);
	memcpy(g + 12, "CURVE", 5);
	CHECK_EQ(zmtp_greeting_parse(g, 64, &pg), ZMTP_BAD_MECHANISM);
	zmtp_greeting_build(g, 0);
	g[31] = 'X';   /* "NULL" must be NUL-padded */
	CHECK_EQ(zmtp_greeting_parse(g, 64, &pg), ZMTP_BAD_MECHANISM);
	zmtp_greeting_build(g, 0);
	g[10] = 4;     /* a newer major is accepted and speaks ours */
	CHECK_EQ(zmtp_greeting_parse(g, 64, &pg), ZMTP_OK);
}

/* The peer stream every split test uses: a 48-byte sync, a 300-byte long
 * frame, a 2-part message, an empty frame last. */
static size_t stream(uint8_t *b, size_t cap, unsigned minor)
{
	uint8_t body[300];
	size_t n = peer_start(b, cap, minor, "PUB");

	memset(body, 0x7D, sizeof body);
	n += zmtp_frame_build(b + n, cap - n, 0, body, 48);
	body[0] = 0x42;
	n += zmtp_frame_build(b + n, cap - n, 0, body, 300);
	n += zmtp_frame_build(b + n, cap - n, ZMTP_F_MORE, "ab", 2);
	n += zmtp_frame_build(b + n, cap - n, 0, "cde", 3);
	n += zmtp_frame_build(b + n, cap - n, 0, "", 0);
	return n;
}

static void check_stream(const struct seen *sn)
{
	CHECK_EQ(sn->rc, 0);
	CHECK_EQ(sn->n, 5);
	CHECK_EQ(sn->size[0], 48);
	CHECK_EQ(sn->head[0][0], 0x7D);
	CHECK_EQ(sn->size[1], 300);
	CHECK_EQ(sn->len[1], 256);        /* truncated to the buffer */
	CHECK_EQ(sn->head[1][0], 0x42);
	CHECK(sn->more[2] && !sn->more[3]);
	CHECK_MEM(sn->head[2], "ab", 2);
	CHECK_MEM(sn->head[3], "cde", 3);
	CHECK_EQ(sn->size[4], 0);
}

static void t_handshake(unsigned ours, unsigned theirs, int subcmd)
{
	uint8_t in[1024], buf[256], want[128];
	struct zmtp_sub s;
	struct seen sn;
	size_t n = stream(in, sizeof in, theirs), w;

	zmtp_sub_init(&s, ours, buf, sizeof buf);
	s.sub_command = subcmd;
	CHECK_EQ(s.out_len, 64);
	CHECK_EQ(s.out[11], ours);
	zmtp_sub_sent(&s, 10);              /* a partial send keeps the rest */
	CHECK_EQ(s.out_len, 54);
	CHECK_EQ(s.out[1], ours);
	zmtp_sub_sent(&s, 54);
	feed(&s, in, n, n, &sn);
	check_stream(&sn);
	CHECK_EQ(s.phase, ZMTP_OPEN);
	CHECK_STR(s.peer_type, "PUB");
	CHECK_EQ(s.minor, ours < theirs ? ours : theirs);
	/* after the peer's greeting: READY, then SUBSCRIBE in the form the
	 * negotiated version and the policy ask for */
	w = (size_t)unit_hex(ready_sub, want, sizeof want);
	w += (size_t)unit_hex(subcmd && s.minor ? sub31 : sub30, want + w, sizeof want - w);
	CHECK_EQ(s.out_len, w);
	CHECK_MEM(s.out, want, w);
}

static void t_handshake_31_31(void) { t_handshake(1, 1, 0); }
static void t_handshake_31_30(void) { t_handshake(1, 0, 1); }
static void t_handshake_30_31(void) { t_handshake(0, 1, 1); }
static void t_handshake_31_31_cmd(void) { t_handshake(1, 1, 1); }

static void t_every_split(void)
{
	uint8_t in[1024], buf[256];
	struct zmtp_sub s;
	struct seen sn;
	size_t n = stream(in, sizeof in, 1), chunk;

	for (chunk = 1; chunk <= n; chunk++) {
		zmtp_sub_init(&s, 1, buf, sizeof buf);
		feed(&s, in, n, chunk, &sn);
		check_stream(&sn);
	}
}

static void t_ping_pong(void)
{
	uint8_t in[256], buf[64], want[32];
	struct zmtp_sub s;
	struct seen sn;
	size_t n = peer_start(in, sizeof in, 1, "XPUB");
	/* PING: ttl 0x000a, context "abc" */
	static const uint8_t ping[] = { 0x04, 0x0a, 0x04, 'P', 'I', 'N', 'G', 0x00, 0x0a, 'a', 'b', 'c' };
	int w = unit_hex("04 08 04 50 4f 4e 47 61 62 63", want, sizeof want);

	memcpy(in + n, ping, sizeof ping);
	n += sizeof ping;
	zmtp_sub_init(&s, 1, buf, sizeof buf);
	feed(&s, in, n, 1, &sn);
	CHECK_EQ(sn.rc, 0);
	CHECK_EQ(sn.n, 0);
	CHECK_EQ(s.pings, 1);
	CHECK_STR(s.peer_type, "XPUB");
	/* greeting + READY + SUBSCRIBE + PONG */
	CHECK_EQ(s.out_len, 64 + 27 + 3 + (size_t)w);
	CHECK_MEM(s.out + 64 + 27 + 3, want, (size_t)w);
}

static int first_error(const uint8_t *extra, size_t en, const char *type)
{
	uint8_t in[4096], buf[64];
	struct zmtp_sub s;
	struct seen sn;
	size_t n = type ? peer_start(in, sizeof in, 1, type) : 0;

	if (!type) {
		zmtp_greeting_build(in, 1);
		n = 64;
	}
	if (en)         /* extra may be NULL: memcpy must not see it */
		memcpy(in + n, extra, en);
	n += en;
	zmtp_sub_init(&s, 1, buf, sizeof buf);
	feed(&s, in, n, 7, &sn);
	if (sn.rc < 0) {   /* a dead session stays dead */
		size_t used;
		CHECK(zmtp_sub_input(&s, in, 1, &used) < 0);
		CHECK_EQ(s.phase, ZMTP_DEAD);
	}
	return sn.rc;
}

static void t_malformed(void)
{
	uint8_t b[64];
	size_t n;
	struct zmtp_sub s;
	size_t used;
	uint8_t buf[8];

	/* a command with MORE */
	CHECK_EQ(first_error((const uint8_t *)"\x05\x01\x00", 3, "PUB"), ZMTP_BAD_FRAME);
	/* a long size >= 2^63 */
	CHECK_EQ(first_error((const uint8_t *)"\x02\x80\x00\x00\x00\x00\x00\x00\x01", 9, "PUB"),
		 ZMTP_BAD_FRAME);
	/* a command with an empty / overlong name */
	CHECK_EQ(first_error((const uint8_t *)"\x04\x00", 2, "PUB"), ZMTP_BAD_FRAME);
	CHECK_EQ(first_error((const uint8_t *)"\x04\x02\x09\x41", 4, "PUB"), ZMTP_BAD_FRAME);
	/* data before READY */
	CHECK_EQ(first_error((const uint8_t *)"\x00\x01\x7d", 3, NULL), ZMTP_BAD_HANDSHAKE);
	/* another command before READY */
	CHECK_EQ(first_error((const uint8_t *)"\x04\x05\x04PING", 7, NULL), ZMTP_BAD_HANDSHAKE);
	/* ERROR during the handshake and after it */
	CHECK_EQ(first_error((const uint8_t *)"\x04\x07\x05" "ERROR\x00", 9, NULL), ZMTP_PEER_ERROR);
	CHECK_EQ(first_error((const uint8_t *)"\x04\x07\x05" "ERROR\x00", 9, "PUB"), ZMTP_PEER_ERROR);
	/* peers that are not publishers */
	CHECK_EQ(first_error(NULL, 0, "REQ"), ZMTP_BAD_SOCKET_TYPE);
	CHECK_EQ(first_error(NULL, 0, "PUBX"), ZMTP_BAD_SOCKET_TYPE);
	/* READY without Socket-Type; READY with a property running past the end */
	CHECK_EQ(first_error((const uint8_t *)"\x04\x06\x05READY", 8, NULL), ZMTP_BAD_HANDSHAKE);
	CHECK_EQ(first_error((const uint8_t *)"\x04\x0c\x05READY\x01x\x00\x00\x00\x09", 14, NULL),
		 ZMTP_BAD_HANDSHAKE);
	/* unknown commands, a second READY, SUBSCRIBE from the peer: ignored */
	CHECK_EQ(first_error((const uint8_t *)"\x04\x04\x03" "FOO\x04\x0a\x09SUBSCRIBE", 18, "PUB"), 0);
	/* not ZMTP at all: refused on the first byte */
	zmtp_sub_init(&s, 1, buf, sizeof buf);
	n = (size_t)snprintf((char *)b, sizeof b, "GET / HTTP/1.0\r\n\r\n");
	CHECK_EQ(zmtp_sub_input(&s, b, n, &used), ZMTP_BAD_SIGNATURE);
	CHECK_EQ(used, 1);
	CHECK_STR(zmtp_reason_str(ZMTP_PEER_ERROR), "peer sent ERROR");
	CHECK_STR(zmtp_reason_str(-99), "?");
}

static void t_big_ready(void)
{
	/* Socket-Type first, then 1500 bytes of user metadata (X-...): the
	 * command is kept in part only and still accepted */
	static uint8_t in[4096];
	uint8_t body[2048], *p = body, buf[64];
	struct zmtp_sub s;
	struct seen sn;
	size_t n;

	zmtp_greeting_build(in, 1);
	*p++ = 5; memcpy(p, "READY", 5); p += 5;
	*p++ = 11; memcpy(p, "socket-type", 11); p += 11;   /* names are case-blind */
	*p++ = 0; *p++ = 0; *p++ = 0; *p++ = 3; memcpy(p, "PUB", 3); p += 3;
	*p++ = 3; memcpy(p, "X-a", 3); p += 3;
	*p++ = 0; *p++ = 0; *p++ = 0x05; *p++ = 0xdc; memset(p, 'v', 1500); p += 1500;
	n = 64 + zmtp_frame_build(in + 64, sizeof in - 64, ZMTP_F_COMMAND, body, (size_t)(p - body));
	n += zmtp_frame_build(in + n, sizeof in - n, 0, "\x7dxyz", 4);
	zmtp_sub_init(&s, 1, buf, sizeof buf);
	feed(&s, in, n, 100, &sn);
	CHECK_EQ(sn.rc, 0);
	CHECK_EQ(sn.n, 1);
	CHECK_EQ(sn.size[0], 4);
}

static void t_prop_find(void)
{
	static const uint8_t props[] = { 1, 'A', 0, 0, 0, 1, 'x', 2, 'B', 'b', 0, 0, 0, 0 };
	const uint8_t *v = NULL;

	CHECK_EQ(zmtp_prop_find(props, sizeof props, "a", &v), 1);
	CHECK_EQ(v[0], 'x');
	CHECK_EQ(zmtp_prop_find(props, sizeof props, "BB", &v), 0);
	CHECK_EQ(zmtp_prop_find(props, sizeof props, "C", &v), -1);
	CHECK_EQ(zmtp_prop_find(props, sizeof props - 1, "BB", &v), -2);
	CHECK_EQ(zmtp_prop_find(props, 0, "A", &v), -1);
}

static void t_frame_build(void)
{
	uint8_t big[300], out[320];

	memset(big, 1, sizeof big);
	CHECK_EQ(zmtp_frame_build(out, sizeof out, 0, big, 255), 257);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(out[1], 255);
	CHECK_EQ(zmtp_frame_build(out, sizeof out, ZMTP_F_MORE, big, 256), 265);
	CHECK_EQ(out[0], ZMTP_F_MORE | ZMTP_F_LONG);
	CHECK_MEM(out + 1, "\0\0\0\0\0\0\x01\x00", 8);
	CHECK_EQ(zmtp_frame_build(out, 10, 0, big, 20), 0);
}

static void t_endpoints(void)
{
	static const struct { const char *uri; int rc; int tr; const char *addr; unsigned port; } c[] = {
		{ "ipc:///tmp/cvmmap_default", 0, ZMTP_IPC, "/tmp/cvmmap_default", 0 },
		{ "ipc://@abstract", 0, ZMTP_IPC, "@abstract", 0 },
		{ "tcp://127.0.0.1:5555", 0, ZMTP_TCP, "127.0.0.1", 5555 },
		{ "tcp://localhost:1", 0, ZMTP_TCP, "localhost", 1 },
		{ "tcp://[::1]:65535", 0, ZMTP_TCP, "::1", 65535 },
		{ "ipc://", -EINVAL, 0, "", 0 },
		{ "tcp://host", -EINVAL, 0, "", 0 },
		{ "tcp://:5555", -EINVAL, 0, "", 0 },
		{ "tcp://h:0", -EINVAL, 0, "", 0 },
		{ "tcp://h:65536", -EINVAL, 0, "", 0 },
		{ "tcp://h:12x", -EINVAL, 0, "", 0 },
		{ "tcp://h:-1", -EINVAL, 0, "", 0 },
		{ "tcp://[::1]5", -EINVAL, 0, "", 0 },
		{ "inproc://x", -EINVAL, 0, "", 0 },
		{ "pgm://x", -EINVAL, 0, "", 0 },
	};
	char longp[200];
	struct zmtp_endpoint e;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		CHECK_EQ(zmtp_endpoint_parse(c[i].uri, &e), c[i].rc);
		if (c[i].rc)
			continue;
		CHECK_EQ(e.transport, c[i].tr);
		CHECK_STR(e.addr, c[i].addr);
		CHECK_EQ(e.port, c[i].port);
	}
	memset(longp, 'a', sizeof longp);
	memcpy(longp, "ipc://", 6);
	longp[6 + 108] = 0;    /* one byte too long for sun_path */
	CHECK_EQ(zmtp_endpoint_parse(longp, &e), -EINVAL);
	longp[6 + 107] = 0;
	CHECK_EQ(zmtp_endpoint_parse(longp, &e), 0);
}

static const struct unit_case cases[] = {
	UNIT(t_golden_greeting), UNIT(t_golden_ready_subscribe), UNIT(t_bad_greetings),
	UNIT(t_handshake_31_31), UNIT(t_handshake_31_30), UNIT(t_handshake_30_31),
	UNIT(t_handshake_31_31_cmd), UNIT(t_every_split), UNIT(t_ping_pong),
	UNIT(t_malformed), UNIT(t_big_ready), UNIT(t_prop_find), UNIT(t_frame_build),
	UNIT(t_endpoints),
};
UNIT_MAIN(cases)
