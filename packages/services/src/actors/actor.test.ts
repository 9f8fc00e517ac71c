import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '@canopy/telemetry';
import { ActorStoppedError, ActorSystem, type ActorType } from './actor.js';

/** The value of one series in the registry's text exposition (undefined if absent). */
function sample(registry: Registry, name: string, actor: ActorType): number | undefined {
  const prefix = `${name}{actor="${actor}"} `;
  for (const line of registry.render().split('\n'))
    if (line.startsWith(prefix)) return Number(line.slice(prefix.length));
  return undefined;
}

/** A promise and the function that resolves it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms for at most `ms`. */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await tick(5);
  }
}

test('the mailbox is bounded: trySend refuses when full, send waits for room then proceeds', async () => {
  const system = new ActorSystem(new Registry());
  const handled: string[] = [];
  const g = gate();
  const a = system.spawn<string>(
    'relay_session',
    () => async (m) => {
      if (m === 'a') await g.wait;
      handled.push(m);
    },
    { capacity: 2 },
  );
  assert.equal(a.capacity, 2);
  assert.equal(a.trySend('a'), true);
  assert.equal(a.trySend('b'), true);
  assert.equal(a.trySend('x'), false, 'a full mailbox refuses');
  assert.equal(a.depth, 2);
  await tick(); // 'a' is taken by the handler (and blocks on the gate)
  assert.equal(a.depth, 1);
  assert.equal(a.trySend('c'), true);
  assert.equal(a.trySend('y'), false);
  let sent = false;
  const pending = a.send('d').then(() => void (sent = true));
  await tick(20);
  assert.equal(sent, false, 'send waits while the mailbox is full');
  g.open();
  await pending;
  assert.equal(sent, true);
  await until(() => handled.length === 4);
  assert.deepEqual(
    handled,
    ['a', 'b', 'c', 'd'],
    'refused messages are not handled; order is kept',
  );
  system.stop();
});

test('ask resolves with the handler result, in order, with the trace context passed through', async () => {
  const system = new ActorSystem(new Registry());
  const traces: Array<string | undefined> = [];
  const a = system.spawn<number, number>('replay_sync', () => async (n, ctx) => {
    traces.push(ctx.trace?.traceparent);
    await tick(1);
    return n * 2;
  });
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const results = await Promise.all([a.ask(1, { traceparent: tp }), a.ask(2), a.ask(21)]);
  assert.deepEqual(results, [2, 4, 42]);
  assert.deepEqual(traces, [tp, undefined, undefined]);
  system.stop();
});

test('a throwing handler is a panic: counted, the asker gets the error, the actor restarts from its factory after a backoff', async () => {
  const registry = new Registry();
  const system = new ActorSystem(registry);
  let built = 0;
  const panics: unknown[] = [];
  const handledAt: number[] = [];
  const a = system.spawn<string, number>(
    'storage_writer',
    () => {
      built++;
      let state = 0; // rebuilt on restart
      return (m) => {
        handledAt.push(performance.now());
        if (m === 'boom') throw new Error('disk on fire');
        return ++state;
      };
    },
    { backoffMs: 60, maxBackoffMs: 200, onPanic: (e) => panics.push(e) },
  );
  assert.equal(built, 1);
  assert.equal(await a.ask('x'), 1);
  assert.equal(await a.ask('x'), 2);
  assert.equal(sample(registry, 'actor_panics_total', 'storage_writer'), 0);
  assert.equal(sample(registry, 'actor_restarts_total', 'storage_writer'), 0);

  const boom = a.ask('boom');
  const after = a.ask('x'); // queued behind the panic
  await assert.rejects(boom, /disk on fire/);
  assert.equal(panics.length, 1);
  assert.equal(sample(registry, 'actor_panics_total', 'storage_writer'), 1);
  assert.equal(await after, 1, 'the restarted handler has fresh state from the factory');
  assert.equal(built, 2);
  assert.equal(sample(registry, 'actor_restarts_total', 'storage_writer'), 1);
  const gap = handledAt[handledAt.length - 1]! - handledAt[handledAt.length - 2]!;
  assert.ok(gap >= 55, `the restart waited for the backoff (${gap.toFixed(1)} ms ≥ 60 ms)`);

  // Consecutive panics double the backoff, up to the maximum.
  await assert.rejects(a.ask('boom'));
  assert.equal(a.currentBackoffMs, 60);
  await assert.rejects(a.ask('boom'));
  assert.equal(a.currentBackoffMs, 120);
  await assert.rejects(a.ask('boom'));
  assert.equal(a.currentBackoffMs, 200);
  assert.equal(await a.ask('x'), 1, 'later messages are still handled');
  assert.equal(sample(registry, 'actor_panics_total', 'storage_writer'), 4);
  assert.equal(sample(registry, 'actor_restarts_total', 'storage_writer'), 4);
  assert.equal(sample(registry, 'actor_messages_total', 'storage_writer'), 8);
  // A success resets the backoff.
  await assert.rejects(a.ask('boom'));
  assert.equal(a.currentBackoffMs, 60);
  await a.ask('x');
  system.stop();
});

