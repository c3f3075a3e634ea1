use super::{bucket, msg, reply};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::Command;
use crate::kv::{
    HistoryCollector, Include, KeysCollector, KvEntry, Operation, WatchOptions, WatchOutput,
    Watcher,
};
use crate::proto::json::Json;
use crate::proto::Msg;
use crate::time::Mono;

const TS: u64 = 1_742_465_472_123_456_789;

fn watcher(opts: WatchOptions) -> Watcher {
    Watcher::new(&bucket(), &opts, "N", "_INBOX").unwrap()
}

/// A delivery of `key` at revision `rev` by consumer `serial`.
fn put(serial: u64, key: &str, rev: u64, dseq: u64, pending: u64) -> Msg {
    let reply = format!("$JS.ACK.KV_b.oc_N_{serial}.1.{rev}.{dseq}.{TS}.{pending}");
    msg(
        &format!("$KV.b.{key}"),
        Some(&reply),
        None,
        format!("v{rev}").as_bytes(),
    )
}

fn marker(serial: u64, key: &str, op: &str, rev: u64, dseq: u64, pending: u64) -> Msg {
    let reply = format!("$JS.ACK._.ACC.KV_b.oc_N_{serial}.1.{rev}.{dseq}.{TS}.{pending}.x");
    let h = format!("NATS/1.0\r\nKV-Operation: {op}\r\n\r\n");
    msg(&format!("$KV.b.{key}"), Some(&reply), Some(&h), b"")
}

fn created(serial: u64, num_pending: u64) -> Result<Msg, NatsError> {
    reply(&format!(
        r#"{{"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"KV_b","name":"oc_N_{serial}","created":"2025-03-20T10:11:12.5Z","config":{{"ack_policy":"none"}},"delivered":{{"consumer_seq":0,"stream_seq":0}},"ack_floor":{{"consumer_seq":0,"stream_seq":0}},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":{num_pending},"ts":"2025-03-20T10:11:12.5Z"}}"#
    ))
}

/// A compact trace: "I" for Initialized, "<key>@<rev>[u]" for entries (u = isUpdate), "F" failed.
fn trace(outs: &[WatchOutput]) -> Vec<String> {
    outs.iter()
        .filter_map(|o| match o {
            WatchOutput::Initialized => Some("I".to_owned()),
            WatchOutput::Item(e) => Some(format!(
                "{}@{}{}{}",
                e.key,
                e.revision,
                if e.operation == Operation::Put {
                    ""
                } else {
                    e.operation.as_str()
                },
                if e.is_update { "u" } else { "" }
            )),
            WatchOutput::Failed(_) => Some("F".to_owned()),
            WatchOutput::Command(_) | WatchOutput::Finished => None,
        })
        .collect()
}

fn create_cmd(outs: &[WatchOutput]) -> Option<(u64, String, Json)> {
    outs.iter().find_map(|o| match o {
        WatchOutput::Command(Command::CreateConsumer {
            serial,
            subject,
            body,
        }) => Some((*serial, subject.clone(), Json::parse(body).unwrap())),
        _ => None,
    })
}

fn cfg_of(outs: &[WatchOutput]) -> (String, Json) {
    let (_, subject, body) = create_cmd(outs).expect("a create request");
    (subject, body.get("config").unwrap().clone())
}

fn policy(cfg: &Json) -> (&str, Option<i64>) {
    (
        cfg.get("deliver_policy").and_then(Json::as_str).unwrap(),
        cfg.get("opt_start_seq").and_then(Json::as_i64),
    )
}

