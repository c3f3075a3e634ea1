//! Runs a KV [`Watcher`] (an ordered push consumer) on a [`WebClient`]: executes its commands,
//! feeds it deliveries, the create replies, a timer and connection status, and hands entries on.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use super::spawn;

use crate::client::Status;
use crate::error::NatsError;
use crate::jetstream::ordered::Command;
use crate::kv::watch::{WatchOutput, Watcher};
use crate::kv::KvEntry;
use crate::time::Mono;
use crate::web::client::{SubEvent, WebClient};
use crate::web::clock::now_ms;
use crate::web::timer::Timer;

/// What a running watch reports.
pub enum WatchEvent {
    /// The consumer exists (sent once, before any entry): `watch()` can resolve.
    Started,
    /// The next entries, in order (those of one WebSocket frame, or fewer).
    Entries(Vec<KvEntry>),
    /// The initial values were delivered (exactly once).
    Initialized,
    /// The watch ended: `None` when stopped or the connection closed, else why it failed.
    Ended(Option<NatsError>),
}

/// Receives the watch's events.
pub type WatchSink = Box<dyn FnMut(WatchEvent)>;

struct State {
    watcher: Watcher,
    client: WebClient,
    timeout_ms: f64,
    /// Deliver subject → sid.
    subs: HashMap<String, u64>,
    timer: Option<Timer>,
    status_listener: Option<u32>,
    started: bool,
    ended: bool,
    /// `Ended` for a sink that was busy when the watch ended (see `finish`).
    pending_end: Option<Option<NatsError>>,
}

/// A running watch (stops when [`stop`](Self::stop) is called or the connection closes).
#[derive(Clone)]
pub struct WatchRun {
    state: Rc<RefCell<State>>,
    sink: Rc<RefCell<WatchSink>>,
}

impl WatchRun {
    /// Starts `watcher` on `client`; `timeout_ms` bounds each consumer-create request.
    pub fn start(
        client: &WebClient,
        watcher: Watcher,
        timeout_ms: f64,
        sink: WatchSink,
    ) -> WatchRun {
        let state = Rc::new(RefCell::new(State {
            watcher,
            client: client.clone(),
            timeout_ms,
            subs: HashMap::new(),
            timer: None,
            status_listener: None,
            started: false,
            ended: false,
            pending_end: None,
        }));
        let run = WatchRun {
            state,
            sink: Rc::new(RefCell::new(sink)),
        };
        let weak = run.downgrade();
        let timer = Timer::new(move || {
            if let Some(run) = WeakRun::upgrade(&weak) {
                if let Some(t) = run.state.borrow_mut().timer.as_mut() {
                    t.fired();
                }
                // May come early (see `input`): the watcher acts only on what is due, and the timer
                // is re-armed for the current deadline.
                run.input(|w, now| w.handle_timeout(now));
            }
        });
        run.state.borrow_mut().timer = Some(timer);
        let weak = run.downgrade();
        let listener = client.on_status(Rc::new(move |s: &Status| {
            let Some(run) = WeakRun::upgrade(&weak) else {
                return;
            };
            match s {
                Status::Disconnect { .. } => run.input(|w, _| {
                    w.on_disconnect();
                    Vec::new()
                }),
                Status::Reconnect { .. } => run.input(|w, now| w.on_reconnect(now)),
                _ => {}
            }
        }));
        run.state.borrow_mut().status_listener = Some(listener);
        run.input(|w, now| w.start(now));
        run
    }

    /// Stops the watch: unsubscribes, deletes the consumer, ends the stream of events.
    pub fn stop(&self) {
        self.input(|w, _| w.stop());
        self.end(None);
    }

    /// Pauses delivery while the application catches up (flow-control replies are held).
    pub fn set_paused(&self, paused: bool) {
        self.input(|w, _| w.set_paused(paused));
    }

    /// The last revision delivered.
    pub fn last_revision(&self) -> u64 {
        self.state.borrow().watcher.last_revision()
    }

    fn downgrade(&self) -> WeakRun {
        WeakRun {
            state: Rc::downgrade(&self.state),
            sink: Rc::downgrade(&self.sink),
        }
    }

    /// Runs one input on the watcher, then acts on its outputs (without holding the state borrow
    /// while user callbacks run).
    fn input(&self, f: impl FnOnce(&mut Watcher, Mono) -> Vec<WatchOutput>) {
        let outputs = {
            let mut st = self.state.borrow_mut();
            if st.ended {
                return;
            }
            f(&mut st.watcher, now_ms())
        };
        self.act(outputs);
    }

