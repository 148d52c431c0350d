/* Numeric addresses in text: the IPv4/IPv6, endpoint and prefix forms of Go's net/netip, both ways. */
#include "uapi/address.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

enum {
	IPV4_FIELDS = 4,
	IPV6_FIELDS = 8,
	IPV6_FIELD_DIGITS = 4,
};

int wh_address_parse_decimal(const char *text, size_t len, uint64_t max, uint64_t *value)
{
	uint64_t result = 0;
	bool too_big = false;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned digit;

		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		digit = (unsigned)(text[i] - '0');
		/* Keep reading after an overflow: a later non-digit still makes it -EINVAL. */
		if (result > (max - digit) / 10)
			too_big = true;
		else
			result = result * 10 + digit;
	}
	if (too_big)
		return -ERANGE;
	*value = result;
	return 0;
}

static const char *parse_ipv4(const char *text, size_t len, uint8_t out[4])
{
	unsigned field = 0, value = 0, digits = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c >= '0' && c <= '9') {
			if (digits == 1 && value == 0)
				return "IPv4 field with a leading zero";
			value = value * 10 + (unsigned)(c - '0');
			digits++;
			if (value > 255)
				return "IPv4 field above 255";
		} else if (c == '.') {
			if (digits == 0)
				return "empty IPv4 field";
			if (field == IPV4_FIELDS - 1)
				return "more than four IPv4 fields";
			out[field++] = (uint8_t)value;
			value = digits = 0;
		} else {
			return "unexpected character in an IPv4 address";
		}
	}
	if (digits == 0)
		return len == 0 ? "no address" : "empty IPv4 field";
	if (field != IPV4_FIELDS - 1)
		return "fewer than four IPv4 fields";
	out[field] = (uint8_t)value;
	return NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads colon-separated fields into words; *gap is where "::" stood (has_gap says whether it did). */
static const char *parse_ipv6_fields(const char *text, size_t len, uint16_t words[IPV6_FIELDS],
				     size_t *count, size_t *gap, bool *has_gap)
{
	size_t i = 0;

	if (len == 0)
		return "no address";
	if (len >= 2 && text[0] == ':' && text[1] == ':') {
		*has_gap = true;
		*gap = 0;
		i = 2;
		if (i == len)
			return NULL;
	}
	for (;;) {
		size_t start = i;
		unsigned value = 0;

		for (; i < len && hex_value(text[i]) >= 0; i++) {
			if (i - start == IPV6_FIELD_DIGITS)
				return "IPv6 field of more than four hex digits";
			value = value << 4 | (unsigned)hex_value(text[i]);
		}
		if (i < len && text[i] == '.') {
			uint8_t tail[4];
			const char *problem;

			if (*count > IPV6_FIELDS - 2 || (!*has_gap && *count != IPV6_FIELDS - 2))
				return "embedded IPv4 address not in the last two IPv6 fields";
			problem = parse_ipv4(text + start, len - start, tail);
			if (problem)
				return problem;
			words[(*count)++] = (uint16_t)(tail[0] << 8 | tail[1]);
			words[(*count)++] = (uint16_t)(tail[2] << 8 | tail[3]);
			return NULL;
		}
		if (i == start)
			return "empty IPv6 field";
		words[(*count)++] = (uint16_t)value;
		if (i == len)
			return NULL;
		if (*count == IPV6_FIELDS)
			return "characters after eight IPv6 fields";
		if (text[i] != ':')
			return "unexpected character in an IPv6 address";
		if (++i == len)
			return "IPv6 address ending in a single colon";
		if (text[i] == ':') {
			if (*has_gap)
				return "more than one \"::\" in an IPv6 address";
			*has_gap = true;
			*gap = *count;
			if (++i == len)
				return NULL;
		}
	}
}

