/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nats_client.c - the non-blocking client against a mock server.
 *
 * The mock is a loopback listener driven from the test's own thread: the
 * client is non-blocking, so the test alternates poll()+service on the
 * client with reads and writes on the accepted socket.  The mock splits
 * lines at odd places, sends PING, withholds INFO or PONG, and talks
 * garbage.  Every service call is watched: none may block.  A call
 * blocked when it gave up the CPU itself (a voluntary context switch,
 * getrusage RUSAGE_THREAD) and took 50 ms or more; time lost to
 * preemption on a loaded runner or under qemu is not blocking (a wall
 * clock bound alone failed under qemu beside a CI run).
 */
#define _GNU_SOURCE /* accept4, RUSAGE_THREAD */
#include "unit.h"
#include "nats/nats_client.h"
#include "util/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static int lfd = -1, sfd = -1;     /* listener, accepted mock connection */
static uint16_t port;
static char url[64];
static uint64_t max_service_ns;    /* the longest call that blocked */
static char seen[8192];            /* what the mock received */
static size_t seen_len;
static int n_accepts;

static struct {
	int connected, disconnected, errors;
	char msg[256];
	int msgs;
	int req_status, req_done;
	char req_data[64];
	uint64_t req_done_ns;
} ev;

static void on_event(void *arg, int e, const char *text)
{
	(void)arg;
	(void)text;
	if (e == NATS_EV_CONNECTED) ev.connected++;
	if (e == NATS_EV_DISCONNECTED) ev.disconnected++;
	if (e == NATS_EV_SERVER_ERR) ev.errors++;
}

static void on_msg(void *arg, const struct nats_event *m)
{
	(void)arg;
	snprintf(ev.msg, sizeof ev.msg, "%.*s:%.*s", (int)m->subject_len, m->subject,
		 (int)m->len, (const char *)m->data);
	ev.msgs++;
}

static void on_reply(void *arg, int status, const uint8_t *d, size_t n)
{
	(void)arg;
	ev.req_status = status;
	ev.req_done++;
	ev.req_done_ns = clock_mono_ns();
	snprintf(ev.req_data, sizeof ev.req_data, "%.*s", (int)n, d ? (const char *)d : "");
}

static void mock_close(void)
{
	if (sfd >= 0)
		close(sfd);
	if (lfd >= 0)
		close(lfd);
	sfd = lfd = -1;
}

