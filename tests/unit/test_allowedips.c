/* Allowed-IPs trie: hand-picked overlaps and edge prefixes, then a long random cross-check against a naive table. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/allowedips.h"

enum {
	ADDRESS_MAX = 16,
	DEEP_PEERS = 129, /* one peer per IPv6 cidr 0..128 */
	RANDOM_PEERS = 8,
	RANDOM_BASES = 4,
	RANDOM_OPS = 250000, /* both families mixed: about 125,000 each */
	RANDOM_BATCH = 250,
	RANDOM_BATCH_LOOKUPS = 100,
	DEFAULT_SEED = 0x5eed1e55,
};

/* The table never dereferences a peer, so any distinct addresses serve. */
struct fake_peer {
	int unused;
};

static struct fake_peer fake_peers[DEEP_PEERS];

static struct wh_peer *peer(int index)
{
	return (struct wh_peer *)&fake_peers[index];
}

static int peer_index(const struct wh_peer *p)
{
	return p ? (int)((const struct fake_peer *)p - fake_peers) : -1;
}

static size_t address_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static unsigned int address_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static int parse_ip(const char *text, uint8_t ip[ADDRESS_MAX])
{
	memset(ip, 0, ADDRESS_MAX);
	if (inet_pton(AF_INET, text, ip) == 1)
		return AF_INET;
	g_assert_cmpint(inet_pton(AF_INET6, text, ip), ==, 1);
	return AF_INET6;
}

static int insert_text(struct wh_allowedips *table, const char *text, uint8_t cidr, struct wh_peer *p)
{
	uint8_t ip[ADDRESS_MAX];
	int family = parse_ip(text, ip);

	return wh_allowedips_insert(table, family, ip, cidr, p);
}

static int remove_text(struct wh_allowedips *table, const char *text, uint8_t cidr, struct wh_peer *p)
{
	uint8_t ip[ADDRESS_MAX];
	int family = parse_ip(text, ip);

	return wh_allowedips_remove(table, family, ip, cidr, p);
}

static int lookup_text(const struct wh_allowedips *table, const char *text)
{
	uint8_t ip[ADDRESS_MAX];
	int family = parse_ip(text, ip);

	return peer_index(wh_allowedips_lookup(table, family, ip));
}

/* Formats one prefix as "10.0.0.0/8=a", space separated, into the GString ctx. */
static int append_entry(void *ctx, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *p)
{
	GString *out = ctx;
	char text[INET6_ADDRSTRLEN];

	g_assert_nonnull(inet_ntop(family, ip, text, sizeof(text)));
	g_assert_cmpint(peer_index(p), <, 26);
	g_string_append_printf(out, "%s%s/%u=%c", out->len ? " " : "", text, cidr, 'a' + peer_index(p));
	return 0;
}

static char *walk_string(const struct wh_allowedips *table, struct wh_peer *p)
{
	GString *out = g_string_new(NULL);

	g_assert_cmpint(wh_allowedips_walk(table, p, append_entry, out), ==, 0);
	return g_string_free(out, FALSE);
}

static void test_overlapping_v4(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1), *c = peer(2), *d = peer(3);

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "192.168.4.0", 24, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "192.168.4.4", 32, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "192.168.0.0", 16, c), ==, 0);
	g_assert_cmpint(insert_text(&table, "192.95.5.64", 27, d), ==, 0);
	g_assert_cmpint(insert_text(&table, "192.95.5.65", 32, c), ==, 0);

	g_assert_cmpint(lookup_text(&table, "192.168.4.20"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "192.168.4.4"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "192.168.4.5"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "192.168.200.182"), ==, 2);
	g_assert_cmpint(lookup_text(&table, "192.95.5.68"), ==, 3);
	g_assert_cmpint(lookup_text(&table, "192.95.5.65"), ==, 2);
	g_assert_cmpint(lookup_text(&table, "192.95.5.95"), ==, 3);
	g_assert_cmpint(lookup_text(&table, "192.95.5.96"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "192.95.5.63"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "10.0.0.1"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "::ffff:192.168.4.4"), ==, -1);

	/* A branch node joins 192.168/16 and 192.95.5.64/27 at 192/8. */
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 6);

	/* Taking out the middle of a chain hands its addresses to the next shorter prefix. */
	g_assert_cmpint(remove_text(&table, "192.168.4.0", 24, a), ==, 0);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 5);
	g_assert_cmpint(lookup_text(&table, "192.168.4.20"), ==, 2);
	g_assert_cmpint(lookup_text(&table, "192.168.4.4"), ==, 1);
	wh_allowedips_free(&table);
}

