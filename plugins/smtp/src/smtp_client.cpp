#include "plugins/smtp/src/smtp_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

namespace disputed::plugins::smtp {

namespace {

constexpr std::size_t kMaxReplyText = 300;

std::string trim_line(std::string line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
    line.pop_back();
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (line.size() > kMaxReplyText) line.resize(kMaxReplyText);
  return line;
}

}  // namespace

struct SmtpClient::Handle {
  CURL* curl = nullptr;
  curl_slist* recipients = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  const std::string* data = nullptr;
  std::size_t offset = 0;
  std::vector<std::string> replies;  // the server's last reply lines (a QUIT's 221 may follow)
  sdk::Host* host = nullptr;

  Handle() : curl(curl_easy_init()) {}
  ~Handle() {
    if (recipients) curl_slist_free_all(recipients);
    if (curl) curl_easy_cleanup(curl);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  static std::size_t read(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Handle*>(user);
    if (!self->data) return 0;
    std::size_t room = size * count;
    std::size_t n = std::min(room, self->data->size() - self->offset);
    std::memcpy(buffer, self->data->data() + self->offset, n);
    self->offset += n;
    return n;
  }
  static std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
    return size * count;
  }
  // The server's replies arrive as "header" lines; the last few are kept (never our own lines:
  // they hold the AUTH exchange).
  static int trace(CURL*, curl_infotype type, char* text, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN) return 0;
    auto* self = static_cast<Handle*>(user);
    std::string chunk(text, size);
    std::size_t start = 0;
    while (start < chunk.size()) {
      std::size_t end = chunk.find('\n', start);
      std::string line = chunk.substr(start, end == std::string::npos ? end : end - start);
      if (std::string t = trim_line(line); !t.empty()) {
        if (self->replies.size() >= 16) self->replies.erase(self->replies.begin());
        self->replies.push_back(std::move(t));
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return 0;
  }
  static int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* self = static_cast<Handle*>(user);
    return self->host && self->host->cancelled() ? 1 : 0;  // non-zero aborts the transfer
  }
};

std::string Reply::describe() const {
  if (!text.empty()) return "SMTP " + text;
  if (code != 0) return "SMTP reply " + std::to_string(code);
  return error.empty() ? "no reply from the SMTP server" : error;
}

SmtpClient::SmtpClient(sdk::Host& host, const Settings& settings)
    : settings_(settings), host_(host) {}

SmtpClient::~SmtpClient() = default;

void SmtpClient::configure(Handle& h, const Credentials& credentials) {
  CURL* c = h.curl;
  h.error[0] = '\0';
  h.replies.clear();
  h.host = &host_;
  curl_easy_setopt(c, CURLOPT_URL, (settings_.server + "/" + settings_.helo_name).c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h.error);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(settings_.timeout.count()));
  // Required, never "try": CURLUSESSL_TRY would go on in clear text when a man in the middle
  // strips the STARTTLS capability.
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   settings_.tls == Tls::kNone ? long(CURLUSESSL_NONE) : long(CURLUSESSL_ALL));
  if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds trace(); nothing is printed
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, &Handle::trace);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &h);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &Handle::progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Handle::discard);
  switch (credentials.login) {
    case Login::kNone:
      curl_easy_setopt(c, CURLOPT_USERNAME, nullptr);
      curl_easy_setopt(c, CURLOPT_PASSWORD, nullptr);
      curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, nullptr);
      curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, nullptr);
      break;
    case Login::kPlain:
    case Login::kLogin:
      curl_easy_setopt(c, CURLOPT_USERNAME, credentials.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, credentials.password.c_str());
      curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS,
                       credentials.login == Login::kPlain ? "AUTH=PLAIN" : "AUTH=LOGIN");
      curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, nullptr);
      break;
    case Login::kXoauth2:
      curl_easy_setopt(c, CURLOPT_USERNAME, credentials.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, nullptr);
      curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
      curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, credentials.bearer.c_str());
      curl_easy_setopt(c, CURLOPT_SASL_IR, 1L);
      break;
  }
}

