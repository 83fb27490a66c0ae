// A collector publishing to NATS over TLS (--nats.tls.*, docs/security.md):
// a real nats-server with a certificate from an openssl-made CA that also
// requires client certificates; the collector verifies it, presents its
// own, and its batches reach the JetStream stream. Without its certificate,
// or trusting another CA, nothing is acknowledged (503) and the log says why.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { natsMissing, startNats, streamStates } from '../lib/nats.mjs';
import { postTraces, request, span } from '../lib/otlp.mjs';
import { makePki } from '../lib/pki.mjs';
import { nowNs, randomSpanId, randomTraceId, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

const oneTrace = () => {
  const traceId = randomTraceId();
  const start = nowNs() - 1_000_000_000n;
  return request([{ service: 'tls-to-nats', spans: [span({ traceId, spanId: randomSpanId(), name: 'publish', startNs: start, endNs: start + 1000n })] }]);
};

describe('NATS over TLS with client certificates', { skip: natsMissing() }, () => {
  let pki;
  let nats;
  before(async () => {
    const dir = tempDir('spoor-nats-tls-');
    pki = makePki(path.join(dir, 'pki'));
    nats = await startNats({
      dir: path.join(dir, 'nats'),
      args: ['--tls', '--tlscert', pki.file('server.crt'), '--tlskey', pki.file('server.key'), '--tlscacert', pki.file('ca.crt'), '--tlsverify'],
    });
  });
  after(async () => {
    await nats?.stop();
  });

  const collector = (ca, client = true) =>
    startSpoor({
      subcommand: 'collector',
      storage: 'none',
      flags: [
        '--buffer.type=nats',
        `--nats.url=tls://127.0.0.1:${nats.port}`,
        '--nats.publish-timeout=2s',
        '--nats.tls.enabled',
        `--nats.tls.ca=${pki.file(ca)}`,
        ...(client ? [`--nats.tls.cert=${pki.file('client.crt')}`, `--nats.tls.key=${pki.file('client.key')}`] : []),
      ],
    });

  test('the collector verifies the server, presents its certificate, and its batches are stored in the stream', async () => {
    const spoor = await collector('ca.crt');
    try {
      let res;
      await waitFor(async () => (res = await postTraces(spoor.baseUrls.otlpHttp, oneTrace())).status === 200, { description: 'a batch acknowledged by JetStream' });
      const streams = await streamStates(nats.monitorPort);
      const spans = streams.find((s) => s.stream === 'spoor-spans');
      assert.ok(spans && spans.messages >= 1, JSON.stringify(streams));
    } finally {
      assert.equal(await spoor.stop(), 0);
    }
  });

  for (const [name, ca, client, says] of [
    ['without its client certificate', 'ca.crt', false, /certificate|handshake|tls|connection/i],
    ['trusting another CA', 'other-ca.crt', true, /certificate verify failed|verif|handshake|tls/i],
  ]) {
    test(`${name}: nothing is acknowledged, and the log says why`, async () => {
      const spoor = await collector(ca, client);
      try {
        const res = await postTraces(spoor.baseUrls.otlpHttp, oneTrace());
        assert.equal(res.status, 503);
        assert.match(spoor.logs, says);
      } finally {
        await spoor.stop();
      }
    });
  }
});
