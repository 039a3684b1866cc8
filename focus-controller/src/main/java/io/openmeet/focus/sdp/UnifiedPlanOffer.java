package io.openmeet.focus.sdp;

import io.openmeet.focus.sdp.SdpParseException.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The offers the focus makes to one participant over the life of its session. The first m-lines
 * carry the participant's own sends ({@code sendrecv}, with the bridge's feedback source); each
 * remote source gets its own {@code sendonly} m-line. When a source goes, its m-line becomes {@code
 * inactive} and is reused for the next source of the same kind: m-lines are never removed, as
 * unified plan requires.
 */
public final class UnifiedPlanOffer {

  private static final String PROTO = "UDP/TLS/RTP/SAVPF";

  private final String sessionId;
  private final CodecSettings codecs;
  private final List<Slot> slots = new ArrayList<>();
  private TransportDescription transport;
  private List<MediaSource> feedbackSources;
  private long version = 1;

  /**
   * @param transport the bridge's ICE/DTLS transport from the Colibri2 response
   * @param feedbackSources the bridge's own sources ({@code jvb-a0}, {@code jvb-v0})
   * @param ownSends one m-line per track the participant may send, e.g. audio, video
   */
  public UnifiedPlanOffer(
      CodecSettings codecs,
      TransportDescription transport,
      List<MediaSource> feedbackSources,
      List<MediaKind> ownSends) {
    this.sessionId = Long.toString(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    this.codecs = Objects.requireNonNull(codecs, "codecs");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.feedbackSources = List.copyOf(feedbackSources);
    for (MediaKind kind : ownSends) {
      slots.add(new Slot(Integer.toString(slots.size()), kind, true));
    }
  }

  /**
   * The offer's layout and version, enough to go on offering on another node with the m-lines the
   * browser already has (conference take-over).
   *
   * @param slots the m-lines in order; a remote one names the source it carries (null: inactive)
   */
  public record Layout(String sessionId, long version, List<SlotLayout> slots) {
    public Layout {
      slots = List.copyOf(slots);
    }
  }

  /** One m-line of a {@link Layout}: {@code own} m-lines carry the participant's sends. */
  public record SlotLayout(String mid, MediaKind kind, boolean own, MediaSource source) {}

  private UnifiedPlanOffer(
      CodecSettings codecs,
      TransportDescription transport,
      List<MediaSource> feedbackSources,
      Layout layout) {
    this.sessionId = layout.sessionId();
    this.version = layout.version();
    this.codecs = Objects.requireNonNull(codecs, "codecs");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.feedbackSources = List.copyOf(feedbackSources);
    for (SlotLayout l : layout.slots()) {
      Slot slot = new Slot(l.mid(), l.kind(), l.own());
      slot.source = l.own() ? null : l.source();
      slots.add(slot);
    }
  }

  /** An offer that continues from {@code layout} (see {@link #layout()}). */
  public static UnifiedPlanOffer restore(
      CodecSettings codecs,
      TransportDescription transport,
      List<MediaSource> feedbackSources,
      Layout layout) {
    return new UnifiedPlanOffer(codecs, transport, feedbackSources, layout);
  }

  /** The current layout and version (see {@link Layout}). */
  public synchronized Layout layout() {
    return new Layout(
        sessionId,
        version,
        slots.stream().map(sl -> new SlotLayout(sl.mid, sl.kind, sl.own, sl.source)).toList());
  }

  /** Replaces the bridge transport (ICE restart, or the participant moved to another bridge). */
  public synchronized void updateTransport(
      TransportDescription transport, List<MediaSource> feedbackSources) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.feedbackSources = List.copyOf(feedbackSources);
  }

  /**
   * The next offer given every source of the other participants now in the conference. Sources
   * already offered keep their m-line; gone ones make theirs inactive; new ones reuse inactive
   * m-lines of their kind first.
   */
  public synchronized SessionDescription next(List<MediaSource> remoteSources) {
    Map<String, MediaSource> wanted = new HashMap<>();
    for (MediaSource s : remoteSources) {
      wanted.put(s.name(), s);
    }
    for (Slot slot : slots) {
      if (!slot.own && slot.source != null) {
        slot.source = wanted.remove(slot.source.name());
      }
    }
    for (MediaSource s : remoteSources) {
      if (!wanted.containsKey(s.name())) {
        continue;
      }
      wanted.remove(s.name());
      Slot free = null;
      for (Slot slot : slots) {
        if (!slot.own && slot.source == null && slot.kind == s.kind()) {
          free = slot;
          break;
        }
      }
      if (free == null) {
        free = new Slot(Integer.toString(slots.size()), s.kind(), false);
        slots.add(free);
      }
      free.source = s;
    }
    List<Attribute> session = new ArrayList<>();
    session.add(
        Attribute.of(
            "group", "BUNDLE " + String.join(" ", slots.stream().map(sl -> sl.mid).toList())));
    session.add(Attribute.flag("extmap-allow-mixed"));
    session.add(Attribute.of("msid-semantic", " WMS *"));
    List<MediaSection> media = new ArrayList<>();
    boolean[] feedbackPlaced = new boolean[MediaKind.values().length];
    for (Slot slot : slots) {
      media.add(section(slot, feedbackPlaced));
    }
    return new SessionDescription(sessionId, version++, session, media);
  }

