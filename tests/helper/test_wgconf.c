/* The wg-quick parser: files as providers and people write them, and each way a file goes wrong, with
 * the line the message names. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "wgconf.h"

/* Keys of known bytes: 1..32, 101..132, 32 times 0xa5; SHORT_KEY is 1..31 (a 31-byte key). */
#define PRIVATE_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define PUBLIC_KEY "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q="
#define PRESHARED_KEY "paWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaU="
#define SHORT_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw=="

/* Three lines of [Interface] and four of [Peer] that parse, for files that go wrong elsewhere. */
#define INTERFACE "[Interface]\nPrivateKey = " PRIVATE_KEY "\nAddress = 10.64.0.2/32\n"
#define PEER "[Peer]\nPublicKey = " PUBLIC_KEY "\nEndpoint = 185.65.134.66:51820\nAllowedIPs = 0.0.0.0/0\n"

static void assert_key(const uint8_t key[WGCONF_KEY_SIZE], uint8_t first, uint8_t step)
{
	for (unsigned i = 0; i < WGCONF_KEY_SIZE; i++)
		g_assert_cmpuint(key[i], ==, (uint8_t)(first + step * i));
}

static void assert_prefix(const struct wgconf_prefix *prefix, const char *expected)
{
	char address[INET6_ADDRSTRLEN];
	char text[INET6_ADDRSTRLEN + 8];

	g_assert_nonnull(inet_ntop(prefix->family, prefix->addr, address, sizeof(address)));
	snprintf(text, sizeof(text), "%s/%u", address, prefix->cidr);
	g_assert_cmpstr(text, ==, expected);
}

static void parse_good(const char *text, struct wgconf *conf, struct wgconf_diagnostics *diag)
{
	if (wgconf_parse(text, strlen(text), conf, diag) != 0)
		g_error("line %u: %s", diag->error_line, diag->error);
}

static void test_mullvad_file(void)
{
	static const char text[] = "[Interface]\n"
				   "# Device: Happy Otter\n"
				   "PrivateKey = " PRIVATE_KEY "\n"
				   "Address = 10.64.12.34/32,fc00:bbbb:bbbb:bb01::1:c22/128\n"
				   "DNS = 10.64.0.1\n"
				   "\n"
				   "[Peer]\n"
				   "PublicKey = " PUBLIC_KEY "\n"
				   "AllowedIPs = 0.0.0.0/0,::0/0\n"
				   "Endpoint = 185.65.134.66:51820\n";
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	parse_good(text, &conf, &diag);
	g_assert_true(conf.has_private_key);
	assert_key(conf.private_key, 1, 1);
	g_assert_cmpuint(conf.n_addresses, ==, 2);
	assert_prefix(&conf.addresses[0], "10.64.12.34/32");
	g_assert_cmpint(conf.addresses[1].family, ==, AF_INET6);
	assert_prefix(&conf.addresses[1], "fc00:bbbb:bbbb:bb01::1:c22/128");
	g_assert_cmpuint(conf.n_dns_servers, ==, 1);
	g_assert_cmpstr(conf.dns_servers[0], ==, "10.64.0.1");
	g_assert_cmpuint(conf.n_dns_search, ==, 0);
	g_assert_cmpuint(conf.mtu, ==, 0);
	g_assert_cmpuint(conf.n_peers, ==, 1);
	assert_key(conf.peers[0].public_key, 101, 1);
	g_assert_false(conf.peers[0].has_preshared_key);
	g_assert_cmpstr(conf.peers[0].endpoint, ==, "185.65.134.66:51820");
	g_assert_cmpuint(conf.peers[0].n_allowed_ips, ==, 2);
	assert_prefix(&conf.peers[0].allowed_ips[0], "0.0.0.0/0");
	assert_prefix(&conf.peers[0].allowed_ips[1], "::/0");
	g_assert_cmpuint(conf.peers[0].persistent_keepalive, ==, 0);
	g_assert_cmpuint(diag.n_warnings, ==, 0);
	wgconf_free(&conf);
}

