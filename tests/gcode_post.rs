//! The G-code posts, checked by rules and by LinuxCNC's own interpreter (`rs274`).
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use common::rs274::{self, Kind, Run};
use swarf::post::{
    write_gcode, write_gcode_io, write_gcode_to, Blend, Dialect, PostError, PostSettings,
    ProgramStats, Units, RATE_DECIMALS,
};
use swarf::toolpath::{Move, Toolpath};

// ---------------------------------------------------------------------------------------
// Toolpaths

fn settings(dialect: Dialect, units: Units) -> PostSettings {
    let mut s = PostSettings::for_units(units);
    s.dialect = dialect;
    s.tool_number = 3;
    s.comment = "zigzag (test)\nsecond line; (MSG, not a message)".into();
    s
}

/// mm → program units.
fn u(units: Units, mm: f64) -> f32 {
    match units {
        Units::Mm => mm as f32,
        Units::Inch => (mm / 25.4) as f32,
    }
}

/// A raster zigzag over a wavy surface around negative and positive coordinates, in two
/// separate regions joined by a lift, the way a surfacing strategy emits it.
fn zigzag(units: Units, safe: f64) -> Toolpath {
    let mut tp = Toolpath::new();
    let safe = safe as f32;
    for (region, (ox, oy)) in [(-20.0, -10.0), (15.0, 5.0)].into_iter().enumerate() {
        let surface = |x: f64, y: f64| -1.0 - 0.5 * (0.7 * x).sin() * (0.3 * y).cos();
        let (x0, y0) = (ox, oy);
        tp.push(Move::Rapid, [u(units, x0), u(units, y0), safe]);
        tp.push(Move::Rapid, [u(units, x0), u(units, y0), u(units, 1.0)]);
        tp.push(
            Move::Plunge,
            [u(units, x0), u(units, y0), u(units, surface(x0, y0))],
        );
        for row in 0..6 {
            let y = y0 + row as f64 * 1.5;
            let cols: Vec<i32> = if row % 2 == 0 {
                (0..=40).collect()
            } else {
                (0..=40).rev().collect()
            };
            for c in cols {
                let x = x0 + c as f64 * 0.25;
                tp.push(
                    Move::Feed,
                    [u(units, x), u(units, y), u(units, surface(x, y))],
                );
            }
        }
        let last = tp.last().unwrap();
        tp.push(Move::Rapid, [last[0], last[1], safe + region as f32]);
    }
    tp
}

/// Things a post gets wrong: values rounding to -0, tiny moves, repeated points, a rapid
/// sideways below safe height, a plunge with a sideways component.
fn awkward(units: Units, safe: f64) -> Toolpath {
    let mut tp = Toolpath::new();
    let safe = safe as f32;
    let q = u(units, 0.0004); // below half a quantum in both unit systems
    tp.push(Move::Rapid, [-q, -q, safe]);
    tp.push(Move::Plunge, [-q, -0.0, u(units, -0.5)]);
    tp.push(Move::Feed, [u(units, -5.08), -q, u(units, -0.5)]);
    tp.push(Move::Feed, [u(units, -5.08) + q / 2.0, -q, u(units, -0.5)]); // tiny: dropped
    tp.push(Move::Feed, [u(units, -5.08), 0.0, u(units, -0.5)]); // repeated: dropped
    tp.push(
        Move::Feed,
        [u(units, -5.08), u(units, -0.0005), u(units, -0.5001)],
    );
    // Rapid sideways at cutting depth: must be lifted.
    tp.push(Move::Rapid, [u(units, 3.0), u(units, 3.0), u(units, -0.5)]);
    tp.push(Move::Feed, [u(units, 4.0), u(units, 3.0), u(units, -0.5)]);
    // Rapid up a little (vertical, below safe), then sideways to a point below safe.
    tp.push(Move::Rapid, [u(units, 4.0), u(units, 3.0), u(units, 1.0)]);
    tp.push(
        Move::Rapid,
        [u(units, -7.25), u(units, -3.125), u(units, 1.0)],
    );
    tp.push(
        Move::Plunge,
        [u(units, -7.0), u(units, -3.125), u(units, -0.25)],
    );
    tp.push(
        Move::Feed,
        [u(units, -7.0), u(units, -3.125), u(units, -0.25)],
    ); // dropped
    tp.push(
        Move::Rapid,
        [u(units, -7.0), u(units, -3.125), safe + u(units, 10.0)],
    );
    tp.push(
        Move::Rapid,
        [u(units, 100.0), u(units, -200.0), safe + u(units, 10.0)],
    );
    tp
}

