/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zmtp.h - the subscriber side of ZMTP 3.0 / 3.1 (rfc.zeromq.org 23/ZMTP,
 * 37/ZMTP), NULL security mechanism only: the bytes a SUB socket
 * exchanges with a libzmq PUB.  Pure: no sockets, no clocks.
 *
 * A session is fed whatever bytes the transport read, in pieces of any
 * size (one byte at a time works), and says what to send back:
 *
 *   zmtp_sub_init(&s, 1, buf, sizeof buf);      greeting queued in s.out
 *   loop: send s.out[0..s.out_len), zmtp_sub_sent(&s, n);
 *         r = zmtp_sub_input(&s, p, n, &used); p += used; n -= used;
 *         r == 1: one frame of a message in s.msg (see below)
 *         r == 0: every byte consumed, need more
 *         r <  0: a zmtp_reason; close the connection (and reconnect)
 *
 * Exchange (§ "Connection" of 23/ZMTP):
 *
 *   us   -> greeting (64 bytes: FF 00*8 7F, 03 minor, "NULL" + 16 x 00,
 *           as-server 0, 31 x 00 filler)
 *   peer -> greeting;  we check signature, major >= 3 and "NULL"
 *   us   -> READY (Socket-Type = "SUB"), SUBSCRIBE ""
 *   peer -> READY; its Socket-Type must be PUB or XPUB
 *   peer -> frames: messages; PING (3.1) answered with PONG; ERROR ends
 *
 * Frames are delivered one at a time, as zmq_recv() does: msg_more says
 * another frame of the same message follows.  A body longer than the
 * caller's buffer is truncated to it; msg_size is the real size.
 */
#ifndef CVMMAP_ZMTP_H
#define CVMMAP_ZMTP_H

#include <stddef.h>
#include <stdint.h>

#define ZMTP_GREETING_SIZE 64
#define ZMTP_SIGNATURE_SIZE 10
#define ZMTP_MECH_SIZE 20

/* frame flags (23/ZMTP "Framing") */
#define ZMTP_F_MORE 0x01
#define ZMTP_F_LONG 0x02
#define ZMTP_F_COMMAND 0x04

#define ZMTP_CMD_MAX 1024  /* command bytes kept; READY metadata beyond is lost */
#define ZMTP_OUT_MAX 512   /* queued output (greeting, READY, SUBSCRIBE, PONGs) */

enum zmtp_reason {
	ZMTP_OK = 0,
	ZMTP_BAD_SIGNATURE = -1,  /* not FF .. 7F: not ZMTP 2+ */
	ZMTP_BAD_VERSION = -2,    /* major < 3 */
	ZMTP_BAD_MECHANISM = -3,  /* anything but NULL */
	ZMTP_BAD_FRAME = -4,      /* command with MORE, size >= 2^63 */
	ZMTP_BAD_HANDSHAKE = -5,  /* first frame not READY, malformed READY */
	ZMTP_BAD_SOCKET_TYPE = -6,/* peer is not PUB / XPUB */
	ZMTP_PEER_ERROR = -7,     /* peer sent ERROR */
	ZMTP_OUT_FULL = -8,       /* peer does not read what we must send */
};

const char *zmtp_reason_str(int r);

struct zmtp_greeting {
	unsigned major, minor;
	char mechanism[ZMTP_MECH_SIZE + 1];
	int as_server;
};

/* The 64-byte greeting of a NULL-mechanism client speaking 3.minor. */
void zmtp_greeting_build(uint8_t out[ZMTP_GREETING_SIZE], unsigned minor);
/* Parse a peer's 64-byte greeting; ZMTP_OK or a zmtp_reason. */
int zmtp_greeting_parse(const uint8_t *b, size_t n, struct zmtp_greeting *g);

/* One frame header + body into buf: returns its length, 0 when it does
 * not fit.  Sizes under 256 use the short form. */
size_t zmtp_frame_build(uint8_t *buf, size_t cap, unsigned flags,
			const void *body, size_t len);
/* READY command with the one property Socket-Type = type. */
size_t zmtp_ready_build(uint8_t *buf, size_t cap, const char *socket_type);
/* SUBSCRIBE for topic: as the 3.0 message (0x01 + topic), or, with
 * as_command, as the 3.1 SUBSCRIBE command. */
size_t zmtp_subscribe_build(uint8_t *buf, size_t cap, const void *topic,
			    size_t len, int as_command);
/* Find property name in a READY body (after the command name): returns
 * the value's length and points *val at it, -1 when absent, -2 when the
 * property list is malformed. */
long zmtp_prop_find(const uint8_t *props, size_t n, const char *name,
		    const uint8_t **val);

enum zmtp_phase { ZMTP_GREET, ZMTP_HANDSHAKE, ZMTP_OPEN, ZMTP_DEAD };

struct zmtp_sub {
	enum zmtp_phase phase;
	unsigned minor;          /* ours, then the negotiated one */
	int sub_command;         /* send SUBSCRIBE as a 3.1 command */
	struct zmtp_greeting peer;
	char peer_type[16];      /* the peer's Socket-Type */

	/* frame decoder */
	int fstate;              /* 0 flags, 1 size bytes, 2 body */
	uint8_t flags;
	uint8_t hdr[8];
	unsigned hdr_n, hdr_need;
	uint64_t size, got;

	uint8_t greet[ZMTP_GREETING_SIZE];
	unsigned greet_n;
	uint8_t cmd[ZMTP_CMD_MAX];

	/* the last delivered data frame */
	uint8_t *msg;            /* caller's buffer */
	size_t msg_cap;
	size_t msg_len;          /* bytes in msg: min(msg_size, msg_cap) */
	uint64_t msg_size;
	int msg_more;

	/* bytes to send, in order */
	uint8_t out[ZMTP_OUT_MAX];
	size_t out_len;

	unsigned long pings;     /* PINGs answered */
};

/* Start a session that speaks 3.minor (0 or 1) and keeps up to cap bytes
 * of each frame in buf (owned by the caller, alive as long as s).  Queues
 * our greeting in s->out. */
void zmtp_sub_init(struct zmtp_sub *s, unsigned minor, uint8_t *buf, size_t cap);
/* Feed n bytes; *used says how many were consumed.  Returns 1 when a data
 * frame is complete (s->msg...), 0 when all n bytes were consumed without
 * completing one, or a zmtp_reason (< 0) after which s is dead. */
int zmtp_sub_input(struct zmtp_sub *s, const uint8_t *p, size_t n, size_t *used);
/* n bytes of s->out were sent. */
void zmtp_sub_sent(struct zmtp_sub *s, size_t n);

/* ipc://path (@name: abstract) and tcp://host:port (host may be [v6]). */
enum zmtp_transport { ZMTP_IPC = 1, ZMTP_TCP = 2 };
struct zmtp_endpoint {
	enum zmtp_transport transport;
	char addr[108];          /* ipc: the path; tcp: the host */
	unsigned port;
};
/* 0, or -EINVAL for anything else (another transport, no port, a path
 * too long for sockaddr_un). */
int zmtp_endpoint_parse(const char *uri, struct zmtp_endpoint *e);

#endif
