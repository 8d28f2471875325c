//! Atlassian Document Format (Jira v3 rich text) to and from Markdown.
//!
//! Markdown -> ADF covers paragraphs, headings, emphasis/strong/strike/code, links, bullet and
//! ordered lists (nested), code blocks with language, block quotes, rules, tables, hard breaks and
//! mentions written `[~accountid:ID]`. ADF -> Markdown renders those back; nodes it does not know
//! degrade to their text, and media to a placeholder, so no text is lost.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::{json, Map, Value};

/// Whether a JSON value already is an ADF document (passed through unchanged).
pub fn is_adf(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("doc")
        && v.get("content").is_some_and(Value::is_array)
}

struct Node {
    kind: &'static str,
    attrs: Option<Value>,
    content: Vec<Value>,
    /// Opened implicitly to hold inline content (tight list items, table cells).
    implicit: bool,
}

impl Node {
    fn new(kind: &'static str, attrs: Option<Value>) -> Self {
        Node {
            kind,
            attrs,
            content: Vec::new(),
            implicit: false,
        }
    }
    fn into_value(self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind));
        if let Some(a) = self.attrs {
            m.insert("attrs".into(), a);
        }
        if self.kind == "codeBlock"
            || !self.content.is_empty()
            || matches!(self.kind, "paragraph" | "tableCell" | "tableHeader")
        {
            m.insert("content".into(), Value::Array(self.content));
        }
        Value::Object(m)
    }
}

fn accepts_inline(kind: &str) -> bool {
    matches!(kind, "paragraph" | "heading" | "codeBlock")
}

struct Builder {
    stack: Vec<Node>,
    marks: Vec<Value>,
    link_stack: Vec<usize>,
    in_table_head: bool,
}

impl Builder {
    fn top(&mut self) -> &mut Node {
        let len = self.stack.len();
        &mut self.stack[len - 1]
    }

    fn open(&mut self, kind: &'static str, attrs: Option<Value>) {
        self.close_implicit();
        self.stack.push(Node::new(kind, attrs));
    }

    fn close(&mut self) {
        self.close_implicit();
        if self.stack.len() > 1 {
            if let Some(node) = self.stack.pop() {
                let v = node.into_value();
                self.top().content.push(v);
            }
        }
    }

    fn close_implicit(&mut self) {
        if self.stack.last().is_some_and(|n| n.implicit) {
            if let Some(node) = self.stack.pop() {
                let v = node.into_value();
                self.top().content.push(v);
            }
        }
    }

    fn inline(&mut self, node: Value) {
        if !self.stack.last().is_some_and(|n| accepts_inline(n.kind)) {
            let mut p = Node::new("paragraph", None);
            p.implicit = true;
            self.stack.push(p);
        }
        self.top().content.push(node);
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.stack.last().is_some_and(|n| n.kind == "codeBlock") {
            self.top()
                .content
                .push(json!({"type": "text", "text": text}));
            return;
        }
        // Mentions: [~accountid:ID]
        let mut rest = text;
        while let Some(start) = rest.find("[~accountid:") {
            let after = &rest[start + 12..];
            let Some(end) = after.find(']') else { break };
            self.plain(&rest[..start]);
            let id = &after[..end];
            self.inline(json!({"type": "mention", "attrs": {"id": id, "text": format!("@{id}")}}));
            rest = &after[end + 1..];
        }
        self.plain(rest);
    }

    fn plain(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut node = json!({"type": "text", "text": text});
        if !self.marks.is_empty() {
            node["marks"] = Value::Array(self.marks.clone());
        }
        self.inline(node);
    }
}

