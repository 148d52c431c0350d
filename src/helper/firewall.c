/* The kill switch: table inet wirehop written as nft text and run through libnftables, each change
 * one transaction, so the table is created, replaced or removed whole or not at all. */
#include "firewall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <nftables/libnftables.h>

G_DEFINE_QUARK(wirehop-firewall-error-quark, firewall_error)

/* Runs commands as one nft transaction (libnftables sends a buffer as one netlink batch). On
 * failure error carries the first line of nft's message (the rest repeats the command). */
static bool nft_run(const char *commands, const char *step, GError **error)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		g_set_error(error, FIREWALL_ERROR, ENOMEM, "Cannot %s: no nftables context", step);
		return false;
	}
	/* Buffered so that "list" prints nothing and nft's errors reach the caller, not stderr. */
	if (nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		nft_ctx_free(nft);
		g_set_error(error, FIREWALL_ERROR, ENOMEM, "Cannot %s: no nftables buffers", step);
		return false;
	}
	bool ok = nft_run_cmd_from_buffer(nft, commands) == 0;
	if (!ok && error) {
		const char *message = nft_ctx_get_error_buffer(nft);
		if (!message)
			message = "";
		g_debug("nft failed to %s:\n%s", step, message);
		if (g_str_has_prefix(message, "Error: "))
			message += strlen("Error: ");
		g_set_error(error, FIREWALL_ERROR, EIO, "nftables could not %s: %.*s", step,
			    (int)strcspn(message, "\n"), message);
	}
	nft_ctx_free(nft);
	return ok;
}

/* Interface names reach the nft text inside quotes. Linux allows almost any byte, but '"' would
 * end the string and a trailing '*' makes nft match every name with that prefix, so only the
 * characters interface names use in practice pass. */
static bool ifname_is_safe(const char *ifname)
{
	size_t length = ifname ? strlen(ifname) : 0;
	if (length == 0 || length >= IFNAMSIZ || strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0)
		return false;
	return strspn(ifname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
	       length;
}

static bool policy_is_valid(const struct firewall_policy *policy, GError **error)
{
	if (!ifname_is_safe(policy->tunnel_ifname)) {
		g_autofree char *shown = g_strescape(policy->tunnel_ifname ? policy->tunnel_ifname : "", NULL);
		g_set_error(error, FIREWALL_ERROR, EINVAL,
			    "Refusing tunnel interface name \"%s\": use 1 to %d of A-Z a-z 0-9 - _ .",
			    shown, IFNAMSIZ - 1);
		return false;
	}
	if (policy->endpoint_family != AF_INET && policy->endpoint_family != AF_INET6) {
		g_set_error(error, FIREWALL_ERROR, EINVAL,
			    "Refusing relay endpoint of address family %d: only IPv4 and IPv6",
			    policy->endpoint_family);
		return false;
	}
	if (policy->endpoint_port == 0) {
		g_set_error_literal(error, FIREWALL_ERROR, EINVAL, "Refusing relay endpoint port 0");
		return false;
	}
	return true;
}

/* The whole rule set; "add table" first makes "delete table" succeed when there was none, so the
 * transaction creates or replaces. Chains hook at filter priority (0), as Mullvad's do: after
 * conntrack (-200), so ct state is known, and after mangle (-150), so a rerouted packet is judged
 * by its final output interface. A drop here is final whatever other tables accept.
 * Output: loopback, the tunnel by name, UDP to the relay, the DHCPv4/DHCPv6 client and the
 * neighbour discovery that keep the physical link up. Input: the same in reverse, plus ICMP errors
 * (port unreachable, packet too big) about the UDP flow to the relay. Forward: the tunnel only. */
static char *ruleset_text(const struct firewall_policy *policy)
{
	const char *tunnel = policy->tunnel_ifname;
	int family = policy->endpoint_family;
	const uint8_t *address = policy->endpoint_addr;
	/* An IPv4-mapped endpoint leaves a dual-stack socket as IPv4, so it is matched as IPv4. */
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)address)) {
		family = AF_INET;
		address += 12;
	}
	const char *ip = family == AF_INET ? "ip" : "ip6";
	char relay[INET6_ADDRSTRLEN];
	/* Cannot fail: the family is checked and relay holds any address. */
	inet_ntop(family, address, relay, sizeof(relay));
	unsigned port = policy->endpoint_port;

	GString *text = g_string_new("add table inet " FIREWALL_TABLE "\n"
				     "delete table inet " FIREWALL_TABLE "\n"
				     "table inet " FIREWALL_TABLE " {\n");
	g_string_append(text, "\tchain output {\n"
			      "\t\ttype filter hook output priority filter; policy drop;\n"
			      "\t\toif \"lo\" accept\n");
	g_string_append_printf(text, "\t\toifname \"%s\" accept\n", tunnel);
	g_string_append_printf(text, "\t\t%s daddr %s udp dport %u accept\n", ip, relay, port);
	g_string_append(text, "\t\tudp sport 68 udp dport 67 accept\n"
			      "\t\tip6 saddr fe80::/10 ip6 daddr ff02::1:2 udp sport 546 udp dport 547 accept\n"
			      "\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert }"
			      " ip6 hoplimit 255 accept\n"
			      "\t}\n");
	g_string_append(text, "\tchain input {\n"
			      "\t\ttype filter hook input priority filter; policy drop;\n"
			      "\t\tiif \"lo\" accept\n");
	g_string_append_printf(text, "\t\tiifname \"%s\" accept\n", tunnel);
	g_string_append_printf(text, "\t\t%s saddr %s udp sport %u accept\n", ip, relay, port);
	/* nft 1.0.6 cannot match "ct original proto-dst" here; the address and protocol suffice, as
	 * nothing else reaches the relay's address outside the tunnel. */
	g_string_append_printf(text,
			       "\t\tct state related ct original %s daddr %s ct protocol udp accept\n",
			       ip, relay);
	g_string_append(text, "\t\tudp sport 67 udp dport 68 accept\n"
			      "\t\tip6 saddr fe80::/10 ip6 daddr fe80::/10 udp sport 547 udp dport 546 accept\n"
			      "\t\ticmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert,"
			      " nd-redirect } ip6 hoplimit 255 accept\n"
			      "\t}\n");
	g_string_append_printf(text,
			       "\tchain forward {\n"
			       "\t\ttype filter hook forward priority filter; policy drop;\n"
			       "\t\tiifname \"%s\" accept\n"
			       "\t\toifname \"%s\" accept\n"
			       "\t}\n"
			       "}\n",
			       tunnel, tunnel);
	return g_string_free(text, false);
}

bool firewall_block(const struct firewall_policy *policy, GError **error)
{
	if (!policy_is_valid(policy, error))
		return false;
	g_autofree char *ruleset = ruleset_text(policy);
	return nft_run(ruleset, "replace table inet " FIREWALL_TABLE, error);
}

bool firewall_unblock(GError **error)
{
	/* The "add" makes the delete succeed when nothing blocks, in the same transaction. */
	return nft_run("add table inet " FIREWALL_TABLE "\n"
		       "delete table inet " FIREWALL_TABLE "\n",
		       "delete table inet " FIREWALL_TABLE, error);
}

bool firewall_is_blocking(void)
{
	return nft_run("list table inet " FIREWALL_TABLE "\n", "list table inet " FIREWALL_TABLE, NULL);
}
