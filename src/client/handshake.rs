//! The CONNECT options object and what the client reads from INFO.

use crate::proto::json::Json;

use super::options::Options;

/// `lang` sent in CONNECT.
pub const LANG: &str = "nats-kv-wasm";
/// `version` sent in CONNECT (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Whether the options need the server nonce signed (nkey or JWT auth).
pub fn needs_signature(opts: &Options) -> bool {
    opts.nkey.is_some() || opts.jwt.is_some()
}

/// The CONNECT JSON: verbose/pedantic off, protocol 1, headers and no_responders on, `echo:false` only
/// with `noEcho`, plus name and credentials. `sig` is the base64url signature of the nonce.
pub fn connect_json(opts: &Options, sig: Option<&str>) -> String {
    let mut m: Vec<(String, Json)> = vec![
        ("verbose".into(), Json::Bool(false)),
        ("pedantic".into(), Json::Bool(false)),
        ("protocol".into(), Json::Int(1)),
        ("headers".into(), Json::Bool(true)),
        ("no_responders".into(), Json::Bool(true)),
        ("lang".into(), Json::Str(LANG.into())),
        ("version".into(), Json::Str(VERSION.into())),
    ];
    if opts.no_echo {
        m.push(("echo".into(), Json::Bool(false)));
    }
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.push((k.into(), Json::Str(v.clone())));
        }
    };
    put("name", &opts.name);
    put("user", &opts.user);
    put("pass", &opts.pass);
    put("auth_token", &opts.token);
    put("jwt", &opts.jwt);
    put("nkey", &opts.nkey);
    if let Some(sig) = sig {
        m.push(("sig".into(), Json::Str(sig.into())));
    }
    Json::Obj(m).to_json_string()
}

/// Slack added to `max_payload` for the decoder: the server may add headers to messages it delivers
/// (JetStream direct get, sourcing), so a delivered message can be slightly larger than a publish.
pub const DECODER_SLACK: usize = 64 * 1024;

/// `max_payload` before any INFO (and the server default): 1 MiB.
pub const DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;

/// The decoder bound for a given `max_payload`.
pub fn decoder_bound(max_payload: usize) -> usize {
    max_payload.saturating_add(DECODER_SLACK)
}

/// URL scheme (`"ws"`/`"wss"`) of `url`, lower-case; `"ws"` if unknown.
pub fn scheme_of(url: &str) -> &'static str {
    let is_wss = url
        .as_bytes()
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"wss://"));
    if is_wss {
        "wss"
    } else {
        "ws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_of_urls() {
        assert_eq!(scheme_of("wss://a:1"), "wss");
        assert_eq!(scheme_of("WSS://a:1"), "wss");
        assert_eq!(scheme_of("ws://a:1"), "ws");
        assert_eq!(scheme_of("ws://\u{e9}t\u{e9}:1"), "ws");
        assert_eq!(scheme_of("w"), "ws");
    }

    #[test]
    fn connect_json_omits_absent_credentials() {
        let o = Options::with_servers(["ws://a:1"]);
        let j = Json::parse(&connect_json(&o, None)).unwrap();
        for k in [
            "user",
            "pass",
            "auth_token",
            "jwt",
            "nkey",
            "sig",
            "name",
            "echo",
        ] {
            assert_eq!(j.get(k), None, "{k}");
        }
        let with_sig = Json::parse(&connect_json(&o, Some("c2ln"))).unwrap();
        assert_eq!(with_sig.get("sig").and_then(Json::as_str), Some("c2ln"));
        // CR/LF in values are escaped: the CONNECT line stays one line.
        let o = Options {
            name: Some("a\r\nPUB x 1".into()),
            ..o
        };
        assert!(!connect_json(&o, None).contains('\n'));
    }
}
