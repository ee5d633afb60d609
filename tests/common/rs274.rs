//! Runs LinuxCNC's G-code interpreter on a program and reads back the canonical machine
//! calls it prints.
//!
//! Invocation (Debian `linuxcnc-uspace`, verified with `/usr/bin/rs274`):
//!
//! ```text
//! rs274 -t <tooltable.tbl> -g <program.ngc>   # stdin from /dev/null, cwd = a scratch dir
//! ```
//!
//! `-g` runs the program in batch mode (no prompt). Without `-t` only tool 1 exists and
//! `T7 M6` fails with "Requested tool 7 not found in the tool table", so a table with tools
//! 1..=99 and any larger number the program names (all zero length) is written next to the
//! program. On an interpreter error rs274
//! exits with status 1 and prints the message and the offending line on stderr (after the
//! word "executing"), e.g. `Cannot do g1 with zero feed rate` / `G1 X1`.
//!
//! Canonical lines look like `   20 N..... STRAIGHT_TRAVERSE(1.0000, 2.0000, 5.0000, ...)`;
//! coordinates are in program units with 4 decimals.
//!
//! When rs274 is not installed, [`available`] returns `None` after printing a notice, unless
//! `SWARF_REQUIRE_RS274=1`, in which case it panics so CI cannot skip the check silently.
//! `SWARF_RS274=/path/to/rs274` overrides where it is looked for.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How the machine moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// STRAIGHT_TRAVERSE (G0).
    Traverse,
    /// STRAIGHT_FEED (G1).
    Feed,
    /// ARC_FEED (G2/G3); the end point is recorded, not the arc.
    Arc,
}

/// One canonical motion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CanonMove {
    pub kind: Kind,
    /// End point, program units.
    pub xyz: [f64; 3],
    /// The feed rate in force (SET_FEED_RATE), program units per minute.
    pub feed: f64,
    /// Index of the canonical line in [`Run::calls`].
    pub call: usize,
    /// For an arc: its centre (XY) and rotation (positive counter-clockwise: 1 for a
    /// G3 of less than a turn, −1 for a G2).
    pub arc: Option<([f64; 2], i32)>,
}

/// Everything read from one interpreter run.
#[derive(Clone, Debug, Default)]
pub struct Run {
    pub moves: Vec<CanonMove>,
    /// Every canonical call as `(name, arguments)` in order, e.g. `("SELECT_TOOL", "7")`.
    pub calls: Vec<(String, String)>,
    /// Texts of COMMENT calls.
    pub comments: Vec<String>,
    /// Units last selected with USE_LENGTH_UNITS after the interpreter's own reset: "mm" or
    /// "inch".
    pub units: Option<&'static str>,
    pub tools_selected: Vec<u32>,
    pub spindle_speeds: Vec<f64>,
    pub program_ended: bool,
}

impl Run {
    /// Index of the first call with this name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.calls.iter().position(|(n, _)| n == name)
    }
}

