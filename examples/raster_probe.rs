//! Drop-cutter along raster lines on a terrain of SIDE (`demo::terrain`), ball Ø6: points per
//! second and a checksum. `cargo run --release --example raster_probe -- 707`
use std::time::Instant;
use swarf::cutter::Cutter;
use swarf::demo;
use swarf::index::Index;
fn main() {
    let side: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(707);
    let mut mesh = demo::terrain(side);
    let idx = Index::build(&mut mesh);
    let b = mesh.bounds();
    let c = Cutter::ball(6.0).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let (mut n, mut acc) = (0usize, 0.0);
        let mut y = b.min[1] as f64;
        while y <= b.max[1] as f64 {
            let mut hint = None;
            let mut x = b.min[0] as f64;
            while x <= b.max[0] as f64 {
                acc += idx
                    .drop_cutter_hinted(&mesh, &c, x, y, f64::NEG_INFINITY, &mut hint)
                    .unwrap_or(0.0);
                n += 1;
                x += 0.05;
            }
            y += 2.0;
        }
        println!(
            "{} tris: {n} points, {:.0} pts/s, {acc}",
            mesh.len(),
            n as f64 / t.elapsed().as_secs_f64()
        );
    }
}
