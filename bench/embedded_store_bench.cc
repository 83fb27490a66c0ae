// End-to-end figures of the embedded store (storage/embedded): write
// throughput per CPU-second and per wall-clock second, bytes per span on
// disk, query latencies through the Storage interface, and the time a clean
// restart takes. `make bench-embedded` runs it; bench/RESULTS.md holds the
// figures and how to read them.
//
//   spoor_embedded_bench [--spans=N] [--dir=PATH] [--sync] [--queries=N]
//                        [--hours=H] [--write-only | --query-only]
//
//   --spans=N      spans to write (default 1,000,000), in requests of 100
//   --dir=PATH     store directory, which must not hold anything yet (default:
//                  a fresh temporary directory, removed at the end)
//   --sync         write with sync_writes on
//   --queries=N    queries of each kind (default 300; 0 = none)
//   --hours=H      the spans' timestamps cover the last H hours (default 1.5)
//   --write-only   stop after the write figures
//   --query-only   only the restart and query figures, on the store that an
//                  earlier run left in --dir
//
// The spans are the tracegen-like requests of bench/tracegen.h, their
// timestamps spread evenly over the last H hours, decoded in advance so that
// the write figures count the store only. CPU time is that of the whole
// process (getrusage: user + system, RocksDB's background threads included)
// from the first Write to the end of Close().
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/options_util.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/tracegen.h"
#include "common/time_format.h"
#include "formats/otlp/otlp_decode.h"
#include "storage/embedded/block_index.h"
#include "storage/embedded/embedded_store.h"

namespace spoor {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kHourNs = 3600ULL * 1000000000;

struct Flags {
  size_t spans = 1000000;
  std::string dir;  // empty: a fresh directory under the system's temp dir
  bool sync = false;
  size_t queries = 300;  // per query kind
  double hours = 1.5;
  bool write_only = false;
  bool query_only = false;
};

[[noreturn]] void Usage(const char* error) {
  std::fprintf(stderr,
               "error: %s\n"
               "usage: spoor_embedded_bench [--spans=N] [--dir=PATH] [--sync] [--queries=N]\n"
               "                            [--hours=H] [--write-only | --query-only]\n",
               error);
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      if (!arg.starts_with(name) || arg.size() <= name.size()) return nullptr;
      return arg.data() + name.size();
    };
    if (const char* v = value("--spans=")) {
      f.spans = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("--dir=")) {
      f.dir = v;
    } else if (arg == "--sync") {
      f.sync = true;
    } else if (const char* v = value("--queries=")) {
      f.queries = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("--hours=")) {
      f.hours = std::strtod(v, nullptr);
    } else if (arg == "--write-only") {
      f.write_only = true;
    } else if (arg == "--query-only") {
      f.query_only = true;
    } else {
      Usage(("unknown argument '" + std::string(arg) + "'").c_str());
    }
  }
  if (f.spans < static_cast<size_t>(bench::kSpansPerRequest)) Usage("--spans must be at least 100");
  if (!(f.hours > 0)) Usage("--hours must be positive");
  return f;
}

[[noreturn]] void Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "error: %s: %s\n", what.c_str(), s.message().c_str());
  std::exit(1);
}

