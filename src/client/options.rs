//! Connection options: API.md's `ConnectionOptions`, after the web layer has turned `nkeySeed`/`creds`
//! into a public nkey + JWT (the seed itself stays with the signer). Times are milliseconds.

use core::fmt;

use crate::error::NatsError;
use crate::proto::subject;
use crate::time::MAX_TIMER_MS;

use super::nkeys;

/// Default reconnect buffer (publishes made while disconnected): 8 MiB, as nats.go.
pub const DEFAULT_RECONNECT_BUF_SIZE: usize = 8 * 1024 * 1024;

/// Options of a [`Connection`](super::Connection). `Default` gives API.md's defaults (and no servers).
/// `Debug` redacts `pass`, `token` and `jwt`.
#[derive(Clone, PartialEq)]
pub struct Options {
    /// `ws://host:port` or `wss://host:port` URLs; at least one.
    pub servers: Vec<String>,
    /// CONNECT `name`.
    pub name: Option<String>,
    /// CONNECT `user`.
    pub user: Option<String>,
    /// CONNECT `pass`.
    pub pass: Option<String>,
    /// CONNECT `auth_token`.
    pub token: Option<String>,
    /// The *public* user nkey (`"U…"`) whose seed signs the server nonce (Event::Sign).
    pub nkey: Option<String>,
    /// User JWT (from a `.creds` file); the nonce is signed with the matching seed.
    pub jwt: Option<String>,
    /// Connect timeout: dial + INFO + CONNECT/PONG (20000).
    pub timeout_ms: f64,
    /// Reconnect after losing an established connection (true).
    pub reconnect: bool,
    /// Failed attempts per server before it leaves the pool (10); -1 = forever.
    pub max_reconnect_attempts: i64,
    /// Minimum time between two attempts on the same server (2000).
    pub reconnect_time_wait_ms: f64,
    /// Random extra wait, uniform in `0..=reconnect_jitter_ms` (100).
    pub reconnect_jitter_ms: f64,
    /// Keep-alive PING period (120000).
    pub ping_interval_ms: f64,
    /// Unanswered keep-alive PINGs tolerated before the connection is stale (2).
    pub max_ping_out: u32,
    /// CONNECT `echo:false`.
    pub no_echo: bool,
    /// Keep the `servers` order (no shuffle).
    pub no_randomize: bool,
    /// Ignore INFO `connect_urls`.
    pub ignore_cluster_updates: bool,
    /// Keep trying the first connect (with the reconnect policy) instead of failing fast.
    pub wait_on_first_connect: bool,
    /// Prefix of inbox subjects ("_INBOX").
    pub inbox_prefix: String,
    /// Bytes of publishes buffered while disconnected (8 MiB); beyond it publish fails.
    pub reconnect_buf_size: usize,
    /// Longest a `drain()` may take before the connection is closed anyway (30000).
    pub drain_timeout_ms: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            servers: Vec::new(),
            name: None,
            user: None,
            pass: None,
            token: None,
            nkey: None,
            jwt: None,
            timeout_ms: 20_000.0,
            reconnect: true,
            max_reconnect_attempts: 10,
            reconnect_time_wait_ms: 2_000.0,
            reconnect_jitter_ms: 100.0,
            ping_interval_ms: 120_000.0,
            max_ping_out: 2,
            no_echo: false,
            no_randomize: false,
            ignore_cluster_updates: false,
            wait_on_first_connect: false,
            inbox_prefix: "_INBOX".to_owned(),
            reconnect_buf_size: DEFAULT_RECONNECT_BUF_SIZE,
            drain_timeout_ms: 30_000.0,
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |o: &Option<String>| {
            if o.is_some() {
                "Some(<redacted>)"
            } else {
                "None"
            }
        };
        f.debug_struct("Options")
            .field("servers", &self.servers)
            .field("name", &self.name)
            .field("user", &self.user)
            .field("pass", &redact(&self.pass))
            .field("token", &redact(&self.token))
            .field("nkey", &self.nkey)
            .field("jwt", &redact(&self.jwt))
            .field("timeout_ms", &self.timeout_ms)
            .field("reconnect", &self.reconnect)
            .field("max_reconnect_attempts", &self.max_reconnect_attempts)
            .field("reconnect_time_wait_ms", &self.reconnect_time_wait_ms)
            .field("reconnect_jitter_ms", &self.reconnect_jitter_ms)
            .field("ping_interval_ms", &self.ping_interval_ms)
            .field("max_ping_out", &self.max_ping_out)
            .field("no_echo", &self.no_echo)
            .field("no_randomize", &self.no_randomize)
            .field("ignore_cluster_updates", &self.ignore_cluster_updates)
            .field("wait_on_first_connect", &self.wait_on_first_connect)
            .field("inbox_prefix", &self.inbox_prefix)
            .field("reconnect_buf_size", &self.reconnect_buf_size)
            .field("drain_timeout_ms", &self.drain_timeout_ms)
            .finish()
    }
}