#[test]
fn consumer_config_per_option() {
    let (subject, cfg) = cfg_of(&watcher(WatchOptions::default()).start(Mono(0.0)));
    assert_eq!(subject, "$JS.API.CONSUMER.CREATE.KV_b.oc_N_1.$KV.b.>");
    assert_eq!(policy(&cfg), ("last_per_subject", None));
    assert_eq!(
        cfg.get("filter_subject").and_then(Json::as_str),
        Some("$KV.b.>")
    );
    assert_eq!(
        cfg.get("deliver_subject").and_then(Json::as_str),
        Some("_INBOX.N.1")
    );
    assert_eq!(cfg.get("headers_only"), Some(&Json::Bool(false)));
    let o = |include| WatchOptions {
        include,
        ..Default::default()
    };
    assert_eq!(
        policy(&cfg_of(&watcher(o(Include::AllHistory)).start(Mono(0.0))).1),
        ("all", None)
    );
    assert_eq!(
        policy(&cfg_of(&watcher(o(Include::UpdatesOnly)).start(Mono(0.0))).1),
        ("new", None)
    );
    let r = WatchOptions {
        resume_from_revision: Some(5),
        include: Include::UpdatesOnly,
        ..Default::default()
    };
    assert_eq!(
        policy(&cfg_of(&watcher(r).start(Mono(0.0))).1),
        ("by_start_sequence", Some(5))
    );
    let r0 = WatchOptions {
        resume_from_revision: Some(0),
        ..Default::default()
    };
    assert_eq!(
        policy(&cfg_of(&watcher(r0).start(Mono(0.0))).1),
        ("last_per_subject", None)
    );
    let one = WatchOptions {
        keys: vec!["a.b".into()],
        headers_only: true,
        ..Default::default()
    };
    let (subject, cfg) = cfg_of(&watcher(one).start(Mono(0.0)));
    assert_eq!(subject, "$JS.API.CONSUMER.CREATE.KV_b.oc_N_1.$KV.b.a.b");
    assert_eq!(cfg.get("headers_only"), Some(&Json::Bool(true)));
    let many = WatchOptions {
        keys: vec!["a".into(), "c.*".into(), "a".into()],
        ..Default::default()
    };
    let (subject, cfg) = cfg_of(&watcher(many).start(Mono(0.0)));
    assert_eq!(subject, "$JS.API.CONSUMER.CREATE.KV_b");
    assert_eq!(
        cfg.get("filter_subjects").unwrap().to_json_string(),
        r#"["$KV.b.a","$KV.b.c.*"]"#
    );
    assert_eq!(cfg.get("filter_subject"), None);
    for bad in ["a b", ".a", "a.>.b", "a*"] {
        let opts = WatchOptions {
            keys: vec![bad.into()],
            ..Default::default()
        };
        let e = Watcher::new(&bucket(), &opts, "N", "_INBOX").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidKey, "{bad}");
    }
    assert_eq!(Include::parse("history"), Some(Include::AllHistory));
    assert_eq!(Include::parse(""), Some(Include::LastValue));
    assert_eq!(Include::parse("updates"), Some(Include::UpdatesOnly));
    assert_eq!(Include::parse("all"), None);
    let keys = WatchOptions::for_keys(vec![]);
    assert!(keys.headers_only && keys.include == Include::LastValue);
    let h = WatchOptions::for_history(vec!["k".into()], false);
    assert_eq!((h.include, h.headers_only), (Include::AllHistory, false));
}

#[test]
fn empty_bucket_initializes_at_once() {
    let mut w = watcher(WatchOptions::default());
    let outs = w.start(Mono(0.0));
    assert_eq!(
        outs.iter()
            .filter(|o| matches!(o, WatchOutput::Command(_)))
            .count(),
        2,
        "Subscribe + CreateConsumer"
    );
    assert!(!w.is_started());
    assert_eq!(
        trace(&w.on_create_reply(1, created(1, 0), Mono(1.0))),
        ["I"]
    );
    assert!(w.is_started() && w.is_initialized());
    assert_eq!(
        trace(&w.on_message("_INBOX.N.1", put(1, "a", 1, 1, 0), Mono(2.0))),
        ["a@1u"]
    );
}

