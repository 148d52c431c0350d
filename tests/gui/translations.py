"""gui-translations.sh's scenario: the window in the language of LANGUAGE, as po/<lang>.po says."""
import gettext
import os
import re
import sys

import guitest as g

lang, conf = sys.argv[1:3]
catalog = gettext.translation("wirehop", localedir=os.environ["WIREHOP_LOCALE_DIR"], languages=[lang],
                              fallback=True)


def tr(text):
    """text as po/<lang>.po translates it; an untranslated string fails the test."""
    translated = catalog.gettext(text)
    g.check(translated != text, "po/%s.po does not translate %r" % (lang, text))
    if lang == "ru":
        g.check(re.search("[А-Яа-яЁё]", translated), "%r is not Russian: %r" % (text, translated))
    return translated


expected = {text: tr(text) for text in ("Disconnected", "Connected", "Connection state", "Route",
                                         "Connection", "Servers", "Multihop")}
g.log("expected: %r" % expected)
g.ok("po/%s.po translates the state, the group names and the page titles" % lang)

win = g.window()
connection = g.page(win, "Connection")


def state():
    return g.group_text(win, expected["Connection state"])


g.wait_until(lambda: state() == expected["Disconnected"], 20,
             lambda: "the state says %r (it says %r)" % (expected["Disconnected"], g._safe(state)))
tabs = [t.name for t in g.tabs(win)]
g.check(tabs == [expected[p] for p in g.PAGES], "page titles: %r" % tabs)
g.ok("the window in %s: %r, tabs %r" % (lang, state(), tabs))

g.run(os.environ["WIREHOPCTL"], "connect", conf)
g.wait_until(lambda: state() == expected["Connected"], 20,
             lambda: "the state says %r (it says %r)" % (expected["Connected"], g._safe(state)))
g.check(g.group_text(win, expected["Route"]) == "relay", "the route is not 'relay'")
g.ok("connected by wirehopctl: the window says %r" % state())
g.wait_until(lambda: any(re.search("[А-Яа-яЁё]", t) and any(c.isdigit() for c in t)
                         for t in g.all_label_text(connection)), 10, "the handshake age shown")
g.screenshot("russian")
g.run(os.environ["WIREHOPCTL"], "disconnect")
g.wait_until(lambda: state() == expected["Disconnected"], 20, "the state back to Disconnected")
g.ok("disconnected by wirehopctl: the window says %r" % state())
