/* The get=1/set=1 configuration protocol: request framing, the set parser and the get writer. */
#include "uapi/uapi.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "uapi/address.h"

enum {
	OPERATION_LEN = 6, /* "get=1\n", "set=1\n" */
	KEY_HEX_LEN = 2 * WH_KEY_SIZE,
	/* Bytes of a bad value quoted in a message, and the longest unknown key name echoed. */
	QUOTED_VALUE_MAX = 48,
	ECHOED_KEY_MAX = 32,
};

static const char GET_OPERATION[] = "get=1\n";
static const char SET_OPERATION[] = "set=1\n";

/* ---- Framing ---------------------------------------------------------------------------------- */

/* A line of line_len bytes (without '\n') is blank when it is empty or a lone '\r'. */
static bool is_blank_line(const char *line, size_t line_len)
{
	return line_len == 0 || (line_len == 1 && line[0] == '\r');
}

static int frame_set(const char *buf, size_t len, bool end_of_stream, struct wh_uapi_request *request)
{
	size_t pos = OPERATION_LEN;

	for (;;) {
		const char *newline = memchr(buf + pos, '\n', len - pos);
		size_t line_len = newline ? (size_t)(newline - (buf + pos)) : len - pos;

		if (line_len > WH_UAPI_MAX_LINE)
			return -EIO;
		if (!newline) {
			if (len > WH_UAPI_MAX_REQUEST)
				return -EIO;
			if (!end_of_stream)
				return 0;
			request->body_len = len - OPERATION_LEN;
			request->length = len;
			return 1;
		}
		if ((size_t)(newline - buf) + 1 > WH_UAPI_MAX_REQUEST)
			return -EIO;
		if (is_blank_line(buf + pos, line_len)) {
			request->body_len = pos - OPERATION_LEN;
			request->length = (size_t)(newline - buf) + 1;
			return 1;
		}
		pos = (size_t)(newline - buf) + 1;
	}
}

int wh_uapi_frame(const char *buf, size_t len, bool end_of_stream, struct wh_uapi_request *request)
{
	size_t head = len < OPERATION_LEN ? len : OPERATION_LEN;
	bool get, set;

	memset(request, 0, sizeof(*request));
	if (len == 0)
		return 0;
	get = memcmp(buf, GET_OPERATION, head) == 0;
	set = memcmp(buf, SET_OPERATION, head) == 0;
	if (!get && !set)
		return -EPROTO;
	if (len < OPERATION_LEN)
		return end_of_stream ? -EPROTO : 0;
	if (set) {
		request->operation = WH_UAPI_SET;
		request->body_offset = OPERATION_LEN;
		return frame_set(buf, len, end_of_stream, request);
	}
	request->operation = WH_UAPI_GET;
	if (len == OPERATION_LEN)
		return end_of_stream ? -EPROTO : 0;
	if (buf[OPERATION_LEN] != '\n')
		return -EINVAL;
	request->body_offset = OPERATION_LEN + 1;
	request->length = OPERATION_LEN + 1;
	return 1;
}

/* ---- The set parser --------------------------------------------------------------------------- */

struct parser {
	struct wh_config *config;
	bool in_peers;          /* a public_key line was seen: the last peer is being configured */
	size_t allowed_ip_lines;
	unsigned long line_number;
	char *error;
	size_t error_len;
};

/* Writes "line N: key: message" (key may be NULL) into the caller's buffer and returns err. */
__attribute__((format(printf, 4, 5))) static int fail(struct parser *parser, int err, const char *key,
						      const char *format, ...)
{
	va_list args;
	int prefix;

	if (!parser->error || parser->error_len == 0)
		return err;
	if (key)
		prefix = snprintf(parser->error, parser->error_len, "line %lu: %s: ", parser->line_number, key);
	else
		prefix = snprintf(parser->error, parser->error_len, "line %lu: ", parser->line_number);
	if (prefix < 0 || (size_t)prefix >= parser->error_len)
		return err;
	va_start(args, format);
	vsnprintf(parser->error + prefix, parser->error_len - (size_t)prefix, format, args);
	va_end(args);
	return err;
}

/* Room for a quoted value: every byte as \xNN, two quotes, "..." and the NUL. */
enum { QUOTED_SIZE = QUOTED_VALUE_MAX * 4 + 6 };

/* Quotes up to QUOTED_VALUE_MAX bytes of a value, anything unprintable as \xNN, "..." after a cut. */

