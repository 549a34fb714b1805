//! Queries in the browser (B19): the reads a page makes in one tick go out
//! as one batch request and the batch query runs once for all of them; a
//! watched query is fresh after an action from the action's own answer,
//! with no second request. Without JavaScript the same page works from
//! its server-rendered values.

use serde_json::Value;

use crate::support::{Browser, eventually, run};

/// The URLs this page has fetched so far, by path prefix.
async fn fetched(b: &Browser, prefix: &str) -> Vec<String> {
    let script = format!(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname + new URL(e.name).search)\
         .filter(u => u.startsWith('{prefix}'));"
    );
    match b.js(&script).await {
        Value::Array(urls) => urls.into_iter().filter_map(|u| u.as_str().map(str::to_string)).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn reads_made_together_go_out_as_one_batch_and_run_once_b19() {
    run(true, |s, b| async move {
        b.goto("/queries").await;
        b.wait_text("#read", "row 1,row 2,row 3").await;
        let batches = fetched(&b, "/_serac/qb").await;
        assert_eq!(batches.len(), 1, "one request for the three rows: {batches:?}");
        assert_eq!(s.state.count_of("labels"), 1, "{:?}", s.state.events());
        assert!(s.state.events().contains(&"labels [1, 2, 3]".to_string()), "{:?}", s.state.events());
    })
    .await;
}

#[tokio::test]
async fn a_watched_query_is_fresh_after_an_action_without_a_second_request_b19() {
    run(true, |s, b| async move {
        b.goto("/queries").await;
        b.wait_text("#read", "row 3").await;
        let tally_url = b.js("return document.getElementById('tally').getAttribute('data-url');").await;
        let tally_url = tally_url.as_str().expect("url").to_string();
        eventually("the first read of the tally", || s.state.count_of("tally") == 1).await;
        b.mark().await;
        b.click("#bump-btn").await;
        b.wait_text("#tally", "1").await;
        b.click("#bump-btn").await;
        b.wait_text("#tally", "2").await;
        assert!(b.marked().await, "no reload");
        // Read alone, or in the page's first batch (`u=<url>`).
        let encoded: String = form_urlencoded::byte_serialize(tally_url.as_bytes()).collect();
        let reads: Vec<String> = fetched(&b, "/_serac/q")
            .await
            .into_iter()
            .filter(|u| *u == tally_url || u.contains(&format!("u={encoded}")))
            .collect();
        assert_eq!(reads.len(), 1, "only the first read was a request: {reads:?}");
        assert_eq!(s.state.count_of("tally"), 3, "read along with each action: {:?}", s.state.events());
    })
    .await;
}

#[tokio::test]
async fn without_javascript_the_page_shows_its_server_rendered_values_b19() {
    run(false, |s, b| async move {
        b.goto("/queries").await;
        assert_eq!(b.text("#tally").await, "0");
        b.click("#bump-btn").await;
        b.wait_text("#tally", "1").await;
        assert_eq!(s.state.count_of("labels"), 0, "nothing read the rows' query without JavaScript");
    })
    .await;
}
