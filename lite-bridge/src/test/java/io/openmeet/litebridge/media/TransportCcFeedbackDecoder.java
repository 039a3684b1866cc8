package io.openmeet.litebridge.media;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict reader of transport-cc feedback written for the tests straight from
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1, sharing no code with the encoder:
 * anything the draft does not allow (reserved symbols, a wrong length, bytes left over) throws.
 */
public final class TransportCcFeedbackDecoder {

  /** One sequence number's status; {@code arrivalMicros} is absolute (reference time based). */
  public record Status(int sequence, boolean received, int deltaTicks, long arrivalMicros) {}

  /** A decoded feedback packet. */
  public record Feedback(
      long senderSsrc,
      long mediaSsrc,
      int baseSequence,
      int statusCount,
      int referenceTime,
      int feedbackCount,
      List<Status> statuses) {

    /** The statuses of the received packets only. */
    public List<Status> received() {
      return statuses.stream().filter(Status::received).toList();
    }
  }

  private TransportCcFeedbackDecoder() {}

  /** Decodes one RTCP packet at the start of {@code p} that must fill it exactly. */
  public static Feedback decode(byte[] p) {
    if (p.length < 20 || p.length % 4 != 0) {
      throw new IllegalArgumentException("length " + p.length);
    }
    int first = p[0] & 0xFF;
    if (first >>> 6 != 2 || (first & 0x1F) != 15 || (p[1] & 0xFF) != 205) {
      throw new IllegalArgumentException("not a transport-cc feedback: " + first + "/" + p[1]);
    }
    int words = u16(p, 2);
    if ((words + 1) * 4 != p.length) {
      throw new IllegalArgumentException("length field " + words + " for " + p.length + " bytes");
    }
    int end = p.length;
    if ((first & 0x20) != 0) {
      int padding = p[p.length - 1] & 0xFF;
      if (padding == 0 || padding > 3) {
        throw new IllegalArgumentException("padding " + padding);
      }
      for (int i = end - padding; i < end - 1; i++) {
        if (p[i] != 0) {
          throw new IllegalArgumentException("padding byte not zero");
        }
      }
      end -= padding;
    }
    long sender = u32(p, 4);
    long media = u32(p, 8);
    int base = u16(p, 12);
    int count = u16(p, 14);
    int reference = ((p[16] & 0xFF) << 16) | ((p[17] & 0xFF) << 8) | (p[18] & 0xFF);
    int fbCount = p[19] & 0xFF;
    if (count == 0) {
      throw new IllegalArgumentException("no packet status");
    }

    List<Integer> symbols = new ArrayList<>();
    int pos = 20;
    while (symbols.size() < count) {
      if (pos + 2 > end) {
        throw new IllegalArgumentException("chunks run past the end");
      }
      int chunk = u16(p, pos);
      pos += 2;
      if ((chunk & 0x8000) == 0) {
        int symbol = (chunk >>> 13) & 0x3;
        int run = chunk & 0x1FFF;
        if (symbol == 3 || run == 0) {
          throw new IllegalArgumentException("run-length chunk " + Integer.toHexString(chunk));
        }
        for (int k = 0; k < run; k++) {
          symbols.add(symbol);
        }
      } else if ((chunk & 0x4000) == 0) {
        for (int k = 13; k >= 0; k--) {
          symbols.add((chunk >>> k) & 1);
        }
      } else {
        for (int k = 12; k >= 0; k -= 2) {
          int symbol = (chunk >>> k) & 3;
          if (symbol == 3) {
            throw new IllegalArgumentException("reserved symbol in " + Integer.toHexString(chunk));
          }
          symbols.add(symbol);
        }
      }
    }
    // symbols past the status count (the rest of the last vector) must say "not received"
    for (int k = count; k < symbols.size(); k++) {
      if (symbols.get(k) != 0) {
        throw new IllegalArgumentException("status beyond the count: " + k);
      }
    }

    List<Status> statuses = new ArrayList<>();
    long time = reference * 64_000L;
    for (int k = 0; k < count; k++) {
      int seq = (base + k) & 0xFFFF;
      int symbol = symbols.get(k);
      if (symbol == 0) {
        statuses.add(new Status(seq, false, 0, -1));
        continue;
      }
      int delta;
      if (symbol == 1) {
        if (pos + 1 > end) {
          throw new IllegalArgumentException("deltas run past the end");
        }
        delta = p[pos] & 0xFF;
        pos += 1;
      } else {
        if (pos + 2 > end) {
          throw new IllegalArgumentException("deltas run past the end");
        }
        delta = (short) u16(p, pos);
        pos += 2;
      }
      time += delta * 250L;
      statuses.add(new Status(seq, true, delta, time));
    }
    if (pos != end) {
      throw new IllegalArgumentException((end - pos) + " bytes left after the deltas");
    }
    return new Feedback(sender, media, base, count, reference, fbCount, List.copyOf(statuses));
  }

  private static int u16(byte[] p, int off) {
    return ((p[off] & 0xFF) << 8) | (p[off + 1] & 0xFF);
  }

  private static long u32(byte[] p, int off) {
    return ((long) u16(p, off) << 16) | u16(p, off + 2);
  }
}
