package io.openmeet.focus.sdp;

import io.openmeet.focus.sdp.SdpParseException.Reason;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the focus needs from a browser's answer: its ICE credentials and candidates, its DTLS
 * fingerprint and role, and per m-line what it sends (SSRCs, groups, msid).
 *
 * @param transport the browser's transport, shared by all bundled m-lines
 * @param setup the browser's DTLS role: {@code active} makes the bridge the DTLS server
 * @param media the m-lines in order
 */
public record SdpAnswer(TransportDescription transport, Setup setup, List<AnsweredMedia> media) {

  public SdpAnswer {
    media = List.copyOf(media);
  }

  /**
   * One answered m-line.
   *
   * @param kind empty for non-RTP m-lines (e.g. {@code application})
   * @param direction from the browser's side: {@code sendrecv}/{@code sendonly} mean it sends
   * @param ssrcs the SSRCs the browser declared, in order
   * @param streamId the msid stream id, null when absent
   * @param trackId the msid track id, null when absent
   */
  public record AnsweredMedia(
      String mid,
      Optional<MediaKind> kind,
      boolean rejected,
      Direction direction,
      List<Long> ssrcs,
      List<SsrcGroup> groups,
      String streamId,
      String trackId) {

    public AnsweredMedia {
      ssrcs = List.copyOf(ssrcs);
      groups = List.copyOf(groups);
    }

    /** Whether the browser sends RTP on this m-line. */
    public boolean sending() {
      return !rejected && kind.isPresent() && direction.sends() && !ssrcs.isEmpty();
    }
  }

  /** Parses and reads an answer. */
  public static SdpAnswer parse(String sdp) throws SdpParseException {
    return read(SdpParser.parse(sdp));
  }

  /**
   * Holds a browser's peer-to-peer offer ({@code offer}: setup may be actpass) or answer to the
   * checks of an answer to the focus, before the focus relays it to the other browser.
   */
  public static void checkPeerDescription(String sdp, boolean offer) throws SdpParseException {
    read(SdpParser.parse(sdp), offer);
  }

  /** Reads a parsed answer. */
  public static SdpAnswer read(SessionDescription sdp) throws SdpParseException {
    return read(sdp, false);
  }

