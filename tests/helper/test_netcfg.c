/* netcfg against the real kernel, inside a network namespace of the test's own: a TUN link given its
 * MTU, addresses, routes and the wg-quick policy rules, checked with ip(8) and route lookups; remove
 * bringing the namespace back exactly, also after a crash; a failed apply leaving nothing behind.
 * Needs root; never touches the namespace it was started in. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "netcfg.h"

enum { TEST_TABLE = 51821, TEST_FWMARK = 0xca6d, TEST_PRIORITY = 32000, TEST_MTU = 1380 };

static const char uplink_name[] = "wh-uplink";
static const char tunnel_name[] = "wh-tun";

static const char *const tunnel_addresses[] = {"10.64.0.2/32", "fc00:bbbb:bbbb:bb01::2/128", NULL};
static const char *const default_routes[] = {"0.0.0.0/0", "::/0", NULL};
static const char *const every_route[] = {"0.0.0.0/0", "::/0", "10.99.0.0/16", "fd00:99::/32", NULL};

/* The wg-quick rules as ip(8) shows them, by family. */
static const struct {
	const char *family_rules;
	const char *rule;
} wg_quick_rules[] = {
	{"-4 rule", "32000:\tnot from all fwmark 0xca6d lookup 51821"},
	{"-4 rule", "31999:\tfrom all lookup main suppress_prefixlength 0"},
	{"-6 rule", "32000:\tnot from all fwmark 0xca6d lookup 51821"},
	{"-6 rule", "31999:\tfrom all lookup main suppress_prefixlength 0"},
};

/* ---- ip(8), run in the test's namespace (children inherit it) ---- */

static char *G_GNUC_PRINTF(1, 2) ip(const char *format, ...)
{
	g_autofree char *arguments = NULL, *command = NULL, *errors = NULL;
	g_auto(GStrv) argv = NULL;
	GError *error = NULL;
	char *output = NULL;
	va_list args;
	int status;

	va_start(args, format);
	arguments = g_strdup_vprintf(format, args);
	va_end(args);
	command = g_strconcat("ip ", arguments, NULL);
	g_assert_true(g_shell_parse_argv(command, NULL, &argv, &error));
	g_assert_no_error(error);
	/* Every descriptor of the test is close-on-exec; leaving them to that lets GLib use posix_spawn
	 * instead of forking the sanitized process, which halves the test's time. */
	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_LEAVE_DESCRIPTORS_OPEN, NULL, NULL,
				   &output, &errors, &status, &error));
	g_assert_no_error(error);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("%s failed: %s", command, errors);
	return output;
}

/* Checks that the output of ip with arguments holds every one of parts ("!text": does not hold text). */
static void expect_ip(const char *arguments, const char *const *parts)
{
	g_autofree char *output = ip("%s", arguments);

	for (; *parts; parts++) {
		bool present = (*parts)[0] != '!';
		const char *part = *parts + !present;

		if ((strstr(output, part) != NULL) != present)
			g_error("expected %s\"%s\" in the output of ip %s:\n%s", present ? "" : "no ", part, arguments,
				output);
	}
}

/* Everything netcfg may change, as ip(8) prints it (src_valid_mark and the MTU stay, on purpose). */
static char *namespace_picture(void)
{
	g_autofree char *rules4 = ip("-4 rule"), *rules6 = ip("-6 rule"), *routes = ip("route show table all");
	g_autofree char *addresses = ip("address");

	return g_strconcat(rules4, rules6, routes, addresses, NULL);
}

/* ---- Links ---- */

/* A TUN link that lives as long as its descriptor, as the engine's does. */
struct tunnel {
	int fd;
	unsigned ifindex;
};

static void tunnel_open(struct tunnel *tunnel, const char *name)
{
	struct ifreq ifr = {.ifr_flags = IFF_TUN | IFF_NO_PI};

	g_assert_cmpuint(strlen(name), <, sizeof(ifr.ifr_name));
	memcpy(ifr.ifr_name, name, strlen(name));
	tunnel->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	g_assert_cmpint(tunnel->fd, >=, 0);
	g_assert_cmpint(ioctl(tunnel->fd, TUNSETIFF, &ifr), ==, 0);
	/* No IPv6 link-local address: going up would add one whose duplicate detection ends later, so
	 * a picture of the namespace would depend on timing. */
	g_free(ip("link set %s addrgenmode none", name));
	tunnel->ifindex = netcfg_link_index(name);
	g_assert_cmpuint(tunnel->ifindex, !=, 0);
}

