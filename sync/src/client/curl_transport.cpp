// CurlTransport: the sync client's HTTP over libcurl (see transport.h).
#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "ccfield/platform/env.h"
#include "ccfield/sync/body_codec.h"
#include "ccfield/sync/protocol.h"
#include "ccfield/sync/transport.h"
#include "curl_errors.h"

namespace ccfield::sync {

namespace {

// The numbers of docs/sync-protocol.md, "Client behaviour".
constexpr long kConnectTimeoutSeconds = 20;
constexpr long kLowSpeedBytesPerSecond = 10;
constexpr long kLastResortTimeoutSeconds = 30 * 60;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsLoopbackHost(const std::string& host_in) {
  const std::string host = Lower(host_in);
  if (host == "localhost" || host == "localhost.") return true;
  if (host == "[::1]" || host == "::1" || host == "[0:0:0:0:0:0:0:1]") return true;
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) {
    return (ntohl(a4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  return false;
}

}  // namespace

Result<std::string> CheckServerUrl(const std::string& url_in) {
  std::string url = url_in;
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front()))) url.erase(0, 1);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.empty()) return Status::Invalid("the server address is empty");
  if (url.find("://") == std::string::npos) {
    // "127.0.0.1:8080" or "sync.example.org": say what to type instead.
    std::string host = url.substr(0, url.find('/'));
    if (host.rfind('[', 0) == 0) {
      host = host.substr(0, host.find(']') + 1);
    } else {
      host = host.substr(0, host.find(':'));
    }
    const std::string guess = (IsLoopbackHost(host) ? "http://" : "https://") + url;
    return Status::Invalid("\"" + url + "\" has no http:// or https:// in front; did you mean " + guess + " ?");
  }
  GlobalInit();
  CURLU* u = curl_url();
  if (!u) return Status::Internal("out of memory");
  std::string scheme, host;
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc == CURLUE_OK) {
    char* s = nullptr;
    char* h = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK && s) scheme = Lower(s);
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h) host = h;
    curl_free(s);
    curl_free(h);
  }
  curl_url_cleanup(u);
  if (rc != CURLUE_OK || host.empty()) {
    return Status::Invalid("\"" + url + "\" is not a server address; write it like https://sync.example.org");
  }
  if (scheme == "https") return url;
  if (scheme == "http") {
    if (IsLoopbackHost(host)) return url;
    return Status::Invalid(
        "the server address must start with https:// (plain http:// is allowed only to this "
        "device itself, for testing): " +
        url);
  }
  return Status::Invalid("the server address must start with https://: " + url);
}

namespace {

// A header field's value when `line` is "name: value\r\n" (any case), else nullopt.
std::optional<std::string_view> HeaderValue(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return std::nullopt;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i])))
      return std::nullopt;
  }
  std::string_view v = line.substr(name.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  return v;
}

std::optional<int64_t> ParseCount(std::string_view v) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end == v.data() || n < 0) return std::nullopt;
  return n;
}

}  // namespace

struct CurlTransport::Impl {
  TransportConfig config;
  std::string base_url;
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  // Per request:
  std::string body;
  size_t body_bytes = 0;  // received, whether kept in `body` or given to the sink
  bool too_large = false;
  HttpResult head;  // status and headers as parsed so far
  const BodySink* sink = nullptr;
  Status sink_status;
  int wire_requests = 0;  // request heads sent (OnDebug)
  // What this transport knows of the server's request encodings (transport.h).
  bool server_takes_zstd = false;
  bool zstd_refused = false;  // a 415 to a zstd body: gzip from then on

  ~Impl() {
    if (curl) curl_easy_cleanup(curl);
  }

  static size_t OnWrite(char* data, size_t size, size_t n, void* self_ptr) {
    auto* self = static_cast<Impl*>(self_ptr);
    const size_t bytes = size * n;
    if (self->body_bytes + bytes > self->config.max_response_bytes) {
      self->too_large = true;
      return 0;  // fails the transfer with CURLE_WRITE_ERROR
    }
    self->body_bytes += bytes;
    if (self->sink && *self->sink && self->head.status >= 200 && self->head.status < 300) {
      self->sink_status = (*self->sink)(self->head, std::string_view(data, bytes));
      return self->sink_status.ok() ? bytes : 0;
    }
    self->body.append(data, bytes);
    return bytes;
  }

