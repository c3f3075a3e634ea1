//! The packed batch: records read back the way the JS twin reads them, by the `msg::*` and
//! `entry::*` positions alone.

use crate::kv::{KvEntry, Operation};
use crate::proto::{Headers, Msg};
use crate::session::batch::{entry, msg, Batch, Kind, LAYOUT};

/// Unpacked headers: status code, description, name/value pairs.
type UnpackedHeaders = (f64, String, Vec<(String, String)>);
/// The same, as a test writes them.
type HeadersLit<'a> = (f64, &'a str, &'a [(&'a str, &'a str)]);

/// A message as the JS twin unpacks it.
#[derive(Debug, PartialEq)]
struct Unpacked {
    sid: f64,
    subject: String,
    reply: Option<String>,
    /// `None` without headers.
    headers: Option<UnpackedHeaders>,
    payload: Vec<u8>,
}

/// Reads a message batch with the field positions only.
fn unpack_msgs(b: &Batch) -> Vec<Unpacked> {
    let mut strings = b.text.split('\n').map(str::to_owned);
    let mut next = || strings.next().expect("a string field");
    let mut start = 0;
    b.nums
        .chunks(msg::WIDTH)
        .map(|n| {
            let subject = next();
            let reply = (n[msg::HAS_REPLY] == 1.0).then(&mut next);
            let headers = (n[msg::HEADER_PAIRS] >= 0.0).then(|| {
                let description = next();
                let pairs = (0..n[msg::HEADER_PAIRS] as usize)
                    .map(|_| (next(), next()))
                    .collect();
                (n[msg::CODE], description, pairs)
            });
            let end = n[msg::END] as usize;
            let payload = b.data[start..end].to_vec();
            start = end;
            Unpacked {
                sid: n[msg::SID],
                subject,
                reply,
                headers,
                payload,
            }
        })
        .collect()
}

fn message(
    sid: u64,
    subject: &str,
    reply: Option<&str>,
    headers: Option<Headers>,
    payload: &str,
) -> Msg {
    Msg {
        subject: subject.into(),
        sid,
        reply: reply.map(str::to_owned),
        headers,
        payload: payload.as_bytes().to_vec(),
    }
}

fn unpacked(
    sid: f64,
    subject: &str,
    reply: Option<&str>,
    headers: Option<HeadersLit>,
    payload: &str,
) -> Unpacked {
    Unpacked {
        sid,
        subject: subject.into(),
        reply: reply.map(str::to_owned),
        headers: headers.map(|(code, d, pairs)| {
            let pairs = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            (code, d.to_owned(), pairs)
        }),
        payload: payload.as_bytes().to_vec(),
    }
}

#[test]
fn msgs_with_and_without_reply_and_headers_read_back_by_position() {
    let mut h = Headers::new();
    h.set("K", "v1").unwrap();
    h.append("K", "v2").unwrap();
    h.set("Other", "").unwrap();
    let status = Headers::decode(b"NATS/1.0 503 No Responders\r\n\r\n").unwrap();
    let mut b = Batch::new(Kind::Msg);
    b.push_msg(&message(3, "a.b", None, None, "xy"));
    b.push_msg(&message(4, "c", Some("_INBOX.r"), Some(h), "zzz"));
    b.push_msg(&message(5, "d", Some("_INBOX.s"), Some(status), ""));
    b.push_msg(&message(6, "e", None, Some(Headers::new()), "w"));
    assert_eq!((b.len(), b.nums.len()), (4, 4 * msg::WIDTH));
    assert_eq!(
        unpack_msgs(&b),
        [
            unpacked(3.0, "a.b", None, None, "xy"),
            unpacked(
                4.0,
                "c",
                Some("_INBOX.r"),
                Some((0.0, "", &[("K", "v1"), ("K", "v2"), ("Other", "")])),
                "zzz"
            ),
            unpacked(
                5.0,
                "d",
                Some("_INBOX.s"),
                Some((503.0, "No Responders", &[])),
                ""
            ),
            unpacked(6.0, "e", None, Some((0.0, "", &[])), "w"),
        ]
    );
}

