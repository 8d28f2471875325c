//! From Atlassian's raw JSON to what the agent sees: output transforms, browser URLs, noise
//! dropped, records projected to the declared fields, a compact confirmation for writes, a paging
//! hint, and a size cap with an explicit truncation notice.

use super::{adf, storage};
use crate::registry::ToolDef;
use serde_json::{json, Map, Value};

/// Largest result returned, in bytes of JSON.
pub const DEFAULT_CAP: usize = 40_000;

/// Keys dropped everywhere: links to the API itself, avatars, icons, expansion metadata.
const NOISE: &[&str] = &[
    "self",
    "avatarUrls",
    "iconUrl",
    "expand",
    "_expandable",
    "avatarId",
    "iconURL",
];

/// What the shaper needs to know about the site.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// `https://acme.atlassian.net` — for Jira `/browse/KEY` links.
    pub jira: Option<String>,
    /// `https://acme.atlassian.net` — Confluence links are `{this}/wiki{webui}`.
    pub confluence: Option<String>,
    pub cap: usize,
}

/// Fields kept in a write tool's confirmation when the tool declares no projection.
const CONFIRM: &[&str] = &[
    "id",
    "key",
    "name",
    "title",
    "state",
    "status=status.name",
    "status",
    "version=version.number",
    "url",
];

/// Shapes one successful response.
pub fn shape(
    tool: &ToolDef,
    status: u16,
    body: Value,
    args: &Map<String, Value>,
    site: &Site,
) -> Value {
    let rule = &tool.response;
    let mut body = body;
    if body.is_null() {
        // 204 and friends: say what happened to what.
        let mut out = Map::new();
        out.insert("ok".into(), json!(true));
        out.insert("status".into(), json!(status));
        for (k, v) in args {
            if k.ends_with("_key") || k.ends_with("_id") || k == "id" {
                out.insert(k.clone(), v.clone());
            }
        }
        return Value::Object(out);
    }
    // Transforms and URLs first, while the raw structure is intact.
    for_each_record(&mut body, rule.items, &mut |rec| {
        for (path, transform) in rule.transform {
            apply_transform(rec, path, transform);
        }
    });
    add_urls(&mut body, site, None);
    let paging = paging_hint(&body, rule.items);
    drop_noise(&mut body, rule.drop);
    let projection: Vec<&str> = if !rule.project.is_empty() {
        rule.project.to_vec()
    } else if !tool.annotations.read_only {
        CONFIRM.to_vec()
    } else {
        Vec::new()
    };
    if !projection.is_empty() {
        match rule.items {
            Some(items) => {
                if let Some(Value::Array(list)) = body.get_mut(items) {
                    for rec in list.iter_mut() {
                        *rec = project(rec, &projection);
                    }
                }
                if let Value::Object(obj) = &mut body {
                    obj.retain(|k, _| k == items || PAGING_KEYS.contains(&k.as_str()));
                }
            }
            None => match &mut body {
                Value::Array(list) => list
                    .iter_mut()
                    .for_each(|rec| *rec = project(rec, &projection)),
                other => *other = project(other, &projection),
            },
        }
    }
    if let (Some(hint), Value::Object(obj)) = (paging, &mut body) {
        obj.remove("nextPageToken");
        obj.insert("next_page".into(), hint);
    }
    cap(
        body,
        rule.items,
        if site.cap == 0 { DEFAULT_CAP } else { site.cap },
    )
}

const PAGING_KEYS: &[&str] = &[
    "total",
    "startAt",
    "maxResults",
    "isLast",
    "nextPageToken",
    "size",
    "limit",
    "start",
    "totalSize",
];

fn for_each_record(body: &mut Value, items: Option<&str>, f: &mut dyn FnMut(&mut Value)) {
    match items.and_then(|k| body.get_mut(k)) {
        Some(Value::Array(list)) => list.iter_mut().for_each(&mut *f),
        Some(_) => {}
        None => f(body),
    }
}