// ---------------------------------------------------------------------------------------
// Checks

fn quantize(v: f64, decimals: usize) -> f64 {
    let s = 10f64.powi(decimals as i32);
    (v * s).round() / s
}

fn qpoint(p: [f32; 3], decimals: usize) -> [f64; 3] {
    p.map(|v| quantize(v as f64, decimals))
}

/// Words of one line (letter, number text), comments removed.
fn words(line: &str) -> Vec<(char, String)> {
    let mut code = String::new();
    let mut in_comment = false;
    for c in line.chars() {
        match c {
            '(' => {
                assert!(!in_comment, "nested comment in {line:?}");
                in_comment = true;
            }
            ')' => {
                assert!(in_comment, "unbalanced ')' in {line:?}");
                in_comment = false;
            }
            _ if !in_comment => code.push(c),
            _ => {}
        }
    }
    assert!(!in_comment, "comment not closed in {line:?}");
    let mut out: Vec<(char, String)> = Vec::new();
    for c in code.chars().filter(|c| !c.is_whitespace()) {
        if c.is_ascii_alphabetic() {
            out.push((c, String::new()));
        } else {
            let last = out
                .last_mut()
                .unwrap_or_else(|| panic!("number first in {line:?}"));
            last.1.push(c);
        }
    }
    out
}

fn check_number(line: &str, v: &str, max_decimals: usize) {
    assert!(!v.is_empty(), "empty number in {line:?}");
    assert!(
        v.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-'),
        "odd number {v:?} in {line:?}"
    );
    let x: f64 = v
        .parse()
        .unwrap_or_else(|_| panic!("bad number {v:?} in {line:?}"));
    assert!(
        !(v.starts_with('-') && x == 0.0),
        "negative zero {v:?} in {line:?}"
    );
    if let Some((_, frac)) = v.split_once('.') {
        assert!(
            !frac.is_empty() && !frac.ends_with('0'),
            "untrimmed {v:?} in {line:?}"
        );
        assert!(
            frac.len() <= max_decimals,
            "{v:?} has too many decimals in {line:?}"
        );
    }
}