static const char *quote(char out[QUOTED_SIZE], const char *value, size_t len)
{
	size_t pos = 0, shown = len < QUOTED_VALUE_MAX ? len : QUOTED_VALUE_MAX;

	out[pos++] = '"';
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			out[pos++] = (char)c;
		} else {
			snprintf(out + pos, 5, "\\x%02x", c);
			pos += 4;
		}
	}
	out[pos++] = '"';
	if (shown < len) {
		memcpy(out + pos, "...", 3);
		pos += 3;
	}
	out[pos] = '\0';
	return out;
}

static bool value_is(const char *value, size_t len, const char *expected)
{
	return len == strlen(expected) && memcmp(value, expected, len) == 0;
}

/* Decodes 64 hex digits into key; the message never shows the value, it may be a secret. */
static int parse_key(struct parser *parser, const char *name, uint8_t key[WH_KEY_SIZE], const char *value,
		     size_t len)
{
	uint8_t decoded[WH_KEY_SIZE];
	size_t decoded_len = 0, bad = 0;
	int ret = 0;

	if (len != KEY_HEX_LEN)
		return fail(parser, -EINVAL, name, "not 64 hex digits (%zu characters)", len);
	if (sodium_hex2bin(decoded, sizeof(decoded), value, len, NULL, &decoded_len, NULL) == 0 &&
	    decoded_len == WH_KEY_SIZE) {
		memcpy(key, decoded, WH_KEY_SIZE);
	} else {
		while (bad < len && isxdigit((unsigned char)value[bad]))
			bad++;
		ret = fail(parser, -EINVAL, name, "character %zu is not a hex digit", bad + 1);
	}
	sodium_memzero(decoded, sizeof(decoded));
	return ret;
}

static int parse_true(struct parser *parser, const char *name, const char *value, size_t len)
{
	char quoted[QUOTED_SIZE];

	if (!value_is(value, len, "true"))
		return fail(parser, -EINVAL, name, "%s is not \"true\" (the only value it takes)",
			    quote(quoted, value, len));
	return 0;
}

static int parse_number(struct parser *parser, const char *name, uint64_t max, uint64_t *number,
			const char *value, size_t len)
{
	char quoted[QUOTED_SIZE];

	if (wh_address_parse_decimal(value, len, max, number) != 0)
		return fail(parser, -EINVAL, name, "%s is not a number from 0 to %" PRIu64,
			    quote(quoted, value, len), max);
	return 0;
}

static struct wh_config_peer *current_peer(struct parser *parser)
{
	return &parser->config->peers[parser->config->peer_count - 1];
}

static int set_private_key(struct parser *parser, const char *name, const char *value, size_t len)
{
	struct wh_config *config = parser->config;
	int ret = parse_key(parser, name, config->private_key, value, len);

	if (ret)
		return ret;
	if (!sodium_is_zero(config->private_key, WH_KEY_SIZE)) {
		config->private_key[0] &= 248;
		config->private_key[31] = (uint8_t)((config->private_key[31] & 127) | 64);
	}
	config->has_private_key = true;
	return 0;
}

static int set_listen_port(struct parser *parser, const char *name, const char *value, size_t len)
{
	uint64_t port;
	int ret = parse_number(parser, name, UINT16_MAX, &port, value, len);

	if (ret)
		return ret;
	parser->config->listen_port = (uint16_t)port;
	parser->config->has_listen_port = true;
	return 0;
}

static int set_fwmark(struct parser *parser, const char *name, const char *value, size_t len)
{
	uint64_t mark;
	int ret = parse_number(parser, name, UINT32_MAX, &mark, value, len);

	if (ret)
		return ret;
	parser->config->fwmark = (uint32_t)mark;
	parser->config->has_fwmark = true;
	return 0;
}

static int set_replace_peers(struct parser *parser, const char *name, const char *value, size_t len)
{
	int ret = parse_true(parser, name, value, len);

	if (!ret)
		parser->config->replace_peers = true;
	return ret;
}

static int start_peer(struct parser *parser, const char *name, const char *value, size_t len)
{
	uint8_t public_key[WH_KEY_SIZE];
	int ret;

	if (parser->config->peer_count == WH_UAPI_MAX_PEERS)
		return fail(parser, -ENOMEM, name, "more than %d peers in one request", WH_UAPI_MAX_PEERS);
	ret = parse_key(parser, name, public_key, value, len);
	if (ret)
		return ret;
	if (!wh_config_add_peer(parser->config, public_key))
		return fail(parser, -ENOMEM, name, "out of memory");
	parser->in_peers = true;
	return 0;
}

