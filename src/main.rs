//! `swarf`: the command-line face of the engine, for batch work, benchmarks and checks
//! against other CAM kernels. Bad input exits non-zero with one line, never a backtrace.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;
use swarf::engine::{self, Model};
use swarf::job::{
    ClearPattern, Direction, Job, ModelTransform, Pattern, Side, StrategySpec, ToolKind,
    MAX_JOB_BYTES, MAX_PENCIL_PASSES,
};
use swarf::mesh::stl::{self, StlOptions};
use swarf::mesh::Mesh;
use swarf::post::{Dialect, Units};

const USAGE: &str = "\
swarf — STL, SVG and DXF to 3-axis G-code

usage:
  swarf info MODEL.stl | DRAWING.svg | DRAWING.dxf
  swarf generate MODEL.stl|DRAWING.svg|DRAWING.dxf [--job JOB.json] [-o OUT.ngc] [settings...]
  swarf drop MODEL.stl --tool KIND --diameter D [--corner-radius R] [--angle DEG]
        (reads x,y lines on stdin, writes x,y,z: the cutter-location height)
  swarf waterline MODEL.stl --z Z --tool KIND --diameter D [--sampling S] [--tolerance T]
        (writes the waterline loops at Z as x,y,z lines, a blank line between loops)
  swarf time PROGRAM.ngc [--max-rate R[,R,R]] [--accel A[,A,A]] [--junction-deviation D]
             [--arc-tolerance T] [--planner-blocks N]
        (cycle time as GRBL's planner sees it; rates mm/min, acceleration mm/s²;
         GRBL 1.1's defaults: arc tolerance 0.002 mm, 15 blocks planned at once)
  swarf verify MODEL.stl PROGRAM.ngc --tool KIND --diameter D [--corner-radius R] [--angle DEG]
        [--flute-length L] [--holder-diameter H] [--stock x0,y0,z0,x1,y1,z1]
        [--resolution 0.1] [--tolerance 0.01] [--leftover 0.05]
        (simulates the program on the stock, default the model's box, and prints one line
        per gouge, rapid through stock, holder collision and region of material left, then
        a summary; exits 1 on a gouge deeper than the tolerance or a collision)
  swarf demo [-o OUT.stl] [--size N]   write the built-in demo model (or an N×N terrain)
  swarf job                            print the default job JSON

settings (override the job file):
  --tool {flat,ball,bull,cone} --diameter D --corner-radius R --angle DEG
  --flute-length L --holder-diameter H
  --strategy {parallel,waterline,rough,pencil,scallop,steep} for a model,
             {engrave,profile,pocket,vcarve} for a drawing
             (a list of operations goes in the job JSON)
  --sampling S --tolerance T --milling {climb,conventional}
  parallel:  --stepover S --direction {x,y,xy,spiral} --pattern {zigzag,oneway}
  waterline: --stepdown S --z-top Z --z-bottom Z
  pencil:    --min-angle DEG --passes N --stepover S  (ball cutter; tracks in concave
             corners, N extra passes a stepover apart either side)
  scallop:   --scallop H  (ball cutter; passes offset inwards along the surface, H the
             ridge height between them)
  steep:     --steep-angle DEG --overlap L --stepover S --stepdown S --direction {x,y,xy}
             --z-top Z --z-bottom Z  (waterline where the surface is steeper than DEG,
             raster lines where it is shallower, each running L into the other's area)
  rough:     --stepdown S --stepover-ratio R --stock-to-leave S --pattern {offset,zigzag,adaptive}
             --z-top Z --z-bottom Z --ramp-angle DEG
  engrave:   --depth D --stepdown S --z-top Z  (the material's top, default 0)
  profile:   --side {outside,inside,on} --depth D --stepdown S --allowance A --finish F
             --lead R --tabs N | --tab-spacing L, --tab-width W --tab-height H
  pocket:    --depth D --stepdown S --stepover-ratio R --pattern {offset,zigzag,adaptive}
             --allowance A --ramp-angle DEG
  vcarve:    --tool cone --angle DEG --max-depth D --tolerance T
  --margin M --stock-margin M --floor Z --safe-height Z
  --feed F --plunge-feed F --spindle RPM --units {mm,inch}
  --rapid-rate R --accel A --junction-deviation D  (the machine, for the time estimate)
  --dialect {linuxcnc,grbl,mach3,marlin,fanuc,generic}  (mach3 .tap, marlin .gcode, fanuc/generic .nc)
  --arc-fitting {on,off}  runs of feed moves at one height become G2/G3 (default on;
                          never for parallel finishing)
  --arc-tolerance T       how far an arc may stray from those moves, away from the part
                          where it is beside them (default: blend tolerance)
";

/// A one-line failure.
struct Fail(String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string())
    }
}

/// Runs `f` on `workers` threads (`machine.workers`; default every core) when built with
/// the `parallel` feature; without it the CLI is single-threaded and the count is ignored.
#[allow(unused_variables)]
fn with_workers<T: Send>(workers: Option<u32>, f: impl FnOnce() -> T + Send) -> T {
    #[cfg(feature = "parallel")]
    if let Some(n) = workers {
        if let Ok(pool) = rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
        {
            return pool.install(f);
        }
    }
    f()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`swarf time … | head -1`) is not an error.
        Err(Fail(m)) if m.contains("Broken pipe") => ExitCode::SUCCESS,
        Err(Fail(m)) => {
            eprintln!("swarf: {m}");
            ExitCode::from(if m.starts_with("usage") { 2 } else { 1 })
        }
    }
}

