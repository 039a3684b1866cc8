package io.openmeet.focus.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.sdp.SdpParseException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads answers Chromium 156 gave to our offers (captured by src/test/sdp-capture). */
class SdpAnswerTest {

  @Test
  void firstAnswerCarriesTheBrowsersTransportAndItsTwoSources() throws Exception {
    SdpAnswer answer = SdpAnswer.parse(Resources.sdp("chromium-answer-1-sendrecv.sdp"));

    assertThat(answer.transport().ufrag()).isEqualTo("k1xI");
    assertThat(answer.transport().pwd()).isEqualTo("2kK/quogbcyl2KGptE0exJ3A");
    assertThat(answer.setup()).isEqualTo(Setup.ACTIVE);
    assertThat(answer.transport().fingerprints())
        .containsExactly(
            new DtlsFingerprint(
                "sha-256",
                "68:39:BA:EE:D9:E2:4E:73:A0:08:CD:7F:17:24:5F:1B:49:08:63:80:F9:86:CB:92:38:22:83:F2:22:F5:DD:43",
                Setup.ACTIVE));
    // Bundled: the candidates appear once although Chromium lists them on the first m-line only.
    assertThat(answer.transport().candidates()).hasSize(8);
    IceCandidate first = answer.transport().candidates().get(0);
    assertThat(first.address()).isEqualTo("127.0.0.1");
    assertThat(first.port()).isEqualTo(43570);
    assertThat(first.priority()).isEqualTo(2122194687L);
    assertThat(first.type()).isEqualTo("host");
    assertThat(answer.transport().candidates())
        .anySatisfy(c -> assertThat(c.address()).isEqualTo("::1"))
        .anySatisfy(c -> assertThat(c.tcpType()).isEqualTo("active"));

    List<MediaSource> sources = answer.sources("alice");
    assertThat(sources).hasSize(2);
    assertThat(sources.get(0).name()).isEqualTo("alice-a0");
    assertThat(sources.get(0).kind()).isEqualTo(MediaKind.AUDIO);
    assertThat(sources.get(0).ssrcs()).containsExactly(2056697848L);
    assertThat(sources.get(1).name()).isEqualTo("alice-v0");
    assertThat(sources.get(1).ssrcs()).containsExactly(995962066L, 3458322109L);
    assertThat(sources.get(1).groups())
        .containsExactly(new SsrcGroup("FID", List.of(995962066L, 3458322109L)));
    assertThat(answer.media().get(1).streamId()).isEqualTo("0d36761a-e831-40c2-819a-020e930574a6");
    assertThat(answer.media().get(1).trackId()).isEqualTo("025e17fc-5c8a-4384-a248-798c4e9739cc");
  }

  @Test
  void answersToReOffersAcceptEveryRemoteMlineAsReceiveOnly() throws Exception {
    for (String name :
        List.of("chromium-answer-2-two-remotes.sdp", "chromium-answer-3-recycled.sdp")) {
      SdpAnswer answer = SdpAnswer.parse(Resources.sdp(name));
      assertThat(answer.media())
          .extracting(SdpAnswer.AnsweredMedia::mid)
          .containsExactly("0", "1", "2", "3", "4", "5");
      assertThat(answer.media().subList(2, 6))
          .allSatisfy(m -> assertThat(m.direction()).isEqualTo(Direction.RECVONLY));
      // The participant's own sources are unchanged by the re-offer.
      assertThat(answer.sources("alice"))
          .extracting(MediaSource::primarySsrc)
          .containsExactly(2056697848L, 995962066L);
    }
  }