static void test_comments_and_blanks(void)
{
	static const char text[] = "# exported by hand\n"
				   "   \n"
				   "  [Interface]   # the local side\n"
				   "PrivateKey=" PRIVATE_KEY "# no space before the comment\n"
				   "\tAddress   =\t10.0.0.2/24 ,  fd00::2/64   # two of them\n"
				   "#Address = 10.9.9.9/32\n"
				   "MTU = 1380\n"
				   "[Peer]\n"
				   "PublicKey = " PUBLIC_KEY "\n"
				   "AllowedIPs = 10.0.0.0/24, fd00::/64 , 192.168.7.0/24\n"
				   "Endpoint = 203.0.113.5:51820 # the office\n"
				   "# trailing comment at the end without a newline";
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	parse_good(text, &conf, &diag);
	assert_key(conf.private_key, 1, 1);
	g_assert_cmpuint(conf.n_addresses, ==, 2);
	assert_prefix(&conf.addresses[0], "10.0.0.2/24");
	assert_prefix(&conf.addresses[1], "fd00::2/64");
	g_assert_cmpuint(conf.mtu, ==, 1380);
	g_assert_cmpuint(conf.peers[0].n_allowed_ips, ==, 3);
	assert_prefix(&conf.peers[0].allowed_ips[2], "192.168.7.0/24");
	g_assert_cmpstr(conf.peers[0].endpoint, ==, "203.0.113.5:51820");
	wgconf_free(&conf);
}

static void test_repeated_address_and_dns(void)
{
	static const char text[] = "[Interface]\n"
				   "PrivateKey = " PRIVATE_KEY "\n"
				   "Address = 10.0.0.2/32\n"
				   "Address = fd00::2/128, 10.0.1.2\n"
				   "DNS = 1.1.1.1, corp.example.com\n"
				   "DNS = 2606:4700:4700::1111,lan.\n"
				   "DNS = 9.9.9.9\n" PEER;
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	parse_good(text, &conf, &diag);
	g_assert_cmpuint(conf.n_addresses, ==, 3);
	assert_prefix(&conf.addresses[0], "10.0.0.2/32");
	assert_prefix(&conf.addresses[1], "fd00::2/128");
	assert_prefix(&conf.addresses[2], "10.0.1.2/32"); /* a bare address is the whole address */
	g_assert_cmpuint(conf.n_dns_servers, ==, 3);
	g_assert_cmpstr(conf.dns_servers[0], ==, "1.1.1.1");
	g_assert_cmpstr(conf.dns_servers[1], ==, "2606:4700:4700::1111");
	g_assert_cmpstr(conf.dns_servers[2], ==, "9.9.9.9");
	g_assert_cmpuint(conf.n_dns_search, ==, 2);
	g_assert_cmpstr(conf.dns_search[0], ==, "corp.example.com");
	g_assert_cmpstr(conf.dns_search[1], ==, "lan.");
	wgconf_free(&conf);
}