[[noreturn]] void Fail(const std::string& what, const rocksdb::Status& s) {
  std::fprintf(stderr, "error: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double TimevalSeconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

struct CpuTimes {
  double user = 0;
  double sys = 0;
  [[nodiscard]] double total() const { return user + sys; }
  CpuTimes operator-(const CpuTimes& o) const { return {user - o.user, sys - o.sys}; }
};

CpuTimes Cpu(int who) {
  rusage ru{};
  getrusage(who, &ru);
  return {TimevalSeconds(ru.ru_utime), TimevalSeconds(ru.ru_stime)};
}

double Mb(uint64_t bytes) {
  return static_cast<double>(bytes) / 1e6;
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// ---------------------------------------------------------------------------
// Workload

struct Workload {
  std::vector<SpanBatch> batches;
  std::vector<TraceId> trace_ids;  // sorted, unique
  uint64_t last_start_ns = 0;
  size_t spans = 0;
};

// Requests evenly spaced over [now - hours, now]: request r gets seed r + 1.
Workload Generate(size_t spans, double hours) {
  Workload w;
  const size_t requests = spans / static_cast<size_t>(bench::kSpansPerRequest);
  const uint64_t span_ns = static_cast<uint64_t>(hours * static_cast<double>(kHourNs));
  const uint64_t now = NowNs();
  const uint64_t step = span_ns / requests;
  const uint64_t first_start = now - span_ns;
  w.batches.resize(requests);
  w.trace_ids.reserve(requests * bench::kSpansPerRequest / bench::kSpansPerTrace);
  for (size_t r = 0; r < requests; ++r) {
    const uint64_t start = first_start + r * step;
    DecodeStats stats;
    Status s = DecodeOtlpProto(bench::MakeTracegenRequest(r + 1, start), &w.batches[r], &stats);
    if (!s.ok() || stats.rejected_spans != 0) Fail("generating request " + std::to_string(r), s);
    for (const ResourceSpans& rs : w.batches[r].resource_spans) {
      for (const ScopeSpans& ss : rs.scope_spans) {
        for (const Span& span : ss.spans) {
          if (span.start_time_ns > w.last_start_ns) w.last_start_ns = span.start_time_ns;
          w.trace_ids.push_back(span.trace_id);
        }
      }
    }
    w.spans += w.batches[r].SpanCount();
  }
  std::sort(w.trace_ids.begin(), w.trace_ids.end());
  w.trace_ids.erase(std::unique(w.trace_ids.begin(), w.trace_ids.end()), w.trace_ids.end());
  return w;
}

// ---------------------------------------------------------------------------
// Disk usage

// What `du` counts (allocated blocks) and the apparent size, per kind of
// file RocksDB keeps.
struct DiskUsage {
  struct Entry {
    uint64_t allocated = 0;
    uint64_t apparent = 0;
    int files = 0;
  };
  std::map<std::string, Entry> by_kind;
  Entry total;
};

std::string FileKind(const std::string& name) {
  if (name.ends_with(".sst")) return "SST files (*.sst)";
  if (name.ends_with(".log")) return "RocksDB write-ahead log (*.log)";
  if (name == "LOG" || name.starts_with("LOG.old")) return "info logs (LOG, LOG.old.*)";
  if (name.starts_with("MANIFEST")) return "MANIFEST";
  if (name.starts_with("OPTIONS")) return "OPTIONS";
  return "other (CURRENT, IDENTITY, LOCK)";
}

DiskUsage MeasureDisk(const std::string& dir) {
  DiskUsage du;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (!e.is_regular_file() || ::stat(e.path().c_str(), &st) != 0) continue;
    DiskUsage::Entry& k = du.by_kind[FileKind(e.path().filename().string())];
    for (DiskUsage::Entry* x : {&k, &du.total}) {
      x->allocated += static_cast<uint64_t>(st.st_blocks) * 512;
      x->apparent += static_cast<uint64_t>(st.st_size);
      ++x->files;
    }
  }
  return du;
}

void PrintDisk(const char* title, const DiskUsage& du, size_t spans) {
  std::printf(
      "%s: %.2f MB allocated (du) = %.2f bytes/span; apparent size %.2f MB = %.2f bytes/span\n",
      title, Mb(du.total.allocated),
      static_cast<double>(du.total.allocated) / static_cast<double>(spans), Mb(du.total.apparent),
      static_cast<double>(du.total.apparent) / static_cast<double>(spans));
  for (const auto& [kind, e] : du.by_kind) {
    std::printf("  %-34s %3d files  %10.3f MB allocated  %10.3f MB apparent  %6.2f bytes/span\n",
                kind.c_str(), e.files, Mb(e.allocated), Mb(e.apparent),
                static_cast<double>(e.allocated) / static_cast<double>(spans));
  }
}

// Opens the store's RocksDB directly (with the options it was last opened
// with), compacts every column family fully when `compact`, and prints what
// the column families hold. Fills `w` with the stored traces and time range
// (from the block indexes) when not null. `spans` (0: the stored count) is
// what the bytes per span are counted against.
void InspectAndCompact(const std::string& dir, uint64_t spans, bool compact, Workload* w) {
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  rocksdb::ConfigOptions config;
  if (rocksdb::Status s = rocksdb::LoadLatestOptions(config, dir, &db_options, &families);
      !s.ok()) {
    Fail("loading the store's RocksDB options", s);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (rocksdb::Status s = rocksdb::DB::Open(db_options, dir, families, &handles, &raw); !s.ok()) {
    Fail("opening the store's RocksDB", s);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  if (compact) {
    const Clock::time_point t0 = Clock::now();
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      if (rocksdb::Status s = db->CompactRange(options, h, nullptr, nullptr); !s.ok()) {
        Fail("compacting", s);
      }
    }
    std::printf("manual full compaction (CompactRange on every column family): %.2f s\n",
                Seconds(Clock::now() - t0));
  }
  struct Family {
    std::string name;
    uint64_t keys = 0;
    uint64_t bytes = 0;
  };
  std::vector<Family> stats;
  uint64_t stored_spans = 0, traces = 0, operation_bytes = 0;
  uint64_t min_block = UINT64_MAX, max_block = 0, blocks = 0, index_bytes = 0;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    Family& f = stats.emplace_back(Family{h->GetName()});
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++f.keys;
      f.bytes += it->key().size() + it->value().size();
      if (f.name != "index") continue;
      auto index = BlockIndex::Parse(std::string_view(it->value().data(), it->value().size()));
      if (!index.ok()) Fail("parsing a block index", index.status());
      ++blocks;
      index_bytes += it->value().size();
      stored_spans += index->span_count;
      traces += index->trace_ids.size();
      min_block = std::min(min_block, index->span_count);
      max_block = std::max(max_block, index->span_count);
      for (const BlockOperation& op : index->operations) {
        operation_bytes += VarintSize(op.service.size()) + op.service.size() +
                           VarintSize(op.operation.size()) + op.operation.size() + 1 +
                           VarintSize(op.min_duration_ns) + VarintSize(op.max_duration_ns);
      }
      if (w != nullptr) {
        w->trace_ids.insert(w->trace_ids.end(), index->trace_ids.begin(), index->trace_ids.end());
        w->last_start_ns = std::max(w->last_start_ns, index->max_start_ns);
        w->spans += index->span_count;
      }
    }
    if (!it->status().ok()) Fail("reading", it->status());
  }
  if (spans == 0) spans = std::max<uint64_t>(stored_spans, 1);
  const double n = static_cast<double>(spans);
  std::printf("column families (keys and values as the store wrote them):\n");
  for (const Family& f : stats) {
    std::printf("  %-8s %8" PRIu64 " keys  %10.3f MB  %6.2f bytes/span\n", f.name.c_str(), f.keys,
                Mb(f.bytes), static_cast<double>(f.bytes) / n);
  }
  if (blocks > 0) {
    const double ids = static_cast<double>(traces) * 16;
    std::printf("  %" PRIu64 " sealed blocks holding %" PRIu64 " spans and %" PRIu64
                " traces, %" PRIu64 "..%" PRIu64 " spans per block\n",
                blocks, stored_spans, traces, min_block, max_block);
    std::printf(
        "  block indexes: trace IDs %.2f bytes/span, operations %.2f, the rest (tag filter, "
        "dependencies, header) %.2f\n",
        ids / n, static_cast<double>(operation_bytes) / n,
        (static_cast<double>(index_bytes) - ids - static_cast<double>(operation_bytes)) / n);
  }
  if (w != nullptr) {
    std::sort(w->trace_ids.begin(), w->trace_ids.end());
    w->trace_ids.erase(std::unique(w->trace_ids.begin(), w->trace_ids.end()), w->trace_ids.end());
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    if (rocksdb::Status s = db->DestroyColumnFamilyHandle(h); !s.ok()) Fail("closing", s);
  }
  if (rocksdb::Status s = db->Close(); !s.ok()) Fail("closing", s);
}

// ---------------------------------------------------------------------------
// Store

EmbeddedStoreOptions StoreOptions(const std::string& dir, bool sync) {
  EmbeddedStoreOptions o;
  o.directory = dir;
  o.sync_writes = sync;
  o.span_ttl_ns = 0;  // the benchmark's data must not expire while it runs
  return o;
}

// Wall-clock and process CPU milliseconds an OpenEmbeddedStore took.
struct OpenTime {
  double wall_ms = 0;
  double cpu_ms = 0;
};

std::unique_ptr<Storage> Open(const std::string& dir, bool sync, OpenTime* time) {
  const CpuTimes cpu0 = Cpu(RUSAGE_SELF);
  const Clock::time_point t0 = Clock::now();
  auto store = OpenEmbeddedStore(StoreOptions(dir, sync));
  if (time != nullptr) *time = {Millis(Clock::now() - t0), (Cpu(RUSAGE_SELF) - cpu0).total() * 1e3};
  if (!store.ok()) Fail("opening the store", store.status());
  return std::move(store).value();
}

void CloseStore(std::unique_ptr<Storage> store) {
  if (Status s = store->Close(); !s.ok()) Fail("closing the store", s);
}

void WritePhase(const std::string& dir, bool sync, Workload& w) {
  std::unique_ptr<Storage> store = Open(dir, sync, nullptr);
  const CpuTimes cpu0 = Cpu(RUSAGE_SELF), main0 = Cpu(RUSAGE_THREAD);
  const Clock::time_point t0 = Clock::now();
  // Each batch is moved in, as the pipeline does.
  for (SpanBatch& batch : w.batches) {
    if (Status s = store->Write(std::move(batch)); !s.ok()) Fail("writing", s);
  }
  const Clock::time_point t_written = Clock::now();
  const CpuTimes main_written = Cpu(RUSAGE_THREAD);
  CloseStore(std::move(store));
  const Clock::time_point t1 = Clock::now();
  const CpuTimes cpu = Cpu(RUSAGE_SELF) - cpu0, main = Cpu(RUSAGE_THREAD) - main0;
  const double n = static_cast<double>(w.spans);
  std::printf("write (sync_writes %s): %zu spans in %zu batches of %d\n", sync ? "on" : "off",
              w.spans, w.batches.size(), bench::kSpansPerRequest);
  std::printf("  wall %.3f s (Write calls %.3f s, Close %.3f s): %.0f spans/s\n", Seconds(t1 - t0),
              Seconds(t_written - t0), Seconds(t1 - t_written), n / Seconds(t1 - t0));
  std::printf("  process CPU %.3f s (user %.3f, sys %.3f): %.0f spans per CPU-second\n",
              cpu.total(), cpu.user, cpu.sys, n / cpu.total());
  std::printf("  of which the writing thread %.3f s (Write calls %.3f s), other threads %.3f s\n",
              main.total(), (main_written - main0).total(), cpu.total() - main.total());
}

// ---------------------------------------------------------------------------
// Queries

double ThreadCpuMillis() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Latencies of one kind of query: wall clock, and CPU time of the querying
// thread (the store runs a query on the caller's thread), which tells the
// query's own work from time lost to other processes on a shared machine.
struct Latencies {
  std::vector<double> wall_ms;
  std::vector<double> cpu_ms;
  size_t results = 0;  // traces (spans for GetTrace) returned, summed

  static double At(const std::vector<double>& sorted, double q) {
    size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size(), std::max<size_t>(i, 1)) - 1];
  }

  void Print(const char* name, const char* unit) {
    std::printf("  %s: %zu queries, %.1f %s per query\n", name, wall_ms.size(),
                static_cast<double>(results) / static_cast<double>(wall_ms.size()), unit);
    for (auto* v : {&wall_ms, &cpu_ms}) {
      std::sort(v->begin(), v->end());
      double sum = 0;
      for (double x : *v) sum += x;
      std::printf(
          "    %-4s p50 %8.3f ms  p90 %8.3f ms  p99 %8.3f ms  max %8.3f ms  mean %8.3f ms\n",
          v == &wall_ms ? "wall" : "CPU", At(*v, 0.5), At(*v, 0.9), At(*v, 0.99), v->back(),
          sum / static_cast<double>(v->size()));
    }
  }
};

