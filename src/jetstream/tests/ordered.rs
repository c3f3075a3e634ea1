use super::{msg, reply};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::consumer::{DeliverPolicy, OrderedConfig};
use crate::jetstream::ordered::{is_transient, retry_delay_ms, Command, OrderedConsumer, Output};
use crate::jetstream::JsApi;
use crate::proto::json::Json;
use crate::proto::Msg;
use crate::time::Mono;

const TS: u64 = 1_742_465_472_123_456_789;

fn consumer(policy: DeliverPolicy) -> OrderedConsumer {
    let cfg = OrderedConfig::new("KV_b", vec!["$KV.b.>".into()], policy);
    OrderedConsumer::new(JsApi::default(), cfg, "N", "_INBOX")
}

/// A delivery of stream sequence `sseq`: its subject is the stored one, not the deliver subject.
fn data(consumer: &str, sseq: u64, dseq: u64, pending: u64) -> Msg {
    let reply = format!("$JS.ACK.KV_b.{consumer}.1.{sseq}.{dseq}.{TS}.{pending}");
    msg(&format!("$KV.b.k{sseq}"), Some(&reply), None, b"v")
}

fn heartbeat(subject: &str, last_consumer: u64, stalled: Option<&str>) -> Msg {
    let mut h = format!("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: {last_consumer}\r\nNats-Last-Stream: 9\r\n");
    if let Some(s) = stalled {
        h.push_str(&format!("Nats-Consumer-Stalled: {s}\r\n"));
    }
    h.push_str("\r\n");
    msg(subject, None, Some(&h), b"")
}

fn created(name: &str, num_pending: u64, delivered_sseq: u64) -> Result<Msg, NatsError> {
    reply(&format!(
        r#"{{"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"KV_b","name":"{name}","created":"2025-03-20T10:11:12.5Z","config":{{"name":"{name}","ack_policy":"none"}},"delivered":{{"consumer_seq":0,"stream_seq":{delivered_sseq}}},"ack_floor":{{"consumer_seq":0,"stream_seq":0}},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":{num_pending},"ts":"2025-03-20T10:11:12.5Z"}}"#
    ))
}

