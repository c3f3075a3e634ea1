// Compare-and-swap races between two connections: for every revision exactly one writer wins and the
// other gets WRONG_LAST_REVISION (KEY_EXISTS for create), the history holds one write per revision,
// and modify() counters from both connections add up.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => { ({ stack, browser, page, url } = await openModuleStack()); });
after(() => closeModuleStack({ stack, browser }));

test("update() race: both read revision N, both update at N, exactly one wins per round", async () => {
  const KEYS = 4, ROUNDS = 60; // 1 create + 60 updates per key fit in history 64: nothing is dropped.
  const r = await page.evaluate(async ({ url, KEYS, ROUNDS }) => {
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const kvA = await new nats.Kvm(a).create("casrace", { history: 64 });
    const kvB = await new nats.Kvm(b).open("casrace");
    const problems = [];
    const wins = { A: 0, B: 0 };
    const perKey = {};
    const race = async (k) => {
      const winners = [{ rev: await kvA.create(k, "init"), value: "init" }];
      for (let round = 0; round < ROUNDS; round++) {
        const [ea, eb] = await Promise.all([kvA.get(k), kvB.get(k)]);
        if (ea.revision !== eb.revision) problems.push(`${k}/${round}: A read ${ea.revision}, B read ${eb.revision}`);
        const n = ea.revision;
        const va = `A:${round}`, vb = `B:${round}`;
        // Alternate who is asked first, so neither connection is favoured by call order.
        const calls = round % 2 === 0
          ? [kvA.update(k, va, n), kvB.update(k, vb, n)]
          : [kvB.update(k, vb, n), kvA.update(k, va, n)].reverse();
        const [ra, rb] = await Promise.allSettled(calls);
        const ok = [ra, rb].filter((x) => x.status === "fulfilled");
        if (ok.length !== 1) { problems.push(`${k}/${round}: ${ok.length} winners`); continue; }
        const loser = ra.status === "rejected" ? ra.reason : rb.reason;
        if (!(loser instanceof nats.NatsError) || loser.code !== "WRONG_LAST_REVISION") {
          problems.push(`${k}/${round}: loser got ${loser?.code} ${loser}`);
        }
        const who = ra.status === "fulfilled" ? "A" : "B";
        wins[who]++;
        const rev = ok[0].value;
        if (!(rev > n)) problems.push(`${k}/${round}: new revision ${rev} not after ${n}`);
        winners.push({ rev, value: who === "A" ? va : vb });
        // Everybody now reads the winner.
        const [ga, gb] = await Promise.all([kvA.get(k), kvB.get(k)]);
        if (ga.revision !== rev || gb.revision !== rev || ga.string() !== winners.at(-1).value || gb.string() !== ga.string()) {
          problems.push(`${k}/${round}: after the race A read ${ga.revision}=${ga.string()}, B read ${gb.revision}=${gb.string()}, winner ${rev}`);
        }
      }
      // The history has exactly the winners' writes, one per revision, in order.
      const [ha, hb] = await Promise.all([kvA.history({ key: k }), kvB.history({ key: k })]);
      const hist = ha.map((e) => ({ rev: e.revision, value: e.string(), op: e.operation }));
      const expected = winners.map((w) => ({ ...w, op: "PUT" }));
      if (JSON.stringify(hist) !== JSON.stringify(expected)) problems.push(`${k}: history ${JSON.stringify(hist.slice(0, 5))}… ≠ winners ${JSON.stringify(expected.slice(0, 5))}…`);
      if (JSON.stringify(hb.map((e) => e.revision)) !== JSON.stringify(ha.map((e) => e.revision))) problems.push(`${k}: histories differ between connections`);
      perKey[k] = hist.length;
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: KEYS }, (_, i) => race(`counter.${i}`)));
    const ms = performance.now() - t0;
    const values = (await kvA.status()).values;
    await kvA.destroy();
    await Promise.all([a.close(), b.close()]);
    return { problems: problems.slice(0, 10), problemCount: problems.length, wins, perKey, values, ms };
  }, { url, KEYS, ROUNDS });
  console.log(`update race: ${KEYS * ROUNDS} rounds in ${r.ms.toFixed(0)} ms, wins A ${r.wins.A} / B ${r.wins.B}`);
  assert.deepEqual(r.problems, [], `${r.problemCount} problems`);
  assert.equal(r.wins.A + r.wins.B, KEYS * ROUNDS);
  assert.deepEqual(Object.values(r.perKey), new Array(KEYS).fill(ROUNDS + 1));
  assert.equal(r.values, KEYS * (ROUNDS + 1));
});

