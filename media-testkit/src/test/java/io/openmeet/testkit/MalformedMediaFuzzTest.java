package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.TransportState;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connected endpoint sends malformed RTP and RTCP that passes SRTP (so it reaches the bridge's
 * parsers) while two others keep exchanging media: the bridge drops and counts it, and the two
 * never notice. The inputs come from a seeded generator; the seed is in the failure message.
 */
class MalformedMediaFuzzTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int PACKETS = Integer.getInteger("fuzz.media.packets", 6_000);

  private BridgeHarness bridge;

  @BeforeEach
  void start() {
    bridge = new BridgeHarness();
  }

  @AfterEach
  void stop() {
    bridge.close();
  }

  @Test
  void malformedMediaFromOneEndpointIsDroppedAndCountedAndNobodyElseNotices() throws Exception {
    SyntheticEndpoint a = bridge.join("a");
    SyntheticEndpoint b = bridge.join("b");
    SyntheticEndpoint mallory = bridge.join("mallory");
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long droppedBefore = bridge.engine.droppedPackets();

    // a and b talk the whole time, 50 packets/s each way
    AtomicBoolean talking = new AtomicBoolean(true);
    AtomicInteger aVideoSent = new AtomicInteger();
    AtomicInteger bAudioSent = new AtomicInteger();
    List<Long> gapsAtB = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread talk =
        new Thread(
            () -> {
              int i = 0;
              while (talking.get()) {
                a.sendVideo(400, i % 50 == 0);
                b.sendAudio(40);
                aVideoSent.incrementAndGet();
                bAudioSent.incrementAndGet();
                i++;
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "talk");
    Thread watch =
        new Thread(
            () -> {
              // gaps between a's packets arriving at b; the wait for the first one is start-up
              // (threads, JIT), not a gap the flood caused
              long last = b.receivedCount(a.videoSsrc());
              long lastChange = -1;
              while (talking.get()) {
                long now = b.receivedCount(a.videoSsrc());
                if (now != last) {
                  if (lastChange >= 0) {
                    gapsAtB.add((System.nanoTime() - lastChange) / 1_000_000);
                  }
                  last = now;
                  lastChange = System.nanoTime();
                }
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "watch");
    talk.start();
    watch.start();

    int sent = 0;
    int[] perKind = new int[Kind.values().length];
    try {
      for (int i = 0; i < PACKETS; i++) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        byte[] packet = kind.make(random, mallory, a);
        boolean out =
            kind.rtcp ? mallory.sendProtectedRtcp(packet) : mallory.sendProtectedRtp(packet);
        if (out) {
          sent++;
          perKind[kind.ordinal()]++;
        }
        if (i % 25 == 24) {
          Thread.sleep(5); // ~4,000 packets/s: UDP has no flow control, keep the socket draining
        }
      }
    } finally {
      Thread.sleep(500);
      talking.set(false);
      talk.join();
      watch.join();
    }

    String context = "seed " + seed + ", sent by kind " + java.util.Arrays.toString(perKind);
    assertThat(sent).as(context).isGreaterThan(PACKETS / 2);
    // loopback UDP under a flood on 2 cores may lose a packet in a socket buffer; nothing more
    BridgeHarness.await(
        () ->
            b.receivedCount(a.videoSsrc()) >= aVideoSent.get() * 0.95
                && a.receivedCount(b.audioSsrc()) >= bAudioSent.get() * 0.95,
        WAIT,
        "a's and b's packets across the bridge (" + context + ")");
    // only a's own packets under a's SSRC: nothing mallory spoofed got spliced in
    for (SyntheticEndpoint.ReceivedRtp r : b.receivedRtp(a.videoSsrc())) {
      assertThat(r.payload()).as(context).isEqualTo(a.sentPayload(a.videoSsrc(), r.seq()));
    }
    // nothing on an SSRC nobody signalled reached anyone
    assertThat(b.receivedRtp())
        .as(context)
        .allMatch(
            r ->
                r.ssrc() == a.audioSsrc()
                    || r.ssrc() == a.videoSsrc()
                    || r.ssrc() == mallory.audioSsrc()
                    || r.ssrc() == mallory.videoSsrc());
    assertThat(gapsAtB).as("video gaps at b, ms (" + context + ")").allMatch(g -> g < 500);
    assertThat(bridge.failures).as(context).isEmpty();
    for (String id : List.of("a", "b", "mallory")) {
      assertThat(bridge.transports.get(id).state()).as(id).isEqualTo(TransportState.CONNECTED);
    }
    // a's and b's streams to each other decrypt; mallory's own SSRCs may carry what survives the
    // bridge's checks (a reordered number inside the misorder window) and a receiver's replay check
    // refuses, as a browser's would: that only harms mallory's own stream
    assertThat(b.undecryptablePackets(a.videoSsrc())).as(context).isZero();
    assertThat(b.undecryptablePackets(a.audioSsrc())).as(context).isZero();
    assertThat(a.undecryptablePackets(b.audioSsrc())).as(context).isZero();
    assertThat(a.undecryptablePackets(b.videoSsrc())).as(context).isZero();
    long dropped = bridge.engine.droppedPackets() - droppedBefore;
    assertThat(dropped)
        .as("dropped and counted (" + context + ")")
        .isGreaterThanOrEqualTo(
            perKind[Kind.FOREIGN_SSRC.ordinal()] + perKind[Kind.UNSIGNALLED_SSRC.ordinal()]);
    assertThat(bridge.engine.stats().totalPacketsDropped()).isGreaterThanOrEqualTo(dropped);

    // and mallory's own well-formed media still flows once it behaves
    mallory.clearReceived();
    for (int i = 0; i < 10; i++) {
      mallory.sendVideo(300, i == 0);
      Thread.sleep(10);
    }
    BridgeHarness.await(
        () -> b.receivedCount(mallory.videoSsrc()) >= 10, WAIT, "mallory's media afterwards");
  }

  /** What mallory sends; every kind is malformed or not its own to send. */
  private enum Kind {
    /** An RTP header that claims up to 15 CSRCs the packet does not hold. */
    TRUNCATED_CSRCS(false) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        byte[] p = rtp(r, self.videoSsrc(), 12 + r.nextInt(20));
        p[0] = (byte) (0x80 | (1 + r.nextInt(15)));
        return p;
      }
    },
    /** A header extension whose length runs past the end of the packet. */
    EXTENSION_OVERFLOW(false) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        byte[] p = rtp(r, self.audioSsrc(), 16 + r.nextInt(40));
        p[0] = (byte) 0x90;
        p[12] = (byte) (r.nextBoolean() ? 0xBE : 0x10);
        p[13] = (byte) (r.nextBoolean() ? 0xDE : 0x00);
        p[14] = (byte) r.nextInt(256);
        p[15] = (byte) r.nextInt(256);
        return p;
      }
    },
    /** The padding bit with a padding count larger than the payload. */
    BOGUS_PADDING(false) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        byte[] p = rtp(r, self.videoSsrc(), 13 + r.nextInt(40));
        p[0] = (byte) 0xA0;
        p[p.length - 1] = (byte) (p.length + r.nextInt(200));
        return p;
      }
    },
    /** Someone else's SSRC, with random content. */
    FOREIGN_SSRC(false) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        return rtp(
            r, r.nextBoolean() ? victim.videoSsrc() : victim.audioSsrc(), 20 + r.nextInt(300));
      }
    },
    /** An SSRC nobody signalled (a few dozen of them, under the bridge's per-endpoint cap). */
    UNSIGNALLED_SSRC(false) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        return rtp(r, 0x5000_0000L + r.nextInt(40), 20 + r.nextInt(300));
      }
    },
    /** Its own video SSRC with sequence numbers jumping anywhere and garbage VP8 descriptors. */
    SEQUENCE_JUMPS(false) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        byte[] p = rtp(r, self.videoSsrc(), 12 + 1 + r.nextInt(30));
        p[1] = (byte) (r.nextBoolean() ? SyntheticEndpoint.VP8_PT : r.nextInt(128));
        p[12] = (byte) (0x80 | r.nextInt(256)); // extended VP8 descriptor bits, often truncated
        return p;
      }
    },
    /** RTCP with length fields that disagree with the packet, alone or in a compound. */
    RTCP_BAD_LENGTHS(true) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        byte[] p = new byte[8 + 4 * r.nextInt(12)];
        r.nextBytes(p);
        p[0] = (byte) (0x80 | r.nextInt(32));
        p[1] = (byte) (200 + r.nextInt(7));
        p[2] = (byte) r.nextInt(256);
        p[3] = (byte) r.nextInt(256);
        put32(p, 4, self.videoSsrc());
        return p;
      }
    },
    /** Transport-cc feedback with random counts, deltas and chunks. */
    BOGUS_TRANSPORT_CC(true) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        byte[] p = new byte[20 + 4 * r.nextInt(20)];
        r.nextBytes(p);
        p[0] = (byte) 0x8F; // FMT 15
        p[1] = (byte) 205;
        int words = r.nextInt(4) == 0 ? r.nextInt(256) : p.length / 4 - 1;
        p[2] = (byte) (words >>> 8);
        p[3] = (byte) words;
        put32(p, 4, self.videoSsrc());
        put32(p, 8, r.nextBoolean() ? victim.videoSsrc() : r.nextInt());
        return p;
      }
    },
    /** NACK, PLI and REMB for SSRCs that do not exist or with wrong sizes. */
    BOGUS_FEEDBACK(true) {
      @Override
      byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim) {
        byte[] p = new byte[12 + 4 * r.nextInt(6)];
        r.nextBytes(p);
        int fmt = new int[] {1, 1, 15}[r.nextInt(3)];
        int pt = fmt == 1 && r.nextBoolean() ? 205 : 206;
        p[0] = (byte) (0x80 | fmt);
        p[1] = (byte) pt;
        p[2] = 0;
        p[3] = (byte) (p.length / 4 - 1);
        put32(p, 4, self.videoSsrc());
        return p;
      }
    };

    final boolean rtcp;

    Kind(boolean rtcp) {
      this.rtcp = rtcp;
    }

    abstract byte[] make(Random r, SyntheticEndpoint self, SyntheticEndpoint victim);

    static byte[] rtp(Random r, long ssrc, int length) {
      byte[] p = new byte[Math.max(12, length)];
      r.nextBytes(p);
      p[0] = (byte) 0x80;
      p[1] = (byte) (r.nextBoolean() ? SyntheticEndpoint.VP8_PT : SyntheticEndpoint.OPUS_PT);
      put32(p, 8, ssrc);
      return p;
    }

    static void put32(byte[] p, int off, long v) {
      p[off] = (byte) (v >>> 24);
      p[off + 1] = (byte) (v >>> 16);
      p[off + 2] = (byte) (v >>> 8);
      p[off + 3] = (byte) v;
    }
  }
}
