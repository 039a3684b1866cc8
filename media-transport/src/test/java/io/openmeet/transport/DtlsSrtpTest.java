package io.openmeet.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.junit.jupiter.api.Test;

/** Our DTLS server against our DTLS client over in-memory datagram pipes, then SRTP both ways. */
class DtlsSrtpTest {

  private static final DtlsCertificate SERVER = DtlsCertificate.generate("server");
  private static final DtlsCertificate CLIENT = DtlsCertificate.generate("client");

  private static DtlsFingerprint fp(DtlsCertificate c, String setup) {
    return new DtlsFingerprint("sha-256", c.sha256Fingerprint().toLowerCase(), setup);
  }

  /** Two associations wired back to back. */
  private static DtlsAssociation[] pipe() {
    DtlsAssociation[] ends = new DtlsAssociation[2];
    ends[0] = new DtlsAssociation((b, o, l) -> ends[1].offer(b, o, l));
    ends[1] = new DtlsAssociation((b, o, l) -> ends[0].offer(b, o, l));
    return ends;
  }

  private record Outcome(
      DtlsAssociation.Established server,
      DtlsAssociation.Established client,
      Throwable serverError,
      Throwable clientError) {}

  private static Outcome handshake(
      List<DtlsFingerprint> serverSees, List<DtlsFingerprint> clientSees) throws Exception {
    return handshake(serverSees, clientSees, SrtpProfile.ids(), SrtpProfile.ids());
  }

