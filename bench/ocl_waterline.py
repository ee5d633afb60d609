#!/usr/bin/env python3
"""Side-by-side waterline benchmark: Swarf (`swarf waterline` / `swarf generate --strategy
waterline`) against OpenCAMLib's `Waterline` (and `AdaptiveWaterline`), single thread.

One command reproduces everything (from the repository root):

    pip install opencamlib==2023.1.11        # the only extra dependency (calls the wheel only)
    python3 bench/ocl_waterline.py --write bench/results/ocl_waterline.md

It builds Swarf, writes the deterministic terrain (`swarf demo --size 187`, 71,436 triangles)
and a UV sphere STL (radius 20, resting on z = 0), then:

* Terrain, for each cutter and each level: Swarf `swarf waterline` (one process per level:
  STL load + index + one drop-cutter grid + the contours at that level), best of
  `--repeats`; `swarf generate --strategy waterline` with 1 level and with many levels gives
  the cost of one more level once the grid exists. OCL: a fresh `ocl.Waterline` per level
  (`setThreads(1)`, OMP_NUM_THREADS=1), `setSTL` (its two kd-trees) timed apart from `run()`,
  best of `--ocl-repeats`, for each `--ocl-samplings`; `AdaptiveWaterline` at `--adaptive-levels`.
  Loops are compared both ways: for every OCL loop point the distance to the nearest Swarf
  loop segment, and for every Swarf loop point the distance to the nearest OCL segment.
* Sphere: both engines' loops at levels below and above the equator; every loop point goes
  through `swarf drop` with the same cutter, and a point whose drop-cutter height is above the
  level by more than 0.01 mm lies under the overhang (unreachable for a 3-axis tool). OCL's
  push-cutter sees the cutter only up to its `length`, so that is run for several lengths.

Work files go to `bench/out/ocl_waterline/` (ignored by git), raw figures to `results.json`
there. Helpers (timing with GNU time, load waiting, machine notes) come from `ocl_compare.py`.
"""

import argparse
import datetime
import json
import math
import os
import platform
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocl_compare as oc  # noqa: E402  (our own helpers: run_measured, wait_for_quiet, ...)

ROOT = oc.ROOT
log = oc.log

# name -> (swarf flags, OCL constructor source with {L} for the cutter length, label)
TOOLS = {
    "ball": (["--tool", "ball", "--diameter", "6"], "ocl.BallCutter(6.0, {L})", "ball Ø6"),
    "flat": (["--tool", "flat", "--diameter", "6"], "ocl.CylCutter(6.0, {L})", "flat Ø6"),
    "bull": (["--tool", "bull", "--diameter", "6", "--corner-radius", "1"],
             "ocl.BullCutter(6.0, 1.0, {L})", "bull Ø6 r1"),
}


# --------------------------------------------------------------------------------------------
# OCL worker: its own process (python3 ocl_waterline.py --ocl-worker ...), OMP_NUM_THREADS=1


def ocl_worker(a):
    from opencamlib import ocl  # noqa: F401  (used by eval of the cutter source)

    surf = ocl.STLSurf()
    t = time.perf_counter()
    ocl.STLReader(a.model, surf)
    load_s = time.perf_counter() - t
    cutter = eval(TOOLS[a.tool][1].format(L=a.length))
    levels = [float(z) for z in a.levels.split(",")]
    out = {"version": ocl.version(), "triangles": surf.size(), "load_s": load_s, "levels": []}
    for z in levels:
        runs, loops = [], None
        for rep in range(a.repeats):
            wl = ocl.AdaptiveWaterline() if a.method == "adaptive" else ocl.Waterline()
            wl.setThreads(1)
            t = time.perf_counter()
            wl.setSTL(surf)
            stl_s = time.perf_counter() - t
            wl.setCutter(cutter)
            wl.setSampling(a.sampling)
            if a.method == "adaptive":
                wl.setMinSampling(a.min_sampling)
            wl.setZ(z)
            load1 = os.getloadavg()[0]
            c0 = time.process_time()
            t = time.perf_counter()
            wl.run()
            wall = time.perf_counter() - t
            cpu = time.process_time() - c0
            runs.append({"wall": wall, "cpu": cpu, "setstl_s": stl_s, "load1": load1})
            if loops is None:
                loops = [[(p.x, p.y) for p in lp] for lp in wl.getLoops()]
            del wl
        out["levels"].append({"z": z, "runs": runs, "loops": loops})
        log(f"  ocl {a.method} {a.tool} L{a.length:g} s{a.sampling:g} z={z:g}: "
            f"run() {min(r['wall'] for r in runs):.2f} s, {len(loops)} loops, "
            f"{sum(len(l) for l in loops)} points")
        with open(a.out, "w") as f:  # written after every level: a crash keeps what ran
            json.dump(out, f)


