//! [`View`]: `view()` — a watch whose entries feed a [`ViewState`]; only the entries that change the
//! visible map go on, with the moments subscribers must be told (a new snapshot is due).

use std::cell::RefCell;
use std::rc::Rc;

use super::consumer::{RunEvent, RunSink};
use super::kv::WatchRun;
use super::Kv;
use crate::error::NatsError;
use crate::kv::{KvEntry, ViewState, WatchOptions};

/// What a view reports.
pub enum ViewEvent {
    /// The watch's consumer exists (`view()` can resolve).
    Started,
    /// Entries that change the map (a PUT sets its key, a DEL/PURGE removes it); `notify`: tell
    /// subscribers now (the map changed since they were last told, and it is ready).
    Changes {
        /// The accepted entries, in order.
        entries: Vec<KvEntry>,
        /// Whether a new snapshot is due.
        notify: bool,
    },
    /// The initial values are in; `notify` as for `Changes`.
    Ready {
        /// Whether a new snapshot is due.
        notify: bool,
    },
    /// The view's watch ended: `None` when closed, else why it failed.
    Ended(Option<NatsError>),
}

/// A live view of a bucket.
pub struct View {
    run: WatchRun,
    state: Rc<RefCell<ViewState>>,
}

impl View {
    /// Starts a view of the keys matching `keys` (all when empty).
    pub fn start(
        kv: &Kv,
        keys: Vec<String>,
        mut sink: Box<dyn FnMut(ViewEvent)>,
    ) -> Result<View, NatsError> {
        let state = Rc::new(RefCell::new(ViewState::new()));
        let st = state.clone();
        let run_sink: RunSink<KvEntry> = Box::new(move |ev| match ev {
            RunEvent::Started => sink(ViewEvent::Started),
            RunEvent::Items(es) => {
                let (entries, notify) = {
                    let mut s = st.borrow_mut();
                    let entries: Vec<KvEntry> = es.into_iter().filter(|e| s.apply(e)).collect();
                    (entries, s.take_notify())
                };
                if !entries.is_empty() {
                    sink(ViewEvent::Changes { entries, notify });
                }
            }
            RunEvent::Initialized => {
                let notify = {
                    let mut s = st.borrow_mut();
                    s.set_ready();
                    s.take_notify()
                };
                sink(ViewEvent::Ready { notify });
            }
            RunEvent::Ended(e) => sink(ViewEvent::Ended(e)),
        });
        let opts = WatchOptions {
            keys,
            ..WatchOptions::default()
        };
        let run = kv.watch(&opts, run_sink)?;
        Ok(View { run, state })
    }

    /// The highest revision seen (markers included).
    pub fn revision(&self) -> u64 {
        self.state.borrow().revision()
    }

    /// Stops the updates (a second call is harmless).
    pub fn close(&self) {
        self.run.stop();
    }
}
