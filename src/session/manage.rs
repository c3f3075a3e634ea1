//! The JetStream manager's calls (streams, messages, consumers) and `js.publish()`, on the
//! [`JetStream`] context: each checks its input with [`crate::jetstream::config`] before anything is
//! sent, then makes one API call (two for `update()`: read, merge, send it whole).

use std::cell::RefCell;
use std::rc::Rc;

use super::{Alarm, Done, JetStream};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::api::ApiRequest;
use crate::jetstream::config::{self, validate_name};
use crate::jetstream::error::ErrorContext;
use crate::jetstream::publish::{is_retryable, retry_delay_ms, PublishOptions};
use crate::jetstream::stored::{msg_get_reply, StoredMsg};
use crate::jetstream::{Pager, PubAck};
use crate::proto::json::Json;
use crate::proto::subject;

fn filter(subject: Option<String>) -> Result<Option<String>, NatsError> {
    match subject {
        Some(s) => match subject::validate_subscribe(&s) {
            Ok(()) => Ok(Some(s)),
            Err(e) => Err(NatsError::new(ErrorCode::InvalidSubject, e.to_string())),
        },
        None => Ok(None),
    }
}

impl JetStream {
    fn call_checked(&self, req: Result<ApiRequest, NatsError>, done: Done<Json>) {
        match req {
            Ok(req) => self.call(req, ErrorContext::General, done),
            Err(e) => done(Err(e)),
        }
    }

    /// `streams.add(cfg)`: the StreamInfo (an identical re-create resolves too).
    pub fn stream_add(&self, cfg: &str, done: Done<Json>) {
        self.call_checked(config::stream_add(&self.api, cfg), done)
    }

    /// `streams.update(name, partial)`: STREAM.INFO, the partial laid over its config, STREAM.UPDATE.
    pub fn stream_update(&self, name: String, partial: &str, done: Done<Json>) {
        let partial = match config::stream_partial(&name, partial) {
            Ok(p) => p,
            Err(e) => return done(Err(e)),
        };
        let js = self.clone();
        self.call(
            ApiRequest::empty(self.api.stream_info(&name)),
            ErrorContext::General,
            Box::new(
                move |r| match r.and_then(|info| config::merged_config(&info, partial)) {
                    Ok(cfg) => js.call(
                        config::stream_update(&js.api, &name, &cfg),
                        ErrorContext::General,
                        done,
                    ),
                    Err(e) => done(Err(e)),
                },
            ),
        );
    }

    /// `streams.info(name, opts)`.
    pub fn stream_info(&self, name: &str, opts: &str, done: Done<Json>) {
        self.call_checked(config::stream_info(&self.api, name, opts), done)
    }

    /// `streams.delete(name)`: the server's `{success}`.
    pub fn stream_delete(&self, name: &str, done: Done<Json>) {
        let req =
            validate_name("stream", name).map(|()| ApiRequest::empty(self.api.stream_delete(name)));
        self.call_checked(req, done)
    }

    /// `streams.purge(name, opts)`: `{success, purged}`.
    pub fn stream_purge(&self, name: &str, opts: &str, done: Done<Json>) {
        self.call_checked(config::stream_purge(&self.api, name, opts), done)
    }

    /// `streams.list(subject?)`: every StreamInfo.
    pub fn stream_list(&self, subject: Option<String>, done: Done<Vec<Json>>) {
        match filter(subject) {
            Ok(f) => self.list(self.api.stream_list(), Pager::new("streams", f), done),
            Err(e) => done(Err(e)),
        }
    }

    /// `streams.names(subject?)`: every stream name.
    pub fn stream_names(&self, subject: Option<String>, done: Done<Vec<Json>>) {
        match filter(subject) {
            Ok(f) => self.list(
                self.api.subject("STREAM.NAMES"),
                Pager::new("streams", f),
                done,
            ),
            Err(e) => done(Err(e)),
        }
    }

    /// `streams.find(subject)`: the stream that stores `subject` (`STREAM_NOT_FOUND` if none).
    pub fn stream_find(&self, subject: String, done: Done<Json>) {
        let not_found = format!("no stream stores {}", crate::proto::Quoted(&subject));
        self.stream_names(
            Some(subject),
            Box::new(move |r| {
                done(r.and_then(|names| {
                    names
                        .into_iter()
                        .next()
                        .ok_or_else(|| NatsError::new(ErrorCode::StreamNotFound, not_found))
                }))
            }),
        )
    }

    /// `streams.getMessage(stream, query)`: the message, or `None`.
    pub fn msg_get(&self, stream: &str, query: &str, done: Done<Option<StoredMsg>>) {
        match config::msg_get(&self.api, stream, query) {
            Ok(req) => self.client.api_request(
                &req.subject,
                req.body.as_bytes(),
                self.timeout_ms,
                Box::new(move |r| done(msg_get_reply(r, ErrorContext::General))),
            ),
            Err(e) => done(Err(e)),
        }
    }

