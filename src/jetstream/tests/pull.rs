//! The pull consumer machine: options, every status of JETSTREAM-SPEC.md §4.2 for fetch and consume,
//! pending-header accounting, the 50 % re-pull, the bounded window, heartbeats, reconnects; and the
//! ack rules of `JsMsg`.

use super::{msg, reply};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::ack::{msg_size, AckInfo, AckKind, AckState, JsMsg};
use crate::jetstream::pull::*;
use crate::jetstream::{Command, ConsumerMachine, JsApi, Step};
use crate::proto::json::Json;
use crate::proto::Msg;
use crate::time::Mono;

const INBOX: &str = "_INBOX.p";
const TS: u64 = 1_742_465_472_123_456_789;

fn machine(opts: PullOptions) -> PullConsumer {
    PullConsumer::new(JsApi::default(), "S", "C", INBOX.into(), opts, false)
}

fn fetch(args: PullArgs) -> PullConsumer {
    machine(PullOptions::fetch(&args).unwrap())
}

fn consume(args: PullArgs) -> PullConsumer {
    machine(PullOptions::consume(&args).unwrap())
}

fn n(x: u64) -> Option<f64> {
    Some(x as f64)
}

/// Stream message `seq` as the inbox receives it (payload `p` bytes).
fn data(seq: u64, p: usize) -> Msg {
    let reply = format!("$JS.ACK.S.C.1.{seq}.{seq}.{TS}.0");
    msg("orders.a", Some(&reply), None, &vec![b'x'; p])
}

/// A status message, with extra header lines.
fn status(line: &str, extra: &str) -> Msg {
    msg(
        INBOX,
        None,
        Some(&format!("NATS/1.0 {line}\r\n{extra}\r\n")),
        b"",
    )
}

fn pending(msgs: u64, bytes: u64) -> String {
    format!("Nats-Pending-Messages: {msgs}\r\nNats-Pending-Bytes: {bytes}\r\n")
}

/// The bodies of the pull requests among `steps`.
fn pulls(steps: &[PullStep]) -> Vec<Json> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Command(Command::Publish {
                subject,
                reply,
                body,
            }) => {
                assert_eq!(subject, "$JS.API.CONSUMER.MSG.NEXT.S.C");
                assert_eq!(reply, INBOX);
                Some(Json::parse(body).unwrap())
            }
            _ => None,
        })
        .collect()
}

/// The `batch` of each pull request.
fn batches(steps: &[PullStep]) -> Vec<u64> {
    pulls(steps)
        .iter()
        .map(|b| b.get("batch").and_then(Json::as_u64).unwrap())
        .collect()
}

fn seqs(steps: &[PullStep]) -> Vec<u64> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Item(PullItem::Msg(m)) => Some(m.info.stream_seq),
            _ => None,
        })
        .collect()
}

fn notes(steps: &[PullStep]) -> Vec<Notification> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Item(PullItem::Status(n)) if !matches!(n, Notification::Next { .. }) => {
                Some(n.clone())
            }
            _ => None,
        })
        .collect()
}

/// `Some(None)`: finished; `Some(Some(e))`: failed; `None`: still running.
fn end(steps: &[PullStep]) -> Option<Option<NatsError>> {
    steps.iter().find_map(|s| match s {
        Step::Finished => Some(None),
        Step::Failed(e) => Some(Some(e.clone())),
        _ => None,
    })
}

fn unsubscribed(steps: &[PullStep]) -> bool {
    steps
        .iter()
        .any(|s| matches!(s, Step::Command(Command::Unsubscribe { subject }) if subject == INBOX))
}

/// The CONSUMER.INFO check among `steps`: its serial.
fn check(steps: &[PullStep]) -> Option<u64> {
    steps.iter().find_map(|s| match s {
        Step::Command(Command::CreateConsumer {
            serial, subject, ..
        }) => {
            assert_eq!(subject, "$JS.API.CONSUMER.INFO.S.C");
            Some(*serial)
        }
        _ => None,
    })
}

fn info_ok() -> Result<Msg, NatsError> {
    reply(
        r#"{"stream_name":"S","name":"C","config":{"durable_name":"C","ack_policy":"explicit"},"num_pending":0}"#,
    )
}

fn not_found(err_code: u32, what: &str) -> Result<Msg, NatsError> {
    reply(&format!(
        r#"{{"error":{{"code":404,"err_code":{err_code},"description":"{what} not found"}}}}"#
    ))
}

