/* The tunnel's MTU, addresses, routes and wg-quick policy rules, set and removed over rtnetlink with
 * libmnl: one socket a call, every request acknowledged, the first failure reported by step. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netcfg.h"

G_DEFINE_QUARK(netcfg-error-quark, netcfg_error)

enum {
	/* Large enough for any message of a dump (libmnl 1.0.5 calls it MNL_SOCKET_DUMP_SIZE). */
	NETLINK_BUFFER_SIZE = 32768,
	PREFIX_TEXT_SIZE = INET6_ADDRSTRLEN + sizeof("/128"),
};

/* wg-quick sets it so that replies to the marked socket pass reverse-path filtering. Writing here
 * changes the network namespace the helper runs in, nothing else. */
static const char src_valid_mark_path[] = "/proc/sys/net/ipv4/conf/all/src_valid_mark";

static const int families[] = {AF_INET, AF_INET6};

struct netlink {
	struct mnl_socket *socket;
	unsigned portid;
	unsigned seq;
	char *buffer;
};

/* A route as apply adds it and remove deletes it; a dump fills in the same fields. */
struct route {
	int family;
	uint8_t dst[16];
	uint8_t dst_len;
	uint8_t tos;
	uint8_t type;
	uint32_t table;
	uint32_t oif;
	uint32_t metric;
};

/* ---- Errors ---- */

/* Keeps the first error: remove carries on after a failure and reports the first one. */
static bool G_GNUC_PRINTF(3, 4) fail(GError **error, int err, const char *format, ...)
{
	g_autofree char *step = NULL;
	va_list args;

	if (!error || *error)
		return false;
	va_start(args, format);
	step = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, NETCFG_ERROR, err, "%s: %s", step, g_strerror(err));
	return false;
}

/* What a removal may meet when the object is not there (any more): nothing to do. */
static bool already_gone(int err)
{
	return err == ENOENT || err == ESRCH || err == EADDRNOTAVAIL || err == ENODEV || err == EAFNOSUPPORT;
}

/* ---- Addresses and prefixes ---- */

static size_t family_address_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static const char *prefix_text(int family, const uint8_t addr[16], unsigned cidr, char text[PREFIX_TEXT_SIZE])
{
	char address[INET6_ADDRSTRLEN];

	if (!family_address_len(family) || !inet_ntop(family, addr, address, sizeof(address)))
		g_strlcpy(address, "(unknown family)", sizeof(address));
	g_snprintf(text, PREFIX_TEXT_SIZE, "%s/%u", address, cidr);
	return text;
}

static bool is_default_route(const struct netcfg_prefix *prefix)
{
	return prefix->cidr == 0;
}

static bool plan_has_default_route(const struct netcfg_plan *plan, int family)
{
	for (size_t i = 0; i < plan->n_routes; i++) {
		if (plan->routes[i].family == family && is_default_route(&plan->routes[i]))
			return true;
	}
	return false;
}

/* The table is netcfg's alone, so flushing it cannot take anyone else's routes. */
static bool table_is_dedicated(uint32_t table)
{
	return table != RT_TABLE_UNSPEC && table != RT_TABLE_COMPAT && table != RT_TABLE_DEFAULT &&
	       table != RT_TABLE_MAIN && table != RT_TABLE_LOCAL;
}

/* The kernel refuses a route whose host bits are set; allowed IPs may have them (wg masks them too). */
static void route_from_prefix(struct route *route, const struct netcfg_prefix *prefix, uint32_t table, unsigned oif)
{
	size_t len = family_address_len(prefix->family);

	*route = (struct route){
		.family = prefix->family,
		.dst_len = prefix->cidr,
		.type = RTN_UNICAST,
		.table = table,
		.oif = oif,
	};
	for (size_t i = 0; i < len && i * 8 < prefix->cidr; i++) {
		unsigned bits = prefix->cidr - i * 8;

		route->dst[i] = bits >= 8 ? prefix->addr[i] : (uint8_t)(prefix->addr[i] & (0xff00u >> bits));
	}
}

/* ---- Netlink ---- */

