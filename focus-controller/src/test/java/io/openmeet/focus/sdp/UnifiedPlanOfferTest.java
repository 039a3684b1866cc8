package io.openmeet.focus.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnifiedPlanOfferTest {

  @Test
  void firstOfferBundlesTheOwnSendsWithTheBridgeTransportAndFeedbackSources() throws Exception {
    SessionDescription offer = SdpFixtures.newOffer(false).next(List.of());
    // Through text and back: what a browser would receive.
    SessionDescription parsed = SdpParser.parse(SdpWriter.write(offer));

    assertThat(parsed.attribute("group").orElseThrow().value()).isEqualTo("BUNDLE 0 1");
    assertThat(parsed.media()).extracting(MediaSection::media).containsExactly("audio", "video");
    for (MediaSection m : parsed.media()) {
      assertThat(m.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
      assertThat(m.attribute("ice-ufrag").orElseThrow().value()).isEqualTo("2920j1k8f214bs");
      assertThat(m.attribute("ice-pwd").orElseThrow().value())
          .isEqualTo("389ctdji4o64alicke8rk1gc2d");
      assertThat(m.attribute("fingerprint").orElseThrow().value())
          .isEqualTo("sha-256 " + SdpFixtures.BRIDGE_FINGERPRINT);
      assertThat(m.attribute("setup").orElseThrow().value()).isEqualTo("actpass");
      assertThat(m.attribute("rtcp-mux")).isPresent();
      assertThat(m.attribute("sendrecv")).isPresent();
      assertThat(m.attributes("candidate"))
          .extracting(Attribute::value)
          .containsExactly("1 1 udp 2130706431 127.0.0.1 10000 typ host generation 0");
    }
    MediaSection audio = parsed.media().get(0);
    assertThat(audio.formats()).containsExactly("111");
    assertThat(audio.attributes("extmap"))
        .extracting(Attribute::value)
        .containsExactly(
            "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "10 urn:ietf:params:rtp-hdrext:sdes:mid",
            "5 " + HeaderExtension.TRANSPORT_CC);
    assertThat(audio.attributes("ssrc"))
        .extracting(Attribute::value)
        .contains("2368504129 msid:mixedmslabel mixedlabelaudio0");
    MediaSection video = parsed.media().get(1);
    assertThat(video.formats()).containsExactly("100", "96");
    assertThat(video.attributes("rtcp-fb"))
        .extracting(Attribute::value)
        .contains("100 nack pli", "100 ccm fir", "100 transport-cc");
    assertThat(video.attributes("fmtp")).extracting(Attribute::value).containsExactly("96 apt=100");
    assertThat(video.attributes("ssrc"))
        .extracting(Attribute::value)
        .contains("3958095278 msid:mixedmslabel mixedlabelvideo0");
  }

  @Test
  void aStartBitrateHintGoesOnEveryVideoCodecButRtxAndLeavesTheBridgesCodecsAlone() {
    CodecSettings forBridges = CodecSettings.defaults(true);
    CodecSettings forBrowsers = forBridges.withVideoStartBitrate(800);
    SessionDescription offer =
        new UnifiedPlanOffer(
                forBrowsers,
                SdpFixtures.bridgeTransport(),
                SdpFixtures.feedbackSources(),
                List.of(MediaKind.AUDIO, MediaKind.VIDEO))
            .next(List.of());

    assertThat(offer.media().get(1).attributes("fmtp"))
        .extracting(Attribute::value)
        .containsExactly(
            "100 x-google-start-bitrate=800",
            "96 apt=100",
            "107 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;"
                + "x-google-start-bitrate=800",
            "99 apt=107");
    assertThat(offer.media().get(0).attributes("fmtp"))
        .extracting(Attribute::value)
        .containsExactly("111 minptime=10;useinbandfec=1");
    assertThat(forBridges.video())
        .allSatisfy(
            pt -> assertThat(pt.parameters()).doesNotContainKey(CodecSettings.START_BITRATE));
    assertThat(forBridges.withVideoStartBitrate(0)).isSameAs(forBridges);
  }

  @Test
  void h264IsOfferedWithItsOwnRtxWhenEnabled() {
    SessionDescription offer = SdpFixtures.newOffer(true).next(List.of());
    assertThat(offer.media().get(1).formats()).containsExactly("100", "96", "107", "99");
    assertThat(offer.media().get(1).attributes("fmtp"))
        .extracting(Attribute::value)
        .contains("99 apt=107");
  }

  @Test
  void eachRemoteSourceGetsASendonlyMlineWithMsidAndGroups() {
    UnifiedPlanOffer offer = SdpFixtures.newOffer(false);
    offer.next(List.of());
    SessionDescription second = offer.next(SdpFixtures.participant("bob", 1));

    assertThat(second.sessionVersion()).isEqualTo(2);
    assertThat(second.attribute("group").orElseThrow().value()).isEqualTo("BUNDLE 0 1 2 3");
    MediaSection bobVideo = second.media().get(3);
    assertThat(bobVideo.media()).isEqualTo("video");
    assertThat(bobVideo.attribute("sendonly")).isPresent();
    assertThat(bobVideo.attribute("msid").orElseThrow().value()).isEqualTo("bob bob-v0");
    assertThat(bobVideo.attributes("ssrc-group"))
        .extracting(Attribute::value)
        .containsExactly("FID 100002 100003");
    assertThat(bobVideo.attributes("ssrc"))
        .extracting(Attribute::value)
        .containsExactly(
            "100002 cname:bob",
            "100002 msid:bob bob-v0",
            "100003 cname:bob",
            "100003 msid:bob bob-v0");
  }

  @Test
  void goneSourcesLeaveInactiveMlinesThatTheNextSourceOfTheirKindReuses() {
    UnifiedPlanOffer offer = SdpFixtures.newOffer(false);
    List<MediaSource> both = new ArrayList<>(SdpFixtures.participant("bob", 1));
    both.addAll(SdpFixtures.participant("carol", 2));
    offer.next(both);

    SessionDescription afterBobLeft = offer.next(SdpFixtures.participant("carol", 2));
    assertThat(afterBobLeft.media()).hasSize(6);
    assertThat(afterBobLeft.media().get(2).attribute("inactive")).isPresent();
    assertThat(afterBobLeft.media().get(2).attributes("ssrc")).isEmpty();
    assertThat(afterBobLeft.media().get(2).attribute("msid")).isEmpty();
    assertThat(afterBobLeft.media().get(3).attribute("inactive")).isPresent();
    // Carol keeps her m-lines.
    assertThat(afterBobLeft.media().get(4).attribute("msid").orElseThrow().value())
        .isEqualTo("carol carol-a0");
    assertThat(afterBobLeft.attribute("group").orElseThrow().value())
        .isEqualTo("BUNDLE 0 1 2 3 4 5");

    List<MediaSource> carolAndDave = new ArrayList<>(SdpFixtures.participant("carol", 2));
    carolAndDave.addAll(SdpFixtures.participant("dave", 3));
    SessionDescription daveJoined = offer.next(carolAndDave);
    assertThat(daveJoined.media()).hasSize(6);
    assertThat(daveJoined.media().get(2).attribute("msid").orElseThrow().value())
        .isEqualTo("dave dave-a0");
    assertThat(daveJoined.media().get(3).attribute("msid").orElseThrow().value())
        .isEqualTo("dave dave-v0");

    // A third remote needs new m-lines, appended after the existing ones.
    List<MediaSource> three = new ArrayList<>(carolAndDave);
    three.addAll(SdpFixtures.participant("erin", 4));
    SessionDescription erinJoined = offer.next(three);
    assertThat(erinJoined.media())
        .extracting(m -> m.mid().orElseThrow())
        .containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
  }

  @Test
  void updatedTransportAppearsInTheNextOffer() {
    UnifiedPlanOffer offer = SdpFixtures.newOffer(false);
    offer.next(List.of());
    offer.updateTransport(
        new TransportDescription(
            "newufrag",
            "newpassword0123456789012",
            SdpFixtures.bridgeTransport().fingerprints(),
            List.of()),
        SdpFixtures.feedbackSources());
    SessionDescription next = offer.next(List.of());
    assertThat(next.media().get(0).attribute("ice-ufrag").orElseThrow().value())
        .isEqualTo("newufrag");
    assertThat(next.media().get(0).attributes("candidate")).isEmpty();
  }

  @Test
  void aRemoteSimulcastSourceIsOfferedAsItsPrimarySsrcAndThatSsrcsRtx() throws Exception {
    List<Long> layers = List.of(11L, 12L, 13L);
    MediaSource camera =
        MediaSource.of(
            MediaKind.VIDEO,
            "bob-v0",
            "bob",
            List.of(11L, 12L, 13L, 21L, 22L, 23L),
            List.of(
                new SsrcGroup("SIM", layers),
                new SsrcGroup("FID", List.of(11L, 21L)),
                new SsrcGroup("FID", List.of(12L, 22L)),
                new SsrcGroup("FID", List.of(13L, 23L))));
    UnifiedPlanOffer offer = SdpFixtures.newOffer(false);
    SessionDescription parsed = SdpParser.parse(SdpWriter.write(offer.next(List.of(camera))));
    MediaSection remote = parsed.media().get(2);
    assertThat(remote.attribute("sendonly")).isPresent();
    assertThat(remote.attributes("ssrc-group"))
        .extracting(Attribute::value)
        .containsExactly("FID 11 21");
    assertThat(remote.attributes("ssrc"))
        .extracting(Attribute::value)
        .containsExactly(
            "11 cname:bob", "11 msid:bob bob-v0", "21 cname:bob", "21 msid:bob bob-v0");
    // without RTX only the primary remains; a source without SIM is offered as it is
    MediaSource noRtx =
        MediaSource.of(MediaKind.VIDEO, "c-v0", "c", layers, List.of(new SsrcGroup("SIM", layers)));
    assertThat(noRtx.asReceived().ssrcs()).containsExactly(11L);
    assertThat(noRtx.asReceived().groups()).isEmpty();
    MediaSource plain = SdpFixtures.participant("d", 4).get(1);
    assertThat(plain.asReceived()).isSameAs(plain);
  }
}
