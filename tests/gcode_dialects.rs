//! Every controller row: its text rules (block numbers, `%` lines, comment style, line
//! length, no words the controller lacks), its programs run through LinuxCNC's `rs274`
//! with the moves and arcs checked, and a two-tool chain.
//!
//! rs274 reads every dialect's text as written (Fanuc's `%` and `O0001` lines, `N` words and
//! `X10.` numbers, Marlin's `;` comments) with one exception: Marlin programs have no end
//! word, and rs274 refuses a file that ends without one, so `M2` is appended for it.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use common::rs274::{self, Kind, Run};
use swarf::post::{
    write_gcode, write_gcode_sections, Blend, Dialect, PostError, PostSettings, Section, Units,
};
use swarf::toolpath::{Move, Toolpath};

fn settings(d: Dialect, units: Units) -> PostSettings {
    let mut s = PostSettings::for_units(units);
    s.dialect = d;
    s.tool_number = 3;
    s.comment = "Part (v2) 50% done; mixed Case".into();
    s
}

/// Rapids, a plunge, feeds, arcs both ways, a helix and a sideways rapid below safe
/// height, in mm scaled by `k`.
fn path(k: f64) -> Toolpath {
    let p = |x: f64, y: f64, z: f64| [(x * k) as f32, (y * k) as f32, (z * k) as f32];
    let c = |x: f64, y: f64| [x * k, y * k];
    let mut tp = Toolpath::new();
    tp.push(Move::Rapid, p(10.0, 0.0, 10.0));
    tp.push(Move::Rapid, p(10.0, 0.0, 1.0));
    tp.push(Move::Plunge, p(10.0, 0.0, -1.0));
    tp.push_arc(true, c(0.0, 0.0), p(0.0, 10.0, -1.0));
    tp.push_arc(false, c(0.0, 0.0), p(10.0, 0.0, -1.0));
    tp.push_arc(true, c(0.0, 0.0), p(10.0, 0.0, -2.0));
    for i in 0..20 {
        tp.push(
            Move::Feed,
            p(10.0 + i as f64 * 0.5, -(i as f64 * 0.1).sin(), -2.0),
        );
    }
    tp.push(Move::Rapid, p(-5.0, -5.0, -2.0)); // sideways below safe height: lifted
    tp.push(Move::Feed, p(-5.0, 5.0, -2.0));
    tp.push(Move::Rapid, p(-5.0, 5.0, 10.0));
    tp
}

fn all() -> Vec<Dialect> {
    Dialect::all().collect()
}

fn units_of(d: Dialect) -> Vec<Units> {
    if d.capabilities().inch {
        vec![Units::Mm, Units::Inch]
    } else {
        vec![Units::Mm]
    }
}

/// A line without its block number.
fn body(line: &str) -> &str {
    match line.strip_prefix('N') {
        Some(rest) => rest.split_once(' ').map_or("", |(_, b)| b),
        None => line,
    }
}

/// The code words of a line (comment removed), as (letter, number).
fn words(d: Dialect, line: &str) -> Vec<(char, String)> {
    let caps = d.capabilities();
    let code = match line.find(caps.comment_open.trim()) {
        Some(i) => {
            let rest = &line[i + caps.comment_open.trim().len()..];
            if !caps.comment_close.is_empty() {
                assert!(rest.ends_with(caps.comment_close), "unclosed: {line:?}");
                let inner = &rest[..rest.len() - caps.comment_close.len()];
                for f in caps.comment_forbidden {
                    assert!(!inner.contains(*f), "{f} inside a comment: {line:?}");
                }
            }
            if caps.comment_upper {
                assert!(!rest.chars().any(|c| c.is_ascii_lowercase()), "{line:?}");
            }
            &line[..i]
        }
        None => line,
    };
    let mut out: Vec<(char, String)> = Vec::new();
    for c in code.chars().filter(|c| !c.is_whitespace()) {
        if c.is_ascii_alphabetic() {
            out.push((c, String::new()));
        } else {
            out.last_mut()
                .unwrap_or_else(|| panic!("number first in {line:?}"))
                .1
                .push(c);
        }
    }
    out
}

