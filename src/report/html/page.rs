//! The page of an HTML report: its data in, the bytes of one self-contained HTML file out.
//!
//! The file has no outside references: its CSS and JavaScript (`report.css`, `report.js`, beside
//! this file) are inline and it loads nothing, so it opens from disk and can be mailed. The data
//! (documents, scores, passages) is one JSON object inside `<script type="application/json">`,
//! written through [`ScriptSafe`], which turns every `<`, `>` and `&` into a `\u003c`-style escape,
//! so no text can close the script element. The title, the page's only text outside the data, goes
//! through [`escape_html`].

use std::io::{self, Write};

use serde::Serialize;

use super::dedup::DedupData;
use super::view::{DocData, PairData};

pub(super) const STYLE: &str = include_str!("report.css");
pub(super) const SCRIPT: &str = include_str!("report.js");

/// Everything the page's script draws from.
#[derive(Serialize)]
pub(super) struct Data<'r> {
    pub(super) title: &'r str,
    pub(super) docs: &'r [DocData],
    pub(super) pairs: &'r [PairData],
    pub(super) dedup: Option<&'r DedupData>,
}

/// Writes the page of `data`.
pub(super) fn write_page(mut w: impl Write, data: &Data<'_>) -> io::Result<()> {
    w.write_all(
        b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
          <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
          <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
          style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; \
          base-uri 'none'; form-action 'none'\">\n\
          <meta name=\"generator\" content=\"neardup\">\n<title>",
    )?;
    w.write_all(escape_html(data.title).as_bytes())?;
    w.write_all(b"</title>\n<style>\n")?;
    w.write_all(STYLE.as_bytes())?;
    w.write_all(
        b"</style>\n</head>\n<body>\n<noscript><p class=\"noscript\">This report is drawn by \
          JavaScript; allow scripts for this file to see it.</p></noscript>\n\
          <main id=\"app\"></main>\n<script type=\"application/json\" id=\"neardup-data\">",
    )?;
    let mut safe = ScriptSafe(&mut w);
    serde_json::to_writer(&mut safe, data)?;
    w.write_all(b"</script>\n<script>\n")?;
    w.write_all(SCRIPT.as_bytes())?;
    w.write_all(b"</script>\n</body>\n</html>\n")
}

/// Text for an HTML element or a quoted attribute.
pub(super) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A writer of JSON that is safe inside a `<script>` element: `<`, `>` and `&`, which JSON has only
/// inside strings, become `\u003c`, `\u003e` and `\u0026`, so no `</script>` or `<!--` can appear.
pub(super) struct ScriptSafe<W: Write>(pub(super) W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for (i, &byte) in buf.iter().enumerate() {
            let escaped: &[u8] = match byte {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.0.write_all(&buf[start..i])?;
            self.0.write_all(escaped)?;
            start = i + 1;
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let mut out = Vec::new();
        ScriptSafe(&mut out)
            .write_all(b"{\"t\":\"</script><!-- & \"}")
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"t":"\u003c/script\u003e\u003c!-- \u0026 "}"#
        );
    }
}
