//! `sim::verify` and `swarf verify`: programs simulated on a stock and compared with the
//! model. Swarf's own programs stay within their tolerance; a move lowered by 1 mm is found
//! at its line; a program in another CAM's style (line numbers, `%`, modal words, arcs by
//! `I`/`J` and by `R`, inches, incremental moves) is read and checked; a gouge is measured
//! along the normal (a wall's rounding is not its height); rapids through stock and holder
//! collisions are caught at their lines.

use std::process::Command;
use swarf::cutter::Cutter;
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::gcode::read::{self, Program};
use swarf::geom::{Box3, DVec3};
use swarf::job::{Job, ModelTransform, StrategySpec};
use swarf::mesh::Mesh;
use swarf::post::Units;
use swarf::sim::verify::{self, ProblemKind, Report, Settings};

/// A closed box, 12 triangles.
fn box_mesh(lo: [f32; 3], hi: [f32; 3]) -> Mesh {
    let c = |i: usize| {
        [
            if i & 1 == 0 { lo[0] } else { hi[0] },
            if i & 2 == 0 { lo[1] } else { hi[1] },
            if i & 4 == 0 { lo[2] } else { hi[2] },
        ]
    };
    let quads = [
        [0, 2, 3, 1],
        [4, 5, 7, 6],
        [0, 1, 5, 4],
        [2, 6, 7, 3],
        [0, 4, 6, 2],
        [1, 3, 7, 5],
    ];
    let mut t = Vec::new();
    for q in quads {
        for tri in [[q[0], q[1], q[2]], [q[0], q[2], q[3]]] {
            for v in tri {
                t.extend_from_slice(&c(v));
            }
        }
    }
    Mesh::from_triangles(t).unwrap()
}

fn model(mesh: Mesh) -> Model {
    Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap()
}

fn settings(cutter: Cutter, holder: f64, cell: f64) -> Settings {
    Settings {
        cutter,
        holder_diameter: holder,
        operation_tools: Vec::new(),
        cell,
        tolerance: 0.01,
        leftover: 0.05,
    }
}

fn bx(lo: [f64; 3], hi: [f64; 3]) -> Box3 {
    Box3::new(DVec3::from(lo), DVec3::from(hi))
}

fn model_box(m: &Model) -> Box3 {
    let b = m.mesh().bounds();
    bx(b.min.map(f64::from), b.max.map(f64::from))
}

fn run(m: &Model, p: &Program, stock: &Box3, s: &Settings) -> Report {
    verify::verify(m, p, stock, s, &mut |_| true).unwrap()
}

fn of(r: &Report, k: ProblemKind) -> Vec<verify::Problem> {
    r.problems.iter().filter(|p| p.kind == k).copied().collect()
}

// ---------------------------------------------------------------- Swarf's own programs

fn tolerance(s: &StrategySpec) -> f64 {
    match s {
        StrategySpec::Parallel(p) => p.tolerance,
        StrategySpec::Waterline(w) => w.tolerance,
        StrategySpec::Rough(r) => r.tolerance,
        other => panic!("{}", other.name()),
    }
}

fn own_program(strategy: StrategySpec) -> (Model, Job, String) {
    let job = Job {
        strategy,
        ..Job::default()
    };
    let m = model(demo::demo_mesh());
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    (m, job, out.gcode)
}

