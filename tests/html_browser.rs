//! Renders real reports in headless Chromium and reads the DOM its scripts built: the seed pair's
//! added and dropped passages carry their marks, shared passages have twins on both sides, and a
//! document made of script-injection attempts executes nothing.
//!
//! Chromium is Debian's `chromium` package (`.ci/run` installs it when it is missing). Where there
//! is none, each test prints "SKIPPED: chromium not found" on standard error and passes.

mod util;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use util::{lossy, neardup, read_repo, ARTICLE, REPOST};

/// The browser: `$NEARDUP_CHROMIUM`, or the first of the usual names on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NEARDUP_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Says on standard error, past the test harness's capture, that a test did not run.
fn skip(test: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: chromium not found, {test} did not run (install Debian's `chromium`)"
    );
}

/// Loads `page` in headless Chromium, lets its scripts run, and returns the serialized DOM.
fn render(browser: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read the DOM while the browser writes it, so that a full pipe never stalls it.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        stdout.read_to_string(&mut dom).map(|_| dom)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish rendering {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium failed on {}", page.display());
    reader.join().unwrap().expect("chromium writes UTF-8")
}

fn compare_html(a: &str, b: &str, html: &Path) {
    let out = neardup(&["compare", a, b, "--html"]).arg(html).output();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
}

/// Text of a serialized DOM fragment: tags dropped, entities decoded, whitespace folded.
fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The texts of the passage spans whose opening tag has `attr` (e.g. `data-role="added"`).
fn passages(dom: &str, attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(at) = rest.find("<span class=\"p ") {
        rest = &rest[at..];
        let open_end = rest.find('>').unwrap();
        let open = &rest[..open_end];
        // Passage spans nest only marks and empty gap spans: the passage ends at the first
        // `</span>` that closes more than it opened.
        let mut depth = 0;
        let mut end = open_end;
        let body = &rest[open_end + 1..];
        let mut i = 0;
        while i < body.len() {
            if body[i..].starts_with("<span") {
                depth += 1;
            } else if body[i..].starts_with("</span>") {
                if depth == 0 {
                    end = open_end + 1 + i;
                    break;
                }
                depth -= 1;
            }
            i += body[i..].chars().next().unwrap().len_utf8();
        }
        if open.contains(attr) {
            out.push(text_of(&rest[open_end + 1..end]));
        }
        rest = &rest[open_end..];
    }
    out
}

#[test]
fn seeds_report_marks_added_and_dropped_passages_in_the_browser() {
    let Some(browser) = chromium() else {
        return skip("seeds_report_marks_added_and_dropped_passages_in_the_browser");
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("seeds-report.html");
    compare_html(REPOST, ARTICLE, &page);
    let dom = render(&browser, &page);
    assert!(dom.contains("data-rendered=\"yes\""), "the script ran");
    let added = passages(&dom, "data-role=\"added\"");
    let dropped = passages(&dom, "data-role=\"dropped\"");
    for phrase in ["Saturday, July 22, 2023", "No comments: Post a Comment"] {
        assert!(
            added.iter().any(|p| p.contains(phrase)),
            "{phrase} marked added: {added:?}"
        );
        assert!(!dropped.iter().any(|p| p.contains(phrase)));
    }
    let hass = "Both resent and feel threatened by Western leadership";
    assert!(
        dropped
            .iter()
            .any(|p| p.contains(hass) && p.contains("said Ryan Hass")),
        "the Ryan Hass quote marked dropped"
    );
    assert!(!added.iter().any(|p| p.contains("Ryan Hass")));
    // Added passages are in A's column, dropped ones in B's.
    assert!(passages(&dom, "data-side=\"a\"")
        .iter()
        .any(|p| p.contains("No comments")));
    assert!(!passages(&dom, "data-side=\"b\"")
        .iter()
        .any(|p| p.contains("No comments")));
    // A changed passage marks its small edits inline, on both sides.
    assert!(dom.contains("<mark class=\"edit edit-added\""));
    assert!(dom.contains("<mark class=\"edit edit-dropped\""));
    let changed_a = passages(&dom, "data-kind=\"changed\" data-side=\"a\"");
    assert!(changed_a
        .iter()
        .any(|p| p.contains("Among the d eals signed")));
    // Shared passages are linked: each has a twin with the same number on the other side.
    for k in 0..30 {
        let on = |side: &str| {
            dom.contains(&format!(
                "data-p=\"{k}\" data-kind=\"shared\" data-side=\"{side}\""
            ))
        };
        assert_eq!(on("a"), on("b"), "passage {k}");
    }
    // The legend and the jump list are there.
    assert!(dom.contains("class=\"legend\""));
    assert!(text_of(&dom).contains("added in 000_97b1e3636e8cd943.txt"));
    assert!(dom.matches("class=\"jump role-added\"").count() >= 2);
    assert!(dom.matches("class=\"jump role-dropped\"").count() >= 3);
}

#[test]
fn injected_markup_executes_nothing_in_the_browser() {
    let Some(browser) = chromium() else {
        return skip("injected_markup_executes_nothing_in_the_browser");
    };
    let dir = tempfile::tempdir().unwrap();
    let story = "The city council approved the new budget on Tuesday after a long debate about \
                 road repairs, school funding and the future of the public library downtown. ";
    let attacks = [
        "<script>document.documentElement.dataset.pwned = 'script'; document.title = 'pwned'</script>",
        "</script><img src=x onerror=\"document.documentElement.dataset.pwned = 'img'\">",
        "</textarea><svg onload=\"document.documentElement.dataset.pwned = 'svg'\"></svg>",
        "<a href=\"javascript:document.documentElement.dataset.pwned='link'\">click me</a>",
        "javascript:alert(1) \"double\" 'single' &amp; <!-- comment -->",
        "<iframe srcdoc=\"<script>parent.document.title='pwned'</script>\"></iframe>",
    ];
    let a_text = format!(
        "Posted by a blog. {}{story}{}",
        attacks[..3].join(" "),
        story
    );
    let b_text = format!(
        "{story}{} Reporting by the newsroom. {}",
        attacks[3..].join(" "),
        story
    );
    // File names are ids, shown in the page and its title: they carry markup too.
    let a = dir
        .path()
        .join("a<img src=x onerror=\"document.title='pwned'\">.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, &a_text).unwrap();
    std::fs::write(&b, &b_text).unwrap();
    let page = dir.path().join("inject.html");
    compare_html(a.to_str().unwrap(), b.to_str().unwrap(), &page);
    let dom = render(&browser, &page);
    assert!(
        dom.contains("data-rendered=\"yes\""),
        "the report's own script ran"
    );
    let html_tag = &dom[dom.find("<html").unwrap()..];
    let html_tag = &html_tag[..html_tag.find('>').unwrap()];
    assert!(
        !html_tag.contains("data-pwned"),
        "an injected script ran: {html_tag}"
    );
    assert!(!dom.contains("data-pwned"), "an injected script ran");
    let title_at = dom.find("<title>").unwrap() + "<title>".len();
    let title = &dom[title_at..title_at + dom[title_at..].find("</title>").unwrap()];
    let name = "a&lt;img src=x onerror=\"document.title='pwned'\"&gt;.txt compared with /";
    assert!(title.contains(name), "{title}");
    let body = &dom[dom.find("<body").unwrap()..];
    for tag in [
        "<img",
        "<svg",
        "<iframe",
        "<textarea",
        "<a href=\"javascript",
    ] {
        assert!(!body.contains(tag), "{tag} became an element");
    }
    // The attacks are shown, as text, in the two columns.
    let (col_a, col_b) = (column(&dom, "a"), column(&dom, "b"));
    assert_eq!(col_a, text_of_plain(&a_text));
    assert_eq!(col_b, text_of_plain(&b_text));
    for attack in &attacks[..3] {
        assert!(
            passages(&dom, "data-role=\"added\"")
                .iter()
                .any(|p| p.contains(&text_of_plain(attack))),
            "{attack} is marked added, as text"
        );
    }
}

/// How a text reads once its whitespace is folded (what `text_of` gives for a text node).
fn text_of_plain(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of one side's column, as shown.
fn column(dom: &str, side: &str) -> String {
    let open = format!("<div class=\"text\" data-side=\"{side}\"");
    let start = dom.find(&open).unwrap();
    let end = start + dom[start..].find("</div>").unwrap();
    text_of(&dom[start..end])
}

#[test]
fn dedup_report_shows_the_run_and_opens_a_pair_in_the_browser() {
    let Some(browser) = chromium() else {
        return skip("dedup_report_shows_the_run_and_opens_a_pair_in_the_browser");
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    let page = dir.path().join("d.html");
    let run = |args: &[&str]| {
        let out = neardup(args).output();
        assert!(out.status.success(), "{}", lossy(&out.stderr));
    };
    let (c, p) = (corpus.to_str().unwrap(), page.to_str().unwrap());
    run(&["synth", "--docs", "300", "--derived", "0.3", "--out", c]);
    run(&["dedup", c, "--html", p, "--html-max-pairs", "5"]);
    let dom = render(&browser, &page);
    assert!(dom.contains("data-rendered=\"yes\""));
    let text = text_of(&dom);
    assert!(text.contains("Dedup: 300 documents read"), "{text}");
    assert!(
        text.contains("This report holds the views of 5 pairs;"),
        "{text}"
    );
    assert!(text.contains("left out (--html-max-pairs bounds the report)"));
    assert!(dom.matches("href=\"#pair-").count() >= 5);
    // A pair's address opens its view.
    let mut pair_page = page.clone().into_os_string();
    pair_page.push("#pair-4");
    let dom = render(&browser, Path::new(&pair_page));
    assert!(dom.contains("<article class=\"pair\" data-pair=\"4\""));
    assert!(dom.contains("<div class=\"text\" data-side=\"a\""));
    assert!(dom.contains("data-kind=\"shared\"") || dom.contains("data-kind=\"changed\""));
    assert!(text_of(&dom).contains("back to the run"));
}

#[test]
fn several_pairs_are_listed_above_the_chosen_view() {
    use neardup::report::html::{write_pair_report, PairView};
    use neardup::{Comparer, Document};
    let Some(browser) = chromium() else {
        return skip("several_pairs_are_listed_above_the_chosen_view");
    };
    let page_doc = Document::new("page.txt", read_repo(REPOST));
    let sources = [
        Document::new("article.txt", read_repo(ARTICLE)),
        Document::new(
            "other.txt",
            "A text about something else entirely, with no words in common.",
        ),
    ];
    let c = Comparer::default();
    let pairs: Vec<_> = sources.iter().map(|s| c.compare(&page_doc, s)).collect();
    let views: Vec<PairView> = pairs
        .iter()
        .zip(&sources)
        .map(|(p, s)| {
            PairView::new(p, &page_doc.text, &s.text).labels("checked document", "source")
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("check.html");
    let mut file = std::fs::File::create(&page).unwrap();
    write_pair_report(&mut file, "page.txt against 2 sources", &views).unwrap();
    drop(file);
    let dom = render(&browser, &page);
    let list = &dom[dom.find("<table class=\"list\"").unwrap()..];
    let list = &list[..list.find("</table>").unwrap()];
    assert_eq!(
        list.matches("<tr").count(),
        3,
        "a header and a row per source"
    );
    assert!(text_of(list)
        .contains("page.txt is a derivative of article.txt: 81% of it comes from the source;"));
    assert!(text_of(list).contains("page.txt and other.txt are unrelated"));
    assert!(list.contains("<tr class=\"selected\""));
    assert!(dom.contains("<article class=\"pair\" data-pair=\"0\""));
    assert!(text_of(&dom).contains("checked document"));
}
