//! Tool shapes and their exact drop-cutter contact.
//!
//! Every cutter is a surface of revolution about a vertical axis, described by its radius
//! `R` and its *profile* `h(r)`: the height of the cutting surface above the tip at radial
//! distance `r ∈ [0, R]`. A cutter location (CL) is the tip point on the axis.
//!
//! | shape | profile `h(r)` |
//! |---|---|
//! | flat (cylindrical end mill) | `0` |
//! | ball (spherical) | `R - sqrt(R² - r²)` |
//! | bull (toroidal, corner radius `c`) | `0` for `r ≤ R - c`, else `c - sqrt(c² - (r - R + c)²)` |
//! | cone (V-bit, included angle `2α`) | `r / tan α` |
//!
//! (Implementation in progress: see the shape files.)

use std::fmt;

/// The geometric kind of a cutter, with its shape parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// Cylindrical end mill.
    Flat,
    /// Spherical (ball-nose) end mill.
    Ball,
    /// Toroidal (bull-nose) end mill with this corner radius (0 < c < R).
    Bull { corner_radius: f64 },
    /// Conical V-bit with this included angle in degrees (0 < angle < 180).
    Cone { angle_deg: f64 },
}

/// Why a cutter description was refused; the message names the value.
#[derive(Clone, Debug, PartialEq)]
pub struct CutterError(pub String);

impl fmt::Display for CutterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CutterError {}

/// A validated cutter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cutter {
    pub shape: Shape,
    /// Radius `R` of the cutting part (half the diameter).
    pub radius: f64,
    /// Length of the cutting part (flutes), from the tip up.
    pub flute_length: f64,
}

impl Cutter {
    /// Builds and validates a cutter from a diameter and shape.
    pub fn new(shape: Shape, diameter: f64, flute_length: f64) -> Result<Cutter, CutterError> {
        if !diameter.is_finite() || diameter <= 0.0 {
            return Err(CutterError(format!(
                "cutter diameter {diameter} must be a positive number"
            )));
        }
        if diameter > 1000.0 {
            return Err(CutterError(format!(
                "cutter diameter {diameter} is larger than 1000 (units are mm or inch)"
            )));
        }
        if !flute_length.is_finite() || flute_length <= 0.0 {
            return Err(CutterError(format!(
                "flute length {flute_length} must be a positive number"
            )));
        }
        let radius = diameter / 2.0;
        match shape {
            Shape::Flat | Shape::Ball => {}
            Shape::Bull { corner_radius } => {
                if !corner_radius.is_finite() || corner_radius <= 0.0 || corner_radius >= radius {
                    return Err(CutterError(format!(
                        "corner radius {corner_radius} must be greater than 0 and less than half the diameter ({radius}); use a flat or ball cutter for the limits"
                    )));
                }
            }
            Shape::Cone { angle_deg } => {
                if !(1.0..=179.0).contains(&angle_deg) {
                    return Err(CutterError(format!(
                        "cone angle {angle_deg}° must be between 1° and 179° (the included angle of the V)"
                    )));
                }
            }
        }
        Ok(Cutter {
            shape,
            radius,
            flute_length,
        })
    }

    pub fn flat(diameter: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Flat, diameter, 4.0 * diameter)
    }

    pub fn ball(diameter: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Ball, diameter, 4.0 * diameter)
    }

    pub fn bull(diameter: f64, corner_radius: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Bull { corner_radius }, diameter, 4.0 * diameter)
    }

    pub fn cone(diameter: f64, angle_deg: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Cone { angle_deg }, diameter, 4.0 * diameter)
    }

    /// Height of the cutting surface above the tip at radial distance `r` (clamped to `R`).
    pub fn profile(&self, r: f64) -> f64 {
        let r = r.clamp(0.0, self.radius);
        match self.shape {
            Shape::Flat => 0.0,
            Shape::Ball => self.radius - (self.radius * self.radius - r * r).max(0.0).sqrt(),
            Shape::Bull { corner_radius: c } => {
                let a = self.radius - c;
                if r <= a {
                    0.0
                } else {
                    let u = r - a;
                    c - (c * c - u * u).max(0.0).sqrt()
                }
            }
            Shape::Cone { angle_deg } => r / (angle_deg.to_radians() / 2.0).tan(),
        }
    }

    /// Drop-cutter against one triangle (nine floats): the highest tip height at which the
    /// cutter, on the vertical axis through `(x, y)`, touches the triangle; `None` when the
    /// triangle is out of the cutter's reach.
    pub fn drop_triangle(&self, x: f64, y: f64, tri: &[f32]) -> Option<f64> {
        // Placeholder until the exact contact lands: vertices only.
        let mut best: Option<f64> = None;
        for v in tri.chunks_exact(3) {
            let d = (v[0] as f64 - x).hypot(v[1] as f64 - y);
            if d <= self.radius {
                let z = v[2] as f64 - self.profile(d);
                best = Some(best.map_or(z, |b: f64| b.max(z)));
            }
        }
        best
    }
}