/// Path of rs274, or `None` (after a notice) when it is missing and not required.
pub fn available() -> Option<PathBuf> {
    let candidate = std::env::var_os("SWARF_RS274")
        .map(PathBuf::from)
        .or_else(|| find_in_path("rs274"));
    match candidate {
        Some(p) if p.is_file() => Some(p),
        _ => {
            if std::env::var("SWARF_REQUIRE_RS274").as_deref() == Ok("1") {
                panic!(
                    "SWARF_REQUIRE_RS274=1 but LinuxCNC's rs274 was not found \
                     (install Debian package linuxcnc-uspace or set SWARF_RS274)"
                );
            }
            eprintln!("notice: rs274 (LinuxCNC) not found; skipping interpreter checks");
            None
        }
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs `program` through rs274 and parses the canonical output. `Err` carries the
/// interpreter's message when it refuses the program.
pub fn run(rs274: &Path, program: &str) -> Result<Run, String> {
    // One interpreter at a time: a refusal was once seen with several running in parallel
    // (not reproduced since). A refusal is retried once and reported if it was transient,
    // so a program that really is refused still fails.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    match run_once(rs274, program) {
        Ok(r) => Ok(r),
        Err(first) => {
            let again = run_once(rs274, program);
            if again.is_ok() {
                eprintln!("warning: rs274 refused once, then accepted the same program: {first}");
            }
            again
        }
    }
}

fn run_once(rs274: &Path, program: &str) -> Result<Run, String> {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "swarf-rs274-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("temp dir: {e}"))?;
    let result = run_in(rs274, program, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_in(rs274: &Path, program: &str, dir: &Path) -> Result<Run, String> {
    let ngc = dir.join("program.ngc");
    let tbl = dir.join("tools.tbl");
    std::fs::write(&ngc, program).map_err(|e| format!("write program: {e}"))?;
    let mut table = String::new();
    for t in 1..=99 {
        table.push_str(&format!("T{t} P{t} D3.175 Z+0.000 ;test tool {t}\n"));
    }
    // Tool numbers beyond 99 that the program names get pockets of their own from 100 on.
    let mut big: Vec<u64> = program
        .split_whitespace()
        .filter_map(|w| w.strip_prefix('T')?.parse().ok())
        .filter(|t| *t > 99)
        .collect();
    big.sort_unstable();
    big.dedup();
    for (k, t) in big.iter().enumerate() {
        let pocket = 100 + k;
        table.push_str(&format!("T{t} P{pocket} D3.175 Z+0.000 ;test tool {t}\n"));
    }
    std::fs::write(&tbl, table).map_err(|e| format!("write tool table: {e}"))?;

    let out_path = dir.join("stdout.txt");
    let err_path = dir.join("stderr.txt");
    let stdout = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let stderr = std::fs::File::create(&err_path).map_err(|e| e.to_string())?;
    let mut child = Command::new(rs274)
        .arg("-t")
        .arg(&tbl)
        .arg("-g")
        .arg(&ngc)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", rs274.display()))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(s) => break s,
            None if start.elapsed() > Duration::from_secs(60) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("rs274 did not finish within 60 s".into());
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let out = std::fs::read_to_string(&out_path).map_err(|e| e.to_string())?;
    let err = std::fs::read_to_string(&err_path).map_err(|e| e.to_string())?;
    if !status.success() {
        let msg: Vec<&str> = err
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != "executing")
            .collect();
        return Err(format!("rs274 ({status}): {}", msg.join(" | ")));
    }
    parse(&out)
}

/// Parses rs274's canonical output.
pub fn parse(text: &str) -> Result<Run, String> {
    let mut run = Run::default();
    let mut feed = 0.0;
    let mut reset_seen = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        // "<seq> N..... CALL(args)"
        let mut parts = line.splitn(3, char::is_whitespace);
        let (Some(_seq), Some(_n), Some(call)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("unexpected rs274 line: {line}"));
        };
        let call = call.trim();
        let (name, args) = match call.find('(') {
            Some(i) if call.ends_with(')') => (&call[..i], &call[i + 1..call.len() - 1]),
            _ => (call, ""),
        };
        let index = run.calls.len();
        run.calls.push((name.to_string(), args.to_string()));
        let nums = || -> Result<Vec<f64>, String> {
            args.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<f64>().map_err(|e| format!("{line}: {e}")))
                .collect()
        };
        match name {
            "ON_RESET" => reset_seen = true,
            "USE_LENGTH_UNITS" if reset_seen => {
                run.units = Some(if args.contains("INCH") { "inch" } else { "mm" });
            }
            "SET_FEED_RATE" => feed = nums()?[0],
            "STRAIGHT_TRAVERSE" | "STRAIGHT_FEED" => {
                let v = nums()?;
                let kind = if name == "STRAIGHT_FEED" {
                    Kind::Feed
                } else {
                    Kind::Traverse
                };
                run.moves.push(CanonMove {
                    kind,
                    xyz: [v[0], v[1], v[2]],
                    feed,
                    call: index,
                    arc: None,
                });
            }
            "ARC_FEED" => {
                // ARC_FEED(first_end, second_end, first_axis, second_axis, rotation, axis_end_point, ...)
                let v = nums()?;
                run.moves.push(CanonMove {
                    kind: Kind::Arc,
                    xyz: [v[0], v[1], v[5]],
                    feed,
                    call: index,
                    arc: Some(([v[2], v[3]], v[4] as i32)),
                });
            }
            "SELECT_TOOL" => run
                .tools_selected
                .push(args.trim().parse().map_err(|e| format!("{line}: {e}"))?),
            "SET_SPINDLE_SPEED" => run.spindle_speeds.push(*nums()?.last().unwrap_or(&0.0)),
            "COMMENT" => run.comments.push(args.trim_matches('"').to_string()),
            "PROGRAM_END" => run.program_ended = true,
            _ => {}
        }
    }
    Ok(run)
}
