// A small ride-dispatch application's traffic, sent to spoor over OTLP/HTTP
// JSON: six services calling each other with client and server spans, a
// few failures, and the resource attributes an OpenTelemetry SDK sets.
//
//   frontend  HTTP GET /dispatch (server)
//     ├─ HTTP GET /customer (client) → customer HTTP GET /customer (server)
//     │    └─ SQL SELECT (client) → mysql SQL SELECT (server)
//     ├─ /driver.DriverService/FindNearest (client) → driver (server)
//     │    ├─ FindDriverIDs (client) → redis FindDriverIDs (server)
//     │    └─ GetDriver (client) ×3 → redis GetDriver (server), one in ten fails
//     ├─ HTTP GET /route (client) ×2 → route HTTP GET /route (server)
//     └─ POST /charge (client), to a payment provider that is not traced
//
// Usable as a module (shopTrace, sendShopTraffic) or as a program:
//   node ui/e2e/lib/shop.mjs --otlp-http=http://127.0.0.1:4318 --seconds=120 --rate=20

import { pathToFileURL } from 'node:url';
import { randomSpanId, randomTraceId } from '../../../tests/lib/spoor.mjs';
import { SpanKind, StatusCode, request, sendTraces, span } from '../../../tests/lib/otlp.mjs';

export const SHOP_SERVICES = ['customer', 'driver', 'frontend', 'mysql', 'redis', 'route'];
export const ROOT_OPERATION = 'HTTP GET /dispatch';

