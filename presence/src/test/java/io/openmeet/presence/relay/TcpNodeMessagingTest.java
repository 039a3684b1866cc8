package io.openmeet.presence.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.redis.RedisTestSupport;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Node links on loopback between messaging instances in one JVM, with their addresses in the real
 * Redis (REDIS_URL); each instance stands for one node.
 */
class TcpNodeMessagingTest {

  private static final String SECRET = "the deployment's shared secret";
  private static final int MAX_FRAME = 4096;

  private static RedissonClient redis;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void connect() {
    redis = RedisTestSupport.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.shutdown();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  static String node() {
    return "node-" + UUID.randomUUID();
  }

  private TcpNodeMessaging messaging(int port, String secret, RedissonClient client) {
    var m =
        new TcpNodeMessaging(
            new RedisNodeAddresses(client),
            new TcpNodeMessaging.Settings(
                "127.0.0.1",
                port,
                Optional.of("127.0.0.1"),
                secret,
                MAX_FRAME,
                Duration.ofSeconds(2)));
    closing.add(m);
    return m;
  }

  private TcpNodeMessaging messaging() {
    return messaging(0, SECRET, redis);
  }

  static boolean sent(TcpNodeMessaging from, String to, String message) throws Exception {
    return from.send(to, message).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static String address(String nodeId) {
    return redis.<String>getBucket(RedisNodeAddresses.key(nodeId), StringCodec.INSTANCE).get();
  }

  /** EOF, or a reset when the peer closed with our bytes unread: either way, closed. */
  private static boolean closedByPeer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  private static int port(TcpNodeMessaging m) {
    return TcpNodeMessaging.parseAddress(m.address()).getPort();
  }

  @Test
  void messages_from_one_sender_arrive_in_the_order_they_were_sent() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    messaging().open(b, received::add);
    var sender = messaging();
    List<String> sent = new ArrayList<>();
    List<CompletableFuture<Boolean>> sends = new ArrayList<>();
    // sent without waiting: one connection and one lane per target keep the order
    for (int i = 0; i < 500; i++) {
      String m = "m" + i + " ✓";
      sent.add(m);
      sends.add(sender.send(b, m).toCompletableFuture());
    }
    for (var s : sends) {
      assertThat(s.get(10, TimeUnit.SECONDS)).isTrue();
    }
    // acknowledged means handed to the inbox: nothing left to wait for
    assertThat(received).containsExactlyElementsOf(sent);
  }

  @Test
  void sends_queued_before_close_still_go_out_and_later_ones_fail() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    messaging().open(b, received::add);
    var sender = messaging();
    List<CompletableFuture<Boolean>> sends = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sends.add(sender.send(b, "last words " + i).toCompletableFuture());
    }
    sender.close(); // a node shutting down right after posting its last events
    for (var s : sends) {
      assertThat(s.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(received).hasSize(100);
    assertThatThrownBy(() -> sent(sender, b, "after close"))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void a_send_to_a_node_nobody_registered_reports_false() throws Exception {
    assertThat(sent(messaging(), node(), "hello")).isFalse();
  }

  @Test
  void a_closed_inbox_receives_nothing_more_and_its_node_counts_as_gone() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var inbox = messaging().open(b, received::add);
    var sender = messaging();
    assertThat(sent(sender, b, "first")).isTrue();
    inbox.close();
    // the connection stays, the listener has no such inbox any more
    assertThat(sent(sender, b, "second")).isFalse();
    assertThat(received).containsExactly("first");
    await(() -> !redis.getBucket(RedisNodeAddresses.key(b)).isExists());
    assertThat(redis.getBucket(RedisNodeAddresses.key(b)).isExists()).isFalse();
  }

  @Test
  void inboxes_are_per_node_id_on_one_listener() throws Exception {
    String b = node();
    String c = node();
    List<String> atB = new CopyOnWriteArrayList<>();
    List<String> atC = new CopyOnWriteArrayList<>();
    var listener = messaging();
    listener.open(b, atB::add);
    listener.open(c, atC::add);
    var sender = messaging();
    assertThat(sent(sender, b, "to-b")).isTrue();
    assertThat(sent(sender, c, "to-c")).isTrue();
    assertThat(atB).containsExactly("to-b");
    assertThat(atC).containsExactly("to-c");
  }

  @Test
  void a_node_already_contacted_is_reached_while_redis_is_unreachable() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    messaging().open(b, received::add);
    RedissonClient sendersRedis = RedisTestSupport.connect();
    var sender = messaging(0, SECRET, sendersRedis);
    assertThat(sent(sender, b, "before")).isTrue();

    sendersRedis.shutdown(); // every lookup of this node fails from now on
    assertThat(sent(sender, b, "while Redis is gone")).isTrue();
    // a node never contacted: its address cannot be known
    assertThatThrownBy(() -> sent(sender, node(), "unknown"))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("address of node");
    assertThat(received).containsExactly("before", "while Redis is gone");
  }

  @Test
  void a_peer_that_restarts_on_the_same_address_is_reconnected_to() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var first = messaging();
    first.open(b, received::add);
    int port = port(first);
    var sender = messaging();
    assertThat(sent(sender, b, "one")).isTrue();