/// Splits `--flag value` pairs from positional arguments.
struct Args {
    positional: Vec<String>,
    flags: Vec<(String, String)>,
}

fn parse_args(args: &[String]) -> Result<Args, Fail> {
    let mut positional = Vec::new();
    let mut flags = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-h" || a == "--help" {
            print!("{USAGE}");
            std::process::exit(0);
        }
        if a.starts_with('-') && a.len() > 1 && a.parse::<f64>().is_err() {
            let name = a.trim_start_matches('-').to_string();
            let v = it
                .next()
                .ok_or_else(|| Fail(format!("usage: {a} needs a value")))?;
            flags.push((name, v.clone()));
        } else {
            positional.push(a.clone());
        }
    }
    Ok(Args { positional, flags })
}

fn num(name: &str, v: &str) -> Result<f64, Fail> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| Fail(format!("usage: --{name} expects a number, got {v:?}")))
}

fn pick<T: serde::de::DeserializeOwned>(name: &str, v: &str) -> Result<T, Fail> {
    serde_json::from_value(serde_json::Value::String(v.to_ascii_lowercase()))
        .map_err(|_| Fail(format!("usage: --{name} does not accept {v:?}")))
}

fn load_stl(path: &str) -> Result<Mesh, Fail> {
    let f = std::fs::File::open(path).map_err(|e| Fail(format!("{path}: {e}")))?;
    let size = f.metadata().ok().map(|m| m.len());
    let r = std::io::BufReader::with_capacity(1 << 20, f);
    stl::read_stl(r, size, &StlOptions::default()).map_err(|e| Fail(format!("{path}: {e}")))
}

fn model_arg(a: &Args, cmd: &str) -> Result<String, Fail> {
    match a.positional.as_slice() {
        [m] => Ok(m.clone()),
        [] => Err(Fail(format!("usage: swarf {cmd} MODEL.stl ..."))),
        more => Err(Fail(format!(
            "usage: swarf {cmd} takes one model, got {}",
            more.len()
        ))),
    }
}

/// Flags that describe the operation (tool or strategy), as opposed to the machine.
const OPERATION_FLAGS: &[&str] = &[
    "tool",
    "diameter",
    "corner-radius",
    "angle",
    "flute-length",
    "holder-diameter",
    "strategy",
    "stepover",
    "stepover-ratio",
    "sampling",
    "tolerance",
    "direction",
    "pattern",
    "milling",
    "stepdown",
    "stock-to-leave",
    "z-top",
    "z-bottom",
    "ramp-angle",
    "depth",
    "allowance",
    "side",
    "finish",
    "lead",
    "tabs",
    "tab-spacing",
    "tab-width",
    "tab-height",
    "max-depth",
    "min-angle",
    "passes",
    "steep-angle",
    "overlap",
];

