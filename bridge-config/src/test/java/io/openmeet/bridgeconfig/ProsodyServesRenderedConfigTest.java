package io.openmeet.bridgeconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * A real Prosody, started on a free loopback port from the rendered template (its own data
 * directory, never the shared instance on 5222), accepts the bridge account and hosts the brewery
 * room.
 */
class ProsodyServesRenderedConfigTest {
  private static final String PASSWORD = "bridge-" + UUID.randomUUID().toString().substring(0, 8);
  private static Path dir;
  private static Path config;
  private static int port;

  @BeforeAll
  static void startProsody() throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/prosodyctl"))) {
      fail("prosodyctl is missing: scripts/lib/services.sh (prosody.sh) installs Prosody");
    }
    dir =
        Path.of(
            "/var/tmp/openmeet/bridge-config-test-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(dir.resolve("data"));
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Map<String, String> values = Inputs.local();
    values.put("XMPP_PORT", Integer.toString(port));
    values.put("PROSODY_DIR", dir.toString());
    config = dir.resolve("prosody.cfg.lua");
    Files.writeString(config, TemplateRenderer.render(ConfigTemplate.PROSODY, values));

    // prosodyctl started as root switches to the prosody user, which must own the directory.
    run("chown", "-R", "prosody:prosody", dir.toString());
    run("prosodyctl", "--config", config.toString(), "start");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!listening()) {
      if (System.nanoTime() > deadline) {
        fail("Prosody did not listen on 127.0.0.1:" + port + "; see " + dir.resolve("prosody.err"));
      }
      Thread.sleep(100);
    }
    run(
        "prosodyctl",
        "--config",
        config.toString(),
        "register",
        "jvb",
        "auth.meet.local",
        PASSWORD);
  }

  @AfterAll
  static void stopProsody() throws Exception {
    if (config != null) {
      run("prosodyctl", "--config", config.toString(), "stop");
    }
    if (dir != null && Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void theBridgeAccountLogsInOverLoopbackAndJoinsTheBrewery() throws Exception {
    XMPPTCPConnection connection = connect(PASSWORD);
    try {
      connection.login();
      assertThat(connection.getUser().asEntityBareJidString()).isEqualTo("jvb@auth.meet.local");

      // A brewery room of its own, so that no focus of a parallel test run sees this occupant.
      String room = "jvbbrewery-test-" + UUID.randomUUID().toString().substring(0, 8);
      MultiUserChat muc =
          MultiUserChatManager.getInstanceFor(connection)
              .getMultiUserChat(JidCreate.entityBareFrom(room + "@internal.auth.meet.local"));
      muc.join(Resourcepart.from("bridge-config-test"));

      assertThat(muc.isJoined()).isTrue();
      // Smack fills the occupant list from presence on its own thread: give it a moment.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (muc.getOccupants().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(muc.getOccupants())
          .extracting(Object::toString)
          .containsExactly(room + "@internal.auth.meet.local/bridge-config-test");
      muc.leave();
    } finally {
      connection.disconnect();
    }
  }

  @Test
  void accountFilesAreReadableByTheirOwnerOnly() throws Exception {
    List<Path> accounts;
    try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
      accounts = files.filter(Files::isRegularFile).toList();
    }
    assertThat(accounts).as("the registered account's files").isNotEmpty();
    for (Path file : accounts) {
      assertThat(Files.getPosixFilePermissions(file))
          .as(file.toString())
          .isSubsetOf(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    XMPPTCPConnection connection = connect("not-the-password");
    try {
      assertThatThrownBy(connection::login).isInstanceOf(SASLErrorException.class);
    } finally {
      connection.disconnect();
    }
  }

  @Test
  void runsLuaGenerationalCollectorOnLua54() throws Exception {
    // the option as Prosody's own config parser reads it: a guard that never matched would silently
    // keep the incremental default
    String readByProsody =
        run(
            "lua5.4",
            "-e",
            "package.path = '/usr/lib/prosody/?.lua;' .. package.path;"
                + " package.cpath = '/usr/lib/prosody/?.so;' .. package.cpath;"
                + " local config = require 'core.configmanager';"
                + (" assert(config.load('" + config + "'));")
                + " local gc = config.get('*', 'gc');"
                + " print(_VERSION .. ': ' .. (gc and gc.mode or 'default'))");
    assertThat(readByProsody.strip()).isEqualTo("Lua 5.4: generational");

    Path errors = dir.resolve("prosody.err");
    String logged = Files.exists(errors) ? Files.readString(errors) : "";
    assertThat(logged).doesNotContain("Failed to apply GC configuration");
  }

  @Test
  void modLimitsLoadsAndAcceptsTheConfiguredRates() throws Exception {
    // connect once, so that the limits apply to (and are lifted for) an authenticated session
    connect(PASSWORD).disconnect();
    Path errors = dir.resolve("prosody.err");
    String logged = Files.exists(errors) ? Files.readString(errors) : "";
    assertThat(logged)
        .doesNotContain("mod_limits")
        .doesNotContain("Error parsing rate")
        .doesNotContain("Unable to parse burst")
        .doesNotContainIgnoringCase("unable to load");
  }

  @Test
  void inBandRegistrationIsOff() throws Exception {
    String lua = Files.readString(config);
    assertThat(lua).contains("allow_registration = false");
    XMPPTCPConnection connection = connect(PASSWORD);
    try {
      var accounts = org.jivesoftware.smackx.iqregister.AccountManager.getInstance(connection);
      accounts.sensitiveOperationOverInsecureConnection(true);

      assertThatThrownBy(
              () ->
                  accounts.createAccount(
                      org.jxmpp.jid.parts.Localpart.from("intruder"), "intruder-password"))
          .isInstanceOf(org.jivesoftware.smack.XMPPException.XMPPErrorException.class);
    } finally {
      connection.disconnect();
    }
  }

  private static XMPPTCPConnection connect(String password) throws Exception {
    XMPPTCPConnection connection =
        new XMPPTCPConnection(
            XMPPTCPConnectionConfiguration.builder()
                .setHost("127.0.0.1")
                .setPort(port)
                .setXmppDomain("auth.meet.local")
                .setUsernameAndPassword("jvb", password)
                .setResource("bridge-config-test")
                .setSecurityMode(SecurityMode.disabled)
                .setConnectTimeout(5000)
                .build());
    connection.setReplyTimeout(5000);
    connection.connect();
    return connection;
  }

  private static boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + String.join(" ", command));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0 && !command[command.length - 1].equals("stop")) {
      fail(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + out);
    }
    return out;
  }
}