/// Words each controller must never see (beyond its row's lists of G and M codes).
fn lacks(d: Dialect) -> &'static [&'static str] {
    match d {
        Dialect::Linuxcnc => &["M30"],
        Dialect::Grbl => &["M6", "G43", "G64", "G61", "M2"],
        Dialect::Mach3 => &["M2"],
        // G61 restores a saved position, M30 deletes an SD file; no M2, G17, G94 by default.
        Dialect::Marlin => &["M6", "G43", "G64", "G61", "M2", "M30", "G17", "G94", "G20"],
        Dialect::Fanuc => &["M2", "M0"],
        Dialect::Generic => &["M6", "G43", "G64", "G61", "M30"],
    }
}

/// The text rules of a dialect's row, checked on a program.
fn check_text(d: Dialect, s: &PostSettings, text: &str) {
    let caps = d.capabilities();
    let lines: Vec<&str> = text.lines().collect();
    let mut first = 0;
    let mut last = lines.len();
    if caps.percent_delimiters {
        assert_eq!(lines[0], "%");
        assert_eq!(lines[lines.len() - 1], "%");
        first = 1;
        last -= 1;
    } else {
        assert!(!lines.contains(&"%"), "{d:?}: % line in the program");
    }
    if !caps.program_number.is_empty() {
        assert_eq!(lines[first], caps.program_number);
        first += 1;
    }
    let mut prev: Option<u32> = None;
    for line in &lines[first..last] {
        assert!(line.is_ascii(), "{line:?}");
        assert!(
            line.chars().count() <= caps.max_line_chars,
            "{d:?}: line over {}: {line:?}",
            caps.max_line_chars
        );
        assert_ne!(*line, "%", "{d:?}: % inside the program");
        match caps.line_numbers {
            Some(rule) => {
                let (n, _) = line
                    .strip_prefix('N')
                    .and_then(|r| r.split_once(' '))
                    .unwrap_or_else(|| panic!("{d:?}: unnumbered block {line:?}"));
                let n: u32 = n.parse().unwrap_or_else(|_| panic!("{line:?}"));
                assert_eq!(n.to_string().len(), line.find(' ').unwrap() - 1, "{line:?}");
                let want = prev.map_or(rule.start, |p| p + rule.step);
                assert_eq!(n, want, "{d:?}: block numbers by {}: {line:?}", rule.step);
                prev = Some(n);
            }
            None => assert!(!line.starts_with('N'), "{d:?}: block number {line:?}"),
        }
        let b = body(line);
        let ws = words(d, b);
        if b.starts_with(caps.comment_open.trim()) {
            assert!(ws.is_empty());
            continue;
        }
        for (l, v) in &ws {
            let code = format!("{l}{v}");
            match l {
                'G' => assert!(caps.g_codes.contains(&code.as_str()), "{d:?}: {code}"),
                'M' => assert!(caps.m_codes.contains(&code.as_str()), "{d:?}: {code}"),
                'T' | 'H' => assert!(caps.tool_change, "{d:?}: {code} without a changer"),
                'P' => assert!(caps.blend_tolerance, "{d:?}: {code}"),
                'X' | 'Y' | 'Z' | 'I' | 'J' | 'F' => {
                    if caps.decimal_point {
                        assert!(v.contains('.'), "{d:?}: {code} has no decimal point");
                    }
                    let frac = v.split_once('.').map_or("", |(_, f)| f);
                    let most = if *l == 'F' { 2 } else { s.decimals };
                    assert!(frac.len() <= most, "{d:?}: {code}");
                }
                'S' => {}
                _ => panic!("{d:?}: unexpected word {code} in {line:?}"),
            }
            assert!(!lacks(d).contains(&code.as_str()), "{d:?} lacks {code}");
        }
        let moves = ws.iter().any(|(l, _)| matches!(l, 'X' | 'Y' | 'Z'));
        if moves && !caps.modal_motion {
            assert_eq!(
                ws[0].0, 'G',
                "{d:?}: motion line without its G word: {line:?}"
            );
        }
        if caps.name == "Marlin" {
            // One command per line, and it comes first.
            assert!(matches!(ws[0].0, 'G' | 'M'), "{line:?}");
            let commands = ws.iter().filter(|(l, _)| matches!(l, 'G' | 'M')).count();
            assert_eq!(commands, 1, "{line:?}");
        }
    }
    let tail: Vec<&str> = lines[..last]
        .iter()
        .rev()
        .take(2)
        .map(|l| body(l))
        .collect();
    if caps.program_end.is_empty() {
        assert_eq!(tail[0], "M5");
    } else {
        assert_eq!(tail, [caps.program_end, "M5"]);
    }
}

