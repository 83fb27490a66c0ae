// The embedded store under bad conditions: a corrupt or foreign directory
// stops startup with a clear message, and a full disk is reported to the
// sender (503) and counted, while the process stays up.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  fetchJson,
  portFlags,
  getMetrics,
  metric,
  nowNs,
  randomSpanId,
  randomTraceId,
  runSpoor,
  startSpoor,
  tempDir,
} from '../lib/spoor.mjs';
import { postTraces, request, span } from '../lib/otlp.mjs';

function bigRequest(bytesPerSpan) {
  const traceId = randomTraceId();
  const start = nowNs();
  const spans = Array.from({ length: 10 }, (_, i) =>
    span({ traceId, spanId: randomSpanId(), name: 'fill', startNs: start, endNs: start + 1000n, attributes: { i, filler: randomBytes(bytesPerSpan).toString('base64') } }),
  );
  return request([{ service: 'full-disk', spans }]);
}

describe('embedded store errors', () => {
  test('a corrupt store stops startup with one clear line', async () => {
    const dir = tempDir('spoor-corrupt-');
    const spoor = await startSpoor({ storage: { type: 'embedded', flags: [`--embedded.directory=${dir}`] } });
    assert.equal(await spoor.stop(), 0);
    const manifest = readdirSync(dir).find((f) => f.startsWith('MANIFEST-'));
    assert.ok(manifest, 'the store has a manifest');
    truncateSync(path.join(dir, manifest), 10);
    const run = await runSpoor(['all-in-one', '--span-storage.type=embedded', `--embedded.directory=${dir}`, ...(await portFlags())]);
    assert.notEqual(run.code, 0, 'startup fails');
    assert.match(run.stderr, /cannot open storage: embedded store: .*(Corruption|corrupt)/i);
    assert.match(run.stderr, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the message names the directory');
  });

  test('a path that is not a directory stops startup with a clear message', async () => {
    const file = path.join(tempDir('spoor-notdir-'), 'a-file');
    writeFileSync(file, 'not a store');
    const run = await runSpoor(['all-in-one', '--span-storage.type=embedded', `--embedded.directory=${file}`, ...(await portFlags())]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /cannot open storage: embedded store: /);
  });

  describe('full disk', () => {
    const mountPoint = tempDir('spoor-fulldisk-');
    let mounted = false;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mountPoint], { stdio: 'ignore' });
      mounted = true;
    } catch {
      // Not root, or no tmpfs: the case cannot be set up here.
    }
    after(() => {
      if (mounted) execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    });

    test('writes on a full disk answer 503, are counted, and the server stays up', { skip: mounted ? false : 'cannot mount a small tmpfs (needs root)' }, async () => {
      const spoor = await startSpoor({
        storage: { type: 'embedded', flags: [`--embedded.directory=${mountPoint}/data`, '--embedded.sync-writes=true'] },
      });
      let refused = null;
      for (let i = 0; i < 400 && refused === null; i++) {
        const res = await postTraces(spoor.baseUrls.otlpHttp, bigRequest(32 * 1024));
        if (res.status !== 200) refused = res;
      }
      assert.ok(refused, 'a write is refused once the disk is full');
      assert.equal(refused.status, 503);
      assert.match(refused.json?.message ?? '', /embedded store/);
      assert.ok(spoor.alive, 'the process is still running');
      const health = await fetchJson(`${spoor.baseUrls.query}/api/services`);
      assert.equal(health.status, 200, 'queries still work');
      const metrics = await getMetrics(spoor);
      assert.ok(metric(metrics, 'spoor_spans_dropped_total', { storage: 'embedded' }) > 0, 'failed writes are counted');
      await spoor.stop().catch(() => {});
    });
  });
});
