// The page: connect to the local nats-server and show the connection state and the server's facts.
import { connect } from "/js/index.js";

const $ = (id) => document.getElementById(id);
function setState(state, text = state) {
  const el = $("state");
  el.className = `state ${state}`;
  el.dataset.state = state;
  el.textContent = text;
}

try {
  const { servers } = await (await fetch("/config.json")).json();
  $("server").textContent = servers.join(", ");
  const nc = await connect({ servers, name: "nats-kv-wasm dashboard" });
  const show = () => {
    const info = nc.info || {};
    $("version").textContent = info.version ?? "–";
    $("server-name").textContent = info.server_name ?? "–";
    $("jetstream").textContent = info.jetstream ? "enabled" : "disabled";
    $("max-payload").textContent = info.max_payload ? `${info.max_payload} bytes` : "–";
  };
  show();
  setState("connected");
  nc.onStatus((s) => {
    if (s.type === "disconnect") setState("disconnected");
    else if (s.type === "reconnecting") setState("reconnecting", "reconnecting…");
    else if (s.type === "reconnect") { setState("connected"); show(); }
    else if (s.type === "close") setState("closed");
  });
} catch (e) {
  setState("error", "not connected");
  $("error").hidden = false;
  $("error").textContent = `${e.code ?? "ERROR"}: ${e.message}`;
}
