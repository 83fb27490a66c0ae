# frozen_string_literal: true

# Emits one three-span trace with the jaeger-client gem (Thrift compact over
# UDP to the agent port) and prints its trace ID as hex on stdout.
#
# Usage: ruby emit_trace.rb PORT [SERVICE]

require 'logger'
require 'jaeger/client'

port = Integer(ARGV.fetch(0))
service = ARGV.fetch(1, 'ruby-svc')

tracer = Jaeger::Client.build(
  host: '127.0.0.1',
  port: port,
  service_name: service,
  flush_interval: 1,
  sampler: Jaeger::Samplers::Const.new(true),
  logger: Logger.new($stderr)
)

root = tracer.start_span('GET /checkout', tags: { 'span.kind' => 'server', 'http.method' => 'GET' })
client = tracer.start_span(
  'charge card',
  child_of: root,
  tags: {
    'span.kind' => 'client',
    'http.status_code' => 201,
    'payment.amount' => 12.5,
    'payment.retry' => false,
    'peer.service' => 'payments'
  }
)
client.finish
internal = tracer.start_span('validate', child_of: root)
internal.log_kv(event: 'validation failed', field: 'zip', attempt: 2)
internal.set_tag('error', true)
internal.finish
root.finish

# jaeger-client 1.3 has no Tracer#close: flush the reporter's buffer now
# rather than waiting for its background thread.
tracer.instance_variable_get(:@reporter).flush

puts Jaeger::TraceId.to_hex(root.context.trace_id)
