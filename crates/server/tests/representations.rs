//! The same requests against a server on the in-memory store (which
//! renders every representation from a parsed value) and one on SQLite
//! (which splices the stored JSON text under the default projection)
//! give the same JSON, member order included, once ids, timestamps and
//! addresses are replaced by placeholders.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use reqwest::Method;
use scimhub_schema::urn::{ENTERPRISE_USER, GROUP, LICENSE_GROUP, PATCH_OP, SEARCH_REQUEST, USER};
use serde_json::{Value, json};

/// One server and what it assigned: its base URL and the ids it returned,
/// in creation order.
struct Side {
    _server: Server,
    base: String,
    ids: Vec<String>,
}

impl Side {
    fn new(database: String) -> Side {
        let server = start_with(Options {
            database,
            ..Options::default()
        });
        let base = server.url("/scim/v2/default");
        Side {
            _server: server,
            base,
            ids: Vec::new(),
        }
    }

    /// Sends a request; `{N}` in the path or body names the N-th id.
    fn send(&mut self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let fill = |s: &str| {
            self.ids
                .iter()
                .enumerate()
                .fold(s.to_owned(), |s, (i, id)| {
                    s.replace(&format!("{{{i}}}"), id)
                })
        };
        let url = format!("{}{}", self.base, fill(path));
        let body = body.map(|b| serde_json::from_str(&fill(&b.to_string())).unwrap());
        let (status, _, answer) = send(method.clone(), &url, Some(TOKEN), body.as_ref());
        if method == Method::POST && status == 201 {
            self.ids.push(answer["id"].as_str().unwrap().to_owned());
        }
        (status, self.normalise(answer))
    }

    /// The answer with this server's ids, base URL and timestamps replaced.
    fn normalise(&self, v: Value) -> Value {
        match v {
            Value::String(s) => {
                let mut s = s.replace(&self.base, "BASE");
                for (i, id) in self.ids.iter().enumerate() {
                    s = s.replace(id, &format!("ID{i}"));
                }
                Value::String(s)
            }
            Value::Array(a) => Value::Array(a.into_iter().map(|e| self.normalise(e)).collect()),
            Value::Object(o) => Value::Object(
                o.into_iter()
                    .map(|(k, v)| {
                        let v = if k == "created" || k == "lastModified" {
                            Value::String("TIME".into())
                        } else {
                            self.normalise(v)
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

#[test]
fn sqlite_and_memory_servers_render_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let (sqlite, _) = sqlite_in(&dir);
    let mut sides = [Side::new("memory://".into()), Side::new(sqlite)];
    let user = |name: &str| {
        json!({
            "schemas": [USER, ENTERPRISE_USER],
            "userName": name,
            "externalId": format!("ext-{name}"),
            "name": {"givenName": "Barbara", "familyName": "Jensen \"BJ\" \\ é 😀"},
            "displayName": "Babs",
            "active": true,
            "emails": [{"value": name, "type": "work", "primary": true}],
            "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}],
            ENTERPRISE_USER: {"employeeNumber": "701984", "manager": {"value": "26118915"}},
        })
    };
    let patch = |ops: Value| json!({"schemas": [PATCH_OP], "Operations": ops});
    // {0} and {1}: users; {2}: a licensed group with {0}; {3}: a plain
    // group; {4}: a user created last.
    let steps: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::POST, "/Users", Some(user("bjensen@example.com"))),
        (Method::POST, "/Users", Some(user("jsmith@example.com"))),
        (
            Method::POST,
            "/Groups",
            Some(json!({
                "schemas": [GROUP, LICENSE_GROUP],
                "displayName": "E5",
                LICENSE_GROUP: {"license": true},
                "members": [{"value": "{0}"}],
            })),
        ),
        (
            Method::POST,
            "/Groups",
            Some(json!({"schemas": [GROUP], "displayName": "Sales"})),
        ),
        (Method::GET, "/Users/{0}", None),
        (Method::GET, "/Users/{1}", None),
        (
            Method::GET,
            "/Users?filter=userName%20eq%20%22BJENSEN@example.com%22",
            None,
        ),
        (Method::GET, "/Users?startIndex=1&count=10", None),
        (Method::GET, "/Users?attributes=userName,groups", None),
        (Method::GET, "/Users/{0}?excludedAttributes=emails", None),
        (Method::GET, "/Groups/{2}", None),
        (Method::GET, "/Groups?excludedAttributes=members", None),
        (
            Method::PATCH,
            "/Users/{1}",
            Some(patch(
                json!([{"op": "Replace", "path": "active", "value": "False"}]),
            )),
        ),
        (
            Method::PATCH,
            "/Users/{0}",
            Some(patch(
                json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@example.com"}]),
            )),
        ),
        (Method::PUT, "/Users/{1}", Some(user("jsmith@example.com"))),
        (
            Method::PATCH,
            "/Groups/{3}",
            Some(patch(
                json!([{"op": "Add", "path": "members", "value": [{"value": "{1}"}]}]),
            )),
        ),
        (Method::GET, "/Groups/{3}", None),
        (Method::GET, "/Users/{1}", None),
        (Method::POST, "/Users", Some(user("new@example.com"))),
        (
            Method::POST,
            "/.search",
            Some(json!({
                "schemas": [SEARCH_REQUEST],
                "filter": "emails.value co \"example.com\"",
            })),
        ),
    ];
    for (method, path, body) in steps {
        let [memory, sqlite] = &mut sides;
        let (status_m, memory_answer) = memory.send(method.clone(), path, body.clone());
        let (status_s, sqlite_answer) = sqlite.send(method.clone(), path, body);
        assert_eq!(status_m, status_s, "{method} {path}");
        assert!(
            status_m < 300,
            "{method} {path}: {status_m} {memory_answer}"
        );
        // Serialised: the order of members counts.
        assert_eq!(
            memory_answer.to_string(),
            sqlite_answer.to_string(),
            "{method} {path}"
        );
    }
}
