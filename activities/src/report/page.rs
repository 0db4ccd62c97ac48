//! The page's building blocks: escaping, the shell with its inline style and a content
//! security policy that forbids every fetch, tables, figures and notes.

use std::fmt::Write;

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 48px;color:#1a1a1a}\
h1{font-size:1.5em;margin:20px 0 4px}h2{border-bottom:2px solid #333;padding-bottom:4px;margin-top:36px}\
h3{margin:20px 0 6px}nav a{margin-right:14px}\
table{border-collapse:collapse;font-size:13px;margin:8px 0}\
th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.OVER{color:#0a6b2e;font-weight:bold}.UNDER{color:#a3261a;font-weight:bold}.PASS{color:#777}\
.note{background:#fff6d8;border-left:4px solid #d9a400;padding:6px 10px;margin:8px 0}\
.bad{background:#fde4e1;border-left:4px solid #b3261e;padding:6px 10px;margin:8px 0}\
figure{margin:10px 0}figure.plot svg{max-width:100%;height:auto}\
.missing{color:#8a5a00;font-style:italic}.meta{color:#555;font-size:13px}";

/// A whole page: the title, then `body`. No script, font or image is fetched: the policy
/// allows inline style and nothing else.
pub fn shell(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// A section with an id the page's navigation links to.
pub fn section(id: &str, heading: &str, body: &str) -> String {
    format!(
        "<section id=\"{id}\"><h2>{}</h2>\n{body}</section>\n",
        escape(heading)
    )
}

/// A plot, or the reason it is missing, under `name` (the `data-plot` the browser test finds).
pub fn figure(name: &str, drawn: Result<String, String>) -> String {
    match drawn {
        Ok(svg) => format!("<figure class=\"plot\" data-plot=\"{name}\">{svg}</figure>\n"),
        Err(why) => format!(
            "<figure class=\"missing\" data-plot=\"{name}\">No plot: {}.</figure>\n",
            escape(&why)
        ),
    }
}

pub fn note(text: &str) -> String {
    format!("<p class=\"note\">{}</p>\n", escape(text))
}

pub fn bad(text: &str) -> String {
    format!("<p class=\"bad\">{}</p>\n", escape(text))
}

/// A cell: text (escaped), numeric (right-aligned), or HTML already made safe.
pub enum Cell {
    Text(String),
    Num(String),
    Class(String, String),
}

pub fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

pub fn num(x: Option<f64>, decimals: usize) -> Cell {
    Cell::Num(x.map_or_else(|| "–".into(), |v| format!("{v:.decimals$}")))
}

pub fn int(x: impl std::fmt::Display) -> Cell {
    Cell::Num(x.to_string())
}

pub fn pct(x: Option<f64>) -> Cell {
    Cell::Num(x.map_or_else(|| "–".into(), |v| format!("{:.1}%", v * 100.0)))
}

/// Text in a CSS class (the calls are coloured by theirs).
pub fn classed(class: &str, s: impl Into<String>) -> Cell {
    Cell::Class(class.into(), s.into())
}

/// A table with a header row; numeric columns are those whose header starts with `#`
/// (the `#` is dropped).
pub fn table(headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in headers {
        match h.strip_prefix('#') {
            Some(h) => write!(out, "<th class=\"n\">{}</th>", escape(h)),
            None => write!(out, "<th>{}</th>", escape(h)),
        }
        .expect("writing to a String");
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            match cell {
                Cell::Text(s) => write!(out, "<td>{}</td>", escape(s)),
                Cell::Num(s) => write!(out, "<td class=\"n\">{}</td>", escape(s)),
                Cell::Class(c, s) => write!(out, "<td class=\"{}\">{}</td>", escape(c), escape(s)),
            }
            .expect("writing to a String");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_a_sportsbook_cannot_inject_markup() {
        let html = table(&["player"], &[vec![text("<script>x</script> O'Neal & co")]]);
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt; O&#39;Neal &amp; co"));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn the_shell_forbids_every_fetch() {
        let page = shell("t", "<p>x</p>");
        assert!(page.contains("default-src 'none'"));
        assert!(!page.contains("<script"));
        let without_icon = page.replace("<link rel=\"icon\" href=\"data:,\">", "");
        assert!(
            !without_icon.contains("<link"),
            "only the empty inline icon"
        );
    }
}
