// The HTTP server over real loopback sockets: request hand-off, keep-alive,
// body limits, 100-continue, malformed input, handler failures and Stop().
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_http_client.h"

namespace spoor {
namespace {

using servertest::GetRequest;
using servertest::PostRequest;
using servertest::TestConnection;

// A server on 127.0.0.1 and a free port whose handler records every request
// and answers with the request's body (or runs `respond` when set).
class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(size_t max_body_bytes = 1 << 20,
                   std::chrono::milliseconds idle_timeout = std::chrono::seconds(60)) {
    HttpServerOptions options;
    options.idle_timeout = idle_timeout;
    options.name = "test";
    options.host = "127.0.0.1";
    options.port = 0;
    options.max_body_bytes = max_body_bytes;
    options.threads = 2;
    server_ = std::make_unique<HttpServer>(options, [this](const HttpRequest& req) {
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
      }
      if (respond_) return respond_(req);
      HttpResponse r = HttpResponse::Text(200, req.body);
      r.headers.emplace_back("X-Echo-Path", req.path);
      return r;
    });
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::vector<HttpRequest> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

  std::unique_ptr<HttpServer> server_;
  std::function<HttpResponse(const HttpRequest&)> respond_;
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

TEST_F(HttpServerTest, HandlerReceivesTheParsedRequest) {
  StartServer();
  TestConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  auto r = c.Exchange(PostRequest("/a%20b/c?x=1&y=%2F", "payload",
                                  "X-Custom-Header: Value\r\nContent-Type: text/x\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "payload");
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& req = requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/a%20b/c?x=1&y=%2F");
  EXPECT_EQ(req.path, "/a b/c");
  EXPECT_EQ(req.query, "x=1&y=%2F");
  EXPECT_EQ(req.body, "payload");
  EXPECT_EQ(req.Header("x-custom-header"), "Value");
  EXPECT_EQ(req.Header("content-type"), "text/x");
  EXPECT_EQ(req.Header("X-Custom-Header"), "");  // lookups use lowercase names
  EXPECT_EQ(req.remote_address, "127.0.0.1");
}

TEST_F(HttpServerTest, ResponseCarriesStatusContentTypeAndExtraHeaders) {
  respond_ = [](const HttpRequest&) {
    HttpResponse r = HttpResponse::Json(201, R"({"ok":true})");
    r.headers.emplace_back("Retry-After", "7");
    return r;
  };
  StartServer();
  TestConnection c(server_->port());
  auto r = c.Exchange(GetRequest("/x"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_EQ(r->Header("retry-after"), "7");
  EXPECT_EQ(r->Header("content-length"), "11");
  EXPECT_EQ(r->body, R"({"ok":true})");
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  TestConnection c(server_->port());
  auto first = c.Exchange(PostRequest("/one", "first"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "first");
  EXPECT_EQ(first->Header("x-echo-path"), "/one");
  auto second = c.Exchange(PostRequest("/two", "second"));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(second->Header("x-echo-path"), "/two");
  EXPECT_EQ(Requests().size(), 2u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestConnection c(server_->port());
  ASSERT_TRUE(c.Send(PostRequest("/one", "a") + PostRequest("/two", "b")));
  auto first = c.Read();
  auto second = c.Read();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->body, "a");
  EXPECT_EQ(second->body, "b");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestConnection c(server_->port());
  auto r = c.Exchange(GetRequest("/x", "Connection: close\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.ReadsEof());
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
  StartServer();
  TestConnection c(server_->port());
  auto r = c.Exchange("GET /old HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.ReadsEof());
}

TEST_F(HttpServerTest, HeadResponseHasHeadersButNoBody) {
  respond_ = [](const HttpRequest&) { return HttpResponse::Text(200, "twelve bytes"); };
  StartServer();
  TestConnection c(server_->port());
  ASSERT_TRUE(c.Send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c.Read(/*expect_body=*/false);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "12");
  // The next response on the connection must start right after the headers.
  auto next = c.Exchange(GetRequest("/y"));
  ASSERT_TRUE(next.has_value()) << "unread: " << c.unread();
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "twelve bytes");
}

TEST_F(HttpServerTest, ContentLengthOverTheLimitIs413WithoutCallingTheHandler) {
  StartServer(100);
  TestConnection c(server_->port());
  // Only the headers are sent: the answer must not wait for the body.
  ASSERT_TRUE(c.Send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("100"), std::string::npos) << r->body;
  EXPECT_TRUE(Requests().empty());
}

TEST_F(HttpServerTest, ClientThatSendsTheWholeTooLargeBodyStillReads413) {
  StartServer(100);
  TestConnection c(server_->port());
  auto r = c.Exchange(PostRequest("/big", std::string(200000, 'x')));
  ASSERT_TRUE(r.has_value()) << "the 413 was lost";
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.ReadsEof());
}

TEST_F(HttpServerTest, BodyTooLargeHandlerAnswersWithTheHeadersAndTheReason) {
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.max_body_bytes = 10;
  HttpRequest seen;
  options.on_body_too_large = [&seen](const HttpRequest& req) {
    seen = req;
    HttpResponse r = HttpResponse::Json(413, R"({"error":"too big"})");
    r.headers.emplace_back("X-Reason", "size");
    return r;
  };
  HttpServer server(options, [](const HttpRequest&) { return HttpResponse::Text(200, "no"); });
  ASSERT_TRUE(server.Start().ok());
  TestConnection c(server.port());
  ASSERT_TRUE(
      c.Send("POST /v1/traces?x=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
             "\r\nContent-Length: 50\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, R"({"error":"too big"})");
  EXPECT_EQ(r->Header("x-reason"), "size");
  EXPECT_EQ(r->Header("connection"), "close");
  server.Stop();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/v1/traces");
  EXPECT_EQ(seen.query, "x=1");
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_NE(seen.body.find("limit of 10 bytes"), std::string::npos) << seen.body;
}

TEST_F(HttpServerTest, BodyAtTheLimitIsAccepted) {
  StartServer(100);
  TestConnection c(server_->port());
  auto r = c.Exchange(PostRequest("/ok", std::string(100, 'x')));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), 100u);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
  StartServer(100);
  TestConnection c(server_->port());
  std::string chunk(80, 'x');
  auto r = c.Exchange("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" +
                      chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(Requests().empty());
}

TEST_F(HttpServerTest, ChunkedBodyIsReassembled) {
  StartServer();
  TestConnection c(server_->port());
  auto r = c.Exchange(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "abcde");
}

TEST_F(HttpServerTest, ExpectContinueGets100BeforeTheBodyIsSent) {
  StartServer();
  TestConnection c(server_->port());
  ASSERT_TRUE(c.Send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.Read(/*expect_body=*/false);
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  EXPECT_TRUE(Requests().empty());
  auto final_response = c.Exchange("hello");
  ASSERT_TRUE(final_response.has_value());
  EXPECT_EQ(final_response->status, 200);
  EXPECT_EQ(final_response->body, "hello");
}

TEST_F(HttpServerTest, ExpectContinueWithTooLargeBodyGets413Instead) {
  StartServer(10);
  TestConnection c(server_->port());
  ASSERT_TRUE(c.Send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
}

TEST_F(HttpServerTest, MalformedRequestLineIs400) {
  StartServer();
  TestConnection c(server_->port());
  auto r = c.Exchange("THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(Requests().empty());
}

TEST_F(HttpServerTest, MalformedHeaderIs400) {
  StartServer();
  TestConnection c(server_->port());
  auto r = c.Exchange("GET / HTTP/1.1\r\nHost x\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndTheServerKeepsServing) {
  respond_ = [](const HttpRequest& req) -> HttpResponse {
    if (req.path == "/throw") throw std::runtime_error("kaboom");
    return HttpResponse::Text(200, "fine");
  };
  StartServer();
  TestConnection c(server_->port());
  auto r = c.Exchange(GetRequest("/throw"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("kaboom"), std::string::npos);
  TestConnection other(server_->port());
  auto ok = other.Exchange(GetRequest("/fine"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "fine");
}

TEST_F(HttpServerTest, SeveralConnectionsAreServedAtOnce) {
  StartServer();
  TestConnection a(server_->port());
  TestConnection b(server_->port());
  // b is served while a holds an idle open connection.
  auto rb = b.Exchange(PostRequest("/b", "b"));
  auto ra = a.Exchange(PostRequest("/a", "a"));
  ASSERT_TRUE(rb.has_value());
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(rb->body, "b");
  EXPECT_EQ(ra->body, "a");
}

TEST_F(HttpServerTest, IdleConnectionIsClosedAfterTheTimeout) {
  StartServer(1 << 20, std::chrono::milliseconds(300));
  TestConnection c(server_->port());
  ASSERT_TRUE(c.Exchange(GetRequest("/x")).has_value());
  EXPECT_TRUE(c.ReadsEof());  // long before the client's own 10 s read timeout
}

TEST_F(HttpServerTest, RequestThatStopsHalfwayIsClosedAfterTheTimeout) {
  StartServer(1 << 20, std::chrono::milliseconds(300));
  TestConnection c(server_->port());
  ASSERT_TRUE(c.Send("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_TRUE(c.ReadsEof());
  EXPECT_TRUE(Requests().empty());
}

TEST_F(HttpServerTest, BusyConnectionOutlivesTheTimeout) {
  // Requests every 50 ms for three times the timeout: the deadline moves
  // with each one, so the connection stays open throughout.
  const auto timeout = std::chrono::milliseconds(1000);
  StartServer(1 << 20, timeout);
  TestConnection c(server_->port());
  const auto until = std::chrono::steady_clock::now() + 3 * timeout;
  int served = 0;
  while (std::chrono::steady_clock::now() < until) {
    auto r = c.Exchange(PostRequest("/x", "ping"));
    ASSERT_TRUE(r.has_value()) << "closed after " << served << " requests";
    EXPECT_EQ(r->body, "ping");
    ++served;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(served, 3);
}

TEST_F(HttpServerTest, StopReturnsPromptlyWithAnIdleConnectionOpen) {
  StartServer();
  TestConnection idle(server_->port());
  ASSERT_TRUE(idle.connected());
  auto warm = idle.Exchange(GetRequest("/x"));  // the session is established
  ASSERT_TRUE(warm.has_value());
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "Stop() did not return";
  server_->Stop();  // a second call is harmless
}

TEST_F(HttpServerTest, StopClosesOpenConnections) {
  StartServer();
  TestConnection idle(server_->port());
  ASSERT_TRUE(idle.Exchange(GetRequest("/x")).has_value());
  server_->Stop();
  EXPECT_TRUE(idle.ReadsEof());
}

TEST_F(HttpServerTest, StopClosesTheListeningSocket) {
  StartServer();
  uint16_t port = server_->port();
  server_->Stop();
  TestConnection late(port);
  // Either the connection is refused or it is closed without an answer.
  if (late.connected()) {
    late.Send(GetRequest("/x"));
    EXPECT_FALSE(late.Read().has_value());
  }
}

TEST(HttpServer, StartFailsWhenThePortIsTaken) {
  HttpServerOptions options;
  options.host = "127.0.0.1";
  HttpServer first(options, [](const HttpRequest&) { return HttpResponse::Text(200, ""); });
  ASSERT_TRUE(first.Start().ok());
  options.port = first.port();
  HttpServer second(options, [](const HttpRequest&) { return HttpResponse::Text(200, ""); });
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(std::to_string(first.port())), std::string::npos) << s.message();
}

TEST(HttpServer, StartRejectsAnInvalidHost) {
  HttpServerOptions options;
  options.host = "not an address";
  HttpServer server(options, [](const HttpRequest&) { return HttpResponse::Text(200, ""); });
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
}

TEST(HttpServer, StopWithoutStartIsHarmless) {
  HttpServer server(HttpServerOptions{}, [](const HttpRequest&) { return HttpResponse{}; });
  server.Stop();
}

// --- ParseHostPort ---------------------------------------------------------------

TEST(ParseHostPort, HostAndPort) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseHostPort("127.0.0.1:4317", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 4317);
  ASSERT_TRUE(ParseHostPort("localhost:0", &host, &port));
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, 0);
}

TEST(ParseHostPort, EmptyHostMeansAllInterfaces) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseHostPort(":16686", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 16686);
}

TEST(ParseHostPort, BracketedIpv6) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseHostPort("[::1]:8080", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8080);
}

TEST(ParseHostPort, MissingOrInvalidPortIsRejected) {
  std::string host = "unchanged";
  uint16_t port = 1;
  for (const char* text : {"localhost", "host:", "host:http", ":65536", ":-1", ":12ab", ""}) {
    EXPECT_FALSE(ParseHostPort(text, &host, &port)) << text;
  }
  EXPECT_EQ(host, "unchanged");
  EXPECT_EQ(port, 1);
  EXPECT_TRUE(ParseHostPort(":65535", &host, &port));
  EXPECT_EQ(port, 65535);
}

}  // namespace
}  // namespace spoor
