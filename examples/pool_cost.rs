//! Where a pooled parallel-finishing job spends its time, natively, one thread: per batch,
//! copying the reach's triangles, indexing them, sampling the lines; against the whole job.
//! `cargo run --release --example pool_cost -- [TRIANGLES] [JOB.json]`
use std::time::Instant;
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::{Job, ModelTransform};
use swarf::units::Units;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let job = match args.get(2) {
        Some(p) => Job::from_json(&std::fs::read_to_string(p).unwrap()).unwrap(),
        None => Job::default(),
    };
    let side = ((n / 2) as f64).sqrt() as usize;
    let m = Model::new(demo::terrain(side), &ModelTransform::default(), Units::Mm).unwrap();
    println!("{} triangles", m.mesh().len());
    let t = Instant::now();
    let whole = engine::generate(&m, &job, &mut |_| true).unwrap();
    println!("whole job: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let batches = engine::parallel_batches(&m, &job).unwrap();
    let bounds = m.mesh().bounds();
    let (mut copy, mut index, mut sample, mut tris) = (0.0, 0.0, 0.0, 0usize);
    let mut per_op = vec![None; job.operations().len()];
    for (op, b) in &batches {
        let t = Instant::now();
        let part = m.triangles_in(b.reach.min.to_array(), b.reach.max.to_array());
        copy += t.elapsed().as_secs_f64();
        tris += part.len() / 9;
        let t = Instant::now();
        let part = Model::from_placed(part);
        index += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let l = engine::sample_batch(&part, &bounds, &job, *op, &b.lines).unwrap();
        sample += t.elapsed().as_secs_f64();
        per_op[*op].get_or_insert_with(Vec::new).extend(l);
    }
    let t = Instant::now();
    let out = engine::generate_presampled(&m, &job, per_op, &mut |_| true).unwrap();
    let link = t.elapsed().as_secs_f64();
    assert!(out.gcode == whole.gcode);
    println!(
        "{} batches, {:.2} model copies: copy {:.0} ms, index {:.0} ms, sample {:.0} ms, link+write {:.0} ms",
        batches.len(),
        tris as f64 / m.mesh().len() as f64,
        copy * 1e3,
        index * 1e3,
        sample * 1e3,
        link * 1e3
    );
}
