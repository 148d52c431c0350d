/* Curve25519 Diffie-Hellman through libsodium, refusing the all-zero shared secret. */
#include "crypto/x25519.h"

#include <sodium.h>

void wh_x25519_clamp(uint8_t key[WH_X25519_KEY_SIZE])
{
	key[0] &= 248;
	key[31] = (uint8_t)((key[31] & 127) | 64);
}

bool wh_x25519_public(uint8_t public_key[WH_X25519_KEY_SIZE], const uint8_t private_key[WH_X25519_KEY_SIZE])
{
	if (sodium_is_zero(private_key, WH_X25519_KEY_SIZE))
		return false;
	return crypto_scalarmult_curve25519_base(public_key, private_key) == 0;
}

bool wh_x25519(uint8_t out[WH_X25519_KEY_SIZE], const uint8_t private_key[WH_X25519_KEY_SIZE],
	       const uint8_t public_key[WH_X25519_KEY_SIZE])
{
	/* libsodium returns -1 when the result is all zeros (a low-order public key). */
	if (crypto_scalarmult_curve25519(out, private_key, public_key) != 0) {
		sodium_memzero(out, WH_X25519_KEY_SIZE);
		return false;
	}
	return true;
}
