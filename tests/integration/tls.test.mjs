// TLS on spoor's listeners (docs/security.md), with certificates made by the
// openssl CLI in the test: the OpenTelemetry JS exporters over TLS and
// mutual TLS (HTTP and gRPC), refused without a client certificate, with one
// from another CA or an expired one; plain HTTP to a TLS port refused while
// spoor keeps running; every HTTP listener (query, admin, sampling, Jaeger,
// Zipkin) over TLS; certificates reloaded when the files change; startup
// refusals that name the flag.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import grpc, { credentials } from '@grpc/grpc-js';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { exportOne } from '../lib/otel_sdk.mjs';
import { makePki } from '../lib/pki.mjs';
import { getMetrics, metric, runSpoor, startSpoor, tempDir, waitFor, waitForTrace } from '../lib/spoor.mjs';

/** An HTTPS request: {status, body}, or throws what the TLS layer said. */
function httpsRequest(url, { ca, cert, key, method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, cert, key, headers, agent: false, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The serial number of the certificate a TLS port presents. */
function peerSerial(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

const tlsFlags = (prefix, pki, { clientCa = false, extra = {} } = {}) => [
  `--${prefix}.tls.enabled`,
  `--${prefix}.tls.cert=${pki.file('server.crt')}`,
  `--${prefix}.tls.key=${pki.file('server.key')}`,
  ...(clientCa ? [`--${prefix}.tls.client-ca=${pki.file('ca.crt')}`] : []),
  ...Object.entries(extra).map(([k, v]) => `--${prefix}.tls.${k}=${v}`),
];

describe('TLS on every listener', () => {
  let pki;
  let spoor;
  let live; // the certificate files spoor reads (replaced by the reload test)
  before(async () => {
    pki = makePki(tempDir('spoor-tls-'));
    live = { cert: pki.file('live.crt'), key: pki.file('live.key') };
    copyFileSync(pki.file('server.crt'), live.cert);
    copyFileSync(pki.file('server.key'), live.key);
    const liveFlags = (prefix) => [`--${prefix}.tls.enabled`, `--${prefix}.tls.cert=${live.cert}`, `--${prefix}.tls.key=${live.key}`, `--${prefix}.tls.reload-interval=100ms`];
    const ca = pki.read('ca.crt');
    spoor = await startSpoor({
      storage: { type: 'memory' },
      flags: [
        ...tlsFlags('collector.otlp.http', pki),
        ...tlsFlags('collector.otlp.grpc', pki),
        ...tlsFlags('collector.grpc', pki),
        ...tlsFlags('collector.http', pki),
        ...tlsFlags('collector.zipkin', pki),
        ...tlsFlags('http-server', pki),
        ...liveFlags('query.http'),
        ...tlsFlags('admin.http', pki),
      ],
      adminProbe: async (adminUrl) => {
        try {
          return (await httpsRequest(`${adminUrl.replace('http:', 'https:')}/`, { ca })).status === 200;
        } catch {
          return false;
        }
      },
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0, 'spoor exits 0 on SIGTERM');
  });

  const https_ = (url) => url.replace('http://', 'https://');

  test('the OTLP/HTTP exporter sends over TLS, verifying the server; the span is queried over TLS', async () => {
    const ca = pki.read('ca.crt');
    const exporter = new OTLPProtoExporter({ url: `${https_(spoor.baseUrls.otlpHttp)}/v1/traces`, httpAgentOptions: { ca } });
    const sent = await exportOne(exporter, 'GET /tls', 'tls-http');
    assert.ok(sent.ok, `export failed: ${sent.error?.message}`);
    let res;
    await waitFor(async () => {
      res = await httpsRequest(`${https_(spoor.baseUrls.query)}/api/traces/${sent.traceId}`, { ca });
      return res.status === 200;
    });
    assert.equal(JSON.parse(res.body).data[0].spans[0].operationName, 'GET /tls');
    // Without the CA, the client refuses spoor's certificate.
    const untrusted = await exportOne(new OTLPProtoExporter({ url: `${https_(spoor.baseUrls.otlpHttp)}/v1/traces` }), 'x', 'tls-http');
    assert.equal(untrusted.ok, false);
  });

  test('the OTLP/gRPC exporter sends over TLS', async () => {
    const exporter = new OTLPGrpcExporter({ url: `https://${spoor.grpcAddress}`, credentials: credentials.createSsl(pki.read('ca.crt')) });
    const sent = await exportOne(exporter, 'rpc over tls', 'tls-grpc');
    assert.ok(sent.ok, `export failed: ${sent.error?.message}`);
    const stored = await httpsRequest(`${https_(spoor.baseUrls.query)}/api/traces/${sent.traceId}`, { ca: pki.read('ca.crt') });
    assert.equal(stored.status, 200);
    // A plaintext gRPC client gets nothing through.
    const plain = await exportOne(new OTLPGrpcExporter({ url: `http://${spoor.grpcAddress}`, timeoutMillis: 2000 }), 'x', 'tls-grpc');
    assert.equal(plain.ok, false);
  });

  test('Jaeger gRPC (14250) speaks TLS', async () => {
    // An empty PostSpans request: answered (OK) over TLS, not over plaintext.
    const call = (creds) =>
      new Promise((resolve) => {
        const client = new grpc.Client(spoor.jaegerGrpcAddress, creds);
        client.makeUnaryRequest('/jaeger.api_v2.CollectorService/PostSpans', (b) => b, (b) => b, Buffer.alloc(0), new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err) => {
          client.close();
          resolve(err);
        });
      });
    assert.equal(await call(credentials.createSsl(pki.read('ca.crt'))), null);
    const plain = await call(credentials.createInsecure());
    assert.equal(plain?.code, grpc.status.UNAVAILABLE);
  });

  test('every HTTP listener speaks TLS: sampling, Jaeger, Zipkin, admin, query', async () => {
    const ca = pki.read('ca.crt');
    const sampling = await httpsRequest(`${https_(spoor.baseUrls.sampling)}/sampling?service=a`, { ca });
    assert.equal(sampling.status, 200, sampling.body);
    const jaeger = await httpsRequest(`${https_(spoor.baseUrls.jaegerHttp)}/api/traces`, { ca, method: 'POST', body: 'x', headers: { 'content-type': 'application/x-thrift' } });
    assert.equal(jaeger.status, 400, 'reached the Jaeger handler, which refuses a bad body');
    const zipkin = await httpsRequest(`${https_(spoor.baseUrls.zipkin)}/api/v2/spans`, { ca, method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } });
    assert.equal(zipkin.status, 202, zipkin.body);
    const metrics = await httpsRequest(`${https_(spoor.baseUrls.admin)}/metrics`, { ca });
    assert.equal(metrics.status, 200);
    const services = await httpsRequest(`${https_(spoor.baseUrls.query)}/api/services`, { ca });
    assert.equal(services.status, 200);
  });

  test('plain HTTP to a TLS port gets no answer, is counted, and spoor keeps serving', async () => {
    await assert.rejects(fetch(`${spoor.baseUrls.query}/api/services`, { signal: AbortSignal.timeout(5000) }));
    const metrics = await httpsRequest(`${https_(spoor.baseUrls.admin)}/metrics`, { ca: pki.read('ca.crt') });
    assert.ok(metric(metrics.body, 'spoor_tls_handshake_failures_total', { server: 'query' }) >= 1, 'the failed handshake is counted');
    assert.equal((await httpsRequest(`${https_(spoor.baseUrls.query)}/api/services`, { ca: pki.read('ca.crt') })).status, 200);
  });

  test('new certificate files are used without a restart', async () => {
    const ca = pki.read('ca.crt');
    const port = spoor.ports.query;
    const before = await peerSerial(port, ca);
    copyFileSync(pki.file('server2.crt'), live.cert);
    copyFileSync(pki.file('server2.key'), live.key);
    const expected = execFileSync('openssl', ['x509', '-in', pki.file('server2.crt'), '-noout', '-serial']).toString().trim().split('=')[1];
    let now;
    await waitFor(async () => (now = await peerSerial(port, ca)) !== before, { description: 'the new certificate served' });
    assert.equal(now.toUpperCase(), expected.toUpperCase());
    // Files that cannot be used (a key of another certificate) leave the
    // last good ones in use, and the failure is counted.
    copyFileSync(pki.file('client.key'), live.key);
    await waitFor(async () => {
      await peerSerial(port, ca); // the files are looked at when a connection arrives
      const m = await httpsRequest(`${https_(spoor.baseUrls.admin)}/metrics`, { ca });
      return metric(m.body, 'spoor_tls_certificate_reloads_total', { listener: '--query.http.tls', result: 'failed' }) >= 1;
    });
    assert.equal((await peerSerial(port, ca)).toUpperCase(), expected.toUpperCase());
    assert.equal((await httpsRequest(`${https_(spoor.baseUrls.query)}/api/services`, { ca })).status, 200);
  });
});

describe('mutual TLS', () => {
  let pki;
  let spoor;
  before(async () => {
    pki = makePki(tempDir('spoor-mtls-'));
    spoor = await startSpoor({
      storage: { type: 'memory' },
      flags: [...tlsFlags('collector.otlp.http', pki, { clientCa: true }), ...tlsFlags('collector.otlp.grpc', pki, { clientCa: true })],
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const url = () => `https://127.0.0.1:${spoor.ports.otlpHttp}/v1/traces`;
  const httpWith = (client) =>
    new OTLPProtoExporter({
      url: url(),
      httpAgentOptions: { ca: pki.read('ca.crt'), ...(client ? { cert: pki.read(`${client}.crt`), key: pki.read(`${client}.key`) } : {}) },
    });
  const grpcWith = (client) =>
    new OTLPGrpcExporter({
      url: `https://${spoor.grpcAddress}`,
      timeoutMillis: 3000,
      credentials: client
        ? credentials.createSsl(pki.read('ca.crt'), pki.read(`${client}.key`), pki.read(`${client}.crt`))
        : credentials.createSsl(pki.read('ca.crt')),
    });

  test('OTLP/HTTP: a client certificate signed by the CA gets in; none, a stranger or an expired one do not', async () => {
    const good = await exportOne(httpWith('client'), 'with cert', 'mtls');
    assert.ok(good.ok, `export failed: ${good.error?.message}`);
    await waitForTrace(spoor.baseUrls.query, good.traceId);
    for (const client of [null, 'stranger', 'expired']) {
      const r = await exportOne(httpWith(client), 'refused', 'mtls');
      assert.equal(r.ok, false, `${client ?? 'no certificate'} must be refused`);
    }
    const m = await getMetrics(spoor);
    assert.ok(metric(m, 'spoor_tls_handshake_failures_total', { server: 'otlp_http' }) >= 3);
  });

  test('OTLP/gRPC: the same', async () => {
    const good = await exportOne(grpcWith('client'), 'grpc with cert', 'mtls-grpc');
    assert.ok(good.ok, `export failed: ${good.error?.message}`);
    await waitForTrace(spoor.baseUrls.query, good.traceId);
    for (const client of [null, 'stranger', 'expired']) {
      const r = await exportOne(grpcWith(client), 'refused', 'mtls-grpc');
      assert.equal(r.ok, false, `${client ?? 'no certificate'} must be refused`);
    }
  });
});

describe('TLS configuration refused at startup, naming the flag', () => {
  let pki;
  before(() => {
    pki = makePki(tempDir('spoor-tls-bad-'));
  });
  const cases = [
    { name: 'enabled without a certificate', flags: ['--query.http.tls.enabled'], says: /--query\.http\.tls\.enabled needs --query\.http\.tls\.cert/ },
    { name: 'a key of another certificate', flags: (p) => ['--query.http.tls.enabled', `--query.http.tls.cert=${p.file('server.crt')}`, `--query.http.tls.key=${p.file('client.key')}`], says: /--query\.http\.tls\.key: .* does not match/ },
    { name: 'a missing file', flags: (p) => ['--collector.zipkin.tls.enabled', `--collector.zipkin.tls.cert=${p.dir}/nope.crt`, `--collector.zipkin.tls.key=${p.file('server.key')}`], says: /--collector\.zipkin\.tls\.cert/ },
    { name: 'an unknown version', flags: (p) => [...tlsFlags('query.http', p, { extra: { 'min-version': '1.4' } })], says: /min-version: '1\.4'/ },
    { name: 'an unknown cipher suite', flags: (p) => [...tlsFlags('query.http', p, { extra: { 'cipher-suites': 'TLS_NOT_A_SUITE' } })], says: /unknown cipher suite 'TLS_NOT_A_SUITE'/ },
    { name: 'TLS 1.3 alone on gRPC', flags: (p) => [...tlsFlags('collector.otlp.grpc', p, { extra: { 'min-version': '1.3' } })], says: /gRPC listeners always accept TLS 1\.2 and 1\.3/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const flags = typeof c.flags === 'function' ? c.flags(pki) : c.flags;
      const r = await runSpoor(['all-in-one', '--span-storage.type=memory', ...flags]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, c.says);
    });
  }
});

describe('TLS versions and cipher suites', () => {
  let pki;
  let spoor;
  before(async () => {
    pki = makePki(tempDir('spoor-tls-versions-'));
    spoor = await startSpoor({
      storage: { type: 'memory' },
      flags: tlsFlags('query.http', pki, { extra: { 'min-version': '1.2', 'max-version': '1.2', 'cipher-suites': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' } }),
    });
  });
  after(async () => {
    if (spoor) assert.equal(await spoor.stop(), 0);
  });

  const connect = (options) =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: spoor.ports.query, ca: pki.read('ca.crt'), servername: 'localhost', ...options }, () => {
        const result = { version: socket.getProtocol(), cipher: socket.getCipher().standardName };
        socket.destroy();
        resolve(result);
      });
      socket.on('error', reject);
    });

  test('the versions and the suite allowed are the ones used; others are refused', async () => {
    assert.deepEqual(await connect({}), { version: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' });
    await assert.rejects(connect({ minVersion: 'TLSv1.3' }));
    await assert.rejects(connect({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }));
  });
});
