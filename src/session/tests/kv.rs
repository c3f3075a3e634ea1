//! KV orchestration against the scripted server: Kvm create/open, create()'s retry over a marker,
//! multi-key delete and modify()'s compare-and-swap loop.

use std::cell::RefCell;
use std::rc::Rc;

use super::server::{
    api_error, assert_dropped, bound, consumer_in, expected_last, header, js, pub_ack, value_at,
    wrong_last_sequence, STORED_AT_MS,
};
use super::{failed, slot, take, waiting, Op, Slot, H};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::headers::Ttl;
use crate::kv::tests::stream_info_json;
use crate::kv::{KvEntry, KvOptions, Operation};
use crate::session::kv::ModifyFn;
use crate::session::Kv;

const BUCKET_EXISTS: &str = r#"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}}"#;

#[test]
fn put_then_get_through_the_scripted_server() {
    let (mut h, kv) = bound();
    let (rev, done) = slot();
    kv.put("a.b", b"v", None, None, done);
    let req = h.one_pub();
    assert_eq!((req.subject(), req.payload()), ("$KV.b.a.b", "v"));
    assert!(waiting(&rev));
    h.respond(&req, &pub_ack(7));
    assert_eq!(take(&rev).unwrap(), 7);

    let (got, done) = slot();
    kv.get("a.b", None, done);
    let req = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.a.b");
    h.respond_stored(&req, "a.b", 7, Operation::Put);
    let e = take(&got).unwrap().expect("an entry");
    assert_eq!(
        (e.key.as_str(), e.value.as_slice(), e.revision),
        ("a.b", &b"v7"[..], 7)
    );
}

#[test]
fn get_of_a_deleted_key_is_none_but_its_revision_is_the_marker() {
    let (mut h, kv) = bound();
    let (got, done) = slot();
    kv.get("k", None, done);
    let req = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_stored(&req, "k", 4, Operation::Del);
    assert_eq!(take(&got).unwrap(), None);

    let (got, done) = slot();
    kv.get("k", Some(4), done);
    let req = h.request_to("$JS.API.DIRECT.GET.KV_b");
    assert_eq!(req.payload(), r#"{"seq":4}"#);
    h.respond_stored(&req, "k", 4, Operation::Del);
    let e = take(&got).unwrap().expect("the marker");
    assert_eq!((e.revision, e.operation), (4, Operation::Del));
}

#[test]
fn put_honours_its_own_timeout() {
    let (mut h, kv) = bound();
    let (rev, done) = slot();
    kv.put("k", b"v", Some(0), Some(1500.0), done);
    assert_eq!(expected_last(&h.request_to("$KV.b.k")), Some("0"));
    h.advance(1499.0);
    assert!(waiting(&rev));
    h.advance(1.0);
    assert_eq!(failed(&rev).code, ErrorCode::Timeout);
}

#[test]
fn destroy_deletes_the_stream() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.destroy(done);
    let req = h.request_to("$JS.API.STREAM.DELETE.KV_b");
    h.respond(
        &req,
        r#"{"type":"io.nats.jetstream.api.v1.stream_delete_response","success":true}"#,
    );
    assert!(take(&r).unwrap());
}

/// `Kvm.create("b", opts)` whose STREAM.CREATE is answered with `BUCKET_EXISTS` and whose STREAM.INFO
/// is answered with `existing_config`.
fn create_over_existing(h: &mut H, opts: KvOptions, existing_config: &str) -> Slot<Kv> {
    let (r, done) = slot();
    js(h).kv_create("b".into(), opts, done);
    let req = h.request_to("$JS.API.STREAM.CREATE.KV_b");
    h.respond(&req, BUCKET_EXISTS);
    let info = h.request_to("$JS.API.STREAM.INFO.KV_b");
    h.respond(&info, &stream_info_json(existing_config));
    r
}