#[test]
fn pending_removed_before_delivery_initializes_at_the_idle_heartbeat() {
    // The create reply counts 2 pending; one arrives, the other expires (TTL) before delivery.
    let mut w = watcher(WatchOptions::default());
    w.start(Mono(0.0));
    w.on_create_reply(1, created(1, 2), Mono(1.0));
    let t = trace(&w.on_message("_INBOX.N.1", put(1, "a", 2, 1, 1), Mono(2.0)));
    assert_eq!(t, ["a@2"]);
    let hb = |last: u64| {
        let h = format!("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: {last}\r\nNats-Last-Stream: 3\r\n\r\n");
        msg("_INBOX.N.1", None, Some(&h), b"")
    };
    assert_eq!(
        trace(&w.on_message("_INBOX.N.1", hb(1), Mono(5002.0))),
        ["I"]
    );
    assert!(w.is_initialized());
    // Later heartbeats change nothing; an update is an update.
    assert!(trace(&w.on_message("_INBOX.N.1", hb(1), Mono(10002.0))).is_empty());
    assert_eq!(
        trace(&w.on_message("_INBOX.N.1", put(1, "b", 4, 2, 0), Mono(10003.0))),
        ["b@4u"]
    );
}

#[test]
fn initial_values_then_updates() {
    let mut w = watcher(WatchOptions::default());
    w.start(Mono(0.0));
    assert!(trace(&w.on_create_reply(1, created(1, 3), Mono(1.0))).is_empty());
    let mut t = Vec::new();
    for (key, rev, dseq, pending) in [
        ("a", 2, 1, 2),
        ("b", 5, 2, 1),
        ("c", 6, 3, 0),
        ("a", 7, 4, 0),
    ] {
        t.extend(trace(&w.on_message(
            "_INBOX.N.1",
            put(1, key, rev, dseq, pending),
            Mono(2.0),
        )));
    }
    assert_eq!(t, ["a@2", "b@5", "c@6", "I", "a@7u"]);
    let outs = w.on_message("_INBOX.N.1", marker(1, "b", "DEL", 8, 5, 0), Mono(3.0));
    let WatchOutput::Item(e) = &outs[0] else {
        panic!("{outs:?}")
    };
    assert_eq!(
        (e.operation, e.delta, e.value.len(), e.is_update),
        (Operation::Del, 0, 0, true)
    );
    assert_eq!(w.last_revision(), 8);
}

#[test]
fn updates_only_everything_is_an_update() {
    let mut w = watcher(WatchOptions {
        include: Include::UpdatesOnly,
        ..Default::default()
    });
    w.start(Mono(0.0));
    // A delivery can precede the create reply: Initialized still comes first, once.
    assert_eq!(
        trace(&w.on_message("_INBOX.N.1", put(1, "a", 10, 1, 0), Mono(1.0))),
        ["I", "a@10u"]
    );
    assert!(trace(&w.on_create_reply(1, created(1, 0), Mono(1.0))).is_empty());
    let mut w = watcher(WatchOptions {
        include: Include::UpdatesOnly,
        ..Default::default()
    });
    w.start(Mono(0.0));
    assert_eq!(
        trace(&w.on_create_reply(1, created(1, 0), Mono(1.0))),
        ["I"]
    );
    assert_eq!(
        trace(&w.on_message("_INBOX.N.1", put(1, "a", 11, 1, 3), Mono(1.0))),
        ["a@11u"]
    );
}

