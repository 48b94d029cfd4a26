//! Site templates: the navigation, byline, related-stories block and footer around each page.
//!
//! In: a corpus seed and a site number (the template), and per page its date, author, section and
//! the headlines of the stories it links to. Out: a [`Site`] and the [`Page`] text assembled from
//! it: `nav`, `byline`, the article body, the related block, the footer, separated by blank lines,
//! with the char offset of the body so that truth spans can be moved from the body to the page.
//!
//! Why it is built this way: a crawl of news sites is mostly templates. Every part of a site's
//! template is a pure function of `(seed, site)`, so all pages of a site share it word for word
//! except the small variable parts real templates have (the date, the author, the section, the
//! copyright year, the linked headlines); different sites have different templates that still share
//! the odd stock phrase ("All rights reserved", "Privacy policy"), as real footers do. Nothing is
//! stored: a page rebuilds its site's template, which costs far less than its article.

use std::fmt::Write as _;

use super::article::{weekday, write_sentence};
use super::rng::{derive_seed, unit, Rng};
use super::vocab::{Vocab, MONTHS, PLACES, WEEKDAYS};

const SALT_SITE: u64 = 101;
const SALT_INLINE: u64 = 102;

#[rustfmt::skip]
const SECTIONS: &[&str] = &[
    "World", "Politics", "Business", "Markets", "Technology", "Science", "Health", "Sport",
    "Culture", "Opinion", "Climate", "Europe", "Asia", "Americas", "Middle East", "Africa", "Video",
    "Podcasts", "Travel", "Style", "Food", "Books", "Obituaries", "Weather", "Local", "Education",
];
#[rustfmt::skip]
const PAPERS: &[&str] = &[
    "Times", "Post", "Herald", "Tribune", "Gazette", "Observer", "Chronicle", "Courier", "Journal",
    "Dispatch", "Review", "Sentinel", "Express", "Daily", "Record", "Examiner", "Ledger", "Star",
];
#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "James", "Kofi",
    "Lena", "Marco", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tara", "Umar", "Vera",
    "Wei", "Yusuf", "Zoe", "Helen", "Tomás", "Chloé", "Jürgen", "Aoife",
];
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "Staff reporter", "Senior correspondent", "Political editor", "Economics correspondent",
    "Foreign affairs reporter", "Data journalist", "Chief reporter", "Contributing writer",
];
#[rustfmt::skip]
const LINKS: &[&str] = &[
    "About us", "Contact", "Advertise", "Careers", "Terms of use", "Privacy policy",
    "Cookie settings", "Accessibility", "Corrections", "Help centre", "Site map", "RSS feeds",
];
#[rustfmt::skip]
const SOCIAL: &[&str] = &["Facebook", "X", "Instagram", "LinkedIn", "YouTube", "TikTok", "Threads"];
#[rustfmt::skip]
const RELATED_HEADINGS: &[&str] = &[
    "Related stories", "More from {name}", "You may also like", "Read next", "Most read",
    "More on this story", "Recommended",
];
const BULLETS: &[&str] = &["• ", "- ", "", "› "];