  @Test
  void chromiumAcceptsInactiveMlinesAndTheirReuseForANewSource() throws Exception {
    SdpAnswer inactive = SdpAnswer.parse(Resources.sdp("chromium-answer-4-inactive.sdp"));
    assertThat(inactive.media())
        .extracting(SdpAnswer.AnsweredMedia::direction)
        .containsExactly(
            Direction.SENDRECV,
            Direction.SENDRECV,
            Direction.INACTIVE,
            Direction.INACTIVE,
            Direction.RECVONLY,
            Direction.RECVONLY);
    assertThat(inactive.media()).noneMatch(SdpAnswer.AnsweredMedia::rejected);
    SdpAnswer reused = SdpAnswer.parse(Resources.sdp("chromium-answer-5-reused-inactive.sdp"));
    assertThat(reused.media().subList(2, 6))
        .allSatisfy(m -> assertThat(m.direction()).isEqualTo(Direction.RECVONLY));
    // The participant keeps sending the same two sources throughout.
    assertThat(reused.sources("alice")).hasSize(2);
    assertThat(reused.sources("alice").get(1).groups())
        .extracting(SsrcGroup::semantics)
        .containsExactly("FID");

    UnifiedPlanOffer offer = SdpFixtures.newOffer(true);
    SdpFixtures.offerSequence(offer);
    offer.checkAnswer(reused);
  }

  @Test
  void aSimulcastCameraIsOneSourceWithItsLayersAndTheirRtxPrimaryFirst() throws Exception {
    // The web app's answer to offer-1 with the camera munged into three SIM layers (captured).
    SdpAnswer answer = SdpAnswer.parse(Resources.sdp("chromium-answer-6-simulcast.sdp"));
    List<MediaSource> sources = answer.sources("alice");
    assertThat(sources).extracting(MediaSource::name).containsExactly("alice-a0", "alice-v0");
    MediaSource camera = sources.get(1);
    assertThat(camera.primarySsrc()).isEqualTo(1348524538L);
    assertThat(camera.ssrcs())
        .containsExactly(
            1348524538L, 2797046426L, 3890011034L, 3283673846L, 662363833L, 1996461932L);
    assertThat(camera.groups())
        .containsExactly(
            new SsrcGroup("FID", List.of(1348524538L, 3283673846L)),
            new SsrcGroup("SIM", List.of(1348524538L, 2797046426L, 3890011034L)),
            new SsrcGroup("FID", List.of(2797046426L, 662363833L)),
            new SsrcGroup("FID", List.of(3890011034L, 1996461932L)));
    UnifiedPlanOffer offer = SdpFixtures.newOffer(true);
    offer.next(List.of());
    offer.checkAnswer(answer);
  }

  @Test
  void simulcastGroupsThatNoBridgeCouldUseAreTypedErrors() {
    String base = Resources.sdp("chromium-answer-6-simulcast.sdp");
    String sim = "a=ssrc-group:SIM 1348524538 2797046426 3890011034";
    // one layer, a repeated SSRC, four layers, two SIM groups
    assertReason(base.replace(sim, "a=ssrc-group:SIM 1348524538"), Reason.BAD_SSRC);
    assertReason(
        base.replace(sim, "a=ssrc-group:SIM 1348524538 2797046426 2797046426"), Reason.BAD_SSRC);
    assertReason(
        base.replace(sim, "a=ssrc-group:SIM 1348524538 2797046426 3890011034 662363833"),
        Reason.BAD_SSRC);
    assertReason(
        base.replace(sim, sim + "\r\na=ssrc-group:SIM 3283673846 662363833"), Reason.BAD_SSRC);
    // an FID group is a pair
    assertReason(
        base.replace(
            "a=ssrc-group:FID 2797046426 662363833",
            "a=ssrc-group:FID 2797046426 662363833 1996461932"),
        Reason.BAD_SSRC);
    // simulcast audio
    String audio = Resources.sdp("chromium-answer-1-sendrecv.sdp");
    assertReason(
        audio.replace(
            "a=ssrc:2056697848 cname",
            "a=ssrc-group:SIM 2056697848 7\r\na=ssrc:7 cname:x\r\na=ssrc:2056697848 cname"),
        Reason.BAD_SSRC);
  }

