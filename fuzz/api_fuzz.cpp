// REST requests through the API's handler without a socket (Api::handle), as any key holder could
// send them: the request line, headers and body come from the input, in HTTP's own layout
//   METHOD TARGET\n(name: value\n)*\nBODY
// (without an Authorization header the admin key is used, so every route's handler is reached).
// The engine runs for real on a SQLite file with the shipped configuration. Whatever is sent, the
// answer is a status from 200 to 499 or 503 with a body that parses when it says it is JSON: a
// 500 is an internal error and counts as a crash.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/api/api.hpp"
#include "core/api/api_key_routes.hpp"
#include "core/api/auth.hpp"
#include "core/api/lookup_routes.hpp"
#include "core/api/request_target.hpp"
#include "core/config/engine_config.hpp"
#include "core/engine/command_writer.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/engine/reader_pool.hpp"
#include "core/store/migrations.hpp"
#include "core/workflow/loader.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

namespace api = disputed::api;
namespace engine = disputed::engine;
namespace store = disputed::store;
using disputed::fuzz::fail;

struct World {
  std::filesystem::path dir;
  disputed::workflow::Definitions defs;
  disputed::domain::FakeClock clock{*disputed::domain::parse_instant("2026-11-23T08:00:00Z")};
  std::unique_ptr<store::Database> writer_db;
  std::unique_ptr<engine::Session> session;
  std::unique_ptr<engine::ReaderPool> readers;
  std::unique_ptr<engine::CommandWriter> writer;
  std::unique_ptr<api::Authenticator> auth;
  std::unique_ptr<api::Api> api;
  std::string admin_key;

  World() {
    char pattern[] = "/tmp/disputed-fuzz-api-XXXXXX";
    if (!mkdtemp(pattern)) fail("mkdtemp");
    dir = pattern;
    auto config =
        disputed::config::load_engine_config(DISPUTED_SOURCE_DIR "/configs/disputed.json");
    defs = disputed::workflow::load_definitions(config);
    auto file = dir / "api.db";
    writer_db = std::make_unique<store::Database>(file);
    store::migrate(*writer_db);
    session = std::make_unique<engine::Session>(*writer_db, defs, clock);
    auto invoices =
        engine::parse_invoices_file(DISPUTED_SOURCE_DIR "/configs/examples/invoices.csv");
    if (!invoices.ok() || !session->disputes().import_invoices(invoices.value(), "fuzz").ok())
      fail("importing the example invoices");
    for (const char* role : {"admin", "controller", "viewer", "integration"}) {
      auto made = session->operations().create_api_key(std::string(role) + "-key", role);
      if (!made.ok()) fail("creating an API key");
      if (std::string(role) == "admin") admin_key = made->key;
    }
    readers = std::make_unique<engine::ReaderPool>(file, store::DatabaseOptions{}, defs, clock, 2);
    writer = std::make_unique<engine::CommandWriter>(*session);
    writer->start();
    auth = std::make_unique<api::Authenticator>();
    api::ApiSettings settings;
    settings.max_body_bytes = 64 * 1024;
    settings.connectors = {{"zendesk-support", "zendesk", false}};
    api = std::make_unique<api::Api>(*readers, *writer, *auth, defs, clock, settings);
    api::add_api_key_routes(*api, *writer, clock);
    api::add_lookup_routes(*api, defs);
  }
  ~World() {
    writer->stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

World* world = nullptr;

void trim_cr(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static World w;
  world = &w;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = disputed::fuzz::text_of(data, size);
  auto head_end = text.find("\n\n");
  std::string_view head = text.substr(0, head_end);
  api::HttpRequest request;
  if (head_end != std::string_view::npos) request.body = std::string(text.substr(head_end + 2));
  auto lines = disputed::fuzz::split(head, "\n", 64);
  std::string first = lines[0];
  trim_cr(first);
  auto space = first.find(' ');
  request.method = first.substr(0, space);
  auto target =
      api::parse_request_target(space == std::string::npos ? "" : first.substr(space + 1));
  if (!target.ok()) return 0;  // the listener answers 400 itself
  request.path = target->path;
  request.query = target->query;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    trim_cr(lines[i]);
    auto colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    std::string name = lines[i].substr(0, colon);
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string value = lines[i].substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers[name] = value;
  }
  if (!request.headers.count("authorization"))
    request.headers["authorization"] = "Bearer " + world->admin_key;
  else if (request.headers["authorization"] == "admin")
    request.headers.erase("authorization");  // "Authorization: admin" sends none at all
  if (request.body.size() > world->api->max_body_bytes()) request.body_too_large = true;

  api::HttpResponse answer = world->api->handle(request);
  if (answer.status < 200 || answer.status > 599 || (answer.status >= 500 && answer.status != 503))
    fail("answered " + std::to_string(answer.status) + ": " + answer.body);
  if (answer.content_type.rfind("application/json", 0) == 0 && !answer.body.empty() &&
      nlohmann::json::parse(answer.body, nullptr, false).is_discarded())
    fail("a JSON answer that does not parse: " + answer.body.substr(0, 200));
  return 0;
}
