package io.openmeet.roomapi.callrecords;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.focus.records.CallRecordEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An append-only file of call events (JSON lines) that holds what the in-memory buffer cannot:
 * events that arrive while the buffer is full, and the buffer's content at shutdown. Replayed in
 * order.
 */
final class CallRecordJournal {

  private static final Map<String, Class<? extends CallRecordEvent>> KINDS =
      Map.of(
          "CallStarted", CallRecordEvent.CallStarted.class,
          "ParticipantJoined", CallRecordEvent.ParticipantJoined.class,
          "ParticipantLeft", CallRecordEvent.ParticipantLeft.class,
          "CallEnded", CallRecordEvent.CallEnded.class);

  private final Path file;
  private final ObjectMapper mapper;

  CallRecordJournal(Path file, ObjectMapper mapper) {
    this.file = file;
    this.mapper = mapper;
  }

  Path file() {
    return file;
  }

  boolean isEmpty() {
    try {
      return !Files.exists(file) || Files.size(file) == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Appends events and forces them to disk. */
  void append(List<CallRecordEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (BufferedWriter out =
          Files.newBufferedWriter(
              file,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND,
              StandardOpenOption.WRITE,
              StandardOpenOption.DSYNC)) {
        for (CallRecordEvent event : events) {
          var line = mapper.createObjectNode();
          line.put("kind", event.getClass().getSimpleName());
          line.set("event", mapper.valueToTree(event));
          out.write(mapper.writeValueAsString(line));
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the call-record journal " + file, e);
    }
  }

  /**
   * Every event in the journal, oldest first; lines that cannot be read are skipped and counted.
   */
  List<CallRecordEvent> readAll() {
    if (isEmpty()) {
      return List.of();
    }
    List<CallRecordEvent> events = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = mapper.readTree(line);
        Class<? extends CallRecordEvent> kind = KINDS.get(node.path("kind").asText());
        if (kind == null) {
          throw new IOException("unknown event kind in journal line: " + line);
        }
        events.add(mapper.treeToValue(node.get("event"), kind));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the call-record journal " + file, e);
    }
    return events;
  }

  /** Puts older events in front of the journal's (used at shutdown for what was still buffered). */
  void prepend(List<CallRecordEvent> older) {
    if (older.isEmpty()) {
      return;
    }
    List<CallRecordEvent> newer = readAll();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      new CallRecordJournal(tmp, mapper).append(concat(older, newer));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite the call-record journal " + file, e);
    }
  }

  /**
   * Moves the journal aside for replay and returns its events; appends made meanwhile start a new
   * journal, so nothing written during the replay is lost. Call {@link #replayed()} once they are
   * stored.
   */
  List<CallRecordEvent> takeForReplay() {
    try {
      if (isEmpty()) {
        return List.of();
      }
      Files.move(file, replayFile(), StandardCopyOption.ATOMIC_MOVE);
      return new CallRecordJournal(replayFile(), mapper).readAll();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rotate the call-record journal " + file, e);
    }
  }

  /** The events taken by {@link #takeForReplay()} are stored. */
  void replayed() {
    try {
      Files.deleteIfExists(replayFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** After a crash during a replay: puts the events being replayed back in front of the journal. */
  void recover() {
    CallRecordJournal interrupted = new CallRecordJournal(replayFile(), mapper);
    if (!interrupted.isEmpty()) {
      prepend(interrupted.readAll());
    }
    replayed();
  }

  private Path replayFile() {
    return file.resolveSibling(file.getFileName() + ".replaying");
  }

  private static List<CallRecordEvent> concat(List<CallRecordEvent> a, List<CallRecordEvent> b) {
    List<CallRecordEvent> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    return all;
  }
}
