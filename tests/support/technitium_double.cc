#include "support/technitium_double.h"

#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "http/client.h"

#ifndef ZK_PYTHON_PATH
#define ZK_PYTHON_PATH "/usr/bin/python3"
#endif

namespace zk::testbed {

namespace {

std::string encode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    for (const std::string* s : {&k, &v}) {
      for (unsigned char c : *s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
          out += char(c);
        } else {
          out += fmt::format("%{:02X}", c);
        }
      }
      if (s == &k) out += '=';
    }
  }
  return out;
}

}  // namespace

TechnitiumDouble::TechnitiumDouble(Options options)
    : options_(std::move(options)), http_(LoopbackPort::reserve()), dns_(LoopbackPort::reserve()) {
  dir_ = std::filesystem::temp_directory_path() /
         fmt::format("zk-technitium-{}-{}", ::getpid(), http_.number());
  std::filesystem::create_directories(dir_);
  std::vector<std::string> argv = {
      ZK_PYTHON_PATH, std::string(ZK_SOURCE_DIR) + "/tests/support/technitium_double.py",
      "--http-port",  std::to_string(http_.number()),
      "--dns-port",   std::to_string(dns_.number()),
      "--token",      options_.token};
  for (const auto& z : options_.zones) {
    argv.push_back("--zone");
    argv.push_back(z);
  }
  if (!options_.user.empty()) {
    argv.insert(argv.end(), {"--user", options_.user, "--password", options_.password});
  }
  auto log = dir_ / "double.log";
  child_ = std::make_unique<ChildProcess>(argv, log);
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find("ready") != std::string::npos) return;
    if (!child_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  throw FixtureError("the Technitium double did not start: " + ss.str());
}

TechnitiumDouble::~TechnitiumDouble() {
  child_->stop(std::chrono::seconds(2));
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string TechnitiumDouble::post(const std::string& target, const std::string& body,
                                   bool with_token) {
  boost::asio::io_context io;
  http::Options o;
  o.url = url();
  auto client = http::Client::make(io.get_executor(), o);
  if (!client) throw FixtureError(client.error().message);
  http::Request req;
  req.method = "POST";
  req.target = target;
  req.body = body;
  req.content_type = "application/x-www-form-urlencoded";
  if (with_token) req.authorization = "Bearer " + options_.token;
  auto fut = boost::asio::co_spawn(io, (*client)->send(req), boost::asio::use_future);
  io.run();
  auto r = fut.get();
  if (!r) throw FixtureError("Technitium double: " + r.error().message);
  return r->body;
}

std::string TechnitiumDouble::call(const std::string& path,
                                   const std::vector<std::pair<std::string, std::string>>& params) {
  return post(path, encode(params), true);
}

void TechnitiumDouble::fail_next(int count, int status) {
  post(fmt::format("/_double/fail?count={}&status={}", count, status), "", false);
}

std::string TechnitiumDouble::state() {
  return post("/_double/state", "", false);
}

void TechnitiumDouble::reset_calls() {
  post("/_double/reset", "", false);
}

}  // namespace zk::testbed