#[test]
fn create_binds_to_an_identical_bucket_and_refuses_a_different_one() {
    let mut h = H::connected();
    let kv = take(&create_over_existing(&mut h, KvOptions::default(), "")).unwrap();
    assert_eq!(kv.bucket().name(), "b");

    // A different history: BUCKET_EXISTS, saying what differs; the bucket is not touched.
    let opts = KvOptions {
        history: Some(5),
        ..KvOptions::default()
    };
    let err = failed(&create_over_existing(&mut h, opts, ""));
    assert_eq!(
        (err.code, err.err_code),
        (ErrorCode::BucketExists, Some(10058))
    );
    assert!(
        err.message.contains("different configuration (history)"),
        "{}",
        err.message
    );
    assert!(h.ops().is_empty(), "no update after BUCKET_EXISTS");
}

#[test]
fn create_binds_to_a_bucket_that_differs_only_in_what_the_user_did_not_set() {
    let mut h = H::connected();
    // Made by nats.js: no deny_delete, another duplicate window; compression not asked for here.
    let existing = r#""deny_delete":false,"duplicate_window":60000000000,"compression":"s2""#;
    let kv = take(&create_over_existing(
        &mut h,
        KvOptions::default(),
        existing,
    ))
    .unwrap();
    assert_eq!(kv.bucket().name(), "b");
    // Asked for without compression: the s2 bucket differs.
    let opts = KvOptions {
        compression: Some(false),
        ..KvOptions::default()
    };
    let err = failed(&create_over_existing(&mut h, opts, existing));
    assert_eq!(err.code, ErrorCode::BucketExists);
    assert!(err.message.contains("compression"), "{}", err.message);
}

#[test]
fn create_passes_other_errors_on_without_reading_the_bucket() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).kv_create("b".into(), KvOptions::default(), done);
    let req = h.request_to("$JS.API.STREAM.CREATE.KV_b");
    h.respond(
        &req,
        &api_error(503, 10039, "jetstream not enabled for account"),
    );
    assert_eq!(failed(&r).code, ErrorCode::JetStreamNotEnabled);
    assert!(h.ops().is_empty());
}

/// `jetstreamManager(nc)`'s check (API.md): a server without JetStream has no responder on
/// `$JS.API.INFO` (a 503 status reply) → `JETSTREAM_NOT_ENABLED` (an account without JetStream gets
/// `{"error"}` 10039, the same code: see `create_passes_other_errors_on_without_reading_the_bucket`).
#[test]
fn account_info_without_jetstream_is_jetstream_not_enabled() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).account_info(done);
    let info = h.request_to("$JS.API.INFO");
    h.respond_status(&info, "503");
    let err = failed(&r);
    assert_eq!(err.code, ErrorCode::JetStreamNotEnabled);
    assert_eq!(err.api_code, Some(503));
    assert!(h.ops().is_empty());
}

#[test]
fn open_of_a_missing_bucket_is_bucket_not_found() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).kv_open("b".into(), None, done);
    let req = h.request_to("$JS.API.STREAM.INFO.KV_b");
    h.respond(&req, &api_error(404, 10059, "stream not found"));
    assert_eq!(failed(&r).code, ErrorCode::BucketNotFound);
}

fn marker_ttl(ms: i64) -> KvOptions {
    KvOptions {
        marker_ttl: Some(ms),
        ..KvOptions::default()
    }
}

fn account_info(level: u32) -> String {
    format!(
        r#"{{"type":"io.nats.jetstream.api.v1.account_info_response","memory":0,"storage":0,"reserved_memory":0,"reserved_storage":0,"streams":0,"consumers":0,"limits":{{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,"max_bytes_required":false}},"api":{{"level":{level},"total":3,"errors":0}}}}"#
    )
}

#[test]
fn create_with_marker_ttl_refuses_a_server_below_api_level_1() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).kv_create("b".into(), marker_ttl(2000), done);
    let info = h.request_to("$JS.API.INFO");
    h.respond(&info, &account_info(0));
    let err = failed(&r);
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert!(err.message.contains("2.11"), "{}", err.message);
    assert!(h.ops().is_empty(), "no STREAM.CREATE");
}

