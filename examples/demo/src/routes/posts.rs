//! `/posts`, `/posts/{id}` and `/posts/{id}/edit`: a draft saved while typing
//! (debounced), and two buttons of one form with their own actions: "Save
//! draft" and "Publish", which revalidates the `posts` tag and redirects to
//! the post (S14, S20, S23, S24).

use axum::extract::Path;
use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::{field_error, page as layout};

/// The editor's form.
#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
pub struct Draft {
    /// The text being written.
    #[garde(length(chars, max = 20_000))]
    pub draft: String,
}

/// Saves the draft of post `post_id`.
#[serac::action]
pub async fn save_draft(
    cx: Cx,
    State(demo): State<Demo>,
    Bound(post_id): Bound<i64>,
    form: ValidForm<Draft>,
) -> Result<(), ActionError> {
    let done = sqlx::query("UPDATE posts SET draft = $1 WHERE id = $2")
        .bind(&form.draft)
        .bind(post_id)
        .execute(demo.db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ActionError::not_found("This post no longer exists."));
    }
    cx.revalidate_path(format!("/posts/{post_id}/edit"));
    Ok(())
}

/// Publishes what was typed and shows the post.
#[serac::action]
pub async fn publish_post(
    cx: Cx,
    State(demo): State<Demo>,
    Bound(post_id): Bound<i64>,
    form: ValidForm<Draft>,
) -> Result<(), ActionError> {
    if form.draft.trim().is_empty() {
        return Err(ActionError::invalid("draft", "Write something before publishing."));
    }
    let done = sqlx::query(
        "UPDATE posts SET draft = $1, body = $1, published = 1, version = version + 1 WHERE id = $2",
    )
    .bind(&form.draft)
    .bind(post_id)
    .execute(demo.db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(ActionError::not_found("This post no longer exists."));
    }
    cx.revalidate_tag("posts");
    Err(redirect(format!("/posts/{post_id}")))
}

/// `/posts`: the published posts.
pub async fn list(State(demo): State<Demo>, page: Page) -> Result<Markup, PageError> {
    // Cached until publishing revalidates the tag `posts` (or a minute).
    let (posts, loaded_at): (Vec<(i64, String, String)>, String) = page
        .cache()
        .load("posts:list", &["posts"], crate::LIST_TTL, || async {
            let rows = sqlx::query_as("SELECT id, title, body FROM posts WHERE published = 1 ORDER BY id")
                .fetch_all(demo.db.pool())
                .await?;
            Ok::<_, sqlx::Error>((rows, crate::clock()))
        })
        .await?;
    Ok(layout(
        &page,
        "Posts",
        html! {
            p.muted #loaded-at { "List loaded at " (loaded_at) " and cached; publishing refreshes it." }
            ul.cards #posts {
                @for (id, title, body) in &posts {
                    li { a href=(format!("/posts/{id}")) { (title) } p.muted { (body) } }
                }
            }
        },
    ))
}

/// `/posts/{id}`.
pub async fn show(State(demo): State<Demo>, Path(id): Path<i64>, page: Page) -> Result<Markup, PageError> {
    let post: Option<(String, String)> =
        sqlx::query_as("SELECT title, body FROM posts WHERE id = $1 AND published = 1")
            .bind(id)
            .fetch_optional(demo.db.pool())
            .await?;
    let Some((title, body)) = post else {
        return Err(PageError::NotFound(format!("There is no published post {id}.")));
    };
    Ok(layout(
        &page,
        &title,
        html! {
            article #post-body { p { (body) } }
            p { a href=(format!("/posts/{id}/edit")) { "Edit" } " · " a href="/posts" { "All posts" } }
        },
    ))
}

/// `/posts/{id}/edit`.
pub async fn edit(State(demo): State<Demo>, Path(id): Path<i64>, page: Page) -> Result<Markup, PageError> {
    let post: Option<(String, String)> = sqlx::query_as("SELECT title, draft FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(demo.db.pool())
        .await?;
    let Some((title, draft)) = post else {
        return Err(PageError::NotFound(format!("There is no post {id}.")));
    };
    let save = save_draft::action();
    let publish = publish_post::action();
    let typed = page.submitted(save).or(page.submitted(publish)).and_then(|s| s.value("draft"));
    Ok(layout(
        &page,
        &format!("Edit “{title}”"),
        html! {
            (page.form(save.bind(id)).id("editor").attr("data-serac-on", "input").attr("data-serac-debounce", "500").body(html! {
                label for="draft" { "Draft" }
                textarea #draft name="draft" { (typed.unwrap_or(&draft)) }
                (field_error(&page, save, "draft"))
                (field_error(&page, publish, "draft"))
                p.muted #draft-status { "Saved drafts appear here as you type: " span #saved-draft { (draft) } }
                div.row {
                    button.secondary #save-draft type="submit" { "Save draft" }
                    (page.button(publish.bind(id)).attr("id", "publish").label("Publish"))
                }
            }))
        },
    ))
}