/// The text rs274 reads (see the module doc).
fn for_rs274(d: Dialect, text: &str) -> String {
    if d.capabilities().program_end.is_empty() {
        format!("{text}M2\n")
    } else {
        text.to_string()
    }
}

/// Every point that moves something is reached in order by a move of its kind (arcs as
/// arcs) at its feed; sideways rapids stay at or above safe height.
fn check_moves(tp: &Toolpath, s: &PostSettings, run: &Run) {
    let q = |v: f64| {
        let k = 10f64.powi(s.decimals as i32);
        (v * k).round() / k
    };
    let tol = 1e-7;
    let near = |a: [f64; 3], b: [f64; 3]| (0..3).all(|k| (a[k] - b[k]).abs() <= tol);
    let safe = q(s.safe_height);
    let m = &run.moves;
    let mut prev = m[0].xyz;
    for mv in &m[1..] {
        let sideways = (mv.xyz[0] - prev[0]).abs() > tol || (mv.xyz[1] - prev[1]).abs() > tol;
        if mv.kind == Kind::Traverse && sideways {
            assert!(prev[2] >= safe - tol && mv.xyz[2] >= safe - tol, "{mv:?}");
        }
        prev = mv.xyz;
    }
    let mut c = 1;
    let mut cur = [f64::NAN; 3];
    for i in 0..tp.len() {
        let target = tp.point(i).map(|v| q(v as f64));
        if near(target, cur) {
            continue;
        }
        let (want, feed) = match tp.kind(i) {
            Move::Rapid => (Kind::Traverse, None),
            Move::ArcCw | Move::ArcCcw => (Kind::Arc, Some(s.feed)),
            Move::Plunge => (Kind::Feed, Some(s.plunge_feed)),
            Move::Feed => (Kind::Feed, Some(s.feed)),
        };
        loop {
            let mv = m
                .get(c)
                .unwrap_or_else(|| panic!("point {i} never reached"));
            c += 1;
            if mv.kind == want && near(mv.xyz, target) {
                if let Some(f) = feed {
                    assert!((mv.feed - f).abs() < 1e-9, "point {i}: feed {}", mv.feed);
                }
                break;
            }
            assert_eq!(mv.kind, Kind::Traverse, "point {i}: unexpected {mv:?}");
        }
        cur = target;
    }
    assert!(m[c..].iter().all(|mv| mv.kind == Kind::Traverse));
}

/// Tool selection and blending as the row says.
fn check_run(d: Dialect, s: &PostSettings, run: &Run, tools: &[u32]) {
    let caps = d.capabilities();
    assert!(run.program_ended);
    assert_eq!(run.units, Some(s.units.name()));
    assert_eq!(run.spindle_speeds.first().copied(), Some(s.spindle_rpm));
    if caps.tool_change {
        assert_eq!(run.tools_selected, tools, "{d:?}");
    } else {
        assert!(run.tools_selected.is_empty(), "{d:?}");
    }
    let mode = run
        .calls
        .iter()
        .find(|(n, _)| n == "SET_MOTION_CONTROL_MODE")
        .map(|(_, a)| a.clone());
    match (caps.path_blending, mode) {
        (false, m) => assert!(m.is_none(), "{d:?} sets a blending mode: {m:?}"),
        (true, Some(m)) => {
            let (kind, tol) = m.split_once(',').unwrap();
            assert_eq!(kind.trim(), "CANON_CONTINUOUS", "{d:?}");
            let tol: f64 = tol.trim().parse().unwrap();
            let want = match (caps.blend_tolerance, s.blend) {
                (true, Blend::Tolerance(t)) => t,
                _ => 0.0,
            };
            assert!((tol - want).abs() < 1e-6, "{d:?}: G64 tolerance {tol}");
        }
        (true, None) => panic!("{d:?} sets no blending mode"),
    }
}