fn apply_transform(rec: &mut Value, path: &str, transform: &str) {
    let segs: Vec<&str> = path.split('.').collect();
    visit_path(rec, &segs, &mut |v| {
        let out = match transform {
            "adf_to_markdown" if adf::is_adf(v) => Some(adf::adf_to_markdown(v)),
            "storage_to_markdown" => {
                let text = v.as_str().map(String::from).or_else(|| {
                    v.pointer("/storage/value")
                        .or_else(|| v.get("value"))
                        .and_then(Value::as_str)
                        .map(String::from)
                });
                text.map(|t| storage::storage_to_markdown(&t))
            }
            _ => None,
        };
        if let Some(md) = out {
            *v = Value::String(md);
        }
    });
}

/// Calls `f` on every value at `segs` below `v`, mapping over arrays on the way.
fn visit_path(v: &mut Value, segs: &[&str], f: &mut dyn FnMut(&mut Value)) {
    match v {
        Value::Array(list) => list.iter_mut().for_each(|x| visit_path(x, segs, f)),
        _ if segs.is_empty() => f(v),
        Value::Object(obj) => {
            if let Some(next) = obj.get_mut(segs[0]) {
                visit_path(next, &segs[1..], f);
            }
        }
        _ => {}
    }
}

/// Adds `url` (a browser link) to Jira issues and Confluence content.
fn add_urls(v: &mut Value, site: &Site, base: Option<&str>) {
    match v {
        Value::Object(obj) => {
            let base_owned = obj
                .get("_links")
                .and_then(|l| l.get("base"))
                .and_then(Value::as_str)
                .map(String::from);
            let base = base_owned.as_deref().or(base);
            // Relative links (Confluence search results) become absolute.
            if let (Some(Value::String(u)), Some(root)) = (obj.get_mut("url"), base) {
                if u.starts_with('/') {
                    *u = format!("{}{u}", root.trim_end_matches('/'));
                }
            }
            if !obj.contains_key("url") {
                let key = obj.get("key").and_then(Value::as_str);
                let is_issue = obj.contains_key("fields")
                    || obj
                        .get("self")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.contains("/issue/"));
                if let (Some(key), true, Some(jira)) = (key, is_issue, site.jira.as_deref()) {
                    obj.insert(
                        "url".into(),
                        json!(format!("{}/browse/{key}", jira.trim_end_matches('/'))),
                    );
                } else if let Some(webui) = obj
                    .get("_links")
                    .and_then(|l| l.get("webui"))
                    .and_then(Value::as_str)
                {
                    let root = base.map(String::from).or_else(|| {
                        site.confluence
                            .as_deref()
                            .map(|c| format!("{}/wiki", c.trim_end_matches('/')))
                    });
                    if let Some(root) = root {
                        obj.insert("url".into(), json!(format!("{root}{webui}")));
                    }
                }
            }
            for (_, child) in obj.iter_mut() {
                add_urls(child, site, base);
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|x| add_urls(x, site, base)),
        _ => {}
    }
}

/// Where the next page is, in the words of the tool's arguments.
fn paging_hint(body: &Value, items: Option<&str>) -> Option<Value> {
    if let Some(token) = body.get("nextPageToken").and_then(Value::as_str) {
        return Some(json!({"next_page_token": token}));
    }
    if let Some(next) = body.pointer("/_links/next").and_then(Value::as_str) {
        let cursor = next
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("cursor="))
            .map(percent_decode);
        return Some(match cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({"next": next}),
        });
    }
    let start = body.get("startAt").and_then(Value::as_u64)?;
    let count = items
        .and_then(|k| body.get(k))
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0) as u64;
    let last = body.get("isLast").and_then(Value::as_bool);
    let total = body.get("total").and_then(Value::as_u64);
    let more = match (last, total) {
        (Some(l), _) => !l,
        (None, Some(t)) => start + count < t,
        _ => false,
    };
    (more && count > 0).then(|| json!({"start_at": start + count}))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// Removes noise keys (and `extra`), `_links` other than `webui`, and empty values, recursively.
