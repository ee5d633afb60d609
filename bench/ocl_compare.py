#!/usr/bin/env python3
"""Side-by-side drop-cutter benchmark: Swarf (`swarf drop`) against OpenCAMLib's BatchDropCutter.

One command reproduces everything (from the repository root):

    pip install opencamlib==2023.1.11        # the only extra dependency (calls the wheel only)
    python3 bench/ocl_compare.py             # builds, makes the model and points, runs, compares

It builds Swarf (`cargo build --release`), writes the deterministic terrain model
(`swarf demo --size N`), draws seeded random points inside the model's XY box, and then for
each cutter (ball 6, flat 6, bull 6 r1, cone 6 with a 90° included angle):

* OCL: loads the same STL with `ocl.STLReader`, builds a `BatchDropCutter` with the points at
  z = model min z, times `run()` alone, with 1 thread and with all threads (`setThreads`, and
  OMP_NUM_THREADS set to match), best of `--repeats`. Each configuration is its own process, so
  its max RSS and the RSS taken by the STLSurf load and the kd-tree build are measured.
* Swarf: `swarf drop` (single-threaded) on a small and a large prefix of the point list; the
  per-point rate comes from the difference of the best times, so it excludes the STL load and
  the index build (timed separately by `swarf info`). It includes parsing and printing one
  text line per point; OCL's timing excludes the Python `appendPoint` loop.
* Compares the tip heights at every point that OCL ran: max |dz|, how many exceed `--tol`, and
  where the worst ones are.

It prints a Markdown report (and writes it with `--write FILE`). Angle conventions: Swarf's
`--angle` is the included angle of the V; OCL's `ConeCutter(d, angle, length)` takes the
half-angle from the axis in radians (checked: over an edge at horizontal distance s the tip of
`ConeCutter(6, pi/6, L)` sits s / tan 30° below it), so 90° included is `pi/4`.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import shutil
import tempfile
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> (swarf flags, OCL constructor source, label)
TOOLS = {
    "ball": (["--tool", "ball", "--diameter", "6"], "ocl.BallCutter(6.0, 20.0)", "ball Ø6"),
    "flat": (["--tool", "flat", "--diameter", "6"], "ocl.CylCutter(6.0, 20.0)", "flat Ø6"),
    "bull": (
        ["--tool", "bull", "--diameter", "6", "--corner-radius", "1"],
        "ocl.BullCutter(6.0, 1.0, 20.0)",
        "bull Ø6 r1",
    ),
    "cone": (
        ["--tool", "cone", "--diameter", "6", "--angle", "90"],
        "ocl.ConeCutter(6.0, math.pi / 4, 20.0)",
        "cone Ø6 90°",
    ),
}


# --------------------------------------------------------------------------------------------
# OCL worker: runs in its own process (python3 ocl_compare.py --ocl-worker ...)


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def ocl_worker(a):
    from opencamlib import ocl  # noqa: F401  (used by eval of the cutter source)

    rss0 = rss_kib()
    surf = ocl.STLSurf()
    t = time.perf_counter()
    ocl.STLReader(a.model, surf)
    load_s = time.perf_counter() - t
    rss_surf = rss_kib()
    cutter = eval(TOOLS[a.tool][1])
    with open(a.points) as f:
        pts = [tuple(float(v) for v in line.split(",")) for line in f if line.strip()]
    pts = pts[: a.count]
    runs = []
    zs = None
    rss_tree = None
    for rep in range(a.repeats):
        bdc = ocl.BatchDropCutter()
        bdc.setThreads(a.threads)
        if a.ocl_bucket:
            bdc.setBucketSize(a.ocl_bucket)
        bucket = bdc.getBucketSize()
        t = time.perf_counter()
        bdc.setSTL(surf)
        tree_s = time.perf_counter() - t
        if rss_tree is None:
            rss_tree = rss_kib()
        bdc.setCutter(cutter)
        for x, y in pts:
            bdc.appendPoint(ocl.CLPoint(x, y, a.zmin))
        load1 = os.getloadavg()[0]
        c0 = time.process_time()
        t = time.perf_counter()
        bdc.run()
        wall = time.perf_counter() - t
        cpu = time.process_time() - c0
        runs.append({"wall": wall, "cpu": cpu, "tree_s": tree_s, "load1": load1,
                     "calls_per_point": bdc.getCalls() / max(len(pts), 1)})
        if zs is None:
            zs = [p.z for p in bdc.getCLPoints()]
        del bdc
    with open(a.out, "w") as f:
        json.dump(
            {
                "version": ocl.version(),
                "threads": a.threads,
                "bucket_size": bucket,
                "triangles": surf.size(),
                "points": len(pts),
                "load_s": load_s,
                "rss_start_kib": rss0,
                "rss_after_stlsurf_kib": rss_surf,
                "rss_after_kdtree_kib": rss_tree,
                "runs": runs,
                "z": zs,
            },
            f,
        )


# --------------------------------------------------------------------------------------------
# Driver


def log(*m):
    print(*m, file=sys.stderr, flush=True)


def run_measured(cmd, stdin_path=None, stdout_path=None, env=None):
    """Runs cmd; returns (wall seconds, max RSS KiB, user+sys CPU seconds) of that process."""
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    # A child spawned by this (large) Python process inherits its RSS high-water mark at
    # exec (even with vfork), so max RSS is taken by GNU time, whose own child starts small.
    gnu_time = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    if gnu_time:
        fd, rss_file = tempfile.mkstemp(prefix="ocl_compare_rss")
        os.close(fd)
        cmd = [gnu_time, "-f", "%M", "-o", rss_file, *cmd]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=fin, stdout=fout, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    for h in (fin, fout):
        if hasattr(h, "close"):
            h.close()
    if p.returncode != 0:
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd)}")
    maxrss = ru.ru_maxrss
    if gnu_time:
        with open(rss_file) as f:
            maxrss = int(f.read().split()[-1])
        os.unlink(rss_file)
    return wall, maxrss, ru.ru_utime + ru.ru_stime


def wait_for_quiet(limit, max_wait):
    if limit <= 0:
        return
    t0 = time.time()
    while os.getloadavg()[0] > limit and time.time() - t0 < max_wait:
        time.sleep(5)
    log(f"load {os.getloadavg()[0]:.2f} after waiting {time.time() - t0:.0f} s")


def swarf_and_terrain(no_build, size, model):
    """Builds Swarf (unless told not to), writes its deterministic terrain of `size` to
    `model`, and returns the binary's path and `swarf info` of the model."""
    swarf = os.path.join(ROOT, "target", "release", "swarf")
    if not no_build:
        log("cargo build --release")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    subprocess.run([swarf, "demo", "--size", str(size), "-o", model], check=True,
                   stdout=subprocess.DEVNULL)
    info = json.loads(subprocess.run([swarf, "info", model], check=True, capture_output=True,
                                     text=True).stdout)
    return swarf, info


