/* AEADs WireGuard uses: ChaCha20-Poly1305 (IETF, 64-bit counter nonce) and XChaCha20-Poly1305 (cookies). */
#ifndef WH_CRYPTO_AEAD_H
#define WH_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wh_aead_lengths {
	WH_AEAD_KEY_SIZE = 32,
	WH_AEAD_TAG_SIZE = 16,
	WH_XAEAD_NONCE_SIZE = 24,
};

/* Encrypts src_len bytes to dst (src_len + 16 bytes, tag last). The 96-bit nonce is 32 zero bits then
 * the little-endian counter, as WireGuard lays it out. dst may equal src: encryption in place. */
void wh_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		     uint64_t counter, const uint8_t key[WH_AEAD_KEY_SIZE]);

/* Decrypts src_len bytes (ciphertext and tag) to dst (src_len - 16 bytes); false, with dst wiped, when
 * the tag does not verify or src_len < 16. dst may equal src. */
bool wh_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		     uint64_t counter, const uint8_t key[WH_AEAD_KEY_SIZE]);

/* The same with XChaCha20-Poly1305 and a 24-byte random nonce. */
void wh_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WH_XAEAD_NONCE_SIZE], const uint8_t key[WH_AEAD_KEY_SIZE]);
bool wh_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WH_XAEAD_NONCE_SIZE], const uint8_t key[WH_AEAD_KEY_SIZE]);

#endif
