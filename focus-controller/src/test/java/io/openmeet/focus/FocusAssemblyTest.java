package io.openmeet.focus;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.focus.conference.FocusParticipant;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.LiteTestBridge;
import io.openmeet.focus.testing.TestEnv;
import io.openmeet.focus.testing.TestRedis;
import io.openmeet.presence.relay.TcpNodeMessaging;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The assembled focus against real parts (Prosody, Redis, two in-JVM lite-bridges): it joins the
 * brewery by itself, hosts a call, and moves the call's participants to the other bridge when
 * theirs leaves, without anyone leaving the call.
 */
class FocusAssemblyTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void participants_of_a_bridge_that_leaves_are_offered_the_other_bridge() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    RedissonClient redis = TestRedis.connect();
    closing.add(redis::shutdown);
    FocusAssembly focus =
        FocusAssembly.builder("assembly-" + suffix, redis, TestEnv.focus())
            .brewery(brewery, Duration.ofSeconds(1), Duration.ofSeconds(2))
            .admission("test-" + suffix + ":", 0.01, Duration.ofSeconds(2), Duration.ofSeconds(30))
            .colibri(Duration.ofSeconds(5), 2)
            // a free port: other test runs on this machine have node links too
            .nodeLink(
                new TcpNodeMessaging.Settings(
                    "127.0.0.1",
                    0,
                    Optional.of("127.0.0.1"),
                    "assembly-test",
                    1 << 20,
                    Duration.ofSeconds(2)))
            .build();
    closing.add(focus);
    LiteTestBridge a = LiteTestBridge.start(brewery, "lite-a-" + suffix);
    closing.add(a);
    LiteTestBridge b = LiteTestBridge.start(brewery, "lite-b-" + suffix);
    closing.add(b);

    focus.start();
    Eventually.within(WAIT, () -> assertThat(focus.registry().bridges()).hasSize(2));

    UUID room = UUID.randomUUID();
    Events ada = new Events();
    FocusParticipant adaJoined = focus.focus().join(request(room, "Ada"), ada.proxy());
    closing.add(() -> adaJoined.leave(LeaveReason.LEAVE));
    Events bob = new Events();
    FocusParticipant bobJoined = focus.focus().join(request(room, "Bob"), bob.proxy());
    closing.add(() -> bobJoined.leave(LeaveReason.LEAVE));
    Eventually.within(WAIT, () -> assertThat(ada.offers).hasSize(1));
    Eventually.within(WAIT, () -> assertThat(bob.offers).hasSize(1));

    LiteTestBridge host = a.bridge().conferences().all().isEmpty() ? b : a;
    LiteTestBridge other = host == a ? b : a;
    assertThat(host.bridge().conferences().all()).hasSize(1);
    assertThat(other.bridge().conferences().all()).isEmpty();

    host.close(); // leaves the brewery
    Eventually.within(WAIT, () -> assertThat(ada.offers).hasSize(2));
    Eventually.within(WAIT, () -> assertThat(bob.offers).hasSize(2));
    assertThat(other.bridge().conferences().all()).hasSize(1);
    assertThat(ada.calls).doesNotContain("removed", "participantLeft");
    assertThat(bob.calls).doesNotContain("removed", "participantLeft");
    assertThat(focus.conferences().participants(room)).isEqualTo(2);
  }

  private static JoinRequest request(UUID room, String name) {
    return new JoinRequest(
        room,
        "assembly-" + room.toString().substring(0, 8),
        12,
        Optional.empty(),
        Optional.empty(),
        "guest-" + name,
        name,
        false,
        true,
        true);
  }

  /** Records which events a participant was told, and its offers. */
  private static final class Events {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> offers = new CopyOnWriteArrayList<>();

    ParticipantEvents proxy() {
      return (ParticipantEvents)
          Proxy.newProxyInstance(
              ParticipantEvents.class.getClassLoader(),
              new Class<?>[] {ParticipantEvents.class},
              (self, method, args) -> {
                switch (method.getName()) {
                  case "toString":
                    return "events";
                  case "hashCode":
                    return System.identityHashCode(self);
                  case "equals":
                    return self == args[0];
                  default:
                    calls.add(method.getName());
                    if (method.getName().equals("offer")) {
                      offers.add((String) args[0]);
                    }
                    return null;
                }
              });
    }
  }
}