/// The default parallel finishing of the demo model: the stock it leaves never goes into
/// the model deeper than the job's tolerance (plus the G-code's last decimal), and
/// nothing collides.
#[test]
fn own_finishing_program_stays_within_its_tolerance() {
    let (m, job, gcode) = own_program(StrategySpec::Parallel(Default::default()));
    let tol = tolerance(&job.strategy);
    let p = read::read(&gcode).unwrap();
    let s = settings(job.tool.cutter().unwrap(), job.tool.diameter, 0.2);
    let r = run(&m, &p, &model_box(&m), &s);
    let g = r
        .deepest_gouge
        .expect("the stock touches the model somewhere");
    assert!(g.depth <= tol, "{g:?}");
    assert!(
        !r.failed(tol),
        "{:?}",
        &r.problems[..r.problems.len().min(5)]
    );
    // Finishing reached everywhere: what is left is scallops, not uncut stock.
    let left = r.most_left.unwrap();
    assert!(left.depth < 0.5, "{left:?}");
    // Most of the model is within a scallop of the surface.
    let near = r
        .deviation
        .iter()
        .filter(|d| !d.is_nan() && d.abs() <= 0.1)
        .count();
    let all = r.deviation.iter().filter(|d| !d.is_nan()).count();
    assert!(near as f64 > 0.95 * all as f64, "{near} of {all}");
}

/// Waterline and z-level roughing, checked the same way: no gouge past the tolerance.
#[test]
fn own_waterline_and_roughing_do_not_gouge() {
    for strategy in [
        StrategySpec::by_name("waterline").unwrap(),
        StrategySpec::by_name("rough").unwrap(),
    ] {
        let name = strategy.name();
        let (m, job, gcode) = own_program(strategy);
        let tol = tolerance(&job.strategy);
        let p = read::read(&gcode).unwrap();
        let s = settings(job.tool.cutter().unwrap(), job.tool.diameter, 0.25);
        let r = run(&m, &p, &model_box(&m), &s);
        let g = r.deepest_gouge.map_or(0.0, |g| g.depth);
        assert!(g <= tol, "{name}: {:?}", r.deepest_gouge);
        assert!(
            !r.failed(tol),
            "{name}: {:?}",
            &r.problems[..r.problems.len().min(5)]
        );
    }
}

