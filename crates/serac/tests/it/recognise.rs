//! R5: a form post is an action call when one of its text fields is named
//! `$action` or `$button`, wherever it is in the body (within the limit),
//! and never because of bytes inside a file.

use crate::support::*;

/// A saved Serac page, uploaded as a file to one of the app's own routes:
/// its text names an action in every encoding, but it is a file.
#[tokio::test]
async fn an_uploaded_page_that_mentions_an_action_is_the_apps_r5() {
    let s = start().await;
    let page = get(&s, "/").await;
    let id = hidden(&page, "f-increment")[0].1.clone();
    let file = format!("{page}\n%24action={id}&x=1\nname=\"$action\"\r\n\r\n{id}");
    let form = reqwest::multipart::Form::new()
        .text("title", "my saved page")
        .part("file", reqwest::multipart::Part::text(file).file_name("page.html"));
    let res = client()
        .post(format!("{}/own", s.url))
        .header("origin", s.origin())
        .multipart(form)
        .send()
        .await
        .expect("POST");
    let (status, body) = read(res).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("app handled:"), "{body}");
    assert!(s.log().is_empty(), "no action ran: {:?}", s.log());
}

/// JavaScript off, a long form: more than 8 KB of fields before the pressed
/// button that names the action.
#[tokio::test]
async fn a_button_after_many_fields_is_recognised_r5() {
    let s = start().await;
    let html = get(&s, "/").await;
    let mut fields: Vec<(String, String)> = (0..40).map(|i| (format!("field{i}"), "x".repeat(500))).collect();
    fields.push(serac_testkit::button(&html, "plus-100"));
    let res = post_form(&s, "/", &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(s.log(), ["points:100"]);
}

/// The same with the form's own `$action` far from the start, in both
/// encodings.
#[tokio::test]
async fn an_action_field_after_many_fields_is_recognised_r5() {
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    let mut fields: Vec<(String, String)> = (0..40).map(|i| (format!("field{i}"), "y".repeat(500))).collect();
    fields.push(("$action".into(), id.clone()));
    assert_eq!(post_form(&s, "/", &fields).await.status(), 303);
    let mut form = reqwest::multipart::Form::new();
    for i in 0..40 {
        form = form.text(format!("field{i}"), "z".repeat(500));
    }
    form = form.text("$action", id);
    let res = client().post(format!("{}/", s.url)).header("origin", s.origin()).multipart(form).send().await;
    assert_eq!(res.expect("POST").status(), 303);
    assert_eq!(s.log(), ["increment", "increment"]);
}
