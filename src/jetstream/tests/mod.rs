//! Native tests of the JetStream layer, with replies in the real server's formats.

mod api;
mod codecs;
mod ordered;
mod pull;
mod stored;

use crate::error::NatsError;
use crate::proto::{Headers, Msg};

/// A message as the decoder hands it over.
pub(crate) fn msg(
    subject: &str,
    reply: Option<&str>,
    headers: Option<&str>,
    payload: &[u8],
) -> Msg {
    Msg {
        subject: subject.to_owned(),
        sid: 1,
        reply: reply.map(str::to_owned),
        headers: headers.map(|h| Headers::decode(h.as_bytes()).expect("test header block")),
        payload: payload.to_vec(),
    }
}

/// A JSON reply.
pub(crate) fn reply(json: &str) -> Result<Msg, NatsError> {
    Ok(msg("_INBOX.x.1", None, None, json.as_bytes()))
}
