// load_and_run: load a (frozen) binary GraphDef with the TensorFlow C++ API,
// feed tensors, run fetches, and dump the results -- a test harness proving
// that a frozen graph loads and runs outside Python.
//
// Usage:
//   load_and_run GRAPH.pb OUT_DIR [--feed NAME=TENSORPROTO_FILE]...
//                [--fetch TENSOR_NAME]... [--target OP_NAME]...
//
// Each feed file holds a serialized tensorflow::TensorProto. Target ops (e.g.
// table initializers) run first in a separate Session::Run; then the fetches
// run and fetch i is written as a serialized TensorProto to OUT_DIR/<i>.pb.
// On any failure the Status is printed to stderr prefixed with the failing
// step ("read", "create", "run", ...) and the exit code is non-zero.

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "tensorflow/core/framework/graph.pb.h"
#include "tensorflow/core/framework/tensor.h"
#include "tensorflow/core/framework/tensor.pb.h"
#include "tensorflow/core/platform/env.h"
#include "tensorflow/core/public/session.h"
#include "tensorflow/core/public/session_options.h"

namespace {

using tensorflow::Env;
using tensorflow::Tensor;
using tensorflow::TensorProto;

int Fail(const std::string& step, const std::string& msg) {
  std::cerr << "load_and_run: " << step << " failed: " << msg << std::endl;
  return 1;
}

int Usage(const std::string& msg) {
  std::cerr << "load_and_run: usage error: " << msg << "\n"
            << "usage: load_and_run GRAPH.pb OUT_DIR [--feed NAME=FILE]... "
               "[--fetch TENSOR]... [--target OP]..."
            << std::endl;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage("GRAPH.pb and OUT_DIR are required");
  const std::string graph_path = argv[1];
  const std::string out_dir = argv[2];

  // Parse the repeated --feed/--fetch/--target flags (each takes one value).
  std::vector<std::pair<std::string, std::string>> feed_files;  // name, file
  std::vector<std::string> fetches, targets;
  for (int i = 3; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage("missing value for " + flag);
    const std::string value = argv[i + 1];
    if (flag == "--feed") {
      const auto eq = value.find('=');  // op names never contain '='
      if (eq == std::string::npos || eq == 0)
        return Usage("--feed expects NAME=FILE, got '" + value + "'");
      feed_files.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else if (flag == "--fetch") {
      fetches.push_back(value);
    } else if (flag == "--target") {
      targets.push_back(value);
    } else {
      return Usage("unknown flag '" + flag + "'");
    }
  }

  Env* env = Env::Default();

  // 1. Read the GraphDef.
  tensorflow::GraphDef graph_def;
  absl::Status s = tensorflow::ReadBinaryProto(env, graph_path, &graph_def);
  if (!s.ok()) return Fail("read graph '" + graph_path + "'", s.ToString());

  // 2. Create a session holding the graph.
  // (The Status overload of NewSession reports *why* it failed, e.g. "no
  // session factory registered" when libtensorflow_cc was not linked in.)
  tensorflow::Session* raw_session = nullptr;
  s = tensorflow::NewSession(tensorflow::SessionOptions(), &raw_session);
  std::unique_ptr<tensorflow::Session> session(raw_session);
  if (!s.ok()) return Fail("create session", s.ToString());
  s = session->Create(graph_def);
  if (!s.ok()) return Fail("create", s.ToString());

  // 3. Load feeds: each file is a serialized TensorProto.
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (const auto& [name, file] : feed_files) {
    TensorProto proto;
    s = tensorflow::ReadBinaryProto(env, file, &proto);
    if (!s.ok()) return Fail("read feed '" + name + "'", s.ToString());
    Tensor tensor;
    if (!tensor.FromProto(proto))
      return Fail("read feed '" + name + "'", "invalid TensorProto in " + file);
    feeds.emplace_back(name, std::move(tensor));
  }

  // 4. Run target ops (e.g. table initializers) on their own first.
  if (!targets.empty()) {
    s = session->Run(feeds, {}, targets, nullptr);
    if (!s.ok()) return Fail("run targets", s.ToString());
  }

  // 5. Run the fetches and write fetch i to OUT_DIR/<i>.pb.
  std::vector<Tensor> outputs;
  if (!fetches.empty()) {
    s = session->Run(feeds, fetches, {}, &outputs);
    if (!s.ok()) return Fail("run", s.ToString());
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    TensorProto proto;
    // Packed tensor_content for numeric types; strings have no packed form
    // that Python's make_ndarray reads, so they go to string_val.
    if (outputs[i].dtype() == tensorflow::DT_STRING) {
      outputs[i].AsProtoField(&proto);
    } else {
      outputs[i].AsProtoTensorContent(&proto);
    }
    const std::string path = out_dir + "/" + std::to_string(i) + ".pb";
    s = tensorflow::WriteBinaryProto(env, path, proto);
    if (!s.ok()) return Fail("write output '" + path + "'", s.ToString());
  }

  s = session->Close();
  if (!s.ok()) return Fail("close", s.ToString());
  return 0;
}
