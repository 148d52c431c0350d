/* The Connect profile validator: valid profiles become structs, each kind of bad input is refused
 * with an error that names the field. */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "profile.h"

#define KEY_A "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define KEY_B "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="
#define KEY_C "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

static GVariant *hop(const char *public_key, const char *endpoint, const char *allowed)
{
	GVariantBuilder b;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (public_key)
		g_variant_builder_add(&b, "{sv}", "public-key", g_variant_new_string(public_key));
	if (endpoint)
		g_variant_builder_add(&b, "{sv}", "endpoint", g_variant_new_string(endpoint));
	if (allowed) {
		g_auto(GStrv) list = g_strsplit(allowed, ",", -1);
		g_variant_builder_add(&b, "{sv}", "allowed-ips", g_variant_new_strv((const char *const *)list, -1));
	}
	return g_variant_builder_end(&b);
}

/* A valid single-hop profile as text, so each case can change one thing. */
static const char *valid_text(void)
{
	return "{'name': <'Home'>, 'private-key': <'" KEY_A "'>, 'addresses': <['10.64.0.2/32', 'fc00:bbbb::2/128']>,"
	       " 'dns': <['10.64.0.1']>, 'kill-switch': <true>, 'daita': <false>,"
	       " 'hops': <[{'public-key': <'" KEY_B "'>, 'endpoint': <'192.0.2.1:51820'>,"
	       " 'allowed-ips': <['0.0.0.0/0', '::/0']>, 'persistent-keepalive': <uint32 25>}]>}";
}

static GVariant *parse_text(const char *text)
{
	g_autoptr(GError) error = NULL;
	GVariant *v = g_variant_parse(G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);
	g_assert_no_error(error);
	return g_variant_ref_sink(v);
}

static void test_valid_single_hop(void)
{
	g_autoptr(GVariant) v = parse_text(valid_text());
	g_autoptr(GError) error = NULL;
	struct profile *p = profile_from_variant(v, &error);
	g_assert_no_error(error);
	g_assert_nonnull(p);
	g_assert_cmpstr(p->name, ==, "Home");
	g_assert_cmpuint(p->n_addresses, ==, 2);
	g_assert_cmpint(p->addresses[0].family, ==, AF_INET);
	g_assert_cmpuint(p->addresses[0].cidr, ==, 32);
	g_assert_cmpint(p->addresses[1].family, ==, AF_INET6);
	g_assert_cmpstr(p->dns[0], ==, "10.64.0.1");
	g_assert_null(p->dns[1]);
	g_assert_true(p->kill_switch);
	g_assert_false(p->daita);
	g_assert_cmpuint(p->mtu, ==, PROFILE_DEFAULT_MTU);
	g_assert_cmpuint(p->n_hops, ==, 1);
	g_assert_cmpstr(p->hops[0].endpoint_host, ==, "192.0.2.1");
	g_assert_cmpuint(p->hops[0].endpoint_port, ==, 51820);
	g_assert_cmpuint(p->hops[0].n_allowed_ips, ==, 2);
	g_assert_cmpuint(p->hops[0].persistent_keepalive, ==, 25);
	g_assert_false(p->hops[0].has_preshared_key);
	uint8_t expected[32];
	g_assert_cmpint(sodium_base642bin(expected, sizeof(expected), KEY_A, strlen(KEY_A), NULL, NULL, NULL,
					  sodium_base64_VARIANT_ORIGINAL),
			==, 0);
	g_assert_cmpmem(p->secrets->private_key, 32, expected, 32);
	profile_free(p);
}

static void test_valid_multihop(void)
{
	GVariantBuilder hops;
	g_variant_builder_init(&hops, G_VARIANT_TYPE("aa{sv}"));
	g_variant_builder_add_value(&hops, hop(KEY_C, "[2001:db8::1]:443", "203.0.113.9/32"));
	g_variant_builder_add_value(&hops, hop(KEY_B, "exit.example.net:51820", "0.0.0.0/0"));
	GVariantBuilder b;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string("Entry → Exit"));
	g_variant_builder_add(&b, "{sv}", "private-key", g_variant_new_string(KEY_A));
	g_variant_builder_add(&b, "{sv}", "addresses", g_variant_new_strv((const char *[]){"10.0.0.2/32"}, 1));
	g_variant_builder_add(&b, "{sv}", "hops", g_variant_builder_end(&hops));
	g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_builder_end(&b));
	g_autoptr(GError) error = NULL;
	struct profile *p = profile_from_variant(v, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(p->n_hops, ==, 2);
	g_assert_cmpstr(p->hops[0].endpoint_host, ==, "2001:db8::1");
	g_assert_cmpuint(p->hops[0].endpoint_port, ==, 443);
	g_assert_cmpstr(p->hops[1].endpoint_host, ==, "exit.example.net");
	g_assert_cmpuint(p->mtu, ==, PROFILE_DEFAULT_MTU_MULTIHOP);
	g_assert_false(p->kill_switch);
	g_assert_null(p->dns[0]);
	profile_free(p);
}