/// One site's template: everything but the variable parts of a page.
#[derive(Clone, Debug)]
pub(super) struct Site {
    sections: Vec<&'static str>,
    nav: String,
    byline_style: usize,
    date_style: usize,
    staff: Vec<(String, &'static str)>,
    related_heading: String,
    /// The related headlines run together on the heading's line, `; ` between them, instead
    /// of one a line: as some extractors give a row of links.
    related_inline: bool,
    pub(super) related_count: usize,
    bullet: &'static str,
    /// The footer, with `{year}` where the copyright year goes.
    footer: String,
}

/// What varies from page to page of one site.
pub(super) struct PageParts<'a> {
    /// Days since 1970-01-01.
    pub(super) day: i64,
    /// A number that picks the author, section and reading time.
    pub(super) pick: u64,
    /// The headlines of the stories the related block links to.
    pub(super) related: &'a [String],
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Site {
    /// The template of site `site` of a corpus seeded with `seed`; with probability
    /// `inline_related` its related headlines run together on one line (drawn apart from the
    /// rest of the template, which is the same either way).
    pub(super) fn new(seed: u64, site: usize, v: &Vocab, inline_related: f64) -> Site {
        let mut rng = Rng::new(derive_seed(seed, site as u64, SALT_SITE));
        let paper = rng.pick(PAPERS);
        // Site number in the name's choice keeps 20-odd sites' names apart.
        let name = match rng.below(3) {
            0 => format!(
                "The {} {paper}",
                PLACES[(site * 7 + rng.below(7)) % PLACES.len()]
            ),
            1 => format!("{} {paper}", capitalize(&v.content[rng.below(2000)])),
            _ => format!("The {} {paper}", capitalize(&v.content[rng.below(2000)])),
        };
        let domain: String = name
            .trim_start_matches("The ")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
            + if rng.chance(0.5) { ".com" } else { ".co.uk" };
        let mut all: Vec<&'static str> = SECTIONS.to_vec();
        rng.shuffle(&mut all);
        let sections: Vec<&'static str> = all[..rng.range(5, 8)].to_vec();
        let sep = rng.pick(&[" | ", " · ", " / ", "  "]);
        let mut nav = format!("{name}{sep}Home");
        for s in &sections {
            let _ = write!(nav, "{sep}{s}");
        }
        let _ = write!(
            nav,
            "{sep}{}",
            rng.pick(&["Subscribe", "Sign in", "Newsletters", "Log in | Subscribe"])
        );
        let staff = (0..rng.range(4, 9))
            .map(|_| {
                let surname = capitalize(&v.content[rng.below(3000)]);
                (
                    format!("{} {surname}", rng.pick(FIRST_NAMES)),
                    rng.pick(ROLES),
                )
            })
            .collect();
        let related_heading = rng.pick(RELATED_HEADINGS).replace("{name}", &name);
        let footer = footer(&mut rng, v, &name, &domain, &sections);
        Site {
            sections,
            nav,
            byline_style: rng.below(4),
            date_style: rng.below(5),
            staff,
            related_heading,
            related_inline: unit(derive_seed(seed, site as u64, SALT_INLINE)) < inline_related,
            related_count: rng.range(3, 5),
            bullet: rng.pick(BULLETS),
            footer,
        }
    }

    /// The navigation line and the byline: the page text before the body.
    pub(super) fn header(&self, parts: &PageParts<'_>) -> String {
        let mut pick = Rng::new(parts.pick);
        let (author, role) = &self.staff[pick.below(self.staff.len())];
        let section = self.sections[pick.below(self.sections.len())];
        let date = self.date(parts.day);
        let byline = match self.byline_style {
            0 => format!("By {author} | {date}"),
            1 => format!("{date} · {author}, {role}"),
            2 => format!("By {author}, {section}\n\nPublished {date}"),
            _ => format!("{section} | {date} | {} min read", pick.range(2, 12)),
        };
        format!("{}\n\n{byline}", self.nav)
    }

    /// The related block and the footer: the page text after the body.
    pub(super) fn trailer(&self, parts: &PageParts<'_>) -> String {
        let mut out = self.related_heading.clone();
        if self.related_inline {
            let _ = write!(out, " {}", parts.related.join("; "));
        } else {
            for h in parts.related {
                let _ = write!(out, "\n{}{h}", self.bullet);
            }
        }
        let (year, _, _) = civil_from_days(parts.day);
        out.push_str("\n\n");
        out.push_str(&self.footer.replace("{year}", &year.to_string()));
        out
    }

    fn date(&self, day: i64) -> String {
        let (y, m, d) = civil_from_days(day);
        let month = MONTHS[m - 1];
        match self.date_style {
            0 => format!("{month} {d}, {y}"),
            1 => format!("{d} {month} {y}"),
            2 => format!("{y}-{m:02}-{d:02}"),
            3 => format!("{}, {month} {d}, {y}", WEEKDAYS[weekday(y, m, d)]),
            _ => format!(
                "{} {d} {} {y} {:02}:{:02}",
                &WEEKDAYS[weekday(y, m, d)][..3],
                &month[..3],
                (day.unsigned_abs() * 7) % 24,
                (day.unsigned_abs() * 13) % 60
            ),
        }
    }
}

/// A site's footer of about 60 to 100 words: newsletter, social links, site links, contact,
/// copyright (with `{year}`).
fn footer(rng: &mut Rng, v: &Vocab, name: &str, domain: &str, sections: &[&str]) -> String {
    let weekday = rng.pick(&WEEKDAYS);
    let short = name.trim_start_matches("The ");
    let newsletter = match rng.below(3) {
        0 => format!(
            "Get the {short} newsletter: the day’s top stories, sent to your inbox every {weekday} \
             morning. Enter your email address to sign up. You can unsubscribe at any time."
        ),
        1 => format!(
            "Sign up for our free {} briefing and never miss a story. By subscribing you agree to \
             our terms of use and privacy policy.",
            sections[0]
        ),
        _ => format!(
            "Subscribe to {name} for unlimited access to our journalism, from just ${} a month. \
             Cancel anytime.",
            rng.range(2, 15)
        ),
    };
    let mut social: Vec<&str> = SOCIAL.to_vec();
    rng.shuffle(&mut social);
    let social = &social[..rng.range(3, 6)];
    let social = match rng.below(3) {
        0 => format!("Follow {name} on {}.", social.join(", ")),
        1 => format!("Connect with us: {}", social.join(" · ")),
        _ => format!(
            "Share your story with us: tips@{domain}. Find us on {}.",
            social.join(", ")
        ),
    };
    let mut links: Vec<&str> = LINKS.to_vec();
    rng.shuffle(&mut links);
    let links = links[..rng.range(5, 9)].join(" | ");
    let street = capitalize(&v.content[rng.below(3000)]);
    let contact = format!(
        "{name}, {} {street} {}, {}. Newsroom: +{} {} {:04}. Email: news@{domain}",
        rng.range(1, 400),
        rng.pick(&["Street", "Road", "Avenue", "Square", "Lane"]),
        rng.pick(PLACES),
        rng.range(1, 99),
        rng.range(100, 999),
        rng.below(10_000)
    );
    let copyright = match rng.below(3) {
        0 => format!("© {{year}} {name}. All rights reserved."),
        1 => format!(
            "Copyright {{year}} {name}. This material may not be published, broadcast, rewritten \
             or redistributed without permission."
        ),
        _ => format!(
            "© {name} {{year}}. All rights reserved. Registered in {}.",
            rng.pick(PLACES)
        ),
    };
    // A motto of the site's own words, so that two sites' footers differ beyond their names.
    let mut motto = String::new();
    let len = rng.range(10, 18);
    write_sentence(rng, v, &mut motto, len);
    [newsletter, social, motto, links, contact, copyright].join("\n\n")
}

/// The Gregorian (year, month, day) of a count of days since 1970-01-01 (Hinnant's algorithm).
pub(super) fn civil_from_days(z: i64) -> (usize, usize, usize) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as usize, m as usize, d as usize)
}