Reply SmtpClient::perform(Handle& h, bool upload) {
  CURLcode rc = curl_easy_perform(h.curl);
  long code = 0;
  curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &code);
  Reply r;
  r.code = int(code);
  // The line of the reply libcurl reports (after a refusal curl still says QUIT, whose 221
  // comes last).
  std::string wanted = std::to_string(r.code);
  for (auto it = h.replies.rbegin(); it != h.replies.rend() && r.code > 0; ++it)
    if (it->size() >= 3 && it->compare(0, 3, wanted) == 0 && (it->size() == 3 || (*it)[3] == ' ')) {
      r.text = *it;
      break;
    }
  r.error = h.error[0] ? std::string(h.error) : std::string(curl_easy_strerror(rc));
  if (rc == CURLE_OK) {
    r.verdict = Reply::Verdict::kAccepted;
    r.error.clear();
    return r;
  }
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      r.verdict = Reply::Verdict::kAuth;
      return r;
    case CURLE_USE_SSL_FAILED:
      r.verdict = Reply::Verdict::kConfig;
      r.error = "the server does not offer STARTTLS (" + r.error + ")";
      r.text.clear();
      r.code = 0;
      return r;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      r.verdict = Reply::Verdict::kConfig;
      r.text.clear();  // the greeting's 220 says nothing about this
      r.code = 0;
      return r;
    default:
      break;
  }
  bool refused_by_reply =
      rc == CURLE_SEND_ERROR || rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_RECV_ERROR;
  if (refused_by_reply && r.code >= 500) {
    r.verdict = (r.code == 530 || r.code == 534 || r.code == 535) ? Reply::Verdict::kAuth
                                                                  : Reply::Verdict::kPermanent;
    return r;
  }
  if (refused_by_reply && r.code >= 400) {
    r.verdict = Reply::Verdict::kTransient;
    return r;
  }
  // A connection problem or a timeout. When every byte of the message was handed over, the
  // server may have accepted it before the reply got lost (RFC 1047): the retry then sends the
  // same Message-ID.
  r.verdict = Reply::Verdict::kTransient;
  r.ambiguous = upload && h.data && h.offset == h.data->size();
  r.text.clear();
  r.code = 0;
  return r;
}

Reply SmtpClient::send(const std::string& envelope_from, const std::vector<std::string>& recipients,
                       const std::string& data, const Credentials& credentials) {
  if (!kept_) kept_ = std::make_unique<Handle>();
  Handle& h = *kept_;
  if (!h.curl) {
    kept_.reset();
    Reply r;
    r.error = "libcurl could not make a handle";
    return r;
  }
  configure(h, credentials);
  if (h.recipients) curl_slist_free_all(h.recipients);
  h.recipients = nullptr;
  for (const auto& to : recipients)
    h.recipients = curl_slist_append(h.recipients, ("<" + to + ">").c_str());
  h.data = &data;
  h.offset = 0;
  curl_easy_setopt(h.curl, CURLOPT_CUSTOMREQUEST, nullptr);
  curl_easy_setopt(h.curl, CURLOPT_MAIL_FROM, ("<" + envelope_from + ">").c_str());
  curl_easy_setopt(h.curl, CURLOPT_MAIL_RCPT, h.recipients);
  curl_easy_setopt(h.curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h.curl, CURLOPT_READFUNCTION, &Handle::read);
  curl_easy_setopt(h.curl, CURLOPT_READDATA, &h);
  curl_easy_setopt(h.curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(data.size()));
  Reply r = perform(h, true);
  h.data = nullptr;
  // After any failure the connection is not trusted again: libcurl may keep one whose reply
  // never came (a timeout after DATA), and the next message would wait on it.
  if (r.verdict != Reply::Verdict::kAccepted) kept_.reset();
  return r;
}

Reply SmtpClient::probe(const Credentials& credentials) {
  Handle h;  // a connection of its own: a check never disturbs the kept one
  if (!h.curl) {
    Reply r;
    r.error = "libcurl could not make a handle";
    return r;
  }
  configure(h, credentials);
  curl_easy_setopt(h.curl, CURLOPT_CUSTOMREQUEST, "NOOP");
  return perform(h, false);
}

}  // namespace disputed::plugins::smtp
