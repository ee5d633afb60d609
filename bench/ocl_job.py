#!/usr/bin/env python3
"""Whole parallel-finishing job: Swarf (`swarf generate --strategy parallel`) against
OpenCAMLib's `AdaptivePathDropCutter` over the same raster, single thread each.

One command reproduces everything (from the repository root):

    pip install opencamlib==2023.1.11        # the only extra dependency (calls the wheel only)
    python3 bench/ocl_job.py --write bench/results/ocl_job.md

It builds Swarf (`cargo build --release`, honouring CARGO_TARGET_DIR; the default build has
no `parallel` feature, so it is single-threaded), writes the deterministic terrains
(`swarf demo --size N`, default 187 -> 71,436 triangles and 499 -> 501,996 triangles), and
for each model:

* Swarf: `swarf generate MODEL --strategy parallel --tool ball --diameter 6 --stepover S
  --sampling P --tolerance T -o /dev/null` (direction x, zigzag, climb: the default job), best
  of `--repeats`. The process time includes the STL read, the index build, the sampling of
  every raster line (refinement + simplification), the drop-cutter-sampled zigzag links, and
  G-code formatting. `swarf info` (STL read + index, best of `--repeats`) is subtracted for
  the "job without load" figure. The number of points is the one `generate` reports.
* The raster is rebuilt here exactly as `src/strategy/parallel.rs` does it: the model's XY
  box (f32) grown by the cutter radius, lines along X at y_j = y0 + (y1 - y0) * j / n with
  n = ceil((y1 - y0) / stepover), from x0 to x1; cut in Swarf's zigzag order (line 0 runs
  -X). The Y values are checked against Swarf's G-code.
* OCL: one `ocl.Path` of those lines and the 1-unit links between them (z = model min z),
  `AdaptivePathDropCutter` with `BallCutter(6, 20)`, `setSampling(P)`,
  `setMinSampling(P / 64)` (Swarf refines down to sampling / 64 too), default cos limit,
  OMP_NUM_THREADS=1 (the class has no thread setting), in its own process. Only `run()` is
  timed; `STLReader` and `setSTL` (kd-tree) are timed apart and excluded.
  OCL first runs a systematic subset (every `--ocl-every`-th line, from line 0, each with
  the link after it) and extrapolates per line (x lines / subset lines); when that estimate
  is at most `--ocl-budget` seconds it also runs the whole path, so the smaller model checks
  the extrapolation.
* Heights: every OCL CL point goes through `swarf drop` (same cutter) at the same x, y;
  max |dz| (`swarf drop` prints 6 decimals). Also Swarf's emitted path (G-code, 3 decimals,
  linear between points) at each OCL point of a raster line minus OCL's z.

Work files go to `bench/out/ocl_job/` (ignored by git), raw figures to `results.json` there.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocl_compare as oc  # noqa: E402  (our own helpers: run_measured, wait_for_quiet, ...)

ROOT = oc.ROOT
log = oc.log
RADIUS = 3.0  # ball Ø6
SWARF_TOOL = ["--tool", "ball", "--diameter", "6"]


# --------------------------------------------------------------------------------------------
# OCL worker: its own process (python3 ocl_job.py --ocl-worker ...), OMP_NUM_THREADS=1


def ocl_worker(a):
    from opencamlib import ocl

    with open(a.spans) as f:
        job = json.load(f)
    surf = ocl.STLSurf()
    t = time.perf_counter()
    ocl.STLReader(a.model, surf)
    load_s = time.perf_counter() - t
    out = {"version": ocl.version(), "triangles": surf.size(), "load_s": load_s, "runs": []}
    z = job["z"]
    path = ocl.Path()
    for (x0, y0), (x1, y1) in job["spans"]:
        path.append(ocl.Line(ocl.Point(x0, y0, z), ocl.Point(x1, y1, z)))
    pts = None
    for rep in range(a.ocl_repeats):
        apdc = ocl.AdaptivePathDropCutter()
        t = time.perf_counter()
        apdc.setSTL(surf)
        setstl_s = time.perf_counter() - t
        apdc.setCutter(ocl.BallCutter(6.0, 20.0))
        apdc.setSampling(job["sampling"])
        apdc.setMinSampling(job["min_sampling"])
        apdc.setZ(z)
        apdc.setPath(path)
        load1 = os.getloadavg()[0]
        c0 = time.process_time()
        t = time.perf_counter()
        apdc.run()
        wall = time.perf_counter() - t
        cpu = time.process_time() - c0
        cl = apdc.getCLPoints()
        out["runs"].append({"wall": wall, "cpu": cpu, "setstl_s": setstl_s, "load1": load1,
                            "points": len(cl)})
        log(f"  ocl {os.path.basename(a.spans)} rep {rep + 1}: run() {wall:.2f} s "
            f"(CPU {cpu:.2f}), {len(cl):,} CL points, setSTL {setstl_s:.2f} s")
        if pts is None:
            pts = [(p.x, p.y, p.z) for p in cl]
        del apdc
    out["points"] = pts
    with open(a.out, "w") as f:
        json.dump(out, f)


# --------------------------------------------------------------------------------------------
# Driver


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def raster(info, stepover):
    """Swarf's raster lines (src/strategy/parallel.rs `lines`) in cutting order, each as
    ((x_start, y), (x_end, y)), and the ys in line order."""
    (bx0, by0, _), (bx1, by1, _) = info["bounds"]["min"], info["bounds"]["max"]
    x0, y0 = f32(bx0) - RADIUS, f32(by0) - RADIUS
    x1, y1 = f32(bx1) + RADIUS, f32(by1) + RADIUS
    n = max(math.ceil((y1 - y0) / stepover), 1)
    ys = [y0 + (y1 - y0) * j / n for j in range(n + 1)]
    # Climb along X runs -X first; zigzag alternates.
    lines = [((x1, y), (x0, y)) if j % 2 == 0 else ((x0, y), (x1, y)) for j, y in enumerate(ys)]
    return lines, ys


def spans_for(lines, idx):
    """Chosen lines, each followed by its link to the next line (if there is one)."""
    spans = []
    for j in idx:
        spans.append(lines[j])
        if j + 1 < len(lines):
            spans.append((lines[j][1], lines[j + 1][0]))
    return spans


def run_ocl(a, model, spans, sampling, zmin, tag):
    sp = os.path.join(a.work, f"spans_{tag}.json")
    out = os.path.join(a.work, f"ocl_{tag}.json")
    with open(sp, "w") as f:
        json.dump({"spans": spans, "z": zmin, "sampling": sampling,
                   "min_sampling": sampling / a.min_div}, f)
    if os.path.exists(out):
        os.unlink(out)
    cmd = [sys.executable, os.path.abspath(__file__), "--ocl-worker", "--model", model,
           "--spans", sp, "--ocl-repeats", str(a.ocl_repeats), "--out", out]
    oc.wait_for_quiet(a.wait_load, a.max_wait)
    w, rss, _ = oc.run_measured(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"))
    with open(out) as f:
        r = json.load(f)
    r["max_rss_kib"] = rss
    r["best"] = min(r["runs"], key=lambda x: x["wall"])
    return r


def swarf_job(a, swarf, model, gcode):
    cmd = [swarf, "generate", model, "--strategy", "parallel", *SWARF_TOOL, "--stepover",
           repr(a.stepover), "--sampling", repr(a.sampling), "--tolerance", repr(a.tolerance),
           "--direction", "x", "--pattern", "zigzag", "--milling", "climb"]
    p = subprocess.run(cmd + ["-o", gcode], capture_output=True, text=True, check=True)
    m = re.search(r"([\d,]+) points", p.stderr + p.stdout)
    npts = int(m.group(1).replace(",", "")) if m else None
    runs = []
    for _ in range(a.repeats):
        oc.wait_for_quiet(a.wait_load, a.max_wait)
        l1 = os.getloadavg()[0]
        w, rss, cpu = oc.run_measured(cmd + ["-o", os.devnull])
        runs.append({"wall": w, "cpu": cpu, "rss": rss, "load1": l1})
    info_runs = []
    for _ in range(a.repeats):
        w, rss, cpu = oc.run_measured([swarf, "info", model])
        info_runs.append({"wall": w, "cpu": cpu, "rss": rss})
    return {"cmd": cmd + ["-o", os.devnull], "points": npts, "runs": runs, "info": info_runs,
            "best": min(r["wall"] for r in runs), "best_cpu": min(r["cpu"] for r in runs),
            "load": min(r["wall"] for r in info_runs),
            "load_cpu": min(r["cpu"] for r in info_runs)}


def gcode_feed_lines(path, ys):
    """Swarf's feed points on each raster line (G-code, modal, 3 decimals), by line index."""
    ykey = {round(y, 3): j for j, y in enumerate(ys)}
    per = {}
    x = y = z = None
    mode = None
    for line in open(path):
        line = line.split("(")[0].split(";")[0].strip()
        if not line:
            continue
        for w in re.findall(r"([GXYZ])(-?[\d.]+)", line):
            k, v = w[0], float(w[1])
            if k == "G" and v in (0.0, 1.0):
                mode = int(v)
            elif k == "X":
                x = v
            elif k == "Y":
                y = v
            elif k == "Z":
                z = v
        if mode == 1 and None not in (x, y, z):
            j = ykey.get(round(y, 3))
            if j is not None:
                per.setdefault(j, []).append((x, z))
    return per


