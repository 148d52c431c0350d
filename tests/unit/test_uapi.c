/* UAPI: set requests as wg(8) writes them, every key and every refusal with its errno and message,
 * keys kept out of messages, the get answer byte for byte, round trips and the request framer. */
#include <errno.h>
#include <glib.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>

#include "support.h"
#include "uapi/address.h"
#include "uapi/uapi.h"

#define PRIVATE_HEX "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
/* PRIVATE_HEX clamped: the low three bits of the first byte cleared, bit 254 set, bit 255 cleared. */
#define CLAMPED_HEX "70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a"
#define PEER1_HEX "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define PEER2_HEX "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define PSK_HEX "fe0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define ZERO_HEX "0000000000000000000000000000000000000000000000000000000000000000"
/* A secret that must never appear in a message, whole or in part. */
#define SECRET_HEX "e84fb8a1b8f3c8d0a9a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef"
/* The line that starts a peer's section. */
#define PEER1 "public_key=" PEER1_HEX "\n"

static void assert_key(const uint8_t key[WH_KEY_SIZE], const char *hex)
{
	uint8_t expected[WH_KEY_SIZE];

	hex_decode(expected, sizeof(expected), hex);
	g_assert_cmpmem(key, WH_KEY_SIZE, expected, sizeof(expected));
}

static void parse_ok(const char *text, struct wh_config *config)
{
	char error[WH_UAPI_ERROR_SIZE];
	int ret = wh_uapi_parse_set(text, strlen(text), config, error, sizeof(error));

	if (ret != 0)
		g_error("parse of <<%s>> failed with %d: %s", text, ret, error);
	g_assert_cmpstr(error, ==, "");
}

/* Parses text, expecting err and a message that contains message, and an empty config after. */
static void parse_fails(const char *text, size_t len, int err, const char *message)
{
	char error[WH_UAPI_ERROR_SIZE];
	struct wh_config config;
	int ret = wh_uapi_parse_set(text, len, &config, error, sizeof(error));

	if (ret != err || !strstr(error, message))
		g_error("parse of <<%.*s>>: got %d \"%s\", wanted %d \"%s\"", (int)MIN(len, 200), text, ret, error,
			err, message);
	g_assert_cmpuint(config.peer_count, ==, 0);
	g_assert_null(config.peers);
	g_assert_false(config.has_private_key);
}

static void assert_allowed_ip(const struct wh_config_peer *peer, size_t index, const char *expected)
{
	char text[WH_ADDRESS_TEXT_SIZE];
	const struct wh_config_allowed_ip *allowed;

	g_assert_cmpuint(index, <, peer->allowed_ip_count);
	allowed = &peer->allowed_ips[index];
	g_assert_cmpuint(wh_address_format_prefix(text, allowed->family, allowed->ip, allowed->cidr), >, 0);
	g_assert_cmpstr(text, ==, expected);
}

static void assert_endpoint(const struct wh_config_peer *peer, const char *expected)
{
	char text[WH_ADDRESS_TEXT_SIZE];

	g_assert_true(peer->has_endpoint);
	g_assert_cmpuint(wh_address_format_endpoint(text, &peer->endpoint), ==, strlen(expected));
	g_assert_cmpstr(text, ==, expected);
}

/* ---- set: what wg(8) sends ------------------------------------------------------------------- */

/* `wg setconf wg0 file` with two peers: replace_peers, and replace_allowed_ips for every peer. */
static void test_set_setconf(void)
{
	struct wh_config config;
	const struct wh_config_peer *peer;

	parse_ok("private_key=" PRIVATE_HEX "\n"
		 "listen_port=51820\n"
		 "fwmark=4660\n"
		 "replace_peers=true\n"
		 "public_key=" PEER1_HEX "\n"
		 "preshared_key=" PSK_HEX "\n"
		 "endpoint=192.0.2.1:51820\n"
		 "persistent_keepalive_interval=25\n"
		 "replace_allowed_ips=true\n"
		 "allowed_ip=10.0.0.2/32\n"
		 "allowed_ip=fd00::2/128\n"
		 "public_key=" PEER2_HEX "\n"
		 "endpoint=[2001:db8::1]:51821\n"
		 "replace_allowed_ips=true\n"
		 "allowed_ip=0.0.0.0/0\n"
		 "allowed_ip=::/0\n"
		 "\n",
		 &config);
	g_assert_true(config.has_private_key);
	assert_key(config.private_key, CLAMPED_HEX);
	g_assert_true(config.has_listen_port);
	g_assert_cmpuint(config.listen_port, ==, 51820);
	g_assert_true(config.has_fwmark);
	g_assert_cmpuint(config.fwmark, ==, 4660);
	g_assert_true(config.replace_peers);
	g_assert_cmpuint(config.peer_count, ==, 2);

	peer = &config.peers[0];
	assert_key(peer->public_key, PEER1_HEX);
	g_assert_false(peer->remove);
	g_assert_false(peer->update_only);
	g_assert_true(peer->has_preshared_key);
	assert_key(peer->preshared_key, PSK_HEX);
	assert_endpoint(peer, "192.0.2.1:51820");
	g_assert_cmpuint(peer->endpoint.family, ==, AF_INET);
	g_assert_cmpuint(peer->endpoint.port, ==, 51820);
	g_assert_true(peer->has_persistent_keepalive);
	g_assert_cmpuint(peer->persistent_keepalive_interval, ==, 25);
	g_assert_true(peer->replace_allowed_ips);
	g_assert_cmpuint(peer->allowed_ip_count, ==, 2);
	assert_allowed_ip(peer, 0, "10.0.0.2/32");
	assert_allowed_ip(peer, 1, "fd00::2/128");

	peer = &config.peers[1];
	assert_key(peer->public_key, PEER2_HEX);
	g_assert_false(peer->has_preshared_key);
	assert_endpoint(peer, "[2001:db8::1]:51821");
	g_assert_cmpuint(peer->endpoint.family, ==, AF_INET6);
	g_assert_false(peer->has_persistent_keepalive);
	g_assert_true(peer->replace_allowed_ips);
	assert_allowed_ip(peer, 0, "0.0.0.0/0");
	assert_allowed_ip(peer, 1, "::/0");
	wh_config_free(&config);
	g_assert_null(config.peers);
	g_assert_cmpuint(config.peer_count, ==, 0);
}