#[test]
fn create_with_marker_ttl_asks_the_api_level_then_creates_with_ttls_allowed() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).kv_create("b".into(), marker_ttl(2000), done);
    let info = h.request_to("$JS.API.INFO");
    h.respond(&info, &account_info(1));
    let create = h.request_to("$JS.API.STREAM.CREATE.KV_b");
    assert!(
        create.payload().contains(r#""allow_msg_ttl":true"#),
        "{}",
        create.payload()
    );
    assert!(create
        .payload()
        .contains(r#""subject_delete_marker_ttl":2000000000"#));
    h.respond(
        &create,
        &stream_info_json(r#""allow_msg_ttl":true,"subject_delete_marker_ttl":2000000000"#),
    );
    assert_eq!(take(&r).unwrap().bucket().name(), "b");
}

#[test]
fn create_with_an_invalid_marker_ttl_is_refused_before_anything_is_sent() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).kv_create("b".into(), marker_ttl(500), done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidArgument);
    assert!(h.ops().is_empty(), "nothing sent: {:?}", h.ops());
}

// --- create(key) over a DEL/PURGE marker ---

/// `kv.create("k", "new", ttl)`: its first write, checked to expect an empty subject.
fn start_create_ttl(h: &mut H, kv: &Kv, ttl: Option<&str>) -> (Slot<u64>, Op) {
    let (r, done) = slot();
    kv.create("k", b"new".to_vec(), ttl.map(|t| Ttl::Text(t.into())), done);
    let first = h.request_to("$KV.b.k");
    assert_eq!((expected_last(&first), first.payload()), (Some("0"), "new"));
    assert_eq!(header(&first, "Nats-TTL"), ttl);
    (r, first)
}

/// `kv.create("k", "new")` (see [`start_create_ttl`]).
fn start_create(h: &mut H, kv: &Kv) -> (Slot<u64>, Op) {
    start_create_ttl(h, kv, None)
}

#[test]
fn create_over_a_marker_rewrites_at_the_marker_revision() {
    for (op, ttl) in [(Operation::Del, None), (Operation::Purge, Some("2s"))] {
        let (mut h, kv) = bound();
        let (r, first) = start_create_ttl(&mut h, &kv, ttl);
        h.respond(&first, &wrong_last_sequence(4));
        let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
        assert!(waiting(&r));
        h.respond_stored(&get, "k", 4, op);
        let retry = h.request_to("$KV.b.k");
        assert_eq!(
            (expected_last(&retry), retry.payload()),
            (Some("4"), "new"),
            "{op:?}"
        );
        assert_eq!(header(&retry, "Nats-TTL"), ttl, "the retry keeps the TTL");
        assert!(waiting(&r));
        h.respond(&retry, &pub_ack(5));
        assert_eq!(take(&r).unwrap(), 5, "{op:?}");
        assert!(h.ops().is_empty());
    }
}

#[test]
fn create_with_an_invalid_ttl_is_refused_before_anything_is_sent() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.create("k", b"v".to_vec(), Some(Ttl::Millis(500.0)), done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidArgument);
    assert!(h.ops().is_empty());
}

#[test]
fn create_of_a_key_with_a_live_value_is_key_exists_without_a_second_write() {
    let (mut h, kv) = bound();
    let (r, first) = start_create(&mut h, &kv);
    h.respond(&first, &wrong_last_sequence(3));
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_stored(&get, "k", 3, Operation::Put);
    let err = failed(&r);
    assert_eq!(
        (err.code, err.err_code),
        (ErrorCode::KeyExists, Some(10071))
    );
    assert!(h.ops().is_empty(), "no second write");
}

#[test]
fn create_retry_that_loses_a_race_is_key_exists() {
    let (mut h, kv) = bound();
    let (r, first) = start_create(&mut h, &kv);
    h.respond(&first, &wrong_last_sequence(4));
    // The marker was purged meanwhile: the retry expects an empty subject again.
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_not_found(&get);
    let retry = h.request_to("$KV.b.k");
    assert_eq!(expected_last(&retry), Some("0"));
    // Someone else created it first.
    h.respond(&retry, &wrong_last_sequence(6));
    assert_eq!(failed(&r).code, ErrorCode::KeyExists);
    assert!(h.ops().is_empty(), "one retry only");
}

