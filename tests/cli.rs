//! The `swarf` binary end to end: info, generate (flags and job JSON give the same program),
//! drop, and one-line errors for bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn swarf(args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_swarf"));
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("run swarf");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("swarf-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn demo_stl(size: &str) -> PathBuf {
    // Tests run in parallel: one writer, the others wait for it.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let p = tmp(&format!("terrain{size}.stl"));
    if !p.exists() {
        let o = swarf(&["demo", "--size", size, "-o", p.to_str().unwrap()], None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    p
}

/// A failing run: non-zero exit, exactly one line on stderr, no panic text.
fn assert_one_line_error(o: &Output, needle: &str) {
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(e.trim_end().lines().count(), 1, "stderr: {e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(e.contains(needle), "expected {needle:?} in {e:?}");
}

#[test]
fn info_reports_size_and_memory() {
    let m = demo_stl("20");
    let o = swarf(&["info", m.to_str().unwrap()], None);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // 2 n² top + 8 n sides + 2 bottom
    assert_eq!(v["triangles"], 2 * 20 * 20 + 8 * 20 + 2);
    assert_eq!(v["bounds"]["min"][0], 0.0);
    assert_eq!(v["bounds"]["max"][1], 100.0);
    let bpt = v["bytes_per_triangle"].as_f64().unwrap();
    assert!((36.0..=48.0).contains(&bpt), "{bpt}");
    assert!(v["engine_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn flags_and_job_json_give_the_same_program() {
    let m = demo_stl("20");
    let a = tmp("a.ngc");
    let b = tmp("b.ngc");
    let o = swarf(
        &[
            "generate",
            m.to_str().unwrap(),
            "--tool",
            "bull",
            "--diameter",
            "6",
            "--corner-radius",
            "1",
            "--stepover",
            "2",
            "--sampling",
            "1",
            "--direction",
            "y",
            "--feed",
            "1200",
            "--plunge-feed",
            "250",
            "--spindle",
            "15000",
            "--safe-height",
            "30",
            "--floor",
            "1",
            "-o",
            a.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("points"));
    let job = tmp("job.json");
    std::fs::write(
        &job,
        r#"{
          "tool": {"type": "bull", "diameter": 6, "corner_radius": 1},
          "strategy": {"type": "parallel", "stepover": 2, "sampling": 1, "direction": "y"},
          "bounds": {"floor": 1},
          "machine": {"feed": 1200, "plunge_feed": 250, "spindle": 15000, "safe_height": 30}
        }"#,
    )
    .unwrap();
    let o = swarf(
        &[
            "generate",
            m.to_str().unwrap(),
            "--job",
            job.to_str().unwrap(),
            "-o",
            b.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ga = std::fs::read_to_string(&a).unwrap();
    let gb = std::fs::read_to_string(&b).unwrap();
    assert_eq!(ga, gb);
    assert!(ga.contains("S15000"), "spindle speed");
    assert!(ga.contains("F1200"), "feed");
    assert!(ga.contains("F250"), "plunge feed");
    // Flags override the job file.
    let o = swarf(
        &[
            "generate",
            m.to_str().unwrap(),
            "--job",
            job.to_str().unwrap(),
            "--dialect",
            "grbl",
            "--feed",
            "900",
        ],
        None,
    );
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("F900"));
}

#[test]
fn drop_matches_the_library() {
    let m = demo_stl("20");
    let o = swarf(
        &[
            "drop",
            m.to_str().unwrap(),
            "--tool",
            "ball",
            "--diameter",
            "6",
        ],
        Some("50,50\n10.5, 20.25\n\n# comment\n-500,-500\n"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    let mut mesh =
        swarf::mesh::stl::read_stl(std::fs::File::open(&m).unwrap(), None, &Default::default())
            .unwrap();
    let index = swarf::index::Index::build(&mut mesh);
    let c = swarf::cutter::Cutter::ball(6.0).unwrap();
    for r in &rows[..2] {
        let z = index.drop_cutter(&mesh, &c, r[0], r[1]).unwrap();
        assert!((z - r[2]).abs() < 1e-6, "{r:?} vs {z}");
    }
    // Touching nothing: the model's lowest z.
    assert_eq!(rows[2][2], 0.0);
}

#[test]
fn bad_input_is_one_line_and_non_zero() {
    let missing = tmp("missing.stl");
    let o = swarf(&["info", missing.to_str().unwrap()], None);
    assert_one_line_error(&o, "missing.stl");

    let png = tmp("photo.stl");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0u8; 200]);
    std::fs::write(&png, bytes).unwrap();
    let o = swarf(&["info", png.to_str().unwrap()], None);
    assert_one_line_error(&o, "photo.stl");

    let empty = tmp("empty.stl");
    std::fs::write(&empty, b"").unwrap();
    let o = swarf(&["info", empty.to_str().unwrap()], None);
    assert_one_line_error(&o, "empty.stl");

    let m = demo_stl("20");
    let ms = m.to_str().unwrap();
    let o = swarf(&["generate", ms, "--stepover", "9"], None);
    assert_one_line_error(&o, "stepover 9 is larger than the cutter diameter 6");
    let o = swarf(&["generate", ms, "--diameter", "nan"], None);
    assert_one_line_error(&o, "--diameter");
    let o = swarf(&["generate", ms, "--diameter", "-3"], None);
    assert_one_line_error(&o, "tool.diameter");
    let o = swarf(&["generate", ms, "--tool", "spoon"], None);
    assert_one_line_error(&o, "--tool");
    let o = swarf(
        &[
            "generate",
            ms,
            "--stepover",
            "0.00001",
            "--sampling",
            "0.00001",
        ],
        None,
    );
    assert_one_line_error(&o, "strategy.sampling");
    let o = swarf(&["generate", ms, "--bogus", "1"], None);
    assert_one_line_error(&o, "--bogus");
    let o = swarf(&["frobnicate"], None);
    assert_one_line_error(&o, "unknown command");
    let o = swarf(&["drop", ms, "--diameter", "6"], Some("1,2\nfoo,bar\n"));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 2"));

    let job = tmp("bad.json");
    std::fs::write(&job, "{\"tool\": {\"diameter\": \"six\"}}").unwrap();
    let o = swarf(&["generate", ms, "--job", job.to_str().unwrap()], None);
    assert_one_line_error(&o, "invalid job JSON");
}

#[test]
fn waterline_command_writes_loops_and_generate_takes_strategy_flags() {
    let m = demo_stl("20");
    let ms = m.to_str().unwrap();
    let o = swarf(
        &[
            "waterline",
            ms,
            "--tool",
            "ball",
            "--diameter",
            "6",
            "--z",
            "12",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let loops: Vec<&str> = text
        .split("\n\n")
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!loops.is_empty());
    for l in &loops {
        let pts: Vec<Vec<f64>> = l
            .lines()
            .map(|r| r.split(',').map(|v| v.parse().unwrap()).collect())
            .collect();
        assert!(pts.iter().all(|p| p.len() == 3 && p[2] == 12.0));
    }
    let o = swarf(&["waterline", ms, "--diameter", "6"], None);
    assert_one_line_error(&o, "--z");

    let o = swarf(
        &[
            "generate",
            ms,
            "--strategy",
            "waterline",
            "--stepdown",
            "3",
            "--z-bottom",
            "6",
            "--dialect",
            "grbl",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let g = String::from_utf8(o.stdout).unwrap();
    assert!(g.contains("waterline"));
    assert!(g.trim_end().ends_with("M30"));
    // A parallel-only flag on waterline is refused, naming the flag.
    let o = swarf(
        &["generate", ms, "--strategy", "waterline", "--stepover", "1"],
        None,
    );
    assert_one_line_error(&o, "--stepover");
    let o = swarf(&["generate", ms, "--strategy", "spiral"], None);
    assert_one_line_error(&o, "--strategy");
    let o = swarf(
        &["generate", ms, "--strategy", "waterline", "--stepdown", "0"],
        None,
    );
    assert_one_line_error(&o, "strategy.stepdown");
}