# --------------------------------------------------------------------------------------------
# Geometry helpers


def write_uv_sphere(path, radius, segments, center):
    """Binary STL of a UV sphere: `segments` around, `segments // 2` rings, poles as fans."""
    rings = segments // 2
    cx, cy, cz = center

    def v(i, j):  # ring i (0 = south pole .. rings = north pole), segment j
        th = math.pi * i / rings - math.pi / 2
        ph = 2 * math.pi * (j % segments) / segments
        return (cx + radius * math.cos(th) * math.cos(ph),
                cy + radius * math.cos(th) * math.sin(ph),
                cz + radius * math.sin(th))

    tris = []
    for i in range(rings):
        for j in range(segments):
            a, b, c, d = v(i, j), v(i, j + 1), v(i + 1, j + 1), v(i + 1, j)
            if i > 0:
                tris.append((a, b, c))
            if i < rings - 1:
                tris.append((a, c, d))
    with open(path, "wb") as f:
        f.write(b"uv sphere".ljust(80, b" "))
        f.write(struct.pack("<I", len(tris)))
        for t in tris:
            f.write(struct.pack("<3f", 0.0, 0.0, 0.0))
            for p in t:
                f.write(struct.pack("<3f", *p))
            f.write(b"\0\0")
    return len(tris)


def sphere_exact_r(R, z, r=3.0):
    """Radius of the exact 3-axis waterline of a ball Ø2r around a sphere resting on z = 0."""
    return R + r if z <= R - r else math.sqrt(max((R + r) ** 2 - (z - (R - r)) ** 2, 0.0))


def read_swarf_loops(path):
    loops, cur = [], []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                if cur:
                    loops.append(cur)
                cur = []
                continue
            x, y, _ = line.split(",")
            cur.append((float(x), float(y)))
    if cur:
        loops.append(cur)
    return loops


def segments(loops, close):
    """Arrays (a, b) of the loops' segments; `close` adds last -> first."""
    import numpy as np

    a, b = [], []
    for lp in loops:
        if len(lp) < 2:
            continue
        p = np.asarray(lp, dtype=float)
        q = np.roll(p, -1, axis=0) if close else p[1:]
        a.append(p if close else p[:-1])
        b.append(q)
    if not a:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(a), np.concatenate(b)


def point_seg_dist(pts, a, b, cell=1.0):
    """Distance from every point to the nearest segment (a[k], b[k]); exact, bucketed."""
    import numpy as np

    pts = np.asarray(pts, dtype=float)
    if len(pts) == 0:
        return np.zeros(0)
    if len(a) == 0:
        return np.full(len(pts), np.inf)
    lo = np.minimum(np.minimum(a.min(0), b.min(0)), pts.min(0)) - cell
    buckets = {}
    smin = np.floor((np.minimum(a, b) - lo) / cell).astype(int)
    smax = np.floor((np.maximum(a, b) - lo) / cell).astype(int)
    for k in range(len(a)):
        for i in range(smin[k, 0], smax[k, 0] + 1):
            for j in range(smin[k, 1], smax[k, 1] + 1):
                buckets.setdefault((i, j), []).append(k)
    pc = np.floor((pts - lo) / cell).astype(int)
    out = np.full(len(pts), np.inf)
    groups = {}
    for n, (i, j) in enumerate(map(tuple, pc)):
        groups.setdefault((i, j), []).append(n)

    def dist(idx_p, idx_s):
        p = pts[idx_p][:, None, :]
        sa, sb = a[idx_s][None, :, :], b[idx_s][None, :, :]
        d = sb - sa
        ll = (d * d).sum(-1)
        t = np.where(ll > 0, ((p - sa) * d).sum(-1) / np.where(ll > 0, ll, 1), 0.0)
        t = np.clip(t, 0.0, 1.0)
        c = sa + t[..., None] * d
        return np.sqrt(((p - c) ** 2).sum(-1)).min(1)

    for (i, j), idx in groups.items():
        cand = set()
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                cand.update(buckets.get((i + di, j + dj), ()))
        idx = np.asarray(idx)
        if cand:
            out[idx] = dist(idx, np.fromiter(cand, int))
    far = np.where(out > cell)[0]  # nothing within one cell: brute force (exact)
    for s in range(0, len(far), 256):
        sl = far[s:s + 256]
        out[sl] = dist(sl, np.arange(len(a)))
    return out