/* Closing the last descriptor deletes the link (and its addresses and routes) at once. */
static void tunnel_close(struct tunnel *tunnel)
{
	g_assert_cmpint(close(tunnel->fd), ==, 0);
}

/* Going up adds entries of the kernel's own (the ff00::/8 multicast route), and apply does not
 * restore the MTU: a picture meant to survive apply and remove is taken with both already in place. */
static void tunnel_up_as_apply_leaves_it(void)
{
	g_free(ip("link set %s mtu %u up", tunnel_name, TEST_MTU));
}

/* An uplink with addresses and default routes in main, for the rules to steer around. */
static void uplink_create(struct tunnel *uplink)
{
	tunnel_open(uplink, uplink_name);
	g_free(ip("link set %s up", uplink_name));
	g_free(ip("address add 192.0.2.2/24 dev %s", uplink_name));
	g_free(ip("address add 2001:db8::2/64 dev %s nodad", uplink_name));
	g_free(ip("route add default via 192.0.2.1 dev %s", uplink_name));
	g_free(ip("-6 route add default via 2001:db8::1 dev %s", uplink_name));
}

/* ---- Plans ---- */

/* "address/cidr", or a bare address for a host. */
static struct netcfg_prefix prefix(const char *text)
{
	g_auto(GStrv) parts = g_strsplit(text, "/", 2);
	struct netcfg_prefix result = {0};

	result.family = strchr(parts[0], ':') ? AF_INET6 : AF_INET;
	g_assert_cmpint(inet_pton(result.family, parts[0], result.addr), ==, 1);
	result.cidr = (uint8_t)(parts[1] ? atoi(parts[1]) : result.family == AF_INET ? 32 : 128);
	return result;
}

struct test_plan {
	struct netcfg_prefix addresses[4];
	struct netcfg_prefix routes[6];
	struct netcfg_plan plan;
};

static size_t prefixes(struct netcfg_prefix *out, size_t capacity, const char *const *texts)
{
	size_t n = 0;

	for (; texts && texts[n]; n++) {
		g_assert_cmpuint(n, <, capacity);
		out[n] = prefix(texts[n]);
	}
	return n;
}

static const struct netcfg_plan *plan_init(struct test_plan *test_plan, unsigned ifindex,
					   const char *const *addresses, const char *const *routes)
{
	test_plan->plan = (struct netcfg_plan){
		.ifindex = ifindex,
		.mtu = TEST_MTU,
		.addresses = test_plan->addresses,
		.n_addresses = prefixes(test_plan->addresses, G_N_ELEMENTS(test_plan->addresses), addresses),
		.routes = test_plan->routes,
		.n_routes = prefixes(test_plan->routes, G_N_ELEMENTS(test_plan->routes), routes),
		.table = TEST_TABLE,
		.fwmark = TEST_FWMARK,
		.rule_priority = TEST_PRIORITY,
	};
	return &test_plan->plan;
}

static void apply(const struct netcfg_plan *plan)
{
	GError *error = NULL;
	bool ok = netcfg_apply(plan, &error);

	g_assert_no_error(error);
	g_assert_true(ok);
}

static void remove_plan(const struct netcfg_plan *plan)
{
	GError *error = NULL;
	bool ok = netcfg_remove(plan, &error);

	g_assert_no_error(error);
	g_assert_true(ok);
}

/* A fresh tunnel link with a plan applied to it. */
static const struct netcfg_plan *tunnel_apply(struct tunnel *tunnel, struct test_plan *test_plan,
					      const char *const *addresses, const char *const *routes)
{
	const struct netcfg_plan *plan;

	tunnel_open(tunnel, tunnel_name);
	plan = plan_init(test_plan, tunnel->ifindex, addresses, routes);
	apply(plan);
	return plan;
}

