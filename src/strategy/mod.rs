//! Strategies: each turns a resolved job into a [`Toolpath`](crate::toolpath::Toolpath).
//! One module per strategy ([`parallel`], [`waterline`], [`rough`]); the shared pieces are
//! the cutter-location [`surface`], its level sets ([`contour`]) and the Z levels
//! ([`zlevel`]).

pub mod adaptive;
pub mod contour;
pub mod parallel;
pub mod polyline;
pub mod rough;
pub mod simplify;
pub mod surface;
pub mod twod;
pub mod waterline;
pub mod zlevel;

/// The job was cancelled through its progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;
