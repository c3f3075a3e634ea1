use crate::error::ErrorCode;
use crate::kv::validate::{has_wildcards, validate_bucket, validate_key, validate_search_key};

#[test]
fn keys_nats_js_lists() {
    let bad = [
        " x y",
        "x ",
        "x!",
        "xx$",
        "*",
        ">",
        "x.>",
        "x.*",
        ".",
        ".x",
        ".x.",
        "x.",
        "",
        "a b",
        ".a",
        "a.",
        "a..b",
        "a*",
        "a\r",
        "a\nb",
        "a\r\nPUB x 1",
        "ключ",
        "é",
        "a\u{0}",
        "a\tb",
        "a>",
        "a:b",
    ];
    for k in bad {
        let e = validate_key(k).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidKey, "{k:?}");
        assert!(e.message.contains("invalid key"), "{}", e.message);
    }
    let good = [
        "foo",
        "_foo",
        "-foo",
        "_kv_foo",
        "foo123",
        "123",
        "a/b/c",
        "a.b.c",
        "a=b",
        "A-Z_0.9/=",
        "x",
    ];
    for k in good {
        assert!(validate_key(k).is_ok(), "{k:?}");
    }
}

#[test]
fn search_keys() {
    let good = [
        "foo",
        "foo.bar",
        "foo.*",
        "*.bar",
        "foo.>",
        "foo.*.bar",
        "a.b.>",
        "*",
        ">",
        "*.*.>",
    ];
    for k in good {
        assert!(validate_search_key(k).is_ok(), "{k:?}");
    }
    let bad = [
        ".foo", "foo.", ".foo.bar", "foo.bar.", "foo..bar", ".", "foo!bar", "foo$bar", "foo bar",
        "", ">.a", "a.>.b", "a*", "a.b*", "a>", "*a", "a\r\n", "ключ",
    ];
    for k in bad {
        assert_eq!(
            validate_search_key(k).unwrap_err().code,
            ErrorCode::InvalidKey,
            "{k:?}"
        );
    }
    assert!(has_wildcards("a.*.b") && has_wildcards(">") && has_wildcards("a.>"));
    assert!(!has_wildcards("a.b") && !has_wildcards("a*b"));
}

#[test]
fn bucket_names() {
    let bad = [
        " B", "!", "x/y", "x>", "x.x", "x.*", "x.>", "x*", "*", ">", "", "a b", "a\r\n", "é", "a=b",
    ];
    for b in bad {
        assert_eq!(
            validate_bucket(b).unwrap_err().code,
            ErrorCode::InvalidBucketName,
            "{b:?}"
        );
    }
    for b in ["b", "B_1-x", "0", "config-dashboard", "KV_x"] {
        assert!(validate_bucket(b).is_ok(), "{b:?}");
    }
    // KV_ + 252 = 255 bytes, nats-server's longest stream name.
    assert!(validate_bucket(&"b".repeat(252)).is_ok());
    let e = validate_bucket(&"b".repeat(253)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidBucketName);
    assert!(e.message.contains("at most 252"), "{e}");
    assert_eq!(
        validate_bucket(&"b".repeat(5000)).unwrap_err().code,
        ErrorCode::InvalidBucketName
    );
}
