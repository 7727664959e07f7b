/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_zsub.c - the in-tree subscriber (src/ipc/zsub.c) against real
 * publishers: libzmq PUBs (ZMTP 3.1, and forced down to 3.0 by our own
 * greeting) over ipc:// and tcp://, a publisher that appears late, a
 * publisher restart (reconnect), multipart and long messages, and a
 * hand-written raw-socket PUB that speaks ZMTP 3.0 only, or 3.1 with PING.
 * Built in every config: the streamer may use either subscriber. */
#include "unit.h"
#include "ipc/ingest.h"
#include "ipc/zmtp.h"
#include "ipc/zsub.h"
#include "util/clock.h"

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

static char ep[128];
static void *zctx;

static void *pub_new(const char *endpoint)
{
	int zero = 0;
	void *p = zmq_socket(zctx, ZMQ_PUB);

	CHECK(p);
	zmq_setsockopt(p, ZMQ_LINGER, &zero, sizeof zero);
	CHECK_EQ(zmq_bind(p, endpoint), 0);
	return p;
}

/* Publish msg every 20 ms (slow joiner) until z receives a frame or 3 s
 * pass; returns the size received, the bytes in buf. */
static int recv_from(struct zsub *z, void *pub, const void *msg, size_t len, void *buf, size_t cap)
{
	uint64_t end = clock_mono_ns() + 3000000000ull;
	int n;

	while (clock_mono_ns() < end) {
		if (pub)
			zmq_send(pub, msg, len, ZMQ_DONTWAIT);
		if (zsub_zmtp_ops.wait(z, 20) > 0 && (n = zsub_zmtp_ops.recv(z, buf, cap)) >= 0)
			return n;
	}
	return -ETIMEDOUT;
}

static void drain(struct zsub *z)
{
	uint8_t b[64];

	while (zsub_zmtp_ops.wait(z, 50) > 0)
		while (zsub_zmtp_ops.recv(z, b, sizeof b) >= 0)
			;
}

static void setup(void)
{
	snprintf(ep, sizeof ep, "ipc:///tmp/cvmmap_test_zsub_%d", (int)getpid());
	unlink(ep + 6);
	zctx = zmq_ctx_new();
	CHECK(zctx);
}

static void teardown(void)
{
	zctx_term(zctx);
	unlink(ep + 6);
}

static void libzmq_case(const char *endpoint, unsigned minor, int subcmd)
{
	uint8_t sync[48], buf[64];
	struct zsub *z;
	void *pub;
	char last[128];
	size_t ll = sizeof last;

	setup();
	pub = pub_new(endpoint ? endpoint : ep);
	zmq_getsockopt(pub, ZMQ_LAST_ENDPOINT, last, &ll);   /* tcp://127.0.0.1:* */
	memset(sync, 0, sizeof sync);
	sync[0] = 0x7D;
	memcpy(sync + 24, "cam", 3);
	CHECK_EQ(zsub_zmtp_open(&z, last, minor, subcmd), 0);
	CHECK_EQ(recv_from(z, pub, sync, sizeof sync, buf, sizeof buf), 48);
	CHECK_MEM(buf, sync, 48);
	CHECK_EQ(zsub_zmtp_connects(z), 1);
	CHECK(zsub_zmtp_fd(z) >= 0);
	zsub_zmtp_ops.close(z);
	zmq_close(pub);
	teardown();
}

static void t_libzmq_ipc_31(void) { libzmq_case(NULL, 1, 0); }
static void t_libzmq_ipc_30(void) { libzmq_case(NULL, 0, 0); }
static void t_libzmq_ipc_31_subcmd(void) { libzmq_case(NULL, 1, 1); }
static void t_libzmq_tcp_31(void) { libzmq_case("tcp://127.0.0.1:*", 1, 0); }
static void t_libzmq_tcp_30(void) { libzmq_case("tcp://127.0.0.1:*", 0, 0); }