/// Rules every program must satisfy, whatever the dialect: line length, number form, modal
/// output (no repeated motion word, axis or feed; no motion line that moves nothing).
fn check_text(text: &str, s: &PostSettings) {
    let max = s.dialect.capabilities().max_line_chars;
    let mut mode = "";
    let mut pos: [Option<String>; 3] = [None, None, None];
    let mut feed: Option<String> = None;
    for line in text.lines() {
        assert!(
            line.chars().count() <= max,
            "line over {max} chars: {line:?}"
        );
        assert!(line.is_ascii(), "non-ASCII line {line:?}");
        let ws = words(line);
        let mut axes = 0;
        for (letter, v) in &ws {
            match letter {
                'X' | 'Y' | 'Z' => {
                    check_number(line, v, s.decimals);
                    let k = (*letter as u8 - b'X') as usize;
                    assert_ne!(
                        pos[k].as_deref(),
                        Some(v.as_str()),
                        "repeated axis in {line:?}"
                    );
                    pos[k] = Some(v.clone());
                    axes += 1;
                }
                'F' => {
                    check_number(line, v, RATE_DECIMALS);
                    assert_ne!(feed.as_deref(), Some(v.as_str()), "repeated F in {line:?}");
                    feed = Some(v.clone());
                }
                'P' => check_number(line, v, s.decimals),
                'S' | 'T' | 'H' => check_number(line, v, 0),
                'G' if v == "0" || v == "1" => {
                    assert_ne!(mode, v, "repeated G{v} in {line:?}");
                    mode = if v == "0" { "0" } else { "1" };
                }
                'G' | 'M' => {}
                _ => panic!("unexpected word {letter}{v} in {line:?}"),
            }
            // The capability table lists every G and M code the post writes.
            let caps = s.dialect.capabilities();
            let code = format!("{letter}{v}");
            match letter {
                'G' => assert!(caps.g_codes.contains(&code.as_str()), "{code} not in table"),
                'M' => assert!(caps.m_codes.contains(&code.as_str()), "{code} not in table"),
                _ => {}
            }
        }
        let motion = ws.iter().any(|(l, _)| matches!(l, 'X' | 'Y' | 'Z'));
        if ws.iter().any(|(l, v)| *l == 'G' && (v == "0" || v == "1")) || motion {
            assert!(axes > 0, "motion line without axes: {line:?}");
        }
    }
    let tail: Vec<&str> = text.lines().rev().take(2).collect();
    let end = s.dialect.capabilities().program_end;
    assert_eq!(tail, vec![end, "M5"], "program must end with M5, {end}");
}

/// GRBL 1.1's supported words (from its documentation), and its line buffer.
fn check_grbl_rules(text: &str) {
    const G: &[&str] = &[
        "0", "1", "2", "3", "4", "10", "17", "18", "19", "20", "21", "28", "30", "38.2", "38.3",
        "38.4", "38.5", "40", "43.1", "49", "53", "54", "55", "56", "57", "58", "59", "61", "80",
        "90", "91", "91.1", "92", "93", "94",
    ];
    const M: &[&str] = &["0", "1", "2", "3", "4", "5", "7", "8", "9", "30", "56"];
    for line in text.lines() {
        // GRBL keeps 79 characters per line after dropping spaces and comments; we hold the
        // raw line to that, which also suits character-counting senders (128-byte buffer).
        assert!(line.len() <= 79, "GRBL line too long: {line:?}");
        let ws = words(line);
        for (l, v) in &ws {
            match l {
                'G' => assert!(G.contains(&v.as_str()), "GRBL has no G{v}: {line:?}"),
                'M' => assert!(M.contains(&v.as_str()), "GRBL has no M{v}: {line:?}"),
                'F' | 'I' | 'J' | 'K' | 'L' | 'N' | 'P' | 'R' | 'S' | 'T' | 'X' | 'Y' | 'Z' => {}
                _ => panic!("GRBL has no {l} word: {line:?}"),
            }
        }
        let has = |l: char, v: &str| ws.iter().any(|(a, b)| *a == l && b == v);
        assert!(
            !has('G', "64") && !has('G', "61"),
            "blending word for GRBL: {line:?}"
        );
        assert!(!has('M', "6"), "M6 for GRBL: {line:?}");
        if has('G', "2") || has('G', "3") {
            assert!(
                ws.iter().any(|(l, _)| *l == 'X' || *l == 'Y'),
                "GRBL error 26, arc without X/Y: {line:?}"
            );
        }
    }
}

