// Spoor to ClickHouse over HTTPS (--clickhouse.tls.*, docs/security.md):
// a real ClickHouse with its https_port and a certificate from an openssl-
// made CA, requiring client certificates; spoor verifies the server and
// presents its own, stores and reads spans; without its certificate, or
// trusting another CA, it refuses to start and says why.

import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clickhouseMissing, startClickHouse } from '../lib/clickhouse.mjs';
import { postTraces, request, span } from '../lib/otlp.mjs';
import { makePki } from '../lib/pki.mjs';
import { nowNs, randomSpanId, randomTraceId, runSpoor, startSpoor, tempDir, waitForTrace } from '../lib/spoor.mjs';

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('ClickHouse over HTTPS with client certificates', { skip: clickhouseMissing() }, () => {
  let pki;
  let clickhouse;
  let httpsPort;
  const database = `spoor_tls_${process.pid}_${Date.now()}`;
  before(async () => {
    const dir = tempDir('spoor-ch-tls-');
    pki = makePki(path.join(dir, 'pki'));
    httpsPort = await freePort();
    clickhouse = await startClickHouse({
      dir: path.join(dir, 'clickhouse'),
      extraConfig: `<https_port>${httpsPort}</https_port>
  <openSSL><server>
    <certificateFile>${pki.file('server.crt')}</certificateFile>
    <privateKeyFile>${pki.file('server.key')}</privateKeyFile>
    <verificationMode>strict</verificationMode>
    <caConfig>${pki.file('ca.crt')}</caConfig>
    <loadDefaultCAFile>false</loadDefaultCAFile>
    <cacheSessions>true</cacheSessions>
    <disableProtocols>sslv2,sslv3</disableProtocols>
  </server></openSSL>`,
    });
  });
  after(async () => {
    await clickhouse?.stop();
  });

  const tlsFlags = (ca, client = true) => [
    '--span-storage.type=clickhouse',
    `--clickhouse.servers=127.0.0.1:${httpsPort}`,
    `--clickhouse.database=${database}`,
    '--clickhouse.tls.enabled',
    `--clickhouse.tls.ca=${pki.file(ca)}`,
    ...(client ? [`--clickhouse.tls.cert=${pki.file('client.crt')}`, `--clickhouse.tls.key=${pki.file('client.key')}`] : []),
  ];

  test('spans are written and read over HTTPS', async () => {
    const spoor = await startSpoor({ storage: 'none', flags: tlsFlags('ca.crt') });
    try {
      const traceId = randomTraceId();
      const start = nowNs() - 1_000_000_000n;
      const res = await postTraces(
        spoor.baseUrls.otlpHttp,
        request([{ service: 'tls-to-clickhouse', spans: [span({ traceId, spanId: randomSpanId(), name: 'GET /', startNs: start, endNs: start + 1000n })] }]),
      );
      assert.equal(res.status, 200);
      const trace = await waitForTrace(spoor.baseUrls.query, traceId);
      assert.equal(trace.spans[0].operationName, 'GET /');
      // Spoor made its tables there, over HTTPS (seen here over the plain port).
      const tables = await clickhouse.query(`SELECT count() FROM system.tables WHERE database = '${database}'`);
      assert.ok(Number(tables.trim()) > 0, tables);
    } finally {
      assert.equal(await spoor.stop(), 0);
    }
  });

  test('without its client certificate, or trusting another CA, spoor does not start, and says why', async () => {
    const noCert = await runSpoor(['all-in-one', ...tlsFlags('ca.crt', false)], { timeoutMs: 20_000 });
    assert.notEqual(noCert.code, 0);
    // With TLS 1.3 the server checks the client certificate after the
    // handshake: its alert can lose the race with closing the connection,
    // and the client then sees the connection reset (seen on a loaded machine).
    assert.match(noCert.stderr, /certificate required|alert|reset by peer/i);
    const otherCa = await runSpoor(['all-in-one', ...tlsFlags('other-ca.crt')], { timeoutMs: 20_000 });
    assert.notEqual(otherCa.code, 0);
    assert.match(otherCa.stderr, /certificate verify failed/);
    const missing = await runSpoor(['all-in-one', '--span-storage.type=clickhouse', `--clickhouse.servers=127.0.0.1:${httpsPort}`, '--clickhouse.tls.enabled', '--clickhouse.tls.ca=/nonexistent/ca.pem'], {
      timeoutMs: 20_000,
    });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--clickhouse\.tls\.ca: \/nonexistent\/ca\.pem/);
  });
});