def drop_heights(swarf, model, pts, path):
    with open(path, "w") as f:
        f.writelines(f"{x!r},{y!r}\n" for x, y, _ in pts)
    with open(path) as fin:
        p = subprocess.run([swarf, "drop", model, *SWARF_TOOL], stdin=fin, capture_output=True,
                           text=True, check=True)
    return [float(l.split(",")[2]) for l in p.stdout.splitlines() if l.strip()]


def path_low(pts, x):
    """Lowest z of the polyline `pts` [(x, z), ...] (in path order) over `x`: the height the
    tool is at when its centre passes x (the lower end of a vertical step), or None."""
    best = None
    for (xa, za), (xb, zb) in zip(pts, pts[1:]):
        if min(xa, xb) - 1e-9 <= x <= max(xa, xb) + 1e-9:
            z = min(za, zb) if xa == xb else za + (zb - za) * (x - xa) / (xb - xa)
            best = z if best is None else min(best, z)
    return best


def pct(v, q):
    s = sorted(v)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def compare(a, swarf, model, ocl_pts, ys, gcode, tag, box):
    h = drop_heights(swarf, model, ocl_pts, os.path.join(a.work, f"pts_{tag}.txt"))
    dz = [abs(hs - p[2]) for hs, p in zip(h, ocl_pts)]
    worst = sorted(range(len(dz)), key=lambda i: -dz[i])[:3]
    r = {"compared": len(dz), "max_dz": max(dz), "over_1e3": sum(1 for d in dz if d > 1e-3),
         "worst": [(ocl_pts[i][0], ocl_pts[i][1], h[i], ocl_pts[i][2]) for i in worst]}
    # Swarf's emitted path at OCL's raster points, apart for points whose cutter centre is
    # over the model's XY box and points beyond it (rolling over the rim, where the CL
    # height is nearly vertical and G-code's 3 decimals of X move the path a lot).
    per = gcode_feed_lines(gcode, ys)
    (bx0, by0, _), (bx1, by1, _) = box
    yset = {y: j for j, y in enumerate(ys)}
    d = {"over": [], "rim": []}
    for x, y, z in ocl_pts:
        j = yset.get(y)
        if j is None or j not in per:
            continue
        pz = path_low(per[j], x)
        if pz is not None:
            inside = bx0 <= x <= bx1 and by0 <= y <= by1
            d["over" if inside else "rim"].append(pz - z)
    r["path"] = {k: {"n": len(v), "min": min(v, default=float("nan")),
                     "max": max(v, default=float("nan")),
                     "p99": pct(v, 99) if v else float("nan"),
                     "below_1e3": sum(1 for t in v if t < -1e-3)} for k, v in d.items()}
    # The lines rebuilt here are Swarf's: every raster y appears in its G-code.
    r["lines_in_gcode"] = len(per)
    return r