/// The interpreter's moves against the toolpath: every point that moves something is
/// reached, in order, by a move of its kind at its feed; every other move is a rapid; every
/// sideways rapid starts and ends at or above safe height. Returns the points dropped.
fn check_moves(tp: &Toolpath, s: &PostSettings, run: &Run) -> usize {
    // rs274 prints 4 decimals: exact for up to 4, rounded beyond.
    let tol = if s.decimals <= 4 { 1e-7 } else { 0.51e-4 };
    let near = |a: [f64; 3], b: [f64; 3]| (0..3).all(|k| (a[k] - b[k]).abs() <= tol);
    let safe = quantize(s.safe_height, s.decimals);
    let m = &run.moves;
    assert!(!m.is_empty(), "no moves");
    assert_eq!(m[0].kind, Kind::Traverse, "first move must be a rapid");
    assert!(
        near(m[0].xyz, [0.0, 0.0, safe]),
        "first move must only rise to safe height: {:?}",
        m[0]
    );
    let mut prev = m[0].xyz;
    for mv in &m[1..] {
        let sideways = (mv.xyz[0] - prev[0]).abs() > tol || (mv.xyz[1] - prev[1]).abs() > tol;
        if mv.kind == Kind::Traverse && sideways {
            assert!(
                prev[2] >= safe - tol && mv.xyz[2] >= safe - tol,
                "sideways rapid below safe height {safe}: {prev:?} -> {:?}",
                mv.xyz
            );
        }
        prev = mv.xyz;
    }

    let (feed, plunge) = (
        quantize(s.feed, RATE_DECIMALS),
        quantize(s.plunge_feed, RATE_DECIMALS),
    );
    let mut c = 1;
    // rs274 starts at X0 Y0, but the program cannot know where the tool is.
    let mut cur = [f64::NAN, f64::NAN, m[0].xyz[2]];
    let mut dropped = 0;
    for i in 0..tp.len() {
        let target = qpoint(tp.point(i), s.decimals);
        if near(target, cur) {
            dropped += 1;
            continue;
        }
        let want = match tp.kind(i) {
            Move::Rapid => Kind::Traverse,
            Move::ArcCw | Move::ArcCcw => Kind::Arc,
            _ => Kind::Feed,
        };
        loop {
            let mv = m
                .get(c)
                .unwrap_or_else(|| panic!("point {i} {target:?} never reached"));
            c += 1;
            if mv.kind == want && near(mv.xyz, target) {
                match tp.kind(i) {
                    Move::Feed | Move::ArcCw | Move::ArcCcw => {
                        assert!((mv.feed - feed).abs() < 1e-9, "point {i} feed {}", mv.feed)
                    }
                    Move::Plunge => {
                        assert!(
                            (mv.feed - plunge).abs() < 1e-9,
                            "point {i} plunge {}",
                            mv.feed
                        )
                    }
                    Move::Rapid => {}
                }
                break;
            }
            assert_eq!(
                mv.kind,
                Kind::Traverse,
                "point {i} {target:?}: unexpected cutting move {mv:?}"
            );
        }
        cur = target;
    }
    for mv in &m[c..] {
        assert_eq!(
            mv.kind,
            Kind::Traverse,
            "cutting after the toolpath ended: {mv:?}"
        );
        assert!(
            near([mv.xyz[0], mv.xyz[1], cur[2]], cur),
            "sideways after the end: {mv:?}"
        );
        assert!(
            mv.xyz[2] >= safe - tol,
            "end move below safe height: {mv:?}"
        );
    }
    let end = m.last().unwrap().xyz[2];
    assert!(end >= safe - tol, "program ends below safe height: {end}");
    dropped
}