pub fn drop_noise(v: &mut Value, extra: &[&str]) {
    match v {
        Value::Object(obj) => {
            obj.retain(|k, _| {
                !NOISE.contains(&k.as_str()) && !extra.contains(&k.as_str()) && k != "_links"
            });
            for (_, child) in obj.iter_mut() {
                drop_noise(child, extra);
            }
            obj.retain(|_, child| !is_empty(child));
        }
        Value::Array(list) => {
            list.iter_mut().for_each(|x| drop_noise(x, extra));
            list.retain(|x| !is_empty(x));
        }
        // Search highlight markers are for Confluence's own UI.
        Value::String(s) if s.contains("@@@hl@@@") => {
            *s = s.replace("@@@hl@@@", "").replace("@@@endhl@@@", "")
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Keeps the fields named by `entries` (`path` or `alias=path`; paths map over arrays); `key`,
/// `id` and `url` are always kept.
pub fn project(rec: &Value, entries: &[&str]) -> Value {
    let Value::Object(obj) = rec else {
        return rec.clone();
    };
    let mut out = Map::new();
    for always in ["key", "id", "url"] {
        if let Some(v) = obj.get(always) {
            out.insert(always.into(), v.clone());
        }
    }
    for entry in entries {
        let (alias, path) = entry.split_once('=').unwrap_or((entry, entry));
        if out.contains_key(alias) && alias != *entry {
            continue;
        }
        if let Some(v) = get_path(rec, &path.split('.').collect::<Vec<_>>()) {
            if is_empty(&v) {
                continue;
            }
            if alias == *entry && path.contains('.') {
                insert_nested(&mut out, &path.split('.').collect::<Vec<_>>(), v);
            } else {
                out.entry(alias.to_string()).or_insert(v);
            }
        }
    }
    Value::Object(out)
}

fn get_path(v: &Value, segs: &[&str]) -> Option<Value> {
    if segs.is_empty() {
        return Some(v.clone());
    }
    match v {
        Value::Array(list) => {
            let items: Vec<Value> = list.iter().filter_map(|x| get_path(x, segs)).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Value::Object(obj) => obj.get(segs[0]).and_then(|n| get_path(n, &segs[1..])),
        _ => None,
    }
}

fn insert_nested(out: &mut Map<String, Value>, segs: &[&str], v: Value) {
    if segs.len() == 1 {
        out.insert(segs[0].to_string(), v);
        return;
    }
    let child = out
        .entry(segs[0].to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(m) = child {
        insert_nested(m, &segs[1..], v);
    }
}

/// Keeps the result under `limit` bytes: drops records from the end of the item list (saying how
/// many were left out and how to get them), then shortens long strings.
pub fn cap(mut body: Value, items: Option<&str>, limit: usize) -> Value {
    let size = |v: &Value| serde_json::to_string(v).map(|s| s.len()).unwrap_or(0);
    if size(&body) <= limit {
        return body;
    }
    let list_key = items.map(String::from).or_else(|| {
        body.as_object().and_then(|o| {
            o.iter()
                .filter(|(_, v)| v.is_array())
                .max_by_key(|(_, v)| v.as_array().map(Vec::len).unwrap_or(0))
                .map(|(k, _)| k.clone())
        })
    });
    if let Some(key) = list_key {
        let total = body
            .get(&key)
            .and_then(Value::as_array)
            .map(Vec::len)
            .unwrap_or(0);
        let mut keep = total;
        while keep > 1 && size(&body) > limit {
            keep = keep.div_ceil(2).max(1);
            if let Some(Value::Array(list)) = body.get_mut(&key) {
                list.truncate(keep);
            }
        }
        if keep < total {
            if let Value::Object(obj) = &mut body {
                obj.insert(
                    "truncated".into(),
                    json!(format!("showing {keep} of {total} {key} to stay under {limit} bytes; ask for fewer (limit) or fewer fields, or page on")),
                );
            }
        }
    }
    if size(&body) > limit {
        shorten_strings(&mut body, 2_000);
        if let Value::Object(obj) = &mut body {
            obj.insert(
                "truncated".into(),
                json!(format!(
                    "long texts were cut to 2000 characters to stay under {limit} bytes"
                )),
            );
        }
    }
    body
}

fn shorten_strings(v: &mut Value, max: usize) {
    match v {
        Value::String(s) if s.chars().count() > max => {
            let cut: String = s.chars().take(max).collect();
            *s = format!("{cut}…[truncated]");
        }
        Value::Array(list) => list.iter_mut().for_each(|x| shorten_strings(x, max)),
        Value::Object(obj) => obj.iter_mut().for_each(|(_, x)| shorten_strings(x, max)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_and_empty_values_are_dropped_recursively() {
        let mut v = json!({"self": "x", "key": "A-1", "fields": {"assignee": {"avatarUrls": {"a": 1}, "displayName": "Mia", "emailAddress": ""},
            "labels": [], "status": {"iconUrl": "i", "name": "Done"}}, "_links": {"webui": "/x"}, "expand": "names"});
        drop_noise(&mut v, &["emailAddress"]);
        assert_eq!(
            v,
            json!({"key": "A-1", "fields": {"assignee": {"displayName": "Mia"}, "status": {"name": "Done"}}})
        );
    }

    #[test]
    fn projection_with_aliases_over_arrays_keeps_ids() {
        let rec = json!({"id": "1", "key": "A-1", "fields": {"summary": "S", "status": {"name": "Done"}, "components": [{"name": "api"}, {"name": "ui"}], "other": 1}});
        let out = project(
            &rec,
            &[
                "summary=fields.summary",
                "status=fields.status.name",
                "components=fields.components.name",
                "fields.other",
            ],
        );
        assert_eq!(
            out,
            json!({"key": "A-1", "id": "1", "summary": "S", "status": "Done", "components": ["api", "ui"], "fields": {"other": 1}})
        );
    }

    #[test]
    fn paging_hints_for_tokens_cursors_and_offsets() {
        assert_eq!(
            paging_hint(
                &json!({"nextPageToken": "t1", "issues": []}),
                Some("issues")
            ),
            Some(json!({"next_page_token": "t1"}))
        );
        assert_eq!(
            paging_hint(
                &json!({"results": [], "_links": {"next": "/wiki/api/v2/spaces?cursor=abc%3D&limit=2"}}),
                Some("results")
            ),
            Some(json!({"cursor": "abc="}))
        );
        assert_eq!(
            paging_hint(
                &json!({"startAt": 0, "maxResults": 2, "total": 5, "values": [1, 2]}),
                Some("values")
            ),
            Some(json!({"start_at": 2}))
        );
        assert_eq!(
            paging_hint(
                &json!({"startAt": 0, "isLast": true, "values": [1]}),
                Some("values")
            ),
            None
        );
    }

    #[test]
    fn cap_truncates_with_a_notice() {
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"key": format!("A-{i}"), "text": "x".repeat(500)}))
            .collect();
        let out = cap(json!({"issues": items}), Some("issues"), 10_000);
        assert!(
            serde_json::to_string(&out)
                .map(|s| s.len())
                .unwrap_or(usize::MAX)
                <= 10_000
        );
        let n = out["issues"].as_array().map(Vec::len).unwrap_or(0);
        assert!(n > 0 && n < 100);
        assert!(
            out["truncated"]
                .as_str()
                .is_some_and(|t| t.contains(&format!("showing {n} of 100 issues"))),
            "{}",
            out["truncated"]
        );
    }

    #[test]
    fn long_single_texts_are_cut() {
        let out = cap(json!({"body": "y".repeat(50_000)}), None, 10_000);
        assert!(out["body"]
            .as_str()
            .is_some_and(|s| s.ends_with("…[truncated]") && s.len() < 3_000));
        assert!(out["truncated"].is_string());
    }
}
