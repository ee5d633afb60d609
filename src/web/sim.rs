//! The stock simulation the page's worker runs after a job: a [`Replay`] of the generated
//! program on a height field of the job's stock box, run in slices the worker paces (so it
//! can post progress and see a cancel between them), then scrubbed by a slider.
//!
//! Heights cross to the page as copies (`Float32Array`, row by row, `j * nx + i`), and after
//! the first whole field only the rows a seek changed ([`Replay::rows_between`]): scrubbing
//! a few moves sends a strip, not 8 MB.

use js_sys::{Float32Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js_error, to_js, Generated};
use crate::replay::Replay;
use crate::sim::Stock;

/// A generated program being (or done being) simulated on its stock.
#[wasm_bindgen]
pub struct Simulation {
    replay: Replay,
    /// The stock box's bottom (the height field knows only its top).
    bottom: f64,
}

/// The grid as the page draws it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Grid {
    nx: usize,
    ny: usize,
    /// Lower-left corner of cell (0, 0); cell centres are at `origin + (i + ½, j + ½) cell`.
    origin: [f64; 2],
    cell: f64,
    top: f64,
    bottom: f64,
    /// Moves in the program (states 0..=moves).
    moves: usize,
    /// Checkpoints kept, and the most the budget holds.
    checkpoints: usize,
    planned: usize,
    /// Bytes of heights the simulation holds (working stock and checkpoints).
    bytes: usize,
}

