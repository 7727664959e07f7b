/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtmp_msg.h - RTMP handshake, control and command messages (pure).
 *
 * Builders write message BODIES into (out, cap) and return their length
 * or -ENOSPC; rtmp_chunk_write() frames them.  Parsers read bodies
 * handed out by the chunk reader.  Nothing here touches a socket or a
 * clock: times and random seeds come from the caller.
 * References: Adobe RTMP 1.0 (handshake 5.2, control 5.4, user control
 * 6.2 / 7.1.7, commands 7.2), docs/protocols.md §1.1-1.5 and 2.6.
 */
#ifndef CVMMAP_RTMP_MSG_H
#define CVMMAP_RTMP_MSG_H

#include "proto/amf0.h"

#include <stddef.h>
#include <stdint.h>

/* ---- handshake (RTMP 1.0 5.2; docs/protocols.md §1.1) ------------------------ */

#define RTMP_VERSION 3
#define RTMP_HS_SIZE 1536

/* C0+C1 (or S0+S1): version 3, u32 time, u32 zero, 1528 pseudo-random
 * bytes from seed (a fixed seed gives bit-exact output).  Returns 1537
 * or -ENOSPC. */
int rtmp_hs_c0c1(uint8_t *out, size_t cap, uint32_t time_ms, uint32_t seed);

/* Server answer to c1[1536]: S0+S1 (as above) + S2 (echo of C1).
 * Returns 3073 or -ENOSPC. */
int rtmp_hs_s0s1s2(uint8_t *out, size_t cap, const uint8_t *c1,
		   uint32_t time_ms, uint32_t seed);

/* ---- protocol control (5.4) and user control (6.2) -------------------- */

/* Types 1 (Set Chunk Size), 2 (Abort), 3 (Ack), 5 (Window Ack Size):
 * one u32.  Returns 4 or -ENOSPC / -EINVAL. */
int rtmp_ctl_u32(uint8_t *out, size_t cap, uint32_t v);
/* Type 6 Set Peer Bandwidth: u32 window + u8 limit type (0/1/2). */
int rtmp_ctl_peer_bw(uint8_t *out, size_t cap, uint32_t v, int limit);
/* Type 4 User Control: u16 event + u32 (StreamBegin, PingRequest 6,
 * PingResponse 7, ...). */
int rtmp_ctl_user(uint8_t *out, size_t cap, uint16_t event, uint32_t v);

enum { RTMP_UC_STREAM_BEGIN = 0, RTMP_UC_PING_REQUEST = 6,
       RTMP_UC_PING_RESPONSE = 7 };

/* ---- AMF0 commands (7.2; docs/protocols.md §1.5) ---------------------------- */

struct rtmp_connect_params {
	const char *app;
	const char *tcurl;
	const char *flashver;   /* NULL = "FMLE/3.0 (compatible; cvmmap-streamer)" */
	int fourcc_hvc1;        /* add fourCcList/videoFourCcInfoMap/capsEx */
};

/* connect(txn, {app, type, flashVer, tcUrl[, E-RTMP props]}). */
int rtmp_cmd_connect(uint8_t *out, size_t cap, double txn,
		     const struct rtmp_connect_params *c);
/* name(txn, null[, arg]): releaseStream, FCPublish, FCUnpublish (with the
 * stream name), createStream (arg NULL). */
int rtmp_cmd_simple(uint8_t *out, size_t cap, const char *name, double txn,
		    const char *arg);
/* publish(txn, null, name, type) - send it on the created stream id. */
int rtmp_cmd_publish(uint8_t *out, size_t cap, double txn, const char *name,
		     const char *type);
/* deleteStream(txn, null, stream id). */
int rtmp_cmd_delete_stream(uint8_t *out, size_t cap, double txn, double sid);

/* Server side (the stub): _result for connect (NetConnection.Connect.
 * Success), _result(txn, null, number) for createStream, and
 * onStatus(0, null, {level, code, description}). */
int rtmp_cmd_connect_result(uint8_t *out, size_t cap, double txn);
int rtmp_cmd_number_result(uint8_t *out, size_t cap, double txn, double v);
int rtmp_cmd_on_status(uint8_t *out, size_t cap, const char *level,
		       const char *code, const char *desc);

/* A parsed command or data message: v[0] is the name, for commands v[1]
 * the transaction id, then the command object and arguments. */
#define RTMP_CMD_MAX_VALS 8
struct rtmp_cmd {
	struct amf0_val v[RTMP_CMD_MAX_VALS];
	int n;
	double txn;             /* v[1].num when it is a number, else -1 */
};

/* Parse an AMF0 command/data body (values beyond RTMP_CMD_MAX_VALS are
 * ignored).  Returns 0, or -EINVAL when v[0] is not a string or a value
 * is malformed. */
int rtmp_cmd_parse(const uint8_t *p, size_t n, struct rtmp_cmd *c);

/* True when the command name equals s. */
int rtmp_cmd_is(const struct rtmp_cmd *c, const char *s);

/* The info object of _result/_error/onStatus (the last object argument):
 * copies its level and code (either may be "").  Returns 0, or -1 when
 * there is no object. */
int rtmp_cmd_status(const struct rtmp_cmd *c, char *level, size_t llen,
		    char *code, size_t clen);

/* ---- URL --------------------------------------------------------------- */

struct rtmp_url {
	char host[256];         /* without [] for IPv6 */
	unsigned port;          /* default 1935 */
	char app[256];
	char stream[512];       /* may carry a ?query (stream keys, tokens) */
	char tcurl[600];        /* rtmp://host:port/app (no credentials) */
};

/* rtmp://[user[:pass]@]host[:port]/app[/more]/stream[?query].  The app is
 * the path up to the last '/', the stream what follows.  0 or -EINVAL. */
int rtmp_url_parse(const char *url, struct rtmp_url *u);

/* The URL for logs: no user:pass@, the stream name and query (the stream
 * key) replaced by "***" after the app and its "/". */
void rtmp_url_redact(const char *url, char *out, size_t cap);

#endif