static void test_endpoints(void)
{
	static const struct {
		const char *endpoint;
	} good[] = {
		{"[2001:db8::1]:51820"},
		{"[::ffff:192.0.2.1]:1"},
		{"se-got-wg-001.relays.mullvad.net:51820"},
		{"vpn.example.com.:65535"},
		{"localhost:443"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autofree char *text = g_strdup_printf(INTERFACE "[Peer]\nPublicKey = " PUBLIC_KEY "\n"
							"Endpoint = %s\n",
							good[i].endpoint);
		struct wgconf conf;
		struct wgconf_diagnostics diag;

		parse_good(text, &conf, &diag);
		g_assert_cmpstr(conf.peers[0].endpoint, ==, good[i].endpoint);
		g_assert_cmpuint(conf.peers[0].n_allowed_ips, ==, 0);
		wgconf_free(&conf);
	}
}

static void test_crlf(void)
{
	static const char text[] = "[Interface]\r\n"
				   "PrivateKey = " PRIVATE_KEY "\r\n"
				   "Address = 10.0.0.2/32\r\n"
				   "DNS = 10.0.0.1\r\n"
				   "\r\n"
				   "[Peer]\r\n"
				   "PublicKey = " PUBLIC_KEY "\r\n"
				   "Endpoint = [fd00::1]:51820\r\n"
				   "AllowedIPs = ::/0\r\n";
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	parse_good(text, &conf, &diag);
	g_assert_cmpstr(conf.dns_servers[0], ==, "10.0.0.1");
	g_assert_cmpstr(conf.peers[0].endpoint, ==, "[fd00::1]:51820");
	assert_prefix(&conf.peers[0].allowed_ips[0], "::/0");
	wgconf_free(&conf);
}

static void test_mixed_case(void)
{
	static const char text[] = "\xef\xbb\xbf[INTERFACE]\n" /* with the byte order mark Windows editors write */
				   "privatekey = " PRIVATE_KEY "\n"
				   "ADDRESS = 10.0.0.2/32\n"
				   "Dns = 10.0.0.1\n"
				   "mtu = 1420\n"
				   "[peer]\n"
				   "PUBLICKEY = " PUBLIC_KEY "\n"
				   "endPoint = 198.51.100.1:51820\n"
				   "allowedips = 0.0.0.0/0\n"
				   "persistentKEEPALIVE = 25\n";
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	parse_good(text, &conf, &diag);
	assert_key(conf.private_key, 1, 1);
	g_assert_cmpuint(conf.mtu, ==, 1420);
	assert_key(conf.peers[0].public_key, 101, 1);
	g_assert_cmpuint(conf.peers[0].persistent_keepalive, ==, 25);
	wgconf_free(&conf);
}

static void test_preshared_key_and_keepalive(void)
{
	static const char text[] = INTERFACE "[Peer]\n"
					     "PublicKey = " PUBLIC_KEY "\n"
					     "PresharedKey = " PRESHARED_KEY "\n"
					     "Endpoint = 198.51.100.1:51820\n"
					     "PersistentKeepalive = 65535\n"
					     "[Peer]\n"
					     "PublicKey = " PRIVATE_KEY "\n"
					     "PersistentKeepalive = off\n";
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	parse_good(text, &conf, &diag);
	g_assert_cmpuint(conf.n_peers, ==, 2);
	g_assert_true(conf.peers[0].has_preshared_key);
	assert_key(conf.peers[0].preshared_key, 0xa5, 0);
	g_assert_cmpuint(conf.peers[0].persistent_keepalive, ==, 65535);
	g_assert_false(conf.peers[1].has_preshared_key);
	g_assert_cmpuint(conf.peers[1].persistent_keepalive, ==, 0);
	g_assert_cmpstr(conf.peers[1].endpoint, ==, "");
	wgconf_free(&conf);
}

static void test_warnings(void)
{
	static const char text[] = "[Interface]\n"
				   "PrivateKey = " PRIVATE_KEY "\n"
				   "Address = 10.0.0.2/32\n"
				   "Table = off\n"
				   "PostUp = iptables -I OUTPUT ! -o %i -j REJECT\n"
				   "# a comment between them\n"
				   "SaveConfig = true\n"
				   "ListenPort = 51820\n"
				   "FwMark = 0xca6c\n"
				   "PostUp = echo twice\n" PEER;
	static const struct {
		unsigned line;
		const char *message;
	} expected[] = {
		{4, "Table is ignored: the helper routes through a table of its own"},
		{5, "PostUp is ignored: Wirehop runs no scripts"},
		{7, "SaveConfig is ignored: Wirehop never writes the file back"},
		{8, "ListenPort is ignored: the helper picks a port"},
		{9, "FwMark is ignored: the helper marks the tunnel's packets itself"},
		{10, "PostUp is ignored: Wirehop runs no scripts"},
	};
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	parse_good(text, &conf, &diag);
	g_assert_cmpuint(diag.n_warnings, ==, G_N_ELEMENTS(expected));
	for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
		g_assert_cmpuint(diag.warnings[i].line, ==, expected[i].line);
		g_assert_cmpstr(diag.warnings[i].message, ==, expected[i].message);
	}
	wgconf_free(&conf);
}

