#include "buffer/nats/nats_connection.h"

#include <nats/nats.h>

#include <atomic>
#include <tuple>
#include <vector>

#include "buffer/nats/partitions.h"
#include "common/log.h"

namespace spoor::nats {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;

// JetStream API error codes (the server's ApiError.err_code).
constexpr int kStreamNameInUse = 10058;
constexpr int kConsumerNotFound = 10014;
constexpr int kStreamStoreFailed = 10077;  // "maximum messages/bytes exceeded" with discard new
constexpr int kInsufficientResources = 10023;

// `closure` is the Connection's `closing` flag: closing disconnects too.
void OnDisconnected(natsConnection* /*nc*/, void* closure) {
  if (!static_cast<std::atomic<bool>*>(closure)->load())
    LogWarn("NATS: disconnected; reconnecting");
}

void OnReconnected(natsConnection* nc, void* /*closure*/) {
  char url[256] = "";
  std::ignore = natsConnection_GetConnectedUrl(nc, url, sizeof url);
  LogInfo("NATS: connected to ", url);
}

}  // namespace

Status FromNats(int status, int js_error, const std::string& what) {
  auto s = static_cast<natsStatus>(status);
  std::string text = what + ": " + natsStatus_GetText(s);
  const char* last = nats_GetLastError(nullptr);
  if (last != nullptr && *last != '\0' && std::string_view(last) != natsStatus_GetText(s)) {
    text += std::string(" (") + last + ")";
  }
  if (js_error != 0) text += " [JetStream error " + std::to_string(js_error) + "]";
  switch (s) {
    case NATS_TIMEOUT:
    case NATS_NO_SERVER:
    case NATS_NOT_YET_CONNECTED:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_RESPONDERS:
    case NATS_STALE_CONNECTION:
    case NATS_IO_ERROR:
    case NATS_INSUFFICIENT_BUFFER: return Unavailable(text);
    default: break;
  }
  if (js_error == kStreamStoreFailed || js_error == kInsufficientResources) {
    return Unavailable(text + ": the stream is full");
  }
  if (js_error == kJsStreamNotFound) return Unavailable(text + ": no such stream");
  return {StatusCode::kInternal, text};
}

Connection::Connection(NatsOptions options) : options_(std::move(options)) {}

Connection::~Connection() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    closing_ = true;
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

namespace {

// TLS of the connection (--nats.tls.*): each failure names its flag and
// what libnats said.
Status ApplyTls(natsOptions* opts, const NatsOptions& o) {
  if (!o.tls) return Status::Ok();
  auto failed = [](natsStatus s, const std::string& flag, const std::string& file) {
    const char* detail = nats_GetLastError(nullptr);
    return InvalidArgument("--nats.tls." + flag + ": " + file + ": " +
                           (detail != nullptr && *detail != '\0' ? detail : natsStatus_GetText(s)));
  };
  natsStatus s = natsOptions_SetSecure(opts, true);
  if (s != NATS_OK) return failed(s, "enabled", "libnats built without TLS");
  if (o.tls_skip_host_verify) {
    s = natsOptions_SkipServerVerification(opts, true);
    if (s != NATS_OK) return failed(s, "skip-host-verify", "");
  } else if (!o.tls_ca_file.empty()) {
    s = natsOptions_LoadCATrustedCertificates(opts, o.tls_ca_file.c_str());
    if (s != NATS_OK) return failed(s, "ca", o.tls_ca_file);
  }
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return InvalidArgument("--nats.tls.cert and --nats.tls.key go together");
  }
  if (!o.tls_cert_file.empty()) {
    s = natsOptions_LoadCertificatesChain(opts, o.tls_cert_file.c_str(), o.tls_key_file.c_str());
    if (s != NATS_OK) return failed(s, "cert", o.tls_cert_file + " / " + o.tls_key_file);
  }
  if (!o.tls_server_name.empty()) {
    s = natsOptions_SetExpectedHostname(opts, o.tls_server_name.c_str());
    if (s != NATS_OK) return failed(s, "server-name", o.tls_server_name);
  }
  return Status::Ok();
}

}  // namespace

Status Connection::Connect(const std::string& client_name) {
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return {StatusCode::kInternal, "NATS: out of memory"};
  std::vector<const char*> servers;
  for (const std::string& s : options_.servers) servers.push_back(s.c_str());
  natsStatus s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetName(opts, client_name.c_str());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 500);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2000);
  // Publishes made while disconnected fail at once (no reconnect buffer):
  // the publisher retries them itself, within its deadline.
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts, 1);
  // With a callback the first connection is made in the background too
  // (without one, Connect would retry for ever before returning).
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(opts, true, OnReconnected, nullptr);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, OnDisconnected, &closing_);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, OnReconnected, nullptr);
  if (s == NATS_OK && !options_.token.empty())
    s = natsOptions_SetToken(opts, options_.token.c_str());
  if (s == NATS_OK && !options_.user.empty()) {
    s = natsOptions_SetUserInfo(opts, options_.user.c_str(), options_.password.c_str());
  }
  if (s == NATS_OK && !options_.credentials_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(opts, options_.credentials_file.c_str(), nullptr);
  }
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return FromNats(s, 0, "NATS: invalid settings");
  }
  if (Status tls = ApplyTls(opts, options_); !tls.ok()) {
    natsOptions_Destroy(opts);
    return tls;
  }
  s = natsConnection_Connect(&nc_, opts);
  natsOptions_Destroy(opts);
  if (s == NATS_NOT_YET_CONNECTED) {
    LogWarn("NATS: cannot reach ", options_.servers.front(), " yet; retrying in the background");
  } else if (s != NATS_OK) {
    return FromNats(s, 0, "NATS: cannot connect");
  } else {
    OnReconnected(nc_, nullptr);
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = 5000;
  s = natsConnection_JetStream(&js_, nc_, &js_options);
  if (s != NATS_OK) return FromNats(s, 0, "NATS: JetStream");
  return Status::Ok();
}

