package io.openmeet.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.redis.RedisCommandListener.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RBatch;
import org.redisson.api.RMap;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.codec.StringCodec;

/** The timing decorator against the real Redis of REDIS_URL. */
class RedissonTimingTest {

  record Call(String command, Outcome outcome, long nanos) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final String prefix = "presence-test:timing:" + UUID.randomUUID() + ":";
  private RedissonClient redis;

  @BeforeEach
  void connect() {
    String url = System.getenv("REDIS_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("REDIS_URL is not set: run the tests through scripts/test");
    }
    redis =
        RedissonClientFactory.create(
            RedissonClientFactory.Settings.of(url),
            (command, outcome, nanos) -> calls.add(new Call(command, outcome, nanos)));
  }

  @AfterEach
  void close() {
    redis.getKeys().deleteByPattern(prefix + "*");
    redis.shutdown();
  }

  /**
   * An async call is reported by a stage that runs after its future completes: a caller woken by
   * the completion can look before that stage has run (the completing thread wakes waiters first).
   */
  private void awaitCalls(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (calls.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  @Test
  void blocking_calls_are_reported_once_each_with_their_type_and_method() {
    RMap<String, String> map = redis.getMap(prefix + "map", StringCodec.INSTANCE);
    map.put("a", "1");
    assertThat(map.get("a")).isEqualTo("1");
    redis.<String>getBucket(prefix + "bucket").set("x", Duration.ofSeconds(30));

    assertThat(calls)
        .extracting(Call::command)
        .containsExactly("RMap.put", "RMap.get", "RBucket.set");
    assertThat(calls).extracting(Call::outcome).containsOnly(Outcome.SUCCESS);
    assertThat(calls).allSatisfy(c -> assertThat(c.nanos()).isPositive());
  }

  @Test
  void a_method_shared_by_several_types_is_named_after_the_object_it_was_called_on() {
    redis.getMap(prefix + "shared-a").expire(Duration.ofSeconds(30));
    redis.getBucket(prefix + "shared-b").expire(Duration.ofSeconds(30));
    assertThat(calls).extracting(Call::command).containsExactly("RMap.expire", "RBucket.expire");
  }

  @Test
  void local_methods_are_not_commands() {
    RMap<String, String> map = redis.getMap(prefix + "local");
    assertThat(map.getName()).isEqualTo(prefix + "local");
    assertThat(map.getCodec()).isNotNull();
    assertThat(map.toString()).isNotBlank();
    assertThat(calls).isEmpty();
  }

  @Test
  void an_async_call_is_reported_when_its_future_completes_not_when_it_returns() throws Exception {
    var bucket = redis.<String>getBucket(prefix + "async", StringCodec.INSTANCE);
    bucket.set("v");
    calls.clear();
    // BLPOP on an empty list holds the reply for 1 s: the call returns at once, the command later
    var future = redis.<String>getBlockingQueue(prefix + "queue").pollAsync(1, TimeUnit.SECONDS);
    assertThat(calls).isEmpty();
    assertThat(future.toCompletableFuture().get(10, TimeUnit.SECONDS)).isNull();
    awaitCalls(1);
    assertThat(calls).hasSize(1);
    Call call = calls.get(0);
    assertThat(call.command()).isEqualTo("RBlockingQueue.pollAsync");
    assertThat(call.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(Duration.ofNanos(call.nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void failures_are_reported_as_errors_and_still_thrown() throws InterruptedException {
    RScript script = redis.getScript(StringCodec.INSTANCE);
    assertThatThrownBy(
            () ->
                script.eval(
                    RScript.Mode.READ_WRITE,
                    "return redis.call('no-such-command')",
                    RScript.ReturnType.VALUE))
        .isInstanceOf(RedisException.class);
    var async =
        script.evalAsync(
            RScript.Mode.READ_WRITE, "return redis.error_reply('boom')", RScript.ReturnType.VALUE);
    assertThatThrownBy(() -> async.toCompletableFuture().join())
        .isInstanceOf(CompletionException.class);

    awaitCalls(2);
    assertThat(calls)
        .extracting(c -> c.command() + " " + c.outcome())
        .containsExactly("RScript.eval ERROR", "RScript.evalAsync ERROR");
  }

  @Test
  void a_batch_is_one_command_timed_on_execute() {
    RBatch batch = redis.createBatch();
    batch.getMap(prefix + "batch").putAsync("a", "1");
    batch.getBucket(prefix + "batch-bucket").setAsync("b");
    assertThat(calls).isEmpty();
    assertThat(batch.execute().getResponses()).hasSize(2);

    assertThat(calls).extracting(Call::command).containsExactly("RBatch.execute");
    assertThat(redis.<String, String>getMap(prefix + "batch").get("a")).isEqualTo("1");
  }

  @Test
  void a_failing_listener_never_fails_the_command() {
    redis.shutdown();
    redis =
        RedissonClientFactory.create(
            RedissonClientFactory.Settings.of(System.getenv("REDIS_URL")),
            (command, outcome, nanos) -> {
              throw new IllegalStateException("metrics broke");
            });
    var bucket = redis.<String>getBucket(prefix + "robust");
    bucket.set("v");
    assertThat(bucket.get()).isEqualTo("v");
  }

  @Test
  void outcomes_unwrap_async_wrappers_and_tell_timeouts_apart() {
    assertThat(Outcome.of(null)).isEqualTo(Outcome.SUCCESS);
    assertThat(Outcome.of(new CompletionException(new RedisTimeoutException("slow"))))
        .isEqualTo(Outcome.TIMEOUT);
    assertThat(Outcome.of(new RedisException("nope"))).isEqualTo(Outcome.ERROR);
    assertThat(Outcome.TIMEOUT.tag()).isEqualTo("timeout");
  }

  @Test
  void without_a_listener_the_client_is_not_wrapped() {
    RedissonClient plain = RedisTestSupport.connect();
    try {
      assertThat(java.lang.reflect.Proxy.isProxyClass(plain.getClass())).isFalse();
      assertThat(java.lang.reflect.Proxy.isProxyClass(redis.getClass())).isTrue();
    } finally {
      plain.shutdown();
    }
  }
}
