//! The mock's data and endpoints: a small Jira project and Confluence space with payloads shaped
//! like real Cloud responses (written for these tests, not copied).

use axum::http::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The mock's mutable state.
pub struct Jira {
    pub issues: BTreeMap<u64, Value>,
    next: u64,
}

impl Default for Jira {
    fn default() -> Self {
        Self::seeded()
    }
}

fn user(account_id: &str, name: &str) -> Value {
    json!({
        "self": format!("https://mock.atlassian.net/rest/api/3/user?accountId={account_id}"),
        "accountId": account_id,
        "displayName": name,
        "active": true,
        "timeZone": "Europe/Berlin",
        "accountType": "atlassian",
        "avatarUrls": {"48x48": "https://avatar.example/48", "24x24": "https://avatar.example/24", "16x16": "https://avatar.example/16", "32x32": "https://avatar.example/32"}
    })
}

fn adf_paragraph(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

fn issue(n: u64, summary: &str, status: &str, description: &str) -> Value {
    json!({
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": (10000 + n).to_string(),
        "self": format!("https://mock.atlassian.net/rest/api/3/issue/{}", 10000 + n),
        "key": format!("PROJ-{n}"),
        "fields": {
            "summary": summary,
            "status": {"self": "https://mock.atlassian.net/rest/api/3/status/3", "name": status, "id": "3",
                       "iconUrl": "https://mock.atlassian.net/images/icons/statuses/inprogress.png",
                       "statusCategory": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"}},
            "issuetype": {"id": "10001", "name": "Task", "subtask": false, "iconUrl": "https://mock.atlassian.net/icon/task.svg"},
            "priority": {"id": "3", "name": "Medium", "iconUrl": "https://mock.atlassian.net/images/icons/priorities/medium.svg"},
            "assignee": user("5b10ac8d82e05b22cc7d4ef5", "Mia Krystof"),
            "reporter": user("5b10a2844c20165700ede21g", "Ravi Chandra"),
            "labels": ["backend"],
            "project": {"id": "10000", "key": "PROJ", "name": "Project", "projectTypeKey": "software"},
            "description": adf_paragraph(description),
            "created": "2026-11-20T09:12:44.101+0000",
            "updated": "2026-12-01T16:02:10.532+0000"
        }
    })
}

impl Jira {
    /// Three issues in project PROJ.
    pub fn seeded() -> Self {
        let mut issues = BTreeMap::new();
        issues.insert(
            1,
            issue(
                1,
                "Login fails with SSO",
                "In Progress",
                "Users of the SSO login see an error page.",
            ),
        );
        issues.insert(
            2,
            issue(
                2,
                "Add audit log export",
                "To Do",
                "Export the audit log as CSV.",
            ),
        );
        issues.insert(
            3,
            issue(
                3,
                "Upgrade TLS library",
                "Done",
                "Move to the current release.",
            ),
        );
        Jira { issues, next: 4 }
    }

    fn by_key(&self, key: &str) -> Option<&Value> {
        let n: u64 = key
            .strip_prefix("PROJ-")
            .and_then(|n| n.parse().ok())
            .or_else(|| key.parse::<u64>().ok().map(|id| id.saturating_sub(10000)))?;
        self.issues.get(&n)
    }
}

fn not_found_issue() -> (u16, Value) {
    (
        404,
        json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}),
    )
}

fn first(q: &BTreeMap<String, Vec<String>>, k: &str) -> Option<String> {
    q.get(k).and_then(|v| v.first()).cloned()
}

/// Jira Server/Data Center's v2 shape of an issue: rich text is a plain string.
fn v2_issue(issue: &Value) -> Value {
    let mut i = issue.clone();
    let text = i["fields"]["description"]
        .pointer("/content/0/content/0/text")
        .and_then(Value::as_str)
        .map(String::from);
    i["fields"]["description"] = text.map(Value::String).unwrap_or(Value::Null);
    i["self"] = json!(i["self"]
        .as_str()
        .unwrap_or("")
        .replace("/api/3/", "/api/2/"));
    i
}

/// The mock understands JQL that names a project; anything else is a JQL error, as Jira gives one.
fn check_jql(jql: &str) -> Result<(), (u16, Value)> {
    if jql.to_ascii_lowercase().contains("project") {
        Ok(())
    } else {
        Err((
            400,
            json!({"errorMessages": [format!("Error in the JQL Query: '{jql}' is not supported by the mock.")], "errors": {}}),
        ))
    }
}

