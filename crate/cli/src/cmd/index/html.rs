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

/// Deepest element nesting a page may have. Browsers stop nesting at 512 (Chromium's parser
/// attaches deeper elements as siblings); html5ever does not, and its scope checks walk the
/// open-element stack on every start tag, so 200,000 nested `<div>`s take minutes. A page
/// deeper than this is hostile or broken, and is skipped (counted) rather than parsed.
pub(crate) const MAX_NESTING: usize = 4096;

/// Why a page is not indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageError {
    /// Elements nest deeper than [`MAX_NESTING`] (an estimate from the tags, before parsing).
    TooDeep { depth: usize },
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::TooDeep { depth } => {
                write!(f, "elements nest {depth} deep (the limit is {MAX_NESTING})")
            }
        }
    }
}

/// Elements that never have an end tag, or whose end tag may be left out (the HTML standard's
/// lists): they do not deepen [`nesting_depth`]'s estimate.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "li", "p", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead",
    "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
];

/// An upper-bound estimate of how deep a page's elements nest, from its tags alone (linear; no
/// parsing): start tags deepen, end tags return, comments and the contents of `script`,
/// `style`, `textarea` and `title` are skipped.
pub(crate) fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut i, mut depth, mut max) = (0usize, 0usize, 0usize);
    let name_at = |from: usize| -> String {
        b[from..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .map(|c| c.to_ascii_lowercase() as char)
            .collect()
    };
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let name = name_at(i + usize::from(closing));
        if name.is_empty() || !b[i + usize::from(closing)].is_ascii_alphabetic() {
            continue;
        }
        let end = b[i..].iter().position(|&c| c == b'>').map_or(b.len(), |e| i + e);
        if closing {
            if !FLAT.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
        } else if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            let close = format!("</{name}");
            let from = end.min(b.len());
            i = b[from..]
                .windows(close.len())
                .position(|w| w.eq_ignore_ascii_case(close.as_bytes()))
                .map_or(b.len(), |e| from + e);
            continue;
        } else if !FLAT.contains(&name.as_str()) && b.get(end.wrapping_sub(1)) != Some(&b'/') {
            depth += 1;
            max = max.max(depth);
        }
        i = end.min(b.len());
    }
    max
}

/// Parses one page. `body_selector` overrides the `[data-sparrow-body]` rule.
pub(crate) fn parse_page(html: &str, body_selector: Option<&Selector>) -> Result<Page, PageError> {
    let depth = nesting_depth(html);
    if depth > MAX_NESTING {
        return Err(PageError::TooDeep { depth });
    }
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
    Ok(Page { title, sections })
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

    /// Walks `root`'s subtree in document order with an explicit stack, not recursion: a page
    /// of 200,000 nested `<div>`s is text to index, not a stack overflow.
    fn walk(&mut self, root: ElementRef<'_>) {
        let mut stack = vec![Step::Element(root)];
        while let Some(step) = stack.pop() {
            let el = match step {
                Step::Text(t) => {
                    self.buf.push_str(t);
                    continue;
                }
                Step::Space => {
                    self.buf.push(' ');
                    continue;
                }
                Step::Element(el) => el,
            };
            let v = el.value();
            let name = v.name();
            if SKIPPED.contains(&name) || v.attr("data-sparrow-ignore").is_some() {
                continue;
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
                continue;
            }
            let block = BLOCKS.contains(&name);
            if block {
                self.buf.push(' ');
                stack.push(Step::Space);
            }
            push_children(&mut stack, el);
        }
    }
}

