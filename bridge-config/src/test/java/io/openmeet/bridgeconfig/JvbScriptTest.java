package io.openmeet.bridgeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lib/jvb.sh, which scripts/start, e2e and test use to run Jitsi Videobridge on one
 * machine: where it finds a distribution, and that its render of this module's JVB template has
 * what a local JVB needs (JVB silently drops an XMPP client entry that misses a key).
 */
class JvbScriptTest {
  private static final Path SCRIPT = Path.of("../scripts/lib/jvb.sh").toAbsolutePath().normalize();
  private static final String XMPP = "videobridge.apis.xmpp-client.configs.openmeet.";

  @TempDir Path tmp;

  @Test
  void localRenderJoinsTheLocalBreweryAndKeepsOffRoomApiAndLiteBridgePorts() throws Exception {
    Path out = tmp.resolve("jvb.conf");

    Result r = run(Map.of(), "render", out.toString());

    assertThat(r.exit).as(r.stderr).isZero();
    Config c = ConfigFactory.parseFile(out.toFile()).resolve();
    assertThat(c.getString(XMPP + "hostname")).isEqualTo("127.0.0.1");
    assertThat(c.getInt(XMPP + "port")).isEqualTo(5222);
    assertThat(c.getString(XMPP + "domain")).isEqualTo("auth.meet.local");
    assertThat(c.getString(XMPP + "username")).isEqualTo("jvb");
    assertThat(c.getString(XMPP + "password")).isEqualTo("script-Test-pass1");
    assertThat(c.getString(XMPP + "muc_jids")).isEqualTo("jvbbrewery@internal.auth.meet.local");
    assertThat(c.getString(XMPP + "muc_nickname")).isEqualTo("jvb-local");
    assertThat(c.getString("videobridge.http-servers.private.host")).isEqualTo("127.0.0.1");
    // room-api has 8080, lite-bridge 8180 (REST and colibri-ws)
    assertThat(c.getInt("videobridge.http-servers.private.port")).isEqualTo(8280);
    assertThat(c.getInt("videobridge.http-servers.public.port")).isEqualTo(9090);
    assertThat(c.getBoolean("videobridge.websockets.enabled")).isTrue();
    assertThat(c.getString("videobridge.websockets.domain")).isEqualTo("127.0.0.1:9090");
    assertThat(c.getBoolean("videobridge.websockets.tls")).isFalse();
    assertThat(c.getString("videobridge.websockets.server-id")).isEqualTo("jvb-local");
    assertThat(c.getInt("videobridge.ice.udp.port")).isEqualTo(10000);
    // this JVB build has no SCTP; private addresses must not make it unhealthy; no Internet lookups
    assertThat(c.getBoolean("videobridge.sctp.enabled")).isFalse();
    assertThat(c.getBoolean("videobridge.health.require-valid-address")).isFalse();
    assertThat(c.getStringList("ice4j.harvest.mapping.stun.addresses")).isEmpty();
    assertThat(c.getBoolean("ice4j.harvest.mapping.aws.enabled")).isFalse();
    assertThat(c.getString("videobridge.load-management.load-measurements.load-measurement"))
        .isEqualTo("packet-rate");
    // it holds the XMPP password
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
        .isEqualTo("rw-------");
  }

  @Test
  void theEnvironmentOverridesPortsAndTheBridgeId() throws Exception {
    Path out = tmp.resolve("jvb.conf");

    Result r =
        run(
            Map.of(
                "JVB_PRIVATE_PORT", "8481",
                "JVB_PUBLIC_PORT", "9391",
                "JVB_MEDIA_PORT", "10391",
                "JVB_BRIDGE_ID", "jvb-e2e",
                "BREWERY_ROOM", "jvbbrewery-x"),
            "render",
            out.toString());

    assertThat(r.exit).as(r.stderr).isZero();
    Config c = ConfigFactory.parseFile(out.toFile()).resolve();
    assertThat(c.getInt("videobridge.http-servers.private.port")).isEqualTo(8481);
    assertThat(c.getInt("videobridge.http-servers.public.port")).isEqualTo(9391);
    assertThat(c.getString("videobridge.websockets.domain")).isEqualTo("127.0.0.1:9391");
    assertThat(c.getInt("videobridge.ice.udp.port")).isEqualTo(10391);
    assertThat(c.getString(XMPP + "muc_nickname")).isEqualTo("jvb-e2e");
    assertThat(c.getString(XMPP + "muc_jids")).isEqualTo("jvbbrewery-x@internal.auth.meet.local");
  }

  @Test
  void aBadValueFailsNamingTheVariableAndWritesNothing() throws Exception {
    Path out = tmp.resolve("jvb.conf");

    Result r = run(Map.of("JVB_MEDIA_PORT", "70000"), "render", out.toString());

    assertThat(r.exit).isNotZero();
    assertThat(r.stderr).contains("JVB_MEDIA_PORT").contains("65535");
    assertThat(out).doesNotExist();
  }

