//! Object Store orchestration against the scripted server: create/bind, info, the put window and
//! its clean-up, verified reads, delete, update, seal and watch.

use std::cell::RefCell;
use std::rc::Rc;

use super::server::{api_error, js};
use super::{failed, slot, take, waiting, Op, H};
use crate::error::{ErrorCode, NatsError};
use crate::obj::{ObjItem, ObjWatchOptions, ObjectInfo, StoreOptions, PUT_WINDOW};
use crate::proto::json::Json;
use crate::session::consumer::{RunEvent, RunSink};
use crate::session::obj::{ObjectStore, Put};

const STREAM_EXISTS: &str = r#"{"error":{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}}"#;

fn store(h: &H) -> ObjectStore {
    ObjectStore::new(js(h), "b")
}

fn ack(seq: u64) -> String {
    format!(r#"{{"stream":"OBJ_b","seq":{seq}}}"#)
}

/// A meta message as DIRECT.GET answers it.
fn respond_meta(h: &H, req: &Op, subject: &str, seq: u64, meta: &str) {
    let headers = format!(
        "NATS/1.0\r\nNats-Stream: OBJ_b\r\nNats-Subject: {subject}\r\nNats-Sequence: {seq}\r\nNats-Time-Stamp: 2025-03-20T10:11:12.5Z\r\n\r\n"
    );
    h.deliver(req.reply(), None, Some(&headers), meta);
}

fn stream_info(config: &str) -> String {
    format!(
        r#"{{"type":"io.nats.jetstream.api.v1.stream_info_response","config":{{"name":"OBJ_b","subjects":["$O.b.C.>","$O.b.M.>"],"discard":"new","allow_rollup_hdrs":true,"allow_direct":true,"max_bytes":-1,"num_replicas":1,"storage":"file","retention":"limits","metadata":{{"_nats.req.level":"0"}}{config}}},"created":"2025-03-20T10:11:12.5Z","state":{{"messages":3,"bytes":300,"first_seq":1,"last_seq":3,"consumer_count":0}}}}"#
    )
}

#[test]
fn create_sends_the_bucket_config_and_binds_to_an_identical_one_only() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).obj_create("b".into(), StoreOptions::default(), done);
    let req = h.request_to("$JS.API.STREAM.CREATE.OBJ_b");
    let cfg = Json::parse(req.payload()).unwrap();
    assert_eq!(
        cfg.get("subjects").unwrap().to_json_string(),
        r#"["$O.b.C.>","$O.b.M.>"]"#
    );
    assert_eq!(cfg.get("allow_rollup_hdrs"), Some(&Json::Bool(true)));
    assert_eq!(cfg.get("discard").and_then(Json::as_str), Some("new"));
    h.respond(&req, STREAM_EXISTS);
    let info = h.request_to("$JS.API.STREAM.INFO.OBJ_b");
    h.respond(&info, &stream_info(""));
    assert_eq!(take(&r).unwrap().bucket(), "b");

    let (r, done) = slot();
    let opts = StoreOptions::parse(r#"{"description":"other"}"#).unwrap();
    js(&h).obj_create("b".into(), opts, done);
    let req = h.request_to("$JS.API.STREAM.CREATE.OBJ_b");
    h.respond(&req, STREAM_EXISTS);
    let info = h.request_to("$JS.API.STREAM.INFO.OBJ_b");
    h.respond(&info, &stream_info(""));
    let e = failed(&r);
    assert_eq!(e.code, ErrorCode::BucketExists);
    assert!(e.message.contains("description"), "{}", e.message);
    assert!(h.ops().is_empty());
}

#[test]
fn bad_bucket_and_object_names_send_nothing() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).obj_create("a.b".into(), StoreOptions::default(), done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidBucketName);
    let s = store(&h);
    let (r, done) = slot();
    s.info("", done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidArgument);
    let big = "x".repeat(100 * 1024);
    for meta in [
        format!(r#"{{"name":"{big}"}}"#),
        r#"{"name":""}"#.to_owned(),
        r#"{"name":"a","headers":{"X":"a\r\nb"}}"#.to_owned(),
        r#"{"name":"a","headers":{"X Y":"a"}}"#.to_owned(),
        r#"{"name":"a","options":{"link":{"bucket":"c"}}}"#.to_owned(),
        r#"{"description":"no name"}"#.to_owned(),
    ] {
        let e = s.put(&meta, None, None, None).err().expect("refused");
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{meta:.60}");
    }
    assert!(h.ops().is_empty());
}

