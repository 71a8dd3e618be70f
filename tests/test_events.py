"""GRAPH as a TensorBoard events file or log folder: the last graph written, read without TensorFlow.

The fixtures events_graph (a log folder: run train holds the graph, run validation only summaries)
and events_meta (an events file whose MetaGraphDef's saver renames the variables) were written by
TensorFlow's own FileWriter; test_end_to_end freezes them like every fixture and compares the result
with TensorFlow's run of the graph restored from the checkpoint. Here: the other ways to name them,
a writer killed mid-record, runs, the graph-choice rules, errors word for word, and hostile files
(run in a child under a time and an address-space limit, tests/hostile.py). Events files made here
come from `write_events`, a TFRecord writer of its own.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import crc32c
import pytest
from tensorboard.compat.proto import event_pb2, graph_pb2, meta_graph_pb2, summary_pb2, tensor_pb2, types_pb2

import freezer
from freezer.errors import GraphError, OptionError
from freezer.io.graphdef import read_graph
from checkpoint_files import mask
from cli_runs import assert_error, freeze
from fixture_models import FIXTURES, load_fixture
from hostile import assert_one_error, run_cli

EVENTS_NAME = "events.out.tfevents.1700000000.fixture"
GRAPH_LOGS = FIXTURES / "events_graph" / "logs"
TRAIN_EVENTS = GRAPH_LOGS / "train" / EVENTS_NAME
GRAPH_CKPT = FIXTURES / "events_graph" / "ckpt" / "model"
META_EVENTS = FIXTURES / "events_meta" / "logs" / EVENTS_NAME
TF2_LOGS = FIXTURES / "events_tf2"
NO_GRAPH_HINT = ("was the FileWriter given the graph? Write it with tf.compat.v1.summary.FileWriter(logdir, "
                 "session.graph) or writer.add_graph(graph), or give the graph file (.pb, .pbtxt or .meta).")
TF2_HINT = ("not variables, so it cannot be frozen with a checkpoint; give the model's SavedModel instead "
            "(tf.saved_model.save).")


# --------------------------------------------------------------------------- a writer of our own


def record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", mask(crc32c.crc32c(length))) + data
            + struct.pack("<I", mask(crc32c.crc32c(data))))


def file_version() -> event_pb2.Event:
    return event_pb2.Event(wall_time=1.0, file_version="brain.Event:2")


def write_events(path: Path, events: list[event_pb2.Event]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(record(event.SerializeToString()) for event in events))
    return path


def record_offsets(data: bytes) -> list[int]:
    """The offset of each record in an events file's bytes."""
    offsets, offset = [], 0
    while offset < len(data):
        offsets.append(offset)
        offset += 16 + struct.unpack_from("<Q", data, offset)[0]
    return offsets


def graph_with(name: str) -> graph_pb2.GraphDef:
    """A graph of one float Placeholder `name`: freezing it for `name` needs no checkpoint."""
    graph = graph_pb2.GraphDef()
    node = graph.node.add(name=name, op="Placeholder")
    node.attr["dtype"].type = types_pb2.DT_FLOAT
    return graph


def graph_event(graph: graph_pb2.GraphDef, step: int) -> event_pb2.Event:
    return event_pb2.Event(step=step, graph_def=graph.SerializeToString())


def meta_event(graph: graph_pb2.GraphDef, step: int) -> event_pb2.Event:
    meta = meta_graph_pb2.MetaGraphDef(graph_def=graph)
    meta.saver_def.restore_op_name = "save/restore_all"
    return event_pb2.Event(step=step, meta_graph_def=meta.SerializeToString())


def summary_event(step: int, size: int = 8, plugin: str = "scalars") -> event_pb2.Event:
    value = summary_pb2.Summary.Value(
        tag="loss", tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[b"s" * size]),
        metadata=summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin)))
    return event_pb2.Event(wall_time=2.0, step=step, summary=summary_pb2.Summary(value=[value]))


@pytest.fixture(scope="module")
def frozen_train(tmp_path_factory) -> bytes:
    """events_graph frozen from its log folder (test_end_to_end checks it against TensorFlow)."""
    out = tmp_path_factory.mktemp("frozen") / "train.pb"
    return freezer.freeze_files(GRAPH_LOGS, GRAPH_CKPT, outputs="y", output=out).output_path.read_bytes()