fn at(ms: f64) -> Mono {
    Mono(ms)
}

// ---- options ----

#[test]
fn fetch_defaults_follow_adr_37() {
    let o = PullOptions::fetch(&PullArgs::default()).unwrap();
    assert_eq!(
        (o.max_messages, o.max_bytes, o.expires_ms, o.heartbeat_ms),
        (100, None, 30_000, 15_000)
    );
    let bytes = PullOptions::fetch(&PullArgs {
        max_bytes: n(4096),
        ..PullArgs::default()
    })
    .unwrap();
    assert_eq!(
        (bytes.max_messages, bytes.max_bytes),
        (1_000_000, Some(4096))
    );
    // The heartbeat is expires / 2 within 500..30 000.
    let hb = |e: u64| {
        PullOptions::fetch(&PullArgs {
            expires: n(e),
            ..PullArgs::default()
        })
        .unwrap()
        .heartbeat_ms
    };
    assert_eq!((hb(1000), hb(10_000), hb(120_000)), (500, 5000, 30_000));
    let c = PullOptions::consume(&PullArgs {
        max_messages: n(11),
        ..PullArgs::default()
    })
    .unwrap();
    assert_eq!(c.threshold_messages, 5);
    assert_eq!(PullOptions::next(None).unwrap().max_messages, 1);
}

#[test]
fn bad_options_are_invalid_arguments() {
    let bad_fetch = [
        PullArgs {
            max_messages: n(1),
            max_bytes: n(1),
            ..PullArgs::default()
        },
        PullArgs {
            expires: n(999),
            ..PullArgs::default()
        },
        PullArgs {
            expires: n(2000),
            idle_heartbeat: n(1001),
            ..PullArgs::default()
        },
        PullArgs {
            max_messages: Some(1.5),
            ..PullArgs::default()
        },
        PullArgs {
            max_messages: Some(0.0),
            ..PullArgs::default()
        },
        PullArgs {
            max_bytes: Some(-1.0),
            ..PullArgs::default()
        },
        PullArgs {
            expires: Some(f64::NAN),
            ..PullArgs::default()
        },
        PullArgs {
            idle_heartbeat: Some(0.0),
            ..PullArgs::default()
        },
        PullArgs {
            threshold_messages: n(1),
            ..PullArgs::default()
        },
    ];
    for args in bad_fetch {
        let e = PullOptions::fetch(&args).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{args:?}");
    }
    let bad_consume = [
        PullArgs {
            no_wait: true,
            ..PullArgs::default()
        },
        PullArgs {
            max_bytes: n(100),
            threshold_messages: n(1),
            ..PullArgs::default()
        },
        PullArgs {
            threshold_bytes: n(1),
            ..PullArgs::default()
        },
        PullArgs {
            max_messages: n(10),
            threshold_messages: n(11),
            ..PullArgs::default()
        },
    ];
    for args in bad_consume {
        let e = PullOptions::consume(&args).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{args:?}");
    }
}

// ---- fetch ----

#[test]
fn fetch_subscribes_then_pulls_and_ends_once_the_batch_is_complete() {
    let mut m = fetch(PullArgs {
        max_messages: n(3),
        ..PullArgs::default()
    });
    let s = m.start(at(0.0));
    assert!(
        matches!(&s[0], Step::Command(Command::Subscribe { subject }) if subject == INBOX),
        "{s:?}"
    );
    assert_eq!(
        pulls(&s)[0].to_json_string(),
        r#"{"batch":3,"expires":30000000000,"idle_heartbeat":15000000000}"#
    );
    assert!(m.is_started());
    let s = m.on_messages(INBOX, vec![data(1, 5), data(2, 5)], at(10.0));
    assert_eq!((seqs(&s), end(&s).is_none()), (vec![1, 2], true));
    // nats.js#193: no wait for `expires` once the batch is in.
    let s = m.on_messages(INBOX, vec![data(3, 5)], at(20.0));
    assert_eq!(seqs(&s), [3]);
    assert!(unsubscribed(&s));
    assert_eq!(end(&s), Some(None));
    assert_eq!(m.poll_timeout(), None);
    assert!(m.on_messages(INBOX, vec![data(4, 5)], at(30.0)).is_empty());
}

