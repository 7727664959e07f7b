/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtsp_msg.h - the bytes of RTSP 1.0 (RFC 2326) a server needs, pure:
 * parse a request head, pick a Transport, match a request URI against
 * our one stream, check Basic/Digest credentials.  No sockets (those are
 * in rtsp_sink.c), no allocation; every parser takes (ptr, len), is safe
 * on any byte string and is fuzzed (test/fuzz/fuzz_rtsp.c).
 */
#ifndef CVMMAP_RTSP_MSG_H
#define CVMMAP_RTSP_MSG_H

#include <stddef.h>

#define RTSP_HEAD_MAX 8192      /* a longer request head: 400 and close */
#define RTSP_URI_MAX 512
#define RTSP_CSEQ_MAX 16
#define RTSP_SESSION_MAX 64
#define RTSP_TRANSPORT_MAX 512

enum rtsp_method {
	RTSP_UNKNOWN, RTSP_OPTIONS, RTSP_DESCRIBE, RTSP_SETUP, RTSP_PLAY, RTSP_PAUSE,
	RTSP_TEARDOWN, RTSP_GET_PARAMETER, RTSP_SET_PARAMETER, RTSP_ANNOUNCE, RTSP_RECORD,
	RTSP_REDIRECT,
};

struct rtsp_req {
	int method;                 /* enum rtsp_method */
	int version_ok;             /* "RTSP/1.0" (else 505) */
	char uri[RTSP_URI_MAX];
	char cseq[RTSP_CSEQ_MAX];   /* digits; "" when absent */
	char session[RTSP_SESSION_MAX];     /* the id, without ";timeout=" */
	char transport[RTSP_TRANSPORT_MAX];
	char auth[768];             /* Authorization */
	unsigned long content_length;
};

/* Parse the request head at buf[0..n) (RFC 2326 6: request line, header
 * fields, empty line; CRLF or bare LF).  Returns the head's length once
 * complete, 0 while more bytes are needed, -EINVAL when malformed (400),
 * -E2BIG when the head grows past RTSP_HEAD_MAX (400 and close),
 * -ENAMETOOLONG for a URI of RTSP_URI_MAX or more (414). */
int rtsp_parse_request(const char *buf, size_t n, struct rtsp_req *r);

/* "DESCRIBE" for RTSP_DESCRIBE ... ("" for RTSP_UNKNOWN). */
const char *rtsp_method_name(int method);

/* A response head (the publisher's side). */
struct rtsp_resp {
	int status;
	char cseq[RTSP_CSEQ_MAX];
	char session[RTSP_SESSION_MAX];
	char challenge[512];        /* WWW-Authenticate: Digest if offered */
	unsigned long content_length;
};

/* Parse a response head; returns as rtsp_parse_request (no 414). */
int rtsp_parse_response(const char *buf, size_t n, struct rtsp_resp *r);

/* RFC 2326 10.12 interleaved data ('$', channel, 16-bit length, data) at
 * the head of in[0..n), n > 0, or the rest of one (*skip bytes still to
 * come).  Returns the bytes of in that belong to it (to be dropped), 0
 * when its 4-byte header is not complete yet, -1 when in starts with no
 * interleaved data (an RTSP message). */
long rtsp_interleaved(const char *in, size_t n, size_t *skip);

/* What a request URI names, given our stream's path ("live"). */
enum rtsp_target {
	RTSP_T_NONE,                /* another path: 404 */
	RTSP_T_ANY,                 /* "*" (OPTIONS) */
	RTSP_T_STREAM,              /* rtsp://host[:port]/live[/] (the aggregate) */
	RTSP_T_TRACK,               /* .../live/trackID=0[/], or relative "trackID=0" */
};
int rtsp_uri_target(const char *uri, const char *path);

/* RFC 2326 12.39: the first acceptable transport spec of a Transport
 * header.  RTP/AVP[/UDP];unicast;client_port=a[-b] or
 * RTP/AVP/TCP;interleaved=a[-b] (channels 0-1 when absent). */
struct rtsp_transport {
	int tcp;
	unsigned rtp_port, rtcp_port;   /* UDP: the client's ports */
	int ch_rtp, ch_rtcp;            /* TCP: interleaved channel ids */
	int record;                     /* mode=record */
};
int rtsp_transport_pick(const char *v, int allow_udp, int allow_tcp,
			struct rtsp_transport *t);

/* The reason phrase of a status code (RFC 2326 7.1.1). */
const char *rtsp_reason(int status);

/* Authentication (RFC 7617 Basic, RFC 7616 Digest with MD5 and no qop or
 * qop=auth).  userpass is "user:password". */
enum { RTSP_AUTH_NONE, RTSP_AUTH_BASIC, RTSP_AUTH_DIGEST };

/* The WWW-Authenticate header line (CRLF included).  Length or 0. */
size_t rtsp_auth_challenge(char *buf, size_t cap, int kind, const char *realm,
			   const char *nonce);
/* The "Authorization: ...\r\n" line answering challenge (a Digest or
 * Basic WWW-Authenticate value) for userpass; cnonce is used when the
 * challenge offers qop=auth.  Length, or 0 (unknown scheme, no room). */
size_t rtsp_auth_answer(char *buf, size_t cap, const char *challenge, const char *userpass,
			const char *method, const char *uri, const char *cnonce);
/* 1 when the Authorization value hdr proves userpass for this request. */
int rtsp_auth_ok(int kind, const char *userpass, const char *realm, const char *nonce,
		 const char *method, const char *hdr);

#endif
