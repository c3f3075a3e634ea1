//! [`JetStream`]: the JetStream context — API requests with their error mapping and paging, and the
//! KV manager's calls (create-or-bind, open, list).

use std::cell::RefCell;
use std::rc::Rc;

use super::{Client, Done, Kv};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::api::{ApiRequest, JsApi};
use crate::jetstream::error::{api_reply, ErrorContext};
use crate::jetstream::types::{api_level, StreamInfo};
use crate::jetstream::Pager;
use crate::kv::validate::validate_bucket;
use crate::kv::{kv_statuses, Bucket, KvOptions, KvStatus};
use crate::proto::json::Json;

/// Default JetStream API timeout, ms.
pub const DEFAULT_TIMEOUT: f64 = 5000.0;

/// A JetStream context: the connection, the API prefix and the call timeout.
#[derive(Clone)]
pub struct JetStream {
    /// The connection.
    pub client: Client,
    /// The API subjects (prefix or domain).
    pub api: JsApi,
    /// The timeout of each API call, ms.
    pub timeout_ms: f64,
    /// Inbox prefix for watcher deliver subjects.
    pub watcher_prefix: String,
}

impl JetStream {
    /// A context on `client`; `watcher_prefix` defaults to the connection's inbox prefix.
    pub fn new(
        client: Client,
        api: JsApi,
        timeout_ms: Option<f64>,
        watcher_prefix: Option<String>,
    ) -> JetStream {
        let watcher_prefix = watcher_prefix.unwrap_or_else(|| client.inbox_prefix());
        JetStream {
            client,
            api,
            timeout_ms: timeout_ms.unwrap_or(DEFAULT_TIMEOUT),
            watcher_prefix,
        }
    }

    /// Sends one API request; `done` gets the reply JSON (errors mapped in `ctx`). The subject may
    /// end with a subject filter (`CONSUMER.CREATE.<s>.<c>.<filter>`).
    pub fn call(&self, req: ApiRequest, ctx: ErrorContext, done: Done<Json>) {
        self.client.api_request(
            &req.subject,
            req.body.as_bytes(),
            self.timeout_ms,
            Box::new(move |r| done(api_reply(r, ctx))),
        );
    }

    /// `jsm.getAccountInfo()`: the account's JetStream usage and limits.
    pub fn account_info(&self, done: Done<Json>) {
        let req = ApiRequest::empty(self.api.account_info());
        self.call(req, ErrorContext::General, done);
    }

    /// The info of a bucket's stream (`BUCKET_NOT_FOUND` if none).
    fn bucket_info(&self, name: &str, done: Done<StreamInfo>) {
        match Bucket::new(name, self.api.clone()) {
            Ok(b) => self.call(
                b.info_request(),
                ErrorContext::Kv,
                Box::new(move |r| done(r.and_then(StreamInfo::from_json))),
            ),
            Err(e) => done(Err(e)),
        }
    }

    /// This context with `timeout` (when positive) as its call timeout.
    pub fn with_timeout(&self, timeout: Option<f64>) -> JetStream {
        let mut js = self.clone();
        if let Some(t) = timeout.filter(|t| *t > 0.0) {
            js.timeout_ms = t;
        }
        js
    }

    /// `Kvm.create()`: creates the bucket, or binds to it if it exists with the same configuration
    /// (`BUCKET_EXISTS` if it differs). A `markerTTL` first checks the server's API level.
    pub fn kv_create(&self, name: String, opts: KvOptions, done: Done<Kv>) {
        // The options are checked before anything is sent (the API level check is a round trip).
        let req = match validate_bucket(&name).and_then(|()| opts.create_request(&self.api, &name))
        {
            Ok(r) => r,
            Err(e) => return done(Err(e)),
        };
        if opts.marker_ttl.unwrap_or(0) > 0 {
            let js = self.clone();
            return self.account_info(Box::new(move |r| {
                match r.and_then(|info| opts.check_api_level(api_level(&info))) {
                    Ok(()) => js.kv_create_stream(name, opts, req, done),
                    Err(e) => done(Err(e)),
                }
            }));
        }
        self.kv_create_stream(name, opts, req, done)
    }

    fn kv_create_stream(&self, name: String, opts: KvOptions, req: ApiRequest, done: Done<Kv>) {
        let js = self.with_timeout(opts.timeout);
        let bind = js.clone();
        js.call(
            req,
            ErrorContext::Kv,
            Box::new(move |r| match r {
                Ok(json) => done(StreamInfo::from_json(json).and_then(|i| bind.bind(&name, &i))),
                Err(e) if e.code == ErrorCode::BucketExists => {
                    let js = bind.clone();
                    bind.bucket_info(
                        &name.clone(),
                        Box::new(move |r| {
                            done(r.and_then(|existing| {
                                match opts.config_difference(&name, &existing) {
                                    Some(what) => {
                                        let mut e = e;
                                        e.message = format!(
                                            "bucket {name} exists with a different configuration ({what})"
                                        );
                                        Err(e)
                                    }
                                    None => js.bind(&name, &existing),
                                }
                            }))
                        }),
                    )
                }
                Err(e) => done(Err(e)),
            }),
        );
    }

    /// `Kvm.open()`: binds to an existing bucket (`BUCKET_NOT_FOUND` if none).
    pub fn kv_open(&self, name: String, timeout: Option<f64>, done: Done<Kv>) {
        if let Err(e) = validate_bucket(&name) {
            return done(Err(e));
        }
        let js = self.with_timeout(timeout);
        let bind = js.clone();
        js.bucket_info(
            &name.clone(),
            Box::new(move |r| done(r.and_then(|info| bind.bind(&name, &info)))),
        );
    }

    fn bind(&self, name: &str, info: &StreamInfo) -> Result<Kv, NatsError> {
        Ok(Kv::new(
            self.clone(),
            Bucket::from_stream_info(name, self.api.clone(), info)?,
        ))
    }

    /// `Kvm.list()`: the status of every bucket, page by page.
    pub fn kv_list(&self, done: Done<Vec<KvStatus>>) {
        let pager = Pager::new("streams", None);
        self.list(
            self.api.stream_list(),
            pager,
            Box::new(move |r| done(r.and_then(kv_statuses))),
        );
    }

    /// Every item of a paged list API (`subject`), page after page, in server order.
    pub fn list(&self, subject: String, pager: Pager, done: Done<Vec<Json>>) {
        let state = Rc::new(RefCell::new((pager, Vec::new())));
        self.list_page(subject, state, done);
    }

    fn list_page(
        &self,
        subject: String,
        state: Rc<RefCell<(Pager, Vec<Json>)>>,
        done: Done<Vec<Json>>,
    ) {
        let body = state.borrow().0.next_body();
        let Some(body) = body else {
            let all = std::mem::take(&mut state.borrow_mut().1);
            return done(Ok(all));
        };
        let js = self.clone();
        self.call(
            ApiRequest::new(subject.clone(), body),
            ErrorContext::General,
            Box::new(move |r| {
                let page = r.and_then(|json| state.borrow_mut().0.on_page(json));
                match page {
                    Ok(items) => {
                        state.borrow_mut().1.extend(items);
                        js.list_page(subject, state, done)
                    }
                    Err(e) => done(Err(e)),
                }
            }),
        );
    }
}
