/* The handshake rate limiter: burst and rate per source, IPv4 hosts and IPv6 /64s, idle entries
 * collected, the table's cap, and a random cross-check against a naive model. */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "core/ratelimiter.h"
#include "support.h"

struct limiter_world {
	struct fake_clock clock;
	struct seeded_rng rng;
	struct wh_ratelimiter ratelimiter;
};

static void limiter_world_init(struct limiter_world *world, uint64_t seed)
{
	fake_clock_init(&world->clock);
	g_assert_cmpint(wh_ratelimiter_init(&world->ratelimiter, seeded_rng_init(&world->rng, seed)), ==, 0);
}

static bool allow(struct limiter_world *world, const struct wh_endpoint *source)
{
	return wh_ratelimiter_allow(&world->ratelimiter, source, world->clock.monotonic_ns);
}

/* How many of count back-to-back handshakes from source get through. */
static unsigned allowed_of(struct limiter_world *world, const struct wh_endpoint *source, unsigned count)
{
	unsigned allowed = 0;

	for (unsigned i = 0; i < count; i++)
		allowed += allow(world, source);
	return allowed;
}

static struct wh_endpoint endpoint(const char *address, uint16_t port)
{
	struct wh_endpoint endpoint = {.port = port};

	endpoint.family = strchr(address, ':') ? AF_INET6 : AF_INET;
	g_assert_cmpint(inet_pton(endpoint.family, address, endpoint.addr), ==, 1);
	return endpoint;
}

static struct wh_endpoint numbered_v4(unsigned n)
{
	struct wh_endpoint endpoint = {.family = AF_INET, .port = 51820};

	endpoint.addr[0] = 10;
	endpoint.addr[1] = (uint8_t)(n >> 16);
	endpoint.addr[2] = (uint8_t)(n >> 8);
	endpoint.addr[3] = (uint8_t)n;
	return endpoint;
}

static bool allow_v4(struct limiter_world *world, unsigned n)
{
	struct wh_endpoint source = numbered_v4(n);

	return allow(world, &source);
}

