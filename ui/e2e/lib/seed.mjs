// Traces the browser tests look at, written to spoor over OTLP/HTTP JSON.

import { nowNs, randomSpanId, randomTraceId, waitForTrace } from '../../../tests/lib/spoor.mjs';
import { SpanKind, StatusCode, request, sendTraces, span } from '../../../tests/lib/otlp.mjs';

export const XSS_NAME = '<img src=x onerror=window.__xss=1>';
export const XSS_TAG = '<script>window.__xss=1</script>';
export const LARGE_SPANS = 10_008;

const ms = (n) => BigInt(n) * 1_000_000n;

/**
 * A checkout: frontend → backend → database, with an error, a log and a
 * link. `variant` 'b' adds a cache call and drops the database call, so
 * two checkouts can be compared.
 */
export function checkout(base, variant = 'a') {
  const traceId = randomTraceId();
  const ids = { root: randomSpanId(), client: randomSpanId(), server: randomSpanId(), db: randomSpanId(), cache: randomSpanId() };
  const front = [
    span({
      traceId,
      spanId: ids.root,
      name: 'GET /checkout',
      kind: SpanKind.SERVER,
      startNs: base,
      endNs: base + ms(variant === 'a' ? 120 : 80),
      attributes: { 'http.method': 'GET', 'http.status_code': 500, 'http.route': '/checkout' },
      status: { code: StatusCode.ERROR, message: 'payment failed' },
      events: [{ timeNs: base + ms(5), name: 'cart loaded', attributes: { items: 3 } }],
    }),
    span({
      traceId,
      spanId: ids.client,
      parentSpanId: ids.root,
      name: 'POST /cart',
      kind: SpanKind.CLIENT,
      startNs: base + ms(10),
      endNs: base + ms(100),
      attributes: { 'http.method': 'POST' },
    }),
  ];
  const back = [
    span({
      traceId,
      spanId: ids.server,
      parentSpanId: ids.client,
      name: '/cart',
      kind: SpanKind.SERVER,
      startNs: base + ms(12),
      endNs: base + ms(95),
      attributes: { 'cart.id': 'c-42' },
      links: [{ traceId, spanId: ids.root, attributes: { reason: 'audit' } }],
    }),
  ];
  const store = [];
  if (variant === 'a') {
    store.push(
      span({
        traceId,
        spanId: ids.db,
        parentSpanId: ids.server,
        name: 'SELECT cart',
        kind: SpanKind.CLIENT,
        startNs: base + ms(20),
        endNs: base + ms(90),
        attributes: { 'db.system': 'postgresql' },
      }),
    );
  } else {
    back.push(
      span({
        traceId,
        spanId: ids.cache,
        parentSpanId: ids.server,
        name: 'cache get',
        kind: SpanKind.CLIENT,
        startNs: base + ms(20),
        endNs: base + ms(22),
      }),
    );
  }
  const resources = [
    { service: 'shop-frontend', resource: { 'host.name': 'web-1' }, spans: front },
    { service: 'shop-backend', spans: back },
  ];
  if (store.length) resources.push({ service: 'shop-db', spans: store });
  return { traceId, req: request(resources), spans: front.length + back.length + store.length };
}

function xssTrace(base) {
  const traceId = randomTraceId();
  const spanId = randomSpanId();
  const req = request([
    {
      service: 'xss-service',
      resource: { [XSS_TAG]: XSS_NAME },
      spans: [
        span({
          traceId,
          spanId,
          name: XSS_NAME,
          kind: SpanKind.SERVER,
          startNs: base,
          endNs: base + ms(3),
          attributes: { 'evil.tag': XSS_TAG, [XSS_NAME]: 'key with markup' },
          events: [{ timeNs: base + ms(1), name: XSS_TAG, attributes: { message: XSS_NAME } }],
        }),
      ],
    },
  ]);
  return { traceId, req, spans: 1 };
}

/** 10,008 spans in one trace, sent in six requests; a tree eight wide. */
async function sendLarge(otlpUrl, base) {
  const traceId = randomTraceId();
  const ids = Array.from({ length: LARGE_SPANS }, () => randomSpanId());
  const services = ['large-gateway', 'large-api', 'large-worker', 'large-db'];
  const perRequest = 1_668;
  for (let from = 0; from < LARGE_SPANS; from += perRequest) {
    const bySvc = new Map(services.map((s) => [s, []]));
    for (let i = from; i < Math.min(from + perRequest, LARGE_SPANS); i++) {
      const parent = i === 0 ? undefined : Math.floor((i - 1) / 8);
      const start = base + BigInt(i) * 10_000n;
      const svc = services[i === 0 ? 0 : 1 + (i % 3)];
      bySvc.get(svc).push(
        span({
          traceId,
          spanId: ids[i],
          parentSpanId: parent === undefined ? undefined : ids[parent],
          name: i === 0 ? 'large-root' : `large-op-${i % 5}`,
          startNs: start,
          endNs: i === 0 ? base + BigInt(LARGE_SPANS) * 10_000n + ms(5) : start + 2_000_000n,
          attributes: { index: i },
        }),
      );
    }
    await sendTraces(otlpUrl, request([...bySvc].filter(([, s]) => s.length).map(([service, spans]) => ({ service, spans }))));
  }
  return { traceId, spans: LARGE_SPANS };
}

/**
 * Writes every fixture and waits until each can be read back whole.
 * `large: false` leaves out the 10,008-span trace; `queryUrl` is where the
 * query API is (spoor's query port plus its base path).
 */
export async function seed(spoor, { large: withLarge = true, queryUrl = spoor.baseUrls.query } = {}) {
  const otlp = spoor.baseUrls.otlpHttp;
  const base = nowNs() - 60_000_000_000n;
  const a = checkout(base, 'a');
  const b = checkout(base + ms(2000), 'b');
  const xss = xssTrace(base + ms(4000));
  for (const t of [a, b, xss]) await sendTraces(otlp, t.req);
  const large = withLarge ? await sendLarge(otlp, base + ms(6000)) : null;
  for (const t of [a, b, xss, large].filter(Boolean)) {
    await waitForTrace(queryUrl, t.traceId, { minSpans: t.spans, timeoutMs: 30_000 });
  }
  return { checkoutA: a, checkoutB: b, xss, large };
}
