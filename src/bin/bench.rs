//! `swarf-bench`: the engine's benchmarks on models it generates deterministically.
//!
//! ```sh
//! cargo run --release --bin swarf-bench                      # one thread
//! cargo run --release --features parallel --bin swarf-bench  # adds the all-thread job
//! ```
//!
//! Prints a Markdown table: load speed, bytes per triangle (engine and process peak while
//! loading), drop-cutter throughput per tool (one thread, random points), and the time of a
//! full surfacing job. `--quick` runs the small models only; `--drop-only` prints only the
//! drop-cutter table (random points and raster lines, with a checksum of every height, so
//! two builds can be compared bit for bit).

use std::io::Write;
use std::time::Instant;
use swarf::cutter::Cutter;
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::{Job, ModelTransform, StrategySpec};
use swarf::mesh::stl::{self, StlOptions};
use swarf::post::Units;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Peak resident set of this process so far, in bytes (Linux), from /proc.
fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Child mode: load one STL, build the index, report JSON with timings and peak memory.
fn load_child(path: &str) {
    let base = rss().unwrap_or(0);
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let f = std::fs::File::open(path).expect("open model");
    let mesh = stl::read_stl(
        std::io::BufReader::with_capacity(1 << 20, f),
        Some(bytes),
        &StlOptions::default(),
    )
    .expect("read model");
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm).expect("model");
    let index = t.elapsed().as_secs_f64();
    let peak = peak_rss().unwrap_or(0);
    println!(
        "{{\"triangles\":{},\"bytes\":{},\"load_s\":{},\"index_s\":{},\"engine_bytes\":{},\"peak_rss\":{},\"base_rss\":{}}}",
        model.mesh().len(),
        bytes,
        load,
        index,
        model.engine_bytes(),
        peak,
        base
    );
}

/// The engine-only time of the default job at stepover 0.5, sampling 0.25 on one STL, best
/// of three: the native side of the wasm/native ratio (`scripts/measure-wasm-ratio.sh`
/// times the same job in the wasm build under node).
fn job_only(path: &str) {
    let bytes = std::fs::read(path).expect("read model");
    let mesh = stl::parse_stl(&bytes, &StlOptions::default()).expect("parse model");
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap();
    let mut job = Job::default();
    let StrategySpec::Parallel(p) = &mut job.strategy else {
        unreachable!()
    };
    p.stepover = 0.5;
    p.sampling = 0.25;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let out = engine::generate(&model, &job, &mut |_| true).unwrap();
        std::hint::black_box(out.gcode.len());
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("native generate ms {:.1}", best * 1e3);
}

