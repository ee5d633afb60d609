//! Strategies: each turns a resolved job into a [`Toolpath`](crate::toolpath::Toolpath).
//! One module per strategy ([`parallel`], [`waterline`], [`rough`]); the shared pieces are
//! the cutter-location [`surface`], its level sets ([`contour`]) and the Z levels
//! ([`zlevel`]).

pub mod adaptive;
pub mod contour;
pub mod parallel;
pub mod pencil;
pub mod polyline;
pub mod rest;
pub mod rough;
pub mod scallop;
pub mod simplify;
pub mod steep;
pub mod surface;
pub mod twod;
pub mod waterline;
pub mod zlevel;

/// Runs `f` on each of `items`, on several threads when the `parallel` feature is on (not
/// in WebAssembly).
pub(crate) fn map_all<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync + Send) -> Vec<U> {
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    {
        items.iter().map(f).collect()
    }
}

/// The job was cancelled through its progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;