/* `wg set wg0 peer ... endpoint ... persistent-keepalive off preshared-key /dev/null`, then one
 * with update_only and protocol_version as wireguard-go's own tests send them. */
static void test_set_peer_update(void)
{
	struct wh_config config;
	const struct wh_config_peer *peer;

	parse_ok("public_key=" PEER1_HEX "\n"
		 "preshared_key=" ZERO_HEX "\n"
		 "endpoint=[fe80::1%3]:51820\n"
		 "persistent_keepalive_interval=0\n"
		 "public_key=" PEER2_HEX "\n"
		 "update_only=true\n"
		 "protocol_version=1\n"
		 "allowed_ip=192.0.2.0/24\n",
		 &config);
	g_assert_false(config.has_private_key);
	g_assert_false(config.has_listen_port);
	g_assert_false(config.has_fwmark);
	g_assert_false(config.replace_peers);
	g_assert_cmpuint(config.peer_count, ==, 2);
	peer = &config.peers[0];
	g_assert_true(peer->has_preshared_key);
	g_assert_true(sodium_is_zero(peer->preshared_key, WH_KEY_SIZE));
	assert_endpoint(peer, "[fe80::1%3]:51820");
	g_assert_cmpuint(peer->endpoint.scope_id, ==, 3);
	g_assert_true(peer->has_persistent_keepalive);
	g_assert_cmpuint(peer->persistent_keepalive_interval, ==, 0);
	g_assert_false(peer->replace_allowed_ips);
	g_assert_cmpuint(peer->allowed_ip_count, ==, 0);
	peer = &config.peers[1];
	g_assert_true(peer->update_only);
	g_assert_false(peer->replace_allowed_ips);
	assert_allowed_ip(peer, 0, "192.0.2.0/24");
	wh_config_free(&config);
}

/* `wg set wg0 peer ... remove`, and the same key twice in one request: both entries, in order. */
static void test_set_remove_and_repeat(void)
{
	struct wh_config config;

	parse_ok("public_key=" PEER1_HEX "\nremove=true\npublic_key=" PEER1_HEX "\nallowed_ip=10.0.0.1/32\n", &config);
	g_assert_cmpuint(config.peer_count, ==, 2);
	g_assert_true(config.peers[0].remove);
	g_assert_false(config.peers[1].remove);
	assert_key(config.peers[1].public_key, PEER1_HEX);
	assert_allowed_ip(&config.peers[1], 0, "10.0.0.1/32");
	wh_config_free(&config);
}

/* An all-zero private key removes it and is not clamped; keys take upper-case hex as Go's does. */
static void test_set_private_key_forms(void)
{
	struct wh_config config;
	g_autofree char *upper = g_ascii_strup("private_key=" PRIVATE_HEX "\n", -1);

	parse_ok("private_key=" ZERO_HEX "\n", &config);
	g_assert_true(config.has_private_key);
	g_assert_true(sodium_is_zero(config.private_key, WH_KEY_SIZE));
	wh_config_free(&config);

	memcpy(upper, "private_key", strlen("private_key"));
	parse_ok(upper, &config);
	assert_key(config.private_key, CLAMPED_HEX);
	wh_config_free(&config);

	/* The last one wins, as each line is applied in turn. */
	parse_ok("listen_port=1\nlisten_port=2\nfwmark=0\n", &config);
	g_assert_cmpuint(config.listen_port, ==, 2);
	g_assert_true(config.has_fwmark);
	g_assert_cmpuint(config.fwmark, ==, 0);
	wh_config_free(&config);
}

/* wireguard-go runs replace_allowed_ips when it reads it, dropping what came before it. */
static void test_set_replace_allowed_ips_in_order(void)
{
	struct wh_config config;

	parse_ok("public_key=" PEER1_HEX "\nallowed_ip=10.0.0.1/32\nreplace_allowed_ips=true\nallowed_ip=10.0.0.2/32\n",
		 &config);
	g_assert_true(config.peers[0].replace_allowed_ips);
	g_assert_cmpuint(config.peers[0].allowed_ip_count, ==, 1);
	assert_allowed_ip(&config.peers[0], 0, "10.0.0.2/32");
	wh_config_free(&config);
}

/* '\r' before '\n' is dropped, the blank line ends the body, the last line may lack its '\n'. */
static void test_set_line_endings(void)
{
	struct wh_config config;

	parse_ok("listen_port=7\r\npublic_key=" PEER1_HEX "\r\n\r\n", &config);
	g_assert_cmpuint(config.listen_port, ==, 7);
	g_assert_cmpuint(config.peer_count, ==, 1);
	wh_config_free(&config);
	parse_ok("listen_port=8", &config);
	g_assert_cmpuint(config.listen_port, ==, 8);
	wh_config_free(&config);
	parse_ok("", &config);
	g_assert_false(config.has_listen_port);
	wh_config_free(&config);
	parse_ok("\n", &config);
	wh_config_free(&config);
}

/* A value for a peer key ("endpoint" or "allowed_ip") and how it is stored once parsed (as text), or
 * the problem a refusal names. */
struct value_case {
	const char *value, *expected;
};

/* Parses each value after a public_key line and checks what the peer holds. */
static void check_peer_values(const char *key, const struct value_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		g_autofree char *text = g_strdup_printf(PEER1 "%s=%s\n", key, cases[i].value);
		struct wh_config config;

		parse_ok(text, &config);
		if (strcmp(key, "endpoint") == 0)
			assert_endpoint(&config.peers[0], cases[i].expected);
		else
			assert_allowed_ip(&config.peers[0], 0, cases[i].expected);
		wh_config_free(&config);
	}
}

/* Each value after a public_key line is refused with -EINVAL, the value quoted and the problem named. */
static void check_peer_value_refusals(const char *key, const struct value_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		g_autofree char *text = g_strdup_printf(PEER1 "%s=%s\n", key, cases[i].value);
		g_autofree char *message = g_strdup_printf("line 3: %s: \"%s\": %s", key, cases[i].value, cases[i].expected);

		parse_fails(text, strlen(text), -EINVAL, message);
	}
}