static int set_update_only(struct parser *parser, const char *name, const char *value, size_t len)
{
	int ret = parse_true(parser, name, value, len);

	if (!ret)
		current_peer(parser)->update_only = true;
	return ret;
}

static int set_remove(struct parser *parser, const char *name, const char *value, size_t len)
{
	int ret = parse_true(parser, name, value, len);

	if (!ret)
		current_peer(parser)->remove = true;
	return ret;
}

static int set_preshared_key(struct parser *parser, const char *name, const char *value, size_t len)
{
	struct wh_config_peer *peer = current_peer(parser);
	int ret = parse_key(parser, name, peer->preshared_key, value, len);

	if (!ret)
		peer->has_preshared_key = true;
	return ret;
}

static int set_endpoint(struct parser *parser, const char *name, const char *value, size_t len)
{
	struct wh_config_peer *peer = current_peer(parser);
	struct wh_endpoint endpoint;
	const char *problem = wh_address_parse_endpoint(&endpoint, value, len);
	char quoted[QUOTED_SIZE];

	if (problem)
		return fail(parser, -EINVAL, name, "%s: %s", quote(quoted, value, len), problem);
	peer->endpoint = endpoint;
	peer->has_endpoint = true;
	return 0;
}

static int set_persistent_keepalive(struct parser *parser, const char *name, const char *value, size_t len)
{
	uint64_t interval;
	int ret = parse_number(parser, name, UINT16_MAX, &interval, value, len);

	if (ret)
		return ret;
	current_peer(parser)->persistent_keepalive_interval = (uint16_t)interval;
	current_peer(parser)->has_persistent_keepalive = true;
	return 0;
}

/* Applied in order by wireguard-go, so the allowed IPs listed before it are dropped too. */
static int set_replace_allowed_ips(struct parser *parser, const char *name, const char *value, size_t len)
{
	int ret = parse_true(parser, name, value, len);

	if (ret)
		return ret;
	wh_config_peer_clear_allowed_ips(current_peer(parser));
	current_peer(parser)->replace_allowed_ips = true;
	return 0;
}

static int add_allowed_ip(struct parser *parser, const char *name, const char *value, size_t len)
{
	uint16_t family = 0;
	uint8_t ip[16], cidr = 0;
	const char *problem;
	char quoted[QUOTED_SIZE];

	if (parser->allowed_ip_lines == WH_UAPI_MAX_ALLOWED_IPS)
		return fail(parser, -ENOMEM, name, "more than %d allowed IPs in one request",
			    WH_UAPI_MAX_ALLOWED_IPS);
	problem = wh_address_parse_prefix(&family, ip, &cidr, value, len);
	if (problem)
		return fail(parser, -EINVAL, name, "%s: %s", quote(quoted, value, len), problem);
	wh_address_mask(family, ip, cidr);
	if (wh_config_peer_add_allowed_ip(current_peer(parser), family, ip, cidr) != 0)
		return fail(parser, -ENOMEM, name, "out of memory");
	parser->allowed_ip_lines++;
	return 0;
}

static int check_protocol_version(struct parser *parser, const char *name, const char *value, size_t len)
{
	char quoted[QUOTED_SIZE];

	if (!value_is(value, len, "1"))
		return fail(parser, -EINVAL, name, "version %s is not supported (only 1 is)",
			    quote(quoted, value, len));
	return 0;
}

enum key_place {
	DEVICE_KEY, /* before the first public_key */
	PEER_KEY,   /* after it */
	ANY_PLACE,  /* public_key itself */
};

struct key_handler {
	const char *name;
	enum key_place place;
	int (*set)(struct parser *parser, const char *name, const char *value, size_t len);
};

static const struct key_handler KEY_HANDLERS[] = {
	{"private_key", DEVICE_KEY, set_private_key},
	{"listen_port", DEVICE_KEY, set_listen_port},
	{"fwmark", DEVICE_KEY, set_fwmark},
	{"replace_peers", DEVICE_KEY, set_replace_peers},
	{"public_key", ANY_PLACE, start_peer},
	{"update_only", PEER_KEY, set_update_only},
	{"remove", PEER_KEY, set_remove},
	{"preshared_key", PEER_KEY, set_preshared_key},
	{"endpoint", PEER_KEY, set_endpoint},
	{"persistent_keepalive_interval", PEER_KEY, set_persistent_keepalive},
	{"replace_allowed_ips", PEER_KEY, set_replace_allowed_ips},
	{"allowed_ip", PEER_KEY, add_allowed_ip},
	{"protocol_version", PEER_KEY, check_protocol_version},
};