  static size_t OnHeader(char* data, size_t size, size_t n, void* self_ptr) {
    auto* self = static_cast<Impl*>(self_ptr);
    const size_t bytes = size * n;
    std::string_view line(data, bytes);
    if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue)
      self->head = HttpResult{};
      const size_t sp = line.find(' ');
      if (sp != std::string_view::npos) {
        if (auto code = ParseCount(line.substr(sp + 1, 3))) self->head.status = static_cast<int>(*code);
      }
    } else if (auto v = HeaderValue(line, "retry-after")) {
      self->head.retry_after_seconds = ParseCount(*v);
    } else if (auto v = HeaderValue(line, "content-range")) {
      self->head.content_range = std::string(*v);
    } else if (auto v = HeaderValue(line, "content-length")) {
      self->head.content_length = ParseCount(*v);
    } else if (auto v = HeaderValue(line, "content-encoding")) {
      self->head.content_encoding = std::string(*v);
    }
    return bytes;
  }

  // Counts the request heads libcurl puts on the wire (the debug callback
  // sees each, a silent re-send into a fresh connection included). Called
  // only with CURLOPT_VERBOSE on; prints nothing.
  static int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* self_ptr) {
    if (type == CURLINFO_HEADER_OUT && IsRequestHead(std::string_view(data, size))) {
      ++static_cast<Impl*>(self_ptr)->wire_requests;
    }
    return 0;
  }

  // "POST /v1/sync HTTP/1.1\r\n...": the start of a request head (not a
  // later piece of one that went out in parts).
  static bool IsRequestHead(std::string_view head) {
    const std::string_view line = head.substr(0, head.find('\r'));
    const size_t sp = line.find(' ');
    return sp != std::string_view::npos && sp > 0 && line.find(" HTTP/", sp) != std::string_view::npos &&
           std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(sp),
                       [](char c) { return c >= 'A' && c <= 'Z'; });
  }

  Status SetupRequestCount() {
    bool ok = curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, &Impl::OnDebug) == CURLE_OK;
    ok = ok && curl_easy_setopt(curl, CURLOPT_DEBUGDATA, static_cast<void*>(this)) == CURLE_OK;
    ok = ok && curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L) == CURLE_OK;
    return ok ? Status::Ok() : Status::Internal("libcurl lacks the debug callback (too old?)");
  }

  static int OnProgress(void* self_ptr, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* self = static_cast<Impl*>(self_ptr);
    return self->config.cancel && self->config.cancel->load() ? 1 : 0;  // non-zero aborts
  }

  Status Setup() {
    curl = curl_easy_init();
    if (!curl) return Status::Internal("cannot start libcurl");
    bool ok = true;
    auto set = [&](CURLoption opt, auto value) { ok = ok && curl_easy_setopt(curl, opt, value) == CURLE_OK; };
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_ERRORBUFFER, error);
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could lead off https
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    if (!config.ca_file.empty()) set(CURLOPT_CAINFO, config.ca_file.c_str());
    set(CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
    set(CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerSecond);
    set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(std::clamp(config.stall_seconds, kMinStallSeconds, kMaxStallSeconds)));
    set(CURLOPT_TIMEOUT, kLastResortTimeoutSeconds);
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    // No CURLOPT_ACCEPT_ENCODING: Accept-Encoding is sent by Perform and
    // answers are decoded by the body codec, within max_response_bytes.
    set(CURLOPT_USERAGENT, "ccfield/0.1");
    set(CURLOPT_WRITEFUNCTION, &Impl::OnWrite);
    set(CURLOPT_WRITEDATA, static_cast<void*>(this));
    set(CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
    set(CURLOPT_HEADERDATA, static_cast<void*>(this));
    set(CURLOPT_NOPROGRESS, 0L);
    set(CURLOPT_XFERINFOFUNCTION, &Impl::OnProgress);
    set(CURLOPT_XFERINFODATA, static_cast<void*>(this));
    if (!ok) return Status::Internal("libcurl lacks a required option (too old?)");
    return SetupRequestCount();
  }

  // The encoding of a JSON request body of `size` bytes (transport.h).
  BodyEncoding RequestEncoding(size_t size) const {
    if (size <= config.compress_min_bytes) return BodyEncoding::kIdentity;
    if (config.zstd && server_takes_zstd && !zstd_refused) return BodyEncoding::kZstd;
    return BodyEncoding::kGzip;
  }

  // What an answer tells about the server's request encodings: one in zstd
  // takes zstd; GET /v1/status lists them in "encodings" (absent: gzip only).
  void LearnEncodings(const HttpRequest& request, const HttpResult& r) {
    if (r.content_encoding == "zstd") server_takes_zstd = true;
    if (request.path != "/v1/status" || r.status != 200) return;
    Result<nlohmann::json> j = ParseJsonText(r.body);
    if (!j.ok() || !j->is_object()) return;
    bool zstd = false;
    if (auto it = j->find("encodings"); it != j->end() && it->is_array()) {
      for (const nlohmann::json& e : *it) zstd = zstd || (e.is_string() && e.get<std::string>() == "zstd");
    }
    server_takes_zstd = zstd;
  }

  // One request: `json_body` (POST, compressed when large) or `request`'s
  // binary body (PUT) or none (GET). `binary`: a blob request (Send). A 415
  // to a zstd body is sent once more in gzip.
  Result<HttpResult> Perform(const HttpRequest& request, const std::string* json_body, bool binary) {
    CCF_ASSIGN_OR_RETURN(HttpResult r, PerformOnce(request, json_body, binary));
    if (r.status == 415 && r.request_encoding == "zstd") {
      zstd_refused = true;
      CCF_ASSIGN_OR_RETURN(HttpResult again, PerformOnce(request, json_body, binary));
      again.wire_requests += r.wire_requests;
      again.bytes_up += r.bytes_up;
      again.bytes_down += r.bytes_down;
      r = std::move(again);
    }
    if (config.zstd && !binary) LearnEncodings(request, r);
    return r;
  }

  Result<HttpResult> PerformOnce(const HttpRequest& request, const std::string* json_body, bool binary) {
    const int64_t now_ms = config.env ? config.env->WallMillis() : 0;
    if (config.cancel && config.cancel->load()) return internal::CurlStatus(CURLE_ABORTED_BY_CALLBACK, "", now_ms);
    body.clear();
    body_bytes = 0;
    too_large = false;
    head = HttpResult{};
    sink = request.sink ? &request.sink : nullptr;
    sink_status = Status::Ok();
    error[0] = '\0';
    wire_requests = 0;

    std::string payload;
    BodyEncoding sent_encoding = BodyEncoding::kIdentity;
    curl_slist* headers = nullptr;
    auto add = [&](const std::string& h) { headers = curl_slist_append(headers, h.c_str()); };
    add(binary ? "Accept: */*" : "Accept: application/json");
    // Photo bytes are never compressed; JSON answers are, as offered here.
    if (!binary) add(config.zstd ? "Accept-Encoding: zstd, gzip" : "Accept-Encoding: gzip");
    add("Expect:");  // no 100-continue round trip: it costs a second on 2G
    if (!request.bearer_token.empty()) add("Authorization: Bearer " + request.bearer_token);
    for (const auto& [name, value] : request.headers) add(name + ": " + value);
    const std::string url = base_url + request.path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    const bool put = request.method == "PUT";
    if (json_body) {
      add("Content-Type: application/json");
      sent_encoding = RequestEncoding(json_body->size());
      if (sent_encoding != BodyEncoding::kIdentity) {
        const int level =
            sent_encoding == BodyEncoding::kZstd ? ZstdLevelFor(json_body->size(), config.zstd_level) : kGzipLevel;
        CCF_ASSIGN_OR_RETURN(payload, EncodeBody(sent_encoding, *json_body, level));
        add("Content-Encoding: " + std::string(EncodingName(sent_encoding)));
      } else {
        payload = *json_body;
      }
    } else if (put) {
      add("Content-Type: application/octet-stream");
    }
    const std::string& sent = json_body ? payload : request.body;
    if (json_body || put) {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, sent.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(sent.size()));
      if (put) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const CURLcode rc = curl_easy_perform(curl);
    // Nothing below may point into this call's buffers once it returns.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, static_cast<char*>(nullptr));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, static_cast<char*>(nullptr));
    curl_slist_free_all(headers);
    sink = nullptr;
    if (rc == CURLE_WRITE_ERROR && !sink_status.ok()) return sink_status;
    if (rc != CURLE_OK) return internal::CurlStatus(rc, error, now_ms);

    HttpResult r = Collect(sent.size());
    if (sent_encoding != BodyEncoding::kIdentity) r.request_encoding = std::string(EncodingName(sent_encoding));
    CCF_RETURN_IF_ERROR(DecodeAnswer(&r, now_ms));
    return r;
  }

  // Decodes r->body as its Content-Encoding says, within max_response_bytes
  // (the wire bytes were held to that limit too, by OnWrite).
  Status DecodeAnswer(HttpResult* r, int64_t now_ms) const {
    if (r->content_encoding.empty() || r->body.empty()) return Status::Ok();
    const std::optional<BodyEncoding> encoding = ParseContentEncoding(r->content_encoding);
    if (!encoding) {
      return internal::CurlStatus(CURLE_BAD_CONTENT_ENCODING, "unknown encoding " + r->content_encoding, now_ms);
    }
    Result<DecodedBody> plain = DecodeBody(*encoding, r->body, config.max_response_bytes);
    if (!plain.ok()) return internal::CurlStatus(CURLE_BAD_CONTENT_ENCODING, plain.status().message(), now_ms);
    if (plain->too_large) return internal::CurlStatus(CURLE_WRITE_ERROR, "", now_ms);
    r->body = std::move(plain->bytes);
    return Status::Ok();
  }

  // The answer of the request just performed, with its byte counts.
  HttpResult Collect(size_t sent_size) {
    HttpResult r = std::move(head);
    long status = 0, request_size = 0, header_size = 0;
    curl_off_t up = 0, down = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(curl, CURLINFO_HEADER_SIZE, &header_size);
    curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
    r.status = static_cast<int>(status);
    r.body = std::move(body);
    r.wire_requests = std::max(wire_requests, 1);
    // REQUEST_SIZE counts the request headers, plus the body when libcurl
    // sent it in the same write (small bodies); a large body is counted by
    // SIZE_UPLOAD alone. Headers are far smaller than a body sent apart.
    const size_t req = static_cast<size_t>(request_size);
    r.bytes_up = req > sent_size ? req : req + static_cast<size_t>(up);
    r.bytes_down = static_cast<size_t>(header_size) + static_cast<size_t>(down);
    return r;
  }
};