def stats(d):
    import numpy as np

    if len(d) == 0:
        return {"max": float("nan"), "p99": float("nan"), "n": 0}
    return {"max": float(d.max()), "p99": float(np.percentile(d, 99)), "n": int(len(d)),
            "over_001": int((d > 0.01).sum()), "over_01": int((d > 0.1).sum())}


# --------------------------------------------------------------------------------------------
# Driver


def run_quiet(cmd, a, stdin_path=None, stdout_path=None, env=None):
    oc.wait_for_quiet(a.wait_load, a.max_wait)
    l1 = os.getloadavg()[0]
    w, rss, cpu = oc.run_measured(cmd, stdin_path, stdout_path, env)
    return {"wall": w, "rss": rss, "cpu": cpu, "load1": l1}


def ocl_run(a, model, tool, sampling, levels, repeats, method="waterline", length=20.0,
            min_sampling=0.0, tag=""):
    out = os.path.join(a.work, f"ocl_{tag}_{tool}_{method}_L{length:g}_s{sampling:g}.json")
    if os.path.exists(out):
        os.unlink(out)
    cmd = [sys.executable, os.path.abspath(__file__), "--ocl-worker", "--model", model,
           "--tool", tool, "--length", repr(length), "--sampling", repr(sampling),
           "--min-sampling", repr(min_sampling), "--method", method,
           "--levels", ",".join(repr(z) for z in levels), "--ocl-repeats", str(repeats),
           "--out", out]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    oc.wait_for_quiet(a.wait_load, a.max_wait)
    p = subprocess.run(cmd, env=env)
    r = {"levels": []}
    if os.path.exists(out):
        with open(out) as f:
            r = json.load(f)
    r["exit"] = p.returncode
    if p.returncode != 0:
        log(f"OCL worker exited with {p.returncode} ({method} {tool} s{sampling:g}): "
            f"{len(r['levels'])} of {len(levels)} levels done")
    return r


def swarf_level(a, swarf, model, flags, z, out, sampling, tol):
    cmd = [swarf, "waterline", model, "--z", repr(z), *flags, "--sampling", repr(sampling),
           "--tolerance", repr(tol)]
    runs = [run_quiet(cmd, a, stdout_path=out) for _ in range(a.repeats)]
    return runs, read_swarf_loops(out)


def swarf_generate(a, swarf, model, flags, top, bottom, step, sampling, tol):
    cmd = [swarf, "generate", model, "--strategy", "waterline", *flags, "--sampling",
           repr(sampling), "--tolerance", repr(tol), "--z-top", repr(top), "--z-bottom",
           repr(bottom), "--stepdown", repr(step), "-o", os.devnull]
    return [run_quiet(cmd, a) for _ in range(a.repeats)]


def best(runs, key="wall"):
    return min(r[key] for r in runs)