  @Test
  void aReceiveOnlyBrowserSendsNoSources() throws Exception {
    SdpAnswer answer = SdpAnswer.parse(Resources.sdp("chromium-answer-recvonly.sdp"));
    assertThat(answer.sources("bob")).isEmpty();
    assertThat(answer.media()).hasSize(6);
  }

  @Test
  void capturedAnswersMatchTheOffersTheyAnswer() throws Exception {
    UnifiedPlanOffer offer = SdpFixtures.newOffer(true);
    offer.next(List.of());
    offer.checkAnswer(SdpAnswer.parse(Resources.sdp("chromium-answer-1-sendrecv.sdp")));

    UnifiedPlanOffer two = SdpFixtures.newOffer(true);
    SdpFixtures.offerSequence(two);
    offer.checkAnswer(SdpAnswer.parse(Resources.sdp("chromium-answer-1-sendrecv.sdp")));
    two.checkAnswer(SdpAnswer.parse(Resources.sdp("chromium-answer-3-recycled.sdp")));
    assertThatThrownBy(
            () -> two.checkAnswer(SdpAnswer.parse(Resources.sdp("chromium-answer-1-sendrecv.sdp"))))
        .isInstanceOf(SdpParseException.class)
        .extracting(e -> ((SdpParseException) e).reason())
        .isEqualTo(Reason.ANSWER_MISMATCH);
  }

  @Test
  void trickledCandidatesParseAlone() throws Exception {
    IceCandidate c =
        IceCandidate.parse(
            "candidate:3396024641 1 udp 1686052607 203.0.113.7 42652 typ srflx raddr 192.0.2.2"
                + " rport 42652 generation 0 ufrag k1xI network-id 1");
    assertThat(c.type()).isEqualTo("srflx");
    assertThat(c.relatedAddress()).isEqualTo("192.0.2.2");
    assertThat(c.relatedPort()).isEqualTo(42652);
    assertThat(IceCandidate.parse("a=candidate:" + c.render())).isEqualTo(c);
    assertThatThrownBy(() -> IceCandidate.parse("candidate:1 1 udp 1 1.2.3.4 99999 typ host"))
        .isInstanceOf(SdpParseException.class)
        .hasMessageContaining("port");
  }

  @Test
  void anAnswerThatOffersActpassIsRefused() {
    String sdp =
        Resources.sdp("chromium-answer-1-sendrecv.sdp")
            .replace("a=setup:active", "a=setup:actpass");
    assertThatThrownBy(() -> SdpAnswer.parse(sdp))
        .isInstanceOfSatisfying(
            SdpParseException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SETUP));
  }

  @Test
  void missingIceCredentialsOrFingerprintAreTypedErrors() {
    String base = Resources.sdp("chromium-answer-1-sendrecv.sdp");
    assertReason(base.replaceAll("a=ice-pwd:[^\\r\\n]*\\r?\\n", ""), Reason.BAD_ICE_CREDENTIALS);
    assertReason(base.replace("a=ice-ufrag:k1xI", "a=ice-ufrag:k1"), Reason.BAD_ICE_CREDENTIALS);
    assertReason(base.replaceAll("a=fingerprint:[^\\r\\n]*\\r?\\n", ""), Reason.BAD_FINGERPRINT);
    assertReason(base.replace("a=mid:1", "a=mid:0"), Reason.DUPLICATE_MID);
    assertReason(base.replace("a=ssrc-group:FID 995962066", "a=ssrc-group:FID 7"), Reason.BAD_SSRC);
    assertReason(base.replace("a=ssrc:2056697848", "a=ssrc:4294967296"), Reason.BAD_SSRC);
    assertReason(
        base.replace("typ host generation 0 network-id 3", "typ hostx"), Reason.BAD_CANDIDATE);
  }

  private static void assertReason(String sdp, Reason reason) {
    assertThatThrownBy(() -> SdpAnswer.parse(sdp))
        .isInstanceOfSatisfying(
            SdpParseException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
