package io.openmeet.presence.relay;

import static io.openmeet.presence.relay.TcpNodeMessagingTest.await;
import static io.openmeet.presence.relay.TcpNodeMessagingTest.node;
import static io.openmeet.presence.relay.TcpNodeMessagingTest.sent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.redis.RedisTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The node link with TLS: PKCS#12 key stores made by the JDK's keytool, one for the deployment
 * (every node shares it) and one for a stranger with a certificate of its own.
 */
class NodeLinkTlsTest {

  private static final String SECRET = "the deployment's focus password";
  private static final String PASSWORD = "store password";

  @TempDir static Path dir;
  private static Path deployment;
  private static Path stranger;
  private static RedissonClient redis;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    deployment = keyStore("deployment");
    stranger = keyStore("stranger");
    redis = RedisTestSupport.connect();
  }

  @AfterAll
  static void tearDown() {
    redis.shutdown();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** A self-signed EC key and certificate in a new PKCS#12 file. */
  private static Path keyStore(String name) throws Exception {
    Path file = dir.resolve(name + ".p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "node-link",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=openmeet " + name,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    return file;
  }

  private TcpNodeMessaging messaging(Optional<Path> keyStore) {
    var settings =
        new TcpNodeMessaging.Settings(
            "127.0.0.1", 0, Optional.of("127.0.0.1"), SECRET, 1 << 20, Duration.ofSeconds(2));
    if (keyStore.isPresent()) {
      settings =
          settings.withTls(NodeLinkTls.fromPkcs12(keyStore.get(), PASSWORD, Optional.empty(), ""));
    }
    var m = new TcpNodeMessaging(new RedisNodeAddresses(redis), settings);
    closing.add(m);
    return m;
  }

  @Test
  void nodes_of_one_deployment_talk_over_tls_and_the_wire_shows_no_message() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var target = messaging(Optional.of(deployment));
    target.open(b, received::add);
    // everything between the two goes through a recorder: the sender is told the recorder's address
    Recorder wire = new Recorder(TcpNodeMessaging.parseAddress(target.address()));
    closing.add(wire);
    redis
        .<String>getBucket(RedisNodeAddresses.key(b), StringCodec.INSTANCE)
        .set("127.0.0.1:" + wire.port());
    var sender = messaging(Optional.of(deployment));
    List<String> sentMessages = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String m = "{\"type\":\"chat\",\"text\":\"secret plan " + i + "\"}";
      sentMessages.add(m);
      assertThat(sent(sender, b, m)).isTrue();
    }
    assertThat(received).containsExactlyElementsOf(sentMessages);
    String bytes = wire.seen();
    assertThat(bytes).as("bytes on the wire").isNotEmpty();
    assertThat(bytes).doesNotContain("secret plan").doesNotContain("OMNL");
    assertThat(bytes.charAt(0)).as("a TLS handshake record first").isEqualTo((char) 0x16);
    assertThat(target.refusedConnections()).isZero();
  }

  @Test
  void a_node_without_tls_is_refused_by_one_with_it() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var target = messaging(Optional.of(deployment));
    target.open(b, received::add);
    var plain = messaging(Optional.empty());
    assertThatThrownBy(() -> sent(plain, b, "let me in")).isInstanceOf(ExecutionException.class);
    await(() -> target.refusedConnections() >= 1);
    assertThat(target.refusedConnections()).isGreaterThanOrEqualTo(1);
    assertThat(received).isEmpty();
  }

  @Test
  void a_node_whose_certificate_the_deployment_does_not_trust_is_refused() throws Exception {
    String b = node();
    List<String> received = new CopyOnWriteArrayList<>();
    var target = messaging(Optional.of(deployment));
    target.open(b, received::add);
    // the stranger knows the shared secret but holds another certificate
    var impostor = messaging(Optional.of(stranger));
    assertThatThrownBy(() -> sent(impostor, b, "let me in")).isInstanceOf(ExecutionException.class);
    await(() -> target.refusedConnections() >= 1);
    assertThat(target.refusedConnections()).isGreaterThanOrEqualTo(1);
    assertThat(received).isEmpty();
  }

  @Test
  void a_key_store_that_cannot_be_opened_says_so() {
    assertThatThrownBy(
            () -> NodeLinkTls.fromPkcs12(deployment, "wrong password", Optional.empty(), ""))
        .isInstanceOf(UncheckedIOException.class);
    assertThatThrownBy(
            () ->
                NodeLinkTls.fromPkcs12(dir.resolve("missing.p12"), PASSWORD, Optional.empty(), ""))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("missing.p12");
  }

  /** A TCP relay to one target that keeps the first bytes the client sent. */
  private static final class Recorder implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, null);
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Recorder(InetSocketAddress target) throws IOException {
      Thread accept =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket in = server.accept();
                    Socket out = new Socket(target.getAddress(), target.getPort());
                    sockets.add(in);
                    sockets.add(out);
                    pump(in.getInputStream(), out.getOutputStream(), true);
                    pump(out.getInputStream(), in.getOutputStream(), false);
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    String seen() {
      synchronized (seen) {
        return seen.toString(StandardCharsets.ISO_8859_1);
      }
    }

    private void pump(InputStream from, OutputStream to, boolean record) {
      Thread t =
          new Thread(
              () -> {
                byte[] buffer = new byte[8192];
                try {
                  for (int n; (n = from.read(buffer)) > 0; ) {
                    if (record) {
                      synchronized (seen) {
                        seen.write(buffer, 0, n);
                      }
                    }
                    to.write(buffer, 0, n);
                    to.flush();
                  }
                } catch (IOException closed) {
                  // one side closed
                }
              });
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