#[wasm_bindgen]
impl Simulation {
    /// A simulation of `generated`'s program on the first operation's stock box, with the
    /// finest square cell whose heights fit `budget_bytes` (4 bytes per cell) and at most
    /// `max_side` cells along either side (the page's largest texture), keeping checkpoints
    /// within `checkpoint_bytes`. Each operation cuts with its own cutter. Nothing is cut
    /// until `advance`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        generated: &Generated,
        budget_bytes: f64,
        max_side: u32,
        checkpoint_bytes: f64,
    ) -> Result<Simulation, JsValue> {
        let out = &generated.out;
        let first = out
            .resolved
            .first()
            .ok_or_else(|| js_error("the program has no operation"))?;
        let b = first.stock;
        let budget = if budget_bytes.is_finite() && budget_bytes > 0.0 {
            budget_bytes as usize
        } else {
            0
        };
        let mut stock = Stock::with_budget(&b, budget).map_err(js_error)?;
        let side = max_side.max(1) as f64;
        if stock.nx() as f64 > side || stock.ny() as f64 > side {
            // A long thin stock: the longer side sets the cell.
            let cell = (b.max.x - b.min.x).max(b.max.y - b.min.y) / side * (1.0 + 1e-9);
            stock = Stock::new([b.min.x, b.min.y], [b.max.x, b.max.y], b.max.z, cell)
                .map_err(js_error)?;
        }
        let cutters = out.resolved.iter().map(|r| r.cutter).collect();
        let checkpoints = if checkpoint_bytes.is_finite() && checkpoint_bytes > 0.0 {
            checkpoint_bytes as usize
        } else {
            0
        };
        Ok(Simulation {
            replay: Replay::new(
                stock,
                out.toolpath.clone(),
                out.op_starts.clone(),
                cutters,
                checkpoints,
            ),
            bottom: b.min.z,
        })
    }

    /// Runs about `work` more units of the simulation (see `replay`; the worker sizes the
    /// next slice from how long this one took); true once every move is cut.
    pub fn advance(&mut self, work: f64) -> bool {
        self.replay.advance(work)
    }

    /// The share of the run done, 0..=1.
    pub fn progress(&self) -> f64 {
        self.replay.progress()
    }

    /// `{ nx, ny, origin, cell, top, bottom, moves, checkpoints, planned, bytes }`.
    pub fn grid(&self) -> Result<JsValue, JsValue> {
        let s = self.replay.stock();
        let (checkpoints, planned) = self.replay.checkpoints();
        to_js(&Grid {
            nx: s.nx(),
            ny: s.ny(),
            origin: s.origin(),
            cell: s.cell(),
            top: s.top(),
            bottom: self.bottom,
            moves: self.replay.moves(),
            checkpoints,
            planned,
            bytes: self.replay.bytes(),
        })
    }

    /// The state the stock is in: the moves cut.
    pub fn at(&self) -> u32 {
        self.replay.at() as u32
    }

    /// Every height of the stock as it stands, a copy.
    pub fn heights(&self) -> Float32Array {
        Float32Array::from(self.replay.stock().heights())
    }

    /// Brings the stock to the state after move `k` and returns `{ at, rows: [j0, j1],
    /// heights }`: the rows `j0..j1` that changed since the state before, as a copy (empty
    /// when nothing changed). Throws while the run is not finished.
    pub fn seek(&mut self, k: u32) -> Result<JsValue, JsValue> {
        let rows = self
            .replay
            .seek(k as usize)
            .ok_or_else(|| js_error("the simulation has not finished"))?;
        let s = self.replay.stock();
        let nx = s.nx();
        let heights = Float32Array::from(&s.heights()[rows.start * nx..rows.end * nx]);
        let o = js_sys::Object::new();
        Reflect::set(&o, &"at".into(), &(self.replay.at() as f64).into())?;
        let r = js_sys::Array::of2(&(rows.start as f64).into(), &(rows.end as f64).into());
        Reflect::set(&o, &"rows".into(), &r)?;
        Reflect::set(&o, &"heights".into(), &heights)?;
        Ok(o.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::{default_job, Engine};
    use js_sys::{Array, Function};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn get(o: &JsValue, k: &str) -> f64 {
        Reflect::get(o, &k.into()).unwrap().as_f64().unwrap()
    }

    #[wasm_bindgen_test]
    fn the_demo_program_simulates_in_slices_and_seeks() {
        let mut e = Engine::new();
        e.load_demo(JsValue::NULL).unwrap();
        let g = e
            .generate(
                default_job().unwrap(),
                &Function::new_no_args("return true"),
            )
            .unwrap();
        // 100k cells, at most 200 along a side, room for 3 checkpoints.
        let stock_bytes = 400_000.0;
        let mut sim = Simulation::new(&g, stock_bytes, 200, 3.0 * stock_bytes).unwrap();
        let grid = sim.grid().unwrap();
        let (nx, ny) = (get(&grid, "nx"), get(&grid, "ny"));
        assert!(
            nx <= 200.0 && ny <= 200.0 && nx * ny <= 100_000.0,
            "{nx} × {ny}"
        );
        assert!(get(&grid, "bottom") < get(&grid, "top"));
        assert!(sim.seek(0).is_err(), "no seek before the run ends");
        let mut slices = 0;
        while !sim.advance(20_000.0) {
            slices += 1;
        }
        assert!(slices > 2 && sim.progress() == 1.0);
        let grid = sim.grid().unwrap();
        assert_eq!(get(&grid, "moves") as u32, sim.at());
        // As many stocks as the checkpoint bytes hold (the side limit made the stock smaller
        // than its budget, so more than three).
        let want = ((3.0 * stock_bytes) / (nx * ny * 4.0)).floor().min(64.0);
        assert_eq!(get(&grid, "checkpoints"), want);
        assert_eq!(get(&grid, "bytes"), (want + 1.0) * nx * ny * 4.0);
        let done = sim.heights().to_vec();
        assert!(done.iter().any(|&h| (h as f64) < get(&grid, "top") - 1.0));
        // Back to the uncut block: every row changed, each at the top.
        let r = sim.seek(0).unwrap();
        let rows: Array = Reflect::get(&r, &"rows".into()).unwrap().into();
        let (j0, j1) = (rows.get(0).as_f64().unwrap(), rows.get(1).as_f64().unwrap());
        let h: Float32Array = Reflect::get(&r, &"heights".into()).unwrap().into();
        assert_eq!(h.length() as f64, (j1 - j0) * nx);
        assert!(h.to_vec().iter().all(|&v| v as f64 == get(&grid, "top")));
        assert!(j1 - j0 > ny * 0.9);
        // And forward to the end again: the finished stock.
        sim.seek(u32::MAX).unwrap();
        assert_eq!(sim.heights().to_vec(), done);
        // The program's points map into the preview's.
        let ends = g.ends().to_vec();
        assert_eq!(ends.len() as f64, get(&grid, "moves") + 1.0);
        assert_eq!(*ends.last().unwrap() + 1, g.kinds().length());
        assert_eq!(g.op_starts().to_vec(), vec![0]);
    }
}