template <typename Fn>
Latencies Measure(size_t warmup, size_t n, Fn&& fn) {
  Latencies l;
  for (size_t i = 0; i < warmup; ++i) (void)fn();
  l.wall_ms.reserve(n);
  l.cpu_ms.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double cpu0 = ThreadCpuMillis();
    const Clock::time_point t0 = Clock::now();
    const size_t results = fn();
    l.wall_ms.push_back(Millis(Clock::now() - t0));
    l.cpu_ms.push_back(ThreadCpuMillis() - cpu0);
    l.results += results;
  }
  return l;
}

void QueryPhase(Storage& store, const Workload& w, size_t queries) {
  std::mt19937_64 rng(42);
  const char* services[] = {"frontend", "orders", "payments"};
  const size_t warmup = std::max<size_t>(10, queries / 10);
  std::printf("queries (random picks, %zu warm-up queries of each kind first):\n", warmup);

  Latencies by_id = Measure(warmup, queries, [&] {
    const TraceId& id = w.trace_ids[rng() % w.trace_ids.size()];
    auto trace = store.GetTrace(id, TraceTimeHint{});
    if (!trace.ok()) Fail("GetTrace", trace.status());
    if (trace->spans.size() != static_cast<size_t>(bench::kSpansPerTrace)) {
      Fail("GetTrace", Internal("expected 10 spans, got " + std::to_string(trace->spans.size())));
    }
    return trace->spans.size();
  });
  by_id.Print("GetTrace, no time hint", "spans");

  const uint64_t window_end = w.last_start_ns + 1000000000;
  Latencies by_operation = Measure(warmup, queries, [&] {
    TraceQuery q;
    q.service = services[rng() % 3];
    q.operation = "operation-" + std::to_string(rng() % 20);
    q.start_time_min_ns = window_end - kHourNs;
    q.start_time_max_ns = window_end;
    q.limit = 20;
    auto traces = store.FindTraces(q);
    if (!traces.ok()) Fail("FindTraces", traces.status());
    return traces->size();
  });
  by_operation.Print("FindTraces, service + operation over the last hour, limit 20", "traces");

  Latencies by_tag = Measure(warmup, queries, [&] {
    TraceQuery q;
    q.tags.emplace_back("attribute-key-" + std::to_string(rng() % 97),
                        "value-" + std::to_string(rng() % 1000));
    q.limit = 20;
    auto traces = store.FindTraces(q);
    if (!traces.ok()) Fail("FindTraces", traces.status());
    return traces->size();
  });
  by_tag.Print("FindTraces, one attribute over all the data, limit 20", "traces");
}

