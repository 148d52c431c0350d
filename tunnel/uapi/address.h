/* Numeric IP addresses, endpoints and prefixes in the text forms wireguard-go reads and writes. */
#ifndef WH_UAPI_ADDRESS_H
#define WH_UAPI_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

#include "wirehop/tunnel.h"

enum {
	/* Room for any endpoint or prefix this module writes, with its NUL:
	 * "[" 39 hex-and-colons "%" 10 digits "]:" 5 digits. */
	WH_ADDRESS_TEXT_SIZE = 64,
};

/* The parsers read exactly len bytes (no NUL needed) and follow Go's net/netip, which wireguard-go
 * uses: IPv4 as four decimal fields without leading zeros; IPv6 with at most one "::", fields of at
 * most four hex digits in either case and an optional dotted IPv4 tail. Each returns NULL on success
 * or a short static description of what is wrong. */

/* A decimal number as strconv.ParseUint(text, 10, bits) reads it: one or more digits and nothing else
 * (no sign, no space; leading zeros allowed). Returns 0 with *value set, -EINVAL when it is not
 * such a number, -ERANGE when it is above max. */
int wh_address_parse_decimal(const char *text, size_t len, uint64_t max, uint64_t *value);

/* "a.b.c.d:port" or "[ipv6]:port" or "[ipv6%scope]:port": the port in decimal (leading zeros allowed,
 * 0 included, as strconv.ParseUint takes it), the scope a decimal interface index. Unlike Go, an
 * interface name as scope is refused: resolving it is the caller's business. */
const char *wh_address_parse_endpoint(struct wh_endpoint *endpoint, const char *text, size_t len);

/* "address/cidr" with cidr in decimal without a sign or leading zeros, at most 32 or 128; no scope.
 * Host bits are kept: ip holds the address as written. */
const char *wh_address_parse_prefix(uint16_t *family, uint8_t ip[16], uint8_t *cidr, const char *text,
				    size_t len);

/* Clears the bits of ip after the first cidr (ip is 4 or 16 bytes long, as family says). */
void wh_address_mask(uint16_t family, uint8_t ip[16], uint8_t cidr);

/* Write what Go's AddrPort.String() and Prefix.String() write (RFC 5952 for IPv6: lower case, the
 * first longest run of two or more zero fields as "::", IPv4-mapped addresses as ::ffff:a.b.c.d) and
 * a scope as "%index". Return the length, without the NUL, or 0 for a family that is neither. */
size_t wh_address_format_endpoint(char out[WH_ADDRESS_TEXT_SIZE], const struct wh_endpoint *endpoint);
size_t wh_address_format_prefix(char out[WH_ADDRESS_TEXT_SIZE], uint16_t family, const uint8_t *ip,
				uint8_t cidr);

#endif
