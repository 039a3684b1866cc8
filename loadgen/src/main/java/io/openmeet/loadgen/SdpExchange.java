package io.openmeet.loadgen;

import io.openmeet.litebridge.media.IceCandidate;
import io.openmeet.litebridge.media.LocalIce;
import io.openmeet.litebridge.media.RemoteTransport;
import io.openmeet.testkit.SyntheticEndpoint;
import io.openmeet.transport.DtlsFingerprint;
import java.util.ArrayList;
import java.util.List;

/**
 * The browser's half of the offer/answer exchange for a {@link SyntheticEndpoint}: reads the
 * bridge's transport from the server's offer, and answers it the way Chromium does (setup active,
 * own tracks with SSRCs on the first audio and video m-lines, recvonly for the rest).
 */
public final class SdpExchange {

  private SdpExchange() {}

  /** The bridge's ICE credentials, candidates and DTLS fingerprint, as the offer carries them. */
  public record BridgeTransport(LocalIce ice, DtlsFingerprint fingerprint) {}

  /** Reads the bundled transport of the offer (from its first m-line with ICE credentials). */
  public static BridgeTransport bridgeTransport(String offer) {
    String ufrag = null;
    String pwd = null;
    DtlsFingerprint fingerprint = null;
    List<IceCandidate> candidates = new ArrayList<>();
    for (String line : offer.split("\r?\n")) {
      if (line.startsWith("a=ice-ufrag:") && ufrag == null) {
        ufrag = line.substring("a=ice-ufrag:".length());
      } else if (line.startsWith("a=ice-pwd:") && pwd == null) {
        pwd = line.substring("a=ice-pwd:".length());
      } else if (line.startsWith("a=fingerprint:") && fingerprint == null) {
        String[] parts = line.substring("a=fingerprint:".length()).split(" ", 2);
        fingerprint = new DtlsFingerprint(parts[0], parts[1], "actpass");
      } else if (line.startsWith("a=candidate:")) {
        String[] f = line.substring("a=candidate:".length()).split(" ");
        IceCandidate c =
            new IceCandidate(
                f[0],
                Integer.parseInt(f[1]),
                f[2],
                Long.parseLong(f[3]),
                f[4],
                Integer.parseInt(f[5]),
                f[7],
                0,
                null,
                0);
        if (!candidates.contains(c)) {
          candidates.add(c);
        }
      }
    }
    if (ufrag == null || pwd == null || fingerprint == null) {
      throw new IllegalArgumentException("the offer has no ICE credentials or fingerprint");
    }
    return new BridgeTransport(new LocalIce(ufrag, pwd, candidates), fingerprint);
  }

  /** Chromium-like answer to {@code offer} for the endpoint's transport and its own SSRCs. */
  public static String answer(String offer, SyntheticEndpoint endpoint) {
    RemoteTransport t = endpoint.transportDescription();
    List<String> out = new ArrayList<>();
    List<String> section = new ArrayList<>();
    boolean inMedia = false;
    boolean audioSent = false;
    boolean videoSent = false;
    boolean first = true;
    String kind = null;
    for (String line : offer.split("\r?\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("m=")) {
        out.addAll(section);
        section.clear();
        inMedia = true;
        kind = line.substring(2, line.indexOf(' '));
        out.add(line);
        continue;
      }
      if (!inMedia) {
        out.add(line);
        continue;
      }
      if (line.startsWith("a=candidate")
          || line.startsWith("a=ssrc")
          || line.startsWith("a=msid")
          || line.startsWith("a=ice-")
          || line.startsWith("a=fingerprint")
          || line.startsWith("a=setup")) {
        continue;
      }
      if (line.startsWith("a=mid:")) {
        out.add(line);
        out.add("a=ice-ufrag:" + t.ufrag());
        out.add("a=ice-pwd:" + t.password());
        out.add("a=fingerprint:sha-256 " + endpoint.fingerprint());
        out.add("a=setup:active");
        if (first) {
          for (IceCandidate c : t.candidates()) {
            out.add(
                "a=candidate:"
                    + c.foundation()
                    + " 1 udp "
                    + c.priority()
                    + " "
                    + c.ip()
                    + " "
                    + c.port()
                    + " typ "
                    + c.type()
                    + " generation 0");
          }
          first = false;
        }
        continue;
      }
      if (line.equals("a=sendrecv")) {
        String label = endpoint.id();
        if ("audio".equals(kind) && !audioSent) {
          audioSent = true;
          section.add("a=sendrecv");
          section.add("a=msid:" + label + " " + label + "-audio");
          section.add("a=ssrc:" + endpoint.audioSsrc() + " cname:" + label);
        } else if ("video".equals(kind) && !videoSent) {
          videoSent = true;
          section.add("a=sendrecv");
          section.add("a=msid:" + label + " " + label + "-video");
          section.add("a=ssrc-group:FID " + endpoint.videoSsrc() + " " + endpoint.rtxSsrc());
          section.add("a=ssrc:" + endpoint.videoSsrc() + " cname:" + label);
          section.add("a=ssrc:" + endpoint.rtxSsrc() + " cname:" + label);
        } else {
          section.add("a=recvonly");
        }
        continue;
      }
      if (line.equals("a=sendonly")) {
        section.add("a=recvonly");
        continue;
      }
      out.add(line);
    }
    out.addAll(section);
    return String.join("\r\n", out) + "\r\n";
  }
}
