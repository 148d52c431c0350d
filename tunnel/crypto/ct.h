/* Constant-time helpers for comparing secrets and MACs. */
#ifndef WH_CRYPTO_CT_H
#define WH_CRYPTO_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <sodium.h>

/* True when a and b hold the same len bytes; time depends only on len. */
static inline bool wh_ct_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

/* True when all len bytes are zero; time depends only on len. */
static inline bool wh_ct_is_zero(const void *a, size_t len)
{
	return sodium_is_zero(a, len) == 1;
}

#endif
