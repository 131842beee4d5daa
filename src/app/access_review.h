// Who may use the UI and the ops API: the caller's bearer token checked by the API server — a
// TokenReview says who it is, a SubjectAccessReview whether they may do the action on our CRDs
// (no user database of our own). This file is the pure part: the request bodies, the reading of
// the answers, and which permission each action needs (docs/ui.md "Access").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace zk::app {

// A SubjectAccessReview's resourceAttributes in group dns.zonekeeper.io. ns "" = all namespaces.
struct Permission {
  std::string verb;      // list | update | create | delete
  std::string resource;  // dnszones | arecords | ...
  std::string ns;
  std::string name;
  friend bool operator==(const Permission&, const Permission&) = default;
};

// Reading anything (records, zones, status, events, test-dns, export): list DNSZones everywhere.
Permission read_permission();
// Resync of one DNSZone ("ns/name") or of all (""): update on that DNSZone / on DNSZones.
Permission resync_permission(std::string_view zone_key);

// The answer to a request: 200 allowed; 401 no or bad token; 403 not allowed; 502 the API server
// could not be asked. `message` says why (never the token); `user` who asked (once known).
struct Verdict {
  unsigned status = 200;
  std::string message;
  std::string user;
  bool allowed() const { return status == 200; }
};

// "Bearer <token>" → the token; nullopt for anything else (absent, another scheme, empty).
std::optional<std::string> bearer_token(std::string_view authorization);

boost::json::object token_review(const std::string& token);
// Who the TokenReview says it is: the SubjectAccessReview's user fields (user, uid, groups,
// extra), or a 401 Verdict when not authenticated.
struct Subject {
  boost::json::object fields;  // user, uid, groups, extra as the SubjectAccessReview wants them
  std::string username;
};
std::optional<Subject> reviewed_subject(const boost::json::value& answer, Verdict& refused);

boost::json::object access_review(const Subject& who, const Permission& p);
// 200 or 403 with the API server's reason.
Verdict access_verdict(const boost::json::value& answer, const Subject& who, const Permission& p);

}  // namespace zk::app
