package io.openmeet.litebridge.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProcessCpuLoadTest {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong cpu = new AtomicLong();
  private final AtomicLong wall = new AtomicLong();
  private final ProcessCpuLoad load = new ProcessCpuLoad(cpu::get, wall::get, 2, SECOND);

  @Test
  void isTheCpuTimeUsedOverTheWallTimeOfAllCoresSinceTheLastReading() {
    // 5 s of a 2-core machine, 2.5 s of CPU used: a quarter of the machine
    wall.addAndGet(5 * SECOND);
    cpu.addAndGet(2_500_000_000L);
    assertThat(load.getAsDouble()).isCloseTo(0.25, within(1e-9));

    // the next window only counts what was used in it
    wall.addAndGet(5 * SECOND);
    cpu.addAndGet(500_000_000L);
    assertThat(load.getAsDouble()).isCloseTo(0.05, within(1e-9));
  }

  @Test
  void aReadingTooSoonAfterTheLastRepeatsItInsteadOfMeasuringAShortWindow() {
    wall.addAndGet(5 * SECOND);
    cpu.addAndGet(SECOND);
    assertThat(load.getAsDouble()).isCloseTo(0.1, within(1e-9));

    // 100 ms later, a burst of 100 ms of CPU would read as 0.5
    wall.addAndGet(SECOND / 10);
    cpu.addAndGet(SECOND / 10);
    assertThat(load.getAsDouble()).isCloseTo(0.1, within(1e-9));

    // it counts in the next full window instead: 1.1 s of CPU over 5.1 s × 2 cores
    wall.addAndGet(5 * SECOND);
    cpu.addAndGet(SECOND);
    assertThat(load.getAsDouble()).isCloseTo(1.1 / 10.2, within(1e-9));
  }

  @Test
  void staysWithinZeroAndOneAndSaysWhenUnknown() {
    wall.addAndGet(2 * SECOND);
    cpu.addAndGet(10 * SECOND);
    assertThat(load.getAsDouble()).isEqualTo(1.0);

    cpu.set(-1);
    wall.addAndGet(2 * SECOND);
    assertThat(load.getAsDouble()).isEqualTo(-1);
  }

  @Test
  void thisJvmReadsItsOwnCpuTime() {
    var jvm = ProcessCpuLoad.ofThisJvm();
    // the first reading after the minimum window is a real fraction
    long until = System.nanoTime() + 1_100_000_000L;
    double spin = 0;
    while (System.nanoTime() < until) {
      spin += Math.sqrt(spin + 1);
    }
    assertThat(spin).isPositive();
    assertThat(jvm.getAsDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
  }
}
