//! Failures: user panics, retries, argument errors, configuration errors; the context stays
//! usable after each.

use crate::common::{ctx, ctx_with, sorted};
use ember::{Conf, Context, EngineError, Error, TaskContext};

#[test]
fn a_job_whose_task_always_panics_fails_with_the_message() {
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=10).collect::<Vec<i32>>(), 2).map(|x| {
        if x == 7 {
            panic!("cannot handle {x}")
        } else {
            x
        }
    });
    let err = rdd.collect().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("cannot handle 7"), "{msg}");
    assert!(msg.contains("failed 4 times"), "{msg}");
    assert!(matches!(err, Error::Job(_)), "{err:?}");
    assert_eq!(
        err.engine_error(),
        Some(&EngineError::UserPanic {
            message: "cannot handle 7".to_string()
        })
    );
    // The context still runs jobs, including ones over the same lineage's good part.
    assert_eq!(rdd.filter(|_| true).take(3).unwrap(), vec![1, 2, 3]);
    let ok = ctx
        .parallelize(vec![1, 2, 3], 3)
        .map(|x| x * 2)
        .collect()
        .unwrap();
    assert_eq!(ok, vec![2, 4, 6]);
    // And fails the same way again.
    assert!(
        rdd.count()
            .unwrap_err()
            .to_string()
            .contains("cannot handle 7")
    );
}

#[test]
fn a_panic_in_a_map_stage_fails_the_job_and_later_shuffles_work() {
    let ctx = ctx();
    let bad = ctx
        .parallelize(vec![("a".to_string(), 1), ("b".to_string(), 2)], 2)
        .map(|(k, v)| {
            if k == "b" {
                panic!("bad key {k}");
            }
            (k, v)
        })
        .reduce_by_key(|a, b| a + b);
    let err = bad.collect().unwrap_err();
    assert!(err.to_string().contains("bad key b"), "{err}");
    let good = ctx
        .parallelize(vec![("a".to_string(), 1), ("a".to_string(), 2)], 2)
        .reduce_by_key(|a, b| a + b);
    assert_eq!(good.collect().unwrap(), vec![("a".to_string(), 3)]);
}

#[test]
fn max_failures_bounds_the_retries() {
    let fail_once = |ctx: &Context| {
        ctx.parallelize(vec![1, 2, 3], 3)
            .map(|x| {
                if TaskContext::get().unwrap().attempt_number() == 0 && x == 2 {
                    panic!("flaky");
                }
                x
            })
            .collect()
    };
    let strict = ctx_with("local[2]", &[("ember.task.maxFailures", "1")]);
    let err = fail_once(&strict).unwrap_err();
    assert!(err.to_string().contains("failed 1 times"), "{err}");
    let lenient = ctx_with("local[2]", &[("ember.task.maxFailures", "2")]);
    assert_eq!(fail_once(&lenient).unwrap(), vec![1, 2, 3]);
}

#[test]
fn zip_mismatches() {
    let ctx = ctx();
    let a = ctx.parallelize(vec![1, 2, 3, 4], 2);
    let three = ctx.parallelize(vec![1, 2, 3, 4], 3);
    let err = a.zip(&three).err().expect("different partition counts");
    assert!(
        matches!(err, Error::Engine(EngineError::InvalidArgument { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("2 vs 3"), "{err}");
    // Same partition count, different element counts: found when the job runs.
    let b = ctx.parallelize(vec![1, 2, 3, 4, 5], 2);
    let zipped = a.zip(&b).expect("partition counts match");
    let err = zipped.collect().unwrap_err();
    assert!(err.to_string().contains("same number of elements"), "{err}");
    assert!(matches!(
        err.engine_error(),
        Some(EngineError::InvalidArgument { .. })
    ));
    // A filtered side can mismatch too, and the context survives.
    let c = a.filter(|x| *x != 1);
    assert!(a.zip(&c).unwrap().count().is_err());
    assert_eq!(a.zip(&a.map(|x| x * 2)).unwrap().count().unwrap(), 4);
}

#[test]
fn empty_rdd_errors_name_the_action() {
    let ctx = ctx();
    let e = ctx.parallelize(Vec::<u8>::new(), 2);
    assert_eq!(
        e.reduce(|a, b| a + b).unwrap_err().to_string(),
        "reduce of an empty RDD"
    );
    assert_eq!(e.first().unwrap_err().to_string(), "first of an empty RDD");
    assert_eq!(e.max().unwrap_err().to_string(), "max of an empty RDD");
}

#[test]
fn checkpoint_without_a_directory_is_an_error() {
    let ctx = ctx();
    assert!(ctx.checkpoint_dir().is_none());
    let rdd = ctx.parallelize(vec![1, 2], 1);
    let err = rdd.checkpoint().unwrap_err();
    assert!(
        matches!(err, Error::Engine(EngineError::NoCheckpointDir { rdd: id }) if id == rdd.id()),
        "{err:?}"
    );
    assert!(err.to_string().contains("set_checkpoint_dir"), "{err}");
    assert!(!rdd.is_checkpointed());
    assert_eq!(rdd.collect().unwrap(), vec![1, 2]);
    assert!(!rdd.is_checkpointed());
}

#[test]
fn invalid_arguments() {
    let ctx = ctx();
    let err = ctx.range(0, 10, 0, 2).err().expect("zero step");
    assert!(err.to_string().contains("step"), "{err}");
    let rdd = ctx.parallelize(vec![1, 2, 3], 2);
    assert!(rdd.sample(false, 1.5, 1).is_err());
    assert!(rdd.sample(false, -0.1, 1).is_err());
    assert!(rdd.sample(true, -1.0, 1).is_err());
    assert!(rdd.sample(true, 1.5, 1).is_ok());
    assert!(rdd.sample(false, f64::NAN, 1).is_err());
}

#[test]
fn invalid_configuration() {
    for bad in [
        "local[0]",
        "local[x]",
        "yarn",
        "ember://no-port",
        "local-cluster[0,1,1024]",
        "local-cluster[2,1]",
    ] {
        let err = Context::new(Conf::new().master(bad))
            .err()
            .expect("bad master");
        assert!(matches!(err, Error::Conf { .. }), "{err:?}");
        assert!(err.to_string().contains(bad), "{err}");
    }
    // A master that does not resolve is named.
    let err = Context::new(Conf::new().master("ember://no-such-host.invalid:7077"))
        .err()
        .expect("unknown master")
        .to_string();
    assert!(err.contains("no-such-host.invalid:7077"), "{err}");
    for (key, value) in [
        ("ember.task.maxFailures", "zero"),
        ("ember.task.maxFailures", "0"),
        ("ember.memory.storage", "lots"),
        ("ember.ui.showConsoleProgress", "maybe"),
    ] {
        let err = Context::new(Conf::new().master("local[1]").set(key, value))
            .err()
            .expect("bad value");
        assert!(err.to_string().contains(key), "{err}");
        assert!(err.to_string().contains(value), "{err}");
    }
    let ctx = ctx_with("local[2]", &[("ember.default.parallelism", "5")]);
    assert_eq!(ctx.default_parallelism(), 5);
    assert_eq!(ctx.default_min_partitions(), 2);
    // Shuffles without a partitioned parent use the configured parallelism.
    let r = ctx
        .parallelize(vec![(1, 1), (2, 2)], 2)
        .reduce_by_key(|a, b| a + b);
    assert_eq!(r.num_partitions(), 5);
    assert_eq!(sorted(r.collect().unwrap()), vec![(1, 1), (2, 2)]);
}
