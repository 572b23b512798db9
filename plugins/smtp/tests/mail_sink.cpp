#include "plugins/smtp/tests/mail_sink.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace disputed::testing {

namespace fs = std::filesystem;

namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::array<char, 65536> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0) throw std::runtime_error("failed (" + std::to_string(status) + "): " + command);
  return out;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

MailSink::MailSink(MailSinkOptions options) : options_(std::move(options)) {
  std::random_device random;
  dir_ = fs::temp_directory_path() /
         ("disputed-mail-sink-" + std::to_string(getpid()) + "-" + std::to_string(random()));
  fs::create_directories(dir_ / "mail");
  run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
      "'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout " +
      quoted(dir_ / "key.pem") + " -out " + quoted(dir_ / "cert.pem") + " 2>/dev/null");

  std::vector<std::string> args = {"/usr/bin/python3", options_.sink_script.string(), "--dir",
                                   mail_dir().string()};
  if (options_.tls == MailSinkOptions::Tls::kStartTls)
    args.insert(args.end(), {"--tls", ca_file().string(), (dir_ / "key.pem").string()});
  if (options_.tls == MailSinkOptions::Tls::kImplicit)
    args.insert(args.end(), {"--smtps", ca_file().string(), (dir_ / "key.pem").string()});
  if (!options_.user.empty()) args.insert(args.end(), {"--user", options_.user});
  if (!options_.password.empty()) args.insert(args.end(), {"--password", options_.password});
  if (!options_.token.empty()) args.insert(args.end(), {"--token", options_.token});
  if (options_.require_auth) args.push_back("--require-auth");
  args.insert(args.end(), {"--slow-seconds", std::to_string(options_.slow_seconds)});

  fs::path log = dir_ / "sink.log";
  process_.start(args, log, std::chrono::milliseconds(2500));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    std::string text = read_file(log);
    if (auto at = text.find("listening "); at != std::string::npos) {
      port_ = std::atoi(text.c_str() + at + 10);
      if (port_ > 0) break;
    }
    if (process_.exited()) throw std::runtime_error("the SMTP sink exited at start-up:\n" + text);
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("the SMTP sink did not listen within 20 s:\n" + text);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

MailSink::~MailSink() {
  process_.stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string MailSink::server_url() const {
  return std::string(options_.tls == MailSinkOptions::Tls::kImplicit ? "smtps" : "smtp") +
         "://127.0.0.1:" + std::to_string(port_);
}

int MailSink::count() const {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(mail_dir(), ec))
    if (e.path().extension() == ".eml") ++n;
  return n;
}

bool MailSink::wait_for(int n, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (count() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

nlohmann::json MailSink::messages() const {
  return nlohmann::json::parse(
      run("/usr/bin/python3 " + quoted(options_.reader_script) + " " + quoted(mail_dir())));
}

void MailSink::clear() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(mail_dir(), ec))
    if (e.path().extension() == ".eml") fs::remove(e.path(), ec);
}

MailSinkOptions end_to_end_sink_options() {
  MailSinkOptions o;
  o.tls = MailSinkOptions::Tls::kStartTls;
  o.require_auth = true;
  o.sink_script = SMTP_SINK;
  o.reader_script = MAIL_READER;
  return o;
}

nlohmann::json end_to_end_smtp_instance(const std::string& name, const MailSink& sink) {
  setenv("DISPUTED_TEST_SMTP_PASSWORD", "secret", 1);
  return {{"name", name},
          {"plugin", "smtp"},
          {"settings",
           {{"server", sink.server_url()},
            {"tls", "starttls"},
            {"ca_file", sink.ca_file().string()},
            {"login", "plain"},
            {"username", "app"},
            {"timeout_ms", 5000}}},
          {"secrets", {{"password", "env:DISPUTED_TEST_SMTP_PASSWORD"}}},
          {"max_attempts", 3}};
}

}  // namespace disputed::testing
