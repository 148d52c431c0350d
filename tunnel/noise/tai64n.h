/* TAI64N timestamps for handshake initiations: replay protection by "greater than the last one seen". */
#ifndef WH_NOISE_TAI64N_H
#define WH_NOISE_TAI64N_H

#include <stdbool.h>
#include <stdint.h>

enum { WH_TAI64N_LEN = 12 };

/* Encodes realtime (ns since the Unix epoch) as TAI64N: big-endian 2^62 + 10 + seconds, then big-endian
 * nanoseconds rounded down to a multiple of 2^24 ns so the timestamp does not leak precise timing. */
void wh_tai64n_encode(uint8_t out[WH_TAI64N_LEN], uint64_t realtime_ns);

/* True when candidate is strictly later than last (both big-endian, so byte order is time order). */
bool wh_tai64n_is_after(const uint8_t candidate[WH_TAI64N_LEN], const uint8_t last[WH_TAI64N_LEN]);

#endif
