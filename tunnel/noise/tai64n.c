/* TAI64N timestamps for handshake initiations. */
#include "noise/tai64n.h"

#include <string.h>

#define TAI64_EPOCH_OFFSET UINT64_C(0x400000000000000a)
#define NSEC_WHITENER_MASK UINT32_C(0x00ffffff)

static void put_be(uint8_t *out, uint64_t value, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		out[i] = (uint8_t)value;
		value >>= 8;
	}
}

void wh_tai64n_encode(uint8_t out[WH_TAI64N_LEN], uint64_t realtime_ns)
{
	uint64_t seconds = realtime_ns / UINT64_C(1000000000);
	uint32_t nanoseconds = (uint32_t)(realtime_ns % UINT64_C(1000000000)) & ~NSEC_WHITENER_MASK;

	put_be(out, TAI64_EPOCH_OFFSET + seconds, 8);
	put_be(out + 8, nanoseconds, 4);
}

bool wh_tai64n_is_after(const uint8_t candidate[WH_TAI64N_LEN], const uint8_t last[WH_TAI64N_LEN])
{
	/* Timestamps are not secret: a plain comparison is fine. */
	return memcmp(candidate, last, WH_TAI64N_LEN) > 0;
}