/// Applies command-line settings over a job. `--strategy` goes first, so the order of the
/// other flags does not matter; a flag that the chosen strategy does not have is an error.
fn apply_flags(job: &mut Job, flags: &[(String, String)]) -> Result<(), Fail> {
    if !job.operations.is_empty() {
        if let Some((k, _)) = flags
            .iter()
            .find(|(k, _)| OPERATION_FLAGS.contains(&k.as_str()))
        {
            return Err(Fail(format!(
                "usage: --{k} cannot change a job with an operations list; edit the job file"
            )));
        }
    }
    if let Some((_, v)) = flags.iter().rev().find(|(k, _)| k == "strategy") {
        let want = v.to_ascii_lowercase();
        if job.strategy.name() != want {
            job.strategy = StrategySpec::by_name(&want).ok_or_else(|| {
                let names: Vec<_> = StrategySpec::KINDS.iter().map(|k| k.name).collect();
                Fail(format!(
                    "usage: --strategy does not accept {v:?} ({})",
                    names.join(", ")
                ))
            })?;
        }
    }
    for (k, v) in flags {
        let st = &mut job.strategy;
        let name = st.name();
        let no = || {
            Fail(format!(
                "usage: --{k} is not a setting of the {name} strategy (see swarf --help)"
            ))
        };
        match k.as_str() {
            "job" | "o" | "output" | "strategy" => {}
            "tool" => job.tool.kind = pick::<ToolKind>(k, v)?,
            "diameter" => job.tool.diameter = num(k, v)?,
            "corner-radius" => job.tool.corner_radius = num(k, v)?,
            "angle" => job.tool.angle = num(k, v)?,
            "flute-length" => job.tool.flute_length = num(k, v)?,
            "holder-diameter" => job.tool.holder_diameter = Some(num(k, v)?),
            "stepover" => match st {
                StrategySpec::Parallel(p) => p.stepover = num(k, v)?,
                StrategySpec::Pencil(p) => p.stepover = num(k, v)?,
                StrategySpec::Steep(p) => p.stepover = num(k, v)?,
                _ => return Err(no()),
            },
            "stepover-ratio" => match st {
                StrategySpec::Rough(r) => r.stepover_ratio = num(k, v)?,
                StrategySpec::Pocket(p) => p.stepover_ratio = num(k, v)?,
                _ => return Err(no()),
            },
            "sampling" => match st {
                StrategySpec::Parallel(p) => p.sampling = num(k, v)?,
                StrategySpec::Waterline(w) => w.sampling = num(k, v)?,
                StrategySpec::Rough(r) => r.sampling = num(k, v)?,
                StrategySpec::Pencil(p) => p.sampling = num(k, v)?,
                StrategySpec::Scallop(p) => p.sampling = num(k, v)?,
                StrategySpec::Steep(p) => p.sampling = num(k, v)?,
                _ => return Err(no()),
            },
            "tolerance" => match st {
                StrategySpec::Parallel(p) => p.tolerance = num(k, v)?,
                StrategySpec::Waterline(w) => w.tolerance = num(k, v)?,
                StrategySpec::Rough(r) => r.tolerance = num(k, v)?,
                StrategySpec::Pencil(p) => p.tolerance = num(k, v)?,
                StrategySpec::Scallop(p) => p.tolerance = num(k, v)?,
                StrategySpec::Steep(p) => p.tolerance = num(k, v)?,
                StrategySpec::Vcarve(c) => c.tolerance = num(k, v)?,
                _ => return Err(no()),
            },
            "milling" => match st {
                StrategySpec::Parallel(p) => p.milling = pick(k, v)?,
                StrategySpec::Waterline(w) => w.milling = pick(k, v)?,
                StrategySpec::Steep(p) => p.milling = pick(k, v)?,
                StrategySpec::Rough(r) => r.milling = pick(k, v)?,
                StrategySpec::Profile(p) => p.milling = pick(k, v)?,
                StrategySpec::Pocket(p) => p.milling = pick(k, v)?,
                StrategySpec::Scallop(p) => p.milling = pick(k, v)?,
                _ => return Err(no()),
            },
            "scallop" => match st {
                StrategySpec::Scallop(p) => p.scallop = num(k, v)?,
                _ => return Err(no()),
            },
            "steep-angle" => match st {
                StrategySpec::Steep(p) => p.angle = num(k, v)?,
                _ => return Err(no()),
            },
            "overlap" => match st {
                StrategySpec::Steep(p) => p.overlap = num(k, v)?,
                _ => return Err(no()),
            },
            "min-angle" => match st {
                StrategySpec::Pencil(p) => p.min_angle = num(k, v)?,
                _ => return Err(no()),
            },
            "passes" => match st {
                StrategySpec::Pencil(p) => {
                    let n = num(k, v)?;
                    if n < 0.0 || n.fract() != 0.0 || n > MAX_PENCIL_PASSES as f64 {
                        return Err(Fail(format!(
                            "usage: --passes expects a whole number from 0 to {MAX_PENCIL_PASSES}, got {v:?}"
                        )));
                    }
                    p.passes = n as u32;
                }
                _ => return Err(no()),
            },
            "direction" => match st {
                StrategySpec::Parallel(p) => p.direction = pick::<Direction>(k, v)?,
                StrategySpec::Steep(p) => p.direction = pick::<Direction>(k, v)?,
                _ => return Err(no()),
            },
            "pattern" => match st {
                StrategySpec::Parallel(p) => p.pattern = pick::<Pattern>(k, v)?,
                StrategySpec::Rough(r) => r.pattern = pick::<ClearPattern>(k, v)?,
                StrategySpec::Pocket(p) => p.pattern = pick::<ClearPattern>(k, v)?,
                _ => return Err(no()),
            },
            "stepdown" => match st {
                StrategySpec::Waterline(w) => w.stepdown = num(k, v)?,
                StrategySpec::Steep(p) => p.stepdown = num(k, v)?,
                StrategySpec::Rough(r) => r.stepdown = num(k, v)?,
                StrategySpec::Engrave(e) => e.stepdown = num(k, v)?,
                StrategySpec::Profile(p) => p.stepdown = num(k, v)?,
                StrategySpec::Pocket(p) => p.stepdown = num(k, v)?,
                _ => return Err(no()),
            },
            "depth" => match st {
                StrategySpec::Engrave(e) => e.depth = num(k, v)?,
                StrategySpec::Profile(p) => p.depth = num(k, v)?,
                StrategySpec::Pocket(p) => p.depth = num(k, v)?,
                _ => return Err(no()),
            },
            "z-top" => match st {
                StrategySpec::Waterline(w) => w.z_top = Some(num(k, v)?),
                StrategySpec::Steep(p) => p.z_top = Some(num(k, v)?),
                StrategySpec::Rough(r) => r.z_top = Some(num(k, v)?),
                StrategySpec::Engrave(e) => e.z_top = Some(num(k, v)?),
                StrategySpec::Profile(p) => p.z_top = Some(num(k, v)?),
                StrategySpec::Pocket(p) => p.z_top = Some(num(k, v)?),
                StrategySpec::Vcarve(c) => c.z_top = Some(num(k, v)?),
                _ => return Err(no()),
            },
            "z-bottom" => match st {
                StrategySpec::Waterline(w) => w.z_bottom = Some(num(k, v)?),
                StrategySpec::Steep(p) => p.z_bottom = Some(num(k, v)?),
                StrategySpec::Rough(r) => r.z_bottom = Some(num(k, v)?),
                _ => return Err(no()),
            },
            "stock-to-leave" => match st {
                StrategySpec::Rough(r) => r.stock_to_leave = num(k, v)?,
                _ => return Err(no()),
            },
            "ramp-angle" => match st {
                StrategySpec::Rough(r) => r.ramp_angle = num(k, v)?,
                StrategySpec::Pocket(p) => p.ramp_angle = num(k, v)?,
                _ => return Err(no()),
            },
            "allowance" => match st {
                StrategySpec::Profile(p) => p.allowance = num(k, v)?,
                StrategySpec::Pocket(p) => p.allowance = num(k, v)?,
                _ => return Err(no()),
            },
            "side" | "finish" | "lead" | "tabs" | "tab-spacing" | "tab-width" | "tab-height" => {
                let StrategySpec::Profile(p) = st else {
                    return Err(no());
                };
                match k.as_str() {
                    "side" => p.side = pick::<Side>(k, v)?,
                    "finish" => p.finish = num(k, v)?,
                    "lead" => p.lead = num(k, v)?,
                    "tabs" => {
                        let n = num(k, v)?;
                        if n < 0.0 || n.fract() != 0.0 || n > 1000.0 {
                            return Err(Fail(format!(
                                "usage: --tabs expects a whole number from 0 to 1000, got {v:?}"
                            )));
                        }
                        p.tabs = n as u32;
                    }
                    "tab-spacing" => p.tab_spacing = Some(num(k, v)?),
                    "tab-width" => p.tab_width = num(k, v)?,
                    _ => p.tab_height = num(k, v)?,
                }
            }
            "max-depth" => match st {
                StrategySpec::Vcarve(c) => c.max_depth = num(k, v)?,
                _ => return Err(no()),
            },
            "margin" => job.bounds.margin = Some(num(k, v)?),
            "stock-margin" => job.stock.margin = num(k, v)?,
            "floor" => job.bounds.floor = Some(num(k, v)?),
            "safe-height" => job.machine.safe_height = Some(num(k, v)?),
            "feed" => job.machine.feed = num(k, v)?,
            "plunge-feed" => job.machine.plunge_feed = num(k, v)?,
            "spindle" => job.machine.spindle = num(k, v)?,
            "rapid-rate" => job.machine.rapid_rate = num(k, v)?,
            "accel" => job.machine.acceleration = num(k, v)?,
            "junction-deviation" => job.machine.junction_deviation = num(k, v)?,
            "dialect" => job.machine.dialect = pick::<Dialect>(k, v)?,
            "arc-fitting" => {
                job.machine.arc_fitting = match v.to_ascii_lowercase().as_str() {
                    "on" => true,
                    "off" => false,
                    _ => {
                        return Err(Fail(format!(
                            "usage: --arc-fitting expects on or off, got {v:?}"
                        )))
                    }
                }
            }
            "arc-tolerance" => job.machine.arc_tolerance = Some(num(k, v)?),
            "units" => job.units = pick(k, v)?,
            "z" => {}
            _ => {
                return Err(Fail(format!(
                    "usage: unknown option --{k} (see swarf --help)"
                )))
            }
        }
    }
    Ok(())
}

