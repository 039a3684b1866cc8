package io.openmeet.focus.sdp;

import java.util.List;
import java.util.Objects;

/**
 * One media source as Colibri2 names it: one track of one participant (or the bridge), with all its
 * SSRCs (simulcast layers and their RTX) and their groups.
 *
 * @param name the Colibri2 source name, e.g. {@code 79f0273e-v0}
 * @param owner the endpoint id of the sender ({@code jvb} for the bridge's feedback sources)
 * @param ssrcs primary SSRC first
 * @param streamId the msid stream id the receiving browser will see
 * @param trackId the msid track id the receiving browser will see
 */
public record MediaSource(
    MediaKind kind,
    String name,
    String owner,
    List<Long> ssrcs,
    List<SsrcGroup> groups,
    String streamId,
    String trackId) {

  public MediaSource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(owner, "owner");
    ssrcs = List.copyOf(ssrcs);
    groups = List.copyOf(groups);
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(trackId, "trackId");
    if (ssrcs.isEmpty()) {
      throw new IllegalArgumentException("a source needs at least one SSRC: " + name);
    }
  }

  /** A source whose msid is {@code <owner> <name>}, so a browser can tell whose track it is. */
  public static MediaSource of(
      MediaKind kind, String name, String owner, List<Long> ssrcs, List<SsrcGroup> groups) {
    return new MediaSource(kind, name, owner, ssrcs, groups, owner, name);
  }

  /** The first SSRC, the one that identifies the source. */
  public long primarySsrc() {
    return ssrcs.get(0);
  }

  /**
   * The source as another participant's browser receives it. A simulcast source reaches receivers
   * as one stream: the bridge (JVB and lite-bridge alike) projects whichever layer it forwards onto
   * the primary SSRC, and retransmits on that SSRC's RTX partner, so receivers are told only those
   * two and their FID group (lib-jitsi-meet removes the other layers from Jicofo's offers itself).
   * Any other source is returned as it is.
   */
  public MediaSource asReceived() {
    if (groups.stream().noneMatch(g -> g.semantics().equals(SsrcGroup.SIM))) {
      return this;
    }
    long primary = primarySsrc();
    List<SsrcGroup> fid =
        groups.stream()
            .filter(g -> g.semantics().equals(SsrcGroup.FID) && g.ssrcs().get(0) == primary)
            .limit(1)
            .toList();
    List<Long> kept = fid.isEmpty() ? List.of(primary) : fid.get(0).ssrcs();
    return new MediaSource(kind, name, owner, kept, fid, streamId, trackId);
  }
}