static void test_set_allowed_ip_forms(void)
{
	static const struct value_case cases[] = {
		{"10.0.0.2/32", "10.0.0.2/32"},
		{"10.1.2.3/8", "10.0.0.0/8"}, /* host bits cleared as wireguard-go's trie clears them */
		{"192.0.2.255/25", "192.0.2.128/25"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"1.2.3.4/0", "0.0.0.0/0"},
		{"::/0", "::/0"},
		{"FD00::ABCD/128", "fd00::abcd/128"},
		{"2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"},
		{"2001:0db8:0000:0000:0000:0000:0000:0001/64", "2001:db8::/64"},
		{"2001:db8::1/33", "2001:db8::/33"},
		{"::ffff:192.0.2.1/128", "::ffff:192.0.2.1/128"}, /* IPv4-mapped stays IPv6, as in Go */
		{"::1.2.3.4/128", "::102:304/128"},
		{"1:0:1:0:1:0:1:0/128", "1:0:1:0:1:0:1:0/128"},
		{"1:0:0:1:0:0:0:1/128", "1:0:0:1::1/128"},
		{"1:0:0:1:0:0:1:1/128", "1::1:0:0:1:1/128"},
		{"0:0:0:0:0:0:0:1/128", "::1/128"},
		{"1::/16", "1::/16"},
		{"a:b:c:d:e:f:1.2.3.4/128", "a:b:c:d:e:f:102:304/128"},
	};

	check_peer_values("allowed_ip", cases, G_N_ELEMENTS(cases));
}

static void test_set_endpoint_forms(void)
{
	static const struct value_case cases[] = {
		{"192.0.2.1:51820", "192.0.2.1:51820"},
		{"0.0.0.0:0", "0.0.0.0:0"},
		{"255.255.255.255:65535", "255.255.255.255:65535"},
		{"192.0.2.1:051820", "192.0.2.1:51820"}, /* strconv.ParseUint takes leading zeros */
		{"[2001:DB8::1]:51820", "[2001:db8::1]:51820"},
		{"[::1]:1", "[::1]:1"},
		{"[fe80::1%4294967295]:1", "[fe80::1%4294967295]:1"},
		{"[::ffff:192.0.2.1]:80", "[::ffff:192.0.2.1]:80"},
	};

	check_peer_values("endpoint", cases, G_N_ELEMENTS(cases));
}

/* ---- set: every refusal ----------------------------------------------------------------------- */

struct refusal {
	const char *text;
	int err;
	const char *message;
};

static void check_refusals(const struct refusal *cases, size_t count)
{
	for (size_t i = 0; i < count; i++)
		parse_fails(cases[i].text, strlen(cases[i].text), cases[i].err, cases[i].message);
}

static void test_refuse_keys(void)
{
	static const struct refusal cases[] = {
		{"private_key=abc\n", -EINVAL, "line 2: private_key: not 64 hex digits (3 characters)"},
		{"private_key=\n", -EINVAL, "line 2: private_key: not 64 hex digits (0 characters)"},
		{"private_key=" PRIVATE_HEX "00\n", -EINVAL, "line 2: private_key: not 64 hex digits (66 characters)"},
		{"private_key=77076d0a7g18a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a\n", -EINVAL,
		 "line 2: private_key: character 10 is not a hex digit"},
		{"private_key= 7076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a\n", -EINVAL,
		 "line 2: private_key: character 1 is not a hex digit"},
		{PEER1 "public_key=" PEER2_HEX "x\n", -EINVAL, "line 3: public_key: not 64 hex digits (65 characters)"},
		{"public_key=8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6Z\n", -EINVAL,
		 "line 2: public_key: character 64 is not a hex digit"},
		{PEER1 "preshared_key=1234\n", -EINVAL, "line 3: preshared_key: not 64 hex digits (4 characters)"},
	};

	check_refusals(cases, G_N_ELEMENTS(cases));
}

static void test_refuse_keys_and_places(void)
{
	static const struct refusal cases[] = {
		{"foo=bar\n", -EINVAL, "line 2: unknown key \"foo\""},
		{"=1\n", -EINVAL, "line 2: unknown key (0 bytes, not shown)"},
		{"deadbeef=1\n", -EINVAL, "line 2: unknown key (8 bytes, not shown)"},
		{"jc=1\n", -EINVAL, "line 2: unknown key \"jc\""},
		{"Listen_Port=1\n", -EINVAL, "line 2: unknown key (11 bytes, not shown)"},
		{"listen_port =1\n", -EINVAL, "line 2: unknown key (12 bytes, not shown)"},
		{PEER1 "rx_bytes=1\n", -EINVAL, "line 3: unknown key \"rx_bytes\""},
		{PEER1 "last_handshake_time_sec=1\n", -EINVAL, "line 3: unknown key \"last_handshake_time_sec\""},
		{"get=1\n", -EINVAL, "line 2: unknown key \"get\""},
		{"endpoint=192.0.2.1:1\n", -EINVAL, "line 2: endpoint: a peer key before any public_key"},
		{"allowed_ip=10.0.0.0/8\n", -EINVAL, "line 2: allowed_ip: a peer key before any public_key"},
		{"protocol_version=1\n", -EINVAL, "line 2: protocol_version: a peer key before any public_key"},
		{"remove=true\n", -EINVAL, "line 2: remove: a peer key before any public_key"},
		{PEER1 "listen_port=1\n", -EINVAL, "line 3: listen_port: a device key after the first public_key"},
		{PEER1 "replace_peers=true\n", -EINVAL, "line 3: replace_peers: a device key after the first public_key"},
		{PEER1 "fwmark=1\n", -EINVAL, "line 3: fwmark: a device key after the first public_key"},
		{PEER1 "private_key=" PRIVATE_HEX "\n", -EINVAL, "line 3: private_key: a device key after"},
		{"listen_port=1\nno equals sign\n", -EPROTO, "line 3: no '=' in a line of 14 bytes (not shown)"},
		{"listen_port=1\n\nlisten_port=2\n", -EPROTO, "line 3: text after the blank line that ends the request"},
	};

	check_refusals(cases, G_N_ELEMENTS(cases));
}