#[test]
fn fetch_by_bytes_ends_when_the_bytes_are_spent() {
    let one = msg_size(&data(1, 10));
    let mut m = fetch(PullArgs {
        max_bytes: n(2 * one),
        ..PullArgs::default()
    });
    let s = m.start(at(0.0));
    let body = &pulls(&s)[0];
    assert_eq!(body.get("batch").and_then(Json::as_u64), Some(1_000_000));
    assert_eq!(body.get("max_bytes").and_then(Json::as_u64), Some(2 * one));
    let s = m.on_messages(INBOX, vec![data(1, 10), data(2, 10)], at(1.0));
    assert_eq!(end(&s), Some(None));
}

#[test]
fn fetch_no_wait_sends_no_wait_without_heartbeat() {
    let mut m = fetch(PullArgs {
        max_messages: n(5),
        no_wait: true,
        ..PullArgs::default()
    });
    let s = m.start(at(0.0));
    assert_eq!(
        pulls(&s)[0].to_json_string(),
        r#"{"batch":5,"no_wait":true}"#
    );
    let s = m.on_messages(
        INBOX,
        vec![data(1, 1), status("404 No Messages", "")],
        at(1.0),
    );
    assert_eq!(seqs(&s), [1]);
    assert_eq!(end(&s), Some(None));
}

/// Statuses that end a fetch normally, with what came before them.
#[test]
fn fetch_ends_normally_on_404_408_and_the_accounting_409s() {
    for (line, extra) in [
        ("404 No Messages", String::new()),
        ("408 Request Timeout", pending(9, 0)),
        ("408 Interest Expired", pending(9, 0)),
        ("408 Requests Pending", String::new()),
        ("409 Batch Completed", pending(0, 100)),
        ("409 Message Size Exceeds MaxBytes", pending(9, 50)),
        ("409 Leadership Change", String::new()),
        ("409 Server Shutdown", pending(9, 0)),
    ] {
        let mut m = fetch(PullArgs {
            max_messages: n(10),
            ..PullArgs::default()
        });
        m.start(at(0.0));
        let s = m.on_messages(INBOX, vec![data(1, 1), status(line, &extra)], at(5.0));
        assert_eq!(seqs(&s), [1], "{line}");
        assert_eq!(end(&s), Some(None), "{line}");
        assert!(unsubscribed(&s), "{line}");
    }
}

#[test]
fn fetch_fails_on_the_error_statuses_after_what_came_before() {
    for (line, code, api_code) in [
        (
            "409 Exceeded MaxRequestBatch of 5",
            ErrorCode::JetStreamApi,
            409,
        ),
        (
            "409 Exceeded MaxRequestExpires of 1s",
            ErrorCode::JetStreamApi,
            409,
        ),
        (
            "409 Exceeded MaxRequestMaxBytes of 10",
            ErrorCode::JetStreamApi,
            409,
        ),
        ("409 Exceeded MaxWaiting", ErrorCode::JetStreamApi, 409),
        ("409 Consumer Deleted", ErrorCode::ConsumerDeleted, 409),
        (
            "409 Consumer is push based",
            ErrorCode::WrongConsumerKind,
            409,
        ),
        (
            "400 Bad Request - heartbeat value too large",
            ErrorCode::JetStreamApi,
            400,
        ),
    ] {
        let mut m = fetch(PullArgs::default());
        m.start(at(0.0));
        let s = m.on_messages(INBOX, vec![data(1, 1), status(line, "")], at(5.0));
        assert_eq!(seqs(&s), [1], "{line}");
        let e = end(&s).flatten().unwrap_or_else(|| panic!("{line}: {s:?}"));
        assert_eq!((e.code, e.api_code), (code, Some(api_code)), "{line}");
        assert!(e.message.contains(&line[4..]), "{line}: {}", e.message);
        // The item comes before the end.
        let item = s
            .iter()
            .position(|x| matches!(x, Step::Item(PullItem::Msg(_))));
        let failed = s.iter().position(|x| matches!(x, Step::Failed(_)));
        assert!(item < failed, "{line}");
    }
}