static void test_many_warnings(void)
{
	g_autoptr(GString) text = g_string_new(INTERFACE);
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	for (unsigned i = 0; i < 2 * WGCONF_MAX_WARNINGS; i++)
		g_string_append(text, "PreDown = true\n");
	g_string_append(text, PEER);
	parse_good(text->str, &conf, &diag);
	g_assert_cmpuint(diag.n_warnings, ==, WGCONF_MAX_WARNINGS);
	g_assert_cmpuint(diag.warnings[WGCONF_MAX_WARNINGS - 1].line, ==, 3 + WGCONF_MAX_WARNINGS);
	wgconf_free(&conf);
}

struct bad_file {
	const char *name;
	const char *text;
	size_t len;
	unsigned line;
	const char *message;  /* the whole message, or the part of it in message_part */
	bool message_is_part;
};

#define BAD(name, text, line, message) {name, text, sizeof(text) - 1, line, message, false}
#define BAD_PART(name, text, line, part) {name, text, sizeof(text) - 1, line, part, true}

static const struct bad_file bad_files[] = {
	BAD("bad-base64", INTERFACE "[Peer]\nPublicKey = not-base64-but-forty-four-characters-long-xy=\n", 5,
	    "PublicKey: \"not-base64-but-forty-four-characters-long-xy=\" is not a key (44 characters of base64 "
	    "for 32 bytes)"),
	BAD_PART("31-byte-key", INTERFACE "[Peer]\nPublicKey = " SHORT_KEY "\n", 5, "is not a key"),
	BAD_PART("43-character-key", INTERFACE "[Peer]\nPublicKey = ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q\n",
		 5, "is not a key"),
	BAD("bad-private-key", "[Interface]\nPrivateKey = AQIDBAUG!!secret!!\n" PEER, 2,
	    "PrivateKey: not a key (44 characters of base64 for 32 bytes)"),
	BAD("bad-preshared-key", INTERFACE PEER "PresharedKey = " SHORT_KEY "\n", 8,
	    "PresharedKey: not a key (44 characters of base64 for 32 bytes)"),
	BAD("bad-prefix", "[Interface]\nPrivateKey = " PRIVATE_KEY "\nAddress = 10.0.0.300/24\n" PEER, 3,
	    "Address: \"10.0.0.300/24\" is not an IP prefix"),
	BAD("cidr-33", INTERFACE "[Peer]\nPublicKey = " PUBLIC_KEY "\nAllowedIPs = 10.0.0.0/8, 0.0.0.0/33\n", 6,
	    "AllowedIPs: \"0.0.0.0/33\" has a prefix length over 32"),
	BAD("cidr-129", INTERFACE "Address = fd00::1/129\n" PEER, 4,
	    "Address: \"fd00::1/129\" has a prefix length over 128"),
	BAD("cidr-empty", INTERFACE "Address = 10.0.0.1/\n" PEER, 4, "Address: \"10.0.0.1/\" is not an IP prefix"),
	BAD("cidr-sign", INTERFACE "Address = 10.0.0.1/+8\n" PEER, 4, "Address: \"10.0.0.1/+8\" is not an IP prefix"),
	BAD("empty-list-entry", INTERFACE "Address = 10.0.0.3/32,,10.0.0.4/32\n" PEER, 4,
	    "Address: an empty entry in the list"),
	BAD("bad-port", INTERFACE "[Peer]\nPublicKey = " PUBLIC_KEY "\n\nEndpoint = 198.51.100.1:65536\n", 7,
	    "Endpoint: \"198.51.100.1:65536\" has no port from 1 to 65535"),
	BAD_PART("port-0", INTERFACE "[Peer]\nPublicKey = " PUBLIC_KEY "\nEndpoint = 198.51.100.1:0\n", 6,
		 "has no port from 1 to 65535"),
	BAD_PART("port-letters", INTERFACE "[Peer]\nEndpoint = vpn.example.com:https\n", 5,
		 "has no port from 1 to 65535"),
	BAD("missing-port", INTERFACE "[Peer]\nPublicKey = " PUBLIC_KEY "\nEndpoint = 198.51.100.1\n", 6,
	    "Endpoint: \"198.51.100.1\" has no :port"),
	BAD_PART("missing-port-after-bracket", INTERFACE "[Peer]\nEndpoint = [2001:db8::1]\n", 5,
		 "has no :port after ']'"),
	BAD_PART("ipv6-without-brackets", INTERFACE "[Peer]\nEndpoint = 2001:db8::1:51820\n", 5,
		 "needs brackets around an IPv6 address"),
	BAD_PART("unclosed-bracket", INTERFACE "[Peer]\nEndpoint = [2001:db8::1:51820\n", 5, "has no ']'"),
	BAD_PART("ipv4-in-brackets", INTERFACE "[Peer]\nEndpoint = [192.0.2.1]:51820\n", 5,
		 "has no IPv6 address between"),
	BAD_PART("bad-ipv4-endpoint", INTERFACE "[Peer]\nEndpoint = 10.0.0.300:51820\n", 5,
		 "has no IP address or host name before :port"),
	BAD_PART("bad-host-name", INTERFACE "[Peer]\nEndpoint = vpn_1.example.com:51820\n", 5,
		 "has no IP address or host name before :port"),
	BAD("bad-dns", INTERFACE "DNS = 10.0.0.1, not a name\n" PEER, 4,
	    "DNS: \"not a name\" is neither an IP address nor a domain name"),
	BAD("mtu-low", INTERFACE "MTU = 1279\n" PEER, 4, "MTU: \"1279\" is not a number from 1280 to 9000"),
	BAD_PART("mtu-high", INTERFACE "MTU = 99999999999999999999\n" PEER, 4, "is not a number from 1280 to 9000"),
	BAD_PART("keepalive-high", INTERFACE PEER "PersistentKeepalive = 65536\n", 8,
		 "is neither \"off\" nor a number of seconds"),
	BAD("unknown-key", INTERFACE "Foo = bar\n" PEER, 4, "unknown key \"Foo\" in [Interface]"),
	BAD("interface-key-in-peer", INTERFACE PEER "DNS = 10.0.0.1\n", 8, "unknown key \"DNS\" in [Peer]"),
	BAD("unknown-section", INTERFACE "\n[Peers]\n", 5, "unknown section \"[Peers]\" (expected [Interface] or [Peer])"),
	BAD("unclosed-section", "[Interface\n", 1, "a section header must end with ']'"),
	BAD("key-before-section", "PrivateKey = " PRIVATE_KEY "\n[Interface]\n" PEER, 1,
	    "PrivateKey: outside any section (a file starts with [Interface] or [Peer])"),
	BAD("pasted-key", INTERFACE PRIVATE_KEY "\n" PEER, 4, "expected a [Section] or \"Key = value\""),
	BAD("not-key-value", INTERFACE "just some words\n" PEER, 4, "expected a [Section] or \"Key = value\""),
	BAD("duplicate-private-key", INTERFACE "PrivateKey = " PRIVATE_KEY "\n" PEER, 4,
	    "PrivateKey appears twice in one [Interface]"),
	BAD("duplicate-public-key", INTERFACE PEER "PublicKey = " PUBLIC_KEY "\n", 8,
	    "PublicKey appears twice in one [Peer]"),
	BAD("duplicate-endpoint", INTERFACE PEER "Endpoint = 185.65.134.66:51820\n", 8,
	    "Endpoint appears twice in one [Peer]"),
	BAD("second-interface", INTERFACE PEER "[Interface]\n", 8,
	    "a second [Interface]: a file describes one interface"),
	BAD("peer-without-public-key", INTERFACE PEER "\n[Peer]\nEndpoint = 198.51.100.1:51820\n[Peer]\n", 9,
	    "[Peer] has no PublicKey"),
	BAD("last-peer-without-public-key", INTERFACE PEER "[Peer]\nAllowedIPs = 10.0.0.0/8\n", 8,
	    "[Peer] has no PublicKey"),
	BAD("missing-private-key", "[Interface]\nAddress = 10.64.0.2/32\n" PEER, 0, "no PrivateKey in [Interface]"),
	BAD("no-interface", PEER, 0, "no [Interface] section"),
	BAD("no-peer", INTERFACE "DNS = 10.64.0.1\n", 0, "no [Peer] section"),
	BAD("empty", "", 0, "no [Interface] section"),
	BAD("nul-byte", INTERFACE "DNS = 10.64.0.1\0\n" PEER, 4, "the line holds a NUL byte: this is not a text file"),
	BAD("binary", "\x7f" "ELF\x02\x01\x01\0\0\0", 1, "the line holds a NUL byte: this is not a text file"),
	BAD("quoted-value-is-ascii", INTERFACE "Address = 10.0.0.\xc3\xa9/32\n" PEER, 4,
	    "Address: \"10.0.0.?\?/32\" is not an IP prefix"),
	BAD("quoted-value-is-cut", INTERFACE "Address = 0123456789012345678901234567890123456789012345678901234\n" PEER,
	    4, "Address: \"012345678901234567890123456789012345678901234567...\" is not an IP prefix"),
};

