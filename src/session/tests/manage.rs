//! The JetStream manager and `js.publish()` against the scripted server: update's read-merge-send,
//! list paging with a filter, find, getMessage misses, publish's expectations and its retries.

use super::server::{api_error, header, js, pub_ack};
use super::{slot, take, waiting, H};
use crate::error::ErrorCode;
use crate::jetstream::publish::PublishOptions;

#[test]
fn stream_update_reads_merges_and_sends_the_whole_config() {
    let mut h = H::connected();
    let js = js(&h);
    let (got, done) = slot();
    js.stream_update("S".into(), r#"{"description":"d"}"#, done);
    let info = h.request_to("$JS.API.STREAM.INFO.S");
    h.respond(
        &info,
        r#"{"config":{"name":"S","subjects":["a"],"future_field":{"x":1}},"state":{}}"#,
    );
    let update = h.request_to("$JS.API.STREAM.UPDATE.S");
    assert_eq!(
        update.payload(),
        r#"{"name":"S","subjects":["a"],"future_field":{"x":1},"description":"d"}"#
    );
    h.respond(&update, r#"{"config":{"name":"S"},"state":{}}"#);
    assert!(take(&got).is_ok());
}

#[test]
fn stream_update_of_a_missing_stream_sends_no_update() {
    let mut h = H::connected();
    let js = js(&h);
    let (got, done) = slot();
    js.stream_update("S".into(), "{}", done);
    let info = h.request_to("$JS.API.STREAM.INFO.S");
    h.respond(&info, &api_error(404, 10059, "stream not found"));
    assert_eq!(take(&got).unwrap_err().code, ErrorCode::StreamNotFound);
    assert!(h.pubs().is_empty());
}

#[test]
fn names_page_with_the_subject_filter_and_find_takes_the_first() {
    let mut h = H::connected();
    let js = js(&h);
    let (got, done) = slot();
    js.stream_names(Some("a.>".into()), done);
    let p1 = h.request_to("$JS.API.STREAM.NAMES");
    assert_eq!(p1.payload(), r#"{"offset":0,"subject":"a.>"}"#);
    h.respond(
        &p1,
        r#"{"total":3,"offset":0,"limit":2,"streams":["A","B"]}"#,
    );
    assert!(waiting(&got));
    let p2 = h.request_to("$JS.API.STREAM.NAMES");
    assert_eq!(p2.payload(), r#"{"offset":2,"subject":"a.>"}"#);
    h.respond(&p2, r#"{"total":3,"offset":2,"limit":2,"streams":["C"]}"#);
    assert_eq!(take(&got).unwrap().len(), 3);

    let (found, done) = slot();
    js.stream_find("x.y".into(), done);
    let req = h.request_to("$JS.API.STREAM.NAMES");
    h.respond(
        &req,
        r#"{"total":0,"offset":0,"limit":1024,"streams":null}"#,
    );
    assert_eq!(take(&found).unwrap_err().code, ErrorCode::StreamNotFound);
}

#[test]
fn consumer_add_names_the_filter_in_the_subject_and_defaults_to_explicit_acks() {
    let mut h = H::connected();
    let js = js(&h);
    let (_got, done) = slot();
    js.consumer_add(
        "S",
        r#"{"durable_name":"d","filter_subject":"a.*"}"#,
        Some("create"),
        done,
    );
    let req = h.request_to("$JS.API.CONSUMER.CREATE.S.d.a.*");
    assert_eq!(
        req.payload(),
        r#"{"stream_name":"S","config":{"durable_name":"d","filter_subject":"a.*","ack_policy":"explicit"},"action":"create"}"#
    );
    // Several filters (or no name): the legacy subject, and addOrUpdate sends no action.
    let (_got, done) = slot();
    js.consumer_add(
        "S",
        r#"{"name":"m","filter_subjects":["a","b"]}"#,
        None,
        done,
    );
    let req = h.request_to("$JS.API.CONSUMER.CREATE.S");
    assert!(!req.payload().contains("action"), "{}", req.payload());
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let mut h = H::connected();
    let js = js(&h);
    for (cfg, code) in [
        (r#"{"name":"a.b"}"#, ErrorCode::InvalidArgument),
        (r#"{"name":"ok","nope":1}"#, ErrorCode::InvalidArgument),
        (
            r#"{"name":"ok","storage":"disk"}"#,
            ErrorCode::InvalidArgument,
        ),
        (
            r#"{"name":"ok","subjects":["a b"]}"#,
            ErrorCode::InvalidSubject,
        ),
        (
            r#"{"name":"ok","mirror":{"name":"x","nope":1}}"#,
            ErrorCode::InvalidArgument,
        ),
        ("[]", ErrorCode::InvalidArgument),
    ] {
        let (got, done) = slot();
        js.stream_add(cfg, done);
        assert_eq!(take(&got).unwrap_err().code, code, "{cfg}");
    }
    let (got, done) = slot();
    js.stream_purge("S", r#"{"seq":2,"keep":1}"#, done);
    assert_eq!(take(&got).unwrap_err().code, ErrorCode::InvalidArgument);
    let (got, done) = slot();
    js.consumer_add(
        "S",
        r#"{"durable_name":"d","deliver_subject":"x","deliver_group":"g","flow_control":true}"#,
        None,
        done,
    );
    assert_eq!(take(&got).unwrap_err().code, ErrorCode::InvalidArgument);
    let (got, done) = slot();
    js.msg_delete("S", 1.5, true, done);
    assert_eq!(take(&got).unwrap_err().code, ErrorCode::InvalidArgument);
    assert!(h.pubs().is_empty());
}

#[test]
fn a_source_domain_becomes_its_external_api() {
    let mut h = H::connected();
    let js = js(&h);
    let (_got, done) = slot();
    js.stream_add(
        r#"{"name":"S","sources":[{"name":"O","domain":"hub"}]}"#,
        done,
    );
    let req = h.request_to("$JS.API.STREAM.CREATE.S");
    assert_eq!(
        req.payload(),
        r#"{"name":"S","sources":[{"name":"O","external":{"api":"$JS.hub.API"}}]}"#
    );
}

#[test]
fn get_message_of_nothing_is_none_and_delete_of_nothing_is_message_not_found() {
    let mut h = H::connected();
    let js = js(&h);
    let (got, done) = slot();
    js.msg_get("S", r#"{"last_by_subj":"a"}"#, done);
    let req = h.request_to("$JS.API.STREAM.MSG.GET.S");
    h.respond(&req, &api_error(404, 10037, "no message found"));
    assert_eq!(take(&got).unwrap(), None);
    let (got, done) = slot();
    js.msg_delete("S", 3.0, false, done);
    let req = h.request_to("$JS.API.STREAM.MSG.DELETE.S");
    assert_eq!(req.payload(), r#"{"seq":3,"no_erase":true}"#);
    h.respond(&req, &api_error(400, 10057, "no message found"));
    assert_eq!(take(&got).unwrap_err().code, ErrorCode::MessageNotFound);
}

#[test]
fn publish_sends_the_expectation_headers_and_maps_their_errors() {
    let mut h = H::connected();
    let js = js(&h);
    let opts = PublishOptions::parse(
        r#"{"msgID":"m1","expect":{"lastSequence":0,"streamName":"S","lastSubjectSequence":4},"ttl":"5s"}"#,
        None,
    )
    .unwrap();
    let (got, done) = slot();
    js.publish("o.a".into(), b"x".to_vec(), opts, done);
    let req = h.one_pub();
    assert_eq!(header(&req, "Nats-Msg-Id"), Some("m1"));
    assert_eq!(header(&req, "Nats-Expected-Last-Sequence"), Some("0"));
    assert_eq!(header(&req, "Nats-Expected-Stream"), Some("S"));
    assert_eq!(
        header(&req, "Nats-Expected-Last-Subject-Sequence"),
        Some("4")
    );
    assert_eq!(header(&req, "Nats-TTL"), Some("5s"));
    h.respond(&req, &api_error(400, 10071, "wrong last sequence: 3"));
    assert_eq!(take(&got).unwrap_err().code, ErrorCode::WrongLastSequence);
    for bad in [
        r#"{"retries":0}"#,
        r#"{"ttl":"1ms"}"#,
        r#"{"expect":{"nope":1}}"#,
        r#"{"msgID":""}"#,
        r#"{"timeout":0}"#,
    ] {
        assert_eq!(
            PublishOptions::parse(bad, None).unwrap_err().code,
            ErrorCode::InvalidArgument,
            "{bad}"
        );
    }
}

#[test]
fn publish_retries_no_responders_with_backoff_until_its_attempts_are_spent() {
    let mut h = H::connected();
    let js = js(&h);
    let opts = PublishOptions::parse(r#"{"retries":3}"#, None).unwrap();
    let (got, done) = slot();
    js.publish("o.a".into(), b"x".to_vec(), opts, done);
    let first = h.one_pub();
    h.respond_status(&first, "503");
    // The first retry goes at once (backoff 0), after the current turn.
    h.advance(0.0);
    let second = h.one_pub();
    h.respond_status(&second, "503");
    assert!(h.pubs().is_empty(), "the third waits 250 ms");
    h.advance(249.0);
    assert!(h.pubs().is_empty());
    h.advance(1.0);
    let third = h.one_pub();
    h.respond(&third, &pub_ack(9));
    assert_eq!(take(&got).unwrap().seq, 9);

    // Attempts spent: the last error is the result.
    let opts = PublishOptions::parse("{}", None).unwrap();
    let (got, done) = slot();
    js.publish("o.a".into(), b"x".to_vec(), opts, done);
    let only = h.one_pub();
    h.respond_status(&only, "503");
    assert_eq!(take(&got).unwrap_err().code, ErrorCode::NoResponders);
}