def git_desc():
    try:
        return subprocess.run(
            ["git", "-C", ROOT, "log", "-1", "--format=%h %s"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except Exception:
        return "?"


def fmt_rate(r):
    return f"{r:,.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=187, help="swarf demo --size (187: 71,436 triangles)")
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--swarf-points", type=int, default=200_000)
    ap.add_argument("--swarf-small", type=int, default=2_000, help="small set for the rate difference")
    ap.add_argument("--ocl-points", type=int, default=20_000, help="points OCL runs (and compared)")
    ap.add_argument("--tools", default="ball,flat,bull,cone")
    ap.add_argument("--repeats", type=int, default=3, help="timing repeats, best taken")
    ap.add_argument("--ocl-repeats", type=int, default=2,
                    help="OCL timing repeats per thread count (each is 30-60 s)")
    ap.add_argument("--tol", type=float, default=0.001)
    ap.add_argument("--ocl-bucket", type=int, default=0,
                    help="OCL kd-tree bucket size (0: OCL's default, 1)")
    ap.add_argument("--threads", default="1,2", help="OCL thread counts to time")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "out", "ocl"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--wait-load", type=float, default=0.0,
                    help="before each timing run wait (up to --max-wait s) until 1-min load <= this")
    ap.add_argument("--max-wait", type=float, default=120)
    ap.add_argument("--write", help="also write the Markdown report to this file")
    # worker mode
    ap.add_argument("--ocl-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--points", help=argparse.SUPPRESS)
    ap.add_argument("--tool", help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--zmin", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.ocl_worker:
        a.threads = int(a.threads)
        return ocl_worker(a)

    tools = [t for t in a.tools.split(",") if t]
    threads = [int(t) for t in a.threads.split(",") if t]
    os.makedirs(a.work, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()
    model = os.path.join(a.work, "model.stl")
    swarf, info = swarf_and_terrain(a.no_build, a.size, model)
    ntri = info["triangles"]
    (x0, y0, z0), (x1, y1, _) = info["bounds"]["min"], info["bounds"]["max"]
    info_runs = [run_measured([swarf, "info", model]) for _ in range(a.repeats)]
    swarf_load_s = min(r[0] for r in info_runs)
    swarf_info_rss = min(r[1] for r in info_runs)

    # Points: seeded, uniform in the XY box, written with 4 decimals so both sides parse the
    # same text to the same doubles. OCL gets the first --ocl-points of them.
    rng = random.Random(a.seed)
    n = max(a.swarf_points, a.ocl_points)
    lines = [f"{rng.uniform(x0, x1):.4f},{rng.uniform(y0, y1):.4f}\n" for _ in range(n)]
    pts_all = os.path.join(a.work, "points.txt")
    pts_small = os.path.join(a.work, "points_small.txt")
    with open(pts_all, "w") as f:
        f.writelines(lines)
    with open(pts_small, "w") as f:
        f.writelines(lines[: a.swarf_small])
    pts = [tuple(float(v) for v in l.split(",")) for l in lines[: a.ocl_points]]

    results = {}
    for tool in tools:
        flags = TOOLS[tool][0]
        # Swarf: large run (also gives the heights), small run; best of repeats.
        big, small = [], []
        out_big = os.path.join(a.work, f"swarf_{tool}.txt")
        for rep in range(a.repeats):
            wait_for_quiet(a.wait_load, a.max_wait)
            l1 = os.getloadavg()[0]
            w, rss, cpu = run_measured([swarf, "drop", model, *flags], pts_all, out_big)
            big.append((w, rss, cpu, l1))
            w, rss2, cpu2 = run_measured([swarf, "drop", model, *flags], pts_small,
                                         os.devnull)
            small.append((w, rss2, cpu2))
        tb, ts = min(b[0] for b in big), min(s[0] for s in small)
        swarf_rate = (n - a.swarf_small) / (tb - ts) if tb > ts else float("nan")
        swarf_rate_cpu = (n - a.swarf_small) / max(min(b[2] for b in big) - min(s[2] for s in small), 1e-9)
        with open(out_big) as f:
            sz = [float(l.split(",")[2]) for l in f if l.strip()]
        log(f"swarf {tool}: big {tb:.2f}s small {ts:.2f}s -> {swarf_rate:,.0f} pts/s")

        ocl = {}
        for th in threads:
            wait_for_quiet(a.wait_load, a.max_wait)
            out = os.path.join(a.work, f"ocl_{tool}_{th}.json")
            env = dict(os.environ, OMP_NUM_THREADS=str(th))
            w, rss, cpu = run_measured(
                [sys.executable, os.path.abspath(__file__), "--ocl-worker", "--model", model,
                 "--points", pts_all, "--tool", tool, "--count", str(a.ocl_points),
                 "--zmin", repr(z0), "--threads", str(th), "--repeats", str(a.ocl_repeats),
                 "--ocl-bucket", str(a.ocl_bucket), "--out", out],
                env=env,
            )
            with open(out) as f:
                r = json.load(f)
            r["max_rss_kib"] = rss
            best = min(r["runs"], key=lambda x: x["wall"])
            r["best"] = best
            r["rate"] = r["points"] / best["wall"]
            ocl[th] = r
            log(f"ocl {tool} {th} thread(s): {best['wall']:.2f}s cpu {best['cpu']:.2f}s -> "
                f"{r['rate']:,.0f} pts/s")

        # Compare against the first OCL run's heights.
        oz = ocl[threads[0]]["z"]
        diffs = [(abs(sz[i] - oz[i]), i) for i in range(len(oz))]
        worst = sorted(diffs, reverse=True)[:5]
        over = [i for d, i in diffs if d > a.tol]
        # Are the disagreements near the model's rim (cutter hanging over the vertical walls)?
        rim = 3.0
        near_rim = sum(
            1 for i in over
            if min(pts[i][0] - x0, x1 - pts[i][0], pts[i][1] - y0, y1 - pts[i][1]) < rim
        )
        sign = sum(1 for i in over if sz[i] > oz[i])
        # OCL thread-count consistency.
        th_diff = 0.0
        for th in threads[1:]:
            th_diff = max(th_diff, max(abs(p - q) for p, q in zip(ocl[th]["z"], oz)))
        results[tool] = {
            "swarf_rate": swarf_rate, "swarf_rate_cpu": swarf_rate_cpu,
            "swarf_big": tb, "swarf_small": ts, "swarf_rss": min(b[1] for b in big),
            "swarf_load1": min(b[3] for b in big),
            "ocl": ocl, "max_dz": worst[0][0] if worst else 0.0, "n_over": len(over),
            "over_near_rim": near_rim, "over_swarf_higher": sign,
            "worst": [(d, pts[i][0], pts[i][1], sz[i], oz[i]) for d, i in worst],
            "ocl_thread_diff": th_diff, "compared": len(oz),
        }
        for th in threads:
            del ocl[th]["z"]

    load_end = os.getloadavg()
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump({"info": info, "results": results}, f, indent=1)

    # ---- Markdown report
    o = []
    w = o.append
    ov = next(iter(results.values()))["ocl"][threads[0]]
    w(f"Model: `swarf demo --size {a.size}`, {ntri:,} triangles over "
      f"{x1 - x0:g} × {y1 - y0:g} mm, z {z0:g}..{info['bounds']['max'][2]:.3f}. "
      f"Points: uniform random in the XY box (seed {a.seed}, 4 decimals); Swarf runs "
      f"{n:,} (rate from {n:,} − {a.swarf_small:,}), OCL runs the first {a.ocl_points:,}, "
      f"heights compared on those. The CPU-time ratio uses user+sys time instead of wall "
      f"time (less sensitive to other processes taking the cores). Tip heights; OCL starts every CLPoint at the model's min z "
      f"({z0:g}), which is what `swarf drop` prints for a point that touches nothing. "
      f"Best of {a.repeats} (Swarf) and {a.ocl_repeats} (OCL) runs.")
    w("")
    hdr = "| cutter | compared | max \\|dz\\| mm | > {tol} mm | Swarf pts/s (1 core) |".format(tol=a.tol)
    for th in threads:
        hdr += f" OCL pts/s ({th} thr) |"
    hdr += " Swarf / OCL (1 core) | Swarf / OCL (CPU time, 1 core) |"
    w(hdr)
    w("|" + "---|" * (7 + len(threads)))
    for tool, r in results.items():
        row = (f"| {TOOLS[tool][2]} | {r['compared']:,} | {r['max_dz']:.2e} | {r['n_over']:,} "
               f"| {fmt_rate(r['swarf_rate'])} |")
        for th in threads:
            row += f" {fmt_rate(r['ocl'][th]['rate'])} |"
        one = r["ocl"].get(1) or r["ocl"][threads[0]]
        row += f" {r['swarf_rate'] / one['rate']:.1f}× |"
        one_cpu = one["points"] / min(x["cpu"] for x in one["runs"])
        row += f" {r['swarf_rate_cpu'] / one_cpu:.1f}× |"
        w(row)
    w("")
    w("Memory and set-up (ball run's processes):")
    w("")
    rb = next(iter(results.values()))
    o1 = rb["ocl"][threads[0]]
    surf_kib = o1["rss_after_stlsurf_kib"] - o1["rss_start_kib"]
    tree_kib = o1["rss_after_kdtree_kib"] - o1["rss_after_stlsurf_kib"]
    w("| | Swarf | OCL |")
    w("|---|---|---|")
    w(f"| model held by the engine | {info['engine_bytes']:,} B = "
      f"{info['bytes_per_triangle']:.1f} B/tri (mesh {info['mesh_bytes']:,} + index "
      f"{info['index_bytes']:,}; `swarf info`) | RSS growth: STLSurf load {surf_kib * 1024:,} B "
      f"= {surf_kib * 1024 / ntri:.0f} B/tri, + kd-tree (`setSTL`) {tree_kib * 1024:,} B "
      f"= {tree_kib * 1024 / ntri:.0f} B/tri |")
    w(f"| max RSS of the whole process | {swarf_info_rss / 1024:.1f} MiB (`swarf info`), "
      f"{rb['swarf_rss'] / 1024:.1f} MiB (`swarf drop`, {n:,} points) | "
      f"{o1['max_rss_kib'] / 1024:.1f} MiB (Python + OCL, {a.ocl_points:,} points) |")
    w(f"| load + index | {swarf_load_s:.3f} s (`swarf info` process, incl. STL read) | "
      f"STLReader {o1['load_s']:.3f} s + setSTL {min(x['tree_s'] for x in o1['runs']):.3f} s |")
    w("")
    w("Disagreements (|dz| > tol) and the worst points (`swarf drop` prints 6 decimals, so "
      "|dz| up to 5e-7 is its print rounding):")
    w("")
    for tool, r in results.items():
        w(f"- {TOOLS[tool][2]}: {r['n_over']:,} over {a.tol} mm; of them {r['over_near_rim']:,} "
          f"within 3 mm of the XY rim, Swarf higher at {r['over_swarf_higher']:,}. "
          f"OCL 1 vs {threads[-1]} threads max |dz| {r['ocl_thread_diff']:.1e}.")
        for d, x, y, s, q in r["worst"][:3]:
            if d > 0:
                w(f"  - ({x:.4f}, {y:.4f}): Swarf {s:.6f}, OCL {q:.6f}, |dz| {d:.2e}")
    w("")
    w("Timing details (seconds, best of repeats; CPU = user+sys of the timed part):")
    w("")
    for tool, r in results.items():
        parts = [f"Swarf {n:,} pts {r['swarf_big']:.2f} s, {a.swarf_small:,} pts "
                 f"{r['swarf_small']:.2f} s (CPU-time rate {fmt_rate(r['swarf_rate_cpu'])} pts/s)"]
        for th in threads:
            b = r["ocl"][th]["best"]
            parts.append(f"OCL {th} thr run() {b['wall']:.2f} s wall, {b['cpu']:.2f} s CPU, "
                         f"{b['calls_per_point']:.0f} drop calls/point (getCalls), "
                         f"1-min load {b['load1']:.2f}")
        w(f"- {TOOLS[tool][2]}: " + "; ".join(parts))
    w("")
    w(f"Run {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({cpu_model()}), "
      f"Python {platform.python_version()}, opencamlib {ov['version']} (kd-tree bucket size "
      f"{ov['bucket_size']}), Swarf `{git_desc()}`. "
      f"Load average (1/5/15 min) at start {fmt_load(load_start)}, at end {fmt_load(load_end)}; "
      f"the machine is shared with other builds, so rates are best-of-n.")
    text = "\n".join(o) + "\n"
    print(text)
    if a.write:
        write_report(a.write, "Swarf vs OpenCAMLib drop-cutter", "bench/ocl_compare.py", text)


def write_report(path, title, script, text):
    """Writes a bench report: its title, the command that reproduces it, then `text`."""
    cmd = " ".join(["python3", script, *sys.argv[1:]])
    with open(path, "w") as f:
        f.write(f"# {title}\n\n"
                "Reproduce (from the repository root; `pip install opencamlib==2023.1.11`):\n\n"
                f"```sh\n{cmd}\n```\n\n" + text)


def fmt_load(l):
    return "/".join(f"{v:.2f}" for v in l)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


if __name__ == "__main__":
    sys.exit(main())