  private static SdpAnswer read(SessionDescription sdp, boolean offer) throws SdpParseException {
    if (sdp.media().isEmpty()) {
      throw new SdpParseException(Reason.BAD_MEDIA_LINE, 0, "answer has no m-lines");
    }
    Set<String> mids = new HashSet<>();
    List<AnsweredMedia> media = new ArrayList<>();
    String ufrag = null;
    String pwd = null;
    List<DtlsFingerprint> fingerprints = null;
    Setup setup = null;
    Set<IceCandidate> candidates = new LinkedHashSet<>();
    Optional<Attribute> sessionSetup = sdp.attribute("setup");
    for (MediaSection m : sdp.media()) {
      Attribute midAttr =
          m.attribute("mid")
              .orElseThrow(
                  () -> new SdpParseException(Reason.MISSING_MID, m.line(), "m-line has no a=mid"));
      String mid = midAttr.value();
      if (mid == null || mid.isEmpty() || mid.length() > 32 || !SdpValues.isToken(mid)) {
        throw new SdpParseException(Reason.MISSING_MID, midAttr.line(), "bad a=mid");
      }
      if (!mids.add(mid)) {
        throw new SdpParseException(Reason.DUPLICATE_MID, midAttr.line(), "mid used twice: " + mid);
      }
      boolean rejected = m.port() == 0;
      if (!rejected && ufrag == null) {
        // Bundled: the first accepted m-line carries the transport for all of them.
        ufrag = value(m, sdp, "ice-ufrag", Reason.BAD_ICE_CREDENTIALS);
        pwd = value(m, sdp, "ice-pwd", Reason.BAD_ICE_CREDENTIALS);
        if (!SdpValues.isIceChars(ufrag, 4, 256)) {
          throw new SdpParseException(
              Reason.BAD_ICE_CREDENTIALS, m.line(), "ice-ufrag must be 4-256 ice-chars");
        }
        if (!SdpValues.isIceChars(pwd, 22, 256)) {
          throw new SdpParseException(
              Reason.BAD_ICE_CREDENTIALS, m.line(), "ice-pwd must be 22-256 ice-chars");
        }
        Attribute setupAttr =
            m.attribute("setup")
                .or(() -> sessionSetup)
                .orElseThrow(() -> new SdpParseException(Reason.BAD_SETUP, m.line(), "no a=setup"));
        setup =
            Setup.fromToken(String.valueOf(setupAttr.value()))
                .orElseThrow(
                    () ->
                        new SdpParseException(
                            Reason.BAD_SETUP, setupAttr.line(), "unknown a=setup value"));
        if ((setup == Setup.ACTPASS && !offer) || setup == Setup.HOLDCONN) {
          throw new SdpParseException(
              Reason.BAD_SETUP,
              setupAttr.line(),
              "an answer must say setup:active or setup:passive, not " + setup.token());
        }
        List<Attribute> fps = m.attributes("fingerprint");
        if (fps.isEmpty()) {
          fps = sdp.attributes().stream().filter(a -> a.name().equals("fingerprint")).toList();
        }
        if (fps.isEmpty()) {
          throw new SdpParseException(Reason.BAD_FINGERPRINT, m.line(), "no a=fingerprint");
        }
        fingerprints = new ArrayList<>();
        for (Attribute fp : fps) {
          fingerprints.add(SdpValues.fingerprint(fp.value(), setup, fp.line()));
        }
      }
      for (Attribute c : m.attributes("candidate")) {
        candidates.add(SdpValues.candidate(c.value(), c.line()));
      }
      media.add(answered(m, mid, rejected));
    }
    if (ufrag == null) {
      throw new SdpParseException(Reason.BAD_MEDIA_LINE, 0, "every m-line is rejected");
    }
    return new SdpAnswer(
        new TransportDescription(ufrag, pwd, fingerprints, List.copyOf(candidates)), setup, media);
  }

  private static String value(MediaSection m, SessionDescription sdp, String name, Reason reason)
      throws SdpParseException {
    Optional<Attribute> a = m.attribute(name).or(() -> sdp.attribute(name));
    if (a.isEmpty() || a.get().value() == null) {
      throw new SdpParseException(reason, m.line(), "m-line has no a=" + name);
    }
    return a.get().value();
  }

