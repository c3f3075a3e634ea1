use super::stream_info_json;
use crate::error::ErrorCode;
use crate::jetstream::error::ErrorContext;
use crate::jetstream::{JsApi, StreamInfo};
use crate::kv::{KvOptions, KvSource, Placement, Republish, Storage};
use crate::proto::json::Json;

fn config(o: &KvOptions) -> Json {
    o.stream_config("b").unwrap()
}

fn get<'a>(j: &'a Json, k: &str) -> Option<&'a Json> {
    j.get(k)
}

#[test]
fn default_config_is_adr8() {
    let j = KvOptions::default()
        .stream_config("b")
        .unwrap()
        .to_json_string();
    assert_eq!(
        j,
        r#"{"name":"KV_b","subjects":["$KV.b.>"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":1,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_rollup_hdrs":true,"deny_delete":true,"allow_direct":true}"#
    );
    let r = KvOptions::default()
        .create_request(&JsApi::default(), "b")
        .unwrap();
    assert_eq!(r.subject, "$JS.API.STREAM.CREATE.KV_b");
    assert_eq!(r.body, j);
    assert_eq!(KvOptions::default().required_api_level(), 0);
}

#[test]
fn ttl_history_limits() {
    let o = KvOptions {
        ttl: Some(30_000),
        history: Some(5),
        ..Default::default()
    };
    let j = config(&o);
    assert_eq!(get(&j, "max_age"), Some(&Json::Int(30_000_000_000)));
    assert_eq!(
        get(&j, "duplicate_window"),
        Some(&Json::Int(30_000_000_000))
    );
    assert_eq!(get(&j, "max_msgs_per_subject"), Some(&Json::Int(5)));
    let j = config(&KvOptions {
        ttl: Some(3_600_000),
        ..Default::default()
    });
    assert_eq!(get(&j, "max_age"), Some(&Json::Int(3_600_000_000_000)));
    assert_eq!(
        get(&j, "duplicate_window"),
        Some(&Json::Int(120_000_000_000))
    );
    let j = config(&KvOptions {
        max_bytes: Some(1024),
        max_value_size: Some(100),
        storage: Some(Storage::Memory),
        replicas: Some(3),
        history: Some(64),
        ..Default::default()
    });
    assert_eq!(get(&j, "max_bytes"), Some(&Json::Int(1024)));
    assert_eq!(get(&j, "max_msg_size"), Some(&Json::Int(100)));
    assert_eq!(get(&j, "storage").and_then(Json::as_str), Some("memory"));
    assert_eq!(get(&j, "num_replicas"), Some(&Json::Int(3)));
    assert_eq!(get(&j, "max_msgs_per_subject"), Some(&Json::Int(64)));
    // 0 reads as "no limit"/default, as nats.go.
    let j = config(&KvOptions {
        max_bytes: Some(0),
        max_value_size: Some(0),
        replicas: Some(0),
        ..Default::default()
    });
    assert_eq!(get(&j, "max_bytes"), Some(&Json::Int(-1)));
    assert_eq!(get(&j, "max_msg_size"), Some(&Json::Int(-1)));
    assert_eq!(get(&j, "num_replicas"), Some(&Json::Int(1)));
}

#[test]
fn invalid_options() {
    let cases = [
        KvOptions {
            history: Some(0),
            ..Default::default()
        },
        KvOptions {
            history: Some(65),
            ..Default::default()
        },
        KvOptions {
            history: Some(-1),
            ..Default::default()
        },
        KvOptions {
            ttl: Some(-5),
            ..Default::default()
        },
        KvOptions {
            ttl: Some(i64::MAX),
            ..Default::default()
        },
        KvOptions {
            max_bytes: Some(-2),
            ..Default::default()
        },
        KvOptions {
            max_value_size: Some(i64::from(i32::MAX) + 1),
            ..Default::default()
        },
        KvOptions {
            replicas: Some(6),
            ..Default::default()
        },
        KvOptions {
            replicas: Some(-1),
            ..Default::default()
        },
        KvOptions {
            marker_ttl: Some(999),
            ..Default::default()
        },
        KvOptions {
            marker_ttl: Some(-1000),
            ..Default::default()
        },
        KvOptions {
            mirror: Some(KvSource {
                name: "a".into(),
                domain: None,
            }),
            sources: vec![KvSource {
                name: "c".into(),
                domain: None,
            }],
            ..Default::default()
        },
        KvOptions {
            mirror: Some(KvSource {
                name: "a.b".into(),
                domain: None,
            }),
            ..Default::default()
        },
        KvOptions {
            mirror: Some(KvSource {
                name: "a".into(),
                domain: Some("x y".into()),
            }),
            ..Default::default()
        },
        KvOptions {
            republish: Some(Republish {
                src: ">".into(),
                dest: "out.*".into(),
                headers_only: false,
            }),
            ..Default::default()
        },
        KvOptions {
            metadata: Some(vec![(String::new(), "v".into())]),
            ..Default::default()
        },
    ];
    for o in cases {
        let e = o.stream_config("b").unwrap_err();
        assert!(
            matches!(
                e.code,
                ErrorCode::InvalidArgument | ErrorCode::InvalidBucketName
            ),
            "{o:?} → {e:?}"
        );
    }
    let e = KvOptions {
        mirror: Some(KvSource {
            name: "a.b".into(),
            domain: None,
        }),
        ..Default::default()
    }
    .stream_config("b")
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidBucketName);
    assert_eq!(
        KvOptions::default().stream_config("a.b").unwrap_err().code,
        ErrorCode::InvalidBucketName
    );
}