/// Converts Markdown to an ADF document.
pub fn markdown_to_adf(markdown: &str) -> Value {
    let mut b = Builder {
        stack: vec![Node::new("doc", None)],
        marks: Vec::new(),
        link_stack: Vec::new(),
        in_table_head: false,
    };
    // pulldown-cmark splits text at brackets (`[~accountid:x]` arrives in three pieces): join
    // adjacent text events so mentions are seen whole. Marks only change between other events.
    let mut events: Vec<Event> = Vec::new();
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match (events.last_mut(), event) {
            (Some(Event::Text(prev)), Event::Text(next)) => *prev = format!("{prev}{next}").into(),
            (_, e) => events.push(e),
        }
    }
    for event in events {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => b.open("paragraph", None),
                Tag::Heading { level, .. } => {
                    let n = match level {
                        HeadingLevel::H1 => 1,
                        HeadingLevel::H2 => 2,
                        HeadingLevel::H3 => 3,
                        HeadingLevel::H4 => 4,
                        HeadingLevel::H5 => 5,
                        HeadingLevel::H6 => 6,
                    };
                    b.open("heading", Some(json!({"level": n})));
                }
                Tag::BlockQuote(_) => b.open("blockquote", None),
                Tag::CodeBlock(kind) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(l) if !l.trim().is_empty() => {
                            Some(json!({"language": l.split_whitespace().next().unwrap_or("")}))
                        }
                        _ => None,
                    };
                    b.open("codeBlock", lang);
                }
                Tag::List(Some(start)) => {
                    b.open("orderedList", (start != 1).then(|| json!({"order": start})))
                }
                Tag::List(None) => b.open("bulletList", None),
                Tag::Item => b.open("listItem", None),
                Tag::Table(_) => b.open("table", None),
                Tag::TableHead => {
                    b.in_table_head = true;
                    b.open("tableRow", None);
                }
                Tag::TableRow => b.open("tableRow", None),
                Tag::TableCell => b.open(
                    if b.in_table_head {
                        "tableHeader"
                    } else {
                        "tableCell"
                    },
                    None,
                ),
                Tag::Emphasis => b.marks.push(json!({"type": "em"})),
                Tag::Strong => b.marks.push(json!({"type": "strong"})),
                Tag::Strikethrough => b.marks.push(json!({"type": "strike"})),
                Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                    b.link_stack.push(b.marks.len());
                    b.marks
                        .push(json!({"type": "link", "attrs": {"href": dest_url.to_string()}}));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Table
                | TagEnd::TableRow
                | TagEnd::TableCell => {
                    if tag == TagEnd::CodeBlock {
                        // Drop the trailing newline pulldown-cmark keeps in code blocks.
                        if let Some(Value::Object(last)) = b.top().content.last_mut() {
                            if let Some(Value::String(t)) = last.get_mut("text") {
                                if t.ends_with('\n') {
                                    t.pop();
                                }
                            }
                        }
                    }
                    b.close();
                }
                TagEnd::TableHead => {
                    b.in_table_head = false;
                    b.close();
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                    b.marks.pop();
                }
                TagEnd::Link | TagEnd::Image => {
                    if let Some(at) = b.link_stack.pop() {
                        b.marks.truncate(at);
                    }
                }
                _ => {}
            },
            Event::Text(t) => b.text(&t),
            Event::Code(t) => {
                let mut marks = b.marks.clone();
                marks.push(json!({"type": "code"}));
                b.inline(json!({"type": "text", "text": t.to_string(), "marks": marks}));
            }
            Event::SoftBreak => b.plain(" "),
            Event::HardBreak => b.inline(json!({"type": "hardBreak"})),
            Event::Rule => {
                b.close_implicit();
                b.top().content.push(json!({"type": "rule"}));
            }
            Event::Html(h) | Event::InlineHtml(h) => b.plain(&h),
            Event::TaskListMarker(done) => b.plain(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }
    while b.stack.len() > 1 {
        b.close();
    }
    let mut doc = b
        .stack
        .pop()
        .map(Node::into_value)
        .unwrap_or_else(|| json!({"type": "doc"}));
    doc["version"] = json!(1);
    if doc.get("content").is_none() {
        doc["content"] = json!([]);
    }
    doc
}

/// Renders an ADF document (or any ADF node) as Markdown.
pub fn adf_to_markdown(adf: &Value) -> String {
    let mut out = String::new();
    blocks(
        adf.get("content")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        "",
        &mut out,
    );
    if out.is_empty() {
        // Not a container: render the node itself.
        block(adf, "", &mut out);
    }
    out.trim_end().to_string()
}

fn children(n: &Value) -> &[Value] {
    n.get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn blocks(nodes: &[Value], indent: &str, out: &mut String) {
    for n in nodes {
        block(n, indent, out);
    }
}

fn push_block(out: &mut String, indent: &str, text: &str) {
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            out.push_str(indent);
        }
        out.push_str(line);
    }
    out.push('\n');
}

