/* wg-quick .conf files, which users import from anywhere: parsed one line at a time into struct wgconf,
 * every length checked before it is read, errors and warnings carrying their line numbers. */
#include "wgconf.h"

#include <arpa/inet.h>
#include <libintl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Messages are translated in the app's gettext domain, GETTEXT_PACKAGE from src/common/meson.build
 * (glibc's libintl, no GLib: the fuzz build takes this file too). Only the app binds the domain, so
 * wirehopd, wirehopctl and the fuzzer keep English. N_ marks a text for xgettext where it is defined;
 * _ translates it where it is used. What a message quotes of the file stays printable ASCII. */
#define _(text) dgettext(GETTEXT_PACKAGE, text)
#define N_(text) text

enum limits {
	MAX_LINE_LENGTH = 4096,
	KEY_BASE64_LENGTH = 44,     /* 32 bytes in standard base64: 43 characters and one '=' */
	QUOTE_LENGTH = 48,          /* characters of a bad value that a message shows */
	MAX_NAME_LENGTH = 32,       /* longer "names" are not shown: they may be a pasted key */
	ADDRESS_TEXT_SIZE = 64,     /* an IP literal with room to spare, NUL included */
	MAX_HOST_NAME_LENGTH = 253,
	MAX_LABEL_LENGTH = 63,
	/* Below 1280 the kernel turns IPv6 off on the interface, and our tunnels carry IPv6; above
	 * 9000 (jumbo frames) no path the tunnel runs over carries the packets. */
	MIN_MTU = 1280,
	MAX_MTU = 9000,
	MAX_PORT = 65535,
	MAX_KEEPALIVE = 65535,
};

enum section {
	SECTION_NONE,
	SECTION_INTERFACE,
	SECTION_PEER,
};

/* A piece of the caller's text; never NUL-terminated. */
struct span {
	const char *start;
	size_t len;
};

struct parser {
	struct wgconf *conf;
	struct wgconf_diagnostics *diag;
	unsigned line;
	enum section section;
	unsigned section_line;
	uint32_t seen; /* one bit per entry of keys[] met in this section */
	bool had_interface;
	bool peer_has_public_key;
};

struct key {
	enum section section;
	const char *name;
	int (*parse)(struct parser *parser, const char *name, struct span value);
	bool repeatable;
	const char *ignored_because; /* keys wg-quick knows and Wirehop does not use: a warning */
};

/* A bad value as a message shows it. Messages end up in D-Bus strings, which must be UTF-8, so only
 * printable ASCII passes ('?' stands for the rest); long values are cut. */
struct quoted {
	char text[QUOTE_LENGTH + sizeof("...")];
};

static struct quoted quote(struct span value)
{
	struct quoted quoted;
	size_t shown = value.len < QUOTE_LENGTH ? value.len : QUOTE_LENGTH;

	for (size_t i = 0; i < shown; i++) {
		char c = value.start[i];
		quoted.text[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	strcpy(quoted.text + shown, value.len > shown ? "..." : "");
	return quoted;
}

/* A translated message is UTF-8 and may be cut at the end of the buffer: a character cut in two
 * goes whole, so that the message stays valid UTF-8 (D-Bus strings must be). */
static void drop_cut_character(char *message, size_t size)
{
	size_t len = strnlen(message, size);
	size_t start = len;
	unsigned char lead;
	size_t need;

	while (start > 0 && ((unsigned char)message[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return;
	lead = (unsigned char)message[start - 1];
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	if (len - (start - 1) < need)
		message[start - 1] = '\0';
}

__attribute__((format(printf, 2, 3))) static int fail(struct parser *parser, const char *format, ...)
{
	va_list args;
	int len;

	parser->diag->error_line = parser->line;
	va_start(args, format);
	len = vsnprintf(parser->diag->error, sizeof(parser->diag->error), format, args);
	va_end(args);
	if (len >= (int)sizeof(parser->diag->error))
		drop_cut_character(parser->diag->error, sizeof(parser->diag->error));
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static struct span trim(const char *start, size_t len)
{
	while (len > 0 && is_blank(start[0])) {
		start++;
		len--;
	}
	while (len > 0 && is_blank(start[len - 1]))
		len--;
	return (struct span){start, len};
}

static bool equals_ignoring_case(struct span text, const char *word)
{
	size_t len = strlen(word);

	if (text.len != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char a = text.start[i], b = word[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* What may be shown of an unknown key or section name: a word, not something as long as a key. */
static bool is_showable_name(struct span name)
{
	if (name.len == 0 || name.len > MAX_NAME_LENGTH)
		return false;
	for (size_t i = 0; i < name.len; i++) {
		if (!is_alnum(name.start[i]) && name.start[i] != '_' && name.start[i] != '-')
			return false;
	}
	return true;
}

/* Decimal digits only (no sign, no blanks), at most max. */
static bool parse_number(uint32_t *number, struct span text, uint32_t max)
{
	uint64_t value = 0;

	if (text.len == 0)
		return false;
	for (size_t i = 0; i < text.len; i++) {
		if (text.start[i] < '0' || text.start[i] > '9')
			return false;
		value = value * 10 + (uint64_t)(text.start[i] - '0');
		if (value > max)
			return false;
	}
	*number = (uint32_t)value;
	return true;
}

/* An IPv4 or IPv6 literal into addr; returns its family, or 0. */
static int parse_address(uint8_t addr[16], struct span text)
{
	char address[ADDRESS_TEXT_SIZE];

	if (text.len >= sizeof(address))
		return 0;
	memcpy(address, text.start, text.len);
	address[text.len] = '\0';
	if (inet_pton(AF_INET, address, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, address, addr) == 1)
		return AF_INET6;
	return 0;
}

/* "address/cidr", or a bare address for the whole address. Returns what is wrong, or NULL. */
static const char *parse_prefix(struct wgconf_prefix *prefix, struct span text)
{
	const char *slash = memchr(text.start, '/', text.len);
	struct span address = {text.start, slash ? (size_t)(slash - text.start) : text.len};
	uint32_t max_cidr, cidr;

	memset(prefix, 0, sizeof(*prefix));
	prefix->family = parse_address(prefix->addr, address);
	if (prefix->family == 0)
		return N_("is not an IP prefix");
	max_cidr = prefix->family == AF_INET ? 32 : 128;
	if (!slash) {
		prefix->cidr = (uint8_t)max_cidr;
		return NULL;
	}
	if (!parse_number(&cidr, (struct span){slash + 1, text.len - address.len - 1}, 255))
		return N_("is not an IP prefix");
	if (cidr > max_cidr)
		return prefix->family == AF_INET ? N_("has a prefix length over 32") : N_("has a prefix length over 128");
	prefix->cidr = (uint8_t)cidr;
	return NULL;
}

/* RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, one trailing dot
 * allowed. The last label must not be all digits, so that a bad IPv4 address is not a name. */
static bool is_host_name(struct span name)
{
	size_t label_start = 0;
	bool all_digits = true;

	if (name.len > 0 && name.start[name.len - 1] == '.')
		name.len--;
	if (name.len == 0 || name.len > MAX_HOST_NAME_LENGTH)
		return false;
	for (size_t i = 0; i <= name.len; i++) {
		char c = i < name.len ? name.start[i] : '.';
		size_t label_len = i - label_start;

		if (c == '.') {
			if (label_len == 0 || label_len > MAX_LABEL_LENGTH || name.start[i - 1] == '-')
				return false;
			if (i < name.len)
				all_digits = true;
			label_start = i + 1;
			continue;
		}
		if (c == '-' && label_len == 0)
			return false;
		if (!is_alnum(c) && c != '-')
			return false;
		all_digits = all_digits && c >= '0' && c <= '9';
	}
	return !all_digits;
}

/* "host:port" or "[IPv6]:port", host an IPv4 literal or a host name. Returns what is wrong, or NULL. */
static const char *endpoint_problem(struct span endpoint)
{
	const char *end = endpoint.start + endpoint.len;
	const char *colon;
	uint8_t addr[16];
	uint32_t port;

	if (endpoint.len > 0 && endpoint.start[0] == '[') {
		const char *close = memchr(endpoint.start, ']', endpoint.len);

		if (!close)
			return N_("has no ']' after the IPv6 address");
		if (parse_address(addr, (struct span){endpoint.start + 1, (size_t)(close - endpoint.start - 1)}) !=
		    AF_INET6)
			return N_("has no IPv6 address between '[' and ']'");
		colon = close + 1;
		if (colon == end || *colon != ':')
			return N_("has no :port after ']'");
	} else {
		struct span host;

		colon = memrchr(endpoint.start, ':', endpoint.len);
		if (!colon)
			return N_("has no :port");
		host = (struct span){endpoint.start, (size_t)(colon - endpoint.start)};
		if (memchr(host.start, ':', host.len))
			return N_("needs brackets around an IPv6 address ([address]:port)");
		if (parse_address(addr, host) != AF_INET && !is_host_name(host))
			return N_("has no IP address or host name before :port");
	}
	if (!parse_number(&port, (struct span){colon + 1, (size_t)(end - colon - 1)}, MAX_PORT) || port == 0)
		return N_("has no port from 1 to 65535");
	return NULL;
}

/* A key as wg prints it: 44 characters of standard base64 ending in one '=', 32 bytes. On failure the
 * key is wiped, whatever the decoder left in it. */
static bool decode_key(uint8_t key[WGCONF_KEY_SIZE], struct span text)
{
	size_t len = 0;
	const char *end = NULL;

	if (text.len == KEY_BASE64_LENGTH && text.start[KEY_BASE64_LENGTH - 1] == '=' &&
	    sodium_base642bin(key, WGCONF_KEY_SIZE, text.start, text.len, NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    len == WGCONF_KEY_SIZE && end == text.start + text.len)
		return true;
	sodium_memzero(key, WGCONF_KEY_SIZE);
	return false;
}

/* Room for element number count of an array that doubles when count reaches a power of two, so that
 * appending stays linear. The old block is wiped before it is freed: peers hold preshared keys. */
static bool reserve(void **array, size_t count, size_t element_size)
{
	void *grown;

	if (count != 0 && (count & (count - 1)) != 0)
		return true;
	grown = calloc(count ? count * 2 : 1, element_size);
	if (!grown)
		return false;
	if (count) {
		memcpy(grown, *array, count * element_size);
		sodium_memzero(*array, count * element_size);
	}
	free(*array);
	*array = grown;
	return true;
}

static int add_prefix(struct parser *parser, const char *name, struct span text, struct wgconf_prefix **list,
		      size_t *count)
{
	const char *problem;

	if (*count == WGCONF_MAX_LIST)
		return fail(parser, _("%s: more than %d entries"), name, WGCONF_MAX_LIST);
	if (!reserve((void **)list, *count, sizeof(**list)))
		return fail(parser, _("out of memory"));
	problem = parse_prefix(&(*list)[*count], text);
	if (problem)
		return fail(parser, _("%s: \"%s\" %s"), name, quote(text).text, _(problem));
	(*count)++;
	return 0;
}

static int add_string(struct parser *parser, const char *name, struct span text, char ***list, size_t *count)
{
	char *copy;

	if (*count == WGCONF_MAX_LIST)
		return fail(parser, _("%s: more than %d entries"), name, WGCONF_MAX_LIST);
	if (!reserve((void **)list, *count, sizeof(**list)))
		return fail(parser, _("out of memory"));
	copy = strndup(text.start, text.len);
	if (!copy)
		return fail(parser, _("out of memory"));
	(*list)[(*count)++] = copy;
	return 0;
}

/* Calls parse_item on each comma-separated entry of value, trimmed; an empty entry is an error. */
static int for_each_item(struct parser *parser, const char *name, struct span value,
			 int (*parse_item)(struct parser *parser, const char *name, struct span item))
{
	const char *end = value.start + value.len;
	const char *item = value.start;

	for (;;) {
		const char *comma = memchr(item, ',', (size_t)(end - item));
		struct span entry = trim(item, (size_t)((comma ? comma : end) - item));

		if (entry.len == 0)
			return fail(parser, _("%s: an empty entry in the list"), name);
		if (parse_item(parser, name, entry) < 0)
			return -1;
		if (!comma)
			return 0;
		item = comma + 1;
	}
}

static struct wgconf_peer *current_peer(struct parser *parser)
{
	return &parser->conf->peers[parser->conf->n_peers - 1];
}

static int parse_private_key(struct parser *parser, const char *name, struct span value)
{
	/* The value is never shown: it is a secret even when it is malformed. */
	if (!decode_key(parser->conf->private_key, value))
		return fail(parser, _("%s: not a key (44 characters of base64 for 32 bytes)"), name);
	parser->conf->has_private_key = true;
	return 0;
}

static int parse_address_item(struct parser *parser, const char *name, struct span item)
{
	return add_prefix(parser, name, item, &parser->conf->addresses, &parser->conf->n_addresses);
}

static int parse_address_list(struct parser *parser, const char *name, struct span value)
{
	return for_each_item(parser, name, value, parse_address_item);
}

/* wg-quick's rule: IP literals are servers, anything else a search domain. */
static int parse_dns_item(struct parser *parser, const char *name, struct span item)
{
	struct wgconf *conf = parser->conf;
	uint8_t addr[16];

	if (parse_address(addr, item) != 0)
		return add_string(parser, name, item, &conf->dns_servers, &conf->n_dns_servers);
	if (is_host_name(item))
		return add_string(parser, name, item, &conf->dns_search, &conf->n_dns_search);
	return fail(parser, _("%s: \"%s\" is neither an IP address nor a domain name"), name, quote(item).text);
}

static int parse_dns_list(struct parser *parser, const char *name, struct span value)
{
	return for_each_item(parser, name, value, parse_dns_item);
}

static int parse_mtu(struct parser *parser, const char *name, struct span value)
{
	uint32_t mtu;

	if (!parse_number(&mtu, value, MAX_MTU) || mtu < MIN_MTU)
		return fail(parser, _("%s: \"%s\" is not a number from %d to %d"), name, quote(value).text, MIN_MTU,
			    MAX_MTU);
	parser->conf->mtu = mtu;
	return 0;
}

static int parse_public_key(struct parser *parser, const char *name, struct span value)
{
	if (!decode_key(current_peer(parser)->public_key, value))
		return fail(parser, _("%s: \"%s\" is not a key (44 characters of base64 for 32 bytes)"), name,
			    quote(value).text);
	parser->peer_has_public_key = true;
	return 0;
}

static int parse_preshared_key(struct parser *parser, const char *name, struct span value)
{
	struct wgconf_peer *peer = current_peer(parser);

	if (!decode_key(peer->preshared_key, value))
		return fail(parser, _("%s: not a key (44 characters of base64 for 32 bytes)"), name);
	peer->has_preshared_key = true;
	return 0;
}

static int parse_endpoint(struct parser *parser, const char *name, struct span value)
{
	struct wgconf_peer *peer = current_peer(parser);
	const char *problem = endpoint_problem(value);

	if (problem)
		return fail(parser, _("%s: \"%s\" %s"), name, quote(value).text, _(problem));
	if (value.len >= sizeof(peer->endpoint))
		return fail(parser, _("%s: longer than %zu characters"), name, sizeof(peer->endpoint) - 1);
	memcpy(peer->endpoint, value.start, value.len);
	peer->endpoint[value.len] = '\0';
	return 0;
}

static int parse_allowed_ip(struct parser *parser, const char *name, struct span item)
{
	struct wgconf_peer *peer = current_peer(parser);

	return add_prefix(parser, name, item, &peer->allowed_ips, &peer->n_allowed_ips);
}

static int parse_allowed_ips(struct parser *parser, const char *name, struct span value)
{
	/* As in wg, "AllowedIPs =" is a peer that routes nothing. */
	if (value.len == 0)
		return 0;
	return for_each_item(parser, name, value, parse_allowed_ip);
}

static int parse_persistent_keepalive(struct parser *parser, const char *name, struct span value)
{
	uint32_t seconds = 0;

	if (!equals_ignoring_case(value, "off") && !parse_number(&seconds, value, MAX_KEEPALIVE))
		return fail(parser, _("%s: \"%s\" is neither \"off\" nor a number of seconds up to %d"), name,
			    quote(value).text, MAX_KEEPALIVE);
	current_peer(parser)->persistent_keepalive = (uint16_t)seconds;
	return 0;
}

static const struct key keys[] = {
	{SECTION_INTERFACE, "PrivateKey", parse_private_key, false, NULL},
	{SECTION_INTERFACE, "Address", parse_address_list, true, NULL},
	{SECTION_INTERFACE, "DNS", parse_dns_list, true, NULL},
	{SECTION_INTERFACE, "MTU", parse_mtu, false, NULL},
	{SECTION_INTERFACE, "ListenPort", NULL, true, N_("the helper picks a port")},
	{SECTION_INTERFACE, "Table", NULL, true, N_("the helper routes through a table of its own")},
	{SECTION_INTERFACE, "FwMark", NULL, true, N_("the helper marks the tunnel's packets itself")},
	{SECTION_INTERFACE, "PreUp", NULL, true, N_("Wirehop runs no scripts")},
	{SECTION_INTERFACE, "PostUp", NULL, true, N_("Wirehop runs no scripts")},
	{SECTION_INTERFACE, "PreDown", NULL, true, N_("Wirehop runs no scripts")},
	{SECTION_INTERFACE, "PostDown", NULL, true, N_("Wirehop runs no scripts")},
	{SECTION_INTERFACE, "SaveConfig", NULL, true, N_("Wirehop never writes the file back")},
	{SECTION_PEER, "PublicKey", parse_public_key, false, NULL},
	{SECTION_PEER, "PresharedKey", parse_preshared_key, false, NULL},
	{SECTION_PEER, "Endpoint", parse_endpoint, false, NULL},
	{SECTION_PEER, "AllowedIPs", parse_allowed_ips, true, NULL},
	{SECTION_PEER, "PersistentKeepalive", parse_persistent_keepalive, false, NULL},
};
_Static_assert(sizeof(keys) / sizeof(keys[0]) <= 32, "parser.seen has a bit per key");

static const char *section_name(enum section section)
{
	return section == SECTION_PEER ? "Peer" : "Interface";
}

static void warn(struct parser *parser, const struct key *key)
{
	struct wgconf_diagnostics *diag = parser->diag;
	struct wgconf_warning *warning;

	if (diag->n_warnings == WGCONF_MAX_WARNINGS)
		return;
	warning = &diag->warnings[diag->n_warnings++];
	warning->line = parser->line;
	if (snprintf(warning->message, sizeof(warning->message), _("%s is ignored: %s"), key->name,
		     _(key->ignored_because)) >= (int)sizeof(warning->message))
		drop_cut_character(warning->message, sizeof(warning->message));
}

static int finish_section(struct parser *parser)
{
	if (parser->section == SECTION_PEER && !parser->peer_has_public_key) {
		parser->line = parser->section_line;
		return fail(parser, _("[Peer] has no PublicKey"));
	}
	return 0;
}

static int start_section(struct parser *parser, struct span line)
{
	struct wgconf *conf = parser->conf;
	struct span name;

	if (line.start[line.len - 1] != ']')
		return fail(parser, _("a section header must end with ']'"));
	name = trim(line.start + 1, line.len - 2);
	if (finish_section(parser) < 0)
		return -1;
	if (equals_ignoring_case(name, "Interface")) {
		if (parser->had_interface)
			return fail(parser, _("a second [Interface]: a file describes one interface"));
		parser->had_interface = true;
		parser->section = SECTION_INTERFACE;
	} else if (equals_ignoring_case(name, "Peer")) {
		if (conf->n_peers == WGCONF_MAX_PEERS)
			return fail(parser, _("more than %d [Peer] sections"), WGCONF_MAX_PEERS);
		if (!reserve((void **)&conf->peers, conf->n_peers, sizeof(*conf->peers)))
			return fail(parser, _("out of memory"));
		memset(&conf->peers[conf->n_peers++], 0, sizeof(*conf->peers));
		parser->peer_has_public_key = false;
		parser->section = SECTION_PEER;
	} else if (is_showable_name(name)) {
		return fail(parser, _("unknown section \"[%s]\" (expected [Interface] or [Peer])"), quote(name).text);
	} else {
		return fail(parser, _("unknown section (expected [Interface] or [Peer])"));
	}
	parser->section_line = parser->line;
	parser->seen = 0;
	return 0;
}

static int parse_key_line(struct parser *parser, struct span line)
{
	const char *equals = memchr(line.start, '=', line.len);
	struct span name, value;
	const char *section;

	/* Neither this line nor an unlikely name is shown: it may be a key pasted on its own line. */
	if (!equals)
		return fail(parser, _("expected a [Section] or \"Key = value\""));
	name = trim(line.start, (size_t)(equals - line.start));
	value = trim(equals + 1, (size_t)(line.start + line.len - equals - 1));
	if (!is_showable_name(name))
		return fail(parser, _("expected a [Section] or \"Key = value\""));
	if (parser->section == SECTION_NONE)
		return fail(parser, _("%s: outside any section (a file starts with [Interface] or [Peer])"),
			    quote(name).text);
	section = section_name(parser->section);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *key = &keys[i];

		if (key->section != parser->section || !equals_ignoring_case(name, key->name))
			continue;
		if (!key->repeatable && (parser->seen & (UINT32_C(1) << i)))
			return fail(parser, _("%s appears twice in one [%s]"), key->name, section);
		parser->seen |= UINT32_C(1) << i;
		if (!key->parse) {
			warn(parser, key);
			return 0;
		}
		return key->parse(parser, key->name, value);
	}
	return fail(parser, _("unknown key \"%s\" in [%s]"), quote(name).text, section);
}

static int parse_line(struct parser *parser, const char *start, size_t len)
{
	const char *comment;
	struct span line;

	if (len > 0 && start[len - 1] == '\r')
		len--;
	if (len > MAX_LINE_LENGTH)
		return fail(parser, _("the line is longer than %d characters"), MAX_LINE_LENGTH);
	if (memchr(start, '\0', len))
		return fail(parser, _("the line holds a NUL byte: this is not a text file"));
	comment = memchr(start, '#', len);
	line = trim(start, comment ? (size_t)(comment - start) : len);
	if (line.len == 0)
		return 0;
	if (line.start[0] == '[')
		return start_section(parser, line);
	return parse_key_line(parser, line);
}

static int finish(struct parser *parser)
{
	if (finish_section(parser) < 0)
		return -1;
	parser->line = 0;
	if (!parser->had_interface)
		return fail(parser, _("no [Interface] section"));
	if (!parser->conf->has_private_key)
		return fail(parser, _("no PrivateKey in [Interface]"));
	if (parser->conf->n_peers == 0)
		return fail(parser, _("no [Peer] section"));
	return 0;
}

int wgconf_parse(const char *text, size_t len, struct wgconf *conf, struct wgconf_diagnostics *diag)
{
	static const char byte_order_mark[] = "\xef\xbb\xbf";
	struct wgconf_diagnostics unused;
	struct parser parser = {.conf = conf, .diag = diag ? diag : &unused};
	size_t pos = 0;

	memset(conf, 0, sizeof(*conf));
	memset(parser.diag, 0, sizeof(*parser.diag));
	if (!text)
		len = 0;
	/* Editors on Windows start UTF-8 files with one. */
	if (len >= 3 && memcmp(text, byte_order_mark, 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *start = text + pos;
		const char *newline = memchr(start, '\n', len - pos);
		size_t line_len = newline ? (size_t)(newline - start) : len - pos;

		parser.line++;
		pos += line_len + (newline ? 1 : 0);
		if (parse_line(&parser, start, line_len) < 0)
			goto fail;
	}
	if (finish(&parser) < 0)
		goto fail;
	return 0;
fail:
	wgconf_free(conf);
	return -1;
}

static void free_strings(char **strings, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
}

void wgconf_free(struct wgconf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->n_peers; i++)
		free(conf->peers[i].allowed_ips);
	if (conf->peers)
		sodium_memzero(conf->peers, conf->n_peers * sizeof(*conf->peers));
	free(conf->peers);
	free(conf->addresses);
	free_strings(conf->dns_servers, conf->n_dns_servers);
	free_strings(conf->dns_search, conf->n_dns_search);
	sodium_memzero(conf, sizeof(*conf));
}
