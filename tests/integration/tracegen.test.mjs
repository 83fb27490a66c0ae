// tools/tracegen against a running spoor: every protocol delivers its 1000
// spans (counted in /metrics per transport and format, and found by
// /api/traces), a bad flag exits 2 naming it, and an unreachable endpoint
// is reported as failures with exit status 1.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { makePki } from '../lib/pki.mjs';
import { fetchJson, freePorts, getMetrics, metric, startSpoor, tempDir, waitFor } from '../lib/spoor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TRACEGEN = process.env.SPOOR_TRACEGEN || path.resolve(HERE, '../../build/tools/tracegen/tracegen');

/** Runs tracegen to completion: {code, stdout, stderr}. */
function tracegen(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(TRACEGEN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const PROTOCOLS = [
  { protocol: 'otlp-grpc', port: (p) => p.grpc, transport: 'grpc', format: 'otlp_proto' },
  { protocol: 'otlp-http', port: (p) => p.otlpHttp, transport: 'http', format: 'otlp_proto' },
  { protocol: 'otlp-http-json', port: (p) => p.otlpHttp, transport: 'http', format: 'otlp_json' },
  { protocol: 'jaeger-udp', port: (p) => p.jaegerCompact, transport: 'udp', format: 'jaeger_compact' },
  { protocol: 'jaeger-http', port: (p) => p.jaegerHttp, transport: 'http', format: 'jaeger_thrift' },
  { protocol: 'zipkin', port: (p) => p.zipkin, transport: 'http', format: 'zipkin_json' },
];

describe('tracegen', { skip: !existsSync(TRACEGEN) && `no tracegen binary at ${TRACEGEN}` }, () => {
  let spoor;
  before(async () => {
    spoor = await startSpoor({ flags: ['--memory.max-traces=100000'] });
  });
  after(async () => {
    await spoor?.stop();
  });

  for (const [i, p] of PROTOCOLS.entries()) {
    test(`${p.protocol}: 1000 spans reach spoor`, async () => {
      const run = await tracegen([
        `--protocol=${p.protocol}`,
        `--endpoint=127.0.0.1:${p.port(spoor.ports)}`,
        '--count=1000',
        '--connections=2',
        `--seed=${1000 + i}`,
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /spans: +sent 1000, /);
      if (p.protocol === 'jaeger-udp') {
        assert.match(run.stdout, /acknowledged unknown \(UDP has no acknowledgements\), failed 0/);
      } else {
        assert.match(run.stdout, /spans: +sent 1000, acknowledged 1000, failed 0/);
      }
      const labels = { transport: p.transport, format: p.format };
      await waitFor(async () => metric(await getMetrics(spoor), 'spoor_spans_accepted_total', labels) === 1000, {
        description: `spoor_spans_accepted_total${JSON.stringify(labels)} = 1000`,
      });
    });
  }

  test('/api/traces finds every trace of every run', async () => {
    // 6 runs of 100 traces of 10 spans, each trace over all 3 services.
    const { body } = await waitFor(
      async () => {
        const res = await fetchJson(`${spoor.baseUrls.query}/api/traces?service=frontend&limit=1500&lookback=1h`);
        return res.body.data.length === 600 ? res : null;
      },
      { description: '600 traces' },
    );
    const spans = body.data.reduce((n, t) => n + t.spans.length, 0);
    assert.equal(spans, 6000);
    const services = await fetchJson(`${spoor.baseUrls.query}/api/services`);
    assert.deepEqual(services.body.data, ['frontend', 'orders', 'payments']);
  });

  test('--rate holds the rate, --progress prints a line per second', async () => {
    const run = await tracegen([
      '--protocol=otlp-http',
      `--endpoint=127.0.0.1:${spoor.ports.otlpHttp}`,
      '--rate=1000',
      '--duration=1500ms',
      '--connections=3',
      '--progress',
    ]);
    assert.equal(run.code, 0, run.stdout);
    // Requests are due every 100 ms: at most 15 of 100 spans in 1.5 s.
    const sent = Number(/spans: +sent (\d+),/.exec(run.stdout)[1]);
    assert.ok(sent >= 500 && sent <= 1500, `sent ${sent}`);
    assert.match(run.stdout, /^ +1s +spans sent \d+ \(\d+\/s\), acknowledged \d+, failed 0$/m);
  });

  test('a bad flag exits 2 with one line naming it', async () => {
    const run = await tracegen(['--rate=fast']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'tracegen: --rate: expected spans per second (0 = as fast as possible): fast\n');
    const unknown = await tracegen(['--protocl=zipkin']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--protocl/);
  });

  test('--help prints the flags and exits 0', async () => {
    const run = await tracegen(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--protocol=NAME/);
  });

  test('an unreachable endpoint is reported as failures, exit 1', async () => {
    const [port] = await freePorts(1); // nothing listens there any more
    for (const protocol of ['otlp-grpc', 'otlp-http', 'zipkin']) {
      const run = await tracegen([`--protocol=${protocol}`, `--endpoint=127.0.0.1:${port}`, '--count=1000']);
      assert.equal(run.code, 1, `${protocol}: ${run.stdout}`);
      assert.match(run.stdout, /spans: +sent 1000, acknowledged 0, failed 1000/, protocol);
      assert.match(run.stdout, /first error: .*(refused|connect)/i, protocol);
    }
  });
});

describe('tracegen over TLS (--tls-ca)', { skip: !existsSync(TRACEGEN) && `no tracegen binary at ${TRACEGEN}` }, () => {
  let spoor;
  let pki;
  before(async () => {
    pki = makePki(tempDir('spoor-tracegen-tls-'));
    const tls = (prefix) => [`--${prefix}.tls.enabled`, `--${prefix}.tls.cert=${pki.file('server.crt')}`, `--${prefix}.tls.key=${pki.file('server.key')}`];
    spoor = await startSpoor({ storage: { type: 'memory' }, flags: [...tls('collector.otlp.grpc'), ...tls('collector.otlp.http'), ...tls('collector.zipkin')] });
  });
  after(async () => {
    await spoor?.stop();
  });

  for (const [protocol, port] of [
    ['otlp-grpc', (p) => p.grpc],
    ['otlp-http', (p) => p.otlpHttp],
    ['zipkin', (p) => p.zipkin],
  ]) {
    test(`${protocol}: acknowledged over TLS, refused without it`, async () => {
      const endpoint = `--endpoint=127.0.0.1:${port(spoor.ports)}`;
      const run = await tracegen([`--protocol=${protocol}`, endpoint, '--count=500', `--tls-ca=${pki.file('ca.crt')}`]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /spans: +sent 500, acknowledged 500, failed 0/);
      const plain = await tracegen([`--protocol=${protocol}`, endpoint, '--count=100', '--timeout=2s']);
      assert.equal(plain.code, 1, plain.stdout + plain.stderr);
      const otherCa = await tracegen([`--protocol=${protocol}`, endpoint, '--count=100', '--timeout=2s', `--tls-ca=${pki.file('other-ca.crt')}`]);
      assert.equal(otherCa.code, 1, otherCa.stdout + otherCa.stderr);
    });
  }

  test('an unreadable CA file is a bad flag', async () => {
    const run = await tracegen(['--tls-ca=/nonexistent/ca.pem', '--count=1']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--tls-ca/);
  });
});
