#!/usr/bin/env bash
# Writes the binary seeds of fuzz/corpus/: OTLP protobuf requests (encoded
# by protoc from the text below) and gzip/zlib bodies. The text seeds (JSON,
# query strings, times) are kept as they are. Rerun after changing a seed
# here, and commit the output; the fuzzers never write into fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

proto_dir=fuzz/corpus/otlp_proto_fuzz
gzip_dir=fuzz/corpus/gunzip_fuzz
mkdir -p "$proto_dir" "$gzip_dir"

# encode NAME < text-format ExportTraceServiceRequest
encode() {
  protoc --encode=opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest -I proto \
    opentelemetry/proto/collector/trace/v1/trace_service.proto >"$proto_dir/$1.pb"
}

: >"$proto_dir/empty.pb"

encode minimal <<'PB'
resource_spans {
  resource { attributes { key: "service.name" value { string_value: "frontend" } } }
  scope_spans {
    spans {
      trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
      span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
      name: "GET /dispatch"
      kind: SPAN_KIND_SERVER
      start_time_unix_nano: 1485467191639875000
      end_time_unix_nano: 1485467191739875000
    }
  }
}
PB

encode full <<'PB'
resource_spans {
  resource {
    attributes { key: "service.name" value { string_value: "driver" } }
    attributes { key: "host.name" value { string_value: "node-1" } }
    attributes { key: "process.pid" value { int_value: 4242 } }
    dropped_attributes_count: 1
  }
  schema_url: "https://opentelemetry.io/schemas/1.21.0"
  scope_spans {
    scope {
      name: "io.opentelemetry.redis"
      version: "1.2.3"
      attributes { key: "scope.kind" value { string_value: "client" } }
    }
    schema_url: "https://opentelemetry.io/schemas/1.21.0"
    spans {
      trace_id: "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x11"
      span_id: "\x00\x00\x00\x00\x00\x00\x00\x02"
      parent_span_id: "\x00\x00\x00\x00\x00\x00\x00\x01"
      trace_state: "vendor=value"
      flags: 257
      name: "FindDriverIDs"
      kind: SPAN_KIND_CLIENT
      start_time_unix_nano: 1485467191639875000
      end_time_unix_nano: 1485467191649875000
      attributes { key: "db.system" value { string_value: "redis" } }
      attributes { key: "retry" value { bool_value: true } }
      attributes { key: "rows" value { int_value: -17 } }
      attributes { key: "ratio" value { double_value: 0.25 } }
      attributes { key: "payload" value { bytes_value: "\x00\x01\xfe\xff" } }
      attributes {
        key: "tags"
        value { array_value { values { string_value: "a" } values { int_value: 2 } } }
      }
      attributes {
        key: "http.request"
        value {
          kvlist_value {
            values { key: "method" value { string_value: "GET" } }
            values { key: "headers" value { array_value { values { string_value: "x-id" } } } }
          }
        }
      }
      attributes { key: "unset" value { } }
      dropped_attributes_count: 2
      events {
        time_unix_nano: 1485467191640875000
        name: "retry"
        attributes { key: "attempt" value { int_value: 1 } }
        dropped_attributes_count: 1
      }
      events { name: "no time" }
      dropped_events_count: 3
      links {
        trace_id: "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x12"
        span_id: "\x00\x00\x00\x00\x00\x00\x00\x03"
        trace_state: "k=v"
        attributes { key: "opentracing.ref_type" value { string_value: "child_of" } }
        flags: 1
      }
      links { attributes { key: "no.context" value { bool_value: false } } }
      dropped_links_count: 1
      status { code: STATUS_CODE_ERROR message: "redis timeout" }
    }
  }
}
PB

encode several <<'PB'
resource_spans {
  resource { attributes { key: "service.name" value { string_value: "frontend" } } }
  scope_spans {
    scope { name: "http" }
    spans {
      trace_id: "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
      span_id: "\x00\x00\x00\x00\x00\x00\x00\x0a"
      name: "HTTP GET"
      kind: SPAN_KIND_SERVER
      start_time_unix_nano: 1000000000
      end_time_unix_nano: 3000000000
      status { code: STATUS_CODE_OK }
    }
    spans {
      trace_id: "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
      span_id: "\x00\x00\x00\x00\x00\x00\x00\x0b"
      parent_span_id: "\x00\x00\x00\x00\x00\x00\x00\x0a"
      name: "HTTP GET /customer"
      kind: SPAN_KIND_CLIENT
      start_time_unix_nano: 1100000000
      end_time_unix_nano: 2000000000
    }
  }
  scope_spans {
    scope { name: "internal" version: "0.1" }
    spans {
      trace_id: "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
      span_id: "\x00\x00\x00\x00\x00\x00\x00\x0c"
      name: "rejected: 15-byte trace ID"
    }
  }
}
resource_spans {
  resource { attributes { key: "service.name" value { string_value: "customer" } } }
  scope_spans {
    spans {
      trace_id: "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
      span_id: "\x00\x00\x00\x00\x00\x00\x00\x0d"
      parent_span_id: "\x00\x00\x00\x00\x00\x00\x00\x0b"
      name: "SQL SELECT"
      kind: SPAN_KIND_PRODUCER
      start_time_unix_nano: 1200000000
      end_time_unix_nano: 1900000000
    }
    spans {
      trace_id: "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
      span_id: "\x00\x00\x00\x00\x00\x00\x00\x00"
      name: "rejected: zero span ID"
    }
  }
}
resource_spans { resource { } }
PB