fn flag<'a>(a: &'a Args, names: &[&str]) -> Option<&'a str> {
    a.flags
        .iter()
        .rev()
        .find(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, v)| v.as_str())
}

fn run(args: &[String]) -> Result<(), Fail> {
    let Some(cmd) = args.first() else {
        print!("{USAGE}");
        return Err(Fail("usage: no command given".into()));
    };
    let a = parse_args(&args[1..])?;
    match cmd.as_str() {
        "info" => info(&a),
        "generate" => generate(&a),
        "drop" => drop(&a),
        "waterline" => waterline(&a),
        "demo" => demo(&a),
        "time" => time(&a),
        "verify" => verify(&a),
        "job" => {
            println!("{}", serde_json::to_string_pretty(&Job::default())?);
            Ok(())
        }
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(Fail(format!(
            "usage: unknown command {other:?} (info, generate, time, verify, drop, waterline, demo, job, help)"
        ))),
    }
}

fn info(a: &Args) -> Result<(), Fail> {
    let path = model_arg(a, "info")?;
    if let Some(out) = drawing_info(&path)? {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let mesh = load_stl(&path)?;
    let dropped = mesh.dropped_degenerate;
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm)?;
    let b = model.mesh().bounds();
    let n = model.mesh().len();
    let bytes = model.engine_bytes();
    let out = serde_json::json!({
        "file": path,
        "triangles": n,
        "dropped_degenerate": dropped,
        "bounds": { "min": b.min, "max": b.max },
        "size": b.size(),
        "engine_bytes": bytes,
        "mesh_bytes": model.mesh().heap_bytes(),
        "index_bytes": model.index().heap_bytes(),
        "bytes_per_triangle": bytes as f64 / n as f64,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// `swarf info` of an SVG or DXF (told by extension, else by content): paths, holes, size.
fn drawing_info(path: &str) -> Result<Option<serde_json::Value>, Fail> {
    let Some(d) = read_drawing(path)? else {
        return Ok(None);
    };
    let b = d.bounds().unwrap_or(swarf::geom::Rect::new(
        Default::default(),
        Default::default(),
    ));
    Ok(Some(serde_json::json!({
        "file": path,
        "closed_paths": d.shapes.len() + d.hole_count(),
        "outlines": d.shapes.len(),
        "holes": d.hole_count(),
        "open_paths": d.open.len(),
        "bounds_mm": { "min": b.min, "max": b.max },
        "size_mm": b.size(),
        "notices": d.notices,
    })))
}

/// The drawing in `path` (SVG or DXF, told by extension, else by content), or `None` for a
/// file that is not one (an STL).
fn read_drawing(path: &str) -> Result<Option<swarf::drawing::Drawing>, Fail> {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let bytes = match ext.as_str() {
        "svg" | "dxf" => std::fs::read(path).map_err(|e| Fail(format!("{path}: {e}")))?,
        "stl" => return Ok(None),
        // No telling extension: the first bytes decide, so a big STL is not read twice.
        _ => {
            let mut head = Vec::new();
            let f = std::fs::File::open(path).map_err(|e| Fail(format!("{path}: {e}")))?;
            std::io::Read::read_to_end(&mut std::io::Read::take(f, 256), &mut head)?;
            if swarf::drawing::sniff(&head).is_none() {
                return Ok(None);
            }
            std::fs::read(path).map_err(|e| Fail(format!("{path}: {e}")))?
        }
    };
    let d = swarf::drawing::import(&bytes, &Default::default())
        .map_err(|e| Fail(format!("{path}: {e}")))?;
    Ok(Some(d))
}

fn generate(a: &Args) -> Result<(), Fail> {
    let path = model_arg(a, "generate")?;
    let mut job = match flag(a, &["job"]) {
        Some(j) => {
            let size = std::fs::metadata(j)
                .map_err(|e| Fail(format!("{j}: {e}")))?
                .len();
            if size > MAX_JOB_BYTES as u64 {
                return Err(Fail(format!(
                    "{j}: job: the file is {size} bytes; a job is at most {MAX_JOB_BYTES} bytes"
                )));
            }
            let text = std::fs::read_to_string(j).map_err(|e| Fail(format!("{j}: {e}")))?;
            Job::from_json(&text).map_err(|e| Fail(format!("{j}: {e}")))?
        }
        None => Job::default(),
    };
    apply_flags(&mut job, &a.flags)?;
    job.validate()?;
    let drawing = read_drawing(&path)?;
    let elements = if drawing.is_some() {
        "segments"
    } else {
        "triangles"
    };
    let out = match drawing {
        Some(mut d) => {
            for n in &d.notices {
                eprintln!("swarf: notice: {n}");
            }
            engine::place_drawing(&mut d, &job)?;
            engine::generate_drawing(&d, &job, &mut |_| true)?
        }
        None => {
            let mesh = load_stl(&path)?;
            let model = Model::new(mesh, &job.model, job.units)?;
            with_workers(job.machine.workers, || {
                engine::generate(&model, &job, &mut |_| true)
            })?
        }
    };
    let target = flag(a, &["o", "output"]);
    match target {
        Some("-") | None => {
            std::io::stdout().write_all(out.gcode.as_bytes())?;
        }
        Some(o) => {
            std::fs::write(o, out.gcode.as_bytes()).map_err(|e| Fail(format!("{o}: {e}")))?
        }
    }
    let s = &out.summary;
    let mins = s.estimated_seconds / 60.0;
    let msg = format!(
        "{} {elements}, {} points, feed {:.1} / rapid {:.1} / plunge {:.1} {}, about {:.0} h {:.0} min, {} lines / {} bytes of G-code{}",
        s.triangles,
        s.points,
        s.feed_length,
        s.rapid_length,
        s.plunge_length,
        job.units.name(),
        (mins / 60.0).floor(),
        mins % 60.0,
        s.lines,
        s.gcode_bytes,
        if s.moves_merged > 0 {
            format!(
                " ({} moves merged into arcs; {} lines / {} bytes without)",
                s.moves_merged, s.lines_before, s.bytes_before
            )
        } else {
            String::new()
        }
    );
    for n in &out.nothing_cut {
        eprintln!("swarf: warning: {n}");
    }
    // The summary goes to stderr when the program goes to stdout.
    if matches!(target, Some("-") | None) {
        eprintln!("{msg}");
    } else {
        println!("{msg}");
    }
    Ok(())
}

/// One number or three (per axis), each positive.
fn per_axis(name: &str, v: &str) -> Result<[f64; 3], Fail> {
    let parts: Vec<f64> = v
        .split(',')
        .map(|x| num(name, x))
        .collect::<Result<_, _>>()?;
    let out = match parts.as_slice() {
        [x] => [*x; 3],
        [x, y, z] => [*x, *y, *z],
        _ => {
            return Err(Fail(format!(
                "usage: --{name} takes one number or three (X,Y,Z), got {v:?}"
            )))
        }
    };
    if out.iter().any(|x| *x <= 0.0) {
        return Err(Fail(format!("usage: --{name} must be positive, got {v:?}")));
    }
    Ok(out)
}

/// A G-code program from a file, as moves in millimetres.
fn read_program(path: &str) -> Result<swarf::gcode::read::Program, Fail> {
    use swarf::gcode::read;
    let size = std::fs::metadata(path)
        .map_err(|e| Fail(format!("{path}: {e}")))?
        .len();
    if size > read::MAX_PROGRAM_BYTES as u64 {
        return Err(Fail(format!(
            "{path}: the program is {size} bytes, more than {}",
            read::MAX_PROGRAM_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Fail(format!("{path}: {e}")))?;
    let text = String::from_utf8_lossy(&bytes);
    read::read(&text).map_err(|e| Fail(format!("{path}: {e}")))
}

/// Flags of `swarf verify` that describe the tool (the rest are its own).
const VERIFY_TOOL_FLAGS: &[&str] = &[
    "tool",
    "diameter",
    "corner-radius",
    "angle",
    "flute-length",
    "holder-diameter",
];

fn verify(a: &Args) -> Result<(), Fail> {
    use swarf::sim::verify::{self, ProblemKind, Settings};
    let [model_path, program_path] = a.positional.as_slice() else {
        return Err(Fail(
            "usage: swarf verify MODEL.stl PROGRAM.ngc --tool KIND --diameter D [...]".into(),
        ));
    };
    let mut job = Job::default();
    let mut tool_flags = Vec::new();
    let (mut cell, mut tol, mut leftover) = (0.1, 0.01, 0.05);
    let mut stock_box = None;
    for (k, v) in &a.flags {
        match k.as_str() {
            k2 if VERIFY_TOOL_FLAGS.contains(&k2) => tool_flags.push((k.clone(), v.clone())),
            "resolution" => cell = num(k, v)?,
            "tolerance" => tol = num(k, v)?,
            "leftover" => leftover = num(k, v)?,
            "stock" => {
                let n: Vec<f64> = v.split(',').map(|x| num(k, x)).collect::<Result<_, _>>()?;
                let [x0, y0, z0, x1, y1, z1] = n[..] else {
                    return Err(Fail(format!(
                        "usage: --stock expects x0,y0,z0,x1,y1,z1, got {v:?}"
                    )));
                };
                if !(x1 > x0 && y1 > y0 && z1 > z0) {
                    return Err(Fail(format!(
                        "usage: --stock {v:?}: each max must be above its min"
                    )));
                }
                stock_box = Some(swarf::geom::Box3::new(
                    swarf::geom::DVec3::new(x0, y0, z0),
                    swarf::geom::DVec3::new(x1, y1, z1),
                ));
            }
            _ => return Err(Fail(format!("usage: swarf verify does not take --{k}"))),
        }
    }
    for (name, v) in [
        ("resolution", cell),
        ("tolerance", tol),
        ("leftover", leftover),
    ] {
        if v <= 0.0 {
            return Err(Fail(format!("usage: --{name} must be positive, got {v}")));
        }
    }
    if !tool_flags.iter().any(|(k, _)| k == "tool")
        || !tool_flags.iter().any(|(k, _)| k == "diameter")
    {
        return Err(Fail(
            "usage: swarf verify needs the program's tool: --tool KIND --diameter D".into(),
        ));
    }
    apply_flags(&mut job, &tool_flags)?;
    let cutter = job.tool.cutter()?;
    let holder_diameter = job.tool.holder_diameter.unwrap_or(job.tool.diameter);
    let program = read_program(program_path)?;
    let mesh = load_stl(model_path)?;
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm)?;
    let stock_box = stock_box.unwrap_or_else(|| {
        let b = model.mesh().bounds();
        let v = |p: [f32; 3]| swarf::geom::DVec3::new(p[0].into(), p[1].into(), p[2].into());
        swarf::geom::Box3::new(v(b.min), v(b.max))
    });
    let settings = Settings {
        cutter,
        holder_diameter,
        operation_tools: Vec::new(),
        cell,
        tolerance: tol,
        leftover,
    };
    let started = std::time::Instant::now();
    let r = verify::verify(&model, &program, &stock_box, &settings, &mut |_| true)?;
    let secs = started.elapsed().as_secs_f64();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for p in &r.problems {
        let line = p.line.map_or("-".to_string(), |l| l.to_string());
        write!(
            out,
            "line {line}: {} {:.3} mm at X{:.3} Y{:.3} Z{:.3}",
            p.kind.label(),
            p.depth,
            p.at[0],
            p.at[1],
            p.at[2]
        )?;
        if p.area > 0.0 {
            write!(out, " ({:.2} mm²)", p.area)?;
        }
        writeln!(out)?;
    }
    let kinds = [
        ProblemKind::Gouge,
        ProblemKind::RapidThroughStock,
        ProblemKind::HolderCollision,
        ProblemKind::MaterialLeft,
    ];
    for k in kinds {
        if r.unlisted[k as usize] > 0 {
            writeln!(
                out,
                "... and {} more of kind {}",
                r.unlisted[k as usize],
                k.label()
            )?;
        }
    }
    let count =
        |k: ProblemKind| r.problems.iter().filter(|p| p.kind == k).count() + r.unlisted[k as usize];
    let s = &r.stock;
    writeln!(
        out,
        "verified {} moves on a {}x{} stock at {} mm in {:.2} s; tolerance {} mm, material left reported over {} mm",
        r.moves,
        s.nx(),
        s.ny(),
        s.cell(),
        secs,
        tol,
        leftover
    )?;
    match &r.deepest_gouge {
        Some(g) => writeln!(
            out,
            "deepest gouge: {}{:.4} mm along the normal at X{:.3} Y{:.3}, line {}",
            if g.depth >= verify::GOUGE_SEARCH {
                "at least "
            } else {
                ""
            },
            g.depth,
            g.at[0],
            g.at[1],
            g.line.map_or("-".to_string(), |l| l.to_string())
        )?,
        None => writeln!(
            out,
            "deepest gouge: none (the stock never enters the model)"
        )?,
    }
    match &r.most_left {
        Some(m) => writeln!(
            out,
            "most material left: {}{:.4} mm at X{:.3} Y{:.3}",
            if m.depth >= verify::LEFT_SEARCH {
                "at least "
            } else {
                ""
            },
            m.depth,
            m.at[0],
            m.at[1]
        )?,
        None => writeln!(out, "most material left: none")?,
    }
    writeln!(
        out,
        "problems: {} gouges deeper than {} mm, {} rapids through stock, {} holder collisions, {} regions of material left",
        count(ProblemKind::Gouge),
        tol,
        count(ProblemKind::RapidThroughStock),
        count(ProblemKind::HolderCollision),
        count(ProblemKind::MaterialLeft)
    )?;
    out.flush()?;
    if r.failed(tol) {
        return Err(Fail(format!(
            "{program_path}: the program gouges the model or collides (see above)"
        )));
    }
    Ok(())
}

fn time(a: &Args) -> Result<(), Fail> {
    use swarf::gcode::time;
    let path =
        match a.positional.as_slice() {
            [p] => p.clone(),
            _ => return Err(Fail(
                "usage: swarf time PROGRAM.ngc [--max-rate R] [--accel A] [--junction-deviation D] [--arc-tolerance T] [--planner-blocks N]"
                    .into(),
            )),
        };
    let mut m = time::Machine::default();
    for (k, v) in &a.flags {
        match k.as_str() {
            "max-rate" => m.max_rate = per_axis(k, v)?,
            "accel" => m.acceleration = per_axis(k, v)?,
            "junction-deviation" => {
                m.junction_deviation = num(k, v)?;
                if m.junction_deviation <= 0.0 {
                    return Err(Fail(format!("usage: --{k} must be positive, got {v:?}")));
                }
            }
            "arc-tolerance" => {
                m.arc_tolerance = num(k, v)?;
                if m.arc_tolerance <= 0.0 {
                    return Err(Fail(format!("usage: --{k} must be positive, got {v:?}")));
                }
            }
            "planner-blocks" => {
                m.planner_blocks = v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&b| b >= 1)
                    .ok_or_else(|| {
                        Fail(format!(
                            "usage: --{k} expects a whole number of blocks (at least 1), got {v:?}"
                        ))
                    })?;
            }
            _ => return Err(Fail(format!("usage: swarf time does not take --{k}"))),
        }
    }
    let p = read_program(&path)?;
    let t = time::plan(&p, &m).map_err(|e| Fail(format!("{path}: {e}")))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(out, "estimated time: {:.2} s", t.total)?;
    writeln!(out, "  feed (G1/G2/G3): {:.1} s", t.feed)?;
    writeln!(out, "  rapid (G0): {:.1} s", t.rapid)?;
    for (name, s) in &t.operations {
        let name = if name.is_empty() {
            "(before any operation)"
        } else {
            name
        };
        writeln!(out, "  operation {name}: {s:.1} s")?;
    }
    writeln!(
        out,
        "  {} moves, {} planner blocks; max rate {:?} mm/min, acceleration {:?} mm/s², junction deviation {} mm, arc tolerance {} mm, {} blocks planned at once; tool changes, pauses and dwells not counted",
        p.moves.len(),
        t.blocks,
        m.max_rate,
        m.acceleration,
        m.junction_deviation,
        m.arc_tolerance,
        m.planner_blocks
    )?;
    out.flush()?;
    Ok(())
}

fn drop(a: &Args) -> Result<(), Fail> {
    let path = model_arg(a, "drop")?;
    let mut job = Job::default();
    apply_flags(&mut job, &a.flags)?;
    let cutter = job.tool.cutter()?;
    let mesh = load_stl(&path)?;
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm)?;
    let low = model.mesh().bounds().min[2] as f64;
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (no, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut it = t
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty());
        let (Some(xs), Some(ys)) = (it.next(), it.next()) else {
            return Err(Fail(format!("stdin line {}: expected x,y", no + 1)));
        };
        let p = |s: &str| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| Fail(format!("stdin line {}: {s:?} is not a number", no + 1)))
        };
        let (x, y) = (p(xs)?, p(ys)?);
        let z = model
            .index()
            .drop_cutter(model.mesh(), &cutter, x, y)
            .unwrap_or(low);
        writeln!(out, "{x},{y},{z:.6}")?;
    }
    out.flush()?;
    Ok(())
}