  private static Outcome handshake(
      List<DtlsFingerprint> serverSees,
      List<DtlsFingerprint> clientSees,
      int[] serverAccepts,
      int[] clientOffers)
      throws Exception {
    DtlsAssociation[] ends = pipe();
    CompletableFuture<DtlsAssociation.Established> server = new CompletableFuture<>();
    CompletableFuture<Throwable> serverDone =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                server.complete(ends[0].handshake(true, serverSees, SERVER, serverAccepts, 10_000));
                return null;
              } catch (IOException | RuntimeException e) {
                server.complete(null);
                ends[1].close(); // unblock the client
                return e;
              }
            });
    Throwable clientError = null;
    DtlsAssociation.Established client = null;
    try {
      client = ends[1].handshake(false, clientSees, CLIENT, clientOffers, 10_000);
    } catch (IOException | RuntimeException e) {
      clientError = e;
      ends[0].close();
    }
    Throwable serverError = serverDone.get(30, TimeUnit.SECONDS);
    return new Outcome(server.get(), client, serverError, clientError);
  }

  @Test
  void bothSidesExportTheSameGcmKeyingMaterial() throws Exception {
    Outcome outcome = handshake(List.of(fp(CLIENT, "active")), List.of(fp(SERVER, "actpass")));
    assertThat(outcome.serverError()).isNull();
    assertThat(outcome.clientError()).isNull();
    assertThat(outcome.server().profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(outcome.server().server()).isTrue();
    assertThat(outcome.client().server()).isFalse();
    assertThat(outcome.client().keyingMaterial())
        .hasSize(56)
        .isEqualTo(outcome.server().keyingMaterial());

    // the server's SRTP output decrypts with the client's keys, and the reverse
    SrtpSession server = outcome.server().srtpSession();
    SrtpSession client = outcome.client().srtpSession();
    byte[] rtp = new byte[40];
    rtp[0] = (byte) 0x80;
    rtp[1] = 100;
    rtp[11] = 9;
    for (int i = 12; i < 40; i++) {
      rtp[i] = (byte) i;
    }
    PacketBuffer packet = PacketBuffer.copyOf(rtp, 0, rtp.length);
    assertThat(server.protectRtp(packet)).isTrue();
    assertThat(packet.getLength()).isEqualTo(40 + 16);
    assertThat(packet.toArray()).isNotEqualTo(rtp);
    assertThat(client.unprotectRtp(packet)).isTrue();
    assertThat(packet.toArray()).isEqualTo(rtp);

    byte[] pli = {(byte) 0x81, (byte) 206, 0, 2, 0, 0, 0, 9, 0, 0, 0, 10};
    PacketBuffer control = PacketBuffer.copyOf(pli, 0, pli.length);
    assertThat(client.protectRtcp(control)).isTrue();
    assertThat(server.unprotectRtcp(control)).isTrue();
    assertThat(control.toArray()).isEqualTo(pli);

    // tampering is detected
    PacketBuffer again = PacketBuffer.copyOf(rtp, 0, rtp.length);
    again.getBuffer()[1] = 101;
    assertThat(server.protectRtp(again)).isTrue();
    again.getBuffer()[20] ^= 1;
    assertThat(client.unprotectRtp(again)).isFalse();
  }

  @Test
  void aClientCertificateThatMatchesNoFingerprintIsRefused() throws Exception {
    DtlsCertificate other = DtlsCertificate.generate("other");
    Outcome outcome = handshake(List.of(fp(other, "active")), List.of(fp(SERVER, "actpass")));
    assertThat(outcome.serverError())
        .isInstanceOfSatisfying(
            TlsFatalAlert.class,
            e -> assertThat(e.getAlertDescription()).isEqualTo(AlertDescription.bad_certificate));
    assertThat(outcome.server()).isNull();
    assertThat(outcome.clientError()).isNotNull();
  }

  @Test
  void aServerCertificateThatMatchesNoFingerprintIsRefused() throws Exception {
    DtlsCertificate other = DtlsCertificate.generate("other");
    Outcome outcome = handshake(List.of(fp(CLIENT, "active")), List.of(fp(other, "passive")));
    assertThat(outcome.clientError())
        .isInstanceOfSatisfying(
            TlsFatalAlert.class,
            e -> assertThat(e.getAlertDescription()).isEqualTo(AlertDescription.bad_certificate));
    assertThat(outcome.client()).isNull();
    assertThat(outcome.server()).isNull();
  }

  @Test
  void noUsableFingerprintIsRefusedToo() throws Exception {
    Outcome outcome =
        handshake(
            List.of(new DtlsFingerprint("md5", "00", "active")), List.of(fp(SERVER, "actpass")));
    assertThat(outcome.serverError()).isInstanceOf(TlsFatalAlert.class);
    assertThat(outcome.server()).isNull();
  }

  @Test
  void aClientOfferingOnlyAesCmGetsAesCmAndWorkingKeys() throws Exception {
    int[] cmOnly = {SrtpProfile.AES128_CM_HMAC_SHA1_80.id()};
    Outcome outcome =
        handshake(
            List.of(fp(CLIENT, "active")),
            List.of(fp(SERVER, "actpass")),
            SrtpProfile.ids(),
            cmOnly);
    assertThat(outcome.serverError()).isNull();
    assertThat(outcome.client().profile()).isEqualTo(SrtpProfile.AES128_CM_HMAC_SHA1_80);
    assertThat(outcome.client().keyingMaterial()).hasSize(60);

    byte[] rtp = new byte[30];
    rtp[0] = (byte) 0x80;
    rtp[1] = 100;
    rtp[11] = 3;
    PacketBuffer packet = PacketBuffer.copyOf(rtp, 0, rtp.length);
    assertThat(outcome.client().srtpSession().protectRtp(packet)).isTrue();
    assertThat(packet.getLength()).isEqualTo(30 + 10); // HMAC-SHA1-80 tag
    assertThat(outcome.server().srtpSession().unprotectRtp(packet)).isTrue();
    assertThat(packet.toArray()).isEqualTo(rtp);
  }

  @Test
  void noCommonSrtpProfileFailsTheHandshake() throws Exception {
    Outcome outcome =
        handshake(
            List.of(fp(CLIENT, "active")),
            List.of(fp(SERVER, "actpass")),
            new int[] {SrtpProfile.AEAD_AES_128_GCM.id()},
            new int[] {SrtpProfile.AES128_CM_HMAC_SHA1_80.id()});
    assertThat(outcome.serverError())
        .isInstanceOfSatisfying(
            TlsFatalAlert.class,
            e -> assertThat(e.getAlertDescription()).isEqualTo(AlertDescription.handshake_failure));
    assertThat(outcome.clientError()).isNotNull();
  }

  @Test
  void thePeersSetupDecidesOurRole() {
    assertThat(DtlsAssociation.isServerFor(List.of(fp(CLIENT, "active")))).isTrue();
    assertThat(DtlsAssociation.isServerFor(List.of(fp(CLIENT, "passive")))).isFalse();
    assertThat(DtlsAssociation.isServerFor(List.of(fp(CLIENT, "actpass")))).isFalse();
    assertThat(DtlsAssociation.isServerFor(List.of())).isTrue();
  }

  @Test
  void fingerprintsAreColonSeparatedUpperCaseSha256() {
    assertThat(SERVER.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(DtlsCertificate.fingerprintOf(SERVER.der())).isEqualTo(SERVER.sha256Fingerprint());
    assertThat(SERVER.sha256Fingerprint()).isNotEqualTo(CLIENT.sha256Fingerprint());
  }
}