std::unique_ptr<Storage> Restarts(const std::string& dir, int n) {
  std::unique_ptr<Storage> store;
  std::printf("restart: OpenEmbeddedStore");
  for (int i = 0; i < n; ++i) {
    if (store != nullptr) CloseStore(std::move(store));
    OpenTime t;
    store = Open(dir, false, &t);
    std::printf(" %.1f (CPU %.1f)", t.wall_ms, t.cpu_ms);
  }
  std::printf(" ms (%d opens in a row)\n", n);
  return store;
}

// Queries against a store a previous run left in --dir.
int RunQueriesOnly(const Flags& flags) {
  if (flags.dir.empty() || !fs::exists(flags.dir)) Usage("--query-only needs the --dir of a store");
  Workload w;
  InspectAndCompact(flags.dir, 0, false, &w);
  std::printf("store in %s: %zu spans, %zu traces\n", flags.dir.c_str(), w.spans,
              w.trace_ids.size());
  if (w.trace_ids.empty()) Usage("the store holds no sealed block");
  std::unique_ptr<Storage> store = Restarts(flags.dir, 3);
  if (flags.queries > 0) QueryPhase(*store, w, flags.queries);
  CloseStore(std::move(store));
  return 0;
}

int Run(const Flags& flags) {
  if (flags.query_only) return RunQueriesOnly(flags);
  std::string dir = flags.dir;
  const bool temporary = dir.empty();
  if (temporary) {
    std::string pattern = (fs::temp_directory_path() / "spoor-embedded-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      Fail("creating a temporary directory", Internal(std::strerror(errno)));
    }
    dir = pattern;
  } else if (fs::exists(dir) && !fs::is_empty(dir)) {
    Usage(("--dir '" + dir + "' exists and is not empty").c_str());
  }

  std::printf("spoor_embedded_bench: %zu spans, timestamps over the last %.2f h, directory %s\n",
              flags.spans, flags.hours, dir.c_str());
  const Clock::time_point t0 = Clock::now();
  Workload w = Generate(flags.spans, flags.hours);
  std::printf("generated and decoded %zu spans (%zu traces) in %.2f s (not counted below)\n",
              w.spans, w.trace_ids.size(), Seconds(Clock::now() - t0));

  WritePhase(dir, flags.sync, w);
  w.batches.clear();
  w.batches.shrink_to_fit();
  PrintDisk("disk after Close()", MeasureDisk(dir), w.spans);

  if (!flags.write_only) {
    OpenTime t;
    std::unique_ptr<Storage> store = Open(dir, false, &t);
    std::printf("first restart: OpenEmbeddedStore %.1f ms (CPU %.1f ms)\n", t.wall_ms, t.cpu_ms);
    CloseStore(std::move(store));
    PrintDisk("disk after the first restart and Close()", MeasureDisk(dir), w.spans);

    InspectAndCompact(dir, w.spans, true, nullptr);
    PrintDisk("disk after a manual full compaction", MeasureDisk(dir), w.spans);

    store = Restarts(dir, 5);
    if (flags.queries > 0) QueryPhase(*store, w, flags.queries);
    CloseStore(std::move(store));
  }

  if (temporary) fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace spoor

int main(int argc, char** argv) {
  return spoor::Run(spoor::ParseFlags(argc, argv));
}