/// Answers one API request (gateway prefix already removed).
pub fn route(
    jira: &mut Jira,
    base: &str,
    method: &Method,
    path: &str,
    q: &BTreeMap<String, Vec<String>>,
    body: &Value,
) -> (u16, Value) {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segs.as_slice()) {
        // Jira Server/Data Center (v2), as other MCP servers call it against a local URL.
        ("GET", ["rest", "api", "2", "issue", key]) => match jira.by_key(key) {
            Some(i) => (200, v2_issue(i)),
            None => not_found_issue(),
        },
        ("GET", ["rest", "api", "2", "search"]) | ("POST", ["rest", "api", "2", "search"]) => {
            let jql = first(q, "jql")
                .or_else(|| body.get("jql").and_then(Value::as_str).map(String::from))
                .unwrap_or_default();
            if let Err(answer) = check_jql(&jql) {
                return answer;
            }
            let max: usize = first(q, "maxResults")
                .and_then(|m| m.parse().ok())
                .unwrap_or(50)
                .clamp(1, 1000);
            let start: usize = first(q, "startAt")
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            let all: Vec<Value> = jira.issues.values().map(v2_issue).collect();
            let page: Vec<Value> = all.iter().skip(start).take(max).cloned().collect();
            (
                200,
                json!({"expand": "schema,names", "startAt": start, "maxResults": max, "total": all.len(), "issues": page}),
            )
        }
        ("GET", ["rest", "api", "2" | "3", "field"]) => (
            200,
            json!([
                {"id": "summary", "key": "summary", "name": "Summary", "custom": false, "orderable": true, "navigable": true, "searchable": true, "clauseNames": ["summary"], "schema": {"type": "string", "system": "summary"}},
                {"id": "status", "key": "status", "name": "Status", "custom": false, "orderable": false, "navigable": true, "searchable": true, "clauseNames": ["status"], "schema": {"type": "status", "system": "status"}},
                {"id": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate", "custom": true, "orderable": true, "navigable": true, "searchable": true, "clauseNames": ["cf[10016]"], "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}}
            ]),
        ),
        ("GET", ["rest", "api", "2", "myself"]) | ("GET", ["rest", "api", "3", "myself"]) => (
            200,
            user("712020:mock-service-account", "MCP service account"),
        ),
        ("GET", ["rest", "api", "3", "issue", key]) => match jira.by_key(key) {
            Some(i) => (200, i.clone()),
            None => not_found_issue(),
        },
        ("POST", ["rest", "api", "3", "issue"]) => {
            let f = &body["fields"];
            let mut errors = serde_json::Map::new();
            if f["summary"].as_str().unwrap_or("").is_empty() {
                errors.insert(
                    "summary".into(),
                    json!("You must specify a summary of the issue."),
                );
            }
            if f["project"]["key"].as_str() != Some("PROJ")
                && f["project"]["id"].as_str() != Some("10000")
            {
                errors.insert("project".into(), json!("Specify a valid project ID or key"));
            }
            if f["issuetype"]["name"].as_str().is_none() && f["issuetype"]["id"].as_str().is_none()
            {
                errors.insert("issuetype".into(), json!("Specify an issue type"));
            }
            if !errors.is_empty() {
                return (400, json!({"errorMessages": [], "errors": errors}));
            }
            let n = jira.next;
            jira.next += 1;
            let summary = f["summary"].as_str().unwrap_or_default();
            let mut created = issue(n, summary, "To Do", "");
            created["fields"]["description"] = f.get("description").cloned().unwrap_or(Value::Null);
            jira.issues.insert(n, created);
            (
                201,
                json!({"id": (10000 + n).to_string(), "key": format!("PROJ-{n}"), "self": format!("{base}/rest/api/3/issue/{}", 10000 + n)}),
            )
        }
        ("GET", ["rest", "api", "3", "issue", key, "transitions"]) => match jira.by_key(key) {
            Some(_) => (
                200,
                json!({"expand": "transitions", "transitions": [
                    {"id": "11", "name": "To Do", "to": {"name": "To Do", "id": "10000"}, "hasScreen": false, "isGlobal": true},
                    {"id": "21", "name": "In Progress", "to": {"name": "In Progress", "id": "3"}, "hasScreen": false, "isGlobal": true},
                    {"id": "31", "name": "Done", "to": {"name": "Done", "id": "10001"}, "hasScreen": false, "isGlobal": true}
                ]}),
            ),
            None => not_found_issue(),
        },
        ("POST", ["rest", "api", "3", "issue", key, "transitions"]) => {
            if jira.by_key(key).is_none() {
                return not_found_issue();
            }
            let name = match body["transition"]["id"].as_str() {
                Some("11") => "To Do",
                Some("21") => "In Progress",
                Some("31") => "Done",
                _ => {
                    return (
                        400,
                        json!({"errorMessages": ["Transition id is not valid for this issue."], "errors": {}}),
                    )
                }
            };
            let n: Option<u64> = key.strip_prefix("PROJ-").and_then(|n| n.parse().ok());
            if let Some(i) = n.and_then(|n| jira.issues.get_mut(&n)) {
                i["fields"]["status"]["name"] = json!(name);
            }
            (204, Value::Null)
        }
        ("GET", ["rest", "api", "3", "search", "jql"]) => {
            let Some(jql) = first(q, "jql").filter(|j| !j.trim().is_empty()) else {
                return (
                    400,
                    json!({"errorMessages": ["Unbounded JQL queries are not allowed here. Please add a search restriction to your query."], "errors": {}}),
                );
            };
            if let Err(answer) = check_jql(&jql) {
                return answer;
            }
            let max: usize = first(q, "maxResults")
                .and_then(|m| m.parse().ok())
                .unwrap_or(50)
                .clamp(1, 5000);
            let start: usize = first(q, "nextPageToken")
                .and_then(|t| t.strip_prefix("page-").and_then(|n| n.parse().ok()))
                .unwrap_or(0);
            let all: Vec<&Value> = jira.issues.values().collect();
            let page: Vec<Value> = all
                .iter()
                .skip(start)
                .take(max)
                .map(|v| (*v).clone())
                .collect();
            let mut out = json!({"issues": page, "isLast": start + max >= all.len()});
            if start + max < all.len() {
                out["nextPageToken"] = json!(format!("page-{}", start + max));
            }
            (200, out)
        }
        ("GET", ["rest", "api", "3", "search"]) | ("POST", ["rest", "api", "3", "search"]) => (
            410,
            json!({"errorMessages": ["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."], "errors": {}}),
        ),
        ("GET", ["rest", "agile", "1.0", "board"]) => {
            let boards = vec![
                json!({"id": 1, "self": format!("{base}/rest/agile/1.0/board/1"), "name": "PROJ board", "type": "scrum", "location": {"projectId": 10000, "projectKey": "PROJ", "displayName": "Project (PROJ)"}}),
                json!({"id": 2, "self": format!("{base}/rest/agile/1.0/board/2"), "name": "Ops kanban", "type": "kanban", "location": {"projectId": 10001, "projectKey": "OPS", "displayName": "Ops (OPS)"}}),
            ];
            let name = first(q, "name").unwrap_or_default().to_lowercase();
            let values: Vec<Value> = boards
                .into_iter()
                .filter(|b| {
                    b["name"]
                        .as_str()
                        .unwrap_or("")
                        .to_lowercase()
                        .contains(&name)
                })
                .collect();
            (
                200,
                json!({"maxResults": 50, "startAt": 0, "total": values.len(), "isLast": true, "values": values}),
            )
        }
        ("GET", ["wiki", "api", "v2", "pages", id]) => {
            if *id != "98765" {
                return (
                    404,
                    json!({"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Not Found", "detail": null}]}),
                );
            }
            let mut page = json!({
                "id": "98765", "status": "current", "title": "Release notes", "spaceId": "65536", "parentId": "98000", "parentType": "page",
                "authorId": "5b10ac8d82e05b22cc7d4ef5", "createdAt": "2026-10-02T08:00:00.000Z",
                "version": {"number": 7, "message": "", "minorEdit": false, "authorId": "5b10ac8d82e05b22cc7d4ef5", "createdAt": "2026-11-30T10:00:00.000Z"},
                "_links": {"webui": "/spaces/ENG/pages/98765/Release+notes", "editui": "/pages/resumedraft.action?draftId=98765", "tinyui": "/x/zYAB"}
            });
            if first(q, "body-format").as_deref() == Some("storage") {
                page["body"] = json!({"storage": {"representation": "storage", "value": "<h1>Release notes</h1><p>Version <strong>2.4</strong> ships SSO fixes.</p>"}});
            }
            (200, page)
        }
        ("GET", ["wiki", "api", "v2", "spaces"]) => (
            200,
            json!({"results": [
                {"id": "65536", "key": "ENG", "name": "Engineering", "type": "global", "status": "current", "homepageId": "98000", "_links": {"webui": "/spaces/ENG"}},
                {"id": "65537", "key": "OPS", "name": "Operations", "type": "global", "status": "current", "homepageId": "99000", "_links": {"webui": "/spaces/OPS"}}
            ], "_links": {"base": format!("{base}/wiki")}}),
        ),
        ("GET", ["wiki", "rest", "api", "search"]) => {
            if first(q, "cql").is_none() {
                return (
                    400,
                    json!({"statusCode": 400, "message": "CQL query parameter is required"}),
                );
            }
            (
                200,
                json!({"results": [{"content": {"id": "98765", "type": "page", "status": "current", "title": "Release notes", "_links": {"webui": "/spaces/ENG/pages/98765"}},
                "title": "Release notes", "excerpt": "Version 2.4 ships SSO fixes.", "url": "/spaces/ENG/pages/98765", "lastModified": "2026-11-30T10:00:00.000Z"}],
                "start": 0, "limit": 10, "size": 1, "totalSize": 1, "_links": {"base": format!("{base}/wiki")}}),
            )
        }
        (_, ["wiki", "rest", "api", "content", ..]) => (
            410,
            json!({"statusCode": 410, "message": "This API is no longer available through this gateway; use the v2 API."}),
        ),
        _ => (
            404,
            json!({"errorMessages": [format!("No mock for {} {path}", method.as_str())], "errors": {}}),
        ),
    }
}
