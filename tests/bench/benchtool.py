"""Helper of tests/bench/bench.sh (stdlib only; run with /usr/bin/python3 -I).

  benchtool.py iperf FILE.json        key=value lines from one `iperf3 -J` client run
  benchtool.py ping FILE.txt          key=value lines from the output of one `ping` run
  benchtool.py report MACHINE OUT.md RESULT...
                                      the table (stdout) and docs/benchmarks.md (OUT.md, or
                                      nothing when OUT.md is "-") from bench.sh's result files

Result files hold key=value lines; a key that is missing is shown as "n/a".
"""
import json
import re
import sys


def iperf(path):
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        raise SystemExit("iperf3 left no complete JSON result")
    if "error" in d:
        raise SystemExit("iperf3: " + d["error"])
    end = d["end"]
    if d["start"]["test_start"]["protocol"] == "UDP":
        # The client's JSON carries the server's view in sum_received when the server
        # reports back (iperf3 >= 3.8); older versions only have "sum".
        s = end.get("sum_received") or end["sum"]
        sent = end.get("sum_sent") or end["sum"]
        secs = s["seconds"] or sent["seconds"]
        packets = s["packets"]
        lost = s["lost_packets"]
        got = max(packets - lost, 0)
        print("pps=%.0f" % (got / secs))
        print("loss=%.2f" % (100.0 * lost / packets if packets else 0.0))
        print("sent_pps=%.0f" % (sent["packets"] / sent["seconds"]))
        print("mbps=%.1f" % (s["bits_per_second"] / 1e6))
    else:
        s = end["sum_received"]
        print("mbps=%.1f" % (s["bits_per_second"] / 1e6))
        print("bytes=%d" % s["bytes"])
        print("retransmits=%d" % end["sum_sent"].get("retransmits", 0))