#[test]
fn compression_marker_ttl_and_extras() {
    assert_eq!(get(&config(&KvOptions::default()), "compression"), None);
    let j = config(&KvOptions {
        compression: Some(true),
        ..Default::default()
    });
    assert_eq!(get(&j, "compression").and_then(Json::as_str), Some("s2"));
    let j = config(&KvOptions {
        compression: Some(false),
        ..Default::default()
    });
    assert_eq!(get(&j, "compression").and_then(Json::as_str), Some("none"));

    let o = KvOptions {
        marker_ttl: Some(5000),
        ..Default::default()
    };
    let j = config(&o);
    assert_eq!(get(&j, "allow_msg_ttl"), Some(&Json::Bool(true)));
    assert_eq!(
        get(&j, "subject_delete_marker_ttl"),
        Some(&Json::Int(5_000_000_000))
    );
    assert_eq!(o.required_api_level(), 1);
    assert_eq!(
        o.check_api_level(0).unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    assert!(o.check_api_level(1).is_ok());
    assert_eq!(
        get(
            &config(&KvOptions {
                marker_ttl: Some(0),
                ..Default::default()
            }),
            "allow_msg_ttl"
        ),
        None
    );

    let o = KvOptions {
        description: Some("settings".into()),
        metadata: Some(vec![
            ("owner".into(), "ui".into()),
            ("v".into(), "2".into()),
        ]),
        allow_direct: Some(false),
        republish: Some(Republish {
            src: "$KV.b.>".into(),
            dest: "repub.b".into(),
            headers_only: true,
        }),
        placement: Some(Placement {
            cluster: Some("c1".into()),
            tags: vec!["ssd".into()],
        }),
        ..Default::default()
    };
    let text = config(&o).to_json_string();
    for part in [
        r#""description":"settings""#,
        r#""allow_direct":false"#,
        r#""placement":{"cluster":"c1","tags":["ssd"]}"#,
        r#""republish":{"src":"$KV.b.>","dest":"repub.b","headers_only":true}"#,
        r#""metadata":{"owner":"ui","v":"2"}"#,
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
}

#[test]
fn republish_dest_may_map_the_sources_wildcards() {
    let with = |src: &str, dest: &str| KvOptions {
        republish: Some(Republish {
            src: src.into(),
            dest: dest.into(),
            headers_only: false,
        }),
        ..Default::default()
    };
    // nats.js "kv - republish": src ">" to "republished-kv.>"
    for (src, dest) in [
        (">", "republished-kv.>"),
        ("", "out.>"),
        ("$KV.b.*.>", "out.*.>"),
        ("$KV.b.*", "out.*"),
        (">", "out.x"),
    ] {
        let text = config(&with(src, dest)).to_json_string();
        assert!(
            text.contains(&format!(r#""dest":"{dest}""#)),
            "{src} → {dest}: {text}"
        );
    }
    for (src, dest) in [
        (">", "out.*"),
        ("$KV.b.x", "out.>"),
        ("$KV.b.*", "out.*.*"),
        (">", "out.>.x"),
        (">", "out x.>"),
        (">", "out.a>"),
    ] {
        let e = with(src, dest).stream_config("b").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{src} → {dest}");
    }
}

#[test]
fn mirror_and_sources() {
    let o = KvOptions {
        mirror: Some(KvSource {
            name: "origin".into(),
            domain: Some("hub".into()),
        }),
        ..Default::default()
    };
    let j = config(&o);
    assert_eq!(get(&j, "subjects"), None);
    assert_eq!(
        get(&j, "mirror").unwrap().to_json_string(),
        r#"{"name":"KV_origin","external":{"api":"$JS.hub.API"}}"#
    );
    assert_eq!(get(&j, "mirror_direct"), Some(&Json::Bool(true)));
    let o = KvOptions {
        mirror: Some(KvSource {
            name: "KV_origin".into(),
            domain: None,
        }),
        ..Default::default()
    };
    assert_eq!(
        get(&config(&o), "mirror").unwrap().to_json_string(),
        r#"{"name":"KV_origin"}"#
    );

    let o = KvOptions {
        sources: vec![
            KvSource {
                name: "a".into(),
                domain: None,
            },
            KvSource {
                name: "KV_c".into(),
                domain: Some("hub".into()),
            },
            KvSource {
                name: "b".into(),
                domain: Some("hub".into()),
            },
        ],
        ..Default::default()
    };
    let j = config(&o);
    assert_eq!(
        get(&j, "subjects").unwrap().to_json_string(),
        r#"["$KV.b.>"]"#
    );
    assert_eq!(
        get(&j, "sources").unwrap().to_json_string(),
        concat!(
            r#"[{"name":"KV_a","subject_transforms":[{"src":"$KV.a.>","dest":"$KV.b.>"}]},"#,
            r#"{"name":"KV_c","external":{"api":"$JS.hub.API"},"subject_transforms":[{"src":"$KV.c.>","dest":"$KV.b.>"}]},"#,
            r#"{"name":"KV_b","external":{"api":"$JS.hub.API"}}]"#
        )
    );
}

fn info(extra: &str) -> StreamInfo {
    StreamInfo::from_reply(super::reply(&stream_info_json(extra)), ErrorContext::Kv).unwrap()
}

#[test]
fn same_config_for_create() {
    let d = KvOptions::default();
    assert_eq!(d.config_difference("b", &info("")), None);
    // Made by nats.js: no deny_delete, no duplicate_window, discard old, no allow_direct: same bucket.
    let js =
        info(r#""deny_delete":false,"discard":"old","allow_direct":false,"duplicate_window":0"#);
    assert_eq!(d.config_difference("b", &js), None);
    assert_eq!(
        d.config_difference("b", &info(r#""max_msgs_per_subject":5"#)),
        Some("history")
    );
    let h5 = KvOptions {
        history: Some(5),
        ..Default::default()
    };
    assert_eq!(
        h5.config_difference("b", &info(r#""max_msgs_per_subject":5"#)),
        None
    );
    assert_eq!(
        d.config_difference("b", &info(r#""max_age":1000000000"#)),
        Some("ttl")
    );
    assert_eq!(
        d.config_difference("b", &info(r#""storage":"memory""#)),
        Some("storage")
    );
    assert_eq!(
        d.config_difference("b", &info(r#""num_replicas":3"#)),
        Some("replicas")
    );
    assert_eq!(
        d.config_difference("b", &info(r#""max_bytes":10"#)),
        Some("maxBytes")
    );
    assert_eq!(
        d.config_difference("b", &info(r#""subject_delete_marker_ttl":1000000000"#)),
        Some("markerTTL")
    );
    assert_eq!(
        d.config_difference("b", &info(r#""mirror":{"name":"KV_o"}"#)),
        Some("mirror")
    );
    // Only compared when given.
    assert_eq!(
        d.config_difference("b", &info(r#""compression":"s2""#)),
        None
    );
    let c = KvOptions {
        compression: Some(true),
        ..Default::default()
    };
    assert_eq!(c.config_difference("b", &info("")), Some("compression"));
    assert_eq!(
        c.config_difference("b", &info(r#""compression":"s2""#)),
        None
    );
    let m = KvOptions {
        metadata: Some(vec![("owner".into(), "ui".into())]),
        ..Default::default()
    };
    assert_eq!(m.config_difference("b", &info("")), Some("metadata"));
    assert_eq!(
        m.config_difference(
            "b",
            &info(r#""metadata":{"owner":"ui","_nats.ver":"2.11.4"}"#)
        ),
        None
    );
    let desc = KvOptions {
        description: Some("x".into()),
        ..Default::default()
    };
    assert_eq!(desc.config_difference("b", &info("")), Some("description"));
    let ad = KvOptions {
        allow_direct: Some(true),
        ..Default::default()
    };
    assert_eq!(
        ad.config_difference("b", &info(r#""allow_direct":false"#)),
        Some("allowDirect")
    );
    let bad = KvOptions {
        history: Some(100),
        ..Default::default()
    };
    assert_eq!(bad.config_difference("b", &info("")), Some("options"));
}
