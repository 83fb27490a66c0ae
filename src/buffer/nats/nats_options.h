// Settings of the NATS JetStream buffer between collectors and ingesters
// (--nats.* flags; docs/deployment.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spoor {

struct NatsOptions {
  std::vector<std::string> servers = {"nats://127.0.0.1:4222"};
  std::string stream = "spoor-spans";
  std::string subject = "spoor.spans";
  int replicas = 1;
  int64_t max_bytes = int64_t{1} << 30;                 // what the stream holds at most
  int64_t max_age_ns = int64_t{24} * 3600'000'000'000;  // and for how long
  // Window within which JetStream drops a publish whose message ID it saw.
  int64_t duplicate_window_ns = int64_t{120} * 1'000'000'000;
  bool create_stream = true;  // create the stream and consumer when missing

  std::string consumer = "spoor-ingester";  // durable consumer the ingesters share
  // Partitions by trace ID (partitions.h): collectors and ingesters must
  // agree, and the stream is created for one number of them.
  int partitions = 1;
  // Multi-tenancy (--multi-tenancy.enabled): each tenant's batches on
  // subjects of their own (partitions.h); collectors and ingesters agree.
  bool tenants = false;
  // How long an ingester's hold on a partition lasts unrenewed (with tail
  // sampling, partition_owner.h); renewed every third of it.
  int64_t partition_lease_ns = int64_t{15} * 1'000'000'000;
  int fetch_batch = 64;  // messages per fetch
  int64_t ack_wait_ns = int64_t{30} * 1'000'000'000;
  int parallelism = 2;  // fetch-and-write loops per ingester

  // How long a collector waits for JetStream to acknowledge a publish
  // (retrying with the same message ID) before answering UNAVAILABLE.
  int64_t publish_timeout_ns = int64_t{5} * 1'000'000'000;

  // Authentication: a token, a user and password, or a credentials file.
  std::string token;
  std::string user;
  std::string password;
  std::string credentials_file;

  // TLS to the servers (--nats.tls.*): the server verified against the CA
  // file (the system's when empty) and by name; a client certificate for
  // servers that require one.
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;  // "" = the host of each URL
  bool tls_skip_host_verify = false;
};

}  // namespace spoor
