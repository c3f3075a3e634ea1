//! Helpers for the browser tests: an async mailbox fed by callbacks, timeouts, the server URL.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The WebSocket URL of the test server, chosen by the test script at build time.
pub fn ws_url() -> &'static str {
    option_env!("NATS_WS_URL").unwrap_or("ws://127.0.0.1:8080")
}

/// An unbounded single-threaded queue whose `recv` can be awaited.
pub struct Mailbox<T> {
    inner: Rc<RefCell<(VecDeque<T>, Option<Waker>)>>,
}

impl<T> Clone for Mailbox<T> {
    fn clone(&self) -> Self {
        Mailbox {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Default for Mailbox<T> {
    fn default() -> Self {
        Mailbox {
            inner: Rc::new(RefCell::new((VecDeque::new(), None))),
        }
    }
}

impl<T> Mailbox<T> {
    pub fn push(&self, v: T) {
        let mut g = self.inner.borrow_mut();
        g.0.push_back(v);
        if let Some(w) = g.1.take() {
            w.wake();
        }
    }
    /// The next item; fails the test after `ms` milliseconds.
    pub async fn recv(&self, ms: i32) -> T {
        let next = Recv { mb: self.clone() };
        match select(next, sleep(ms)).await {
            Either::Left(v) => v,
            Either::Right(()) => panic!("nothing arrived within {ms} ms"),
        }
    }
}

struct Recv<T> {
    mb: Mailbox<T>,
}

impl<T> Future for Recv<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut g = self.mb.inner.borrow_mut();
        match g.0.pop_front() {
            Some(v) => Poll::Ready(v),
            None => {
                g.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Resolves after `ms` milliseconds (setTimeout).
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let g = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&g, &JsValue::from_str("setTimeout")).unwrap();
        let f: js_sys::Function = set_timeout.into();
        f.call2(&g, &resolve, &JsValue::from(ms)).unwrap();
    });
    let _ = JsFuture::from(p).await;
}

pub enum Either<A, B> {
    Left(A),
    Right(B),
}

/// Whichever of two futures finishes first.
pub async fn select<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(v));
        }
        Poll::Pending
    })
    .await
}