#[test]
fn info_reads_the_last_meta_by_direct_get_with_the_servers_time() {
    let mut h = H::connected();
    let s = store(&h);
    let (r, done) = slot();
    s.info("é", done);
    // nats.go's subject: padded base64url of the UTF-8 bytes.
    let req = h.request_to("$JS.API.DIRECT.GET.OBJ_b.$O.b.M.w6k=");
    respond_meta(
        &h,
        &req,
        "$O.b.M.w6k=",
        9,
        r#"{"name":"é","bucket":"b","nuid":"N","size":3,"chunks":1,"digest":"SHA-256=x","mtime":"0001-01-01T00:00:00Z"}"#,
    );
    let i = take(&r).unwrap().expect("an info");
    assert_eq!(
        (i.name.as_str(), i.revision, i.mtime.as_str()),
        ("é", 9, "2025-03-20T10:11:12.500Z")
    );

    let (r, done) = slot();
    s.info("none", done);
    let req = h.one_pub();
    h.respond_status(&req, "404 Message Not Found");
    assert_eq!(take(&r).unwrap(), None);
}

type Progress = Rc<RefCell<Vec<u64>>>;

fn start_put(h: &H, meta: &str) -> (Put, Progress) {
    let progress: Progress = Rc::new(RefCell::new(Vec::new()));
    let p = progress.clone();
    let put = store(h)
        .put(
            meta,
            None,
            None,
            Some(Box::new(move |n| p.borrow_mut().push(n))),
        )
        .unwrap();
    (put, progress)
}