static int netlink_open(struct netlink *nl)
{
	*nl = (struct netlink){.seq = (unsigned)time(NULL)};
	nl->socket = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->socket)
		return -errno;
	if (mnl_socket_bind(nl->socket, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(nl->socket);
		return -err;
	}
	nl->portid = mnl_socket_get_portid(nl->socket);
	nl->buffer = g_malloc(NETLINK_BUFFER_SIZE);
	return 0;
}

static void netlink_close(struct netlink *nl)
{
	mnl_socket_close(nl->socket);
	g_free(nl->buffer);
}

static struct nlmsghdr *netlink_request(struct netlink *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buffer);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* A request the kernel acknowledges; creating, the object must not exist yet (as with ip(8)'s "add"). */
static struct nlmsghdr *netlink_change(struct netlink *nl, uint16_t type, bool creating)
{
	return netlink_request(nl, type, NLM_F_ACK | (creating ? NLM_F_CREATE | NLM_F_EXCL : 0));
}

/* Sends request and reads until its ack, error or end of dump, handing every other message to
 * callback. 0 or -errno. Callbacks never stop early, so nothing of this request is left unread for
 * the next one. */
static int netlink_talk(struct netlink *nl, const struct nlmsghdr *request, mnl_cb_t callback, void *data)
{
	unsigned seq = request->nlmsg_seq;
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(nl->socket, request, request->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->socket, nl->buffer, NETLINK_BUFFER_SIZE);
		if (len < 0)
			return -errno;
		errno = EPROTO;
		ret = mnl_cb_run(nl->buffer, (size_t)len, seq, nl->portid, callback, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

/* ---- Link ---- */

/* An mtu of 0 keeps the link's. */
static int link_set_up(struct netlink *nl, unsigned ifindex, unsigned mtu)
{
	struct nlmsghdr *nlh = netlink_change(nl, RTM_NEWLINK, false);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return netlink_talk(nl, nlh, NULL, NULL);
}

static bool link_exists(unsigned ifindex)
{
	char name[IF_NAMESIZE];

	return if_indextoname(ifindex, name) != NULL;
}

/* ---- Addresses ---- */

static int address_request(struct netlink *nl, uint16_t type, unsigned ifindex, const struct netcfg_prefix *address)
{
	size_t len = family_address_len(address->family);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (!len)
		return -EAFNOSUPPORT;
	nlh = netlink_change(nl, type, type == RTM_NEWADDR);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)address->family;
	ifa->ifa_prefixlen = address->cidr;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	/* Usable at once: nothing else can hold a tunnel address, so duplicate detection only delays. */
	if (address->family == AF_INET6 && type == RTM_NEWADDR) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	mnl_attr_put(nlh, IFA_LOCAL, len, address->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, address->addr);
	return netlink_talk(nl, nlh, NULL, NULL);
}

/* ---- Routes ---- */

static int route_request(struct netlink *nl, uint16_t type, const struct route *route)
{
	size_t len = family_address_len(route->family);
	bool adding = type == RTM_NEWROUTE;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!len)
		return -EAFNOSUPPORT;
	nlh = netlink_change(nl, type, adding);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)route->family;
	rtm->rtm_dst_len = route->dst_len;
	rtm->rtm_tos = route->tos;
	rtm->rtm_table = route->table < 256 ? (uint8_t)route->table : RT_TABLE_UNSPEC;
	/* What ip(8) sends: a new route through a device is link-scoped; a deletion matches any scope and
	 * protocol. */
	rtm->rtm_protocol = adding ? RTPROT_BOOT : RTPROT_UNSPEC;
	rtm->rtm_scope = adding ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	rtm->rtm_type = route->type;
	mnl_attr_put_u32(nlh, RTA_TABLE, route->table);
	if (route->dst_len)
		mnl_attr_put(nlh, RTA_DST, len, route->dst);
	if (route->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, route->oif);
	if (route->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, route->metric);
	return netlink_talk(nl, nlh, NULL, NULL);
}

static int route_attribute(const struct nlattr *attr, void *data)
{
	const struct nlattr **attrs = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case RTA_TABLE:
	case RTA_OIF:
	case RTA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case RTA_DST:
		if (mnl_attr_validate(attr, MNL_TYPE_BINARY) < 0)
			return MNL_CB_OK;
		break;
	default:
		return MNL_CB_OK;
	}
	attrs[type] = attr;
	return MNL_CB_OK;
}