/* Removes plan, checks that neither the link nor the table kept any of it, and closes the link. */
static void tunnel_remove(struct tunnel *tunnel, const struct netcfg_plan *plan)
{
	remove_plan(plan);
	g_autofree char *addresses = ip("-o address show dev %s", tunnel_name);
	g_autofree char *routes = ip("route show dev %s", tunnel_name);
	g_assert_cmpstr(addresses, ==, "");
	g_assert_cmpstr(routes, ==, "");
	expect_ip("route show table all", (const char *const[]){"!table 51821", NULL});
	tunnel_close(tunnel);
}

static bool has_route(const char *address)
{
	struct netcfg_prefix host = prefix(address);

	return netcfg_has_route(host.family, host.addr, TEST_FWMARK);
}

/* ---- Cases ---- */

static void test_addresses_and_mtu(void)
{
	struct tunnel tunnel;
	struct test_plan test_plan;
	const struct netcfg_plan *plan;

	plan = tunnel_apply(&tunnel, &test_plan, tunnel_addresses, NULL);
	expect_ip("-o link show dev wh-tun", (const char *const[]){",UP", "mtu 1380 ", NULL});
	expect_ip("-o address show dev wh-tun", (const char *const[]){"inet 10.64.0.2/32 ",
		  "inet6 fc00:bbbb:bbbb:bb01::2/128 ", "nodad", "!tentative", NULL});
	tunnel_remove(&tunnel, plan);
}

static void test_default_routes(void)
{
	struct tunnel tunnel;
	struct test_plan test_plan;
	const struct netcfg_plan *plan;
	g_autofree char *valid_mark = NULL;

	plan = tunnel_apply(&tunnel, &test_plan, tunnel_addresses, default_routes);
	for (unsigned i = 0; i < G_N_ELEMENTS(wg_quick_rules); i++)
		expect_ip(wg_quick_rules[i].family_rules, (const char *const[]){wg_quick_rules[i].rule, NULL});
	expect_ip("-4 route show table 51821", (const char *const[]){"default dev wh-tun ", NULL});
	expect_ip("-6 route show table 51821", (const char *const[]){"default dev wh-tun ", NULL});
	g_assert_true(g_file_get_contents("/proc/sys/net/ipv4/conf/all/src_valid_mark", &valid_mark, NULL, NULL));
	g_assert_cmpstr(valid_mark, ==, "1\n");

	/* The engine's marked socket still goes out the uplink; everything else into the tunnel. */
	g_assert_true(has_route("198.51.100.7"));
	g_assert_true(has_route("2001:db8:1::7"));
	expect_ip("route get 1.1.1.1", (const char *const[]){"dev wh-tun ", NULL});
	expect_ip("route get 1.1.1.1 mark 0xca6d", (const char *const[]){"!dev wh-tun ", "dev wh-uplink ", NULL});
	expect_ip("route get 2606:4700::1111", (const char *const[]){"dev wh-tun ", NULL});
	expect_ip("route get 2606:4700::1111 mark 0xca6d", (const char *const[]){"!dev wh-tun ", "dev wh-uplink ", NULL});

	tunnel_remove(&tunnel, plan);
}

static void test_allowed_ips_in_main(void)
{
	static const char *const routes[] = {"10.99.0.0/16", "fd00:99::/32", "10.98.7.1/16", NULL};
	struct tunnel tunnel;
	struct test_plan test_plan;
	const struct netcfg_plan *plan;

	plan = tunnel_apply(&tunnel, &test_plan, tunnel_addresses, routes);
	/* Host bits are dropped, as wg does for allowed IPs. */
	expect_ip("-4 route show table main", (const char *const[]){"10.99.0.0/16 dev wh-tun ",
		  "10.98.0.0/16 dev wh-tun ", NULL});
	expect_ip("-6 route show table main", (const char *const[]){"fd00:99::/32 dev wh-tun ", NULL});
	expect_ip("route get 10.99.1.1", (const char *const[]){"dev wh-tun ", NULL});
	expect_ip("route show table all", (const char *const[]){"!table 51821", NULL});
	expect_ip("-4 rule", (const char *const[]){"!51821", NULL});

	tunnel_remove(&tunnel, plan);
}