static const char *parse_ipv6(const char *text, size_t len, uint8_t out[16])
{
	uint16_t words[IPV6_FIELDS] = {0}, expanded[IPV6_FIELDS] = {0};
	size_t count = 0, gap = 0;
	bool has_gap = false;
	const char *problem = parse_ipv6_fields(text, len, words, &count, &gap, &has_gap);

	if (problem)
		return problem;
	if (!has_gap && count < IPV6_FIELDS)
		return "fewer than eight IPv6 fields and no \"::\"";
	if (has_gap && count == IPV6_FIELDS)
		return "\"::\" standing for no zero field";
	if (has_gap) {
		memcpy(expanded, words, gap * sizeof(words[0]));
		memcpy(expanded + IPV6_FIELDS - (count - gap), words + gap, (count - gap) * sizeof(words[0]));
	} else {
		memcpy(expanded, words, sizeof(words));
	}
	for (size_t i = 0; i < IPV6_FIELDS; i++) {
		out[2 * i] = (uint8_t)(expanded[i] >> 8);
		out[2 * i + 1] = (uint8_t)expanded[i];
	}
	return NULL;
}

static const char *find_byte(const char *text, size_t len, char c)
{
	return memchr(text, c, len);
}

static const char *find_last_byte(const char *text, size_t len, char c)
{
	while (len--)
		if (text[len] == c)
			return text + len;
	return NULL;
}

/* An IPv6 address in brackets' content, with an optional "%index" scope. */
static const char *parse_scoped_ipv6(struct wh_endpoint *endpoint, const char *text, size_t len)
{
	const char *percent = find_byte(text, len, '%');
	size_t address_len = percent ? (size_t)(percent - text) : len;

	if (!find_byte(text, address_len, ':'))
		return "square brackets around an address that is not IPv6";
	if (percent) {
		uint64_t scope;
		size_t scope_len = len - address_len - 1;

		if (scope_len == 0)
			return "empty scope after '%'";
		if (wh_address_parse_decimal(percent + 1, scope_len, UINT32_MAX, &scope) != 0)
			return "scope that is not an interface index";
		endpoint->scope_id = (uint32_t)scope;
	}
	endpoint->family = AF_INET6;
	return parse_ipv6(text, address_len, endpoint->addr);
}

const char *wh_address_parse_endpoint(struct wh_endpoint *endpoint, const char *text, size_t len)
{
	const char *colon = find_last_byte(text, len, ':');
	size_t host_len, port_len;
	uint64_t port;

	memset(endpoint, 0, sizeof(*endpoint));
	if (!colon)
		return "no ':port'";
	host_len = (size_t)(colon - text);
	port_len = len - host_len - 1;
	/* In the order of Go's splitAddrPort and ParseAddrPort. */
	if (host_len == 0)
		return "no address before ':port'";
	if (port_len == 0)
		return "no port after ':'";
	if (text[0] == '[' && (host_len < 2 || text[host_len - 1] != ']'))
		return "'[' without its ']'";
	if (wh_address_parse_decimal(colon + 1, port_len, UINT16_MAX, &port) != 0)
		return "port that is not a number from 0 to 65535";
	endpoint->port = (uint16_t)port;
	if (text[0] == '[')
		return parse_scoped_ipv6(endpoint, text + 1, host_len - 2);
	if (find_byte(text, host_len, ':'))
		return "IPv6 address without square brackets";
	endpoint->family = AF_INET;
	return parse_ipv4(text, host_len, endpoint->addr);
}

const char *wh_address_parse_prefix(uint16_t *family, uint8_t ip[16], uint8_t *cidr, const char *text,
				    size_t len)
{
	const char *slash = find_last_byte(text, len, '/');
	const char *problem;
	size_t address_len, bits_len;
	uint64_t bits, max_bits;

	memset(ip, 0, 16);
	if (!slash)
		return "no '/cidr'";
	address_len = (size_t)(slash - text);
	bits_len = len - address_len - 1;
	if (find_byte(text, address_len, '%'))
		return "scope in a prefix";
	if (find_byte(text, address_len, ':')) {
		*family = AF_INET6;
		max_bits = 128;
		problem = parse_ipv6(text, address_len, ip);
	} else {
		*family = AF_INET;
		max_bits = 32;
		problem = parse_ipv4(text, address_len, ip);
	}
	if (problem)
		return problem;
	/* netip.ParsePrefix refuses what strconv.Atoi would take beyond plain digits: "+8", "08". */
	if (bits_len > 1 && (slash[1] < '1' || slash[1] > '9'))
		return "cidr with a sign or a leading zero";
	switch (wh_address_parse_decimal(slash + 1, bits_len, max_bits, &bits)) {
	case 0:
		break;
	case -ERANGE:
		return max_bits == 32 ? "cidr above 32 for IPv4" : "cidr above 128 for IPv6";
	default:
		return "cidr that is not a number";
	}
	*cidr = (uint8_t)bits;
	return NULL;
}