/// Interpreter-level checks on the program as a whole.
fn check_run(s: &PostSettings, run: &Run) {
    assert!(run.program_ended, "no PROGRAM_END");
    assert_eq!(run.units, Some(s.units.name()));
    assert_eq!(
        run.spindle_speeds.first().copied(),
        Some(s.spindle_rpm.round())
    );
    let mode = run
        .calls
        .iter()
        .find(|(n, _)| n == "SET_MOTION_CONTROL_MODE")
        .map(|(_, a)| a.clone());
    match s.dialect {
        Dialect::Linuxcnc => {
            assert_eq!(run.tools_selected, vec![s.tool_number]);
            let mode = mode.expect("LinuxCNC program sets a blending mode");
            match s.blend {
                Blend::Tolerance(t) => {
                    let (kind, tol) = mode.split_once(',').unwrap();
                    assert_eq!(kind.trim(), "CANON_CONTINUOUS");
                    let tol: f64 = tol.trim().parse().unwrap();
                    assert!((tol - quantize(t, s.decimals)).abs() < 1e-6, "G64 P {tol}");
                }
                // G61 is LinuxCNC's "exact path" mode.
                Blend::ExactStop => assert!(mode.starts_with("CANON_EXACT_PATH"), "{mode}"),
            }
        }
        _ => {
            assert!(run.tools_selected.is_empty(), "GRBL program selects a tool");
            assert!(mode.is_none(), "GRBL program sets a blending mode");
        }
    }
    // The one header comment survives intact: sanitising kept rs274 from seeing a
    // nested comment or a (MSG, ...) command.
    assert!(
        run.comments.iter().any(|c| c.starts_with("Swarf")),
        "{:?}",
        run.comments
    );
}

