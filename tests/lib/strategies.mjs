// The sampling strategies file of the reference (../shared/REFERENCE.md,
// "Sampling"), and reading a strategy over gRPC, used by the sampling suites.

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { PROTO_DIR } from './spoor.mjs';

export const REFERENCE_STRATEGIES = {
  default_strategy: {
    type: 'probabilistic',
    param: 0.5,
    operation_strategies: [{ operation: 'op0', type: 'probabilistic', param: 0.2 }],
  },
  service_strategies: [
    {
      service: 'foo',
      type: 'probabilistic',
      param: 0.8,
      operation_strategies: [{ operation: 'op6', type: 'probabilistic', param: 0.5 }],
    },
    { service: 'bar', type: 'ratelimiting', param: 5 },
  ],
};

/**
 * SamplingManager/GetSamplingStrategy with a client generated from
 * proto/jaeger/api_v2. Unset message fields come back as null and are left
 * out, so that the answer compares equal to the JSON the HTTP endpoints serve.
 * `headers` are sent as metadata (a tenant).
 */
export function grpcStrategy(address, serviceName, headers = {}) {
  const definition = protoLoader.loadSync('jaeger/api_v2/sampling.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    enums: String,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(definition);
  const client = new pkg.jaeger.api_v2.SamplingManager(address, grpc.credentials.createInsecure());
  const withoutNulls = (v) => {
    if (Array.isArray(v)) return v.map(withoutNulls);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== null)
          .map(([k, x]) => [k, withoutNulls(x)]),
      );
    }
    return v;
  };
  return new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
    client.GetSamplingStrategy({ serviceName }, metadata, { deadline: Date.now() + 10_000 }, (err, response) => {
      client.close();
      if (err) reject(err);
      else resolve(withoutNulls(response));
    });
  });
}
