//! `.creds` files: a user JWT and the user's nkey seed between marker lines, e.g.
//!
//! ```text
//! -----BEGIN NATS USER JWT-----
//! eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ…
//! ------END NATS USER JWT------
//!
//! -----BEGIN USER NKEY SEED-----
//! SUA…
//! ------END USER NKEY SEED------
//! ```
//!
//! The number of dashes varies between tools, so markers are matched on their words.

use core::fmt;

use crate::error::NatsError;

/// The two secrets of a `.creds` file. `Debug` does not print them.
#[derive(Clone, PartialEq, Eq)]
pub struct Creds {
    /// The user JWT (sent as CONNECT `jwt`).
    pub jwt: String,
    /// The user nkey seed (`"SU…"`), used to sign the server nonce.
    pub seed: String,
}

impl fmt::Debug for Creds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Creds { jwt: <redacted>, seed: <redacted> }")
    }
}

/// Whether `line` is a marker line (`---…WORDS…---`) whose words contain all of `words`.
fn is_marker(line: &str, begin_or_end: &str, words: &[&str]) -> bool {
    let t = line.trim();
    if !(t.starts_with("---") && t.ends_with("---")) {
        return false;
    }
    let inner = t.trim_matches('-').to_ascii_uppercase();
    let mut toks = inner.split_whitespace();
    toks.next() == Some(begin_or_end) && {
        let rest: Vec<&str> = toks.collect();
        words.iter().all(|w| rest.contains(w))
    }
}

/// The content between the BEGIN and END markers that mention `words`, whitespace removed.
fn block(text: &str, words: &[&str], what: &str) -> Result<String, NatsError> {
    let mut lines = text.lines();
    if !lines.by_ref().any(|l| is_marker(l, "BEGIN", words)) {
        return Err(NatsError::invalid_argument(format!(
            "creds: no {what} block"
        )));
    }
    let mut content = String::new();
    for line in lines {
        if is_marker(line, "END", words) {
            if content.is_empty() {
                return Err(NatsError::invalid_argument(format!(
                    "creds: empty {what} block"
                )));
            }
            return Ok(content);
        }
        content.extend(line.chars().filter(|c| !c.is_whitespace()));
    }
    Err(NatsError::invalid_argument(format!(
        "creds: unterminated {what} block"
    )))
}

/// Parses the text of a `.creds` file. Errors are `INVALID_ARGUMENT` and never quote the file.
pub fn parse_creds(text: &str) -> Result<Creds, NatsError> {
    let jwt = block(text, &["JWT"], "user JWT")?;
    let seed = block(text, &["SEED"], "nkey seed")?;
    let jwt_ok = jwt.split('.').count() == 3
        && jwt
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'='));
    if !jwt_ok {
        return Err(NatsError::invalid_argument("creds: user JWT is malformed"));
    }
    if !seed.starts_with('S')
        || !seed
            .bytes()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
    {
        return Err(NatsError::invalid_argument("creds: nkey seed is malformed"));
    }
    Ok(Creds { jwt, seed })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVQUJDIn0.c2lnbmF0dXJl";
    const SEED: &str = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";

    fn creds_text(begin_dashes: usize, end_dashes: usize) -> String {
        let b = "-".repeat(begin_dashes);
        let e = "-".repeat(end_dashes);
        format!(
            "{b}BEGIN NATS USER JWT{b}\n{JWT}\n{e}END NATS USER JWT{e}\n\n\
             ************************* IMPORTANT *************************\n\
             NKEY Seed printed below can be used to sign and prove identity.\n\n\
             {b}BEGIN USER NKEY SEED{b}\n{SEED}\n{e}END USER NKEY SEED{e}\n\n\
             *************************************************************\n"
        )
    }

    #[test]
    fn parses_standard_creds() {
        let c = parse_creds(&creds_text(5, 6)).unwrap();
        assert_eq!(c.jwt, JWT);
        assert_eq!(c.seed, SEED);
        assert!(crate::client::nkeys::decode_seed(&c.seed).is_ok());
    }

    #[test]
    fn dash_counts_and_crlf_vary() {
        let t = creds_text(3, 12).replace('\n', "\r\n");
        let c = parse_creds(&t).unwrap();
        assert_eq!((c.jwt.as_str(), c.seed.as_str()), (JWT, SEED));
        // Seed block first works too.
        let swapped = format!(
            "-----BEGIN USER NKEY SEED-----\n  {SEED}  \n------END USER NKEY SEED------\n\
             -----BEGIN NATS USER JWT-----\n{JWT}\n------END NATS USER JWT------\n"
        );
        assert_eq!(parse_creds(&swapped).unwrap().seed, SEED);
    }

    #[test]
    fn bad_creds_are_rejected_without_leaking() {
        let missing_seed =
            format!("-----BEGIN NATS USER JWT-----\n{JWT}\n------END NATS USER JWT------\n");
        let e = parse_creds(&missing_seed).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidArgument);
        assert!(!e.message.contains(JWT));
        let unterminated = creds_text(5, 6).replace("------END USER NKEY SEED------", "");
        assert!(parse_creds(&unterminated).is_err());
        let bad_jwt = creds_text(5, 5).replace(JWT, "not a jwt");
        let e = parse_creds(&bad_jwt).unwrap_err();
        assert!(!e.message.contains("not a jwt"));
        assert!(parse_creds("").is_err());
        let c = parse_creds(&creds_text(5, 6)).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(SEED) && !dbg.contains(JWT));
    }
}
