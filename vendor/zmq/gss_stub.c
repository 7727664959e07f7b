/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gss_stub.c - failing stand-ins for the GSSAPI calls inside libzmq.a.
 *
 * Debian builds libzmq with its GSSAPI security mechanism, so libzmq.a
 * references 11 gss_* functions and two GSS_C_NT_* name-type objects from
 * MIT Kerberos, but Debian ships libgssapi_krb5 only as a shared library.
 * A static link therefore cannot resolve them.  That code runs only when a
 * socket sets ZMQ_GSSAPI_* options, which this project never does, so each
 * stub just reports GSS_S_FAILURE.  See vendor/README.md.
 */
#include <stddef.h>

typedef unsigned int gss_stub_uint32;
typedef gss_stub_uint32 (*gss_stub_fn)(gss_stub_uint32 *minor, ...);

#define GSS_STUB_FAILURE (13u << 16) /* GSS_S_FAILURE, RFC 2744 3.9.1 */
#define GSS_STUB(fn)                                           \
	gss_stub_uint32 fn(gss_stub_uint32 *minor, ...);       \
	gss_stub_uint32 fn(gss_stub_uint32 *minor, ...)        \
	{                                                      \
		if (minor)                                     \
			*minor = 0;                            \
		return GSS_STUB_FAILURE;                       \
	}

GSS_STUB(gss_release_name)
GSS_STUB(gss_release_buffer)
GSS_STUB(gss_delete_sec_context)
GSS_STUB(gss_release_cred)
GSS_STUB(gss_import_name)
GSS_STUB(gss_wrap)
GSS_STUB(gss_unwrap)
GSS_STUB(gss_init_sec_context)
GSS_STUB(gss_display_name)
GSS_STUB(gss_acquire_cred)
GSS_STUB(gss_accept_sec_context)

void *GSS_C_NT_USER_NAME = NULL;
void *GSS_C_NT_HOSTBASED_SERVICE = NULL;
