/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zsub_libzmq.h - libzmq helpers beside zsub_libzmq_ops (zsub.h), for the
 * programs that use libzmq themselves (tools, tests). */
#ifndef CVMMAP_ZSUB_LIBZMQ_H
#define CVMMAP_ZSUB_LIBZMQ_H

/* zmq_ctx_term(), restarted while a signal interrupts it (EINTR): a second
 * SIGTERM (timeout(1) signals the child and its group) must not let the
 * process exit with libzmq's threads still running. */
void zctx_term(void *zctx);

#endif