#[test]
fn fetch_without_responders_says_which_resource_is_gone() {
    for (reply, code) in [
        (not_found(10014, "consumer"), ErrorCode::ConsumerNotFound),
        (not_found(10059, "stream"), ErrorCode::StreamNotFound),
        (info_ok(), ErrorCode::NoResponders),
    ] {
        let mut m = fetch(PullArgs::default());
        m.start(at(0.0));
        let s = m.on_messages(INBOX, vec![status("503", "")], at(1.0));
        assert_eq!(notes(&s), [Notification::NoResponders { code: 503 }]);
        let serial = check(&s).expect("a consumer check");
        let s = m.on_create_reply(serial, reply, at(2.0));
        assert_eq!(end(&s).flatten().map(|e| e.code), Some(code));
    }
}

#[test]
fn fetch_fails_after_two_missed_heartbeats_and_a_heartbeat_keeps_it_alive() {
    let mut m = fetch(PullArgs {
        idle_heartbeat: n(5_000),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    assert_eq!(m.poll_timeout(), Some(at(10_000.0)), "2 × 5 s");
    let hb = status(
        "100 Idle Heartbeat",
        "Nats-Last-Consumer: 4\r\nNats-Last-Stream: 9\r\n",
    );
    let s = m.on_messages(INBOX, vec![hb], at(9_000.0));
    assert_eq!(
        notes(&s),
        [Notification::Heartbeat {
            last_consumer_seq: 4,
            last_stream_seq: 9
        }]
    );
    assert!(m.handle_timeout(at(10_000.0)).is_empty(), "re-armed");
    let s = m.handle_timeout(at(19_000.0));
    assert_eq!(notes(&s), [Notification::HeartbeatsMissed { count: 2 }]);
    assert_eq!(
        end(&s).flatten().map(|e| e.code),
        Some(ErrorCode::HeartbeatsMissed)
    );
}

#[test]
fn fetch_pauses_while_disconnected_pulls_what_it_lacks_after_and_never_outlives_expires() {
    let mut m = fetch(PullArgs {
        max_messages: n(10),
        expires: n(20_000),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    m.on_messages(INBOX, vec![data(1, 1), data(2, 1), data(3, 1)], at(1.0));
    m.on_disconnect();
    // No heartbeat failure while disconnected: only the fetch's end is due.
    assert_eq!(m.poll_timeout(), Some(at(21_000.0)));
    let s = m.on_reconnect(at(5_000.0));
    let p = pulls(&s);
    assert_eq!(p.len(), 1);
    assert_eq!(
        p[0].get("batch").and_then(Json::as_u64),
        Some(7),
        "what it lacks"
    );
    assert_eq!(
        p[0].get("expires").and_then(Json::as_u64),
        Some(15_000_000_000),
        "what is left of expires"
    );
    m.on_disconnect();
    let s = m.handle_timeout(at(21_000.0));
    assert_eq!(end(&s), Some(None), "ends with what it has");
    assert!(unsubscribed(&s));
}

// ---- consume ----

#[test]
fn consume_pulls_again_when_the_window_is_half_empty() {
    let mut m = consume(PullArgs {
        max_messages: n(100),
        ..PullArgs::default()
    });
    let s = m.start(at(0.0));
    assert_eq!(batches(&s), [100]);
    let first: Vec<Msg> = (1..=49).map(|i| data(i, 1)).collect();
    let s = m.on_messages(INBOX, first, at(1.0));
    assert_eq!(seqs(&s).len(), 49);
    assert!(pulls(&s).is_empty(), "51 still requested");
    let s = m.on_messages(INBOX, vec![data(50, 1)], at(2.0));
    assert_eq!(batches(&s), [50], "50 % left: top up to 100");
    assert_eq!(m.pending(), 100);
    assert_eq!((m.received(), m.processed()), (50, 50));
}

#[test]
fn consume_window_counts_what_the_application_has_not_taken() {
    let mut m = consume(PullArgs {
        max_messages: n(10),
        buffered: true,
        ..PullArgs::default()
    });
    m.start(at(0.0));
    let all: Vec<Msg> = (1..=10).map(|i| data(i, 1)).collect();
    let s = m.on_messages(INBOX, all, at(1.0));
    assert!(
        pulls(&s).is_empty(),
        "nothing taken yet: the window is full"
    );
    assert_eq!((m.pending(), m.held()), (0, 10));
    assert_eq!(
        m.poll_timeout(),
        None,
        "no request out: no heartbeat expected"
    );
    assert!(pulls(&m.on_handed_out(4, at(2.0))).is_empty(), "6 held");
    let s = m.on_handed_out(1, at(3.0));
    assert_eq!(batches(&s), [5]);
    assert_eq!(m.pending() + m.held(), 10, "never more than max_messages");
    assert_eq!(m.processed(), 5);
}

#[test]
fn consume_by_bytes_counts_subject_reply_headers_and_payload() {
    let one = msg_size(&data(1, 100));
    let mut m = consume(PullArgs {
        max_bytes: n(4 * one),
        ..PullArgs::default()
    });
    let s = m.start(at(0.0));
    let p = &pulls(&s)[0];
    assert_eq!(p.get("batch").and_then(Json::as_u64), Some(1_000_000));
    assert_eq!(p.get("max_bytes").and_then(Json::as_u64), Some(4 * one));
    let s = m.on_messages(INBOX, vec![data(1, 100)], at(1.0));
    assert!(pulls(&s).is_empty());
    let s = m.on_messages(INBOX, vec![data(2, 100)], at(2.0));
    let p = &pulls(&s)[0];
    assert_eq!(p.get("max_bytes").and_then(Json::as_u64), Some(2 * one));
    assert_eq!(m.pending_bytes(), 4 * one);
}

#[test]
fn consume_subtracts_the_pending_headers_of_statuses() {
    let mut m = consume(PullArgs {
        max_messages: n(10),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    m.on_messages(INBOX, vec![data(1, 1), data(2, 1)], at(1.0));
    assert_eq!(m.pending(), 8);
    // The request expired with 8 unfilled: room for 10 again.
    let s = m.on_messages(
        INBOX,
        vec![status("408 Request Timeout", &pending(8, 0))],
        at(30_000.0),
    );
    assert_eq!(
        notes(&s),
        [Notification::Discard {
            messages_left: 8,
            bytes_left: 0
        }]
    );
    assert_eq!(batches(&s), [10]);
    // Statuses without pending headers change nothing.
    let s = m.on_messages(
        INBOX,
        vec![status("408 Requests Pending", "")],
        at(30_001.0),
    );
    assert!(pulls(&s).is_empty());
    assert_eq!(m.pending(), 10);
    // 409 Batch Completed (messages 0) and Server Shutdown carry them too.
    let s = m.on_messages(
        INBOX,
        vec![status("409 Server Shutdown", &pending(6, 0))],
        at(30_002.0),
    );
    assert_eq!(batches(&s), [6]);
    let s = m.on_messages(
        INBOX,
        vec![status("409 Batch Completed", &pending(0, 0))],
        at(30_003.0),
    );
    assert!(pulls(&s).is_empty());
}

#[test]
fn consume_exceeded_limits_waits_expires_before_pulling_again() {
    for line in [
        "409 Exceeded MaxRequestBatch of 5",
        "409 Exceeded MaxRequestExpires of 1s",
        "409 Exceeded MaxRequestMaxBytes of 10",
        "409 Exceeded MaxWaiting",
    ] {
        let mut m = consume(PullArgs {
            max_messages: n(10),
            expires: n(5_000),
            ..PullArgs::default()
        });
        m.start(at(0.0));
        let s = m.on_messages(INBOX, vec![status(line, "")], at(1.0));
        assert_eq!(
            notes(&s),
            [Notification::ExceededLimits {
                code: 409,
                description: line[4..].into()
            }],
            "{line}"
        );
        assert!(pulls(&s).is_empty(), "{line}");
        assert_eq!(end(&s), None, "{line}");
        assert!(pulls(&m.handle_timeout(at(4_000.0))).is_empty(), "{line}");
        assert_eq!(batches(&m.handle_timeout(at(5_001.0))), [10], "{line}");
    }
}

#[test]
fn consume_a_message_larger_than_max_bytes_is_exceeded_limits_not_a_loop() {
    let mut m = consume(PullArgs {
        max_bytes: n(1000),
        expires: n(5_000),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    let s = m.on_messages(
        INBOX,
        vec![status(
            "409 Message Size Exceeds MaxBytes",
            &pending(1_000_000, 1000),
        )],
        at(1.0),
    );
    assert!(matches!(
        notes(&s)[..],
        [
            Notification::Discard { .. },
            Notification::ExceededLimits { .. }
        ]
    ));
    assert!(
        pulls(&s).is_empty(),
        "no re-pull at once (nats-server#5888)"
    );
    assert_eq!(pulls(&m.handle_timeout(at(5_001.0))).len(), 1);
    // A request with too little left for the next message is plain accounting.
    let s = m.on_messages(
        INBOX,
        vec![status(
            "409 Message Size Exceeds MaxBytes",
            &pending(999_999, 600),
        )],
        at(5_002.0),
    );
    assert!(!notes(&s)
        .iter()
        .any(|n| matches!(n, Notification::ExceededLimits { .. })));
    assert_eq!(pulls(&s).len(), 1);
}

#[test]
fn consume_consumer_deleted_is_a_status_and_a_check_every_expires() {
    let mut m = consume(PullArgs {
        max_messages: n(10),
        expires: n(5_000),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    let s = m.on_messages(
        INBOX,
        vec![data(1, 1), status("409 Consumer Deleted", "")],
        at(1.0),
    );
    assert_eq!(seqs(&s), [1]);
    assert_eq!(
        notes(&s),
        [Notification::ConsumerDeleted {
            code: 409,
            description: "Consumer Deleted".into()
        }]
    );
    assert_eq!(end(&s), None);
    assert_eq!(m.poll_timeout(), Some(at(5_001.0)));
    let serial = check(&m.handle_timeout(at(5_001.0))).expect("a check");
    let s = m.on_create_reply(serial, not_found(10014, "consumer"), at(5_002.0));
    assert_eq!(
        notes(&s),
        [Notification::ConsumerNotFound {
            name: "C".into(),
            stream: "S".into(),
            count: 1
        }]
    );
    let serial = check(&m.handle_timeout(at(10_002.0))).expect("checked again");
    let s = m.on_create_reply(serial, not_found(10059, "stream"), at(10_003.0));
    assert_eq!(
        notes(&s),
        [Notification::StreamNotFound { name: "S".into() }]
    );
    let serial = check(&m.handle_timeout(at(15_003.0))).unwrap();
    // A stale reply is ignored; the current one finds the consumer back: a full pull.
    assert!(m
        .on_create_reply(serial - 1, info_ok(), at(15_004.0))
        .is_empty());
    let s = m.on_create_reply(serial, info_ok(), at(15_004.0));
    assert_eq!(batches(&s), [10]);
}

#[test]
fn consume_abort_on_missing_resource_ends_with_the_error() {
    let abort = PullArgs {
        abort_on_missing_resource: true,
        ..PullArgs::default()
    };
    let mut m = consume(abort.clone());
    m.start(at(0.0));
    let s = m.on_messages(INBOX, vec![status("409 Consumer Deleted", "")], at(1.0));
    assert_eq!(
        end(&s).flatten().map(|e| e.code),
        Some(ErrorCode::ConsumerDeleted)
    );
    assert!(unsubscribed(&s));

    let mut m = consume(abort);
    m.start(at(0.0));
    let s = m.on_messages(INBOX, vec![status("503", "")], at(1.0));
    let serial = check(&s).unwrap();
    let s = m.on_create_reply(serial, not_found(10059, "stream"), at(2.0));
    assert_eq!(
        end(&s).flatten().map(|e| e.code),
        Some(ErrorCode::StreamNotFound)
    );
}

#[test]
fn consume_ends_on_push_based_and_bad_request() {
    for (line, code) in [
        ("409 Consumer is push based", ErrorCode::WrongConsumerKind),
        ("400 Bad Request", ErrorCode::JetStreamApi),
    ] {
        let mut m = consume(PullArgs::default());
        m.start(at(0.0));
        let s = m.on_messages(INBOX, vec![status(line, "")], at(1.0));
        assert_eq!(end(&s).flatten().map(|e| e.code), Some(code), "{line}");
        assert!(m.is_done());
    }
}

#[test]
fn consume_heartbeats_missed_is_a_status_a_check_and_a_pull() {
    let mut m = consume(PullArgs {
        max_messages: n(10),
        expires: n(10_000),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    m.on_messages(INBOX, vec![data(1, 1)], at(1.0));
    assert_eq!(m.poll_timeout(), Some(at(10_001.0)));
    let s = m.handle_timeout(at(10_001.0));
    assert_eq!(notes(&s), [Notification::HeartbeatsMissed { count: 2 }]);
    assert_eq!(end(&s), None, "not terminal for consume");
    let serial = check(&s).unwrap();
    let s = m.on_create_reply(serial, info_ok(), at(10_050.0));
    assert_eq!(batches(&s), [10], "the old requests are written off");
}

#[test]
fn consume_leadership_change_writes_off_the_requests_and_pulls() {
    let mut m = consume(PullArgs {
        max_messages: n(10),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    let s = m.on_messages(INBOX, vec![status("409 Leadership Change", "")], at(1.0));
    assert_eq!(batches(&s), [10]);
    assert_eq!(end(&s), None);
}

#[test]
fn consume_pauses_while_disconnected_and_pulls_the_window_after_a_reconnect() {
    let mut m = consume(PullArgs {
        max_messages: n(10),
        buffered: true,
        ..PullArgs::default()
    });
    m.start(at(0.0));
    m.on_messages(INBOX, vec![data(1, 1), data(2, 1), data(3, 1)], at(1.0));
    m.on_disconnect();
    assert_eq!(
        m.poll_timeout(),
        None,
        "no heartbeats expected while disconnected"
    );
    // Taking messages while disconnected pulls nothing.
    assert!(pulls(&m.on_handed_out(3, at(2.0))).is_empty());
    let s = m.on_reconnect(at(5_000.0));
    assert_eq!(batches(&s), [10], "the old requests are gone; nothing held");
    assert!(m.poll_timeout().is_some());
}

#[test]
fn consume_flow_control_is_answered_and_stop_ends_quietly() {
    let mut m = consume(PullArgs::default());
    m.start(at(0.0));
    let fc = msg(
        INBOX,
        Some("$JS.FC.S.C.1"),
        Some("NATS/1.0 100 FlowControl Request\r\n\r\n"),
        b"",
    );
    let s = m.on_messages(INBOX, vec![fc], at(1.0));
    assert!(s.iter().any(|x| matches!(x, Step::Command(Command::PublishEmpty { subject }) if subject == "$JS.FC.S.C.1")));
    // Other subscriptions and messages without an ack subject are ignored.
    assert!(m
        .on_messages("_INBOX.other", vec![data(1, 1)], at(2.0))
        .is_empty());
    let s = m.on_messages(INBOX, vec![msg("x", None, None, b"stray")], at(2.0));
    assert!(seqs(&s).is_empty());
    let s = m.stop();
    assert!(unsubscribed(&s));
    assert_eq!(end(&s), None, "the run ends a stop itself");
    assert!(m.stop().is_empty());
    assert_eq!(m.poll_timeout(), None);
}

// ---- JsMsg and acks ----

#[test]
fn ack_payloads_and_the_final_ack_rule() {
    assert_eq!(AckKind::Ack.payload(), b"+ACK");
    assert_eq!(AckKind::Nak(None).payload(), b"-NAK");
    assert_eq!(
        AckKind::Nak(Some(1500)).payload(),
        br#"-NAK {"delay":1500000000}"#
    );
    assert_eq!(AckKind::Working.payload(), b"+WPI");
    assert_eq!(AckKind::Term(None).payload(), b"+TERM");
    assert_eq!(
        AckKind::Term(Some("bad data".into())).payload(),
        b"+TERM bad data"
    );
    // working() repeats before a final ack; the first final one is sent, later ones ignored.
    let s = AckState::Open;
    let (sent, s) = s.apply(&AckKind::Working);
    assert_eq!((sent.as_deref(), s), (Some(&b"+WPI"[..]), AckState::Open));
    let (sent, s) = s.apply(&AckKind::Working);
    assert!(sent.is_some());
    let (sent, s) = s.apply(&AckKind::Term(None));
    assert_eq!(
        (sent.as_deref(), s),
        (Some(&b"+TERM"[..]), AckState::Settled)
    );
    for k in [AckKind::Ack, AckKind::Nak(None), AckKind::Working] {
        assert_eq!(s.apply(&k), (None, AckState::Settled), "{k:?}");
    }
    // ack_policy none: nothing, ever.
    assert_eq!(
        AckState::NoAck.apply(&AckKind::Ack),
        (None, AckState::NoAck)
    );
    assert_eq!(AckState::from_u8(AckState::NoAck as u8), AckState::NoAck);
}

#[test]
fn js_msg_keeps_the_exact_timestamp_and_its_ack_state() {
    let m = JsMsg::from_msg(data(7, 3), false).unwrap();
    assert_eq!(m.info.timestamp_ns, TS, "u64, not rounded through f64");
    assert_ne!(
        TS as f64 as u64, TS,
        "the test value is not exact in an f64"
    );
    assert_eq!(m.ack_state(), AckState::Open);
    assert_eq!(m.ack_subject(), format!("$JS.ACK.S.C.1.7.7.{TS}.0"));
    assert_eq!(
        JsMsg::from_msg(data(7, 3), true).unwrap().ack_state(),
        AckState::NoAck
    );
    assert!(JsMsg::from_msg(msg("a", None, None, b""), false).is_none());
}

#[test]
fn ack_subjects_with_empty_names_or_signed_numbers_are_refused() {
    for bad in [
        "$JS.ACK..C.1.2.3.4.5",
        "$JS.ACK.S..1.2.3.4.5",
        "$JS.ACK.S.C.+1.2.3.4.5",
        "$JS.ACK.S.C.1.2.3.4.",
        "$JS.ACK._..S.C.1.2.3.4.5",
        "$JS.ACK._.H..C.1.2.3.4.5",
    ] {
        assert_eq!(AckInfo::parse(bad), None, "{bad}");
    }
    let v2 = AckInfo::parse(&format!("$JS.ACK.hub.H.S.C.2.3.4.{TS}.5.x.y")).unwrap();
    assert_eq!(
        (
            v2.domain.as_deref(),
            v2.delivered,
            v2.timestamp_ns,
            v2.pending
        ),
        (Some("hub"), 2, TS, 5)
    );
}

#[test]
fn notifications_read_as_nats_js_consumer_notifications() {
    let cases = [
        (
            Notification::HeartbeatsMissed { count: 2 },
            r#"{"type":"heartbeats_missed","count":2}"#,
        ),
        (
            Notification::Discard {
                messages_left: 3,
                bytes_left: 40,
            },
            r#"{"type":"discard","messagesLeft":3,"bytesLeft":40}"#,
        ),
        (
            Notification::Next {
                batch: 10,
                max_bytes: 0,
                expires_ms: 30_000,
            },
            r#"{"type":"next","options":{"batch":10,"max_bytes":0,"expires":30000}}"#,
        ),
        (
            Notification::ExceededLimits {
                code: 409,
                description: "Exceeded MaxWaiting".into(),
            },
            r#"{"type":"exceeded_limits","code":409,"description":"Exceeded MaxWaiting"}"#,
        ),
        (
            Notification::ConsumerNotFound {
                name: "C".into(),
                stream: "S".into(),
                count: 1,
            },
            r#"{"type":"consumer_not_found","name":"C","stream":"S","count":1}"#,
        ),
        (Notification::FlowControl, r#"{"type":"flow_control"}"#),
    ];
    for (n, json) in cases {
        assert_eq!(n.to_json().to_json_string(), json);
    }
}

#[test]
fn consume_takes_pin_and_unknown_statuses_as_debug_and_a_404_closes_the_last_request() {
    let mut m = consume(PullArgs {
        max_messages: n(10),
        ..PullArgs::default()
    });
    m.start(at(0.0));
    for (line, code) in [("423 Nats-Pin-Id mismatch", 423), ("418 Teapot", 418)] {
        let s = m.on_messages(INBOX, vec![status(line, "")], at(1.0));
        assert_eq!(
            notes(&s),
            [Notification::Debug {
                code,
                description: line[4..].into()
            }]
        );
        assert_eq!((end(&s), pulls(&s).len()), (None, 0), "{line}");
    }
    let s = m.on_messages(INBOX, vec![status("404 No Messages", "")], at(2.0));
    assert_eq!(batches(&s), [10], "the request is over: pull again");
}

#[test]
fn consume_by_bytes_holds_at_most_max_bytes_for_a_slow_iterator() {
    let one = msg_size(&data(1, 100));
    let mut m = consume(PullArgs {
        max_bytes: n(4 * one),
        buffered: true,
        ..PullArgs::default()
    });
    m.start(at(0.0));
    let four: Vec<Msg> = (1..=4).map(|i| data(i, 100)).collect();
    let s = m.on_messages(INBOX, four, at(1.0));
    assert!(pulls(&s).is_empty(), "4 × one held: the window is full");
    assert!(
        pulls(&m.on_handed_out(1, at(2.0))).is_empty(),
        "3 × one held"
    );
    let s = m.on_handed_out(1, at(3.0));
    let p = &pulls(&s)[0];
    assert_eq!(p.get("max_bytes").and_then(Json::as_u64), Some(2 * one));
    assert_eq!(m.pending_bytes() + 2 * one, 4 * one);
}