  @Test
  void jvbHomeMayBeAnUnzippedDistribution() throws Exception {
    Path dist = distribution(tmp.resolve("mine/jitsi-videobridge-2.3"));

    Result r = run(Map.of("JVB_HOME", dist.toString()), "find");

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.stdout.strip()).isEqualTo(dist.toString());
  }

  @Test
  void aSharedZipIsUnzippedOnceAndAgainOnlyWhenItChanges() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared/jvb"));
    Path zip = zip(shared.resolve("jitsi-videobridge-2.3-test.zip"), "one");
    Map<String, String> env = Map.of("JVB_SHARED_DIR", shared.toString());
    Path expected = tmp.resolve("local/jvb/jitsi-videobridge-2.3-test/jitsi-videobridge-2.3");

    Result first = run(env, "find");
    Files.writeString(expected.resolve("marker"), "kept");
    Result second = run(env, "find");

    assertThat(first.exit).as(first.stderr).isZero();
    assertThat(first.stdout.strip()).isEqualTo(expected.toString());
    assertThat(first.stderr).contains("unzipped jitsi-videobridge-2.3-test.zip");
    assertThat(second.stdout.strip()).isEqualTo(expected.toString());
    assertThat(second.stderr).doesNotContain("unzipped");
    assertThat(expected.resolve("marker")).exists();

    zip(zip, "two, a different build");
    Result third = run(env, "find");

    assertThat(third.exit).as(third.stderr).isZero();
    assertThat(third.stderr).contains("unzipped");
    assertThat(expected.resolve("marker")).doesNotExist();
    assertThat(Files.readString(expected.resolve("jitsi-videobridge.jar")))
        .isEqualTo("two, a different build");
  }

  @Test
  void theDebianPackageIsTheLastPlaceLookedIn() throws Exception {
    Path debian = distribution(tmp.resolve("usr/share/jitsi-videobridge"));

    Result r =
        run(
            Map.of(
                "JVB_SHARED_DIR", tmp.resolve("no-shared").toString(),
                "JVB_DEBIAN_HOME", debian.toString()),
            "find");

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.stdout.strip()).isEqualTo(debian.toString());
  }

  @Test
  void withNoJvbAnywhereItSaysWhereItLooked() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared/jvb"));
    Path debian = tmp.resolve("usr/share/jitsi-videobridge");

    Result r =
        run(
            Map.of("JVB_SHARED_DIR", shared.toString(), "JVB_DEBIAN_HOME", debian.toString()),
            "find");

    assertThat(r.exit).isEqualTo(1);
    assertThat(r.stdout).isEmpty();
    assertThat(r.stderr)
        .contains("no Jitsi Videobridge found")
        .contains("JVB_HOME is not set")
        .contains("no *.zip in " + shared)
        .contains("no Debian jitsi-videobridge2 at " + debian);
  }

  @Test
  void aJvbHomeThatIsNoDistributionIsAnErrorNotASkip() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));

    Result r = run(Map.of("JVB_HOME", empty.toString()), "find");

    assertThat(r.exit).isEqualTo(2);
    assertThat(r.stderr).contains("JVB_HOME=" + empty).contains("neither");
  }

  /** A directory shaped like JVB's distribution (the script never runs it here). */
  private static Path distribution(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("jitsi-videobridge.jar"), "not a real jar");
    return dir;
  }

  /** A zip laid out like JVB's release zip: one top directory with the jar and lib/. */
  private static Path zip(Path file, String jarContent) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zos = new ZipOutputStream(os)) {
      zos.putNextEntry(new ZipEntry("jitsi-videobridge-2.3/jitsi-videobridge.jar"));
      zos.write(jarContent.getBytes(StandardCharsets.UTF_8));
      zos.closeEntry();
      zos.putNextEntry(new ZipEntry("jitsi-videobridge-2.3/lib/logging.properties"));
      zos.write(".level=INFO\n".getBytes(StandardCharsets.UTF_8));
      zos.closeEntry();
    }
    return file;
  }

  private record Result(int exit, String stdout, String stderr) {}

  /**
   * Runs the script with a clean slate: none of the caller's openmeet, XMPP or JVB settings, state
   * under the temporary directory, the renderer on this test's classpath.
   */
  private Result run(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(concat("bash", SCRIPT.toString(), args));
    Map<String, String> e = pb.environment();
    e.keySet()
        .removeIf(
            k ->
                k.startsWith("JVB_")
                    || k.startsWith("XMPP_")
                    || k.startsWith("OPENMEET_")
                    || k.startsWith("BREWERY_")
                    || k.equals("BRIDGE_CONFIG_CP"));
    e.put("OPENMEET_LOCAL", tmp.resolve("local").toString());
    e.put("JVB_SHARED_DIR", tmp.resolve("no-shared").toString());
    e.put("JVB_DEBIAN_HOME", tmp.resolve("no-debian").toString());
    e.put("JVB_PASSWORD", "script-Test-pass1");
    e.put("BRIDGE_CONFIG_CP", System.getProperty("java.class.path"));
    e.putAll(env);
    Path stdout = tmp.resolve("stdout"), stderr = tmp.resolve("stderr");
    pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("jvb.sh finished").isTrue();
    return new Result(p.exitValue(), Files.readString(stdout), Files.readString(stderr));
  }

  private static List<String> concat(String a, String b, String... rest) {
    return Stream.concat(Stream.of(a, b), Arrays.stream(rest)).toList();
  }
}
