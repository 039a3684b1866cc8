package io.openmeet.litebridge.media;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One endpoint's RTP header extension ids (RFC 8285) and the per-receiver rewrite of forwarded
 * packets: an element is kept only when the receiver negotiated the same URI, and it is renumbered
 * to the receiver's id. Extensions that describe the sender's own transport or m-line (MID, RID,
 * transport-wide sequence numbers) are never forwarded: a receiver would demultiplex by the
 * sender's MID into the wrong transceiver, or send transport-cc feedback for numbers the bridge
 * never sent.
 */
final class HeaderExtensions {

  static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
  static final String RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
  static final String REPAIRED_RID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
  static final String TRANSPORT_CC =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  static final String TRANSPORT_CC_02 =
      "http://www.webrtc.org/experiments/rtp-hdrext/transport-wide-cc-02";

  /** Hop-by-hop extensions: they belong to the sender's leg and are dropped when forwarding. */
  static final Set<String> NOT_FORWARDED =
      Set.of(MID, RID, REPAIRED_RID, TRANSPORT_CC, TRANSPORT_CC_02);

  static final String DEPENDENCY_DESCRIPTOR =
      "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
  static final String GENERIC_FRAME_DESCRIPTOR =
      "http://www.webrtc.org/experiments/rtp-hdrext/generic-frame-descriptor-00";

  /**
   * Not forwarded on a simulcast layer projected onto its source's primary SSRC either: frame
   * descriptors number each layer's frames on their own, and a receiver that has them uses them
   * instead of the VP8 PictureIDs the projection keeps continuous.
   */
  static final Set<String> NOT_PROJECTED = Set.of(DEPENDENCY_DESCRIPTOR, GENERIC_FRAME_DESCRIPTOR);

  static final HeaderExtensions NONE = new HeaderExtensions(Map.of());

  private static final int PROFILE_ONE_BYTE = 0xBEDE;

  private final String[] uriById = new String[256];
  private final Map<String, Integer> idByUri = new HashMap<>();

  HeaderExtensions(Map<Integer, String> extensions) {
    extensions.forEach(
        (id, uri) -> {
          if (id != null && id > 0 && id < 256 && uri != null) {
            uriById[id] = uri;
            idByUri.putIfAbsent(uri, id);
          }
        });
  }

  /** The id this endpoint negotiated for {@code uri}, or -1. */
  int idOf(String uri) {
    Integer id = idByUri.get(uri);
    return id == null ? -1 : id;
  }

  /** The receiver's id for the sender's element {@code id}, or 0 to drop the element. */
  private static int translate(
      int id, HeaderExtensions sender, HeaderExtensions receiver, boolean projected) {
    String uri = sender.uriById[id];
    if (uri == null || NOT_FORWARDED.contains(uri) || (projected && NOT_PROJECTED.contains(uri))) {
      return 0;
    }
    Integer mapped = receiver.idByUri.get(uri);
    return mapped == null ? 0 : mapped;
  }

  /**
   * The plain RTP packet {@code p} with its header extensions as {@code receiver} expects them: the
   * same array when nothing changes, otherwise a new one. A packet whose extension block ends up
   * empty loses its X bit. Malformed elements end the block (what follows them is dropped).
   */
  static byte[] rewrite(byte[] p, HeaderExtensions sender, HeaderExtensions receiver) {
    return rewrite(p, sender, receiver, false);
  }

  /** {@link #rewrite(byte[], HeaderExtensions, HeaderExtensions)}, for a projected layer too. */
  static byte[] rewrite(
      byte[] p, HeaderExtensions sender, HeaderExtensions receiver, boolean projected) {
    if (p.length < 12 || (p[0] & 0x10) == 0) {
      return p;
    }
    int start = 12 + 4 * (p[0] & 0x0F);
    if (start + 4 > p.length) {
      return p;
    }
    int profile = ((p[start] & 0xFF) << 8) | (p[start + 1] & 0xFF);
    int end = start + 4 + 4 * (((p[start + 2] & 0xFF) << 8) | (p[start + 3] & 0xFF));
    if (end > p.length) {
      return p;
    }
    boolean oneByte = profile == PROFILE_ONE_BYTE;
    boolean twoByte = (profile & 0xFFF0) == 0x1000;
    byte[] kept = new byte[end - start];
    int w = 0;
    boolean changed = !oneByte && !twoByte; // an unknown profile is dropped as a whole
    int pos = start + 4;
    while ((oneByte || twoByte) && pos < end) {
      int id;
      int len;
      int data;
      if (oneByte) {
        int first = p[pos] & 0xFF;
        if (first == 0) {
          pos++;
          continue;
        }
        id = first >>> 4;
        len = (first & 0x0F) + 1;
        data = pos + 1;
        if (id == 15) {
          break; // RFC 8285: stop parsing
        }
      } else {
        id = p[pos] & 0xFF;
        if (id == 0) {
          pos++;
          continue;
        }
        if (pos + 2 > end) {
          changed = true;
          break;
        }
        len = p[pos + 1] & 0xFF;
        data = pos + 2;
      }
      if (data + len > end) {
        changed = true;
        break;
      }
      pos = data + len;
      int mapped = translate(id, sender, receiver, projected);
      if (mapped != id) {
        changed = true;
      }
      if (mapped == 0 || (oneByte && mapped > 14)) {
        changed = true;
        continue;
      }
      if (oneByte) {
        kept[w++] = (byte) ((mapped << 4) | (len - 1));
      } else {
        kept[w++] = (byte) mapped;
        kept[w++] = (byte) len;
      }
      System.arraycopy(p, data, kept, w, len);
      w += len;
    }
    if (!changed) {
      return p;
    }
    int padded = (w + 3) & ~3;
    int block = padded == 0 ? 0 : 4 + padded;
    byte[] out = new byte[start + block + (p.length - end)];
    System.arraycopy(p, 0, out, 0, start);
    if (block == 0) {
      out[0] &= (byte) ~0x10;
    } else {
      out[start] = (byte) (profile >>> 8);
      out[start + 1] = (byte) profile;
      out[start + 2] = (byte) ((padded / 4) >>> 8);
      out[start + 3] = (byte) (padded / 4);
      System.arraycopy(kept, 0, out, start + 4, w); // the padding stays zero
    }
    System.arraycopy(p, end, out, start + block, p.length - end);
    return out;
  }
}