def drop_heights(swarf, model, flags, pts, path):
    with open(path, "w") as f:
        f.writelines(f"{x!r},{y!r}\n" for x, y in pts)
    with open(path) as fin:
        p = subprocess.run([swarf, "drop", model, *flags], stdin=fin, capture_output=True,
                           text=True, check=True)
    return [float(l.split(",")[2]) for l in p.stdout.splitlines() if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=187, help="swarf demo --size (187: 71,436 triangles)")
    ap.add_argument("--levels", default="3,6,9,12,15", help="terrain Z levels (evenly spaced)")
    ap.add_argument("--tools", default="ball,flat,bull")
    ap.add_argument("--sampling", type=float, default=0.5, help="Swarf --sampling")
    ap.add_argument("--tolerance", type=float, default=0.01, help="Swarf --tolerance")
    ap.add_argument("--many-step", type=float, default=0.1,
                    help="stepdown of the many-level `swarf generate` run (marginal level cost)")
    ap.add_argument("--ocl-samplings", default="0.5,0.1")
    ap.add_argument("--ocl-fine-tools", default="ball",
                    help="cutters that also run the OCL samplings after the first")
    ap.add_argument("--ocl-length", type=float, default=20.0, help="OCL cutter length (terrain)")
    ap.add_argument("--adaptive-levels", default="9", help="AdaptiveWaterline levels (ball; empty: none)")
    ap.add_argument("--adaptive-min-sampling", type=float, default=0.05)
    ap.add_argument("--sphere-radius", type=float, default=20.0)
    ap.add_argument("--sphere-segments", type=int, default=128)
    ap.add_argument("--sphere-levels", default="2,6,10,14,18,30")
    ap.add_argument("--sphere-lengths", default="20,10", help="OCL cutter lengths on the sphere")
    ap.add_argument("--repeats", type=int, default=5, help="Swarf timing repeats (best taken)")
    ap.add_argument("--ocl-repeats", type=int, default=2,
                    help="OCL repeats for the first sampling of the first cutter (others: 1)")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "out", "ocl_waterline"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-sphere", action="store_true")
    ap.add_argument("--wait-load", type=float, default=0.0,
                    help="before each timed run wait (up to --max-wait s) until 1-min load <= this")
    ap.add_argument("--max-wait", type=float, default=60)
    ap.add_argument("--write", help="also write the Markdown report to this file")
    # worker mode
    ap.add_argument("--ocl-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--tool", help=argparse.SUPPRESS)
    ap.add_argument("--length", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--min-sampling", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--method", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.ocl_worker:
        a.repeats = a.ocl_repeats
        return ocl_worker(a)

    import numpy as np

    tools = [t for t in a.tools.split(",") if t]
    levels = [float(z) for z in a.levels.split(",") if z]
    samplings = [float(s) for s in a.ocl_samplings.split(",") if s]
    fine_tools = [t for t in a.ocl_fine_tools.split(",") if t]
    os.makedirs(a.work, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()
    model = os.path.join(a.work, "terrain.stl")
    swarf, info = oc.swarf_and_terrain(a.no_build, a.size, model)
    ntri = info["triangles"]

    res = {"terrain": {}, "sphere": {}}
    # ---------------- terrain
    for ti, tool in enumerate(tools):
        flags = TOOLS[tool][0]
        r = {"levels": {}, "ocl": {}}
        # Swarf, per level
        for z in levels:
            out = os.path.join(a.work, f"swarf_{tool}_z{z:g}.txt")
            runs, loops = swarf_level(a, swarf, model, flags, z, out, a.sampling, a.tolerance)
            r["levels"][z] = {"swarf_runs": runs, "swarf_loops": loops}
            log(f"swarf {tool} z={z:g}: {best(runs):.3f} s, {len(loops)} loops, "
                f"{sum(len(l) for l in loops)} points")
        # Swarf, whole jobs: 1 level, the benchmark's levels, many levels
        step = (levels[-1] - levels[0]) / max(len(levels) - 1, 1)
        top, bot = max(levels), min(levels)
        g1 = swarf_generate(a, swarf, model, flags, top + 1.0, top, 1.0, a.sampling, a.tolerance)
        g5 = swarf_generate(a, swarf, model, flags, top + step, bot, step, a.sampling, a.tolerance)
        nmany = round((top - bot) / a.many_step) + 1
        gm = swarf_generate(a, swarf, model, flags, top + a.many_step, bot, a.many_step,
                            a.sampling, a.tolerance)
        r["gen"] = {"one": g1, "job": g5, "many": gm, "n_many": nmany}
        marg = (best(gm) - best(g1)) / (nmany - 1)
        r["marginal"] = marg
        r["marginal_cpu"] = (best(gm, "cpu") - best(g1, "cpu")) / (nmany - 1)
        log(f"swarf {tool} generate: 1 level {best(g1):.3f} s, {len(levels)} levels "
            f"{best(g5):.3f} s, {nmany} levels {best(gm):.3f} s -> {marg * 1000:.1f} ms/level")
        # OCL
        for si, s in enumerate(samplings):
            if si > 0 and tool not in fine_tools:
                continue
            reps = a.ocl_repeats if (ti == 0 and si == 0) else 1
            o = ocl_run(a, model, tool, s, levels, reps, length=a.ocl_length, tag="terrain")
            r["ocl"][f"Waterline s{s:g}"] = o
        if tool == "ball" and a.adaptive_levels:
            al = [float(z) for z in a.adaptive_levels.split(",")]
            o = ocl_run(a, model, tool, samplings[0], al, 1, method="adaptive",
                        length=a.ocl_length, min_sampling=a.adaptive_min_sampling, tag="terrain")
            r["ocl"][f"AdaptiveWaterline s{samplings[0]:g}/{a.adaptive_min_sampling:g}"] = o
        # agreement
        for name, o in r["ocl"].items():
            for lv in o["levels"]:
                sw = r["levels"][lv["z"]]["swarf_loops"]
                sa, sb = segments(sw, close=False)   # Swarf repeats the first point
                oa, ob = segments(lv["loops"], close=True)
                op = [p for lp in lv["loops"] for p in lp]
                spt = [p for lp in sw for p in lp]
                lv["ocl_to_swarf"] = stats(point_seg_dist(op, sa, sb))
                lv["swarf_to_ocl"] = stats(point_seg_dist(spt, oa, ob))
                lv["n_loops"] = len(lv["loops"])
                lv["n_points"] = len(op)
                lv["loop_sizes"] = sorted((len(l) for l in lv["loops"]), reverse=True)
                del lv["loops"]
        for z in levels:
            lz = r["levels"][z]
            lz["n_loops"] = len(lz["swarf_loops"])
            lz["n_points"] = sum(len(l) for l in lz["swarf_loops"])
            lz["loop_sizes"] = sorted((len(l) for l in lz["swarf_loops"]), reverse=True)
            del lz["swarf_loops"]
        res["terrain"][tool] = r

    # ---------------- sphere
    if not a.no_sphere:
        sph = os.path.join(a.work, "sphere.stl")
        R = a.sphere_radius
        nsph = write_uv_sphere(sph, R, a.sphere_segments, (0.0, 0.0, R))
        slv = [float(z) for z in a.sphere_levels.split(",") if z]
        flags = TOOLS["ball"][0]
        sr = {"triangles": nsph, "levels": {}, "ocl": {}}
        for z in slv:
            out = os.path.join(a.work, f"sphere_swarf_z{z:g}.txt")
            runs, loops = swarf_level(a, swarf, sph, flags, z, out, a.sampling, a.tolerance)
            pts = [p for lp in loops for p in lp]
            h = drop_heights(swarf, sph, flags, pts, os.path.join(a.work, "sphere_pts.txt"))
            rad = [math.hypot(x, y) for x, y in pts]
            sr["levels"][z] = {
                "swarf_wall": best(runs), "n_points": len(pts), "n_loops": len(loops),
                "under": sum(1 for hz in h if hz > z + 0.01),
                "max_excess": max((hz - z for hz in h), default=0.0),
                "r_min": min(rad, default=float("nan")), "r_max": max(rad, default=float("nan")),
            }
        for L in [float(v) for v in a.sphere_lengths.split(",") if v]:
            o = ocl_run(a, sph, "ball", samplings[0], slv, 1, length=L, tag="sphere")
            for lv in o["levels"]:
                pts = [p for lp in lv["loops"] for p in lp]
                h = drop_heights(swarf, sph, flags, pts, os.path.join(a.work, "sphere_pts.txt"))
                rad = [math.hypot(x, y) for x, y in pts]
                z = lv["z"]
                ex = sphere_exact_r(R, z)
                lv.update({
                    "n_points": len(pts), "n_loops": len(lv["loops"]),
                    "under": sum(1 for hz in h if hz > z + 0.01),
                    "under_strict": sum(1 for hz, rr in zip(h, rad)
                                        if hz > z + 0.01 and rr < ex - 0.01),
                    "in_solid": sum(1 for x, y in pts
                                    if math.sqrt(x * x + y * y + (z - R) ** 2) < R - 1e-6),
                    "wall": min(x["wall"] for x in lv["runs"]),
                    "max_excess": max((hz - z for hz in h), default=0.0),
                    "r_min": min(rad, default=float("nan")),
                    "r_max": max(rad, default=float("nan")),
                })
                del lv["loops"]
            sr["ocl"][L] = o
        res["sphere"] = sr

    load_end = os.getloadavg()
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)

    # ---------------- Markdown
    o = []
    w = o.append
    first = next(iter(res["terrain"].values()))
    ocl_version = next((v.get("version") for v in first["ocl"].values() if v.get("version")), "?")
    w(f"Terrain: `swarf demo --size {a.size}`, {ntri:,} triangles over 100 × 100 mm, "
      f"z 0..{info['bounds']['max'][2]:.3f}. Levels {', '.join(f'{z:g}' for z in levels)}. "
      f"Swarf `--sampling {a.sampling:g} --tolerance {a.tolerance:g}` (single-threaded build, "
      f"no `parallel` feature). OCL cutters have length {a.ocl_length:g}; `setThreads(1)` and "
      f"OMP_NUM_THREADS=1; a fresh `Waterline` per level, as in OCL's examples.")
    w("")
    w("Times per level, seconds (best of "
      f"{a.repeats} for Swarf; OCL best of {a.ocl_repeats} for the first cutter at the first "
      "sampling, else 1). *Swarf process*: one `swarf waterline` process (STL read + index + "
      "drop-cutter grid + contours at that level). *OCL run()*: `Waterline.run()` alone (the "
      "kd-tree build in `setSTL` and the STL read excluded). Ratio = OCL run() / Swarf process.")
    w("")
    w("| cutter | Z | Swarf process s | Swarf loops / pts | OCL | OCL run() s | OCL loops / pts "
      "| ratio | OCL→Swarf max / p99 mm | Swarf→OCL max / p99 mm |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for tool, r in res["terrain"].items():
        for name, oo in r["ocl"].items():
            for lv in oo["levels"]:
                z = lv["z"]
                sz = r["levels"][z]
                sw = best(sz["swarf_runs"])
                ow = min(x["wall"] for x in lv["runs"])
                a2s, s2a = lv["ocl_to_swarf"], lv["swarf_to_ocl"]
                w(f"| {TOOLS[tool][2]} | {z:g} | {sw:.3f} | {sz['n_loops']} / {sz['n_points']:,} "
                  f"| {name} | {ow:.2f} | {lv['n_loops']} / {lv['n_points']:,} | {ow / sw:.0f}× "
                  f"| {a2s['max']:.4f} / {a2s['p99']:.4f} | {s2a['max']:.4f} / {s2a['p99']:.4f} |")
            if oo.get("exit"):
                w(f"| {TOOLS[tool][2]} | | | | {name} | crashed (exit {oo['exit']}) after "
                  f"{len(oo['levels'])} levels | | | | |")
    w("")
    w("Whole jobs and the cost of one more level (Swarf `swarf generate --strategy waterline "
      "-o /dev/null`, which also orders and links the loops and writes G-code; the marginal "
      "level is (many levels − 1 level) / (many − 1)); OCL totals are the sum of run() over "
      "the levels plus one setSTL:")
    w("")
    w("| cutter | Swarf 1 level s | Swarf "
      f"{len(levels)} levels s | Swarf many levels s | Swarf ms / extra level | OCL "
      f"{len(levels)} levels s (Waterline s{samplings[0]:g}) | job ratio | per-level ratio "
      "(OCL run() mean / Swarf marginal) |")
    w("|---|---|---|---|---|---|---|---|")
    for tool, r in res["terrain"].items():
        g = r["gen"]
        oo = r["ocl"].get(f"Waterline s{samplings[0]:g}", {"levels": []})
        runs = [min(x["wall"] for x in lv["runs"]) for lv in oo["levels"]]
        setstl = min((x["setstl_s"] for lv in oo["levels"] for x in lv["runs"]), default=0)
        if len(runs) == len(levels):
            tot = sum(runs) + setstl
            job = f"{tot:.1f} | {tot / best(g['job']):.0f}× | " \
                  f"{(sum(runs) / len(runs)) / r['marginal']:.0f}× |"
        else:
            job = "incomplete | | |"
        w(f"| {TOOLS[tool][2]} | {best(g['one']):.3f} | {best(g['job']):.3f} | "
          f"{best(g['many']):.3f} ({g['n_many']} levels) | {r['marginal'] * 1000:.1f} "
          f"(CPU {r['marginal_cpu'] * 1000:.1f}) | {job}")
    w("")
    ob = first["ocl"].get(f"Waterline s{samplings[0]:g}", {})
    if ob.get("levels"):
        w(f"OCL set-up: STLReader {ob['load_s']:.3f} s, `setSTL` (two kd-trees) "
          f"{min(x['setstl_s'] for lv in ob['levels'] for x in lv['runs']):.3f} s per Waterline.")
        w("")
    if res["sphere"]:
        sr = res["sphere"]
        w(f"Sphere: UV sphere radius {R:g} ({a.sphere_segments} segments, {sr['triangles']:,} "
          f"triangles) resting on z = 0 (equator at z = {R:g}), ball Ø6, Swarf as above, OCL "
          f"Waterline sampling {samplings[0]:g} with cutter length L. *Under*: loop points whose "
          "drop-cutter height (`swarf drop`, same cutter) is more than 0.01 mm above the level, "
          "i.e. under the overhang; *strict*: of those, the ones more than 0.01 mm inside the "
          "exact loop's radius (a point exactly at the exact loop sits on the drop-cutter "
          "height's jump and may read either side); *in solid*: the tip point (x, y, Z) is inside "
          "the sphere (OCL sees only triangles, so a cutter inside the closed shell that touches "
          f"none is free to it). For z ≤ {R - 3:g} the exact 3-axis loop is the circle of radius "
          f"{R + 3:g} (widest section + cutter radius); above, √({R + 3:g}² − (z − {R - 3:g})²). "
          "Times: Swarf process / OCL run(), seconds.")
        w("")
        w("| Z | exact r | Swarf s | Swarf loops / pts | Swarf under | Swarf r min..max |"
          + "".join(f" OCL L{L:g} s | OCL L{L:g} loops / pts | OCL L{L:g} under / strict / in solid "
                    f"| OCL L{L:g} max excess mm | OCL L{L:g} r min..max |" for L in sr["ocl"]))
        w("|---|---|---|---|---|---|" + "---|---|---|---|---|" * len(sr["ocl"]))
        for z, s in sr["levels"].items():
            ex = sphere_exact_r(R, z)
            row = (f"| {z:g} | {ex:.3f} | {s['swarf_wall']:.3f} | {s['n_loops']} / "
                   f"{s['n_points']:,} | {s['under']} | {s['r_min']:.3f}..{s['r_max']:.3f} |")
            for L, oo in sr["ocl"].items():
                lv = next((x for x in oo["levels"] if x["z"] == z), None)
                if lv is None:
                    row += " – | – | – | – | – |"
                    continue
                n = max(lv["n_points"], 1)
                row += (f" {lv['wall']:.2f} | {lv['n_loops']} / {lv['n_points']:,} | "
                        f"{lv['under']} ({100 * lv['under'] / n:.0f}%) / "
                        f"{lv['under_strict']} ({100 * lv['under_strict'] / n:.0f}%) / "
                        f"{lv['in_solid']} ({100 * lv['in_solid'] / n:.0f}%) | "
                        f"{lv['max_excess']:.2f} | {lv['r_min']:.3f}..{lv['r_max']:.3f} |")
            w(row)
        w("")
    w(f"Run {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({oc.cpu_model()}), "
      f"Python {platform.python_version()}, opencamlib {ocl_version}, Swarf `{oc.git_desc()}`. "
      f"Load average (1/5/15 min) at start {oc.fmt_load(load_start)}, at end "
      f"{oc.fmt_load(load_end)}; the 1-min load at each OCL run() is in `results.json`. The "
      "machine is shared, so times are best-of-n.")
    loads = [x["load1"] for r in res["terrain"].values() for oo in r["ocl"].values()
             for lv in oo["levels"] for x in lv["runs"]]
    if loads:
        w(f"1-min load during the OCL runs: {min(loads):.2f}..{max(loads):.2f}; during the "
          "Swarf runs: " + "{:.2f}..{:.2f}".format(
              min(x["load1"] for r in res["terrain"].values() for v in r["levels"].values()
                  for x in v["swarf_runs"]),
              max(x["load1"] for r in res["terrain"].values() for v in r["levels"].values()
                  for x in v["swarf_runs"])) + ".")
    text = "\n".join(o) + "\n"
    print(text)
    if a.write:
        oc.write_report(a.write, "Swarf vs OpenCAMLib waterline", "bench/ocl_waterline.py", text)


if __name__ == "__main__":
    sys.exit(main())