static void test_bad_file(gconstpointer data)
{
	const struct bad_file *bad = data;
	struct wgconf conf;
	struct wgconf_diagnostics diag;
	static const struct wgconf zero;

	memset(&conf, 0x5a, sizeof(conf));
	g_assert_cmpint(wgconf_parse(bad->text, bad->len, &conf, &diag), ==, -1);
	g_test_message("line %u: %s", diag.error_line, diag.error);
	g_assert_cmpuint(diag.error_line, ==, bad->line);
	if (bad->message_is_part)
		g_assert_nonnull(strstr(diag.error, bad->message));
	else
		g_assert_cmpstr(diag.error, ==, bad->message);
	/* Secrets never reach a message, and a failed parse leaves nothing behind, keys included. */
	g_assert_null(strstr(diag.error, PRIVATE_KEY));
	g_assert_null(strstr(diag.error, PRESHARED_KEY));
	g_assert_null(strstr(diag.error, "secret"));
	g_assert_cmpmem(&conf, sizeof(conf), &zero, sizeof(zero));
	wgconf_free(&conf);
}

static void test_long_line(void)
{
	g_autoptr(GString) text = g_string_new(INTERFACE "# ");
	struct wgconf conf;
	struct wgconf_diagnostics diag;

	/* 4096 characters are a line; 4097 are not, however the file ends its lines. */
	g_string_append_printf(text, "%4094s\r\n", "");
	g_string_append(text, PEER);
	g_assert_cmpint(wgconf_parse(text->str, text->len, &conf, &diag), ==, 0);
	wgconf_free(&conf);
	g_string_insert_c(text, strlen(INTERFACE), '#');
	g_assert_cmpint(wgconf_parse(text->str, text->len, &conf, &diag), ==, -1);
	g_assert_cmpuint(diag.error_line, ==, 4);
	g_assert_cmpstr(diag.error, ==, "the line is longer than 4096 characters");
}