  /** Checks that an answer has the m-lines of the last offer, in order and of the same kinds. */
  public synchronized void checkAnswer(SdpAnswer answer) throws SdpParseException {
    List<SdpAnswer.AnsweredMedia> answered = answer.media();
    if (answered.size() != slots.size()) {
      throw new SdpParseException(
          Reason.ANSWER_MISMATCH,
          0,
          "answer has " + answered.size() + " m-lines, the offer had " + slots.size());
    }
    for (int i = 0; i < slots.size(); i++) {
      Slot slot = slots.get(i);
      SdpAnswer.AnsweredMedia m = answered.get(i);
      if (!slot.mid.equals(m.mid()) || !m.kind().equals(java.util.Optional.of(slot.kind))) {
        throw new SdpParseException(
            Reason.ANSWER_MISMATCH,
            0,
            "answer m-line " + i + " does not match offer mid " + slot.mid);
      }
    }
  }

  private MediaSection section(Slot slot, boolean[] feedbackPlaced) {
    List<Attribute> a = new ArrayList<>();
    a.add(Attribute.of("rtcp", "9 IN IP4 0.0.0.0"));
    a.add(Attribute.of("ice-ufrag", transport.ufrag()));
    a.add(Attribute.of("ice-pwd", transport.pwd()));
    for (DtlsFingerprint fp : transport.fingerprints()) {
      a.add(Attribute.of("fingerprint", fp.render()));
    }
    a.add(Attribute.of("setup", Setup.ACTPASS.token()));
    a.add(Attribute.of("mid", slot.mid));
    for (HeaderExtension ext : codecs.extensions(slot.kind)) {
      a.add(Attribute.of("extmap", ext.id() + " " + ext.uri()));
    }
    MediaSource source = null;
    Direction direction;
    if (slot.own) {
      // Only the first own m-line of a kind carries the bridge's feedback SSRC.
      if (!feedbackPlaced[slot.kind.ordinal()]) {
        feedbackPlaced[slot.kind.ordinal()] = true;
        source =
            feedbackSources.stream().filter(s -> s.kind() == slot.kind).findFirst().orElse(null);
      }
      direction = source == null ? Direction.RECVONLY : Direction.SENDRECV;
    } else {
      source = slot.source == null ? null : slot.source.asReceived();
      direction = source == null ? Direction.INACTIVE : Direction.SENDONLY;
    }
    a.add(Attribute.flag(direction.token()));
    if (source != null) {
      a.add(Attribute.of("msid", source.streamId() + " " + source.trackId()));
    }
    a.add(Attribute.flag("rtcp-mux"));
    a.add(Attribute.flag("rtcp-rsize"));
    List<String> formats = new ArrayList<>();
    for (PayloadType pt : codecs.payloadTypes(slot.kind)) {
      formats.add(Integer.toString(pt.id()));
      a.add(Attribute.of("rtpmap", pt.rtpmap()));
      for (PayloadType.RtcpFeedback fb : pt.feedback()) {
        a.add(Attribute.of("rtcp-fb", pt.id() + " " + fb.render()));
      }
      String fmtp = pt.fmtp();
      if (!fmtp.isEmpty()) {
        a.add(Attribute.of("fmtp", pt.id() + " " + fmtp));
      }
    }
    if (source != null) {
      for (SsrcGroup g : source.groups()) {
        StringBuilder v = new StringBuilder(g.semantics());
        g.ssrcs().forEach(s -> v.append(' ').append(s));
        a.add(Attribute.of("ssrc-group", v.toString()));
      }
      for (long ssrc : source.ssrcs()) {
        a.add(Attribute.of("ssrc", ssrc + " cname:" + source.owner()));
        a.add(Attribute.of("ssrc", ssrc + " msid:" + source.streamId() + " " + source.trackId()));
      }
    }
    for (IceCandidate c : transport.candidates()) {
      a.add(Attribute.of("candidate", c.render()));
    }
    a.add(Attribute.flag("end-of-candidates"));
    return new MediaSection(slot.kind.token(), 9, PROTO, formats, a, 0);
  }

  private static final class Slot {
    final String mid;
    final MediaKind kind;
    final boolean own;
    MediaSource source;

    Slot(String mid, MediaKind kind, boolean own) {
      this.mid = mid;
      this.kind = kind;
      this.own = own;
    }
  }
}