static void test_refuse_numbers_and_flags(void)
{
	static const struct refusal cases[] = {
		{"listen_port=65536\n", -EINVAL, "line 2: listen_port: \"65536\" is not a number from 0 to 65535"},
		{"listen_port=-1\n", -EINVAL, "listen_port: \"-1\" is not a number from 0 to 65535"},
		{"listen_port=+1\n", -EINVAL, "listen_port: \"+1\" is not a number"},
		{"listen_port=\n", -EINVAL, "listen_port: \"\" is not a number"},
		{"listen_port= 1\n", -EINVAL, "listen_port: \" 1\" is not a number"},
		{"listen_port=99999999999999999999999\n", -EINVAL, "is not a number from 0 to 65535"},
		{"fwmark=4294967296\n", -EINVAL, "line 2: fwmark: \"4294967296\" is not a number from 0 to 4294967295"},
		{"fwmark=0x10\n", -EINVAL, "fwmark: \"0x10\" is not a number"},
		{PEER1 "persistent_keepalive_interval=65536\n", -EINVAL,
		 "line 3: persistent_keepalive_interval: \"65536\" is not a number from 0 to 65535"},
		{PEER1 "persistent_keepalive_interval=off\n", -EINVAL, "\"off\" is not a number"},
		{"replace_peers=false\n", -EINVAL, "line 2: replace_peers: \"false\" is not \"true\""},
		{PEER1 "remove=yes\n", -EINVAL, "line 3: remove: \"yes\" is not \"true\""},
		{PEER1 "update_only=1\n", -EINVAL, "line 3: update_only: \"1\" is not \"true\""},
		{PEER1 "replace_allowed_ips=TRUE\n", -EINVAL, "line 3: replace_allowed_ips: \"TRUE\" is not \"true\""},
		{PEER1 "protocol_version=2\n", -EINVAL, "line 3: protocol_version: version \"2\" is not supported (only 1 is)"},
		{PEER1 "protocol_version=01\n", -EINVAL, "version \"01\" is not supported"},
		{"listen_port=\x01\xff\"\\\n", -EINVAL, "listen_port: \"\\x01\\xff\\x22\\x5c\" is not a number"},
	};

	check_refusals(cases, G_N_ELEMENTS(cases));
}

static void test_refuse_endpoints(void)
{
	static const struct value_case cases[] = {
		{"192.0.2.1", "no ':port'"},
		{"192.0.2.1:", "no port after ':'"},
		{"192.0.2.1:65536", "port that is not a number from 0 to 65535"},
		{"192.0.2.1:-1", "port that is not a number"},
		{":51820", "no address before ':port'"},
		{"example.com:51820", "unexpected character in an IPv4 address"},
		{"localhost:51820", "unexpected character in an IPv4 address"},
		{"2001:db8::1:51820", "IPv6 address without square brackets"},
		{"[2001:db8::1:51820", "'[' without its ']'"},
		{"[2001:db8::1]51820", "'[' without its ']'"},
		{"[192.0.2.1]:51820", "square brackets around an address that is not IPv6"},
		{"[]:1", "square brackets around an address that is not IPv6"},
		{"[fe80::1%eth0]:51820", "scope that is not an interface index"},
		{"[fe80::1%]:51820", "empty scope after '%'"},
		{"[fe80::1%4294967296]:1", "scope that is not an interface index"},
		{"192.0.2.1%1:1", "unexpected character in an IPv4 address"},
		{"192.0.2.01:1", "IPv4 field with a leading zero"},
		{"192.0.2.256:1", "IPv4 field above 255"},
		{"192.0.2:1", "fewer than four IPv4 fields"},
		{"192.0.2.1.5:1", "more than four IPv4 fields"},
		{"192..2.1:1", "empty IPv4 field"},
		{"192.0.2.:1", "empty IPv4 field"},
		{" 192.0.2.1:1", "unexpected character in an IPv4 address"},
		{"[1::2::3]:1", "more than one \"::\""},
		{"[12345::]:1", "IPv6 field of more than four hex digits"},
		{"[1:2:3:4:5:6:7:8:9]:1", "characters after eight IPv6 fields"},
		{"[1:2:3:4:5:6:7::8]:1", "\"::\" standing for no zero field"},
		{"[1:2:3:4:5:6:7]:1", "fewer than eight IPv6 fields"},
		{"[1:]:1", "IPv6 address ending in a single colon"},
		{"[:1::]:1", "empty IPv6 field"},
		{"[:::]:1", "empty IPv6 field"},
		{"[1:2:3:4:5:6:7:1.2.3.4]:1", "embedded IPv4 address not in the last two IPv6 fields"},
		{"[1.2.3.4::]:1", "embedded IPv4 address not in the last two IPv6 fields"},
		{"[::1.2.3]:1", "fewer than four IPv4 fields"},
		{"[::g]:1", "empty IPv6 field"},
		{"[::1 ]:1", "unexpected character in an IPv6 address"},
	};

	check_peer_value_refusals("endpoint", cases, G_N_ELEMENTS(cases));
}

static void test_refuse_prefixes(void)
{
	static const struct value_case cases[] = {
		{"10.0.0.0", "no '/cidr'"},
		{"10.0.0.0/", "cidr that is not a number"},
		{"10.0.0.0/33", "cidr above 32 for IPv4"},
		{"::/129", "cidr above 128 for IPv6"},
		{"10.0.0.0/4294967328", "cidr above 32 for IPv4"},
		{"10.0.0.0/08", "cidr with a sign or a leading zero"},
		{"10.0.0.0/+8", "cidr with a sign or a leading zero"},
		{"10.0.0.0/-1", "cidr with a sign or a leading zero"},
		{"10.0.0.0/ 8", "cidr with a sign or a leading zero"},
		{"10.0.0.0/8 ", "cidr that is not a number"},
		{"10.0.0/8", "fewer than four IPv4 fields"},
		{"/8", "no address"},
		{"fe80::%1/64", "scope in a prefix"},
		{"10.0.0.0/8/8", "unexpected character in an IPv4 address"}, /* the last '/' splits */
		{"fd00::1::/64", "more than one \"::\""},
	};

	check_peer_value_refusals("allowed_ip", cases, G_N_ELEMENTS(cases));
}

