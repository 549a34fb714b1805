//! `/invoices`: the list and a create form validated on the server, with a
//! message per field and the typed values kept (S5, S16, S23).

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

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The page.
pub async fn show(State(demo): State<Demo>, page: Page) -> Result<Markup, PageError> {
    // Cached until an action revalidates the tag `invoices` (or a minute).
    let (invoices, loaded_at): (Vec<(i64, String, i64, String)>, String) = page
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
            p.muted #loaded-at { "List loaded at " (loaded_at) " and cached; creating an invoice refreshes it." }
            @if invoices.is_empty() {
                p.muted #no-invoices { "No invoices yet." }
            } @else {
                table #invoices {
                    thead { tr { th { "#" } th { "Customer" } th.num { "Amount" } th { "Status" } } }
                    tbody {
                        @for (id, customer, amount, status) in &invoices {
                            tr id=(format!("invoice-{id}")) {
                                td { (id) } td { (customer) } td.num { (money(*amount)) }
                                td { span class=(format!("badge {status}")) { (status) } }
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