#[test]
fn a_newline_in_a_field_does_not_misalign_the_fields_after_it() {
    // No valid subject or header has one, but a status description or a subject built in code could.
    let mut status = Headers::decode(b"NATS/1.0 409 Consumer Deleted\r\nK: v\r\n\r\n").unwrap();
    status.description = "Consumer\nDeleted".into();
    let mut b = Batch::new(Kind::Msg);
    b.push_msg(&message(1, "a\nb", Some("r\n"), Some(status), "p"));
    b.push_msg(&message(2, "next", None, None, "q"));
    assert_eq!(
        unpack_msgs(&b),
        [
            unpacked(
                1.0,
                "a b",
                Some("r "),
                Some((409.0, "Consumer Deleted", &[("K", "v")])),
                "p"
            ),
            unpacked(2.0, "next", None, None, "q"),
        ]
    );
}

fn kv_entry(
    key: &str,
    revision: u64,
    operation: Operation,
    value: &str,
    is_update: bool,
) -> KvEntry {
    KvEntry {
        bucket: "b".into(),
        key: key.into(),
        value: value.as_bytes().to_vec(),
        revision,
        created: 1_742_465_472_123.0 + revision as f64,
        delta: 10 - revision,
        operation,
        length: if value.is_empty() { 0 } else { 100 + revision },
        is_update,
    }
}

#[test]
fn entries_of_every_operation_read_back_by_position() {
    let entries = [
        kv_entry("a", 1, Operation::Put, "one", false),
        kv_entry("b.c", 2, Operation::Del, "", false),
        kv_entry("d", 3, Operation::Purge, "", true),
        kv_entry("a", 4, Operation::Put, "four", true),
    ];
    let mut b = Batch::new(Kind::Entry);
    entries.iter().for_each(|e| b.push_entry(e));
    assert_eq!((b.len(), b.nums.len()), (4, 4 * entry::WIDTH));
    let strings: Vec<&str> = b.text.split('\n').collect();
    assert_eq!(
        strings,
        ["b", "a", "b.c", "d", "a"],
        "the bucket, then a key per entry"
    );
    let mut start = 0;
    for (e, n) in entries.iter().zip(b.nums.chunks(entry::WIDTH)) {
        let end = n[entry::END] as usize;
        assert_eq!(&b.data[start..end], e.value.as_slice());
        start = end;
        assert_eq!(n[entry::REVISION], e.revision as f64);
        assert_eq!(n[entry::CREATED], e.created);
        assert_eq!(n[entry::DELTA], e.delta as f64);
        assert_eq!(n[entry::LENGTH], e.length as f64);
    }
    let flags: Vec<f64> = b
        .nums
        .chunks(entry::WIDTH)
        .map(|n| n[entry::FLAGS])
        .collect();
    assert_eq!(
        flags,
        [0.0, 1.0, 2.0 + 4.0, 0.0 + 4.0],
        "operation + 4 for an update"
    );
}

#[test]
fn reset_empties_the_batch_for_the_next_records() {
    let mut b = Batch::new(Kind::Msg);
    b.push_msg(&message(1, "a", Some("r"), None, "payload"));
    b.reset(Kind::Entry);
    assert!(b.is_empty());
    assert_eq!(
        (b.kind, b.len(), b.text.as_str(), b.data.len()),
        (Kind::Entry, 0, "", 0)
    );
    // The next record starts the text afresh: the bucket comes first again.
    b.push_entry(&kv_entry("k", 9, Operation::Put, "v", false));
    assert_eq!(
        (b.text.as_str(), b.data.as_slice(), b.len()),
        ("b\nk", &b"v"[..], 1)
    );
    b.reset(Kind::Entry);
    b.push_entry(&kv_entry("k2", 10, Operation::Put, "w", false));
    assert_eq!(b.text, "b\nk2");
}

#[test]
fn the_layout_starts_with_the_kinds_and_field_positions_in_order() {
    let msg_fields = [
        msg::SID,
        msg::END,
        msg::HAS_REPLY,
        msg::HEADER_PAIRS,
        msg::CODE,
        msg::WIDTH,
    ];
    let entry_fields = [
        entry::END,
        entry::REVISION,
        entry::CREATED,
        entry::DELTA,
        entry::LENGTH,
        entry::FLAGS,
        entry::WIDTH,
    ];
    let expected: Vec<u8> = [Kind::Msg as usize, Kind::Entry as usize]
        .into_iter()
        .chain(msg_fields)
        .chain(entry_fields)
        .map(|n| n as u8)
        .collect();
    // (Further kinds, e.g. of events, may follow.)
    assert_eq!(&LAYOUT[..expected.len()], expected.as_slice());
    // Each record's numbers are distinct positions below its width.
    for fields in [&msg_fields[..], &entry_fields[..]] {
        let (width, positions) = fields.split_last().unwrap();
        let mut sorted = positions.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..*width).collect::<Vec<_>>());
    }
}
