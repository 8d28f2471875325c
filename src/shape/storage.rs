//! Confluence storage format (XHTML with `ac:`/`ri:` elements) to and from Markdown.
//!
//! Reading: Confluence-specific elements are first turned into plain HTML (code macros into
//! `<pre><code>`, CDATA into text, page links into their titles, user links into mentions,
//! images into placeholders), then `htmd` converts the HTML to Markdown. Writing: Markdown is
//! rendered by pulldown-cmark as XHTML, which storage format accepts.

use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    // The patterns are constants of this module, so compiling them cannot fail at run time.
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()))
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Rewrites storage-only markup as plain HTML, keeping every piece of text.
pub fn storage_to_html(storage: &str) -> String {
    static CODE: OnceLock<Regex> = OnceLock::new();
    static LANG: OnceLock<Regex> = OnceLock::new();
    static CDATA: OnceLock<Regex> = OnceLock::new();
    static PAGE_LINK: OnceLock<Regex> = OnceLock::new();
    static USER: OnceLock<Regex> = OnceLock::new();
    static IMAGE: OnceLock<Regex> = OnceLock::new();
    static PARAM: OnceLock<Regex> = OnceLock::new();
    static AC_TAG: OnceLock<Regex> = OnceLock::new();

    let code = re(
        &CODE,
        r#"(?s)<ac:structured-macro[^>]*ac:name="code"[^>]*>(.*?)</ac:structured-macro>"#,
    );
    let lang = re(
        &LANG,
        r#"(?s)<ac:parameter[^>]*ac:name="language"[^>]*>(.*?)</ac:parameter>"#,
    );
    let cdata = re(&CDATA, r"(?s)<!\[CDATA\[(.*?)\]\]>");
    let mut html = code
        .replace_all(storage, |c: &regex::Captures| {
            let inner = &c[1];
            let language = lang
                .captures(inner)
                .map(|l| l[1].trim().to_string())
                .unwrap_or_default();
            let body = cdata
                .captures(inner)
                .map(|b| b[1].to_string())
                .unwrap_or_default();
            let class = if language.is_empty() {
                String::new()
            } else {
                format!(" class=\"language-{language}\"")
            };
            format!("<pre><code{class}>{}</code></pre>", escape(&body))
        })
        .into_owned();
    html = cdata
        .replace_all(&html, |c: &regex::Captures| escape(&c[1]))
        .into_owned();
    html = re(
        &PAGE_LINK,
        r#"(?s)<ac:link[^>]*>\s*<ri:page[^>]*ri:content-title="([^"]*)"[^>]*/>.*?</ac:link>"#,
    )
    .replace_all(&html, "$1")
    .into_owned();
    html = re(
        &USER,
        r#"(?s)<ac:link[^>]*>\s*<ri:user[^>]*ri:account-id="([^"]*)"[^>]*/>.*?</ac:link>"#,
    )
    .replace_all(&html, "[~accountid:$1]")
    .into_owned();
    html = re(
        &IMAGE,
        r#"(?s)<ac:image[^>]*>.*?ri:filename="([^"]*)".*?</ac:image>"#,
    )
    .replace_all(&html, "[image: $1]")
    .into_owned();
    // Other macro parameters are settings, not text.
    html = re(&PARAM, r#"(?s)<ac:parameter[^>]*>.*?</ac:parameter>"#)
        .replace_all(&html, "")
        .into_owned();
    // Remaining ac:/ri: tags go; their text stays.
    re(&AC_TAG, r#"</?(ac|ri):[^>]*>"#)
        .replace_all(&html, " ")
        .into_owned()
}

/// Converts Confluence storage format to Markdown.
pub fn storage_to_markdown(storage: &str) -> String {
    let html = storage_to_html(storage);
    static MENTION: OnceLock<Regex> = OnceLock::new();
    match htmd::convert(&html) {
        // htmd escapes the brackets of our mention and image placeholders; put them back.
        Ok(md) => re(&MENTION, r"\\\[(~accountid:|image: )([^\\\]]*)\\\]")
            .replace_all(md.trim(), "[$1$2]")
            .into_owned(),
        // htmd only fails on broken input; keep the text rather than lose it.
        Err(_) => html,
    }
}

/// Converts Markdown to storage format (XHTML).
pub fn markdown_to_storage(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(
        markdown,
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
    );
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_with_macros_links_and_users_reads_as_markdown() {
        let storage = r#"<h1>Release notes</h1><p>Version <strong>2.4</strong> by <ac:link><ri:user ri:account-id="5b10ac8d" /></ac:link>, see <ac:link><ri:page ri:content-title="Upgrade guide" /></ac:link>.</p><ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[make deploy && echo <done>]]></ac:plain-text-body></ac:structured-macro><ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Note</ac:parameter><ac:rich-text-body><p>Keep the old keys.</p></ac:rich-text-body></ac:structured-macro><ac:image><ri:attachment ri:filename="arch.png" /></ac:image><ul><li>one</li><li>two</li></ul>"#;
        let md = storage_to_markdown(storage);
        assert!(md.starts_with("# Release notes"), "{md}");
        assert!(
            md.contains("Version **2.4** by [~accountid:5b10ac8d], see Upgrade guide."),
            "{md}"
        );
        assert!(
            md.contains("```bash\nmake deploy && echo <done>\n```"),
            "{md}"
        );
        assert!(md.contains("Keep the old keys."), "{md}");
        assert!(md.contains("[image: arch.png]"), "{md}");
        assert!(md.contains("one") && md.contains("two"), "{md}");
        assert!(!md.contains("Note\n") || md.contains("Keep"), "{md}");
    }

    #[test]
    fn markdown_becomes_xhtml() {
        let s = markdown_to_storage("# T\n\nline  \nbreak\n\n- a\n\n```rust\nx\n```");
        assert_eq!(s, "<h1>T</h1>\n<p>line<br />\nbreak</p>\n<ul>\n<li>a</li>\n</ul>\n<pre><code class=\"language-rust\">x\n</code></pre>");
    }

    #[test]
    fn round_trip_keeps_the_text() {
        let md = "# Plan\n\nShip **2.4**.\n\n- one\n- two";
        let back = storage_to_markdown(&markdown_to_storage(md));
        assert!(
            back.contains("# Plan")
                && back.contains("**2.4**")
                && back.contains("one")
                && back.contains("two"),
            "{back}"
        );
    }
}