#[test]
fn ignore_deletes_still_counts_for_initialization() {
    let mut w = watcher(WatchOptions {
        include: Include::AllHistory,
        ignore_deletes: true,
        ..Default::default()
    });
    w.start(Mono(0.0));
    w.on_create_reply(1, created(1, 3), Mono(0.0));
    let mut t = Vec::new();
    t.extend(trace(&w.on_message(
        "_INBOX.N.1",
        put(1, "a", 1, 1, 2),
        Mono(1.0),
    )));
    t.extend(trace(&w.on_message(
        "_INBOX.N.1",
        marker(1, "a", "PURGE", 2, 2, 1),
        Mono(1.0),
    )));
    t.extend(trace(&w.on_message(
        "_INBOX.N.1",
        marker(1, "b", "DEL", 3, 3, 0),
        Mono(1.0),
    )));
    t.extend(trace(&w.on_message(
        "_INBOX.N.1",
        marker(1, "c", "DEL", 4, 4, 0),
        Mono(1.0),
    )));
    t.extend(trace(&w.on_message(
        "_INBOX.N.1",
        put(1, "c", 5, 5, 0),
        Mono(1.0),
    )));
    assert_eq!(t, ["a@1", "I", "c@5u"]);
}

#[test]
fn reset_during_initial_values_has_no_duplicates_or_gaps() {
    let mut w = watcher(WatchOptions::default());
    w.start(Mono(0.0));
    w.on_create_reply(1, created(1, 4), Mono(0.0));
    let mut t = trace(&w.on_message("_INBOX.N.1", put(1, "a", 3, 1, 3), Mono(1.0)));
    // Consumer sequence 3 after 1: reset from revision 4.
    let outs = w.on_message("_INBOX.N.1", put(1, "c", 8, 3, 1), Mono(2.0));
    assert!(trace(&outs).is_empty());
    let (serial, _, body) = create_cmd(&outs).unwrap();
    assert_eq!(serial, 2);
    assert_eq!(
        policy(body.get("config").unwrap()),
        ("by_start_sequence", Some(4))
    );
    // Old consumer still talking: ignored.
    assert!(w
        .on_message("_INBOX.N.1", put(1, "d", 9, 4, 0), Mono(2.0))
        .is_empty());
    w.on_create_reply(2, created(2, 3), Mono(3.0));
    for (key, rev, dseq, pending) in [
        ("b", 5, 1, 2),
        ("c", 8, 2, 1),
        ("d", 9, 3, 0),
        ("e", 12, 4, 0),
    ] {
        t.extend(trace(&w.on_message(
            "_INBOX.N.2",
            put(2, key, rev, dseq, pending),
            Mono(4.0),
        )));
    }
    assert_eq!(t, ["a@3", "b@5", "c@8", "d@9", "I", "e@12u"]);
}

#[test]
fn resumes_after_reconnect_and_missed_heartbeats() {
    let mut w = watcher(WatchOptions::default());
    w.start(Mono(0.0));
    w.on_create_reply(1, created(1, 1), Mono(0.0));
    let mut t = trace(&w.on_message("_INBOX.N.1", put(1, "a", 10, 1, 0), Mono(1.0)));
    w.on_disconnect();
    assert_eq!(w.poll_timeout(), None);
    let outs = w.on_reconnect(Mono(30_000.0));
    let (serial, _, body) = create_cmd(&outs).unwrap();
    assert_eq!(serial, 2);
    assert_eq!(
        policy(body.get("config").unwrap()),
        ("by_start_sequence", Some(11))
    );
    assert!(outs.iter().any(|o| *o
        == WatchOutput::Command(Command::Unsubscribe {
            subject: "_INBOX.N.1".into()
        })));
    // The restarted server has revisions 11 and 12 (written while we were away).
    t.extend(trace(&w.on_create_reply(2, created(2, 2), Mono(30_001.0))));
    t.extend(trace(&w.on_message(
        "_INBOX.N.2",
        put(2, "b", 11, 1, 1),
        Mono(30_002.0),
    )));
    t.extend(trace(&w.on_message(
        "_INBOX.N.2",
        put(2, "a", 12, 2, 0),
        Mono(30_002.0),
    )));
    assert_eq!(t, ["a@10", "I", "b@11u", "a@12u"]);
    // Then silence: after two heartbeat intervals a reset from 13.
    assert_eq!(w.poll_timeout(), Some(Mono(40_002.0)));
    let outs = w.handle_timeout(Mono(40_002.0));
    let (serial, _, body) = create_cmd(&outs).unwrap();
    assert_eq!(serial, 3);
    assert_eq!(
        policy(body.get("config").unwrap()),
        ("by_start_sequence", Some(13))
    );
    assert!(
        trace(&w.on_create_reply(3, created(3, 0), Mono(40_003.0))).is_empty(),
        "no second Initialized"
    );
    let stop = w.stop();
    assert_eq!(
        stop,
        [
            WatchOutput::Command(Command::Unsubscribe {
                subject: "_INBOX.N.3".into()
            }),
            WatchOutput::Command(Command::DeleteConsumer {
                subject: "$JS.API.CONSUMER.DELETE.KV_b.oc_N_3".into()
            }),
        ]
    );
    assert!(w.is_stopped());
}