/* Lines and requests too long, too many peers or allowed IPs; NULL or tiny error buffers. */
static void test_refuse_limits(void)
{
	g_autoptr(GString) text = g_string_new("listen_port=");
	char error[16];
	struct wh_config config;

	g_string_append_printf(text, "%0*d\n", WH_UAPI_MAX_LINE - (int)strlen("listen_port="), 7);
	parse_ok(text->str, &config);
	g_assert_cmpuint(config.listen_port, ==, 7);
	wh_config_free(&config);
	g_string_printf(text, "listen_port=1\nlisten_port=%0*d\n", WH_UAPI_MAX_LINE - (int)strlen("listen_port=") + 1, 7);
	parse_fails(text->str, text->len, -EIO, "line 3: longer than 1024 bytes");

	g_string_truncate(text, 0);
	for (int i = 0; i <= WH_UAPI_MAX_PEERS; i++)
		g_string_append_printf(text, "public_key=%064x\n", i);
	parse_fails(text->str, text->len, -ENOMEM, "line 65538: public_key: more than 65536 peers in one request");
	g_string_truncate(text, text->len - strlen("public_key=") - 65);
	parse_ok(text->str, &config);
	g_assert_cmpuint(config.peer_count, ==, WH_UAPI_MAX_PEERS);
	wh_config_free(&config);

	g_string_assign(text, PEER1);
	for (int i = 0; i <= WH_UAPI_MAX_ALLOWED_IPS; i++)
		g_string_append_printf(text, "allowed_ip=10.%d.%d.%d/32\n", i >> 16, (i >> 8) & 255, i & 255);
	parse_fails(text->str, text->len, -ENOMEM, "line 262147: allowed_ip: more than 262144 allowed IPs in one request");

	g_string_truncate(text, 0);
	while (text->len <= WH_UAPI_MAX_REQUEST)
		g_string_append(text, "listen_port=51820\n");
	parse_fails(text->str, text->len, -EIO, "request of more than 16777216 bytes");

	g_assert_cmpint(wh_uapi_parse_set("foo=1\n", 6, &config, NULL, 0), ==, -EINVAL);
	g_assert_cmpint(wh_uapi_parse_set("foo=1\n", 6, &config, error, sizeof(error)), ==, -EINVAL);
	g_assert_cmpstr(error, ==, "line 2: unknown");
	g_assert_cmpint(wh_uapi_parse_set("listen_port=65536\n", 18, &config, error, 1), ==, -EINVAL);
	g_assert_cmpstr(error, ==, "");
}

/* No message shows a private or preshared key, whole or any 12 characters of it. */
static void test_keys_never_in_messages(void)
{
	static const char *const cases[] = {
		"private_key=" SECRET_HEX "0\n",
		"private_key=" SECRET_HEX "\n" PEER1 "private_key=" SECRET_HEX "\n",
		"private_key=e84fb8a1b8f3c8d0a9a1b2c3d4e5f607x8293a4b5c6d7e8f9012345678abcdef\n",
		"private_key" SECRET_HEX "\n",
		"private_key:" SECRET_HEX "\n",
		SECRET_HEX "=1\n",
		"e84fb8a1b8f3c8d0a9a1b2c3=" SECRET_HEX "\n",
		"privatekey=" SECRET_HEX "\n",
		PEER1 "preshared_key=" SECRET_HEX "ff\n",
		PEER1 "preshared_key=e84fb8a1b8f3c8d0a9a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdeg\n",
		PEER1 "preshared_key " SECRET_HEX "\n",
		"preshared_key=" SECRET_HEX "\n",
		PEER1 "preshared_key=" SECRET_HEX "\nprotocol_version=2\n",
	};
	const char *secret = SECRET_HEX;
	const size_t window = 12;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char error[WH_UAPI_ERROR_SIZE];
		struct wh_config config;

		g_assert_cmpint(wh_uapi_parse_set(cases[i], strlen(cases[i]), &config, error, sizeof(error)), <, 0);
		g_assert_cmpstr(error, !=, "");
		for (size_t start = 0; start + window <= strlen(secret); start++) {
			g_autofree char *part = g_strndup(secret + start, window);

			if (strstr(error, part))
				g_error("case %zu: message \"%s\" shows part of the key", i, error);
		}
	}
}

/* ---- get -------------------------------------------------------------------------------------- */

static void add_allowed(struct wh_config_peer *peer, const char *prefix)
{
	uint16_t family;
	uint8_t ip[16], cidr;

	g_assert_null(wh_address_parse_prefix(&family, ip, &cidr, prefix, strlen(prefix)));
	g_assert_cmpint(wh_config_peer_add_allowed_ip(peer, family, ip, cidr), ==, 0);
}

static void set_endpoint(struct wh_config_peer *peer, const char *text)
{
	g_assert_null(wh_address_parse_endpoint(&peer->endpoint, text, strlen(text)));
	peer->has_endpoint = true;
}

/* A device with two peers: what wireguard-go's IpcGetOperation writes for it, line for line. */
static void test_get_two_peers(void)
{
	static const char expected[] = "private_key=" CLAMPED_HEX "\n"
				       "listen_port=51820\n"
				       "fwmark=4660\n"
				       "public_key=" PEER1_HEX "\n"
				       "preshared_key=" PSK_HEX "\n"
				       "protocol_version=1\n"
				       "endpoint=192.0.2.1:51820\n"
				       "last_handshake_time_sec=1767225600\n"
				       "last_handshake_time_nsec=123456789\n"
				       "tx_bytes=18446744073709551615\n"
				       "rx_bytes=2048\n"
				       "persistent_keepalive_interval=25\n"
				       "allowed_ip=10.0.0.2/32\n"
				       "allowed_ip=10.1.0.0/16\n"
				       "public_key=" PEER2_HEX "\n"
				       "preshared_key=" ZERO_HEX "\n"
				       "protocol_version=1\n"
				       "endpoint=[2001:db8::2]:51821\n"
				       "last_handshake_time_sec=0\n"
				       "last_handshake_time_nsec=0\n"
				       "tx_bytes=0\n"
				       "rx_bytes=0\n"
				       "persistent_keepalive_interval=0\n"
				       "allowed_ip=fd00::2/128\n"
				       "allowed_ip=::/0\n";
	struct wh_config snapshot;
	struct wh_config_peer *peer;
	uint8_t key[WH_KEY_SIZE];
	char *text;
	size_t len;

	wh_config_init(&snapshot);
	snapshot.has_private_key = true;
	hex_decode(snapshot.private_key, WH_KEY_SIZE, CLAMPED_HEX);
	snapshot.has_listen_port = true;
	snapshot.listen_port = 51820;
	snapshot.has_fwmark = true;
	snapshot.fwmark = 4660;

	hex_decode(key, sizeof(key), PEER1_HEX);
	peer = wh_config_add_peer(&snapshot, key);
	hex_decode(peer->preshared_key, WH_KEY_SIZE, PSK_HEX);
	set_endpoint(peer, "192.0.2.1:51820");
	peer->last_handshake_time_sec = 1767225600;
	peer->last_handshake_time_nsec = 123456789;
	peer->tx_bytes = UINT64_MAX;
	peer->rx_bytes = 2048;
	peer->persistent_keepalive_interval = 25;
	add_allowed(peer, "10.0.0.2/32");
	add_allowed(peer, "10.1.0.0/16");

	hex_decode(key, sizeof(key), PEER2_HEX);
	peer = wh_config_add_peer(&snapshot, key);
	set_endpoint(peer, "[2001:db8::2]:51821");
	add_allowed(peer, "fd00::2/128");
	add_allowed(peer, "::/0");

	g_assert_cmpint(wh_uapi_format_get(&snapshot, &text, &len), ==, 0);
	g_assert_cmpuint(len, ==, strlen(text));
	g_assert_cmpstr(text, ==, expected);
	wh_uapi_free_text(text, len);
	wh_config_free(&snapshot);
}

