//! [`ConsumerRun`]: drives any [`ConsumerMachine`] on a [`Client`] — executes its commands (subscribe,
//! create and delete consumers, flow-control replies), feeds it deliveries, create replies, a timer
//! and the connection's status, and hands its items to a sink, in order.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::client::SubEvent;
use super::{rearm, Alarm, Client};
use crate::client::Status;
use crate::error::NatsError;
use crate::jetstream::ordered::Command;
use crate::jetstream::{ConsumerMachine, Step};
use crate::time::Mono;

/// What a running consumer reports.
pub enum RunEvent<T> {
    /// The consumer exists (once, before any item): the application's call can resolve.
    Started,
    /// The next items, in order (those of one WebSocket frame, or fewer).
    Items(Vec<T>),
    /// The initial values were delivered (exactly once, for machines that have them).
    Initialized,
    /// The run ended: `None` when stopped or the connection closed, else why it failed.
    Ended(Option<NatsError>),
}

/// Receives a run's events.
pub type RunSink<T> = Box<dyn FnMut(RunEvent<T>)>;

struct State<M> {
    machine: M,
    client: Client,
    timeout_ms: f64,
    /// Deliver subject → sid.
    subs: Vec<(String, u64)>,
    alarm: Option<Box<dyn Alarm>>,
    status_listener: Option<u32>,
    started: bool,
    ended: bool,
    /// `Ended` for a sink that was busy when the run ended (see `finish`).
    pending_end: Option<Option<NatsError>>,
}

/// A running consumer (ends when [`stop`](Self::stop) is called, the machine fails, or the
/// connection closes).
pub struct ConsumerRun<M: ConsumerMachine> {
    state: Rc<RefCell<State<M>>>,
    sink: Rc<RefCell<RunSink<M::Item>>>,
}

impl<M: ConsumerMachine> Clone for ConsumerRun<M> {
    fn clone(&self) -> Self {
        ConsumerRun {
            state: self.state.clone(),
            sink: self.sink.clone(),
        }
    }
}

struct WeakRun<M: ConsumerMachine> {
    state: Weak<RefCell<State<M>>>,
    sink: Weak<RefCell<RunSink<M::Item>>>,
}

impl<M: ConsumerMachine> WeakRun<M> {
    fn upgrade(&self) -> Option<ConsumerRun<M>> {
        Some(ConsumerRun {
            state: self.state.upgrade()?,
            sink: self.sink.upgrade()?,
        })
    }
}

