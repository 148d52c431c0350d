/* ChaCha20-Poly1305 with WireGuard's counter nonce, and XChaCha20-Poly1305 for cookies, through libsodium. */
#include "crypto/aead.h"

#include <sodium.h>
#include <string.h>

/* For the little-endian store helper only. */
#include "crypto/endian.h"

_Static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == WH_AEAD_TAG_SIZE, "tag size");
_Static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == WH_AEAD_KEY_SIZE, "key size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == WH_XAEAD_NONCE_SIZE, "xnonce size");

/* Whitepaper section 5.4.6: 32 zero bits, then the 64-bit counter in little-endian. */
static void aead_nonce(uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES], uint64_t counter)
{
	memset(nonce, 0, 4);
	wh_put_le64(nonce + 4, counter);
}

void wh_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		     uint64_t counter, const uint8_t key[WH_AEAD_KEY_SIZE])
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

	aead_nonce(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, src_len, ad, ad_len, NULL, nonce, key);
}

bool wh_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		     uint64_t counter, const uint8_t key[WH_AEAD_KEY_SIZE])
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

	if (src_len < WH_AEAD_TAG_SIZE)
		return false;
	aead_nonce(nonce, counter);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, src_len, ad, ad_len, nonce, key) != 0) {
		/* libsodium clears it too, but the header promises it whatever the library version. */
		sodium_memzero(dst, src_len - WH_AEAD_TAG_SIZE);
		return false;
	}
	return true;
}

void wh_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WH_XAEAD_NONCE_SIZE], const uint8_t key[WH_AEAD_KEY_SIZE])
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, src_len, ad, ad_len, NULL, nonce, key);
}

bool wh_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len, const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WH_XAEAD_NONCE_SIZE], const uint8_t key[WH_AEAD_KEY_SIZE])
{
	if (src_len < WH_AEAD_TAG_SIZE)
		return false;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, src_len, ad, ad_len, nonce, key) != 0) {
		sodium_memzero(dst, src_len - WH_AEAD_TAG_SIZE);
		return false;
	}
	return true;
}