/* Zero or absent device fields are left out; a peer without endpoint has no endpoint line. */
static void test_get_omissions(void)
{
	struct wh_config snapshot;
	struct wh_config_peer *peer;
	uint8_t key[WH_KEY_SIZE];
	char *text;
	size_t len;

	wh_config_init(&snapshot);
	g_assert_cmpint(wh_uapi_format_get(&snapshot, &text, &len), ==, 0);
	g_assert_cmpuint(len, ==, 0);
	g_assert_cmpstr(text, ==, "");
	wh_uapi_free_text(text, len);

	snapshot.has_private_key = true; /* all zero */
	snapshot.has_listen_port = true; /* 0 */
	snapshot.has_fwmark = true;      /* 0 */
	snapshot.listen_port = 1;        /* without has_listen_port it would not count */
	snapshot.has_listen_port = false;
	hex_decode(key, sizeof(key), PEER1_HEX);
	peer = wh_config_add_peer(&snapshot, key);
	peer->endpoint.family = AF_INET; /* has_endpoint is false */
	peer->last_handshake_time_sec = 1;
	g_assert_cmpint(wh_uapi_format_get(&snapshot, &text, &len), ==, 0);
	g_assert_cmpstr(text, ==,
			"public_key=" PEER1_HEX "\npreshared_key=" ZERO_HEX "\nprotocol_version=1\n"
			"last_handshake_time_sec=1\nlast_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\n"
			"persistent_keepalive_interval=0\n");
	wh_uapi_free_text(text, len);
	wh_config_free(&snapshot);
	wh_uapi_free_text(NULL, 0);
}

static void test_get_endpoint_and_prefix_text(void)
{
	static const char *const endpoints[] = {
		"[fe80::1%3]:51820", "[::ffff:10.0.0.1]:1", "[::]:0", "[1:0:1:0:1:0:1:0]:1", "[2001:db8:0:1::]:2",
		"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535",
	};
	char text[WH_ADDRESS_TEXT_SIZE];
	struct wh_endpoint endpoint;

	for (size_t i = 0; i < G_N_ELEMENTS(endpoints); i++) {
		g_assert_null(wh_address_parse_endpoint(&endpoint, endpoints[i], strlen(endpoints[i])));
		g_assert_cmpuint(wh_address_format_endpoint(text, &endpoint), ==, strlen(endpoints[i]));
		g_assert_cmpstr(text, ==, endpoints[i]);
	}
	memset(&endpoint, 0, sizeof(endpoint));
	g_assert_cmpuint(wh_address_format_endpoint(text, &endpoint), ==, 0);
	g_assert_cmpuint(wh_address_format_prefix(text, 0, endpoint.addr, 0), ==, 0);
}

/* ---- round trips ------------------------------------------------------------------------------ */

/* The get answer without the lines a set request cannot carry. */
static char *settable_lines(const char *text)
{
	static const char *const get_only[] = {"last_handshake_time_sec=", "last_handshake_time_nsec=", "tx_bytes=",
					       "rx_bytes="};
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *kept = g_string_new(NULL);

	for (char **line = lines; *line && **line; line++) {
		bool skip = false;

		for (size_t i = 0; i < G_N_ELEMENTS(get_only); i++)
			skip = skip || g_str_has_prefix(*line, get_only[i]);
		if (!skip)
			g_string_append_printf(kept, "%s\n", *line);
	}
	return g_string_free(kept, FALSE);
}

static void random_bytes(uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)g_test_rand_int_range(0, 256);
}

static void random_endpoint(struct wh_endpoint *endpoint)
{
	memset(endpoint, 0, sizeof(*endpoint));
	endpoint->port = (uint16_t)g_test_rand_int_range(0, 65536);
	if (g_test_rand_bit()) {
		endpoint->family = AF_INET;
		random_bytes(endpoint->addr, 4);
		return;
	}
	endpoint->family = AF_INET6;
	random_bytes(endpoint->addr, 16);
	/* Runs of zero fields, so that "::" turns up in all places. */
	for (int i = 0; i < 8; i++)
		if (g_test_rand_int_range(0, 3) == 0)
			endpoint->addr[2 * i] = endpoint->addr[2 * i + 1] = 0;
	if (g_test_rand_int_range(0, 4) == 0)
		endpoint->scope_id = (uint32_t)g_test_rand_int();
}

static void random_snapshot(struct wh_config *snapshot)
{
	int peers = g_test_rand_int_range(0, 5);

	wh_config_init(snapshot);
	snapshot->has_private_key = true;
	random_bytes(snapshot->private_key, WH_KEY_SIZE);
	snapshot->private_key[0] &= 248;
	snapshot->private_key[31] = (uint8_t)((snapshot->private_key[31] & 127) | 64);
	snapshot->has_listen_port = true;
	snapshot->listen_port = (uint16_t)g_test_rand_int_range(1, 65536);
	snapshot->has_fwmark = true;
	snapshot->fwmark = (uint32_t)g_test_rand_int_range(1, G_MAXINT32);
	for (int i = 0; i < peers; i++) {
		uint8_t key[WH_KEY_SIZE];
		struct wh_config_peer *peer;
		int allowed_ips = g_test_rand_int_range(0, 6);

		random_bytes(key, sizeof(key));
		peer = wh_config_add_peer(snapshot, key);
		peer->has_preshared_key = true;
		random_bytes(peer->preshared_key, WH_KEY_SIZE);
		peer->has_endpoint = true;
		random_endpoint(&peer->endpoint);
		peer->has_persistent_keepalive = true;
		peer->persistent_keepalive_interval = (uint16_t)g_test_rand_int_range(0, 65536);
		for (int j = 0; j < allowed_ips; j++) {
			struct wh_endpoint address;
			uint8_t cidr;

			random_endpoint(&address);
			cidr = (uint8_t)g_test_rand_int_range(0, address.family == AF_INET ? 33 : 129);
			wh_address_mask(address.family, address.addr, cidr);
			g_assert_cmpint(wh_config_peer_add_allowed_ip(peer, address.family, address.addr, cidr), ==, 0);
		}
	}
}

