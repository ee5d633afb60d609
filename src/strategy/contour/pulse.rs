//! Progress and cancellation through the work of one level (the peak search, the nested
//! grids, the chord probes and the links), whose length the grid's size does not bound.

use crate::strategy::Cancelled;

/// Drop-cutter queries (or like units of work) between two reports.
const EVERY: u32 = 8192;

/// Reports progress every [`EVERY`] units of work, never backwards, and stops the work
/// (`Err(Cancelled)`) as soon as the callback says so.
pub struct Pulse<'p> {
    progress: &'p mut dyn FnMut(f32) -> bool,
    /// The fraction reported for `set(0)` and `set(1)`.
    lo: f32,
    hi: f32,
    /// The fraction last reported (or to report).
    at: f32,
    work: u32,
}

impl<'p> Pulse<'p> {
    /// A pulse reporting fractions in `lo..=hi` to `progress`.
    pub fn new(progress: &'p mut dyn FnMut(f32) -> bool, lo: f32, hi: f32) -> Pulse<'p> {
        Pulse {
            progress,
            lo,
            hi: hi.max(lo),
            at: lo,
            work: 0,
        }
    }

    /// Reports `f` (0..1 of this pulse's share; never below what was reported).
    pub fn set(&mut self, f: f32) -> Result<(), Cancelled> {
        self.note(f);
        self.report()
    }

    /// Moves to `f` (as [`Pulse::set`]) without reporting: the next report says it.
    pub fn note(&mut self, f: f32) {
        let f = self.lo + (self.hi - self.lo) * f.clamp(0.0, 1.0);
        self.at = self.at.max(f).min(self.hi);
    }

    /// Counts `n` units of work, reporting (the same fraction) every [`EVERY`].
    pub fn tick(&mut self, n: u32) -> Result<(), Cancelled> {
        self.work = self.work.saturating_add(n);
        if self.work >= EVERY {
            self.report()
        } else {
            Ok(())
        }
    }

    fn report(&mut self) -> Result<(), Cancelled> {
        self.work = 0;
        if (self.progress)(self.at) {
            Ok(())
        } else {
            Err(Cancelled)
        }
    }
}

/// Runs `f` with a pulse that reports nowhere and never cancels.
pub fn silent<T>(f: impl FnOnce(&mut Pulse) -> T) -> T {
    let mut never = |_: f32| true;
    f(&mut Pulse::new(&mut never, 0.0, 1.0))
}