CurlTransport::CurlTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlTransport::~CurlTransport() = default;

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create(const TransportConfig& config) {
  CCF_ASSIGN_OR_RETURN(std::string base, CheckServerUrl(config.base_url));
  GlobalInit();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->base_url = std::move(base);
  impl->server_takes_zstd = config.server_takes_zstd;
  CCF_RETURN_IF_ERROR(impl->Setup());
  return std::unique_ptr<CurlTransport>(new CurlTransport(std::move(impl)));
}

Result<HttpResult> CurlTransport::Post(const std::string& path, const std::string& json_body,
                                       const std::string& bearer_token) {
  HttpRequest request;
  request.method = "POST";
  request.path = path;
  request.bearer_token = bearer_token;
  return impl_->Perform(request, &json_body, false);
}

Result<HttpResult> CurlTransport::Get(const std::string& path) {
  HttpRequest request;
  request.path = path;
  return impl_->Perform(request, nullptr, false);
}

Result<HttpResult> CurlTransport::Send(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "PUT") {
    return Status::Invalid("the transport sends GET or PUT requests with binary bodies, not " + request.method);
  }
  return impl_->Perform(request, nullptr, true);
}

TransportFactory CurlTransportFactory() {
  return [](const TransportConfig& config) -> Result<std::unique_ptr<Transport>> {
    CCF_ASSIGN_OR_RETURN(std::unique_ptr<CurlTransport> t, CurlTransport::Create(config));
    return std::unique_ptr<Transport>(std::move(t));
  };
}

}  // namespace ccfield::sync
