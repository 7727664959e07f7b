/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake_cuda.c - TEST DOUBLE of libcuda.so.1.  Not a driver, never shipped.
 *
 * Built as $(objtree)/fake/libcuda.so.1 for the NVENC tests (docs/nvenc.md).
 * It checks OUR calling contract (src/codec/enc_nvenc.c), not hardware:
 * only the entry points the loader resolves exist.  cuInit starts and
 * joins a thread, as the real driver does, so a build that cannot host
 * a threaded dlopen'ed library (docs/toolchain.md §3.1) fails here too.
 *
 * FAKE_CUDA_MODE=ok (default) | init_fail (cuInit -> 100, no device).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;

enum { CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_VALUE = 1,
       CUDA_ERROR_NOT_INITIALIZED = 3, CUDA_ERROR_NO_DEVICE = 100,
       CUDA_ERROR_INVALID_DEVICE = 101 };

static int initialised;

static void *driver_thread(void *arg)
{
	return arg;
}

static int mode_is(const char *m)
{
	const char *v = getenv("FAKE_CUDA_MODE");

	return v && !strcmp(v, m);
}

CUresult cuInit(unsigned flags)
{
	pthread_t t;

	if (flags != 0)
		return CUDA_ERROR_INVALID_VALUE;
	if (mode_is("init_fail"))
		return CUDA_ERROR_NO_DEVICE;
	if (pthread_create(&t, NULL, driver_thread, NULL) || pthread_join(t, NULL))
		return CUDA_ERROR_NOT_INITIALIZED;
	initialised = 1;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *n)
{
	if (!initialised)
		return CUDA_ERROR_NOT_INITIALIZED;
	*n = 1;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *dev, int ordinal)
{
	if (!initialised)
		return CUDA_ERROR_NOT_INITIALIZED;
	if (ordinal != 0)
		return CUDA_ERROR_INVALID_DEVICE;
	*dev = ordinal;
	return CUDA_SUCCESS;
}

CUresult cuCtxCreate_v2(CUcontext *ctx, unsigned flags, CUdevice dev)
{
	if (!initialised)
		return CUDA_ERROR_NOT_INITIALIZED;
	if (dev != 0)
		return CUDA_ERROR_INVALID_DEVICE;
	*ctx = malloc(16);          /* a dummy the fake NVENC only checks for NULL */
	return *ctx ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuCtxDestroy_v2(CUcontext ctx)
{
	if (!ctx)
		return CUDA_ERROR_INVALID_VALUE;
	free(ctx);
	return CUDA_SUCCESS;
}

CUresult cuCtxPushCurrent_v2(CUcontext ctx)
{
	return ctx ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuCtxPopCurrent_v2(CUcontext *ctx)
{
	if (ctx)
		*ctx = NULL;
	return CUDA_SUCCESS;
}
