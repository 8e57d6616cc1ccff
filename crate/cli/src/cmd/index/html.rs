//! HTML pages → sections: a real HTML parser (`scraper`, html5ever), the page title, and the
//! main content split at headings.
//!
//! Rules, in order: if an element has `data-sparrow-body` (or matches `--body`), only those
//! elements are indexed, else `<main>` if there is one, else `<body>`. Inside, `nav`, `header`,
//! `footer`, `script`, `style`, `noscript`, `template`, `svg` and anything with
//! `data-sparrow-ignore` are skipped. Every `h1`-`h6` starts a section; its anchor is the
//! heading's `id`, else the first `id` inside it (Node.js docs put `<a id=…>` in headings), else a
//! slug of its text.

use scraper::{ElementRef, Html, Node, Selector};

/// One section of a page: the text under a heading (or before the first one).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    /// Fragment without `#`; empty for the text before the first heading.
    pub(crate) anchor: String,
    /// Heading text; empty for the text before the first heading.
    pub(crate) heading: String,
    /// 1-6, or 0 for the text before the first heading.
    pub(crate) level: u8,
    pub(crate) text: String,
}

/// A parsed page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    pub(crate) title: String,
    pub(crate) sections: Vec<Section>,
}

const SKIPPED: &[&str] =
    &["nav", "header", "footer", "script", "style", "noscript", "template", "svg"];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "br",
    "dd",
    "dt",
    "dl",
    "section",
    "article",
    "blockquote",
    "details",
    "summary",
    "hr",
];

/// Parses one page. `body_selector` overrides the `[data-sparrow-body]` rule.
pub(crate) fn parse_page(html: &str, body_selector: Option<&Selector>) -> Page {
    let doc = Html::parse_document(html);
    let sel = |s: &str| Selector::parse(s).expect("static selector");
    let title = doc
        .select(&sel("title"))
        .next()
        .map(|t| collapse(&t.text().collect::<String>()))
        .unwrap_or_default();
    let marked = sel("[data-sparrow-body]");
    let mut roots: Vec<ElementRef<'_>> = match body_selector {
        Some(s) => doc.select(s).collect(),
        None => doc.select(&marked).collect(),
    };
    if roots.is_empty() {
        roots = doc.select(&sel("main")).take(1).collect();
    }
    if roots.is_empty() {
        roots = doc.select(&sel("body")).take(1).collect();
    }
    let mut w = Walker { sections: vec![Section::empty()], buf: String::new() };
    for root in roots {
        w.walk(root);
    }
    w.flush();
    let mut sections = w.sections;
    for s in &mut sections {
        s.text = collapse(&s.text);
    }
    sections.retain(|s| !s.text.is_empty());
    Page { title, sections }
}

struct Walker {
    sections: Vec<Section>,
    buf: String,
}

impl Section {
    fn empty() -> Self {
        Section { anchor: String::new(), heading: String::new(), level: 0, text: String::new() }
    }
}

impl Walker {
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.buf);
        if let Some(s) = self.sections.last_mut() {
            s.text.push_str(&text);
        }
    }

    fn walk(&mut self, el: ElementRef<'_>) {
        let v = el.value();
        let name = v.name();
        if SKIPPED.contains(&name) || v.attr("data-sparrow-ignore").is_some() {
            return;
        }
        if let Some(level) = heading_level(name) {
            self.flush();
            let heading = heading_text(el);
            let anchor = v
                .attr("id")
                .map(str::to_owned)
                .or_else(|| {
                    el.descendants()
                        .filter_map(ElementRef::wrap)
                        .find_map(|e| e.value().attr("id").map(str::to_owned))
                })
                .unwrap_or_else(|| slug(&heading));
            self.sections.push(Section { anchor, heading, level, text: String::new() });
            return;
        }
        let block = BLOCKS.contains(&name);
        if block {
            self.buf.push(' ');
        }
        for child in el.children() {
            match child.value() {
                Node::Text(t) => self.buf.push_str(t),
                Node::Element(_) => {
                    if let Some(e) = ElementRef::wrap(child) {
                        self.walk(e);
                    }
                }
                _ => {}
            }
        }
        if block {
            self.buf.push(' ');
        }
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// A heading's visible text, without permalink marks (`#`, `¶`) and ignored parts.
fn heading_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    fn go(el: ElementRef<'_>, out: &mut String) {
        for child in el.children() {
            match child.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    let skip =
                        SKIPPED.contains(&e.name()) || e.attr("data-sparrow-ignore").is_some();
                    if let (false, Some(c)) = (skip, ElementRef::wrap(child)) {
                        go(c, out);
                    }
                }
                _ => {}
            }
        }
    }
    go(el, &mut out);
    collapse(&out).trim_end_matches(['#', '¶']).trim_end().to_owned()
}

/// Collapses runs of whitespace to one space and trims.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A fragment made from heading text: lowercase ASCII letters and digits joined by `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for word in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r##"<!doctype html><html><head><title>Guide &amp; more</title>
        <style>h1 { color: red }</style></head><body>
        <header><a href="/">Home</a> site header</header>
        <nav><ul><li>Navigation link</li></ul></nav>
        <main>
          <p>Intro text.</p>
          <h1 id="top">Getting started</h1>
          <p>First <b>paragraph</b>.</p><p>Second.</p>
          <div data-sparrow-ignore>Ignored block</div>
          <h2>Install it<a class="mark" href="#x" id="install_it">#</a></h2>
          <p>Run &lt;script&gt;alert(1)&lt;/script&gt; never.</p>
          <script>var secret = 1;</script>
          <h3>Empty heading</h3>
          <h3>No id here!</h3><pre>code  block</pre>
        </main>
        <footer>Copyright footer</footer></body></html>"##;

    #[test]
    fn sections_at_headings_skipping_chrome() {
        let page = parse_page(PAGE, None);
        assert_eq!(page.title, "Guide & more");
        let got: Vec<(&str, &str, u8, &str)> = page
            .sections
            .iter()
            .map(|s| (s.anchor.as_str(), s.heading.as_str(), s.level, s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("", "", 0, "Intro text."),
                ("top", "Getting started", 1, "First paragraph. Second."),
                ("install_it", "Install it", 2, "Run <script>alert(1)</script> never."),
                ("no-id-here", "No id here!", 3, "code block"),
            ]
        );
    }

    #[test]
    fn body_marker_and_selector() {
        let html = r#"<html><head><title>T</title></head><body><p>outside</p>
            <article data-sparrow-body><h2 id="a">A</h2><p>inside</p></article></body></html>"#;
        let page = parse_page(html, None);
        assert_eq!(page.sections.len(), 1);
        assert_eq!(page.sections[0].text, "inside");
        let sel = Selector::parse("body").unwrap();
        let page = parse_page(html, Some(&sel));
        assert_eq!(page.sections.len(), 2);
        assert_eq!(page.sections[0].text, "outside");
    }

    #[test]
    fn no_main_uses_body() {
        let page = parse_page("<p>just text</p>", None);
        assert_eq!(page.title, "");
        assert_eq!(page.sections[0].text, "just text");
    }
}
