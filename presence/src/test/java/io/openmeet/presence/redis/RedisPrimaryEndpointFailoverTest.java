package io.openmeet.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.openmeet.presence.redis.RedissonClientFactory.Auth;
import io.openmeet.presence.redis.RedissonClientFactory.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Standalone mode on a managed primary endpoint, the way an ElastiCache replication group fails
 * over: the primary dies, a replica is promoted and the endpoint's DNS name moves to it. Two real
 * Debian redis-servers (127.0.0.1 and 127.0.0.2, one port, a password); only the name service is
 * the test's own, a resolver whose answer the test changes. The client, built from the factory's
 * own configuration, must follow the name to the promoted replica.
 */
class RedisPrimaryEndpointFailoverTest {

  private static final String ENDPOINT = "primary.openmeet.test";
  private static final String PASSWORD = "endpoint-test-password";

  private final AtomicReference<InetAddress> dns = new AtomicReference<>();
  private final List<Process> servers = new ArrayList<>();
  private int port;
  private Path dir;
  private RedissonClient redis;

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    dir = Files.createDirectories(Path.of("target", "primary-endpoint-" + port).toAbsolutePath());
    servers.add(server("127.0.0.1", null));
    servers.add(server("127.0.0.2", "127.0.0.1"));
    awaitReply("127.0.0.2", "INFO replication", "master_link_status:up");
    dns.set(InetAddress.getByName("127.0.0.1"));
  }

  @AfterEach
  void stop() {
    if (redis != null) {
      redis.shutdown();
    }
    for (Process p : servers) {
      p.destroyForcibly();
    }
  }

  private Process server(String bind, String replicaOf) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--bind",
                bind,
                "--port",
                Integer.toString(port),
                "--requirepass",
                PASSWORD,
                "--masterauth",
                PASSWORD,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()));
    if (replicaOf != null) {
      command.addAll(List.of("--replicaof", replicaOf, Integer.toString(port)));
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis-" + bind + ".log").toFile())
        .start();
  }

  private String cli(String host, String... command) throws Exception {
    List<String> c =
        new ArrayList<>(
            List.of(
                "redis-cli", "-h", host, "-p", Integer.toString(port), "--no-auth-warning", "-a"));
    c.add(PASSWORD);
    c.addAll(List.of(command));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out.trim();
  }

  private void awaitReply(String host, String command, String expected) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String last = "";
    while (System.nanoTime() < until) {
      last = cli(host, command.split(" "));
      if (last.contains(expected)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(host + " never answered " + expected + " to " + command + ": " + last);
  }

  @Test
  void the_client_follows_the_endpoint_name_to_the_promoted_replica() throws Exception {
    var config =
        RedissonClientFactory.config(
            Settings.of("redis://" + ENDPOINT + ":" + port)
                .withAuth(new Auth(Optional.empty(), Optional.of(PASSWORD))));
    config.setAddressResolverGroupFactory((datagram, socket, nameServers) -> new TestDns());
    redis = Redisson.create(config);
    redis.<String>getBucket("endpoint:before", StringCodec.INSTANCE).set("written before");
    awaitReply("127.0.0.2", "GET endpoint:before", "written before");

    // the managed service's failover: the primary is gone, the replica promoted, the name moved
    servers.get(0).destroyForcibly().waitFor();
    assertThat(cli("127.0.0.2", "REPLICAOF", "NO", "ONE")).isEqualTo("OK");
    long movedAt = System.nanoTime();
    dns.set(InetAddress.getByName("127.0.0.2"));

    long deadline = movedAt + TimeUnit.SECONDS.toNanos(30);
    long firstWriteMs = -1;
    while (System.nanoTime() < deadline) {
      try {
        redis.<String>getBucket("endpoint:after", StringCodec.INSTANCE).set("written after");
        firstWriteMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - movedAt);
        break;
      } catch (RuntimeException stillOnTheOldAddress) {
        Thread.sleep(100);
      }
    }
    System.out.printf(
        "primary endpoint failover: first successful write %d ms after the name moved%n",
        firstWriteMs);
    assertThat(firstWriteMs).as("a write succeeded within 30 s of the DNS change").isNotNegative();
    assertThat(cli("127.0.0.2", "GET", "endpoint:after")).isEqualTo("written after");
    assertThat(redis.<String>getBucket("endpoint:before", StringCodec.INSTANCE).get())
        .isEqualTo("written before");
  }

  /** A name service that knows one name, {@link #ENDPOINT}, answering what {@link #dns} holds. */
  private final class TestDns extends AddressResolverGroup<InetSocketAddress> {
    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
      return new AbstractAddressResolver<>(executor) {
        @Override
        protected boolean doIsResolved(InetSocketAddress address) {
          return !address.isUnresolved();
        }

        @Override
        protected void doResolve(InetSocketAddress address, Promise<InetSocketAddress> promise)
            throws Exception {
          promise.setSuccess(lookUp(address));
        }

        @Override
        protected void doResolveAll(
            InetSocketAddress address, Promise<List<InetSocketAddress>> promise) throws Exception {
          promise.setSuccess(List.of(lookUp(address)));
        }
      };
    }

    private InetSocketAddress lookUp(InetSocketAddress address) throws IOException {
      if (!ENDPOINT.equals(address.getHostString())) {
        throw new IOException("unknown host " + address.getHostString());
      }
      InetAddress ip = dns.get();
      return new InetSocketAddress(
          InetAddress.getByAddress(ENDPOINT, ip.getAddress()), address.getPort());
    }
  }
}
