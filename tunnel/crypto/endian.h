/* Loads and stores on byte arrays: little-endian for the wire format and the hash and cipher inputs,
 * big-endian (network order) for the IP and TCP headers the offloads rewrite. */
#ifndef WH_CRYPTO_ENDIAN_H
#define WH_CRYPTO_ENDIAN_H

#include <stdint.h>

static inline uint32_t wh_get_le32(const uint8_t p[4])
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wh_put_le32(uint8_t p[4], uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t wh_get_le64(const uint8_t p[8])
{
	return (uint64_t)wh_get_le32(p) | (uint64_t)wh_get_le32(p + 4) << 32;
}

static inline void wh_put_le64(uint8_t p[8], uint64_t v)
{
	wh_put_le32(p, (uint32_t)v);
	wh_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t wh_get_be16(const uint8_t p[2])
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wh_put_be16(uint8_t p[2], uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t wh_get_be32(const uint8_t p[4])
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void wh_put_be32(uint8_t p[4], uint32_t v)
{
	wh_put_be16(p, (uint16_t)(v >> 16));
	wh_put_be16(p + 2, (uint16_t)v);
}

#endif