static void assert_same_settings(const struct wh_config *a, const struct wh_config *b)
{
	g_assert_cmpmem(a->private_key, WH_KEY_SIZE, b->private_key, WH_KEY_SIZE);
	g_assert_cmpuint(a->has_private_key, ==, b->has_private_key);
	g_assert_cmpuint(a->listen_port, ==, b->listen_port);
	g_assert_cmpuint(a->fwmark, ==, b->fwmark);
	g_assert_cmpuint(a->peer_count, ==, b->peer_count);
	for (size_t i = 0; i < a->peer_count; i++) {
		const struct wh_config_peer *pa = &a->peers[i], *pb = &b->peers[i];

		g_assert_cmpmem(pa->public_key, WH_KEY_SIZE, pb->public_key, WH_KEY_SIZE);
		g_assert_cmpmem(pa->preshared_key, WH_KEY_SIZE, pb->preshared_key, WH_KEY_SIZE);
		g_assert_cmpuint(pa->has_endpoint, ==, pb->has_endpoint);
		g_assert_cmpmem(&pa->endpoint, sizeof(pa->endpoint), &pb->endpoint, sizeof(pb->endpoint));
		g_assert_cmpuint(pa->persistent_keepalive_interval, ==, pb->persistent_keepalive_interval);
		g_assert_cmpuint(pa->allowed_ip_count, ==, pb->allowed_ip_count);
		for (size_t j = 0; j < pa->allowed_ip_count; j++)
			g_assert_cmpmem(&pa->allowed_ips[j], sizeof(pa->allowed_ips[j]), &pb->allowed_ips[j],
					sizeof(pb->allowed_ips[j]));
	}
}

/* parse(format(x)) gives x back for everything set can carry, over random snapshots. */
static void test_round_trip(void)
{
	for (int round = 0; round < 300; round++) {
		struct wh_config snapshot, parsed;
		g_autofree char *settable = NULL;
		char *text;
		size_t len;

		random_snapshot(&snapshot);
		g_assert_cmpint(wh_uapi_format_get(&snapshot, &text, &len), ==, 0);
		settable = settable_lines(text);
		parse_ok(settable, &parsed);
		assert_same_settings(&snapshot, &parsed);
		for (size_t i = 0; i < parsed.peer_count; i++) {
			g_assert_true(parsed.peers[i].has_preshared_key);
			g_assert_true(parsed.peers[i].has_persistent_keepalive);
			g_assert_false(parsed.peers[i].replace_allowed_ips);
		}
		wh_uapi_free_text(text, len);
		wh_config_free(&snapshot);
		wh_config_free(&parsed);
	}
}

/* ---- framing ---------------------------------------------------------------------------------- */

static int frame(const char *buf, bool end_of_stream, struct wh_uapi_request *request)
{
	return wh_uapi_frame(buf, strlen(buf), end_of_stream, request);
}

static void test_frame_requests(void)
{
	static const char set[] = "set=1\nlisten_port=1\npublic_key=" PEER1_HEX "\n\nget=1\n\n";
	struct wh_uapi_request request;
	struct wh_config config;
	size_t first;

	g_assert_cmpint(frame("get=1\n\n", false, &request), ==, 1);
	g_assert_cmpint(request.operation, ==, WH_UAPI_GET);
	g_assert_cmpuint(request.length, ==, 7);
	g_assert_cmpuint(request.body_len, ==, 0);

	g_assert_cmpint(frame(set, false, &request), ==, 1);
	g_assert_cmpint(request.operation, ==, WH_UAPI_SET);
	g_assert_cmpuint(request.body_offset, ==, 6);
	g_assert_cmpuint(request.body_len, ==, strlen("listen_port=1\npublic_key=" PEER1_HEX "\n"));
	first = request.length;
	g_assert_cmpuint(first, ==, strlen(set) - 7);
	g_assert_cmpint(wh_uapi_parse_set(set + request.body_offset, request.body_len, &config, NULL, 0), ==, 0);
	g_assert_cmpuint(config.peer_count, ==, 1);
	wh_config_free(&config);
	/* The next request, pipelined behind the first. */
	g_assert_cmpint(frame(set + first, false, &request), ==, 1);
	g_assert_cmpint(request.operation, ==, WH_UAPI_GET);

	/* Every proper prefix of a request needs more bytes. */
	for (size_t len = 0; len < first; len++)
		g_assert_cmpint(wh_uapi_frame(set, len, false, &request), ==, 0);

	g_assert_cmpint(frame("set=1\n\n", false, &request), ==, 1);
	g_assert_cmpuint(request.body_len, ==, 0);
	g_assert_cmpuint(request.length, ==, 7);
	g_assert_cmpint(frame("set=1\r\nx", false, &request), ==, -EPROTO);
	g_assert_cmpint(frame("set=1\nlisten_port=1\r\n\r\n", false, &request), ==, 1);
	g_assert_cmpuint(request.body_len, ==, strlen("listen_port=1\r\n"));
	g_assert_cmpuint(request.length, ==, strlen("set=1\nlisten_port=1\r\n\r\n"));
}