void wh_address_mask(uint16_t family, uint8_t ip[16], uint8_t cidr)
{
	unsigned bytes = family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned first_bit = i * 8;

		if (first_bit >= cidr)
			ip[i] = 0;
		else if (first_bit + 8 > cidr)
			ip[i] &= (uint8_t)(0xff << (first_bit + 8 - cidr));
	}
}

/* Appends to out (WH_ADDRESS_TEXT_SIZE bytes) at *pos; every caller's text fits by construction. */
__attribute__((format(printf, 3, 4))) static void append(char *out, size_t *pos, const char *format, ...)
{
	va_list args;
	int written;

	va_start(args, format);
	written = vsnprintf(out + *pos, WH_ADDRESS_TEXT_SIZE - *pos, format, args);
	va_end(args);
	if (written > 0)
		*pos += (size_t)written;
}

static void append_ipv4(char *out, size_t *pos, const uint8_t ip[4])
{
	append(out, pos, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

static bool is_ipv4_mapped(const uint8_t ip[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(ip, prefix, sizeof(prefix)) == 0;
}

static void append_ipv6(char *out, size_t *pos, const uint8_t ip[16])
{
	uint16_t words[IPV6_FIELDS];
	size_t run_start = IPV6_FIELDS, run_len = 0;

	if (is_ipv4_mapped(ip)) {
		append(out, pos, "::ffff:");
		append_ipv4(out, pos, ip + 12);
		return;
	}
	for (size_t i = 0; i < IPV6_FIELDS; i++)
		words[i] = (uint16_t)(ip[2 * i] << 8 | ip[2 * i + 1]);
	/* RFC 5952: the first of the longest runs of at least two zero fields becomes "::". */
	for (size_t i = 0; i < IPV6_FIELDS; i++) {
		size_t j = i;

		while (j < IPV6_FIELDS && words[j] == 0)
			j++;
		if (j - i >= 2 && j - i > run_len) {
			run_start = i;
			run_len = j - i;
		}
	}
	for (size_t i = 0; i < IPV6_FIELDS; i++) {
		if (i == run_start) {
			append(out, pos, "::");
			i += run_len - 1;
			continue;
		}
		if (i > 0 && i != run_start + run_len)
			append(out, pos, ":");
		append(out, pos, "%x", words[i]);
	}
}

size_t wh_address_format_endpoint(char out[WH_ADDRESS_TEXT_SIZE], const struct wh_endpoint *endpoint)
{
	size_t pos = 0;

	out[0] = '\0';
	if (endpoint->family == AF_INET) {
		append_ipv4(out, &pos, endpoint->addr);
	} else if (endpoint->family == AF_INET6) {
		append(out, &pos, "[");
		append_ipv6(out, &pos, endpoint->addr);
		if (endpoint->scope_id)
			append(out, &pos, "%%%u", (unsigned)endpoint->scope_id);
		append(out, &pos, "]");
	} else {
		return 0;
	}
	append(out, &pos, ":%u", (unsigned)endpoint->port);
	return pos;
}

size_t wh_address_format_prefix(char out[WH_ADDRESS_TEXT_SIZE], uint16_t family, const uint8_t *ip, uint8_t cidr)
{
	size_t pos = 0;

	out[0] = '\0';
	if (family == AF_INET)
		append_ipv4(out, &pos, ip);
	else if (family == AF_INET6)
		append_ipv6(out, &pos, ip);
	else
		return 0;
	append(out, &pos, "/%u", (unsigned)cidr);
	return pos;
}