/* Fills route from an RTM_NEWROUTE message; false for one too short or of another family. A malformed
 * attribute is passed over rather than read. */
static bool route_parse(const struct nlmsghdr *nlh, struct route *route)
{
	const struct nlattr *attrs[RTA_MAX + 1] = {0};
	const struct rtmsg *rtm;
	size_t len;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return false;
	rtm = mnl_nlmsg_get_payload(nlh);
	len = family_address_len(rtm->rtm_family);
	if (!len || rtm->rtm_dst_len > len * 8)
		return false;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attribute, attrs);
	*route = (struct route){
		.family = rtm->rtm_family,
		.dst_len = rtm->rtm_dst_len,
		.tos = rtm->rtm_tos,
		.type = rtm->rtm_type,
		.table = attrs[RTA_TABLE] ? mnl_attr_get_u32(attrs[RTA_TABLE]) : rtm->rtm_table,
		.oif = attrs[RTA_OIF] ? mnl_attr_get_u32(attrs[RTA_OIF]) : 0,
		.metric = attrs[RTA_PRIORITY] ? mnl_attr_get_u32(attrs[RTA_PRIORITY]) : 0,
	};
	if (attrs[RTA_DST]) {
		if (mnl_attr_get_payload_len(attrs[RTA_DST]) != len)
			return false;
		memcpy(route->dst, mnl_attr_get_payload(attrs[RTA_DST]), len);
	} else if (rtm->rtm_dst_len) {
		return false;
	}
	return true;
}

struct table_dump {
	uint32_t table;
	GArray *routes;
};

static int collect_table_route(const struct nlmsghdr *nlh, void *data)
{
	struct table_dump *dump = data;
	struct route route;

	if (route_parse(nlh, &route) && route.table == dump->table)
		g_array_append_val(dump->routes, route);
	return MNL_CB_OK;
}

/* Deletes every route in table (both families). Routes are collected first: the socket cannot take a
 * request while it is still reading the dump. */
static void flush_table(struct netlink *nl, uint32_t table, GError **error)
{
	struct table_dump dump = {.table = table, .routes = g_array_new(FALSE, FALSE, sizeof(struct route))};
	struct nlmsghdr *nlh = netlink_request(nl, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int ret;

	rtm->rtm_family = AF_UNSPEC;
	ret = netlink_talk(nl, nlh, collect_table_route, &dump);
	if (ret < 0)
		fail(error, -ret, "listing the routes of table %u", table);
	for (unsigned i = 0; ret == 0 && i < dump.routes->len; i++) {
		const struct route *route = &g_array_index(dump.routes, struct route, i);
		char text[PREFIX_TEXT_SIZE];
		int err = -route_request(nl, RTM_DELROUTE, route);

		if (err && !already_gone(err))
			fail(error, err, "removing route %s from table %u",
			     prefix_text(route->family, route->dst, route->dst_len, text), table);
	}
	g_array_unref(dump.routes);
}

/* ---- Rules ---- */

/* The wg-quick pair for one family: "not fwmark FWMARK lookup TABLE" at rule_priority, and
 * "lookup main suppress_prefixlength 0" (the main table, but never its default route) just before. */
static int rule_request(struct netlink *nl, uint16_t type, int family, const struct netcfg_plan *plan, bool suppress)
{
	uint32_t table = suppress ? RT_TABLE_MAIN : plan->table;
	struct nlmsghdr *nlh = netlink_change(nl, type, type == RTM_NEWRULE);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));

	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	if (suppress) {
		mnl_attr_put_u32(nlh, FRA_PRIORITY, plan->rule_priority - 1);
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, 0);
	} else {
		frh->flags = FIB_RULE_INVERT;
		mnl_attr_put_u32(nlh, FRA_PRIORITY, plan->rule_priority);
		mnl_attr_put_u32(nlh, FRA_FWMARK, plan->fwmark);
	}
	return netlink_talk(nl, nlh, NULL, NULL);
}

static void rule_text(const struct netcfg_plan *plan, bool suppress, char *text, size_t size)
{
	if (suppress)
		g_snprintf(text, size, "\"lookup main suppress_prefixlength 0\" at priority %u", plan->rule_priority - 1);
	else
		g_snprintf(text, size, "\"not fwmark 0x%x lookup %u\" at priority %u", plan->fwmark, plan->table,
			   plan->rule_priority);
}