bool Connection::connected() const {
  return nc_ != nullptr && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

int64_t Connection::max_payload() const {
  int64_t n = nc_ != nullptr ? natsConnection_GetMaxPayload(nc_) : 0;
  return n > 0 ? n : 1 << 20;
}

Status Connection::EnsureStream() {
  jsStreamInfo* info = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  const std::string subject = StreamSubject(options_);
  natsStatus s = js_GetStreamInfo(&info, js_, options_.stream.c_str(), nullptr, &err);
  if (s == NATS_OK) {
    // A stream made for another number of partitions would take no
    // publish (or not all): say so rather than fail each publish.
    bool found = false;
    for (int i = 0; info->Config != nullptr && i < info->Config->SubjectsLen; ++i) {
      found = found || subject == info->Config->Subjects[i];
    }
    jsStreamInfo_Destroy(info);
    if (!found) {
      return InvalidArgument("NATS: stream " + options_.stream + " does not take the subject " +
                             subject +
                             " (--nats.partitions=" + std::to_string(options_.partitions) +
                             (options_.tenants ? " with --multi-tenancy.enabled" : "") +
                             " must be what the stream was created with; use another "
                             "--nats.stream, or delete the stream once it is empty)");
    }
    return Status::Ok();
  }
  if (s != NATS_NOT_FOUND && err != kJsStreamNotFound) {
    return FromNats(s, err, "NATS: stream " + options_.stream);
  }
  if (!options_.create_stream) {
    return Unavailable("NATS: stream " + options_.stream +
                       " does not exist (and --nats.create-stream=false)");
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subjects[] = {subject.c_str()};
  cfg.Name = options_.stream.c_str();
  cfg.Description = "spoor span batches (OTLP ExportTraceServiceRequest)";
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  // A work queue: a batch leaves the stream once an ingester stored it. A
  // full stream refuses new batches (collectors answer UNAVAILABLE) rather
  // than dropping unconsumed ones.
  cfg.Retention = js_WorkQueuePolicy;
  cfg.Discard = js_DiscardNew;
  cfg.Storage = js_FileStorage;
  cfg.MaxBytes = options_.max_bytes;
  cfg.MaxAge = options_.max_age_ns;
  cfg.Replicas = options_.replicas;
  cfg.Duplicates = options_.duplicate_window_ns;
  s = js_AddStream(&info, js_, &cfg, nullptr, &err);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    LogInfo("NATS: created stream ", options_.stream, " on subject ", subject);
    return Status::Ok();
  }
  if (err == kStreamNameInUse) return Status::Ok();  // another process created it just now
  return FromNats(s, err, "NATS: cannot create stream " + options_.stream);
}

Status Connection::EnsureConsumer(uint32_t partition) {
  const std::string consumer = PartitionConsumer(options_, partition);
  const std::string subject = PartitionSubject(options_, partition);
  jsConsumerInfo* info = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetConsumerInfo(&info, js_, options_.stream.c_str(), consumer.c_str(), nullptr, &err);
  if (s == NATS_OK) {
    jsConsumerInfo_Destroy(info);
    return Status::Ok();
  }
  if (s != NATS_NOT_FOUND && err != kConsumerNotFound) {
    return FromNats(s, err, "NATS: consumer " + consumer);
  }
  if (!options_.create_stream) {
    return Unavailable("NATS: consumer " + consumer + " of stream " + options_.stream +
                       " does not exist (and --nats.create-stream=false)");
  }
  jsConsumerConfig cfg;
  jsConsumerConfig_Init(&cfg);
  cfg.Durable = consumer.c_str();
  cfg.Description = "spoor ingesters";
  cfg.AckPolicy = js_AckExplicit;
  cfg.AckWait = options_.ack_wait_ns;
  cfg.MaxDeliver = -1;  // a batch is retried until storage takes it
  cfg.DeliverPolicy = js_DeliverAll;
  cfg.FilterSubject = subject.c_str();
  cfg.MaxAckPending = 100000;
  s = js_AddConsumer(&info, js_, options_.stream.c_str(), &cfg, nullptr, &err);
  if (s != NATS_OK) return FromNats(s, err, "NATS: cannot create consumer " + consumer);
  jsConsumerInfo_Destroy(info);
  LogInfo("NATS: created consumer ", consumer, " of stream ", options_.stream);
  return Status::Ok();
}

}  // namespace spoor::nats
