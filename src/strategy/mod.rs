//! Strategies: each turns a resolved job into a [`Toolpath`](crate::toolpath::Toolpath).
//! One module per strategy.

pub mod contour;
pub mod parallel;
pub mod surface;

/// The job was cancelled through its progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;