static void test_overlapping_v6(void)
{
	struct wh_allowedips table;
	struct wh_peer *d = peer(3), *e = peer(4), *f = peer(5), *g = peer(6);

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "2001:db8::", 32, d), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8:1::", 48, e), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8:1:2::1", 128, f), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8:8000::", 33, g), ==, 0);

	g_assert_cmpint(lookup_text(&table, "2001:db8:1:2::1"), ==, 5);
	g_assert_cmpint(lookup_text(&table, "2001:db8:1:2::2"), ==, 4);
	g_assert_cmpint(lookup_text(&table, "2001:db8:1:2::"), ==, 4);
	g_assert_cmpint(lookup_text(&table, "2001:db8:2::1"), ==, 3);
	g_assert_cmpint(lookup_text(&table, "2001:db8:8000::1"), ==, 6);
	g_assert_cmpint(lookup_text(&table, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), ==, 6);
	g_assert_cmpint(lookup_text(&table, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff"), ==, 3);
	g_assert_cmpint(lookup_text(&table, "2001:db9::"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "::"), ==, -1);
	wh_allowedips_free(&table);
}

static void test_default_routes(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1), *c = peer(2);

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "0.0.0.0", 0, a), ==, 0);
	g_assert_cmpint(lookup_text(&table, "1.2.3.4"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "255.255.255.255"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "0.0.0.0"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "::1"), ==, -1);

	g_assert_cmpint(insert_text(&table, "::", 0, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.0.0.0", 8, c), ==, 0);
	g_assert_cmpint(insert_text(&table, "fd00::", 8, c), ==, 0);
	g_assert_cmpint(lookup_text(&table, "::1"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "fd12::1"), ==, 2);
	g_assert_cmpint(lookup_text(&table, "10.9.8.7"), ==, 2);
	g_assert_cmpint(lookup_text(&table, "11.0.0.0"), ==, 0);

	/* A default route and a host route at opposite ends of the space. */
	g_assert_cmpint(insert_text(&table, "255.255.255.255", 32, b), ==, 0);
	g_assert_cmpint(lookup_text(&table, "255.255.255.255"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "255.255.255.254"), ==, 0);

	g_assert_cmpint(remove_text(&table, "0.0.0.0", 0, a), ==, 0);
	g_assert_cmpint(lookup_text(&table, "1.2.3.4"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "10.0.0.1"), ==, 2);
	g_assert_cmpint(lookup_text(&table, "::1"), ==, 1);
	wh_allowedips_free(&table);
}

static void test_host_routes(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1);

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "10.0.0.1", 32, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.0.0.2", 32, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8::1", 128, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8::", 128, b), ==, 0);

	g_assert_cmpint(lookup_text(&table, "10.0.0.1"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.0.0.2"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "10.0.0.3"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "10.0.0.0"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "138.0.0.1"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "2001:db8::1"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "2001:db8::"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "2001:db8::2"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "2001:db8::1:1"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "a001:db8::1"), ==, -1);
	wh_allowedips_free(&table);
}

/* Every nested prefix of one address, /0 through /128: the deepest path the trie can have. */
static void test_deep_chain(void)
{
	static const char *const addresses[] = {"203.0.113.77", "2001:db8:dead:beef:cafe:f00d:1234:5678"};
	struct wh_allowedips table;
	uint8_t base[ADDRESS_MAX], probe[ADDRESS_MAX];

	wh_allowedips_init(&table);
	for (size_t n = 0; n < G_N_ELEMENTS(addresses); n++) {
		int family = parse_ip(addresses[n], base);
		unsigned int bits = address_bits(family);

		/* Shortest last, so that each insert goes above the existing chain. */
		for (int cidr = (int)bits; cidr >= 0; cidr--)
			g_assert_cmpint(wh_allowedips_insert(&table, family, base, (uint8_t)cidr, peer(cidr)), ==, 0);
		g_assert_cmpuint(wh_allowedips_node_count(&table), ==, bits + 1);

		/* An address that first differs at bit i falls to the /i prefix. */
		for (unsigned int i = 0; i < bits; i++) {
			memcpy(probe, base, sizeof(probe));
			probe[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
			g_assert_cmpint(peer_index(wh_allowedips_lookup(&table, family, probe)), ==, (int)i);
		}
		g_assert_cmpint(peer_index(wh_allowedips_lookup(&table, family, base)), ==, (int)bits);

		for (int cidr = (int)bits; cidr >= 0; cidr--) {
			g_assert_cmpint(wh_allowedips_remove(&table, family, base, (uint8_t)cidr, peer(cidr)), ==, 0);
			g_assert_cmpint(peer_index(wh_allowedips_lookup(&table, family, base)), ==, cidr - 1);
		}
		g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 0);
	}
	wh_allowedips_free(&table);
}

static void test_replace_owner(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1);
	g_autofree char *walk = NULL;

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "10.1.0.0", 16, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.1.0.0", 16, b), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.1.2.3"), ==, 1);
	walk = walk_string(&table, NULL);
	g_assert_cmpstr(walk, ==, "10.1.0.0/16=b");
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 1);

	/* The former owner no longer holds it, so it cannot remove it either. */
	g_assert_cmpint(remove_text(&table, "10.1.0.0", 16, a), ==, -ENOENT);
	wh_allowedips_remove_by_peer(&table, a);
	g_assert_cmpint(lookup_text(&table, "10.1.2.3"), ==, 1);
	g_assert_cmpint(remove_text(&table, "10.1.0.0", 16, b), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.1.2.3"), ==, -1);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 0);
	wh_allowedips_free(&table);
}