static void test_remove_restores(void)
{
	struct tunnel tunnel;
	struct test_plan test_plan;
	const struct netcfg_plan *plan;

	tunnel_open(&tunnel, tunnel_name);
	tunnel_up_as_apply_leaves_it();
	g_autofree char *before = namespace_picture();
	plan = plan_init(&test_plan, tunnel.ifindex, tunnel_addresses, every_route);
	apply(plan);
	g_autofree char *applied = namespace_picture();
	g_assert_cmpstr(applied, !=, before);

	remove_plan(plan);
	g_autofree char *after = namespace_picture();
	g_assert_cmpstr(after, ==, before);
	tunnel_close(&tunnel);
}

/* The helper died while connected; its TUN link went with it, the rules and the table did not. */
static void test_remove_after_crash(void)
{
	const struct netcfg_plan crashed = {.table = TEST_TABLE, .fwmark = TEST_FWMARK, .rule_priority = TEST_PRIORITY};
	g_autofree char *before = namespace_picture();
	struct tunnel tunnel;
	struct test_plan test_plan;
	const struct netcfg_plan *plan;

	plan = tunnel_apply(&tunnel, &test_plan, tunnel_addresses, every_route);
	/* A route in the table through another link outlives the tunnel; remove flushes it too. */
	g_free(ip("route add 203.0.113.0/24 dev %s table %u", uplink_name, TEST_TABLE));
	tunnel_close(&tunnel);
	g_assert_cmpuint(netcfg_link_index(tunnel_name), ==, 0);
	expect_ip("-6 rule", (const char *const[]){"lookup 51821", NULL});

	remove_plan(&crashed);
	g_autofree char *after = namespace_picture();
	g_assert_cmpstr(after, ==, before);
	remove_plan(&crashed);
	remove_plan(plan); /* the whole plan, its link gone */
	g_autofree char *again = namespace_picture();
	g_assert_cmpstr(again, ==, before);
}

/* apply fails with code and message, and the namespace looks as in the picture before. */
static void assert_apply_fails(const struct netcfg_plan *plan, int code, const char *message, const char *before)
{
	GError *error = NULL;

	g_assert_false(netcfg_apply(plan, &error));
	g_assert_error(error, NETCFG_ERROR, code);
	g_assert_cmpstr(error->message, ==, message);
	g_error_free(error);
	g_autofree char *after = namespace_picture();
	g_assert_cmpstr(after, ==, before);
}

static void test_apply_failure(void)
{
	static const char *const bad_address[] = {"10.64.0.2/32", "fc00:bbbb:bbbb:bb01::2/128", "10.64.0.3/33", NULL};
	static const char *const twice[] = {"0.0.0.0/0", "::/0", "10.99.0.0/16", "fd00:99::/32", "10.99.0.0/16", NULL};
	g_autofree char *without_link = namespace_picture(), *message = NULL, *before = NULL;
	struct tunnel tunnel;
	struct test_plan test_plan;

	assert_apply_fails(plan_init(&test_plan, 9999, tunnel_addresses, every_route), ENODEV,
			   "setting MTU 1380 on link 9999 and bringing it up: No such device", without_link);

	tunnel_open(&tunnel, tunnel_name);
	tunnel_up_as_apply_leaves_it();
	before = namespace_picture();
	message = g_strdup_printf("adding address 10.64.0.3/33 to link %u: Invalid argument", tunnel.ifindex);
	assert_apply_fails(plan_init(&test_plan, tunnel.ifindex, bad_address, every_route), EINVAL, message, before);
	/* The last route fails: the first copy, the table and everything before go. */
	g_free(message);
	message = g_strdup_printf("adding route 10.99.0.0/16 via link %u to table 254: File exists", tunnel.ifindex);
	assert_apply_fails(plan_init(&test_plan, tunnel.ifindex, tunnel_addresses, twice), EEXIST, message, before);
	/* A rule left by a helper that died: apply stops at it, after the IPv4 rules, and the undo takes
	 * the IPv4 rules, the leftover (it is netcfg's by priority, table and mark) and the table. */
	g_free(ip("-6 rule add not fwmark 0x%x table %u priority %u", TEST_FWMARK, TEST_TABLE, TEST_PRIORITY));
	assert_apply_fails(plan_init(&test_plan, tunnel.ifindex, tunnel_addresses, every_route), EEXIST,
			   "adding IPv6 rule \"not fwmark 0xca6d lookup 51821\" at priority 32000: File exists", before);
	tunnel_close(&tunnel);
}