#[test]
fn flow_control_and_stalled_pass_through() {
    let mut w = watcher(WatchOptions::default());
    w.start(Mono(0.0));
    w.on_create_reply(1, created(1, 0), Mono(0.0));
    let fc = msg(
        "_INBOX.N.1",
        Some("$JS.FC.KV_b.oc_N_1.a1"),
        Some("NATS/1.0 100 FlowControl Request\r\n\r\n"),
        b"",
    );
    assert_eq!(
        w.on_message("_INBOX.N.1", fc, Mono(1.0)),
        [WatchOutput::Command(Command::PublishEmpty {
            subject: "$JS.FC.KV_b.oc_N_1.a1".into()
        })]
    );
    let hb = msg(
        "_INBOX.N.1",
        None,
        Some("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 0\r\nNats-Last-Stream: 0\r\nNats-Consumer-Stalled: $JS.FC.KV_b.oc_N_1.b2\r\n\r\n"),
        b"",
    );
    assert_eq!(
        w.on_message("_INBOX.N.1", hb, Mono(2.0)),
        [WatchOutput::Command(Command::PublishEmpty {
            subject: "$JS.FC.KV_b.oc_N_1.b2".into()
        })]
    );
}

#[test]
fn failures() {
    let mut w = watcher(WatchOptions::default());
    w.start(Mono(0.0));
    let outs = w.on_create_reply(
        1,
        reply(r#"{"error":{"code":404,"err_code":10059,"description":"stream not found"}}"#),
        Mono(0.0),
    );
    let Some(WatchOutput::Failed(e)) = outs.last() else {
        panic!("{outs:?}")
    };
    assert_eq!(e.code, ErrorCode::BucketNotFound);
    assert!(w.is_stopped());
    let mut w = watcher(WatchOptions::default());
    w.start(Mono(0.0));
    let nr = NatsError::api(ErrorCode::NoResponders, "no responders", 503, None);
    let outs = w.on_create_reply(1, Err(nr), Mono(0.0));
    assert!(
        matches!(outs.last(), Some(WatchOutput::Failed(e)) if e.code == ErrorCode::JetStreamNotEnabled)
    );
    // The client refused the create request for its subject (a key filter too long for the server's
    // max_control_line): INVALID_KEY.
    let long = "k".repeat(4100);
    let mut w = watcher(WatchOptions {
        keys: vec![long],
        ..WatchOptions::default()
    });
    w.start(Mono(0.0));
    let refused = NatsError::new(
        ErrorCode::InvalidSubject,
        "subject too long: … max_control_line",
    );
    let outs = w.on_create_reply(1, Err(refused), Mono(0.0));
    assert!(
        matches!(outs.last(), Some(WatchOutput::Failed(e)) if e.code == ErrorCode::InvalidKey && e.message.contains("too long")),
        "{outs:?}"
    );
    assert!(w.is_stopped());
}

fn run(mut w: Watcher, serial_pending: u64, deliveries: Vec<Msg>) -> (Vec<KvEntry>, bool) {
    let mut entries = Vec::new();
    let mut done = false;
    let mut outs = w.start(Mono(0.0));
    outs.extend(w.on_create_reply(1, created(1, serial_pending), Mono(0.0)));
    for m in deliveries {
        outs.extend(w.on_message("_INBOX.N.1", m, Mono(1.0)));
    }
    for o in outs {
        match o {
            WatchOutput::Item(e) if !done => entries.push(e),
            WatchOutput::Initialized => done = true,
            _ => {}
        }
    }
    (entries, done)
}

#[test]
fn keys_and_history_complete() {
    let (entries, done) = run(watcher(WatchOptions::for_keys(vec![])), 0, vec![]);
    assert!(
        entries.is_empty() && done,
        "keys() of an empty bucket is []"
    );
    let deliveries = vec![
        put(1, "a", 2, 1, 3),
        marker(1, "gone", "DEL", 4, 2, 2),
        put(1, "b.c", 6, 3, 1),
        marker(1, "p", "PURGE", 7, 4, 0),
        put(1, "late", 8, 5, 0),
    ];
    let (entries, done) = run(watcher(WatchOptions::for_keys(vec![])), 4, deliveries);
    assert!(done);
    let mut keys = KeysCollector::new();
    entries.iter().for_each(|e| keys.push(e));
    assert_eq!(keys.into_keys(), ["a", "b.c"]);

    let deliveries = vec![
        put(1, "k", 1, 1, 2),
        marker(1, "k", "DEL", 2, 2, 1),
        put(1, "k", 3, 3, 0),
    ];
    let (entries, done) = run(
        watcher(WatchOptions::for_history(vec!["k".into()], false)),
        3,
        deliveries,
    );
    assert!(done);
    let mut h = HistoryCollector::new();
    entries.into_iter().for_each(|e| h.push(e));
    let h = h.into_entries();
    assert_eq!(
        h.iter()
            .map(|e| (e.revision, e.operation))
            .collect::<Vec<_>>(),
        [
            (1, Operation::Put),
            (2, Operation::Del),
            (3, Operation::Put)
        ]
    );
    assert!(h.iter().all(|e| !e.is_update));
}

/// The messages of one frame at once give the same outputs, in the same order, as one by one — a
/// reset in the middle of the batch included (later messages of the old subscription are ignored).
#[test]
fn a_batch_of_messages_is_the_same_as_one_by_one() {
    let fc = || {
        msg(
            "_INBOX.N.1",
            Some("$JS.FC.KV_b.oc_N_1.a1"),
            Some("NATS/1.0 100 FlowControl Request\r\n\r\n"),
            b"",
        )
    };
    let batch = || {
        vec![
            put(1, "a", 3, 1, 5),
            marker(1, "b", "DEL", 4, 2, 4),
            fc(),
            put(1, "c", 6, 3, 3),
            // A gap (consumer sequence 5 after 3): reset from revision 7, the rest ignored.
            put(1, "d", 8, 5, 1),
            put(1, "e", 9, 6, 0),
        ]
    };
    let start = || {
        let mut w = watcher(WatchOptions {
            ignore_deletes: true,
            ..Default::default()
        });
        w.start(Mono(0.0));
        w.on_create_reply(1, created(1, 6), Mono(0.0));
        w
    };
    let mut one = start();
    let mut singly = Vec::new();
    for m in batch() {
        singly.extend(one.on_message("_INBOX.N.1", m, Mono(1.0)));
    }
    let mut many = start();
    let together = many.on_messages("_INBOX.N.1", batch(), Mono(1.0));
    assert_eq!(together, singly);
    assert_eq!(trace(&together), ["a@3", "c@6"]);
    assert!(
        together.contains(&WatchOutput::Command(Command::PublishEmpty {
            subject: "$JS.FC.KV_b.oc_N_1.a1".into()
        }))
    );
    let (serial, _, body) = create_cmd(&together).unwrap();
    assert_eq!(serial, 2);
    assert_eq!(
        policy(body.get("config").unwrap()),
        ("by_start_sequence", Some(7))
    );
    assert_eq!(many.last_revision(), 6);
}