#[test]
fn every_dialect_writes_its_rules_and_runs_through_rs274() {
    let bin = rs274::available();
    for d in all() {
        for units in units_of(d) {
            let k = if units == Units::Mm { 1.0 } else { 1.0 / 25.4 };
            let s = settings(d, units);
            let tp = path(k);
            let text = write_gcode(&tp, &s).unwrap_or_else(|e| panic!("{d:?}: {e}"));
            check_text(d, &s, &text);
            let caps = d.capabilities();
            assert!(text.contains(&format!("{}SWARF", caps.comment_open)) || !caps.comment_upper);
            if caps.tool_change {
                assert!(text.contains("T3 M6\n"), "{d:?}\n{text}");
                assert!(text.contains("G43 H3\n"), "{d:?}\n{text}");
            } else {
                assert!(text.contains("Tool 3: "), "{d:?}\n{text}");
            }
            let Some(bin) = &bin else { continue };
            let run = rs274::run(bin, &for_rs274(d, &text))
                .unwrap_or_else(|e| panic!("{d:?} {units:?}: {e}\n{text}"));
            check_run(d, &s, &run, &[3]);
            check_moves(&tp, &s, &run);
            // Three arcs (a quarter each way and a helical turn) stay arcs.
            assert_eq!(run.moves.iter().filter(|m| m.kind == Kind::Arc).count(), 3);
        }
    }
}

#[test]
fn exact_stop_is_g61_where_the_row_has_blending() {
    for d in all() {
        let mut s = settings(d, Units::Mm);
        s.blend = Blend::ExactStop;
        let text = write_gcode(&path(1.0), &s).unwrap();
        let has = text.lines().any(|l| body(l) == "G61");
        assert_eq!(has, d.capabilities().path_blending, "{d:?}");
        check_text(d, &s, &text);
    }
}

#[test]
fn two_tool_chain_in_every_dialect() {
    let bin = rs274::available();
    let a = path(1.0);
    let mut b = Toolpath::new();
    b.push(Move::Rapid, [0.0, 0.0, 10.0]);
    b.push(Move::Plunge, [0.0, 0.0, -0.5]);
    b.push_arc(false, [5.0, 0.0], [10.0, 0.0, -0.5]);
    b.push(Move::Feed, [12.0, 0.0, -0.5]);
    for d in all() {
        let s = settings(d, Units::Mm);
        let sections = [
            Section {
                toolpath: &a,
                tool_number: 1,
                comment: "rough".into(),
                feed: None,
                plunge_feed: None,
                spindle_rpm: None,
            },
            Section {
                toolpath: &b,
                tool_number: 2,
                comment: "finish".into(),
                feed: Some(500.0),
                plunge_feed: Some(120.0),
                spindle_rpm: Some(18000.0),
            },
        ];
        let text = write_gcode_sections(&sections, &s).unwrap();
        check_text(d, &s, &text);
        let caps = d.capabilities();
        let bodies: Vec<&str> = text.lines().map(body).collect();
        let at = |w: &str| bodies.iter().position(|l| *l == w);
        if caps.tool_change {
            let second = at("T2 M6").unwrap_or_else(|| panic!("{d:?}\n{text}"));
            assert_eq!(bodies[second - 2], "M5", "{d:?}\n{text}");
            assert!(bodies[second + 1] == "G43 H2", "{d:?}");
        } else {
            let pause = at("M0").unwrap_or_else(|| panic!("{d:?}\n{text}"));
            assert!(bodies[pause - 1].contains("Change to tool 2"), "{d:?}");
            assert!(bodies[..pause].contains(&"M5"));
        }
        let Some(bin) = &bin else { continue };
        let run =
            rs274::run(bin, &for_rs274(d, &text)).unwrap_or_else(|e| panic!("{d:?}: {e}\n{text}"));
        check_run(d, &s, &run, &[1, 2]);
        // The second tool runs at its own speed and feeds.
        assert_eq!(run.spindle_speeds.last().copied(), Some(18000.0), "{d:?}");
        let feeds: Vec<&str> = run
            .calls
            .iter()
            .filter(|(n, _)| n == "SET_FEED_RATE")
            .map(|(_, a)| a.as_str())
            .collect();
        let last_feeds = &feeds[feeds.len().saturating_sub(2)..];
        assert!(
            last_feeds.iter().any(|a| a.starts_with("500"))
                && feeds.iter().any(|a| a.starts_with("120")),
            "{d:?}: {feeds:?}"
        );
        assert!(
            feeds.iter().any(|a| a.starts_with(&format!("{}", s.feed))),
            "{d:?}: {feeds:?}"
        );
        assert_eq!(run.moves.iter().filter(|m| m.kind == Kind::Arc).count(), 4);
        let stops = run
            .calls
            .iter()
            .filter(|(n, _)| n == "PROGRAM_STOP")
            .count();
        assert_eq!(stops, usize::from(!caps.tool_change), "{d:?}");
    }
}

