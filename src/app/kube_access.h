// Cluster mode's side of the UI's access control and writes (ui_api.h): the Gate asks the API
// server (a TokenReview, then a SubjectAccessReview with the user it names), and record objects
// are created and deleted with the caller's own token. A verdict is remembered for 10 s per token
// and permission (by a hash of the token: the token itself is not kept).
#pragma once

#include <memory>

#include "app/ui_api.h"
#include "kube/client.h"

namespace zk::app {

Gate kube_gate(std::shared_ptr<kube::Client> client);
RecordWriter kube_record_writer(std::shared_ptr<kube::Client> client);

}  // namespace zk::app
