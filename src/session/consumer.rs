//! [`ConsumerRun`]: drives any [`ConsumerMachine`] on a [`Client`] — executes its commands (subscribe,
//! create and delete consumers, flow-control replies), feeds it deliveries, create replies, a timer
//! and the connection's status, and hands its items to a sink, in order.
//!
//! One copy of the run serves every machine type (binary size: a generic run was one 8 KB raw copy
//! per machine type). The run holds the machine as a `Box<dyn Drive>`; the per-type code is the
//! `Drive` impl (each input of the machine, its consecutive items gathered into one type-erased
//! batch) and the sink wrapper that unboxes a batch for the typed [`RunSink`].

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::{Rc, Weak};

use super::client::SubEvent;
use super::{rearm, Alarm, Client};
use crate::client::Status;
use crate::error::NatsError;
use crate::jetstream::ordered::Command;
use crate::jetstream::{ConsumerMachine, Step};
use crate::proto::Msg;
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

/// Consecutive items of one step list, their type erased: a `Vec<M::Item>` (one box per batch,
/// not per item), unboxed again by the typed sink that [`ConsumerRun::start`] wraps.
type Batch = Box<dyn Any>;

/// A [`RunEvent`] of the non-generic run: its items still one erased [`Batch`].
enum Event {
    Started,
    Items(Batch),
    Initialized,
    Ended(Option<NatsError>),
}

/// The typed sink, wrapped by [`ConsumerRun::start`] to take [`Event`]s.
type Sink = Box<dyn FnMut(Event)>;

/// One input to a machine (the [`ConsumerMachine`] methods that produce steps, as data).
enum Input<'a> {
    Start,
    CreateReply(u64, Result<Msg, NatsError>),
    Messages(&'a str, Vec<Msg>),
    Timeout,
    Disconnect,
    Reconnect,
    Paused(bool),
    HandedOut(u64),
    Stop,
}

/// The object-safe face of a [`ConsumerMachine`] that the one non-generic run drives: its steps
/// with consecutive items gathered into one [`Batch`]. The only per-machine code of a run.
trait Drive {
    fn input(&mut self, input: Input<'_>, now: Mono) -> Vec<Step<Batch>>;
    fn poll_timeout(&self) -> Option<Mono>;
    fn is_started(&self) -> bool;
    fn as_any(&self) -> &dyn Any;
}

impl<M: ConsumerMachine + 'static> Drive for M {
    fn input(&mut self, input: Input<'_>, now: Mono) -> Vec<Step<Batch>> {
        let steps = match input {
            Input::Start => self.start(now),
            Input::CreateReply(serial, result) => self.on_create_reply(serial, result, now),
            Input::Messages(subject, msgs) => self.on_messages(subject, msgs, now),
            Input::Timeout => self.handle_timeout(now),
            Input::Disconnect => {
                self.on_disconnect();
                Vec::new()
            }
            Input::Reconnect => self.on_reconnect(now),
            Input::Paused(paused) => self.set_paused(paused),
            Input::HandedOut(count) => self.on_handed_out(count, now),
            Input::Stop => self.stop(),
        };
        // Consecutive items go out together (one boundary crossing per frame, not per item).
        let mut out = Vec::new();
        let mut items: Vec<M::Item> = Vec::new();
        for step in steps {
            let step = match step {
                Step::Item(i) => {
                    items.push(i);
                    continue;
                }
                Step::Command(c) => Step::Command(c),
                Step::Initialized => Step::Initialized,
                Step::Failed(e) => Step::Failed(e),
                Step::Finished => Step::Finished,
            };
            if !items.is_empty() {
                out.push(Step::Item(Box::new(std::mem::take(&mut items)) as Batch));
            }
            out.push(step);
        }
        if !items.is_empty() {
            out.push(Step::Item(Box::new(items) as Batch));
        }
        out
    }
    fn poll_timeout(&self) -> Option<Mono> {
        ConsumerMachine::poll_timeout(self)
    }
    fn is_started(&self) -> bool {
        ConsumerMachine::is_started(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct State {
    machine: Box<dyn Drive>,
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

/// The run itself, one copy for every machine type.
#[derive(Clone)]
struct Run {
    state: Rc<RefCell<State>>,
    sink: Rc<RefCell<Sink>>,
}

struct WeakRun {
    state: Weak<RefCell<State>>,
    sink: Weak<RefCell<Sink>>,
}

impl WeakRun {
    fn upgrade(&self) -> Option<Run> {
        Some(Run {
            state: self.state.upgrade()?,
            sink: self.sink.upgrade()?,
        })
    }
}

/// A running consumer (ends when [`stop`](Self::stop) is called, the machine fails, or the
/// connection closes). Typed by its machine, but the run is one non-generic copy for every machine
/// type: it holds the machine as a trait object, and only the item batching, the sink's unboxing
/// and [`with_machine`](Self::with_machine) are per machine type.
pub struct ConsumerRun<M> {
    run: Run,
    machine: PhantomData<fn() -> M>,
}

impl<M> Clone for ConsumerRun<M> {
    fn clone(&self) -> Self {
        ConsumerRun {
            run: self.run.clone(),
            machine: PhantomData,
        }
    }
}

impl<M: ConsumerMachine + 'static> ConsumerRun<M> {
    /// Starts `machine` on `client`; `timeout_ms` bounds each consumer-create request.
    pub fn start(client: &Client, machine: M, timeout_ms: f64, mut sink: RunSink<M::Item>) -> Self {
        let erased: Sink = Box::new(move |ev: Event| {
            sink(match ev {
                Event::Items(batch) => match batch.downcast::<Vec<M::Item>>() {
                    Ok(items) => RunEvent::Items(*items),
                    Err(_) => return,
                },
                Event::Started => RunEvent::Started,
                Event::Initialized => RunEvent::Initialized,
                Event::Ended(e) => RunEvent::Ended(e),
            })
        });
        ConsumerRun {
            run: Run::start(client, Box::new(machine), timeout_ms, erased),
            machine: PhantomData,
        }
    }

    /// Stops: unsubscribes, deletes the consumer, ends the events with `Ended(None)`.
    pub fn stop(&self) {
        self.run.stop();
    }

    /// Pauses delivery while the application catches up (see [`ConsumerMachine::set_paused`]).
    pub fn set_paused(&self, paused: bool) {
        self.run.input(Input::Paused(paused));
    }

    /// The application took its `count` oldest items out of its buffer (see
    /// [`ConsumerMachine::on_handed_out`]).
    pub fn handed_out(&self, count: u64) {
        self.run.input(Input::HandedOut(count));
    }

    /// Whether the run ended (stopped, failed, finished, or its connection closed).
    pub fn is_ended(&self) -> bool {
        self.run.state.borrow().ended
    }

    /// Reads the machine.
    pub fn with_machine<R>(&self, f: impl FnOnce(&M) -> R) -> R {
        let st = self.run.state.borrow();
        match st.machine.as_any().downcast_ref::<M>() {
            Some(m) => f(m),
            // `start` boxed an `M`: a `ConsumerRun<M>` holds nothing else.
            None => unreachable!(),
        }
    }
}

impl Run {
    fn start(client: &Client, machine: Box<dyn Drive>, timeout_ms: f64, sink: Sink) -> Run {
        let run = Run {
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
                run.input(Input::Timeout);
            }
        }));
        run.state.borrow_mut().alarm = Some(alarm);
        let weak = run.downgrade();
        let listener = client.on_status(Rc::new(move |s: &Status| {
            let Some(run) = weak.upgrade() else { return };
            match s {
                Status::Disconnect { .. } => run.input(Input::Disconnect),
                Status::Reconnect { .. } => run.input(Input::Reconnect),
                _ => {}
            }
        }));
        run.state.borrow_mut().status_listener = Some(listener);
        run.input(Input::Start);
        run
    }

