//! The ordered mode of the pull machine (ADR-17 over pull requests, as nats.js 3): an ephemeral
//! `ack_policy:"none"` consumer named `<prefix>_<serial>` whose messages arrive on
//! `<inbox>.<serial>`. Every delivery must carry the consumer sequence after the last one; a gap,
//! two missed heartbeats, `409 Consumer Deleted`, no responders or a reconnect re-create it: the old
//! inbox is dropped and the old consumer deleted, and a new one starts after the last delivered stream
//! sequence. Its pulls then ask for what the call still lacks. [`OrderedPosition`] outlives a call, so
//! the next `fetch`/`next`/`consume` goes on where the last one stopped.

use super::{
    Notification, Phase, PullConsumer, PullItem, PullMode, PullOptions, PullStep, FETCH_GRACE_MS,
};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::ack::JsMsg;
use crate::jetstream::api::JsApi;
use crate::jetstream::consumer::{DeliverPolicy, OrderedConfig};
use crate::jetstream::error::api_reply;
use crate::jetstream::machine::Step;
use crate::jetstream::ordered::{is_transient, retry_delay_ms, Command};
use crate::jetstream::types::ConsumerInfo;
use crate::proto::Msg;
use crate::time::Mono;

/// Where an ordered consumer stands between its calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderedPosition {
    /// The serial of the current consumer (its name's suffix; 0: none created yet).
    pub serial: u64,
    /// The current consumer's name (empty: none, the next call creates one).
    pub name: String,
    /// Its last consumer sequence delivered.
    pub last_dseq: u64,
    /// The last stream sequence delivered (0: none).
    pub last_sseq: u64,
    /// For a `new` policy that delivered nothing yet: the stream's last sequence at the first create.
    pub new_floor: Option<u64>,
    /// The call that left it had pulls outstanding (or a create in flight): the consumer may have
    /// delivered past `last_dseq` to an inbox nobody reads, so the next call re-creates it.
    pub stale: bool,
}

impl OrderedPosition {
    /// The position of a first consumer `name` (serial 1) whose create reply was `info`.
    pub fn created(name: &str, info: &ConsumerInfo, cfg: &OrderedConfig) -> Self {
        OrderedPosition {
            serial: 1,
            name: if info.name.is_empty() {
                name.to_owned()
            } else {
                info.name.clone()
            },
            last_dseq: 0,
            last_sseq: 0,
            new_floor: (cfg.deliver_policy == DeliverPolicy::New)
                .then_some(info.delivered_stream_seq),
            stale: false,
        }
    }

    /// Where the next consumer starts: after the last delivery, else the configured policy (a `new`
    /// consumer continues after the stream's last sequence at its first creation).
    pub fn next_policy(&self, cfg: &OrderedConfig) -> DeliverPolicy {
        if self.last_sseq > 0 {
            return DeliverPolicy::ByStartSequence(self.last_sseq.saturating_add(1));
        }
        match (cfg.deliver_policy, self.new_floor) {
            (DeliverPolicy::New, Some(floor)) => {
                DeliverPolicy::ByStartSequence(floor.saturating_add(1))
            }
            (policy, _) => policy,
        }
    }
}

/// The ordered state of a [`PullConsumer`].
#[derive(Debug, Clone)]
pub(super) struct Ordered {
    cfg: OrderedConfig,
    prefix: String,
    inbox_base: String,
    pub(super) pos: OrderedPosition,
    failures: u32,
}

impl PullConsumer {
    /// A call on an ordered consumer of `cfg.stream` at `pos`: consumers `<prefix>_<serial>`,
    /// inboxes `<inbox_base>.<serial>`; nothing is acked.
    pub fn ordered(
        api: JsApi,
        cfg: OrderedConfig,
        prefix: String,
        inbox_base: String,
        pos: OrderedPosition,
        opts: PullOptions,
    ) -> PullConsumer {
        let inbox = format!("{inbox_base}.{}", pos.serial);
        let mut m = PullConsumer::new(api, &cfg.stream.clone(), &pos.name, inbox, opts, true);
        m.serial = pos.serial;
        m.ordered = Some(Box::new(Ordered {
            cfg,
            prefix,
            inbox_base,
            pos,
            failures: 0,
        }));
        m
    }

    /// An ordered consumer's position (`None` for a named consumer); `stale` when this call has
    /// pulls outstanding or a create in flight.
    pub fn ordered_position(&self) -> Option<OrderedPosition> {
        let o = self.ordered.as_ref()?;
        let mut pos = o.pos.clone();
        pos.stale |= self.req_msgs > 0 || matches!(self.phase, Phase::Checking(_));
        Some(pos)
    }

