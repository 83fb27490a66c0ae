// A ride-dispatch application in the spirit of Jaeger's HotROD, traced with
// Spoor's C++ tracer: four services on consecutive ports of one process,
// calling each other over HTTP with the context propagated, each with the
// latency problem HotROD teaches with:
//
//  - frontend (PORT):     the web page; GET /dispatch?customer=ID asks the
//                         others and answers with the nearest driver's ETA;
//                         routes are computed through a pool of 3 workers,
//                         too small for the 10 drivers it considers;
//  - customer (PORT + 1): a simulated MySQL with one lock, held for each
//                         query: concurrent requests queue behind it;
//  - driver (PORT + 2):   a simulated Redis; one GetDriver call in eight
//                         times out and is retried;
//  - route (PORT + 3):    computes a route in about 50 ms.
//
//   spoor_hotrod [PORT] [OTLP_ENDPOINT] [CUSTOMER_PORT DRIVER_PORT ROUTE_PORT]
//   (8080, http://127.0.0.1:4318/v1/traces, PORT + 1, + 2, + 3)
#include <spoor/carrier.h>
#include <spoor/tracer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "../http_server.h"
#include "http_post.h"

namespace {

using spoor::examples::Request;
using spoor::examples::Response;
using Clock = std::chrono::steady_clock;

std::string Param(const std::string& target, const std::string& name) {
  size_t q = target.find('?');
  if (q == std::string::npos) return {};
  std::string query = target.substr(q + 1);
  for (size_t pos = 0; pos <= query.size();) {
    size_t amp = query.find('&', pos);
    std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (kv.compare(0, name.size() + 1, name + "=") == 0) return kv.substr(name.size() + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

std::string Path(const std::string& target) {
  return target.substr(0, target.find('?'));
}

void Sleep(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

struct Service {
  std::string name;
  int port = 0;
  std::shared_ptr<opentracing::Tracer> tracer;
};

std::shared_ptr<opentracing::Tracer> MakeTracer(const std::string& service,
                                                const std::string& endpoint) {
  spoor::OtlpHttpReporterOptions reporter;
  reporter.endpoint = endpoint;
  reporter.flush_interval = std::chrono::milliseconds(200);
  spoor::TracerOptions options;
  options.service_name = service;
  options.reporter = spoor::NewOtlpHttpReporter(reporter);
  return spoor::MakeTracer(std::move(options));
}

// The server span of a request, continuing the trace its headers carry.
std::unique_ptr<opentracing::Span> ServerSpan(const Service& s, const Request& req) {
  spoor::MapCarrier incoming(req.headers);
  auto parent = s.tracer->Extract(incoming.http_reader());
  return s.tracer->StartSpan(
      "HTTP " + req.method + " " + Path(req.target),
      {opentracing::ChildOf(parent ? parent->get() : nullptr),
       opentracing::SetTag("span.kind", "server"), opentracing::SetTag("http.method", req.method),
       opentracing::SetTag("http.url", req.target)});
}

// GET http://127.0.0.1:`port``target` as a client span under `parent`.
std::string Call(const Service& from, const opentracing::Span& parent, const std::string& peer,
                 int port, const std::string& target, bool* ok = nullptr) {
  auto span = from.tracer->StartSpan(
      "HTTP GET " + Path(target),
      {opentracing::ChildOf(&parent.context()), opentracing::SetTag("span.kind", "client"),
       opentracing::SetTag("peer.service", peer), opentracing::SetTag("http.url", target)});
  spoor::MapCarrier outgoing;
  std::ignore = from.tracer->Inject(span->context(), outgoing.http_writer());
  spoor::internal::HttpUrl url{"127.0.0.1", std::to_string(port), target};
  auto r = spoor::internal::HttpRequest(
      url, "GET", "", "", std::chrono::seconds(10),
      spoor::internal::HttpHeaders(outgoing.values().begin(), outgoing.values().end()));
  span->SetTag("http.status_code", r.status);
  if (r.status != 200) span->SetTag("error", true);
  if (ok != nullptr) *ok = r.status == 200;
  return r.body;
}

// --- customer: MySQL behind one lock -------------------------------------

std::mutex mysql_lock;
std::atomic<int> mysql_waiting{0};

Response Customer(const Service& s, const Request& req) {
  auto span = ServerSpan(s, req);
  std::string id = Param(req.target, "customer");
  auto sql = s.tracer->StartSpan(
      "SQL SELECT",
      {opentracing::ChildOf(&span->context()), opentracing::SetTag("span.kind", "client"),
       opentracing::SetTag("peer.service", "mysql"), opentracing::SetTag("db.type", "sql"),
       opentracing::SetTag("db.statement", "SELECT * FROM customer WHERE customer_id=" + id)});
  int ahead = mysql_waiting.fetch_add(1);
  if (ahead > 0) {
    sql->Log({{"event", "waiting for lock"}, {"blockers", ahead}});
  }
  {
    std::lock_guard<std::mutex> lock(mysql_lock);  // one query at a time
    sql->Log({{"event", "acquired lock"}});
    Sleep(300);
  }
  mysql_waiting.fetch_sub(1);
  sql->Finish();
  return {200, "{\"id\":\"" + id + "\",\"location\":\"" + id + ",100\"}"};
}

// --- driver: Redis with timeouts -----------------------------------------

std::atomic<int> redis_calls{0};

Response Driver(const Service& s, const Request& req) {
  auto span = ServerSpan(s, req);
  auto find =
      s.tracer->StartSpan("redis FindDriverIDs", {opentracing::ChildOf(&span->context()),
                                                  opentracing::SetTag("span.kind", "client"),
                                                  opentracing::SetTag("peer.service", "redis")});
  Sleep(20);
  find->Finish();
  std::string drivers;
  for (int i = 0; i < 10; ++i) {
    for (int attempt = 1;; ++attempt) {
      auto get = s.tracer->StartSpan(
          "redis GetDriver",
          {opentracing::ChildOf(&span->context()), opentracing::SetTag("span.kind", "client"),
           opentracing::SetTag("peer.service", "redis"),
           opentracing::SetTag("param.driverID", "T7" + std::to_string(i))});
      bool timeout = redis_calls.fetch_add(1) % 8 == 7;
      Sleep(timeout ? 80 : 10);
      if (timeout) {
        get->SetTag("error", true);
        get->Log({{"event", "error"}, {"message", "redis timeout"}, {"attempt", attempt}});
        continue;  // retried
      }
      break;
    }
    drivers += (drivers.empty() ? "" : ",") + std::string("T7") + std::to_string(i);
  }
  return {200, drivers};
}

// --- route: a route in about 50 ms ---------------------------------------

Response Route(const Service& s, const Request& req) {
  auto span = ServerSpan(s, req);
  Sleep(50);
  return {200, "{\"eta\":\"" + std::to_string(2 + Param(req.target, "pickup").size()) + "m\"}"};
}

// --- frontend -------------------------------------------------------------

const char kPage[] = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>HotROD (Spoor)</title>
<style>body{font-family:sans-serif;margin:2em}button{margin:.3em;padding:.6em 1em}</style></head>
<body><h1>Hot R.O.D.</h1><p>Rides On Demand: click a customer to dispatch a car.</p>
<div id="customers">
<button data-customer="123">Rachel's Floral Designs</button>
<button data-customer="392">Trom Chocolatier</button>
<button data-customer="567">Amazing Coffee Roasters</button>
<button data-customer="731">Japanese Desserts</button>
</div><ul id="log"></ul>
<script>
for (const b of document.querySelectorAll('button')) b.onclick = async () => {
  const li = document.createElement('li');
  li.textContent = 'dispatching for ' + b.textContent + '...';
  document.getElementById('log').prepend(li);
  const r = await fetch('dispatch?customer=' + b.dataset.customer);
  li.textContent = b.textContent + ': ' + await r.text();
  li.dataset.done = r.status;
};
</script></body></html>
)";

Response Frontend(const Service& s, const Service& customer, const Service& driver,
                  const Service& route, const Request& req) {
  if (Path(req.target) == "/") return {200, kPage, "text/html; charset=utf-8"};
  if (Path(req.target) != "/dispatch") return {404, "not found"};
  auto span = ServerSpan(s, req);
  std::string id = Param(req.target, "customer");
  if (id.empty()) {
    span->SetTag("error", true);
    return {400, "missing customer"};
  }
  std::string found = Call(s, *span, customer.name, customer.port, "/customer?customer=" + id);
  std::string drivers = Call(s, *span, driver.name, driver.port, "/FindNearest?location=" + id);
  // Routes for every driver, through a pool of 3 workers.
  std::vector<std::string> ids;
  for (size_t pos = 0; pos < drivers.size();) {
    size_t comma = drivers.find(',', pos);
    ids.push_back(
        drivers.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < ids.size();) {
        Call(s, *span, route.name, route.port, "/route?pickup=" + ids[i] + "&dropoff=" + id);
      }
    });
  }
  for (auto& t : workers) t.join();
  span->SetTag("drivers", static_cast<int64_t>(ids.size()));
  return {200,
          "driver " + (ids.empty() ? std::string("none") : ids.front()) + " arriving in 2 min"};
}

}  // namespace

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 8080;
  std::string endpoint = argc > 2 ? argv[2] : "http://127.0.0.1:4318/v1/traces";
  Service frontend{"frontend", port, MakeTracer("frontend", endpoint)};
  auto port_arg = [&](int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; };
  Service customer{"customer", port_arg(3, port + 1), MakeTracer("customer", endpoint)};
  Service driver{"driver", port_arg(4, port + 2), MakeTracer("driver", endpoint)};
  Service route{"route", port_arg(5, port + 3), MakeTracer("route", endpoint)};
  std::vector<std::thread> servers;
  servers.emplace_back([&] {
    spoor::examples::Serve(customer.port, [&](const Request& r) { return Customer(customer, r); });
  });
  servers.emplace_back([&] {
    spoor::examples::Serve(driver.port, [&](const Request& r) { return Driver(driver, r); });
  });
  servers.emplace_back([&] {
    spoor::examples::Serve(route.port, [&](const Request& r) { return Route(route, r); });
  });
  std::cout << "HotROD on http://127.0.0.1:" << port << "/ (spans to " << endpoint << ")"
            << std::endl;
  bool ok = spoor::examples::Serve(frontend.port, [&](const Request& r) {
    return Frontend(frontend, customer, driver, route, r);
  });
  std::cerr << "cannot listen on " << port << "\n";
  return ok ? 0 : 1;
}
