// Cluster mode's watch of cert-manager Certificates (--watch-certificates; docs/api.md
// "Certificates"): every replica exports each Certificate's readiness and expiry as metrics;
// the leader records a Warning Event when one is not Ready for too long, expires within the
// warning window or has expired (once per change of that verdict, and a Normal one when it is
// well again), and keeps the wildcard Certificates of --wildcard-certificate (server-side apply,
// forced: a field of ours changed by someone else is put back; one of ours that no flag asks
// for any more is deleted). The judging is api/certificate's.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "api/certificate.h"
#include "kube/client.h"
#include "kube/event_recorder.h"
#include "telemetry/metrics.h"

namespace zk::app {

struct CertificateOptions {
  api::CertificateWarnings warnings{};
  std::vector<api::WildcardCertificate> wildcards{};  // --wildcard-certificate
  std::string wildcard_namespace{};  // where they are kept: --certificate-namespace ("":
                                     // run_cluster sets $POD_NAMESPACE, else zonekeeper-system)
  std::string owner{};               // --txt-owner-id: the value of their kWildcardLabel
  std::chrono::seconds discovery_interval{30};  // until cert-manager's CRDs are served
};

class Certificates {
 public:
  Certificates(boost::asio::any_io_executor executor, std::shared_ptr<kube::Client> client,
               kube::EventRecorder& events, telemetry::Metrics& metrics,
               CertificateOptions options);
  // NOLINTNEXTLINE(bugprone-exception-escape): a timer's cancel() cannot fail on Linux.
  ~Certificates();
  Certificates(const Certificates&) = delete;
  Certificates& operator=(const Certificates&) = delete;

  static const kube::Resource& resource();  // cert-manager.io/v1 certificates
  // Looks the API up until it is served, then watches it and judges every Certificate again
  // each tick (expiry comes without an event); until shutdown().
  boost::asio::awaitable<void> run();
  // Events and the wildcard Certificates: only while leading (metrics always); idempotent.
  void start();
  void stop();
  void shutdown();
  size_t cached() const;  // Certificates in its cache

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace zk::app
