/* Curve25519 Diffie-Hellman through libsodium, refusing the all-zero shared secret. */
#ifndef WH_CRYPTO_X25519_H
#define WH_CRYPTO_X25519_H

#include <stdbool.h>
#include <stdint.h>

enum { WH_X25519_KEY_SIZE = 32 };

/* Clamps a random 32-byte string into a valid private key (RFC 7748). */
void wh_x25519_clamp(uint8_t key[WH_X25519_KEY_SIZE]);

/* Derives the public key; false if the private key is all zeros. */
bool wh_x25519_public(uint8_t public_key[WH_X25519_KEY_SIZE], const uint8_t private_key[WH_X25519_KEY_SIZE]);

/* Computes DH(private, public); false, with out wiped, when the result is all zeros (a low-order point). */
bool wh_x25519(uint8_t out[WH_X25519_KEY_SIZE], const uint8_t private_key[WH_X25519_KEY_SIZE],
	       const uint8_t public_key[WH_X25519_KEY_SIZE]);

#endif