struct bad_case {
	const char *from;
	const char *to;
	const char *field; /* the message must start with "field:" */
};

/* Each case replaces one piece of the valid profile text. */
static const struct bad_case bad_cases[] = {
	{"'name': <'Home'>, ", "", "name"},
	{"<'Home'>", "<''>", "name"},
	{"'private-key': <'" KEY_A "'>", "'private-key': <'short'>", "private-key"},
	{"'private-key': <'" KEY_A "'>", "'private-key': <uint32 5>", "private-key"},
	{"'10.64.0.2/32'", "'10.64.0.300/32'", "addresses[0]"},
	{"'fc00:bbbb::2/128'", "'fc00:bbbb::2/129'", "addresses[1]"},
	{"<['10.64.0.2/32', 'fc00:bbbb::2/128']>", "<@as []>", "addresses"},
	{"'10.64.0.1'", "'dns.example'", "dns[0]"},
	{"'192.0.2.1:51820'", "'192.0.2.1'", "hops[0].endpoint"},
	{"'192.0.2.1:51820'", "'192.0.2.1:70000'", "hops[0].endpoint"},
	{"'192.0.2.1:51820'", "'2001:db8::1:51820'", "hops[0].endpoint"},
	{"'192.0.2.1:51820'", "'bad host!:51820'", "hops[0].endpoint"},
	{"'public-key': <'" KEY_B "'>", "'public-key': <'" KEY_B "x'>", "hops[0].public-key"},
	{"'public-key': <'" KEY_B "'>, ", "", "hops[0].public-key"},
	{"<['0.0.0.0/0', '::/0']>", "<@as []>", "hops[0].allowed-ips"},
	{"<uint32 25>", "<uint32 70000>", "hops[0].persistent-keepalive"},
	{"'daita': <false>", "'daita': <'no'>", "daita"},
	{"'daita': <false>", "'colour': <'blue'>", "colour"},
	{"'daita': <false>", "'mtu': <uint32 9000>", "mtu"},
	{"'daita': <false>", "'mtu': <uint32 576>", "mtu"},
	{"'persistent-keepalive'", "'keepalive'", "hops[0].keepalive"},
};

static char *replace_once(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	g_assert_nonnull(at);
	return g_strdup_printf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static void test_bad_inputs(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		g_autofree char *text = replace_once(valid_text(), c->from, c->to);
		g_autoptr(GError) error = NULL;
		GVariant *v = g_variant_parse(G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);
		g_assert_no_error(error);
		g_variant_ref_sink(v);
		struct profile *p = profile_from_variant(v, &error);
		g_variant_unref(v);
		g_test_message("case %zu: %s", i, error ? error->message : "(accepted)");
		g_assert_null(p);
		g_assert_error(error, PROFILE_ERROR, 0);
		g_autofree char *prefix = g_strconcat(c->field, ": ", NULL);
		g_assert_true(g_str_has_prefix(error->message, prefix));
		/* A rejected key is never echoed back. */
		g_assert_null(strstr(error->message, KEY_A));
	}
}

static void test_same_entry_and_exit(void)
{
	GVariantBuilder hops;
	g_variant_builder_init(&hops, G_VARIANT_TYPE("aa{sv}"));
	g_variant_builder_add_value(&hops, hop(KEY_B, "192.0.2.1:1", "192.0.2.2/32"));
	g_variant_builder_add_value(&hops, hop(KEY_B, "192.0.2.2:1", "0.0.0.0/0"));
	g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_new_parsed(
		"{'name': <'x'>, 'private-key': <%s>, 'addresses': <['10.0.0.2/32']>, 'hops': <%v>}", KEY_A,
		g_variant_builder_end(&hops)));
	g_autoptr(GError) error = NULL;
	g_assert_null(profile_from_variant(v, &error));
	g_assert_error(error, PROFILE_ERROR, 0);
	g_assert_true(g_str_has_prefix(error->message, "hops: "));
}

static void test_empty_hops(void)
{
	g_autoptr(GVariant) v = parse_text("{'name': <'x'>, 'private-key': <'" KEY_A "'>,"
					   " 'addresses': <['10.0.0.2/32']>, 'hops': <@aa{sv} []>}");
	g_autoptr(GError) error = NULL;
	g_assert_null(profile_from_variant(v, &error));
	g_assert_true(g_str_has_prefix(error->message, "hops: "));
}

static void test_not_a_dict(void)
{
	g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_new_string("nope"));
	g_autoptr(GError) error = NULL;
	g_assert_null(profile_from_variant(v, &error));
	g_assert_true(g_str_has_prefix(error->message, "profile: "));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(sodium_init(), >=, 0);
	g_test_add_func("/profile/valid-single-hop", test_valid_single_hop);
	g_test_add_func("/profile/valid-multihop", test_valid_multihop);
	g_test_add_func("/profile/bad-inputs", test_bad_inputs);
	g_test_add_func("/profile/same-entry-and-exit", test_same_entry_and_exit);
	g_test_add_func("/profile/empty-hops", test_empty_hops);
	g_test_add_func("/profile/not-a-dict", test_not_a_dict);
	return g_test_run();
}
