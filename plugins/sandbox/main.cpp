// disputed-sandbox SYSTEM --listen HOST:PORT [--set KEY=VALUE]...
// disputed-sandbox --list      the systems this binary has (every sandbox that registered itself)
// Runs one system's emulator until SIGTERM or SIGINT. Prints one line when it listens:
//   disputed-sandbox: zendesk listening on http://127.0.0.1:PORT

#include <algorithm>
#include <csignal>
#include <iostream>
#include <map>
#include <string>

#include "plugins/sandbox/registry.hpp"

namespace {

int usage(const std::string& problem) {
  std::cerr << "disputed-sandbox: " << problem << "\n"
            << "usage: disputed-sandbox SYSTEM --listen HOST:PORT [--set KEY=VALUE]...\n  systems:";
  for (const auto& name : disputed::sandbox::registered_sandboxes()) std::cerr << " " << name;
  std::cerr << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage("which system?");
  std::string system = argv[1];
  if (system == "--list") {
    for (const auto& name : disputed::sandbox::registered_sandboxes()) std::cout << name << "\n";
    return 0;
  }
  auto known = disputed::sandbox::registered_sandboxes();
  if (std::find(known.begin(), known.end(), system) == known.end())
    return usage("unknown system '" + system + "'");

  std::string host = "127.0.0.1";
  int port = 0;
  disputed::sandbox::Options options;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--listen" || arg == "--set") && i + 1 >= argc)
      return usage(arg + " needs a value");
    if (arg == "--listen") {
      std::string value = argv[++i];
      auto colon = value.rfind(':');
      if (colon == std::string::npos)
        return usage("--listen: expected HOST:PORT, got '" + value + "'");
      host = value.substr(0, colon);
      try {
        port = std::stoi(value.substr(colon + 1));
      } catch (const std::exception&) {
        return usage("--listen: bad port in '" + value + "'");
      }
    } else if (arg == "--set") {
      std::string value = argv[++i];
      auto eq = value.find('=');
      if (eq == std::string::npos) return usage("--set: expected KEY=VALUE, got '" + value + "'");
      options[value.substr(0, eq)] = value.substr(eq + 1);
    } else {
      return usage("unknown argument '" + arg + "'");
    }
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: they inherit it

  try {
    disputed::sandbox::Server server(disputed::sandbox::make_sandbox(system, options), host, port);
    server.start();
    std::cout << "disputed-sandbox: " << system << " listening on " << server.url() << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    server.stop();
    std::cout << "disputed-sandbox: " << system << " stopped" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "disputed-sandbox: " << system << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