/// Whether `url` is a usable `ws://`/`wss://` URL: scheme, non-empty host, no whitespace/control chars.
pub fn is_ws_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("ws://") {
        r
    } else if let Some(r) = lower.strip_prefix("wss://") {
        r
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && !host.starts_with(':')
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Longest accepted `inboxPrefix`: every request subscribes to `<prefix>.<nuid>.*`, which must fit in a
/// control line.
pub const MAX_INBOX_PREFIX: usize = 1024;

fn check_time(value: f64, what: &str, allow_zero: bool) -> Result<(), NatsError> {
    let ok = value.is_finite()
        && value <= MAX_TIMER_MS
        && if allow_zero {
            value >= 0.0
        } else {
            value > 0.0
        };
    if ok {
        Ok(())
    } else {
        let bound = if allow_zero { ">= 0" } else { "> 0" };
        Err(NatsError::invalid_argument(format!(
            "{what} must be a finite number {bound} and at most {} ms",
            MAX_TIMER_MS as u64
        )))
    }
}

fn check_no_crlf(value: &Option<String>, what: &str) -> Result<(), NatsError> {
    match value {
        Some(v) if v.chars().any(|c| c == '\r' || c == '\n' || c == '\0') => Err(
            NatsError::invalid_argument(format!("{what} may not contain CR, LF or NUL")),
        ),
        _ => Ok(()),
    }
}

impl Options {
    /// Options with API.md's defaults and the given servers.
    pub fn with_servers<I, S>(servers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Options {
            servers: servers.into_iter().map(Into::into).collect(),
            ..Options::default()
        }
    }

    /// Rejects nonsense with `INVALID_ARGUMENT` (messages never quote secrets): no servers, a server
    /// that is not a `ws://`/`wss://` URL, negative or non-finite times, `max_ping_out` 0,
    /// `max_reconnect_attempts` < -1, an invalid inbox prefix, a `nkey` that is not a public user nkey,
    /// CR/LF in credentials.
    pub fn validate(&self) -> Result<(), NatsError> {
        // The CONNECT line (with a signature, when one is due) must fit the server's control line.
        let sig = "s".repeat(86);
        let line = "CONNECT ".len() + super::handshake::connect_json(self, Some(&sig)).len() + 2;
        if line > crate::proto::MAX_CONTROL_LINE {
            return Err(NatsError::invalid_argument(format!(
                "name, user, pass, token and creds are too long together: the CONNECT line would be {line} bytes (max {})",
                crate::proto::MAX_CONTROL_LINE
            )));
        }
        if self.servers.is_empty() {
            return Err(NatsError::invalid_argument(
                "servers: at least one server URL is required",
            ));
        }
        for s in &self.servers {
            if !is_ws_url(s) {
                let shown: String = s.chars().filter(|c| !c.is_control()).take(100).collect();
                return Err(NatsError::invalid_argument(format!(
                    "servers: '{shown}' is not a ws:// or wss:// URL"
                )));
            }
        }
        check_time(self.timeout_ms, "timeout", false)?;
        check_time(self.reconnect_time_wait_ms, "reconnectTimeWait", true)?;
        check_time(self.reconnect_jitter_ms, "reconnectJitter", true)?;
        check_time(self.ping_interval_ms, "pingInterval", false)?;
        check_time(self.drain_timeout_ms, "drain timeout", false)?;
        if self.max_ping_out == 0 {
            return Err(NatsError::invalid_argument("maxPingOut must be at least 1"));
        }
        if self.max_reconnect_attempts < -1 || self.max_reconnect_attempts > i64::from(i32::MAX) {
            return Err(NatsError::invalid_argument(
                "maxReconnectAttempts must be -1 (forever) or from 0 to 2147483647",
            ));
        }
        if self.inbox_prefix.len() > MAX_INBOX_PREFIX
            || subject::validate_publish(&self.inbox_prefix).is_err()
        {
            return Err(NatsError::invalid_argument(
                "inboxPrefix must be a valid subject without wildcards",
            ));
        }
        if let Some(nkey) = &self.nkey {
            match nkeys::decode_public(nkey) {
                Ok((nkeys::KeyKind::User, _)) => {}
                _ => {
                    return Err(NatsError::invalid_argument(
                        "nkey must be a public user nkey (U…)",
                    ))
                }
            }
        }
        check_no_crlf(&self.name, "name")?;
        check_no_crlf(&self.user, "user")?;
        check_no_crlf(&self.pass, "pass")?;
        check_no_crlf(&self.token, "token")?;
        check_no_crlf(&self.jwt, "jwt")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn defaults_match_api() {
        let o = Options::default();
        assert_eq!(o.timeout_ms, 20_000.0);
        assert!(o.reconnect);
        assert_eq!(o.max_reconnect_attempts, 10);
        assert_eq!(o.reconnect_time_wait_ms, 2_000.0);
        assert_eq!(o.reconnect_jitter_ms, 100.0);
        assert_eq!(o.ping_interval_ms, 120_000.0);
        assert_eq!(o.max_ping_out, 2);
        assert_eq!(o.inbox_prefix, "_INBOX");
        assert_eq!(o.reconnect_buf_size, 8 * 1024 * 1024);
        assert!(
            !o.no_echo && !o.no_randomize && !o.ignore_cluster_updates && !o.wait_on_first_connect
        );
        assert!(Options::with_servers(["ws://localhost:8080"])
            .validate()
            .is_ok());
    }

    #[test]
    fn validate_rejects_nonsense() {
        let base = Options::with_servers(["wss://demo.nats.io:8443"]);
        let cases: Vec<Options> = vec![
            Options::default(),
            Options::with_servers(["nats://localhost:4222"]),
            Options::with_servers(["localhost:8080"]),
            Options::with_servers(["ws://"]),
            Options::with_servers(["ws://host name:1"]),
            Options {
                timeout_ms: -1.0,
                ..base.clone()
            },
            Options {
                timeout_ms: f64::NAN,
                ..base.clone()
            },
            Options {
                reconnect_time_wait_ms: -5.0,
                ..base.clone()
            },
            Options {
                reconnect_jitter_ms: f64::INFINITY,
                ..base.clone()
            },
            Options {
                ping_interval_ms: 0.0,
                ..base.clone()
            },
            Options {
                max_ping_out: 0,
                ..base.clone()
            },
            Options {
                max_reconnect_attempts: -2,
                ..base.clone()
            },
            // Timers beyond what setTimeout honours (it would fire at once) and absurd counts.
            Options {
                timeout_ms: 1e300,
                ..base.clone()
            },
            Options {
                reconnect_time_wait_ms: MAX_TIMER_MS + 1.0,
                ..base.clone()
            },
            Options {
                reconnect_jitter_ms: 1e300,
                ..base.clone()
            },
            Options {
                ping_interval_ms: 1e300,
                ..base.clone()
            },
            Options {
                max_reconnect_attempts: i64::MAX,
                ..base.clone()
            },
            Options {
                inbox_prefix: "a".repeat(MAX_INBOX_PREFIX + 1),
                ..base.clone()
            },
            Options {
                inbox_prefix: "bad prefix".into(),
                ..base.clone()
            },
            Options {
                inbox_prefix: "_INBOX.*".into(),
                ..base.clone()
            },
            Options {
                nkey: Some("UNOTAKEY".into()),
                ..base.clone()
            },
            Options {
                pass: Some("se\r\ncret".into()),
                ..base.clone()
            },
        ];
        for (i, o) in cases.iter().enumerate() {
            let e = o.validate().expect_err(&format!("case {i} should fail"));
            assert_eq!(e.code, ErrorCode::InvalidArgument, "case {i}");
            assert!(!e.message.contains("cret"), "case {i} leaks a secret");
        }
        assert!(Options {
            max_reconnect_attempts: -1,
            reconnect_time_wait_ms: 0.0,
            ..base.clone()
        }
        .validate()
        .is_ok());
        assert!(Options::with_servers(["WSS://Example.com/nats?x=1"])
            .validate()
            .is_ok());
    }

    #[test]
    fn debug_redacts_secrets() {
        let o = Options {
            pass: Some("hunter2".into()),
            token: Some("tok-123".into()),
            jwt: Some("eyJhbG.x.y".into()),
            ..Options::with_servers(["ws://a:1"])
        };
        let s = format!("{o:?}");
        assert!(!s.contains("hunter2") && !s.contains("tok-123") && !s.contains("eyJhbG"));
        assert!(s.contains("ws://a:1"));
    }
}

#[cfg(test)]
mod connect_line_tests {
    use super::Options;
    use crate::error::ErrorCode;

    #[test]
    fn a_connect_line_over_the_control_line_limit_is_invalid_argument() {
        let mut o = Options::with_servers(["ws://127.0.0.1:1"]);
        assert!(o.validate().is_ok());
        o.token = Some("t".repeat(5000));
        let e = o.validate().unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(
            !e.message.contains("ttttt"),
            "the secret is not in the message"
        );
        o.token = Some("t".repeat(1000));
        assert!(o.validate().is_ok());
    }
}
