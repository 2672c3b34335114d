//! Starts the real `scimhub` binary and talks to it over HTTP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    // Pick a free port, then hand it to the server.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_scimhub"))
        .args(["serve", "--bind", &addr, "--workers", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&server.addr).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// A minimal HTTP/1.1 GET; returns the status, the headers and the body.
fn get(addr: &str, path: &str) -> (u16, String, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        head.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap(),
    )
}

#[test]
fn the_binary_serves_discovery_over_http() {
    let server = start();
    let (status, head, spc) = get(&server.addr, "/scim/v2/default/ServiceProviderConfig");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: application/scim+json"),
        "{head}"
    );
    assert_eq!(
        spc["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    let (_, _, schemas) = get(&server.addr, "/scim/v2/default/Schemas");
    let ids: Vec<_> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"urn:ietf:params:scim:schemas:core:2.0:User".to_owned()));
    assert!(ids.contains(&"urn:ietf:params:scim:schemas:extension:license:2.0:Group".to_owned()));
    let (status, _, body) = get(&server.addr, "/nowhere");
    assert_eq!(status, 404);
    assert_eq!(body["status"], "404");
}