/// One step of an iterative walk: an element to enter, text to append, or the space that
/// closes a block element.
enum Step<'a> {
    Element(ElementRef<'a>),
    Text(&'a str),
    Space,
}

/// Pushes `el`'s element and text children so that they pop in document order.
fn push_children<'a>(stack: &mut Vec<Step<'a>>, el: ElementRef<'a>) {
    for child in el.children().rev() {
        match child.value() {
            Node::Text(t) => stack.push(Step::Text(t)),
            Node::Element(_) => stack.extend(ElementRef::wrap(child).map(Step::Element)),
            _ => {}
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
    let mut stack = Vec::new();
    push_children(&mut stack, el);
    while let Some(step) = stack.pop() {
        match step {
            Step::Text(t) => out.push_str(t),
            Step::Space => out.push(' '),
            Step::Element(e) => {
                let v = e.value();
                if !SKIPPED.contains(&v.name()) && v.attr("data-sparrow-ignore").is_none() {
                    push_children(&mut stack, e);
                }
            }
        }
    }
    collapse(&out).trim_end_matches(['#', '¶']).trim_end().to_owned()
}

/// Collapses runs of whitespace to one space and trims.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Longest slug made from a heading's text, in bytes: a page's own `id`s are kept whole (the
/// link must reach them), but an invented fragment need not be a paragraph long.
const MAX_SLUG_BYTES: usize = 96;

/// A fragment made from heading text: lowercase letters and digits joined by `-`, at most
/// [`MAX_SLUG_BYTES`] (cut at a character boundary).
fn slug(s: &str) -> String {
    let mut out = String::new();
    for word in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
        if out.len() >= MAX_SLUG_BYTES {
            break;
        }
    }
    let mut cut = out.len().min(MAX_SLUG_BYTES);
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    out.trim_end_matches('-').to_owned()
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
        let page = page.unwrap();
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
        let page = parse_page(html, None).unwrap();
        assert_eq!(page.sections.len(), 1);
        assert_eq!(page.sections[0].text, "inside");
        let sel = Selector::parse("body").unwrap();
        let page = parse_page(html, Some(&sel)).unwrap();
        assert_eq!(page.sections.len(), 2);
        assert_eq!(page.sections[0].text, "outside");
    }

    #[test]
    fn no_main_uses_body() {
        let page = parse_page("<p>just text</p>", None).unwrap();
        assert_eq!(page.title, "");
        assert_eq!(page.sections[0].text, "just text");
    }

    #[test]
    fn deep_nesting_is_walked_without_recursion() {
        let depth = 200_000;
        let html = format!(
            "<main><h2>Deep <b>heading</b></h2>{}deep text{}</main>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        // html5ever's scope checks make such a page quadratic: it is refused before parsing.
        assert_eq!(parse_page(&html, None), Err(PageError::TooDeep { depth: depth + 1 }));
        // At the limit it parses, and the walk (iterative) and heading text are right.
        let depth = MAX_NESTING - 3;
        let html = format!(
            "<main><h2>Deep <b>{}heading{}</b></h2>{}deep text{}</main>",
            "<i>".repeat(depth - 2),
            "</i>".repeat(depth - 2),
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let page = parse_page(&html, None).unwrap();
        assert_eq!(page.sections.len(), 1, "{:?}", page.sections.len());
        assert_eq!(page.sections[0].heading, "Deep heading");
        assert_eq!(page.sections[0].text, "deep text");
    }

    #[test]
    fn nesting_estimate() {
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x><span/>c</div>"), 1);
        assert_eq!(nesting_depth("<ul><li>a<li>b</ul><div><div><b>x</b></div></div>"), 3);
        let skipped = "<!-- <div><div> --><script>if (a<b) '<div>'</script><style>a>b{}</style>";
        assert_eq!(nesting_depth(skipped), 0);
        assert_eq!(nesting_depth(&"<li>".repeat(100_000)), 0, "optional end tags are flat");
        assert_eq!(nesting_depth("a < b and <3 and </ x"), 0);
    }

    #[test]
    fn invented_anchors_are_bounded() {
        let heading = "word ".repeat(500);
        let page = parse_page(&format!("<main><h2>{heading}</h2><p>x</p></main>"), None).unwrap();
        let anchor = &page.sections[0].anchor;
        assert!(anchor.len() <= MAX_SLUG_BYTES && anchor.starts_with("word-word"), "{anchor}");
        assert!(!anchor.ends_with('-'));
        assert!(slug("Ünïcödé ".repeat(40).as_str()).len() <= MAX_SLUG_BYTES);
    }
}