#[test]
fn controllers_refuse_what_they_cannot_read() {
    // Marlin without INCH_MODE_SUPPORT would run inch figures as mm.
    let e = write_gcode(&path(1.0), &settings(Dialect::Marlin, Units::Inch)).unwrap_err();
    assert!(matches!(e, PostError::Units { .. }), "{e:?}");
    assert!(e.to_string().starts_with("units: Marlin"), "{e}");
    // Fanuc IS-B reads 3 decimals in mm.
    let mut s = settings(Dialect::Fanuc, Units::Mm);
    s.decimals = 4;
    match write_gcode(&path(1.0), &s) {
        Err(PostError::Setting { field, .. }) => assert_eq!(field.name(), "decimals"),
        other => panic!("{other:?}"),
    }
    s.tool_number = 100;
    s.decimals = 3;
    assert!(matches!(
        write_gcode(&path(1.0), &s),
        Err(PostError::ToolNumber { max: 99, .. })
    ));
    // A blend tolerance that rounds to 0 is no concern of a plain-G64 controller.
    for d in [Dialect::Mach3, Dialect::Fanuc] {
        let mut s = settings(d, Units::Mm);
        s.blend = Blend::Tolerance(0.0001);
        assert!(write_gcode(&path(1.0), &s).is_ok(), "{d:?}");
    }
}

#[test]
fn fanuc_block_numbers_wrap_past_99999() {
    let s = settings(Dialect::Fanuc, Units::Mm);
    let mut tp = Toolpath::new();
    tp.push(Move::Rapid, [0.0, 0.0, 5.0]);
    tp.push(Move::Plunge, [0.0, 0.0, -1.0]);
    for i in 0..10_100 {
        tp.push(Move::Feed, [(i % 2) as f32, i as f32 * 0.01, -1.0]);
    }
    let text = write_gcode(&tp, &s).unwrap();
    let numbers: Vec<u32> = text
        .lines()
        .filter_map(|l| l.strip_prefix('N')?.split(' ').next()?.parse().ok())
        .collect();
    let wrap = numbers.iter().position(|&n| n == 99990).unwrap();
    assert_eq!(numbers[wrap + 1], 10);
    for part in [&numbers[..=wrap], &numbers[wrap + 1..]] {
        assert!(part.windows(2).all(|w| w[1] == w[0] + 10));
    }
}

#[test]
fn every_dialect_is_listed_for_the_page_and_read_from_the_job() {
    let reg = swarf::registry::registry();
    let names: Vec<&str> = reg.dialects.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["linuxcnc", "grbl", "mach3", "marlin", "fanuc", "generic"]
    );
    let ext: Vec<&str> = reg.dialects.iter().map(|e| e.extension).collect();
    assert_eq!(ext, ["ngc", "gcode", "tap", "gcode", "nc", "nc"]);
    for (name, d) in names.iter().zip(all()) {
        let mut job = serde_json::to_value(swarf::job::Job::default()).unwrap();
        job["machine"]["dialect"] = (*name).into();
        let job: swarf::job::Job = serde_json::from_value(job).unwrap();
        assert_eq!(job.machine.dialect, d);
        job.validate().unwrap();
    }
}

/// Source without `//` comments.
fn code(path: &str) -> String {
    let src = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let src = src.split("#[cfg(test)]").next().unwrap();
    src.lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_writer_knows_no_controller_and_capabilities_know_no_writer() {
    let writer = code("src/post/writer.rs");
    for name in [
        "Dialect", "Linuxcnc", "Grbl", "Mach3", "Marlin", "Fanuc", "Generic",
    ] {
        assert!(!writer.contains(name), "writer.rs names {name}");
    }
    let caps = code("src/post/capabilities.rs");
    for m in ["writer", "settings", "error"] {
        assert!(
            !caps.contains(&format!("super::{m}")),
            "capabilities imports {m}"
        );
    }
}
