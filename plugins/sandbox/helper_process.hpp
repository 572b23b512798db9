#pragma once
// A helper program the tests run beside them (Prism in front of a sandbox, the SMTP sink): started
// in its own process group with its stdout and stderr in a log file, and stopped as a group, so
// nothing it forked outlives the test. Header-only, POSIX.

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace disputed::sandbox {

class HelperProcess {
 public:
  HelperProcess() = default;
  ~HelperProcess() { stop(); }
  HelperProcess(const HelperProcess&) = delete;
  HelperProcess& operator=(const HelperProcess&) = delete;

  /// Starts `argv` (argv[0]: the program's path) with stdout and stderr written to `log_file`
  /// (truncated). Throws std::runtime_error when it cannot fork; a program that cannot be run
  /// exits 127 (see exited()).
  void start(std::vector<std::string> argv, const std::filesystem::path& log_file,
             std::chrono::milliseconds grace) {
    grace_ = grace;
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("cannot start " + argv.at(0) + ": fork failed");
    if (pid_ == 0) {
      setpgid(0, 0);
      std::string log = log_file.string();
      if (!freopen(log.c_str(), "w", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(127);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }

  /// Whether the program has ended (it is reaped then, and stop() does nothing).
  bool exited() {
    int status = 0;
    if (pid_ <= 0) return true;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = -1;
    return true;
  }

  /// SIGTERM to the whole group, the grace given to start() for it to end, then SIGKILL; reaps
  /// the program. Nothing when it is not running.
  void stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + grace_;
    while (waitpid(pid_, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    kill(-pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  std::chrono::milliseconds grace_{5000};
};

}  // namespace disputed::sandbox