static void test_ipv4_only(void)
{
	static const char *const routes[] = {"0.0.0.0/0", NULL};
	static const char *const addresses[] = {"10.64.0.2/32", NULL};
	g_autofree char *rules6_before = ip("-6 rule");
	struct tunnel tunnel;
	struct test_plan test_plan;
	const struct netcfg_plan *plan;

	plan = tunnel_apply(&tunnel, &test_plan, addresses, routes);
	for (unsigned i = 0; i < G_N_ELEMENTS(wg_quick_rules); i++) {
		if (g_str_equal(wg_quick_rules[i].family_rules, "-4 rule"))
			expect_ip("-4 rule", (const char *const[]){wg_quick_rules[i].rule, NULL});
	}
	expect_ip("-6 route show table all", (const char *const[]){"!table 51821", NULL});
	g_autofree char *rules6 = ip("-6 rule");
	g_assert_cmpstr(rules6, ==, rules6_before);
	g_assert_true(has_route("2001:db8:1::7"));

	tunnel_remove(&tunnel, plan);
}

/* Without a default route outside the tunnel the endpoint is unreachable: offline. */
static void test_has_route_offline(void)
{
	struct netcfg_prefix host = prefix("198.51.100.7");

	g_assert_true(has_route("198.51.100.7"));
	g_assert_true(has_route("192.0.2.1"));
	g_free(ip("route del default dev %s", uplink_name));
	g_free(ip("-6 route del default dev %s", uplink_name));
	g_assert_false(has_route("198.51.100.7"));
	g_assert_false(has_route("2001:db8:1::7"));
	g_assert_true(has_route("192.0.2.1"));
	g_assert_false(netcfg_has_route(AF_PACKET, host.addr, TEST_FWMARK));
	g_free(ip("route add default via 192.0.2.1 dev %s", uplink_name));
	g_free(ip("-6 route add default via 2001:db8::1 dev %s", uplink_name));
	g_assert_true(has_route("2001:db8:1::7"));
}

int main(int argc, char **argv)
{
	struct tunnel uplink;
	int ret;

	if (geteuid() != 0) {
		if (g_strcmp0(g_getenv("WIREHOP_ALLOW_SKIP"), "1") == 0) {
			fprintf(stderr, "test_netcfg: not root, skipped (WIREHOP_ALLOW_SKIP=1)\n");
			return 77;
		}
		fprintf(stderr, "test_netcfg: needs root to create a network namespace with TUN links, routes and "
				"rules in it; run it as root (or set WIREHOP_ALLOW_SKIP=1 to skip it)\n");
		return 1;
	}
	/* Before any thread exists, so that every thread and child of the test lives in the new namespace. */
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_netcfg: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 1;
	}
	g_test_init(&argc, &argv, NULL);
	g_free(ip("link set lo up"));
	uplink_create(&uplink);
	g_test_add_func("/netcfg/addresses-and-mtu", test_addresses_and_mtu);
	g_test_add_func("/netcfg/default-routes", test_default_routes);
	g_test_add_func("/netcfg/allowed-ips-in-main", test_allowed_ips_in_main);
	g_test_add_func("/netcfg/remove-restores", test_remove_restores);
	g_test_add_func("/netcfg/remove-after-crash", test_remove_after_crash);
	g_test_add_func("/netcfg/apply-failure", test_apply_failure);
	g_test_add_func("/netcfg/ipv4-only", test_ipv4_only);
	g_test_add_func("/netcfg/has-route-offline", test_has_route_offline);
	ret = g_test_run();
	tunnel_close(&uplink);
	return ret;
}
