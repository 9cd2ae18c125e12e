//! A rebuild from the log produces the same read models as the incrementally built ones, and
//! queries keep answering while it runs.

mod support;

use std::process::Command;

use support::{Log, Projection, generate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_equals_the_incremental_build_and_queries_keep_answering() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let last = *log.append(&generate(4_000, 7)).await.last().unwrap();
    p.wait_applied(last).await;
    let incremental = p.store().dump().unwrap();
    let old_path = p.store().path().to_owned();

    // Queries during the rebuild answer from the old state.
    let addr = p.addr;
    let querying = tokio::spawn(async move {
        let mut answered = 0;
        for _ in 0..50 {
            let r = reqwest::get(format!("http://{addr}/v1/relationships/o1/o2"))
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            answered += 1;
        }
        answered
    });
    let report = p.rebuilder.run().await.expect("rebuild");
    assert_eq!(report.checkpoint, last);
    assert_eq!(querying.await.unwrap(), 50);
    assert_ne!(p.store().path(), old_path);
    assert_eq!(p.store().dump().unwrap(), incremental);

    // The live database keeps following the log after the switch.
    let more = *log
        .append(&generate(4_100, 7)[4_000..])
        .await
        .last()
        .unwrap();
    p.wait_applied(more).await;

    // The command asks the running instance to rebuild.
    let out = Command::new(env!("CARGO_BIN_EXE_liaison-projection"))
        .args(["--http-addr", &p.addr.to_string(), "rebuild"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("\"checkpoint\":{more}")));
    let after_second = p.store().dump().unwrap();
    let data_dir = p.data_dir.clone();
    let live = p.store().path().to_owned();
    p.stop().await;
    assert_eq!(
        std::fs::read_to_string(data_dir.join("CURRENT"))
            .unwrap()
            .trim(),
        live.file_name().unwrap().to_string_lossy()
    );

    // A fresh start on the same data directory opens the rebuilt database.
    let again = Projection::start(&log.server.url(), data_dir, |_| {}).await;
    assert_eq!(again.store().path(), live);
    assert_eq!(again.store().dump().unwrap(), after_second);
    again.stop().await;
}
