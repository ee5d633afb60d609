//! The `swarf` binary on drawings: the issue's command lines end to end, `info` on SVG and
//! DXF, and one-line errors for flags and files that do not fit.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn swarf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_swarf"))
        .args(args)
        .output()
        .expect("run swarf")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("swarf-cli2d-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// A sign: a plate with a round window and a slot, and a line to engrave.
/// Each call writes its own file: the tests run in parallel, and a shared file read while
/// another test rewrites it is empty.
fn sign() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let p = tmp(&format!("sign{n}.svg"));
    std::fs::write(
        &p,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="120mm" height="80mm" viewBox="0 0 120 80">
  <path fill-rule="evenodd" d="M10 10 H110 V70 H10 Z M40 40 m-10 0 a10 10 0 1 0 20 0 a10 10 0 1 0 -20 0 Z M70 30 H95 V50 H70 Z"/>
  <path d="M20 20 L100 20" fill="none" stroke="black"/>
</svg>"#,
    )
    .unwrap();
    p
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn run_rs274(path: &PathBuf) {
    if let Some(bin) = common::rs274::available() {
        let text = std::fs::read_to_string(path).unwrap();
        let r = common::rs274::run(&bin, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(r.program_ended);
    }
}

fn assert_one_line_error(o: &Output, needle: &str) {
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(e.trim_end().lines().count(), 1, "stderr: {e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(e.contains(needle), "expected {needle:?} in {e:?}");
}

#[test]
fn profile_with_tabs_as_the_issue_writes_it() {
    let s = sign();
    let out = tmp("sign.ngc");
    let o = swarf(&[
        "generate",
        s.to_str().unwrap(),
        "--strategy",
        "profile",
        "--side",
        "outside",
        "--tool",
        "flat",
        "--diameter",
        "3",
        "--depth",
        "3",
        "--stepdown",
        "1",
        "--tabs",
        "4",
        "--tab-width",
        "5",
        "--tab-height",
        "1",
        "-o",
        out.to_str().unwrap(),
    ]);
    let msg = ok(&o);
    assert!(msg.contains("segments"), "{msg}");
    let g = std::fs::read_to_string(&out).unwrap();
    assert!(g.contains("G2") || g.contains("G3"));
    // The tabs: the last pass rises to Z-2 and comes back to Z-3.
    assert!(g.contains("Z-2\n") && g.contains("Z-3"), "{g}");
    run_rs274(&out);
}

#[test]
fn engrave_and_grbl() {
    let s = sign();
    let out = tmp("engrave.gcode");
    ok(&swarf(&[
        "generate",
        s.to_str().unwrap(),
        "--strategy",
        "engrave",
        "--tool",
        "cone",
        "--angle",
        "60",
        "--diameter",
        "3",
        "--depth",
        "0.5",
        "--dialect",
        "grbl",
        "-o",
        out.to_str().unwrap(),
    ]));
    let g = std::fs::read_to_string(&out).unwrap();
    assert!(g.contains("Z-0.5"));
    assert!(g.lines().all(|l| l.len() <= 79));
    for l in g
        .lines()
        .filter(|l| l.starts_with("G2 ") || l.starts_with("G3 ") || l.contains(" I"))
    {
        assert!(
            l.contains('X') && l.contains('Y'),
            "GRBL arc without X and Y: {l}"
        );
    }
    run_rs274(&out);
}

#[test]
fn info_lists_closed_open_holes_and_size() {
    let s = sign();
    let v: serde_json::Value =
        serde_json::from_str(&ok(&swarf(&["info", s.to_str().unwrap()]))).unwrap();
    assert_eq!(v["outlines"], 1);
    assert_eq!(v["holes"], 2);
    assert_eq!(v["closed_paths"], 3);
    assert_eq!(v["open_paths"], 1);
    let size = &v["size_mm"];
    assert!((size[0].as_f64().unwrap() - 100.0).abs() < 1e-3, "{v}");
    assert!((size[1].as_f64().unwrap() - 60.0).abs() < 1e-3, "{v}");
    let dxf = swarf(&["info", "tests/fixtures/drawing/blocks.dxf"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&dxf)).unwrap();
    assert!(v["closed_paths"].as_u64().unwrap() > 0, "{v}");
}

#[test]
fn wrong_flags_and_files_are_one_line() {
    let s = sign();
    let s = s.to_str().unwrap();
    assert_one_line_error(
        &swarf(&["generate", s, "--strategy", "engrave", "--tabs", "3"]),
        "--tabs is not a setting of the engrave strategy",
    );
    assert_one_line_error(
        &swarf(&["generate", s, "--strategy", "profile", "--tabs", "2.5"]),
        "--tabs expects a whole number",
    );
    assert_one_line_error(
        &swarf(&["generate", s, "--strategy", "parallel"]),
        "strategy.type: parallel cuts a 3D model",
    );
    assert_one_line_error(
        &swarf(&[
            "generate",
            s,
            "--strategy",
            "vcarve",
            "--tool",
            "flat",
            "--diameter",
            "3",
        ]),
        "tool.kind",
    );
    assert_one_line_error(
        &swarf(&["generate", s, "--strategy", "profile", "--side", "left"]),
        "--side does not accept",
    );
    // A PNG renamed .svg.
    let png = tmp("photo.svg");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    assert_one_line_error(
        &swarf(&["generate", png.to_str().unwrap(), "--strategy", "engrave"]),
        "photo.svg",
    );
}
