/* wirehop: the GTK4 app of Wirehop. */
#include <glib/gi18n.h>
#include <locale.h>

#include "wh-application.h"
#include "wh-config.h"

int main(int argc, char *argv[])
{
	setlocale(LC_ALL, "");
	/* WIREHOP_LOCALEDIR: the translations of a build tree (<build>/po), for tests and translators. */
	const char *localedir = g_getenv("WIREHOP_LOCALEDIR");
	bindtextdomain(GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	g_autoptr(WhApplication) app = wh_application_new();
	return g_application_run(G_APPLICATION(app), argc, argv);
}
