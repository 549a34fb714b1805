//! `/invoices`: the list and a create form validated on the server, with a
//! message per field and the typed values kept (S5, S16, S23), and a search
//! box: a live GET form with JavaScript, a plain one without, both served by
//! the query `find_invoices` (B19).

use axum::extract::Query;
use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::{field_error, page as layout};

/// The form as typed: everything is text until it validates.
#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
pub struct NewInvoice {
    /// Who pays.
    #[garde(custom(customer_rule))]
    pub customer: String,
    /// In units, like `12.50`.
    #[garde(custom(amount_rule))]
    pub amount: String,
    /// `pending` or `paid`.
    #[garde(custom(status_rule))]
    pub status: String,
}

// Rules with messages written for people (garde's own read like "length is
// lower than 1").
fn customer_rule(value: &str, _: &()) -> garde::Result {
    match value.trim().chars().count() {
        0 => Err(garde::Error::new("Enter the customer's name.")),
        n if n > 100 => Err(garde::Error::new("Keep the customer's name to 100 characters.")),
        _ => Ok(()),
    }
}

fn status_rule(value: &str, _: &()) -> garde::Result {
    if value == "pending" || value == "paid" {
        Ok(())
    } else {
        Err(garde::Error::new("Choose pending or paid."))
    }
}

fn amount_rule(value: &str, _: &()) -> garde::Result {
    match cents(value) {
        Some(c) if c > 0 && c <= 100_000_000 => Ok(()),
        Some(_) => Err(garde::Error::new("Enter an amount between 0.01 and 1,000,000.")),
        None => Err(garde::Error::new("Enter an amount like 12.50.")),
    }
}

/// `12.5` → 1250; `None` for anything that is not a plain amount.
pub fn cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (units, fraction) = text.split_once('.').unwrap_or((text, ""));
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) || units.len() > 9 {
        return None;
    }
    if fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(units.parse::<i64>().ok()? * 100 + fraction)
}

/// Creates an invoice.
#[serac::action]
pub async fn create_invoice(
    cx: Cx,
    State(demo): State<Demo>,
    form: ValidForm<NewInvoice>,
) -> Result<(), ActionError> {
    let cents =
        cents(&form.amount).ok_or_else(|| ActionError::invalid("amount", "Enter an amount like 12.50."))?;
    sqlx::query("INSERT INTO invoices (customer, amount_cents, status) VALUES ($1, $2, $3)")
        .bind(form.customer.trim())
        .bind(cents)
        .bind(&form.status)
        .execute(demo.db.pool())
        .await?;
    cx.revalidate_path("/invoices");
    cx.revalidate_tag("invoices");
    Ok(())
}

/// One invoice as the list shows it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Row {
    /// Its number.
    pub id: i64,
    /// Who pays.
    pub customer: String,
    /// In cents.
    pub amount_cents: i64,
    /// `pending` or `paid`.
    pub status: String,
}

/// The invoices whose customer contains `q` (any case), newest first: the
/// page calls it for a search, and scripts read it at its URL.
#[serac::query]
pub async fn find_invoices(State(demo): State<Demo>, q: String) -> Result<Vec<Row>, ActionError> {
    let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
    let rows = sqlx::query_as(
        "SELECT id, customer, amount_cents, status FROM invoices WHERE lower(customer) LIKE $1 ORDER BY id DESC LIMIT 100",
    )
    .bind(pattern)
    .fetch_all(demo.db.pool())
    .await?;
    Ok(rows)
}

/// The search box's field.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Search {
    /// What to look for in customers' names.
    #[serde(default)]
    pub q: String,
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The page.
pub async fn show(
    State(demo): State<Demo>,
    Query(search): Query<Search>,
    page: Page,
) -> Result<Markup, PageError> {
    let q = search.q.trim().to_string();
    let (invoices, loaded_at): (Vec<Row>, Option<String>) = if q.is_empty() {
        // Cached until an action revalidates the tag `invoices` (or a minute).
        let (rows, at) = page
            .cache()
            .load("invoices:list", &["invoices"], crate::LIST_TTL, || async {
                let rows = sqlx::query_as(
                    "SELECT id, customer, amount_cents, status FROM invoices ORDER BY id DESC LIMIT 100",
                )
                .fetch_all(demo.db.pool())
                .await?;
                Ok::<_, sqlx::Error>((rows, crate::clock()))
            })
            .await?;
        (rows, Some(at))
    } else {
        // A search reads fresh, through the query (a plain call here).
        let rows = find_invoices(State(demo.clone()), q.clone())
            .await
            .map_err(|e| PageError::Query(e.to_string()))?;
        (rows, None)
    };
    let create = create_invoice::action();
    let status = match page.value(create, "status") {
        "paid" => "paid",
        _ => "pending",
    };
    Ok(layout(
        &page,
        "Invoices",
        html! {
            (page.form(create).id("invoice-form").body(html! {
                label { "Customer"
                    input #customer name="customer" autocomplete="off" value=(page.value(create, "customer"))
                        aria-invalid=[page.field_error(create, "customer").map(|_| "true")];
                    (field_error(&page, create, "customer"))
                }
                label { "Amount"
                    input #amount name="amount" inputmode="decimal" placeholder="12.50" value=(page.value(create, "amount"))
                        aria-invalid=[page.field_error(create, "amount").map(|_| "true")];
                    (field_error(&page, create, "amount"))
                }
                fieldset.row {
                    legend { "Status" }
                    label.inline { input type="radio" name="status" value="pending" checked[status == "pending"]; " Pending" }
                    label.inline { input type="radio" name="status" value="paid" checked[status == "paid"]; " Paid" }
                    (field_error(&page, create, "status"))
                }
                button #create-invoice type="submit" data-serac-disable="" { "Create invoice" }
            }))
            (serac::client::query_tags())
            // A live search with JavaScript (no reload, no POST), a plain
            // GET form without it.
            form.row #invoice-search-form method="get" action="/invoices" role="search" data-serac-live=""
                data-serac-debounce="200" data-query-url=(page.query_url(find_invoices::query(), &("",))) {
                label { "Search customers"
                    input #invoice-search type="search" name="q" value=(q) autocomplete="off";
                }
                button #invoice-search-go type="submit" { "Search" }
            }
            @if let Some(at) = &loaded_at {
                p.muted #loaded-at { "List loaded at " (at) " and cached; creating an invoice refreshes it." }
            }
            @if invoices.is_empty() && q.is_empty() {
                p.muted #no-invoices { "No invoices yet." }
            } @else if invoices.is_empty() {
                p.muted #no-invoices { "No invoice for “" (q) "”." }
            } @else {
                table #invoices {
                    thead { tr { th { "#" } th { "Customer" } th.num { "Amount" } th { "Status" } } }
                    tbody {
                        @for row in &invoices {
                            tr id=(format!("invoice-{}", row.id)) {
                                td { (row.id) } td { (row.customer) } td.num { (money(row.amount_cents)) }
                                td { span class=(format!("badge {}", row.status)) { (row.status) } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::cents;

    #[test]
    fn amounts_parse_to_cents() {
        assert_eq!(cents("12.50"), Some(1250));
        assert_eq!(cents("12.5"), Some(1250));
        assert_eq!(cents("7"), Some(700));
        assert_eq!(cents(" 0.01 "), Some(1));
        for bad in ["", "-1", "1.234", "1e3", "abc", ".5", "1,00", "9999999999"] {
            assert_eq!(cents(bad), None, "{bad}");
        }
    }
}