/// Writes, checks the text, and runs the interpreter when it is there.
fn post_and_check(tp: &Toolpath, s: &PostSettings) -> (String, ProgramStats) {
    let text = write_gcode(tp, s).unwrap_or_else(|e| panic!("{e}"));
    let mut streamed = String::new();
    let stats = write_gcode_to(tp, s, &mut streamed).unwrap();
    assert_eq!(text, streamed, "string and streaming writers differ");
    assert_eq!(stats.bytes, text.len());
    assert_eq!(stats.lines, text.lines().count());
    check_text(&text, s);
    if s.dialect == Dialect::Grbl {
        check_grbl_rules(&text);
    }
    if let Some(bin) = rs274::available() {
        let run = rs274::run(&bin, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        check_run(s, &run);
        let dropped = check_moves(tp, s, &run);
        if s.decimals <= 4 {
            assert_eq!(dropped, stats.dropped_points, "dropped points");
        }
    }
    (text, stats)
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn linuxcnc_mm_zigzag() {
    let s = settings(Dialect::Linuxcnc, Units::Mm);
    let tp = zigzag(Units::Mm, s.safe_height);
    let (text, st) = post_and_check(&tp, &s);
    assert!(text.contains("\nG21\n") && text.contains("\nT3 M6\nG43 H3\nG64 P0.01\n"));
    assert!(text.contains("\nS12000 M3\nG0 Z5\n"), "{text}");
    assert_eq!(st.lifts_added, 0);
    assert_eq!(st.feed_blocks + st.dropped_points, 2 * (1 + 6 * 41));
}

#[test]
fn linuxcnc_inch_zigzag() {
    let s = settings(Dialect::Linuxcnc, Units::Inch);
    let tp = zigzag(Units::Inch, s.safe_height);
    let (text, _) = post_and_check(&tp, &s);
    assert!(
        text.contains("\nG20\n") && text.contains("G64 P0.0005\n"),
        "{text}"
    );
    assert!(text.contains("\nG0 Z0.2\n"));
}

#[test]
fn grbl_mm_zigzag() {
    let s = settings(Dialect::Grbl, Units::Mm);
    let tp = zigzag(Units::Mm, s.safe_height);
    let (text, _) = post_and_check(&tp, &s);
    assert!(!text.contains("M6") && !text.contains("G64") && !text.contains("G43"));
    assert!(text.contains("(Tool 3: "), "{text}");
    assert!(text.ends_with("M5\nM30\n"));
}

#[test]
fn grbl_inch_zigzag() {
    let s = settings(Dialect::Grbl, Units::Inch);
    let tp = zigzag(Units::Inch, s.safe_height);
    post_and_check(&tp, &s);
}

#[test]
fn awkward_points_all_dialects_and_units() {
    for d in [Dialect::Linuxcnc, Dialect::Grbl] {
        for un in [Units::Mm, Units::Inch] {
            let s = settings(d, un);
            let tp = awkward(un, s.safe_height);
            let (text, st) = post_and_check(&tp, &s);
            assert!(!text.contains("-0 ") && !text.contains("-0\n"), "{text}");
            // In inch, -0.0005 mm is -0.00002 in and rounds to 0: one more point moves nothing.
            let dropped = if un == Units::Mm { 3 } else { 4 };
            assert_eq!(st.dropped_points, dropped, "{d:?} {un:?}\n{text}");
            assert_eq!(st.lifts_added, 2, "{d:?} {un:?}\n{text}");
        }
    }
}

#[test]
fn awkward_exact_text_linuxcnc_mm() {
    let mut s = settings(Dialect::Linuxcnc, Units::Mm);
    s.comment = String::new();
    let text = write_gcode(&awkward(Units::Mm, 5.0), &s).unwrap();
    let body: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(
        body,
        [
            "G21",
            "G90 G94 G17",
            "T3 M6",
            "G43 H3",
            "G64 P0.01",
            "S12000 M3",
            "G0 Z5",
            "X0 Y0",
            "G1 Z-0.5 F200",
            "X-5.08 F800",
            "Y-0.001", // -0.5001 is -0.5 at 3 decimals: Z is unchanged
            "G0 Z5",   // lift before the sideways rapid
            "X3 Y3",
            "Z-0.5",
            "G1 X4",
            "G0 Z1",
            "Z5", // sideways rapid from below safe height: lift first
            "X-7.25 Y-3.125",
            "Z1",
            "G1 X-7 Z-0.25 F200",
            "G0 Z15",
            "X100 Y-200",
            "M5",
            "M2",
        ]
        .map(String::from)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
    );
}

#[test]
fn exact_stop_writes_g61() {
    let mut s = settings(Dialect::Linuxcnc, Units::Mm);
    s.blend = Blend::ExactStop;
    let (text, _) = post_and_check(&zigzag(Units::Mm, 5.0), &s);
    assert!(text.contains("\nG61\n") && !text.contains("G64"));
    s.dialect = Dialect::Grbl;
    let (text, _) = post_and_check(&zigzag(Units::Mm, 5.0), &s);
    assert!(!text.contains("G61"));
}

#[test]
fn first_move_cutting_goes_via_safe_height() {
    for d in [Dialect::Linuxcnc, Dialect::Grbl] {
        let s = settings(d, Units::Mm);
        let mut tp = Toolpath::new();
        tp.push(Move::Feed, [10.0, -4.0, -1.0]);
        tp.push(Move::Feed, [12.0, -4.0, -1.0]);
        let (text, st) = post_and_check(&tp, &s);
        assert!(
            text.contains("G0 Z5\nX10 Y-4\nG1 Z-1 F800\nX12\n"),
            "{text}"
        );
        assert_eq!(st.dropped_points, 0);
    }
}

#[test]
fn empty_toolpath_is_a_valid_program() {
    for d in [Dialect::Linuxcnc, Dialect::Grbl] {
        let s = settings(d, Units::Mm);
        let (text, st) = post_and_check(&Toolpath::new(), &s);
        assert!(text.contains("G0 Z5\nM5\n"), "{text}");
        assert_eq!(st.rapid_blocks, 1);
    }
}

#[test]
fn non_finite_point_is_refused_by_index() {
    let s = settings(Dialect::Linuxcnc, Units::Mm);
    let mut tp = zigzag(Units::Mm, 5.0);
    tp.points[3 * 7 + 1] = f32::NAN;
    let err = write_gcode(&tp, &s).unwrap_err();
    assert!(
        matches!(
            err,
            PostError::Point {
                index: 7,
                axis: 'Y',
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("point 7"), "{err}");
    tp.points[3 * 7 + 1] = 0.0;
    tp.points[3 * 9 + 2] = f32::NEG_INFINITY;
    let err = write_gcode(&tp, &s).unwrap_err();
    assert!(err.to_string().contains("point 9: Z"), "{err}");
    tp.points[3 * 9 + 2] = 3.0e30;
    assert!(matches!(
        write_gcode(&tp, &s),
        Err(PostError::Point { index: 9, .. })
    ));
}

#[test]
fn bad_settings_name_the_field() {
    let base = settings(Dialect::Linuxcnc, Units::Mm);
    type Change = fn(&mut PostSettings);
    let cases: [(&str, Change); 8] = [
        ("feed", |s| s.feed = 0.0),
        ("feed", |s| s.feed = f64::NAN),
        ("plunge_feed", |s| s.plunge_feed = -5.0),
        ("spindle_rpm", |s| s.spindle_rpm = -1.0),
        ("safe_height", |s| s.safe_height = f64::INFINITY),
        ("decimals", |s| s.decimals = 9),
        ("blend", |s| s.blend = Blend::Tolerance(0.0001)),
        ("blend", |s| s.blend = Blend::Tolerance(f64::NAN)),
    ];
    for (field, change) in cases {
        if field == "blend" {
            // GRBL has no blending words, so the blend setting is not its concern.
            let mut g = base.clone();
            g.dialect = Dialect::Grbl;
            change(&mut g);
            assert!(write_gcode(&Toolpath::new(), &g).is_ok());
        }
        let mut s = base.clone();
        change(&mut s);
        match write_gcode(&Toolpath::new(), &s) {
            Err(PostError::Setting { field: f, .. }) => assert_eq!(f.name(), field),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn long_and_hostile_comments_fit_every_dialect() {
    for d in [Dialect::Linuxcnc, Dialect::Grbl] {
        let mut s = settings(d, Units::Mm);
        s.comment = format!("{}(nested (deep)) ;\r\n%\u{7f}é", "x".repeat(400));
        let (text, _) = post_and_check(&zigzag(Units::Mm, 5.0), &s);
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("(Swarf: xxx") && first.ends_with(')'),
            "{first}"
        );
    }
}

#[test]
fn streaming_to_io_matches_string() {
    let s = settings(Dialect::Linuxcnc, Units::Mm);
    let tp = zigzag(Units::Mm, 5.0);
    let mut bytes = Vec::new();
    let st = write_gcode_io(&tp, &s, &mut bytes).unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        write_gcode(&tp, &s).unwrap()
    );
    assert!(st.max_line_chars <= 250);
    assert!(st.min[0] < -19.0 && st.max[0] > 24.0, "{st:?}");
}

#[test]
fn six_decimals_roundtrip_through_rs274() {
    let mut s = settings(Dialect::Linuxcnc, Units::Inch);
    s.decimals = 6;
    let tp = zigzag(Units::Inch, s.safe_height);
    post_and_check(&tp, &s);
}

#[test]
fn big_raster_is_fast_and_valid() {
    // 300 lines x 1000 points: the size of a real finishing pass.
    let mut tp = Toolpath::new();
    tp.push(Move::Rapid, [0.0, 0.0, 5.0]);
    tp.push(Move::Plunge, [0.0, 0.0, -1.0]);
    for row in 0..300 {
        for c in 0..1000 {
            let x = if row % 2 == 0 { c } else { 999 - c } as f32 * 0.1;
            let y = row as f32 * 0.3;
            tp.push(
                Move::Feed,
                [x, y, -1.0 - 0.2 * (x * 0.05).sin() * (y * 0.1).cos()],
            );
        }
    }
    let s = settings(Dialect::Linuxcnc, Units::Mm);
    let t = std::time::Instant::now();
    let text = write_gcode(&tp, &s).unwrap();
    let dt = t.elapsed();
    eprintln!(
        "{} points -> {} bytes in {:.1} ms",
        tp.len(),
        text.len(),
        dt.as_secs_f64() * 1e3
    );
    check_text(&text, &s);
    if let Some(bin) = rs274::available() {
        let run = rs274::run(&bin, &text).unwrap();
        check_moves(&tp, &s, &run);
    }
}

#[test]
fn rs274_reports_errors() {
    if let Some(bin) = rs274::available() {
        let err = rs274::run(&bin, "G21\nG1 X1\nM2\n").unwrap_err();
        assert!(err.contains("zero feed rate"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------
// Job values the post cannot write (issue 8: `--feed 0.0001` passed validation, then failed
// in the post without naming a field).

#[test]
fn job_values_the_post_cannot_write_are_refused_by_validation() {
    use swarf::job::Job;
    type Change = fn(&mut Job);
    let cases: [(&str, &str, Change); 6] = [
        ("machine.feed", "0.0001", |j| j.machine.feed = 0.0001),
        ("machine.plunge_feed", "0.004", |j| {
            j.machine.plunge_feed = 0.004
        }),
        ("machine.spindle", "0.4", |j| j.machine.spindle = 0.4),
        ("machine.blend_tolerance", "0.0004", |j| {
            j.machine.blend_tolerance = 0.0004
        }),
        ("machine.blend_tolerance", "0.00004", |j| {
            j.units = Units::Inch;
            j.machine.blend_tolerance = 0.00004;
        }),
        ("machine.feed", "0.00004", |j| {
            j.units = Units::Inch;
            j.machine.feed = 0.00004;
        }),
    ];
    for (field, figure, change) in cases {
        let mut job = Job::default();
        change(&mut job);
        let e = job.validate().unwrap_err();
        assert_eq!(e.field, field, "{e}");
        assert!(
            e.message.contains(figure) && e.message.contains("rounds to 0"),
            "{e}"
        );
    }
    // The blend tolerance means nothing with exact stop or on GRBL.
    let mut job = Job::default();
    job.machine.blend_tolerance = 0.0004;
    job.machine.exact_stop = true;
    job.validate().unwrap();
    job.machine.exact_stop = false;
    job.machine.dialect = Dialect::Grbl;
    job.validate().unwrap();
}

#[test]
fn the_least_feed_the_post_writes_runs_through_rs274() {
    // 0.005 rounds half away from zero to F0.01, the least feed at 2 decimals.
    let mut job = swarf::job::Job::default();
    job.machine.feed = 0.005;
    job.machine.plunge_feed = 0.005;
    job.machine.spindle = 0.5;
    job.validate().unwrap();
    let mut s = job.machine.post_settings(job.units);
    s.safe_height = 5.0;
    let tp = zigzag(Units::Mm, s.safe_height);
    let (text, _) = post_and_check(&tp, &s);
    assert!(
        text.contains(" F0.01\n") && text.contains("\nS1 M3\n"),
        "{text}"
    );
}

#[test]
fn tool_numbers_past_the_controller_and_failing_sinks_are_typed_errors() {
    for (d, max) in [(Dialect::Linuxcnc, i32::MAX as u32), (Dialect::Grbl, 255)] {
        let mut s = settings(d, Units::Mm);
        assert_eq!(s.dialect.capabilities().max_tool_number, max);
        s.tool_number = max;
        post_and_check(&zigzag(Units::Mm, 5.0), &s);
        s.tool_number = max + 1;
        assert_eq!(
            write_gcode(&Toolpath::new(), &s),
            Err(PostError::ToolNumber {
                section: 0,
                number: max + 1,
                max,
                controller: s.dialect.capabilities().name,
            })
        );
    }
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::StorageFull.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let s = settings(Dialect::Linuxcnc, Units::Mm);
    assert_eq!(
        write_gcode_io(&Toolpath::new(), &s, Full),
        Err(PostError::Io(std::io::ErrorKind::StorageFull))
    );
}
