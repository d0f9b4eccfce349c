#include "http_server.h"

#include <strings.h>
#include <sys/socket.h>
#include <httplib.h>

#include <algorithm>
#include <exception>
#include <memory>

namespace ccfield::server {

namespace {

// The handler's request: every header field in order, the peer, and the body.
ApiRequest ToApiRequest(const httplib::Request& req) {
  ApiRequest a;
  a.method = req.method;
  a.path = req.path;
  if (const size_t q = req.target.find('?'); q != std::string::npos) a.query = req.target.substr(q + 1);
  a.peer = req.remote_addr;
  a.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    // httplib has already inflated a body sent with exactly this encoding
    // (zstd it passes through: the handler decodes it).
    if (value == "gzip" && strcasecmp(name.c_str(), "Content-Encoding") == 0) continue;
    a.headers.emplace_back(name, value);
  }
  return a;
}

// Reads the body into a->body, keeping at most `limit` bytes. Past the limit
// the rest is read and dropped (so that the client gets the 413 instead of a
// reset connection), up to a bound against gzip bombs.
void ReadBody(const httplib::ContentReader& reader, const httplib::Response& res, size_t limit, ApiRequest* a) {
  const size_t drain_limit = limit * 8;
  size_t total = 0;
  bool over = false;
  const bool read = reader([&](const char* data, size_t n) {
    total += n;
    if (total > limit) {
      over = true;
      a->body.clear();
      return total <= drain_limit;
    }
    a->body.append(data, n);
    return true;
  });
  // httplib answers a Content-Length over its payload limit with 413 itself.
  a->body_over_limit = over || res.status == 413;
  a->body_unreadable = !read && !a->body_over_limit;
}

// Sends the handler's answer byte for byte: a sized content provider is
// never compressed again by httplib (a plain body would be, on Accept-Encoding).
void SendApiResponse(ApiResponse r, httplib::Response& res) {
  res.status = r.status;
  std::string type = "application/json";
  for (const auto& [name, value] : r.headers) {
    if (strcasecmp(name.c_str(), "Content-Type") == 0) {
      type = value;
    } else {
      res.set_header(name, value);
    }
  }
  if (r.body.empty()) {
    res.set_content("", type);
    return;
  }
  auto body = std::make_shared<std::string>(std::move(r.body));
  res.set_content_provider(body->size(), type, [body](size_t offset, size_t length, httplib::DataSink& sink) {
    return sink.write(body->data() + offset, length);
  });
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerStorage* storage, Env* env, HttpServerOptions opts)
      : options(std::move(opts)), handler(storage, env, options) {}

  HttpServerOptions options;
  ApiHandler handler;
  httplib::Server http;
};

HttpServer::HttpServer(ServerStorage* storage, Env* env, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(storage, env, std::move(options))) {
  Impl* p = impl_.get();
  httplib::Server& h = p->http;
  h.set_payload_max_length(p->options.max_request_bytes);
  // One sync is one small request: send the answer without Nagle delays and
  // keep a connection for a whole paged pull (httplib closes after 5 by default).
  h.set_tcp_nodelay(true);
  h.set_keep_alive_max_count(100);
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the
  // same port and silently share the traffic. Only SO_REUSEADDR here, so a
  // port in use is an error (and a restart can rebind at once).
  h.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  h.set_read_timeout(p->options.read_timeout_s, 0);
  h.set_write_timeout(p->options.write_timeout_s, 0);
  h.set_keep_alive_timeout(p->options.keep_alive_timeout_s);
  const size_t threads = static_cast<size_t>(std::max(1, p->options.worker_threads));
  h.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  // Every GET, POST and PUT goes to the handler, which answers unknown paths too.
  // httplib would cut every answer again by the request's Range (it reads
  // req.ranges after the handler returns): the handler answers ranges itself
  // (206 with Content-Range, photo blobs), so the adapter forgets them.
  h.Get(".*", [p](const httplib::Request& req, httplib::Response& res) {
    ApiRequest a = ToApiRequest(req);
    const_cast<httplib::Request&>(req).ranges.clear();
    SendApiResponse(p->handler.Handle(a), res);
  });
  // POST (JSON) and PUT (photo blob chunks, application/octet-stream): the
  // body reaches the handler byte for byte.
  auto with_body = [p](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    ApiRequest a = ToApiRequest(req);
    const_cast<httplib::Request&>(req).ranges.clear();
    ReadBody(reader, res, p->handler.options().max_request_bytes, &a);
    SendApiResponse(p->handler.Handle(a), res);
  };
  h.Post(".*", with_body);
  h.Put(".*", with_body);
  // The handler never throws; this is for httplib's own failures around it.
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendApiResponse(ErrorForStatus(500), res);
  });
  // httplib's own refusals (another method, a malformed request line, an
  // oversized body for a handler without a reader) get the JSON error body.
  // Answers of the handler carry a Content-Type and are left alone.
  h.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty() && !res.has_header("Content-Type")) SendApiResponse(ErrorForStatus(res.status), res);
    return httplib::Server::HandlerResponse::Handled;
  }));
}

HttpServer::~HttpServer() = default;

Result<int> HttpServer::Bind() {
  const HttpServerOptions& o = impl_->options;
  if (o.port == 0) {
    int port = impl_->http.bind_to_any_port(o.listen_address);
    if (port <= 0) return Status::Unavailable("cannot listen on " + o.listen_address);
    return port;
  }
  if (!impl_->http.bind_to_port(o.listen_address, o.port)) {
    return Status::Unavailable("cannot listen on " + o.listen_address + ":" + std::to_string(o.port) +
                               " (in use, or not an address of this machine)");
  }
  return o.port;
}

Status HttpServer::Run() {
  if (!impl_->http.listen_after_bind()) return Status::Unavailable("the server stopped listening unexpectedly");
  return Status::Ok();
}

bool HttpServer::IsRunning() const { return impl_->http.is_running(); }

void HttpServer::Stop() { impl_->http.stop(); }

}  // namespace ccfield::server