static bool add_rules(struct netlink *nl, int family, const struct netcfg_plan *plan, GError **error)
{
	for (int suppress = 0; suppress <= 1; suppress++) {
		int ret = rule_request(nl, RTM_NEWRULE, family, plan, suppress);
		char text[128];

		if (ret < 0) {
			rule_text(plan, suppress, text, sizeof(text));
			return fail(error, -ret, "adding %s rule %s", family_name(family), text);
		}
	}
	return true;
}

/* Deletes until none is left, so copies left by an older helper go too. */
static void remove_rules(struct netlink *nl, int family, const struct netcfg_plan *plan, GError **error)
{
	for (int suppress = 0; suppress <= 1; suppress++) {
		int ret;
		char text[128];

		do
			ret = rule_request(nl, RTM_DELRULE, family, plan, suppress);
		while (ret == 0);
		if (!already_gone(-ret)) {
			rule_text(plan, suppress, text, sizeof(text));
			fail(error, -ret, "removing %s rule %s", family_name(family), text);
		}
	}
}

/* ---- Removal, shared by remove and a failed apply ---- */

/* Undoes apply's first n_addresses addresses and n_routes routes, and all rules and table routes,
 * carrying on after a failure; error (not NULL) gets the first. */
static void undo(struct netlink *nl, const struct netcfg_plan *plan, size_t n_addresses, size_t n_routes,
		 GError **error)
{
	if (table_is_dedicated(plan->table)) {
		for (size_t i = 0; i < G_N_ELEMENTS(families); i++)
			remove_rules(nl, families[i], plan, error);
		flush_table(nl, plan->table, error);
	}
	/* A link that is gone took its addresses and routes with it. */
	if (!plan->ifindex || !link_exists(plan->ifindex))
		return;
	for (size_t i = n_routes; i-- > 0;) {
		const struct netcfg_prefix *prefix = &plan->routes[i];
		struct route route;
		char text[PREFIX_TEXT_SIZE];
		int err;

		if (is_default_route(prefix))
			continue;
		route_from_prefix(&route, prefix, RT_TABLE_MAIN, plan->ifindex);
		err = -route_request(nl, RTM_DELROUTE, &route);
		if (err && !already_gone(err))
			fail(error, err, "removing route %s via link %u",
			     prefix_text(route.family, route.dst, route.dst_len, text), plan->ifindex);
	}
	for (size_t i = n_addresses; i-- > 0;) {
		const struct netcfg_prefix *address = &plan->addresses[i];
		char text[PREFIX_TEXT_SIZE];
		int err = -address_request(nl, RTM_DELADDR, plan->ifindex, address);

		if (err && !already_gone(err))
			fail(error, err, "removing address %s from link %u",
			     prefix_text(address->family, address->addr, address->cidr, text), plan->ifindex);
	}
}

/* ---- Apply ---- */

static bool check_plan(const struct netcfg_plan *plan, GError **error)
{
	if (!plan->ifindex)
		return fail(error, EINVAL, "checking the plan: no link");
	if (!plan_has_default_route(plan, AF_INET) && !plan_has_default_route(plan, AF_INET6))
		return true;
	if (!table_is_dedicated(plan->table))
		return fail(error, EINVAL, "checking the plan: table %u is not one netcfg may own", plan->table);
	if (!plan->fwmark || !plan->rule_priority)
		return fail(error, EINVAL, "checking the plan: default routes need a fwmark and a rule priority above 0");
	return true;
}

static int write_sysctl(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t written;
	int err;

	if (fd < 0)
		return -errno;
	written = write(fd, value, len);
	err = written < 0 ? -errno : (size_t)written != len ? -EIO : 0;
	close(fd);
	return err;
}

static bool add_addresses(struct netlink *nl, const struct netcfg_plan *plan, size_t *added, GError **error)
{
	for (; *added < plan->n_addresses; (*added)++) {
		const struct netcfg_prefix *address = &plan->addresses[*added];
		char text[PREFIX_TEXT_SIZE];
		int ret = address_request(nl, RTM_NEWADDR, plan->ifindex, address);

		if (ret < 0)
			return fail(error, -ret, "adding address %s to link %u",
				    prefix_text(address->family, address->addr, address->cidr, text), plan->ifindex);
	}
	return true;
}

