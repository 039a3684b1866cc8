package io.openmeet.presence.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.presence.redis.RedisTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** Node inboxes over the real Redis pub/sub (REDIS_URL); two clients stand for two nodes. */
class RedisNodeMessagingTest {

  private static RedissonClient nodeA;
  private static RedissonClient nodeB;

  @BeforeAll
  static void connect() {
    nodeA = RedisTestSupport.connect();
    nodeB = RedisTestSupport.connect();
  }

  @AfterAll
  static void disconnect() {
    nodeA.shutdown();
    nodeB.shutdown();
  }

  private static String node() {
    return "node-" + UUID.randomUUID();
  }

  @Test
  void messages_from_one_sender_arrive_in_the_order_they_were_sent() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    try (var inbox = new RedisNodeMessaging(nodeB).open(b, received::add)) {
      var sender = new RedisNodeMessaging(nodeA);
      List<String> sent = new ArrayList<>();
      List<CompletableFuture<Boolean>> sends = new ArrayList<>();
      // sent without waiting: without the per-node chain these overtake each other on the pool
      for (int i = 0; i < 300; i++) {
        String m = "m" + i;
        sent.add(m);
        sends.add(sender.send(b, m).toCompletableFuture());
      }
      for (var s : sends) {
        assertThat(s.get(5, TimeUnit.SECONDS)).isTrue();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (received.size() < sent.size() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(received).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void a_send_to_a_node_nobody_listens_for_reports_false() throws Exception {
    var sender = new RedisNodeMessaging(nodeA);
    assertThat(sender.send(node(), "hello").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isFalse();
  }

  @Test
  void a_closed_inbox_receives_nothing_more() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var sender = new RedisNodeMessaging(nodeA);
    var inbox = new RedisNodeMessaging(nodeB).open(b, received::add);
    assertThat(sender.send(b, "first").toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (received.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    inbox.close();
    assertThat(sender.send(b, "second").toCompletableFuture().get(5, TimeUnit.SECONDS)).isFalse();
    Thread.sleep(200);
    assertThat(received).containsExactly("first");
  }

  @Test
  void inboxes_are_per_node() throws Exception {
    String b = node();
    String c = node();
    List<String> atB = new CopyOnWriteArrayList<>();
    List<String> atC = new CopyOnWriteArrayList<>();
    var messaging = new RedisNodeMessaging(nodeB);
    try (var ib = messaging.open(b, atB::add);
        var ic = messaging.open(c, atC::add)) {
      var sender = new RedisNodeMessaging(nodeA);
      sender.send(b, "to-b").toCompletableFuture().get(5, TimeUnit.SECONDS);
      sender.send(c, "to-c").toCompletableFuture().get(5, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while ((atB.isEmpty() || atC.isEmpty()) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(atB).containsExactly("to-b");
      assertThat(atC).containsExactly("to-c");
    }
  }
}
