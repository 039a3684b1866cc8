package io.openmeet.focus.testing;

import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.bridge.BridgeRegistryConfig;
import io.openmeet.focus.bridge.BridgeSelectionStrategy;
import io.openmeet.focus.bridge.BridgeSelector;
import io.openmeet.focus.bridge.SelectionConfig;
import io.openmeet.focus.colibri.Colibri2SessionManager;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.redisson.api.RedissonClient;

/**
 * The focus's half of a test brewery, as production wires it: Redis bridge state and admission
 * under a prefix of its own, the focus's XMPP connection and the bridge registry. Closed in
 * reverse.
 */
public final class FocusStack implements AutoCloseable {

  private final RedissonClient redis;
  private final RedisBridgeStateStore store;
  private final RedisBridgeAdmission admission;
  private final FocusXmppConnection focus;
  private final BridgeRegistry registry;

  private FocusStack(
      RedissonClient redis,
      RedisBridgeStateStore store,
      RedisBridgeAdmission admission,
      FocusXmppConnection focus,
      BridgeRegistry registry) {
    this.redis = redis;
    this.store = store;
    this.admission = admission;
    this.focus = focus;
    this.registry = registry;
  }

  /** Connects and starts a registry watching {@code brewery} with the default settings. */
  public static FocusStack start(String brewery) throws Exception {
    return start(brewery, UnaryOperator.identity());
  }

  /** The same with the registry's settings changed by {@code tune}. */
  public static FocusStack start(String brewery, UnaryOperator<BridgeRegistryConfig> tune)
      throws Exception {
    RedissonClient redis = TestRedis.connect();
    RedisBridgeStateStore store =
        new RedisBridgeStateStore(redis, "test-" + UUID.randomUUID() + ":");
    RedisBridgeAdmission admission =
        new RedisBridgeAdmission(
            redis, store, Clock.systemUTC(), 0.01, Duration.ofSeconds(2), Duration.ofSeconds(30));
    FocusXmppConnection focus = new FocusXmppConnection(TestEnv.focus());
    try {
      focus.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    } catch (Exception e) {
      redis.shutdown();
      throw e;
    }
    BridgeRegistry registry =
        new BridgeRegistry(
            focus,
            store,
            admission,
            tune.apply(
                BridgeRegistryConfig.defaults(
                    brewery, "focus-" + UUID.randomUUID().toString().substring(0, 8))),
            Clock.systemUTC());
    registry.start();
    return new FocusStack(redis, store, admission, focus, registry);
  }

  /** A selector over the registry's bridges with the named strategy. */
  public BridgeSelector selector(String strategy) {
    return new BridgeSelector(
        registry::bridges,
        BridgeSelectionStrategy.named(strategy),
        admission,
        SelectionConfig.defaults());
  }

  /** A session manager on this connection; {@code bridgeFailed} hears of failed bridges. */
  public Colibri2SessionManager manager(
      BridgeSelector selector, Consumer<String> bridgeFailed, Duration timeout, int maxAttempts) {
    return new Colibri2SessionManager(
        focus.smack(),
        selector,
        admission,
        bridgeFailed,
        CodecSettings.defaults(false),
        timeout,
        maxAttempts);
  }

  /** A session manager that reports failed bridges to the registry, as production does. */
  public Colibri2SessionManager manager(String strategy, Duration timeout) {
    return manager(selector(strategy), registry::markUnhealthy, timeout, 2);
  }

  public RedisBridgeStateStore store() {
    return store;
  }

  public RedisBridgeAdmission admission() {
    return admission;
  }

  public FocusXmppConnection focus() {
    return focus;
  }

  public BridgeRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    registry.close();
    focus.close();
    redis.shutdown();
  }
}