static void test_burst_then_steady_rate(void)
{
	struct limiter_world world;
	struct wh_endpoint source = endpoint("192.0.2.1", 51820);
	unsigned allowed;

	limiter_world_init(&world, 1);
	g_assert_cmpuint(allowed_of(&world, &source, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE);
	/* A try every millisecond for 10 s: exactly one per PACKET_COST (50 ms) gets through. */
	allowed = 0;
	for (unsigned ms = 1; ms <= 10000; ms++) {
		fake_clock_advance(&world.clock, WH_NSEC_PER_MSEC);
		allowed += allow(&world, &source);
	}
	g_assert_cmpuint(allowed, ==, 10 * WH_RATELIMITER_PACKETS_PER_SECOND);
	/* 49 ms of credit is not enough; the 50th millisecond is. */
	fake_clock_advance(&world.clock, 49 * WH_NSEC_PER_MSEC);
	g_assert_false(allow(&world, &source));
	fake_clock_advance(&world.clock, WH_NSEC_PER_MSEC);
	g_assert_true(allow(&world, &source));
	/* A pause refills the bucket to the burst, and no further. */
	fake_clock_advance(&world.clock, 900 * WH_NSEC_PER_MSEC);
	g_assert_cmpuint(allowed_of(&world, &source, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE);
	/* Refused tries spend nothing: 20 tries in the next 100 ms still get two through. */
	allowed = 0;
	for (unsigned i = 0; i < 20; i++) {
		fake_clock_advance(&world.clock, 5 * WH_NSEC_PER_MSEC);
		allowed += allow(&world, &source);
	}
	g_assert_cmpuint(allowed, ==, 2);
	wh_ratelimiter_free(&world.ratelimiter);
}

static void test_ipv4_hosts_apart(void)
{
	struct limiter_world world;
	struct wh_endpoint a = endpoint("192.0.2.1", 51820), a_other_port = endpoint("192.0.2.1", 40000);
	struct wh_endpoint b = endpoint("192.0.2.2", 51820);
	/* The IPv6 address whose first bytes are a's is another source. */
	struct wh_endpoint v6_lookalike = endpoint("c000:201::", 51820);

	limiter_world_init(&world, 2);
	g_assert_cmpuint(allowed_of(&world, &a, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE);
	/* The port does not make another source. */
	g_assert_false(allow(&world, &a_other_port));
	g_assert_cmpuint(allowed_of(&world, &b, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE);
	g_assert_cmpuint(allowed_of(&world, &v6_lookalike, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE);
	g_assert_cmpuint(world.ratelimiter.count, ==, 3);
	wh_ratelimiter_free(&world.ratelimiter);
}

static void test_ipv6_by_64(void)
{
	struct limiter_world world;
	struct wh_endpoint host = endpoint("2001:db8:1:2::1", 51820);
	struct wh_endpoint same_64 = endpoint("2001:db8:1:2:ffff:ffff:ffff:ffff", 1);
	struct wh_endpoint next_64 = endpoint("2001:db8:1:3::1", 51820);

	limiter_world_init(&world, 3);
	same_64.scope_id = 7;
	g_assert_cmpuint(allowed_of(&world, &host, 3), ==, 3);
	g_assert_cmpuint(allowed_of(&world, &same_64, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE - 3);
	g_assert_false(allow(&world, &host));
	g_assert_cmpuint(allowed_of(&world, &next_64, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE);
	g_assert_cmpuint(world.ratelimiter.count, ==, 2);
	wh_ratelimiter_free(&world.ratelimiter);
}

static void test_other_families_refused(void)
{
	struct limiter_world world;
	struct wh_endpoint unknown = {.family = 0xffff};

	limiter_world_init(&world, 4);
	g_assert_false(allow(&world, &unknown));
	g_assert_cmpuint(world.ratelimiter.count, ==, 0);
	wh_ratelimiter_free(&world.ratelimiter);
}

static void test_idle_entries_collected(void)
{
	struct limiter_world world;

	limiter_world_init(&world, 5);
	for (unsigned i = 0; i < 100; i++)
		g_assert_true(allow_v4(&world, i));
	g_assert_cmpuint(world.ratelimiter.count, ==, 100);
	/* Ten sources come back after half a second; at 1.2 s the other ninety have been idle too long. */
	fake_clock_advance(&world.clock, 500 * WH_NSEC_PER_MSEC);
	for (unsigned i = 0; i < 10; i++)
		g_assert_true(allow_v4(&world, i));
	g_assert_cmpuint(world.ratelimiter.count, ==, 100);
	fake_clock_advance(&world.clock, 700 * WH_NSEC_PER_MSEC);
	g_assert_true(allow_v4(&world, 0));
	g_assert_cmpuint(world.ratelimiter.count, ==, 10);
	/* A collected source starts again with a full bucket. */
	for (unsigned i = 0; i < WH_RATELIMITER_PACKETS_BURSTABLE; i++)
		g_assert_true(allow_v4(&world, 50));
	g_assert_false(allow_v4(&world, 50));
	fake_clock_advance(&world.clock, 1100 * WH_NSEC_PER_MSEC);
	g_assert_true(allow_v4(&world, 99));
	g_assert_cmpuint(world.ratelimiter.count, ==, 1);
	wh_ratelimiter_free(&world.ratelimiter);
}

static void test_cap_refuses_new_sources(void)
{
	struct limiter_world world;
	struct wh_endpoint first = numbered_v4(0), newcomer = numbered_v4(WH_RATELIMITER_MAX_ENTRIES);

	limiter_world_init(&world, 6);
	for (unsigned i = 0; i < WH_RATELIMITER_MAX_ENTRIES; i++)
		g_assert_true(allow_v4(&world, i));
	g_assert_cmpuint(world.ratelimiter.count, ==, WH_RATELIMITER_MAX_ENTRIES);
	g_assert_false(allow(&world, &newcomer));
	g_assert_cmpuint(world.ratelimiter.count, ==, WH_RATELIMITER_MAX_ENTRIES);
	/* Sources already there keep their buckets. */
	g_assert_cmpuint(allowed_of(&world, &first, 10), ==, WH_RATELIMITER_PACKETS_BURSTABLE - 1);
	fake_clock_advance(&world.clock, 500 * WH_NSEC_PER_MSEC);
	g_assert_false(allow(&world, &newcomer));
	g_assert_true(allow(&world, &first));
	/* Once the crowd has gone quiet and been collected, there is room again. */
	fake_clock_advance(&world.clock, 1100 * WH_NSEC_PER_MSEC);
	g_assert_true(allow(&world, &newcomer));
	g_assert_cmpuint(world.ratelimiter.count, ==, 1);
	wh_ratelimiter_free(&world.ratelimiter);
}

/* The naive model: a bucket per source, never collected, as the kernel describes it. */
struct model_bucket {
	bool seen;
	uint64_t last_time_ns;
	uint64_t tokens;
};

static bool model_allow(struct model_bucket *bucket, uint64_t now)
{
	uint64_t tokens;

	if (!bucket->seen)
		*bucket = (struct model_bucket){true, now, WH_RATELIMITER_TOKEN_MAX};
	tokens = MIN((uint64_t)WH_RATELIMITER_TOKEN_MAX, bucket->tokens + (now - bucket->last_time_ns));
	bucket->last_time_ns = now;
	bucket->tokens = tokens >= WH_RATELIMITER_PACKET_COST ? tokens - WH_RATELIMITER_PACKET_COST : tokens;
	return tokens >= WH_RATELIMITER_PACKET_COST;
}

static void test_matches_naive_model(void)
{
	enum { V4_SOURCES = 16, V6_PREFIXES = 8, HOSTS_PER_PREFIX = 3, STEPS = 50000 };
	struct model_bucket model[V4_SOURCES + V6_PREFIXES] = {{0}};
	struct limiter_world world;
	GRand *rand = g_rand_new_with_seed(7);
	unsigned allowed = 0;

	limiter_world_init(&world, 7);
	for (unsigned step = 0; step < STEPS; step++) {
		unsigned pick = (unsigned)g_rand_int_range(rand, 0, V4_SOURCES + V6_PREFIXES * HOSTS_PER_PREFIX);
		struct wh_endpoint source;
		unsigned bucket;
		bool expected;

		/* Mostly bursts and steady tries, now and then a pause long enough to collect. */
		if (g_rand_int_range(rand, 0, 100) == 0)
			fake_clock_advance(&world.clock, (uint64_t)g_rand_int_range(rand, 0, 3000) * WH_NSEC_PER_MSEC);
		else
			fake_clock_advance(&world.clock, (uint64_t)g_rand_int_range(rand, 0, 2000) * 1000);
		if (pick < V4_SOURCES) {
			source = numbered_v4(pick);
			bucket = pick;
		} else {
			unsigned prefix = (pick - V4_SOURCES) / HOSTS_PER_PREFIX;

			source = endpoint("2001:db8::", (uint16_t)pick);
			source.addr[7] = (uint8_t)prefix;
			source.addr[15] = (uint8_t)pick; /* another host in the same /64 */
			bucket = V4_SOURCES + prefix;
		}
		expected = model_allow(&model[bucket], world.clock.monotonic_ns);
		g_assert_cmpint(allow(&world, &source), ==, expected);
		allowed += expected;
		g_assert_cmpuint(world.ratelimiter.count, <=, V4_SOURCES + V6_PREFIXES);
	}
	/* Both answers happened plenty. */
	g_assert_cmpuint(allowed, >, STEPS / 10);
	g_assert_cmpuint(allowed, <, STEPS - STEPS / 10);
	g_rand_free(rand);
	wh_ratelimiter_free(&world.ratelimiter);
}

static void test_hash_key_drawn_at_first_use(void)
{
	struct wh_ratelimiter a, b, c;
	struct seeded_rng seeded_a, seeded_b;
	struct wh_endpoint source = endpoint("198.51.100.7", 51820);
	uint64_t blocks_before;

	g_assert_cmpint(wh_ratelimiter_init(&a, seeded_rng_init(&seeded_a, 8)), ==, 0);
	g_assert_cmpint(wh_ratelimiter_init(&b, seeded_rng_init(&seeded_b, 9)), ==, 0);
	g_assert_cmpint(wh_ratelimiter_init(&c, NULL), ==, 0);
	/* Nothing is drawn until a handshake is limited, and then the key once. */
	g_assert_cmpuint(seeded_a.block, ==, 0);
	g_assert_false(a.has_hash_key);
	g_assert_true(wh_ratelimiter_allow(&a, &source, 1));
	blocks_before = seeded_a.block;
	g_assert_cmpuint(blocks_before, >, 0);
	g_assert_true(wh_ratelimiter_allow(&a, &source, 1));
	g_assert_cmpuint(seeded_a.block, ==, blocks_before);
	g_assert_true(wh_ratelimiter_allow(&b, &source, 1));
	g_assert_true(wh_ratelimiter_allow(&c, &source, 1));
	g_assert_cmpint(memcmp(a.hash_key, b.hash_key, sizeof(a.hash_key)), !=, 0);
	g_assert_cmpint(memcmp(a.hash_key, c.hash_key, sizeof(a.hash_key)), !=, 0);
	wh_ratelimiter_free(&a);
	wh_ratelimiter_free(&b);
	wh_ratelimiter_free(&c);
	/* Freeing twice, or a zeroed limiter, is harmless. */
	wh_ratelimiter_free(&c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/ratelimiter/burst-then-steady-rate", test_burst_then_steady_rate);
	g_test_add_func("/ratelimiter/ipv4-hosts-apart", test_ipv4_hosts_apart);
	g_test_add_func("/ratelimiter/ipv6-by-64", test_ipv6_by_64);
	g_test_add_func("/ratelimiter/other-families-refused", test_other_families_refused);
	g_test_add_func("/ratelimiter/idle-entries-collected", test_idle_entries_collected);
	g_test_add_func("/ratelimiter/cap-refuses-new-sources", test_cap_refuses_new_sources);
	g_test_add_func("/ratelimiter/matches-naive-model", test_matches_naive_model);
	g_test_add_func("/ratelimiter/hash-key-at-first-use", test_hash_key_drawn_at_first_use);
	return g_test_run();
}
