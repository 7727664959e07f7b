/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_nats.c - drive the NATS client from shell suites (test only).
 *
 *   helper_nats [-u URL] [-m MAX_PAYLOAD] [-N] [-r MAX_MS] CMD ...
 *     ping                      connect, one PING/PONG, exit 0
 *     pub SUBJ HEX              publish, wait until the server has it
 *     sub SUBJ COUNT TIMEOUT_MS print "ready" once subscribed, then each
 *                               payload as hex; "connected N" per session
 *     request SUBJ HEX TIMEOUT_MS
 *                               print the reply hex, or "timeout"/
 *                               "no-responders", and "elapsed_ms N"
 *     reply SUBJ HEX COUNT TIMEOUT_MS
 *                               answer COUNT requests with HEX
 *   -N: do not ask for 503 "no responders" (requests then time out).
 *   -r: reconnect backoff cap in ms (default 300).
 * Exit: 0 ok, 2 usage, 5 no connection, 7 server -ERR or no responders,
 * 124 timeout.  At exit, sub prints "oversized N".
 */
#include "nats/nats_client.h"
#include "nats/nats_write.h"
#include "util/clock.h"
#include "util/exitcodes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct nats_client *c;
static int connects, server_err, replies_left, got_reply = -1, req_done, msgs_left;
static uint8_t reply_buf[4096];
static size_t reply_len;

static void hex_out(const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", d[i]);
	printf("\n");
	fflush(stdout);
}

