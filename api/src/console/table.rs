//! A table of figures written once and shown twice: as HTML on a page and
//! as the CSV behind its download link, so that the two never disagree.
//! Each cell carries what a person reads (money in yuan, rates in percent,
//! a link) and what the CSV holds (the API's machine value).

use actix_web::{HttpResponse, http::header};
use maud::{Markup, html};

use super::error::ConsoleError;

/// One cell: its HTML and its CSV value; numbers are right-aligned.
#[derive(Debug)]
pub struct Cell {
    pub html: Markup,
    pub csv: String,
    pub num: bool,
}

impl Cell {
    /// Text, the same on the page and in the file.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            html: html! { (text) },
            csv: text,
            num: false,
        }
    }

    /// A link to `href` on the page, its text in the file.
    pub fn link(href: &str, text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            html: html! { a href=(href) { (text) } },
            csv: text,
            num: false,
        }
    }

    /// A count: thousands separators on the page, the plain number in the file.
    pub fn count(n: i64) -> Self {
        Self {
            html: html! { (super::ui::count(n.unsigned_abs())) },
            csv: n.to_string(),
            num: true,
        }
    }

    /// Money in fen: yuan on the page (`¥1,234.00`), yuan with two decimals in the file.
    pub fn money(fen: i64) -> Self {
        let sign = if fen < 0 { "-" } else { "" };
        let abs = fen.unsigned_abs();
        Self {
            html: html! { (super::ui::money(fen)) },
            csv: format!("{sign}{}.{:02}", abs / 100, abs % 100),
            num: true,
        }
    }

    /// A rate from 0 to 1: percent to one decimal on the page, the API's value in the file; empty without one.
    pub fn rate(rate: Option<f64>) -> Self {
        Self {
            html: html! { (percent(rate)) },
            csv: rate.map(|r| r.to_string()).unwrap_or_default(),
            num: true,
        }
    }

    /// A number shown and written as given (hours, a score).
    pub fn number(value: Option<f64>, decimals: usize) -> Self {
        let shown = value.map_or_else(|| "—".to_owned(), |v| format!("{v:.decimals$}"));
        Self {
            html: html! { (shown) },
            csv: value.map(|v| v.to_string()).unwrap_or_default(),
            num: true,
        }
    }

    /// Nothing (no target): a dash on the page, empty in the file.
    pub fn blank() -> Self {
        Self {
            html: html! { "—" },
            csv: String::new(),
            num: true,
        }
    }
}

/// `0.3333` as `33.3%`; a dash without a rate.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// A header line and rows of cells.
#[derive(Debug)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as the page shows it (sticky header, numbers right-aligned).
    pub fn html(&self) -> Markup {
        let numeric: Vec<bool> = (0..self.header.len())
            .map(|i| self.rows.first().and_then(|r| r.get(i)).is_some_and(|c| c.num))
            .collect();
        html! {
            div.table-wrap {
                table {
                    thead {
                        tr {
                            @for (i, h) in self.header.iter().enumerate() {
                                @if numeric[i] { th.num scope="col" { (h) } } @else { th scope="col" { (h) } }
                            }
                        }
                    }
                    tbody {
                        @for row in &self.rows {
                            tr {
                                @for cell in row {
                                    @if cell.num { td.num { (cell.html) } } @else { td { (cell.html) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The table as a CSV download named `file`.
    pub fn csv(&self, file: &str) -> Result<HttpResponse, ConsoleError> {
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.csv.clone()).collect())
            .collect();
        // A byte-order mark first: without it Excel reads UTF-8 as the
        // system's code page and garbles the Chinese names.
        let mut body = UTF8_BOM.as_bytes().to_vec();
        body.extend(domain::sales::csv::table(&self.header, &rows)?);
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")))
            .body(body))
    }
}

/// The byte-order mark that opens every CSV download.
const UTF8_BOM: &str = "\u{feff}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_yuan_with_two_decimals_in_the_file() {
        assert_eq!(Cell::money(123_456_789).csv, "1234567.89");
        assert_eq!(Cell::money(-5).csv, "-0.05");
        assert_eq!(Cell::money(0).csv, "0.00");
    }

    #[test]
    fn a_rate_is_a_percent_on_the_page_and_the_apis_value_in_the_file() {
        let cell = Cell::rate(Some(0.3333));
        assert_eq!(cell.html.into_string(), "33.3%");
        assert_eq!(cell.csv, "0.3333");
        assert_eq!(Cell::rate(None).csv, "");
    }
}