static void test_frame_refusals(void)
{
	g_autoptr(GString) big = g_string_new("set=1\n");
	struct wh_uapi_request request;

	g_assert_cmpint(frame("GET=1\n\n", false, &request), ==, -EPROTO);
	g_assert_cmpint(frame("x", false, &request), ==, -EPROTO);
	g_assert_cmpint(frame("get=2\n\n", false, &request), ==, -EPROTO);
	g_assert_cmpint(frame("get=1\r\n\r\n", false, &request), ==, -EPROTO);
	g_assert_cmpint(frame("set=1 \n", false, &request), ==, -EPROTO);
	g_assert_cmpint(frame("\n", false, &request), ==, -EPROTO);
	/* wireguard-go answers "get=1\n" followed by anything but '\n' with errno=-22. */
	g_assert_cmpint(frame("get=1\nx", false, &request), ==, -EINVAL);
	g_assert_cmpint(frame("get=1\nlisten_port=1\n\n", false, &request), ==, -EINVAL);

	/* At the end of the stream: a set without its blank line is whole, anything else partial. */
	g_assert_cmpint(frame("", true, &request), ==, 0);
	g_assert_cmpint(frame("get=1\n", true, &request), ==, -EPROTO);
	g_assert_cmpint(frame("get", true, &request), ==, -EPROTO);
	g_assert_cmpint(frame("set=1", true, &request), ==, -EPROTO);
	g_assert_cmpint(frame("set=1\n", true, &request), ==, 1);
	g_assert_cmpuint(request.body_len, ==, 0);
	g_assert_cmpint(frame("set=1\nlisten_port=1\nfwmark=2", true, &request), ==, 1);
	g_assert_cmpuint(request.body_len, ==, strlen("listen_port=1\nfwmark=2"));
	g_assert_cmpuint(request.length, ==, strlen("set=1\nlisten_port=1\nfwmark=2"));

	/* A line over the limit fails as soon as it is seen, finished or not. */
	g_string_append_printf(big, "listen_port=%0*d", WH_UAPI_MAX_LINE - (int)strlen("listen_port="), 1);
	g_assert_cmpint(wh_uapi_frame(big->str, big->len, false, &request), ==, 0);
	g_string_append_c(big, '1');
	g_assert_cmpint(wh_uapi_frame(big->str, big->len, false, &request), ==, -EIO);
	g_string_truncate(big, big->len - 1);
	g_string_append(big, "\n\n");
	g_assert_cmpint(wh_uapi_frame(big->str, big->len, false, &request), ==, 1);

	g_string_assign(big, "set=1\n");
	while (big->len < WH_UAPI_MAX_REQUEST - 32)
		g_string_append(big, "listen_port=51820\n");
	g_assert_cmpint(wh_uapi_frame(big->str, big->len, false, &request), ==, 0);
	while (big->len <= WH_UAPI_MAX_REQUEST)
		g_string_append(big, "listen_port=51820\n");
	g_assert_cmpint(wh_uapi_frame(big->str, big->len, false, &request), ==, -EIO);
	g_string_append(big, "\n");
	g_assert_cmpint(wh_uapi_frame(big->str, big->len, false, &request), ==, -EIO);
}

/* ---- the config arrays ------------------------------------------------------------------------ */

static void test_config_arrays(void)
{
	static const uint8_t ip[16] = {10, 0, 0, 1};
	struct wh_config config;
	struct wh_config_peer *peer;
	uint8_t key[WH_KEY_SIZE] = {0};

	wh_config_init(&config);
	for (int i = 0; i < 1000; i++) {
		key[0] = (uint8_t)i;
		key[1] = (uint8_t)(i >> 8);
		peer = wh_config_add_peer(&config, key);
		g_assert_nonnull(peer);
		memset(peer->preshared_key, i & 0xff, WH_KEY_SIZE);
		for (int j = 0; j < i % 7; j++)
			g_assert_cmpint(wh_config_peer_add_allowed_ip(peer, AF_INET, ip, (uint8_t)j), ==, 0);
	}
	for (int i = 0; i < 1000; i++) {
		peer = &config.peers[i];
		g_assert_cmpuint(peer->public_key[0] | peer->public_key[1] << 8, ==, i);
		g_assert_cmpuint(peer->preshared_key[31], ==, i & 0xff);
		g_assert_cmpuint(peer->allowed_ip_count, ==, i % 7);
		for (int j = 0; j < i % 7; j++)
			g_assert_cmpuint(peer->allowed_ips[j].cidr, ==, j);
	}
	peer = &config.peers[0];
	g_assert_cmpint(wh_config_peer_add_allowed_ip(peer, AF_INET, ip, 33), ==, -EINVAL);
	g_assert_cmpint(wh_config_peer_add_allowed_ip(peer, AF_INET6, ip, 129), ==, -EINVAL);
	g_assert_cmpint(wh_config_peer_add_allowed_ip(peer, AF_UNIX, ip, 0), ==, -EINVAL);
	g_assert_cmpint(wh_config_peer_add_allowed_ip(peer, AF_INET6, ip, 128), ==, 0);
	wh_config_peer_clear_allowed_ips(peer);
	g_assert_cmpuint(peer->allowed_ip_count, ==, 0);
	wh_config_free(&config);
	g_assert_null(config.peers);
	g_assert_cmpuint(config.peer_capacity, ==, 0);
	wh_config_free(&config);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/uapi/set/setconf", test_set_setconf);
	g_test_add_func("/uapi/set/peer-update", test_set_peer_update);
	g_test_add_func("/uapi/set/remove-and-repeat", test_set_remove_and_repeat);
	g_test_add_func("/uapi/set/private-key-forms", test_set_private_key_forms);
	g_test_add_func("/uapi/set/replace-allowed-ips-in-order", test_set_replace_allowed_ips_in_order);
	g_test_add_func("/uapi/set/line-endings", test_set_line_endings);
	g_test_add_func("/uapi/set/allowed-ip-forms", test_set_allowed_ip_forms);
	g_test_add_func("/uapi/set/endpoint-forms", test_set_endpoint_forms);
	g_test_add_func("/uapi/refuse/keys", test_refuse_keys);
	g_test_add_func("/uapi/refuse/keys-and-places", test_refuse_keys_and_places);
	g_test_add_func("/uapi/refuse/numbers-and-flags", test_refuse_numbers_and_flags);
	g_test_add_func("/uapi/refuse/endpoints", test_refuse_endpoints);
	g_test_add_func("/uapi/refuse/prefixes", test_refuse_prefixes);
	g_test_add_func("/uapi/refuse/limits", test_refuse_limits);
	g_test_add_func("/uapi/refuse/keys-never-in-messages", test_keys_never_in_messages);
	g_test_add_func("/uapi/get/two-peers", test_get_two_peers);
	g_test_add_func("/uapi/get/omissions", test_get_omissions);
	g_test_add_func("/uapi/get/endpoint-and-prefix-text", test_get_endpoint_and_prefix_text);
	g_test_add_func("/uapi/round-trip", test_round_trip);
	g_test_add_func("/uapi/frame/requests", test_frame_requests);
	g_test_add_func("/uapi/frame/refusals", test_frame_refusals);
	g_test_add_func("/uapi/config/arrays", test_config_arrays);
	return g_test_run();
}