fn waterline(a: &Args) -> Result<(), Fail> {
    let path = model_arg(a, "waterline")?;
    let z = num(
        "z",
        flag(a, &["z"]).ok_or_else(|| Fail("usage: swarf waterline needs --z Z".into()))?,
    )?;
    let mut job = Job {
        strategy: StrategySpec::Waterline(Default::default()),
        ..Job::default()
    };
    apply_flags(&mut job, &a.flags)?;
    let StrategySpec::Waterline(spec) = &job.strategy else {
        return Err(Fail("usage: swarf waterline takes no --strategy".into()));
    };
    job.validate()?;
    let mesh = load_stl(&path)?;
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm)?;
    let res = job.resolve(&model.mesh().bounds())?.remove(0);
    let s = swarf::strategy::surface::Surface::new(&model, &res);
    let grid = swarf::strategy::zlevel::level_grid(&s, &res, spec.sampling, &mut |_| true)
        .map_err(|_| Fail("cancelled".into()))?;
    let loops = swarf::strategy::contour::contours(&s, &grid, z, spec.tolerance);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (k, c) in loops.iter().enumerate() {
        if k > 0 {
            writeln!(out)?;
        }
        for p in &c.points {
            writeln!(out, "{:.6},{:.6},{z}", p[0], p[1])?;
        }
        if c.closed {
            writeln!(out, "{:.6},{:.6},{z}", c.points[0][0], c.points[0][1])?;
        }
    }
    out.flush()?;
    Ok(())
}

fn demo(a: &Args) -> Result<(), Fail> {
    let mesh = match flag(a, &["size"]) {
        Some(n) => {
            let n = num("size", n)?;
            if !(1.0..=5000.0).contains(&n) {
                return Err(Fail("usage: --size must be between 1 and 5000".into()));
            }
            swarf::demo::terrain(n as usize)
        }
        None => swarf::demo::demo_mesh(),
    };
    let o = flag(a, &["o", "output"]).unwrap_or("demo.stl");
    let f = std::fs::File::create(o).map_err(|e| Fail(format!("{o}: {e}")))?;
    stl::write_binary_stl(&mesh, std::io::BufWriter::new(f))?;
    println!("{o}: {} triangles", mesh.len());
    Ok(())
}