# A double of 2^64: JsonWriter once wrote it as an integer literal that
# simdjson, and so DecodeOtlpJson, rejects.
encode regression_double_2_64 <<'PB'
resource_spans {
  scope_spans {
    spans {
      trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
      span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
      attributes { key: "d" value { double_value: 18446744073709551616 } }
    }
  }
}
PB

# gzip bodies: -n leaves out the name and time, so the output is the same
# on every run.
printf '%s' '{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET"}]}]}]}' |
  gzip -n -9 >"$gzip_dir/otlp_json.gz"
gzip -n -9 <"$proto_dir/full.pb" >"$gzip_dir/otlp_proto.gz"
printf '' | gzip -n >"$gzip_dir/empty.gz"
# Compresses 10:1 and more, with back-references.
for _ in $(seq 200); do printf 'span attribute value '; done | gzip -n -9 >"$gzip_dir/repetitive.gz"
# zlib (RFC 1950) rather than gzip: "hello".
printf '\x78\x9c\xcb\x48\xcd\xc9\xc9\x07\x00\x06\x2c\x02\x15' >"$gzip_dir/hello.zlib"
# "abc" in a stored (uncompressed) deflate block: header, block (final,
# stored, LEN 3, NLEN), data, CRC-32, size.
printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x01\x03\x00\xfc\xffabc\xc2\x41\x24\x35\x03\x00\x00\x00' \
  >"$gzip_dir/stored.gz"

# Jaeger api_v2 PostSpansRequest seeds.
jaeger_proto_dir=fuzz/corpus/jaeger_proto_fuzz
mkdir -p "$jaeger_proto_dir"
: >"$jaeger_proto_dir/empty.pb"
protoc --encode=jaeger.api_v2.PostSpansRequest -I proto -I /usr/include jaeger/api_v2/collector.proto \
  >"$jaeger_proto_dir/batch.pb" <<'PB'
batch {
  process { service_name: "frontend" tags { key: "ip" v_type: STRING v_str: "10.0.0.1" } }
  spans {
    trace_id: "\x00\x00\x00\x00\x00\x00\x00\x00\x5b\x8e\xff\xf7\x98\x03\x81\x03"
    span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
    operation_name: "GET /dispatch"
    flags: 1
    start_time { seconds: 1485467191 nanos: 639875000 }
    duration { nanos: 500000 }
    tags { key: "span.kind" v_str: "server" }
    tags { key: "http.status_code" v_type: INT64 v_int64: 200 }
    tags { key: "ratio" v_type: FLOAT64 v_float64: 0.5 }
    tags { key: "error" v_type: BOOL v_bool: true }
    logs { timestamp { seconds: 1485467191 nanos: 640000000 } fields { key: "event" v_str: "retry" } }
    references { trace_id: "\x00\x00\x00\x00\x00\x00\x00\x00\x5b\x8e\xff\xf7\x98\x03\x81\x03" span_id: "\x11\x22\x33\x44\x55\x66\x77\x88" ref_type: CHILD_OF }
  }
}
PB

# Zipkin v2 ListOfSpans seeds.
zipkin_proto_dir=fuzz/corpus/zipkin_proto_fuzz
mkdir -p "$zipkin_proto_dir"
: >"$zipkin_proto_dir/empty.pb"
protoc --encode=zipkin.proto3.ListOfSpans -I proto zipkin/zipkin.proto \
  >"$zipkin_proto_dir/spans.pb" <<'PB'
spans {
  trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
  parent_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x73"
  id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
  kind: SERVER
  name: "get /api"
  timestamp: 1472470996199000
  duration: 207000
  local_endpoint { service_name: "backend" ipv4: "\xc0\xa8\x63\x01" port: 3306 }
  remote_endpoint {
    service_name: "frontend"
    ipv6: "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xc0\x01"
    port: 54321
  }
  annotations { timestamp: 1472470996238000 value: "foo" }
  tags { key: "http.path" value: "/api" }
  tags { key: "error" value: "timeout" }
  tags { key: "otel.scope.name" value: "finagle" }
  debug: true
  shared: true
}
spans {
  trace_id: "\x00\x00\x00\x00\x00\x00\x00\x2a"
  id: "\x00\x00\x00\x00\x00\x00\x00\x01"
  kind: CLIENT
  name: "64-bit trace ID"
}
spans {
  trace_id: "\x01\x02\x03"
  id: "\x00\x00\x00\x00\x00\x00\x00\x02"
  name: "rejected: 3-byte trace ID"
}
PB
