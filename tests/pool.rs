//! Spreading parallel finishing over workers (the page's pool): each batch of raster lines
//! sampled on only the triangles of its reach gives the same program, byte for byte, as the
//! whole job on the whole model, for every cutter, direction and pattern, and in a chain.

use swarf::demo;
use swarf::engine::{self, Model};
use swarf::geom::DVec3;
use swarf::job::{Job, ModelTransform};
use swarf::mesh::Mesh;
use swarf::units::Units;

fn model(mesh: Mesh) -> Model {
    Model::new(mesh, &ModelTransform::default(), Units::Mm).expect("model")
}

/// The job run as the page's pool runs it: batches sampled on parts of the model, in an
/// order other than the batches' own (workers finish when they finish), then linked.
fn pooled(m: &Model, job: &Job) -> (String, usize, usize) {
    let batches = engine::parallel_batches(m, job).expect("batches");
    let bounds = m.mesh().bounds();
    let mut done: Vec<Option<Vec<Vec<DVec3>>>> = vec![None; batches.len()];
    let mut biggest = 0;
    for i in (0..batches.len()).rev() {
        let (op, b) = &batches[i];
        let tris = m.triangles_in(b.reach.min.to_array(), b.reach.max.to_array());
        let part = Model::from_placed(tris);
        biggest = biggest.max(part.mesh().len());
        done[i] = Some(engine::sample_batch(&part, &bounds, job, *op, &b.lines).expect("sample"));
    }
    let mut per_op: Vec<Option<Vec<Vec<DVec3>>>> = vec![None; job.operations().len()];
    for ((op, _), lines) in batches.iter().zip(done) {
        per_op[*op]
            .get_or_insert_with(Vec::new)
            .extend(lines.expect("sampled"));
    }
    let out = engine::generate_presampled(m, job, per_op, &mut |_| true).expect("generate");
    (out.gcode, batches.len(), biggest)
}

fn same_program(m: &Model, text: &str) {
    let job = Job::from_json(text).expect("job");
    let whole = engine::generate(m, &job, &mut |_| true)
        .expect("generate")
        .gcode;
    let (pooled, batches, biggest) = pooled(m, &job);
    assert!(batches > 1, "{text}: {batches} batch");
    assert!(
        biggest < m.mesh().len(),
        "{text}: a batch took every triangle ({biggest})"
    );
    assert!(pooled == whole, "{text}: the pooled program differs");
}

#[test]
fn batches_on_parts_of_the_model_give_the_same_program() {
    let terrain = model(demo::terrain(120));
    for tool in [
        r#"{"type":"ball","diameter":6}"#,
        r#"{"type":"flat","diameter":4}"#,
        r#"{"type":"bull","diameter":6,"corner_radius":1}"#,
        r#"{"type":"cone","diameter":6,"angle":60}"#,
    ] {
        for strategy in [
            r#"{"type":"parallel","stepover":1.5,"sampling":0.5}"#,
            r#"{"type":"parallel","stepover":2,"sampling":0.7,"direction":"xy","pattern":"oneway"}"#,
            r#"{"type":"parallel","stepover":1.5,"sampling":0.5,"direction":"spiral"}"#,
        ] {
            same_program(
                &terrain,
                &format!(r#"{{"tool":{tool},"strategy":{strategy}}}"#),
            );
        }
    }
}

#[test]
fn a_chain_pools_its_parallel_operations_only() {
    let m = model(demo::demo_mesh());
    same_program(
        &m,
        r#"{"operations":[
            {"tool":{"type":"flat","diameter":6},"strategy":{"type":"rough","stepdown":4}},
            {"tool":{"type":"ball","diameter":3,"number":2},"strategy":{"type":"parallel","stepover":1,"sampling":0.5}},
            {"tool":{"type":"ball","diameter":2,"number":3},"strategy":{"type":"parallel","stepover":1,"sampling":0.5,"direction":"y"}}]}"#,
    );
}

#[test]
fn wrong_sampled_lines_are_an_error_not_a_panic() {
    let m = model(demo::demo_mesh());
    let job = Job::from_json(r#"{"strategy":{"type":"parallel","stepover":2}}"#).unwrap();
    let one = vec![DVec3::ZERO];
    for lines in [vec![one.clone()], vec![Vec::new(); 200]] {
        let Err(e) = engine::generate_presampled(&m, &job, vec![Some(lines)], &mut |_| true) else {
            panic!("wrong lines accepted")
        };
        assert!(e.to_string().contains("sampled raster lines"), "{e}");
    }
    // Sampling a batch for an operation that is not parallel finishing names the field.
    let rough = Job::from_json(r#"{"strategy":{"type":"rough"}}"#).unwrap();
    let Err(e) = engine::sample_batch(&m, &m.mesh().bounds(), &rough, 0, &[]) else {
        panic!("rough sampled as parallel")
    };
    assert!(e.to_string().contains("strategy.type"), "{e}");
}

#[test]
fn absurd_worker_counts_are_refused_naming_the_field() {
    for w in [0u32, 257, u32::MAX] {
        let job = Job::from_json(&format!(r#"{{"machine":{{"workers":{w}}}}}"#)).unwrap();
        let e = job.validate().unwrap_err();
        assert_eq!(e.field, "machine.workers", "{w}");
        assert!(e.message.contains("1 to 256"), "{}", e.message);
    }
    let job = Job::from_json(r#"{"machine":{"workers":3}}"#).unwrap();
    assert!(job.validate().is_ok());
}
