package io.openmeet.presence.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node inboxes over direct TCP connections between the nodes ({@link NodeLinkProtocol}: HMAC
 * handshake on a shared secret, a MAC on every frame). Each node listens on one port and registers
 * its address in {@link NodeAddresses} (Redis) while an inbox is open; a sender looks a node's
 * address up once, keeps it, and keeps one connection per target node, over which each message
 * waits for the target's acknowledgement before the next goes: that keeps the order per target, and
 * tells whether an inbox of that id took the message. Once a node has talked to a peer, Redis is no
 * longer needed to reach it: messages keep flowing while Redis is down.
 */
public final class TcpNodeMessaging implements NodeMessaging, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TcpNodeMessaging.class);

  /** How long a registered address lives without renewal (a node that died drops out). */
  static final Duration ADDRESS_TTL = Duration.ofSeconds(15);

  /** How often an open inbox renews its address (again soon after Redis came back empty). */
  static final Duration ADDRESS_RENEWAL = Duration.ofSeconds(3);

  /** A connection idle this long is checked for a close by the peer before it is used again. */
  private static final long PROBE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** How long {@link #close} lets the sends already queued go out (e.g. the last events). */
  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** After a failed connection to a peer, its queued sends fail at once for this long. */
  private static final long BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Connections accepted at once (authenticated or not); more are closed at once. */
  private static final int MAX_INBOUND = 256;

  /**
   * Settings of one node's link.
   *
   * @param bindHost the address the listener binds to (0.0.0.0: every interface)
   * @param port the listener's port; 0 picks a free one (tests)
   * @param advertisedHost the host or IP other nodes connect to; empty: this host's address
   * @param secret the key every node of the deployment shares
   * @param maxFrameBytes the largest message (UTF-8 bytes plus the node id) sent or accepted
   * @param timeout how long a connect, handshake, address lookup or acknowledgement may take
   * @param tls mutual TLS around every connection, listening and connecting; empty: plain TCP
   */
  public record Settings(
      String bindHost,
      int port,
      Optional<String> advertisedHost,
      String secret,
      int maxFrameBytes,
      Duration timeout,
      Optional<NodeLinkTls> tls) {

    /** Plain TCP (no TLS). */
    public Settings(
        String bindHost,
        int port,
        Optional<String> advertisedHost,
        String secret,
        int maxFrameBytes,
        Duration timeout) {
      this(bindHost, port, advertisedHost, secret, maxFrameBytes, timeout, Optional.empty());
    }

    /** These settings with TLS. */
    public Settings withTls(NodeLinkTls tls) {
      return new Settings(
          bindHost, port, advertisedHost, secret, maxFrameBytes, timeout, Optional.of(tls));
    }

    /**
     * Port 7700 on every interface, this host's address, 8 MiB messages, 5 s timeouts (room-api's
     * {@code openmeet.focus.node-link.*} defaults).
     */
    public static Settings defaults(String secret) {
      return new Settings(
          "0.0.0.0", 7700, Optional.empty(), secret, 8 * 1024 * 1024, Duration.ofSeconds(5));
    }
  }

  private final NodeAddresses addresses;
  private final NodeLinkProtocol protocol;
  private final int timeoutMillis;
  private final NodeLinkTls tls; // null: plain TCP
  private final ServerSocket server;
  private final String address;
  private final Map<String, Consumer<String>> inboxes = new ConcurrentHashMap<>();
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();
  private final Set<Socket> inbound = ConcurrentHashMap.newKeySet();
  private final AtomicLong rejectedFrames = new AtomicLong();
  private final AtomicLong refusedConnections = new AtomicLong();
  private final AtomicBoolean renewing = new AtomicBoolean();
  private final AtomicBoolean registrationFailing = new AtomicBoolean();
  private final ScheduledExecutorService renewal;
  private final ThreadFactory inboundThreads = daemon("node-link-in");
  private final ThreadFactory outboundThreads = daemon("node-link-out");
  private volatile boolean closing;
  private volatile boolean closed;

  /**
   * Binds the listener and starts accepting connections.
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public TcpNodeMessaging(NodeAddresses addresses, Settings settings) {
    this.addresses = addresses;
    this.protocol =
        new NodeLinkProtocol(
            settings.secret().getBytes(StandardCharsets.UTF_8), settings.maxFrameBytes());
    this.timeoutMillis = Math.toIntExact(settings.timeout().toMillis());
    this.tls = settings.tls().orElse(null);
    try {
      this.server = tls != null ? tls.serverSocket() : new ServerSocket();
      // a restarted node binds its port again while the old connections are in TIME_WAIT
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(settings.bindHost(), settings.port()));
      String host = settings.advertisedHost().filter(h -> !h.isBlank()).orElse(null);
      if (host == null) {
        host = InetAddress.getLocalHost().getHostAddress();
      }
      this.address = formatAddress(host, server.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the node link cannot listen on " + settings.bindHost() + ":" + settings.port(), e);
    }
    Thread acceptor = daemon("node-link-accept").newThread(this::acceptLoop);
    acceptor.start();
    this.renewal = Executors.newSingleThreadScheduledExecutor(daemon("node-link-renewal"));
    long every = ADDRESS_RENEWAL.toMillis();
    renewal.scheduleWithFixedDelay(this::renewAddresses, every, every, TimeUnit.MILLISECONDS);
    LOG.info(
        "node link listening on {} ({}), advertised as {}",
        server.getLocalSocketAddress(),
        tls != null ? "mutual TLS" : "plain TCP",
        address);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The address other nodes reach this one at ({@code host:port}). */
  public String address() {
    return address;
  }

  /** Frames refused since start: bad length, MAC or content (each closed its connection). */
  public long rejectedFrames() {
    return rejectedFrames.get();
  }

  /** Connections refused since start: a wrong secret, not the protocol, or too many at once. */
  public long refusedConnections() {
    return refusedConnections.get();
  }

  @Override
  public Inbox open(String nodeId, Consumer<String> handler) {
    Consumer<String> serial =
        new Consumer<>() {
          @Override
          public synchronized void accept(String message) {
            try {
              handler.accept(message);
            } catch (RuntimeException e) {
              LOG.warn("a message to node {} failed: {}", nodeId, e.toString());
            }
          }
        };
    inboxes.put(nodeId, serial);
    // registered before this returns, as a subscription would be: a send right after finds it
    try {
      register(nodeId).get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // logged by register; the renewal tries again every few seconds
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return () -> {
      if (inboxes.remove(nodeId, serial)) {
        addresses.remove(nodeId);
      }
    };
  }

  /**
   * {@inheritDoc}
   *
   * <p>Completes exceptionally when the node's address is not known here and Redis cannot be
   * reached, when the connection fails or the node does not acknowledge in time, or when the
   * message exceeds the frame limit.
   */
  @Override
  public CompletionStage<Boolean> send(String nodeId, String message) {
    byte[] body;
    try {
      body = protocol.messageBody(nodeId, message);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (closing) {
      return CompletableFuture.failedFuture(new IOException("the node link is closed"));
    }
    var sent = new CompletableFuture<Boolean>();
    // enqueued inside compute: a peer that forgets itself (below) cannot lose a send to a dead lane
    peers.compute(
        nodeId,
        (id, peer) -> {
          Peer p = peer != null ? peer : new Peer(id);
          p.enqueue(body, sent);
          return p;
        });
    return sent;
  }

  private CompletableFuture<Void> register(String nodeId) {
    return addresses
        .register(nodeId, address, ADDRESS_TTL)
        .toCompletableFuture()
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                if (registrationFailing.compareAndSet(false, true)) {
                  LOG.warn(
                      "node link address of {} not registered (peers that have it still reach"
                          + " this node; retried every few seconds): {}",
                      nodeId,
                      e.toString());
                }
              } else if (registrationFailing.compareAndSet(true, false)) {
                LOG.info("node link address of {} registered again", nodeId);
              }
            });
  }

  private void renewAddresses() {
    // one renewal at a time: while Redis is down a renewal waits out the client's retries
    if (!renewing.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<?>[] all =
        inboxes.keySet().stream().map(this::register).toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(all).whenComplete((ok, e) -> renewing.set(false));
  }

  // ------------------------------------------------------------------ listening

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("node link stopped accepting: {}", e.toString());
        }
        return;
      }
      if (inbound.size() >= MAX_INBOUND) {
        refusedConnections.incrementAndGet();
        LOG.warn(
            "node link: {} connections already, refusing one from {}", MAX_INBOUND, peer(socket));
        closeQuietly(socket);
        continue;
      }
      inbound.add(socket);
      inboundThreads.newThread(() -> serve(socket)).start();
    }
  }

  /** One inbound connection: handshake, then messages, each acknowledged, until it closes. */
  private void serve(Socket socket) {
    String from = peer(socket);
    try (socket) {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.setSoTimeout(timeoutMillis);
      if (socket instanceof SSLSocket secure && !handshake(secure, from)) {
        return;
      }
      NodeLinkProtocol.Channel channel = protocol.accept(socket);
      socket.setSoTimeout(0); // an idle peer is fine; keep-alive notices a vanished one
      while (!closed) {
        NodeLinkProtocol.Message m = NodeLinkProtocol.parseMessage(channel.read());
        Consumer<String> inbox = inboxes.get(m.nodeId());
        if (inbox != null) {
          inbox.accept(m.text());
        }
        channel.writeAck(inbox != null);
      }
    } catch (NodeLinkProtocol.AuthenticationException e) {
      refusedConnections.incrementAndGet();
      LOG.warn("node link: connection from {} refused: {}", from, e.getMessage());
    } catch (NodeLinkProtocol.BadFrameException e) {
      rejectedFrames.incrementAndGet();
      LOG.warn("node link: bad frame from {}, connection closed: {}", from, e.getMessage());
    } catch (IOException e) {
      LOG.debug("node link connection from {} ended: {}", from, e.toString());
    } finally {
      inbound.remove(socket);
    }
  }

  /**
   * The TLS handshake of an inbound connection, under the connection's timeout: whatever stops it
   * (not TLS, a certificate the trust store does not vouch for, silence, a close) refuses the peer.
   */
  private boolean handshake(SSLSocket socket, String from) {
    try {
      socket.startHandshake();
      return true;
    } catch (IOException e) {
      refusedConnections.incrementAndGet();
      LOG.warn("node link: TLS with {} failed, connection refused: {}", from, e.toString());
      return false;
    }
  }

  private static String peer(Socket socket) {
    return String.valueOf(socket.getRemoteSocketAddress());
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing: nothing to do
    }
  }

  // ------------------------------------------------------------------ sending

  /**
   * The messages to one node, sent in order on one thread that ends when idle: its address once
   * known and the connection to it.
   */
  private final class Peer {
    private final String nodeId;
    private final ThreadPoolExecutor lane;
    // the fields below are touched only by tasks on the lane (one at a time), and by close()
    private InetSocketAddress target;
    private volatile NodeLinkProtocol.Channel channel;
    private long lastUsed = System.nanoTime();
    private long failedUntil = System.nanoTime();
    private String lastFailure = "";

    Peer(String nodeId) {
      this.nodeId = nodeId;
      this.lane =
          new ThreadPoolExecutor(
              1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), outboundThreads);
      lane.allowCoreThreadTimeOut(true);
    }

    void enqueue(byte[] body, CompletableFuture<Boolean> sent) {
      try {
        lane.execute(
            () -> {
              boolean delivered;
              try {
                delivered = deliver(body);
              } catch (Exception e) {
                sent.completeExceptionally(e);
                return;
              }
              if (!delivered) {
                forgetWhenIdle();
              }
              sent.complete(delivered);
            });
      } catch (RejectedExecutionException e) {
        sent.completeExceptionally(new IOException("the node link is closed"));
      }
    }

    /** No node of this id listens: drop this peer unless more sends wait (nodes come and go). */
    private void forgetWhenIdle() {
      peers.computeIfPresent(
          nodeId,
          (id, p) -> {
            if (p == this && lane.getQueue().isEmpty()) {
              lane.shutdown();
              return null;
            }
            return p;
          });
    }

    /**
     * True when an inbox of the node took the message, false when no node of that id listens (no
     * address registered, nothing listening there, or no such inbox there); throws when it cannot
     * know.
     */
    private boolean deliver(byte[] body) throws IOException {
      if (closed) {
        throw new IOException("the node link is closed");
      }
      long now = System.nanoTime();
      if (now - failedUntil < 0) {
        throw new IOException("node " + nodeId + " unreachable a moment ago: " + lastFailure);
      }
      try {
        boolean cached = target != null;
        if (!cached) {
          target = resolve();
          if (target == null) {
            return false;
          }
        }
        if (attempt(body)) {
          return true;
        }
        InetSocketAddress was = target;
        forget();
        if (!cached) {
          return false;
        }
        // the address this node kept may be stale: ask once where that node listens now
        InetSocketAddress current = resolve();
        if (current == null || current.equals(was)) {
          return false;
        }
        target = current;
        if (attempt(body)) {
          return true;
        }
        forget();
        return false;
      } catch (IOException e) {
        forget();
        failedUntil = System.nanoTime() + BACKOFF_NANOS;
        lastFailure = e.toString();
        throw e;
      } finally {
        lastUsed = System.nanoTime();
      }
    }

    /** One try at {@link #target}: false when nothing listens there or it has no such inbox. */
    private boolean attempt(byte[] body) throws IOException {
      NodeLinkProtocol.Channel c = channel;
      if (c != null && System.nanoTime() - lastUsed > PROBE_AFTER_NANOS && c.closedByPeer()) {
        // e.g. the peer restarted since: nothing was written on this connection yet
        c.close();
        c = null;
      }
      if (c == null) {
        try {
          c = connect(target);
        } catch (ConnectException refused) {
          return false;
        }
        channel = c;
      }
      c.write(body);
      return c.readAck();
    }

    private NodeLinkProtocol.Channel connect(InetSocketAddress to) throws IOException {
      Socket socket = tls != null ? tls.socket() : new Socket();
      try {
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        socket.connect(to, timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        if (socket instanceof SSLSocket secure) {
          secure.startHandshake(); // here, under the timeout, rather than on the first frame
        }
        return protocol.connect(socket);
      } catch (IOException | RuntimeException e) {
        closeQuietly(socket);
        throw e;
      }
    }

    /** The node's registered address, null when none is; throws when Redis cannot say. */
    private InetSocketAddress resolve() throws IOException {
      try {
        Optional<String> found =
            addresses
                .lookup(nodeId)
                .toCompletableFuture()
                .get(timeoutMillis, TimeUnit.MILLISECONDS);
        return found.map(TcpNodeMessaging::parseAddress).orElse(null);
      } catch (ExecutionException e) {
        throw new IOException("address of node " + nodeId + " unknown: " + e.getCause(), e);
      } catch (TimeoutException e) {
        throw new IOException("address of node " + nodeId + " unknown: lookup timed out", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (IllegalArgumentException e) {
        throw new IOException("node " + nodeId + " registered a bad address: " + e.getMessage());
      }
    }

    private void forget() {
      NodeLinkProtocol.Channel c = channel;
      channel = null;
      target = null;
      if (c != null) {
        c.close();
      }
    }

    void close() {
      NodeLinkProtocol.Channel c = channel;
      if (c != null) {
        c.close();
      }
      // the sends still queued fail (the link is closed) instead of never completing
      lane.shutdownNow().forEach(Runnable::run);
    }
  }

  static String formatAddress(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  static InetSocketAddress parseAddress(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("not host:port: " + address);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not host:port: " + address);
    }
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + address);
    }
    return new InetSocketAddress(host, port);
  }

  /**
   * Takes no more sends, lets those already queued go out (2 s at most: a node that shuts down
   * still tells its peers what it posted last), then stops listening, closes every connection and
   * removes this node's addresses.
   */
  @Override
  public void close() {
    closing = true;
    renewal.shutdownNow();
    peers.values().forEach(p -> p.lane.shutdown());
    long deadline = System.nanoTime() + DRAIN_NANOS;
    for (Peer p : peers.values()) {
      try {
        p.lane.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing: nothing to do
    }
    inbound.forEach(TcpNodeMessaging::closeQuietly);
    peers.values().forEach(Peer::close);
    inboxes.keySet().forEach(addresses::remove);
    inboxes.clear();
  }
}