enum { MEBIBYTE = 1 << 20 };

/* Fails on a mebibyte in well under a second (the parser is linear whatever it is given); returns the
 * line of the error. */
static unsigned assert_fails_quickly(const char *text, size_t len)
{
	struct wgconf conf;
	struct wgconf_diagnostics diag;
	gint64 start = g_get_monotonic_time();

	g_assert_cmpint(wgconf_parse(text, len, &conf, &diag), ==, -1);
	g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
	g_test_message("line %u: %s", diag.error_line, diag.error);
	g_assert_cmpuint(strlen(diag.error), >, 0);
	return diag.error_line;
}

/* A mebibyte of text made by repeating line after head. */
static GString *repeated(const char *head, const char *line)
{
	GString *text = g_string_new(head);

	while (text->len + strlen(line) <= MEBIBYTE)
		g_string_append(text, line);
	return text;
}

static void test_mebibyte_of_garbage(void)
{
	static const char alphabet[] = "[]=#,:/. \t\r\n\naA0fF9PeerInterface";
	g_autoptr(GRand) rand = g_rand_new_with_seed(20261125);
	g_autofree char *bytes = g_malloc(MEBIBYTE);
	g_autofree char *text = g_malloc(MEBIBYTE);
	g_autoptr(GString) one_line = g_string_new(NULL);
	g_autoptr(GString) addresses = repeated("[Interface]\n", "Address = 10.0.0.1\n");
	g_autoptr(GString) peers = repeated(INTERFACE, "[Peer]\nPublicKey = " PUBLIC_KEY "\n");
	g_autoptr(GString) comments = repeated("", "# [Interface] PrivateKey = nothing\n");
	g_autoptr(GString) newlines = repeated("", "\n");

	for (size_t i = 0; i < MEBIBYTE; i++) {
		bytes[i] = (char)g_rand_int_range(rand, 0, 256);
		text[i] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
	}
	g_string_set_size(one_line, MEBIBYTE);
	memset(one_line->str, 'a', MEBIBYTE);

	assert_fails_quickly(bytes, MEBIBYTE);
	assert_fails_quickly(text, MEBIBYTE);
	g_assert_cmpuint(assert_fails_quickly(one_line->str, one_line->len), ==, 1);
	g_assert_cmpuint(assert_fails_quickly(addresses->str, addresses->len), ==, 2 + WGCONF_MAX_LIST);
	g_assert_cmpuint(assert_fails_quickly(peers->str, peers->len), ==, 4 + 2 * WGCONF_MAX_PEERS);
	g_assert_cmpuint(assert_fails_quickly(comments->str, comments->len), ==, 0);
	g_assert_cmpuint(assert_fails_quickly(newlines->str, newlines->len), ==, 0);
}

