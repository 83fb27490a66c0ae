// The Ruby jaeger-client gem (Debian's ruby-jaeger-client, gem 1.3) sending
// to spoor unchanged: Thrift compact over UDP to the agent's 6831 port. The
// trace is read back through the Jaeger query API.
//
// Skipped when `ruby` or the gem is not installed (scripts/setup.sh installs
// both).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { jaegerTraceId, startSpoor, tagMap, waitForTrace } from '../lib/spoor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'ruby', 'emit_trace.rb');
const SERVICE = 'ruby-svc';

function rubyMissing() {
  const probe = spawnSync('ruby', ['-e', "require 'jaeger/client'"], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return 'ruby is not installed';
  if (probe.status !== 0) return 'the jaeger-client gem is not installed (apt-get install ruby-jaeger-client)';
  return null;
}

const skip = rubyMissing();

/** Tags as a plain object: {key: {type, value}}. */
const tagsOf = (kvs) => Object.fromEntries(tagMap(kvs));

function byName(tr, name) {
  const span = tr.spans.find((s) => s.operationName === name);
  assert.ok(span, `span ${name} in ${tr.spans.map((s) => s.operationName)}`);
  return span;
}

function parentOf(span) {
  return span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
}

describe('Ruby jaeger-client', { skip: skip ?? false }, () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor();
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  test('UDP sender (Thrift compact, agent port 6831)', async () => {
    const run = spawnSync('ruby', [SCRIPT, String(spoor.ports.jaegerCompact), SERVICE], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 0, `ruby exited ${run.status}: ${run.stderr}`);
    assert.equal(run.stderr, '', 'the client logs no errors');
    const traceId = run.stdout.trim();
    assert.match(traceId, /^[0-9a-f]{16}([0-9a-f]{16})?$/);

    const tr = await waitForTrace(spoor.baseUrls.query, jaegerTraceId(traceId), { minSpans: 3 });
    assert.equal(tr.traceID, jaegerTraceId(traceId));
    assert.equal(tr.spans.length, 3);
    const root = byName(tr, 'GET /checkout');
    const client = byName(tr, 'charge card');
    const internal = byName(tr, 'validate');
    assert.equal(parentOf(root), undefined);
    assert.equal(parentOf(client), root.spanID);
    assert.equal(parentOf(internal), root.spanID);
    for (const span of tr.spans) {
      assert.equal(span.traceID, tr.traceID);
      assert.equal(tr.processes[span.processID].serviceName, SERVICE);
    }

    const rootTags = tagsOf(root.tags);
    assert.deepEqual(rootTags['span.kind'], { type: 'string', value: 'server' });
    assert.deepEqual(rootTags['http.method'], { type: 'string', value: 'GET' });
    assert.deepEqual(rootTags['sampler.type'], { type: 'string', value: 'const' });

    // Ruby Integer, Float and true/false become LONG, DOUBLE and BOOL tags.
    const tags = tagsOf(client.tags);
    assert.deepEqual(tags['span.kind'], { type: 'string', value: 'client' });
    assert.deepEqual(tags['http.status_code'], { type: 'int64', value: 201 });
    assert.deepEqual(tags['payment.amount'], { type: 'float64', value: 12.5 });
    assert.deepEqual(tags['payment.retry'], { type: 'bool', value: false });
    assert.deepEqual(tags['peer.service'], { type: 'string', value: 'payments' });

    assert.deepEqual(tagsOf(internal.tags).error, { type: 'bool', value: true });
    assert.equal(internal.logs.length, 1);
    const fields = tagsOf(internal.logs[0].fields);
    assert.deepEqual(fields.event, { type: 'string', value: 'validation failed' });
    assert.deepEqual(fields.field, { type: 'string', value: 'zip' });
    assert.deepEqual(fields.attempt, { type: 'int64', value: 2 });

    // Times are µs since the epoch; the children lie inside the root.
    assert.ok(Math.abs(root.startTime - Date.now() * 1000) < 60e6, 'start times are µs since the epoch');
    for (const span of tr.spans) assert.ok(Number.isInteger(span.startTime) && span.duration >= 0);
    for (const child of [client, internal]) {
      assert.ok(root.startTime <= child.startTime, `${child.operationName} starts inside the root`);
      assert.ok(child.startTime + child.duration <= root.startTime + root.duration + 1, `${child.operationName} ends inside the root`);
    }
    const log = internal.logs[0];
    assert.ok(log.timestamp >= internal.startTime && log.timestamp <= internal.startTime + internal.duration + 1, 'log time inside the span');
  });
});