static void test_remove_exact(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1);

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "10.0.0.0", 24, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.0.1.0", 24, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.0.0.0", 8, a), ==, 0);

	/* 10.0.0.0/23 exists only as the branch joining the two /24s: it is nobody's prefix. */
	g_assert_cmpint(remove_text(&table, "10.0.0.0", 23, a), ==, -ENOENT);
	g_assert_cmpint(remove_text(&table, "10.0.0.0", 23, b), ==, -ENOENT);
	g_assert_cmpint(remove_text(&table, "10.0.0.0", 16, a), ==, -ENOENT);
	g_assert_cmpint(remove_text(&table, "10.0.0.0", 25, a), ==, -ENOENT);
	g_assert_cmpint(remove_text(&table, "10.0.2.0", 24, a), ==, -ENOENT);
	g_assert_cmpint(remove_text(&table, "10.0.1.0", 24, a), ==, -ENOENT);
	g_assert_cmpint(remove_text(&table, "::ffff:10.0.0.0", 104, a), ==, -ENOENT);
	g_assert_cmpint(lookup_text(&table, "10.0.1.9"), ==, 1);

	/* Host bits are masked on removal as on insertion. */
	g_assert_cmpint(remove_text(&table, "10.0.1.200", 24, b), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.0.1.9"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.0.0.9"), ==, 0);
	g_assert_cmpint(remove_text(&table, "10.0.1.0", 24, b), ==, -ENOENT);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 2);

	g_assert_cmpint(remove_text(&table, "10.255.0.0", 8, a), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.0.0.9"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.1.0.9"), ==, -1);
	g_assert_cmpint(remove_text(&table, "10.0.0.0", 24, a), ==, 0);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 0);
	wh_allowedips_free(&table);
}

static void test_remove_by_peer(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1), *c = peer(2);
	g_autofree char *walk = NULL;

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "0.0.0.0", 0, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.0.0.0", 8, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.1.0.0", 16, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.1.1.0", 24, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.1.1.1", 32, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.2.0.0", 16, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.3.0.0", 16, c), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8::", 32, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8:1::", 48, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8:2::", 48, a), ==, 0);

	wh_allowedips_remove_by_peer(&table, a);
	walk = walk_string(&table, NULL);
	g_assert_cmpstr(walk, ==, "10.0.0.0/8=b 10.1.1.0/24=b 10.3.0.0/16=c 2001:db8:1::/48=b");
	g_assert_cmpint(lookup_text(&table, "10.1.1.1"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "10.2.0.1"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "11.0.0.1"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "2001:db8:2::1"), ==, -1);
	/* Four prefixes: the v4 three need at most five nodes, the lone v6 one just itself. */
	g_assert_cmpuint(wh_allowedips_node_count(&table), <=, 6);

	wh_allowedips_remove_by_peer(&table, a);
	wh_allowedips_remove_by_peer(&table, NULL);
	g_assert_cmpuint(wh_allowedips_node_count(&table), <=, 6);
	wh_allowedips_remove_by_peer(&table, b);
	g_free(walk);
	walk = walk_string(&table, NULL);
	g_assert_cmpstr(walk, ==, "10.3.0.0/16=c");
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 1);
	wh_allowedips_remove_by_peer(&table, c);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 0);
	g_assert_null(table.root4);
	g_assert_null(table.root6);
	wh_allowedips_free(&table);
}

/* ::ffff:a.b.c.d names an IPv4 host but is an IPv6 address: the two tables never answer for each other. */
static void test_v4_mapped_stays_v6(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1);

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "::ffff:10.0.0.0", 104, a), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.1.2.3"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "::ffff:10.1.2.3"), ==, 0);

	g_assert_cmpint(insert_text(&table, "10.0.0.0", 8, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "0.0.0.0", 0, b), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.1.2.3"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "::ffff:10.1.2.3"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "::ffff:11.1.2.3"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "::a01:203"), ==, -1);

	g_assert_cmpint(remove_text(&table, "::ffff:10.0.0.0", 104, a), ==, 0);
	g_assert_cmpint(lookup_text(&table, "::ffff:10.1.2.3"), ==, -1);
	g_assert_cmpint(lookup_text(&table, "10.1.2.3"), ==, 1);
	wh_allowedips_free(&table);
}