fn commands(outs: &[Output]) -> Vec<Command> {
    outs.iter()
        .filter_map(|o| match o {
            Output::Command(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// (stream seq, caught_up) of the delivered messages.
fn delivered(outs: &[Output]) -> Vec<(u64, bool)> {
    outs.iter()
        .filter_map(|o| match o {
            Output::Message {
                info, caught_up, ..
            } => Some((info.stream_seq, *caught_up)),
            _ => None,
        })
        .collect()
}

fn create_body(outs: &[Output]) -> Option<(u64, String, Json)> {
    commands(outs).into_iter().find_map(|c| match c {
        Command::CreateConsumer {
            serial,
            subject,
            body,
        } => Some((
            serial,
            subject,
            Json::parse(&body).expect("create body is JSON"),
        )),
        _ => None,
    })
}

fn policy_of(body: &Json) -> (String, Option<i64>) {
    let c = body.get("config").unwrap();
    (
        c.get("deliver_policy")
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned(),
        c.get("opt_start_seq").and_then(Json::as_i64),
    )
}

/// A started consumer on `_INBOX.N.1` with `num_pending` pending.
fn started(policy: DeliverPolicy, num_pending: u64) -> OrderedConsumer {
    let mut c = consumer(policy);
    c.start(Mono(0.0));
    let outs = c.on_create_reply(1, created("oc_N_1", num_pending, 0), Mono(0.0));
    assert!(
        matches!(outs.as_slice(), [Output::Created { .. }]),
        "{outs:?}"
    );
    c
}

#[test]
fn start_subscribes_then_creates() {
    let mut c = consumer(DeliverPolicy::LastPerSubject);
    let outs = c.start(Mono(0.0));
    let cmds = commands(&outs);
    assert_eq!(
        cmds[0],
        Command::Subscribe {
            subject: "_INBOX.N.1".into()
        }
    );
    let Command::CreateConsumer {
        serial,
        subject,
        body,
    } = &cmds[1]
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(*serial, 1);
    assert_eq!(subject, "$JS.API.CONSUMER.CREATE.KV_b.oc_N_1.$KV.b.>");
    assert_eq!(
        body,
        r#"{"stream_name":"KV_b","config":{"name":"oc_N_1","deliver_subject":"_INBOX.N.1","deliver_policy":"last_per_subject","ack_policy":"none","max_deliver":1,"filter_subject":"$KV.b.>","replay_policy":"instant","flow_control":true,"idle_heartbeat":5000000000,"inactive_threshold":300000000000,"headers_only":false,"num_replicas":1,"mem_storage":true}}"#
    );
    assert_eq!(c.deliver_subject(), Some("_INBOX.N.1"));
    assert_eq!(c.consumer_name(), Some("oc_N_1"));
    assert!(!c.is_started());
    assert_eq!(
        c.poll_timeout(),
        None,
        "no heartbeat supervision before the create reply"
    );
    assert!(c.start(Mono(0.0)).is_empty(), "start twice does nothing");
}

#[test]
fn config_variants() {
    let mut cfg = OrderedConfig::new(
        "KV_b",
        vec!["$KV.b.a".into(), "$KV.b.c.>".into()],
        DeliverPolicy::All,
    );
    cfg.headers_only = true;
    let req = cfg.create_request(
        &JsApi::default(),
        "oc_1",
        "_INBOX.1",
        DeliverPolicy::ByStartSequence(9),
    );
    assert_eq!(req.subject, "$JS.API.CONSUMER.CREATE.KV_b");
    let body = Json::parse(&req.body).unwrap();
    let c = body.get("config").unwrap();
    assert_eq!(c.get("filter_subject"), None);
    assert_eq!(
        c.get("filter_subjects"),
        Some(&Json::Arr(vec![
            Json::Str("$KV.b.a".into()),
            Json::Str("$KV.b.c.>".into())
        ]))
    );
    assert_eq!(c.get("headers_only"), Some(&Json::Bool(true)));
    assert_eq!(policy_of(&body), ("by_start_sequence".into(), Some(9)));
    let one = OrderedConfig::new("KV_b", vec!["$KV.b.a.b".into()], DeliverPolicy::New);
    let req = one.create_request(
        &JsApi::new(None, Some("hub")).unwrap(),
        "oc_1",
        "_INBOX.1",
        DeliverPolicy::New,
    );
    assert_eq!(
        req.subject,
        "$JS.hub.API.CONSUMER.CREATE.KV_b.oc_1.$KV.b.a.b"
    );
    let none = OrderedConfig::new("S", vec![], DeliverPolicy::Last);
    let req = none.create_request(&JsApi::default(), "oc_1", "_INBOX.1", DeliverPolicy::Last);
    assert_eq!(req.subject, "$JS.API.CONSUMER.CREATE.S.oc_1");
    let body = Json::parse(&req.body).unwrap();
    assert_eq!(body.get("config").unwrap().get("filter_subject"), None);
    assert_eq!(policy_of(&body).0, "last");
}

#[test]
fn in_order_delivery_and_caught_up() {
    let mut c = started(DeliverPolicy::LastPerSubject, 3);
    assert_eq!(c.poll_timeout(), Some(Mono(10_000.0)));
    let mut got = Vec::new();
    for (sseq, dseq, pending) in [(2, 1, 2), (5, 2, 1), (9, 3, 0), (10, 4, 0)] {
        got.extend(delivered(&c.on_message(
            "_INBOX.N.1",
            data("oc_N_1", sseq, dseq, pending),
            Mono(1.0),
        )));
    }
    assert_eq!(got, [(2, false), (5, false), (9, true), (10, true)]);
    assert_eq!(c.last_stream_seq(), 10);
}

#[test]
fn caught_up_by_count_when_pending_is_wrong() {
    // nats.go#1447: a wrong pending count must not block initialization.
    let mut c = started(DeliverPolicy::All, 2);
    let a = delivered(&c.on_message("_INBOX.N.1", data("oc_N_1", 1, 1, 5), Mono(1.0)));
    let b = delivered(&c.on_message("_INBOX.N.1", data("oc_N_1", 2, 2, 4), Mono(1.0)));
    assert_eq!((a, b), (vec![(1, false)], vec![(2, true)]));
}

#[test]
fn created_reports_caught_up() {
    let mut c = consumer(DeliverPolicy::LastPerSubject);
    c.start(Mono(0.0));
    let outs = c.on_create_reply(1, created("oc_N_1", 0, 0), Mono(0.0));
    assert!(matches!(
        outs[0],
        Output::Created {
            caught_up: true,
            ..
        }
    ));
    // Deliveries that arrived before the create reply count.
    let mut c = consumer(DeliverPolicy::LastPerSubject);
    c.start(Mono(0.0));
    let early = c.on_message("_INBOX.N.1", data("oc_N_1", 4, 1, 1), Mono(0.0));
    assert_eq!(delivered(&early), [(4, false)]);
    let outs = c.on_create_reply(1, created("oc_N_1", 1, 0), Mono(0.0));
    assert!(
        matches!(
            outs[0],
            Output::Created {
                caught_up: true,
                ..
            }
        ),
        "{outs:?}"
    );
}

#[test]
fn gap_resets_from_last_plus_one_without_duplicates() {
    let mut c = started(DeliverPolicy::LastPerSubject, 5);
    assert_eq!(
        delivered(&c.on_message("_INBOX.N.1", data("oc_N_1", 5, 1, 4), Mono(1.0))),
        [(5, false)]
    );
    // Consumer sequence 3 after 1: a message was lost.
    let outs = c.on_message("_INBOX.N.1", data("oc_N_1", 8, 3, 2), Mono(2.0));
    assert!(delivered(&outs).is_empty());
    let cmds = commands(&outs);
    assert_eq!(
        cmds[0],
        Command::Unsubscribe {
            subject: "_INBOX.N.1".into()
        }
    );
    assert_eq!(
        cmds[1],
        Command::DeleteConsumer {
            subject: "$JS.API.CONSUMER.DELETE.KV_b.oc_N_1".into()
        }
    );
    assert_eq!(
        cmds[2],
        Command::Subscribe {
            subject: "_INBOX.N.2".into()
        }
    );
    let (serial, subject, body) = create_body(&outs).unwrap();
    assert_eq!(
        (serial, subject.as_str()),
        (2, "$JS.API.CONSUMER.CREATE.KV_b.oc_N_2.$KV.b.>")
    );
    assert_eq!(policy_of(&body), ("by_start_sequence".into(), Some(6)));
    let cfg = body.get("config").unwrap();
    assert_eq!(
        cfg.get("deliver_subject").unwrap().as_str(),
        Some("_INBOX.N.2")
    );
    // Late messages of the old consumer are ignored, as is a stale create reply.
    assert!(c
        .on_message("_INBOX.N.1", data("oc_N_1", 9, 4, 1), Mono(3.0))
        .is_empty());
    assert!(c
        .on_create_reply(1, created("oc_N_1", 5, 0), Mono(3.0))
        .is_empty());
    // The new consumer starts at 6; a replayed 5 (never expected) would be dropped.
    let outs = c.on_message("_INBOX.N.2", data("oc_N_2", 5, 1, 3), Mono(4.0));
    assert!(delivered(&outs).is_empty());
    let outs = c.on_message("_INBOX.N.2", data("oc_N_2", 6, 2, 2), Mono(4.0));
    assert_eq!(delivered(&outs), [(6, false)]);
    c.on_create_reply(2, created("oc_N_2", 3, 5), Mono(4.0));
    assert_eq!(
        delivered(&c.on_message("_INBOX.N.2", data("oc_N_2", 8, 3, 0), Mono(5.0))),
        [(8, true)]
    );
}

#[test]
fn flow_control_is_answered() {
    let mut c = started(DeliverPolicy::All, 0);
    let fc = msg(
        "_INBOX.N.1",
        Some("$JS.FC.KV_b.oc_N_1.x1y2"),
        Some("NATS/1.0 100 FlowControl Request\r\n\r\n"),
        b"",
    );
    let outs = c.on_message("_INBOX.N.1", fc, Mono(1.0));
    assert_eq!(
        commands(&outs),
        [Command::PublishEmpty {
            subject: "$JS.FC.KV_b.oc_N_1.x1y2".into()
        }]
    );
    // On a stale subject: ignored.
    let stale = msg(
        "_INBOX.N.0",
        Some("$JS.FC.x"),
        Some("NATS/1.0 100 FlowControl Request\r\n\r\n"),
        b"",
    );
    assert!(c.on_message("_INBOX.N.0", stale, Mono(1.0)).is_empty());
}

#[test]
fn paused_holds_flow_control_until_resumed() {
    let fc = |id: &str| {
        msg(
            "_INBOX.N.1",
            Some(&format!("$JS.FC.KV_b.oc_N_1.{id}")),
            Some("NATS/1.0 100 FlowControl Request\r\n\r\n"),
            b"",
        )
    };
    let mut c = started(DeliverPolicy::All, 0);
    assert!(c.set_paused(true).is_empty());
    assert!(c.on_message("_INBOX.N.1", fc("a"), Mono(1.0)).is_empty());
    // Data still flows in (what the server sent before it stopped) and is delivered.
    assert_eq!(
        delivered(&c.on_message("_INBOX.N.1", data("oc_N_1", 1, 1, 0), Mono(1.0))),
        [(1, true)]
    );
    // A stalled nudge while paused replaces the held reply; resuming answers exactly one.
    let stalled = heartbeat("_INBOX.N.1", 1, Some("$JS.FC.KV_b.oc_N_1.b"));
    assert!(c.on_message("_INBOX.N.1", stalled, Mono(2.0)).is_empty());
    assert_eq!(
        commands(&c.set_paused(false)),
        [Command::PublishEmpty {
            subject: "$JS.FC.KV_b.oc_N_1.b".into()
        }]
    );
    assert!(c.set_paused(false).is_empty());
    // Resumed: answered at once again.
    assert_eq!(
        commands(&c.on_message("_INBOX.N.1", fc("c"), Mono(3.0))).len(),
        1
    );
    // A reset while paused forgets the old consumer's request.
    c.set_paused(true);
    c.on_message("_INBOX.N.1", fc("d"), Mono(4.0));
    c.on_message("_INBOX.N.1", heartbeat("_INBOX.N.1", 5, None), Mono(4.0));
    assert!(commands(&c.set_paused(false))
        .iter()
        .all(|cmd| !matches!(cmd, Command::PublishEmpty { .. })));
}

#[test]
fn heartbeats_stalled_and_gap_check() {
    let mut c = started(DeliverPolicy::All, 2);
    c.on_message("_INBOX.N.1", data("oc_N_1", 1, 1, 1), Mono(1.0));
    c.on_message("_INBOX.N.1", data("oc_N_1", 2, 2, 0), Mono(1.0));
    // In step: the server is idle, nothing to do but say so.
    assert!(matches!(
        c.on_message("_INBOX.N.1", heartbeat("_INBOX.N.1", 2, None), Mono(2.0))
            .as_slice(),
        [Output::Idle]
    ));
    let outs = c.on_message(
        "_INBOX.N.1",
        heartbeat("_INBOX.N.1", 2, Some("$JS.FC.KV_b.oc_N_1.st")),
        Mono(3.0),
    );
    assert_eq!(
        commands(&outs),
        [Command::PublishEmpty {
            subject: "$JS.FC.KV_b.oc_N_1.st".into()
        }]
    );
    // The server delivered 3 but we saw 2: reset from stream seq 3.
    let outs = c.on_message("_INBOX.N.1", heartbeat("_INBOX.N.1", 3, None), Mono(4.0));
    let (serial, _, body) = create_body(&outs).unwrap();
    assert_eq!(serial, 2);
    assert_eq!(policy_of(&body), ("by_start_sequence".into(), Some(3)));
    // Heartbeats without the header do not reset.
    let mut c = started(DeliverPolicy::All, 0);
    assert!(c
        .on_message(
            "_INBOX.N.1",
            msg(
                "_INBOX.N.1",
                None,
                Some("NATS/1.0 100 Idle Heartbeat\r\n\r\n"),
                b""
            ),
            Mono(1.0)
        )
        .is_empty());
}

#[test]
fn missed_heartbeats_reset() {
    let mut c = started(DeliverPolicy::All, 0);
    assert_eq!(c.poll_timeout(), Some(Mono(10_000.0)));
    assert!(c.handle_timeout(Mono(9_999.0)).is_empty());
    c.on_message(
        "_INBOX.N.1",
        heartbeat("_INBOX.N.1", 0, None),
        Mono(5_000.0),
    );
    assert_eq!(c.poll_timeout(), Some(Mono(15_000.0)));
    assert!(c.handle_timeout(Mono(14_000.0)).is_empty());
    let outs = c.handle_timeout(Mono(15_000.0));
    let (serial, _, body) = create_body(&outs).unwrap();
    assert_eq!(serial, 2);
    // Nothing was delivered: the original policy again.
    assert_eq!(policy_of(&body), ("all".into(), None));
    assert_eq!(
        c.poll_timeout(),
        None,
        "supervision waits for the new create reply"
    );
}

#[test]
fn consumer_deleted_resets() {
    let mut c = started(DeliverPolicy::LastPerSubject, 1);
    c.on_message("_INBOX.N.1", data("oc_N_1", 7, 1, 0), Mono(1.0));
    let outs = c.on_message(
        "_INBOX.N.1",
        msg(
            "_INBOX.N.1",
            None,
            Some("NATS/1.0 409 Consumer Deleted\r\n\r\n"),
            b"",
        ),
        Mono(2.0),
    );
    let (_, _, body) = create_body(&outs).unwrap();
    assert_eq!(policy_of(&body), ("by_start_sequence".into(), Some(8)));
    // Other status messages and deliveries without an ACK subject are ignored.
    let mut c = started(DeliverPolicy::All, 1);
    assert!(c
        .on_message(
            "_INBOX.N.1",
            msg(
                "_INBOX.N.1",
                None,
                Some("NATS/1.0 404 No Messages\r\n\r\n"),
                b""
            ),
            Mono(1.0)
        )
        .is_empty());
    assert!(c
        .on_message("_INBOX.N.1", msg("_INBOX.N.1", None, None, b"x"), Mono(1.0))
        .is_empty());
    assert!(c
        .on_message(
            "_INBOX.N.1",
            msg("_INBOX.N.1", Some("_INBOX.reply"), None, b"x"),
            Mono(1.0)
        )
        .is_empty());
    assert_eq!(
        delivered(&c.on_message("_INBOX.N.1", data("oc_N_1", 1, 1, 0), Mono(1.0))),
        [(1, true)]
    );
}

#[test]
fn new_policy_reset_keeps_its_start() {
    let mut c = consumer(DeliverPolicy::New);
    c.start(Mono(0.0));
    c.on_create_reply(1, created("oc_N_1", 0, 41), Mono(0.0));
    let outs = c.handle_timeout(Mono(10_000.0));
    let (_, _, body) = create_body(&outs).unwrap();
    assert_eq!(policy_of(&body), ("by_start_sequence".into(), Some(42)));
    // Without a create reply there is no known start: "new" again.
    let mut c = consumer(DeliverPolicy::New);
    c.start(Mono(0.0));
    let outs = c.on_message(
        "_INBOX.N.1",
        msg(
            "_INBOX.N.1",
            None,
            Some("NATS/1.0 409 Consumer Deleted\r\n\r\n"),
            b"",
        ),
        Mono(0.0),
    );
    let (_, _, body) = create_body(&outs).unwrap();
    assert_eq!(policy_of(&body), ("new".into(), None));
}

#[test]
fn create_failures() {
    // The first create failing is final (watch() rejects).
    let mut c = consumer(DeliverPolicy::All);
    c.start(Mono(0.0));
    let e = r#"{"error":{"code":404,"err_code":10059,"description":"stream not found"}}"#;
    let outs = c.on_create_reply(1, reply(e), Mono(0.0));
    assert_eq!(
        commands(&outs),
        [
            Command::Unsubscribe {
                subject: "_INBOX.N.1".into()
            },
            Command::DeleteConsumer {
                subject: "$JS.API.CONSUMER.DELETE.KV_b.oc_N_1".into()
            },
        ]
    );
    let Some(Output::Failed(err)) = outs.last() else {
        panic!("{outs:?}")
    };
    assert_eq!(err.err_code, Some(10059));
    assert!(c.is_stopped());
    assert!(c
        .on_message("_INBOX.N.1", data("oc_N_1", 1, 1, 0), Mono(0.0))
        .is_empty());
    assert_eq!(c.poll_timeout(), None);

    // A create request the client refused (e.g. a filter too long for the control line) never reached
    // the server: nothing to delete.
    let mut c = consumer(DeliverPolicy::All);
    c.start(Mono(0.0));
    let refused = NatsError::new(ErrorCode::InvalidSubject, "subject too long");
    let outs = c.on_create_reply(1, Err(refused), Mono(0.0));
    assert_eq!(
        commands(&outs),
        [Command::Unsubscribe {
            subject: "_INBOX.N.1".into()
        }]
    );
    assert!(matches!(outs.last(), Some(Output::Failed(e)) if e.code == ErrorCode::InvalidSubject));
    assert!(c.is_stopped());
    // A timeout may have created it: deleted.
    let mut c = consumer(DeliverPolicy::All);
    c.start(Mono(0.0));
    let outs = c.on_create_reply(1, Err(NatsError::timeout("request timed out")), Mono(0.0));
    assert!(commands(&outs).contains(&Command::DeleteConsumer {
        subject: "$JS.API.CONSUMER.DELETE.KV_b.oc_N_1".into()
    }));

    // After a start, transient failures retry with backoff.
    let mut c = started(DeliverPolicy::All, 0);
    c.handle_timeout(Mono(10_000.0));
    let outs = c.on_create_reply(
        2,
        Err(NatsError::timeout("request timed out")),
        Mono(15_000.0),
    );
    assert!(outs.is_empty());
    assert_eq!(c.poll_timeout(), Some(Mono(15_250.0)));
    let outs = c.handle_timeout(Mono(15_250.0));
    assert_eq!(create_body(&outs).unwrap().0, 3);
    let race =
        r#"{"error":{"code":400,"err_code":10013,"description":"consumer name already in use"}}"#;
    assert!(c.on_create_reply(3, reply(race), Mono(16_000.0)).is_empty());
    assert_eq!(c.poll_timeout(), Some(Mono(16_500.0)));
    // A delivery on the current subject shows the consumer exists: no retry.
    c.handle_timeout(Mono(16_500.0));
    c.on_message("_INBOX.N.4", data("oc_N_4", 1, 1, 0), Mono(16_600.0));
    assert_eq!(c.poll_timeout(), Some(Mono(26_600.0)));
    // A non-transient failure after start is final too.
    c.handle_timeout(Mono(26_600.0));
    let outs = c.on_create_reply(
        5,
        Err(NatsError::connection_closed("closed")),
        Mono(27_000.0),
    );
    assert!(
        matches!(outs.last(), Some(Output::Failed(e)) if e.code == ErrorCode::ConnectionClosed)
    );
}

#[test]
fn transient_classification_and_backoff() {
    let api = |code, err: Option<u32>| {
        crate::jetstream::error::api_error(code, err, "x", Default::default())
    };
    assert!(is_transient(&NatsError::timeout("t")));
    assert!(is_transient(&NatsError::new(
        ErrorCode::JetStreamNotEnabled,
        "x"
    )));
    assert!(is_transient(&api(503, Some(10008))));
    assert!(is_transient(&api(400, Some(10148))));
    assert!(is_transient(&api(400, Some(10105))));
    assert!(!is_transient(&api(400, Some(10136))));
    assert!(!is_transient(&NatsError::new(
        ErrorCode::BucketNotFound,
        "x"
    )));
    assert!(!is_transient(&NatsError::new(
        ErrorCode::PermissionsViolation,
        "x"
    )));
    let delays: Vec<f64> = (1..=8).map(retry_delay_ms).collect();
    assert_eq!(
        delays,
        [250.0, 500.0, 1000.0, 2000.0, 4000.0, 5000.0, 5000.0, 5000.0]
    );
    assert_eq!(retry_delay_ms(u32::MAX), 5000.0);
}

#[test]
fn reconnect_disconnect_and_stop() {
    let mut c = started(DeliverPolicy::LastPerSubject, 2);
    c.on_message("_INBOX.N.1", data("oc_N_1", 3, 1, 1), Mono(1.0));
    c.on_disconnect();
    assert_eq!(c.poll_timeout(), None);
    let outs = c.on_reconnect(Mono(60_000.0));
    let (serial, _, body) = create_body(&outs).unwrap();
    assert_eq!(serial, 2);
    assert_eq!(policy_of(&body), ("by_start_sequence".into(), Some(4)));
    // The name the server reports is the one deleted later.
    c.on_create_reply(2, created("server_named", 1, 3), Mono(60_001.0));
    assert_eq!(c.consumer_name(), Some("server_named"));
    let outs = c.stop();
    assert_eq!(
        commands(&outs),
        [
            Command::Unsubscribe {
                subject: "_INBOX.N.2".into()
            },
            Command::DeleteConsumer {
                subject: "$JS.API.CONSUMER.DELETE.KV_b.server_named".into()
            },
        ]
    );
    assert!(c.is_stopped());
    assert!(c.stop().is_empty());
    assert!(c.on_reconnect(Mono(70_000.0)).is_empty());
    assert!(c.handle_timeout(Mono(1e12)).is_empty());
    // Before the first create reply, a reconnect leaves the pending create alone.
    let mut c = consumer(DeliverPolicy::All);
    c.start(Mono(0.0));
    assert!(c.on_reconnect(Mono(1.0)).is_empty());
}

#[test]
fn hostile_input_does_not_panic() {
    let mut c = started(DeliverPolicy::All, u64::MAX);
    let max = u64::MAX;
    let huge = format!("$JS.ACK.KV_b.oc_N_1.{max}.{max}.1.{max}.{max}");
    let outs = c.on_message(
        "_INBOX.N.1",
        msg("$KV.b.k", Some(&huge), None, b""),
        Mono(1.0),
    );
    // (num_pending u64::MAX does not fit a JSON integer we keep: it reads as 0, so caught up.)
    assert_eq!(delivered(&outs), [(max, true)]);
    // Consumer sequence u64::MAX: a gap, and the reset starts at u64::MAX (saturated).
    let huge = format!("$JS.ACK.KV_b.oc_N_1.1.{max}.{max}.1.0");
    let outs = c.on_message(
        "_INBOX.N.1",
        msg("$KV.b.k", Some(&huge), None, b""),
        Mono(2.0),
    );
    let (_, _, body) = create_body(&outs).unwrap();
    assert_eq!(
        policy_of(&body),
        ("by_start_sequence".into(), Some(i64::MAX))
    );
    for h in [
        "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: -1\r\n\r\n",
        "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 99999999999999999999999\r\n\r\n",
        "NATS/1.0 100 Idle Heartbeat\r\nNats-Consumer-Stalled:\r\n\r\n",
        "NATS/1.0 999 Whatever\r\n\r\n",
    ] {
        let _ = c.on_message(
            "_INBOX.N.2",
            msg("_INBOX.N.2", None, Some(h), b""),
            Mono(3.0),
        );
    }
    for r in [
        "",
        "{}",
        "null",
        r#"{"name":1}"#,
        r#"{"error":"x"}"#,
        r#"{"error":{"code":-1}}"#,
    ] {
        let mut c = consumer(DeliverPolicy::All);
        c.start(Mono(0.0));
        let outs = c.on_create_reply(1, reply(r), Mono(0.0));
        assert!(
            matches!(outs.last(), Some(Output::Failed(_))),
            "{r:?}: {outs:?}"
        );
    }
}
