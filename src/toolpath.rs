//! The toolpath: the one move list every strategy emits and every consumer reads (preview,
//! statistics, post-processors).
//!
//! Points are cutter locations (the tool tip, on the axis) as `f32` triples in one flat
//! buffer, with one byte per point saying how the tool moves *to* that point. This is also
//! what crosses to JavaScript: a `Float32Array` of xyz plus a `Uint8Array` of kinds.

/// How the tool moves to a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Move {
    /// Positioning at rapid rate (G0), never in material.
    Rapid = 0,
    /// Vertical entry at the plunge feed (G1 with the plunge feed rate).
    Plunge = 1,
    /// Cutting at the feed rate (G1).
    Feed = 2,
}

impl Move {
    /// The move a kind byte stands for (`None` for an unknown byte).
    pub fn from_u8(v: u8) -> Option<Move> {
        match v {
            0 => Some(Move::Rapid),
            1 => Some(Move::Plunge),
            2 => Some(Move::Feed),
            _ => None,
        }
    }
}

/// Cutter locations with the kind of move to each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Toolpath {
    /// xyz per point.
    pub points: Vec<f32>,
    /// One [`Move`] (as `u8`) per point.
    pub kinds: Vec<u8>,
}

/// Lengths and counts of a toolpath, in model units.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PathStats {
    /// Cutter locations.
    pub points: usize,
    /// Length of the cutting moves.
    pub feed_length: f64,
    /// Length of the plunges.
    pub plunge_length: f64,
    /// Length of the rapid moves.
    pub rapid_length: f64,
}

impl Toolpath {
    /// An empty toolpath.
    pub fn new() -> Toolpath {
        Toolpath::default()
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// True when there is no point.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Appends a move to `p`.
    pub fn push(&mut self, kind: Move, p: [f32; 3]) {
        self.points.extend_from_slice(&p);
        self.kinds.push(kind as u8);
    }

    /// Point `i`.
    pub fn point(&self, i: usize) -> [f32; 3] {
        [
            self.points[3 * i],
            self.points[3 * i + 1],
            self.points[3 * i + 2],
        ]
    }

    /// How the tool moves to point `i`.
    pub fn kind(&self, i: usize) -> Move {
        Move::from_u8(self.kinds[i]).unwrap_or(Move::Feed)
    }

    /// The last point, if any.
    pub fn last(&self) -> Option<[f32; 3]> {
        if self.is_empty() {
            None
        } else {
            Some(self.point(self.len() - 1))
        }
    }

    /// Appends another toolpath.
    pub fn extend(&mut self, other: &Toolpath) {
        self.points.extend_from_slice(&other.points);
        self.kinds.extend_from_slice(&other.kinds);
    }

    /// Path lengths per move kind. The first point is reached from nowhere and adds nothing.
    pub fn stats(&self) -> PathStats {
        let mut s = PathStats {
            points: self.len(),
            ..PathStats::default()
        };
        for i in 1..self.len() {
            let a = self.point(i - 1);
            let b = self.point(i);
            let d = ((b[0] - a[0]) as f64).hypot((b[1] - a[1]) as f64);
            let d = d.hypot((b[2] - a[2]) as f64);
            match self.kind(i) {
                Move::Rapid => s.rapid_length += d,
                Move::Plunge => s.plunge_length += d,
                Move::Feed => s.feed_length += d,
            }
        }
        s
    }

    /// Estimated machining time in seconds: feed and plunge moves at their rates (units per
    /// minute), rapids at `rapid_rate`. Acceleration is ignored, so this is a lower bound.
    pub fn estimate_seconds(&self, feed: f64, plunge_feed: f64, rapid_rate: f64) -> f64 {
        let s = self.stats();
        60.0 * (s.feed_length / feed + s.plunge_length / plunge_feed + s.rapid_length / rapid_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_and_time() {
        let mut t = Toolpath::new();
        t.push(Move::Rapid, [0.0, 0.0, 5.0]);
        t.push(Move::Plunge, [0.0, 0.0, 0.0]);
        t.push(Move::Feed, [3.0, 4.0, 0.0]);
        t.push(Move::Rapid, [3.0, 4.0, 5.0]);
        let s = t.stats();
        assert_eq!(s.points, 4);
        assert!((s.feed_length - 5.0).abs() < 1e-9);
        assert!((s.plunge_length - 5.0).abs() < 1e-9);
        assert!((s.rapid_length - 5.0).abs() < 1e-9);
        let secs = t.estimate_seconds(100.0, 50.0, 1000.0);
        assert!((secs - 60.0 * (0.05 + 0.1 + 0.005)).abs() < 1e-9);
    }
}