#[test]
fn create_passes_other_write_errors_on_without_reading_the_key() {
    let (mut h, kv) = bound();
    let (r, first) = start_create(&mut h, &kv);
    h.respond(&first, &api_error(503, 10077, "maximum messages exceeded"));
    let err = failed(&r);
    assert_eq!(err.err_code, Some(10077));
    assert!(h.ops().is_empty(), "no read");
}

// --- delete/purge of every key a wildcard matches ---

/// Answers the keys scan of `filter` the client just started: the consumer delivers `entries`
/// (headers only, last value per key) and ends; returns what the client wrote after the scan.
fn scan_keys(h: &mut H, filter: &str, entries: &[(&str, u64, Operation)]) -> Vec<Op> {
    let c = consumer_in(&h.ops());
    assert_eq!(
        c.req.subject(),
        format!("$JS.API.CONSUMER.CREATE.KV_b.{}.$KV.b.{filter}", c.name)
    );
    assert_eq!(c.policy(), ("last_per_subject", None));
    assert!(c.headers_only());
    let sid = h.deliver_sid(&c);
    h.created(&c, entries.len() as u64);
    for (i, (key, rev, op)) in entries.iter().enumerate() {
        h.feed(&h.delivery(&c, key, *rev, *op, (entries.len() - 1 - i) as u64));
    }
    let ops = h.ops();
    assert_dropped(&ops, &c, sid);
    ops.into_iter()
        .filter(|o| o.subject().starts_with("$KV."))
        .collect()
}

/// A DEL (or PURGE) marker write of `key`.
fn assert_marker(op: &Op, key: &str, kind: &str) {
    assert_eq!(op.subject(), format!("$KV.b.{key}"));
    assert_eq!((header(op, "KV-Operation"), op.payload()), (Some(kind), ""));
    assert_eq!(expected_last(op), None);
}

/// `kv.delete("a.*")` over the keys scan's `entries` (revisions 1, 2, …): the writes it sends first.
fn delete_all(entries: &[(&str, Operation)]) -> (H, Slot<()>, Vec<Op>) {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.delete("a.*", None, done);
    let entries: Vec<(&str, u64, Operation)> = entries
        .iter()
        .zip(1..)
        .map(|(&(k, op), rev)| (k, rev, op))
        .collect();
    let writes = scan_keys(&mut h, "a.*", &entries);
    (h, r, writes)
}

#[test]
fn delete_with_a_wildcard_marks_every_live_key_one_after_the_other() {
    let entries = [
        ("a.1", Operation::Put),
        ("a.2", Operation::Del),
        ("a.3", Operation::Put),
    ];
    let (mut h, r, writes) = delete_all(&entries);
    let [first] = writes.as_slice() else {
        panic!("one write at a time: {writes:?}")
    };
    assert_marker(first, "a.1", "DEL");
    h.respond(first, &pub_ack(4));
    assert!(waiting(&r));
    let second = h.one_pub();
    assert_marker(&second, "a.3", "DEL");
    h.respond(&second, &pub_ack(5));
    take(&r).unwrap();
    assert!(h.ops().is_empty());
}

#[test]
fn purge_with_a_wildcard_writes_purge_markers() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.purge("a.>", None, None, done);
    let writes = scan_keys(&mut h, "a.>", &[("a.b.c", 7, Operation::Put)]);
    assert_marker(&writes[0], "a.b.c", "PURGE");
    assert_eq!(header(&writes[0], "Nats-Rollup"), Some("sub"));
    h.respond(&writes[0], &pub_ack(8));
    take(&r).unwrap();
}

#[test]
fn delete_with_a_wildcard_rejects_at_a_failed_write_and_writes_no_more() {
    let entries = [
        ("a.1", Operation::Put),
        ("a.2", Operation::Put),
        ("a.3", Operation::Put),
    ];
    let (mut h, r, writes) = delete_all(&entries);
    h.respond(&writes[0], &pub_ack(4));
    let second = h.one_pub();
    assert_marker(&second, "a.2", "DEL");
    h.respond(&second, &api_error(500, 10109, "stream is sealed"));
    assert_eq!(failed(&r).err_code, Some(10109));
    assert!(h.ops().is_empty(), "a.3 is not written");
}

