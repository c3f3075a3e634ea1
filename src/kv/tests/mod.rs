//! Native tests of the KV core, with replies in the real server's formats.

mod bucket;
mod collect;
mod options;
mod validate;
mod watch;

use crate::jetstream::JsApi;
use crate::kv::Bucket;

pub(crate) use crate::jetstream::tests::{msg, reply};

/// Bucket `b` on `$JS.API`.
pub(crate) fn bucket() -> Bucket {
    Bucket::new("b", JsApi::default()).unwrap()
}

/// A StreamInfo reply of `KV_b` as nats-server 2.11 sends it, with `config` members replaced/added.
pub(crate) fn stream_info_json(extra_config: &str) -> String {
    let base = r#""name":"KV_b","subjects":["$KV.b.>"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":1,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":true,"deny_purge":false,"allow_rollup_hdrs":true,"consumer_limits":{},"metadata":{"_nats.level":"0","_nats.req.level":"0","_nats.ver":"2.11.4"}"#;
    // Later duplicate members are ignored by `Json::get` (first wins), so put overrides first.
    let config = if extra_config.is_empty() {
        base.to_owned()
    } else {
        format!("{extra_config},{base}")
    };
    format!(
        r#"{{"type":"io.nats.jetstream.api.v1.stream_info_response","total":0,"offset":0,"limit":0,"config":{{{config}}},"created":"2025-03-20T10:11:12.123456789Z","state":{{"messages":7,"bytes":512,"first_seq":1,"first_ts":"2025-03-20T10:11:13.1Z","last_seq":9,"last_ts":"2025-03-20T10:11:14.1Z","num_subjects":3,"consumer_count":1}},"cluster":{{"leader":"NCXYZ"}},"ts":"2025-03-20T10:11:15Z"}}"#
    )
}