#[test]
fn put_keeps_a_window_of_chunks_in_flight_and_holds_the_writer_back() {
    let mut h = H::connected();
    let (put, progress) = start_put(&h, r#"{"name":"f","options":{"max_chunk_size":4}}"#);
    assert_eq!(put.chunk_size(), 4);
    let (w, done) = slot();
    // 10 full chunks and 2 bytes: only the window goes out, the writer waits.
    put.write(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEF", done);
    let chunks = h.pubs();
    assert_eq!(chunks.len(), PUT_WINDOW);
    let subject = chunks[0].subject().to_owned();
    assert!(subject.starts_with("$O.b.C."), "{subject}");
    assert!(chunks.iter().all(|c| c.subject() == subject));
    assert_eq!(chunks[0].payload(), "0123");
    assert!(waiting(&w));
    h.respond(&chunks[0], &ack(1));
    assert_eq!(*progress.borrow(), [4]);
    let more = h.pubs();
    assert_eq!(more.len(), 1);
    assert_eq!(more[0].payload(), "wxyz");
    assert!(waiting(&w), "one full chunk still waits");
    h.respond(&chunks[1], &ack(2));
    let last_full = h.one_pub();
    assert_eq!(last_full.payload(), "ABCD");
    take(&w).unwrap();

    let (fin, done) = slot();
    put.finish(done);
    // The window is full: the tail waits for an ack.
    assert!(h.pubs().is_empty());
    for c in chunks[2..].iter().chain(&more).chain([&last_full]) {
        h.respond(c, &ack(3));
    }
    let tail = h.one_pub();
    assert_eq!(tail.payload(), "EF");
    h.respond(&tail, &ack(13));
    assert_eq!(progress.borrow().last(), Some(&42));
    // The object it replaces, then the meta with a rollup.
    let old = h.request_to("$JS.API.DIRECT.GET.OBJ_b.$O.b.M.Zg==");
    respond_meta(
        &h,
        &old,
        "$O.b.M.Zg==",
        5,
        r#"{"name":"f","bucket":"b","nuid":"OLD","size":1,"chunks":1,"digest":"SHA-256=x"}"#,
    );
    let meta = h.request_to("$O.b.M.Zg==");
    assert!(meta.headers().contains("Nats-Rollup: sub"), "{meta:?}");
    let m = ObjectInfo::from_meta(meta.payload().as_bytes(), 0, String::new()).unwrap();
    assert_eq!((m.size, m.chunks), (42, 11));
    assert_eq!(m.nuid, subject.trim_start_matches("$O.b.C."));
    let mut sha = crate::obj::Sha256::new();
    sha.update(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEF");
    assert_eq!(m.digest, crate::obj::digest_text(&sha.finish()));
    h.respond(&meta, &ack(14));
    let purge = h.request_to("$JS.API.STREAM.PURGE.OBJ_b");
    assert_eq!(purge.payload(), r#"{"filter":"$O.b.C.OLD"}"#);
    h.respond(&purge, r#"{"success":true,"purged":1}"#);
    let read = h.request_to("$JS.API.DIRECT.GET.OBJ_b.$O.b.M.Zg==");
    respond_meta(&h, &read, "$O.b.M.Zg==", 14, meta.payload());
    let info = take(&fin).unwrap();
    assert_eq!((info.revision, info.size), (14, 42));
    assert_eq!(
        progress.borrow().len(),
        11,
        "one call per acknowledged chunk"
    );
}

#[test]
fn a_failed_chunk_purges_the_new_chunks_and_rejects_writer_and_finish() {
    let mut h = H::connected();
    let (put, _) = start_put(&h, r#"{"name":"f","options":{"max_chunk_size":2}}"#);
    let (w, done) = slot();
    put.write(b"aabb", done);
    take(&w).unwrap();
    let chunks = h.pubs();
    assert_eq!(chunks.len(), 2);
    h.respond(
        &chunks[0],
        &api_error(400, 10109, "invalid operation on sealed stream"),
    );
    let (w, done) = slot();
    put.write(b"cc", done);
    assert_eq!(failed(&w).code, ErrorCode::BucketSealed);
    let (fin, done) = slot();
    put.finish(done);
    assert!(
        h.pubs().is_empty(),
        "nothing more while a chunk is in flight"
    );
    h.respond(&chunks[1], &ack(2));
    let purge = h.request_to("$JS.API.STREAM.PURGE.OBJ_b");
    let subject = chunks[0].subject();
    assert_eq!(purge.payload(), format!(r#"{{"filter":"{subject}"}}"#));
    assert!(waiting(&fin));
    h.respond(&purge, r#"{"success":true,"purged":1}"#);
    assert_eq!(failed(&fin).code, ErrorCode::BucketSealed);
    assert!(h.ops().is_empty(), "no meta");
}

#[test]
fn an_aborted_source_stores_nothing() {
    let mut h = H::connected();
    let (put, _) = start_put(&h, r#"{"name":"f"}"#);
    put.abort("disk on fire");
    let (fin, done) = slot();
    put.finish(done);
    let e = failed(&fin);
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("disk on fire"));
    assert!(h.ops().is_empty());
}

#[test]
fn an_empty_put_reports_progress_once_and_writes_the_empty_digest() {
    let mut h = H::connected();
    let (put, progress) = start_put(&h, r#"{"name":"e"}"#);
    let (fin, done) = slot();
    put.finish(done);
    assert_eq!(*progress.borrow(), [0]);
    let old = h.one_pub();
    h.respond_status(&old, "404 Message Not Found");
    let meta = h.one_pub();
    let m = ObjectInfo::from_meta(meta.payload().as_bytes(), 0, String::new()).unwrap();
    assert_eq!(m.digest, crate::obj::EMPTY_DIGEST);
    assert_eq!((m.size, m.chunks), (0, 0));
    h.respond(&meta, &ack(1));
    let read = h.one_pub();
    respond_meta(&h, &read, meta.subject(), 1, meta.payload());
    assert_eq!(take(&fin).unwrap().revision, 1);
}

type Trace = Rc<RefCell<Vec<String>>>;

fn recorder() -> (Trace, RunSink<ObjItem>) {
    let t: Trace = Rc::new(RefCell::new(Vec::new()));
    let u = t.clone();
    let sink: RunSink<ObjItem> = Box::new(move |ev| {
        let mut t = u.borrow_mut();
        match ev {
            RunEvent::Started => t.push("started".into()),
            RunEvent::Items(items) => {
                for i in items {
                    t.push(match i {
                        ObjItem::Chunk(c) => String::from_utf8(c).unwrap(),
                        ObjItem::Info(i, upd) => {
                            format!("{}@{}{}", i.name, i.revision, if upd { "+" } else { "" })
                        }
                    })
                }
            }
            RunEvent::Initialized => t.push("initialized".into()),
            RunEvent::Ended(e) => t.push(format!(
                "ended:{}",
                e.map_or("ok", |e: NatsError| e.code.as_str())
            )),
        }
    });
    (t, sink)
}

/// The consumer create among `ops`: (request, deliver subject, name).
fn obj_consumer(ops: &[Op]) -> (Op, String, String) {
    let req = ops
        .iter()
        .find(|o| o.subject().starts_with("$JS.API.CONSUMER.CREATE.OBJ_b"))
        .expect("a consumer create")
        .clone();
    let cfg = Json::parse(req.payload()).unwrap();
    let c = cfg.get("config").unwrap();
    let s = |k: &str| c.get(k).and_then(Json::as_str).unwrap().to_owned();
    (req, s("deliver_subject"), s("name"))
}

fn created(h: &H, req: &Op, name: &str, pending: u64) {
    h.respond(
        req,
        &format!(
            r#"{{"stream_name":"OBJ_b","name":"{name}","created":"2025-03-20T10:11:12.5Z","config":{{"name":"{name}"}},"delivered":{{"consumer_seq":0,"stream_seq":0}},"ack_floor":{{"consumer_seq":0,"stream_seq":0}},"num_pending":{pending},"ts":"2025-03-20T10:11:12.5Z"}}"#
        ),
    );
}

/// Delivers stream message `seq` as consumer message `dseq` (`seq % 100`: the tests' sequences
/// are `dseq` or `dseq` + 100·k).
fn deliver(h: &H, deliver: &str, name: &str, subject: &str, seq: u64, pending: u64, data: &str) {
    let dseq = seq % 100;
    let reply = format!("$JS.ACK.OBJ_b.{name}.1.{seq}.{dseq}.1742465472123456789.{pending}");
    let bytes = h.msg_on(deliver, subject, Some(&reply), None, data);
    h.feed(&bytes);
}

fn chunk_info(data: &[u8], digest_of: &[u8], chunks: u64) -> ObjectInfo {
    let mut i = ObjectInfo::new("b", "f");
    i.nuid = "N".into();
    i.size = data.len() as u64;
    i.chunks = chunks;
    let mut sha = crate::obj::Sha256::new();
    sha.update(digest_of);
    i.digest = crate::obj::digest_text(&sha.finish());
    i
}

#[test]
fn read_hands_chunks_on_and_ends_after_verifying() {
    let mut h = H::connected();
    let s = store(&h);
    let (t, sink) = recorder();
    let _run = s.read(&chunk_info(b"abcdef", b"abcdef", 2), sink);
    let (req, d, name) = obj_consumer(&h.ops());
    assert!(
        req.payload().contains(r#""filter_subject":"$O.b.C.N""#),
        "{req:?}"
    );
    created(&h, &req, &name, 2);
    deliver(&h, &d, &name, "$O.b.C.N", 1, 1, "abc");
    deliver(&h, &d, &name, "$O.b.C.N", 2, 0, "def");
    assert_eq!(
        *t.borrow(),
        ["started", "abc", "def", "initialized", "ended:ok"]
    );
}

#[test]
fn a_corrupt_object_fails_without_its_last_chunk() {
    let mut h = H::connected();
    let s = store(&h);
    let (t, sink) = recorder();
    let _run = s.read(&chunk_info(b"abcdef", b"abcdeX", 2), sink);
    let (req, d, name) = obj_consumer(&h.ops());
    created(&h, &req, &name, 2);
    deliver(&h, &d, &name, "$O.b.C.N", 1, 1, "abc");
    deliver(&h, &d, &name, "$O.b.C.N", 2, 0, "def");
    assert_eq!(
        *t.borrow(),
        ["started", "abc", "ended:OBJECT_DIGEST_MISMATCH"]
    );

    // Missing chunks: caught up too early.
    let (t, sink) = recorder();
    let _run = s.read(&chunk_info(b"abcdef", b"abcdef", 2), sink);
    let (req, d, name) = obj_consumer(&h.ops());
    created(&h, &req, &name, 1);
    deliver(&h, &d, &name, "$O.b.C.N", 1, 0, "abc");
    // The held (last received) chunk is not handed on.
    assert_eq!(*t.borrow(), ["started", "ended:OBJECT_DIGEST_MISMATCH"]);
}

#[test]
fn delete_of_a_missing_object_writes_nothing_and_of_a_live_one_marks_and_purges() {
    let mut h = H::connected();
    let s = store(&h);
    let (r, done) = slot();
    s.delete("f", done);
    let req = h.one_pub();
    h.respond_status(&req, "404 Message Not Found");
    assert_eq!(take(&r).unwrap(), (false, 0));
    assert!(h.ops().is_empty());

    let (r, done) = slot();
    s.delete("f", done);
    let req = h.one_pub();
    respond_meta(
        &h,
        &req,
        "$O.b.M.Zg==",
        3,
        r#"{"name":"f","bucket":"b","nuid":"N","size":6,"chunks":2,"digest":"SHA-256=x"}"#,
    );
    let marker = h.request_to("$O.b.M.Zg==");
    assert!(marker.headers().contains("Nats-Rollup: sub"));
    let m = ObjectInfo::from_meta(marker.payload().as_bytes(), 0, String::new()).unwrap();
    assert!(m.deleted && m.size == 0 && m.digest.is_empty());
    h.respond(&marker, &ack(4));
    let purge = h.request_to("$JS.API.STREAM.PURGE.OBJ_b");
    assert_eq!(purge.payload(), r#"{"filter":"$O.b.C.N"}"#);
    h.respond(&purge, r#"{"success":true,"purged":2}"#);
    assert_eq!(take(&r).unwrap(), (true, 2));
}

#[test]
fn update_refuses_a_rename_onto_a_live_object_and_purges_the_old_meta_on_rename() {
    let mut h = H::connected();
    let s = store(&h);
    let live = |name: &str| {
        format!(
            r#"{{"name":"{name}","bucket":"b","nuid":"N","size":1,"chunks":1,"digest":"SHA-256=x"}}"#
        )
    };
    let (r, done) = slot();
    s.update("f", r#"{"name":"g"}"#, done);
    let q = h.one_pub();
    respond_meta(&h, &q, "$O.b.M.Zg==", 3, &live("f"));
    let q = h.one_pub();
    respond_meta(&h, &q, "$O.b.M.Zw==", 4, &live("g"));
    assert_eq!(failed(&r).code, ErrorCode::ObjectExists);
    assert!(h.ops().is_empty());

    let (r, done) = slot();
    s.update("f", r#"{"name":"g","description":"d"}"#, done);
    let q = h.one_pub();
    respond_meta(&h, &q, "$O.b.M.Zg==", 3, &live("f"));
    let req = h.one_pub();
    h.respond_status(&req, "404 Message Not Found");
    let meta = h.request_to("$O.b.M.Zw==");
    assert!(meta.payload().contains(r#""description":"d""#));
    h.respond(&meta, &ack(5));
    let purge = h.request_to("$JS.API.STREAM.PURGE.OBJ_b");
    assert_eq!(purge.payload(), r#"{"filter":"$O.b.M.Zg=="}"#);
    h.respond(&purge, r#"{"success":true,"purged":1}"#);
    assert_eq!(take(&r).unwrap().seq, 5);
}

#[test]
fn seal_updates_the_stream_with_sealed_true() {
    let mut h = H::connected();
    let s = store(&h);
    let (r, done) = slot();
    s.seal(done);
    let info = h.request_to("$JS.API.STREAM.INFO.OBJ_b");
    h.respond(&info, &stream_info(""));
    let upd = h.request_to("$JS.API.STREAM.UPDATE.OBJ_b");
    let cfg = Json::parse(upd.payload()).unwrap();
    assert_eq!(cfg.get("sealed"), Some(&Json::Bool(true)));
    h.respond(&upd, &stream_info(r#","sealed":true"#));
    let st = take(&r).unwrap();
    assert_eq!(st.get("sealed"), Some(&Json::Bool(true)));
    assert_eq!(st.get("bucket").and_then(Json::as_str), Some("b"));
    assert_eq!(st.get("size").and_then(Json::as_i64), Some(300));
}

#[test]
fn watch_gives_initial_values_then_updates_and_list_stops_at_the_initial_ones() {
    let mut h = H::connected();
    let s = store(&h);
    let (t, sink) = recorder();
    let _run = s.watch(ObjWatchOptions::default(), sink).unwrap();
    let (req, d, name) = obj_consumer(&h.ops());
    assert!(req.payload().contains("last_per_subject"));
    created(&h, &req, &name, 1);
    let meta = |n: &str| {
        format!(
            r#"{{"name":"{n}","bucket":"b","nuid":"N","size":1,"chunks":1,"digest":"SHA-256=x"}}"#
        )
    };
    deliver(&h, &d, &name, "$O.b.M.YQ==", 101, 0, &meta("a"));
    deliver(&h, &d, &name, "$O.b.M.Yg==", 102, 0, &meta("b"));
    assert_eq!(*t.borrow(), ["started", "a@101", "initialized", "b@102+"]);

    let (r, done) = slot();
    s.list(done);
    let (req, d, name) = obj_consumer(&h.ops());
    created(&h, &req, &name, 2);
    let marker = r#"{"name":"c","bucket":"b","deleted":true}"#;
    deliver(&h, &d, &name, "$O.b.M.Yw==", 201, 1, marker);
    deliver(&h, &d, &name, "$O.b.M.YQ==", 202, 0, &meta("a"));
    let names: Vec<String> = take(&r).unwrap().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["a"]);

    // An empty bucket: [] at once.
    let (r, done) = slot();
    s.list(done);
    let (req, _, name) = obj_consumer(&h.ops());
    created(&h, &req, &name, 0);
    assert!(take(&r).unwrap().is_empty());
    assert!(s
        .watch(
            ObjWatchOptions {
                include_history: true,
                updates_only: true,
                ..Default::default()
            },
            recorder().1
        )
        .is_err());
}

#[test]
fn a_watch_resumes_after_the_last_delivered_meta_when_the_connection_comes_back() {
    let mut h = H::connected();
    let s = store(&h);
    let (t, sink) = recorder();
    let _run = s.watch(ObjWatchOptions::default(), sink).unwrap();
    let (req, d, name) = obj_consumer(&h.ops());
    created(&h, &req, &name, 0);
    let meta = r#"{"name":"a","bucket":"b","nuid":"N","size":1,"chunks":1,"digest":"SHA-256=x"}"#;
    deliver(&h, &d, &name, "$O.b.M.YQ==", 101, 0, meta);
    h.drop_connection();
    h.reconnect();
    let (req2, d2, name2) = obj_consumer(&h.ops());
    let cfg = Json::parse(req2.payload()).unwrap();
    let c = cfg.get("config").unwrap();
    assert_eq!(
        c.get("deliver_policy").and_then(Json::as_str),
        Some("by_start_sequence")
    );
    assert_eq!(c.get("opt_start_seq").and_then(Json::as_u64), Some(102));
    assert_ne!(name2, name);
    created(&h, &req2, &name2, 0);
    deliver(&h, &d2, &name2, "$O.b.M.YQ==", 201, 0, meta);
    assert_eq!(*t.borrow(), ["started", "initialized", "a@101+", "a@201+"]);
}

#[test]
fn a_link_into_a_vanished_bucket_resolves_to_nothing() {
    let mut h = H::connected();
    let s = store(&h);
    let (r, done) = slot();
    s.resolve("l", done);
    let req = h.one_pub();
    respond_meta(
        &h,
        &req,
        "$O.b.M.bA==",
        3,
        r#"{"name":"l","bucket":"b","options":{"link":{"bucket":"gone","name":"x"}}}"#,
    );
    let target = h.request_to("$JS.API.DIRECT.GET.OBJ_gone.$O.gone.M.eA==");
    h.respond_status(&target, "503");
    assert_eq!(take(&r).unwrap(), None);
}