#[test]
fn delete_with_a_wildcard_that_matches_nothing_writes_nothing() {
    let (_h, r, writes) = delete_all(&[]);
    assert!(writes.is_empty());
    take(&r).unwrap();
}

#[test]
fn delete_with_a_wildcard_and_a_previous_revision_is_refused_before_anything_is_sent() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.delete("a.*", Some(3), done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidArgument);
    assert!(h.ops().is_empty());
}

// --- modify() ---

/// A modify function that appends "!" to the current value (or writes "new"), recording what it saw.
fn bang(seen: &Rc<RefCell<Vec<Option<u64>>>>) -> ModifyFn {
    let seen = seen.clone();
    Box::new(move |cur: Option<&KvEntry>| {
        seen.borrow_mut().push(cur.map(|e| e.revision));
        Ok(Some(match cur {
            Some(e) => [e.value.as_slice(), b"!"].concat(),
            None => b"new".to_vec(),
        }))
    })
}

/// Answers modify's read of `k` with a PUT at `rev`; returns its compare-and-swap write.
fn read_then_update(h: &mut H, rev: u64) -> Op {
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_stored(&get, "k", rev, Operation::Put);
    let update = h.request_to("$KV.b.k");
    let rev_text = rev.to_string();
    assert_eq!(expected_last(&update), Some(rev_text.as_str()));
    assert_eq!(update.payload(), format!("{}!", value_at(rev)));
    update
}

#[test]
fn modify_gives_up_after_max_retries_with_wrong_last_revision() {
    let (mut h, kv) = bound();
    let seen = Rc::default();
    let (r, done) = slot();
    kv.modify("k".into(), bang(&seen), 2, done);
    for rev in [5, 6, 7] {
        assert!(waiting(&r));
        let update = read_then_update(&mut h, rev);
        h.respond(&update, &wrong_last_sequence(rev + 1));
    }
    assert_eq!(failed(&r).code, ErrorCode::WrongLastRevision);
    assert_eq!(
        *seen.borrow(),
        [Some(5), Some(6), Some(7)],
        "three attempts"
    );
    assert!(h.ops().is_empty(), "no fourth attempt");
}

#[test]
fn modify_succeeds_on_the_second_attempt() {
    let (mut h, kv) = bound();
    let seen = Rc::default();
    let (r, done) = slot();
    kv.modify("k".into(), bang(&seen), 10, done);
    let update = read_then_update(&mut h, 5);
    h.respond(&update, &wrong_last_sequence(6));
    let update = read_then_update(&mut h, 6);
    h.respond(&update, &pub_ack(7));
    assert_eq!(take(&r).unwrap(), 7);
    assert_eq!(*seen.borrow(), [Some(5), Some(6)]);
}

#[test]
fn modify_that_changes_nothing_resolves_with_the_current_revision_without_a_write() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.modify("k".into(), Box::new(|_| Ok(None)), 10, done);
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_stored(&get, "k", 9, Operation::Put);
    assert_eq!(take(&r).unwrap(), 9);
    assert!(h.ops().is_empty());
    // Of a missing key: revision 0.
    let (r, done) = slot();
    kv.modify("k".into(), Box::new(|_| Ok(None)), 10, done);
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_not_found(&get);
    assert_eq!(take(&r).unwrap(), 0);
    assert!(h.ops().is_empty());
}

#[test]
fn modify_of_a_missing_key_creates_it_and_retries_when_someone_was_first() {
    let (mut h, kv) = bound();
    let seen = Rc::default();
    let (r, done) = slot();
    kv.modify("k".into(), bang(&seen), 10, done);
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_not_found(&get);
    let create = h.request_to("$KV.b.k");
    assert_eq!(
        (expected_last(&create), create.payload()),
        (Some("0"), "new")
    );
    h.respond(&create, &wrong_last_sequence(3));
    // create()'s own read finds a live value: KEY_EXISTS, and modify starts over.
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_stored(&get, "k", 3, Operation::Put);
    let update = read_then_update(&mut h, 3);
    h.respond(&update, &pub_ack(4));
    assert_eq!(take(&r).unwrap(), 4);
    assert_eq!(*seen.borrow(), [None, Some(3)]);
}

