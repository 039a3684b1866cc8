package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;

/** The bridge's DTLS server against its DTLS client over in-memory datagram pipes. */
class DtlsSrtpTest {

  private static final DtlsCertificate SERVER = DtlsCertificate.generate("server");
  private static final DtlsCertificate CLIENT = DtlsCertificate.generate("client");

  private static DtlsFingerprint fp(DtlsCertificate c, String setup) {
    return new DtlsFingerprint("sha-256", c.sha256Fingerprint().toLowerCase(), setup);
  }

  /** Two queue transports wired back to back. */
  private static BridgeDtls.QueueTransport[] pipe() {
    BridgeDtls.QueueTransport[] ends = new BridgeDtls.QueueTransport[2];
    ends[0] = new BridgeDtls.QueueTransport((b, o, l) -> ends[1].offer(b, o, l));
    ends[1] = new BridgeDtls.QueueTransport((b, o, l) -> ends[0].offer(b, o, l));
    return ends;
  }

  private record Outcome(
      BridgeDtls.Keys server,
      BridgeDtls.Keys client,
      Throwable serverError,
      Throwable clientError) {}

  private static Outcome handshake(
      List<DtlsFingerprint> serverSees, List<DtlsFingerprint> clientSees) throws Exception {
    BridgeDtls.QueueTransport[] ends = pipe();
    BridgeDtls.Server server =
        new BridgeDtls.Server(new BcTlsCrypto(new SecureRandom()), SERVER, serverSees);
    BridgeDtls.Client client =
        new BridgeDtls.Client(new BcTlsCrypto(new SecureRandom()), CLIENT, clientSees);
    CompletableFuture<Throwable> serverDone =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                new DTLSServerProtocol().accept(server, ends[0]);
                return null;
              } catch (IOException | RuntimeException e) {
                ends[1].close(); // unblock the client
                return e;
              }
            });
    Throwable clientError = null;
    try {
      new DTLSClientProtocol().connect(client, ends[1]);
    } catch (IOException | RuntimeException e) {
      clientError = e;
      ends[0].close();
    }
    Throwable serverError = serverDone.get(30, TimeUnit.SECONDS);
    return new Outcome(server.keys(), client.keys(), serverError, clientError);
  }

  @Test
  void bothSidesExportTheSameGcmKeyingMaterial() throws Exception {
    Outcome outcome = handshake(List.of(fp(CLIENT, "active")), List.of(fp(SERVER, "actpass")));
    assertThat(outcome.serverError()).isNull();
    assertThat(outcome.clientError()).isNull();
    assertThat(outcome.server().profile()).isEqualTo(SrtpSession.Profile.AEAD_AES_128_GCM);
    assertThat(outcome.client().keyingMaterial())
        .hasSize(56)
        .isEqualTo(outcome.server().keyingMaterial());

    // the server's SRTP output decrypts with the client's keys, and the reverse
    SrtpSession server =
        new SrtpSession(outcome.server().profile(), outcome.server().keyingMaterial(), true);
    SrtpSession client =
        new SrtpSession(outcome.client().profile(), outcome.client().keyingMaterial(), false);
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

    byte[] pli = Rtp.pli(9, 10);
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
  void thePeersSetupDecidesTheBridgeRole() {
    assertThat(EndpointDtls.isDtlsServer(List.of(fp(CLIENT, "active")))).isTrue();
    assertThat(EndpointDtls.isDtlsServer(List.of(fp(CLIENT, "passive")))).isFalse();
    assertThat(EndpointDtls.isDtlsServer(List.of(fp(CLIENT, "actpass")))).isFalse();
    assertThat(EndpointDtls.isDtlsServer(List.of())).isTrue();
  }

  @Test
  void fingerprintsAreColonSeparatedUpperCaseSha256() {
    assertThat(SERVER.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(DtlsCertificate.fingerprintOf(SERVER.der())).isEqualTo(SERVER.sha256Fingerprint());
    assertThat(SERVER.sha256Fingerprint()).isNotEqualTo(CLIENT.sha256Fingerprint());
  }
}