const SDK = { 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': '2.2.0' };
const US = 1000n; // nanoseconds per microsecond

/** A deterministic pseudo-random source (mulberry32) in [0, 1). */
export function randomSource(seed = 1) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One dispatch request that ends at `endNs` (BigInt): {traceId, failed,
 * spans: {service: [OTLP span]}}. `random` is a () => [0, 1) source.
 */
export function shopTrace(endNs, random = Math.random) {
  const traceId = randomTraceId();
  const spans = Object.fromEntries(SHOP_SERVICES.map((s) => [s, []]));
  const between = (lo, hi) => BigInt(Math.round((lo + (hi - lo) * random()) * 1000)) * US; // ms → ns
  let failed = false;

  // Times are laid out from a start and the root is closed last.
  const total = between(250, 900);
  const start = endNs - total;
  const add = (service, fields) => {
    const s = span({ traceId, spanId: randomSpanId(), ...fields });
    spans[service].push(s);
    return s.spanId;
  };
  const call = ({ from, to, name, parent, at, length, kind = 'http', attributes = {}, error }) => {
    const clientAttrs =
      kind === 'http'
        ? { 'http.request.method': name.split(' ')[1] ?? 'GET', 'server.address': to, 'http.response.status_code': error ? 503 : 200 }
        : kind === 'rpc'
          ? { 'rpc.system': 'grpc', 'rpc.service': 'driver.DriverService', 'rpc.method': 'FindNearest' }
          : attributes;
    const status = error ? { code: StatusCode.ERROR, message: error } : undefined;
    const client = add(from, {
      parentSpanId: parent,
      name,
      kind: SpanKind.CLIENT,
      startNs: at,
      endNs: at + length,
      attributes: clientAttrs,
      status,
    });
    const server = add(to, {
      parentSpanId: client,
      name,
      kind: SpanKind.SERVER,
      startNs: at + 200n * US,
      endNs: at + length - 200n * US,
      attributes: { ...clientAttrs, ...attributes },
      status,
    });
    return { client, server };
  };

  const root = randomSpanId();
  let at = start + between(1, 3);

  // customer → mysql
  const customerLength = between(60, 200);
  const customer = call({ from: 'frontend', to: 'customer', name: 'HTTP GET /customer', parent: root, at, length: customerLength });
  const sqlLength = customerLength - between(20, 40);
  call({
    from: 'customer',
    to: 'mysql',
    name: 'SQL SELECT',
    parent: customer.server,
    at: at + 5n * 1000n * US,
    length: sqlLength,
    kind: 'db',
    attributes: { 'db.system': 'mysql', 'db.statement': 'SELECT * FROM customer WHERE customer_id=?' },
  });
  at += customerLength + between(1, 3);

  // driver → redis
  const driverLength = between(80, 250);
  const driver = call({
    from: 'frontend',
    to: 'driver',
    name: '/driver.DriverService/FindNearest',
    parent: root,
    at,
    length: driverLength,
    kind: 'rpc',
  });
  let t = at + 1000n * US;
  const idsLength = between(5, 20);
  call({
    from: 'driver',
    to: 'redis',
    name: 'FindDriverIDs',
    parent: driver.server,
    at: t,
    length: idsLength,
    kind: 'db',
    attributes: { 'db.system': 'redis', 'db.operation': 'SMEMBERS' },
  });
  t += idsLength;
  const step = (driverLength - idsLength - 4000n * US) / 3n;
  for (let i = 0; i < 3; i++) {
    const timeout = random() < 0.1;
    if (timeout) failed = true;
    call({
      from: 'driver',
      to: 'redis',
      name: 'GetDriver',
      parent: driver.server,
      at: t + 500n * US,
      length: step - 1000n * US,
      kind: 'db',
      attributes: { 'db.system': 'redis', 'db.operation': 'HGETALL' },
      error: timeout ? 'redis timeout' : undefined,
    });
    t += step;
  }
  at += driverLength + between(1, 3);

  // route, twice in parallel
  const routeLength = between(20, 80);
  for (let i = 0; i < 2; i++) {
    call({ from: 'frontend', to: 'route', name: 'HTTP GET /route', parent: root, at: at + BigInt(i) * 1000n * US, length: routeLength });
  }
  at += routeLength + 2000n * US;

  // the payment provider is not traced: a client span with no server
  const declined = random() < 0.05;
  if (declined) failed = true;
  const chargeLength = endNs - at - 2000n * US > 0n ? endNs - at - 2000n * US : 1000n * US;
  add('frontend', {
    parentSpanId: root,
    name: 'POST /charge',
    kind: SpanKind.CLIENT,
    startNs: at,
    endNs: at + chargeLength,
    attributes: {
      'http.request.method': 'POST',
      'server.address': 'payments.example.com',
      'http.response.status_code': declined ? 402 : 200,
    },
    ...(declined ? { status: { code: StatusCode.ERROR, message: 'card declined' } } : {}),
  });

  spans.frontend.push(
    span({
      traceId,
      spanId: root,
      name: ROOT_OPERATION,
      kind: SpanKind.SERVER,
      startNs: start,
      endNs,
      attributes: { 'http.request.method': 'GET', 'http.route': '/dispatch', 'http.response.status_code': declined ? 402 : 200 },
      events: [
        { timeNs: start + 500n * US, name: 'dispatch requested', attributes: { customer: String(100 + Math.floor(random() * 900)) } },
      ],
      ...(declined ? { status: { code: StatusCode.ERROR, message: 'payment failed' } } : {}),
    }),
  );
  return { traceId, failed, spans };
}

/** The OTLP/JSON request for a list of shopTrace() results. */
export function shopRequest(traces) {
  return request(
    SHOP_SERVICES.map((service) => ({
      service,
      resource: { ...SDK, 'host.name': `${service}-1`, 'service.version': '1.4.2' },
      scopes: [{ name: `shop/${service}`, version: '1.4.2', spans: traces.flatMap((t) => t.spans[service]) }],
    })).filter((r) => r.scopes[0].spans.length > 0),
  );
}

/**
 * Sends `rate` traces a second for `seconds` seconds, each ending at the
 * moment it is sent, one request every 200 ms. Resolves with the trace IDs
 * sent ({all, failed}).
 */
export async function sendShopTraffic(otlpHttpUrl, { seconds = 10, rate = 10, seed = 1, onProgress } = {}) {
  const random = randomSource(seed);
  const all = [];
  const failed = [];
  const tickMs = 200;
  const started = Date.now();
  let due = 0;
  for (let tick = 0; Date.now() - started < seconds * 1000; tick++) {
    due += (rate * tickMs) / 1000;
    const n = Math.floor(due);
    due -= n;
    if (n > 0) {
      const end = BigInt(Date.now()) * 1_000_000n;
      const traces = Array.from({ length: n }, (_, i) => shopTrace(end - BigInt(i) * 1_000_000n, random));
      await sendTraces(otlpHttpUrl, shopRequest(traces));
      for (const t of traces) {
        all.push(t.traceId);
        if (t.failed) failed.push(t.traceId);
      }
    }
    if (onProgress && tick % 25 === 0) onProgress(all.length);
    const next = started + (tick + 1) * tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
  }
  return { all, failed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = Object.fromEntries(
    process.argv.slice(2).map((a) => {
      const m = /^--([^=]+)=(.*)$/.exec(a);
      if (!m) {
        console.error('usage: node shop.mjs --otlp-http=http://HOST:PORT [--seconds=N] [--rate=TRACES_PER_SECOND] [--seed=N]');
        process.exit(2);
      }
      return [m[1], m[2]];
    }),
  );
  if (!args['otlp-http']) {
    console.error('usage: node shop.mjs --otlp-http=http://HOST:PORT [--seconds=N] [--rate=TRACES_PER_SECOND] [--seed=N]');
    process.exit(2);
  }
  const sent = await sendShopTraffic(args['otlp-http'], {
    seconds: Number(args.seconds ?? 10),
    rate: Number(args.rate ?? 10),
    seed: Number(args.seed ?? 1),
    onProgress: (n) => console.log(`${n} traces sent`),
  });
  console.log(`sent ${sent.all.length} traces (${sent.failed.length} with an error); one of them: ${sent.all.at(-1)}`);
}