test('a rejected promise from an async handler is a panic too; a plain send that panics does not stop the actor', async () => {
  const registry = new Registry();
  const system = new ActorSystem(registry);
  const seen: string[] = [];
  const a = system.spawn<string>(
    'replay_applier',
    () => async (m) => {
      await tick(1);
      if (m === 'bad') throw new Error('nope');
      seen.push(m);
    },
    { backoffMs: 5 },
  );
  await a.send('one');
  await a.send('bad');
  await a.send('two');
  await until(() => seen.length === 2);
  assert.deepEqual(seen, ['one', 'two']);
  assert.equal(sample(registry, 'actor_panics_total', 'replay_applier'), 1);
  assert.equal(sample(registry, 'actor_restarts_total', 'replay_applier'), 1);
  system.stop();
});

test('mailbox depth and lag gauges follow the queue, per actor type (instances of a type share a series)', async () => {
  const registry = new Registry();
  const system = new ActorSystem(registry);
  const g = gate();
  const factory = () => async (m: string) => {
    if (m === 'block') await g.wait;
  };
  const a = system.spawn<string>('relay_fanout', factory);
  const b = system.spawn<string>('relay_fanout', factory);
  assert.equal(sample(registry, 'actor_mailbox_depth', 'relay_fanout'), 0);
  a.trySend('block');
  b.trySend('block');
  for (let i = 0; i < 3; i++) a.trySend('m');
  b.trySend('m');
  await tick();
  assert.equal(a.depth, 3);
  assert.equal(b.depth, 1);
  assert.equal(
    sample(registry, 'actor_mailbox_depth', 'relay_fanout'),
    4,
    'one series for the type',
  );
  assert.equal(
    registry
      .render()
      .split('\n')
      .filter((l) => l.startsWith('actor_mailbox_depth{')).length,
    1,
    'no series per instance',
  );
  await tick(120);
  g.open();
  await until(() => a.depth === 0 && b.depth === 0);
  await tick(5);
  assert.equal(sample(registry, 'actor_mailbox_depth', 'relay_fanout'), 0);
  const lag = sample(registry, 'actor_mailbox_lag_seconds', 'relay_fanout')!;
  assert.ok(lag >= 0.1 && lag < 5, `lag of the last message handled: ${lag} s (waited ≥ 120 ms)`);
  assert.equal(sample(registry, 'actor_messages_total', 'relay_fanout'), 6);
  // Once drained without waiting, the lag is small again.
  await a.ask('m');
  assert.ok(sample(registry, 'actor_mailbox_lag_seconds', 'relay_fanout')! < 0.1);
  system.stop();
});

test('stopWhenDrained handles what is queued, refuses new messages, then stops', async () => {
  const registry = new Registry();
  const system = new ActorSystem(registry);
  const handled: string[] = [];
  const g = gate();
  const a = system.spawn<string, string>('relay_session', () => async (m) => {
    if (m === 'first') await g.wait;
    handled.push(m);
    return m;
  });
  const asks = [a.ask('first'), a.ask('second'), a.ask('third')];
  await tick();
  a.stopWhenDrained();
  assert.equal(a.trySend('late'), false, 'trySend refuses once draining');
  await assert.rejects(a.send('late'), ActorStoppedError, 'send refuses once draining');
  await assert.rejects(a.ask('late'), ActorStoppedError, 'ask refuses once draining');
  g.open();
  assert.deepEqual(await Promise.all(asks), ['first', 'second', 'third']);
  assert.deepEqual(handled, ['first', 'second', 'third']);
  await tick(5);
  assert.equal(a.trySend('later'), false);
  await assert.rejects(a.ask('later'), ActorStoppedError);
  assert.equal(sample(registry, 'actor_mailbox_depth', 'relay_session'), 0);
  system.stop();
});

test('stopWhenDrained on an idle actor stops it at once', async () => {
  const system = new ActorSystem(new Registry());
  const a = system.spawn<string>('relay_session', () => () => {});
  await a.send('x');
  await tick();
  a.stopWhenDrained();
  await assert.rejects(a.send('y'), ActorStoppedError);
  system.stop();
});

test('stop rejects waiting asks and senders blocked on a full mailbox', async () => {
  const registry = new Registry();
  const system = new ActorSystem(registry);
  const g = gate();
  const a = system.spawn<string, string>(
    'storage_backfill',
    () => async (m) => {
      if (m === 'first') await g.wait;
      return m;
    },
    { capacity: 2 },
  );
  const inFlight = a.ask('first');
  await tick();
  const queued = [a.ask('q1'), a.ask('q2')];
  const blocked = a.send('blocked'); // the mailbox is full: waits
  const blockedAsk = a.ask('blocked-ask');
  a.stop();
  for (const q of queued) await assert.rejects(q, ActorStoppedError);
  await assert.rejects(blocked, ActorStoppedError);
  await assert.rejects(blockedAsk, ActorStoppedError);
  assert.equal(sample(registry, 'actor_mailbox_depth', 'storage_backfill'), 0);
  g.open();
  assert.equal(await inFlight, 'first', 'the message being handled completes');
  assert.equal(a.trySend('x'), false);
  await assert.rejects(a.ask('x'), /actor storage_backfill is stopped/);
});

test('ActorSystem.stop stops every actor it spawned', async () => {
  const system = new ActorSystem(new Registry());
  const a = system.spawn<string>('replay_forwarder', () => () => {});
  const b = system.spawn<string>('replay_sync', () => () => {});
  system.stop();
  await assert.rejects(a.send('x'), ActorStoppedError);
  await assert.rejects(b.send('x'), ActorStoppedError);
});