def fmt_path(p):
    return (f"{p['n']:,} points {p['min']:+.4f}..{p['max']:+.4f} mm (p99 {p['p99']:+.4f}, "
            f"{p['below_1e3']} below by more than 0.001)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="187,499",
                    help="swarf demo --size values (187: 71,436 triangles; 499: 501,996)")
    ap.add_argument("--stepover", type=float, default=1.0)
    ap.add_argument("--sampling", type=float, default=0.5)
    ap.add_argument("--tolerance", type=float, default=0.01)
    ap.add_argument("--min-div", type=float, default=64.0,
                    help="OCL setMinSampling(sampling / this); Swarf refines to sampling / 64")
    ap.add_argument("--repeats", type=int, default=5, help="Swarf timing repeats (best taken)")
    ap.add_argument("--ocl-repeats", type=int, default=2, help="OCL run() repeats (best taken)")
    ap.add_argument("--ocl-every", type=int, default=8,
                    help="OCL subset: every k-th raster line from line 0")
    ap.add_argument("--ocl-budget", type=float, default=600.0,
                    help="run OCL's whole path when the subset's estimate is at most this (s)")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "out", "ocl_job"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--wait-load", type=float, default=0.0,
                    help="before each timed run wait (up to --max-wait s) until 1-min load <= this")
    ap.add_argument("--max-wait", type=float, default=60)
    ap.add_argument("--write", help="also write the Markdown report to this file")
    # worker mode
    ap.add_argument("--ocl-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--spans", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.ocl_worker:
        return ocl_worker(a)

    os.makedirs(a.work, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    swarf = os.path.join(target, "release", "swarf")
    if not a.no_build:
        log("cargo build --release")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    res = []
    for size in [int(s) for s in a.sizes.split(",") if s]:
        model = os.path.join(a.work, f"terrain{size}.stl")
        subprocess.run([swarf, "demo", "--size", str(size), "-o", model], check=True,
                       stdout=subprocess.DEVNULL)
        info = json.loads(subprocess.run([swarf, "info", model], check=True,
                                         capture_output=True, text=True).stdout)
        zmin = f32(info["bounds"]["min"][2])
        lines, ys = raster(info, a.stepover)
        gcode = os.path.join(a.work, f"swarf{size}.ngc")
        sw = swarf_job(a, swarf, model, gcode)
        log(f"size {size}: {info['triangles']:,} triangles, {len(lines)} lines; swarf "
            f"{sw['best']:.3f} s (load {sw['load']:.3f} s), {sw['points']:,} points")
        r = {"size": size, "triangles": info["triangles"], "lines": len(lines), "swarf": sw}
        idx = list(range(0, len(lines), a.ocl_every))
        sub = run_ocl(a, model, spans_for(lines, idx), a.sampling, zmin, f"{size}_subset")
        scale = len(lines) / len(idx)
        sub["lines"] = len(idx)
        sub["est_wall"] = sub["best"]["wall"] * scale
        sub["est_cpu"] = min(x["cpu"] for x in sub["runs"]) * scale
        sub["est_points"] = len(sub["points"]) * scale
        r["subset"] = sub
        log(f"  OCL subset {len(idx)} lines: {sub['best']['wall']:.2f} s -> whole path "
            f"~{sub['est_wall']:.0f} s")
        cmp_pts = sub["points"]
        if sub["est_wall"] <= a.ocl_budget:
            full = run_ocl(a, model, spans_for(lines, range(len(lines))), a.sampling, zmin,
                           f"{size}_full")
            r["full"] = full
            cmp_pts = full["points"]
        r["cmp"] = compare(a, swarf, model, cmp_pts, ys, gcode, str(size),
                           (info["bounds"]["min"], info["bounds"]["max"]))
        r["cmp"]["from"] = "full" if "full" in r else "subset"
        pc = r["cmp"]["path"]["over"]
        log(f"  max |dz| {r['cmp']['max_dz']:.2e} over {r['cmp']['compared']:,} points; path "
            f"- OCL over the model {pc['min']:.4f}..{pc['max']:.4f}")
        for k in ("subset", "full"):
            if k in r:
                del r[k]["points"]
        res.append(r)

    load_end = os.getloadavg()
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump(res, f, indent=1)

    # ---------------- Markdown
    o = []
    w = o.append
    ver = res[0]["subset"]["version"]
    w(f"Job: parallel finishing along X, zigzag, climb, ball Ø6, stepover {a.stepover:g}, "
      f"sampling {a.sampling:g}, tolerance {a.tolerance:g} (Swarf's default job), over the "
      f"model's XY box grown by the cutter radius. Models: `swarf demo --size N` terrains "
      f"(100 × 100 mm). Both single-threaded: Swarf's default build (no `parallel` feature); "
      f"OCL's `AdaptivePathDropCutter` (no thread setting; OMP_NUM_THREADS=1).")
    w("")
    w("- **Swarf s**: the whole `swarf generate` process (best of "
      f"{a.repeats}): STL read + index + every line sampled, refined and simplified + the "
      "drop-cutter-sampled zigzag links + G-code to /dev/null. **Swarf job s** subtracts the "
      "best `swarf info` process (STL read + index).")
    w(f"- **OCL s**: `AdaptivePathDropCutter.run()` alone over the same lines and links (best "
      f"of {a.ocl_repeats}), `setSampling({a.sampling:g})`, `setMinSampling("
      f"{a.sampling / a.min_div:g})`, default cos limit; STLReader and `setSTL` (kd-tree) "
      f"excluded, shown apart. *Measured*: the whole path; *extrapolated*: every "
      f"{a.ocl_every}th line from line 0 (with the link after it) timed, × lines / "
      f"subset lines.")
    w("- **Points**: Swarf's emitted toolpath points (after simplification within tol / 2; "
      "the samples it queried are more); OCL's CL points (`getCLPoints()`, no simplification). "
      "Points/s: points / (OCL s or Swarf job s).")
    w("")
    w("| model faces | lines | OCL | OCL points | OCL s | Swarf points | Swarf s (process) "
      "| Swarf job s (− load) | ratio (OCL s / Swarf s) | ratio (OCL s / Swarf job s) | "
      "OCL pts/s | Swarf pts/s | max \\|dz\\| mm (compared) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in res:
        sw = r["swarf"]
        job = sw["best"] - sw["load"]
        rows = []
        if "full" in r:
            f = r["full"]
            rows.append(("measured", f["best"]["points"], f["best"]["wall"]))
        s = r["subset"]
        rows.append((f"extrapolated from {s['lines']} lines", s["est_points"], s["est_wall"]))
        for name, npts, t in rows:
            dz = (f"{r['cmp']['max_dz']:.1e} ({r['cmp']['compared']:,})"
                  if (name == "measured") == (r["cmp"]["from"] == "full") else "")
            w(f"| {r['triangles']:,} | {r['lines']} | {name} | {npts:,.0f} | {t:.1f} | "
              f"{sw['points']:,} | {sw['best']:.3f} | {job:.3f} | {t / sw['best']:.0f}× | "
              f"{t / job:.0f}× | {npts / t:,.0f} | {sw['points'] / job:,.0f} | {dz} |")
    w("")
    w("CPU time (user + sys) instead of wall time, the same ratios (less sensitive to the "
      "other processes on the machine):")
    w("")
    w("| model faces | OCL | OCL CPU s | Swarf CPU s (process) | Swarf job CPU s | ratio | "
      "ratio (job) |")
    w("|---|---|---|---|---|---|---|")
    for r in res:
        sw = r["swarf"]
        jc = sw["best_cpu"] - sw["load_cpu"]
        rows = []
        if "full" in r:
            rows.append(("measured", min(x["cpu"] for x in r["full"]["runs"])))
        rows.append(("extrapolated", r["subset"]["est_cpu"]))
        for name, c in rows:
            w(f"| {r['triangles']:,} | {name} | {c:.1f} | {sw['best_cpu']:.3f} | {jc:.3f} | "
              f"{c / sw['best_cpu']:.0f}× | {c / jc:.0f}× |")
    w("")
    w("Set-up and heights:")
    w("")
    for r in res:
        s, sw, c = r["subset"], r["swarf"], r["cmp"]
        ex = ""
        if "full" in r:
            fw = r["full"]["best"]["wall"]
            ex = (f" Extrapolation check: subset estimate {s['est_wall']:.1f} s vs measured "
                  f"{fw:.1f} s ({100 * (s['est_wall'] / fw - 1):+.1f}%), points "
                  f"{s['est_points']:,.0f} vs {r['full']['best']['points']:,}.")
        w(f"- {r['triangles']:,} faces (`--size {r['size']}`): Swarf load + index "
          f"{sw['load']:.3f} s (`swarf info` process), max RSS of `generate` "
          f"{min(x['rss'] for x in sw['runs']) / 1024:.0f} MiB. OCL STLReader "
          f"{s['load_s']:.2f} s + `setSTL` {s['best']['setstl_s']:.2f} s (excluded), max RSS "
          f"{s['max_rss_kib'] / 1024:.0f} MiB.{ex} Heights on OCL's {c['from']} run: "
          f"{c['compared']:,} CL points through `swarf drop`: max |dz| {c['max_dz']:.1e} mm, "
          f"{c['over_1e3']} over 0.001 mm. Swarf's emitted path (G-code, lowest z over that x) "
          f"minus OCL's z: {fmt_path(c['path']['over'])} with the cutter centre over the "
          f"model's box, {fmt_path(c['path']['rim'])} beyond it (rolling over the rim). "
          f"{c['lines_in_gcode']} of {r['lines']} raster ys found in the G-code.")
        for x, y, hs, ho in c["worst"][:2]:
            w(f"  - worst at ({x:.4f}, {y:.4f}): Swarf {hs:.6f}, OCL {ho:.6f}")
    w("")
    lo = [x["load1"] for r in res for k in ("subset", "full") if k in r for x in r[k]["runs"]]
    ls = [x["load1"] for r in res for x in r["swarf"]["runs"]]
    w(f"Run {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({oc.cpu_model()}), "
      f"Python {platform.python_version()}, opencamlib {ver}, Swarf `{oc.git_desc()}`. Load "
      f"average (1/5/15 min) at start {oc.fmt_load(load_start)}, at end "
      f"{oc.fmt_load(load_end)}; 1-min load at the OCL runs {min(lo):.2f}..{max(lo):.2f}, at "
      f"the Swarf runs {min(ls):.2f}..{max(ls):.2f}. The machine is shared with other builds, "
      "so times are best-of-n and carry some noise.")
    text = "\n".join(o) + "\n"
    print(text)
    if a.write:
        oc.write_report(a.write, "Swarf vs OpenCAMLib: whole parallel-finishing job", "bench/ocl_job.py", text)


if __name__ == "__main__":
    sys.exit(main())
