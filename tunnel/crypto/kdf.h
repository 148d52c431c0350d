/* The whitepaper's KDF1/KDF2/KDF3: HKDF (RFC 5869) with HMAC-BLAKE2s, 32-byte outputs. */
#ifndef WH_CRYPTO_KDF_H
#define WH_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

enum { WH_KDF_OUTPUT_SIZE = 32 };

/* Extracts from chaining_key and data, then expands into up to three 32-byte outputs; a NULL output
 * (from the last non-NULL one on) is not produced. Outputs may alias chaining_key. */
void wh_kdf(uint8_t *first, uint8_t *second, uint8_t *third, const uint8_t *data, size_t data_len,
	    const uint8_t chaining_key[WH_KDF_OUTPUT_SIZE]);

static inline void wh_kdf1(uint8_t t1[32], const uint8_t ck[32], const uint8_t *data, size_t len)
{
	wh_kdf(t1, NULL, NULL, data, len, ck);
}

static inline void wh_kdf2(uint8_t t1[32], uint8_t t2[32], const uint8_t ck[32], const uint8_t *data, size_t len)
{
	wh_kdf(t1, t2, NULL, data, len, ck);
}

static inline void wh_kdf3(uint8_t t1[32], uint8_t t2[32], uint8_t t3[32], const uint8_t ck[32],
			   const uint8_t *data, size_t len)
{
	wh_kdf(t1, t2, t3, data, len, ck);
}

#endif
