//! Native tests of the Object Store core: SHA-256 against the NIST vectors, names and subjects as
//! nats.go writes them, digests, chunk sizes, the bucket's stream config and the meta JSON.

use super::*;
use crate::jetstream::time::format_iso_ms;

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha(data: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(data);
    hex(&h.finish())
}

#[test]
fn sha256_matches_the_nist_vectors() {
    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
    assert_eq!(
        sha(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sha(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(
        sha(b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
    );
    assert_eq!(
        sha(&vec![b'a'; 1_000_000]),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
    assert_eq!(
        sha(&[0xbd]),
        "68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b"
    );
    assert_eq!(
        sha(&[0xc9, 0x8c, 0x8e, 0x55]),
        "7abc22c0ae5af26ce93dbb94433a0e0b2e119d014f8e7f65bd56c61ccccd9504"
    );
    assert_eq!(
        sha(&[0; 55]),
        "02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7"
    );
    assert_eq!(
        sha(&[0; 56]),
        "d4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb"
    );
    assert_eq!(
        sha(&[0; 64]),
        "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b"
    );
}

#[test]
fn sha256_is_the_same_however_the_input_is_split() {
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let whole = sha(&data);
    for step in [1, 7, 63, 64, 65, 1000, 4096] {
        let mut h = Sha256::new();
        for piece in data.chunks(step) {
            h.update(piece);
        }
        assert_eq!(hex(&h.finish()), whole, "pieces of {step}");
    }
}

#[test]
fn names_and_subjects_are_those_of_nats_go() {
    assert_eq!(meta_subject("b", "hello.txt"), "$O.b.M.aGVsbG8udHh0");
    assert!(meta_subject("b", "foo bar").ends_with("=="));
    // UTF-8 bytes, not Latin-1 (nats.js's btoa would give 6Q==).
    assert_eq!(meta_subject("b", "é"), "$O.b.M.w6k=");
    assert_eq!(meta_subject("b", "?>"), "$O.b.M.Pz4=");
    assert_eq!(meta_subject("b", "\u{ff}\u{fe}"), "$O.b.M.w7_Dvg==");
    assert_eq!(chunk_subject("b", "N1"), "$O.b.C.N1");
    assert_eq!(meta_filter("b"), "$O.b.M.>");
    assert_eq!(stream_name("b"), "OBJ_b");
    assert!(validate_bucket("a-b_1").is_ok());
    for bad in ["", "a.b", "a b", "ä"] {
        assert_eq!(
            validate_bucket(bad).unwrap_err().code,
            ErrorCode::InvalidBucketName,
            "{bad}"
        );
    }
    assert_eq!(
        validate_bucket(&"x".repeat(252)).unwrap_err().code,
        ErrorCode::InvalidBucketName
    );
    for ok in [" ", "*", ">", "has.dots.here", "ü/ß"] {
        assert!(validate_name(ok).is_ok(), "{ok}");
    }
    assert_eq!(
        validate_name("").unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        validate_name(&"n".repeat(100_000)).unwrap_err().code,
        ErrorCode::InvalidArgument
    );
}

#[test]
fn digests_are_padded_base64url_and_read_in_every_form() {
    let empty = Sha256::new().finish();
    assert_eq!(
        digest_text(&empty),
        "SHA-256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="
    );
    for form in [
        "SHA-256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
        "SHA-256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "SHA-256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ] {
        assert_eq!(parse_digest(form), Some(empty), "{form}");
    }
    for bad in [
        "",
        "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
        "SHA-256=abc",
        "SHA-512=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
    ] {
        assert_eq!(parse_digest(bad), None, "{bad}");
    }
}

#[test]
fn chunks_are_the_asked_size_within_max_payload() {
    assert_eq!(chunk_size(None, 1 << 20, 0), DEFAULT_CHUNK_SIZE);
    assert_eq!(chunk_size(Some(0), 1 << 20, 0), DEFAULT_CHUNK_SIZE);
    assert_eq!(chunk_size(Some(1000), 1 << 20, 0), 1000);
    assert_eq!(chunk_size(Some(1 << 21), 1 << 20, 100), (1 << 20) - 100);
    assert_eq!(chunk_size(None, 10, 100), 1);
}

#[test]
fn store_options_make_the_stream_config_of_nats_go() {
    let o = StoreOptions::parse(
        r#"{"description":"models","ttl":60000000000,"storage":"memory","replicas":3,"compression":true,"metadata":{"a":"b"},"max_bytes":1000}"#,
    )
    .unwrap();
    assert_eq!(
        o.stream_config("m").to_json_string(),
        r#"{"name":"OBJ_m","subjects":["$O.m.C.>","$O.m.M.>"],"discard":"new","allow_rollup_hdrs":true,"allow_direct":true,"max_bytes":1000,"num_replicas":3,"storage":"memory","description":"models","max_age":60000000000,"compression":"s2","metadata":{"a":"b"}}"#
    );
    for bad in [
        r#"{"ttl":-1}"#,
        r#"{"replicas":6}"#,
        r#"{"storage":"disk"}"#,
        r#"{"nope":1}"#,
        r#"{"compression":"s2"}"#,
        "[]",
    ] {
        assert_eq!(
            StoreOptions::parse(bad).unwrap_err().code,
            ErrorCode::InvalidArgument,
            "{bad}"
        );
    }
}

#[test]
fn meta_json_round_trips_and_mtime_is_the_servers() {
    let go_written = br#"{"name":"a.bin","description":"d","headers":{"Content-Type":["x/y"]},"options":{"max_chunk_size":1024},"bucket":"b","nuid":"N","size":5,"mtime":"0001-01-01T00:00:00Z","chunks":1,"digest":"SHA-256=x"}"#;
    let i = ObjectInfo::from_meta(go_written, 7, format_iso_ms(1_700_000_000_123)).unwrap();
    assert_eq!(i.mtime, "2023-11-14T22:13:20.123Z");
    assert_eq!((i.size, i.chunks, i.revision, i.deleted), (5, 1, 7, false));
    assert_eq!(i.max_chunk_size(), Some(1024));
    assert_eq!(i.link(), None);
    let again = ObjectInfo::from_meta(i.to_meta().as_bytes(), 7, i.mtime.clone()).unwrap();
    assert_eq!(again, i);
    let link = ObjectInfo::from_meta(
        br#"{"name":"l","options":{"link":{"bucket":"o","name":"t"}}}"#,
        1,
        String::new(),
    )
    .unwrap();
    assert_eq!(link.link(), Some(("o".to_owned(), Some("t".to_owned()))));
    assert_eq!(link.metadata, Json::Obj(Vec::new()));
    assert!(ObjectInfo::from_meta(b"{}", 1, String::new()).is_err());
    assert!(ObjectInfo::from_meta(b"not json", 1, String::new()).is_err());
}

#[test]
fn iso_times_are_those_of_date_to_iso_string() {
    assert_eq!(format_iso_ms(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(format_iso_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
    assert_eq!(format_iso_ms(-1), "1969-12-31T23:59:59.999Z");
    assert_eq!(
        format_iso_ms(253_402_300_799_999),
        "9999-12-31T23:59:59.999Z"
    );
}

#[test]
fn put_meta_is_checked_and_normalised() {
    use crate::obj::{Meta, MetaUse};
    let m = Meta::parse(
        r#"{"name":"a","headers":{"X":"1","Y":["2","3"]},"metadata":{"k":"v"},"options":{"max_chunk_size":1024}}"#,
        MetaUse::Put,
    )
    .unwrap();
    assert_eq!(
        m.headers.unwrap().to_json_string(),
        r#"{"X":["1"],"Y":["2","3"]}"#
    );
    assert_eq!(m.max_chunk_size, Some(1024));
    for bad in [
        r#"{"name":"a","metadata":{"k":1}}"#,
        r#"{"name":"a","headers":{"X":1}}"#,
        r#"{"name":"a","headers":{"":"v"}}"#,
        r#"{"name":"a","headers":{"X":"a\nb"}}"#,
        r#"{"name":"a","options":{"max_chunk_size":0}}"#,
        r#"{"name":"a","options":{"link":{"bucket":"x"}}}"#,
        r#"{"name":5}"#,
        r#"[]"#,
        "not json",
    ] {
        let e = Meta::parse(bad, MetaUse::Put).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidArgument, "{bad}");
    }
    // update(): every field optional, options refused.
    assert!(Meta::parse(r#"{"description":"d"}"#, MetaUse::Update).is_ok());
    assert!(Meta::parse(r#"{"options":{}}"#, MetaUse::Update).is_err());
}

#[test]
fn an_existing_bucket_differs_only_in_what_was_asked_for() {
    use crate::obj::{config_difference, StoreOptions};
    let ours = StoreOptions::parse(r#"{"description":"d","metadata":{"a":"1"}}"#)
        .unwrap()
        .stream_config("b");
    let mut existing = ours.clone();
    if let Json::Obj(m) = &mut existing {
        m.push(("retention".into(), Json::Str("limits".into())));
        for (k, v) in m.iter_mut() {
            if k == "metadata" {
                *v = Json::parse(r#"{"a":"1","_nats.req.level":"0"}"#).unwrap();
            }
        }
    }
    assert_eq!(config_difference(&ours, &existing), None);
    let other = StoreOptions::parse(r#"{"description":"e"}"#)
        .unwrap()
        .stream_config("b");
    assert_eq!(
        config_difference(&other, &existing).as_deref(),
        Some("description")
    );
}

#[test]
fn status_is_read_from_a_stream_info_and_other_streams_are_skipped() {
    use crate::obj::status_json;
    let info = Json::parse(r#"{"config":{"name":"OBJ_x","max_age":5,"storage":"memory","num_replicas":1,"compression":"s2","sealed":true},"state":{"bytes":42}}"#).unwrap();
    let s = status_json(&info).unwrap();
    assert_eq!(s.get("bucket").and_then(Json::as_str), Some("x"));
    assert_eq!(s.get("ttl").and_then(Json::as_i64), Some(5));
    assert_eq!(s.get("size").and_then(Json::as_i64), Some(42));
    assert_eq!(s.get("compression"), Some(&Json::Bool(true)));
    assert_eq!(s.get("sealed"), Some(&Json::Bool(true)));
    assert_eq!(s.get("description").and_then(Json::as_str), Some(""));
    let kv = Json::parse(r#"{"config":{"name":"KV_x"}}"#).unwrap();
    assert!(status_json(&kv).is_none());
}
