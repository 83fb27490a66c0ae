// Building and sending OTLP trace payloads by hand: OTLP/JSON objects,
// their protobuf encoding (from the project's own .proto files), OTLP/HTTP
// requests and OTLP/gRPC Export calls.

import path from 'node:path';
import { gzipSync } from 'node:zlib';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { PROTO_DIR, fetchBytes, hexToBytes } from './spoor.mjs';

const TRACE_SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
const STATUS_PROTO = 'google/rpc/status.proto';

export const SpanKind = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 };

// ---------------------------------------------------------------------------
// OTLP/JSON builders

/** AnyValue builders in OTLP/JSON form. */
export const value = {
  str: (v) => ({ stringValue: v }),
  bool: (v) => ({ boolValue: v }),
  int: (v) => ({ intValue: String(v) }),
  double: (v) => ({ doubleValue: v }),
  bytes: (buf) => ({ bytesValue: Buffer.from(buf).toString('base64') }),
  array: (values) => ({ arrayValue: { values } }),
  kvlist: (entries) => ({ kvlistValue: { values: entries } }),
};

/** One KeyValue; a plain JS value is typed the way the OTel SDKs type it. */
export function kv(key, v) {
  return { key, value: anyValue(v) };
}

function anyValue(v) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return value.str(v);
  if (typeof v === 'boolean') return value.bool(v);
  if (typeof v === 'bigint') return value.int(v);
  if (typeof v === 'number') return Number.isInteger(v) ? value.int(v) : value.double(v);
  if (Buffer.isBuffer(v)) return value.bytes(v);
  if (Array.isArray(v)) return value.array(v.map(anyValue));
  throw new Error(`no OTLP value for ${typeof v}`);
}

/** KeyValue list from an object: {k: v} -> [kv(k, v)]. */
export function attrs(object) {
  return Object.entries(object).map(([k, v]) => kv(k, v));
}

/**
 * A span in OTLP/JSON form. Times are BigInt nanoseconds; `attributes` may
 * be an object (typed like the SDKs do) or a ready KeyValue list.
 */
export function span({
  traceId,
  spanId,
  parentSpanId,
  name,
  kind = SpanKind.INTERNAL,
  startNs,
  endNs,
  attributes = {},
  events = [],
  links = [],
  status,
  traceState,
  flags,
}) {
  const out = {
    traceId,
    spanId,
    name,
    kind,
    startTimeUnixNano: String(startNs),
    endTimeUnixNano: String(endNs),
    attributes: Array.isArray(attributes) ? attributes : attrs(attributes),
  };
  if (parentSpanId) out.parentSpanId = parentSpanId;
  if (traceState) out.traceState = traceState;
  if (flags !== undefined) out.flags = flags;
  if (events.length) {
    out.events = events.map((e) => ({
      timeUnixNano: String(e.timeNs),
      name: e.name,
      attributes: Array.isArray(e.attributes) ? e.attributes : attrs(e.attributes ?? {}),
    }));
  }
  if (links.length) {
    out.links = links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      ...(l.traceState ? { traceState: l.traceState } : {}),
      attributes: Array.isArray(l.attributes) ? l.attributes : attrs(l.attributes ?? {}),
    }));
  }
  if (status) out.status = status;
  return out;
}

/**
 * An ExportTraceServiceRequest in OTLP/JSON form from
 * [{service, resource: {...}, scopes: [{name, version, attributes, spans}]}]
 * or, for one scope, [{service, resource, spans}].
 */
export function request(resources) {
  return {
    resourceSpans: resources.map((r) => ({
      resource: { attributes: [kv('service.name', r.service), ...attrs(r.resource ?? {})] },
      scopeSpans: (r.scopes ?? [{ spans: r.spans }]).map((s) => ({
        scope: {
          ...(s.name ? { name: s.name } : {}),
          ...(s.version ? { version: s.version } : {}),
          ...(s.attributes ? { attributes: attrs(s.attributes) } : {}),
        },
        spans: s.spans,
      })),
    })),
  };
}

/** Number of spans in an OTLP/JSON request. */
export function countSpans(req) {
  let n = 0;
  for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += (ss.spans ?? []).length;
  return n;
}

// ---------------------------------------------------------------------------
// Protobuf

let protoRoot;

/** The protobufjs Root with the OTLP trace service and google.rpc.Status. */
export function protos() {
  if (!protoRoot) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
    root.loadSync([TRACE_SERVICE_PROTO, STATUS_PROTO], { keepCase: false });
    protoRoot = {
      root,
      ExportTraceServiceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      ExportTraceServiceResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
      Status: root.lookupType('google.rpc.Status'),
    };
  }
  return protoRoot;
}

/**
 * Converts an OTLP/JSON request into the object form protobufjs and
 * grpc-js take: hex IDs become bytes, everything else carries over.
 */