impl<M: ConsumerMachine + 'static> ConsumerRun<M> {
    /// Starts `machine` on `client`; `timeout_ms` bounds each consumer-create request.
    pub fn start(client: &Client, machine: M, timeout_ms: f64, sink: RunSink<M::Item>) -> Self {
        let run = ConsumerRun {
            state: Rc::new(RefCell::new(State {
                machine,
                client: client.clone(),
                timeout_ms,
                subs: Vec::new(),
                alarm: None,
                status_listener: None,
                started: false,
                ended: false,
                pending_end: None,
            })),
            sink: Rc::new(RefCell::new(sink)),
        };
        let weak = run.downgrade();
        let alarm = client.link().timer(Box::new(move || {
            if let Some(run) = weak.upgrade() {
                if let Some(a) = run.state.borrow_mut().alarm.as_mut() {
                    a.fired();
                }
                run.input(|m, now| m.handle_timeout(now));
            }
        }));
        run.state.borrow_mut().alarm = Some(alarm);
        let weak = run.downgrade();
        let listener = client.on_status(Rc::new(move |s: &Status| {
            let Some(run) = weak.upgrade() else { return };
            match s {
                Status::Disconnect { .. } => run.input(|m, _| {
                    m.on_disconnect();
                    Vec::new()
                }),
                Status::Reconnect { .. } => run.input(|m, now| m.on_reconnect(now)),
                _ => {}
            }
        }));
        run.state.borrow_mut().status_listener = Some(listener);
        run.input(|m, now| m.start(now));
        run
    }

    /// Stops: unsubscribes, deletes the consumer, ends the events with `Ended(None)`.
    pub fn stop(&self) {
        self.input(|m, _| m.stop());
        self.end(None);
    }

    /// Pauses delivery while the application catches up (see [`ConsumerMachine::set_paused`]).
    pub fn set_paused(&self, paused: bool) {
        self.input(|m, _| m.set_paused(paused));
    }

    /// The application took its `count` oldest items out of its buffer (see
    /// [`ConsumerMachine::on_handed_out`]).
    pub fn handed_out(&self, count: u64) {
        self.input(|m, now| m.on_handed_out(count, now));
    }

    /// Reads the machine.
    pub fn with_machine<R>(&self, f: impl FnOnce(&M) -> R) -> R {
        f(&self.state.borrow().machine)
    }

    fn downgrade(&self) -> WeakRun<M> {
        WeakRun {
            state: Rc::downgrade(&self.state),
            sink: Rc::downgrade(&self.sink),
        }
    }

    /// Runs one input on the machine, then acts on its steps (without holding the state borrow
    /// while callbacks run).
    fn input(&self, f: impl FnOnce(&mut M, Mono) -> Vec<Step<M::Item>>) {
        let steps = {
            let mut st = self.state.borrow_mut();
            if st.ended {
                return;
            }
            let now = st.client.link().now();
            f(&mut st.machine, now)
        };
        self.act(steps);
    }

    /// Acts on a machine's steps (one copy for every `input` call site).
    #[inline(never)]
    fn act(&self, steps: Vec<Step<M::Item>>) {
        let newly_started = {
            let mut st = self.state.borrow_mut();
            let now_started = !st.started && st.machine.is_started();
            st.started |= now_started;
            now_started
        };
        if newly_started {
            self.emit(RunEvent::Started);
        }
        // Consecutive items go out together (one boundary crossing per frame, not per item).
        let mut items = Vec::new();
        for step in steps {
            let step = match step {
                Step::Item(i) => {
                    items.push(i);
                    continue;
                }
                other => other,
            };
            if !items.is_empty() {
                self.emit(RunEvent::Items(std::mem::take(&mut items)));
            }
            match step {
                // A run that ended (a refused SUB) sends nothing more, e.g. no consumer create.
                Step::Command(_) if self.state.borrow().ended => {}
                Step::Command(c) => self.command(c),
                Step::Initialized => self.emit(RunEvent::Initialized),
                Step::Failed(e) => self.end(Some(e)),
                Step::Finished => self.end(None),
                Step::Item(_) => {}
            }
        }
        if !items.is_empty() {
            self.emit(RunEvent::Items(items));
        }
        let mut st = self.state.borrow_mut();
        let deadline = st.machine.poll_timeout();
        if let Some(a) = st.alarm.as_mut() {
            rearm(a.as_mut(), deadline);
        }
    }

    fn emit(&self, ev: RunEvent<M::Item>) {
        if self.state.borrow().ended {
            return;
        }
        // A re-entrant emit (a callback that stops the run) is dropped, not a panic.
        if let Ok(mut sink) = self.sink.try_borrow_mut() {
            sink(ev);
        }
        // The callback may have ended the run (`stop()` inside it): deliver that end now.
        let ended = self.state.borrow_mut().pending_end.take();
        if let Some(error) = ended {
            self.finish(error);
        }
    }

    /// Hands `Ended` to the sink, then drops the sink: it may hold callbacks that hold the owner of
    /// this run (in JS: a cycle through the wasm boundary that the garbage collector cannot see).
    fn finish(&self, error: Option<NatsError>) {
        match self.sink.try_borrow_mut() {
            Ok(mut sink) => {
                sink(RunEvent::Ended(error));
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
            if let Some(a) = st.alarm.as_mut() {
                a.arm(None);
            }
            (
                st.client.clone(),
                std::mem::take(&mut st.subs),
                st.status_listener.take(),
            )
        };
        for (_, sid) in subs {
            let _ = client.unsubscribe(sid, None);
        }
        if let Some(id) = listener {
            client.remove_status_listener(id);
        }
        self.finish(error);
    }

    fn command(&self, c: Command) {
        let (client, timeout) = {
            let st = self.state.borrow();
            (st.client.clone(), st.timeout_ms)
        };
        match c {
            Command::Subscribe { subject } => {
                let weak = self.downgrade();
                let subj = subject.clone();
                let handler = Box::new(move |ev: SubEvent| {
                    let Some(run) = weak.upgrade() else { return };
                    match ev {
                        SubEvent::Msgs(ms) => run.input(|m, now| m.on_messages(&subj, ms, now)),
                        SubEvent::Closed(err) => {
                            let current = run.state.borrow().subs.iter().any(|(s, _)| *s == subj);
                            if current && (err.is_some() || client_closed(&run)) {
                                run.end(err);
                            }
                        }
                    }
                });
                match client.subscribe(&subject, None, None, handler) {
                    Ok(sid) => self.state.borrow_mut().subs.push((subject, sid)),
                    Err(e) => self.end(Some(e)),
                }
            }
            Command::Unsubscribe { subject } => {
                let sid = {
                    let mut st = self.state.borrow_mut();
                    let i = st.subs.iter().position(|(s, _)| *s == subject);
                    i.map(|i| st.subs.swap_remove(i).1)
                };
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
                let link = client.link().clone();
                // A request refused at once answers inside this call: hand that answer in after
                // this turn, so the machine's inputs never nest.
                let sending = Rc::new(Cell::new(true));
                let in_call = sending.clone();
                client.api_request(
                    &subject,
                    body.as_bytes(),
                    timeout,
                    Box::new(move |result| {
                        let reply = move || {
                            if let Some(run) = weak.upgrade() {
                                run.input(|m, now| m.on_create_reply(serial, result, now));
                            }
                        };
                        if in_call.get() {
                            link.defer(Box::new(reply));
                        } else {
                            reply();
                        }
                    }),
                );
                sending.set(false);
            }
            Command::DeleteConsumer { subject } => {
                client.request(&subject, b"", None, timeout, Box::new(|_| {}));
            }
            Command::PublishEmpty { subject } => {
                let _ = client.publish(&subject, None, None, b"");
            }
            Command::Publish {
                subject,
                reply,
                body,
            } => {
                if let Err(e) = client.publish(&subject, Some(&reply), None, body.as_bytes()) {
                    self.end(Some(e));
                }
            }
        }
    }
}

fn client_closed<M: ConsumerMachine>(run: &ConsumerRun<M>) -> bool {
    run.state.borrow().client.is_closed()
}