/// The test: one move of Swarf's finishing program lowered by 1 mm is reported as
/// a gouge of about 1 mm at that line, and the run fails.
#[test]
fn one_move_lowered_by_1mm_is_flagged_at_its_line() {
    let (m, job, gcode) = own_program(StrategySpec::Parallel(Default::default()));
    let mut lines: Vec<String> = gcode.lines().map(str::to_string).collect();
    // A feed move in the middle of the program with a Z word, over the model's middle.
    let target = (lines.len() / 2..lines.len())
        .find(|&i| {
            let l = &lines[i];
            l.starts_with("G1") || (l.starts_with('X') && l.contains('Z'))
        })
        .filter(|&i| lines[i].contains('Z'))
        .expect("a feed move with Z");
    let line = &lines[target];
    let z0: f64 = line[line.find('Z').unwrap() + 1..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let lowered = line.replace(
        &line[line.find('Z').unwrap()..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string(),
        &format!("Z{:.4}", z0 - 1.0),
    );
    lines[target] = lowered;
    let p = read::read(&lines.join("\n")).unwrap();
    let tol = tolerance(&job.strategy);
    let s = settings(job.tool.cutter().unwrap(), job.tool.diameter, 0.1);
    let r = run(&m, &p, &model_box(&m), &s);
    assert!(r.failed(tol));
    let gouges = of(&r, ProblemKind::Gouge);
    assert_eq!(gouges.len(), 1, "{gouges:?}");
    let g = gouges[0];
    assert_eq!(
        g.line,
        Some(target + 1),
        "{g:?} (lowered line {})",
        target + 1
    );
    // Along the normal a 1 mm drop is at most 1 mm, and on this gentle terrain most of it.
    assert!(g.depth > 0.6 && g.depth <= 1.0 + tol, "{g:?}");
    assert_eq!(r.deepest_gouge.unwrap().line, Some(target + 1));
}

// ---------------------------------------------------------------- another CAM's program

/// A block 40 × 30 × 10 on the table, and a 6 mm flat end mill that faces its top at
/// Z 10 and contours it at 3 mm from its walls (round corners as arcs), in four steps
/// down to Z 0.
fn contour_moves(inward: f64) -> Vec<String> {
    let r = 3.0 - inward;
    let mut v = vec!["G0 Z15".to_string()];
    // Facing rows, one way, 4 mm apart.
    let mut y = 0.0;
    while y <= 30.0 {
        v.push(format!("G0 X-4 Y{y}"));
        v.push("G1 Z10 F800".into());
        v.push("X44".into());
        v.push("G0 Z15".into());
        y += 4.0;
    }
    for z in [7.5, 5.0, 2.5, 0.0] {
        v.push(format!("G0 X0 Y{}", -r));
        v.push(format!("G1 Z{z} F300"));
        v.push("F1200".into());
        v.push("X40".into());
        v.push(format!("G3 X{} Y0 I0 J{r}", 40.0 + r));
        v.push("G1 Y30".into());
        v.push(format!("G3 X40 Y{} R{r}", 30.0 + r));
        v.push("G1 X0".into());
        v.push(format!("G3 X{} Y30 I0 J{}", -r, -r));
        v.push("G1 Y0".into());
        v.push(format!("G3 X0 Y{} I{r} J0", -r));
        // Incremental retract, as some posts write it.
        v.push("G91 G0 Z5".into());
        v.push("G90".into());
    }
    v
}

/// In the style of a commercial post: `%`, a program number, N-numbered lines, a tool
/// change, modal axis words, comments in parentheses.
fn fusion_style(moves: &[String]) -> String {
    let mut out = vec![
        "%".to_string(),
        "O1001 (BLOCK CONTOUR)".into(),
        "(T1 D=6. CR=0. - ZMIN=0. - FLAT END MILL)".into(),
    ];
    let mut n = 10;
    let mut push = |l: String| {
        out.push(format!("N{n} {l}"));
        n += 5;
    };
    push("G90 G94 G17 G21".into());
    push("G54".into());
    push("T1 M6".into());
    push("S12000 M3".into());
    for m in moves {
        push(m.clone());
    }
    push("M5".into());
    push("M30".into());
    out.push("%".into());
    out.join("\n")
}

/// In the style of a hobby GRBL sender's CAM: inches, `;` comments, no line numbers.
fn grbl_inch_style(moves: &[String]) -> String {
    let inch = |w: &str| -> String {
        w.split_whitespace()
            .map(|t| {
                let (l, v) = t.split_at(1);
                match (l, v.parse::<f64>()) {
                    ("X" | "Y" | "Z" | "I" | "J" | "R", Ok(x)) => format!("{l}{:.5}", x / 25.4),
                    ("F", Ok(x)) => format!("F{:.2}", x / 25.4),
                    _ => t.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = vec![
        "; block contour, inch".to_string(),
        "G20 G90 G17".into(),
        "M3 S10000 ; spindle on".into(),
    ];
    out.extend(moves.iter().map(|m| inch(m)));
    out.push("M5".into());
    out.push("M2".into());
    out.join("\n")
}

fn block() -> Model {
    model(box_mesh([0.0, 0.0, 0.0], [40.0, 30.0, 10.0]))
}

fn block_stock() -> Box3 {
    bx([-8.0, -8.0, 0.0], [48.0, 38.0, 12.0])
}

/// Both styles read; the block comes out with no gouge past the tolerance (the inch
/// program's five decimals are within 0.0003 mm), nothing collides, the top is faced flat
/// and the walls are cut to the model.
#[test]
fn other_cam_programs_are_read_and_verified() {
    let m = block();
    let s = settings(Cutter::flat(6.0).unwrap(), 6.0, 0.1);
    for (style, text) in [
        ("fusion", fusion_style(&contour_moves(0.0))),
        ("grbl inch", grbl_inch_style(&contour_moves(0.0))),
    ] {
        let p = read::read(&text).unwrap_or_else(|e| panic!("{style}: {e}"));
        let r = run(&m, &p, &block_stock(), &s);
        assert!(!r.failed(0.01), "{style}: {:?}", r.problems);
        let g = r.deepest_gouge.map_or(0.0, |g| g.depth);
        assert!(g <= 0.001, "{style}: {:?}", r.deepest_gouge);
        // Faced at Z 10 and walls at the model: nothing left anywhere over the block.
        let left = r.most_left.map_or(0.0, |l| l.depth);
        assert!(left <= 0.001, "{style}: {:?}", r.most_left);
        // Beside the block the contour went down to Z 0.
        let st = &r.stock;
        let (i, j) = (
            ((-1.5 - st.origin()[0]) / st.cell()) as usize,
            ((15.0 - st.origin()[1]) / st.cell()) as usize,
        );
        assert!(st.height(i, j).abs() < 1e-3, "{}", st.height(i, j));
    }
}

/// The contour cut 0.5 mm inside the walls: a gouge 0.5 mm deep along the wall's normal
/// (the vertical difference there is the wall's height, 10 mm), at the first line that
/// goes inside, in the foreign program's own line numbering.
#[test]
fn a_wall_gouge_is_measured_along_the_normal_at_its_line() {
    let m = block();
    let s = settings(Cutter::flat(6.0).unwrap(), 6.0, 0.1);
    let text = fusion_style(&contour_moves(0.5));
    let p = read::read(&text).unwrap();
    let r = run(&m, &p, &block_stock(), &s);
    assert!(r.failed(0.01));
    let g = r.deepest_gouge.unwrap();
    assert!((g.depth - 0.5).abs() < 0.06, "{g:?}");
    // Every step down cuts the walls alike; the line that made the deepest cell is a
    // contour move (or the plunge beside the wall) of the last one, the one that left the
    // stock as it is.
    let line = g.line.unwrap();
    let text_line = text.lines().nth(line - 1).unwrap();
    let last_step = text.lines().position(|l| l.contains("G1 Z0 ")).unwrap() + 1;
    assert!(
        line >= last_step && !text_line.contains("G0"),
        "{line}: {text_line}"
    );
    // Each wall is one region of gouge, all four in the last step's lines.
    let gouges = of(&r, ProblemKind::Gouge);
    assert!(!gouges.is_empty() && gouges.len() <= 4, "{gouges:?}");
    for g in &gouges {
        assert!(
            (g.depth - 0.5).abs() < 0.06 && g.line.unwrap() >= last_step,
            "{g:?}"
        );
    }
}

/// A cut that leaves the tool 0.0005 mm inside a 10 mm wall (what a G-code's rounding of X
/// does) is a 0.0005 mm deviation, not a 10 mm gouge.
#[test]
fn rounding_at_a_wall_is_not_a_gouge() {
    let m = block();
    let s = settings(Cutter::flat(6.0).unwrap(), 6.0, 0.1);
    let text = fusion_style(&contour_moves(0.0005));
    // Cell centres 0.0002 mm inside the walls at X 0 and Y 0.
    let stock = bx([-8.0498, -8.0498, 0.0], [48.0, 38.0, 12.0]);
    let r = run(&m, &read::read(&text).unwrap(), &stock, &s);
    assert!(!r.failed(0.01), "{:?}", r.problems);
    let g = r.deepest_gouge.unwrap();
    assert!(g.depth <= 0.0006, "{g:?}");
    // Those cells were cut to the bottom: vertically they are 10 mm below the model's top.
    let st = &r.stock;
    let i = ((0.0002 - st.origin()[0]) / st.cell()) as usize;
    let j = ((15.0 - st.origin()[1]) / st.cell()) as usize;
    assert!((st.centre(i, j)[0] - 0.0002).abs() < 1e-9);
    assert!(st.height(i, j) < 0.01, "{}", st.height(i, j));
    assert!(r.deviation[j * st.nx() + i] > -0.0006);
}

// ---------------------------------------------------------------- rapids and the holder

/// A rapid at Z 5 across the block (stock top 12) cuts 7 mm of stock: flagged at its line.
#[test]
fn rapid_through_stock_is_flagged_at_its_line() {
    let m = block();
    let s = settings(Cutter::flat(6.0).unwrap(), 6.0, 0.2);
    let text = "G21 G90\nG0 Z20\nG0 X-6 Y15\nG0 Z5\nG0 X46\nG0 Z20\nM2";
    let r = run(&m, &read::read(text).unwrap(), &block_stock(), &s);
    let rapids = of(&r, ProblemKind::RapidThroughStock);
    // Line 4 comes down beside the block, but into the stock box, which reaches X -8.
    assert!(rapids.iter().any(|p| p.line == Some(5)), "{rapids:?}");
    let across = rapids.iter().find(|p| p.line == Some(5)).unwrap();
    assert!((across.depth - 7.0).abs() < 1e-3, "{across:?}");
    assert!(r.failed(0.01));
    // The same moves above the stock: nothing.
    let text = "G21 G90\nG0 Z20\nG0 X-6 Y15\nG0 X46\nM2";
    let r = run(&m, &read::read(text).unwrap(), &block_stock(), &s);
    assert!(r
        .problems
        .iter()
        .all(|p| p.kind == ProblemKind::MaterialLeft));
}

/// A 6 mm cutter with 4 mm of flutes in a 20 mm holder plunges 8 mm deep into the block:
/// the holder's bottom is 4 mm under the stock's top. With 12 mm of flutes it clears.
#[test]
fn holder_collision_is_flagged_at_its_line() {
    let m = block();
    let text = "G21 G90\nG0 Z20\nG0 X20 Y15\nG1 Z2 F200\nG1 X30 F600\nG0 Z20\nM2";
    let p = read::read(text).unwrap();
    let short = Cutter::new(swarf::cutter::Shape::Flat, 6.0, 4.0).unwrap();
    let r = run(&m, &p, &model_box(&m), &settings(short, 20.0, 0.2));
    let hits = of(&r, ProblemKind::HolderCollision);
    assert_eq!(
        hits.iter().map(|h| h.line).collect::<Vec<_>>(),
        vec![Some(4), Some(5)]
    );
    assert!((hits[0].depth - 4.0).abs() < 1e-3, "{hits:?}");
    assert!(r.failed(0.01));
    // The plunge also gouges the block (the program is nonsense for this model): its hole
    // goes down to Z 2 in a block from Z 0 to 10, so it removed the point at Z 5, 5 mm from
    // the block's top and bottom: the deepest any cut reaches into this model.
    let g = r.deepest_gouge.unwrap();
    assert!((g.depth - 5.0).abs() < 0.05, "{g:?}");
    let long = Cutter::new(swarf::cutter::Shape::Flat, 6.0, 12.0).unwrap();
    let r = run(&m, &p, &model_box(&m), &settings(long, 20.0, 0.2));
    assert!(of(&r, ProblemKind::HolderCollision).is_empty());
}

/// Cancelling through the progress callback stops with an error, and a stock too fine is
/// refused with a message naming the cell size.
#[test]
fn cancel_and_refusals() {
    let m = block();
    let p = read::read("G0 Z20\nG0 X1 Y1\nG1 Z9 F100\nG1 X30").unwrap();
    let s = settings(Cutter::flat(6.0).unwrap(), 6.0, 0.2);
    let e = verify::verify(&m, &p, &block_stock(), &s, &mut |f| f < 0.5).unwrap_err();
    assert_eq!(e, verify::VerifyError::Cancelled);
    let fine = settings(Cutter::flat(6.0).unwrap(), 6.0, 1e-5);
    let e = verify::verify(&m, &p, &block_stock(), &fine, &mut |_| true).unwrap_err();
    assert!(e.to_string().contains("cell size"), "{e}");
}

// ---------------------------------------------------------------- the command line

fn swarf(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_swarf"))
        .args(args)
        .output()
        .unwrap()
}

/// `swarf verify`: one line per problem with its line number, the summary, and the exit
/// status the issue asks for.
#[test]
fn cli_prints_problems_and_exits_nonzero_on_a_gouge() {
    let dir = std::env::temp_dir().join(format!("swarf-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stl = dir.join("block.stl");
    let mut bytes = vec![0u8; 80];
    let mesh = box_mesh([0.0, 0.0, 0.0], [40.0, 30.0, 10.0]);
    bytes.extend_from_slice(&(mesh.len() as u32).to_le_bytes());
    for t in mesh.triangles().chunks_exact(9) {
        bytes.extend_from_slice(&[0u8; 12]);
        for v in t {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.extend_from_slice(&[0u8; 2]);
    }
    std::fs::write(&stl, bytes).unwrap();
    let good = dir.join("good.nc");
    let bad = dir.join("bad.nc");
    std::fs::write(&good, fusion_style(&contour_moves(0.0))).unwrap();
    std::fs::write(&bad, fusion_style(&contour_moves(0.5))).unwrap();
    let stock = "-8,-8,0,48,38,12";
    let args = |prog: &std::path::Path| {
        vec![
            "verify".to_string(),
            stl.to_str().unwrap().to_string(),
            prog.to_str().unwrap().to_string(),
            "--tool".into(),
            "flat".into(),
            "--diameter".into(),
            "6".into(),
            "--stock".into(),
            stock.into(),
            "--resolution".into(),
            "0.2".into(),
        ]
    };
    let a = args(&good);
    let o = swarf(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("deepest gouge:"), "{out}");
    assert!(out.contains("most material left:"), "{out}");
    let a = args(&bad);
    let o = swarf(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("line ") && first.contains(": gouge 0.5"),
        "{out}"
    );
    // Wrong input: one line naming it.
    let o = swarf(&["verify", stl.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--tool"));
    let png = dir.join("photo.nc");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let mut a = args(&png);
    a.truncate(9);
    let o = swarf(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("photo.nc") && err.lines().count() == 1,
        "{err}"
    );
}

// ---------------------------------------------------------------- a chain, as the page asks

/// `engine::verify` on a two-tool chain: each operation is simulated with its own cutter
/// (with the first tool's flat end the ball's program would gouge everywhere), the stock
/// comes from a memory budget, and the chain stays within its tolerance.
#[test]
fn engine_verifies_a_chain_with_each_operations_tool() {
    use swarf::job::{Operation, ParallelSpec, ToolKind};
    let mut flat = Job::default().tool;
    flat.kind = ToolKind::Flat;
    flat.diameter = 6.0;
    let mut ball = Job::default().tool;
    ball.kind = ToolKind::Ball;
    ball.diameter = 3.0;
    ball.number = 2;
    let spec = ParallelSpec {
        stepover: 2.0,
        ..ParallelSpec::default()
    };
    let job = Job {
        operations: vec![
            Operation {
                tool: flat,
                strategy: StrategySpec::Parallel(spec.clone()),
                ..Default::default()
            },
            Operation {
                tool: ball,
                strategy: StrategySpec::Parallel(spec.clone()),
                ..Default::default()
            },
        ],
        ..Job::default()
    };
    let m = model(demo::demo_mesh());
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    let opts = engine::VerifyOptions {
        budget_bytes: 2e6,
        ..Default::default()
    };
    let r = engine::verify(&m, &job, &out, &opts, &mut |_| true).unwrap();
    let cells = r.stock.nx() * r.stock.ny();
    assert!(
        cells as f64 * engine::VERIFY_BYTES_PER_CELL <= 2e6,
        "{cells}"
    );
    assert!(cells > 200_000, "{cells}");
    assert!(
        !r.failed(spec.tolerance),
        "{:?}",
        &r.problems[..r.problems.len().min(4)]
    );
    // The same program checked as if the flat end mill cut all of it gouges.
    let p = read::read(&out.gcode).unwrap();
    let s = settings(Cutter::flat(6.0).unwrap(), 6.0, r.stock.cell());
    let wrong = run(&m, &p, &model_box(&m), &s);
    assert!(wrong.failed(spec.tolerance));
}
