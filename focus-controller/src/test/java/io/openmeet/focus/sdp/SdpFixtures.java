package io.openmeet.focus.sdp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The offers the captured Chromium answers (src/test/resources/sdp) were made for. The bridge
 * transport and feedback sources are those of the real JVB create response in
 * colibri2-jvb-transcript.xml. {@link #main} writes the offers for the capture script.
 */
public final class SdpFixtures {

  static final String BRIDGE_FINGERPRINT =
      "2E:87:C2:A6:DE:39:ED:32:8C:5E:8E:1C:BE:B8:F7:AB:6D:A1:87:FC:EF:47:B3:93:A9:5A:38:DB:FA:42:3A:5A";

  private SdpFixtures() {}

  static TransportDescription bridgeTransport() {
    return new TransportDescription(
        "2920j1k8f214bs",
        "389ctdji4o64alicke8rk1gc2d",
        List.of(new DtlsFingerprint("sha-256", BRIDGE_FINGERPRINT, Setup.ACTPASS)),
        List.of(
            new IceCandidate(
                "1", 1, "udp", 2130706431L, "127.0.0.1", 10000, "host", null, -1, null, 0)));
  }

  static List<MediaSource> feedbackSources() {
    return List.of(
        new MediaSource(
            MediaKind.AUDIO,
            "jvb-a0",
            "jvb",
            List.of(2368504129L),
            List.of(),
            "mixedmslabel",
            "mixedlabelaudio0"),
        new MediaSource(
            MediaKind.VIDEO,
            "jvb-v0",
            "jvb",
            List.of(3958095278L),
            List.of(),
            "mixedmslabel",
            "mixedlabelvideo0"));
  }

  /** A remote participant's audio and video (video with RTX), SSRCs derived from {@code n}. */
  static List<MediaSource> participant(String id, long n) {
    long base = 100_000L * n;
    return List.of(
        MediaSource.of(MediaKind.AUDIO, id + "-a0", id, List.of(base + 1), List.of()),
        MediaSource.of(
            MediaKind.VIDEO,
            id + "-v0",
            id,
            List.of(base + 2, base + 3),
            List.of(new SsrcGroup("FID", List.of(base + 2, base + 3)))));
  }

  static UnifiedPlanOffer newOffer(boolean h264) {
    return new UnifiedPlanOffer(
        CodecSettings.defaults(h264),
        bridgeTransport(),
        feedbackSources(),
        List.of(MediaKind.AUDIO, MediaKind.VIDEO));
  }

  /**
   * The three offers of the capture: alone, then bob and carol join, then bob leaves, dave joins.
   */
  static List<SessionDescription> offerSequence(UnifiedPlanOffer offer) {
    SessionDescription first = offer.next(List.of());
    List<MediaSource> two = new java.util.ArrayList<>(participant("bob", 1));
    two.addAll(participant("carol", 2));
    SessionDescription second = offer.next(two);
    List<MediaSource> swapped = new java.util.ArrayList<>(participant("carol", 2));
    swapped.addAll(participant("dave", 3));
    SessionDescription third = offer.next(swapped);
    SessionDescription fourth = offer.next(participant("carol", 2)); // dave leaves: inactive
    List<MediaSource> erin = new java.util.ArrayList<>(participant("carol", 2));
    erin.addAll(participant("erin", 4));
    SessionDescription fifth = offer.next(erin); // erin reuses dave's inactive m-lines
    return List.of(first, second, third, fourth, fifth);
  }

  /** Writes offer-1.sdp .. offer-5.sdp (VP8+H264) to the directory given. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    List<SessionDescription> offers = offerSequence(newOffer(true));
    for (int i = 0; i < offers.size(); i++) {
      Files.writeString(dir.resolve("offer-" + (i + 1) + ".sdp"), SdpWriter.write(offers.get(i)));
    }
  }
}