static void test_free_zeroed(void)
{
	struct wgconf conf = {0};
	struct wgconf_diagnostics diag;

	wgconf_free(&conf);
	wgconf_free(NULL);
	/* wgconf_free leaves a zeroed struct, so a second call is harmless too. */
	parse_good(INTERFACE PEER, &conf, &diag);
	wgconf_free(&conf);
	g_assert_null(conf.peers);
	wgconf_free(&conf);
}

static void test_no_diagnostics(void)
{
	struct wgconf conf;

	g_assert_cmpint(wgconf_parse(INTERFACE PEER, strlen(INTERFACE PEER), &conf, NULL), ==, 0);
	wgconf_free(&conf);
	g_assert_cmpint(wgconf_parse(INTERFACE, strlen(INTERFACE), &conf, NULL), ==, -1);
	g_assert_cmpint(wgconf_parse(NULL, 0, &conf, NULL), ==, -1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wgconf/mullvad-file", test_mullvad_file);
	g_test_add_func("/wgconf/comments-and-blanks", test_comments_and_blanks);
	g_test_add_func("/wgconf/repeated-address-and-dns", test_repeated_address_and_dns);
	g_test_add_func("/wgconf/endpoints", test_endpoints);
	g_test_add_func("/wgconf/crlf", test_crlf);
	g_test_add_func("/wgconf/mixed-case", test_mixed_case);
	g_test_add_func("/wgconf/preshared-key-and-keepalive", test_preshared_key_and_keepalive);
	g_test_add_func("/wgconf/warnings", test_warnings);
	g_test_add_func("/wgconf/many-warnings", test_many_warnings);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_files); i++) {
		g_autofree char *path = g_strconcat("/wgconf/error/", bad_files[i].name, NULL);

		g_test_add_data_func(path, &bad_files[i], test_bad_file);
	}
	g_test_add_func("/wgconf/long-line", test_long_line);
	g_test_add_func("/wgconf/mebibyte-of-garbage", test_mebibyte_of_garbage);
	g_test_add_func("/wgconf/free-zeroed", test_free_zeroed);
	g_test_add_func("/wgconf/no-diagnostics", test_no_diagnostics);
	return g_test_run();
}
