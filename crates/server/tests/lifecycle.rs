//! TLS with a certificate generated here, and graceful shutdown with a
//! request in flight.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

#[test]
fn serves_https_with_a_generated_certificate() {
    let dir = std::env::temp_dir().join(format!("scimhub-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let server = start_with(Options {
        extra_args: vec![
            "--tls-cert".into(),
            cert_path.display().to_string(),
            "--tls-key".into(),
            key_path.display().to_string(),
        ],
        tls: true,
        ..Options::default()
    });
    let root = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap();
    let https = reqwest::blocking::Client::builder()
        .add_root_certificate(root)
        .build()
        .unwrap();
    let resp = https
        .get(server.url("/scim/v2/default/ServiceProviderConfig"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().unwrap();
    assert!(
        body["meta"]["location"]
            .as_str()
            .unwrap()
            .starts_with("https://"),
        "{body}"
    );
    // Plain HTTP to the TLS port does not get data.
    let plain = client()
        .get(format!("http://{}/scim/v2/default/Users", server.addr))
        .bearer_auth(TOKEN)
        .send();
    assert!(plain.is_err() || plain.unwrap().status().as_u16() >= 400);
    // A missing key file is a clear startup error.
    let out = binary()
        .args([
            "serve",
            "--bind",
            &free_port(),
            "--database",
            "memory://",
            "--tls-cert",
        ])
        .arg(&cert_path)
        .args(["--tls-key", "/nonexistent/key.pem"])
        .env("SCIMHUB_BOOTSTRAP_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("private key"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Reads one HTTP/1.1 response (headers and a Content-Length body).
fn read_response(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    head + &String::from_utf8_lossy(&body)
}

#[test]
fn graceful_shutdown_finishes_a_request_in_flight() {
    let server = start();
    let body = |name: &str| {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
            .to_string()
    };
    let head = |len: usize| {
        format!(
            "POST /scim/v2/default/Users HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/scim+json\r\nContent-Length: {len}\r\n\r\n",
            server.addr
        )
    };
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // A first request on the connection proves the server has it.
    let first = body("first@example.com");
    stream
        .write_all((head(first.len()) + &first).as_bytes())
        .unwrap();
    assert!(read_response(&mut stream).starts_with("HTTP/1.1 201"));
    // The second one is half sent when the server is asked to stop.
    let second = body("inflight@example.com");
    let (a, b) = second.split_at(second.len() / 2);
    stream
        .write_all((head(second.len()) + a).as_bytes())
        .unwrap();
    // Give the server time to read the request head, even on a busy machine.
    std::thread::sleep(Duration::from_millis(1000));
    sigterm(server.pid());
    // New connections are refused once the server stops accepting.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&server.addr).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        TcpStream::connect(&server.addr).is_err(),
        "still accepting after SIGTERM"
    );
    // The request in flight completes.
    stream.write_all(b.as_bytes()).unwrap();
    let response = read_response(&mut stream);
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "{response:?}\n{}",
        server.logs()
    );
    // The process exits cleanly, having closed the store.
    let mut server = server;
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        server.logs().contains("closing the store"),
        "{}",
        server.logs()
    );
}