static bool add_routes(struct netlink *nl, const struct netcfg_plan *plan, size_t *added, GError **error)
{
	for (; *added < plan->n_routes; (*added)++) {
		const struct netcfg_prefix *prefix = &plan->routes[*added];
		uint32_t table = is_default_route(prefix) ? plan->table : RT_TABLE_MAIN;
		struct route route;
		char text[PREFIX_TEXT_SIZE];
		int ret;

		route_from_prefix(&route, prefix, table, plan->ifindex);
		ret = route_request(nl, RTM_NEWROUTE, &route);
		if (ret < 0)
			return fail(error, -ret, "adding route %s via link %u to table %u",
				    prefix_text(route.family, route.dst, route.dst_len, text), plan->ifindex, table);
	}
	return true;
}

static bool add_policy(struct netlink *nl, const struct netcfg_plan *plan, GError **error)
{
	int ret;

	for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
		if (plan_has_default_route(plan, families[i]) && !add_rules(nl, families[i], plan, error))
			return false;
	}
	if (!plan_has_default_route(plan, AF_INET))
		return true;
	ret = write_sysctl(src_valid_mark_path, "1");
	if (ret < 0)
		return fail(error, -ret, "setting net.ipv4.conf.all.src_valid_mark to 1");
	return true;
}

bool netcfg_apply(const struct netcfg_plan *plan, GError **error)
{
	size_t n_addresses = 0, n_routes = 0;
	struct netlink nl;
	bool ok;
	int ret;

	if (!check_plan(plan, error))
		return false;
	ret = netlink_open(&nl);
	if (ret < 0)
		return fail(error, -ret, "opening a netlink socket");
	ret = link_set_up(&nl, plan->ifindex, plan->mtu);
	if (ret < 0)
		fail(error, -ret, "setting MTU %u on link %u and bringing it up", plan->mtu, plan->ifindex);
	ok = ret == 0 && add_addresses(&nl, plan, &n_addresses, error) && add_routes(&nl, plan, &n_routes, error) &&
	     add_policy(&nl, plan, error);
	if (!ok) {
		g_autoptr(GError) undo_error = NULL;

		undo(&nl, plan, n_addresses, n_routes, &undo_error);
		if (undo_error)
			g_warning("netcfg: undoing a failed apply: %s", undo_error->message);
	}
	netlink_close(&nl);
	return ok;
}

/* ---- Remove ---- */

bool netcfg_remove(const struct netcfg_plan *plan, GError **error)
{
	g_autoptr(GError) first = NULL;
	struct netlink nl;
	int ret = netlink_open(&nl);

	if (ret < 0)
		return fail(error, -ret, "opening a netlink socket");
	undo(&nl, plan, plan->n_addresses, plan->n_routes, &first);
	netlink_close(&nl);
	if (first) {
		g_propagate_error(error, g_steal_pointer(&first));
		return false;
	}
	return true;
}

/* ---- Queries ---- */

unsigned netcfg_link_index(const char *ifname)
{
	return if_nametoindex(ifname);
}

static int note_reachable(const struct nlmsghdr *nlh, void *data)
{
	bool *reachable = data;
	struct route route;

	if (route_parse(nlh, &route))
		*reachable = route.type != RTN_UNREACHABLE && route.type != RTN_PROHIBIT &&
			     route.type != RTN_BLACKHOLE && route.type != RTN_THROW;
	return MNL_CB_OK;
}

bool netcfg_has_route(int family, const uint8_t addr[16], uint32_t fwmark)
{
	size_t len = family_address_len(family);
	bool reachable = false;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct netlink nl;

	if (!len || netlink_open(&nl) < 0)
		return false;
	nlh = netlink_request(&nl, RTM_GETROUTE, NLM_F_ACK);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)(len * 8);
	mnl_attr_put(nlh, RTA_DST, len, addr);
	mnl_attr_put_u32(nlh, RTA_MARK, fwmark);
	if (netlink_talk(&nl, nlh, note_reachable, &reachable) < 0)
		reachable = false;
	netlink_close(&nl);
	return reachable;
}
