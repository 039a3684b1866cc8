package io.openmeet.roomapi.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.openmeet.focus.conference.Focus;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.focus.conference.ParticipantInfo;
import io.openmeet.presence.session.ResumeTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Resuming signalling sessions and counting connection attempts, with a hand-written focus, sockets
 * that record their frames and a clock the test moves (the same paths over real WebSockets and the
 * real focus are in {@link SignallingResumeTest}).
 */
class SignallingSessionsTest {

  private static final UUID ROOM = UUID.randomUUID();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T21:00:00Z"));
  private final FakeFocus focus = new FakeFocus();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SignallingSessions sessions =
      new SignallingSessions(
          config(Duration.ofSeconds(20)),
          JSON,
          SignallingSessionsTest::authorize,
          focus,
          new SignallingMetrics(registry, null, Set.of("local")),
          new TurnCredentials(noTurn()),
          clock);
  private final AtomicInteger sockets = new AtomicInteger();

  // --- resume

  @Test
  void a_participant_resumed_within_the_window_keeps_its_id_and_nobody_sees_it_leave()
      throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    var bob = connect();
    bob.browserSends(join("bob"));
    String adaId = ada.joined().get("participantId").asText();
    String token = ada.joined().get("resumeToken").asText();
    assertThat(token).matches("[A-Za-z0-9_-]{22}");

    ada.drop();
    clock.advance(Duration.ofSeconds(19));
    sessions.sweep();
    var again = connect();
    again.browserSends(join("ada", token));

    JsonNode joined = again.joined();
    assertThat(joined.get("participantId").asText()).isEqualTo(adaId);
    assertThat(joined.get("participants").findValuesAsText("participantId"))
        .containsExactly(bob.joined().get("participantId").asText());
    assertThat(joined.get("resumeToken").asText()).isNotEqualTo(token);
    assertThat(again.types()).containsExactly("joined", "offer");
    assertThat(again.lastOffer()).contains("a=ice-ufrag:u1"); // the same transport, offered again
    assertThat(focus.left).isEmpty();
    assertThat(bob.types()).doesNotContain("participant-left");
    assertThat(sessions.detached()).isZero();
    assertThat(counter("signalling_resumes", "resumed")).isEqualTo(1);

