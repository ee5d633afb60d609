//! The fiber a push-cutter moves along, and the vocabulary its contact code shares: points
//! in fiber coordinates and the running span of touching positions. Both `push.rs` (the
//! triangle and its facet) and `push_edge.rs` (its edges) speak it, so it lives below both.

/// The direction of a fiber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FiberAxis {
    /// Along X, at a fixed `y`: the parameter `t` is `x`.
    X,
    /// Along Y, at a fixed `x`: the parameter `t` is `y`.
    Y,
}

/// A horizontal line at height `z`: along X at `y = across`, or along Y at `x = across`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fiber {
    /// The direction the fiber runs in.
    pub axis: FiberAxis,
    /// The fixed other coordinate (`y` for an X fiber, `x` for a Y fiber).
    pub across: f64,
    /// Height of the cutter tip.
    pub z: f64,
}

impl Fiber {
    /// The fiber along X at `y`, height `z`.
    pub fn along_x(y: f64, z: f64) -> Fiber {
        Fiber {
            axis: FiberAxis::X,
            across: y,
            z,
        }
    }

    /// The fiber along Y at `x`, height `z`.
    pub fn along_y(x: f64, z: f64) -> Fiber {
        Fiber {
            axis: FiberAxis::Y,
            across: x,
            z,
        }
    }

    /// The XY point of the fiber at parameter `t`.
    pub fn point(&self, t: f64) -> (f64, f64) {
        match self.axis {
            FiberAxis::X => (t, self.across),
            FiberAxis::Y => (self.across, t),
        }
    }
}

/// A point in fiber coordinates: along the fiber, across it, height above it.
pub(super) type P = [f64; 3];

/// The running extremes of the candidates (empty while `lo > hi`).
pub(super) struct Span {
    pub lo: f64,
    pub hi: f64,
}

impl Span {
    /// Offers the point at `x` along the fiber whose reach across the fiber is `q =
    /// ρ² - w²`: the cutter touches it from `x - sqrt(q)` to `x + sqrt(q)`.
    #[inline]
    pub fn offer(&mut self, x: f64, q: f64) {
        if q >= 0.0 {
            let h = q.sqrt();
            self.lo = self.lo.min(x - h);
            self.hi = self.hi.max(x + h);
        }
    }
}
