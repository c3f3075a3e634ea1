// nats.js core only (for the size comparison).
export { wsconnect } from "@nats-io/nats-core";