static int hex_in(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1]) {
		if (n == cap || sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return *s ? -1 : (int)n;
}

static void on_event(void *arg, int ev, const char *text)
{
	(void)arg;
	if (ev == NATS_EV_CONNECTED) {
		printf("connected %d\n", ++connects);
		fflush(stdout);
	} else if (ev == NATS_EV_SERVER_ERR) {
		printf("err %s\n", text);
		fflush(stdout);
		server_err = 1;
	}
}

static void on_msg(void *arg, const struct nats_event *m)
{
	(void)arg;
	hex_out(m->data, m->len);
	msgs_left--;
}

static void on_request(void *arg, const struct nats_event *m)
{
	(void)arg;
	if (m->reply && replies_left > 0) {
		char subj[NATS_SUBJECT_MAX + 1];

		snprintf(subj, sizeof subj, "%.*s", (int)m->reply_len, m->reply);
		if (nats_client_publish(c, subj, reply_buf, reply_len) == 0)
			replies_left--;
	}
}

static void on_reply(void *arg, int status, const uint8_t *d, size_t n)
{
	(void)arg;
	got_reply = status;
	req_done = 1;
	if (status == NATS_REQ_OK)
		hex_out(d, n);
	else
		printf("%s\n", status == NATS_REQ_TIMEOUT ? "timeout" : "no-responders");
}

/* Run the I/O loop until *done or the deadline; returns *done. */
static int loop(const int *done, uint64_t until)
{
	while (!*done && clock_mono_ns() < until && !server_err) {
		struct pollfd pfd;
		uint64_t now = clock_mono_ns();
		int t = until - now < 50000000u ? (int)((until - now) / 1000000u) + 1 : 50;

		nats_client_pollfd(c, &pfd, &t, clock_mono_ns());
		poll(&pfd, pfd.fd >= 0 ? 1 : 0, t);
		nats_client_service(c, pfd.fd >= 0 ? pfd.revents : 0, clock_mono_ns());
	}
	return *done;
}

static uint64_t deadline_ms(long ms)
{
	return clock_mono_ns() + (uint64_t)ms * 1000000u;
}

/* Wait until everything queued so far has been processed by the server
 * (NATS handles a connection's operations in order: PONG = barrier). */
static int barrier(uint64_t until)
{
	struct nats_client_stats st;
	uint64_t want;
	int done = 0;

	nats_client_get_stats(c, &st);
	want = st.pongs + 1;
	if (nats_client_ping(c))
		return 0;
	while (!done && clock_mono_ns() < until && !server_err) {
		loop(&done, clock_mono_ns() + 20000000u);
		nats_client_get_stats(c, &st);
		done = st.pongs >= want;
	}
	return done;
}

static int usage(void)
{
	fprintf(stderr, "usage: helper_nats [-u URL] [-m MAX] [-N] [-r MS] "
		"ping|pub|sub|request|reply ...\n");
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct nats_client_cfg cfg;
	struct nats_client_stats st;
	uint8_t data[4096];
	int n = 0, i = 1, rc;
	const char *cmd;

	memset(&cfg, 0, sizeof cfg);
	cfg.url = "nats://127.0.0.1:4222";
	cfg.name = "helper_nats";
	cfg.no_responders = 1;
	cfg.reconnect_max_ms = 300;
	cfg.connect_timeout_ms = 2000;
	cfg.on_event = on_event;
	for (; i + 1 < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-N")) {
			cfg.no_responders = 0;
			continue;
		}
		if (!strcmp(argv[i], "-u"))
			cfg.url = argv[++i];
		else if (!strcmp(argv[i], "-m"))
			cfg.max_payload = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "-r"))
			cfg.reconnect_max_ms = atoi(argv[++i]);
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	cmd = argv[i++];
	if ((!strcmp(cmd, "pub") || !strcmp(cmd, "request") || !strcmp(cmd, "reply")) &&
	    (i + 1 >= argc || (n = hex_in(argv[i + 1], data, sizeof data)) < 0))
		return usage();
	if ((rc = nats_client_open(&c, &cfg))) {
		fprintf(stderr, "helper_nats: bad URL (%s)\n", strerror(-rc));
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "sub") && i + 2 < argc) {
		msgs_left = atoi(argv[i + 1]);
		nats_client_subscribe(c, argv[i], on_msg, NULL);
	} else if (!strcmp(cmd, "reply") && i + 3 < argc) {
		memcpy(reply_buf, data, (size_t)n);
		reply_len = (size_t)n;
		replies_left = atoi(argv[i + 2]);
		nats_client_subscribe(c, argv[i], on_request, NULL);
	}
	/* connect (sub/reply: their SUBs are active once connected) */
	if (!loop(&connects, deadline_ms(3000))) {
		rc = server_err ? EXIT_PROTOCOL : EXIT_INIT;
		goto out;
	}
	rc = EXIT_OK;
	if (!strcmp(cmd, "ping")) {
		if (!barrier(deadline_ms(2000)))
			rc = server_err ? EXIT_PROTOCOL : EXIT_TIMEOUT;
	} else if (!strcmp(cmd, "pub")) {
		if (nats_client_publish(c, argv[i], data, (size_t)n) || !barrier(deadline_ms(2000)))
			rc = server_err ? EXIT_PROTOCOL : EXIT_TIMEOUT;
	} else if (!strcmp(cmd, "sub") && i + 2 < argc) {
		int done = 0;
		uint64_t until = deadline_ms(atol(argv[i + 2]));

		printf("ready\n");
		fflush(stdout);
		while (!done && clock_mono_ns() < until) {
			loop(&done, clock_mono_ns() + 20000000u);
			done = msgs_left <= 0;
			server_err = 0;  /* a sub outlives server errors */
		}
		rc = done ? EXIT_OK : EXIT_TIMEOUT;
	} else if (!strcmp(cmd, "request") && i + 2 < argc) {
		uint64_t t0 = clock_mono_ns();

		if (nats_client_request(c, argv[i], data, (size_t)n, atoi(argv[i + 2]),
					on_reply, NULL)) {
			rc = EXIT_INIT;
			goto out;
		}
		loop(&req_done, t0 + 10000000000u);
		printf("elapsed_ms %llu\n", (unsigned long long)((clock_mono_ns() - t0) / 1000000u));
		rc = got_reply == NATS_REQ_OK ? EXIT_OK :
		     got_reply == NATS_REQ_NO_RESPONDERS ? EXIT_PROTOCOL : EXIT_TIMEOUT;
	} else if (!strcmp(cmd, "reply") && i + 3 < argc) {
		int done = 0;
		uint64_t until = deadline_ms(atol(argv[i + 3]));

		printf("ready\n");
		fflush(stdout);
		while (!done && clock_mono_ns() < until) {
			loop(&done, clock_mono_ns() + 20000000u);
			done = replies_left <= 0 && nats_client_pending(c) == 0;
		}
		if (done && !barrier(deadline_ms(1000)))
			done = 0;
		rc = done ? EXIT_OK : EXIT_TIMEOUT;
	} else {
		rc = usage();
	}
out:
	nats_client_get_stats(c, &st);
	if (!strcmp(cmd, "sub"))
		printf("oversized %llu\n", (unsigned long long)st.oversized);
	fflush(stdout);
	nats_client_close(c);
	return rc;
}