fn block(n: &Value, indent: &str, out: &mut String) {
    let kind = n.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "paragraph" => push_block(out, indent, &inline(children(n))),
        "heading" => {
            let level = n
                .pointer("/attrs/level")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 6) as usize;
            push_block(
                out,
                indent,
                &format!("{} {}", "#".repeat(level), inline(children(n))),
            );
        }
        "codeBlock" => {
            let lang = n
                .pointer("/attrs/language")
                .and_then(Value::as_str)
                .unwrap_or("");
            let text: String = children(n)
                .iter()
                .filter_map(|t| t.get("text").and_then(Value::as_str))
                .collect();
            push_block(out, indent, &format!("```{lang}\n{text}\n```"));
        }
        "blockquote" | "panel" => {
            let mut inner = String::new();
            blocks(children(n), "", &mut inner);
            let quoted: Vec<String> = inner
                .trim_end()
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        ">".to_string()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect();
            push_block(out, indent, &quoted.join("\n"));
        }
        "rule" => push_block(out, indent, "---"),
        "bulletList" | "orderedList" => {
            let ordered = kind == "orderedList";
            let start = n
                .pointer("/attrs/order")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            let mut text = String::new();
            for (i, item) in children(n).iter().enumerate() {
                let marker = if ordered {
                    format!("{}. ", start + i as u64)
                } else {
                    "- ".to_string()
                };
                let pad = " ".repeat(marker.len());
                let mut inner = String::new();
                blocks(children(item), "", &mut inner);
                // Tight lists: no blank lines between an item's paragraph and its nested list.
                let inner = inner.trim_end().replace("\n\n", "\n");
                for (j, line) in inner.lines().enumerate() {
                    if j == 0 {
                        text.push_str(&marker);
                    } else {
                        text.push('\n');
                        if !line.is_empty() {
                            text.push_str(&pad);
                        }
                    }
                    text.push_str(line);
                }
                text.push('\n');
            }
            push_block(out, indent, text.trim_end());
        }
        "table" => {
            let rows: Vec<Vec<String>> = children(n)
                .iter()
                .map(|row| {
                    children(row)
                        .iter()
                        .map(|cell| {
                            let mut c = String::new();
                            blocks(children(cell), "", &mut c);
                            c.trim().replace('\n', " ").replace('|', "\\|")
                        })
                        .collect()
                })
                .collect();
            if let Some(first) = rows.first() {
                let mut t = format!(
                    "| {} |\n|{}|",
                    first.join(" | "),
                    vec!["---"; first.len()].join("|")
                );
                for r in rows.iter().skip(1) {
                    t.push_str(&format!("\n| {} |", r.join(" | ")));
                }
                push_block(out, indent, &t);
            }
        }
        "mediaSingle" | "mediaGroup" => {
            let names: Vec<String> = children(n).iter().map(media_placeholder).collect();
            push_block(out, indent, &names.join(" "));
        }
        "media" => push_block(out, indent, &media_placeholder(n)),
        "text" | "mention" | "emoji" | "hardBreak" | "inlineCard" | "date" | "status" => {
            push_block(out, indent, &inline(std::slice::from_ref(n)))
        }
        _ => {
            // Unknown block: keep its text.
            let kids = children(n);
            if kids.iter().any(|k| {
                matches!(
                    k.get("type").and_then(Value::as_str),
                    Some("text" | "mention" | "emoji" | "hardBreak")
                )
            }) {
                push_block(out, indent, &inline(kids));
            } else {
                blocks(kids, indent, out);
            }
        }
    }
}

fn media_placeholder(n: &Value) -> String {
    let name = n
        .pointer("/attrs/alt")
        .or_else(|| n.pointer("/attrs/filename"))
        .or_else(|| n.pointer("/attrs/id"))
        .and_then(Value::as_str)
        .unwrap_or("attachment");
    format!("[media: {name}]")
}

