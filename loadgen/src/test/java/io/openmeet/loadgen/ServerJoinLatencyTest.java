package io.openmeet.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerJoinLatencyTest {

  private static String scrape(int le1, int le5, int le10, int le50, int inf) {
    return """
        # TYPE signaling_latency_ms histogram
        signaling_latency_ms_bucket{operation="join",le="1.0"} %d
        signaling_latency_ms_bucket{operation="join",le="5.0"} %d
        signaling_latency_ms_bucket{operation="join",le="10.0"} %d
        signaling_latency_ms_bucket{operation="join",le="50.0"} %d
        signaling_latency_ms_bucket{operation="join",le="+Inf"} %d
        signaling_latency_ms_bucket{operation="other",le="1.0"} 999
        signaling_latency_ms_count{operation="join"} %d
        """
        .formatted(le1, le5, le10, le50, inf, inf);
  }

  @Test
  void percentilesOfTheDeltaAreBucketUpperBounds() {
    ServerJoinLatency before = ServerJoinLatency.parse(scrape(10, 10, 10, 10, 10));
    // 100 more joins: 50 within 5 ms, 40 more within 10 ms, 9 within 50 ms, 1 above
    ServerJoinLatency after = ServerJoinLatency.parse(scrape(10, 60, 100, 109, 110));

    ServerJoinLatency run = after.since(before);

    assertThat(run.count()).isEqualTo(100);
    assertThat(run.percentileUpperBound(50)).isEqualTo(5.0);
    assertThat(run.percentileUpperBound(90)).isEqualTo(10.0);
    assertThat(run.percentileUpperBound(99)).isEqualTo(50.0);
    assertThat(run.percentileUpperBound(99.9)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void noHistogramMeansNoFigures() {
    ServerJoinLatency none = ServerJoinLatency.parse("jvm_threads_live_threads 12\n");

    assertThat(none.count()).isZero();
    assertThat(none.percentileUpperBound(50)).isNaN();
  }
}