static void mock_listen(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	mock_close();              /* leftovers of a failed case */
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(lfd >= 0);
	CHECK_EQ(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
	CHECK_EQ(listen(lfd, 4), 0);
	CHECK_EQ(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	snprintf(url, sizeof url, "nats://127.0.0.1:%u", port);
	n_accepts = 0;
	memset(&ev, 0, sizeof ev);
}


/* One poll round for the client (at most 10 ms), plus mock bookkeeping:
 * accept a new connection, collect what the client sent. */
static void step(struct nats_client *c)
{
	struct pollfd pfd;
	int t = 10, fd;
	uint64_t t0;
	struct rusage ru0, ru1;
	char b[2048];
	ssize_t n;

	if (nats_client_pollfd(c, &pfd, &t, clock_mono_ns()) && t > 10)
		t = 10;
	if (t < 0 || t > 10)
		t = 10;
	poll(&pfd, pfd.fd >= 0 ? 1 : 0, t);
	getrusage(RUSAGE_THREAD, &ru0);
	t0 = clock_mono_ns();
	nats_client_service(c, pfd.fd >= 0 ? pfd.revents : 0, t0);
	t0 = clock_mono_ns() - t0;
	getrusage(RUSAGE_THREAD, &ru1);
	if (ru1.ru_nvcsw > ru0.ru_nvcsw && t0 > max_service_ns)
		max_service_ns = t0;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	if (fd >= 0) {
		if (sfd >= 0)
			close(sfd);
		sfd = fd;
		n_accepts++;
		seen_len = 0;
		seen[0] = '\0';
	}
	while (sfd >= 0 && (n = read(sfd, b, sizeof b)) > 0) {
		size_t k = (size_t)n < sizeof seen - 1 - seen_len ? (size_t)n : sizeof seen - 1 - seen_len;

		memcpy(seen + seen_len, b, k);
		seen_len += k;
		seen[seen_len] = '\0';
	}
	if (sfd >= 0 && n == 0) {       /* client closed */
		close(sfd);
		sfd = -1;
	}
}

/* Step until cond holds (fail the case after ms), or just for ms. */
#define WAIT(c, cond, ms) \
	do { uint64_t e_ = clock_mono_ns() + (uint64_t)(ms) * 1000000u; \
	     while (!(cond) && clock_mono_ns() < e_) step(c); \
	     CHECK(cond); } while (0)
#define RUN_FOR(c, ms) \
	do { uint64_t e_ = clock_mono_ns() + (uint64_t)(ms) * 1000000u; \
	     while (clock_mono_ns() < e_) step(c); } while (0)

static void mock_send(struct nats_client *c, const char *s)
{
	size_t n = strlen(s);

	CHECK(sfd >= 0);
	CHECK_EQ(write(sfd, s, n), (ssize_t)n);
	step(c);
}

static struct nats_client *client(int connect_ms, int ping_ms)
{
	struct nats_client_cfg cfg;
	struct nats_client *c;

	memset(&cfg, 0, sizeof cfg);
	cfg.url = url;
	cfg.name = "unit";
	cfg.max_payload = 64;
	cfg.connect_timeout_ms = connect_ms;
	cfg.ping_interval_ms = ping_ms;
	cfg.reconnect_min_ms = 20;
	cfg.reconnect_max_ms = 60;
	cfg.no_responders = 1;
	cfg.on_event = on_event;
	max_service_ns = 0;
	CHECK_EQ(nats_client_open(&c, &cfg), 0);
	CHECK_EQ(nats_client_subscribe(c, "test.subj", on_msg, NULL), 2);
	return c;
}

#define INFO "INFO {\"server_id\":\"mock\",\"max_payload\":1024,\"headers\":true}\r\n"

/* Bring a client to READY through a mock that splits every line. */
static void handshake(struct nats_client *c)
{
	int before = ev.connected;

	WAIT(c, sfd >= 0, 1000);
	mock_send(c, "IN");
	mock_send(c, "FO {\"server_id\":\"mock\",\"max_pa");
	mock_send(c, "yload\":1024,\"headers\":true}\r");
	mock_send(c, "\n");
	WAIT(c, strstr(seen, "PING\r\n"), 1000);
	CHECK(!strncmp(seen, "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"unit\"", 55));
	CHECK(strstr(seen, "\"headers\":true,\"no_responders\":true"));
	CHECK(strstr(seen, "\r\nSUB _INBOX."));
	CHECK(strstr(seen, ".* 1\r\nSUB test.subj 2\r\nPING\r\n"));
	CHECK_EQ(ev.connected, before);
	mock_send(c, "PO");
	mock_send(c, "NG\r\n");
	WAIT(c, ev.connected == before + 1, 1000);
}

static void t_split_lines_ping_msg_pub(void)
{
	struct nats_client *c;
	struct nats_client_stats st;

	mock_listen();
	c = client(1000, 5000);
	CHECK_EQ(nats_client_publish(c, "x.y", "abc", 3), -ENOTCONN);
	handshake(c);
	/* server PING split at odd places -> PONG */
	seen_len = 0;
	seen[0] = '\0';
	mock_send(c, "PI");
	mock_send(c, "NG\r");
	mock_send(c, "\n");
	WAIT(c, strstr(seen, "PONG\r\n"), 1000);
	/* a MSG in four pieces */
	mock_send(c, "MSG test.su");
	mock_send(c, "bj 2 5\r\nhel");
	mock_send(c, "lo\r");
	CHECK_EQ(ev.msgs, 0);
	mock_send(c, "\n");
	WAIT(c, ev.msgs == 1, 1000);
	CHECK_STR(ev.msg, "test.subj:hello");
	/* oversized (cap 64) is skipped, the next one arrives */
	mock_send(c, "MSG test.subj 2 100\r\n"
		  "0123456789012345678901234567890123456789012345678901234567890123456789"
		  "012345678901234567890123456789\r\nMSG test.subj 2 2\r\nok\r\n");
	WAIT(c, ev.msgs == 2, 1000);
	CHECK_STR(ev.msg, "test.subj:ok");
	/* publish */
	seen_len = 0;
	seen[0] = '\0';
	CHECK_EQ(nats_client_publish(c, "x.y", "abc", 3), 0);
	CHECK_EQ(nats_client_publish(c, "bad subject", "abc", 3), -EINVAL);
	CHECK_EQ(nats_client_publish(c, "x.y", seen, 1025), -EMSGSIZE);
	WAIT(c, strstr(seen, "PUB x.y 3\r\nabc\r\n"), 1000);
	/* -ERR is reported, the session goes on */
	mock_send(c, "-ERR 'Permissions Violation for Publish to x.y'\r\n");
	WAIT(c, ev.errors == 1, 1000);
	nats_client_get_stats(c, &st);
	CHECK_EQ(st.state, NATS_READY);
	CHECK_EQ(st.oversized, 1);
	CHECK_EQ(st.pub_dropped, 3);
	CHECK_EQ(st.server_errors, 1);
	CHECK_EQ(st.server_max_payload, 1024);
	CHECK(max_service_ns < 50000000u);
	nats_client_close(c);
	mock_close();
}

/* A server that accepts but never sends INFO: the connect times out, the
 * client backs off and tries again; nothing blocks. */
static void t_no_info_times_out(void)
{
	struct nats_client *c;
	struct nats_client_stats st;
	uint64_t t0;

	mock_listen();
	c = client(200, 5000);
	WAIT(c, n_accepts == 1, 1000);
	t0 = clock_mono_ns();
	WAIT(c, sfd < 0, 1000);          /* client gave up */
	CHECK(clock_mono_ns() - t0 >= 150000000u);
	WAIT(c, n_accepts == 2, 1000);   /* and came back */
	nats_client_get_stats(c, &st);
	CHECK_EQ(st.connects, 0);
	CHECK_EQ(ev.connected, 0);
	CHECK(max_service_ns < 50000000u);
	nats_client_close(c);
	mock_close();
}

/* Connection refused: backoff grows, never blocks, never connects. */
static void t_refused_backoff(void)
{
	struct nats_client *c;
	struct nats_client_stats st;

	mock_listen();
	close(lfd);                                   /* nobody listens there now */
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	c = client(200, 5000);
	RUN_FOR(c, 300);
	nats_client_get_stats(c, &st);
	CHECK_EQ(st.connects, 0);
	CHECK(st.state == NATS_BACKOFF || st.state == NATS_CONNECTING);
	CHECK(max_service_ns < 50000000u);
	nats_client_close(c);
	mock_close();
}

static void t_request_timeout_reply_503(void)
{
	struct nats_client *c;
	uint64_t t0;
	char line[128], *inbox;

	mock_listen();
	c = client(1000, 5000);
	CHECK_EQ(nats_client_request(c, "svc", "", 0, 100, on_reply, NULL), -ENOTCONN);
	handshake(c);

	/* 1: nobody answers -> timeout at 150 ms */
	seen_len = 0;
	seen[0] = '\0';
	t0 = clock_mono_ns();
	CHECK_EQ(nats_client_request(c, "svc", "q", 1, 150, on_reply, NULL), 0);
	WAIT(c, strstr(seen, "PUB svc _INBOX."), 1000);
	WAIT(c, ev.req_done == 1, 1000);
	CHECK_EQ(ev.req_status, NATS_REQ_TIMEOUT);
	CHECK(ev.req_done_ns - t0 >= 150000000u);
	CHECK(ev.req_done_ns - t0 < 400000000u);

	/* 2: a reply on the inbox subject the client chose */
	seen_len = 0;
	seen[0] = '\0';
	CHECK_EQ(nats_client_request(c, "svc", "q", 1, 1000, on_reply, NULL), 0);
	WAIT(c, strstr(seen, " 1\r\nq\r\n"), 1000);
	inbox = strstr(seen, "_INBOX.");
	CHECK(inbox);
	*strchr(inbox, ' ') = '\0';
	snprintf(line, sizeof line, "MSG %s 1 2\r\nok\r\n", inbox);
	mock_send(c, line);
	WAIT(c, ev.req_done == 2, 1000);
	CHECK_EQ(ev.req_status, NATS_REQ_OK);
	CHECK_STR(ev.req_data, "ok");
	/* a late duplicate is ignored */
	mock_send(c, line);
	RUN_FOR(c, 30);
	CHECK_EQ(ev.req_done, 2);

	/* 3: the server's 503 "no responders" */
	seen_len = 0;
	seen[0] = '\0';
	CHECK_EQ(nats_client_request(c, "svc", "", 0, 1000, on_reply, NULL), 0);
	WAIT(c, strstr(seen, " 0\r\n\r\n"), 1000);
	inbox = strstr(seen, "_INBOX.");
	*strchr(inbox, ' ') = '\0';
	snprintf(line, sizeof line, "HMSG %s 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n", inbox);
	mock_send(c, line);
	WAIT(c, ev.req_done == 3, 1000);
	CHECK_EQ(ev.req_status, NATS_REQ_NO_RESPONDERS);
	nats_client_close(c);
	mock_close();
}

/* No PONG to our PINGs: the session is declared dead, the client
 * reconnects and subscribes again. */
static void t_stale_reconnect_resubscribe(void)
{
	struct nats_client *c;
	struct nats_client_stats st;

	mock_listen();
	c = client(1000, 100);
	handshake(c);
	WAIT(c, ev.disconnected == 1, 1500);
	WAIT(c, n_accepts == 2 && sfd >= 0, 1000);
	handshake(c);                                /* re-SUB checked inside */
	nats_client_get_stats(c, &st);
	CHECK_EQ(st.connects, 2);
	CHECK_EQ(st.disconnects, 1);
	CHECK_EQ(ev.connected, 2);
	nats_client_close(c);
	mock_close();
}

static void t_garbage_drops_connection(void)
{
	struct nats_client *c;

	mock_listen();
	c = client(1000, 5000);
	handshake(c);
	mock_send(c, "HELLO THERE\r\n");
	WAIT(c, ev.disconnected == 1, 1000);
	WAIT(c, n_accepts == 2, 1000);
	nats_client_close(c);
	mock_close();
}

/* A server that stops reading: publish fills the buffer and refuses,
 * counted, without blocking. */
static void t_send_buffer_full(void)
{
	struct nats_client *c;
	struct nats_client_stats st;
	static char big[1000];
	int i, r = 0;
	uint64_t t0;

	mock_listen();
	c = client(1000, 5000);
	handshake(c);
	t0 = clock_mono_ns();
	for (i = 0; i < 200000 && r == 0; i++)
		r = nats_client_publish(c, "x", big, 1000);
	CHECK_EQ(r, -ENOBUFS);
	CHECK(clock_mono_ns() - t0 < 2000000000u);
	nats_client_get_stats(c, &st);
	CHECK_EQ(st.pub_dropped, 1);
	CHECK(nats_client_pending(c) > 0);
	nats_client_close(c);
	mock_close();
}

static void t_bad_config(void)
{
	struct nats_client_cfg cfg;
	struct nats_client *c = (struct nats_client *)1;

	memset(&cfg, 0, sizeof cfg);
	cfg.url = "tls://secure:4222";
	CHECK_EQ(nats_client_open(&c, &cfg), -EINVAL);
	CHECK(c == NULL);
	cfg.url = NULL;
	CHECK_EQ(nats_client_open(&c, &cfg), -EINVAL);
}

static const struct unit_case cases[] = {
	UNIT(t_split_lines_ping_msg_pub),
	UNIT(t_no_info_times_out),
	UNIT(t_refused_backoff),
	UNIT(t_request_timeout_reply_503),
	UNIT(t_stale_reconnect_resubscribe),
	UNIT(t_garbage_drops_connection),
	UNIT(t_send_buffer_full),
	UNIT(t_bad_config),
};

UNIT_MAIN(cases)