    /// Acts on a watcher's outputs (one copy for every `input` call site).
    #[inline(never)]
    fn act(&self, outputs: Vec<WatchOutput>) {
        let newly_started = {
            let mut st = self.state.borrow_mut();
            let now_started = !st.started && st.watcher.is_started();
            st.started |= now_started;
            now_started
        };
        if newly_started {
            self.emit(WatchEvent::Started);
        }
        // Consecutive entries go out together (one boundary crossing per frame, not per entry).
        let mut entries = Vec::new();
        for out in outputs {
            if let WatchOutput::Entry(e) = out {
                entries.push(e);
                continue;
            }
            if !entries.is_empty() {
                self.emit(WatchEvent::Entries(std::mem::take(&mut entries)));
            }
            match out {
                WatchOutput::Command(c) => self.command(c),
                WatchOutput::Initialized => self.emit(WatchEvent::Initialized),
                WatchOutput::Failed(e) => self.end(Some(e)),
                WatchOutput::Entry(_) => {}
            }
        }
        if !entries.is_empty() {
            self.emit(WatchEvent::Entries(entries));
        }
        let mut st = self.state.borrow_mut();
        let deadline = st.watcher.poll_timeout();
        if let Some(t) = st.timer.as_mut() {
            // Every delivery pushes the heartbeat deadline out: rather than a clearTimeout and a
            // setTimeout per message, a timer armed for an earlier time stays and fires early
            // (`handle_timeout` does nothing then, and the timer is re-armed).
            let keep = matches!((t.deadline(), deadline), (Some(armed), Some(d)) if armed <= d);
            if !keep {
                t.arm(deadline, now_ms());
            }
        }
    }

    fn emit(&self, ev: WatchEvent) {
        if self.state.borrow().ended {
            return;
        }
        // A re-entrant emit (a callback that stops the watch) is dropped, not a panic.
        if let Ok(mut sink) = self.sink.try_borrow_mut() {
            sink(ev);
        }
        // The callback may have ended the watch (`stop()` inside it): deliver that end now.
        let ended = self.state.borrow_mut().pending_end.take();
        if let Some(error) = ended {
            self.finish(error);
        }
    }

    /// Hands `Ended` to the sink, then drops the sink: it holds the JS callbacks, and they hold the
    /// JS watcher that owns this run, a cycle the JS garbage collector cannot see through.
    fn finish(&self, error: Option<NatsError>) {
        match self.sink.try_borrow_mut() {
            Ok(mut sink) => {
                sink(WatchEvent::Ended(error));
                *sink = Box::new(|_| {});
            }
            // Ended from inside the sink's own callback: `emit` finishes once that returns.
            Err(_) => self.state.borrow_mut().pending_end = Some(error),
        }
    }

    fn end(&self, error: Option<NatsError>) {
        let (client, subs, listener) = {
            let mut st = self.state.borrow_mut();
            if st.ended {
                return;
            }
            st.ended = true;
            if let Some(t) = st.timer.as_mut() {
                t.cancel();
            }
            (
                st.client.clone(),
                std::mem::take(&mut st.subs),
                st.status_listener.take(),
            )
        };
        for sid in subs.into_values() {
            let _ = client.unsubscribe(sid, None);
        }
        if let Some(id) = listener {
            client.remove_status_listener(id);
        }
        self.finish(error);
    }

    fn command(&self, c: Command) {
        let client = self.state.borrow().client.clone();
        match c {
            Command::Subscribe { subject } => {
                let weak = self.downgrade();
                let subj = subject.clone();
                let handler = Box::new(move |ev: SubEvent| {
                    let Some(run) = WeakRun::upgrade(&weak) else {
                        return;
                    };
                    match ev {
                        SubEvent::Msgs(ms) => run.input(|w, now| w.on_messages(&subj, ms, now)),
                        SubEvent::Closed(err) => {
                            let current = run.state.borrow().subs.contains_key(&subj);
                            if current && (err.is_some() || run.state.borrow().client.is_closed()) {
                                run.end(err);
                            }
                        }
                    }
                });
                match client.subscribe(&subject, None, None, handler) {
                    Ok(sid) => {
                        self.state.borrow_mut().subs.insert(subject, sid);
                    }
                    Err(e) => self.end(Some(e)),
                }
            }
            Command::Unsubscribe { subject } => {
                let sid = self.state.borrow_mut().subs.remove(&subject);
                if let Some(sid) = sid {
                    let _ = client.unsubscribe(sid, None);
                }
            }
            Command::CreateConsumer {
                serial,
                subject,
                body,
            } => {
                let weak = self.downgrade();
                let timeout = self.state.borrow().timeout_ms;
                spawn(Box::pin(async move {
                    let result = client.api_request(&subject, body.as_bytes(), timeout).await;
                    if let Some(run) = WeakRun::upgrade(&weak) {
                        run.input(|w, now| w.on_create_reply(serial, result, now));
                    }
                }));
            }
            Command::DeleteConsumer { subject } => {
                let timeout = self.state.borrow().timeout_ms;
                spawn(Box::pin(async move {
                    let _ = client.request(&subject, b"", None, timeout).await;
                }));
            }
            Command::PublishEmpty { subject } => {
                let _ = client.publish(&subject, None, None, b"");
            }
        }
    }
}

struct WeakRun {
    state: Weak<RefCell<State>>,
    sink: Weak<RefCell<WatchSink>>,
}

impl WeakRun {
    fn upgrade(w: &WeakRun) -> Option<WatchRun> {
        Some(WatchRun {
            state: w.state.upgrade()?,
            sink: w.sink.upgrade()?,
        })
    }
}