/* Names an unknown key only when it looks like one: short, of lower case letters, digits and '_',
 * and not hex digits alone. Anything else may be (part of) a secret pasted in the wrong place. */
static int unknown_key(struct parser *parser, const char *key, size_t len)
{
	bool echo = len > 0 && len <= ECHOED_KEY_MAX, hex_only = true;

	for (size_t i = 0; echo && i < len; i++) {
		echo = (key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') || key[i] == '_';
		hex_only = hex_only && isxdigit((unsigned char)key[i]);
	}
	if (echo && !hex_only)
		return fail(parser, -EINVAL, NULL, "unknown key \"%.*s\"", (int)len, key);
	return fail(parser, -EINVAL, NULL, "unknown key (%zu bytes, not shown)", len);
}

static int parse_line(struct parser *parser, const char *line, size_t len)
{
	const char *equals = memchr(line, '=', len);
	size_t key_len, value_len;

	/* Not quoted: "private_key" and its value without the '=' would be a key in the log. */
	if (!equals)
		return fail(parser, -EPROTO, NULL, "no '=' in a line of %zu bytes (not shown)", len);
	key_len = (size_t)(equals - line);
	value_len = len - key_len - 1;
	for (size_t i = 0; i < sizeof(KEY_HANDLERS) / sizeof(KEY_HANDLERS[0]); i++) {
		const struct key_handler *handler = &KEY_HANDLERS[i];

		if (!value_is(line, key_len, handler->name))
			continue;
		if (handler->place == DEVICE_KEY && parser->in_peers)
			return fail(parser, -EINVAL, handler->name,
				    "a device key after the first public_key (device keys come first)");
		if (handler->place == PEER_KEY && !parser->in_peers)
			return fail(parser, -EINVAL, handler->name,
				    "a peer key before any public_key (it names the peer it belongs to)");
		return handler->set(parser, handler->name, equals + 1, value_len);
	}
	return unknown_key(parser, line, key_len);
}

static int parse_lines(struct parser *parser, const char *text, size_t len)
{
	size_t pos = 0;

	if (len > WH_UAPI_MAX_REQUEST)
		return fail(parser, -EIO, NULL, "request of more than %d bytes", WH_UAPI_MAX_REQUEST);
	while (pos < len) {
		const char *newline = memchr(text + pos, '\n', len - pos);
		size_t line_len = newline ? (size_t)(newline - (text + pos)) : len - pos;
		size_t next = newline ? (size_t)(newline - text) + 1 : len;
		int ret;

		parser->line_number++;
		if (line_len > WH_UAPI_MAX_LINE)
			return fail(parser, -EIO, NULL, "longer than %d bytes", WH_UAPI_MAX_LINE);
		if (is_blank_line(text + pos, line_len)) {
			if (next != len)
				return fail(parser, -EPROTO, NULL, "text after the blank line that ends the request");
			return 0;
		}
		/* wireguard-go's line reader drops a '\r' before '\n' (and at the end of the input). */
		if (text[pos + line_len - 1] == '\r')
			line_len--;
		ret = parse_line(parser, text + pos, line_len);
		if (ret)
			return ret;
		pos = next;
	}
	return 0;
}

int wh_uapi_parse_set(const char *text, size_t len, struct wh_config *out, char *error, size_t error_len)
{
	struct parser parser = {
		.config = out,
		.line_number = 1, /* the "set=1" line */
		.error = error,
		.error_len = error_len,
	};
	int ret;

	wh_config_init(out);
	if (error && error_len)
		error[0] = '\0';
	ret = parse_lines(&parser, text, len);
	if (ret)
		wh_config_free(out);
	return ret;
}

/* ---- The get writer --------------------------------------------------------------------------- */

enum {
	/* Upper bounds of what one device, one peer (without allowed IPs) and one allowed_ip line take:
	 * the longest key name, '=', the longest value and '\n' per line. */
	DEVICE_TEXT_MAX = 3 * (32 + KEY_HEX_LEN),
	PEER_TEXT_MAX = 9 * (32 + KEY_HEX_LEN),
	ALLOWED_IP_TEXT_MAX = 16 + WH_ADDRESS_TEXT_SIZE,
};

struct writer {
	char *text;
	size_t capacity; /* without the NUL */
	size_t len;
};

/* Appends a line; the capacity was computed from the bounds above, so it always fits. */
__attribute__((format(printf, 2, 3))) static void write_line(struct writer *writer, const char *format, ...)
{
	va_list args;
	int written;

	va_start(args, format);
	written = vsnprintf(writer->text + writer->len, writer->capacity + 1 - writer->len, format, args);
	va_end(args);
	if (written > 0)
		writer->len += (size_t)written;
}

static void write_key(struct writer *writer, const char *name, const uint8_t key[WH_KEY_SIZE])
{
	write_line(writer, "%s=", name);
	sodium_bin2hex(writer->text + writer->len, writer->capacity + 1 - writer->len, key, WH_KEY_SIZE);
	writer->len += KEY_HEX_LEN;
	write_line(writer, "\n");
}

static void write_peer(struct writer *writer, const struct wh_config_peer *peer)
{
	char address[WH_ADDRESS_TEXT_SIZE];

	write_key(writer, "public_key", peer->public_key);
	write_key(writer, "preshared_key", peer->preshared_key);
	write_line(writer, "protocol_version=1\n");
	if (peer->has_endpoint && wh_address_format_endpoint(address, &peer->endpoint))
		write_line(writer, "endpoint=%s\n", address);
	write_line(writer, "last_handshake_time_sec=%" PRId64 "\n", peer->last_handshake_time_sec);
	write_line(writer, "last_handshake_time_nsec=%" PRIu32 "\n", peer->last_handshake_time_nsec);
	write_line(writer, "tx_bytes=%" PRIu64 "\n", peer->tx_bytes);
	write_line(writer, "rx_bytes=%" PRIu64 "\n", peer->rx_bytes);
	write_line(writer, "persistent_keepalive_interval=%u\n", (unsigned)peer->persistent_keepalive_interval);
	for (size_t i = 0; i < peer->allowed_ip_count; i++) {
		const struct wh_config_allowed_ip *allowed = &peer->allowed_ips[i];

		if (wh_address_format_prefix(address, allowed->family, allowed->ip, allowed->cidr))
			write_line(writer, "allowed_ip=%s\n", address);
	}
}

/* The bytes the answer can take at most, or false when that does not fit a size_t. */
static bool text_capacity(const struct wh_config *snapshot, size_t *capacity)
{
	size_t total = DEVICE_TEXT_MAX;

	for (size_t i = 0; i < snapshot->peer_count; i++) {
		size_t allowed_ips = snapshot->peers[i].allowed_ip_count, peer;

		if (allowed_ips > (SIZE_MAX - PEER_TEXT_MAX) / ALLOWED_IP_TEXT_MAX)
			return false;
		peer = PEER_TEXT_MAX + allowed_ips * ALLOWED_IP_TEXT_MAX;
		/* total stays below SIZE_MAX: one byte is kept for the NUL. */
		if (peer > SIZE_MAX - 1 - total)
			return false;
		total += peer;
	}
	*capacity = total;
	return true;
}

int wh_uapi_format_get(const struct wh_config *snapshot, char **out, size_t *out_len)
{
	struct writer writer = {0};

	*out = NULL;
	*out_len = 0;
	if (!text_capacity(snapshot, &writer.capacity))
		return -ENOMEM;
	writer.text = malloc(writer.capacity + 1);
	if (!writer.text)
		return -ENOMEM;
	writer.text[0] = '\0';
	if (snapshot->has_private_key && !sodium_is_zero(snapshot->private_key, WH_KEY_SIZE))
		write_key(&writer, "private_key", snapshot->private_key);
	if (snapshot->has_listen_port && snapshot->listen_port)
		write_line(&writer, "listen_port=%u\n", (unsigned)snapshot->listen_port);
	if (snapshot->has_fwmark && snapshot->fwmark)
		write_line(&writer, "fwmark=%" PRIu32 "\n", snapshot->fwmark);
	for (size_t i = 0; i < snapshot->peer_count; i++)
		write_peer(&writer, &snapshot->peers[i]);
	*out = writer.text;
	*out_len = writer.len;
	return 0;
}

void wh_uapi_free_text(char *text, size_t len)
{
	if (!text)
		return;
	sodium_memzero(text, len);
	free(text);
}