/* Connect first, bind later; then the publisher restarts: reconnect. */
static void t_late_and_restart(void)
{
	uint8_t buf[64];
	struct zsub *z;
	void *pub;

	setup();
	CHECK_EQ(zsub_zmtp_ops.open(&z, ep), 0);
	CHECK_EQ(zsub_zmtp_ops.wait(z, 150), 0);      /* nobody there: a timeout */
	CHECK_EQ(zsub_zmtp_ops.recv(z, buf, sizeof buf), -EAGAIN);
	CHECK_EQ(zsub_zmtp_fd(z), -1);
	pub = pub_new(ep);
	CHECK_EQ(recv_from(z, pub, "\x7d" "first", 6, buf, sizeof buf), 6);
	zmq_close(pub);
	unlink(ep + 6);
	CHECK_EQ(zsub_zmtp_ops.wait(z, 200), 0);      /* EOF seen, reconnecting */
	pub = pub_new(ep);
	drain(z);
	CHECK_EQ(recv_from(z, pub, "\x7d" "again", 6, buf, sizeof buf), 6);
	CHECK_MEM(buf, "\x7d" "again", 6);
	CHECK_EQ(zsub_zmtp_connects(z), 2);
	zsub_zmtp_ops.close(z);
	zmq_close(pub);
	teardown();
}

/* Multipart: one frame per recv, as zmq_recv; long: the real size. */
static void t_multipart_and_long(void)
{
	uint8_t buf[64], big[1000];
	struct zsub *z;
	void *pub;
	uint64_t end;
	int n, got2 = 0;

	setup();
	pub = pub_new(ep);
	CHECK_EQ(zsub_zmtp_ops.open(&z, ep), 0);
	CHECK(recv_from(z, pub, "x", 1, buf, sizeof buf) == 1);
	memset(big, 0x42, sizeof big);
	zmq_send(pub, "ab", 2, ZMQ_SNDMORE);
	zmq_send(pub, "cde", 3, 0);
	zmq_send(pub, big, sizeof big, 0);
	end = clock_mono_ns() + 2000000000ull;
	/* skip any "x" still queued */
	while (clock_mono_ns() < end) {
		if (zsub_zmtp_ops.wait(z, 20) <= 0)
			continue;
		n = zsub_zmtp_ops.recv(z, buf, sizeof buf);
		if (n == 1)
			continue;
		CHECK_EQ(n, 2);
		CHECK_MEM(buf, "ab", 2);
		CHECK_EQ(zsub_zmtp_ops.recv(z, buf, sizeof buf), 3);
		CHECK_MEM(buf, "cde", 3);
		while ((n = zsub_zmtp_ops.recv(z, buf, sizeof buf)) == -EAGAIN)
			zsub_zmtp_ops.wait(z, 20);
		CHECK_EQ(n, 1000);
		CHECK_EQ(buf[63], 0x42);
		got2 = 1;
		break;
	}
	CHECK(got2);
	zsub_zmtp_ops.close(z);
	zmq_close(pub);
	teardown();
}

static void t_bad_endpoint(void)
{
	struct zsub *z = (struct zsub *)1;

	CHECK_EQ(zsub_zmtp_ops.open(&z, "inproc://x"), -EINVAL);
	CHECK(z == NULL);
	CHECK_EQ(zsub_zmtp_ops.open(&z, "tcp://nohost"), -EINVAL);
	zsub_zmtp_ops.close(NULL);
}

/* ---------------------------------------------------- raw ZMTP peer */
struct raw {
	int lfd;
	unsigned minor;
	int ok;                 /* what the peer saw was right */
	uint8_t got[256];
	size_t got_n;
};

