"""gui-multihop.sh's scenario: DAITA and a multihop route chosen in the window, the profile that
reaches the helper, and the helper's NotSupported shown."""
import glob
import os
import sys

import guitest as g

folder, alpha_peer, beta_peer = sys.argv[1:4]

win = g.window()
dialog, heading = g.import_folder(win, folder)
g.check(heading == "2 Servers Imported", "import summary heading: %r" % heading)
g.close_dialog(dialog)
rows = g.wait_until(lambda: len(g.server_rows(win)) == 2 and g.server_rows(win), 10, "two server rows")
g.check(any(r.startswith("alpha") for r in rows) and any(r.startswith("beta") for r in rows),
        "the list shows %r" % rows)
g.ok("a folder with alpha.conf and beta.conf imported through the folder chooser: %r" % rows)

connection = g.show_page(win, "Connection")
g.set_switch(g.switch(connection, "DAITA"), True)
g.ok("DAITA switched on on the connection page")

multihop = g.show_page(win, "Multihop")
g.set_switch(g.switch(multihop, "Multihop"), True)
g.combo_choose(multihop, "Entry server", "beta")
g.combo_choose(multihop, "Exit server", "alpha")
g.check(g.has_state(g.switch(multihop, "DAITA"), g.pyatspi.STATE_CHECKED), "DAITA is off on the Multihop page")
g.ok("Multihop on, entry beta, exit alpha; the Multihop page's DAITA switch shows DAITA on")
g.screenshot("multihop")

monitor = g.ConnectMonitor()
g.show_page(win, "Connection")
g.wait_until(lambda: g.route_text(win) == "beta → alpha", 10,
             lambda: "the route says 'beta → alpha' (it says %r)" % g.route_text(win))
g.toggle(g.connect_switch(win))
message = "Multihop (two servers in hops) is not available in this version of the helper yet"
g.wait_until(lambda: any(message in t for t in g.all_label_text(g.page(win, "Connection"))), 20,
             "the helper's NotSupported message in the window")
g.ok("connect → the window shows the helper's refusal: %s" % message)
g.screenshot("error")

g.wait_until(lambda: monitor.calls, 10, "the Connect call seen on the bus")
profile = monitor.calls[-1]
hops = profile.get("hops", [])
g.log("hops: %r" % [(h.get("public-key"), h.get("endpoint")) for h in hops])
g.check(len(hops) == 2, "the profile has %d hops" % len(hops))
g.check(hops[0].get("public-key") == beta_peer and hops[0].get("endpoint") == "192.0.2.3:51003",
        "the first hop is not the entry (beta): %r" % hops[0])
g.check(hops[1].get("public-key") == alpha_peer, "the second hop is not the exit (alpha): %r" % hops[1])
g.check(profile.get("daita") is True, "daita in the profile: %r" % profile.get("daita"))
g.ok("the profile that reached the helper: 2 hops, entry (beta) first, exit (alpha) second, daita true")

# DAITA alone: multihop off, connect again (Try again) → the helper's DAITA refusal.
g.set_switch(g.switch(g.show_page(win, "Multihop"), "Multihop"), False)
g.click(g.button(g.show_page(win, "Connection"), "Try again"))
message = "DAITA is not available in this version of the helper yet"
g.wait_until(lambda: any(message in t for t in g.all_label_text(g.page(win, "Connection"))), 20,
             "the helper's DAITA refusal in the window")
g.wait_until(lambda: len(monitor.calls) >= 2, 10, "a second Connect call on the bus")
g.log("Connect calls seen: %d" % len(monitor.calls))
profile = monitor.calls[-1]
g.check(len(profile.get("hops", [])) == 1 and profile.get("daita") is True,
        "second profile: %d hops, daita %r" % (len(profile.get("hops", [])), profile.get("daita")))
g.ok("multihop off, Try again → one hop with daita true; the window shows: %s" % message)

# The keys are in the keyring only.
keys = []
for conf in glob.glob(os.path.join(folder, "*.conf")):
    for line in open(conf):
        if line.startswith("PrivateKey"):
            keys.append(line.split("=", 1)[1].strip())
g.check(len(keys) == 2, "private keys read from the files: %d" % len(keys))
for dirpath, _, files in os.walk(os.environ["HOME"]):
    for f in files:
        data = open(os.path.join(dirpath, f), "rb").read()
        for key in keys:
            g.check(key.encode() not in data, "a private key is in %s" % os.path.join(dirpath, f))
g.ok("neither private key is in any file under HOME (servers.ini, dconf, ...)")