    /// Ordered mode: whether `m` is the next delivery (else it is stale, a duplicate, or a gap that
    /// re-creates the consumer). Named consumers take everything.
    pub(super) fn in_order(&mut self, m: &JsMsg, size: u64, out: &mut Vec<PullStep>) -> bool {
        let Some(o) = self.ordered.as_mut() else {
            return true;
        };
        if m.info.consumer != o.pos.name {
            return false;
        }
        if o.pos.last_dseq.checked_add(1) != Some(m.info.consumer_seq) {
            self.recreate(out);
            return false;
        }
        o.pos.last_dseq = m.info.consumer_seq;
        if m.info.stream_seq <= o.pos.last_sseq {
            self.req_msgs = self.req_msgs.saturating_sub(1);
            self.req_bytes = self.req_bytes.saturating_sub(size);
            return false;
        }
        o.pos.last_sseq = m.info.stream_seq;
        true
    }

    /// Ordered mode: drops the inbox and consumer in use and creates the next one (`reset`).
    pub(super) fn recreate(&mut self, out: &mut Vec<PullStep>) {
        let Some(o) = self.ordered.as_mut() else {
            return;
        };
        if self.started {
            out.push(Step::Command(Command::Unsubscribe {
                subject: self.inbox.clone(),
            }));
        }
        if !o.pos.name.is_empty() {
            out.push(Step::Command(Command::DeleteConsumer {
                subject: self.api.consumer_delete(&o.cfg.stream, &o.pos.name),
            }));
        }
        o.pos.serial = o.pos.serial.saturating_add(1);
        o.pos.stale = false;
        o.pos.last_dseq = 0;
        o.pos.name = format!("{}_{}", o.prefix, o.pos.serial);
        self.consumer.clone_from(&o.pos.name);
        self.inbox = format!("{}.{}", o.inbox_base, o.pos.serial);
        let req = o
            .cfg
            .create_request(&self.api, &o.pos.name, "", o.pos.next_policy(&o.cfg));
        self.serial = o.pos.serial;
        self.phase = Phase::Checking(self.serial);
        self.reset_requested();
        self.retry_at = None;
        self.hold_until = None;
        out.push(Step::Item(PullItem::Status(Notification::Reset {
            name: self.consumer.clone(),
        })));
        out.push(Step::Command(Command::Subscribe {
            subject: self.inbox.clone(),
        }));
        out.push(Step::Command(Command::CreateConsumer {
            serial: self.serial,
            subject: req.subject,
            body: req.body,
        }));
    }

    /// Ordered mode: the create reply of the consumer in `Phase::Checking`.
    pub(super) fn on_created(
        &mut self,
        result: Result<Msg, NatsError>,
        now: Mono,
        out: &mut Vec<PullStep>,
    ) {
        let Some(o) = self.ordered.as_mut() else {
            return;
        };
        let info = api_reply(result, o.cfg.error_context).and_then(|j| ConsumerInfo::from_json(&j));
        match info {
            Ok(info) => {
                if o.pos.last_sseq == 0 && o.cfg.deliver_policy == DeliverPolicy::New {
                    o.pos.new_floor.get_or_insert(info.delivered_stream_seq);
                }
                if !info.name.is_empty() {
                    o.pos.name = info.name;
                }
                o.failures = 0;
                self.consumer.clone_from(&o.pos.name);
                Self::notify(
                    out,
                    Notification::Recreated {
                        name: self.consumer.clone(),
                    },
                );
                self.missing = 0;
                self.phase = Phase::Pulling;
                self.reset_requested();
                match self.opts.mode {
                    PullMode::Fetch => {
                        // A call that began with a create: its `expires` runs from its first pull.
                        if self.last_pull == (0, 0) {
                            let grace = if self.opts.no_wait { 0 } else { FETCH_GRACE_MS };
                            self.fetch_end = Some(now.plus((self.opts.expires_ms + grace) as f64));
                        }
                        self.fetch_pull(now, out)
                    }
                    PullMode::Consume => self.consume_pull(now, out),
                }
            }
            Err(e) if is_transient(&e) => {
                o.failures = o.failures.saturating_add(1);
                self.phase = Phase::Waiting;
                self.retry_at = Some(now.plus(retry_delay_ms(o.failures)));
            }
            Err(e)
                if e.code == ErrorCode::StreamNotFound && self.opts.mode == PullMode::Consume =>
            {
                self.missing_resource(e, now, out)
            }
            Err(e) => {
                // The consumer was never made: the next call creates one.
                o.pos.name.clear();
                self.fail(e, out);
            }
        }
    }
}
