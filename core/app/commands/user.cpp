#include "core/app/commands/user.hpp"

#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/api/auth.hpp"
#include "core/app/cli.hpp"
#include "core/app/commands/commands.hpp"
#include "core/engine/views_json.hpp"
#include "core/engine/web_accounts.hpp"
#include "core/store/migrations.hpp"
#include "core/web/passwords.hpp"

namespace disputed::app {

namespace {

using nlohmann::json;

int failed(const domain::Error& e, bool json_output, std::ostream& err) {
  if (json_output)
    err << engine::to_json(e).dump(2) << "\n";
  else
    err << "error: " << e.describe() << "\n";
  return kExitFailed;
}

// One line of standard input, without its line end; bounded.
domain::Result<std::string> read_password(std::istream& in) {
  std::string line;
  line.reserve(256);
  char c;
  while (in.get(c) && c != '\n') {
    if (line.size() > web::kMaxPasswordLength)
      return domain::Error::invalid(
          "password too long", "password",
          "must be at most " + std::to_string(web::kMaxPasswordLength) + " bytes");
    line += c;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty())
    return domain::Error::invalid("no password", "password",
                                  "give it on standard input, e.g. `printf '%s\\n' \"$PW\" | "
                                  "disputed user add ...`");
  return line;
}

bool plausible_email(const std::string& email) {
  auto at = email.find('@');
  return email.size() >= 3 && email.size() <= 254 && at != std::string::npos && at > 0 &&
         at + 1 < email.size() && email.find_first_of(" \t\r\n<>\"") == std::string::npos;
}

}  // namespace

int run_user_command(const Args& args, engine::WebAccounts& accounts, domain::Instant now,
                     bool json_output, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string sub = args.positional(0, "a subcommand (add, list, disable, password)");
  if (sub == "add" || sub == "password") {
    std::string email = args.positional(1, "the person's e-mail address");
    args.expect_positionals(2);
    if (!plausible_email(email))
      return failed(domain::Error::invalid("invalid e-mail address", "email", "'" + email + "'"),
                    json_output, err);
    std::string role;
    if (sub == "add") {
      role = args.required("role");
      if (!api::parse_role(role))
        return failed(domain::Error::invalid("unknown role", "role",
                                             "'" + role + "' is not one of " + api::role_names()),
                      json_output, err);
    } else if (!accounts.user(email)) {
      return failed(domain::Error::not_found("no local account " + email), json_output, err);
    }
    auto password = read_password(in);
    if (!password) return failed(password.error(), json_output, err);
    auto hash = web::hash_password(password.value());
    if (!hash) return failed(hash.error(), json_output, err);
    if (sub == "password") {
      accounts.set_password_hash(email, hash.value(), now);
      out << (json_output ? json{{"email", email}, {"password_changed", true}}.dump(2)
                          : "password of " + email + " changed")
          << "\n";
      return kExitOk;
    }
    engine::WebUser user;
    user.email = email;
    user.name = args.value("name").value_or("");
    user.role = role;
    user.password_hash = hash.value();
    user.created_at = now;
    user.updated_at = now;
    if (!accounts.add_user(user))
      return failed(domain::Error::conflict("a local account " + email +
                                            " already exists (disputed user password " + email +
                                            " changes its password)"),
                    json_output, err);
    if (json_output)
      out << json{{"email", email}, {"name", user.name}, {"role", role}}.dump(2) << "\n";
    else
      out << "local account " << email << " (" << role << ") added; sign in at the web app\n";
    return kExitOk;
  }
  if (sub == "list") {
    args.expect_positionals(1);
    auto users = accounts.users();
    if (json_output) {
      json items = json::array();
      for (const auto& u : users)
        items.push_back(
            {{"email", u.email},
             {"name", u.name},
             {"role", u.role},
             {"created_at", domain::format_instant(u.created_at)},
             {"disabled_at",
              u.disabled_at ? json(domain::format_instant(*u.disabled_at)) : json(nullptr)}});
      out << json{{"items", items}}.dump(2) << "\n";
    } else {
      for (const auto& u : users)
        out << u.email << "  " << u.role << (u.disabled_at ? "  disabled" : "") << "\n";
      if (users.empty()) out << "no local accounts (add one with `disputed user add`)\n";
    }
    return kExitOk;
  }
  if (sub == "disable") {
    std::string email = args.positional(1, "the person's e-mail address");
    args.expect_positionals(2);
    if (!accounts.disable_user(email, now))
      return failed(domain::Error::not_found("no active local account " + email), json_output, err);
    out << (json_output ? json{{"email", email}, {"disabled", true}}.dump(2)
                        : "local account " + email + " disabled; its sessions have ended")
        << "\n";
    return kExitOk;
  }
  throw UsageError("unknown user subcommand '" + sub + "' (add, list, disable, password)");
}

namespace {

int user(Context& ctx, const Args& args) {
  auto cfg = config::load_engine_config(ctx.config_file);
  store::Database db(database_path(ctx, cfg));
  store::require_current_schema(db);
  domain::Instant now = ctx.now_override ? *ctx.now_override : domain::SystemClock().now();
  engine::WebAccounts accounts(db);
  return run_user_command(args, accounts, now, ctx.json_output, ctx.in, ctx.out, ctx.err);
}

}  // namespace

Command user_command() {
  return {
      {"user"},
      {{"user add EMAIL --role R", "a local account of the web app (password on standard input)"},
       {"user list | disable | password", "the web app's local accounts"}},
      "Usage: disputed user add EMAIL --role admin|controller|viewer|integration [--name "
      "NAME]\n"
      "       disputed user list\n"
      "       disputed user disable EMAIL\n"
      "       disputed user password EMAIL\n\n"
      "Local accounts for signing in to the web app (small teams and the demo; organisations\n"
      "sign in with their identity provider, see docs/web.md). add and password read the\n"
      "password (at least 12 characters) from standard input; only its Argon2id hash is\n"
      "stored. disable ends the account's sessions at once.\n",
      {},
      {"role", "name"},
      user};
}

}  // namespace disputed::app