fn cutters() -> Vec<(&'static str, Cutter)> {
    vec![
        ("flat 6", Cutter::flat(6.0).unwrap()),
        ("ball 6", Cutter::ball(6.0).unwrap()),
        ("bull 6 r1", Cutter::bull(6.0, 1.0).unwrap()),
        ("cone 6 90°", Cutter::cone(6.0, 90.0).unwrap()),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--load" {
        load_child(&args[2]);
        return;
    }
    if args.len() == 3 && args[1] == "--job-only" {
        job_only(&args[2]);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let threads = {
        #[cfg(feature = "parallel")]
        {
            rayon::current_num_threads()
        }
        #[cfg(not(feature = "parallel"))]
        {
            1
        }
    };
    let mut meshes: Vec<(String, swarf::mesh::Mesh)> = vec![
        ("terrain 100k".into(), demo::terrain(223)),
        (
            "sphere 100k".into(),
            demo::sphere([50.0, 50.0, 0.0], 40.0, 316),
        ),
    ];
    if !quick {
        meshes.push(("terrain 1M".into(), demo::terrain(707)));
    }
    let drop_only = args.iter().any(|a| a == "--drop-only");
    if !drop_only {
        load_table(&meshes);
    }
    let models: Vec<(String, Model)> = meshes
        .into_iter()
        .map(|(name, mesh)| {
            let model = Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap();
            (name, model)
        })
        .collect();
    drop_table(&models);
    if drop_only {
        return;
    }
    surfacing_table(&models, threads);
    waterline_table(&models, threads);
}

/// Load speed and memory, each model in a child process of its own (a clean peak RSS).
fn load_table(meshes: &[(String, swarf::mesh::Mesh)]) {
    let dir = std::env::temp_dir().join("swarf-bench");
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "| model | triangles | STL MB | load MB/s | index ms | engine B/tri | peak RSS B/tri |"
    );
    println!("|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().unwrap();
    for (name, mesh) in meshes {
        let p = dir.join(format!("{}.stl", name.replace(' ', "-")));
        let f = std::fs::File::create(&p).unwrap();
        stl::write_binary_stl(mesh, std::io::BufWriter::new(f)).unwrap();
        let out = std::process::Command::new(&exe)
            .arg("--load")
            .arg(&p)
            .output()
            .expect("run child");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("child json");
        let n = v["triangles"].as_f64().unwrap();
        let mb = v["bytes"].as_f64().unwrap() / 1e6;
        println!(
            "| {name} | {n} | {mb:.1} | {:.0} | {:.0} | {:.1} | {:.1} |",
            mb / v["load_s"].as_f64().unwrap(),
            1e3 * v["index_s"].as_f64().unwrap(),
            v["engine_bytes"].as_f64().unwrap() / n,
            (v["peak_rss"].as_f64().unwrap() - v["base_rss"].as_f64().unwrap()) / n,
        );
    }
}

/// An order-dependent hash of drop heights, bit for bit: two builds whose drop-cutters
/// agree exactly print the same value.
#[derive(Default)]
struct Checksum(u64);
impl Checksum {
    fn add(&mut self, z: Option<f64>) {
        let bits = z.map_or(u64::MAX, f64::to_bits);
        self.0 = (self.0 ^ bits).wrapping_mul(0x100_0000_01b3).rotate_left(7);
    }
}

/// Drop-cutter throughput per tool, one thread, random points in the model's XY box, then
/// along raster lines; the checksum covers every height of both.
fn drop_table(models: &[(String, Model)]) {
    println!();
    println!("Drop-cutter, one thread, random points in the model's XY box:");
    println!();
    println!(
        "| model | tool | points | CL points/s | µs/point | raster points/s | heights checksum |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, model) in models {
        let b = model.mesh().bounds();
        for (tname, c) in cutters() {
            let mut rng = Rng(12345);
            let n = 200_000;
            let pts: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    (
                        b.min[0] as f64 + (b.max[0] - b.min[0]) as f64 * rng.next(),
                        b.min[1] as f64 + (b.max[1] - b.min[1]) as f64 * rng.next(),
                    )
                })
                .collect();
            let t = Instant::now();
            let mut sum = Checksum::default();
            for &(x, y) in &pts {
                sum.add(model.drop_cutter(&c, x, y));
            }
            let s = t.elapsed().as_secs_f64();
            // Raster: lines along X every 2 mm, a point every 0.05 mm, as a finishing job
            // samples them (hinted by the previous point's triangle).
            let t = Instant::now();
            let mut raster = 0usize;
            let mut y = b.min[1] as f64;
            while y <= b.max[1] as f64 {
                let mut hint = None;
                let mut x = b.min[0] as f64;
                while x <= b.max[0] as f64 {
                    sum.add(model.drop_cutter_hinted(&c, x, y, f64::NEG_INFINITY, &mut hint));
                    raster += 1;
                    x += 0.05;
                }
                y += 2.0;
            }
            let rs = t.elapsed().as_secs_f64();
            println!(
                "| {name} | {tname} | {n} | {:.0} | {:.2} | {:.0} | {:016x} |",
                n as f64 / s,
                1e6 * s / n as f64,
                raster as f64 / rs,
                sum.0
            );
            std::io::stdout().flush().ok();
        }
    }
}

/// The whole parallel-finishing job.
fn surfacing_table(models: &[(String, Model)], threads: usize) {
    println!();
    println!("Full surfacing job (ball 6 mm, stepover 0.5, sampling 0.25, tolerance 0.01, zigzag X), {threads} thread(s):");
    println!();
    println!("| model | CL points out | job s |");
    println!("|---|---|---|");
    for (name, model) in models {
        let mut job = Job::default();
        let StrategySpec::Parallel(p) = &mut job.strategy else {
            unreachable!()
        };
        p.stepover = 0.5;
        p.sampling = 0.25;
        let t = Instant::now();
        let out = engine::generate(model, &job, &mut |_| true).unwrap();
        let s = t.elapsed().as_secs_f64();
        println!("| {name} | {} | {s:.2} |", out.summary.points);
        std::io::stdout().flush().ok();
    }
}

/// Waterline: the grid once, then the cost of each level.
fn waterline_table(models: &[(String, Model)], threads: usize) {
    println!();
    println!("Waterline (ball 6 mm, grid 0.5, tolerance 0.01, stepdown 2 over the model's height), {threads} thread(s):");
    println!();
    println!("| model | levels | loop points | total s | s per level (after the grid) | grid s |");
    println!("|---|---|---|---|---|---|");
    for (name, model) in models {
        let job = Job {
            strategy: StrategySpec::Waterline(swarf::job::WaterlineSpec {
                stepdown: 2.0,
                ..Default::default()
            }),
            ..Job::default()
        };
        let res = job.resolve(&model.mesh().bounds()).unwrap().remove(0);
        let s = swarf::strategy::surface::Surface::new(model, &res);
        let t = Instant::now();
        let grid = swarf::strategy::zlevel::level_grid(&s, &res, 0.5, &mut |_| true).unwrap();
        let grid_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let out = engine::generate(model, &job, &mut |_| true).unwrap();
        let total = t.elapsed().as_secs_f64();
        let levels = swarf::strategy::zlevel::levels(2.0, res.top, res.floor, &[]).len();
        std::hint::black_box(grid.h.len());
        println!(
            "| {name} | {levels} | {} | {total:.2} | {:.3} | {grid_s:.2} |",
            out.summary.points,
            (total - grid_s) / levels.max(1) as f64
        );
        std::io::stdout().flush().ok();
    }
}