  private static AnsweredMedia answered(MediaSection m, String mid, boolean rejected)
      throws SdpParseException {
    Direction direction = Direction.SENDRECV;
    for (Attribute a : m.attributes()) {
      Optional<Direction> d = Direction.fromToken(a.name());
      if (d.isPresent()) {
        if (a.value() != null) {
          throw new SdpParseException(Reason.BAD_ATTRIBUTE, a.line(), "direction takes no value");
        }
        direction = d.get();
      }
    }
    Map<Long, Boolean> ssrcs = new LinkedHashMap<>();
    String ssrcStream = null;
    String ssrcTrack = null;
    for (Attribute a : m.attributes("ssrc")) {
      String v = a.value();
      if (v == null) {
        throw new SdpParseException(Reason.BAD_SSRC, a.line(), "a=ssrc without value");
      }
      int space = v.indexOf(' ');
      long ssrc = SdpValues.ssrc(space < 0 ? v : v.substring(0, space), a.line());
      ssrcs.put(ssrc, Boolean.TRUE);
      if (space >= 0) {
        String attr = v.substring(space + 1);
        if (attr.startsWith("msid:") && ssrcStream == null) {
          String[] f =
              SdpValues.tokens(attr.substring(5), Reason.BAD_SSRC, a.line(), "a=ssrc msid");
          if (f.length > 2) {
            throw new SdpParseException(Reason.BAD_SSRC, a.line(), "a=ssrc msid has 3+ fields");
          }
          ssrcStream = f[0];
          ssrcTrack = f.length == 2 ? f[1] : null;
        }
      }
    }
    List<SsrcGroup> groups = new ArrayList<>();
    boolean simulcast = false;
    for (Attribute a : m.attributes("ssrc-group")) {
      SsrcGroup g = SdpValues.ssrcGroup(a.value(), a.line());
      for (long s : g.ssrcs()) {
        if (!ssrcs.containsKey(s)) {
          throw new SdpParseException(
              Reason.BAD_SSRC, a.line(), "a=ssrc-group names undeclared SSRC " + s);
        }
      }
      if (g.ssrcs().stream().distinct().count() != g.ssrcs().size()) {
        throw new SdpParseException(Reason.BAD_SSRC, a.line(), "a=ssrc-group repeats an SSRC");
      }
      if (g.semantics().equals(SsrcGroup.FID) && g.ssrcs().size() != 2) {
        throw new SdpParseException(
            Reason.BAD_SSRC, a.line(), "an FID group pairs exactly two SSRCs");
      }
      if (g.semantics().equals(SsrcGroup.SIM)) {
        // the bridge makes one encoding per SIM SSRC; JVB knows layer heights for up to three
        if (simulcast || !"video".equals(m.media())) {
          throw new SdpParseException(
              Reason.BAD_SSRC, a.line(), "one SIM group per video m-line at most");
        }
        if (g.ssrcs().size() < 2 || g.ssrcs().size() > SsrcGroup.MAX_SIMULCAST_LAYERS) {
          throw new SdpParseException(
              Reason.BAD_SSRC,
              a.line(),
              "a SIM group has 2 to " + SsrcGroup.MAX_SIMULCAST_LAYERS + " SSRCs");
        }
        simulcast = true;
      }
      groups.add(g);
    }
    String stream = ssrcStream;
    String track = ssrcTrack;
    Optional<Attribute> msid = m.attribute("msid");
    if (msid.isPresent()) {
      String[] f =
          SdpValues.tokens(msid.get().value(), Reason.BAD_ATTRIBUTE, msid.get().line(), "a=msid");
      if (f.length > 2) {
        throw new SdpParseException(
            Reason.BAD_ATTRIBUTE, msid.get().line(), "a=msid has 3+ fields");
      }
      stream = f[0];
      track = f.length == 2 ? f[1] : null;
    }
    return new AnsweredMedia(
        mid,
        MediaKind.fromToken(m.media()),
        rejected,
        direction,
        primaryFirst(List.copyOf(ssrcs.keySet()), groups),
        groups,
        stream,
        track);
  }

  /**
   * The SSRCs with the simulcast layers first (lowest first, as the SIM group lists them), each
   * layer's RTX after them, then the rest as declared: the first is the source's primary SSRC, the
   * one the bridge forwards every layer on.
   */
  private static List<Long> primaryFirst(List<Long> ssrcs, List<SsrcGroup> groups) {
    Optional<SsrcGroup> sim =
        groups.stream().filter(g -> g.semantics().equals(SsrcGroup.SIM)).findFirst();
    if (sim.isEmpty()) {
      return ssrcs;
    }
    LinkedHashSet<Long> ordered = new LinkedHashSet<>(sim.get().ssrcs());
    for (long layer : sim.get().ssrcs()) {
      for (SsrcGroup g : groups) {
        if (g.semantics().equals(SsrcGroup.FID) && g.ssrcs().get(0) == layer) {
          ordered.add(g.ssrcs().get(1));
        }
      }
    }
    ordered.addAll(ssrcs);
    return List.copyOf(ordered);
  }

  /**
   * The sources the browser sends, named as Colibri2 expects ({@code <endpoint>-a0}, {@code
   * <endpoint>-v0}, {@code <endpoint>-v1}, ... in m-line order).
   */
  public List<MediaSource> sources(String endpointId) {
    List<MediaSource> sources = new ArrayList<>();
    int audio = 0;
    int video = 0;
    for (AnsweredMedia m : media) {
      if (!m.sending()) {
        continue;
      }
      MediaKind kind = m.kind().orElseThrow();
      String name = endpointId + (kind == MediaKind.AUDIO ? "-a" + audio++ : "-v" + video++);
      sources.add(MediaSource.of(kind, name, endpointId, m.ssrcs(), m.groups()));
    }
    return sources;
  }
}