#[test]
fn modify_passes_on_the_error_of_its_function_without_a_write() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    let f: ModifyFn = Box::new(|_| Err(NatsError::invalid_argument("not a number")));
    kv.modify("k".into(), f, 10, done);
    let get = h.request_to("$JS.API.DIRECT.GET.KV_b.$KV.b.k");
    h.respond_stored(&get, "k", 2, Operation::Put);
    let err = failed(&r);
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::InvalidArgument, "not a number")
    );
    assert!(h.ops().is_empty());
}

// --- purgeDeletes() ---

/// `purgeDeletes(older_ms)` at one minute after the scripted server stored everything, over the
/// keys `a` (a value), `b` (deleted) and `c` (purged): the STREAM.PURGE bodies it sends.
fn purge_deletes(older_ms: f64) -> Vec<String> {
    let (mut h, kv) = bound();
    h.set_wall(STORED_AT_MS as f64 + 60_000.0);
    let (r, done) = slot();
    kv.purge_deletes(older_ms, done);
    let c = h.consumer();
    assert_eq!(c.policy(), ("last_per_subject", None));
    h.created(&c, 3);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 2));
    h.feed(&h.delivery(&c, "b", 2, Operation::Del, 1));
    h.feed(&h.delivery(&c, "c", 3, Operation::Purge, 0));
    let mut bodies = Vec::new();
    for purged in [2, 1] {
        let req = h.pubs().pop().expect("a purge");
        assert_eq!(req.subject(), "$JS.API.STREAM.PURGE.KV_b");
        assert!(waiting(&r));
        bodies.push(req.payload().to_owned());
        h.respond(&req, &format!(r#"{{"success":true,"purged":{purged}}}"#));
    }
    assert_eq!(take(&r).unwrap(), 3, "the sum of what was purged");
    assert!(h.ops().is_empty());
    bodies
}

#[test]
fn purge_deletes_keeps_markers_younger_than_older_millis() {
    assert_eq!(
        purge_deletes(30.0 * 60_000.0),
        [
            r#"{"filter":"$KV.b.b","keep":1}"#,
            r#"{"filter":"$KV.b.c","keep":1}"#
        ]
    );
}

#[test]
fn purge_deletes_removes_markers_older_than_older_millis() {
    assert_eq!(
        purge_deletes(1_000.0),
        [
            r#"{"filter":"$KV.b.b","keep":0}"#,
            r#"{"filter":"$KV.b.c","keep":0}"#
        ]
    );
}

// --- Kvm.list() ---

#[test]
fn list_reads_every_page_and_keeps_only_buckets() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).kv_list(done);
    let page = |offset: u64, streams: &[String]| {
        format!(
            r#"{{"type":"io.nats.jetstream.api.v1.stream_list_response","total":3,"offset":{offset},"limit":2,"streams":[{}]}}"#,
            streams.join(",")
        )
    };
    let first = h.request_to("$JS.API.STREAM.LIST");
    assert_eq!(first.payload(), r#"{"offset":0}"#);
    let orders = stream_info_json(r#""name":"ORDERS","subjects":["orders.>"]"#);
    h.respond(&first, &page(0, &[stream_info_json(""), orders]));
    assert!(waiting(&r));
    let second = h.request_to("$JS.API.STREAM.LIST");
    assert_eq!(second.payload(), r#"{"offset":2}"#);
    let c = stream_info_json(r#""name":"KV_c","subjects":["$KV.c.>"],"max_msgs_per_subject":5"#);
    h.respond(&second, &page(2, &[c]));
    let buckets: Vec<(String, i64)> = take(&r)
        .unwrap()
        .into_iter()
        .map(|s| (s.bucket, s.history))
        .collect();
    assert_eq!(buckets, [("b".to_owned(), 1), ("c".to_owned(), 5)]);
    assert!(h.ops().is_empty(), "no third page");
}