@pytest.fixture
def logs(tmp_path) -> Path:
    """A copy of events_graph's log folder (runs train and validation)."""
    return Path(shutil.copytree(GRAPH_LOGS, tmp_path / "logs"))


# --------------------------------------------------------------------------- the ways to name it


@pytest.mark.parametrize("graph", [GRAPH_LOGS, GRAPH_LOGS / "train", TRAIN_EVENTS], ids=["logdir", "run", "file"])
def test_log_folder_run_folder_and_events_file_freeze_the_same_graph(graph, tmp_path, frozen_train):
    result = freeze(graph, GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Note: Read the MetaGraphDef at step 0 of events file {TRAIN_EVENTS}."
    assert (tmp_path / "out.pb").read_bytes() == frozen_train


def test_events_file_is_told_by_content_not_by_name(tmp_path, frozen_train):
    renamed = tmp_path / "model.pb"
    shutil.copy(TRAIN_EVENTS, renamed)
    result = freezer.freeze_files(renamed, GRAPH_CKPT, outputs="y", output=tmp_path / "out.pb")
    assert result.output_path.read_bytes() == frozen_train
    graph_named_like_events = tmp_path / "events.out.tfevents.1.host"
    graph_named_like_events.write_bytes(graph_with("x").SerializeToString())
    assert read_graph(graph_named_like_events).description is None


def test_tfrecord_file_that_is_not_an_events_file_is_read_as_a_graph(tmp_path):
    path = tmp_path / "data.tfrecord"
    path.write_bytes(record(b"\x0a\x03abc"))  # a TFRecord, but its record is no Event with a file_version
    assert_error(freeze(path, "--outputs", "y"), f"{path} is not a valid binary GraphDef; the file may be "
                                                 "truncated or not a TensorFlow graph.")


def test_meta_graph_with_a_renaming_saver_is_used_as_a_meta_file_is(tmp_path):
    fixture = load_fixture("events_meta")
    result = freezer.freeze_files(META_EVENTS, fixture.checkpoint, outputs="y", output=tmp_path / "out.pb")
    assert result.notes[0] == f"Read the MetaGraphDef at step 0 of events file {META_EVENTS}."
    assert sorted(v.name for v in result.variables) == ["layer0/b", "layer0/w", "layer1/b", "layer1/w"]


def test_default_output_is_inside_the_log_folder_under_a_name_no_reader_takes_for_events(logs):
    first = freeze(logs, GRAPH_CKPT, "--outputs", "y")
    assert first.exit_code == 0, first.output
    assert (logs / "logs.frozen.pb").is_file()
    again = freeze(logs / "train" / EVENTS_NAME, GRAPH_CKPT, "--outputs", "y", "--text")
    assert again.exit_code == 0, again.output
    assert (logs / "train" / "train.frozen.pbtxt").is_file()
    assert freeze(logs, GRAPH_CKPT, "--outputs", "y").exit_code == 0  # the outputs are not read as events


def test_output_may_not_be_an_events_file_read(logs):
    other = logs / "train" / "events.out.tfevents.1600000000.old"
    write_events(other, [file_version(), summary_event(1)])
    before = other.read_bytes()
    assert_error(freeze(logs / "train", GRAPH_CKPT, "--outputs", "y", "-o", other),
                 f"The output path {other} is the input file {other}; choose another path with -o.")
    assert other.read_bytes() == before


# --------------------------------------------------------------------------- runs


def test_several_runs_holding_graphs_is_an_error_listing_them(logs):
    shutil.copytree(logs / "train", logs / "eval")
    assert_error(freeze(logs, GRAPH_CKPT, "--outputs", "y"),
                 f"{logs} holds graphs in several runs: eval, train; pick one with --run NAME (e.g. --run eval) "
                 "or give its events file.")


def test_run_option_picks_one_run(logs, tmp_path, frozen_train):
    shutil.copytree(logs / "train", logs / "eval")
    result = freeze(logs, GRAPH_CKPT, "--outputs", "y", "--run", "train/", "-o", tmp_path / "out.pb")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (f"Note: Read the MetaGraphDef at step 0 of events file "
                                             f"{logs / 'train' / EVENTS_NAME}.")
    assert (tmp_path / "out.pb").read_bytes() == frozen_train
    api = freezer.freeze_files(logs, GRAPH_CKPT, outputs="y", run="train", output=tmp_path / "api.pb")
    assert api.output_path.read_bytes() == frozen_train


def test_unknown_run_is_an_error_listing_the_runs(logs):
    assert_error(freeze(logs, GRAPH_CKPT, "--outputs", "y", "--run", "test"),
                 f"--run test: {logs} has no run 'test'; its runs are: train, validation.")


def test_run_without_a_graph_is_an_error(logs):
    assert_error(freeze(logs, GRAPH_CKPT, "--outputs", "y", "--run", "validation"),
                 f"Events file {logs / 'validation' / EVENTS_NAME} holds no graph; {NO_GRAPH_HINT}")


def test_run_option_with_a_graph_file_is_an_error(tmp_path):
    with pytest.raises(OptionError, match=rf"^--run train picks a run of a log folder, but {TRAIN_EVENTS} is a file; "
                                          r"give the log folder, or leave --run out\.$"):
        freezer.freeze_files(TRAIN_EVENTS, GRAPH_CKPT, outputs="y", run="train", output=tmp_path / "out.pb")


def test_run_option_with_a_saved_model_folder_is_an_error(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"")
    with pytest.raises(OptionError, match=rf"^--run train picks a run of a log folder, and {tmp_path} is a "
                                          r"SavedModel folder; leave --run out\.$"):
        freezer.freeze_files(tmp_path, outputs="y", run="train", output=tmp_path / "out.pb")


def test_later_events_file_of_a_run_replaces_the_graph_of_an_earlier_one(tmp_path):
    run = tmp_path / "run"
    write_events(run / "events.out.tfevents.1600000000.a", [file_version(), graph_event(graph_with("old"), 0)])
    write_events(run / "events.out.tfevents.1700000000.a", [file_version(), graph_event(graph_with("new"), 0),
                                                           summary_event(1)])
    loaded = read_graph(run)
    assert [n.name for n in loaded.graph_def.node] == ["new"]
    assert loaded.files_read == [run / "events.out.tfevents.1600000000.a"]


def test_folder_that_is_no_log_folder_keeps_its_message(tmp_path):
    (tmp_path / "model.pb").write_bytes(graph_with("x").SerializeToString())
    assert_error(freeze(tmp_path, "--outputs", "x"),
                 f"{tmp_path} is a folder; give the graph file (.pbtxt, .pb or .meta) inside it.")


def test_saved_model_folder_is_not_taken_for_a_log_folder(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"")
    write_events(tmp_path / "logs" / "events.out.tfevents.1.a", [file_version(), graph_event(graph_with("x"), 0)])
    with pytest.raises(GraphError, match="is a folder; give the graph file"):
        read_graph(tmp_path)


# --------------------------------------------------------------------------- which graph


@pytest.mark.parametrize("order", ["meta first", "graph first"])
def test_meta_graph_beats_the_bare_graph_written_at_the_same_step(tmp_path, order):
    events = [meta_event(graph_with("meta"), 3), graph_event(graph_with("bare"), 3)]
    path = write_events(tmp_path / "events.out.tfevents.1.a",
                        [file_version(), *(events if order == "meta first" else events[::-1])])
    loaded = read_graph(path)
    assert [n.name for n in loaded.graph_def.node] == ["meta"]
    assert loaded.saver_def.restore_op_name == "save/restore_all"
    assert loaded.description == f"the MetaGraphDef at step 3 of events file {path}"


def test_a_later_graph_replaces_an_earlier_one(tmp_path):
    path = write_events(tmp_path / "events.out.tfevents.1.a", [
        file_version(), meta_event(graph_with("first"), 0), summary_event(1),
        graph_event(graph_with("second"), 5), summary_event(6)])
    loaded = read_graph(path)
    assert [n.name for n in loaded.graph_def.node] == ["second"] and loaded.saver_def is None
    assert loaded.description == f"the graph at step 5 of events file {path}"


# --------------------------------------------------------------------------- a writer killed mid-run


def cut_copy(tmp_path: Path, keep: int) -> Path:
    """events_graph's train events file, cut after `keep` bytes, in a run folder of its own."""
    path = tmp_path / "cut" / EVENTS_NAME
    path.parent.mkdir()
    path.write_bytes(TRAIN_EVENTS.read_bytes()[:keep])
    return path


@pytest.mark.parametrize("into", ["header", "data", "footer"])
def test_record_cut_short_at_the_end_reads_the_records_before_it(tmp_path, into, frozen_train):
    data = TRAIN_EVENTS.read_bytes()
    last = record_offsets(data)[-1]
    keep = {"header": last + 5, "data": last + 20, "footer": len(data) - 1}[into]
    path = cut_copy(tmp_path, keep)
    result = freeze(path.parent, GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb")
    assert result.exit_code == 0, result.output
    complete = len(record_offsets(data)) - 1
    assert result.stdout.splitlines()[:2] == [
        f"Note: Read the MetaGraphDef at step 0 of events file {path}.",
        f"Note: Events file {path} ends inside the record at byte {last} (its writer stopped mid-write, "
        f"or is still writing); read the {complete} complete records before it."]
    assert (tmp_path / "out.pb").read_bytes() == frozen_train


def test_cut_short_graph_record_leaves_no_graph(tmp_path):
    data = TRAIN_EVENTS.read_bytes()
    path = cut_copy(tmp_path, record_offsets(data)[1] + 100)  # the graph is the second record
    assert_error(freeze(path, GRAPH_CKPT, "--outputs", "y"),
                 f"Events file {path} holds no graph in its complete records; {NO_GRAPH_HINT}")


def test_cut_short_events_file_freezes_to_what_tensorflow_computes(tmp_path):
    pytest.importorskip("tensorflow")
    from fixture_models import assert_outputs_equal, run_frozen, run_original
    fixture = load_fixture("events_graph")
    path = cut_copy(tmp_path, TRAIN_EVENTS.stat().st_size - 3)
    out = freezer.freeze_files(path, GRAPH_CKPT, outputs="y", output=tmp_path / "out.pb").output_path
    assert_outputs_equal(run_frozen(out, fixture.inputs, fixture.fetches), run_original(fixture))


# --------------------------------------------------------------------------- errors


def test_events_file_without_a_graph_is_an_error(tmp_path):
    path = write_events(tmp_path / "events.out.tfevents.1.a", [file_version(), summary_event(0), summary_event(1)])
    assert_error(freeze(path, "--outputs", "y"), f"Events file {path} holds no graph; {NO_GRAPH_HINT}")


def test_log_folder_without_a_graph_is_an_error(logs):
    shutil.rmtree(logs / "train")
    assert_error(freeze(logs, GRAPH_CKPT, "--outputs", "y"),
                 f"Events file {logs / 'validation' / EVENTS_NAME} holds no graph; {NO_GRAPH_HINT}")


def test_log_folder_of_several_events_files_without_a_graph_is_an_error(logs):
    shutil.rmtree(logs / "train")
    write_events(logs / "more" / "events.out.tfevents.1.a", [file_version(), summary_event(0)])
    assert_error(freeze(logs, GRAPH_CKPT, "--outputs", "y"),
                 f"Log folder {logs} (2 events files) holds no graph; {NO_GRAPH_HINT}")


def test_tf2_trace_is_an_error_that_asks_for_the_saved_model():
    trace = TF2_LOGS / "trace" / EVENTS_NAME
    assert_error(freeze(trace, GRAPH_CKPT, "--outputs", "y"),
                 f"Events file {trace} holds a TF2 trace (tf.summary.trace_export), not a graph: its function "
                 f"graph takes the variables as captured placeholders, {TF2_HINT}")


def test_tf2_function_graph_is_an_error_that_asks_for_the_saved_model():
    graph = TF2_LOGS / "graph" / EVENTS_NAME
    assert_error(freeze(TF2_LOGS / "graph", GRAPH_CKPT, "--outputs", "y"),
                 f"The graph at step 0 of events file {graph} is a TF2 function graph: it takes the variables "
                 f"as captured placeholders (MatMul/ReadVariableOp/resource), {TF2_HINT}")


def test_checkpoint_lacking_the_graphs_variables_is_an_error():
    other = FIXTURES / "mlp_ref" / "ckpt"
    assert_error(freeze(META_EVENTS, other, "--outputs", "y"),
                 f"Variable layer0/w (saved as 'old/layer0/w') is not in checkpoint {other / 'model-0'}. Did you "
                 "mean: layer0/w, layer2/w, layer1/w, layer0/b, layer2/b? Check the checkpoint belongs to this graph.")


def test_record_that_is_no_event_is_an_error(tmp_path):
    path = tmp_path / "events.out.tfevents.1.a"
    path.write_bytes(record(file_version().SerializeToString()) + record(b"\x22\x7f\x01"))
    assert_error(freeze(path, "--outputs", "y"),
                 f"Events file {path} is corrupt: the record at byte 40 is no Event (field 4 at byte 2 of the "
                 "record runs past its message); give an intact copy of the file, or the graph file (.pb, .pbtxt "
                 "or .meta).")


# --------------------------------------------------------------------------- hostile files


def test_crc_failure_in_the_middle_is_an_error(tmp_path):
    data = bytearray(TRAIN_EVENTS.read_bytes())
    middle = record_offsets(bytes(data))[4]
    data[middle + 14] ^= 0x40  # a byte of the record's data
    path = tmp_path / EVENTS_NAME
    path.write_bytes(bytes(data))
    assert_one_error(run_cli(path, GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb"),
                     contains=f"Events file {path} is corrupt: the record at byte {middle} fails its crc32c "
                              "check; give an intact copy of the file, or the graph file (.pb, .pbtxt or .meta).",
                     output=tmp_path / "out.pb")


def test_length_crc_failure_in_the_middle_is_an_error(tmp_path):
    data = bytearray(TRAIN_EVENTS.read_bytes())
    middle = record_offsets(bytes(data))[3]
    data[middle + 1] ^= 0x01
    path = tmp_path / EVENTS_NAME
    path.write_bytes(bytes(data))
    assert_one_error(run_cli(path, GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb"),
                     contains=f"Events file {path} is corrupt: the length of the record at byte {middle} fails "
                              "its crc32c check; give an intact copy of the file, or the graph file (.pb, .pbtxt "
                              "or .meta).",
                     output=tmp_path / "out.pb")


def test_record_claiming_a_huge_length_is_a_record_cut_short(tmp_path):
    data = TRAIN_EVENTS.read_bytes()
    huge = struct.pack("<Q", 1 << 62)
    path = tmp_path / EVENTS_NAME
    path.write_bytes(data + huge + struct.pack("<I", mask(crc32c.crc32c(huge))) + b"\0" * 64)
    run = run_cli(path, GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb")
    assert run.returncode == 0, run.stderr
    assert f"Note: Events file {path} ends inside the record at byte {len(data)}" in run.stdout


def test_events_file_that_is_a_fifo_in_a_log_folder_is_an_error_not_a_hang(tmp_path):
    run_folder = tmp_path / "logs" / "train"
    run_folder.mkdir(parents=True)
    fifo = run_folder / EVENTS_NAME
    os.mkfifo(fifo)
    assert_one_error(run_cli(tmp_path / "logs", GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb"),
                     contains=f"Events file {fifo} is not a regular file; give a log folder whose events files "
                              "are regular files, or the events file itself.",
                     output=tmp_path / "out.pb")


def test_events_file_that_is_a_fifo_given_as_graph_is_an_error_not_a_hang(tmp_path):
    fifo = tmp_path / EVENTS_NAME
    os.mkfifo(fifo)
    assert_one_error(run_cli(fifo, GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb"),
                     contains=f"Graph file {fifo} is not a regular file", output=tmp_path / "out.pb")


def test_huge_events_file_of_summaries_is_read_in_memory_bounded_by_the_graph(tmp_path, monkeypatch):
    """~320 MiB of summaries after the graph, read by a process allowed 256 MiB of address space in
    all (freezer itself, numpy and protobuf take ~170 MiB of it): holding the records cannot fit."""
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # its per-thread buffers grow with the machine's cores
    big = record(summary_event(1, size=1 << 20, plugin="tensors").SerializeToString())
    path = tmp_path / "logs" / EVENTS_NAME
    path.parent.mkdir()
    with open(path, "wb") as out:
        out.write(TRAIN_EVENTS.read_bytes())
        for _ in range(320):
            out.write(big)
    assert path.stat().st_size > 320 << 20
    run = run_cli(tmp_path / "logs", GRAPH_CKPT, "--outputs", "y", "-o", tmp_path / "out.pb",
                  memory_limit=256 << 20)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"Note: Read the MetaGraphDef at step 0 of events file {path}.\n")