    /// `streams.deleteMessage(stream, seq, erase)`: the server's `{success}`.
    pub fn msg_delete(&self, stream: &str, seq: f64, erase: bool, done: Done<Json>) {
        self.call_checked(config::msg_delete(&self.api, stream, seq, erase), done)
    }

    /// `consumers.add()` (`action` `create`) and `addOrUpdate()` (`None`): the ConsumerInfo.
    pub fn consumer_add(&self, stream: &str, cfg: &str, action: Option<&str>, done: Done<Json>) {
        let req = config::consumer_config(stream, cfg)
            .map(|cfg| config::consumer_create(&self.api, stream, &cfg, action));
        self.call_checked(req, done)
    }

    /// `consumers.update(stream, name, partial)`: CONSUMER.INFO, merge, CONSUMER.CREATE `update`.
    pub fn consumer_update(&self, stream: String, name: String, partial: &str, done: Done<Json>) {
        let partial = match config::consumer_partial(&stream, &name, partial) {
            Ok(p) => p,
            Err(e) => return done(Err(e)),
        };
        let js = self.clone();
        self.call(
            ApiRequest::empty(self.api.consumer_info(&stream, &name)),
            ErrorContext::General,
            Box::new(
                move |r| match r.and_then(|info| config::merged_config(&info, partial)) {
                    Ok(cfg) => js.call(
                        config::consumer_create(&js.api, &stream, &cfg, Some("update")),
                        ErrorContext::General,
                        done,
                    ),
                    Err(e) => done(Err(e)),
                },
            ),
        );
    }

    /// `consumers.info(stream, name)`.
    pub fn consumer_info(&self, stream: &str, name: &str, done: Done<Json>) {
        let req = validate_name("stream", stream)
            .and_then(|()| validate_name("consumer", name))
            .map(|()| ApiRequest::empty(self.api.consumer_info(stream, name)));
        self.call_checked(req, done)
    }

    /// `consumers.delete(stream, name)`: the server's `{success}`.
    pub fn consumer_delete(&self, stream: &str, name: &str, done: Done<Json>) {
        let req = validate_name("stream", stream)
            .and_then(|()| validate_name("consumer", name))
            .map(|()| ApiRequest::empty(self.api.consumer_delete(stream, name)));
        self.call_checked(req, done)
    }

    /// `consumers.list(stream)`: every ConsumerInfo.
    pub fn consumer_list(&self, stream: &str, done: Done<Vec<Json>>) {
        match validate_name("stream", stream) {
            Ok(()) => self.list(
                self.api.subject(&format!("CONSUMER.LIST.{stream}")),
                Pager::new("consumers", None),
                done,
            ),
            Err(e) => done(Err(e)),
        }
    }

    /// `js.publish()`: a request to the stream subject whose reply is the PubAck; after `TIMEOUT` or
    /// `NO_RESPONDERS` it is sent again (nats.js's backoff) until `opts.attempts` are spent.
    pub fn publish(
        &self,
        subject: String,
        payload: Vec<u8>,
        opts: PublishOptions,
        done: Done<PubAck>,
    ) {
        let attempt = Rc::new(Attempt {
            js: self.clone(),
            subject,
            payload,
            timeout: opts.timeout.unwrap_or(self.timeout_ms),
            opts,
            alarm: RefCell::new(None),
        });
        attempt.send(1, done);
    }
}

/// One `js.publish()` across its attempts.
struct Attempt {
    js: JetStream,
    subject: String,
    payload: Vec<u8>,
    timeout: f64,
    opts: PublishOptions,
    /// The backoff timer between attempts.
    alarm: RefCell<Option<Box<dyn Alarm>>>,
}

impl Attempt {
    fn send(self: Rc<Self>, n: u32, done: Done<PubAck>) {
        let this = self.clone();
        self.js.client.request(
            &self.subject,
            &self.payload,
            self.opts.headers.as_ref(),
            self.timeout,
            Box::new(
                move |r| match PubAck::from_reply_in(r, ErrorContext::General) {
                    Err(e) if n < this.opts.attempts && is_retryable(&e) => this.retry(n, done),
                    r => done(r),
                },
            ),
        );
    }

    fn retry(self: Rc<Self>, n: u32, done: Done<PubAck>) {
        let link = self.js.client.link().clone();
        let at = link.now().plus(retry_delay_ms(n));
        let next = RefCell::new(Some((self.clone(), done)));
        let mut alarm = link.timer(Box::new(move || {
            if let Some((this, done)) = next.borrow_mut().take() {
                this.alarm.borrow_mut().take();
                this.send(n + 1, done);
            }
        }));
        alarm.arm(Some(at));
        *self.alarm.borrow_mut() = Some(alarm);
    }
}