    fn stop(&self) {
        self.input(Input::Stop);
        self.end(None);
    }

    fn downgrade(&self) -> WeakRun {
        WeakRun {
            state: Rc::downgrade(&self.state),
            sink: Rc::downgrade(&self.sink),
        }
    }

    /// Runs one input on the machine, then acts on its steps (without holding the state borrow
    /// while callbacks run).
    fn input(&self, input: Input<'_>) {
        let steps = {
            let mut st = self.state.borrow_mut();
            if st.ended {
                return;
            }
            let now = st.client.link().now();
            st.machine.input(input, now)
        };
        self.act(steps);
    }

    /// Acts on a machine's steps (one copy for every `input` call site and machine type).
    fn act(&self, steps: Vec<Step<Batch>>) {
        let newly_started = {
            let mut st = self.state.borrow_mut();
            let now_started = !st.started && st.machine.is_started();
            st.started |= now_started;
            now_started
        };
        if newly_started {
            self.emit(Event::Started);
        }
        for step in steps {
            match step {
                Step::Item(batch) => self.emit(Event::Items(batch)),
                // A run that ended (a refused SUB) sends nothing more, e.g. no consumer create.
                Step::Command(_) if self.state.borrow().ended => {}
                Step::Command(c) => self.command(c),
                Step::Initialized => self.emit(Event::Initialized),
                Step::Failed(e) => self.end(Some(e)),
                Step::Finished => self.end(None),
            }
        }
        let mut st = self.state.borrow_mut();
        let deadline = st.machine.poll_timeout();
        if let Some(a) = st.alarm.as_mut() {
            rearm(a.as_mut(), deadline);
        }
    }

    fn emit(&self, ev: Event) {
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
                sink(Event::Ended(error));
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

    /// Subscribes to `subject` (in `queue`, if any) and feeds its messages to the machine.
    fn subscribe(&self, client: &Client, subject: String, queue: Option<&str>) {
        let weak = self.downgrade();
        let subj = subject.clone();
        let handler = Box::new(move |ev: SubEvent| {
            let Some(run) = weak.upgrade() else { return };
            match ev {
                SubEvent::Msgs(ms) => run.input(Input::Messages(&subj, ms)),
                SubEvent::Closed(err) => {
                    let current = run.state.borrow().subs.iter().any(|(s, _)| *s == subj);
                    if current && (err.is_some() || client_closed(&run)) {
                        run.end(err);
                    }
                }
            }
        });
        match client.subscribe(&subject, queue, None, handler) {
            Ok(sid) => self.state.borrow_mut().subs.push((subject, sid)),
            Err(e) => self.end(Some(e)),
        }
    }

    fn command(&self, c: Command) {
        let (client, timeout) = {
            let st = self.state.borrow();
            (st.client.clone(), st.timeout_ms)
        };
        match c {
            Command::Subscribe { subject } => self.subscribe(&client, subject, None),
            Command::QueueSubscribe { subject, queue } => {
                self.subscribe(&client, subject, queue.as_deref())
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
                                run.input(Input::CreateReply(serial, result));
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

fn client_closed(run: &Run) -> bool {
    run.state.borrow().client.is_closed()
}