export function toProtoObject(req) {
  const ids = (o) => {
    const out = { ...o };
    for (const key of ['traceId', 'spanId', 'parentSpanId']) {
      if (typeof out[key] === 'string') out[key] = hexToBytes(out[key]);
    }
    return out;
  };
  return {
    resourceSpans: (req.resourceSpans ?? []).map((rs) => ({
      ...rs,
      scopeSpans: (rs.scopeSpans ?? []).map((ss) => ({
        ...ss,
        spans: (ss.spans ?? []).map((s) => ({ ...ids(s), links: (s.links ?? []).map(ids) })),
      })),
    })),
  };
}

/** Protobuf encoding of an OTLP/JSON request. */
export function encodeRequest(req) {
  const { ExportTraceServiceRequest } = protos();
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(toProtoObject(req))).finish());
}

const DECODE_OPTIONS = { longs: String, enums: Number, bytes: String, defaults: false };

export function decodeResponse(bytes) {
  const { ExportTraceServiceResponse } = protos();
  return ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), DECODE_OPTIONS);
}

export function decodeStatus(bytes) {
  const { Status } = protos();
  return Status.toObject(Status.decode(bytes), DECODE_OPTIONS);
}

// ---------------------------------------------------------------------------
// OTLP/HTTP

/**
 * POSTs an OTLP request to {otlpHttp}/v1/traces.
 * encoding: 'json' or 'proto'; gzip: compress the body. `body` may be an
 * OTLP/JSON object (encoded as asked) or a ready string/Buffer.
 * Resolves with {status, headers, bytes, json (JSON answers), proto
 * (decoded ExportTraceServiceResponse or Status for protobuf answers)}.
 */
export async function postTraces(
  otlpHttpUrl,
  body,
  { encoding = 'json', gzip = false, headers = {}, path: urlPath = '/v1/traces', method = 'POST' } = {},
) {
  let payload;
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array) payload = Buffer.from(body);
  else payload = encoding === 'json' ? Buffer.from(JSON.stringify(body)) : encodeRequest(body);
  if (gzip) payload = gzipSync(payload);
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const res = await fetchBytes(`${otlpHttpUrl}${urlPath}`, {
    method,
    headers: { 'content-type': contentType, ...(gzip ? { 'content-encoding': 'gzip' } : {}), ...headers },
    body: payload,
  });
  const type = res.headers.get('content-type') ?? '';
  const out = { ...res, contentType: type };
  if (type.includes('json')) {
    try {
      out.json = JSON.parse(res.bytes.toString('utf8'));
    } catch {
      out.json = undefined;
    }
  }
  if (type.includes('protobuf')) {
    try {
      out.proto = res.status === 200 ? decodeResponse(res.bytes) : decodeStatus(res.bytes);
    } catch (err) {
      out.protoError = err;
    }
  }
  return out;
}

/** POSTs and throws unless the answer is 200 with no rejected spans. */
export async function sendTraces(otlpHttpUrl, body, options) {
  const res = await postTraces(otlpHttpUrl, body, options);
  const rejected = Number(res.json?.partialSuccess?.rejectedSpans ?? res.proto?.partialSuccess?.rejectedSpans ?? 0);
  if (res.status !== 200 || rejected !== 0) {
    throw new Error(`OTLP/HTTP export failed: HTTP ${res.status}, rejected ${rejected}: ${res.bytes.toString('utf8').slice(0, 300)}`);
  }
  return res;
}

// ---------------------------------------------------------------------------
// OTLP/gRPC

let traceServiceClientCtor;

function traceServiceClient() {
  if (!traceServiceClientCtor) {
    const definition = protoLoader.loadSync(TRACE_SERVICE_PROTO, {
      includeDirs: [PROTO_DIR],
      keepCase: false,
      longs: String,
      enums: Number,
      defaults: false,
      oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(definition);
    traceServiceClientCtor = pkg.opentelemetry.proto.collector.trace.v1.TraceService;
  }
  return traceServiceClientCtor;
}

/**
 * Calls TraceService/Export on host:port with an OTLP/JSON request.
 * channelOptions go to the grpc-js client. Resolves with the response
 * object; rejects with the gRPC error.
 */
export function grpcExport(address, req, { timeoutMs = 10_000, channelOptions = {} } = {}) {
  const Client = traceServiceClient();
  const client = new Client(address, grpc.credentials.createInsecure(), channelOptions);
  return new Promise((resolve, reject) => {
    client.Export(toProtoObject(req), { deadline: Date.now() + timeoutMs }, (err, response) => {
      client.close();
      if (err) reject(err);
      else resolve(response);
    });
  });
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/**
 * Calls TraceService/Export with `bytes` as the request message, unchecked,
 * so malformed messages can be sent. channelOptions go to the grpc-js
 * client (e.g. {'grpc.default_compression_algorithm': 2} for gzip).
 * Resolves with the decoded response; rejects with the gRPC error.
 */
export function grpcExportRaw(address, bytes, { timeoutMs = 10_000, channelOptions = {} } = {}) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), channelOptions);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      EXPORT_PATH,
      (b) => b,
      (b) => decodeResponse(b),
      Buffer.from(bytes),
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, response) => {
        client.close();
        if (err) reject(err);
        else resolve(response);
      },
    );
  });
}

export { grpc };
