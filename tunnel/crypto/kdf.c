/* The whitepaper's KDF_n: HKDF (RFC 5869) over HMAC-BLAKE2s, expanding into up to three keys. */
#include "crypto/kdf.h"

#include <sodium.h>
#include <string.h>

#include "crypto/blake2s.h"

enum { KDF_MAX_OUTPUTS = 3 };

void wh_kdf(uint8_t *first, uint8_t *second, uint8_t *third, const uint8_t *data, size_t data_len,
	    const uint8_t chaining_key[WH_KDF_OUTPUT_SIZE])
{
	uint8_t *dst[KDF_MAX_OUTPUTS] = { first, second, third };
	uint8_t secret[WH_BLAKE2S_HASH_SIZE];
	/* Each output keeps a spare byte: HKDF-Expand feeds it, with the next counter, into the next one. */
	uint8_t output[KDF_MAX_OUTPUTS][WH_KDF_OUTPUT_SIZE + 1];
	uint8_t counter = 1;
	int count = KDF_MAX_OUTPUTS;
	int i;

	/* Outputs past the last wanted one would be wasted HMACs; a NULL before it is merely skipped. */
	while (count > 0 && !dst[count - 1])
		count--;
	if (count == 0)
		return;

	wh_blake2s_hmac(secret, data, data_len, chaining_key, WH_KDF_OUTPUT_SIZE);
	wh_blake2s_hmac(output[0], &counter, 1, secret, sizeof(secret));
	for (i = 1; i < count; i++) {
		output[i - 1][WH_KDF_OUTPUT_SIZE] = ++counter;
		wh_blake2s_hmac(output[i], output[i - 1], WH_KDF_OUTPUT_SIZE + 1, secret, sizeof(secret));
	}

	/* Written only now, since an output may be chaining_key itself. */
	for (i = 0; i < count; i++) {
		if (dst[i])
			memcpy(dst[i], output[i], WH_KDF_OUTPUT_SIZE);
	}

	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(output, sizeof(output));
}
