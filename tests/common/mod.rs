//! Helpers shared by integration tests (`mod common;` in a test file).

#![allow(dead_code)]

pub mod rs274;

/// Offsets within the G-code's XY rounding (half of 0.001 on both axes).
pub const ROUNDING_RING: [(f64, f64); 9] = [
    (0.0, 0.0),
    (0.0005, 0.0),
    (-0.0005, 0.0),
    (0.0, 0.0005),
    (0.0, -0.0005),
    (0.0005, 0.0005),
    (0.0005, -0.0005),
    (-0.0005, 0.0005),
    (-0.0005, -0.0005),
];

/// The least drop-cutter height within the program's XY rounding of `(x, y)` (never below
/// `floor`). Programs round XY to 0.001: beside a vertical wall that alone moves the
/// drop-cutter height from the floor to the wall's top while moving the tool by less than a
/// micron, so a gouge is measured by the least height within that radius: the physical
/// error, not an artefact of the vertical measure.
pub fn drop_within_rounding(
    model: &swarf::engine::Model,
    cutter: &swarf::cutter::Cutter,
    x: f64,
    y: f64,
    floor: f64,
) -> f64 {
    ROUNDING_RING
        .iter()
        .map(|(dx, dy)| {
            model
                .index()
                .drop_cutter(model.mesh(), cutter, x + dx, y + dy)
                .unwrap_or(floor)
                .max(floor)
        })
        .fold(f64::INFINITY, f64::min)
}

/// A verify report's problems other than material left: gouges, rapids through stock and
/// holder collisions (what no program may have).
pub fn faults(r: &swarf::sim::verify::Report) -> Vec<&swarf::sim::verify::Problem> {
    r.problems
        .iter()
        .filter(|p| p.kind != swarf::sim::verify::ProblemKind::MaterialLeft)
        .collect()
}

/// A 60 × 60 relief over 30 × 30 mm with steep and shallow ground and concave creases
/// everywhere: hills and valleys, a step (a vertical wall across it) and a pit.
#[allow(clippy::disallowed_methods)] // a test shape, computed with std maths
pub fn relief() -> swarf::mesh::Mesh {
    swarf::demo::height_field(60, 60, 30.0, 30.0, |x, y| {
        let base = 6.0 + 2.0 * ((x * 0.4).sin() * (y * 0.3).cos());
        let step = if x > 18.0 { 3.0 } else { 0.0 };
        let pit = if (x - 8.0).abs() < 4.0 && (y - 20.0).abs() < 3.0 {
            -3.0
        } else {
            0.0
        };
        base + step + pit
    })
}
