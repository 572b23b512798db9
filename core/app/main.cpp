#include <csignal>
#include <cstdlib>
#include <iostream>

#include "core/app/cli.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  return disputed::app::run_cli(args, std::cout, std::cerr,
                                [](const char* name) { return std::getenv(name); });
}