    first.close();
    // the port is free once the old connections have wound down (FIN_WAIT on this host)
    TcpNodeMessaging second = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (second == null) {
      try {
        second = messaging(port, SECRET, redis);
      } catch (UncheckedIOException inUse) {
        if (System.nanoTime() > deadline) {
          throw inUse;
        }
        Thread.sleep(100);
      }
    }
    second.open(b, received::add);
    Thread.sleep(700); // idle past the check for a connection the peer closed
    assertThat(sent(sender, b, "two")).isTrue();
    assertThat(received).containsExactly("one", "two");
  }

  @Test
  void a_peer_that_restarts_elsewhere_is_looked_up_again() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var first = messaging();
    first.open(b, received::add);
    var sender = messaging();
    assertThat(sent(sender, b, "one")).isTrue();

    first.close();
    var second = messaging();
    second.open(b, received::add); // same node id, another port
    // the old node's removal of its address may land after the new one's registration: renewed
    await(() -> second.address().equals(address(b)));
    // right away: the old connection may still look open; at most this one send is lost
    try {
      sender.send(b, "lost?").toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(IOException.class);
    }
    Thread.sleep(1100); // past the backoff after a failed connection
    assertThat(sent(sender, b, "two")).isTrue();
    assertThat(received).startsWith("one").endsWith("two");
  }

  @Test
  void a_stopped_node_reports_false_once_its_address_is_gone() throws Exception {
    String b = node();
    var target = messaging();
    target.open(b, m -> {});
    var sender = messaging();
    assertThat(sent(sender, b, "one")).isTrue();
    target.close(); // removes its address; its port refuses connections
    Thread.sleep(700);
    assertThat(sent(sender, b, "two")).isFalse();
  }

  @Test
  void a_peer_with_another_secret_is_refused_and_nothing_reaches_the_inbox() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var target = messaging();
    target.open(b, received::add);
    var impostor = messaging(0, "another secret", redis);
    assertThatThrownBy(() -> sent(impostor, b, "let me in"))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(NodeLinkProtocol.AuthenticationException.class);
    await(() -> target.refusedConnections() == 1);
    assertThat(target.refusedConnections()).isEqualTo(1);
    assertThat(received).isEmpty();
  }

  @Test
  void something_that_does_not_speak_the_protocol_is_refused() throws Exception {
    var target = messaging();
    target.open(node(), m -> {});
    try (Socket s = new Socket("127.0.0.1", port(target))) {
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      s.setSoTimeout(5000);
      // the listener's greeting, then nothing: it closes the connection
      byte[] greeting = s.getInputStream().readNBytes(37);
      assertThat(new String(greeting, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("OMNL");
      assertThat(closedByPeer(s)).isTrue();
    }
    await(() -> target.refusedConnections() == 1);
    assertThat(target.refusedConnections()).isEqualTo(1);
  }

  @Test
  void a_message_over_the_frame_limit_fails_its_send_and_the_link_goes_on() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    messaging().open(b, received::add);
    var sender = messaging();
    assertThatThrownBy(() -> sent(sender, b, "x".repeat(MAX_FRAME)))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("exceeds the node link's limit");
    assertThat(sent(sender, b, "small")).isTrue();
    assertThat(received).containsExactly("small");
  }

  @Test
  void an_oversized_frame_from_an_authenticated_peer_closes_its_connection() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var target = messaging();
    target.open(b, received::add);
    // a peer with the secret whose own limit is larger sends more than the target accepts
    var big = new NodeLinkProtocol(SECRET.getBytes(StandardCharsets.UTF_8), MAX_FRAME * 4);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port(target)), 2000);
      s.setSoTimeout(5000);
      var channel = big.connect(s);
      try {
        channel.write(big.messageBody(b, "x".repeat(MAX_FRAME * 2)));
        assertThat(closedByPeer(s)).as("closed without an acknowledgement").isTrue();
      } catch (SocketException closedWhileWriting) {
        // the target closed after reading the length, before the body was written: as it should
      }
    }
    await(() -> target.rejectedFrames() == 1);
    assertThat(target.rejectedFrames()).isEqualTo(1);
    assertThat(received).isEmpty();
    // other connections are not affected
    assertThat(sent(messaging(), b, "next")).isTrue();
    assertThat(received).containsExactly("next");
  }

  @Test
  void a_frame_whose_mac_does_not_match_is_rejected() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var target = messaging();
    target.open(b, received::add);
    var protocol = new NodeLinkProtocol(SECRET.getBytes(StandardCharsets.UTF_8), MAX_FRAME);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port(target)), 2000);
      s.setSoTimeout(5000);
      protocol.connect(s); // authenticated; then a frame as an attacker on the path would inject it
      byte[] body = protocol.messageBody(b, "injected");
      var out = new DataOutputStream(s.getOutputStream());
      out.writeInt(body.length);
      out.write(body);
      out.write(new byte[32]);
      out.flush();
      assertThat(closedByPeer(s)).isTrue();
    }
    await(() -> target.rejectedFrames() == 1);
    assertThat(target.rejectedFrames()).isEqualTo(1);
    assertThat(received).isEmpty();
  }

  @Test
  void a_handler_that_throws_does_not_break_the_link() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    messaging()
        .open(
            b,
            m -> {
              if (m.equals("boom")) {
                throw new IllegalStateException("handler failed");
              }
              received.add(m);
            });
    var sender = messaging();
    assertThat(sent(sender, b, "boom")).isTrue();
    assertThat(sent(sender, b, "after")).isTrue();
    assertThat(received).containsExactly("after");
  }

  @Test
  void addresses_are_host_and_port() {
    assertThat(TcpNodeMessaging.formatAddress("10.0.0.7", 7700)).isEqualTo("10.0.0.7:7700");
    assertThat(TcpNodeMessaging.formatAddress("fd00::7", 7700)).isEqualTo("[fd00::7]:7700");
    assertThat(TcpNodeMessaging.parseAddress("[fd00::7]:7700").getPort()).isEqualTo(7700);
    assertThatThrownBy(() -> TcpNodeMessaging.parseAddress("10.0.0.7"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TcpNodeMessaging.parseAddress("10.0.0.7:0"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
