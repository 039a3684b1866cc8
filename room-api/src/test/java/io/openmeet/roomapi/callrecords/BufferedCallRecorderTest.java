package io.openmeet.roomapi.callrecords;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.openmeet.focus.records.CallRecordEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffering and journaling logic with an in-memory store (the Postgres store has its own test).
 */
class BufferedCallRecorderTest {

  @TempDir Path dir;

  private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());

  /** A store that records what it was given and can be made to fail or to block. */
  static final class ScriptedStore implements CallRecordStore {
    final List<CallRecordEvent> written = new ArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean down;
    final Semaphore gate = new Semaphore(Integer.MAX_VALUE);

    @Override
    public void write(List<CallRecordEvent> batch) throws Exception {
      gate.acquire();
      try {
        if (down || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new IllegalStateException("database unavailable");
        }
        synchronized (written) {
          written.addAll(batch);
        }
      } finally {
        gate.release();
      }
    }

    List<CallRecordEvent> snapshot() {
      synchronized (written) {
        return List.copyOf(written);
      }
    }
  }

  private BufferedCallRecorder recorder(ScriptedStore store, int capacity) {
    return new BufferedCallRecorder(
        store,
        new CallRecordJournal(dir.resolve("journal.jsonl"), mapper),
        capacity,
        16,
        Duration.ofMillis(5),
        Duration.ofMillis(40),
        Duration.ofMillis(300));
  }

  private static List<CallRecordEvent> call(int participants) {
    UUID callId = UUID.randomUUID();
    Instant t = Instant.parse("2026-11-27T10:00:00Z");
    List<CallRecordEvent> events = new ArrayList<>();
    events.add(new CallRecordEvent.CallStarted(callId, UUID.randomUUID(), "local", t));
    for (int i = 0; i < participants; i++) {
      UUID row = UUID.randomUUID();
      events.add(
          new CallRecordEvent.ParticipantJoined(
              callId, row, null, "guest " + i, t, true, i % 2 == 0));
      events.add(
          new CallRecordEvent.ParticipantLeft(
              callId, row, t.plusSeconds(60), "leave", true, false));
    }
    events.add(
        new CallRecordEvent.CallEnded(
            callId, t.plusSeconds(61), participants, participants, List.of("lite-1")));
    return events;
  }

  private static void awaitStored(ScriptedStore store, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (store.snapshot().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Test
  void events_are_stored_in_order() throws Exception {
    var store = new ScriptedStore();
    List<CallRecordEvent> events = call(10);
    try (var recorder = recorder(store, 100)) {
      events.forEach(recorder::record);
      awaitStored(store, events.size());
    }
    assertThat(store.snapshot()).containsExactlyElementsOf(events);
  }

  @Test
  void failing_writes_are_retried_without_losing_or_reordering() throws Exception {
    var store = new ScriptedStore();
    store.failuresLeft.set(3);
    List<CallRecordEvent> events = call(5);
    try (var recorder = recorder(store, 100)) {
      events.forEach(recorder::record);
      awaitStored(store, events.size());
      assertThat(recorder.failedWrites()).isEqualTo(3);
    }
    assertThat(store.snapshot()).containsExactlyElementsOf(events);
  }

  @Test
  void a_full_buffer_spills_to_the_journal_and_everything_arrives_in_order() throws Exception {
    var store = new ScriptedStore();
    store.down = true;
    List<CallRecordEvent> events = call(20); // 42 events, buffer of 4
    try (var recorder = recorder(store, 4)) {
      long start = System.nanoTime();
      events.forEach(recorder::record);
      // recording never waits for the store
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThat(recorder.spilled()).isGreaterThan(0);
      store.down = false;
      awaitStored(store, events.size());
      assertThat(recorder.lost()).isZero();
    }
    assertThat(store.snapshot()).containsExactlyElementsOf(events);
  }

  @Test
  void what_is_unstored_at_shutdown_is_stored_after_the_next_start() throws Exception {
    var store = new ScriptedStore();
    store.down = true;
    List<CallRecordEvent> events = call(8);
    try (var recorder = recorder(store, 5)) {
      events.forEach(recorder::record);
    }
    assertThat(store.snapshot()).isEmpty();

    store.down = false;
    try (var restarted = recorder(store, 5)) {
      awaitStored(store, events.size());
    }
    assertThat(store.snapshot()).containsExactlyElementsOf(events);
  }
}
