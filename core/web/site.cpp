#include "core/web/site.hpp"

#include <algorithm>

#include "core/web/assets.hpp"
#include "core/web/oidc.hpp"

namespace disputed::web {

namespace {

const Asset* find_asset(const std::string& path) {
  auto all = assets();
  auto it = std::find_if(all.begin(), all.end(), [&](const Asset& a) { return a.path == path; });
  return it == all.end() ? nullptr : &*it;
}

api::HttpResponse text(int status, std::string body) {
  api::HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

bool segment_ok(const std::string& s) {
  return !s.empty() && s.size() <= 128 && s.find('/') == std::string::npos;
}

}  // namespace

std::string content_security_policy() {
  return "default-src 'self'; script-src 'self' '" + std::string(import_map_hash()) +
         "'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
         "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

void add_security_headers(api::HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy", content_security_policy());
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  // The OIDC callback's URL carries a code: never hand it to another site.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

bool is_page_path(const std::string& path) {
  static const char* const kPages[] = {"/",        "/my-work", "/disputes",  "/register",
                                       "/reports", "/sign-in", "/operations"};
  for (const char* p : kPages)
    if (path == p) return true;
  for (const char* prefix : {"/disputes/", "/invoices/"}) {
    std::string pre(prefix);
    if (path.rfind(pre, 0) == 0 && segment_ok(path.substr(pre.size()))) return true;
  }
  return false;
}

api::HttpResponse Site::file(const api::HttpRequest& request, const std::string& path,
                             int status) const {
  const Asset* asset = find_asset(path);
  if (!asset) {
    api::HttpResponse r = text(404, "not found: " + request.path + "\n");
    add_security_headers(r);
    return r;
  }
  api::HttpResponse r;
  r.headers.emplace_back("ETag", std::string(asset->etag));
  // Revalidate every time (an ETag answer is a 304 without a body): a new build is seen at once.
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (status == 200 && request.header("if-none-match") == asset->etag) {
    r.status = 304;
    r.content_type = std::string(asset->content_type);
  } else {
    r.status = status;
    r.content_type = std::string(asset->content_type);
    r.body = std::string(asset->body);
  }
  add_security_headers(r);
  return r;
}

api::HttpResponse Site::handle(const api::HttpRequest& request) const {
  try {
    const std::string& path = request.path;
    if (oidc_ && path == "/auth/oidc/login" && request.method == "GET") {
      auto r = oidc_->begin(request);
      add_security_headers(r);
      return r;
    }
    if (oidc_ && path == "/auth/oidc/callback" && request.method == "GET") {
      auto r = oidc_->finish(request);
      add_security_headers(r);
      return r;
    }
    if (request.method != "GET") {
      api::HttpResponse r = text(405, "use GET\n");
      r.headers.emplace_back("Allow", "GET");
      add_security_headers(r);
      return r;
    }
    if (path.rfind("/static/", 0) == 0 && path.find("..") == std::string::npos)
      return file(request, path);
    if (path == "/favicon.ico") return file(request, "/static/favicon.svg");
    // Every page is the same shell; the app routes on the path (so /disputes/DSP-000042 from a
    // task's link opens that dispute, after sign-in). Unknown paths get the shell with a 404.
    return file(request, "/static/index.html", is_page_path(path) ? 200 : 404);
  } catch (const std::exception&) {
    api::HttpResponse r = text(500, "internal error\n");
    add_security_headers(r);
    return r;
  }
}

}  // namespace disputed::web