static int read_n(int fd, uint8_t *b, size_t n)
{
	size_t off = 0;
	ssize_t r;

	while (off < n) {
		r = read(fd, b + off, n - off);
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* Accept one subscriber, speak ZMTP 3.minor as a PUB, check its greeting,
 * READY and SUBSCRIBE; 3.1: PING it and expect the PONG; then send one
 * message split over three writes. */
static void *raw_pub(void *arg)
{
	struct raw *r = arg;
	uint8_t out[256], in[128], want[64];
	size_t n;
	int fd = accept(r->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	zmtp_greeting_build(out, r->minor);
	n = ZMTP_GREETING_SIZE + zmtp_ready_build(out + 64, sizeof out - 64, "PUB");
	if (write(fd, out, n) != (ssize_t)n)
		goto out;
	/* greeting (64) + READY SUB (27) + SUBSCRIBE "" as a message (3) */
	if (read_n(fd, in, 64 + 27 + 3))
		goto out;
	r->ok = in[0] == 0xFF && in[10] == 3 && !memcmp(in + 12, "NULL", 4) &&
		in[64] == 0x04 && !memcmp(in + 67, "READY", 5) &&
		!memcmp(in + 64 + 27, "\x00\x01\x01", 3);
	if (r->minor >= 1) {
		static const uint8_t ping[] = { 0x04, 0x09, 0x04, 'P', 'I', 'N', 'G', 0, 5, 'h', 'i' };
		n = (size_t)unit_hex("04 07 04 50 4f 4e 47 68 69", want, sizeof want);
		if (write(fd, ping, sizeof ping) != sizeof ping || read_n(fd, in, n))
			goto out;
		r->ok = r->ok && !memcmp(in, want, n);
	}
	n = zmtp_frame_build(out, sizeof out, 0, "\x7dhello", 6);
	if (write(fd, out, 1) != 1)
		goto out;
	usleep(20000);
	if (write(fd, out + 1, 3) != 3)
		goto out;
	usleep(20000);
	if (write(fd, out + 4, n - 4) != (ssize_t)(n - 4))
		goto out;
	read(fd, in, 1);   /* until the subscriber closes */
out:
	close(fd);
	return NULL;
}

static void raw_case(unsigned minor)
{
	struct sockaddr_un sa;
	struct raw r;
	struct zsub *z;
	pthread_t th;
	uint8_t buf[64];
	int n = -1;
	uint64_t end;

	snprintf(ep, sizeof ep, "ipc:///tmp/cvmmap_test_zsub_raw_%d", (int)getpid());
	unlink(ep + 6);
	memset(&r, 0, sizeof r);
	r.minor = minor;
	r.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "/tmp/cvmmap_test_zsub_raw_%d", (int)getpid());
	CHECK_EQ(bind(r.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	CHECK_EQ(listen(r.lfd, 1), 0);
	CHECK_EQ(pthread_create(&th, NULL, raw_pub, &r), 0);
	CHECK_EQ(zsub_zmtp_ops.open(&z, ep), 0);
	end = clock_mono_ns() + 3000000000ull;
	while (n < 0 && clock_mono_ns() < end)
		if (zsub_zmtp_ops.wait(z, 50) > 0)
			n = zsub_zmtp_ops.recv(z, buf, sizeof buf);
	zsub_zmtp_ops.close(z);
	pthread_join(th, NULL);
	close(r.lfd);
	unlink(ep + 6);
	CHECK_EQ(n, 6);
	CHECK_MEM(buf, "\x7dhello", 6);
	CHECK(r.ok);
}

static void t_raw_pub_30(void) { raw_case(0); }
static void t_raw_pub_31_ping(void) { raw_case(1); }

static const struct unit_case cases[] = {
	UNIT(t_libzmq_ipc_31), UNIT(t_libzmq_ipc_30), UNIT(t_libzmq_ipc_31_subcmd),
	UNIT(t_libzmq_tcp_31), UNIT(t_libzmq_tcp_30), UNIT(t_late_and_restart),
	UNIT(t_multipart_and_long), UNIT(t_bad_endpoint), UNIT(t_raw_pub_30),
	UNIT(t_raw_pub_31_ping),
};
UNIT_MAIN(cases)