    // the resumed session goes on: it is the same participant in the focus
    again.browserSends("{\"type\":\"chat\",\"text\":\"back\"}");
    assertThat(focus.chats).containsExactly(adaId + ": back");
  }

  @Test
  void after_the_window_the_participant_leaves_and_its_token_is_refused() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    var bob = connect();
    bob.browserSends(join("bob"));
    String adaId = ada.joined().get("participantId").asText();
    String token = ada.joined().get("resumeToken").asText();

    ada.drop();
    clock.advance(Duration.ofSeconds(19));
    sessions.sweep();
    assertThat(focus.left).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    sessions.sweep();
    assertThat(focus.left).containsExactly(adaId + " " + LeaveReason.DISCONNECTED);
    assertThat(bob.types()).endsWith("participant-left");
    assertThat(sessions.detached()).isZero();

    var late = connect();
    late.browserSends(join("ada", token));
    assertThat(late.errorCode()).isEqualTo("invalid-token");
    // the socket stays open: joining afresh on it works and gives a new participant
    late.browserSends(join("ada"));
    assertThat(late.joined().get("participantId").asText()).isNotEqualTo(adaId);
  }

  @Test
  void a_resume_just_after_the_window_is_refused_even_before_the_sweeper_ran() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    String token = ada.joined().get("resumeToken").asText();
    ada.drop();
    clock.advance(Duration.ofSeconds(20));
    var late = connect();
    late.browserSends(join("ada", token));
    assertThat(late.errorCode()).isEqualTo("invalid-token");
    assertThat(late.types()).doesNotContain("joined");
  }

  @Test
  void unknown_used_and_other_users_tokens_are_refused_and_the_others_are_not_affected()
      throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    var bob = connect();
    bob.browserSends(join("bob"));
    String token = ada.joined().get("resumeToken").asText();
    int bobFrames = bob.frames.size();
    ada.drop();

    var guess = connect();
    guess.browserSends(join("ada", "AAAAAAAAAAAAAAAAAAAAAA"));
    assertThat(guess.errorCode()).isEqualTo("invalid-token");

    var thief = connect();
    thief.browserSends(join("mallory", token)); // a valid join token, but of another user
    assertThat(thief.errorCode()).isEqualTo("invalid-token");

    var owner = connect();
    owner.browserSends(join("ada", token));
    assertThat(owner.types()).containsExactly("joined", "offer");

    owner.drop();
    var replay = connect();
    replay.browserSends(join("ada", token)); // single use: the first resume spent it
    assertThat(replay.errorCode()).isEqualTo("invalid-token");

    assertThat(focus.left).isEmpty();
    assertThat(bob.frames).hasSize(bobFrames);
    assertThat(counter("signalling_resumes", "refused")).isEqualTo(3);
  }

  @Test
  void a_resume_takes_over_a_socket_the_server_still_thought_open() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    String adaId = ada.joined().get("participantId").asText();
    String token = ada.joined().get("resumeToken").asText();

    var again = connect(); // the browser gave up on the first socket; the server has not noticed
    again.browserSends(join("ada", token));
    assertThat(again.joined().get("participantId").asText()).isEqualTo(adaId);
    assertThat(ada.closedWith).isEqualTo("resumed on another socket");

    ada.drop(); // its close arrives late: it must not park or end the resumed session
    clock.advance(Duration.ofSeconds(25)); // past the window, within the ping timeout
    sessions.sweep();
    assertThat(focus.left).isEmpty();
    assertThat(sessions.detached()).isZero();
  }

  @Test
  void leave_is_final_and_a_ping_timeout_parks_the_participant_like_a_drop() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    String adaToken = ada.joined().get("resumeToken").asText();
    ada.browserSends("{\"type\":\"leave\"}");
    ada.drop();
    assertThat(focus.left).hasSize(1).allMatch(l -> l.endsWith(" LEAVE"));
    var back = connect();
    back.browserSends(join("ada", adaToken));
    assertThat(back.errorCode()).isEqualTo("invalid-token");

    var bob = connect();
    bob.browserSends(join("bob"));
    String bobId = bob.joined().get("participantId").asText();
    clock.advance(Duration.ofSeconds(31)); // no ping
    sessions.sweep();
    assertThat(bob.closedWith).isEqualTo("ping timeout");
    assertThat(sessions.detached()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(20));
    sessions.sweep();
    assertThat(focus.left).contains(bobId + " " + LeaveReason.TIMEOUT);
  }

  @Test
  void a_socket_the_browser_closes_on_purpose_is_a_leave_and_frees_the_seat_at_once()
      throws Exception {
    for (int code : new int[] {1000, 1001}) {
      var ada = connect();
      ada.browserSends(join("ada"));
      String adaId = ada.joined().get("participantId").asText();
      String token = ada.joined().get("resumeToken").asText();
      var bob = connect();
      bob.browserSends(join("bob"));

      ada.closeWith(code); // no `leave` frame first: the tab closed or the app shut the socket

      assertThat(focus.left).contains(adaId + " " + LeaveReason.LEAVE);
      assertThat(bob.types()).endsWith("participant-left");
      assertThat(sessions.detached()).isZero();
      var back = connect();
      back.browserSends(join("ada", token));
      assertThat(back.errorCode()).isEqualTo("invalid-token");
      bob.browserSends("{\"type\":\"leave\"}");
    }
  }

  @Test
  void only_an_abnormal_close_keeps_the_seat_for_the_resume_window() throws Exception {
    for (int code : new int[] {1006, 1011, 4000}) {
      var ada = connect();
      ada.browserSends(join("ada"));
      String adaId = ada.joined().get("participantId").asText();
      ada.closeWith(code);
      assertThat(focus.left).doesNotContain(adaId + " " + LeaveReason.LEAVE);
      assertThat(sessions.detached()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(21));
      sessions.sweep();
      assertThat(focus.left).contains(adaId + " " + LeaveReason.DISCONNECTED);
      assertThat(sessions.detached()).isZero();
    }
  }

  @Test
  void a_conference_that_moved_closes_the_socket_with_1012_and_nobody_leaves() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    focus.members.get(0).events.conferenceMoved();
    assertThat(ada.closeCode).isEqualTo(1012);
    assertThat(focus.left).isEmpty();
    ada.drop();
    clock.advance(Duration.ofSeconds(25));
    sessions.sweep();
    assertThat(focus.left).isEmpty();
    assertThat(sessions.detached()).isZero();
  }

  @Test
  void a_resume_on_another_node_that_fails_for_now_keeps_the_token_for_the_retry()
      throws Exception {
    var tokens = new MemoryResumeTokens();
    sessions.sharedTokens(tokens);
    var ada = connect();
    ada.browserSends(join("ada"));
    String adaId = ada.joined().get("participantId").asText();
    String token = ada.joined().get("resumeToken").asText();
    ada.drop();

    // node B shares the tokens; its first resume fails with "retry" (the owner is shutting down)
    var nodeFocus = new FakeFocus();
    nodeFocus.resumeFailures.add(
        new FocusException(FocusException.Reason.NO_BRIDGE, "this node is shutting down; retry"));
    var nodeB =
        new SignallingSessions(
            config(Duration.ofSeconds(20)),
            JSON,
            SignallingSessionsTest::authorize,
            nodeFocus,
            new SignallingMetrics(registry, null, Set.of("local")),
            new TurnCredentials(noTurn()),
            clock);
    nodeB.sharedTokens(tokens);
    var first = new Socket(nodeB, "b1");
    first.browserSends(join("ada", token));
    assertThat(first.errorCode()).isEqualTo("no-bridge-available");

    // the browser reconnects with back-off and the same token: it resumes, not joins anew
    var second = new Socket(nodeB, "b2");
    second.browserSends(join("ada", token));
    assertThat(second.types()).doesNotContain("error");
    assertThat(second.joined().get("participantId").asText()).isEqualTo(adaId);
    // single use still: a third try with the redeemed token is refused
    var third = new Socket(nodeB, "b3");
    third.browserSends(join("ada", token));
    assertThat(third.errorCode()).isEqualTo("invalid-token");
  }

  @Test
  void the_shutdown_event_waits_for_the_hand_over_the_shutdown_hook_runs() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    var inHandOver = new CountDownLatch(1);
    var handOverMayEnd = new CountDownLatch(1);
    focus.onHandOver =
        () -> {
          inHandOver.countDown();
          await(handOverMayEnd);
          focus.members.forEach(m -> m.events.conferenceMoved());
          focus.members.clear();
        };
    // the JVM runs the signalling hook and Quarkus's shutdown hook (the shutdown event) at once
    Thread hook = new Thread(sessions::handOver);
    hook.start();
    assertThat(inHandOver.await(5, TimeUnit.SECONDS)).isTrue();
    Thread shutdownEvent = new Thread(() -> sessions.stop(null));
    shutdownEvent.start();
    shutdownEvent.join(500);
    assertThat(focus.left).as("nobody leaves while the hand-over runs").isEmpty();
    handOverMayEnd.countDown();
    hook.join(5000);
    shutdownEvent.join(5000);
    assertThat(shutdownEvent.isAlive()).isFalse();
    assertThat(focus.left).isEmpty();
    assertThat(ada.types()).endsWith("reconnect");
    assertThat(ada.closeCode).isEqualTo(1012);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void a_closed_room_tells_its_participants_room_closed_and_closes_their_sockets()
      throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    String adaId = ada.joined().get("participantId").asText();
    focus.closeRoom(ROOM);
    JsonNode left = ada.parsed().get(ada.parsed().size() - 1);
    assertThat(left.get("type").asText()).isEqualTo("participant-left");
    assertThat(left.get("participantId").asText()).isEqualTo(adaId);
    assertThat(left.get("reason").asText()).isEqualTo("room-closed");
    assertThat(ada.closedWith).isEqualTo("room-closed");
  }

  @Test
  void without_a_window_no_token_is_issued_and_a_drop_leaves_at_once() throws Exception {
    var off =
        new SignallingSessions(
            config(Duration.ZERO),
            JSON,
            SignallingSessionsTest::authorize,
            focus,
            new SignallingMetrics(registry, null, Set.of("local")),
            new TurnCredentials(noTurn()),
            clock);
    var ada = new Socket(off, "s" + sockets.incrementAndGet());
    ada.browserSends(join("ada"));
    assertThat(ada.joined().has("resumeToken")).isFalse();
    ada.drop();
    assertThat(focus.left).hasSize(1).allMatch(l -> l.endsWith(" DISCONNECTED"));
  }

  @Test
  void a_socket_that_closes_while_its_join_is_in_progress_does_not_leave_a_ghost()
      throws Exception {
    var ada = connect();
    focus.duringJoin = ada::drop;
    ada.browserSends(join("ada"));
    assertThat(focus.members).isEmpty();
    assertThat(focus.left).hasSize(1).allMatch(l -> l.endsWith(" DISCONNECTED"));
    assertThat(sessions.detached()).isZero();
  }

  // --- limits

  @Test
  void a_socket_that_only_pings_is_closed_when_the_join_timeout_passes() throws Exception {
    var idle = connect();
    var joiner = connect();
    for (int second = 1; second <= 9; second++) {
      clock.advance(Duration.ofSeconds(1));
      idle.browserSends("{\"type\":\"ping\",\"ts\":" + second + "}");
      if (second == 5) {
        joiner.browserSends(join("ada"));
      }
      sessions.sweep();
    }
    clock.advance(Duration.ofMillis(999)); // 9.999 s after opening: still within
    sessions.sweep();
    assertThat(idle.closedWith).isNull();
    clock.advance(Duration.ofMillis(2));
    sessions.sweep();
    assertThat(idle.closedWith).isEqualTo("join-timeout");
    assertThat(idle.closeCode).isEqualTo(1008);
    assertThat(idle.errorCode()).isEqualTo("join-timeout");
    assertThat(joiner.closedWith).isNull(); // joined in time
    assertThat(closedBy("join-timeout")).isEqualTo(1);
    // after the close nothing more reaches the browser
    int frames = idle.frames.size();
    idle.browserSends("{\"type\":\"ping\",\"ts\":1}");
    assertThat(idle.frames).hasSize(frames);
  }

  @Test
  void a_join_in_progress_at_the_deadline_is_not_cut_off_but_a_failed_one_is() throws Exception {
    var slow = connect();
    focus.duringJoin =
        () -> {
          clock.advance(Duration.ofSeconds(11)); // the bridge takes its time
          sessions.sweep();
        };
    slow.browserSends(join("ada"));
    focus.duringJoin = () -> {};
    assertThat(slow.closedWith).isNull();
    assertThat(slow.types()).contains("joined");

    var refused = connect();
    refused.browserSends(join("bad")); // a forged token: an error, the socket stays open
    assertThat(refused.errorCode()).isEqualTo("invalid-token");
    clock.advance(Duration.ofSeconds(11));
    sessions.sweep();
    assertThat(refused.closedWith).isEqualTo("join-timeout");
    assertThat(slow.closedWith).isNull();
  }

  @Test
  void sockets_beyond_the_cap_of_an_address_are_refused_and_counted_back_on_close() {
    var capped =
        new SignallingSessions(
            config(Duration.ofSeconds(20), 3),
            JSON,
            SignallingSessionsTest::authorize,
            focus,
            new SignallingMetrics(registry, null, Set.of("local")),
            new TurnCredentials(noTurn()),
            clock);
    List<Socket> first = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      first.add(new Socket(capped, "a" + i, "198.51.100.7"));
    }
    var fourth = new Socket(capped, "a3", "198.51.100.7");
    assertThat(first).allMatch(s -> s.closedWith == null);
    assertThat(fourth.closedWith).isEqualTo("too-many-sockets");
    assertThat(fourth.closeCode).isEqualTo(1008);
    assertThat(fourth.errorCode()).isEqualTo("too-many-sockets");
    assertThat(capped.open()).isEqualTo(3);
    // its close changes no count; another address is not affected
    capped.closed("a3");
    assertThat(capped.socketsFrom("198.51.100.7")).isEqualTo(3);
    assertThat(new Socket(capped, "b0", "198.51.100.8").closedWith).isNull();
    // one closes: one more may open
    capped.closed("a0");
    assertThat(new Socket(capped, "a4", "198.51.100.7").closedWith).isNull();
    assertThat(new Socket(capped, "a5", "198.51.100.7").closedWith).isEqualTo("too-many-sockets");
    assertThat(closedBy("too-many-sockets")).isEqualTo(2);
    // a connection that went away without a close event does not hold its place at the cap
    first.get(1).vanish();
    assertThat(capped.socketsFrom("198.51.100.7")).isEqualTo(3);
    assertThat(new Socket(capped, "a6", "198.51.100.7").closedWith).isNull();
    assertThat(capped.socketsFrom("198.51.100.7")).isEqualTo(3);
    assertThat(new Socket(capped, "a7", "198.51.100.7").closedWith).isEqualTo("too-many-sockets");

    var uncapped =
        new SignallingSessions(
            config(Duration.ofSeconds(20), 0),
            JSON,
            SignallingSessionsTest::authorize,
            focus,
            new SignallingMetrics(registry, null, Set.of("local")),
            new TurnCredentials(noTurn()),
            clock);
    for (int i = 0; i < 50; i++) {
      assertThat(new Socket(uncapped, "u" + i, "198.51.100.9").closedWith).isNull();
    }
  }

  // --- connection attempts

  @Test
  void connection_attempts_are_counted_once_per_ice_session_by_the_browser_reports()
      throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    ada.browserSends(answer());
    assertThat(attempts()).isEqualTo("connected=0 failed=0 abandoned=0");
    ada.browserSends("{\"type\":\"ice-state\",\"state\":\"connected\"}");
    ada.browserSends("{\"type\":\"ice-state\",\"state\":\"connected\"}"); // the same attempt
    assertThat(attempts()).isEqualTo("connected=1 failed=0 abandoned=0");

    focus.reoffer("u1"); // someone joined: a re-offer on the same ICE session is no new attempt
    ada.browserSends(answer());
    ada.browserSends("{\"type\":\"ice-state\",\"state\":\"failed\"}");
    assertThat(attempts()).isEqualTo("connected=1 failed=0 abandoned=0");

    ada.browserSends("{\"type\":\"ice-restart\"}"); // new credentials: a new attempt once answered
    ada.browserSends(answer());
    ada.browserSends("{\"type\":\"ice-restart\"}"); // restarted again before it connected
    assertThat(attempts()).isEqualTo("connected=1 failed=1 abandoned=0");
    ada.browserSends(answer());
    ada.browserSends("{\"type\":\"ice-state\",\"state\":\"failed\"}");
    assertThat(attempts()).isEqualTo("connected=1 failed=2 abandoned=0");

    ada.browserSends("{\"type\":\"ice-restart\"}");
    ada.browserSends(answer());
    ada.browserSends("{\"type\":\"leave\"}");
    assertThat(attempts()).isEqualTo("connected=1 failed=2 abandoned=1");
  }

  @Test
  void an_attempt_survives_a_resume() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    String token = ada.joined().get("resumeToken").asText();
    ada.browserSends(answer());
    ada.drop();
    var again = connect();
    again.browserSends(join("ada", token));
    again.browserSends(answer()); // the same offer again: still the first attempt
    again.browserSends("{\"type\":\"ice-state\",\"state\":\"connected\"}");
    assertThat(attempts()).isEqualTo("connected=1 failed=0 abandoned=0");
  }

  @Test
  void ice_state_is_validated() throws Exception {
    var ada = connect();
    ada.browserSends(join("ada"));
    ada.browserSends("{\"type\":\"ice-state\",\"state\":\"checking\"}");
    assertThat(ada.errorCode()).isEqualTo("invalid-message");
    var early = connect();
    early.browserSends("{\"type\":\"ice-state\",\"state\":\"connected\"}");
    assertThat(early.errorCode()).isEqualTo("unexpected-message");
  }

  // --- helpers

  private String attempts() {
    return "connected="
        + (long) counter("webrtc_connection_attempts", "connected")
        + " failed="
        + (long) counter("webrtc_connection_attempts", "failed")
        + " abandoned="
        + (long) counter("webrtc_connection_attempts", "abandoned");
  }

  private double counter(String name, String outcome) {
    var c = registry.find(name).tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private double closedBy(String reason) {
    var c = registry.find("signalling_sockets_closed").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private Socket connect() {
    return new Socket(sessions, "s" + sockets.incrementAndGet());
  }

  private static String join(String user) {
    return "{\"type\":\"join\",\"token\":\"" + user + "\",\"displayName\":\"" + user + "\"}";
  }

  private static String join(String user, String resumeToken) {
    return "{\"type\":\"join\",\"token\":\""
        + user
        + "\",\"displayName\":\""
        + user
        + "\",\"resumeToken\":\""
        + resumeToken
        + "\"}";
  }

  private static String answer() {
    return "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}";
  }

  /** Join tokens in these tests are just the user's name; "bad" is a forged one. */
  private static JoinRequest authorize(String room, ClientMessage.Join join)
      throws SignallingException {
    if (join.token().equals("bad")) {
      throw new SignallingException(SignallingError.INVALID_TOKEN, "forged");
    }
    return new JoinRequest(
        ROOM,
        room,
        12,
        Optional.empty(),
        Optional.empty(),
        "guest-" + join.token(),
        join.displayName().orElse(join.token()),
        false,
        true,
        true);
  }

  private static SignallingConfig config(Duration window) {
    return config(window, 20);
  }

  private static SignallingConfig config(Duration window, int maxSocketsPerAddress) {
    return new SignallingConfig() {
      @Override
      public int maxFrameBytes() {
        return 65536;
      }

      @Override
      public int maxSocketsPerAddress() {
        return maxSocketsPerAddress;
      }

      @Override
      public Duration joinTimeout() {
        return Duration.ofSeconds(10);
      }

      @Override
      public Duration pingTimeout() {
        return Duration.ofSeconds(30);
      }

      @Override
      public Duration resumeWindow() {
        return window;
      }

      @Override
      public Duration sweepInterval() {
        return Duration.ofSeconds(2);
      }

      @Override
      public double framesPerSecond() {
        return 1000;
      }

      @Override
      public int frameBurst() {
        return 1000;
      }
    };
  }

  private static TurnCredentials.TurnConfig noTurn() {
    return new TurnCredentials.TurnConfig() {
      @Override
      public Optional<List<String>> uris() {
        return Optional.empty();
      }

      @Override
      public Optional<String> secret() {
        return Optional.empty();
      }

      @Override
      public Duration credentialTtl() {
        return Duration.ofHours(12);
      }
    };
  }

  /** A browser's socket: frames go in through the registry, frames out are recorded. */
  private static final class Socket implements SignallingSession.Transport {
    final SignallingSessions sessions;
    final String id;
    final List<String> frames = new CopyOnWriteArrayList<>();
    volatile String closedWith;
    volatile int closeCode;
    volatile boolean vanished;

    Socket(SignallingSessions sessions, String id) {
      this(sessions, id, "192.0.2.1");
    }

    Socket(SignallingSessions sessions, String id, String address) {
      this.sessions = sessions;
      this.id = id;
      sessions.opened(this, "room-slug", address);
    }

    void browserSends(String frame) {
      sessions.frame(id, frame);
    }

    void drop() {
      sessions.closed(id);
    }

    /** The browser closes the socket itself with this status code (e.g. 1000, 1001). */
    void closeWith(int code) {
      sessions.closed(id, code);
    }

    /** The connection is gone but its close event never reaches the registry. */
    void vanish() {
      vanished = true;
    }

    List<JsonNode> parsed() {
      List<JsonNode> out = new ArrayList<>();
      for (String f : frames) {
        try {
          out.add(JSON.readTree(f));
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return out;
    }

    List<String> types() {
      return parsed().stream().map(n -> n.get("type").asText()).toList();
    }

    JsonNode joined() {
      return parsed().stream()
          .filter(n -> n.get("type").asText().equals("joined"))
          .reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("no joined in " + frames));
    }

    String errorCode() {
      return parsed().stream()
          .filter(n -> n.get("type").asText().equals("error"))
          .reduce((a, b) -> b)
          .map(n -> n.get("code").asText())
          .orElseThrow(() -> new AssertionError("no error in " + frames));
    }

    String lastOffer() {
      return parsed().stream()
          .filter(n -> n.get("type").asText().equals("offer"))
          .reduce((a, b) -> b)
          .map(n -> n.get("sdp").asText())
          .orElseThrow();
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void send(String frame) {
      frames.add(frame);
    }

    @Override
    public boolean isOpen() {
      return closedWith == null && !vanished;
    }

    @Override
    public void close(int code, String reason) {
      closeCode = code;
      closedWith = reason;
    }
  }

  /**
   * A focus with one conference: joins, leaves, chat and offers whose ICE ufrag changes on each
   * restart; it records who left and why.
   */
  private static final class FakeFocus implements Focus {
    final List<Member> members = new CopyOnWriteArrayList<>();
    final List<String> left = new CopyOnWriteArrayList<>();
    final List<String> chats = new CopyOnWriteArrayList<>();
    int ids;
    int ufrags = 1;
    Runnable duringJoin = () -> {};
    Runnable onHandOver = () -> {};
    final List<FocusException> resumeFailures = new CopyOnWriteArrayList<>();

    /** Resumes a participant another node's focus had (this one never saw it join). */
    @Override
    public synchronized FocusParticipant resume(
        UUID roomId, String participantId, String subject, ParticipantEvents events)
        throws FocusException {
      if (!resumeFailures.isEmpty()) {
        throw resumeFailures.remove(0);
      }
      var request =
          new JoinRequest(
              roomId,
              "room",
              12,
              Optional.empty(),
              Optional.empty(),
              subject,
              subject,
              false,
              true,
              true);
      var m = new Member(participantId, request, events);
      List<ParticipantInfo> others = members.stream().map(Member::info).toList();
      members.add(m);
      events.joined(m.id, others);
      m.ufrag = "u" + ufrags;
      events.offer(m.sdp(), null);
      return m;
    }

    @Override
    public void handOver() {
      onHandOver.run();
    }

    @Override
    public synchronized FocusParticipant join(JoinRequest request, ParticipantEvents events) {
      var m = new Member("p" + (++ids), request, events);
      List<ParticipantInfo> others = members.stream().map(Member::info).toList();
      members.add(m);
      events.joined(m.id, others);
      m.ufrag = "u" + ufrags;
      events.offer(m.sdp(), null);
      members.stream().filter(o -> o != m).forEach(o -> o.events.participantJoined(m.info()));
      duringJoin.run();
      return m;
    }

    @Override
    public void closeRoom(UUID roomId) {
      members.forEach(m -> m.events.removed(LeaveReason.ROOM_CLOSED));
      members.clear();
    }

    void reoffer(String ufrag) {
      members.forEach(
          m -> {
            m.ufrag = ufrag;
            m.events.offer(m.sdp(), null);
          });
    }

    final class Member implements FocusParticipant {
      final String id;
      final JoinRequest request;
      final ParticipantEvents events;
      String ufrag;

      Member(String id, JoinRequest request, ParticipantEvents events) {
        this.id = id;
        this.request = request;
        this.events = events;
      }

      ParticipantInfo info() {
        return new ParticipantInfo(id, request.displayName(), false, true, true, false);
      }

      String sdp() {
        return "v=0\r\na=ice-ufrag:" + ufrag + "\r\n";
      }

      @Override
      public String id() {
        return id;
      }

      @Override
      public void answer(String sdp) {}

      @Override
      public void iceCandidate(String candidate, String sdpMid) {}

      @Override
      public void mediaState(boolean audio, boolean video, boolean screen) {}

      @Override
      public void chat(String text) {
        chats.add(id + ": " + text);
      }

      @Override
      public void mute(String participantId) {}

      @Override
      public void kick(String participantId) {}

      @Override
      public void iceRestart() {
        ufrag = "u" + (++ufrags);
        events.offer(sdp(), null);
      }

      @Override
      public void offerAgain() {
        events.offer(sdp(), null);
      }

      @Override
      public void leave(LeaveReason reason) {
        if (members.remove(this)) {
          left.add(id + " " + reason);
          members.forEach(o -> o.events.participantLeft(id, reason));
        }
      }
    }
  }

  /** Resume tokens several nodes share, as Redis holds them. */
  private static final class MemoryResumeTokens implements ResumeTokens {
    private final java.util.Map<String, Grant> grants =
        new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void put(String token, Grant grant, Duration ttl) {
      grants.put(token, grant);
    }

    @Override
    public Optional<Grant> take(String token) {
      return Optional.ofNullable(grants.remove(token));
    }

    @Override
    public void revoke(String token) {
      grants.remove(token);
    }
  }

  /** A clock the test moves. */
  private static final class ManualClock extends Clock {
    private volatile Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