static void test_masks_host_bits(void)
{
	struct wh_allowedips table;
	struct wh_peer *a = peer(0), *b = peer(1);
	g_autofree char *walk = NULL;

	wh_allowedips_init(&table);
	g_assert_cmpint(insert_text(&table, "192.168.1.77", 24, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "192.168.1.99", 24, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "10.255.255.255", 13, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "255.255.255.255", 0, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 127, a), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8::1", 0, b), ==, 0);
	g_assert_cmpint(insert_text(&table, "2001:db8:abcd:ef12::", 29, a), ==, 0);
	walk = walk_string(&table, NULL);
	g_assert_cmpstr(walk, ==,
			"0.0.0.0/0=b 10.248.0.0/13=a 192.168.1.0/24=b ::/0=b 2001:db8::/29=a "
			"2001:db8:ffff:ffff:ffff:ffff:ffff:fffe/127=a");
	g_assert_cmpint(lookup_text(&table, "192.168.1.1"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "10.248.0.0"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.247.255.255"), ==, 1);
	g_assert_cmpint(lookup_text(&table, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffd"), ==, 0);
	g_assert_cmpint(lookup_text(&table, "2001:db0::"), ==, 1);
	wh_allowedips_free(&table);
}

struct walk_stop {
	unsigned int calls;
	unsigned int stop_at;
	int value;
};

static int stop_after(void *ctx, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *p)
{
	struct walk_stop *stop = ctx;

	(void)family;
	(void)ip;
	(void)cidr;
	(void)p;
	return ++stop->calls == stop->stop_at ? stop->value : 0;
}

static void test_walk_order_and_filter(void)
{
	static const struct {
		const char *ip;
		uint8_t cidr;
		int peer;
	} prefixes[] = {
		{"2001:db8::", 32, 0},  {"10.1.0.0", 16, 0},   {"::", 0, 2},         {"10.0.0.0", 24, 2},
		{"192.168.0.0", 16, 1}, {"10.0.0.0", 8, 0},    {"2001:db8::", 48, 1}, {"10.0.0.0", 16, 1},
		{"0.0.0.0", 0, 2},      {"10.0.0.128", 25, 1}, {"fe80::", 10, 0},     {"128.0.0.0", 1, 1},
	};
	struct wh_allowedips table;
	struct walk_stop stop = {0};
	g_autofree char *all = NULL, *only_b = NULL, *only_d = NULL;

	wh_allowedips_init(&table);
	for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++)
		g_assert_cmpint(insert_text(&table, prefixes[i].ip, prefixes[i].cidr, peer(prefixes[i].peer)), ==, 0);

	all = walk_string(&table, NULL);
	g_assert_cmpstr(all, ==,
			"0.0.0.0/0=c 10.0.0.0/8=a 10.0.0.0/16=b 10.0.0.0/24=c 10.0.0.128/25=b 10.1.0.0/16=a "
			"128.0.0.0/1=b 192.168.0.0/16=b ::/0=c 2001:db8::/32=a 2001:db8::/48=b fe80::/10=a");
	only_b = walk_string(&table, peer(1));
	g_assert_cmpstr(only_b, ==, "10.0.0.0/16=b 10.0.0.128/25=b 128.0.0.0/1=b 192.168.0.0/16=b 2001:db8::/48=b");
	only_d = walk_string(&table, peer(3));
	g_assert_cmpstr(only_d, ==, "");

	stop.stop_at = 3;
	stop.value = 7;
	g_assert_cmpint(wh_allowedips_walk(&table, NULL, stop_after, &stop), ==, 7);
	g_assert_cmpuint(stop.calls, ==, 3);

	/* Stopping inside the IPv6 half: the IPv4 half counts toward the calls. */
	stop.calls = 0;
	stop.stop_at = 10;
	stop.value = -1;
	g_assert_cmpint(wh_allowedips_walk(&table, NULL, stop_after, &stop), ==, -1);
	g_assert_cmpuint(stop.calls, ==, 10);

	stop.calls = 0;
	stop.stop_at = 100;
	g_assert_cmpint(wh_allowedips_walk(&table, peer(1), stop_after, &stop), ==, 0);
	g_assert_cmpuint(stop.calls, ==, 5);
	wh_allowedips_free(&table);

	stop.calls = 0;
	g_assert_cmpint(wh_allowedips_walk(&table, NULL, stop_after, &stop), ==, 0);
	g_assert_cmpuint(stop.calls, ==, 0);
}

static void test_rejects_bad_input(void)
{
	struct wh_allowedips table;
	uint8_t ip[ADDRESS_MAX] = {10};
	struct wh_peer *a = peer(0);

	wh_allowedips_init(&table);
	g_assert_cmpint(wh_allowedips_insert(&table, AF_UNIX, ip, 8, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_insert(&table, 0, ip, 8, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_insert(&table, AF_INET, ip, 33, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_insert(&table, AF_INET, ip, 255, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_insert(&table, AF_INET6, ip, 129, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_insert(&table, AF_INET, ip, 8, NULL), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_insert(&table, AF_INET, NULL, 8, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_remove(&table, AF_UNIX, ip, 8, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_remove(&table, AF_INET, ip, 33, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_remove(&table, AF_INET6, ip, 129, a), ==, -EINVAL);
	g_assert_cmpint(wh_allowedips_remove(&table, AF_INET, ip, 8, NULL), ==, -EINVAL);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 0);

	g_assert_cmpint(wh_allowedips_insert(&table, AF_INET, ip, 32, a), ==, 0);
	g_assert_cmpint(wh_allowedips_insert(&table, AF_INET6, ip, 128, a), ==, 0);
	g_assert_null(wh_allowedips_lookup(&table, AF_UNIX, ip));
	g_assert_null(wh_allowedips_lookup(&table, 0, ip));
	g_assert_true(wh_allowedips_lookup(&table, AF_INET, ip) == a);
	g_assert_true(wh_allowedips_lookup(&table, AF_INET6, ip) == a);
	g_assert_cmpint(wh_allowedips_remove(&table, AF_INET, ip, 31, a), ==, -ENOENT);
	g_assert_cmpint(wh_allowedips_remove(&table, AF_INET, ip, 8, NULL), ==, -EINVAL);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 2);
	wh_allowedips_free(&table);
}

static void random_address(GRand *rand, int family, uint8_t ip[ADDRESS_MAX])
{
	memset(ip, 0, ADDRESS_MAX);
	for (size_t i = 0; i < address_len(family); i++)
		ip[i] = (uint8_t)g_rand_int(rand);
}

static uint8_t byte_mask(unsigned int cidr, size_t i)
{
	if (cidr >= 8 * (i + 1))
		return 0xff;
	if (cidr <= 8 * i)
		return 0;
	return (uint8_t)(0xff << (8 - (cidr - 8 * i)));
}

/* Keeps the first keep bits of base and fills the rest at random. */
static void random_near(GRand *rand, int family, const uint8_t *base, unsigned int keep, uint8_t ip[ADDRESS_MAX])
{
	random_address(rand, family, ip);
	for (size_t i = 0; i < address_len(family); i++)
		ip[i] = (uint8_t)((base[i] & byte_mask(keep, i)) | (ip[i] & ~byte_mask(keep, i)));
}

static void mask_address(uint8_t ip[ADDRESS_MAX], unsigned int cidr)
{
	for (size_t i = 0; i < ADDRESS_MAX; i++)
		ip[i] &= byte_mask(cidr, i);
}

static bool prefix_contains(const uint8_t *prefix, unsigned int cidr, const uint8_t *ip)
{
	for (size_t i = 0; i < ADDRESS_MAX; i++)
		if ((prefix[i] ^ ip[i]) & byte_mask(cidr, i))
			return false;
	return true;
}

/* The naive model: every prefix in a flat array, longest match by scanning all of them. */
struct model_entry {
	int family;
	uint8_t ip[ADDRESS_MAX];
	uint8_t cidr;
	struct wh_peer *peer;
};

struct random_run {
	GRand *rand;
	struct wh_allowedips table;
	GArray *model;
	uint8_t bases[2][RANDOM_BASES][ADDRESS_MAX];
	unsigned long inserts, removes, misses, peer_removals, lookups;
};

static int model_find(const struct random_run *run, int family, const uint8_t *ip, uint8_t cidr)
{
	for (guint i = 0; i < run->model->len; i++) {
		const struct model_entry *entry = &g_array_index(run->model, struct model_entry, i);

		if (entry->family == family && entry->cidr == cidr && !memcmp(entry->ip, ip, ADDRESS_MAX))
			return (int)i;
	}
	return -1;
}

static void model_insert(struct random_run *run, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *p)
{
	struct model_entry entry = {.family = family, .cidr = cidr, .peer = p};
	int found;

	memcpy(entry.ip, ip, ADDRESS_MAX);
	mask_address(entry.ip, cidr);
	found = model_find(run, family, entry.ip, cidr);
	if (found < 0)
		g_array_append_val(run->model, entry);
	else
		g_array_index(run->model, struct model_entry, found).peer = p;
}

static int model_remove(struct random_run *run, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *p)
{
	uint8_t masked[ADDRESS_MAX];
	int found;

	memcpy(masked, ip, ADDRESS_MAX);
	mask_address(masked, cidr);
	found = model_find(run, family, masked, cidr);
	if (found < 0 || g_array_index(run->model, struct model_entry, found).peer != p)
		return -ENOENT;
	g_array_remove_index_fast(run->model, (guint)found);
	return 0;
}

static void model_remove_by_peer(struct random_run *run, struct wh_peer *p)
{
	for (guint i = run->model->len; i-- > 0;)
		if (g_array_index(run->model, struct model_entry, i).peer == p)
			g_array_remove_index_fast(run->model, i);
}

static struct wh_peer *model_lookup(const struct random_run *run, int family, const uint8_t *ip)
{
	const struct model_entry *best = NULL;

	for (guint i = 0; i < run->model->len; i++) {
		const struct model_entry *entry = &g_array_index(run->model, struct model_entry, i);

		if (entry->family != family || !prefix_contains(entry->ip, entry->cidr, ip))
			continue;
		if (!best || entry->cidr > best->cidr)
			best = entry;
	}
	return best ? best->peer : NULL;
}

static int model_entry_compare(const void *a, const void *b)
{
	const struct model_entry *x = a, *y = b;
	int order = (x->family != AF_INET) - (y->family != AF_INET);

	if (order)
		return order;
	order = memcmp(x->ip, y->ip, ADDRESS_MAX);
	if (order)
		return order;
	return (int)x->cidr - (int)y->cidr;
}

static char *model_walk_string(const struct random_run *run, struct wh_peer *p)
{
	g_autoptr(GArray) sorted = g_array_copy(run->model);
	GString *out = g_string_new(NULL);

	g_array_sort(sorted, model_entry_compare);
	for (guint i = 0; i < sorted->len; i++) {
		struct model_entry *entry = &g_array_index(sorted, struct model_entry, i);

		if (!p || entry->peer == p)
			append_entry(out, entry->family, entry->ip, entry->cidr, entry->peer);
	}
	return g_string_free(out, FALSE);
}

static unsigned int common_prefix_len(const struct model_entry *a, const struct model_entry *b)
{
	unsigned int limit = MIN(a->cidr, b->cidr), len = 0;

	while (len < limit && !((a->ip[len / 8] ^ b->ip[len / 8]) & (0x80 >> (len % 8))))
		len++;
	return len;
}

/* Without dead nodes the trie's shape is fixed by its prefixes: one node for each prefix, and one for
 * each point where two prefixes part ways short of both. */
static size_t model_trie_nodes(const struct random_run *run)
{
	g_autoptr(GArray) nodes = g_array_copy(run->model);
	size_t count = 0;

	for (guint i = 0; i < run->model->len; i++) {
		for (guint j = i + 1; j < run->model->len; j++) {
			const struct model_entry *a = &g_array_index(run->model, struct model_entry, i);
			const struct model_entry *b = &g_array_index(run->model, struct model_entry, j);
			struct model_entry branch = {.family = a->family};
			unsigned int len = common_prefix_len(a, b);

			if (a->family != b->family || len == a->cidr || len == b->cidr)
				continue;
			memcpy(branch.ip, a->ip, ADDRESS_MAX);
			mask_address(branch.ip, len);
			branch.cidr = (uint8_t)len;
			g_array_append_val(nodes, branch);
		}
	}
	g_array_sort(nodes, model_entry_compare);
	for (guint i = 0; i < nodes->len; i++)
		if (!i || model_entry_compare(&g_array_index(nodes, struct model_entry, i - 1),
					      &g_array_index(nodes, struct model_entry, i)))
			count++;
	return count;
}

static int random_family(struct random_run *run)
{
	return g_rand_boolean(run->rand) ? AF_INET : AF_INET6;
}

static const uint8_t *random_base(struct random_run *run, int family)
{
	return run->bases[family == AF_INET6][g_rand_int_range(run->rand, 0, RANDOM_BASES)];
}

static unsigned int random_cidr(struct random_run *run, int family)
{
	return (unsigned int)g_rand_int_range(run->rand, 0, (gint32)address_bits(family) + 1);
}

/* Prefixes cluster: a shared base for a random number of leading bits, then noise, so that they nest and
 * overlap; the bits past cidr are left as noise too, for the table to mask. */
static void random_prefix(struct random_run *run, int family, uint8_t ip[ADDRESS_MAX], uint8_t *cidr)
{
	random_near(run->rand, family, random_base(run, family), random_cidr(run, family), ip);
	*cidr = (uint8_t)random_cidr(run, family);
}

/* A quarter of lookups land inside a prefix the model holds, to reach the long ones; the rest near a base. */
static void random_lookup_address(struct random_run *run, int family, uint8_t ip[ADDRESS_MAX])
{
	const struct model_entry *entry;
	unsigned int bits = address_bits(family);

	if (run->model->len && g_rand_int_range(run->rand, 0, 4) == 0) {
		entry = &g_array_index(run->model, struct model_entry,
				       g_rand_int_range(run->rand, 0, (gint32)run->model->len));
		if (entry->family == family) {
			random_near(run->rand, family, entry->ip,
				    (unsigned int)g_rand_int_range(run->rand, entry->cidr, (gint32)bits + 1), ip);
			return;
		}
	}
	random_near(run->rand, family, random_base(run, family), random_cidr(run, family), ip);
}

static void check_lookup(struct random_run *run, int family, const uint8_t *ip)
{
	int got = peer_index(wh_allowedips_lookup(&run->table, family, ip));
	int want = peer_index(model_lookup(run, family, ip));
	char text[INET6_ADDRSTRLEN];

	if (got != want) {
		inet_ntop(family, ip, text, sizeof(text));
		g_test_message("lookup %s: trie says peer %d, model says %d", text, got, want);
	}
	g_assert_cmpint(got, ==, want);
	run->lookups++;
}

static void random_lookup(struct random_run *run)
{
	int family = random_family(run);
	uint8_t ip[ADDRESS_MAX];

	random_lookup_address(run, family, ip);
	check_lookup(run, family, ip);
}

static void random_insert(struct random_run *run)
{
	int family = random_family(run);
	struct wh_peer *p = peer(g_rand_int_range(run->rand, 0, RANDOM_PEERS));
	uint8_t ip[ADDRESS_MAX];
	uint8_t cidr;

	random_prefix(run, family, ip, &cidr);
	g_assert_cmpint(wh_allowedips_insert(&run->table, family, ip, cidr, p), ==, 0);
	model_insert(run, family, ip, cidr, p);
	run->inserts++;
}

/* Removes a prefix the model holds, by its owner, with noise in the host bits. */
static void random_remove_held(struct random_run *run)
{
	struct model_entry entry;
	uint8_t ip[ADDRESS_MAX];

	if (!run->model->len)
		return;
	entry = g_array_index(run->model, struct model_entry, g_rand_int_range(run->rand, 0, (gint32)run->model->len));
	random_near(run->rand, entry.family, entry.ip, entry.cidr, ip);
	g_assert_cmpint(wh_allowedips_remove(&run->table, entry.family, ip, entry.cidr, entry.peer), ==, 0);
	g_assert_cmpint(model_remove(run, entry.family, ip, entry.cidr, entry.peer), ==, 0);
	run->removes++;
}

/* Mostly absent prefixes or the wrong owner: both sides must agree on -ENOENT, or on success. */
static void random_remove_guess(struct random_run *run)
{
	int family = random_family(run);
	struct wh_peer *p = peer(g_rand_int_range(run->rand, 0, RANDOM_PEERS));
	uint8_t ip[ADDRESS_MAX];
	uint8_t cidr;
	int want;

	random_prefix(run, family, ip, &cidr);
	want = model_remove(run, family, ip, cidr, p);
	g_assert_cmpint(wh_allowedips_remove(&run->table, family, ip, cidr, p), ==, want);
	if (want)
		run->misses++;
	else
		run->removes++;
}

static void random_remove_by_peer(struct random_run *run)
{
	struct wh_peer *p = peer(g_rand_int_range(run->rand, 0, RANDOM_PEERS));

	wh_allowedips_remove_by_peer(&run->table, p);
	model_remove_by_peer(run, p);
	run->peer_removals++;
}

static void random_operation(struct random_run *run)
{
	int dice = g_rand_int_range(run->rand, 0, 100);

	if (dice < 40)
		random_insert(run);
	else if (dice < 60)
		random_remove_held(run);
	else if (dice < 68)
		random_remove_guess(run);
	else if (dice < 70)
		random_remove_by_peer(run);
	else
		random_lookup(run);
}

static void check_against_model(struct random_run *run)
{
	struct wh_peer *p = peer(g_rand_int_range(run->rand, 0, RANDOM_PEERS));
	g_autofree char *trie_all = walk_string(&run->table, NULL);
	g_autofree char *model_all = model_walk_string(run, NULL);
	g_autofree char *trie_one = walk_string(&run->table, p);
	g_autofree char *model_one = model_walk_string(run, p);

	for (int i = 0; i < RANDOM_BATCH_LOOKUPS; i++)
		random_lookup(run);
	g_assert_cmpstr(trie_all, ==, model_all);
	g_assert_cmpstr(trie_one, ==, model_one);
	/* An exact count: any node that pruning missed, under any churn, shows up here. */
	g_assert_cmpuint(wh_allowedips_node_count(&run->table), ==, model_trie_nodes(run));
}

static guint32 random_seed(void)
{
	const char *text = g_getenv("WIREHOP_ALLOWEDIPS_SEED");

	return text ? (guint32)g_ascii_strtoull(text, NULL, 0) : DEFAULT_SEED;
}

static void test_random_against_model(void)
{
	struct random_run run = {0};
	guint32 seed = random_seed();

	g_test_message("seed %#" G_GINT32_MODIFIER "x (set WIREHOP_ALLOWEDIPS_SEED to repeat another)", seed);
	run.rand = g_rand_new_with_seed(seed);
	run.model = g_array_new(FALSE, FALSE, sizeof(struct model_entry));
	wh_allowedips_init(&run.table);
	for (int family = 0; family < 2; family++)
		for (int i = 0; i < RANDOM_BASES; i++)
			random_address(run.rand, family ? AF_INET6 : AF_INET, run.bases[family][i]);

	for (int op = 1; op <= RANDOM_OPS; op++) {
		random_operation(&run);
		if (op % RANDOM_BATCH == 0)
			check_against_model(&run);
	}
	g_test_message("%d operations: %lu inserts, %lu removes, %lu missed removes, %lu peer removals, "
		       "%lu lookups checked; %u prefixes left in %zu nodes",
		       RANDOM_OPS, run.inserts, run.removes, run.misses, run.peer_removals, run.lookups,
		       run.model->len, wh_allowedips_node_count(&run.table));

	for (int i = 0; i < RANDOM_PEERS; i++) {
		wh_allowedips_remove_by_peer(&run.table, peer(i));
		model_remove_by_peer(&run, peer(i));
		check_against_model(&run);
	}
	g_assert_cmpuint(wh_allowedips_node_count(&run.table), ==, 0);
	wh_allowedips_free(&run.table);
	g_array_unref(run.model);
	g_rand_free(run.rand);
}

/* Freeing a full table must release every node; ASan's leak check at exit holds us to it. */
static void test_free_full_table(void)
{
	struct wh_allowedips table;
	g_autoptr(GRand) rand = g_rand_new_with_seed(DEFAULT_SEED);
	uint8_t ip[ADDRESS_MAX];

	wh_allowedips_init(&table);
	for (int i = 0; i < 2000; i++) {
		int family = i % 2 ? AF_INET6 : AF_INET;

		random_address(rand, family, ip);
		g_assert_cmpint(wh_allowedips_insert(&table, family, ip,
						     (uint8_t)g_rand_int_range(rand, 0, (gint32)address_bits(family) + 1),
						     peer(i % RANDOM_PEERS)),
				==, 0);
	}
	g_assert_cmpuint(wh_allowedips_node_count(&table), >, 0);
	wh_allowedips_free(&table);
	g_assert_cmpuint(wh_allowedips_node_count(&table), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.0.0.1"), ==, -1);

	/* The table is empty and usable again after free. */
	g_assert_cmpint(insert_text(&table, "10.0.0.0", 8, peer(0)), ==, 0);
	g_assert_cmpint(lookup_text(&table, "10.0.0.1"), ==, 0);
	wh_allowedips_free(&table);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/allowedips/overlapping-v4", test_overlapping_v4);
	g_test_add_func("/allowedips/overlapping-v6", test_overlapping_v6);
	g_test_add_func("/allowedips/default-routes", test_default_routes);
	g_test_add_func("/allowedips/host-routes", test_host_routes);
	g_test_add_func("/allowedips/deep-chain", test_deep_chain);
	g_test_add_func("/allowedips/replace-owner", test_replace_owner);
	g_test_add_func("/allowedips/remove-exact", test_remove_exact);
	g_test_add_func("/allowedips/remove-by-peer", test_remove_by_peer);
	g_test_add_func("/allowedips/v4-mapped-stays-v6", test_v4_mapped_stays_v6);
	g_test_add_func("/allowedips/masks-host-bits", test_masks_host_bits);
	g_test_add_func("/allowedips/walk-order-and-filter", test_walk_order_and_filter);
	g_test_add_func("/allowedips/rejects-bad-input", test_rejects_bad_input);
	g_test_add_func("/allowedips/random-against-model", test_random_against_model);
	g_test_add_func("/allowedips/free-full-table", test_free_full_table);
	return g_test_run();
}