fn inline(nodes: &[Value]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n.get("type").and_then(Value::as_str).unwrap_or("") {
            "text" => {
                let mut t = n
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let marks = n
                    .get("marks")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let has = |m: &str| {
                    marks
                        .iter()
                        .any(|x| x.get("type").and_then(Value::as_str) == Some(m))
                };
                if has("code") {
                    t = format!("`{t}`");
                }
                if has("strike") {
                    t = format!("~~{t}~~");
                }
                if has("em") {
                    t = format!("*{t}*");
                }
                if has("strong") {
                    t = format!("**{t}**");
                }
                if let Some(href) = marks
                    .iter()
                    .find(|x| x.get("type").and_then(Value::as_str) == Some("link"))
                    .and_then(|l| l.pointer("/attrs/href"))
                    .and_then(Value::as_str)
                {
                    t = format!("[{t}]({href})");
                }
                s.push_str(&t);
            }
            "mention" => {
                let id = n.pointer("/attrs/id").and_then(Value::as_str).unwrap_or("");
                s.push_str(&format!("[~accountid:{id}]"));
            }
            "emoji" => s.push_str(
                n.pointer("/attrs/text")
                    .or_else(|| n.pointer("/attrs/shortName"))
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
            "hardBreak" => s.push_str("  \n"),
            "inlineCard" | "blockCard" => s.push_str(
                n.pointer("/attrs/url")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
            "date" => s.push_str(
                n.pointer("/attrs/timestamp")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
            "status" => s.push_str(&format!(
                "[{}]",
                n.pointer("/attrs/text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            )),
            "media" | "mediaInline" => s.push_str(&media_placeholder(n)),
            _ => s.push_str(&inline(children(n))),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_marks_links_and_mentions() {
        let adf = markdown_to_adf("# Title\n\nSome **bold**, *em*, ~~gone~~ and `code` with [a link](https://x.example) for [~accountid:5b10ac8d].");
        assert_eq!(adf["type"], "doc");
        assert_eq!(adf["version"], 1);
        assert_eq!(
            adf["content"][0],
            json!({"type": "heading", "attrs": {"level": 1}, "content": [{"type": "text", "text": "Title"}]})
        );
        let p = &adf["content"][1]["content"];
        assert_eq!(
            p[1],
            json!({"type": "text", "text": "bold", "marks": [{"type": "strong"}]})
        );
        assert_eq!(
            p[5],
            json!({"type": "text", "text": "gone", "marks": [{"type": "strike"}]})
        );
        assert_eq!(
            p[7],
            json!({"type": "text", "text": "code", "marks": [{"type": "code"}]})
        );
        assert_eq!(
            p[9],
            json!({"type": "text", "text": "a link", "marks": [{"type": "link", "attrs": {"href": "https://x.example"}}]})
        );
        assert_eq!(
            p[11],
            json!({"type": "mention", "attrs": {"id": "5b10ac8d", "text": "@5b10ac8d"}})
        );
    }

    #[test]
    fn nested_lists_code_quotes_tables() {
        let md = "- one\n  - nested\n- two\n\n1. first\n2. second\n\n```rust\nfn main() {}\n```\n\n> quoted\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let adf = markdown_to_adf(md);
        let c = adf["content"].as_array().cloned().unwrap_or_default();
        let kinds: Vec<&str> = c.iter().map(|n| n["type"].as_str().unwrap_or("")).collect();
        assert_eq!(
            kinds,
            vec![
                "bulletList",
                "orderedList",
                "codeBlock",
                "blockquote",
                "rule",
                "table"
            ]
        );
        let item0 = &c[0]["content"][0];
        assert_eq!(
            item0["content"][0],
            json!({"type": "paragraph", "content": [{"type": "text", "text": "one"}]})
        );
        assert_eq!(item0["content"][1]["type"], "bulletList");
        assert_eq!(
            c[2],
            json!({"type": "codeBlock", "attrs": {"language": "rust"}, "content": [{"type": "text", "text": "fn main() {}"}]})
        );
        assert_eq!(c[5]["content"][0]["content"][0]["type"], "tableHeader");
        assert_eq!(
            c[5]["content"][1]["content"][1]["content"][0]["content"][0]["text"],
            "2"
        );
    }

    #[test]
    fn round_trip_is_stable() {
        let md = "# Release\n\nShip **2.4** with *care*, see [notes](https://n.example).\n\n- fix `login`\n  - SSO\n- docs\n\n1. build\n2. deploy\n\n```sh\nmake all\n```\n\n> remember [~accountid:abc]\n\n---\n\n| k | v |\n|---|---|\n| a | b |";
        let back = adf_to_markdown(&markdown_to_adf(md));
        assert_eq!(back, md);
        assert_eq!(adf_to_markdown(&markdown_to_adf(&back)), md);
    }

    #[test]
    fn unknown_nodes_keep_their_text_and_media_becomes_a_placeholder() {
        let adf = json!({"type": "doc", "version": 1, "content": [
            {"type": "expand", "attrs": {"title": "More"}, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hidden text"}]}]},
            {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "abc", "type": "file", "alt": "screenshot.png"}}]},
            {"type": "paragraph", "content": [{"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}}, {"type": "text", "text": " ok"}, {"type": "hardBreak"}, {"type": "inlineCard", "attrs": {"url": "https://card.example"}}]}
        ]});
        let md = adf_to_markdown(&adf);
        assert_eq!(
            md,
            "hidden text\n\n[media: screenshot.png]\n\n😄 ok  \nhttps://card.example"
        );
    }

    #[test]
    fn adf_objects_are_recognised() {
        assert!(is_adf(&json!({"type": "doc", "version": 1, "content": []})));
        assert!(!is_adf(&json!("text")));
    }
}
