// disputed serve speaks HTTPS itself (issue 13, TLS): a self-signed certificate made here with
// OpenSSL, a client that speaks TLS 1.2+ is served, TLS 1.1 is refused, and a reload picks up a
// new certificate for new connections.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

#include "core/api/http_server.hpp"
#include "tests/core/api/api_fixture.hpp"

namespace disputed::api {
namespace {

// A self-signed certificate for `common_name` and its key, as PEM files in `dir`.
TlsFiles make_certificate(const std::filesystem::path& dir, const std::string& common_name) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  TlsFiles files{dir / (common_name + ".crt"), dir / (common_name + ".key")};
  FILE* out = std::fopen(files.certificate_file.c_str(), "w");
  PEM_write_X509(out, cert);
  std::fclose(out);
  out = std::fopen(files.private_key_file.c_str(), "w");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

struct TlsAnswer {
  bool handshake = false;
  std::string peer_common_name;
  std::string protocol;
  std::string response;
};

// One HTTPS request, the client limited to `max_version` (and, to prove the server refuses on
// its own, allowed anything older at security level 0).
TlsAnswer https_get(int port, const std::string& target, int max_version = 0) {
  TlsAnswer answer;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  if (max_version) SSL_CTX_set_max_proto_version(ctx, max_version);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(std::uint16_t(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      answer.handshake = true;
      answer.protocol = SSL_get_version(ssl);
      if (X509* peer = SSL_get1_peer_certificate(ssl)) {
        char cn[256] = {};
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
        answer.peer_common_name = cn;
        X509_free(peer);
      }
      std::string request =
          "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
      SSL_write(ssl, request.data(), int(request.size()));
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) answer.response.append(buf, std::size_t(n));
    }
    ERR_clear_error();
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return answer;
}

class HttpsTest : public testing_support::ApiTest {
 protected:
  void serve(const TlsFiles& files) {
    init_http_threads(2);
    HttpServerOptions options;
    options.worker_threads = 2;
    options.tls = files;
    server_ = std::make_unique<HttpServer>("127.0.0.1", 0, *api_, options);
    server_->start();
    port_ = std::stoi(server_->url().substr(server_->url().rfind(':') + 1));
  }
  void TearDown() override {
    if (server_) server_->stop(std::chrono::seconds(5));
    ApiTest::TearDown();
  }
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(HttpsTest, ServesTheApiOverTls12OrLater) {
  serve(make_certificate(dir_.path(), "first.example"));
  EXPECT_EQ(server_->url().rfind("https://127.0.0.1:", 0), 0u);
  auto a = https_get(port_, "/api/v1/healthz");
  ASSERT_TRUE(a.handshake);
  EXPECT_EQ(a.peer_common_name, "first.example");
  EXPECT_THAT(a.protocol, ::testing::AnyOf("TLSv1.2", "TLSv1.3"));
  EXPECT_EQ(a.response.rfind("HTTP/1.1 200", 0), 0u) << a.response;
  EXPECT_EQ(https_get(port_, "/api/v1/healthz", TLS1_2_VERSION).handshake, true);
}

TEST_F(HttpsTest, Tls11AndOlderAreRefused) {
  serve(make_certificate(dir_.path(), "first.example"));
  EXPECT_FALSE(https_get(port_, "/api/v1/healthz", TLS1_1_VERSION).handshake);
  EXPECT_FALSE(https_get(port_, "/api/v1/healthz", TLS1_VERSION).handshake);
}

TEST_F(HttpsTest, AReloadServesTheNewCertificateAndABadOneKeepsTheOld) {
  TlsFiles files = make_certificate(dir_.path(), "first.example");
  serve(files);
  EXPECT_EQ(https_get(port_, "/api/v1/healthz").peer_common_name, "first.example");
  // The operator replaces the files in place (certbot does) and sends SIGHUP.
  TlsFiles renewed = make_certificate(dir_.path(), "renewed.example");
  std::filesystem::copy_file(renewed.certificate_file, files.certificate_file,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.private_key_file, files.private_key_file,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(server_->reload_tls().ok());
  EXPECT_EQ(https_get(port_, "/api/v1/healthz").peer_common_name, "renewed.example");
  // A key that does not match: refused with the file named, the renewed one stays.
  TlsFiles other = make_certificate(dir_.path(), "other.example");
  std::filesystem::copy_file(other.private_key_file, files.private_key_file,
                             std::filesystem::copy_options::overwrite_existing);
  auto bad = server_->reload_tls();
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, ::testing::HasSubstr(files.private_key_file.string()));
  EXPECT_EQ(https_get(port_, "/api/v1/healthz").peer_common_name, "renewed.example");
}

TEST_F(HttpsTest, AMissingCertificateStopsTheStartNamingTheFile) {
  init_http_threads(2);
  HttpServerOptions options;
  options.tls = TlsFiles{dir_ / "missing.crt", dir_ / "missing.key"};
  HttpServer server("127.0.0.1", 0, *api_, options);
  try {
    server.start();
    FAIL() << "started without a certificate";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("missing.crt"));
  }
}

}  // namespace
}  // namespace disputed::api
