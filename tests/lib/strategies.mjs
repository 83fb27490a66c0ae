// The sampling strategies file of the reference (../shared/REFERENCE.md,
// "Sampling"), used by the sampling suites.

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