def ping(path):
    text = open(path).read()
    times = sorted(float(t) for t in re.findall(r"time=([0-9.]+) ms", text))
    m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    if not m or not times:
        raise SystemExit("ping: no replies")
    sent, recv = int(m.group(1)), int(m.group(2))

    def rank(q):  # nearest-rank percentile
        i = max(0, min(len(times) - 1, int(-(-q * len(times) // 1)) - 1))
        return times[i]

    print("median=%.3f" % rank(0.5))
    print("p99=%.3f" % rank(0.99))
    print("max=%.3f" % times[-1])
    print("avg=%.3f" % (sum(times) / len(times)))
    print("samples=%d" % len(times))
    print("loss=%.1f" % (100.0 * (sent - recv) / sent if sent else 0.0))


def load(path):
    d = {}
    with open(path) as f:
        for line in f:
            k, sep, v = line.rstrip("\n").partition("=")
            if sep:
                d[k] = v
    return d


def num(d, k):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return None


def derived(r):
    """Per-GB CPU time and MB of RSS from the raw counters."""
    hz = num(r, "clk_tck") or 100.0
    runs = ("tcp1_ab", "tcp1_ba")
    nbytes = [num(r, run + "_tunbytes") for run in runs]
    if all(b for b in nbytes):
        gb = sum(nbytes) / 1e9
        for side in ("A", "B"):
            ticks = [num(r, "%s_cpu%s" % (run, side)) for run in runs]
            if all(t is not None for t in ticks):
                r["cpu_gb_" + side] = sum(ticks) / hz / gb
        if "cpu_gb_A" in r and "cpu_gb_B" in r:
            r["cpu_gb"] = r["cpu_gb_A"] + r["cpu_gb_B"]
    for side in ("A", "B"):
        kb = num(r, "hwm_" + side)
        if kb is not None:
            r["rss_" + side] = kb / 1024.0


def report(machine_path, out_path, result_paths):
    m = load(machine_path)
    cols = []
    for p in result_paths:
        r = load(p)
        derived(r)
        cols.append(r)
    sizes = m.get("udp_sizes", "").split()
    # key, label, format, higher is better
    rows = [
        ("tcp1_ab_mbps", "TCP, 1 stream, A→B (Mbit/s)", "%.0f", True),
        ("tcp1_ba_mbps", "TCP, 1 stream, B→A (Mbit/s)", "%.0f", True),
        ("tcp4_ab_mbps", "TCP, 4 streams, A→B (Mbit/s)", "%.0f", True),
        ("tcp4_ba_mbps", "TCP, 4 streams, B→A (Mbit/s)", "%.0f", True),
    ]
    for s in sizes:
        rows.append(("udp%s_pps" % s, "UDP %s B payload, A→B received (kpps)" % s, "k", True))
        rows.append(("udp%s_loss" % s, "UDP %s B payload, loss (%%)" % s, "%.1f", None))
    rows += [
        ("ping_idle_median", "ping idle, median (ms)", "%.3f", False),
        ("ping_idle_p99", "ping idle, p99 (ms)", "%.3f", False),
        ("ping_load_median", "ping under 1-stream TCP load, median (ms)", "%.2f", False),
        ("ping_load_p99", "ping under 1-stream TCP load, p99 (ms)", "%.2f", False),
        ("ping_load_loss", "ping under load, lost (%)", "%.1f", None),
        ("cpu_gb", "tunnel CPU, both sides (s per GB)", "%.2f", False),
        ("cpu_gb_A", "tunnel CPU, side A (s per GB)", "%.2f", False),
        ("cpu_gb_B", "tunnel CPU, side B (s per GB)", "%.2f", False),
        ("rss_A", "peak RSS, side A (MB)", "%.1f", False),
        ("rss_B", "peak RSS, side B (MB)", "%.1f", False),
    ]
    ref = next((c for c in cols if c.get("pair") == "wireguard-go wireguard-go"
                and c.get("status") == "ok"), None)

    def fmt(f, v):
        if f == "k":
            return "%.1f" % (v / 1000.0)
        return f % v

    def cell(c, key, f, higher):
        if c.get("status") == "skipped":
            return "skipped"
        v = num(c, key)
        if v is None:
            return "n/a"
        s = fmt(f, v)
        if ref is not None and c is not ref and higher is not None \
                and c.get("pair") != "veth":
            rv = num(ref, key)
            if rv:
                s += " (%.2f×)" % (v / rv)
        return s

    names = {
        "wireguard-go wireguard-go": "wg-go ↔ wg-go",
        "wirehop-tunnel wireguard-go": "wirehop ↔ wg-go",
        "wirehop-tunnel wirehop-tunnel": "wirehop ↔ wirehop",
        "wireguard-go wirehop-tunnel": "wg-go ↔ wirehop",
        "veth": "bare veth (no tunnel)",
    }
    head = ["measure"] + [names.get(c.get("pair", "?"), c.get("pair", "?")) for c in cols]
    table = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * len(cols)]
    for key, label, f, higher in rows:
        table.append("| " + " | ".join([label] + [cell(c, key, f, higher) for c in cols]) + " |")
    notes = []
    for c in cols:
        if c.get("status") not in ("ok", None):
            notes.append("- %s: %s" % (names.get(c.get("pair"), c.get("pair")),
                                      c.get("status")))
        for k in sorted(c):
            if k.endswith("_error"):
                notes.append("- %s, %s: n/a — %s" % (names.get(c.get("pair"), c.get("pair")),
                                                    k[:-6], c[k]))
    table_text = "\n".join(table)
    print(table_text)
    if notes:
        print("\n".join(["", "Not measured:"] + notes))
    if out_path == "-":
        return
    with open(out_path, "w") as f:
        m["note"] = "Conditions: " + m["note"] + "\n" if m.get("note") else ""
        m["udp_sizes"] = " and ".join(sizes)
        f.write(DOC.format(table=table_text,
                           notes="\n".join(["Not measured in this run:", ""] + notes + [""])
                           if notes else "",
                           **m))


DOC = """# Benchmarks

This file is written by `tests/bench/bench.sh` (`sudo tools/dev bench`) at the end of every full
run: the table, the machine and the method below are regenerated; edit the script, not this file.

## Last run

{date} — commit {commit}{dirty} — {seconds} s per measurement

| | |
|---|---|
| CPU | {cpu} |
| cores | {cores} |
| memory | {memory} |
| kernel | {kernel} |
| wireguard-go | {wggo} |
| wirehop-tunnel | {wirehop} |
| iperf3 | {iperf3} |
| load average (1 min) before / after | {load_before} / {load_after} |
| inner MTU | {mtu} |

{note}
A is the client namespace (iperf3 client, ping sender); B is the relay namespace. A column
reads "wirehop ↔ wg-go" when wirehop-tunnel runs in A and wireguard-go in B. The ratios in
brackets are against wg-go ↔ wg-go from the same run. For throughput and packets per second,
higher is better. For latency, CPU and RSS, lower is better.

{table}

{notes}
## What is measured

Each column runs in fresh namespaces of its own: a veth pair, the two tunnel processes
configured with `wg`, and a tunnel ping answered before anything is timed (deadline 20 s). At
the end, everything in the two namespaces is killed and the namespaces are deleted, on failure
and interruption too. A measurement that fails shows "n/a", and the rest of the run goes on.

- **TCP**: `iperf3 -c B -t {seconds}`, one stream and `-P 4`, A→B and B→A (`-R`). This is the
  receiver's rate over the whole run.
- **UDP**: `iperf3 -u -b 0 -l SIZE -t {seconds}` A→B. Sizes: {udp_sizes} bytes of UDP payload.
  1392 is the largest payload that fits the {mtu}-byte tunnel MTU without IP fragmentation
  (1392 + 28 = 1420). 1400 would be sent as two fragments. "Received" is the packets that
  reached B's iperf3, per second. "Loss" is the share of sent packets that never arrived. With
  `-b 0` the sender goes flat out, so loss is expected: the received rate is the figure.
- **Latency**: `ping -i {ping_interval}` from A to B's tunnel address. "Idle" means nothing else
  runs, for {ping_count} samples. "Under load" means ping runs while the single-stream TCP A→B
  transfer is going, from 1.5 s after it starts. The median and the p99 are nearest-rank
  values over the replies.
- **CPU per GB**: `utime + stime` of the two tunnel processes (`/proc/PID/stat`, which
  includes all threads) before and after the two single-stream TCP runs. This is divided by the
  bytes that crossed A's TUN interface in those runs, both ways (`/sys/class/net/IF/statistics`).
  Kernel time spent in softirq context (veth, the TUN queue) is not charged to the process, so
  it is not in this figure.
- **Peak RSS**: `VmHWM` from `/proc/PID/status` of each tunnel process after all measurements.
- **Bare veth**: the same measurements with no tunnel, between the namespaces' veth addresses.
  This is the ceiling for TCP. It has no ratios, CPU or RSS. For UDP at `-b 0`, iperf3's own
  sender and receiver are the bottleneck on 2 cores, so on a busy machine the veth column can
  come out below a tunnel's.

All processes, the two tunnels, iperf3 on both ends and ping, share the same {cores} cores.
A wider tunnel pipeline competes with iperf3 for the CPU. Other work on the machine (builds,
tests) makes the figures noisy, and the load average above shows how busy the machine was.
Expect ±10–20% between runs even on a quiet machine. Compare columns from the same run, not
figures across runs.

## Earlier figures

The benchmark's first version measured only single-stream TCP. These figures are kept here as
fixed text: wireguard-go 0.0.20220316, MTU 1420, 10 s per direction, Mbit/s A→B / B→A.

| pair (A ↔ B) | busy machine, commit 6dd7902 | quiet machine, commit 9b6bd60 |
|---|---|---|
| wireguard-go ↔ wireguard-go | 220 / 194 | 316 / 348 |
| wirehop-tunnel ↔ wireguard-go | 213 / 300 | 407 / 567 |
| wirehop-tunnel ↔ wirehop-tunnel | 544 / 525 | 759 / 604 |
| bare veth | 7323 | 11319 |

## Reproduce

```sh
sudo tools/dev bench                                # release build in build/release, then the run
sudo WIREHOP_TUNNEL=build/bench/tunnel/cmd/wirehop-tunnel tests/bench/bench.sh
sudo WIREHOP_BENCH_QUICK=1 tools/dev bench          # ~1 min check of the script; writes no doc
```

| variable | default | meaning |
|---|---|---|
| `WIREHOP_BENCH_SECONDS` | 10 (quick: 2) | duration of each iperf3 run (`WH_BENCH_SECONDS` is still read) |
| `WIREHOP_BENCH_QUICK` | 0 | 1: short runs, no doc written (unless `WIREHOP_BENCH_DOC` is set) |
| `WIREHOP_BENCH_PAIRS` | all four | space-separated columns: `wireguard-go:wireguard-go`, `wirehop-tunnel:wireguard-go`, `wirehop-tunnel:wirehop-tunnel`, `wireguard-go:wirehop-tunnel`, `veth` |
| `WIREHOP_BENCH_UDP_SIZES` | `64 1392` | UDP payload sizes |
| `WIREHOP_BENCH_PING_INTERVAL` | 0.02 | seconds between pings |
| `WIREHOP_BENCH_DOC` | `docs/benchmarks.md` | where the report goes; `-` for nowhere |
| `WIREHOP_BENCH_NOTE` | (none) | a sentence on the run's conditions, printed under the machine table |
| `WIREHOP_BENCH_KEEP` | 0 | 1: keep the logs, iperf3 JSON and daemon logs in /tmp (add `WH_LOG_LEVEL=verbose` for the daemons' detail) |
| `WIREHOP_TUNNEL` | the build's | the wirehop-tunnel binary (`tools/dev bench` passes build/release's) |
"""


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "iperf" and len(sys.argv) == 3:
        iperf(sys.argv[2])
    elif cmd == "ping" and len(sys.argv) == 3:
        ping(sys.argv[2])
    elif cmd == "report" and len(sys.argv) >= 4:
        report(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