test("put({previousSeq}) and delete({previousSeq}) races: one winner per revision", async () => {
  const ROUNDS = 40;
  const r = await page.evaluate(async ({ url, ROUNDS }) => {
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const kvA = await new nats.Kvm(a).create("casrace2", { history: 64 });
    const kvB = await new nats.Kvm(b).open("casrace2");
    const problems = [];
    let rev = await kvA.put("k", "start");
    const writes = [{ rev, op: "PUT", value: "start" }];
    for (let round = 0; round < ROUNDS; round++) {
      // Even rounds race put({previousSeq}), odd rounds race delete({previousSeq}) against put.
      const del = round % 2 === 1;
      const pa = kvA.put("k", `A:${round}`, { previousSeq: rev });
      const pb = del ? kvB.delete("k", { previousSeq: rev }).then(() => "deleted") : kvB.put("k", `B:${round}`, { previousSeq: rev });
      const [ra, rb] = await Promise.allSettled([pa, pb]);
      const ok = [ra, rb].filter((x) => x.status === "fulfilled");
      if (ok.length !== 1) { problems.push(`${round}: ${ok.length} winners`); break; }
      const loser = ra.status === "rejected" ? ra.reason : rb.reason;
      if (!(loser instanceof nats.NatsError) || loser.code !== "WRONG_LAST_REVISION") problems.push(`${round}: loser ${loser?.code} ${loser}`);
      if (ra.status === "fulfilled") {
        rev = ra.value;
        writes.push({ rev, op: "PUT", value: `A:${round}` });
      } else if (del) {
        const h = await kvA.history({ key: "k" });
        rev = h.at(-1).revision;
        writes.push({ rev, op: "DEL", value: "" });
      } else {
        rev = rb.value;
        writes.push({ rev, op: "PUT", value: `B:${round}` });
      }
    }
    const hist = (await kvB.history({ key: "k" })).map((e) => ({ rev: e.revision, op: e.operation, value: e.string() }));
    await kvA.destroy();
    await Promise.all([a.close(), b.close()]);
    return { problems, hist, writes };
  }, { url, ROUNDS });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.hist, r.writes);
  for (let i = 1; i < r.hist.length; i++) assert.ok(r.hist[i].rev > r.hist[i - 1].rev);
});

test("create() race on a new key and on a deleted key: one wins, the other gets KEY_EXISTS", async () => {
  const ROUNDS = 40;
  const r = await page.evaluate(async ({ url, ROUNDS }) => {
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const kvA = await new nats.Kvm(a).create("createrace", { history: 10 });
    const kvB = await new nats.Kvm(b).open("createrace");
    const problems = [];
    const outcome = async (label, k) => {
      const [ra, rb] = await Promise.allSettled([kvA.create(k, "A"), kvB.create(k, "B")]);
      const ok = [ra, rb].filter((x) => x.status === "fulfilled");
      if (ok.length !== 1) { problems.push(`${label}: ${ok.length} winners (${ra.reason?.code} ${rb.reason?.code})`); return; }
      const loser = ra.status === "rejected" ? ra.reason : rb.reason;
      if (!(loser instanceof nats.NatsError) || loser.code !== "KEY_EXISTS") problems.push(`${label}: loser ${loser?.code} ${loser?.message}`);
      const e = await kvA.get(k);
      const want = ra.status === "fulfilled" ? "A" : "B";
      if (!e || e.string() !== want || e.revision !== ok[0].value) problems.push(`${label}: value ${e?.string()}@${e?.revision}, winner ${want}@${ok[0].value}`);
    };
    for (let round = 0; round < ROUNDS; round++) {
      const k = `new.${round}`;
      await outcome(`new ${round}`, k);
      // Over a DEL marker (the create retries at the marker's revision) and over a PURGE marker.
      await kvA.delete(k);
      await outcome(`deleted ${round}`, k);
      await kvB.purge(k);
      await outcome(`purged ${round}`, k);
    }
    await kvA.destroy();
    await Promise.all([a.close(), b.close()]);
    return { problems: problems.slice(0, 10), problemCount: problems.length };
  }, { url, ROUNDS });
  assert.deepEqual(r.problems, [], `${r.problemCount} problems`);
});

test("modify(): 10 concurrent JSON counter increments from two connections end at exactly 10", async () => {
  const r = await page.evaluate(async (url) => {
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const kvA = await new nats.Kvm(a).create("modify", { history: 64 });
    const kvB = await new nats.Kvm(b).open("modify");
    const out = {};
    for (const start of ["absent", "present"]) {
      const key = `counter.${start}`;
      if (start === "present") await kvA.put(key, JSON.stringify({ n: 0 }));
      let calls = 0;
      const inc = (e) => { calls++; const n = e ? e.json().n : 0; return JSON.stringify({ n: n + 1 }); };
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? kvA : kvB).modify(key, inc)));
      const final = await kvB.get(key);
      const hist = (await kvA.history({ key })).map((e) => [e.revision, e.json().n]);
      const revs = results.filter((x) => x.status === "fulfilled").map((x) => x.value).sort((x, y) => x - y);
      out[start] = {
        rejected: results.filter((x) => x.status === "rejected").map((x) => `${x.reason?.code} ${x.reason?.message}`),
        final: final.json().n, finalRev: final.revision, revs, calls,
        hist,
      };
    }
    // fn returning undefined writes nothing and resolves to the current revision.
    const cur = await kvA.get("counter.present");
    out.noop = { rev: await kvB.modify("counter.present", () => undefined), cur: cur.revision, after: (await kvA.get("counter.present")).revision };
    await kvA.destroy();
    await Promise.all([a.close(), b.close()]);
    return out;
  }, url);
  for (const start of ["absent", "present"]) {
    const x = r[start];
    console.log(`modify from ${start}: 10 increments took ${x.calls} calls of fn`);
    assert.deepEqual(x.rejected, [], start);
    assert.equal(x.final, 10, start);
    assert.equal(x.revs.length, 10);
    assert.equal(new Set(x.revs).size, 10, "each modify wrote its own revision");
    assert.equal(x.revs.at(-1), x.finalRev);
    // History: each value one more than the previous, one write per revision.
    const counts = x.hist.map(([, n]) => n);
    assert.deepEqual(counts, start === "absent" ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(x.hist.slice(-10).map(([rev]) => rev), x.revs);
  }
  assert.equal(r.noop.rev, r.noop.cur);
  assert.equal(r.noop.after, r.noop.cur);
});
